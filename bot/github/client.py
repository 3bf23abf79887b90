"""The one GitHub REST client: gidgethub's API over a shared aiohttp session, made resilient.

Every call goes through `GitHubClient._request`, which adds the credential, spaces mutating
calls, consults the per-host circuit breaker, retries transient failures with tenacity and
turns any status >= 400 into `GitHubHTTPError` before gidgethub's own response parsing.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import gidgethub
import gidgethub.abc
from uritemplate import variable

from bot.github.errors import CircuitOpenError, GitHubHTTPError, error_from_response
from bot.github.resilience import (
    TRANSIENT_ERRORS,
    CircuitBreakers,
    MutationThrottle,
    RetryPolicy,
    Sleep,
    build_retrying,
)

__all__ = [
    "DEFAULT_API_URL",
    "CircuitBreakers",
    "CircuitOpenError",
    "GitHubClient",
    "GitHubHTTPError",
    "GraphQLError",
    "MutationThrottle",
    "RetryPolicy",
    "TokenProvider",
]

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_RETRY = RetryPolicy()
MUTATING_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})

# Called with refresh=True after a 401, so the provider fetches a new token instead of its cached one.
TokenProvider = Callable[[bool], Awaitable[str]]
# Told of every attempt: its URL, the status (None: no answer) and the response headers (metrics).
ResponseHook = Callable[[str, int | None, Mapping[str, str]], None]


class GitHubClient(gidgethub.abc.GitHubAPI):
    """gidgethub's GitHubAPI with retries, backoff, throttling and a circuit breaker."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        requester: str = "autogen-review-bot",
        base_url: str = DEFAULT_API_URL,
        token_provider: TokenProvider | None = None,
        jwt: str | None = None,
        throttle: MutationThrottle | None = None,
        breaker: CircuitBreakers | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        throttle_key: Hashable = None,
        sleep: Sleep = asyncio.sleep,
        on_response: ResponseHook | None = None,
    ) -> None:
        if token_provider is not None and jwt is not None:
            raise ValueError("pass either token_provider or jwt, not both")
        super().__init__(requester, base_url=base_url.rstrip("/"))
        self.session = session
        self.throttle = throttle
        self.breaker = breaker
        self.retry = retry
        self.throttle_key = throttle_key
        self._token_provider = token_provider
        self._jwt = jwt
        self._sleep = sleep
        self.on_response = on_response

    def __repr__(self) -> str:
        if self._token_provider is not None:
            auth = "installation token"
        else:
            auth = "app jwt" if self._jwt is not None else "none"
        return (
            f"GitHubClient(base_url={self.base_url!r}, requester={self.requester!r}, "
            f"auth={auth!r}, throttle_key={self.throttle_key!r})"
        )

    def derive(
        self,
        *,
        token_provider: TokenProvider | None = None,
        jwt: str | None = None,
        throttle_key: Hashable = None,
    ) -> GitHubClient:
        """A client with other credentials sharing this one's session, breaker, throttle and policy."""
        return GitHubClient(
            self.session,
            requester=self.requester,
            base_url=self.base_url,
            token_provider=token_provider,
            jwt=jwt,
            throttle=self.throttle,
            breaker=self.breaker,
            retry=self.retry,
            throttle_key=throttle_key,
            sleep=self._sleep,
            on_response=self.on_response,
        )

    def with_retry(self, retry: RetryPolicy) -> GitHubClient:
        """The same client (credentials included) under another retry policy."""
        return GitHubClient(
            self.session,
            requester=self.requester,
            base_url=self.base_url,
            token_provider=self._token_provider,
            jwt=self._jwt,
            throttle=self.throttle,
            breaker=self.breaker,
            retry=retry,
            throttle_key=self.throttle_key,
            sleep=self._sleep,
            on_response=self.on_response,
        )

    async def post_once(
        self, url: str, *, data: Any, find_existing: Callable[[], Awaitable[Any | None]]
    ) -> Any:
        """POST something GitHub does not deduplicate (a review, a comment) at most once.

        A 502 or a dropped connection does not say whether GitHub created the resource, so
        before each retry ``find_existing()`` looks for it (by a marker the caller put in its
        body) and returns it instead of posting a second copy.
        """
        single = self.with_retry(dataclasses.replace(self.retry, attempts=1))
        async for attempt in build_retrying(self.retry, self._sleep, what=f"POST {_path(url)}"):
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    existing = await find_existing()
                    if existing is not None:
                        return existing
                return await single.post(url, data=data)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def sleep(self, seconds: float) -> None:
        """Sleep without blocking the loop (injectable so tests record waits instead of taking them)."""
        await self._sleep(seconds)

    @property
    def graphql_url(self) -> str:
        """GitHub Enterprise Server serves GraphQL at /api/graphql, beside (not under) /api/v3."""
        if self.base_url.endswith("/api/v3"):
            return self.base_url.removesuffix("/v3") + "/graphql"
        return f"{self.base_url}/graphql"

    async def graphql(self, query: str, *, endpoint: str | None = None, **variables: Any) -> Any:
        """gidgethub's graphql, aimed at this client's host so a GHES token never goes to github.com.

        Its HTTP failures are GitHubHTTPError like any call's (``_request`` raises them first);
        an answer that carries ``errors`` (GitHub says 200 for a refused mutation, an unknown
        field, a node id it cannot find) is a GraphQLError naming GitHub's error types."""
        try:
            return await super().graphql(query, endpoint=endpoint or self.graphql_url, **variables)
        except gidgethub.GraphQLException as exc:
            raise GraphQLError.from_response(exc.response, str(exc)) from None

    async def get_all(
        self,
        url: str,
        url_vars: Mapping[str, variable.VariableValue] | None = None,
        *,
        per_page: int = 100,
        limit: int | None = None,
        iterable_key: str | None = gidgethub.abc.ITERABLE_KEY,
    ) -> list[Any]:
        """Collect a paginated listing in as few requests as GitHub allows, stopping at `limit`."""
        items: list[Any] = []
        if limit is not None and limit <= 0:
            return items
        pages = self.getiter(_with_per_page(url, per_page), url_vars or {}, iterable_key=iterable_key)
        async with contextlib.aclosing(pages):
            async for item in pages:
                items.append(item)
                if limit is not None and len(items) >= limit:
                    break
        return items

    async def _request(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes = b""
    ) -> tuple[int, Mapping[str, str], bytes]:
        """Send one logical request; refresh the installation token once if GitHub says 401."""
        # A caller passing jwt=/oauth_token= to gidgethub chose its own credential: leave it alone.
        uses_ours = "authorization" not in {k.lower() for k in headers}
        try:
            return await self._send_with_retries(method, url, headers, body, uses_ours, refresh=False)
        except GitHubHTTPError as exc:
            if exc.status != 401 or not uses_ours or self._token_provider is None:
                raise
            log.info("401 from %s %s; refreshing the installation token once", method, exc.url)
        return await self._send_with_retries(method, url, headers, body, uses_ours, refresh=True)

    async def _send_with_retries(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        uses_ours: bool,
        *,
        refresh: bool,
    ) -> tuple[int, Mapping[str, str], bytes]:
        """Authorize once, then let tenacity repeat the attempt while the failure is transient."""
        request_headers = dict(headers)
        if uses_ours:
            await self._authorize(request_headers, refresh=refresh)
        retrying = build_retrying(self.retry, self.sleep, what=f"{method} {_path(url)}")
        return await retrying(self._attempt, method, url, request_headers, body)

    async def _authorize(self, headers: dict[str, str], *, refresh: bool) -> None:
        """Add the installation token or the app JWT; headers are never logged."""
        if self._token_provider is not None:
            headers["authorization"] = f"token {await self._token_provider(refresh)}"
        elif self._jwt is not None:
            headers["authorization"] = f"bearer {self._jwt}"

    async def _attempt(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, Mapping[str, str], bytes]:
        """One HTTP exchange, spaced by the throttle and guarded by the host's breaker."""
        host = urlsplit(url).netloc
        if self.throttle is not None and method in MUTATING_METHODS:
            await self.throttle.wait(self.throttle_key)
        if self.breaker is not None:
            self.breaker.before_call(host)
        try:
            status, response_headers, data = await self._send(method, url, headers, body)
        except TRANSIENT_ERRORS:
            if self.on_response is not None:
                self.on_response(url, None, {})
            if self.breaker is not None:
                self.breaker.record_failure(host)
            raise
        except BaseException:
            if self.breaker is not None:
                self.breaker.release(host)
            raise
        if self.on_response is not None:
            self.on_response(url, status, response_headers)
        if self.breaker is not None:
            # A 4xx proves the host is answering; only 5xx counts against it.
            if status >= 500:
                self.breaker.record_failure(host)
            else:
                self.breaker.record_success(host)
        if status >= 400:
            raise error_from_response(status, response_headers, data, method=method, url=url)
        return status, response_headers, data

    async def _send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, Mapping[str, str], bytes]:
        """The raw aiohttp call, with the per-request timeout from the retry policy."""
        timeout = aiohttp.ClientTimeout(total=self.retry.request_timeout)
        try:
            async with self.session.request(
                method, url, headers=headers, data=body or None, timeout=timeout
            ) as response:
                return response.status, response.headers, await response.read()
        except aiohttp.ClientResponseError as exc:
            # Its repr carries request_info, request headers included: keep only status and message.
            raise GitHubHTTPError(
                exc.status or 502, {}, f"invalid response: {exc.message}", method=method, url=url
            ) from None


class GraphQLError(Exception):
    """GitHub's GraphQL API answered with errors: ``types`` as GitHub names them (``FORBIDDEN``,
    ``NOT_FOUND``, ``undefinedField``, ...), the message of the first (GitHub's words, no secret)."""

    def __init__(self, message: str, types: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.types = types

    @classmethod
    def from_response(cls, response: Any, message: str) -> GraphQLError:
        errors = response.get("errors") if isinstance(response, dict) else None
        types: list[str] = []
        for item in errors if isinstance(errors, list) else []:
            if isinstance(item, dict):
                extensions = item.get("extensions")
                kind = item.get("type") or (extensions.get("code") if isinstance(extensions, dict) else None)
                types.append(str(kind)[:100] if kind else "")
        return cls(message[:500], tuple(types))


def _with_per_page(url: str, per_page: int) -> str:
    """Ask for the largest page GitHub serves unless the caller already chose a size."""
    if "per_page=" in url:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}per_page={per_page}"


def _path(url: str) -> str:
    """The part of a URL worth logging: no query string, which is where a secret could hide."""
    return urlsplit(url).path
