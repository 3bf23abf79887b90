"""The review history's store on SQLite and on a real PostgreSQL: migrations, records, trends."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.history import migrate
from bot.history.models import ReviewRecord
from bot.history.store import MAX_KEYS, OTHER, HistoryStore, TrendsRangeError, make_engine
from tests.postgres_server import PostgresServer, pg_url_fixture, postgres_server_fixture  # noqa: F401

MONDAY = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind, as the async URL the store opens."""
    if request.param == "sqlite":
        return migrate.database_url(str(tmp_path / "state" / "history.sqlite3"))
    return migrate.database_url(request.getfixturevalue("pg_url"))


@pytest.fixture
async def store(db_url: str):
    store = await HistoryStore.open(db_url)
    yield store
    await store.close()


def review(finished: datetime, duration: float, repo: str = "Octo/Repo", **severity: int) -> ReviewRecord:
    total = sum(severity.values())
    return ReviewRecord(
        kind="pr_review",
        repo=repo,
        number=7,
        head_sha="a" * 40,
        actor="mona",
        org="Octo",
        started_at=finished - timedelta(seconds=duration),
        finished_at=finished,
        duration_s=duration,
        conclusion="failure" if severity.get("error") else "success",
        findings_total=total,
        by_severity=severity,
        by_tool={"ruff": total} if total else {},
        by_rule={"ruff:F401": total} if total else {},
    )


async def tables_and_versions(store: HistoryStore) -> tuple[set[str], list[str]]:
    async with store.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: set(sa.inspect(sync).get_table_names()))
        versions = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).scalars().all()
    return tables, list(versions)


async def test_migrations_run_from_an_empty_database_and_again_change_nothing(db_url: str):
    first = await HistoryStore.open(db_url)
    try:
        assert await tables_and_versions(first) == (
            {"alembic_version", "reviews", "finding_counts"},
            ["0001"],
        )
        async with first.engine.connect() as conn:
            indexes = await conn.run_sync(lambda sync: sa.inspect(sync).get_indexes("reviews"))
        assert {"name": "ix_reviews_repo_finished", "columns": ["repo_key", "finished_at"]}.items() <= {
            "name": indexes[0]["name"],
            "columns": indexes[0]["column_names"],
        }.items()
        await first.record(review(MONDAY, 1.0))
    finally:
        await first.close()
    second = await HistoryStore.open(db_url)  # a restart: head already, the row still there
    try:
        assert (await tables_and_versions(second))[1] == ["0001"]
        assert (await second.trends("octo/repo", since=MONDAY, until=MONDAY + timedelta(days=1))).points[
            0
        ].reviews == 1
    finally:
        await second.close()


async def test_trends_by_day_and_week_with_exact_numbers(store: HistoryStore):
    records = [
        review(MONDAY + timedelta(hours=10), 10.0, error=2, warning=1),
        review(MONDAY + timedelta(hours=23, minutes=59, seconds=59), 20.0, error=1),
        review(MONDAY + timedelta(days=1), 30.0, note=4),  # midnight: Tuesday's
        # 01:30 on Wednesday at UTC+2 is 23:30 on Tuesday in UTC
        review(datetime(2026, 11, 4, 1, 30, tzinfo=timezone(timedelta(hours=2))), 60.0, error=1),
        review(MONDAY + timedelta(days=3), 5.0),  # Thursday 00:00: outside a window ending there
        review(MONDAY + timedelta(days=6, hours=12), 40.0, warning=2),  # Sunday: still the first week
        review(MONDAY + timedelta(days=7), 50.0),  # the next Monday
        review(MONDAY + timedelta(hours=12), 99.0, repo="other/repo", error=9),  # another repository
    ]
    for record in records:
        await store.record(record)

    days = await store.trends("OCTO/repo", since=MONDAY, until=MONDAY + timedelta(days=3))
    assert [(p.start, p.reviews, p.findings, p.by_severity) for p in days.points] == [
        (date(2026, 11, 2), 2, 4, {"error": 3, "warning": 1}),
        (date(2026, 11, 3), 2, 5, {"error": 1, "note": 4}),
        (date(2026, 11, 4), 0, 0, {}),
    ]
    assert [(p.duration_median_s, p.duration_p90_s) for p in days.points] == [
        (pytest.approx(15.0), pytest.approx(19.0)),
        (pytest.approx(45.0), pytest.approx(57.0)),
        (None, None),
    ]

    weeks = await store.trends("octo/repo", since=MONDAY, until=MONDAY + timedelta(days=14), bucket="week")
    assert [(p.start, p.reviews, p.findings, p.by_severity) for p in weeks.points] == [
        (date(2026, 11, 2), 6, 11, {"error": 4, "note": 4, "warning": 3}),
        (date(2026, 11, 9), 1, 0, {}),
    ]
    # durations 5, 10, 20, 30, 40, 60: median between 20 and 30; p90 at rank 4.5, between 40 and 60
    assert (weeks.points[0].duration_median_s, weeks.points[0].duration_p90_s) == (
        pytest.approx(25.0),
        pytest.approx(50.0),
    )
    assert (weeks.points[1].duration_median_s, weeks.points[1].duration_p90_s) == (50.0, 50.0)

    # A naive window is UTC; a window starting mid-week still buckets from that week's Monday.
    naive = await store.trends(
        "octo/repo", since=datetime(2026, 11, 3, 12), until=datetime(2026, 11, 5), bucket="week"
    )
    assert [(p.start, p.reviews) for p in naive.points] == [(date(2026, 11, 2), 1)]  # the 60 s one
    assert (await store.trends("nobody/else", since=MONDAY, until=MONDAY + timedelta(days=1))).points[
        0
    ].reviews == 0


