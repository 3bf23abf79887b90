"""The review history: one row per PR review or analysis, and the trends of a repository.

SQLAlchemy 2 async: SQLite (aiosqlite) by default, PostgreSQL (asyncpg) with DATABASE_URL. The
schema comes from the Alembic migrations, brought to head when the store opens (migrate.py)."""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from aiohttp import web
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.history import migrate
from bot.history.models import ReviewRecord, TrendPoint, TrendsResult
from bot.history.schema import as_utc, finding_counts, reviews

log = logging.getLogger(__name__)

MAX_KEYS = 200  # distinct keys kept per dimension of one review; the rest are summed into OTHER
OTHER = "(other)"
MAX_KEY_CHARS = 300
MAX_COUNT = 2**31 - 1  # an INTEGER column
DEFAULT_WINDOW = {"day": timedelta(days=30), "week": timedelta(weeks=12)}
MAX_WINDOW = timedelta(days=366 * 2)  # at most ~731 day buckets in one answer
CONNECT_TIMEOUT = 10.0
STATEMENT_TIMEOUT = 30.0
WAL_SWITCH_TIMEOUT = 10.0  # seconds a new SQLite file may take to switch to WAL with a rival opening it
OPEN_TIMEOUT = 60.0  # connecting and migrating at startup


class TrendsRangeError(ValueError):
    """The window asked for is empty or too long (the message is safe to show)."""


