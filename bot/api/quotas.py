"""Per-minute limits and daily quotas of the REST API, by the role's tier (the ``limits`` library).

Counters live in memory by default and in Redis with REDIS_URL, so that replicas share them.
Each limited request counts once against both: the per-minute rate (a sliding window counter:
no burst at a window's edge) and the daily quota (a fixed window that starts at the first
request of the day). A request refused by the rate does not use quota.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter, SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from bot.api.principal import Principal
from bot.api.settings import ApiSettings

PREFIX = "review-bot-api"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int  # of the limit nearest to refusing (the one the X-RateLimit-* headers describe)
    remaining: int
    reset: float  # seconds since the epoch when that window resets
    which: str  # "rate" or "quota"

    def headers(self) -> dict[str, str]:
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.remaining)),
            "X-RateLimit-Reset": str(math.ceil(self.reset)),
        }
        if not self.allowed:
            out["Retry-After"] = str(max(1, math.ceil(self.reset - time.time())))
        return out


@dataclass(frozen=True)
class Usage:
    used: int
    quota: int
    remaining: int
    resets_at: float


def make_storage(redis_url: str | None) -> Storage:
    if not redis_url:
        return MemoryStorage()
    scheme, _, rest = redis_url.partition("://")
    # limits names its schemes after the client: redis:// -> async+redis://, unix:// -> async+redis+unix://
    scheme = {"unix": "redis+unix"}.get(scheme, scheme)
    storage = storage_from_string(f"async+{scheme}://{rest}", implementation="redispy")
    if not isinstance(storage, Storage):  # an async+ scheme gives the asyncio variant
        raise TypeError("the limits storage for REDIS_URL is not an asyncio one")
    return storage


class Limiter:
    def __init__(self, settings: ApiSettings, storage: Storage | None = None) -> None:
        self.settings = settings
        self.storage = storage or make_storage(settings.redis_url)
        self._rate = SlidingWindowCounterRateLimiter(self.storage)
        self._quota = FixedWindowRateLimiter(self.storage)
        self._items: dict[tuple[str, str], RateLimitItem] = {}

    def _item(self, kind: str, role: str) -> RateLimitItem:
        cached = self._items.get((kind, role))
        if cached is None:
            tier = self.settings.tiers[role]
            if kind == "rate":
                cached = parse(f"{tier.per_minute} per {self.settings.rate_window}")
            elif kind == "quota":
                cached = parse(f"{tier.daily} per {self.settings.quota_window}")
            else:  # the token route: per client address, whatever the role
                cached = parse(f"{self.settings.token_requests_per_minute} per {self.settings.rate_window}")
            self._items[(kind, role)] = cached
        return cached

    async def hit(self, principal: Principal) -> Verdict:
        who = f"{principal.org}/{principal.user}"
        rate, quota = self._item("rate", principal.role), self._item("quota", principal.role)
        if not await self._rate.hit(rate, PREFIX, "rate", who):
            stats = await self._rate.get_window_stats(rate, PREFIX, "rate", who)
            return Verdict(False, rate.amount, 0, stats.reset_time, "rate")
        allowed = await self._quota.hit(quota, PREFIX, "quota", who)
        quota_stats = await self._quota.get_window_stats(quota, PREFIX, "quota", who)
        if not allowed:
            return Verdict(False, quota.amount, 0, quota_stats.reset_time, "quota")
        rate_stats = await self._rate.get_window_stats(rate, PREFIX, "rate", who)
        # Describe whichever limit is nearer to refusing, as a share of its size.
        if quota_stats.remaining / quota.amount < rate_stats.remaining / rate.amount:
            return Verdict(True, quota.amount, quota_stats.remaining, quota_stats.reset_time, "quota")
        return Verdict(True, rate.amount, rate_stats.remaining, rate_stats.reset_time, "rate")

    async def hit_anonymous(self, address: str) -> Verdict:
        item = self._item("token", "read")
        allowed = await self._rate.hit(item, PREFIX, "token", address)
        stats = await self._rate.get_window_stats(item, PREFIX, "token", address)
        return Verdict(allowed, item.amount, stats.remaining, stats.reset_time, "rate")

    async def usage(self, principal: Principal) -> Usage:
        quota = self._item("quota", principal.role)
        stats = await self._quota.get_window_stats(
            quota, PREFIX, "quota", f"{principal.org}/{principal.user}"
        )
        return Usage(quota.amount - stats.remaining, quota.amount, stats.remaining, stats.reset_time)
