"""A tiny scripted HTTP server for the client and auth tests: answers in order, records every request.

It is deliberately not the strict GitHub double (tests/ghdouble): these tests are about the
transport behaviour (retries, breaker, throttle, auth), which needs exact control of each answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Reply:
    """One scripted answer; `disconnect` drops the connection instead of answering."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    disconnect: bool = False


@dataclass
class Seen:
    """What the server received, for assertions."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


ReplyFactory = Callable[[web.Request], Reply]


class ScriptedGitHub:
    """Answers each (method, path) from its script; the last reply repeats."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.base_url = ""
        self._script: dict[tuple[str, str], list[Reply | ReplyFactory]] = {}

    def on(self, method: str, path: str, *replies: Reply | ReplyFactory) -> None:
        """Script the answers for one endpoint."""
        self._script[(method, path)] = list(replies)

    def seen(self, method: str, path: str) -> list[Seen]:
        """Requests received for one endpoint."""
        return [r for r in self.requests if r.method == method and r.path == path]

    def app(self) -> web.Application:
        """An aiohttp app routing every path to the script."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(
            Seen(request.method, request.path, dict(request.query), dict(request.headers), body)
        )
        replies = self._script.get((request.method, request.path))
        if not replies:
            return web.json_response({"message": "Not Found"}, status=404)
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if callable(reply):
            reply = reply(request)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.disconnect:
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if reply.body is None:
            return web.Response(status=reply.status, headers=reply.headers)
        return web.Response(
            status=reply.status,
            body=json.dumps(reply.body).encode(),
            content_type="application/json",
            headers=reply.headers,
        )


class SleepRecorder:
    """Stands in for asyncio.sleep: records the wait and yields once, so no test waits for real."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        await asyncio.sleep(0)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
