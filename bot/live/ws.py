"""GET /api/v1/ws: live sessions over a WebSocket.

Authentication: ``Authorization: Bearer <jwt>`` on the upgrade, or a first message
``{"type": "auth", "token": ...}`` within AUTH_TIMEOUT seconds (browsers cannot set headers).
Then JSON text messages, each answered in order with the events:

- ``{"type": "join_session", "session": S, "last_event_id": ID?}``: the kept events after ID
  (all kept without it), then ``{"type": "joined", ...}``, then every new event as
  ``{"type": "event", "session": S, "id": ID, "event": {...}}``.
- ``{"type": "leave_session", "session": S}`` -> ``{"type": "left", "session": S}``.
- ``{"type": "start_analysis", "request": {repository, base, head, ...}}`` (role analyze) ->
  ``{"type": "analysis", "id": ..., "session": "analysis:<id>", ...}``, then joined to it.
- ``{"type": "ping"}`` -> ``{"type": "pong"}``.
Bad requests get ``{"type": "error", "code": ..., "message": ...}`` and change nothing.

Close codes: 4401 authentication failed or timed out; 4008 slow consumer (events waiting past
the bound); 1009 message too big; 1003 binary message; 1008 too many bad messages; 1013 too many
connections on this server; 1001 the server is shutting down.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from typing import Annotated, Literal

from aiohttp import WSMsgType, web
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bot.analysis.models import AnalysisRequest
from bot.analysis.service import ANALYSES, AnalysisBusy, TargetRejected
from bot.api.auth import API_AUTH, AuthError
from bot.api.principal import Principal
from bot.api.registry import LIMITER
from bot.live.connection import Connection
from bot.live.hub import BadEventId, HubUnavailable
from bot.live.sessions import MAX_SESSION_CHARS, parse_session
from bot.live.state import LIVE, Live
from bot.redis_client import UNAVAILABLE, describe

log = logging.getLogger(__name__)

CLOSE_AUTH = 4401
CLOSE_TOO_MANY_ERRORS = 1008
CLOSE_BINARY = 1003
CLOSE_TRY_LATER = 1013
AUTH_TIMEOUT = 10.0
MAX_MESSAGE_BYTES = 16 * 1024  # aiohttp closes with 1009 above it
HEARTBEAT = 30.0  # a ping every 30 s; no pong within half of it closes a dead peer
MAX_SESSIONS = 32  # per connection
MAX_ERRORS = 20  # bad messages on one connection before it is closed (1008)


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Auth(_Message):
    type: Literal["auth"]
    token: str = Field(max_length=8192)


class JoinSession(_Message):
    type: Literal["join_session"]
    session: str = Field(max_length=MAX_SESSION_CHARS)
    last_event_id: str | None = Field(default=None, max_length=64)


class LeaveSession(_Message):
    type: Literal["leave_session"]
    session: str = Field(max_length=MAX_SESSION_CHARS)


class StartAnalysis(_Message):
    type: Literal["start_analysis"]
    request: AnalysisRequest


class Ping(_Message):
    type: Literal["ping"]


Incoming = Annotated[Auth | JoinSession | LeaveSession | StartAnalysis | Ping, Field(discriminator="type")]
_INCOMING: TypeAdapter[Incoming] = TypeAdapter(Incoming)
KNOWN_TYPES = {"auth", "join_session", "leave_session", "start_analysis", "ping"}


class Refused(Exception):
    """A request answered with an error message; ``code`` is for programs, the text for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def parse_message(text: str) -> Incoming:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # 16 KiB of "[" nests deeper than the parser goes
        raise Refused("bad_json", "the message is not valid JSON") from None
    if not isinstance(data, dict):
        raise Refused("bad_message", "the message must be a JSON object")
    if data.get("type") not in KNOWN_TYPES:
        raise Refused("unknown_type", f"type must be one of {', '.join(sorted(KNOWN_TYPES))}")
    try:
        return _INCOMING.validate_python(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in error['loc'][1:]) or 'message'}: {error['msg']}"
            for error in exc.errors(include_url=False, include_input=False)[:3]
        ]
        raise Refused("bad_message", "; ".join(problems)[:500]) from None


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authenticate(request: web.Request, ws: web.WebSocketResponse) -> tuple[Principal, str] | None:
    """The caller and its token, or None after closing with 4401 (saying no more than the
    verifier's message)."""
    verifier = request.app.get(API_AUTH)
    token = bearer_token(request)
    if token is None:
        try:
            msg = await ws.receive(timeout=AUTH_TIMEOUT)
        except TimeoutError:
            await ws.close(code=CLOSE_AUTH, message=b"authentication timed out")
            return None
        if msg.type is not WSMsgType.TEXT:
            if not ws.closed:
                await ws.close(code=CLOSE_AUTH, message=b"authenticate first")
            return None
        try:
            first = parse_message(msg.data)
        except Refused:
            first = None
        if not isinstance(first, Auth):
            await ws.close(code=CLOSE_AUTH, message=b"the first message must be an auth message")
            return None
        token = first.token
    if verifier is None:
        await ws.close(code=CLOSE_AUTH, message=b"authentication is not configured on this server")
        return None
    try:
        return verifier.verify(token), token
    except AuthError as exc:
        await ws.close(code=CLOSE_AUTH, message=str(exc).encode()[:120])
        return None


