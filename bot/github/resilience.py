"""Retry policy, mutation throttle and circuit breakers that keep GitHub calls polite and bounded."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt, wait_random_exponential

from bot.github.errors import CircuitOpenError, GitHubHTTPError

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

# Failures of the network itself: worth retrying and a sign the host may be down.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    # ClientConnectionError covers ServerDisconnectedError, ClientConnectorError and ServerTimeoutError.
    aiohttp.ClientConnectionError,
    aiohttp.ClientPayloadError,
    TimeoutError,  # asyncio.TimeoutError is TimeoutError on 3.11
)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one logical request tries before its error reaches the caller."""

    attempts: int = 6
    initial: float = 0.5
    max_backoff: float = 30.0
    max_wait: float = 120.0
    request_timeout: float = 30.0
    # GitHub: a secondary limit without Retry-After or an exhausted limit means "wait at least a minute".
    secondary_min_wait: float = 60.0


def planned_wait(exc: BaseException, policy: RetryPolicy, attempt_number: int) -> float | None:
    """The wait GitHub asked for, or None when plain jittered backoff applies."""
    if not isinstance(exc, GitHubHTTPError):
        return None
    hinted = exc.retry_after_seconds
    if hinted is not None:
        return float(hinted)
    if exc.is_secondary_rate_limit:
        return policy.secondary_min_wait * 2.0 ** (attempt_number - 1)
    return None


def is_retryable(exc: BaseException) -> bool:
    """Transient network trouble and GitHub's own retryable answers; never a CircuitOpenError."""
    if isinstance(exc, GitHubHTTPError):
        return exc.retryable
    return isinstance(exc, TRANSIENT_ERRORS)


def build_retrying(policy: RetryPolicy, sleep: Sleep, *, what: str) -> AsyncRetrying:
    """A tenacity controller that honours GitHub's wait hints and gives up when they are too long."""
    backoff = wait_random_exponential(multiplier=policy.initial, max=policy.max_backoff)

    def should_retry(state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if exc is None or not is_retryable(exc):
            return False
        wait = planned_wait(exc, policy, state.attempt_number)
        if wait is not None and wait > policy.max_wait:
            log.warning("giving up on %s: GitHub asks to wait %.0fs (cap %.0fs)", what, wait, policy.max_wait)
            return False
        return True

    def wait_for(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = planned_wait(exc, policy, state.attempt_number) if exc else None
        return backoff(state) if hinted is None else hinted

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.info(
            "retrying %s in %.2fs after attempt %d: %s", what, wait, state.attempt_number, _describe(exc)
        )

    return AsyncRetrying(
        sleep=sleep,
        stop=stop_after_attempt(policy.attempts),
        wait=wait_for,
        retry=should_retry,
        before_sleep=before_sleep,
        reraise=True,
    )


def _describe(exc: BaseException | None) -> str:
    """Name an exception for a log line; our exceptions and aiohttp's connection errors hold no secrets."""
    return f"{type(exc).__name__}: {exc}" if exc else "no error"


class MutationThrottle:
    """Spaces the starts of mutating calls per installation, as GitHub asks (about one per second).

    A key whose next slot is in the past needs no entry, so idle keys are dropped (least recently
    used first, which costs only what is dropped); at most ``max_keys`` keys are kept even when
    all are busy, the least recently used giving up its reservation (at worst one of its calls
    starts early) rather than the map growing with every installation ever seen.
    """

    def __init__(
        self,
        interval: float = 1.0,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        max_keys: int = 4096,
    ):
        self.interval = interval
        self.max_keys = max_keys
        self._clock = clock
        self._sleep = sleep
        self._next_start: OrderedDict[Hashable, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._next_start)

    async def wait(self, key: Hashable) -> None:
        """Wait for this key's next free slot; slots are reserved without awaiting, so no lock is needed."""
        now = self._clock()
        self._forget_idle(now)
        start = max(now, self._next_start.pop(key, now))
        self._next_start[key] = start + self.interval  # now the most recently used
        if len(self._next_start) > self.max_keys:
            self._next_start.popitem(last=False)
        if start > now:
            await self._sleep(start - now)

    def _forget_idle(self, now: float) -> None:
        """Drop keys whose next slot is not in the future, from the least recently used on."""
        while self._next_start:
            key, next_start = next(iter(self._next_start.items()))
            if next_start > now:
                return
            del self._next_start[key]


@dataclass
class _Breaker:
    failures: int = 0
    opened_at: float | None = None
    trial_in_flight: bool = False


class CircuitBreakers:
    """One breaker per host, so a GitHub Enterprise outage does not stop calls to github.com."""

    def __init__(
        self, *, failure_threshold: int = 5, reset_timeout: float = 60.0, clock: Clock = time.monotonic
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.clock = clock
        self._hosts: dict[str, _Breaker] = {}

    def __repr__(self) -> str:
        return (
            f"CircuitBreakers(failure_threshold={self.failure_threshold}, reset_timeout={self.reset_timeout})"
        )

    def state(self, host: str) -> str:
        """'closed', 'open' or 'half-open', for logs and tests."""
        breaker = self._hosts.get(host)
        if breaker is None or breaker.opened_at is None:
            return "closed"
        if self.clock() - breaker.opened_at < self.reset_timeout:
            return "open"
        return "half-open"

    def before_call(self, host: str) -> None:
        """Refuse the call while the host's breaker is open; let one trial through once it is half-open."""
        breaker = self._hosts.setdefault(host, _Breaker())
        if breaker.opened_at is None:
            return
        remaining = breaker.opened_at + self.reset_timeout - self.clock()
        if remaining > 0:
            raise CircuitOpenError(host, remaining)
        if breaker.trial_in_flight:
            raise CircuitOpenError(host, min(1.0, self.reset_timeout))
        breaker.trial_in_flight = True

    def record_success(self, host: str) -> None:
        """The host answered: close its breaker and forget past failures."""
        breaker = self._hosts.setdefault(host, _Breaker())
        if breaker.opened_at is not None:
            log.info("circuit closed for %s", host)
        breaker.failures, breaker.opened_at, breaker.trial_in_flight = 0, None, False

    def record_failure(self, host: str) -> None:
        """Count a failure (5xx, connection error, timeout); open the breaker at the threshold."""
        breaker = self._hosts.setdefault(host, _Breaker())
        breaker.trial_in_flight = False
        breaker.failures += 1
        if breaker.opened_at is not None or breaker.failures >= self.failure_threshold:
            if breaker.opened_at is None:
                log.warning("circuit opened for %s after %d failures", host, breaker.failures)
            breaker.opened_at = self.clock()

    def release(self, host: str) -> None:
        """A call ended without a verdict (cancelled): free the half-open trial slot."""
        breaker = self._hosts.get(host)
        if breaker is not None:
            breaker.trial_in_flight = False
