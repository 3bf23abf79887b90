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
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError

MAX_INT_DIGITS = 30  # GitHub ids fit in 19 digits; 5,000 digits would cost quadratic time to convert
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


# A run of 19 digits: a number orjson might turn into a float (it keeps an integer exact only
# within 64 bits: -9223372036854775809 has 19 digits and does not fit; 18 digits always do).
# Digits are mapped to "0" first because ``bytes.__contains__`` is a fast search where a regex
# for the run would try every digit as a start.
_DIGITS = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_RUN = b"0" * 19


def load_payload(body: bytes | bytearray) -> dict[str, Any]:
    """The verified body as a JSON object, or IntakeError(400) saying what is wrong with it.

    orjson parses a delivery several times faster than ``json`` (the receiver's biggest cost per
    delivery), and refuses NaN, Infinity, invalid UTF-8 and nesting beyond 1024 levels by
    itself. What it does not do as this module wants, the standard parser below does: a body
    orjson refuses is parsed again there for the exact reason, and so is one with a 19-digit
    run (orjson reads such an integer as a float; the hooks refuse it or keep it exact).
    """
    if _LONG_RUN not in bytes(body).translate(_DIGITS):
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            data = None  # said precisely by the standard parser
        if isinstance(data, dict):
            return data
    return _load_exactly(body)


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
