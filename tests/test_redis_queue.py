"""The review queue on a real redis-server: priorities, exactly once across receivers, one running
plus one waiting per PR, takeover after a SIGKILL, and Redis going away and coming back."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from bot.queue import Priority, QueueFull, QueueUnavailable, ReviewJob
from bot.queue.redis import RedisQueueOptions, RedisReviewQueue
from tests.redis_server import RedisServer, require_redis_server

ROOT = Path(__file__).resolve().parent.parent
WAIT = 20.0  # a deadline for what should happen at once; never reached when the code works

FAST = RedisQueueOptions(
    prefix="t",
    heartbeat_interval=0.2,
    heartbeat_timeout=1,
    sweep_interval=60,  # no sweep but in the SIGKILL test: a sweep may leave a harmless copy behind
    sweep_abort_wait=0.2,
    schedule_interval=0.1,
    idle_wait=0.2,
    busy_delay=0.2,
    settle_timeout=2.0,
)
SWEEPING = replace(FAST, sweep_interval=1)
TAKEOVER_BOUND = 2 * SWEEPING.takeover_bound  # doubled for a loaded machine

JOB = ReviewJob(
    installation_id=7,
    owner="Octo",
    repo="Hello",
    pr_number=1,
    head_sha="a" * 40,
    base_sha="b" * 40,
    base_ref="main",
    clone_url="https://github.com/Octo/Hello.git",
    delivery_id="d1",
)

MakeQueue = Callable[..., RedisReviewQueue]


@pytest.fixture
async def make_queue(redis_server: RedisServer) -> AsyncIterator[MakeQueue]:
    """Queues on the test's Redis, each with its own client, as separate replicas would be."""
    made: list[RedisReviewQueue] = []

    def make(**options: object) -> RedisReviewQueue:
        queue = RedisReviewQueue.from_url(redis_server.url, replace(FAST, **options))
        made.append(queue)
        return queue

    yield make
    for queue in made:
        await queue.aclose()


async def get(queue: RedisReviewQueue, within: float = WAIT) -> ReviewJob:
    return await asyncio.wait_for(queue.get(), within)


async def nothing_for(queue: RedisReviewQueue, seconds: float) -> None:
    """The queue hands out nothing during ``seconds`` (a bounded wait, not a sleep-and-hope)."""
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(queue.get(), seconds)


def head(letter: str, **fields: object) -> ReviewJob:
    return replace(JOB, **{"head_sha": letter * 40, "delivery_id": f"d-{letter}", **fields})


async def test_lanes_are_served_in_priority_order(make_queue: MakeQueue) -> None:
    receiver, worker = make_queue(), make_queue()
    jobs = [
        replace(JOB, pr_number=1, delivery_id="low", priority=Priority.LOW),
        replace(JOB, pr_number=2, delivery_id="normal", priority=Priority.NORMAL),
        replace(JOB, pr_number=3, delivery_id="high", priority=Priority.HIGH),
        replace(JOB, pr_number=4, delivery_id="asked", priority=Priority.NORMAL, requested_by="maria"),
    ]
    for job in jobs:
        assert await receiver.enqueue(job)
    assert await receiver.depth() == {"critical": 1, "high": 1, "normal": 1, "low": 1}
    served = []
    for _ in jobs:
        job = await get(worker)
        served.append(job.delivery_id)
        await worker.done(job)
    assert served == ["asked", "high", "normal", "low"]
    assert await receiver.depth() == {"critical": 0, "high": 0, "normal": 0, "low": 0}


async def test_redeliveries_to_two_receivers_make_one_job(make_queue: MakeQueue) -> None:
    first, second, worker = make_queue(), make_queue(), make_queue()
    # The same delivery reaching both receivers at once, five times each, and the same head
    # announced again by another delivery (a second event for the same push).
    attempts = [q.enqueue(JOB) for _ in range(5) for q in (first, second)]
    attempts.append(second.enqueue(replace(JOB, delivery_id="d2")))
    results = await asyncio.gather(*attempts)
    assert results.count(True) == 1
    assert sum((await first.depth()).values()) == 1
    job = await get(worker)
    assert job.key == JOB.key  # from either delivery: whichever came first
    await worker.done(job)
    assert not await first.enqueue(JOB)  # redelivered after the review: still nothing new
    await nothing_for(worker, 0.5)


async def test_a_newer_head_replaces_the_waiting_one(make_queue: MakeQueue) -> None:
    receiver, other_receiver, worker = make_queue(), make_queue(), make_queue()
    assert await receiver.enqueue(head("a"))
    assert await other_receiver.enqueue(head("c"))
    assert sum((await receiver.depth()).values()) == 1
    job = await get(worker)
    assert job.head_sha == "c" * 40
    await worker.done(job)
    await nothing_for(worker, 0.5)
    # The replaced head was never reviewed, so a force-push back to it is reviewed.
    assert await receiver.enqueue(head("a", delivery_id="d-back"))


async def test_one_running_and_one_waiting_per_pr(make_queue: MakeQueue) -> None:
    receiver, first, second = make_queue(), make_queue(), make_queue()
    await receiver.enqueue(head("a"))
    running = await get(first)
    await receiver.enqueue(head("c"))
    await receiver.enqueue(head("d"))  # replaces c, which waited
    await receiver.enqueue(replace(JOB, pr_number=2, delivery_id="pr2"))
    other_pr = await get(second)
    assert other_pr.pr_number == 2  # the busy PR's waiting job does not block the others
    await second.done(other_pr)
    await nothing_for(second, 1.0)  # d waits while a is being reviewed
    assert sum((await receiver.depth()).values()) == 1
    await first.done(running)
    waiting = await get(second)
    assert waiting.head_sha == "d" * 40
    await second.done(waiting)
    await nothing_for(first, 0.5)


