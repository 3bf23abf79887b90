"""The parent's side of the protocol with one child of the analyzer pool (analyzers/pool.py; the
child's side is analyzers/pool_child.py): a JSON header line, then the report and stderr bytes,
each bounded, read with a deadline; and killing the child's whole process group."""

from __future__ import annotations

import contextlib
import json
import math
import os
import select
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

MAX_OUTPUT = 8 * 1024 * 1024  # a report's bytes, as run_bounded keeps of a CLI's stdout
MAX_STDERR = 64 * 1024  # its end: where a traceback's last line and MemoryError are
_HEADER_LIMIT = 4096


@dataclass(eq=False)
class Child:
    proc: subprocess.Popen[bytes]
    buffer: bytearray = field(default_factory=bytearray)
    tasks: int = 0
    late: bool = False  # a read ran into the task's deadline


def kill(child: Child) -> None:
    if child.proc.returncode is not None:
        return  # reaped: its pid may belong to someone else now
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.proc.pid, signal.SIGKILL)  # its own session: anything it started goes too


def reap(child: Child) -> int | None:
    kill(child)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.proc.wait(timeout=5)
    for pipe in (child.proc.stdin, child.proc.stdout, child.proc.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    return child.proc.returncode


def fill(child: Child, deadline: float) -> bool:
    """Read what the child has sent into its buffer; False at EOF or at the deadline."""
    assert child.proc.stdout is not None  # noqa: S101 - started with stdout=PIPE
    fd = child.proc.stdout.fileno()
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    left = deadline - time.monotonic()
    if left <= 0 or not poller.poll(math.ceil(left * 1000)):
        child.late = True
        return False
    try:
        chunk = os.read(fd, 1024 * 1024)
    except OSError:
        return False  # as good as EOF: the child is reaped and reported as it ended
    child.buffer += chunk
    return bool(chunk)


def read_line(child: Child, deadline: float) -> bytes | None:
    while (end := child.buffer.find(b"\n")) < 0:
        if len(child.buffer) > _HEADER_LIMIT or not fill(child, deadline):
            return None
    line = bytes(child.buffer[:end])
    del child.buffer[: end + 1]
    return line


def read_exactly(child: Child, size: int, deadline: float) -> bytes | None:
    while len(child.buffer) < size:
        if not fill(child, deadline):
            return None
    data = bytes(child.buffer[:size])
    del child.buffer[:size]
    return data


def read_reply(child: Child, deadline: float) -> tuple[dict[str, Any], bytes, bytes] | None:
    """The child's answer: a JSON header line (exit code, sizes, flags), the report, its stderr.
    None when it died, timed out or said something else (then it is killed, never trusted again)."""
    line = read_line(child, deadline)
    try:
        header = json.loads(line) if line else None
    except ValueError:
        return None
    if not (
        isinstance(header, dict)
        and isinstance(header.get("code"), int)
        and isinstance(header.get("truncated"), bool)
        and isinstance(header.get("out"), int)
        and isinstance(header.get("err"), int)
        and 0 <= header["out"] <= MAX_OUTPUT
        and 0 <= header["err"] <= MAX_STDERR
    ):
        return None
    out = read_exactly(child, header["out"], deadline)
    err = read_exactly(child, header["err"], deadline)
    return None if out is None or err is None else (header, out, err)