class HistoryStore:
    """Records reviews and answers trends; ``open`` it (migrations run), ``close`` it at the end."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    async def open(cls, url: str) -> HistoryStore:
        """A store on ``url`` (a SQLAlchemy async URL, see migrate.database_url), schema at head."""
        store = cls(make_engine(url))
        try:
            await migrate.upgrade(store.engine)
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        await self.engine.dispose()

    async def record(self, record: ReviewRecord) -> None:
        """Store one finished review or analysis with its finding counts, in one transaction."""
        finished = as_utc(record.finished_at)
        day = finished.date()
        row = {
            "kind": record.kind,
            "repo": storable(record.repo),
            "repo_key": storable(record.repo).lower(),
            "number": record.number,
            "head_sha": storable(record.head_sha),
            "actor": storable(record.actor),
            "org": storable(record.org),
            "started_at": as_utc(record.started_at),
            "finished_at": finished,
            "day": day,
            "week": day - timedelta(days=day.weekday()),
            "duration_s": record.duration_s if math.isfinite(record.duration_s) else 0.0,
            "conclusion": storable(record.conclusion),
            "findings_total": min(record.findings_total, MAX_COUNT),
            "prompt_tokens": min(record.prompt_tokens, MAX_COUNT),
            "completion_tokens": min(record.completion_tokens, MAX_COUNT),
            "analysis_id": storable(record.analysis_id) if record.analysis_id is not None else None,
        }
        async with self.engine.begin() as conn:
            result = await conn.execute(sa.insert(reviews).values(row).returning(reviews.c.id))
            review_id = result.scalar_one()
            counts = [
                {"review_id": review_id, "dimension": dimension, "key": key, "count": count}
                for dimension, values in (
                    ("severity", record.by_severity),
                    ("tool", record.by_tool),
                    ("rule", record.by_rule),
                )
                for key, count in bounded_counts(values).items()
            ]
            if counts:
                await conn.execute(sa.insert(finding_counts), counts)

    async def trends(
        self,
        repo: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        bucket: Literal["day", "week"] = "day",
    ) -> TrendsResult:
        """Per day or week (Mondays, UTC) of [since, until): reviews finished, findings by severity,
        median and 90th percentile of the review duration (linear interpolation, as PostgreSQL's
        percentile_cont). Default window: the last 30 days, or 12 weeks."""
        if bucket not in DEFAULT_WINDOW:
            raise TrendsRangeError("bucket must be day or week")
        until = as_utc(until) if until is not None else datetime.now(UTC)
        since = as_utc(since) if since is not None else until - DEFAULT_WINDOW[bucket]
        if since >= until:
            raise TrendsRangeError("since must be before until")
        if until - since > MAX_WINDOW:
            raise TrendsRangeError(f"the window may span at most {MAX_WINDOW.days} days")
        column = reviews.c.day if bucket == "day" else reviews.c.week
        where = (
            reviews.c.repo_key == repo.lower(),
            reviews.c.finished_at >= since,
            reviews.c.finished_at < until,
        )
        async with self.engine.connect() as conn:
            totals = await conn.execute(
                sa.select(column, sa.func.count(), sa.func.sum(reviews.c.findings_total))
                .where(*where)
                .group_by(column)
            )
            severities = await conn.execute(
                sa.select(column, finding_counts.c.key, sa.func.sum(finding_counts.c.count))
                .join(finding_counts, finding_counts.c.review_id == reviews.c.id)
                .where(*where, finding_counts.c.dimension == "severity")
                .group_by(column, finding_counts.c.key)
            )
            durations = await self._durations(conn, column, where)
            by_bucket = {as_date(start): (int(n), int(total or 0)) for start, n, total in totals}
            by_severity: dict[date, dict[str, int]] = defaultdict(dict)
            for start, key, count in severities:
                by_severity[as_date(start)][key] = int(count or 0)
        points = [
            TrendPoint(
                start=start,
                reviews=by_bucket.get(start, (0, 0))[0],
                findings=by_bucket.get(start, (0, 0))[1],
                by_severity=dict(sorted(by_severity.get(start, {}).items())),
                duration_median_s=durations.get(start, (None, None))[0],
                duration_p90_s=durations.get(start, (None, None))[1],
            )
            for start in bucket_starts(since, until, bucket)
        ]
        return TrendsResult(repo=repo, bucket=bucket, since=since, until=until, points=points)

    async def _durations(
        self, conn: Any, column: Any, where: Sequence[Any]
    ) -> dict[date, tuple[float | None, float | None]]:
        """Median and p90 of duration_s per bucket: in the database on PostgreSQL; SQLite has no
        percentile function, so its durations are read in order and interpolated here alike."""
        duration = reviews.c.duration_s
        if self.engine.dialect.name == "postgresql":
            rows = await conn.execute(
                sa.select(
                    column,
                    sa.func.percentile_cont(0.5).within_group(duration),
                    sa.func.percentile_cont(0.9).within_group(duration),
                )
                .where(*where)
                .group_by(column)
            )
            return {as_date(start): (float(p50), float(p90)) for start, p50, p90 in rows}
        values: dict[date, list[float]] = defaultdict(list)
        result = await conn.stream(sa.select(column, duration).where(*where).order_by(column, duration))
        async for start, seconds in result:
            values[as_date(start)].append(float(seconds))
        return {start: (percentile(v, 0.5), percentile(v, 0.9)) for start, v in values.items()}


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """percentile_cont of ``ordered`` (ascending, not empty): linear between the closest ranks."""
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def as_date(value: date | str) -> date:
    """A bucket's date as the driver returns it (a date; SQLite's GROUP BY may hand back text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def bucket_starts(since: datetime, until: datetime, bucket: str) -> list[date]:
    """The first day of every bucket [since, until) touches."""
    first = since.date()
    last = (until - timedelta(microseconds=1)).date()
    step = timedelta(days=1)
    if bucket == "week":
        first -= timedelta(days=first.weekday())
        step = timedelta(weeks=1)
    starts = []
    while first <= last:
        starts.append(first)
        first += step
    return starts


def bounded_counts(values: Mapping[str, int]) -> dict[str, int]:
    """At most MAX_KEYS keys of at most MAX_KEY_CHARS characters: a review of a huge PR with
    thousands of distinct rules keeps its largest counts, the rest summed under OTHER."""
    merged: dict[str, int] = defaultdict(int)
    for key, count in values.items():
        if count > 0:
            merged[storable(key or "(none)")[:MAX_KEY_CHARS]] += count
    ranked = sorted(merged.items(), key=lambda item: (-item[1], item[0]))
    kept = dict(ranked[: MAX_KEYS - 1]) if len(ranked) > MAX_KEYS else dict(ranked)
    rest = sum(count for _key, count in ranked[len(kept) :])
    if rest:
        kept[OTHER] = kept.get(OTHER, 0) + rest
    return {key: min(count, MAX_COUNT) for key, count in kept.items()}


