"""Run one external program with a timeout and bounded output, never through a shell.

Used for the analyzers and reusable for anything else the bot runs (git, for one).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzers.limits import ResourceLimits, limit_hit, limited_argv, lower_session_priority

CHUNK = 64 * 1024
# After the process group is killed, a reader still blocked on a pipe means some process
# outside the group holds it open; waiting this long for it is enough, then we stop reading.
_DRAIN_GRACE = 1.0
# Variables a tool needs to run; everything else (tokens, keys, secrets) stays with the bot.
_PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "SYSTEMROOT")


@dataclass(frozen=True)
class ProcResult:
    """What a bounded run produced. ``returncode`` is None when the program could not start."""

    returncode: int | None
    stdout: bytes
    stderr: bytes
    timed_out: bool
    truncated: bool
    limit: str | None = None  # the resource limit that stopped it ("its memory limit of 512 MB")

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def stderr_tail(self, limit: int = 500) -> str:
        """The end of stderr as text, for an error message a person can read."""
        text = self.stderr.decode("utf-8", "replace").strip()
        return text if len(text) <= limit else "..." + text[-limit:]


def minimal_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A small environment for a tool: enough to run, without the bot's secrets."""
    env = {key: os.environ[key] for key in _PASSED_ENV if key in os.environ}
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra or {})
    return env


