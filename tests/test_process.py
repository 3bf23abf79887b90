"""run_bounded: timeouts kill the process group, output stays bounded, nothing raises for a missing tool."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

import pytest

from analyzers.process import ProcResult, describe_failure, minimal_env, run_bounded

PY = sys.executable


async def _exited(pid: int) -> bool:
    """Whether the process has ended (a zombie counts), via a pidfd: exact, no polling."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    loop = asyncio.get_running_loop()
    ended: asyncio.Future[None] = loop.create_future()
    loop.add_reader(fd, lambda: ended.done() or ended.set_result(None))
    try:
        await asyncio.wait_for(ended, 30)  # a generous bound, not a timing assertion
        return True
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)
        os.close(fd)


async def test_collects_output_and_exit_code() -> None:
    code = "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"
    result = await run_bounded([PY, "-c", code], timeout=30)
    assert result == ProcResult(3, b"out\n", b"err\n", timed_out=False, truncated=False)
    assert not result.ok


async def test_stdin_is_passed() -> None:
    code = "import sys; sys.stdout.write(sys.stdin.read().upper())"
    result = await run_bounded([PY, "-c", code], timeout=30, stdin=b"hello")
    assert result.ok
    assert result.stdout == b"HELLO"


async def test_no_stdin_means_eof_not_a_hang() -> None:
    result = await run_bounded([PY, "-c", "import sys; print(len(sys.stdin.read()))"], timeout=30)
    assert result.stdout == b"0\n"


def _spawner(pid_file: Path, *, escape: bool) -> str:
    """A child that starts a long-lived grandchild, records its pid, and (unless escaping) waits."""
    stdio = "" if escape else ", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL"
    return (
        "import subprocess, sys, time\n"
        f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'],"
        f" start_new_session={escape}{stdio})\n"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
        "print('started', flush=True)\n" + ("" if escape else "time.sleep(600)\n")
    )


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="needs pidfd_open (Linux)")
async def test_timeout_kills_the_process_group(tmp_path: Path) -> None:
    # The grandchild holds no pipe of ours, so only a group kill can end it.
    pid_file = tmp_path / "grandchild.pid"
    result = await run_bounded([PY, "-c", _spawner(pid_file, escape=False)], timeout=2.0)
    assert result.timed_out
    assert result.returncode is not None and result.returncode < 0  # killed by a signal
    assert result.stdout == b"started\n"
    assert await _exited(int(pid_file.read_text()))


async def test_never_hangs_on_a_pipe_held_by_an_escaped_process(tmp_path: Path) -> None:
    # The grandchild leaves the process group (setsid) and keeps our stdout open.
    pid_file = tmp_path / "escaped.pid"
    try:
        result = await run_bounded([PY, "-c", _spawner(pid_file, escape=True)], timeout=2.0)
        assert result.timed_out  # the pipe never reached EOF
        assert result.returncode == 0  # the child itself finished
        assert result.stdout == b"started\n"
    finally:
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid_file.read_text()), signal.SIGKILL)


async def test_hanging_process_times_out() -> None:
    result = await run_bounded([PY, "-c", "import time; time.sleep(60)"], timeout=0.5)
    assert result.timed_out
    assert result.returncode == -9
    assert describe_failure("sleeper", result, 0.5) == "sleeper timed out after 0.5 s"


async def test_output_is_bounded_and_marked_truncated() -> None:
    code = "import sys; sys.stdout.write('x' * 1_000_000); sys.stderr.write('e' * 10)"
    result = await run_bounded([PY, "-c", code], timeout=30, max_output=1000)
    assert result.truncated
    assert result.stdout == b"x" * 1000
    assert result.stderr == b"e" * 10
    assert result.returncode == 0  # it was drained, not blocked on a full pipe
    assert "more output than the limit" in (describe_failure("big", result, 30) or "")


async def test_exact_limit_is_not_truncated() -> None:
    result = await run_bounded([PY, "-c", "print('x' * 9, end='')"], timeout=30, max_output=9)
    assert not result.truncated
    assert result.stdout == b"x" * 9


async def test_missing_executable_is_a_result_not_an_exception(tmp_path: Path) -> None:
    result = await run_bounded([str(tmp_path / "no-such-tool"), "--version"], timeout=5)
    assert result.returncode is None
    assert not result.timed_out
    assert b"executable not found" in result.stderr
    assert "could not start" in (describe_failure("tool", result, 5) or "")


async def test_shell_string_is_refused() -> None:
    with pytest.raises(TypeError):
        await run_bounded("echo hi", timeout=5)  # type: ignore[arg-type]


async def test_arguments_are_not_interpreted_by_a_shell(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    result = await run_bounded([PY, "-c", "import sys; print(sys.argv[1])", f"; touch {marker}"], timeout=30)
    assert result.stdout == f"; touch {marker}\n".encode()
    assert not marker.exists()


async def test_cwd_and_env_are_applied(tmp_path: Path) -> None:
    code = "import os; print(os.getcwd()); print(os.environ.get('ONLY_THIS'), os.environ.get('SECRET'))"
    os.environ["SECRET"] = "s3cr3t"
    try:
        result = await run_bounded(
            [PY, "-c", code], cwd=tmp_path, timeout=30, env=minimal_env({"ONLY_THIS": "1"})
        )
    finally:
        del os.environ["SECRET"]
    lines = result.stdout.decode().splitlines()
    assert lines[0] == str(tmp_path)
    assert lines[1] == "1 None"  # the bot's own environment (tokens, keys) is not passed on


def test_tools_run_below_the_receivers_cpu_priority() -> None:
    """Analyzers get a lower CPU priority than the bot, so webhook acknowledgements stay fast."""
    import os
    import subprocess
    import sys

    from analyzers.limits import NICENESS, ResourceLimits, limited_argv

    argv = limited_argv([sys.executable, "-c", "import os; print(os.nice(0))"], ResourceLimits())
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True)
    assert int(done.stdout) == min(19, os.nice(0) + NICENESS)


AUTOGROUP_PROBE = """
import time
deadline = time.monotonic() + 20
while True:  # the parent lowers the group just after the start: poll for it, with a deadline
    fields = open("/proc/self/autogroup").read().split() or ["0"]  # empty: not in an autogroup
    if fields[-1] != "0" or time.monotonic() > deadline:
        break
    time.sleep(0.01)
print(fields[-1])
"""


def _autogroup_enabled() -> bool:
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return False


@pytest.mark.skipif(not _autogroup_enabled(), reason="this kernel groups no processes by session")
async def test_a_tools_session_weighs_less_than_the_receiver(tmp_path: Path) -> None:
    """A tool leads a session of its own (so that a timeout kills its whole group), and Linux
    shares the CPU between sessions before nice values count: its session is lowered too."""
    from analyzers.limits import NICENESS

    result = await run_bounded([sys.executable, "-c", AUTOGROUP_PROBE], cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == NICENESS
    # The bot's own session is left as it was. The file is empty where this process is in no
    # autogroup (a session started by init, as under some CI runners and service managers).
    own = Path("/proc/self/autogroup").read_text().split() or ["0"]
    assert own[-1] == "0" or int(own[-1]) != NICENESS
