"""A warm, isolated process pool for the analyzers that are Python libraries (bandit, detect-secrets,
yamllint): no interpreter start per run, and still every run in a child process under the limits.

Each child is ``python -I`` started once with the minimal environment, a neutral working directory,
no path of the reviewed repository on ``sys.path``, its memory cap (RLIMIT_DATA), no core files and
a lower CPU priority (analyzers/limits.py explains each); it imports the three tools and then runs
one task at a time: chdir into the checkout, the tool's own library code (each analyzer module's
``run_as_library``), the report the CLI would have printed sent back, so that the findings are
parsed by exactly the code that parses the CLI's report. A task gets its own CPU-time cap (the soft
RLIMIT_CPU raised to what the child used so far plus the cap: SIGXCPU kills it) and a wall-clock
timeout after which the parent kills the child's process group. A killed, crashed or out-of-memory
child is that run's error and is replaced; a child is also retired after ``max_tasks`` tasks or once
it has used half the room its cap leaves after the imports (Python seldom gives memory back).

Why not pebble or ProcessPoolExecutor: neither can kill one task (ProcessPoolExecutor) or does it
without a shared lock (pebble's workers share one channel guarded by a semaphore: a child killed by
SIGXCPU or the OOM killer while holding it wedges the others), both start children with
multiprocessing (``python -c`` with the current directory first on ``sys.path``: the reviewed
repository when a developer runs ``review-bot review`` in it) and both unpickle what a child sends.
Here a child speaks a tiny framed protocol (a JSON header line, then the bounded report bytes) over
its own pipes, and each task runs in a thread of the pool's own executor, so any event loop can
await it. ``ANALYZER_POOL=0`` turns the pool off: each run is then a subprocess of its tool's CLI.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from analyzers.limits import ResourceLimits, limit_hit, lower_session_priority
from analyzers.pool_io import MAX_STDERR, Child, kill, read_line, read_reply, reap
from analyzers.process import ProcResult, minimal_env
from analyzers.tool import ToolAnalyzer

DEFAULT_MAX_TASKS = 200
STARTUP_TIMEOUT = 60.0  # importing the three tools takes ~0.5 s; this is for a very busy machine
# The tasks a child runs: tool name -> the module whose run_as_library(args, out) -> exit status
# runs it. Nothing else can be asked of a child.
TASKS: Mapping[str, str] = {
    "bandit": "analyzers.bandit",
    "detect-secrets": "analyzers.secrets",
    "yamllint": "analyzers.yamllint",
}
# The directory that holds the ``analyzers`` package: the only path a child adds to sys.path.
_HOME = str(Path(__file__).resolve().parent.parent)
_BOOT = f"import sys; sys.path.insert(0, {_HOME!r}); from analyzers.pool_child import main; main()"


def pool_enabled() -> bool:
    """The pool is on unless ANALYZER_POOL says 0/false/no/off."""
    return os.environ.get("ANALYZER_POOL", "1").strip().lower() not in ("0", "false", "no", "off")


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, "")))
    except ValueError:
        return default


class _Call:
    """One awaited task: lets a cancelled caller kill the child that runs it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.child: Child | None = None
        self.cancelled = False

    def attach(self, child: Child) -> bool:
        with self.lock:
            self.child = child
            return not self.cancelled

    def cancel(self) -> None:
        with self.lock:
            self.cancelled = True
            if self.child is not None:
                kill(self.child)


