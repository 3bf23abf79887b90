"""What one app's live sessions share: the hub, the bridge from the pipeline, the open sockets."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from bot.live.bridge import Bridge
from bot.live.connection import DEFAULT_MAX_CHARS, DEFAULT_MAX_FRAMES, Connection
from bot.live.hub import Hub

DEFAULT_MAX_CONNECTIONS = 20_000


@dataclass
class Live:
    app: web.Application
    hub: Hub
    bridge: Bridge
    connections: set[Connection] = field(default_factory=set)
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_frames: int = DEFAULT_MAX_FRAMES  # per connection, waiting to be sent (then 4008)
    max_chars: int = DEFAULT_MAX_CHARS


LIVE = web.AppKey("live", Live)
