"""Live review sessions: the WebSocket /api/v1/ws, the page /ui/, and the bridge that feeds them
from the pipeline's events (bot/events.py). See bot/live/ws.py for the protocol."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from bot.live.bridge import Bridge
from bot.live.connection import DEFAULT_MAX_CHARS, DEFAULT_MAX_FRAMES
from bot.live.hub import DEFAULT_MAX_SESSIONS, DEFAULT_REPLAY, Hub, MemoryHub
from bot.live.state import DEFAULT_MAX_CONNECTIONS, LIVE, Live
from bot.live.ui import add_ui_routes
from bot.redis_client import stop_tasks

__all__ = ["LIVE", "LIVE_OPTIONS", "Live", "LiveOptions", "setup_live"]


@dataclass(frozen=True)
class LiveOptions:
    replay: int = DEFAULT_REPLAY  # events kept per session for late joiners and resumes
    max_sessions: int = DEFAULT_MAX_SESSIONS  # sessions kept in memory (without Redis)
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_frames: int = DEFAULT_MAX_FRAMES  # events waiting for one member before it is closed (4008)
    max_chars: int = DEFAULT_MAX_CHARS
    redis_prefix: str = "live"
    reverify_interval: float = 60.0  # seconds between checks of open sockets' tokens (expiry, revocation)


LIVE_OPTIONS = web.AppKey("live_options", LiveOptions)


def setup_live(app: web.Application, *, serve: bool = True) -> None:
    """The bridge in every role (reviews publish where they run: a worker too); with ``serve``,
    the WebSocket and the page. Call after bot/web.py's context_ctx is in ``app.cleanup_ctx``."""
    app.cleanup_ctx.append(live_ctx)
    if serve:
        from bot.live.ws import websocket

        app.router.add_get("/api/v1/ws", websocket)
        add_ui_routes(app)
        app.cleanup_ctx.append(reverify_ctx)
        app.on_shutdown.append(close_connections)


def build_hub(app: web.Application, options: LiveOptions) -> Hub:
    from bot.web import CONTEXT

    redis = app[CONTEXT].redis
    if redis is None:
        return MemoryHub(replay=options.replay, max_sessions=options.max_sessions)
    from bot.live.redis_hub import RedisHub

    return RedisHub(redis, prefix=options.redis_prefix, replay=options.replay)


async def live_ctx(app: web.Application) -> AsyncIterator[None]:
    from bot.web import CONTEXT

    options = app.get(LIVE_OPTIONS) or LiveOptions()
    hub = build_hub(app, options)
    bridge = Bridge(app[CONTEXT].events, hub)
    app[LIVE] = Live(
        app,
        hub,
        bridge,
        max_connections=options.max_connections,
        max_frames=options.max_frames,
        max_chars=options.max_chars,
    )
    yield
    await bridge.aclose()
    await hub.aclose()


async def reverify_ctx(app: web.Application) -> AsyncIterator[None]:
    from bot.live.ws import reverify_forever

    options = app.get(LIVE_OPTIONS) or LiveOptions()
    task = asyncio.get_running_loop().create_task(
        reverify_forever(app[LIVE], options.reverify_interval), name="live-reverify"
    )
    yield
    await stop_tasks(task)  # a cancellation lost in a client library would leave it running


async def close_connections(app: web.Application) -> None:
    """Before the server waits for its handlers: open sockets would hold it up to its timeout."""
    from bot.live.ws import close_all

    live = app.get(LIVE)
    if live is not None:
        await close_all(live)
