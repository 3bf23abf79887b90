"""The per-installation concurrency limit: one busy organisation cannot take every worker.

At most ``per_installation`` reviews of one installation run at once, in one process (the
in-process queue) and across worker processes sharing Redis (N redis-py lock slots); a job over
the limit waits (not dropped, not lost) while other installations' jobs run. End to end against
the GitHub double: six PRs of installation 1 and one of installation 2, limit 1, two workers ->
installation 2's review is done before installation 1's backlog, one review per head."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.config import ConfigError, Settings
from bot.queue import LANES, InProcessQueue, Priority, ReviewJob
from bot.queue.installation_slots import pause_after
from bot.queue.redis import RedisReviewQueue
from bot.redis_client import cancel_for_sure
from bot.web import QUEUE, create_app
from tests.e2e import FAST_RETRY, INSTALLATION, OWNER, REPO, SECRET, bot_settings, pull_request_payload
from tests.ghdouble import GitHubDouble, commit, make_repo
from tests.redis_server import RedisServer
from tests.test_roles import FAST, until
from tests.test_scale_out import BASE, ONLY_RUFF, unused_import
from tests.webhooks import delivery_headers

BUSY_PULLS = (31, 32, 33, 34, 35, 36)  # installation 1's backlog
OTHER_OWNER, OTHER_REPO, OTHER_INSTALLATION, OTHER_PULL = "Other-Org", "tools", 2, 7
LIMITED = replace(FAST, prefix="limit", per_installation=1)


def job(installation: int, number: int, priority: int = Priority.HIGH) -> ReviewJob:
    return ReviewJob(
        installation_id=installation,
        owner=f"org{installation}",
        repo="repo",
        pr_number=number,
        head_sha=f"{number:040x}",
        base_sha="b" * 40,
        base_ref="main",
        clone_url="https://github.com/x/y.git",
        delivery_id=f"d{installation}-{number}",
        priority=priority,
    )


# --- one process ----------------------------------------------------------------------------------


async def test_in_process_queue_hands_out_another_installation_while_one_is_at_its_limit():
    queue = InProcessQueue(per_installation=1)
    for number in range(1, 7):
        await queue.enqueue(job(1, number))
    await queue.enqueue(job(2, 1, priority=Priority.NORMAL))  # later and lower: still not starved
    first = await asyncio.wait_for(queue.get(), 1)
    assert first.installation_id == 1
    assert (await asyncio.wait_for(queue.get(), 1)).installation_id == 2
    waiting = asyncio.ensure_future(queue.get())  # only installation 1's jobs left: it waits
    await asyncio.sleep(0)
    assert not waiting.done()
    await queue.done(first)  # a slot frees: the next of installation 1 goes
    second = await asyncio.wait_for(waiting, 1)
    assert second.installation_id == 1 and second.pr_number == 2
    assert queue.pending_count() == 4  # deferred, not dropped


async def test_in_process_limit_counts_retries_and_zero_means_no_limit():
    queue = InProcessQueue(per_installation=1)
    await queue.enqueue(job(1, 1))
    await queue.enqueue(job(1, 2))
    taken = await asyncio.wait_for(queue.get(), 1)
    await queue.retry_later(taken, 0)  # a retry frees the slot until the job runs again
    assert (await asyncio.wait_for(queue.get(), 1)).installation_id == 1
    unlimited = InProcessQueue(per_installation=0)
    for number in (1, 2, 3):
        await unlimited.enqueue(job(1, number))
    assert len([await asyncio.wait_for(unlimited.get(), 1) for _ in range(3)]) == 3


async def test_in_process_queue_depth_per_priority_lane():
    queue = InProcessQueue()
    await queue.enqueue(job(1, 1, priority=Priority.HIGH))
    await queue.enqueue(job(1, 2, priority=Priority.LOW))
    await queue.enqueue(job(1, 3, priority=Priority.NORMAL))
    assert await queue.depth() == {"critical": 0, "high": 1, "normal": 1, "low": 1}
    taken = await asyncio.wait_for(queue.get(), 1)
    await queue.retry_later(taken, 60)  # waiting for its retry still counts as waiting
    assert await queue.depth() == {"critical": 0, "high": 1, "normal": 1, "low": 1}
    queue.close()
    assert set(await queue.depth()) == set(LANES)


def test_the_limit_is_a_server_setting(tmp_path: Path):
    assert Settings().per_installation_concurrency == 2
    config = tmp_path / "service.yml"
    config.write_text("server:\n  per_installation_concurrency: 1\n")
    assert Settings().with_yaml(config).per_installation_concurrency == 1
    config.write_text("server:\n  per_installation_concurrency: -1\n")
    with pytest.raises(ConfigError, match="per_installation_concurrency"):
        Settings().with_yaml(config)


def test_a_worker_that_only_defers_backs_off_but_not_after_the_first():
    assert pause_after(0, 1.0) == 0.0 and pause_after(1, 1.0) == 0.0
    pauses = [pause_after(n, 1.0) for n in range(2, 20)]
    assert pauses == sorted(pauses) and pauses[-1] == 1.0


# --- across workers on Redis ----------------------------------------------------------------------


async def test_redis_slots_let_another_installation_through_and_lose_nothing(redis_server: RedisServer):
    queues = [RedisReviewQueue.from_url(redis_server.url, LIMITED) for _ in range(2)]
    try:
        busy = [job(1, number) for number in range(1, 7)]
        for item in [*busy, job(2, 1)]:
            assert await queues[0].enqueue(item)
        first = await asyncio.wait_for(queues[0].get(), 30)
        assert first.installation_id == 1
        # The second worker defers installation 1's jobs (its one slot is taken) and runs the other.
        other = await asyncio.wait_for(queues[1].get(), 30)
        assert other.installation_id == 2
        await queues[1].done(other)
        await queues[0].done(first)
        # The rest of installation 1, one at a time, each once, over both workers.
        reviewed = [first.pr_number]

        async def work(queue: RedisReviewQueue) -> None:
            while len(reviewed) < len(busy):
                got = await queue.get()
                assert all(q.idle() for q in queues if q is not queue)  # never two at once
                reviewed.append(got.pr_number)
                await queue.done(got)

        tasks = [asyncio.ensure_future(work(q)) for q in queues]
        await until(_returns(lambda: len(reviewed) == len(busy)))
        for task in tasks:
            await cancel_for_sure(task)
        assert sorted(reviewed) == [1, 2, 3, 4, 5, 6]
        await until(lambda: _no_waiting(queues[0]))
    finally:
        for queue in queues:
            await queue.aclose()
            await queue.redis.aclose()


async def test_a_dead_workers_slot_lapses_with_its_heartbeat(redis_server: RedisServer):
    """A worker that dies holding a slot (no release, no more heartbeats) blocks its installation
    only until the lock's timeout (the heartbeat timeout), not forever."""
    dead, alive = (RedisReviewQueue.from_url(redis_server.url, LIMITED) for _ in range(2))
    try:
        for number in (1, 2):
            assert await dead.enqueue(job(1, number))
        taken = await asyncio.wait_for(dead.get(), 30)
        held = dead._held.pop(taken.pr_key)  # as if SIGKILLed: its heartbeat stops, nothing is released
        assert held.heartbeat is not None and held.slot is not None
        await cancel_for_sure(held.heartbeat)
        other = await asyncio.wait_for(alive.get(), 30)  # deferred until the slot lapses (2 s)
        assert other.installation_id == 1 and other.pr_number != taken.pr_number
        await alive.done(other)
    finally:
        for queue in (dead, alive):
            await queue.aclose()
            await queue.redis.aclose()