class AnalyzerPool:
    """``size`` warm children for one interpreter and one memory cap; tasks wait for a free one."""

    def __init__(
        self,
        *,
        limits: ResourceLimits,
        size: int = 2,
        max_tasks: int = DEFAULT_MAX_TASKS,
        executable: str | None = None,
    ) -> None:
        self.limits = limits
        self.size = max(1, size)
        self.max_tasks = max(1, max_tasks)
        self.executable = executable or sys.executable
        self.started = 0  # children started so far (tests and metrics read it)
        self._executor = ThreadPoolExecutor(self.size, thread_name_prefix="analyzer-pool")
        self._cond = threading.Condition()
        self._idle: list[Child] = []
        self._children: set[Child] = set()
        self._starting = 0
        self._closed = False

    # -- the caller's side ---------------------------------------------------------------------
    async def run(
        self,
        tool: str,
        args: Mapping[str, Any],
        root: Path,
        *,
        timeout: float,
        limits: ResourceLimits,
        quote_errors: bool = True,
    ) -> ProcResult:
        """``tool``'s library run on ``args`` in a child, with ``root`` as its working directory.

        ``timeout`` counts from when a child takes the task (not the wait for a free one);
        ``limits.cpu_seconds`` caps the task's CPU time. The result reads like the CLI's run.
        """
        if tool not in TASKS:
            raise ValueError(f"no such pooled tool: {tool}")
        request: dict[str, Any] = {
            "tool": tool,
            "args": dict(args),
            "root": root,
            "cpu": limits.cpu_seconds,
            "quote_errors": quote_errors,  # False: a crash is told by its exception's type only
        }
        call = _Call()
        job = asyncio.get_running_loop().run_in_executor(
            self._executor, self._run_sync, call, request, timeout, limits
        )
        try:
            return await asyncio.shield(job)
        except asyncio.CancelledError:
            call.cancel()  # the thread then sees the child die and returns at once
            raise

    def close(self) -> None:
        """Kill every child and stop taking tasks (a task still running reports its child killed)."""
        with self._cond:
            self._closed = True
            idle, busy = list(self._idle), [c for c in self._children if c not in self._idle]
            self._idle.clear()
            self._cond.notify_all()
        for child in idle:
            reap(child)
            self._forget(child, replace=False)
        for child in busy:  # the thread that owns it sees it die, then reaps it and closes its pipes
            kill(child)
        self._executor.shutdown(wait=False, cancel_futures=True)

    @property
    def closed(self) -> bool:
        return self._closed

    def pids(self) -> set[int]:
        """The children alive now (tests watch them being recycled)."""
        with self._cond:
            return {c.proc.pid for c in self._children if c.proc.returncode is None}

    def warm(self) -> None:
        """Start the children now, in the background, so that the first task finds them ready."""
        for _ in range(self.size):
            threading.Thread(target=self._prestart, name="analyzer-pool-start", daemon=True).start()

    # -- the executor thread's side ------------------------------------------------------------
    def _run_sync(
        self, call: _Call, request: dict[str, Any], timeout: float, limits: ResourceLimits
    ) -> ProcResult:
        request["root"] = os.path.abspath(request["root"])  # the child's own directory is elsewhere
        line = json.dumps(request).encode() + b"\n"
        child = self._acquire()
        if isinstance(child, ProcResult):
            return child
        if not call.attach(child):  # the caller gave up while waiting: nobody reads the answer
            self._release(child)
            return ProcResult(-signal.SIGKILL, b"", b"", timed_out=False, truncated=False)
        try:
            return self._task(child, line, timeout, limits)
        except BaseException:
            self._discard(child)  # whatever went wrong, this child is not handed out again
            raise

    def _task(self, child: Child, request: bytes, timeout: float, limits: ResourceLimits) -> ProcResult:
        deadline = time.monotonic() + timeout
        try:
            assert child.proc.stdin is not None  # noqa: S101 - started with stdin=PIPE
            child.proc.stdin.write(request)
            child.proc.stdin.flush()
        except OSError:
            pass  # it died: the read below finds EOF and its exit status says why
        reply = read_reply(child, deadline)
        if reply is None:
            timed_out = child.late
            code = reap(child)
            self._forget(child, replace=True)
            return ProcResult(
                returncode=code,
                stdout=b"",
                stderr=b"",
                timed_out=timed_out,
                truncated=False,
                limit=None if timed_out else limit_hit(code, b"", limits),
            )
        header, out, err = reply
        child.tasks += 1
        if header.get("retire") or child.tasks >= self.max_tasks:
            self._discard(child)
        else:
            self._release(child)
        code = header["code"]
        return ProcResult(
            returncode=code,
            stdout=out,
            stderr=err,
            timed_out=False,
            truncated=header["truncated"] is True,
            limit=limit_hit(code, err, limits),
        )

    def _acquire(self) -> Child | ProcResult:
        with self._cond:
            while True:
                if self._closed:
                    return ProcResult(None, b"", b"the analyzer pool is shut down", False, False)
                if self._idle:
                    return self._idle.pop()
                if len(self._children) + self._starting < self.size:
                    self._starting += 1
                    break
                self._cond.wait()
        return self._start()

    def _prestart(self) -> None:
        with self._cond:
            if self._closed or len(self._children) + self._starting >= self.size:
                return
            self._starting += 1
        child = self._start()
        if isinstance(child, Child):
            self._release(child)

    def _start(self) -> Child | ProcResult:
        """A new ready child (``_starting`` was counted for it), or why none could start."""
        try:
            return self._spawn()
        finally:
            with self._cond:
                self._starting -= 1
                self._cond.notify_all()

    def _spawn(self) -> Child | ProcResult:
        memory, cpu = self.limits.memory_bytes or 0, self.limits.cpu_seconds or 0
        argv = [self.executable, "-I", "-c", _BOOT, str(memory), str(cpu)]
        try:
            proc = subprocess.Popen(  # our own interpreter and boot line, no shell
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=tempfile.gettempdir(),
                env=minimal_env(),
                start_new_session=True,
            )
        except OSError as exc:
            reason = "executable not found" if isinstance(exc, FileNotFoundError) else exc.strerror
            message = f"cannot run {self.executable!r}: {reason or type(exc).__name__}"
            return ProcResult(None, b"", message.encode(), timed_out=False, truncated=False)
        lower_session_priority(proc.pid)  # a session of its own: see analyzers/limits.py
        child = Child(proc)
        with self._cond:
            self.started += 1
            self._children.add(child)
            closed = self._closed
        ready = None if closed else read_line(child, time.monotonic() + STARTUP_TIMEOUT)
        if ready == b"ready":
            if proc.stderr is not None:
                proc.stderr.close()  # the child's stderr is /dev/null from now on
            return child
        # It died (a memory cap too small to import the tools, say) or never answered.
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=2)
        exited = proc.returncode is not None
        stderr = proc.stderr.read(MAX_STDERR) if exited and proc.stderr is not None else b""
        code = reap(child)
        self._forget(child, replace=False)  # would fail the same way: the next task tries again
        if not exited:
            why = b"its child gave no sign of life within the start-up time"
            return ProcResult(None, b"", why, timed_out=False, truncated=False)
        limit = limit_hit(code, stderr, self.limits)
        return ProcResult(code, b"", stderr, timed_out=False, truncated=False, limit=limit)

    def _release(self, child: Child) -> None:
        with self._cond:
            if not self._closed and child in self._children:
                self._idle.append(child)
                self._cond.notify_all()
                return
        self._discard(child)

    def _discard(self, child: Child) -> None:
        """Retire a child (recycled, or too big) and start its replacement in the background."""
        reap(child)
        self._forget(child, replace=True)

    def _forget(self, child: Child, *, replace: bool) -> None:
        with self._cond:
            self._children.discard(child)
            self._cond.notify_all()
            closed = self._closed
        if replace and not closed:
            threading.Thread(target=self._prestart, name="analyzer-pool-start", daemon=True).start()


