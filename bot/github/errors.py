"""Errors raised by the GitHub client, carrying what a caller needs to decide to retry."""

from __future__ import annotations

import email.utils
import http
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import gidgethub
from multidict import CIMultiDict

_MAX_BODY_IN_MESSAGE = 200


class GitHubHTTPError(gidgethub.HTTPException):
    """A GitHub response with status >= 400, keeping status, headers and GitHub's error details.

    It subclasses gidgethub's HTTPException so `except gidgethub.HTTPException` and
    `GitHubAPI.getstatus` keep working. Only response headers are kept: the request's
    Authorization header never reaches this object.
    """

    def __init__(
        self,
        status: int,
        headers: Mapping[str, str],
        message: str,
        errors: list[Any] | None = None,
        documentation_url: str | None = None,
        *,
        method: str | None = None,
        url: str | None = None,
        received_at: float | None = None,
    ) -> None:
        self.status = status
        self.message = message
        self.errors: list[Any] = list(errors or [])
        self.documentation_url = documentation_url
        self.method = method
        self.url = _without_query(url) if url else None
        # Remember when the response arrived so retry_after_seconds is stable however late it is read.
        self.received_at = time.time() if received_at is None else received_at
        super().__init__(_status_enum(status), self._describe())
        # A case-insensitive copy: callers may read "Retry-After" or "retry-after" alike.
        self.headers: CIMultiDict[str] = CIMultiDict(headers)

    def _describe(self) -> str:
        """Build a one-line message that says what failed without any credential."""
        where = f"{self.method} {self.url} -> " if self.method and self.url else ""
        text = f"{where}{self.status} {self.message}"
        details = [e if isinstance(e, str) else e.get("message") or e.get("code") for e in self.errors]
        details = [str(d) for d in details if d]
        return f"{text}: {'; '.join(details)}" if details else text

    def __repr__(self) -> str:
        return f"GitHubHTTPError({self._describe()!r})"

    def _header(self, name: str) -> str | None:
        """Read one response header, whatever its case."""
        return self.headers.get(name)

    @property
    def is_rate_limited(self) -> bool:
        """Whether the primary (hourly) rate limit is exhausted."""
        return self.status in (403, 429) and self._header("x-ratelimit-remaining") == "0"

    @property
    def is_secondary_rate_limit(self) -> bool:
        """Whether GitHub's secondary (abuse) limit rejected the call, per its documented signals."""
        if self.status not in (403, 429):
            return False
        if "secondary rate limit" in self.message.lower():
            return True
        return self.status == 403 and self._header("retry-after") is not None

    @property
    def retryable(self) -> bool:
        """Whether the same request may succeed later without any change."""
        return (
            self.status >= 500 or self.status == 429 or self.is_secondary_rate_limit or self.is_rate_limited
        )

    @property
    def retry_after_seconds(self) -> float | None:
        """How long GitHub asked us to wait: Retry-After first, else the reset of an exhausted limit."""
        retry_after = self._header("retry-after")
        if retry_after is not None:
            seconds = _parse_retry_after(retry_after, self.received_at)
            if seconds is not None:
                return seconds
        reset = self._header("x-ratelimit-reset")
        # Every response carries x-ratelimit-reset; it only means "wait" once the limit is used up,
        # otherwise a 502 would be told to wait for the end of the hour.
        if reset is not None and self.is_rate_limited:
            try:
                return max(0.0, float(reset) - self.received_at)
            except ValueError:
                return None
        return None


class CircuitOpenError(Exception):
    """Calls to a host are refused for a while after it kept failing; retry the job later."""

    def __init__(self, host: str, retry_after: float) -> None:
        self.host = host
        self.retry_after = retry_after
        super().__init__(f"circuit open for {host}; retry in {retry_after:.1f}s")


def error_from_response(
    status: int, headers: Mapping[str, str], body: bytes, *, method: str, url: str
) -> GitHubHTTPError:
    """Turn an error response into GitHubHTTPError, whatever shape GitHub's body has."""
    message, errors, documentation_url = _parse_error_body(body)
    if not message:
        message = _status_phrase(status)
    return GitHubHTTPError(status, headers, message, errors, documentation_url, method=method, url=url)


def _parse_error_body(body: bytes) -> tuple[str, list[Any], str | None]:
    """Read GitHub's {message, errors, documentation_url}, tolerating non-JSON bodies."""
    try:
        data = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        return body[:_MAX_BODY_IN_MESSAGE].decode("utf-8", "replace").strip(), [], None
    if not isinstance(data, dict):
        return "", [], None
    errors = data.get("errors") or []
    if not isinstance(errors, list):
        errors = [errors]
    documentation_url = data.get("documentation_url")
    return (
        str(data.get("message") or ""),
        errors,
        documentation_url if isinstance(documentation_url, str) else None,
    )


def _parse_retry_after(value: str, now: float) -> float | None:
    """Accept both forms RFC 9110 allows: delay-seconds or an HTTP-date."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def _status_enum(status: int) -> http.HTTPStatus:
    """gidgethub's base class wants an HTTPStatus; fall back to the class for codes Python does not know."""
    try:
        return http.HTTPStatus(status)
    except ValueError:
        return http.HTTPStatus.BAD_REQUEST if status < 500 else http.HTTPStatus.INTERNAL_SERVER_ERROR


def _status_phrase(status: int) -> str:
    """Give a readable message when GitHub sent no body."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "HTTP error"


def _without_query(url: str) -> str:
    """Keep error messages free of query strings, the one place a URL could carry a secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme else parts.path