def storable(text: str) -> str:
    """``text`` as every database takes it: rule ids and names come from reviewed repositories
    (a semgrep rule file of theirs), and PostgreSQL refuses NUL and unpaired surrogates."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def make_engine(url: str) -> AsyncEngine:
    """An async engine with bounded waits: connecting, each statement, SQLite's lock waits."""
    if url.startswith("postgresql"):
        return create_async_engine(
            url,
            pool_size=5,
            max_overflow=5,
            pool_timeout=CONNECT_TIMEOUT,
            pool_pre_ping=True,
            # The server cancels a statement past the timeout (a lock wait, a slow trends query).
            connect_args={
                "timeout": CONNECT_TIMEOUT,
                "server_settings": {"statement_timeout": str(int(STATEMENT_TIMEOUT * 1000))},
            },
        )
    path = migrate.sqlite_path(url)
    if path is not None:
        migrate.make_private_dir(path.parent)
    engine = create_async_engine(url, connect_args={"timeout": STATEMENT_TIMEOUT})
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    _use_wal(cursor)  # readers (trends) do not wait for a writer
    # With WAL, NORMAL never corrupts the file; a power cut may lose the last few rows of history.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _use_wal(cursor: Any) -> None:
    """WAL mode, which the file keeps once set. Switching to it needs the file to itself and
    SQLite answers "database is locked" at once, without its busy timeout, when another
    connection (a second replica starting on the same file) is there: so retry, bounded."""
    cursor.execute("PRAGMA journal_mode")
    if str(cursor.fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + WAL_SWITCH_TIMEOUT
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.05)  # this hook runs in the driver's thread, not on the event loop


HISTORY = web.AppKey("history", HistoryStore)


async def history_ctx(app: web.Application) -> AsyncIterator[None]:
    """The app's HistoryStore (cleanup_ctx, after the context's): opened and migrated at startup,
    given to the BotContext (its workers record reviews), closed at the end. DATABASE_URL /
    HISTORY_DB (bot/config.py), else a SQLite file in the state dir; "off" opens none. A database
    that cannot be opened is logged and the app runs without history (reviews never wait on it).
    A store the caller put in app[HISTORY] is used as is and left to its owner to close."""
    from bot.web import CONTEXT, ROLE, SETTINGS

    store = app.get(HISTORY)
    owned = store is None
    raw = app[SETTINGS].database_url
    if store is None and (raw or "").strip().lower() != "off":
        store = await open_or_log(raw, app[SETTINGS].state_dir)
        if store is not None:
            app[HISTORY] = store
            if store.engine.dialect.name == "sqlite" and app[ROLE] != "all":
                log.warning(
                    "review history: SQLite is this replica's alone (role %s); set DATABASE_URL to a "
                    "PostgreSQL shared by receivers and workers so trends see every review",
                    app[ROLE],
                )
    if CONTEXT in app:
        app[CONTEXT].history = store
    try:
        yield
    finally:
        if owned and store is not None:
            await store.close()


async def open_or_log(raw: str | None, state_dir: str | None) -> HistoryStore | None:
    """The store for DATABASE_URL ``raw``, or None after logging why not (no password logged)."""
    try:
        url = migrate.database_url(raw, state_dir)
    except migrate.HistoryConfigError as exc:
        log.error("review history off: %s", exc)
        return None
    try:
        async with asyncio.timeout(OPEN_TIMEOUT):
            store = await HistoryStore.open(url)
    except Exception as exc:  # the database is down or refuses us: the bot still reviews
        log.error(
            "review history off: cannot open %s: %s", migrate.safe_url(url), migrate.safe_error(exc, url)
        )
        return None
    log.info("review history in %s", migrate.safe_url(url))
    return store
