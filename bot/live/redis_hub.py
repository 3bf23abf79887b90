"""Live sessions shared by every replica: one Redis stream per session.

Publishing is an XADD (trimmed with ``MAXLEN ~``, expiring when the session goes quiet), so an
event published on a worker reaches members connected to any receiver. Each replica runs one
reader task: a blocking XREAD over the streams of the sessions its members joined, fanned out
to them in this process. Event ids are the stream ids, so a member resumes on any replica.

A join reads the kept events (XREVRANGE) while the member is already registered: events the
reader hands over meanwhile wait in the member's pending list, and every member keeps the id of
the last event it was given, so each event reaches it exactly once and in order.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.live.hub import (
    DEFAULT_REPLAY,
    BadEventId,
    HubUnavailable,
    Member,
    encode_event,
    event_frame,
    joined_frame,
)
from bot.redis_client import UNAVAILABLE, Complaints, cancel_for_sure

log = logging.getLogger(__name__)

DEFAULT_TTL = 24 * 3600  # a session's stream lives this long after its last event
BLOCK_MS = 5000  # below bot/redis_client.py's socket timeout
READ_COUNT = 512  # entries per stream per XREAD
_STREAM_ID = re.compile(r"^([0-9]{1,19})-([0-9]{1,19})$")

StreamId = tuple[int, int]


def parse_id(text: str) -> StreamId:
    match = _STREAM_ID.match(text)
    if match is None:
        raise BadEventId("last_event_id is not an event id of this server")
    return int(match.group(1)), int(match.group(2))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


@dataclass
class _Membership:
    cursor: StreamId  # the last event given to this member
    pending: list[tuple[StreamId, str]] | None = field(default_factory=list)  # None once joined

    def offer(self, member: Member, event_id: StreamId, frame: str) -> None:
        if self.pending is not None:
            self.pending.append((event_id, frame))
        elif event_id > self.cursor:
            self.cursor = event_id
            member.deliver(frame)


class RedisHub:
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "live",
        replay: int = DEFAULT_REPLAY,
        ttl: int = DEFAULT_TTL,
        block_ms: int = BLOCK_MS,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self.replay = max(1, replay)
        self.ttl = ttl
        self.block_ms = block_ms
        self._members: dict[str, dict[Member, _Membership]] = {}
        # Sessions this replica reads, with the last id read (None: its first join is in flight).
        self._cursors: dict[str, str | None] = {}
        self._wake_key = f"{prefix}:wake:{uuid.uuid4().hex}"
        self._wake_cursor = "0-0"
        self._reader: asyncio.Task[None] | None = None
        self._complaints = Complaints("live sessions")

    def key(self, session: str) -> str:
        return f"{self.prefix}:s:{session}"

    async def publish(self, session: str, event: dict[str, Any]) -> str | None:
        return await self.publish_encoded(session, encode_event(event))

    async def publish_encoded(self, session: str, event_json: str) -> str | None:
        key = self.key(session)
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.xadd(key, {"e": event_json}, maxlen=self.replay, approximate=True)
                pipe.expire(key, self.ttl)
                event_id, _ = await pipe.execute()
        except UNAVAILABLE as exc:
            raise HubUnavailable("the live sessions' store is unavailable") from exc
        return _text(event_id)

    async def join(self, session: str, member: Member, last_event_id: str | None = None) -> None:
        after = parse_id(last_event_id) if last_event_id is not None else None
        membership = _Membership(cursor=after or (0, 0))
        self._members.setdefault(session, {})[member] = membership
        if session not in self._cursors:
            self._cursors[session] = None
        try:
            newest_first, oldest, newest = await self._kept(session, last_event_id)
        except UNAVAILABLE as exc:
            self.leave(session, member)
            raise HubUnavailable("the live sessions' store is unavailable") from exc
        if member not in self._members.get(session, {}):  # left while we read
            return
        entries = list(reversed(newest_first))
        for raw_id, fields in entries:
            event_id = _text(raw_id)
            membership.cursor = parse_id(event_id)
            member.deliver(event_frame(session, event_id, _text(fields[b"e"])))
        # Truncated: older events than those replayed are kept no more (or, without a last id,
        # more are kept than one replay holds).
        oldest_id = parse_id(_text(oldest[0][0])) if oldest else None
        if after is None:
            truncated = bool(entries) and oldest_id != parse_id(_text(entries[0][0]))
        else:
            truncated = oldest_id is not None and (oldest_id > after or len(entries) >= self.replay)
        last = _text(entries[-1][0]) if entries else last_event_id
        member.deliver(joined_frame(session, len(entries), truncated, last))
        pending, membership.pending = membership.pending or [], None
        for event_id_tuple, frame in pending:
            membership.offer(member, event_id_tuple, frame)
        if self._cursors.get(session, "") is None:
            # The reader starts after the newest event kept when this join read them (never at
            # the member's own last_event_id: a made-up one from the future would stall it).
            self._cursors[session] = _text(newest[0][0]) if newest else "0-0"
            await self._wake()
        self._ensure_reader()

    async def _kept(self, session: str, last_event_id: str | None) -> tuple[list[Any], list[Any], list[Any]]:
        """The newest kept events after ``last_event_id`` (newest first), the oldest kept one and
        the newest one, read at one point in time."""
        key = self.key(session)
        start = f"({last_event_id}" if last_event_id is not None else "-"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xrevrange(key, "+", start, count=self.replay)
            pipe.xrange(key, "-", "+", count=1)
            pipe.xrevrange(key, "+", "-", count=1)
            newest_first, oldest, newest = await pipe.execute()
        return newest_first, oldest, newest

    def leave(self, session: str, member: Member) -> None:
        members = self._members.get(session)
        if members is None:
            return
        members.pop(member, None)
        if not members:
            del self._members[session]
            self._cursors.pop(session, None)  # the reader stops reading it at its next round

    def member_count(self, session: str) -> int:
        return len(self._members.get(session, ()))

    async def _wake(self) -> None:
        """Interrupt the reader's blocking XREAD so that it reads a newly joined session too."""
        if self._reader is None:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.xadd(self._wake_key, {"w": "1"}, maxlen=1, approximate=False)
                pipe.expire(self._wake_key, 3600)
                await pipe.execute()
        except UNAVAILABLE:
            pass  # the reader is failing too; it rereads the sessions when Redis is back

    def _ensure_reader(self) -> None:
        if self._reader is None or self._reader.done():
            self._reader = asyncio.get_running_loop().create_task(self._read_forever(), name="live-reader")

    async def _read_forever(self) -> None:
        while True:
            streams: dict[Any, Any] = {self._wake_key: self._wake_cursor}
            streams.update({self.key(s): c for s, c in self._cursors.items() if c is not None})
            try:
                reply = await self.redis.xread(streams, count=READ_COUNT, block=self.block_ms)
            except UNAVAILABLE as exc:
                self._complaints.failed(exc)
                await asyncio.sleep(0.5)
                continue
            self._complaints.recovered()
            for raw_key, entries in reply or []:
                self._dispatch(_text(raw_key), entries)

    def _dispatch(self, key: str, entries: list[Any]) -> None:
        if key == self._wake_key:
            self._wake_cursor = _text(entries[-1][0])
            return
        session = key[len(self.prefix) + 3 :]
        if self._cursors.get(session) is None:  # left meanwhile (or its first join is in flight)
            return
        members = self._members.get(session, {})
        for raw_id, fields in entries:
            event_id = _text(raw_id)
            self._cursors[session] = event_id
            frame = event_frame(session, event_id, _text(fields[b"e"]))
            id_tuple = parse_id(event_id)
            for member, membership in list(members.items()):
                membership.offer(member, id_tuple, frame)

    async def aclose(self) -> None:
        if self._reader is not None:
            await cancel_for_sure(self._reader)
            self._reader = None
        self._members.clear()
        self._cursors.clear()
