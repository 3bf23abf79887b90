"""Review history: every PR review and analysis recorded (who, what, when, findings, duration,
tokens), and a repository's trends over time.

models.py (ReviewRecord, TrendPoint, TrendsResult), store.py (HistoryStore, HISTORY, history_ctx),
recording.py (a PR review recorded once published), migrate.py (the URL, migrations at startup).
Nothing is imported here: SQLAlchemy loads only where a store is opened."""
