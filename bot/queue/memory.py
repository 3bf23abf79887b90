"""The queue for one process (the default without REDIS_URL): asyncio only, nothing survives a restart.

Besides one running review per PR, at most ``per_installation`` reviews of one installation run at
once (0: no limit): a job over the limit stays waiting, without polling, while other
installations' jobs go first, and is handed out when one of its installation's reviews ends."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

from cachetools import TTLCache

from bot.queue.base import LANES, MAX_PENDING, REMEMBER_ITEMS, REMEMBER_SECONDS, QueueFull, ReviewJob

log = logging.getLogger("bot.queue")


class InProcessQueue:
    """The queue for one process: asyncio only, nothing survives a restart."""

    def __init__(self, *, max_pending: int = MAX_PENDING, per_installation: int = 0) -> None:
        self.max_pending = max_pending
        self.per_installation = per_installation
        self._installations_running: Counter[int] = Counter()
        self._retrying: Counter[str] = Counter()  # jobs waiting for their retry, per lane
        self._refused = 0  # in a row, since the queue last took a job
        self._pending: dict[tuple[str, str, int], ReviewJob] = {}
        self._running: set[tuple[str, str, int]] = set()
        self._seen_keys: TTLCache[tuple[str, str, int, str], bool] = TTLCache(
            REMEMBER_ITEMS, REMEMBER_SECONDS
        )
        self._seen_deliveries: TTLCache[str, bool] = TTLCache(REMEMBER_ITEMS, REMEMBER_SECONDS)
        self._changed = asyncio.Condition()
        self._timers: set[asyncio.TimerHandle] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._latest_head: TTLCache[tuple[str, str, int], str] = TTLCache(REMEMBER_ITEMS, REMEMBER_SECONDS)

    async def enqueue(self, job: ReviewJob) -> bool:
        async with self._changed:
            if job.delivery_id and job.delivery_id in self._seen_deliveries:
                log.info("delivery %s already seen: no second review", job.delivery_id)
                return False
            if job.key in self._seen_keys and not job.requested_by:  # /review asks again on purpose
                log.info(
                    "%s#%s at %s already queued or reviewed", job.full_name, job.pr_number, job.head_sha[:7]
                )
                self._remember_delivery(job)
                return False
            if job.pr_key not in self._pending and len(self._pending) >= self.max_pending:
                # A newer head of a waiting PR replaces it (no growth); a new PR waits for room.
                self._refused += 1
                if self._refused in (1, 10) or self._refused % 1000 == 0:  # a flood is not a log flood
                    log.warning(
                        "review queue full (%d PRs waiting): %d refused", self.max_pending, self._refused
                    )
                raise QueueFull(f"the review queue is full ({len(self._pending)} pull requests waiting)")
            self._refused = 0
            self._remember_delivery(job)
            self._seen_keys[job.key] = True
            self._latest_head[job.pr_key] = job.head_sha
            older = self._pending.get(job.pr_key)
            if older is not None:
                log.info(
                    "%s#%s: %s supersedes queued %s",
                    job.full_name,
                    job.pr_number,
                    job.head_sha[:7],
                    older.head_sha[:7],
                )
                self._seen_keys.pop(older.key, None)
            self._pending[job.pr_key] = job
            self._changed.notify_all()
            return True

    def _remember_delivery(self, job: ReviewJob) -> None:
        if job.delivery_id:
            self._seen_deliveries[job.delivery_id] = True

    async def get(self) -> ReviewJob:
        async with self._changed:
            while True:
                ready = [
                    job
                    for pr_key, job in self._pending.items()
                    if pr_key not in self._running and self._installation_has_room(job)
                ]
                if ready:
                    job = max(ready, key=lambda j: j.priority)  # stable: the oldest among equals
                    del self._pending[job.pr_key]
                    self._running.add(job.pr_key)
                    self._installations_running[job.installation_id or 0] += 1
                    return job
                await self._changed.wait()

    def _installation_has_room(self, job: ReviewJob) -> bool:
        limit = self.per_installation
        return limit <= 0 or self._installations_running[job.installation_id or 0] < limit

    async def done(self, job: ReviewJob) -> None:
        async with self._changed:
            if job.pr_key in self._running:
                self._running.discard(job.pr_key)
                installation = job.installation_id or 0
                self._installations_running[installation] -= 1
                if self._installations_running[installation] <= 0:
                    del self._installations_running[installation]
            self._changed.notify_all()

    async def forget(self, job: ReviewJob) -> None:
        """Let the same head be queued again (a failed review, or a /review request later)."""
        async with self._changed:
            self._seen_keys.pop(job.key, None)

    async def retry_later(self, job: ReviewJob, delay: float) -> None:
        await self.done(job)
        loop = asyncio.get_running_loop()

        lane = job.lane
        self._retrying[lane] += 1

        def requeue() -> None:
            self._timers.discard(handle)
            self._retrying[lane] -= 1
            task = loop.create_task(self._requeue(job.next_attempt()))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        handle = loop.call_later(delay, requeue)
        self._timers.add(handle)

    async def _requeue(self, job: ReviewJob) -> None:
        async with self._changed:
            if self._latest_head.get(job.pr_key, job.head_sha) != job.head_sha:
                return  # a newer push arrived meanwhile; its review replaces this one
            self._pending[job.pr_key] = job
            self._seen_keys[job.key] = True
            self._changed.notify_all()

    def idle(self) -> bool:
        """Nothing queued, running or waiting to be retried."""
        return not (self._pending or self._running or self._timers or self._tasks)

    def pending_count(self) -> int:
        return len(self._pending)

    async def depth(self) -> dict[str, int]:
        """Jobs waiting per lane, queued or waiting for a retry (as the Redis queue reports them)."""
        counts = Counter(job.lane for job in self._pending.values()) + self._retrying
        return {lane: counts[lane] for lane in LANES}

    def close(self) -> None:
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        self._retrying.clear()