async def test_default_window_and_refused_windows(store: HistoryStore):
    now = datetime.now(UTC)
    await store.record(review(now - timedelta(days=2), 3.0, warning=1))
    result = await store.trends("octo/repo")
    assert len(result.points) in (30, 31)  # the last 30 days, the partial first day included
    assert sum(p.reviews for p in result.points) == 1
    assert result.until - result.since == timedelta(days=30)
    with pytest.raises(TrendsRangeError, match="before"):
        await store.trends("octo/repo", since=now, until=now)
    with pytest.raises(TrendsRangeError, match="at most"):
        await store.trends("octo/repo", since=now - timedelta(days=800), until=now)
    with pytest.raises(TrendsRangeError, match="day or week"):
        await store.trends("octo/repo", bucket="month")  # type: ignore[arg-type]


async def test_a_review_with_thousands_of_rules_stores_a_bounded_number_of_rows(store: HistoryStore):
    by_rule = {f"semgrep:rule-{i}": 1 for i in range(5000)} | {"ruff:F401": 50, "x" * 5000: 2}
    record = review(MONDAY, 1.0, warning=5052).model_copy(update={"by_rule": by_rule})
    await store.record(record)
    async with store.engine.connect() as conn:
        rows = dict(
            (
                await conn.execute(sa.text("SELECT key, count FROM finding_counts WHERE dimension = 'rule'"))
            ).all()
        )
    assert len(rows) == MAX_KEYS
    assert rows["ruff:F401"] == 50 and rows["x" * 300] == 2  # the largest kept, keys cut short
    assert sum(rows.values()) == 5052 and rows[OTHER] == 5052 - 50 - 2 - (MAX_KEYS - 3)


async def test_two_sqlite_stores_opening_at_once_both_migrate_safely(tmp_path: Path):
    url = migrate.database_url(str(tmp_path / "h.sqlite3"))
    stores = await asyncio.gather(HistoryStore.open(url), HistoryStore.open(url))
    try:
        assert (await tables_and_versions(stores[0]))[1] == ["0001"]
        await asyncio.gather(*(s.record(review(MONDAY, 1.0)) for s in stores))
        assert (await stores[1].trends("octo/repo", since=MONDAY, until=MONDAY + timedelta(days=1))).points[
            0
        ].reviews == 2
    finally:
        for s in stores:
            await s.close()


async def test_postgres_replicas_migrate_one_at_a_time_under_the_advisory_lock(pg_url: str):
    url = migrate.database_url(pg_url)
    # Another replica holds the migration lock: a starting store waits for it, DDL untouched.
    holder = HistoryStore(make_engine(url))
    async with holder.engine.connect() as conn:
        await conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": migrate.ADVISORY_KEY})
        await conn.commit()
        waiting = [asyncio.create_task(HistoryStore.open(url)) for _ in range(3)]
        await poll_until(lambda: lock_waiters(conn), lambda n: n == 3)
        assert not any(task.done() for task in waiting)
        tables = await conn.run_sync(lambda sync: set(sa.inspect(sync).get_table_names()))
        assert tables == set()
        await conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": migrate.ADVISORY_KEY})
        await conn.commit()
    stores = await asyncio.gather(*waiting)
    try:
        for s in stores:
            assert await tables_and_versions(s) == (
                {"alembic_version", "reviews", "finding_counts"},
                ["0001"],
            )
        async with stores[0].engine.connect() as conn:  # the migrating connection, back in the pool
            assert (await conn.execute(sa.text("SHOW statement_timeout"))).scalar_one() == "30s"
        # and all at once, with none holding the lock beforehand: every one succeeds
        more = await asyncio.gather(*(HistoryStore.open(url) for _ in range(4)))
        for s in more:
            await s.close()
    finally:
        for s in stores:
            await s.close()
        await holder.close()


