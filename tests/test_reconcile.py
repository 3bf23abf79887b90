"""The reconcile pass (bot/reconcile.py) against the strict GitHub double: a PR whose webhook never
arrived is reviewed after the bot starts; heads with our completed check run, drafts and bots' PRs
are left alone; ``reconcile_interval: 0`` runs no pass; with Redis one pass runs at a time."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.config import Settings
from bot.context import BotContext
from bot.queue import InProcessQueue, Priority
from bot.reconcile import LOCK_NAME, guarded_pass, reconcile_once
from bot.redis_client import connect
from bot.text.render import CHECK_RUN_NAME
from bot.web import CONTEXT, RECONCILE, create_app
from tests.e2e import FAST_RETRY, INSTALLATION, OWNER, REPO, bot_settings, until
from tests.ghdouble import GitHubDouble, commit, make_repo
from tests.ghdouble.state import next_id

READY, DRAFT, BOTS = 2, 3, 4
LISTINGS = ("/app/installations", "/installation/repositories", f"/repos/{OWNER}/{REPO}/pulls")


@pytest.fixture
def repo_path(tmp_path: Path) -> Path:
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n"})
    commit(path, {"app.py": "import os\n"}, branch="feature")
    commit(path, {"wip.py": "x = 1\n"}, branch="draft-work")
    commit(path, {"deps.txt": "aiohttp==3.9\n"}, branch="bump")
    return path


def add_world(github: GitHubDouble, repo_path: Path) -> None:
    """One installation, one repository, three open PRs whose webhooks were all lost."""
    github.add_repo(OWNER, REPO, repo_path)
    github.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    github.add_pull(OWNER, REPO, READY, head="feature")
    github.add_pull(OWNER, REPO, DRAFT, head="draft-work", draft=True)
    github.add_pull(OWNER, REPO, BOTS, head="bump", user_login="dependabot[bot]")


def head_of(github: GitHubDouble, number: int) -> str:
    return str(github.pulls[OWNER.lower(), REPO.lower(), number].head_sha)


def runs_on(github: GitHubDouble, number: int) -> list[dict[str, Any]]:
    sha = head_of(github, number)
    return [r for r in github.check_runs.get((OWNER, REPO), []) if r["head_sha"] == sha]


def add_check_run(github: GitHubDouble, number: int, *, status: str, app_id: int) -> None:
    """A check run on the PR's head as GitHub keeps it (what a past review, or another App, left)."""
    run = github.spec.example("check-run")
    run.update(
        id=next_id(),
        head_sha=head_of(github, number),
        name=CHECK_RUN_NAME,
        status=status,
        conclusion="success" if status == "completed" else None,
        annotations=[],
    )
    run["app"] = {**run["app"], "id": app_id}
    github.check_runs.setdefault((OWNER, REPO), []).append(run)


async def start(aiohttp_client, github: GitHubDouble, queue: InProcessQueue, **changes: Any) -> TestClient:
    settings: Settings = replace(bot_settings(github.base_url), **changes)
    return await aiohttp_client(create_app(settings, queue=queue, retry=FAST_RETRY))


def listings_ok(github: GitHubDouble) -> None:
    """Every listing the pass asked for exists in the OpenAPI subset and was answered (no 404/422)."""
    asked = [(path, status) for _m, path, status in github.requests if path.endswith(LISTINGS)]
    assert {next(p for p in LISTINGS if path.endswith(p)) for path, _ in asked} == set(LISTINGS)
    assert all(status == 200 for _, status in asked), asked


async def test_a_pr_whose_webhook_never_arrived_is_reviewed_after_start(
    aiohttp_client, github_double, repo_path
):
    add_world(github_double, repo_path)
    queue = InProcessQueue()
    bot = await start(aiohttp_client, github_double, queue, reconcile_interval=3600.0)
    ctx = bot.app[CONTEXT]

    def reviewed() -> bool:
        return any(r["status"] == "completed" for r in runs_on(github_double, READY))

    await until(reviewed, timeout=120)
    await until(lambda: queue.idle() and queue.pending_count() == 0, timeout=120)
    comments = github_double.issue_comments.get((OWNER, REPO, READY), [])
    summaries = [c for c in comments if "review-bot:summary" in c["body"]]
    assert len(summaries) == 1
    assert runs_on(github_double, DRAFT) == [] and runs_on(github_double, BOTS) == []
    listings_ok(github_double)
    assert not bot.app[RECONCILE].done()  # waiting for the next interval
    assert ctx.background_idle()  # the loop is not webhook work: World.settle() still returns


async def test_a_head_with_our_completed_check_run_is_not_queued(aiohttp_client, github_double, repo_path):
    add_world(github_double, repo_path)
    add_check_run(github_double, READY, status="completed", app_id=github_double.app_id)
    queue = InProcessQueue()
    bot = await start(aiohttp_client, github_double, queue, reconcile_interval=0.0, workers=0)
    result = await reconcile_once(bot.app[CONTEXT])
    assert (result.repos, result.pulls, result.queued) == (1, 3, 0)
    assert queue.pending_count() == 0
    ours = f"/commits/{head_of(github_double, READY)}/check-runs"
    checked = [status for _m, path, status in github_double.requests if path.endswith(ours)]
    assert checked and all(status == 200 for status in checked)


