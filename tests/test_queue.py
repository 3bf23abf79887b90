"""The in-process queue: one review per head, newer pushes supersede, one PR at a time."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.queue import InProcessQueue, ReviewJob

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


def test_job_round_trips_through_json():
    assert ReviewJob.from_json(JOB.to_json()) == JOB
    assert JOB.key == ("octo", "hello", 1, "a" * 40)


async def test_same_delivery_or_same_head_is_queued_once():
    queue = InProcessQueue()
    assert await queue.enqueue(JOB)
    assert not await queue.enqueue(JOB)
    assert not await queue.enqueue(replace(JOB, delivery_id="d2"))
    assert queue.pending_count() == 1


async def test_newer_push_supersedes_queued_older_head():
    queue = InProcessQueue()
    await queue.enqueue(JOB)
    newer = replace(JOB, head_sha="c" * 40, delivery_id="d2")
    assert await queue.enqueue(newer)
    assert queue.pending_count() == 1
    assert await asyncio.wait_for(queue.get(), 1) == newer


async def test_one_pr_is_reviewed_by_one_worker_at_a_time():
    queue = InProcessQueue()
    await queue.enqueue(JOB)
    first = await asyncio.wait_for(queue.get(), 1)
    newer = replace(JOB, head_sha="c" * 40, delivery_id="d2")
    other_pr = replace(JOB, pr_number=2, delivery_id="d3")
    await queue.enqueue(newer)
    await queue.enqueue(other_pr)
    assert await asyncio.wait_for(queue.get(), 1) == other_pr
    waiting = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    assert not waiting.done()
    await queue.done(first)
    assert await asyncio.wait_for(waiting, 1) == newer


async def test_retry_later_requeues_unless_a_newer_head_arrived():
    queue = InProcessQueue()
    await queue.enqueue(JOB)
    job = await queue.get()
    await queue.retry_later(job, 0.01)
    again = await asyncio.wait_for(queue.get(), 2)
    assert again.head_sha == JOB.head_sha and again.attempt == 1

    await queue.retry_later(again, 0.01)
    newer = replace(JOB, head_sha="c" * 40, delivery_id="d2")
    await queue.enqueue(newer)
    assert await asyncio.wait_for(queue.get(), 2) == newer
    await queue.done(newer)
    queue.close()
    assert queue.pending_count() == 0


async def test_forget_allows_the_same_head_again():
    queue = InProcessQueue()
    await queue.enqueue(JOB)
    job = await queue.get()
    await queue.forget(job)
    await queue.done(job)
    assert await queue.enqueue(replace(JOB, delivery_id="d9"))


async def test_a_requested_review_runs_again_and_goes_first():
    queue = InProcessQueue()
    await queue.enqueue(JOB)
    job = await queue.get()
    await queue.done(job)
    assert not await queue.enqueue(replace(JOB, delivery_id="d2"))  # the same head, automatically: no
    other = replace(JOB, pr_number=2, delivery_id="d3")
    await queue.enqueue(other)
    asked = replace(JOB, delivery_id="d4", requested_by="octocat", priority=1)
    assert await queue.enqueue(asked)
    assert await asyncio.wait_for(queue.get(), 1) == asked
    assert await asyncio.wait_for(queue.get(), 1) == other