async def lock_waiters(conn) -> int:
    result = await conn.execute(
        sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    )
    return int(result.scalar_one())


async def poll_until(probe, accept, timeout: float = 30.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not accept(value := await probe()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still {value!r} after {timeout:g} s")
        await asyncio.sleep(0.02)
    return value


def test_database_urls():
    assert migrate.database_url("postgres://u:p@h:5432/db") == "postgresql+asyncpg://u:p@h:5432/db"
    assert migrate.database_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert migrate.database_url("sqlite:////var/lib/h.db") == "sqlite+aiosqlite:////var/lib/h.db"
    assert migrate.database_url("/var/lib/h.db") == "sqlite+aiosqlite:////var/lib/h.db"
    assert migrate.database_url(None, "/srv/state") == "sqlite+aiosqlite:////srv/state/history.sqlite3"
    assert migrate.database_url(None).endswith("/history.sqlite3")
    with pytest.raises(migrate.HistoryConfigError, match="unsupported scheme 'mysql'") as caught:
        migrate.database_url("mysql://root:hunter2@db/x")
    assert "hunter2" not in str(caught.value)
    assert "hunter2" not in migrate.safe_url("postgresql+asyncpg://root:hunter2@db/x")


def test_postgres_server_urls_use_the_unix_socket_dir_it_owns(postgres_server: PostgresServer):
    assert postgres_server.socket_dir.is_dir()
    assert postgres_server.url("x").startswith("postgresql://postgres@127.0.0.1:")


async def test_the_default_temp_dir_must_be_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    shared = migrate.temp_state_dir()
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)  # as another user could have left it, for us to write our history into
    with pytest.raises(migrate.HistoryConfigError, match="not a private directory"):
        await HistoryStore.open(migrate.database_url(None))
    shared.chmod(0o700)
    store = await HistoryStore.open(migrate.database_url(None))
    await store.close()
    assert (shared / migrate.DB_FILE).exists()


async def test_a_database_that_hangs_costs_a_review_at_most_the_record_timeout(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    from bot.history import recording

    store = await HistoryStore.open(migrate.database_url(pg_url))
    blocker = make_engine(migrate.database_url(pg_url))
    monkeypatch.setattr(recording, "RECORD_TIMEOUT", 0.5)
    try:
        async with blocker.connect() as conn:
            await conn.execute(sa.text("LOCK TABLE reviews IN ACCESS EXCLUSIVE MODE"))  # every insert waits
            assert await recording.record_safely(store, review(MONDAY, 1.0)) is False
            await conn.rollback()
        assert "pr_review of Octo/Repo not recorded (TimeoutError)" in caplog.text
        assert await recording.record_safely(store, review(MONDAY, 2.0)) is True  # the pool recovered
        points = (await store.trends("octo/repo", since=MONDAY, until=MONDAY + timedelta(days=1))).points
        assert [(p.reviews, p.duration_median_s) for p in points] == [(1, 2.0)]
    finally:
        await blocker.dispose()
        await store.close()


OPEN_AND_CLOSE = """
import asyncio, sys
from bot.history.store import HistoryStore

async def main():
    store = await HistoryStore.open(sys.argv[1])
    await store.close()

asyncio.run(main())
"""


async def test_two_processes_starting_together_on_postgres_both_migrate(pg_url: str):
    url = migrate.database_url(pg_url)
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            OPEN_AND_CLOSE,
            url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    results = [await asyncio.wait_for(p.communicate(), 120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], [err.decode()[-2000:] for _out, err in results]
    store = HistoryStore(make_engine(url))
    try:
        assert await tables_and_versions(store) == (
            {"alembic_version", "reviews", "finding_counts"},
            ["0001"],
        )
    finally:
        await store.close()


async def test_names_from_a_hostile_repository_are_stored_as_text_the_database_takes(store: HistoryStore):
    record = review(MONDAY, 1.0, warning=2).model_copy(
        update={"by_rule": {"semgrep:evil\x00rule": 1, "semgrep:\ud800lone": 1}, "actor": "mo\x00na"}
    )
    await store.record(record)
    async with store.engine.connect() as conn:
        keys = (
            await conn.execute(sa.text("SELECT key FROM finding_counts WHERE dimension = 'rule'"))
        ).scalars()
        actor = (await conn.execute(sa.text("SELECT actor FROM reviews"))).scalar_one()
    assert sorted(keys) == ["semgrep:?lone", "semgrep:evilrule"] and actor == "mona"