def _returns(predicate: Any) -> Any:
    async def check() -> bool:
        return bool(predicate())

    return check


async def _no_waiting(queue: RedisReviewQueue) -> bool:
    return not any((await queue.depth()).values())


# --- end to end: receiver, two workers, the GitHub double ------------------------------------------


@dataclass
class Org:
    github: GitHubDouble
    receiver: TestClient
    workers: list[TestClient]
    busy_repo: Path
    other_repo: Path

    def open_pull(self, owner: str, repo: str, path: Path, number: int, installation: int) -> dict[str, Any]:
        commit(path, {f"app/m{number}.py": unused_import(number)}, branch=f"pr{number}", message="push")
        self.github.add_pull(owner, repo, number, base="main", head=f"pr{number}")
        if owner == OWNER:
            return pull_request_payload(self.github, "opened", number)
        data = pull_request_payload(self.github, "opened", BUSY_PULLS[0])  # the shape; then repointed
        pull = self.github.pulls[owner.lower(), repo.lower(), number].data
        data["number"] = data["pull_request"]["number"] = number
        data["pull_request"]["head"]["sha"] = pull["head"]["sha"]
        data["pull_request"]["base"]["sha"] = pull["base"]["sha"]
        data["repository"].update(
            name=repo, full_name=f"{owner}/{repo}", clone_url=self.github.git_url(owner, repo)
        )
        data["repository"]["owner"]["login"] = owner
        data["installation"] = {"id": installation, "node_id": "y"}
        return data

    async def deliver(self, payload: dict[str, Any]) -> int:
        body = json.dumps(payload).encode()
        headers = delivery_headers("pull_request", body, SECRET, str(uuid.uuid4()))
        return (await self.receiver.post("/webhook", data=body, headers=headers)).status

    def completed(self, owner: str, repo: str) -> list[str]:
        return [
            r["head_sha"] for r in self.github.check_runs.get((owner, repo), []) if r["status"] == "completed"
        ]

    def running(self, owner: str, repo: str) -> int:
        return sum(r["status"] != "completed" for r in self.github.check_runs.get((owner, repo), []))


