"""Fault injection for API requests: random 5xx, secondary rate limits, latency, targeted failures."""

from __future__ import annotations

import asyncio
import json
import random
import re
from typing import Any

from aiohttp import web

from .responses import error, json_response
from .state import FailRule, Faults

SECONDARY_LIMIT_DOCS = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)


class Hold:
    """One request kept waiting before the double serves it, until the test releases it.

    ``arrived`` is set when the request comes in; nothing of it is applied before ``release()``,
    so a test can order another request between this one's arrival and its effect.
    """

    def __init__(self, method: str, path_regex: str) -> None:
        self.method = method.upper()
        self.path_regex = re.compile(path_regex)
        self.arrived = asyncio.Event()
        self.released = asyncio.Event()
        self.path = ""

    def release(self) -> None:
        self.released.set()


class FaultInjector:
    def __init__(self) -> None:
        self.state = Faults()

    def inject_errors(
        self, rate: float = 0.3, status: int = 502, seed: int = 1, methods: list[str] | None = None
    ) -> None:
        self.state.error_rate = rate
        self.state.error_status = status
        self.state.rng = random.Random(seed)
        self.state.error_methods = {m.upper() for m in methods} if methods else None

    def inject_secondary_rate_limit(self, count: int = 1, retry_after: int = 1) -> None:
        self.state.secondary_limit_count = count
        self.state.secondary_retry_after = retry_after

    def inject_latency(self, seconds: float) -> None:
        self.state.latency = seconds

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        count: int = 1,
    ) -> None:
        self.state.rules.append(
            FailRule(method.upper(), re.compile(path_regex), status, body, dict(headers or {}), count)
        )

    def hold_next(self, method: str, path_regex: str) -> Hold:
        """Keep the next matching request waiting (unserved) until ``hold.release()``."""
        hold = Hold(method, path_regex)
        self.state.holds.append(hold)
        return hold

    def reset(self) -> None:
        for hold in self.state.holds:
            hold.release()  # never leave a request hanging past a reset
        self.state = Faults()

    async def apply(self, method: str, path: str, request_id: str) -> web.Response | None:
        """A failure response for this request, or None to serve it normally."""
        faults = self.state
        for hold in faults.holds:
            if not hold.arrived.is_set() and hold.method in (method, "*") and hold.path_regex.search(path):
                hold.path = path
                hold.arrived.set()
                await hold.released.wait()
                break
        if faults.latency:
            await asyncio.sleep(faults.latency)
        for rule in faults.rules:
            if rule.count > 0 and rule.method in (method, "*") and rule.path_regex.search(path):
                rule.count -= 1
                return _canned(rule.status, rule.body, rule.headers)
        if faults.secondary_limit_count > 0:
            faults.secondary_limit_count -= 1
            response = error(
                403,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                f"If you reach out to GitHub Support for help, please include the request ID {request_id}.",
                SECONDARY_LIMIT_DOCS,
            )
            response.headers["Retry-After"] = str(faults.secondary_retry_after)
            return response
        if faults.error_rate and (faults.error_methods is None or method in faults.error_methods):
            if faults.rng.random() < faults.error_rate:
                return _canned(faults.error_status, None, {})
        return None


def _canned(status: int, body: Any, headers: dict[str, str]) -> web.Response:
    if body is None:
        body = {"message": "Server Error" if status >= 500 else "Error"}
    if isinstance(body, bytes | str):
        data = body.encode() if isinstance(body, str) else body
        return web.Response(body=data, status=status, headers=headers)
    response = json_response(json.loads(json.dumps(body)), status)
    response.headers.update(headers)
    return response