@pytest.mark.parametrize(
    ("status", "app_id"),
    [("in_progress", None), ("completed", 999)],
    ids=["ours-left-in-progress-by-a-crash", "another-apps-completed-run"],
)
async def test_a_head_without_our_completed_check_run_is_queued_at_low_priority(
    aiohttp_client, github_double, repo_path, status, app_id
):
    add_world(github_double, repo_path)
    add_check_run(github_double, READY, status=status, app_id=app_id or github_double.app_id)
    queue = InProcessQueue()
    bot = await start(aiohttp_client, github_double, queue, reconcile_interval=0.0, workers=0)
    result = await reconcile_once(bot.app[CONTEXT])
    assert result.queued == 1
    job = await asyncio.wait_for(queue.get(), timeout=10)
    assert (job.pr_number, job.head_sha, job.priority, job.lane) == (
        READY,
        head_of(github_double, READY),
        Priority.LOW,
        "low",
    )
    assert job.installation_id == INSTALLATION and job.clone_url == github_double.git_url(OWNER, REPO)


async def test_a_draft_is_not_queued_by_default(aiohttp_client, github_double, repo_path):
    add_world(github_double, repo_path)
    queue = InProcessQueue()
    bot = await start(aiohttp_client, github_double, queue, reconcile_interval=0.0, workers=0)
    await reconcile_once(bot.app[CONTEXT])
    waiting = queue.pending_count()
    queued = {(await asyncio.wait_for(queue.get(), timeout=10)).pr_number for _ in range(waiting)}
    assert queued == {READY}  # not the draft, nor dependabot's PR


async def test_review_drafts_lets_reconcile_queue_a_draft(aiohttp_client, github_double, repo_path):
    add_world(github_double, repo_path)
    queue = InProcessQueue()
    settings = bot_settings(github_double.base_url, review_drafts=True)
    app = create_app(replace(settings, reconcile_interval=0.0, workers=0), queue=queue, retry=FAST_RETRY)
    bot = await aiohttp_client(app)
    result = await reconcile_once(bot.app[CONTEXT])
    assert result.queued == 2
    queued = {(await asyncio.wait_for(queue.get(), timeout=10)).pr_number for _ in range(2)}
    assert queued == {READY, DRAFT}


async def test_reconcile_interval_zero_runs_no_pass(aiohttp_client, github_double, repo_path):
    add_world(github_double, repo_path)
    queue = InProcessQueue()
    bot = await start(aiohttp_client, github_double, queue, reconcile_interval=0.0)
    assert RECONCILE not in bot.app
    health = await bot.get("/ready")
    assert health.status == 200  # started, workers running
    assert not [p for _m, p, _s in github_double.requests if p.endswith(LISTINGS)]
    assert queue.pending_count() == 0 and runs_on(github_double, READY) == []


async def test_with_redis_one_pass_runs_at_a_time(aiohttp_client, github_double, repo_path, redis_server):
    add_world(github_double, repo_path)
    queue = InProcessQueue()
    bot = await start(aiohttp_client, github_double, queue, reconcile_interval=0.0, workers=0)
    ctx: BotContext = bot.app[CONTEXT]
    redis = connect(redis_server.url)
    try:
        ctx.redis = redis  # as build_context sets it with REDIS_URL; only the lock is used here
        held = redis.lock(LOCK_NAME, timeout=60)
        assert await held.acquire()
        assert await guarded_pass(ctx) is None  # another replica's pass is running: skipped
        assert not [p for _m, p, _s in github_double.requests if p.endswith(LISTINGS)]
        await held.release()
        result = await guarded_pass(ctx)
        assert result is not None and result.queued == 1
        assert await redis.get(LOCK_NAME) is None  # released after the pass
    finally:
        ctx.redis = None
        await redis.aclose()


async def test_a_pass_is_bounded_by_its_settings(aiohttp_client, github_double, repo_path):
    add_world(github_double, repo_path)
    queue = InProcessQueue()
    bot = await start(
        aiohttp_client, github_double, queue, reconcile_interval=0.0, workers=0, reconcile_max_pulls=2
    )
    result = await reconcile_once(bot.app[CONTEXT])
    # The two most recent (#4, dependabot's, and #3, a draft) fill the pass; #2 waits for the next.
    assert (result.repos, result.pulls, result.queued) == (1, 2, 0)
    assert queue.pending_count() == 0


def test_the_service_yaml_sets_the_interval(tmp_path):
    config = tmp_path / "review-bot.yaml"
    config.write_text("server:\n  reconcile_interval: 0\n  reconcile_max_repos: 50\n")
    settings = Settings().with_yaml(config)
    assert (settings.reconcile_interval, settings.reconcile_max_repos) == (0.0, 50)
    assert Settings().reconcile_interval == 3600.0
