"""Doing a thing once per key: handled comment ids (a redelivered webhook runs nothing twice).

``await once.first(key)`` is True for the first caller of a key within the window and False for
every later one; with Redis, across all replicas (SET NX EX is atomic, so two receivers given the
same comment at the same moment cannot both win).
"""

from __future__ import annotations

from typing import Protocol

from cachetools import TTLCache
from redis.asyncio import Redis

from bot.redis_client import UNAVAILABLE, StateUnavailable, describe

DEFAULT_TTL = 24 * 3600
DEFAULT_ITEMS = 100_000


class Once(Protocol):
    async def first(self, key: str) -> bool:
        """True the first time ``key`` is seen within the window (and it is remembered from now on)."""
        ...


class InProcessOnce:
    """One process's memory: bounded in items and in age."""

    def __init__(self, ttl: float = DEFAULT_TTL, maxsize: int = DEFAULT_ITEMS) -> None:
        self._seen: TTLCache[str, bool] = TTLCache(maxsize, ttl)

    async def first(self, key: str) -> bool:
        if key in self._seen:
            return False
        self._seen[key] = True
        return True

    def __len__(self) -> int:
        return len(self._seen)


class RedisOnce:
    """Shared by every replica; the marks expire in Redis, so memory is bounded by the window."""

    def __init__(self, redis: Redis, namespace: str, *, ttl: int = DEFAULT_TTL, prefix: str = "review-bot"):
        self.redis = redis
        self.ttl = ttl
        self._prefix = f"{prefix}:once:{namespace}:"

    async def first(self, key: str) -> bool:
        """Raises StateUnavailable when Redis is down: the caller cannot know, so it must not act
        (the receiver answers 503 and GitHub can redeliver)."""
        try:
            return bool(await self.redis.set(self._prefix + key, b"1", nx=True, ex=self.ttl))
        except UNAVAILABLE as exc:
            raise StateUnavailable(f"cannot record {key!r}: Redis is unreachable ({describe(exc)})") from None

    async def forget(self, key: str) -> None:
        """Let ``key`` be handled again (the handling failed before it could take effect)."""
        try:
            await self.redis.delete(self._prefix + key)
        except UNAVAILABLE as exc:
            raise StateUnavailable(f"cannot forget {key!r}: Redis is unreachable ({describe(exc)})") from None
