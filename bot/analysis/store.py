"""Where analysis records live: this process's memory without Redis, Redis with it (so that any
replica's GET sees an analysis, whichever replica runs it)."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import Any, Protocol

from redis.asyncio import Redis

from bot.analysis.models import Analysis

PREFIX = "review-bot:analysis:"
INDEX = "review-bot:analyses:"  # sorted sets per organisation and per user, by creation time
LEASE_SECONDS = 60  # a queued or running analysis whose lease lapsed lost its process


def index_key(org: str, user: str | None) -> str:
    return f"{INDEX}org:{org}" if user is None else f"{INDEX}user:{len(org)}:{org}:{user}"


class AnalysisStore(Protocol):
    async def put(self, analysis: Analysis, *, sarif: dict[str, Any] | None = None) -> None: ...
    async def get(self, analysis_id: str) -> Analysis | None: ...
    async def sarif(self, analysis_id: str) -> dict[str, Any] | None: ...
    async def page(self, org: str, user: str | None, *, page: int, per_page: int) -> tuple[list[str], int]:
        """Ids of the organisation's analyses (only ``user``'s, unless None), newest first, and how many."""
        ...

    async def hold(self, analysis_ids: list[str]) -> None:
        """Renew the lease of analyses this process still has queued or running."""
        ...

    async def held(self, analysis_id: str) -> bool: ...


class MemoryAnalysisStore:
    """Bounded: past ``max_records`` the oldest analyses are forgotten (finished ones first)."""

    def __init__(self, *, max_records: int = 10_000) -> None:
        self.max_records = max_records
        self._records: OrderedDict[str, Analysis] = OrderedDict()
        self._sarif: dict[str, dict[str, Any]] = {}

    async def put(self, analysis: Analysis, *, sarif: dict[str, Any] | None = None) -> None:
        self._records[analysis.id] = analysis
        if sarif is not None:
            self._sarif[analysis.id] = sarif
        while len(self._records) > self.max_records:
            victim = next((k for k, v in self._records.items() if v.status in ("done", "failed")), None)
            victim = victim or next(iter(self._records))
            del self._records[victim]
            self._sarif.pop(victim, None)

    async def get(self, analysis_id: str) -> Analysis | None:
        return self._records.get(analysis_id)

    async def sarif(self, analysis_id: str) -> dict[str, Any] | None:
        return self._sarif.get(analysis_id)

    async def page(self, org: str, user: str | None, *, page: int, per_page: int) -> tuple[list[str], int]:
        ids = [
            k for k, v in reversed(self._records.items()) if v.org == org and user in (None, v.user)
        ]  # newest first
        start = (page - 1) * per_page
        return ids[start : start + per_page], len(ids)

    async def hold(self, analysis_ids: list[str]) -> None:
        return None

    async def held(self, analysis_id: str) -> bool:
        return True  # the only process that could run it is this one, and it is alive


class RedisAnalysisStore:
    """Records as JSON with a retention TTL, SARIF beside them, an index per organisation, and a
    lease per analysis in flight renewed by the process that runs it."""

    def __init__(self, redis: Redis, *, retention_seconds: int) -> None:
        self.redis = redis
        self.retention = retention_seconds

    async def put(self, analysis: Analysis, *, sarif: dict[str, Any] | None = None) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(PREFIX + analysis.id, analysis.model_dump_json(), ex=self.retention)
        if sarif is not None:
            pipe.set(f"{PREFIX}{analysis.id}:sarif", json.dumps(sarif), ex=self.retention)
        for index in (index_key(analysis.org, None), index_key(analysis.org, analysis.user)):
            pipe.zadd(index, {analysis.id: analysis.created_at.timestamp()}, nx=True)
            # Entries older than the retention have lost their record: trim them as we go.
            pipe.zremrangebyscore(index, "-inf", time.time() - self.retention)
            pipe.expire(index, self.retention)
        await pipe.execute()

    async def get(self, analysis_id: str) -> Analysis | None:
        raw = await self.redis.get(PREFIX + analysis_id)
        return Analysis.model_validate_json(raw) if raw is not None else None

    async def sarif(self, analysis_id: str) -> dict[str, Any] | None:
        raw = await self.redis.get(f"{PREFIX}{analysis_id}:sarif")
        return json.loads(raw) if raw is not None else None

    async def page(self, org: str, user: str | None, *, page: int, per_page: int) -> tuple[list[str], int]:
        index = index_key(org, user)
        start = (page - 1) * per_page
        ids = await self.redis.zrevrange(index, start, start + per_page - 1)
        total = await self.redis.zcard(index)
        return [i.decode() if isinstance(i, bytes) else str(i) for i in ids], int(total)

    async def hold(self, analysis_ids: list[str]) -> None:
        if not analysis_ids:
            return
        pipe = self.redis.pipeline(transaction=False)
        for analysis_id in analysis_ids:
            pipe.set(f"{PREFIX}{analysis_id}:lease", b"1", ex=LEASE_SECONDS)
        await pipe.execute()

    async def held(self, analysis_id: str) -> bool:
        return bool(await self.redis.exists(f"{PREFIX}{analysis_id}:lease"))