class PooledToolAnalyzer(ToolAnalyzer):
    """A Python tool run as a library in the warm pool; a subprocess of its CLI when the pool is off.

    A subclass gives ``pool_args(files)`` (JSON) for its module's ``run_as_library(args, out)``,
    which must print exactly the report its ``tool_argv`` CLI prints, and ``preload()``.
    """

    def pool_args(self, files: Sequence[str]) -> dict[str, Any]:
        raise NotImplementedError

    async def run_batch(self, exe: str, root: Path, files: Sequence[str], budget: float) -> ProcResult:
        pool = shared_pool(self.limits, exe)
        if pool is None:
            return await super().run_batch(exe, root, files, budget)
        return await pool.run(
            self.name,
            self.pool_args(files),
            root,
            timeout=budget,
            limits=self.limits.with_cpu_at_most(budget),
            quote_errors=self.quote_stderr,
        )


# -- the pools of this process -------------------------------------------------------------------

_pools: dict[tuple[str, int | None], AnalyzerPool] = {}
_pools_lock = threading.Lock()
_users = 0  # apps (and CLI reviews) of this process that run reviews
_receivers = 0  # receiver-only apps of this process: none may have a pool


def shared_pool(limits: ResourceLimits, executable: str | None = None) -> AnalyzerPool | None:
    """The pool for this interpreter and memory cap, created (and warmed) on first use; None when
    ANALYZER_POOL turns pools off. Only where reviews run does anything ask for one."""
    if not pool_enabled():
        return None
    key = (executable or sys.executable, limits.memory_bytes)
    with _pools_lock:
        if _receivers:
            return None
        pool = _pools.get(key)
        if pool is None or pool.closed:
            pool = _pools[key] = AnalyzerPool(
                limits=ResourceLimits(limits.memory_bytes, limits.cpu_seconds),
                size=_env_int("ANALYZER_POOL_SIZE", max(2, min(4, os.cpu_count() or 2))),
                max_tasks=_env_int("ANALYZER_POOL_MAX_TASKS", DEFAULT_MAX_TASKS),
                executable=key[0],
            )
            pool.warm()
    return pool


def active_pools() -> list[AnalyzerPool]:
    with _pools_lock:
        return [pool for pool in _pools.values() if not pool.closed]


def shutdown_pools() -> None:
    """Kill every pool's children (the app's cleanup, a worker's exit, the end of a CLI review)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()


@contextlib.contextmanager
def pool_lifetime(*, receiver: bool = False) -> Iterator[None]:
    """Where reviews run (the single-process app, ``review-bot worker``, a CLI review): the pools
    created inside are shut down when the last such user leaves (several apps may share a process).

    ``receiver=True``, a receiver-only app: while it lives this process gets no pool at all (what
    it analyzes itself, a REST API request say, runs the tools' command lines).
    """
    global _users, _receivers
    with _pools_lock:
        if receiver:
            _receivers += 1
        else:
            _users += 1
    try:
        yield
    finally:
        with _pools_lock:
            if receiver:
                _receivers -= 1
            else:
                _users -= 1
            last = _users == 0
        if last:
            shutdown_pools()


atexit.register(shutdown_pools)  # a process that never said goodbye leaves no child behind
