"""Taking in one webhook body from an unauthenticated client: bounded in bytes, time and concurrency.

Until its signature is checked a body is a stranger's: it is read in chunks while the HMAC is
computed, counted against a process-wide budget (bodies and bytes in flight) that answers 503
when spent, and given a total read deadline (408). Only a verified body is parsed, and the JSON
parser refuses what would make a handler fail later: non-UTF-8 text, NaN/Infinity, integers
longer than any GitHub id, nesting deeper than the interpreter's recursion limit.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import math
import sys
import types
import typing
from dataclasses import dataclass
from typing import Any

import msgspec
from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError

from bot.github.payloads import EVENT_MODELS, Model

# GitHub ids fit in 19 digits. Longer decimal integers cost quadratic time to convert: past the
# interpreter's own limit (4300 digits) ``int`` refuses them, and so does msgspec, which accepts
# nothing longer than this (so the fast path never takes an integer that this limit refuses).
MAX_INT_DIGITS = sys.int_info.default_max_str_digits
RESERVE_STEP = 1024 * 1024  # a body without Content-Length reserves budget a MiB at a time


class IntakeError(Exception):
    """A body refused before any handler saw it: the HTTP status and a message for the sender."""

    def __init__(self, status: int, message: str, *, close: bool = False, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.close = close  # the rest of the body was not read: do not keep the connection
        self.retry_after = retry_after


@dataclass
class BodyBudget:
    """How many unauthenticated bodies, and how many of their bytes, the process holds at once."""

    max_bodies: int
    max_bytes: int
    bodies: int = 0
    bytes: int = 0

    def open(self) -> Reservation | None:
        if self.bodies >= self.max_bodies:
            return None
        self.bodies += 1
        return Reservation(self)


class Reservation:
    """One body's share of the budget; ``release`` gives it all back (idempotent)."""

    def __init__(self, budget: BodyBudget) -> None:
        self.budget = budget
        self.size = 0
        self.open = True

    def grow(self, to: int) -> bool:
        """Reserve up to ``to`` bytes in all; False when the budget cannot give that much."""
        extra = to - self.size
        if extra <= 0:
            return True
        if self.budget.bytes + extra > self.budget.max_bytes:
            return False
        self.budget.bytes += extra
        self.size = to
        return True

    def release(self) -> None:
        if self.open:
            self.open = False
            self.budget.bytes -= self.size
            self.budget.bodies -= 1
            self.size = 0


def signature_matches(body: bytes, signature: str, secret: str) -> bool:
    """Check X-Hub-Signature-256 of a whole body in constant time."""
    mac = hmac.new(secret.encode(), body, hashlib.sha256)
    return digest_matches(mac, signature, secret)


def digest_matches(mac: hmac.HMAC, signature: str, secret: str) -> bool:
    """Compare ``sha256=<hex>`` with the computed MAC.

    Not gidgethub's validate_event: it also accepts a weaker ``sha1=`` signature in this header,
    and raises TypeError instead of failing when the header holds non-ASCII characters.
    """
    expected = "sha256=" + mac.hexdigest()
    return bool(secret) and hmac.compare_digest(
        expected.encode(), signature.encode("utf-8", "surrogateescape")
    )


