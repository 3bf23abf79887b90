"""What the benchmarks share: a reproducible git, the analyzers' own command lines, timing them.

Not a benchmark itself. The scripts beside it are run as `python bench/x.py`, so this folder is
on sys.path and they import it as `rawtools`.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzers import Analyzer
from analyzers.base import checkable_files
from analyzers.hadolint import OWN_CONFIG
from analyzers.process import find_tool, minimal_env
from analyzers.semgrep import find_semgrep
from analyzers.semgrep_engine import jobs_for
from analyzers.shellcheck import ShellcheckAnalyzer

TIMEOUT = 120  # default bound per command, raw tool or git
# Exit statuses that mean "ran fine" (with or without findings), per tool; anything else: (0,).
OK_EXITS: dict[str, tuple[int, ...]] = {
    "ruff": (0, 1),
    "bandit": (0, 1),
    "semgrep": (0, 1),
    "shellcheck": (0, 1, 2),
    "hadolint": (0,),
    "yamllint": (0, 1),
    "detect-secrets": (0,),
    "actions": (0,),
}


def prog() -> str:
    """The running benchmark's name, for error messages."""
    return Path(sys.argv[0]).stem or "bench"


# ---------------------------------------------------------------------------------------------
# git


def git_env() -> dict[str, str]:
    """Fixed identity and dates, and none of the user's git config: the same repo every run."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@example.invalid",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@example.invalid",
        GIT_AUTHOR_DATE="2024-01-01T00:00:00Z",
        GIT_COMMITTER_DATE="2024-01-01T00:00:00Z",
    )
    return env


def git_bytes(repo: Path, *args: str, timeout: float = TIMEOUT) -> bytes:
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        env=git_env(),
        capture_output=True,
        timeout=timeout,
        check=True,
    )
    return result.stdout


def git(repo: Path, *args: str, timeout: float = TIMEOUT) -> str:
    return git_bytes(repo, *args, timeout=timeout).decode("utf-8")


# ---------------------------------------------------------------------------------------------
# The raw tools: each analyzer's own argv, on files written out to a folder.


@dataclass(frozen=True)
class RawCommand:
    tool: str
    argv: list[str]
    env: dict[str, str]
    stdin: bytes | None
    files: int


def raw_commands(
    root: Path, paths: Sequence[str], analyzers: Sequence[Analyzer], home: Path
) -> list[RawCommand]:
    """The command line each analyzer would run on ``paths`` (relative to ``root``).

    Analyzers that handle none of ``paths`` get none. ``actions`` (the bot's own workflow rules)
    is a child Python process too (``python -I -c ...``, analyzers/actions.py), so it is timed
    like the other tools.
    ``home`` is the throwaway HOME semgrep gets, as under the bot.
    """
    out: list[RawCommand] = []
    for analyzer in analyzers:
        mine = [p for p in paths if analyzer.handles(p)]
        files = (
            analyzer.scripts(root, mine)
            if isinstance(analyzer, ShellcheckAnalyzer)
            else checkable_files(root, mine)
        )
        if not files:
            continue
        env, stdin = minimal_env(), None
        name = analyzer.name
        if name in ("ruff", "shellcheck", "hadolint"):
            exe = find_tool(name)
            if exe is None:
                raise SystemExit(f"{prog()}: {name} is not installed")
            argv = analyzer.command(exe, files)  # type: ignore[attr-defined]
            stdin = OWN_CONFIG if name == "hadolint" else None
        elif name == "semgrep":
            exe = find_semgrep()
            if exe is None:
                raise SystemExit(f"{prog()}: semgrep is not installed")
            rules, _ = analyzer.usable_rules()  # type: ignore[attr-defined]
            # The bot's own argv for this batch, its number of parallel jobs included.
            argv = analyzer.command(exe, rules, files, jobs=jobs_for(root, files))  # type: ignore[attr-defined]
            # The bot's semgrep environment: no version check, no metrics, a throwaway HOME.
            home_env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home), "XDG_CACHE_HOME": str(home)}
            env = minimal_env(
                {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off", **home_env}
            )
        elif name in ("bandit", "yamllint", "detect-secrets", "actions"):
            argv = analyzer.command(files)  # type: ignore[attr-defined]
        else:
            raise SystemExit(f"{prog()}: no raw command known for analyzer {name!r}")
        out.append(RawCommand(name, argv, env, stdin, len(files)))
    return out


def start(cmd: RawCommand, cwd: Path, sink: Path) -> subprocess.Popen[bytes]:
    # Output goes to files (sink/TOOL.out, .err), not pipes: nothing blocks on a full pipe while
    # another tool is awaited. Each command gets its own session, as the bot's run_bounded gives
    # every tool: with the kernel's scheduler autogroups (sched_autogroup_enabled) a session is a
    # CPU-share group, so tools sharing this script's session would get less of a busy machine
    # than the bot's tools do, even against other users' niced jobs.
    with (sink / f"{cmd.tool}.out").open("wb") as out, (sink / f"{cmd.tool}.err").open("wb") as err:
        proc = subprocess.Popen(
            cmd.argv,
            cwd=cwd,
            env=cmd.env,
            stdin=subprocess.PIPE if cmd.stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    if cmd.stdin is not None and proc.stdin is not None:
        proc.stdin.write(cmd.stdin)
        proc.stdin.close()
    return proc


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the command and anything it started (its session's process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # gone already


def finish(cmd: RawCommand, proc: subprocess.Popen[bytes], sink: Path, *, timeout: float = TIMEOUT) -> None:
    # A blocking wait, bounded by a timer that kills: Popen.wait(timeout=) polls with sleeps of up
    # to 50 ms, which would add that much to every raw time.
    timer = threading.Timer(timeout, kill_group, args=(proc,))
    timer.start()
    try:
        proc.wait()
    finally:
        timer.cancel()
    if proc.returncode == -signal.SIGKILL:
        raise SystemExit(f"{prog()}: {cmd.tool} took more than {timeout} s")
    if proc.returncode not in OK_EXITS.get(cmd.tool, (0,)):
        err = (sink / f"{cmd.tool}.err").read_bytes().decode(errors="replace")[-800:]
        raise SystemExit(f"{prog()}: {cmd.tool} exited {proc.returncode}:\n{err}")


def raw_alone(cmd: RawCommand, cwd: Path, sink: Path, *, timeout: float = TIMEOUT) -> float:
    """Wall time of one command, from start to exit."""
    started = time.perf_counter()
    proc = start(cmd, cwd, sink)
    finish(cmd, proc, sink, timeout=timeout)
    return time.perf_counter() - started


def raw_at_once(
    cmds: Sequence[RawCommand], cwd: Path, sink: Path, *, timeout: float = TIMEOUT
) -> tuple[float, dict[str, float]]:
    """Wall time of starting every tool at once and waiting for the last; each tool's own time."""
    done: dict[str, float] = {}
    failures: list[BaseException] = []
    started = time.perf_counter()
    procs = [(cmd, start(cmd, cwd, sink)) for cmd in cmds]

    def wait(cmd: RawCommand, proc: subprocess.Popen[bytes]) -> None:
        try:
            finish(cmd, proc, sink, timeout=timeout)
        except SystemExit as exc:
            failures.append(exc)
        done[cmd.tool] = time.perf_counter() - started

    threads = [threading.Thread(target=wait, args=pair) for pair in procs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 10)
    wall = time.perf_counter() - started
    for _, proc in procs:
        if proc.poll() is None:
            kill_group(proc)
            proc.wait()
    if failures:
        raise failures[0]
    return wall, done


# ---------------------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank); NaN for none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def repeat(runs: int, measure: Callable[[], float]) -> float:
    """The median of ``runs`` calls of ``measure``."""
    return median([measure() for _ in range(runs)])


# ---------------------------------------------------------------------------------------------
# Processes: CPU of a process tree, a free port, a throwaway redis-server.

TICKS = os.sysconf("SC_CLK_TCK")
REDIS_START_DEADLINE = 10.0


def _stat_cpu(pid: int) -> tuple[float, float, list[int]]:
    """(utime + stime, cutime + cstime) of one live process in seconds, and its children's pids."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children: list[int] = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            children += [int(c) for c in (task / "children").read_text().split()]
    except (OSError, IndexError, ValueError):
        return 0.0, 0.0, []
    # fields[0] is field 3 (state): utime, stime, cutime, cstime are fields 14 to 17.
    return (int(fields[11]) + int(fields[12])) / TICKS, (int(fields[13]) + int(fields[14])) / TICKS, children


def live_descendants_cpu(pid: int) -> float:
    """CPU seconds used so far by every live descendant of ``pid`` (not by ``pid`` itself), with
    what their own reaped children used."""
    total, pending = 0.0, _stat_cpu(pid)[2]
    while pending:
        own, reaped, children = _stat_cpu(pending.pop())
        total += own + reaped
        pending += children
    return total


def process_tree_cpu(pid: int) -> float:
    """CPU seconds used so far by ``pid``, its reaped children and its live descendants."""
    own, reaped, _ = _stat_cpu(pid)
    return own + reaped + live_descendants_cpu(pid)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A throwaway redis-server on a free loopback port, nothing persisted; its process and URL."""
    port = free_port()
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    argv += ["--dir", str(workdir), "--logfile", str(workdir / "redis.log")]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + REDIS_START_DEADLINE
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(64).startswith(b"+PONG"):
                    return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"{prog()}: redis-server did not start")
