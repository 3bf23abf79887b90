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


async def test_a_dropped_connection_is_opened_again_for_the_next_deliveries(
    make_queue: MakeQueue, redis_server: RedisServer
) -> None:
    """The group commit has a connection of its own: Redis closing it (a restart, a timeout,
    CLIENT KILL) costs no delivery; the batch is sent again on a new connection."""
    receiver, admin = make_queue(), make_queue()
    assert await receiver.enqueue(pr(1))
    killed = await admin.redis.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
    assert killed >= 1
    assert await asyncio.wait_for(settle([receiver.enqueue(pr(n)) for n in (2, 3)]), WAIT) == [True, True]
    assert sum((await admin.depth()).values()) == 3


async def test_a_redis_that_stops_answering_fails_the_batch_within_its_timeout(
    make_queue: MakeQueue, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Redis that takes the commands and never answers (a frozen process, a lost network):
    the deliveries waiting on the batch fail as unavailable (503, redelivered later) after the
    timeout instead of hanging, and the next ones go through once Redis answers again."""
    import signal

    from bot.queue import redis_batch

    monkeypatch.setattr(redis_batch, "SOCKET_TIMEOUT", 0.3)
    receiver = make_queue()
    assert await receiver.enqueue(pr(1))
    assert redis_server.process is not None
    redis_server.process.send_signal(signal.SIGSTOP)
    try:
        results = await asyncio.wait_for(settle([receiver.enqueue(pr(n)) for n in (2, 3)]), WAIT)
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
    assert all(isinstance(r, QueueUnavailable) for r in results), results
    assert await asyncio.wait_for(receiver.enqueue(pr(4)), WAIT)


async def test_closing_the_queue_closes_the_group_commits_connection(make_queue: MakeQueue) -> None:
    receiver, admin = make_queue(), make_queue()
    assert await receiver.enqueue(pr(1))
    before = len(await admin.redis.client_list())
    await receiver.aclose()
    assert len(await admin.redis.client_list()) < before


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
