"""From the pipeline's in-process event channel to the live sessions' hub.

The channel's tap is called inside ``publish`` (which must never block or raise), so the tap
only maps the topic to a session and queues the event; one task hands them to the hub in order
(an XADD each with Redis). When the hub falls behind by more than ``limit`` events, the oldest
queued ones are dropped and counted, as the channel's own subscribers do: a review is never
slowed down by its live viewers.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

from bot.events import EventChannel
from bot.live.hub import Hub, HubUnavailable
from bot.live.sessions import session_of_topic
from bot.redis_client import Complaints, cancel_for_sure

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 10_000


class Bridge:
    def __init__(self, channel: EventChannel, hub: Hub, *, limit: int = DEFAULT_LIMIT) -> None:
        self.channel = channel
        self.hub = hub
        self.dropped = 0
        self.forwarded = 0
        self._queue: deque[tuple[str, dict[str, Any]]] = deque()
        self._limit = max(1, limit)
        self._ready = asyncio.Event()
        self._remove_tap = channel.add_tap(self.tap)
        self._task = asyncio.get_running_loop().create_task(self._forward_forever(), name="live-bridge")
        self._complaints = Complaints("live sessions bridge")

    def tap(self, topic: str, event: dict[str, Any]) -> None:
        session, extra = session_of_topic(topic)
        if session is None:
            return
        if len(self._queue) >= self._limit:
            self._queue.popleft()
            self.dropped += 1
        self._queue.append((session, {**event, **extra} if extra else event))
        self._ready.set()

    def idle(self) -> bool:
        """Nothing queued (tests wait for this before reading a session)."""
        return not self._queue

    async def _forward_forever(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self._queue:
                session, event = self._queue.popleft()
                try:
                    await self.hub.publish(session, event)
                    self.forwarded += 1
                    self._complaints.recovered()
                except HubUnavailable as exc:  # the event is lost for live viewers; the review goes on
                    self.dropped += 1
                    self._complaints.failed(exc.__cause__ or exc)
                except Exception:
                    self.dropped += 1
                    log.exception("live sessions: cannot forward an event of %s", session[:200])

    async def aclose(self) -> None:
        self._remove_tap()
        await cancel_for_sure(self._task)
