"""The PR state has one owner and one lock: a command landing while a review publishes is kept.

A review publishes its summary (re-reading the latest state and writing the summary with what
it learned) while a `/pause` may arrive. Both rewrite the same summary comment; without one
lock per PR around each read-modify-write, the review's PATCH, computed from a state read before
the pause, silently writes the pause over. The strict GitHub double holds the review's PATCH of
the summary (unserved) until the pause has either written its own PATCH (the race: the review's
PATCH lands after it and loses it) or is seen waiting on the PR's lock (the fix): no sleeps.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.demo import BASE_FILES, HEAD_FILES
from bot.github.pr_state import IgnoredRule, PRState, pr_scope
from bot.web import CONTEXT
from tests.e2e import INSTALLATION, NUMBER, OWNER, REPO, World, make_world, until
from tests.ghdouble import commit, make_repo
from tests.test_commands import issue_comment, summary

WRITER = "alice"
SUMMARY_PATCH = r"/repos/[^/]+/[^/]+/issues/comments/\d+$"


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    path = make_repo(tmp_path / "hello", BASE_FILES)
    commit(path, HEAD_FILES, branch="feature", message="introduce problems")
    return path


@pytest.fixture
async def world(aiohttp_client, github_double, demo_repo) -> World:
    world = await make_world(aiohttp_client, github_double, demo_repo)
    github_double.permissions[OWNER, REPO, WRITER] = "write"
    return world


def state_of(world: World) -> PRState:
    ctx = world.bot.app[CONTEXT]
    return PRState.from_body(summary(world), ctx.state_key, pr_scope(OWNER, REPO, NUMBER))


def summary_patches(world: World, since: int) -> int:
    """Edits of a conversation comment (the summary) GitHub has answered since request ``since``."""
    edits = [(m, p, s) for m, p, s in world.github.requests[since:] if "/issues/comments/" in p]
    return sum(1 for method, _, status in edits if method == "PATCH" and status == 200)


async def test_a_pause_landing_while_a_review_publishes_is_kept(world: World):
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    assert not state_of(world).paused  # the first review wrote the summary

    commit(world.repo_path, {"README.md": "pushed\n"}, branch="feature", message="push")
    head = world.github.update_pull(OWNER, REPO, NUMBER)["head"]["sha"]
    hold = world.github.hold_next("PATCH", SUMMARY_PATCH)  # the review's write of the summary
    try:
        assert await world.deliver("pull_request", world.payload("synchronize")) == 202
        await asyncio.wait_for(hold.arrived.wait(), 120)  # the review read the latest state: about to write
        since = len(world.github.requests)
        ctx = world.bot.app[CONTEXT]
        key = (OWNER.lower(), REPO.lower(), NUMBER)
        assert await world.deliver("issue_comment", issue_comment(world, "/pause", WRITER)) == 202
        # Either the pause wrote the summary while the review's write was still in flight (the
        # race), or it waits for the PR's lock, which the publishing review holds.
        await until(lambda: summary_patches(world, since) > 0 or ctx.state_locks.waiters(key) > 0)
    finally:
        hold.release()
    await world.settle()

    state = state_of(world)
    assert state.paused and state.paused_by == WRITER  # the pause survived the review's write
    assert state.last_reviewed_head == head  # and the review's own part is in too
    assert "Automatic reviews on push are paused by alice" in summary(world)


async def test_concurrent_changes_of_one_prs_state_all_land_in_one_summary(world: World):
    ctx = world.bot.app[CONTEXT]
    pr = await ctx.pull_request(INSTALLATION, OWNER, REPO, NUMBER)
    rules = [f"R{i}" for i in range(6)]

    async def ignore(rule: str) -> None:
        async with pr.state() as edit:
            edit.state.ignored[rule] = IgnoredRule(WRITER)

    await asyncio.wait_for(asyncio.gather(*(ignore(rule) for rule in rules)), 120)
    assert len(world.summaries()) == 1  # the first posted it; the others edited it, each in turn
    assert list(state_of(world).ignored) == rules
    assert len(ctx.state_locks) == 0  # nobody holds or waits: the entry is gone


async def test_a_change_that_fails_writes_nothing_and_frees_the_lock(world: World):
    ctx = world.bot.app[CONTEXT]
    pr = await ctx.pull_request(INSTALLATION, OWNER, REPO, NUMBER)
    with pytest.raises(RuntimeError):
        async with pr.state() as edit:
            edit.state.paused = True
            raise RuntimeError("the command failed half way")
    assert world.summaries() == [] and not ctx.state_locks.locked(pr.key)
    async with pr.state() as edit:
        edit.drop()  # dropped: nothing written either
    assert world.summaries() == []
