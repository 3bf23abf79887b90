"""Start semgrep's native engine directly, not through the pip package's Python ``semgrep`` script.

That script only finds ``semgrep/bin/semgrep-core``, sets ``NO_COLOR`` and appends its own
directory to ``PATH``, then execs the binary under the name ``osemgrep`` (the binary chooses
its command line by the name it is started as). Doing so costs a Python interpreter start and
its imports, ~0.07 CPU-s per run: a fifth of what semgrep costs on a small pull request. The bot
does the same three things itself: a symbolic link named ``osemgrep`` to the binary, in a private
temporary directory of this process, started with the same environment.

Only for the script beside this interpreter (the venv's, the one ``find_tool`` prefers) with the
package in this environment's site-packages; any other semgrep (on PATH, a test's stand-in) is
started as it is.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import sys
import sysconfig
import tempfile
from collections.abc import Sequence
from pathlib import Path

_link: str | None = None
_refused = False  # the engine did not answer through the link here: the script is used instead


@functools.cache  # sysconfig's paths cost ~0.5 ms a call; the installed package does not move
def packaged_core(program: str) -> Path | None:
    """The ``semgrep-core`` that ``program`` (the pip package's script) would exec, or None.

    Looked up in this environment's site-packages by path, not by import: a folder named
    ``semgrep`` in the working directory (a reviewed repository's) must never be the one run.
    """
    if Path(program) != Path(sys.executable).parent / "semgrep":
        return None
    for lib in dict.fromkeys((sysconfig.get_path("platlib"), sysconfig.get_path("purelib"))):
        core = Path(lib) / "semgrep" / "bin" / "semgrep-core"
        if core.is_file() and os.access(core, os.X_OK):
            return core
    return None


def native_program(program: str) -> str | None:
    """A path that starts ``program``'s native engine as ``osemgrep``, or None to run ``program``.

    The link lives in a directory only this process made (mkdtemp), removed at exit, and is
    made again should something remove it while the bot runs.
    """
    global _link
    core = packaged_core(program)
    if core is None or _refused:
        return None
    if _link is not None and os.path.islink(_link):
        return _link
    try:
        folder = tempfile.mkdtemp(prefix="review-bot-semgrep-")
        atexit.register(_remove, folder, os.getpid())
        link = os.path.join(folder, "osemgrep")
        os.symlink(core, link)
    except OSError:
        return None
    _link = link
    return link


def _remove(folder: str, owner: int) -> None:
    if os.getpid() == owner:  # a forked child exiting must not take its parent's link away
        shutil.rmtree(folder, ignore_errors=True)


def refuse_native() -> None:
    """Start the script from now on (the link could not be run here: a noexec mount, say)."""
    global _refused
    _refused = True


def engine_env(env: dict[str, str], program: str) -> dict[str, str]:
    """``env`` as the script passes it on to the engine: its own directory at the end of PATH (where
    a fallback to pysemgrep looks), and no colour codes in messages (stderr is not a terminal)."""
    path = env.get("PATH", os.defpath)
    return {**env, "NO_COLOR": "1", "PATH": f"{path}{os.pathsep}{Path(program).parent}"}


# The engine's start-up allocates ~70 MB and runs several major collections before it reads a
# rule; with the collector's space overhead at 200 (OCaml's default is 120) a run on a small
# batch costs ~20 % less CPU at the same peak memory. Only for small batches: on big files a
# lazier collector means a larger heap, which would meet semgrep's --max-memory sooner.
SMALL_BATCH_BYTES = 512 * 1024
_SMALL_BATCH_GC = "o=200"


# Parallel matching pays only where matching outweighs the engine's start-up: on a small batch a
# second domain costs CPU and saves no time (measured on 2 cores with the bundled Python rules:
# a small PR's two files, 3 KB, 0.18-0.22 CPU-s with one job against 0.22-0.33 with two and no
# sooner; 23 KB the same time either way; 66 KB 10 % sooner with two at 8 % more CPU).
PARALLEL_BATCH_BYTES = 48 * 1024


def batch_bytes(root: Path, files: Sequence[str], enough: int) -> int:
    """The files' total size, counted until it passes ``enough`` (a huge batch is not read whole)."""
    total = 0
    for rel in files:
        try:
            total += (root / rel).stat().st_size
        except OSError:
            continue
        if total > enough:
            break
    return total


def gc_env(root: Path, files: Sequence[str]) -> dict[str, str]:
    """The engine's collector settings for this batch (none for a batch that is not small)."""
    if batch_bytes(root, files, SMALL_BATCH_BYTES) > SMALL_BATCH_BYTES:
        return {}
    return {"OCAMLRUNPARAM": _SMALL_BATCH_GC}


def jobs_for(root: Path, files: Sequence[str]) -> int:
    """How many parallel domains the engine gets for this batch: one for a small batch, else one
    per core and at most one per file."""
    if batch_bytes(root, files, PARALLEL_BATCH_BYTES) < PARALLEL_BATCH_BYTES:
        return 1
    return max(1, min(len(files), os.cpu_count() or 1))
