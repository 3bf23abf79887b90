"""Per-installation concurrency on Redis: at most N reviews of one installation run at once,
across every worker process, so one busy organisation cannot take all the workers.

The N slots are N redis-py ``Lock`` objects (``<prefix>:installation:<id>:slot:<i>``), each with
the heartbeat timeout as its expiry and renewed with the job's heartbeat: a worker that dies
holding one loses it after that timeout, the same bound as its job's takeover. A worker that
finds every slot taken hands the job back to its lane with a short delay (a saq scheduled job)
and takes the next one, so other installations' jobs run meanwhile.
"""

from __future__ import annotations

import random

from redis.asyncio import Redis
from redis.asyncio.lock import Lock


def slot_names(prefix: str, installation_id: int | None, limit: int) -> list[str]:
    return [f"{prefix}:installation:{installation_id or 0}:slot:{i}" for i in range(limit)]


async def take_slot(redis: Redis, names: list[str], timeout: int, token: str) -> Lock | None:
    """One free slot of the installation, held until released or ``timeout`` without renewal;
    None when all are taken. Tried in a random order, so workers rarely race for the same one."""
    for name in random.sample(names, len(names)):
        lock = Lock(redis, name, timeout=timeout, thread_local=False)
        if await lock.acquire(blocking=False, token=token):
            return lock
    return None


def pause_after(deferrals_in_row: int, longest: float) -> float:
    """How long a worker waits before its next dequeue after handing back this many jobs in a row:
    nothing after the first (the next job may be another installation's), then growing to
    ``longest``, so a worker with only over-limit jobs in sight does not spin through them."""
    if deferrals_in_row <= 1:
        return 0.0
    return min(longest, 0.01 * 2.0 ** (deferrals_in_row - 1))
