"""The objects one running App shares: settings, HTTP session, token cache, queue, resilience."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import aiohttp

from analyzers.cache import AnalysisCache, MemoryCache
from bot.agent_config import AgentConfig
from bot.auth import InstallationTokens
from bot.config import Settings
from bot.events import EventChannel
from bot.github import CircuitBreakers, GitHubClient, GitHubHTTPError, MutationThrottle, RetryPolicy
from bot.metrics import Metrics
from bot.queue import ReviewQueue

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


def build_context(
    settings: Settings,
    session: aiohttp.ClientSession,
    queue: ReviewQueue,
    *,
    retry: RetryPolicy | None = None,
    agent_config: AgentConfig | None = None,
) -> BotContext:
    app_client = GitHubClient(
        session,
        requester=USER_AGENT,
        base_url=settings.api_url,
        throttle=MutationThrottle(settings.mutation_interval),
        breaker=CircuitBreakers(
            failure_threshold=settings.breaker_failures, reset_timeout=settings.breaker_reset
        ),
        retry=retry or RetryPolicy(),
    )
    tokens = InstallationTokens(app_client, settings.app_id or "", settings.private_key or "")
    return BotContext(
        settings=settings,
        session=session,
        queue=queue,
        app_client=app_client,
        tokens=tokens,
        cache=MemoryCache(),
        agent_config=agent_config,
    )