async def test_a_reviewed_head_is_not_queued_again_unless_asked_or_forgotten(make_queue: MakeQueue) -> None:
    queue = make_queue()
    assert await queue.enqueue(JOB)
    job = await get(queue)
    await queue.done(job)
    assert not await queue.enqueue(replace(JOB, delivery_id="d2"))  # a finished saq key alone would allow it
    assert await queue.enqueue(replace(JOB, delivery_id="d3", requested_by="maria"))  # /review asks again
    asked = await get(queue)
    assert asked.requested_by == "maria"
    await queue.done(asked)
    await queue.forget(JOB)  # e.g. after a review was given up
    assert await queue.enqueue(replace(JOB, delivery_id="d4"))


async def test_retry_later_runs_again_unless_a_newer_head_came(make_queue: MakeQueue) -> None:
    queue = make_queue()
    await queue.enqueue(JOB)
    job = await get(queue)
    await queue.retry_later(job, 0.3)
    again = await get(queue)
    assert again.head_sha == JOB.head_sha and again.attempt == 1
    await queue.retry_later(again, 0.5)
    assert await queue.enqueue(head("c"))  # arrives while a waits for its retry
    newer = await get(queue)
    assert newer.head_sha == "c" * 40
    await queue.done(newer)
    await nothing_for(queue, 1.0)  # a's retry was dropped
    assert sum((await queue.depth()).values()) == 0


async def test_a_sigkilled_workers_job_is_finished_by_another(
    make_queue: MakeQueue, redis_server: RedisServer
) -> None:
    receiver, survivor = make_queue(), make_queue(sweep_interval=SWEEPING.sweep_interval)
    assert await receiver.enqueue(JOB)
    code = (
        "import asyncio, json, sys\n"
        "from bot.queue.redis import RedisQueueOptions, RedisReviewQueue\n"
        "async def main():\n"
        "    queue = RedisReviewQueue.from_url(sys.argv[1], RedisQueueOptions(**json.loads(sys.argv[2])))\n"
        "    job = await queue.get()\n"
        "    print(job.to_json(), flush=True)\n"
        "    await asyncio.Event().wait()\n"
        "asyncio.run(main())\n"
    )
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        redis_server.url,
        json.dumps(asdict(FAST)),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert worker.stdout is not None
        line = await asyncio.wait_for(worker.stdout.readline(), WAIT)
        assert ReviewJob.from_json(line) == JOB
        await nothing_for(survivor, FAST.heartbeat_timeout / 2)  # alive and beating: nobody else runs it
    finally:
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
    assert worker.returncode == -signal.SIGKILL
    taken_over = await get(survivor, TAKEOVER_BOUND)
    assert taken_over == JOB
    await survivor.done(taken_over)
    await nothing_for(survivor, 1.0)  # exactly once more, not twice


async def test_shutdown_hands_the_running_job_back(make_queue: MakeQueue) -> None:
    leaving, staying = make_queue(), make_queue()
    await leaving.enqueue(JOB)
    assert await get(leaving) == JOB
    await leaving.aclose()  # no sweep needed: handed back at once
    job = await get(staying, 5 * FAST.busy_delay + WAIT / 4)
    assert job.head_sha == JOB.head_sha
    await staying.done(job)


async def test_redis_down_refuses_with_queue_unavailable_and_recovers(
    make_queue: MakeQueue, redis_server: RedisServer
) -> None:
    receiver, worker = make_queue(), make_queue()
    waiting = asyncio.ensure_future(worker.get())  # a worker idle across the outage
    redis_server.stop()
    with pytest.raises(QueueUnavailable) as refused:
        await receiver.enqueue(JOB)
    assert "nothing was queued" in str(refused.value)
    assert "127.0.0.1" not in str(refused.value)  # no address (nor a password) in what GitHub sees
    assert not await receiver.ready()
    assert not waiting.done()
    redis_server.start()
    assert await receiver.ready()
    assert await receiver.enqueue(JOB)  # the same delivery, refused before, is taken now
    job = await asyncio.wait_for(waiting, WAIT)
    assert job == JOB
    await worker.done(job)


async def test_a_full_queue_refuses_new_prs_but_takes_newer_heads(make_queue: MakeQueue) -> None:
    queue = make_queue(max_pending=2)
    assert await queue.enqueue(replace(JOB, pr_number=1, delivery_id="1"))
    assert await queue.enqueue(replace(JOB, pr_number=2, delivery_id="2"))
    with pytest.raises(QueueFull):
        await queue.enqueue(replace(JOB, pr_number=3, delivery_id="3"))
    assert await queue.enqueue(replace(JOB, pr_number=1, head_sha="c" * 40, delivery_id="1c"))
    job = await get(queue)
    await queue.done(job)
    assert await queue.enqueue(replace(JOB, pr_number=3, delivery_id="3"))  # refused, so not remembered


async def test_a_queued_job_survives_a_redis_restart_with_persistence(tmp_path: Path) -> None:
    require_redis_server()
    server = RedisServer(tmp_path / "aof", persist=True)  # appendonly, fsync on every write
    server.start()
    receiver = worker = None
    try:
        receiver = RedisReviewQueue.from_url(server.url, FAST)
        assert await receiver.enqueue(JOB)
        server.restart()
        worker = RedisReviewQueue.from_url(server.url, FAST)
        job = await get(worker)
        assert job == JOB
        await worker.done(job)
        assert not await receiver.enqueue(JOB)  # its delivery id survived too
    finally:
        for queue in (receiver, worker):
            if queue is not None:
                await queue.aclose()
        server.stop()
