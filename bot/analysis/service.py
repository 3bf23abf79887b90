"""The REST API's analyses: submit returns at once (queued), a bounded pool of tasks in this
process runs them by priority, each with a timeout; records live in the store (memory, or Redis
so that any replica's GET sees them), live events go to ``analysis:{id}`` on the app's channel.

Why in-process even with REDIS_URL (not a saq lane): an analysis fetches a repository the API
caller named, so it runs where the API (and its allow-list and DNS checks) is; the record, not
the work, is what replicas share. A replica that dies leaves its lease to lapse, and the next
GET of that analysis reports it failed instead of "running" forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from bot.analysis.models import Analysis, AnalysisRequest
from bot.analysis.store import LEASE_SECONDS, AnalysisStore, MemoryAnalysisStore, RedisAnalysisStore
from bot.analysis.targets import Resolver, TargetRejected, check_request
from bot.config import AnalysisSettings, ReviewSettings
from bot.redis_client import UNAVAILABLE, describe, stop_tasks

if TYPE_CHECKING:
    from analyzers.cache import AnalysisCache
    from bot.agents.config import AgentConfig
    from bot.analysis.runner import Finished, RunResult
    from bot.events import EventChannel

__all__ = ["ANALYSES", "AnalysisBusy", "AnalysisService", "TargetRejected", "analysis_ctx"]

log = logging.getLogger(__name__)
PRIORITY_RANK = {"high": 0, "normal": 1, "low": 2}
LOST = "the server running this analysis stopped before it finished; submit it again"
HISTORY_TIMEOUT = 30.0  # seconds to record a finished analysis; the next one waits no longer
STOPPED = "the server shut down before the analysis finished; submit it again"


class AnalysisBusy(Exception):
    """Too many analyses are waiting already (the API answers 503 with Retry-After)."""


class PrincipalLike(Protocol):
    """bot/api/principal.py's Principal, as far as this service needs it."""

    @property
    def user(self) -> str: ...
    @property
    def org(self) -> str: ...


class Recorder(Protocol):
    """bot/history's HistoryStore, as far as this service needs it."""

    async def record(self, record: Any) -> None: ...


# Runs one analysis: bot/analysis/runner.py's run_analysis (tests pass their own).
Runner = Callable[[Analysis, "AnalysisService"], Awaitable["RunResult"]]


@dataclass(order=True)
class _Queued:
    rank: int  # PRIORITY_RANK: high first
    order: int  # then first come, first served
    analysis_id: str = field(compare=False)


