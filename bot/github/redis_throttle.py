"""Pacing of mutating GitHub calls per installation, shared by every replica through Redis.

GitHub's secondary limits count per installation, not per process: two replicas each keeping one
call per second would together make two. The next free slot of each installation lives in Redis
and is reserved in one Lua script on Redis's own clock (replicas' clocks may drift), so callers
anywhere are spaced ``interval`` apart. The interface is MutationThrottle's; while Redis is down
the process falls back to its own in-process pacing rather than blocking or failing GitHub calls.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable

from redis.asyncio import Redis

from bot.github.resilience import MutationThrottle, Sleep
from bot.redis_client import UNAVAILABLE, Complaints

log = logging.getLogger(__name__)

# KEYS[1] the key's next free slot (microseconds on Redis's clock); ARGV[1] the interval in µs.
# Returns how long the caller waits, in µs. The key expires once its slot has passed.
RESERVE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local start = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local next_slot = start + interval
redis.call('SET', KEYS[1], string.format('%d', next_slot), 'PX', math.ceil((next_slot - now) / 1000) + 1)
return start - now
"""


class RedisMutationThrottle(MutationThrottle):
    """``await throttle.wait(installation_id)`` returns at this installation's next slot, cluster-wide."""

    def __init__(
        self,
        redis: Redis,
        interval: float = 1.0,
        *,
        prefix: str = "review-bot",
        sleep: Sleep = asyncio.sleep,
        max_keys: int = 4096,
    ) -> None:
        super().__init__(interval, sleep=sleep, max_keys=max_keys)  # the fallback while Redis is down
        self.redis = redis
        self._prefix = f"{prefix}:pace:"
        self._script = redis.register_script(RESERVE_SCRIPT)
        self._complaints = Complaints("mutation pacing")

    async def wait(self, key: Hashable) -> None:
        try:
            waited_us = await self._script(
                keys=[f"{self._prefix}{key}"], args=[int(self.interval * 1_000_000)]
            )
        except UNAVAILABLE as exc:
            self._complaints.failed(exc)
            await super().wait(key)
            return
        self._complaints.recovered()
        if waited_us > 0:
            await self._sleep(waited_us / 1_000_000)
