"""One member's WebSocket: a bounded outbox drained by one writer task.

The hub delivers a frame by appending it to the outbox (never awaiting). A member that reads
slower than its sessions publish would make the outbox grow without end; past ``max_frames``
frames or ``max_chars`` characters it is closed with 4008 instead, and its outbox freed. The
socket's own buffer stays bounded too: the writer awaits aiohttp's drain, so at most one
``writer_limit`` of bytes sits in the transport above the kernel's buffer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

CLOSE_SLOW = 4008  # the member did not read its events fast enough
CLOSE_GRACE = 5.0  # seconds for the close handshake (then the socket closes once flushed)
ABORT_AFTER = 30.0  # seconds after a close when a socket that still holds unsent data is dropped

DEFAULT_MAX_FRAMES = 1000
DEFAULT_MAX_CHARS = 4 * 1024 * 1024


class Connection:
    def __init__(
        self,
        ws: web.WebSocketResponse,
        transport: asyncio.Transport | None,
        *,
        max_frames: int = DEFAULT_MAX_FRAMES,
        max_chars: int = DEFAULT_MAX_CHARS,
    ) -> None:
        self.ws = ws
        self.transport = transport
        self.max_frames = max_frames
        self.max_chars = max_chars
        self.sessions: set[str] = set()
        self.token = ""  # checked again from time to time (bot/live/ws.py reverify_forever)
        self.closing = False
        self.close_code: int | None = None
        self._outbox: deque[str] = deque()
        self._chars = 0
        self.peak_chars = 0  # the most the outbox held (tests check the bound)
        self._ready = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._writer = asyncio.get_running_loop().create_task(self._write_forever(), name="live-writer")

    def deliver(self, frame: str) -> None:
        if self.closing:
            return
        if len(self._outbox) >= self.max_frames or self._chars + len(frame) > self.max_chars:
            self.close_soon(CLOSE_SLOW, f"slow consumer: more than {len(self._outbox)} events waiting")
            return
        self._outbox.append(frame)
        self._chars += len(frame)
        self.peak_chars = max(self.peak_chars, self._chars)
        self._ready.set()

    def send(self, message: dict[str, Any]) -> None:
        """A reply of ours (ack, error, pong), in order with the events."""
        self.deliver(json.dumps(message, separators=(",", ":")))

    def outbox_chars(self) -> int:
        return self._chars

    def close_soon(self, code: int, reason: str) -> None:
        """Close with ``code`` (from a sync caller: the hub's delivery); frees the outbox at once."""
        if self.closing:
            return
        self.closing = True
        self.close_code = code
        self._outbox.clear()
        self._chars = 0
        self._closer = asyncio.get_running_loop().create_task(self._close(code, reason), name="live-close")

    async def _close(self, code: int, reason: str) -> None:
        if self._writer is not None:
            self._writer.cancel()  # it may be stuck awaiting a drain the member never allows
        if self.transport is not None:
            # The close frame may sit behind data the member never reads: what is buffered is
            # bounded, but the socket must not stay open for ever on its account.
            asyncio.get_running_loop().call_later(ABORT_AFTER, self.transport.abort)
        with contextlib.suppress(TimeoutError, ConnectionError, RuntimeError):
            async with asyncio.timeout(CLOSE_GRACE):
                await self.ws.close(code=code, message=reason.encode()[:120], drain=False)

    async def _write_forever(self) -> None:
        while not self.closing:
            await self._ready.wait()
            self._ready.clear()
            while self._outbox and not self.closing:
                frame = self._outbox.popleft()
                self._chars -= len(frame)
                try:
                    await self.ws.send_str(frame)
                except (ConnectionError, RuntimeError):  # closed under us: the reader loop ends too
                    self.closing = True
                    return

    async def aclose(self) -> None:
        """After the reader loop ended: stop the writer, let a close in progress finish."""
        self.closing = True
        for task in (self._writer, self._closer):
            if task is not None and task is not asyncio.current_task():
                if task is self._writer:
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
