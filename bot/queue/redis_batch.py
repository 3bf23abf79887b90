"""Group commit for the receiver's Redis commands: what concurrent deliveries send at the same
moment goes to Redis in one pipeline (one round trip, one write and one read on the socket).

A round trip costs the receiver far more than the command in it (a write, a wakeup of Redis,
a read, redis-py's bookkeeping), and at hundreds of deliveries a second many are in flight at
once. A caller still waits for its own reply before it goes on, so nothing is acknowledged
before Redis has it: ``call`` is ``execute_command`` with the round trip shared. While one
pipeline is in flight the next callers gather, so a lone caller waits for no one and a busy
receiver sends fewer, fuller pipelines. Each command keeps its own reply or error (a script
missing from Redis's cache fails only its own call); a connection failure fails all of them,
as it would have failed each alone.

The batches go over a connection of the batcher's own, written and read with redis-py's
connection API (its packing, its reply parser, its retry policy) rather than through a
``Pipeline``: a pipeline takes a connection from the pool and checks it, wraps the send in a
task with a timeout and each reply in a timeout of its own, and records metrics, which cost
more than twice the round trip itself (115 against 50 us of CPU per round trip, measured on
loopback). One timeout bounds the whole batch instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import NoScriptError, ResponseError

from bot.redis_client import SOCKET_TIMEOUT

log = logging.getLogger(__name__)

LINGER = 0.05  # seconds a posted command waits for a pipeline to ride in before it gets its own
MAX_BATCH = 256  # commands per pipeline at most: one slow huge write would delay all of them


class Batcher:
    """One per Redis client and event loop (the receiver's queue holds one)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._pending: list[tuple[tuple[Any, ...], asyncio.Future[Any]]] = []
        self._sender: asyncio.Task[None] | None = None
        self._later: list[tuple[tuple[Any, ...], asyncio.Future[Any]]] = []  # post(): no one waits
        self._linger: asyncio.TimerHandle | None = None
        self._connection: AbstractConnection | None = None  # opened by the first batch
        self._connection_loop: asyncio.AbstractEventLoop | None = None
        self.pipelines = 0  # sent so far (for the benchmark and the tests)
        self.commands = 0

    async def call(self, *args: Any) -> Any:
        """One command's reply, as ``redis.execute_command(*args)`` gives it (or its error)."""
        (reply,) = await self.calls(args)
        return reply

    async def calls(self, *commands: tuple[Any, ...]) -> list[Any]:
        """Several commands in the same pipeline; their replies (the first error is raised)."""
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[Any]] = []
        for args in commands:
            futures.append(loop.create_future())
            self._pending.append((args, futures[-1]))
        self._start(loop)
        if len(futures) == 1:
            return [await futures[0]]
        return list(await asyncio.gather(*futures))  # every error retrieved, the first one raised

    def post(self, *commands: tuple[Any, ...]) -> None:
        """Commands whose reply nobody waits for: they ride in the next pipeline that goes out,
        or in one of their own after ``LINGER`` seconds if none does.

        For bookkeeping after the fact (a delivery marked done, a claim removed): the caller has
        what it needs from Redis already, and a failure only leaves keys that lapse by their TTL.
        On a busy receiver they cost no round trip at all. ``flush`` sends them at once.
        """
        loop = asyncio.get_running_loop()
        for args in commands:
            future: asyncio.Future[Any] = loop.create_future()
            future.add_done_callback(_log_failure)
            self._later.append((args, future))
        if self._linger is None:
            self._linger = loop.call_later(LINGER, self._send_later, loop)

    async def flush(self) -> None:
        """Send what waits to ride along now, and wait until everything queued has been sent."""
        if self._later:
            self._send_later(asyncio.get_running_loop())
        if self._sender is not None and not self._sender.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(self._sender)

    def _send_later(self, loop: asyncio.AbstractEventLoop) -> None:
        self._take_later()
        self._start(loop)

    def _take_later(self) -> None:
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        self._pending.extend(self._later)
        self._later = []

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._sender is None or self._sender.done() or self._sender.get_loop() is not loop:
            # (a queue outliving its event loop, as in tests: what the old loop left is dropped)
            self._pending = [entry for entry in self._pending if entry[1].get_loop() is loop]
            self._sender = loop.create_task(self._send(), name="redis group commit")

    async def script(self, sha: str, source: str, keys: list[str], args: list[Any]) -> Any:
        """EVALSHA through the batch; the script is loaded once if Redis does not have it (a
        restart or SCRIPT FLUSH) and the call repeated: a NOSCRIPT reply means it did not run."""
        try:
            return await self.call("EVALSHA", sha, len(keys), *keys, *args)
        except NoScriptError:
            await self.redis.script_load(source)
            return await self.call("EVALSHA", sha, len(keys), *keys, *args)

    async def aclose(self) -> None:
        """Send what waits, then close the batcher's connection."""
        await self.flush()
        if self._connection is not None and self._connection_loop is asyncio.get_running_loop():
            await self._connection.disconnect()
        self._connection = None

    def _own_connection(self) -> AbstractConnection:
        loop = asyncio.get_running_loop()
        if self._connection is None or self._connection_loop is not loop:
            pool = self.redis.connection_pool
            # No timeout of its own per write and per reply: _round_trip bounds the batch.
            kwargs = {**pool.connection_kwargs, "socket_timeout": None}
            self._connection, self._connection_loop = pool.connection_class(**kwargs), loop
        return self._connection

    async def _round_trip(self, commands: list[tuple[Any, ...]]) -> list[Any]:
        """The replies to ``commands`` sent at once, an error reply in place of its command's
        reply; a connection failure is retried as the client's retry policy says (a pipeline's
        behaviour), with the connection opened anew."""
        connection = self._own_connection()

        async def once() -> list[Any]:
            try:
                async with asyncio.timeout(SOCKET_TIMEOUT):
                    await connection.send_packed_command(connection.pack_commands(commands))
                    replies: list[Any] = []
                    for _ in commands:
                        try:
                            replies.append(await connection.read_response())
                        except ResponseError as exc:
                            replies.append(exc)
                    return replies
            except TimeoutError:  # asyncio's: the replies that did not come cannot be told apart
                await connection.disconnect(nowait=True)
                raise redis_errors.TimeoutError("Timeout reading from Redis") from None

        async def failed(error: Exception) -> None:
            await connection.disconnect(nowait=True)

        return await connection.retry.call_with_retry(once, failed)

    async def _send(self) -> None:
        while self._pending:
            self._take_later()
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                replies = await self._round_trip([args for args, _ in batch])
            except BaseException as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, Exception) else ConnectionError(str(exc)))
                if not isinstance(exc, Exception):  # cancelled (shutdown): the rest fail alike
                    for _, future in self._pending:
                        future.cancel()
                    self._pending = []
                    raise
                continue
            self.pipelines += 1
            self.commands += len(batch)
            for (_, future), reply in zip(batch, replies, strict=True):
                if future.done():  # its caller was cancelled meanwhile
                    continue
                if isinstance(reply, Exception):
                    future.set_exception(reply)
                else:
                    future.set_result(reply)


def _log_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and (exc := future.exception()) is not None:
        log.warning("a Redis command sent without waiting failed (its keys lapse by their TTL): %s", exc)


class BatchedScripts(Redis):
    """A client on the batcher's connection pool whose EVALSHA goes through the batch.

    saq's lanes are built on it: saq queues a job with one script call of its own (through its
    public ``enqueue``), which then shares its round trip with the other deliveries' claims and
    marks instead of taking one of its own. Every other command is the plain client's.
    """

    def __init__(self, batcher: Batcher) -> None:
        super().__init__(connection_pool=batcher.redis.connection_pool)
        self.batcher = batcher

    async def evalsha(self, sha: str, numkeys: int, *keys_and_args: Any) -> Any:
        return await self.batcher.call("EVALSHA", sha, numkeys, *keys_and_args)