async def websocket(request: web.Request) -> web.WebSocketResponse:
    live = request.app[LIVE]
    ws = web.WebSocketResponse(
        heartbeat=HEARTBEAT,
        max_msg_size=MAX_MESSAGE_BYTES,
        compress=False,  # a deflate context per socket costs ~100 KiB; events are small
        timeout=5.0,
    )
    await ws.prepare(request)
    if len(live.connections) >= live.max_connections:
        await ws.close(code=CLOSE_TRY_LATER, message=b"too many connections; try again later")
        return ws
    caller = await authenticate(request, ws)
    if caller is None:
        return ws
    principal, token = caller
    conn = Connection(ws, request.transport, max_frames=live.max_frames, max_chars=live.max_chars)
    conn.token = token
    live.connections.add(conn)
    conn.start()
    conn.send({"type": "welcome", "user": principal.user, "org": principal.org, "role": principal.role})
    errors = 0
    try:
        async for msg in ws:
            if msg.type is WSMsgType.BINARY:
                await ws.close(code=CLOSE_BINARY, message=b"binary messages are not accepted")
                break
            if msg.type is not WSMsgType.TEXT:
                continue
            try:
                await handle(live, conn, principal, parse_message(msg.data))
            except Refused as exc:
                errors += 1
                conn.send({"type": "error", "code": exc.code, "message": str(exc)})
                if errors >= MAX_ERRORS:
                    await ws.close(code=CLOSE_TOO_MANY_ERRORS, message=b"too many bad messages")
                    break
            except UNAVAILABLE as exc:  # Redis (analyses, quotas) is down: try again later
                log.warning("live session request: shared state unavailable (%s)", describe(exc))
                conn.send({"type": "error", "code": "unavailable", "message": "try again later"})
            except Exception:  # a bug: this request fails, the connection lives
                log.exception("live session request failed")
                conn.send({"type": "error", "code": "internal", "message": "the request failed (logged)"})
    finally:
        for session in list(conn.sessions):
            live.hub.leave(session, conn)
        live.connections.discard(conn)
        await conn.aclose()
    return ws


async def handle(live: Live, conn: Connection, principal: Principal, message: Incoming) -> None:
    if isinstance(message, Ping):
        conn.send({"type": "pong"})
    elif isinstance(message, Auth):
        raise Refused("bad_message", "already authenticated")
    elif isinstance(message, JoinSession):
        session = await authorize(live, principal, message.session)
        await join(live, conn, session, message.last_event_id)
    elif isinstance(message, LeaveSession):
        parsed = parse_session(message.session)
        name = parsed.name if parsed else message.session
        if name in conn.sessions:
            conn.sessions.discard(name)
            live.hub.leave(name, conn)
        conn.send({"type": "left", "session": name})
    elif isinstance(message, StartAnalysis):
        await start_analysis(live, conn, principal, message.request)


