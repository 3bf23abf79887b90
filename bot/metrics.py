"""Prometheus metrics of one running App (served at GET /metrics).

The registry belongs to the app's context, not to the module, so tests and several apps in one
process never share counters. Gauges that describe state held elsewhere (queue depth, cache hit
ratio, breaker state) are computed on scrape by ``refresh``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

if TYPE_CHECKING:
    from bot.agents.team import AgentReview

log = logging.getLogger(__name__)
QUEUE_DEPTH_SECONDS = 2.0  # a scrape waits no longer for Redis

# Label values come from a known set, so a sender cannot grow the series without bound.
KNOWN_EVENTS = frozenset(
    {
        "check_run",
        "check_suite",
        "installation",
        "installation_repositories",
        "issue_comment",
        "ping",
        "pull_request",
        "pull_request_review",
        "pull_request_review_comment",
        "push",
    }
)
RESULTS = {200: "ok", 202: "accepted", 400: "malformed", 401: "unauthenticated", 413: "too_large"}
RATE_RESOURCES = frozenset({"core", "graphql", "search", "code_search", "integration_manifest"})
BREAKER_STATES = {"closed": 0, "half-open": 1, "open": 2}
STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.llm_tokens = Counter(
            "review_bot_llm_tokens", "Tokens the agent dialogue used", ["kind"], registry=self.registry
        )
        self.dialogues = Counter(
            "review_bot_agent_dialogues",
            "Agent dialogues, by whether they ran",
            ["result"],
            registry=self.registry,
        )
        self.reviews = Counter(
            "review_bot_reviews", "Reviews finished, by how they ended", ["result"], registry=self.registry
        )
        self.deliveries = Counter(
            "review_bot_webhook_deliveries",
            "Webhook deliveries received, by event and by how they were answered",
            ["event", "result"],
            registry=self.registry,
        )
        # With REDIS_URL, workers route the deliveries receivers appended to the intake
        # (bot/delivery.py): what became of each, counted where it was routed.
        self.routed = Counter(
            "review_bot_webhook_routed",
            "Deliveries a worker routed from the intake, by event and by what became of them",
            ["event", "result"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "review_bot_queue_depth",
            "Review jobs waiting (queued or waiting for a retry), per priority lane; with REDIS_URL,"
            ' priority="intake" counts the deliveries not yet routed (each becomes at most one job)',
            ["priority"],
            registry=self.registry,
        )
        self.stage_seconds = Histogram(
            "review_bot_job_stage_seconds",
            "Seconds one review spent in each stage (fetch, analyze, dialogue, publish)",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=self.registry,
        )
        self.github_calls = Counter(
            "review_bot_github_calls",
            "GitHub API requests (each attempt), by HTTP status ('error': no answer)",
            ["status"],
            registry=self.registry,
        )
        self.github_remaining = Gauge(
            "review_bot_github_rate_limit_remaining",
            "Requests left in GitHub's rate-limit window, as its last answer said",
            ["resource"],
            registry=self.registry,
        )
        self.cache_hit_ratio = Gauge(
            "review_bot_analysis_cache_hit_ratio",
            "Share of analysis-cache lookups answered from the cache since start",
            ["level"],
            registry=self.registry,
        )
        self.breaker_state = Gauge(
            "review_bot_github_breaker_state",
            "Circuit breaker per GitHub host: 0 closed, 1 half-open, 2 open",
            ["host"],
            registry=self.registry,
        )
        self.github_hosts: set[str] = set()  # seen by observe_github; their breakers are read on scrape

    def count_dialogue(self, review: AgentReview) -> None:
        self.count_tokens(review.prompt_tokens, review.completion_tokens)
        self.dialogues.labels(result="skipped" if review.skipped else "ran").inc()

    def count_tokens(self, prompt: int, completion: int) -> None:
        """Tokens of one model call outside a dialogue (e.g. a question answered with /ask)."""
        self.llm_tokens.labels(kind="prompt").inc(prompt)
        self.llm_tokens.labels(kind="completion").inc(completion)

    def count_delivery(self, event: str | None, status: int) -> None:
        self.deliveries.labels(*_event_and_result(event, status)).inc()

    def count_routed(self, event: str, status: int) -> None:
        self.routed.labels(*_event_and_result(event, status)).inc()

    def observe_github(self, url: str, status: int | None, headers: Mapping[str, str]) -> None:
        """The GitHub client's hook: one attempt's status and the rate limit its answer reports."""
        self.github_hosts.add(urlsplit(url).netloc)
        self.github_calls.labels(status=str(status) if status is not None else "error").inc()
        remaining = headers.get("X-RateLimit-Remaining")
        if remaining is not None and remaining.isdigit():
            resource = headers.get("X-RateLimit-Resource") or "core"
            resource = resource if resource in RATE_RESOURCES else "other"
            self.github_remaining.labels(resource=resource).set(int(remaining))

    async def refresh(self, queue: Any, cache: Any, breakers: Any, intake: Any = None) -> None:
        """Set the gauges that mirror state held elsewhere (called on each scrape)."""
        depth = getattr(queue, "depth", None)
        if depth is not None:
            try:
                async with asyncio.timeout(QUEUE_DEPTH_SECONDS):
                    counts = await depth()
                    if intake is not None:
                        counts = {**counts, "intake": await intake.depth()}
            except Exception as exc:  # Redis down: the scrape still answers (that is when it matters)
                log.warning("queue depth unavailable for /metrics: %s", type(exc).__name__)
                counts = {}
            for lane, count in counts.items():
                self.queue_depth.labels(priority=lane).set(count)
        elif (pending := getattr(queue, "pending_count", None)) is not None:  # a queue without lanes
            self.queue_depth.labels(priority="all").set(pending())
        for level, ratio in cache_ratios(cache).items():
            self.cache_hit_ratio.labels(level=level).set(ratio)
        if breakers is not None:
            for host in sorted(self.github_hosts):
                self.breaker_state.labels(host=host).set(BREAKER_STATES.get(breakers.state(host), 0))

    def render(self) -> bytes:
        return generate_latest(self.registry)


def _event_and_result(event: str | None, status: int) -> tuple[str, str]:
    name = event if event in KNOWN_EVENTS else "other"
    result = RESULTS.get(status) or ("unavailable" if status == 503 else f"http_{status // 100}xx")
    return name, result


def cache_ratios(cache: Any) -> dict[str, float]:
    """Hit ratios of the analysis cache: TwoLevelCache's stats (all, l1, l2), MemoryCache's counts."""
    stats = getattr(cache, "stats", None)
    if stats is not None and hasattr(stats, "lookups"):
        lookups = stats.lookups
        l2_lookups = stats.l2_hits + stats.misses
        return {
            "all": stats.hit_ratio,
            "l1": stats.l1_hits / lookups if lookups else 0.0,
            "l2": stats.l2_hits / l2_lookups if l2_lookups else 0.0,
        }
    hits, misses = getattr(cache, "hits", None), getattr(cache, "misses", None)
    if isinstance(hits, int) and isinstance(misses, int):
        return {"all": hits / (hits + misses) if hits + misses else 0.0}
    return {}
