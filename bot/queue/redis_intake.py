"""The intake: verified deliveries handed from the receivers to the workers, on a Redis stream.

With REDIS_URL a receiver does the least a delivery needs before GitHub may be told 202: it
checks the signature and that the body is a JSON object, then one script appends the delivery
(event, id, what its handler reads of the body, trace parent: bot/webhook_intake.py
``routing_part``) to the ``<prefix>:intake`` stream and remembers its id for
GitHub's redelivery window (a redelivery is answered 202 and not appended again). The workers
read the stream as one consumer group and route each delivery through the same handlers the
single process runs (bot/delivery.py: payload models, dedupe, the review lanes,
slash-commands), acknowledging it once routed. Parsing, validating and routing cost a receiver
more than everything else it does; they now run in the workers, below the receivers' CPU
priority (bot/cli.py), so acknowledgements stay fast while reviews keep the cores busy.

Order: one worker routes at a time (it holds a redis-py ``Lock``, renewed as it goes), so
deliveries are routed in the order they were appended: a push's delivery is never routed before
the one of the push before it (the older head would then replace the newer one in the queue).

Nothing is lost on the way: the append is one script (all or nothing) and a receiver answers 202
only after it; a delivery is acknowledged only once routed. A router that stops or dies leaves
what it read pending in the group; its lock lapses and the worker that takes the lock takes those
deliveries over (XAUTOCLAIM) before reading new ones. Routing that meets a full review queue or
an unreachable Redis leaves the delivery pending, to be routed again after a pause (the single
process answers those 503 and relies on GitHub's redelivery, which is manual). Past
``intake_max`` waiting deliveries (workers down for long) a receiver answers 503.

Why a stream and not a saq queue: a stream's consumer group is Redis's own queue (delivery,
pending entries, claiming them from a consumer gone), so nothing of a queue is written here.
saq's enqueue builds and serializes a job record and runs its own script: measured with
bench/receiver_cpu.py, a receiver queueing each delivery as a saq job cost 0.41-0.52 CPU-ms per
delivery against 0.24-0.35 for this append, of 0.67-0.72 for routing in the receiver.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import ResponseError

from bot.queue.redis_batch import Batcher

log = logging.getLogger(__name__)

GROUP = "routers"

# KEYS: the stream, the delivery's "seen" mark. ARGV: the most entries the stream may hold, the
# mark's TTL, then the entry's fields (event, delivery, body, trace). 1: appended; 0: a delivery
# already appended (a redelivery); -1: the stream is full. The mark and the entry go together.
APPEND_LUA = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return -1 end
redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
redis.call('XADD', KEYS[1], '*', 'event', ARGV[3], 'delivery', ARGV[4], 'body', ARGV[5], 'trace', ARGV[6])
return 1
"""
APPEND_SHA = hashlib.sha1(APPEND_LUA.encode()).hexdigest()  # noqa: S324 - Redis names scripts by SHA-1


class IntakeFull(Exception):
    """The stream holds ``intake_max`` deliveries: the workers are not keeping up (or not running)."""


@dataclass(frozen=True)
class Delivery:
    """One entry of the stream: a verified delivery as the receiver got it."""

    entry_id: bytes
    event: str
    delivery_id: str
    body: bytes
    traceparent: str