async def read_signed_body(
    request: web.Request,
    signature: str,
    *,
    secret: str,
    budget: BodyBudget,
    timeout: float,
    limit: int,
) -> bytearray:
    """The body, read under the budget and the deadline, with its signature verified; else IntakeError."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise IntakeError(413, f"payload larger than {limit // (1024 * 1024)} MB", close=True)
    if not secret:
        raise IntakeError(401, "signature does not match", close=True)
    reservation = budget.open()
    if reservation is None or not reservation.grow(declared or 0):
        if reservation is not None:
            reservation.release()
        raise IntakeError(503, "too many webhook deliveries in flight", close=True, retry_after=5)
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha256)
    body = bytearray()
    try:
        async with asyncio.timeout(timeout):
            while chunk := await request.content.readany():
                size = len(body) + len(chunk)
                if size > limit:
                    raise IntakeError(413, f"payload larger than {limit // (1024 * 1024)} MB", close=True)
                if size > reservation.size and not reservation.grow(size + RESERVE_STEP):
                    raise IntakeError(503, "too many webhook deliveries in flight", close=True, retry_after=5)
                mac.update(chunk)
                body += chunk
    except TimeoutError:
        raise IntakeError(408, f"body not received within {timeout:g} s", close=True) from None
    except (RequestPayloadError, ConnectionError, RuntimeError):
        # RuntimeError is aiohttp's "Connection closed." when the connection went away mid-body
        # (the client hung up, or the connection cap closed it to make room).
        raise IntakeError(400, "body ended before its declared length", close=True) from None
    finally:
        reservation.release()
    if not digest_matches(mac, signature, secret):
        raise IntakeError(401, "signature does not match")
    return body


class _Refused(ValueError):
    """A JSON value the payload may not hold (raised from the parser's hooks)."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(f"an integer longer than {MAX_INT_DIGITS} digits")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused("a number out of range")
    return value


def _parse_constant(name: str) -> Any:
    raise _Refused(f"{name}, which is not JSON")


def load_payload(body: bytes | bytearray) -> dict[str, Any]:
    """The verified body as a JSON object, or IntakeError(400) saying what is wrong with it.

    msgspec parses a delivery several times faster than ``json`` with the hooks below (parsing
    is the receiver's biggest cost per delivery after HTTP itself), keeps integers of any size
    exact as ``json`` does (orjson turns those past 64 bits into floats, so it needed a scan of
    the body for long digit runs first, which cost as much as the parse), and refuses NaN,
    Infinity, out-of-range numbers, invalid UTF-8, trailing data and integers past the
    interpreter's digit limit by itself. Whatever it refuses is parsed again by the standard
    parser with the hooks, for the exact reason (or for the value: a lone surrogate escape is
    read there). Every value both accept is the same (tests/test_webhook_intake.py).
    """
    try:
        data = msgspec.json.decode(body)
    except (msgspec.DecodeError, RecursionError):
        data = None  # said precisely by the standard parser
    if isinstance(data, dict):
        return data
    return _load_exactly(body)


ACTION_NOT_A_STRING = "payload field action is invalid: not a string"  # gidgethub looks it up in a dict


# What a receiver appends of each event: the fields its handler's payload model reads
# (bot/github/payloads.py), found from the model itself so that the two never disagree. The
# handlers read ~1 KB of a 23 KB pull_request delivery; sending the rest on would cost a Redis
# write, a read and a worker's parse, per delivery, for nothing. Values are kept as sent
# (msgspec.Raw: bytes, neither converted nor checked): the worker validates them with the model.


def _part_type(annotation: Any) -> Any:
    """The msgspec type that keeps what one model field reads: a nested model as a struct of its
    own fields, a list of models as a list of those, anything else whole."""
    if isinstance(annotation, type) and issubclass(annotation, Model) and not annotation.read_whole:
        return _part_struct(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and (inner := _part_type(args[0])) is not msgspec.Raw:
        return list[inner]  # type: ignore[valid-type]
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        (kept,) = (arg for arg in args if arg is not type(None))
        if (inner := _part_type(kept)) is not msgspec.Raw:
            return inner | None
    return msgspec.Raw


def _part_fields(model: type[Model]) -> dict[str, Any]:
    return {name: _part_type(info.annotation) for name, info in model.model_fields.items()}


def _part_struct(model: type[Model]) -> type[msgspec.Struct]:
    return _struct(model.__name__, list(_part_fields(model).items()))


def _struct(name: str, fields: list[tuple[str, Any]]) -> type[msgspec.Struct]:
    """A struct of these fields, each optional (a field the payload lacks is left out, for the
    model to say it is missing)."""
    kept = [(field, kind | msgspec.UnsetType, msgspec.UNSET) for field, kind in fields]
    return msgspec.defstruct(f"{name}Part", kept, omit_defaults=True)


# Kept of every event: the action (the router dispatches on it: it must be a string) and what
# the log lines of a delivery name (bot/delivery.py subject_of: repository and PR).
_NUMBERED = _struct("Numbered", [("number", msgspec.Raw)])
_ENVELOPE_FIELDS: dict[str, Any] = {
    "action": str | None,
    "repository": _struct(
        "Named", [("owner", _struct("Owner", [("login", msgspec.Raw)]) | None), ("name", msgspec.Raw)]
    )
    | None,
    "pull_request": _NUMBERED | None,
    "issue": _NUMBERED | None,
}


def _event_struct(model: type[Model]) -> type[msgspec.Struct]:
    """What a receiver keeps of an event whose handler validates ``model``: the envelope, and
    the model's fields (a nested model's own fields where both name one: they include the
    envelope's)."""
    own = _part_fields(model)
    own.pop("action", None)  # the envelope's: a string, checked by the decode itself
    return _struct(f"{model.__name__}Event", list({**_ENVELOPE_FIELDS, **own}.items()))


_PARTS = {event: msgspec.json.Decoder(_event_struct(model)) for event, model in EVENT_MODELS.items()}
_ENVELOPE = msgspec.json.Decoder(_event_struct(Model))  # an event no handler reads


def routing_part(event: str, body: bytes | bytearray) -> bytes:
    """What a receiver appends to the intake for one verified body: the fields the handler of its
    event reads, as sent; else IntakeError(400) as ``load_payload`` says it.

    The body must be one JSON object whose action, if any, is a string (the router looks it up).
    Every event keeps its envelope (action, repository and PR, for the log lines). A payload
    whose fields do not have their model's shape is sent on whole, for the worker's model to name
    the field (as the single process answers it). Decoding into the fields kept builds no Python
    object for the rest: 27 us for a 23 KB pull_request, against 69 for ``load_payload``. The
    worker parses what was kept with ``load_payload``, which refuses what the decode lets through
    inside kept values (invalid UTF-8, integers past the digit limit, numbers out of range); what
    no handler reads is gone, and its flaws with it.
    """
    try:
        part = _PARTS.get(event, _ENVELOPE).decode(body)
    except msgspec.ValidationError as exc:
        where = str(exc).rpartition(" - at `")[2]
        if where == "$.action`":
            raise IntakeError(400, ACTION_NOT_A_STRING) from None
        if where.startswith("$."):
            return bytes(body)
        raise IntakeError(400, "body is not a JSON object") from None
    except (msgspec.DecodeError, RecursionError):
        _load_exactly(body)  # raises the exact reason; a body only it accepts is sent on whole
        return bytes(body)
    return msgspec.json.encode(part)


def _load_exactly(body: bytes | bytearray) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise IntakeError(400, "body is not UTF-8 text") from None
    try:
        data = json.loads(
            text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant
        )
    except _Refused as exc:
        raise IntakeError(400, f"body holds {exc}") from None
    except RecursionError:
        raise IntakeError(400, "body is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise IntakeError(400, f"body is not JSON: {exc.msg} at line {exc.lineno}") from None
    except ValueError:  # anything else the decoder refuses: say so without echoing the body
        raise IntakeError(400, "body is not JSON") from None
    if not isinstance(data, dict):
        raise IntakeError(400, "body is not a JSON object")
    return data
