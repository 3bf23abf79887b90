"""The diff of a local change (for `review-bot review`), read within a bounded output size.

One ``git diff`` is read whole when it fits in the output cap. When it does not, the change is
not given up: the changed files are listed exactly (``-z``), their blob sizes bound the size of
each file's diff, and the diffs are read in batches that fit; a file whose own diff does not fit
is named as too large, with the rest reviewed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analyzers.diff import FileDiff, parse_unified_diff
from analyzers.process import run_bounded
from bot.pipeline.blobs import object_sizes
from bot.pipeline.gitrun import CheckoutError

DIFF_OUTPUT_LIMIT = 64 * 1024 * 1024
BATCH_PATHS = 500  # paths per git call: far from any argument-length limit
# Fixed prefixes and no quoting of non-ASCII names, whatever the repository's own config says
# (diff.noprefix, diff.mnemonicPrefix, diff.relative): the parser relies on them.
DIFF_ARGS = (
    *("-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "--no-textconv"),
    *("--src-prefix=a/", "--dst-prefix=b/", "--no-relative", "-M", "-U3"),
)
STATUSES = {"A": "added", "D": "removed", "R": "renamed", "C": "copied"}


@dataclass
class LocalDiff:
    """The parsed diff, its text (for the agents), and the files whose diff was too large to read."""

    diffs: dict[str, FileDiff]
    text: str
    too_large: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """One line of ``git diff --raw -z``: exact paths and blob ids."""

    status: str
    path: str
    old_path: str | None
    old_oid: str
    new_oid: str

    @property
    def paths(self) -> list[str]:
        return [self.path] if self.old_path in (None, self.path) else [self.old_path or "", self.path]


async def _run_git(
    git_dir: Path, args: Sequence[str], *, env: Mapping[str, str], timeout: float, limit: int
) -> tuple[bytes, bool]:
    """stdout of one git command and whether it was cut at ``limit``; CheckoutError on failure."""
    result = await run_bounded(
        ["git", f"--git-dir={git_dir}", *args], cwd=git_dir, timeout=timeout, env=env, max_output=limit
    )
    if result.timed_out:
        raise CheckoutError(f"git diff timed out after {timeout:g} s")
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CheckoutError(f"git diff failed: {(lines[-1] if lines else 'no message')[:300]}")
    return result.stdout, result.truncated


async def changed_files(
    git_dir: Path, base: str, head: str, *, env: Mapping[str, str], timeout: float
) -> list[Change]:
    """The files ``head`` changes against ``base``, with exact names (NUL-separated, never quoted)."""
    out, cut = await _run_git(
        git_dir,
        ["diff", "--raw", "-z", "--no-abbrev", "-M", "--no-relative", base, head, "--"],
        env=env,
        timeout=timeout,
        limit=DIFF_OUTPUT_LIMIT,
    )
    if cut:
        raise CheckoutError("the list of changed files alone is larger than 64 MB")
    fields = out.split(b"\x00")
    changes: list[Change] = []
    i = 0
    while i + 1 < len(fields) and fields[i].startswith(b":"):
        meta = fields[i].decode("ascii", "replace").split()
        names = [f.decode("utf-8", "surrogateescape") for f in fields[i + 1 : i + 3]]
        letter = meta[4][:1] if len(meta) > 4 else "M"
        moved = letter in ("R", "C")
        old, new = (names[0], names[1]) if moved else (None, names[0])
        changes.append(Change(STATUSES.get(letter, "modified"), new, old, meta[2], meta[3]))
        i += 3 if moved else 2
    return changes


def diff_bound(change: Change, sizes: Mapping[str, int]) -> int:
    """At most how many bytes this file's diff can take: each line once per side, one prefix each."""
    return 2 * (sizes.get(change.old_oid, 0) + sizes.get(change.new_oid, 0)) + 4096


def batches(changes: Sequence[Change], sizes: Mapping[str, int], limit: int) -> list[list[Change]]:
    """Group the changes so that each group's diff is bounded by ``limit`` (a big one alone)."""
    groups: list[list[Change]] = []
    current: list[Change] = []
    total = 0
    for change in changes:
        bound = diff_bound(change, sizes)
        if current and (total + bound > limit or len(current) >= BATCH_PATHS):
            groups.append(current)
            current, total = [], 0
        current.append(change)
        total += bound
    if current:
        groups.append(current)
    return groups


async def read_local_diff(
    git_dir: Path,
    base: str,
    head: str,
    *,
    env: Mapping[str, str],
    timeout: float = 120.0,
    limit: int = DIFF_OUTPUT_LIMIT,
) -> LocalDiff:
    """The diff of ``head`` against ``base``: whole when it fits in ``limit``, else file by file."""
    out, cut = await _run_git(git_dir, [*DIFF_ARGS, base, head, "--"], env=env, timeout=timeout, limit=limit)
    if not cut:
        text = out.decode("utf-8", "surrogateescape")
        return LocalDiff(parse_unified_diff(text), text)
    del out
    changes = await changed_files(git_dir, base, head, env=env, timeout=timeout)
    oids = sorted({c.old_oid for c in changes} | {c.new_oid for c in changes} - {"0" * 40})
    sizes = await object_sizes(git_dir, oids, env=env, timeout=timeout) if oids else {}
    result = LocalDiff({}, "")
    texts: list[str] = []
    kept = 0
    pending = batches(changes, sizes, limit)
    while pending:
        group = pending.pop(0)
        paths = [p for change in group for p in change.paths]
        args = ["--literal-pathspecs", *DIFF_ARGS, base, head, "--", *paths]
        out, cut = await _run_git(git_dir, args, env=env, timeout=timeout, limit=limit)
        if cut and len(group) > 1:  # the bound was not enough after all: halve and retry
            middle = len(group) // 2
            pending[:0] = [group[:middle], group[middle:]]
            continue
        if cut:
            change = group[0]
            fd = FileDiff(path=change.path, old_path=change.old_path, status=change.status)
            fd.patch_missing = True  # no line of it is known to be changed: nothing is kept on it
            result.diffs[change.path] = fd
            result.too_large[change.path] = f"diff larger than {limit // (1024 * 1024)} MB"
            continue
        text = out.decode("utf-8", "surrogateescape")
        result.diffs.update(parse_unified_diff(text))
        if kept + len(text) <= limit:  # the agents see what fits in one diff's worth
            texts.append(text)
            kept += len(text)
    result.text = "".join(texts)
    return result
