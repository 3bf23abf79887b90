"""A flood of distinct keys (installations, PRs, heads) leaves bounded state behind, and the per-PR
state lock is never handed to a second holder while the first still holds it."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.context import build_context
from bot.github.auth import InstallationTokens
from bot.github.client import GitHubClient, MutationThrottle, RetryPolicy
from bot.keyed_locks import KeyedLocks
from bot.queue import MAX_PENDING, InProcessQueue, QueueFull, ReviewJob
from tests.e2e import World, bot_settings, until
from tests.ghdouble.keys import app_key_pair
from tests.scripted_github import FakeClock, Reply, SleepRecorder

KEYS = 10_000
JOB = ReviewJob(
    installation_id=7,
    owner="Octo",
    repo="Hello",
    pr_number=1,
    head_sha="a" * 40,
    base_sha="b" * 40,
    base_ref="main",
    clone_url="https://github.com/Octo/Hello.git",
    delivery_id="d0",
)


async def test_the_throttle_forgets_idle_installations_and_caps_busy_ones():
    clock = FakeClock(1000.0)
    throttle = MutationThrottle(interval=1.0, clock=clock, sleep=SleepRecorder(), max_keys=512)
    for key in range(KEYS):  # all at once: every slot is still reserved
        await throttle.wait(key)
        assert len(throttle) <= 512
    clock.advance(2.0)
    for key in range(KEYS, 2 * KEYS):  # one new installation every 10 ms: only the last second is kept
        await throttle.wait(key)
        clock.advance(0.01)
    assert len(throttle) <= 101


async def test_spacing_survives_the_flood_for_a_busy_installation():
    clock, sleeps = FakeClock(0.0), SleepRecorder()
    throttle = MutationThrottle(interval=1.0, clock=clock, sleep=sleeps, max_keys=512)
    await throttle.wait("busy")
    for key in range(100):
        await throttle.wait(key)
    await throttle.wait("busy")
    assert sleeps.calls == [1.0]  # the busy installation still waited its turn


async def test_installation_token_locks_live_only_while_a_fetch_runs(session, github):
    """Token locks against a real HTTP server: many installations at once, none left afterwards."""
    count = 300

    def token_reply(request) -> Reply:
        return Reply(201, {"token": "ghs_x", "expires_at": "2099-01-01T00:00:00Z"}, delay=0.01)

    for installation in range(count):
        github.on("POST", f"/app/installations/{installation}/access_tokens", token_reply)
    retry = RetryPolicy(attempts=2, initial=0.01, max_backoff=0.02, max_wait=1.0, request_timeout=10.0)
    client = GitHubClient(session, base_url=github.base_url, retry=retry, sleep=SleepRecorder())
    tokens = InstallationTokens(client, 1, app_key_pair().private_pem)
    fetches = [asyncio.create_task(tokens.get(i)) for i in range(count)]
    await until(lambda: len(tokens._locks) > 0, timeout=30)
    assert len(tokens._locks) <= count  # bounded by what is in flight ...
    assert await asyncio.gather(*fetches) == ["ghs_x"] * count
    assert len(tokens._locks) == 0  # ... and nothing once it is done


async def test_keyed_locks_hold_nothing_for_10000_keys_once_released():
    locks = KeyedLocks()
    for key in range(KEYS):
        async with locks.hold(("o", "r", key)):
            assert len(locks) == 1
    assert len(locks) == 0


async def test_a_held_pr_state_lock_is_never_evicted_under_churn(session):
    """Two updates of one PR's state never run at once, however many other PRs come and go."""
    ctx = build_context(bot_settings("http://127.0.0.1:9"), session, InProcessQueue())
    pr = ("octo", "hello", 1)
    inside: list[int] = []
    overlaps = 0

    async def update(name: int) -> None:
        nonlocal overlaps
        async with ctx.state_locks.hold(pr):
            inside.append(name)
            overlaps += len(inside) > 1
            await churn_done.wait()  # held across the whole flood of other PRs
            inside.remove(name)

    async def churn() -> None:
        for number in range(2, KEYS + 2):
            async with ctx.state_locks.hold(("octo", "hello", number)):
                await asyncio.sleep(0)
        churn_done.set()

    churn_done = asyncio.Event()
    await asyncio.wait_for(asyncio.gather(update(1), update(2), churn()), timeout=60)
    assert overlaps == 0
    assert len(ctx.state_locks) == 0


async def test_a_waiter_keeps_the_lock_alive_and_cancellation_cleans_up():
    locks = KeyedLocks()
    key = ("o", "r", 1)
    entered = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with locks.hold(key):
            entered.set()
            await release.wait()

    first = asyncio.create_task(holder())
    await entered.wait()
    waiter = asyncio.create_task(holder())
    await asyncio.sleep(0)
    waiter.cancel()  # a waiter that gives up leaves the holder's entry alone
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert locks.locked(key) and len(locks) == 1
    release.set()
    await first
    assert len(locks) == 0


def job(number: int, head: str = "a") -> ReviewJob:
    return replace(JOB, pr_number=number, head_sha=head * 40, delivery_id=f"d{number}{head}")


async def test_the_queue_refuses_past_its_cap_and_takes_the_same_delivery_later():
    queue = InProcessQueue(max_pending=100)
    for number in range(100):
        assert await queue.enqueue(job(number))
    with pytest.raises(QueueFull):
        await queue.enqueue(job(100))
    assert queue.pending_count() == 100
    assert await queue.enqueue(job(5, head="c"))  # a newer head of a waiting PR replaces it: no growth
    assert queue.pending_count() == 100
    await asyncio.wait_for(queue.get(), 5)
    assert await queue.enqueue(job(100))  # refused before, so not remembered: accepted once there is room


async def test_a_flood_of_distinct_prs_stays_under_the_default_cap():
    queue = InProcessQueue(max_pending=MAX_PENDING)
    refused = 0
    for number in range(MAX_PENDING + 500):
        try:
            await queue.enqueue(job(number))
        except QueueFull:
            refused += 1
    assert queue.pending_count() == MAX_PENDING and refused == 500


async def test_a_full_queue_answers_503_so_github_can_redeliver(aiohttp_client, github_double, tmp_path):
    from bot.web import create_app
    from tests.e2e import FAST_RETRY, INSTALLATION, NUMBER, OWNER, REPO
    from tests.ghdouble import make_repo

    path = make_repo(tmp_path / "repo", {"a.py": "x = 1\n"})
    github_double.add_repo(OWNER, REPO, path)
    github_double.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    github_double.add_pull(OWNER, REPO, NUMBER, base="main", head="main")
    queue = InProcessQueue(max_pending=0)
    app = create_app(bot_settings(github_double.base_url), queue=queue, retry=FAST_RETRY)
    world = World(github=github_double, bot=await aiohttp_client(app), queue=queue, repo_path=path)
    payload = world.payload("opened")
    assert await world.deliver("pull_request", payload, delivery="flooded-1") == 503
    assert queue.pending_count() == 0
    queue.max_pending = 10
    assert await world.deliver("pull_request", payload, delivery="flooded-1") == 202  # the redelivery
    await world.settle()
