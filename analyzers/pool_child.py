"""The child side of analyzers/pool.py: ``python -I -c <boot> MEMORY CPU``, one task at a time.

Protocol (stdin/stdout, which the tools never see: they get /dev/null and a capture per task):
the parent sends one JSON line ``{"tool", "args", "root", "cpu", "quote_errors"}``; the child
answers one JSON line ``{"code", "out", "err", "truncated", "retire"}`` followed by ``out`` bytes of
report and ``err`` bytes of stderr. The child's first line is ``ready`` once the tools are imported.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import locale
import math
import os
import resource
import sys
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from analyzers.limits import NICENESS
from analyzers.pool import TASKS
from analyzers.pool_io import MAX_OUTPUT, MAX_STDERR

Runner = Callable[[Mapping[str, Any], io.TextIOBase], int]


class _Capture(io.TextIOBase):
    """A text stream that keeps the first ``limit`` bytes (a report) or the last (stderr)."""

    def __init__(self, limit: int, *, keep_tail: bool = False) -> None:
        super().__init__()
        self.limit = limit
        self.keep_tail = keep_tail
        self.data = bytearray()
        self.truncated = False
        self.name = "<stdout>"  # bandit's formatter compares it with sys.stdout's (this one too)

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.data += text.encode("utf-8", "surrogateescape")
        if len(self.data) > self.limit:
            self.truncated = True
            if self.keep_tail:
                del self.data[: len(self.data) - self.limit]
            else:
                del self.data[self.limit :]
        return len(text)

    def close(self) -> None:
        pass  # a formatter that closes its output (``with fileobj:``) must not end the capture


def _apply_limits(memory: int, cpu: int) -> None:
    """The caps run_bounded gives a CLI through prlimit and nice (analyzers/limits.py), set here
    before the tools are imported, so that they count against them too."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory:
        resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    if cpu:
        # Soft only: each task raises it to what was used so far plus its own cap (SIGXCPU then
        # ends the child); a task that blocks instead is killed by the parent's wall-clock timeout.
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.getrlimit(resource.RLIMIT_CPU)[1]))
    os.nice(NICENESS)


def _cap_cpu(seconds: int | None) -> None:
    if not seconds:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    soft = math.ceil(usage.ru_utime + usage.ru_stime) + seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _error_text(exc: BaseException, quote: bool) -> str:
    # As Python prints an uncaught exception (its last frames: stderr_tail shows the end), or,
    # for a scanner whose exception message could quote a secret, its type only.
    if not quote:
        return f"Traceback (most recent call last):\n{type(exc).__name__}\n"
    return "".join(traceback.format_exception(exc, limit=-8))


def _peak_rss() -> int:
    """This process's peak resident size (Linux's VmHWM: getrusage's ru_maxrss would include the
    parent's size from before the exec); 0 where it cannot be told."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def run_task(
    request: Mapping[str, Any], runners: Mapping[str, Runner], home: str, retire_above: int
) -> tuple[bytes, bool]:
    """One task's framed answer, and whether the child retires after it: after a MemoryError, or
    once its peak size passed ``retire_above`` (what Python holds after a big file, it seldom
    gives back, and the next file would have less room under the cap)."""
    out, err = _Capture(MAX_OUTPUT), _Capture(MAX_STDERR, keep_tail=True)
    retire = False
    saved_locale = locale.setlocale(locale.LC_ALL)  # yamllint sets a config's locale
    try:
        _cap_cpu(request.get("cpu"))
        os.chdir(request["root"])  # the tools name files as the CLIs would, relative to it
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = runners[request["tool"]](request["args"], out)
    except SystemExit as exc:  # argparse and friends exit as they would in the CLI
        code = exc.code % 256 if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            err.write(exc.code + "\n")
    except MemoryError:
        code, retire = 1, True
        err.write("Traceback (most recent call last):\nMemoryError\n")
    except Exception as exc:
        code = 1
        err.write(_error_text(exc, request.get("quote_errors") is not False))
    finally:
        os.chdir(home)
        with contextlib.suppress(locale.Error):
            locale.setlocale(locale.LC_ALL, saved_locale)
    if retire_above and _peak_rss() > retire_above:
        retire = True
    header = {"code": code, "out": len(out.data), "err": len(err.data), "truncated": out.truncated}
    header["retire"] = retire
    return json.dumps(header).encode() + b"\n" + bytes(out.data) + bytes(err.data), retire


def main() -> None:
    memory, cpu = int(sys.argv[1]), int(sys.argv[2])
    _apply_limits(memory, cpu)
    # The protocol keeps its own copies of stdin and stdout; the tools get /dev/null for both.
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    # -I left no relative entry; none may ever appear, or the checkout (the working directory
    # during a task) could shadow a module the tools import late.
    sys.path[:] = [entry for entry in sys.path if os.path.isabs(entry)]
    runners: dict[str, Runner] = {
        tool: importlib.import_module(module).run_as_library for tool, module in TASKS.items()
    }
    for module in TASKS.values():
        importlib.import_module(module).preload()  # the tools' own imports, made once here
    os.dup2(devnull, 2)  # from now on only the per-task capture hears the tools' stderr
    home = os.getcwd()
    # Retired once it has used half of the room its cap leaves after the imports.
    retire_above = (_peak_rss() + memory) // 2 if memory and _peak_rss() else 0
    replies.write(b"ready\n")
    replies.flush()
    for line in requests:
        answer, retire = run_task(json.loads(line), runners, home, retire_above)
        replies.write(answer)
        replies.flush()
        if retire:
            return
