"""A tiny in-process publish/subscribe channel for live review events.

The agent dialogue publishes each message as it arrives; the CLI's ``--verbose`` subscribes
to show it live. Topics are plain strings, by convention
``review:{owner}/{repo}#{number}@{sha}`` (see :func:`review_topic`).

Publishing never blocks and never fails: each subscriber has its own bounded queue, and a
subscriber that falls behind loses its *oldest* events (counted in ``dropped``) rather than
slowing the review down. Everything runs on one event loop: call ``publish`` from that loop's
thread. Events are shared between subscribers, so treat them as read-only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

log = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE = 256
# A tap sees every (topic, event) published: it must return at once (queue, never await).
Tap = Callable[[str, dict[str, Any]], None]
_END = object()  # queued to tell a subscriber the channel closed


def review_topic(owner: str, repo: str, number: int, sha: str) -> str:
    return f"review:{owner}/{repo}#{number}@{sha}"


class Subscription:
    """One subscriber's view of a topic: an async iterator that ends when either side closes it."""

    def __init__(self, channel: EventChannel, topic: str, maxsize: int) -> None:
        self.topic = topic
        self.dropped = 0
        self._channel = channel
        self._maxsize = max(1, maxsize)
        self._queue: asyncio.Queue[Any] = asyncio.Queue()  # bounded by _offer, so the end mark always fits
        self._closed = False

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self._closed and self._queue.empty():
            raise StopAsyncIteration
        item = await self._queue.get()
        if item is _END:
            self._closed = True
            self._channel._forget(self)
            raise StopAsyncIteration
        return cast(dict[str, Any], item)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop receiving; a pending ``async for`` ends after the events already queued."""
        if not self._closed:
            self._closed = True
            self._channel._forget(self)
            self._offer(_END)

    def _offer(self, item: Any) -> None:
        """Queue without waiting; when full, make room by dropping the oldest event."""
        if item is not _END:
            while self._queue.qsize() >= self._maxsize:
                self._queue.get_nowait()
                self.dropped += 1
        self._queue.put_nowait(item)


class EventChannel:
    """Fan-out of events to the current subscribers of each topic; late subscribers see only new ones."""

    def __init__(self, *, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self._subscribers: dict[str, list[Subscription]] = {}
        self._taps: list[Tap] = []
        self._closed = False

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        """Hand ``event`` to every subscriber of ``topic``; never blocks, never raises."""
        if self._closed:
            return
        for subscription in list(self._subscribers.get(topic, ())):
            subscription._offer(event)
        for tap in list(self._taps):
            try:
                tap(topic, event)
            except Exception:  # a broken tap must not fail the review that published
                log.exception("an event tap failed on %s", topic[:200])

    def add_tap(self, tap: Tap) -> Callable[[], None]:
        """Call ``tap`` with every topic and event published from now on (the live sessions'
        bridge, bot/live/bridge.py); returns the function that removes it."""
        self._taps.append(tap)

        def remove() -> None:
            if tap in self._taps:
                self._taps.remove(tap)

        return remove

    def subscribe(self, topic: str, *, queue_size: int | None = None) -> Subscription:
        """Start receiving ``topic`` now (not at the first ``await``): nothing published after is missed."""
        subscription = Subscription(self, topic, queue_size or self.queue_size)
        if self._closed:
            subscription.close()
        else:
            self._subscribers.setdefault(topic, []).append(subscription)
        return subscription

    def subscriber_count(self, topic: str) -> int:
        return len(self._subscribers.get(topic, ()))

    def close(self) -> None:
        """End every subscription (each still gets what was queued before); later publishes are ignored."""
        self._closed = True
        for subscriptions in list(self._subscribers.values()):
            for subscription in list(subscriptions):
                subscription.close()
        self._subscribers.clear()

    def _forget(self, subscription: Subscription) -> None:
        subscriptions = self._subscribers.get(subscription.topic)
        if subscriptions and subscription in subscriptions:
            subscriptions.remove(subscription)
            if not subscriptions:
                del self._subscribers[subscription.topic]
