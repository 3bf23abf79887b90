"""Alembic migrations of the review history, run by bot/history/migrate.py at startup."""
