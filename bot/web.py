"""The aiohttp application: the webhook endpoint, health, and the review workers' lifetime."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from gidgethub import routing, sansio

from bot.agent_config import AgentConfig
from bot.config import MAX_WEBHOOK_BYTES, Settings
from bot.context import USER_AGENT, BotContext, build_context
from bot.github import RetryPolicy
from bot.queue import InProcessQueue, ReviewQueue
from bot.worker import run_worker
from handlers import comments, installation, ping, pull_request
from handlers.errors import PayloadError

log = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
QUEUE = web.AppKey("queue", ReviewQueue)
ROUTER = web.AppKey("router", routing.Router)
CONTEXT = web.AppKey("context", BotContext)
RETRY = web.AppKey("retry", RetryPolicy)
AGENT_CONFIG = web.AppKey("agent_config", AgentConfig)


def signature_matches(body: bytes, signature: str, secret: str) -> bool:
    """Check X-Hub-Signature-256 in constant time.

    Not gidgethub's validate_event: it also accepts a weaker ``sha1=`` signature in this header,
    and raises TypeError instead of failing when the header holds non-ASCII characters.
    """
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return bool(secret) and hmac.compare_digest(
        expected.encode(), signature.encode("utf-8", "surrogateescape")
    )


def problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def webhook(request: web.Request) -> web.Response:
    """Verify, parse and route one delivery; answer before any review work starts."""
    settings = request.app[SETTINGS]
    if request.content_length is not None and request.content_length > MAX_WEBHOOK_BYTES:
        return problem(413, "payload larger than 25 MB")
    event_name = request.headers.get("X-GitHub-Event")
    delivery_id = request.headers.get("X-GitHub-Delivery")
    if not event_name or not delivery_id:
        return problem(400, "missing X-GitHub-Event or X-GitHub-Delivery header")
    signature = request.headers.get("X-Hub-Signature-256")
    if not signature:
        return problem(401, "missing X-Hub-Signature-256")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return problem(413, "payload larger than 25 MB")
    if not signature_matches(body, signature, settings.webhook_secret or ""):
        return problem(401, "signature does not match")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return problem(400, "body is not JSON")
    if not isinstance(data, dict):
        return problem(400, "body is not a JSON object")
    event = sansio.Event(data, event=event_name, delivery_id=delivery_id)
    try:
        await request.app[ROUTER].dispatch(event, request.app[CONTEXT])
    except PayloadError as exc:
        log.warning("delivery %s (%s): %s", delivery_id, event_name, exc)
        return problem(400, str(exc))
    if event_name == "ping":
        return web.json_response({"msg": "pong"})
    return web.json_response({"accepted": delivery_id}, status=202)


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def metrics(request: web.Request) -> web.Response:
    body = request.app[CONTEXT].metrics.render()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})


async def context_ctx(app: web.Application) -> AsyncIterator[None]:
    """One ClientSession for the App's life, and the context built on it."""
    timeout = aiohttp.ClientTimeout(total=60, connect=10)
    async with aiohttp.ClientSession(timeout=timeout, headers={"User-Agent": USER_AGENT}) as session:
        app[CONTEXT] = build_context(
            app[SETTINGS], session, app[QUEUE], retry=app.get(RETRY), agent_config=app.get(AGENT_CONFIG)
        )
        yield
        await app[CONTEXT].cancel_background()  # slash-command work still running


async def workers_ctx(app: web.Application) -> AsyncIterator[None]:
    """Start the review workers with the app, cancel them on shutdown."""
    ctx = app[CONTEXT]
    tasks = [asyncio.create_task(run_worker(ctx, f"worker-{i}")) for i in range(ctx.settings.workers)]
    yield
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    close = getattr(app[QUEUE], "close", None)
    if close is not None:
        close()


def create_app(
    settings: Settings,
    *,
    queue: ReviewQueue | None = None,
    retry: RetryPolicy | None = None,
    agent_config: AgentConfig | None = None,
) -> web.Application:
    """The App: POST /webhook, GET /health, and the workers behind them."""
    app = web.Application(client_max_size=MAX_WEBHOOK_BYTES)
    app[SETTINGS] = settings
    app[QUEUE] = queue if queue is not None else InProcessQueue()
    app[ROUTER] = routing.Router(pull_request.router, comments.router, installation.router, ping.router)
    if retry is not None:
        app[RETRY] = retry
    if agent_config is not None:
        app[AGENT_CONFIG] = agent_config
    app.cleanup_ctx.append(context_ctx)
    app.cleanup_ctx.append(workers_ctx)
    app.router.add_post("/webhook", webhook)
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    return app
