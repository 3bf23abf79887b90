"""A two-level analysis cache: L1 in this process (MemoryCache), L2 in Redis, shared by all workers.

It implements analyzers.cache.AnalysisCache with the same keys (content hash + analyzer + version
+ configuration), so the runner does not know which cache it has. L2 values are zlib-compressed
(findings JSON compresses about tenfold) and expire after ``ttl``; an L2 hit is copied into L1.
A Redis failure is a miss, never a failed review. Counters (``stats()``) feed the hit-ratio
metrics. This module needs only redis-py, not the bot: analyzers stay a library usable alone.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from redis import exceptions as redis_errors
from redis.asyncio import Redis

from analyzers.cache import DEFAULT_ENTRY_BYTES, DEFAULT_TTL, MemoryCache

FORMAT_ZLIB = b"z"  # the first byte of an L2 value says how the rest is encoded
REDIS_FAILURES = (redis_errors.RedisError, OSError)


@dataclass
class CacheStats:
    l1_hits: int = 0
    l2_hits: int = 0
    misses: int = 0
    l2_errors: int = 0  # Redis unreachable or a corrupt value: counted as misses too
    l2_bytes_written: int = 0  # compressed
    l2_bytes_raw: int = 0  # before compression

    @property
    def lookups(self) -> int:
        return self.l1_hits + self.l2_hits + self.misses

    @property
    def hit_ratio(self) -> float:
        return (self.l1_hits + self.l2_hits) / self.lookups if self.lookups else 0.0


class TwoLevelCache:
    def __init__(
        self,
        redis: Redis,
        *,
        l1: MemoryCache | None = None,
        ttl: int = int(DEFAULT_TTL),
        max_entry_bytes: int = DEFAULT_ENTRY_BYTES,
        level: int = 6,
    ) -> None:
        self.redis = redis
        self.l1 = l1 if l1 is not None else MemoryCache()
        self.ttl = ttl
        self.max_entry_bytes = max_entry_bytes
        self.level = level
        self.stats = CacheStats()

    async def get(self, key: str) -> bytes | None:
        value = await self.l1.get(key)
        if value is not None:
            self.stats.l1_hits += 1
            return value
        try:
            raw = await self.redis.get(key)
        except REDIS_FAILURES:
            self.stats.l2_errors += 1
            raw = None
        value = self._decode(raw) if raw is not None else None
        if value is None:
            self.stats.misses += 1
            return None
        self.stats.l2_hits += 1
        await self.l1.set(key, value)
        return value

    async def set(self, key: str, value: bytes) -> None:
        await self.l1.set(key, value)
        if len(key) + len(value) > self.max_entry_bytes:
            return  # too big to be worth sharing, as in L1
        sealed = FORMAT_ZLIB + zlib.compress(value, self.level)
        try:
            await self.redis.set(key, sealed, ex=self.ttl)
        except REDIS_FAILURES:
            self.stats.l2_errors += 1
            return
        self.stats.l2_bytes_written += len(sealed)
        self.stats.l2_bytes_raw += len(value)

    def _decode(self, raw: bytes) -> bytes | None:
        """The value, or None for anything this version cannot read or that inflates past the cap."""
        if not raw.startswith(FORMAT_ZLIB):
            self.stats.l2_errors += 1
            return None
        inflate = zlib.decompressobj()
        try:
            value = inflate.decompress(raw[1:], self.max_entry_bytes + 1)  # bounded: no zip bomb
        except zlib.error:
            self.stats.l2_errors += 1
            return None
        if len(value) > self.max_entry_bytes or inflate.unconsumed_tail or not inflate.eof:
            self.stats.l2_errors += 1
            return None
        return value
