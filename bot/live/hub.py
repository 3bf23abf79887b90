"""Live sessions: who watches which session, and each session's events with ids to resume from.

A session is a named stream of events ("analysis:<id>", "review:<owner>/<repo>#<number>").
Members are the open WebSockets (bot/live/ws.py); each gets every event of the sessions it
joined, as one pre-serialised frame shared by all members (a broadcast serialises once).

Without Redis, :class:`MemoryHub` keeps the last ``replay`` events of each of the last
``max_sessions`` sessions in this process; ids are one monotonic counter. With Redis,
:class:`bot.live.redis_hub.RedisHub` keeps them in a stream per session (ids are the stream's),
so members on every replica see the same events and a member resumes on any replica.

Delivering never blocks: a member queues the frame or, past its bound, closes itself (4008).
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any, Protocol

DEFAULT_REPLAY = 256  # events kept per session for members that join late or resume
DEFAULT_MAX_SESSIONS = 2048  # sessions whose events this process keeps (least recently used go)
MAX_EVENT_CHARS = 64 * 1024  # one serialised event; bigger ones have their long strings cut
MAX_FIELD_CHARS = 8 * 1024

_MEMORY_ID = re.compile(r"^[0-9]{1,19}$")


class Member(Protocol):
    """An open connection: ``deliver`` queues a frame and returns at once, never raises."""

    def deliver(self, frame: str) -> None: ...


class BadEventId(ValueError):
    """A ``last_event_id`` that this hub never hands out (the message is safe to show)."""


class HubUnavailable(Exception):
    """The shared store of sessions (Redis) cannot be reached right now."""


class Hub(Protocol):
    async def publish(self, session: str, event: dict[str, Any]) -> str | None:
        """Append ``event`` to ``session`` and deliver it to the members; returns its id."""
        ...

    async def join(self, session: str, member: Member, last_event_id: str | None = None) -> None:
        """Replay the session's events after ``last_event_id`` (all kept ones without it), then a
        ``joined`` frame, then every new event, each exactly once and in order."""
        ...

    def leave(self, session: str, member: Member) -> None: ...

    def member_count(self, session: str) -> int: ...

    async def aclose(self) -> None: ...


def encode_event(event: dict[str, Any]) -> str:
    """The event as JSON, bounded: long strings are cut so a frame stays under MAX_EVENT_CHARS."""
    text = json.dumps(event, default=str, separators=(",", ":"))
    if len(text) <= MAX_EVENT_CHARS:
        return text
    cut = {key: _cut(value) for key, value in event.items()}
    cut["truncated"] = True
    text = json.dumps(cut, default=str, separators=(",", ":"))
    if len(text) <= MAX_EVENT_CHARS:
        return text
    return json.dumps({"type": str(event.get("type", "event"))[:100], "truncated": True})


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
        return value[:MAX_FIELD_CHARS] + " [cut]"
    if isinstance(value, list) and len(value) > 100:
        return value[:100]
    return value


def event_frame(session: str, event_id: str, event_json: str) -> str:
    """The frame a member receives for one event (``event_json`` is already encoded)."""
    head = '{"type":"event","session":' + json.dumps(session) + ',"id":' + json.dumps(event_id)
    return head + ',"event":' + event_json + "}"


def joined_frame(session: str, replayed: int, truncated: bool, last_event_id: str | None) -> str:
    """Sent after the replay: the member now receives new events live. ``truncated``: events
    between ``last_event_id`` and the first replayed one were no longer kept."""
    return json.dumps(
        {
            "type": "joined",
            "session": session,
            "replayed": replayed,
            "truncated": truncated,
            "last_event_id": last_event_id,
        },
        separators=(",", ":"),
    )


@dataclass
class _Session:
    floor: int  # ids at or below this one may have been dropped from ``events``
    events: deque[tuple[int, str]]
    members: set[Member] = field(default_factory=set)
    trimmed: bool = False


class MemoryHub:
    """Sessions in this process: a bounded replay buffer per session, bounded sessions."""

    def __init__(self, *, replay: int = DEFAULT_REPLAY, max_sessions: int = DEFAULT_MAX_SESSIONS) -> None:
        self.replay = max(1, replay)
        self.max_sessions = max(1, max_sessions)
        self._last_id = 0
        self._sessions: OrderedDict[str, _Session] = OrderedDict()

    def _session(self, name: str) -> _Session:
        session = self._sessions.get(name)
        if session is None:
            session = _Session(floor=self._last_id, events=deque(maxlen=self.replay))
            self._sessions[name] = session
            self._evict()
        self._sessions.move_to_end(name)
        return session

    def _evict(self) -> None:
        """Forget the least recently used sessions nobody watches, beyond ``max_sessions``."""
        excess = len(self._sessions) - self.max_sessions
        for name in list(self._sessions):
            if excess <= 0:
                break
            if not self._sessions[name].members:
                del self._sessions[name]
                excess -= 1

    async def publish(self, session: str, event: dict[str, Any]) -> str:
        return self.publish_encoded(session, encode_event(event))

    def publish_encoded(self, session: str, event_json: str) -> str:
        self._last_id += 1
        event_id = str(self._last_id)
        frame = event_frame(session, event_id, event_json)
        state = self._session(session)
        if len(state.events) == state.events.maxlen:
            state.floor = state.events[0][0]
            state.trimmed = True
        state.events.append((self._last_id, frame))
        for member in list(state.members):
            member.deliver(frame)
        return event_id

    async def join(self, session: str, member: Member, last_event_id: str | None = None) -> None:
        after = None
        if last_event_id is not None:
            if not _MEMORY_ID.match(last_event_id):
                raise BadEventId("last_event_id is not an event id of this server")
            after = int(last_event_id)
        state = self._session(session)
        # No await from here on: nothing is published between the replay and joining.
        replayed = 0
        for event_id, frame in state.events:
            if after is None or event_id > after:
                member.deliver(frame)
                replayed += 1
        truncated = state.trimmed if after is None else after < state.floor
        last = str(state.events[-1][0]) if state.events else last_event_id
        member.deliver(joined_frame(session, replayed, truncated, last))
        state.members.add(member)

    def leave(self, session: str, member: Member) -> None:
        state = self._sessions.get(session)
        if state is not None:
            state.members.discard(member)

    def member_count(self, session: str) -> int:
        state = self._sessions.get(session)
        return len(state.members) if state is not None else 0

    def session_count(self) -> int:
        return len(self._sessions)

    async def aclose(self) -> None:
        self._sessions.clear()
