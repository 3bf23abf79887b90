"""Mounting the REST API on the app: what ``bot.api.setup_api`` does."""

from __future__ import annotations

import asyncio
import functools
import importlib.metadata
import json
import logging
import os
from collections.abc import AsyncIterator

from aiohttp import web
from limits.aio.storage import Storage

from bot.api.auth import API_AUTH, TokenVerifier
from bot.api.keys import FileKeyStore, KeyStore, RedisKeyStore, default_key_file
from bot.api.middleware import api_middleware
from bot.api.openapi import build_document
from bot.api.quotas import Limiter
from bot.api.registry import API_SETTINGS, KEYS, LIMITER, OPENAPI, PREFIX, bind
from bot.api.routes import OPERATIONS
from bot.api.settings import ApiSettings
from bot.config import Settings
from bot.redis_client import Complaints, connect, stop_tasks

log = logging.getLogger(__name__)
KEY_REFRESH_SECONDS = 1.0  # how stale the WebSocket's synchronous revocation check may be with Redis


def openapi_document() -> dict[str, object]:
    try:
        version = importlib.metadata.version("autogen-review-bot")
    except importlib.metadata.PackageNotFoundError:
        version = "0.0.0"
    return build_document(OPERATIONS, title="review-bot API", version=version)


@functools.cache
def openapi_bytes() -> bytes:
    """The document as served: the same for every app of a process, so written once."""
    return json.dumps(openapi_document(), separators=(",", ":")).encode()


def make_key_store(api: ApiSettings, settings: Settings) -> KeyStore:
    if api.redis_url:
        return RedisKeyStore(connect(api.redis_url))
    env = {**os.environ, **({"STATE_DIR": settings.state_dir} if settings.state_dir else {})}
    return FileKeyStore(api.keys_file or default_key_file(env))


def setup_api(
    app: web.Application,
    settings: Settings,
    api: ApiSettings | None = None,
    *,
    keys: KeyStore | None = None,
    limits_storage: Storage | None = None,
) -> None:
    """Mount /api/v1 on ``app``. ``api`` defaults to the API_* environment and the service YAML;
    tests pass their own settings, key store and limits storage."""
    api = api or ApiSettings.from_env(
        {**os.environ, **({"REDIS_URL": settings.redis_url} if settings.redis_url else {})}
    )
    store = keys or make_key_store(api, settings)
    app[API_SETTINGS] = api
    app[KEYS] = store
    app[API_AUTH] = TokenVerifier(api.jwt, store.cached)
    app[LIMITER] = Limiter(api, limits_storage)
    app[OPENAPI] = openapi_bytes()
    app.middlewares.append(api_middleware(api.cors_origins))
    for op in OPERATIONS:
        app.router.add_route(op.method, PREFIX + op.path, bind(op), name=f"api.{op.operation_id}")
    if isinstance(store, RedisKeyStore):
        app.cleanup_ctx.append(_refresh_keys)


async def _refresh_keys(app: web.Application) -> AsyncIterator[None]:
    """With Redis, keep the key snapshot that synchronous token checks (the WebSocket) read fresh."""
    store = app[KEYS]
    assert isinstance(store, RedisKeyStore)  # noqa: S101 - setup_api appends this only then
    complaints = Complaints("the API key store (Redis)")

    async def loop() -> None:
        while True:
            try:
                await store.refresh()
                complaints.recovered()
            except Exception as exc:  # logged (by kind only), retried next second
                complaints.failed(exc)
            await asyncio.sleep(KEY_REFRESH_SECONDS)

    task = asyncio.get_running_loop().create_task(loop(), name="api-key-refresh")
    yield
    await stop_tasks(task)  # a cancellation redis-py lost would leave it running
    await store.redis.aclose()