async def authorize(live: Live, principal: Principal, text: str) -> str:
    """The canonical session name if ``principal`` may watch it: PRs of repositories its
    organisation owns, analyses its organisation started. Unknown and forbidden analyses get
    the same answer (an id says nothing about whether it exists)."""
    parsed = parse_session(text)
    if parsed is None:
        raise Refused("bad_session", 'session must be "review:<owner>/<repo>#<number>" or "analysis:<id>"')
    if parsed.kind == "review":
        if parsed.owner != principal.org.lower():
            raise Refused("forbidden", "you may watch pull requests of your organisation's repositories only")
        return parsed.name
    service = live.app.get(ANALYSES)
    if service is None:
        raise Refused("unavailable", "analyses are not enabled on this server")
    analysis = await service.get(parsed.analysis_id)
    if analysis is None or analysis.org != principal.org:
        raise Refused("not_found", "no such analysis in your organisation")
    return parsed.name


async def join(live: Live, conn: Connection, session: str, last_event_id: str | None) -> None:
    if session in conn.sessions:
        live.hub.leave(session, conn)  # a rejoin is a resume: replay from its last_event_id
        conn.sessions.discard(session)
    if len(conn.sessions) >= MAX_SESSIONS:
        raise Refused("too_many_sessions", f"at most {MAX_SESSIONS} sessions per connection")
    conn.sessions.add(session)
    try:
        await live.hub.join(session, conn, last_event_id)
    except BadEventId as exc:
        conn.sessions.discard(session)
        raise Refused("bad_last_event_id", str(exc)) from None
    except HubUnavailable as exc:
        conn.sessions.discard(session)
        raise Refused("unavailable", f"{exc}; try again later") from None


async def start_analysis(
    live: Live, conn: Connection, principal: Principal, request: AnalysisRequest
) -> None:
    if not principal.has_role("analyze"):
        raise Refused("forbidden", "starting an analysis needs the analyze role")
    service = live.app.get(ANALYSES)
    if service is None:
        raise Refused("unavailable", "analyses are not enabled on this server")
    limiter = live.app.get(LIMITER)
    if limiter is not None:  # the same per-minute limit and daily quota as POST /analyze/repository
        verdict = await limiter.hit(principal)
        if not verdict.allowed:
            wait = max(1, math.ceil(verdict.reset - time.time()))
            raise Refused("rate_limited", f"the {verdict.which} limit is reached; try again in {wait} s")
    try:
        analysis = await service.submit(request, principal)
    except TargetRejected as exc:
        raise Refused("rejected", str(exc)[:500]) from None
    except AnalysisBusy as exc:
        raise Refused("busy", str(exc)[:500]) from None
    session = f"analysis:{analysis.id}"
    conn.send({"type": "analysis", "id": analysis.id, "status": analysis.status, "session": session})
    await join(live, conn, session, None)


async def reverify_forever(live: Live, interval: float) -> None:
    """Tokens expire and keys are revoked while sockets stay open: every ``interval`` seconds each
    member's token is checked again, and a member whose token no longer holds is closed (4401)."""
    while True:
        await asyncio.sleep(interval)
        verifier = live.app.get(API_AUTH)
        for i, conn in enumerate(list(live.connections)):
            try:
                if verifier is None:
                    raise AuthError("authentication is not configured on this server")
                verifier.verify(conn.token)
            except AuthError as exc:
                conn.close_soon(CLOSE_AUTH, str(exc))
            if i % 500 == 499:
                await asyncio.sleep(0)  # thousands of sockets: let the loop breathe


async def close_all(live: Live) -> None:
    """On shutdown: tell every member (1001) so that it reconnects to another replica."""
    conns = list(live.connections)
    for conn in conns:
        conn.closing = True
    with contextlib.suppress(Exception):
        await asyncio.gather(
            *(c.ws.close(code=1001, message=b"server shutting down") for c in conns), return_exceptions=True
        )
