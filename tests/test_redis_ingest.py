"""The receiver's enqueue on a real redis-server: the claim script (bot/queue/redis_claim.py) and
the group commit (bot/queue/redis_batch.py) keep every guarantee of the plain commands: an exact
room check across replicas, exactly once under concurrency, nothing recorded when Redis fails,
and scripts that Redis forgot (a restart, SCRIPT FLUSH) loaded again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import replace

import pytest

from bot.queue import QueueFull, QueueUnavailable, ReviewJob
from bot.queue.redis import RedisReviewQueue, quiet_saq
from tests import test_redis_queue
from tests.redis_server import RedisServer
from tests.test_redis_queue import JOB, WAIT, MakeQueue, get

make_queue = test_redis_queue.make_queue  # the same fixture: queues on the test's Redis


def pr(number: int, **fields: object) -> ReviewJob:
    return replace(JOB, pr_number=number, head_sha=f"{number:040x}", delivery_id=f"d{number}", **fields)


async def settle(attempts: list[Awaitable[bool]]) -> list[object]:
    return list(await asyncio.gather(*attempts, return_exceptions=True))


async def test_the_room_check_holds_across_concurrent_receivers(make_queue: MakeQueue) -> None:
    # Two replicas race 40 new PRs into a queue with room for 5. The check counts the claims not
    # yet queued, so not one job gets past the cap; a job is counted twice for the moment between
    # saq's enqueue and its claim's removal, so the race may refuse one or two early.
    first, second = make_queue(max_pending=5), make_queue(max_pending=5)
    jobs = [pr(n) for n in range(1, 41)]
    results = await settle([(first if n % 2 else second).enqueue(job) for n, job in enumerate(jobs)])
    assert 1 <= results.count(True) <= 5
    assert all(isinstance(r, QueueFull) for r in results if r is not True)
    assert sum((await first.depth()).values()) == results.count(True)
    # Refused deliveries left nothing behind; once the race is over the check is exact: the
    # queue fills to its cap and no further.
    refused = [job for job, r in zip(jobs, results, strict=True) if r is not True]
    for job in refused[: 5 - results.count(True)]:
        assert await second.enqueue(job)
    assert sum((await first.depth()).values()) == 5
    with pytest.raises(QueueFull):
        await first.enqueue(refused[-1])
    worker = make_queue()
    await worker.done(await get(worker))
    assert await first.enqueue(refused[-1])


async def test_concurrent_deliveries_share_round_trips_and_stay_exactly_once(make_queue: MakeQueue) -> None:
    receiver, other = make_queue(), make_queue()
    jobs = [pr(n) for n in range(1, 61)]
    assert await settle([receiver.enqueue(job) for job in jobs]) == [True] * 60
    batch = receiver._batch
    await batch.flush()  # the claims' removals and delivery marks: sent without being waited for
    # Each delivery makes four calls in three steps (the claim; saq's enqueue; the claim's removal
    # and the delivery's mark): concurrent deliveries' calls went in shared pipelines.
    assert batch.commands >= 4 * 60
    assert batch.pipelines <= batch.commands / 4
    # The same deliveries again, to both replicas at once, and the same heads under new ids.
    again = [q.enqueue(job) for job in jobs for q in (receiver, other)]
    again += [other.enqueue(replace(job, delivery_id=f"again-{job.pr_number}")) for job in jobs]
    assert set(await settle(again)) == {False}
    assert sum((await receiver.depth()).values()) == 60


async def test_a_newer_head_still_replaces_the_waiting_one_when_the_queue_is_full(
    make_queue: MakeQueue,
) -> None:
    receiver, worker = make_queue(max_pending=2), make_queue()
    assert await receiver.enqueue(pr(1))
    assert await receiver.enqueue(pr(2))
    newer = replace(pr(1), head_sha="c" * 40, delivery_id="d1-newer")
    assert await receiver.enqueue(newer)  # replaces PR 1's waiting job: no growth
    with pytest.raises(QueueFull):
        await receiver.enqueue(pr(3))
    assert sum((await receiver.depth()).values()) == 2
    taken = {(await get(worker)).head_sha for _ in range(2)}
    assert taken == {"c" * 40, pr(2).head_sha}


async def test_scripts_forgotten_by_redis_are_loaded_again(
    make_queue: MakeQueue, redis_server: RedisServer
) -> None:
    receiver, worker = make_queue(), make_queue()
    assert await receiver.enqueue(pr(1))
    await receiver.redis.script_flush()  # as after a restart without persistence
    assert await receiver.enqueue(pr(2))  # the claim script and saq's enqueue script, reloaded
    assert not await receiver.enqueue(pr(2))
    assert {(await get(worker)).pr_number for _ in range(2)} == {1, 2}


async def test_redis_down_fails_every_waiting_delivery_and_records_nothing(
    make_queue: MakeQueue, redis_server: RedisServer
) -> None:
    receiver: RedisReviewQueue = make_queue()
    redis_server.stop()
    results = await settle([receiver.enqueue(pr(n)) for n in range(1, 11)])
    assert all(isinstance(r, QueueUnavailable) for r in results)
    redis_server.start()
    assert (
        await asyncio.wait_for(settle([receiver.enqueue(pr(n)) for n in range(1, 11)]), WAIT) == [True] * 10
    )


def test_saq_info_lines_are_quiet_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    saq_log, root = logging.getLogger("saq"), logging.getLogger()
    monkeypatch.setattr(saq_log, "level", logging.NOTSET)
    monkeypatch.setattr(root, "level", logging.INFO)
    quiet_saq()  # a second "Enqueuing ..." line per delivery beside the handler's own
    assert saq_log.getEffectiveLevel() == logging.WARNING
    monkeypatch.setattr(saq_log, "level", logging.INFO)  # set on purpose: kept
    quiet_saq()
    assert saq_log.level == logging.INFO
    monkeypatch.setattr(saq_log, "level", logging.NOTSET)
    monkeypatch.setattr(root, "level", logging.DEBUG)  # LOG_LEVEL=DEBUG: everything
    quiet_saq()
    assert saq_log.level == logging.NOTSET