def consumer_name() -> str:
    """This process's name in the consumer group: unique per start, readable in XINFO."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class RedisIntake:
    """The receivers' append and the workers' read, acknowledge and takeover, on one stream."""

    def __init__(
        self,
        redis: Redis,
        batcher: Batcher,
        *,
        prefix: str,
        max_entries: int,
        seen_ttl: int,
        lock_timeout: float = 10.0,
    ) -> None:
        self.redis = redis
        self.batcher = batcher  # the receiver's appends share round trips with each other
        self.stream = f"{prefix}:intake"
        self._seen_prefix = f"{prefix}:intake-seen:"
        self.max_entries = max_entries
        self.seen_ttl = seen_ttl
        self.lock_timeout = lock_timeout
        self._router_lock_name = f"{prefix}:intake-router"
        self._group_ready = False

    # --- receivers ----------------------------------------------------------------------------
    async def append(self, event: str, delivery_id: str, body: bytes | bytearray, traceparent: str) -> bool:
        """Append one delivery; False when its id was appended before. IntakeFull past the bound."""
        reply = await self.batcher.script(
            APPEND_SHA,
            APPEND_LUA,
            keys=[self.stream, self._seen_prefix + delivery_id],
            args=[self.max_entries, self.seen_ttl, event, delivery_id, bytes(body), traceparent],
        )
        if reply == -1:
            raise IntakeFull(f"{self.max_entries} deliveries wait for a worker")
        return bool(reply)

    # --- workers ------------------------------------------------------------------------------
    def router_lock(self) -> Lock:
        """Held by the one worker that routes at a time: deliveries are routed in the order they
        were appended (a push's delivery after the one before it, else an older head would
        replace the newer one in the queue). Renewed while routing; it lapses if its worker dies."""
        return Lock(self.redis, self._router_lock_name, timeout=self.lock_timeout, thread_local=False)

    async def ensure_group(self) -> None:
        """The consumer group (and the stream) exist; created by the first worker."""
        if self._group_ready:
            return
        try:
            await self.redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def take_over(self, consumer: str) -> None:
        """Make every delivery another worker read and did not acknowledge this one's, for a
        worker that has just become the router: the former router stopped or died."""
        await self.ensure_group()
        start: bytes | str = "0-0"
        while True:
            # [the next start, the entries claimed, ids deleted meanwhile] (with JUSTID redis-py
            # returns the ids alone, without the cursor: the entries are fetched).
            reply = await self.redis.xautoclaim(
                self.stream, GROUP, consumer, min_idle_time=0, start_id=start, count=100
            )
            start = reply[0] if reply else b"0-0"
            if start in (b"0-0", "0-0"):
                return

    async def read(self, consumer: str, count: int, block: float) -> list[Delivery]:
        """Up to ``count`` deliveries in the order they were appended: first those this worker
        read and has not acknowledged yet (taken over, or left when routing met a full queue),
        else new ones, waiting up to ``block`` seconds for one."""
        await self.ensure_group()
        try:
            reply = await self.redis.xreadgroup(GROUP, consumer, {self.stream: "0"}, count=count)
            if not _entries(reply):
                reply = await self.redis.xreadgroup(
                    GROUP, consumer, {self.stream: ">"}, count=count, block=max(1, int(1000 * block))
                )
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):  # the stream was deleted (FLUSHALL): make it again
                raise
            self._group_ready = False
            return []
        return [_delivery(entry) for entry in _entries(reply)]

    async def done(self, entry_ids: list[bytes], forget: list[str] | None = None) -> None:
        """Routed: acknowledged and removed (the stream's length is the backlog). The deliveries
        in ``forget`` failed in a handler: their ids are forgotten, so that GitHub's redelivery
        of one (once the cause is fixed) is appended again, as the single process takes it."""
        if not entry_ids:
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(self.stream, GROUP, *entry_ids)
            pipe.xdel(self.stream, *entry_ids)
            if forget:
                pipe.delete(*(self._seen_prefix + delivery_id for delivery_id in forget))
            await pipe.execute()

    async def depth(self) -> int:
        """Deliveries appended and not yet routed (being routed included)."""
        return int(await self.redis.xlen(self.stream))

    async def leave(self, consumer: str) -> None:
        """A stopping worker leaves the group if nothing it read waits unacknowledged (deleting
        a consumer drops its pending entries, which would then never be taken over)."""
        try:
            pending = await self.redis.xpending_range(self.stream, GROUP, "-", "+", 1, consumername=consumer)
        except ResponseError:
            return
        if not pending:
            await self.redis.xgroup_delconsumer(self.stream, GROUP, consumer)


def _entries(reply: Any) -> list[Any]:
    return [entry for _, entries in reply or [] for entry in entries]


def _delivery(entry: Any) -> Delivery:
    """An entry as a Delivery; one that is not a receiver's (deleted meanwhile, or written by
    something else) has no event, and is acknowledged without being routed."""
    entry_id, fields = entry
    try:
        return Delivery(
            entry_id=entry_id,
            event=fields[b"event"].decode(),
            delivery_id=fields[b"delivery"].decode(),
            body=fields[b"body"],
            traceparent=fields.get(b"trace", b"").decode(),
        )
    except (KeyError, TypeError, UnicodeDecodeError):
        log.warning("intake entry %r is not a delivery: dropped", entry_id)
        return Delivery(entry_id=entry_id, event="", delivery_id="", body=b"", traceparent="")