class AnalysisService:
    def __init__(
        self,
        settings: AnalysisSettings,
        *,
        review: ReviewSettings | None = None,
        store: AnalysisStore | None = None,
        events: EventChannel | None = None,
        cache: AnalysisCache | None = None,
        agents: AgentConfig | None = None,
        history: Recorder | None = None,
        runner: Runner | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.settings = settings
        self.review = review or ReviewSettings()  # the server's defaults; the base branch's config on top
        self.resolver = resolver
        self.store: AnalysisStore = store or MemoryAnalysisStore()
        self.events = events
        self.cache = cache
        self.agents = agents
        self.history = history
        if runner is None:
            from bot.analysis.runner import run_analysis

            runner = run_analysis
        self.runner: Runner = runner
        self._queue: asyncio.PriorityQueue[_Queued] = asyncio.PriorityQueue()
        self._order = itertools.count()
        self._mine: set[str] = set()  # queued or running in this process (their leases are renewed)
        self._tasks: list[asyncio.Task[None]] = []
        self.running = 0  # how many run right now (tests check the bound)
        self.peak_running = 0

    # -- the contract -------------------------------------------------------------------------

    async def submit(self, request: AnalysisRequest, principal: PrincipalLike) -> Analysis:
        """Check the target (TargetRejected: why not), record it queued, return at once
        (AnalysisBusy: too many waiting, or the store is down)."""
        self._check_room()
        await check_request(request, self.settings, self.resolver)
        self._check_room()  # again: others may have come in while the host was resolved
        analysis = Analysis(
            id=secrets.token_hex(12),
            status="queued",
            user=principal.user,
            org=principal.org,
            created_at=datetime.now(UTC),
            request=request,
        )
        self._mine.add(analysis.id)  # the place is taken before the writes below yield
        try:
            await self.store.hold([analysis.id])
            await self.store.put(analysis)
        except UNAVAILABLE as exc:
            self._mine.discard(analysis.id)
            raise AnalysisBusy(
                f"the analysis store is unavailable ({describe(exc)}); try again later"
            ) from None
        self._queue.put_nowait(_Queued(PRIORITY_RANK[request.priority], next(self._order), analysis.id))
        return analysis

    def _check_room(self) -> None:
        if len(self._mine) >= self.settings.max_pending:
            raise AnalysisBusy(f"{len(self._mine)} analyses are already waiting; try again later")

    async def get(self, analysis_id: str) -> Analysis | None:
        analysis = await self.store.get(analysis_id)
        if (
            analysis is not None
            and analysis.status in ("queued", "running")
            and analysis_id not in self._mine
            and not await self.store.held(analysis_id)
        ):
            analysis = analysis.model_copy(
                update={"status": "failed", "error": LOST, "finished_at": datetime.now(UTC)}
            )
            await self.store.put(analysis)
        return analysis

    async def list(self, principal: PrincipalLike, *, page: int, per_page: int) -> tuple[list[Analysis], int]:
        """The caller's analyses, newest first; an admin sees those of the whole organisation."""
        page, per_page = max(1, page), max(1, min(per_page, 100))
        user = None if getattr(principal, "role", "") == "admin" else principal.user
        ids, total = await self.store.page(principal.org, user, page=page, per_page=per_page)
        found = [await self.get(i) for i in ids]
        return [a for a in found if a is not None], total

    async def sarif(self, analysis_id: str) -> dict[str, Any] | None:
        return await self.store.sarif(analysis_id)

    # -- running ------------------------------------------------------------------------------

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._work(), name=f"analysis-worker-{n}")
            for n in range(self.settings.concurrency)
        ]
        self._tasks.append(loop.create_task(self._renew_leases(), name="analysis-leases"))

    async def stop(self, *, fail_unfinished: bool = True) -> None:
        """Cancel the work; what was queued or running is recorded failed (unless the caller
        wants to leave that to the lease, as a killed process would)."""
        unfinished = sorted(self._mine)
        # Until done: a cancellation lost in a client library would leave one running.
        await stop_tasks(*self._tasks)
        self._tasks = []
        if fail_unfinished and unfinished:
            with contextlib.suppress(Exception, TimeoutError):  # the store may be gone already
                async with asyncio.timeout(5):
                    for analysis_id in unfinished:
                        await self._fail(analysis_id, STOPPED)
        self._mine.clear()

    async def _fail(self, analysis_id: str, error: str) -> None:
        analysis = await self.store.get(analysis_id)
        if analysis is not None and analysis.status in ("queued", "running"):
            ended = {"status": "failed", "error": error, "finished_at": datetime.now(UTC)}
            await self.store.put(analysis.model_copy(update=ended))
            self.publish(analysis_id, {"type": "error", "status": "failed", "error": error})

    def idle(self) -> bool:
        """Nothing queued or running in this process."""
        return not self._mine

    def publish(self, analysis_id: str, event: dict[str, Any]) -> None:
        if self.events is not None:
            self.events.publish(f"analysis:{analysis_id}", {"analysis_id": analysis_id, **event})

    async def _work(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                await self._run_one(item.analysis_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # never lose the worker; the record already says failed where it can
                log.exception("analysis %s: unexpected failure", item.analysis_id)
            finally:
                self._mine.discard(item.analysis_id)

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(LEASE_SECONDS / 3)
            with contextlib.suppress(Exception):  # Redis down: the lease may lapse, GETs say failed
                await self.store.hold(sorted(self._mine))

    async def _run_one(self, analysis_id: str) -> None:
        from bot.analysis.runner import finish

        analysis = await self.store.get(analysis_id)
        if analysis is None:
            return
        analysis = analysis.model_copy(update={"status": "running", "started_at": datetime.now(UTC)})
        await self.store.put(analysis)
        request = analysis.request
        self.publish(
            analysis_id,
            {"type": "analysis_started", "repository": request.repository, "base": request.base,
             "head": request.head},
        )  # fmt: skip
        self.running += 1
        self.peak_running = max(self.peak_running, self.running)
        try:
            finished = await finish(analysis, self)
        finally:
            self.running -= 1
        await self.store.put(finished.analysis, sarif=finished.sarif)
        await self._record_history(finished)  # before the last event: a client told "done" sees it in trends
        ended = finished.analysis
        if ended.status == "done":
            self.publish(analysis_id, {"type": "result", **finished.summary, "status": "done"})
        else:
            self.publish(analysis_id, {"type": "error", "status": "failed", "error": ended.error})

    async def _record_history(self, finished: Finished) -> None:
        if self.history is None:
            return
        from bot.analysis.runner import history_record

        try:
            async with asyncio.timeout(HISTORY_TIMEOUT):
                await self.history.record(history_record(finished))
        except Exception as exc:  # the history is a report on the work, never a reason to lose it
            log.warning(
                "analysis %s: not recorded in the history (%s)", finished.analysis.id, type(exc).__name__
            )


ANALYSES = web.AppKey("analyses", AnalysisService)


async def analysis_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: build the service from the app's context and history (list it after bot/web.py's
    context_ctx and history_ctx) and stop it on shutdown, recording what it leaves unfinished failed."""
    from bot.web import CONTEXT, SETTINGS

    if ANALYSES in app:  # set up already (by a test, or listed twice): that one's owner stops it
        yield
        return
    settings = app[SETTINGS].analysis
    ctx = app[CONTEXT] if CONTEXT in app else None
    redis = ctx.redis if ctx is not None else None
    store: AnalysisStore = (
        RedisAnalysisStore(redis, retention_seconds=settings.retention_seconds)
        if redis is not None
        else MemoryAnalysisStore(max_records=settings.max_records)
    )
    from bot.history.store import HISTORY  # here: the database libraries load only when an app starts

    history = app.get(HISTORY)  # bot/web.py's history_ctx comes first
    service = AnalysisService(
        settings,
        review=app[SETTINGS].review,
        store=store,
        events=ctx.events if ctx is not None else None,
        cache=ctx.cache if ctx is not None else None,
        agents=ctx.agent_config if ctx is not None else None,
        history=history,
    )
    app[ANALYSES] = service
    service.start()
    yield
    await service.stop()
