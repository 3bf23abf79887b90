"""Apps with live sessions for the tests: the real app factory, the real REST API's keys and
tokens (bot/api/), the real analysis service (bot/analysis/), served on loopback ports."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.analysis.service import analysis_ctx
from bot.api.auth import API_AUTH
from bot.api.keys import new_key
from bot.api.registry import KEYS
from bot.config import AnalysisSettings, Settings
from bot.live import LIVE, LIVE_OPTIONS, Live, LiveOptions
from bot.web import CONTEXT, Role, create_app

JWT_SECRET = "live-sessions-test-secret-0123456789abcdef"
WAIT = 60.0  # a deadline, never reached when the code works


@pytest.fixture
def api_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The REST API's keys in this test's directory, one JWT secret for every replica."""
    monkeypatch.setenv("API_KEYS_FILE", str(tmp_path / "api-keys.json"))
    monkeypatch.setenv("API_JWT_SECRET", JWT_SECRET)
    monkeypatch.delenv("REVIEW_BOT_CONFIG", raising=False)


def live_settings(tmp_path: Path, *, redis_url: str | None = None, roots: tuple[str, ...] = ()) -> Settings:
    return Settings(
        redis_url=redis_url,
        workers=1,
        reconcile_interval=0.0,
        state_dir=str(tmp_path),
        analysis=AnalysisSettings(roots=roots or (str(tmp_path),), concurrency=1),
    )


def live_app(
    settings: Settings, tmp_path: Path, *, role: Role | None = None, options: LiveOptions | None = None
) -> web.Application:
    """create_app (it mounts the REST API) with analyses mounted (unless create_app does already).
    Use with the ``api_env`` fixture: the API's keys and JWT secret come from the environment."""
    app = create_app(settings, role=role)
    if analysis_ctx not in app.cleanup_ctx and role != "worker":
        app.cleanup_ctx.append(analysis_ctx)
    if options is not None:
        app[LIVE_OPTIONS] = options
    return app


async def serve(app: web.Application) -> TestClient:
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


def live_of(client: TestClient) -> Live:
    return client.app[LIVE]


def publish(client: TestClient, topic: str, event: dict[str, Any]) -> None:
    """As the pipeline does: on the app's in-process channel (the bridge takes it from there)."""
    client.app[CONTEXT].events.publish(topic, event)


async def credentials(
    client: TestClient, *, user: str = "ana", org: str = "octo-org", role: str = "analyze"
) -> tuple[str, str]:
    """(JWT, API key) of a new key in the app's key store."""
    record, api_key = new_key(user, org, role)  # type: ignore[arg-type]
    await client.app[KEYS].add(record)
    token, _ = client.app[API_AUTH].issue(record)
    return token, api_key


async def connect(client: TestClient, token: str | None, **kwargs: Any) -> aiohttp.ClientWebSocketResponse:
    """A WebSocket authenticated with the Authorization header (None: no header)."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return await client.ws_connect("/api/v1/ws", headers=headers, **kwargs)


async def receive_json(ws: aiohttp.ClientWebSocketResponse, timeout: float = WAIT) -> dict[str, Any]:
    msg = await ws.receive(timeout=timeout)
    if msg.type is not aiohttp.WSMsgType.TEXT:
        raise AssertionError(f"expected a text message, got {msg.type!r} ({ws.close_code})")
    data: dict[str, Any] = json.loads(msg.data)
    return data


async def receive_until(
    ws: aiohttp.ClientWebSocketResponse, kind: str, timeout: float = WAIT
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The first message of type ``kind`` and every message before it."""
    before: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        message = await receive_json(ws, max(0.1, deadline - loop.time()))
        if message.get("type") == kind:
            return message, before
        before.append(message)


async def close_code(ws: aiohttp.ClientWebSocketResponse, timeout: float = WAIT) -> int | None:
    """Read until the server closes; the code it closed with."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not ws.closed:
        msg = await ws.receive(timeout=max(0.1, deadline - loop.time()))
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            break
    return ws.close_code


async def until(predicate: Callable[[], bool | Awaitable[bool]], timeout: float = WAIT) -> None:
    """Poll with a deadline (no fixed sleeps)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if not isinstance(value, bool):
            value = await value
        if value:
            return
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout:g} s")
        await asyncio.sleep(0.02)
