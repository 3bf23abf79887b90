"""The Redis connection every shared part uses (queue, dedupe, locks, pacing, tokens, cache).

One client per process, made by :func:`connect`: short connect and read timeouts and a single
quick reconnect attempt, so that a receiver whose Redis is down answers 503 within about a
second instead of stalling behind redis-py's default retries with backoff.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any, cast

import hiredis
from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from bot.queue.base import QueueUnavailable

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 1.0
# Above the longest blocking call made (the queue waits up to a few seconds in BLMOVE).
SOCKET_TIMEOUT = 10.0
HEALTH_CHECK_INTERVAL = 30  # a pooled connection idle this long is PINGed before use

# Redis cannot serve us right now (down, restarting, failing over, out of memory): callers map
# these to "try again later" (503, a retry of the job), never to a bug.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    redis_errors.ConnectionError,  # includes BusyLoadingError and authentication failures
    redis_errors.TimeoutError,
    redis_errors.ReadOnlyError,  # a failover left us talking to a replica
    redis_errors.TryAgainError,
    redis_errors.ClusterDownError,
    redis_errors.OutOfMemoryError,
    OSError,
)


class StateUnavailable(QueueUnavailable):
    """Shared state (dedupe marks, rate windows) cannot be read or written because Redis is down.
    A QueueUnavailable, so the receiver answers it the same way: 503, and GitHub can redeliver."""


def connect(url: str, *, max_connections: int | None = None) -> Redis:
    """A client for ``url``. Nothing connects until the first command. Bytes in, bytes out."""
    client = Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=SOCKET_TIMEOUT,
        health_check_interval=HEALTH_CHECK_INTERVAL,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), retries=1),
        max_connections=max_connections,
    )
    pool = client.connection_pool  # the scheme chose the class (TCP, TLS, Unix socket): keep it
    pool.connection_class = hiredis_packing(pool.connection_class)
    return client


class _HiredisPacking:
    """Commands packed by hiredis (C) instead of redis-py's asyncio connection, which packs them
    in Python even when hiredis is installed (its synchronous client uses hiredis): the packing
    was a quarter of a receiver's CPU per delivery. The same bytes, as redis-py's synchronous
    ``HiredisRespSerializer`` makes them, including its split of a command name like "CONFIG GET"."""

    def pack_command(self, *args: Any) -> list[bytes]:
        if isinstance(args[0], str):
            args = (*args[0].encode().split(), *args[1:])
        elif b" " in args[0]:
            args = (*args[0].split(), *args[1:])
        try:
            return [hiredis.pack_command(args)]
        except TypeError as exc:  # None, a bool, a dict: what redis-py's encoder refuses too
            raise redis_errors.DataError(str(exc)) from None

    def pack_commands(self, commands: Any) -> list[bytes]:
        return [b"".join(self.pack_command(*command)[0] for command in commands)]


def hiredis_packing(connection_class: type[AbstractConnection]) -> type[AbstractConnection]:
    """``connection_class`` with its commands packed by hiredis."""
    if issubclass(connection_class, _HiredisPacking):
        return connection_class
    name = f"HiredisPacking{connection_class.__name__}"
    return cast("type[AbstractConnection]", type(name, (_HiredisPacking, connection_class), {}))


def describe(exc: BaseException) -> str:
    """Name a Redis failure for a log or an error message. Only the kind: redis-py's messages
    carry the host and port, and a URL with a password must never reach a log."""
    return type(exc).__name__


async def reachable(client: Redis) -> bool:
    """For /ready: Redis answers PING."""
    try:
        # redis-py types ping() as "Awaitable[bool] | bool" (one signature for both clients).
        return bool(await cast("Awaitable[bool]", client.ping()))
    except UNAVAILABLE:
        return False


class Complaints:
    """Logs "Redis is unreachable" once, then at most every ``every`` seconds while it lasts, and
    once more when it is back: a long outage is a few log lines, not one per call."""

    def __init__(self, what: str, every: float = 60.0) -> None:
        self.what = what
        self.every = every
        self.failing_since: float | None = None
        self._last = 0.0

    def failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        if self.failing_since is None:
            self.failing_since = now
        if now - self._last >= self.every:
            self._last = now
            log.warning("%s: Redis is unreachable (%s); waiting for it", self.what, describe(exc))

    def recovered(self) -> None:
        if self.failing_since is not None:
            log.info("%s: Redis is back after %.0f s", self.what, time.monotonic() - self.failing_since)
            self.failing_since = None
            self._last = 0.0


# On Python 3.11, asyncio.wait_for can swallow a cancellation that arrives just as the awaited
# call completes (CPython gh-86296, fixed in 3.12), and redis-py sends every command through
# wait_for when a socket timeout is set: cancelling a task in the middle of a Redis call can be
# lost. The task still counts the request (Task.cancelling()), so code that must stop checks it,
# and code that stops a task cancels it again until it is done.


def cancel_lost() -> bool:
    """This task was asked to stop, but the CancelledError was swallowed underneath."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def cancel_for_sure(task: asyncio.Task[None], patience: float = 1.0) -> None:
    """Cancel a task and wait until it is done, cancelling again if a cancellation got lost."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=patience)


async def stop_tasks(*tasks: asyncio.Task[None]) -> None:
    """Stop background tasks at shutdown: each cancelled until done (cancel_for_sure), then their
    outcomes retrieved, so that one which had failed is not reported as never retrieved."""
    await asyncio.gather(*(cancel_for_sure(task) for task in tasks))
    await asyncio.gather(*tasks, return_exceptions=True)
