"""Sliding rate windows per key (slash-commands per PR per minute), in one process or in Redis.

``await windows.take(key, limit)`` answers "ok" (go ahead; counted), "warn" (refused, and the
first refusal since the window last had room: tell the user once) or "drop" (refused again: stay
quiet). The Redis version keeps each window as a sorted set of timestamps and decides in one Lua
script, on Redis's own clock, so replicas with drifting clocks share one exact window.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from cachetools import TTLCache
from redis.asyncio import Redis

from bot.redis_client import UNAVAILABLE, StateUnavailable, describe

Slot = Literal["ok", "warn", "drop"]
WINDOW_SECONDS = 60.0


class RateWindows(Protocol):
    async def take(self, key: str, limit: int) -> Slot: ...


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    warned: bool = False


class InProcessRateWindows:
    def __init__(
        self,
        window: float = WINDOW_SECONDS,
        *,
        maxsize: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window = window
        self._clock = clock
        # An idle window is forgotten after two of its lengths: nothing in it counts any more.
        self._windows: TTLCache[str, _Window] = TTLCache(maxsize, 2 * window, timer=clock)

    async def take(self, key: str, limit: int) -> Slot:
        window = self._windows.get(key) or _Window()
        now = self._clock()
        while window.times and window.times[0] <= now - self.window:
            window.times.popleft()
        self._windows[key] = window
        if len(window.times) < limit:
            window.times.append(now)
            window.warned = False
            return "ok"
        if window.warned:
            return "drop"
        window.warned = True
        return "warn"


# KEYS[1] the window (a sorted set of millisecond timestamps), KEYS[2] the "already warned" mark.
# ARGV[1] the limit, ARGV[2] the window in ms, ARGV[3] a unique member suffix.
TAKE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
    redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
    redis.call('PEXPIRE', KEYS[1], window)
    redis.call('DEL', KEYS[2])
    return 'ok'
end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', window) then
    return 'warn'
end
return 'drop'
"""


class RedisRateWindows:
    def __init__(self, redis: Redis, *, window: float = WINDOW_SECONDS, prefix: str = "review-bot") -> None:
        self.redis = redis
        self.window = window
        self._prefix = prefix
        self._script = redis.register_script(TAKE_SCRIPT)
        self._instance = uuid.uuid4().hex[:12]  # members of two replicas never collide
        self._counter = 0

    async def take(self, key: str, limit: int) -> Slot:
        # The {hash tag} keeps both keys of a window in one Redis Cluster slot.
        keys = [f"{self._prefix}:window:{{{key}}}", f"{self._prefix}:window-warned:{{{key}}}"]
        self._counter += 1
        member = f"{self._instance}.{self._counter}"  # two takes in the same millisecond stay two
        try:
            answer = await self._script(keys=keys, args=[limit, int(self.window * 1000), member])
        except UNAVAILABLE as exc:
            raise StateUnavailable(f"cannot count commands: Redis is unreachable ({describe(exc)})") from None
        return "ok" if answer == b"ok" else "warn" if answer == b"warn" else "drop"