class _Sink:
    """Keeps at most ``limit`` bytes of a stream and remembers whether more came."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self.truncated = False

    def add(self, chunk: bytes) -> None:
        room = self.limit - self.size
        if len(chunk) > room:
            self.truncated = True
            chunk = chunk[: max(room, 0)]
        if chunk:
            self.parts.append(chunk)
            self.size += len(chunk)

    def value(self) -> bytes:
        return b"".join(self.parts)


async def _drain(stream: asyncio.StreamReader | None, sink: _Sink) -> None:
    # Keep reading past the limit (and discard) so the child never blocks on a full pipe.
    if stream is None:
        return
    while chunk := await stream.read(CHUNK):
        sink.add(chunk)


async def _feed(stream: asyncio.StreamWriter | None, data: bytes | None) -> None:
    if stream is None:
        return
    try:
        if data:
            stream.write(data)
            await stream.drain()
        stream.close()
    except (BrokenPipeError, ConnectionResetError):
        pass  # the child stopped reading; its exit status will tell the story


def _not_started(program: str, cwd: Path | None, exc: OSError) -> ProcResult:
    reason = exc.strerror or type(exc).__name__
    if isinstance(exc, FileNotFoundError) and (cwd is None or os.path.isdir(cwd)):
        reason = "executable not found"
    message = f"cannot run {program!r}: {reason}"
    return ProcResult(None, b"", message.encode(), timed_out=False, truncated=False)


def _executable(program: str, cwd: Path | None, env: Mapping[str, str] | None) -> str | None:
    if os.sep in program:
        path = program if os.path.isabs(program) or cwd is None else os.path.join(cwd, program)
        return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
    return shutil.which(program, path=(env or os.environ).get("PATH", os.defpath))


def _kill_group(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


async def _finish_readers(tasks: Sequence[asyncio.Task[None]]) -> None:
    _done, pending = await asyncio.wait(tasks, timeout=_DRAIN_GRACE)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def run_bounded(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    timeout: float,
    max_output: int = 8 * 1024 * 1024,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    limits: ResourceLimits | None = None,
) -> ProcResult:
    """Run ``argv`` (a list, never a shell string) and collect at most ``max_output`` bytes per stream.

    On timeout, or when the caller is cancelled, the whole process group is killed.
    A program that cannot be started yields ``returncode=None`` and the reason in stderr.
    ``limits``: memory and CPU-time caps set in the child before the program starts.
    """
    if isinstance(argv, str | bytes):
        raise TypeError("argv must be a sequence of arguments, not a string")
    args = [os.fspath(a) for a in argv]
    if not args:
        raise ValueError("argv is empty")
    if limits is not None:
        # A program that is not there must say "could not start", not be prlimit's failure to exec.
        if _executable(args[0], cwd, env) is None:
            return _not_started(args[0], cwd, FileNotFoundError(2, "No such file or directory"))
        args = limited_argv(args, limits)
    try:
        proc = await asyncio.create_subprocess_exec(
            *args,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group, so a timeout kills grandchildren too
        )
    except OSError as exc:
        return _not_started(args[0], cwd, exc)
    lower_session_priority(proc.pid)  # its new session must not weigh as much as the receiver

    out, err = _Sink(max_output), _Sink(max_output)
    readers = [
        asyncio.create_task(_drain(proc.stdout, out)),
        asyncio.create_task(_drain(proc.stderr, err)),
    ]
    timed_out = False
    try:
        async with asyncio.timeout(timeout):
            await _feed(proc.stdin, stdin)
            await proc.wait()
            await asyncio.gather(*readers)
    except TimeoutError:
        timed_out = True
    finally:
        # Also reached on cancellation: never leave a process (or its children) behind.
        if timed_out or proc.returncode is None or not all(t.done() for t in readers):
            _kill_group(proc)
            await asyncio.shield(_reap(proc, readers))
    stderr = err.value()
    return ProcResult(
        returncode=proc.returncode,
        stdout=out.value(),
        stderr=stderr,
        timed_out=timed_out,
        truncated=out.truncated or err.truncated,
        limit=None if timed_out else limit_hit(proc.returncode, stderr, limits),
    )


async def _reap(proc: asyncio.subprocess.Process, readers: Sequence[asyncio.Task[None]]) -> None:
    # Until Python 3.12, Process.wait() also waits for the pipes to close, and a process that
    # left the group (setsid) can hold them open forever: bound the wait, then drop the pipes.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(proc.wait(), _DRAIN_GRACE)
    await _finish_readers(readers)
    transport = getattr(proc, "_transport", None)  # asyncio keeps it private; closing is public API
    if transport is not None:
        transport.close()


def describe_failure(
    name: str,
    result: ProcResult,
    timeout: float,
    *,
    ok_codes: Collection[int] | None = None,
    needs_report: bool = False,
    quote_stderr: bool = True,
) -> str | None:
    """A readable reason why a run cannot be trusted, or None when it finished normally.

    ``ok_codes``: exit statuses that mean "ran" (linters exit 1 when they found something);
    ``needs_report``: an empty stdout is a crash; ``quote_stderr=False`` for tools whose
    tracebacks may quote the analyzed file (a secret scanner's would quote the secret).
    """
    if result.returncode is None:
        return f"{name} could not start: {result.stderr_tail()}"
    if result.timed_out:
        return f"{name} timed out after {timeout:g} s"
    if result.limit:
        return f"{name} was stopped by {result.limit}"
    if result.truncated:
        return f"{name} produced more output than the limit; its report was cut short"
    bad_exit = ok_codes is not None and result.returncode not in ok_codes
    if bad_exit or (needs_report and not result.stdout.strip()):
        detail = f": {result.stderr_tail()}" if quote_stderr else _exception_name(result.stderr)
        return f"{name} failed (exit {result.returncode}){detail}"
    return None


_EXCEPTION_LINE = re.compile(rb"^([A-Za-z_][\w.]*(?:Error|Exception))(?::|$)")


def _exception_name(stderr: bytes) -> str:
    """ ": RecursionError" from a Python traceback's last line: the type only, never the message."""
    lines = stderr.strip().splitlines()
    match = _EXCEPTION_LINE.match(lines[-1]) if lines else None
    return f": {match.group(1).decode()}" if match else ""


def find_tool(name: str) -> str | None:
    """The tool beside this interpreter (a wheel's binary in the venv's bin), else the one on PATH."""
    beside = Path(sys.executable).parent / name  # not resolved: a venv's python is a symlink
    return str(beside) if beside.is_file() else shutil.which(name)


_versions: dict[tuple[str, ...], str | None] = {}


async def tool_version(
    argv: Sequence[str], *, pattern: bytes = rb"\d+\.\d+\.\d+\S*", env: Mapping[str, str] | None = None
) -> str | None:
    """The version a tool prints (the pattern's group 1, else its whole match), asked once per process."""
    key = tuple(argv)
    if key not in _versions:
        result = await run_bounded(argv, timeout=15, max_output=4096, env=env or minimal_env())
        match = re.search(pattern, result.stdout) if result.ok else None
        _versions[key] = (
            (match.group(1) if match and match.groups() else match.group()).decode() if match else None
        )
    return _versions[key]


def package_version(distribution: str) -> str | None:
    """The installed version of a Python tool run as ``python -I -m``: the same install that runs."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def run_small(argv: Sequence[str], *, timeout: float, max_output: int = 1024 * 1024) -> bytes | None:
    """The stdout of a short run of one of the bot's own tools (e.g. ``ruff rule F401``), or None.

    Synchronous, for the rare lookups of a rule's documentation outside a review (``/explain``,
    SARIF): killed at ``timeout``, at most ``max_output`` bytes read, no stderr kept, the minimal
    environment, a neutral working directory. None when it fails or says more than the limit.
    """
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=minimal_env(),
            cwd=tempfile.gettempdir(),
            start_new_session=True,
        )
    except OSError:
        return None
    lower_session_priority(proc.pid)
    timer = threading.Timer(timeout, proc.kill)  # ends the read below when the tool hangs
    timer.start()
    try:
        out = proc.stdout.read(max_output + 1) if proc.stdout is not None else b""
        if len(out) > max_output:
            proc.kill()
        returncode = proc.wait()
    finally:
        timer.cancel()
        if proc.stdout is not None:
            proc.stdout.close()
    return out if returncode == 0 and len(out) <= max_output else None
