"""The objects one running App shares: settings, HTTP session, token cache, queue, resilience."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp
from cachetools import TTLCache
from opentelemetry import trace
from redis.asyncio import Redis

from analyzers.cache import AnalysisCache, MemoryCache
from analyzers.cache_redis import TwoLevelCache
from bot.agents.config import AgentConfig
from bot.config import Settings
from bot.events import EventChannel
from bot.github.auth import InstallationTokens
from bot.github.client import CircuitBreakers, GitHubClient, GitHubHTTPError, MutationThrottle, RetryPolicy
from bot.github.pr_state import derive_state_key
from bot.github.pull_request import PullRequest
from bot.github.redis_throttle import RedisMutationThrottle
from bot.github.redis_tokens import SharedInstallationTokens
from bot.keyed_locks import KeyedLocks, PRLock
from bot.metrics import Metrics
from bot.once import InProcessOnce, Once, RedisOnce
from bot.queue import ReviewQueue
from bot.rate_windows import InProcessRateWindows, RateWindows, RedisRateWindows
from bot.redis_client import stop_tasks
from bot.redis_locks import RedisPRLocks

if TYPE_CHECKING:  # SQLAlchemy is imported only where the history is opened
    from bot.history.store import HistoryStore

USER_AGENT = "autogen-review-bot"
log = logging.getLogger(__name__)


@dataclass
class BotContext:
    settings: Settings
    session: aiohttp.ClientSession
    queue: ReviewQueue
    app_client: GitHubClient  # authenticates with the App's JWT (token requests only)
    tokens: InstallationTokens
    own_login: str | None = None  # "<app slug>[bot]", learned from GET /app on the first review
    cache: AnalysisCache | None = None  # analyzer results by file content; a re-review skips unchanged files
    agent_config: AgentConfig | None = None  # the agent dialogue; None: reviews run without it
    events: EventChannel = field(default_factory=EventChannel)  # live agent messages, by review
    metrics: Metrics = field(default_factory=Metrics)
    tracer: trace.Tracer = field(default_factory=trace.NoOpTracer)  # bot/observability.py
    # Slash-commands (bot/commands/dispatch.py): commenters' permissions for a minute, per-PR rate windows,
    # comment ids already handled (a redelivered webhook runs nothing twice), per-PR state locks.
    # The last three are shared through Redis when one is configured (build_context).
    permissions: TTLCache[Any, str] = field(default_factory=lambda: TTLCache(10_000, 60))
    command_windows: RateWindows = field(default_factory=InProcessRateWindows)
    handled_comments: Once = field(default_factory=InProcessOnce)
    # Never a cache: an evicted lock may be held, and a second holder of "the" PR's lock would race.
    state_locks: PRLock = field(default_factory=KeyedLocks)
    redis: Redis | None = None  # the shared store (REDIS_URL); None: everything in this process
    history: HistoryStore | None = None  # the review history (bot/history/); None: reviews not recorded
    background: set[asyncio.Task[None]] = field(default_factory=set)
    # Signs the PR state markers; the same on every replica (bot/github/pr_state.py).
    state_key: bytes = field(default_factory=lambda: derive_state_key(None, None), repr=False)

    def spawn(self, coro: Coroutine[Any, Any, None], name: str = "") -> asyncio.Task[None]:
        """Run webhook work off the request path; keep a reference and log what it raises."""
        task = asyncio.get_running_loop().create_task(coro, name=name or None)
        self.background.add(task)
        task.add_done_callback(self._background_done)
        return task

    def _background_done(self, task: asyncio.Task[None]) -> None:
        self.background.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("background task %s failed: %s", task.get_name(), exc, exc_info=exc)

    def background_idle(self) -> bool:
        return not self.background

    async def cancel_background(self) -> None:
        # Until done: a cancellation lost in a client library would leave one running.
        await stop_tasks(*self.background)

    async def learn_own_login(self) -> str | None:
        """The bot's own login, to tell its comments from other bots' (None if GitHub won't say)."""
        if self.own_login is None:
            try:
                app = await self.tokens.app_client().getitem("/app")
                self.own_login = f"{app['slug']}[bot]"
            except (GitHubHTTPError, KeyError, TypeError) as exc:
                log.warning("cannot learn the App's own login (%s); trusting comment markers alone", exc)
        return self.own_login

    def installation_client(self, installation_id: int) -> GitHubClient:
        """A client acting as one installation; refreshes its token on a 401."""

        async def token(refresh: bool) -> str:
            return await self.tokens.get(installation_id, refresh=refresh)

        return self.app_client.derive(token_provider=token, throttle_key=installation_id)

    async def pull_request(
        self, installation_id: int, owner: str, repo: str, number: int, gh: GitHubClient | None = None
    ) -> PullRequest:
        """The gateway for every call about one PR (bot/github/pull_request.py), acting as the
        installation, with the bot's own login, the state key and the per-PR state locks."""
        return PullRequest(
            gh or self.installation_client(installation_id),
            owner,
            repo,
            number,
            state_key=self.state_key,
            locks=self.state_locks,
            own_login=await self.learn_own_login(),
        )


def build_context(
    settings: Settings,
    session: aiohttp.ClientSession,
    queue: ReviewQueue,
    *,
    retry: RetryPolicy | None = None,
    agent_config: AgentConfig | None = None,
    redis: Redis | None = None,
) -> BotContext:
    """The context of one process. Without ``redis`` every role keeps its state in this process
    (the embedded default); with it, pacing, tokens, the analysis cache, the PR-state locks,
    handled comments and command rate windows are shared by every replica."""
    metrics = Metrics()
    throttle = (
        MutationThrottle(settings.mutation_interval)
        if redis is None
        else RedisMutationThrottle(redis, settings.mutation_interval)
    )
    app_client = GitHubClient(
        session,
        requester=USER_AGENT,
        base_url=settings.api_url,
        throttle=throttle,
        breaker=CircuitBreakers(
            failure_threshold=settings.breaker_failures, reset_timeout=settings.breaker_reset
        ),
        retry=retry or RetryPolicy(),
        on_response=metrics.observe_github,
    )
    state_key = derive_state_key(settings.state_secret, settings.webhook_secret)
    if redis is None:
        return BotContext(
            settings=settings,
            session=session,
            queue=queue,
            app_client=app_client,
            tokens=InstallationTokens(app_client, settings.app_id or "", settings.private_key or ""),
            cache=MemoryCache(),
            agent_config=agent_config,
            metrics=metrics,
            state_key=state_key,
        )
    return BotContext(
        settings=settings,
        session=session,
        queue=queue,
        app_client=app_client,
        tokens=SharedInstallationTokens(app_client, settings.app_id or "", settings.private_key or "", redis),
        cache=TwoLevelCache(redis),
        agent_config=agent_config,
        command_windows=RedisRateWindows(redis),
        handled_comments=RedisOnce(redis, "comments"),
        state_locks=RedisPRLocks(redis),
        redis=redis,
        metrics=metrics,
        state_key=state_key,
    )
