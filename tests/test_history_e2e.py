"""PR reviews recorded in the history through the real worker path (GitHub double, real git and
analyzers), and a database that is down never failing a review."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.config import Settings
from bot.demo import BASE_FILES, HEAD_FILES
from bot.history import migrate
from bot.history.store import HISTORY, HistoryStore, make_engine
from bot.queue import InProcessQueue
from bot.web import CONTEXT, create_app
from tests.e2e import FAST_RETRY, INSTALLATION, NUMBER, OWNER, REPO, World, bot_settings
from tests.ghdouble import commit, make_repo
from tests.postgres_server import free_port, pg_url_fixture, postgres_server_fixture  # noqa: F401

PASSWORD = "s3cret-history-pw"
LEVELS = {"failure": "error", "warning": "warning", "notice": "note"}  # check run annotation -> severity


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    path = make_repo(tmp_path / "hello", BASE_FILES)
    commit(path, HEAD_FILES, branch="feature", message="introduce problems")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return migrate.database_url(str(tmp_path / "history.sqlite3"))
    return migrate.database_url(request.getfixturevalue("pg_url"))


def down_url() -> str:
    """A PostgreSQL URL where nothing listens: the database is down."""
    return f"postgresql://bot:{PASSWORD}@127.0.0.1:{free_port()}/history"


async def history_world(
    aiohttp_client, github, repo_path: Path, *, store: HistoryStore | None = None, **settings_changes
) -> World:
    """tests/e2e.py's world, with this test's history: ``store`` put in the app, or settings."""
    github.add_repo(OWNER, REPO, repo_path)
    github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    github.add_pull(OWNER, REPO, NUMBER, base="main", head="feature")
    queue = InProcessQueue()
    settings = replace(bot_settings(github.base_url), **settings_changes)
    app = create_app(settings, queue=queue, retry=FAST_RETRY)
    if store is not None:
        app[HISTORY] = store
    return World(github=github, bot=await aiohttp_client(app), queue=queue, repo_path=repo_path)


async def test_a_pr_review_leaves_one_history_row_with_its_counts(
    aiohttp_client, github_double, demo_repo, db_url
):
    store = await HistoryStore.open(db_url)
    try:
        world = await history_world(aiohttp_client, github_double, demo_repo, store=store)
        assert world.bot.app[CONTEXT].history is store
        payload = world.payload("opened")
        before = datetime.now(UTC)
        assert await world.deliver("pull_request", payload) == 202
        await world.settle()

        [run] = world.check_runs()
        assert run["status"] == "completed"
        async with store.engine.connect() as conn:
            [row] = (await conn.execute(sa.text("SELECT * FROM reviews"))).mappings().all()
            counts = (await conn.execute(sa.text("SELECT dimension, key, count FROM finding_counts"))).all()
        head_sha = github_double.pulls[OWNER.lower(), REPO.lower(), NUMBER].data["head"]["sha"]
        assert (row["kind"], row["repo"], row["number"], row["head_sha"]) == (
            "pr_review",
            f"{OWNER}/{REPO}",
            NUMBER,
            head_sha,
        )
        assert (row["actor"], row["org"]) == (payload["sender"]["login"], OWNER)
        assert row["conclusion"] == run["conclusion"] == "failure"
        assert row["findings_total"] == len(run["annotations"]) == 6
        assert (row["prompt_tokens"], row["completion_tokens"]) == (0, 0)  # no agents configured
        assert 0 < row["duration_s"] < 600
        by = {dim: {k: n for d, k, n in counts if d == dim} for dim in ("severity", "tool", "rule")}
        assert by["severity"] == dict(Counter(LEVELS[a["annotation_level"]] for a in run["annotations"]))
        assert sum(by["tool"].values()) == sum(by["rule"].values()) == 6
        assert {"ruff:F401", "ruff:E722", "ruff:F821", "bandit:B307"} <= set(by["rule"])
        assert by["tool"]["ruff"] == 3

        trends = await store.trends(f"{OWNER.lower()}/{REPO}", since=before - timedelta(minutes=1))
        [point] = [p for p in trends.points if p.reviews]
        assert (point.reviews, point.findings, point.by_severity) == (1, 6, by["severity"])
        assert point.duration_median_s == pytest.approx(row["duration_s"])
    finally:
        await store.close()


async def test_a_given_up_review_leaves_a_row_that_says_so(
    aiohttp_client, github_double, demo_repo, tmp_path
):
    store = await HistoryStore.open(migrate.database_url(str(tmp_path / "history.sqlite3")))
    try:
        world = await history_world(aiohttp_client, github_double, demo_repo, store=store, job_attempts=2)
        # A 404 will not change by retrying: the job is given up at once.
        world.github.fail_next("GET", r"/repos/.*/pulls/\d+/files$", 404, count=1)
        assert await world.deliver("pull_request", world.payload("opened")) == 202
        await world.settle()
        [run] = world.check_runs()
        assert run["conclusion"] == "failure" and world.reviews() == []
        async with store.engine.connect() as conn:
            [row] = (await conn.execute(sa.text("SELECT * FROM reviews"))).mappings().all()
        assert (row["kind"], row["number"], row["conclusion"]) == ("pr_review", NUMBER, run["conclusion"])
        assert row["findings_total"] == 0 and row["duration_s"] >= 0
    finally:
        await store.close()


async def test_a_database_that_is_down_does_not_fail_the_review(
    aiohttp_client, github_double, demo_repo, caplog
):
    store = HistoryStore(make_engine(migrate.database_url(down_url())))
    try:
        world = await history_world(aiohttp_client, github_double, demo_repo, store=store)
        with caplog.at_level(logging.WARNING):
            assert await world.deliver("pull_request", world.payload("opened")) == 202
            await world.settle()
        assert len(world.reviews()) == 1  # published once: not retried for the history
        [run] = world.check_runs()
        assert (run["status"], run["conclusion"], len(run["annotations"])) == ("completed", "failure", 6)
        assert "pr_review of Codertocat/Hello-World not recorded" in caplog.text
        assert "giving up" not in caplog.text and "retrying" not in caplog.text
        assert PASSWORD not in caplog.text
    finally:
        await store.close()


async def test_the_app_runs_without_history_when_its_database_cannot_be_opened(
    aiohttp_client, github_double, demo_repo, caplog
):
    with caplog.at_level(logging.ERROR):
        world = await history_world(aiohttp_client, github_double, demo_repo, database_url=down_url())
    assert HISTORY not in world.bot.app and world.bot.app[CONTEXT].history is None
    assert "review history off: cannot open postgresql+asyncpg://bot:***@127.0.0.1" in caplog.text
    assert PASSWORD not in caplog.text
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    assert len(world.reviews()) == 1


@pytest.mark.parametrize("role", ["all", "receiver", "worker"])
async def test_every_role_opens_the_history_from_its_settings(aiohttp_client, tmp_path: Path, role):
    settings = Settings(database_url=str(tmp_path / "h.sqlite3"), workers=1, reconcile_interval=0.0)
    client = await aiohttp_client(create_app(settings, queue=InProcessQueue(), role=role))
    store = client.app[HISTORY]
    assert client.app[CONTEXT].history is store
    assert str(store.engine.url) == f"sqlite+aiosqlite:///{tmp_path / 'h.sqlite3'}"
    await client.close()
    assert (tmp_path / "h.sqlite3").exists()


async def test_history_off_and_state_dir(aiohttp_client, tmp_path: Path):
    off = await aiohttp_client(create_app(Settings(database_url="off", workers=0), queue=InProcessQueue()))
    assert HISTORY not in off.app and off.app[CONTEXT].history is None
    settings = Settings(state_dir=str(tmp_path / "state"), workers=0)
    client = await aiohttp_client(create_app(settings, queue=InProcessQueue()))
    assert client.app[HISTORY].engine.url.database == str(tmp_path / "state" / "history.sqlite3")


def test_settings_read_database_url_history_db_and_state_dir():
    env = {"DATABASE_URL": f"postgres://bot:{PASSWORD}@db/h", "HISTORY_DB": "/x.db", "STATE_DIR": "/srv"}
    settings = Settings.from_env(env)
    assert (settings.database_url, settings.state_dir) == (env["DATABASE_URL"], "/srv")
    assert PASSWORD not in repr(settings)
    assert Settings.from_env({"HISTORY_DB": "/x.db"}).database_url == "/x.db"