@pytest.fixture
async def org(
    aiohttp_client, github_double: GitHubDouble, redis_server: RedisServer, tmp_path: Path
) -> AsyncIterator[Org]:
    busy_repo = make_repo(tmp_path / "busy", BASE)
    other_repo = make_repo(tmp_path / "other", BASE)
    github_double.add_repo(OWNER, REPO, busy_repo)
    github_double.add_repo(OTHER_OWNER, OTHER_REPO, other_repo)
    github_double.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    github_double.add_installation(OTHER_INSTALLATION, repos=[f"{OTHER_OWNER}/{OTHER_REPO}"])
    settings = replace(
        bot_settings(github_double.base_url, disabled_analyzers=ONLY_RUFF),
        redis_url=redis_server.url,
        shutdown_grace=5.0,
        per_installation_concurrency=1,
    )

    async def start(role: str, count: int) -> TestClient:
        queue = RedisReviewQueue.from_url(redis_server.url, LIMITED)
        app = create_app(replace(settings, workers=count), queue=queue, retry=FAST_RETRY, role=role)  # type: ignore[arg-type]
        return await aiohttp_client(app)

    yield Org(
        github_double,
        await start("receiver", 0),
        [await start("worker", 1) for _ in range(2)],
        busy_repo,
        other_repo,
    )


async def test_a_busy_installation_does_not_starve_another(org: Org):
    busy = [org.open_pull(OWNER, REPO, org.busy_repo, n, INSTALLATION) for n in BUSY_PULLS]
    other = org.open_pull(OTHER_OWNER, OTHER_REPO, org.other_repo, OTHER_PULL, OTHER_INSTALLATION)
    for payload in [*busy, other]:  # installation 2's PR is queued last, behind the whole backlog
        assert await org.deliver(payload) == 202
    other_head = other["pull_request"]["head"]["sha"]
    busy_heads = {p["pull_request"]["head"]["sha"] for p in busy}
    busy_done_when_other_done: int | None = None
    most_running = 0

    async def watch() -> bool:
        nonlocal busy_done_when_other_done, most_running
        most_running = max(most_running, org.running(OWNER, REPO))
        if busy_done_when_other_done is None and other_head in org.completed(OTHER_OWNER, OTHER_REPO):
            busy_done_when_other_done = len(org.completed(OWNER, REPO))
        queues = [w.app[QUEUE] for w in org.workers]
        return (
            busy_heads <= set(org.completed(OWNER, REPO))
            and busy_done_when_other_done is not None
            and all(q.idle() for q in queues)
            and await _no_waiting(queues[0])
        )

    await until(watch)
    # Installation 2 went ahead of installation 1's backlog (without the limit it would have
    # waited behind all six: two workers, first in first out).
    assert busy_done_when_other_done is not None and busy_done_when_other_done <= 2
    assert most_running <= 1  # installation 1 never had two reviews at once (as far as polled)
    runs = Counter(r["head_sha"] for runs in org.github.check_runs.values() for r in runs)
    assert set(runs) == busy_heads | {other_head} and set(runs.values()) == {1}  # one review per head
    for number in BUSY_PULLS:
        assert len(org.github.reviews.get((OWNER, REPO, number), [])) == 1
    assert len(org.github.reviews.get((OTHER_OWNER, OTHER_REPO, OTHER_PULL), [])) == 1
