"""Memory and CPU-time limits for a child process, and telling when one stopped it.

A few kilobytes of hostile input make some analyzers use gigabytes (ShellCheck on nested
``$(``, hadolint on a RUN line of ``&& \\`` continuations) or burn CPU for minutes. Each tool
therefore runs under ``prlimit`` (util-linux, Essential on Debian) with:

- ``RLIMIT_DATA``, not ``RLIMIT_AS``: GHC-compiled tools (ShellCheck, hadolint) reserve a
  terabyte of address space at start and semgrep's OCaml 5 runtime reserves a minor heap per
  domain (per core), so an address-space cap either breaks them on start (semgrep dies at 512 MB
  of *address space* on a 2-core machine) or leaves them far less memory than it says.
  RLIMIT_DATA counts what they actually commit: heap and private writable mappings (Linux >= 4.7).
  Their own RTS options (``+RTS -M``) are disabled in the released binaries.
- ``RLIMIT_CPU`` with the hard limit two seconds above the soft one: SIGXCPU first, SIGKILL
  if the tool ignores it. The wall-clock timeout of ``run_bounded`` stays as the backstop for
  a process that sleeps or blocks.
- ``RLIMIT_CORE`` 0: a killed tool never writes a core file into the checkout.

The limits are set in the child before it execs the tool (prlimit does exactly that), so there
is no ``preexec_fn`` in the bot (unsafe with threads) and no window before the limit applies.
"""

from __future__ import annotations

import re
import shutil
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass

MIB = 1024 * 1024
_CPU_GRACE = 2  # seconds between SIGXCPU (soft limit) and SIGKILL (hard limit)
# Analyzers run below the receiver's CPU priority, so that acknowledging webhooks stays fast
# while reviews keep the same cores busy.
NICENESS = 10

# What runtimes print when an allocation is refused, anchored so that a tool quoting the
# analyzed file cannot fake it in the middle of a line: GHC ("shellcheck: out of memory",
# "Unable to commit 1048576 bytes of memory"), CPython (MemoryError), Rust ("memory allocation of
# N bytes failed"), OCaml ("Fatal error: out of memory", "Fatal error: allocation failure during
# minor GC", Out_of_memory), C++ (std::bad_alloc).
_OUT_OF_MEMORY = re.compile(
    rb"(?im)^(?:[\w.-]+: )?(?:out of memory|unable to commit \d+ bytes of memory)"
    rb"|^MemoryError\b|^memory allocation of \d+ bytes failed"
    rb"|^Fatal error: (?:out of memory|not enough heap memory|allocation failure)"
    rb"|\bOut_of_memory\b|std::bad_alloc"
)

# Used where prlimit is missing (not Debian): the same limits set by a tiny Python that then
# execs the tool, so the tool starts with them already in force.
_SETRLIMIT = (
    "import os, resource, sys\n"
    "data, cpu, grace = (int(v) for v in sys.argv[1:4])\n"
    "if data: resource.setrlimit(resource.RLIMIT_DATA, (data, data))\n"
    "if cpu: resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + grace))\n"
    "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
    f"os.nice({NICENESS})\n"
    "os.execvp(sys.argv[4], sys.argv[4:])\n"
)


@dataclass(frozen=True)
class ResourceLimits:
    """Per-process caps for a tool; None leaves that resource unlimited."""

    memory_bytes: int | None = 1024 * MIB
    cpu_seconds: int | None = 120

    def with_cpu_at_most(self, seconds: float) -> ResourceLimits:
        """These limits with the CPU time no longer than ``seconds`` (a run's remaining budget)."""
        cap = max(1, int(seconds + 0.999))
        cpu = cap if self.cpu_seconds is None else min(self.cpu_seconds, cap)
        return ResourceLimits(self.memory_bytes, cpu)

    def describe_memory(self) -> str:
        return f"its memory limit of {(self.memory_bytes or 0) // MIB} MB"

    def describe_cpu(self) -> str:
        return f"its CPU-time limit of {self.cpu_seconds} s"


def limited_argv(argv: Sequence[str], limits: ResourceLimits) -> list[str]:
    """``argv`` prefixed so that it runs under ``limits`` (prlimit, else a Python shim)."""
    data = limits.memory_bytes or 0
    cpu = limits.cpu_seconds or 0
    prlimit = shutil.which("prlimit")
    if prlimit is None:
        return [sys.executable, "-I", "-c", _SETRLIMIT, str(data), str(cpu), str(_CPU_GRACE), *argv]
    prefix = [prlimit, "--core=0"]
    if data:
        prefix.append(f"--data={data}")
    if cpu:
        prefix.append(f"--cpu={cpu}:{cpu + _CPU_GRACE}")
    nice = shutil.which("nice")  # coreutils: execs the tool with a lower priority, nothing else
    return [*prefix, "--", *([nice, "-n", str(NICENESS)] if nice else []), *argv]


def lower_session_priority(pid: int, niceness: int = NICENESS) -> None:
    """Give the session that ``pid`` leads (a child started with ``start_new_session``) a lower
    CPU weight, where Linux groups processes by session ("autogroup", on by default).

    With autogroup the scheduler shares the CPU fairly between sessions first and applies nice
    values only inside one: an analyzer in a session of its own would weigh as much as the
    whole receiver however nice it is, and acknowledgements would wait behind it on a busy
    machine. Raising an autogroup's nice value needs no privilege. Where the file is missing
    (no autogroup, not Linux) or the child has exited already, there is nothing to do.
    """
    try:
        with open(f"/proc/{pid}/autogroup", "w", encoding="ascii") as handle:
            handle.write(str(niceness))
    except OSError:
        pass


def limit_hit(returncode: int | None, stderr: bytes, limits: ResourceLimits | None) -> str | None:
    """Which limit stopped the process ("its memory limit of 512 MB"), or None when none did."""
    if limits is None or returncode in (0, None):
        return None
    if limits.cpu_seconds and returncode == -signal.SIGXCPU:
        return limits.describe_cpu()
    # The runtime's message comes first, a stack trace may follow: look at both ends.
    if limits.memory_bytes and (
        _OUT_OF_MEMORY.search(stderr[:16384]) or _OUT_OF_MEMORY.search(stderr[-16384:])
    ):
        return limits.describe_memory()
    if returncode == -signal.SIGKILL:  # not our timeout (the caller knows that one)
        what = f"{limits.describe_cpu()}, or " if limits.cpu_seconds else ""
        return f"a SIGKILL ({what}the machine ran out of memory)"
    return None
