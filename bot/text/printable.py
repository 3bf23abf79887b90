"""Untrusted text for terminals and logs: what could move the cursor, forge a line or recolour
the screen is shown as an escape instead.

File names, analyzer messages and PR text can hold newlines (a forged log line), ANSI escape
sequences (``ESC[2J``, a fake prompt, a hidden line) or bidi overrides. The CLI's text format
and every text log line (one formatter, used by ``review-bot review`` and ``serve`` alike) pass
them through :func:`printable`; JSON log lines escape them by being JSON.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from typing import Any

_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\x1b"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def printable(text: object, *, keep: str = "") -> str:
    """``text`` with control characters (C0, DEL, C1: ESC and CSI among them) and invisible
    direction or line-separator characters as visible escapes (``\\n``, ``\\x1b``, ``\\u202e``);
    the characters in ``keep`` (e.g. a tab in a source line) stay."""
    return _UNPRINTABLE.sub(lambda m: m.group() if m.group() in keep else _escape(m), str(text))


class SafeFormatter(logging.Formatter):
    """A log line is one line: its message (arguments included) is made printable, and a
    traceback's lines are indented, so nothing in them can pass for a record of its own."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        original = record.message
        record.message = printable(original)
        try:
            return super().formatMessage(record)
        finally:
            record.message = original

    def formatException(self, ei: Any) -> str:
        return _indented(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return _indented(super().formatStack(stack_info))


class JsonFormatter(logging.Formatter):
    """One JSON object per line (``LOG_FORMAT=json``): time, level, logger, message, the fields a
    ``LogContextFilter`` put on the record (delivery id, repo, PR, head sha, job id, stage), and an
    exception's traceback as one string. JSON escapes every control character (ensure_ascii: the
    bidi and line-separator characters too), so nothing in a message can forge a line."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = getattr(record, "log_context", None)
        if isinstance(context, dict):
            event.update({key: value for key, value in context.items() if key not in event})
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            event["stack"] = self.formatStack(record.stack_info)
        return json.dumps(event, ensure_ascii=True, default=str)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.datetime.fromtimestamp(record.created, datetime.UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _indented(text: str) -> str:
    return "\n".join("    " + printable(line, keep="\t") for line in text.splitlines())


def configure_logging(level: int | str, fmt: str, *, force: bool = False, json_lines: bool = False) -> None:
    """The root logger's handler on stderr, with the SafeFormatter, or the JsonFormatter when
    ``json_lines`` (as logging.basicConfig: without ``force``, nothing changes when the root logger
    has a handler already)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else SafeFormatter(fmt))
    logging.basicConfig(level=level, handlers=[handler], force=force)
