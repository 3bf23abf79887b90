"""Read a real git repository the way GitHub presents a pull request's files."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GIT_TIMEOUT = 60
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_STATUS = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "C": "copied", "T": "changed"}


class GitError(Exception):
    pass


def git(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    proc = subprocess.run(
        ["git", "-c", "core.quotePath=false", *args],
        cwd=repo,
        input=input,
        capture_output=True,
        timeout=GIT_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        raise GitError(proc.stderr.decode(errors="replace").strip())
    return proc.stdout


def rev_parse(repo: Path, rev: str) -> str | None:
    try:
        return git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except GitError:
        return None


def read_blob(repo: Path, ref: str, path: str) -> tuple[str, bytes, str] | None:
    """(blob sha, content, mode) of ``path`` at ``ref``, or None when it is not a file there."""
    try:
        line = git(repo, "ls-tree", "-z", ref, "--", path).decode().rstrip("\0")
    except GitError:
        return None
    if not line:
        return None
    meta, _, name = line.partition("\t")
    mode, kind, sha = meta.split()
    if kind != "blob" or name != path:
        return None
    return sha, git(repo, "cat-file", "blob", sha), mode


@dataclass
class Hunk:
    right: set[int] = field(default_factory=set)  # added and context lines, new numbering
    left: set[int] = field(default_factory=set)  # deleted and context lines, old numbering
    # position (1-based line index in the file's patch) -> (side, line)
    positions: dict[int, tuple[str, int]] = field(default_factory=dict)
    # (side, line) -> position; a context line is reachable from both sides
    where: dict[tuple[str, int], int] = field(default_factory=dict)


@dataclass
class FileDiff:
    entry: dict[str, Any]  # GitHub's diff-entry, without blob/raw/contents URLs filled
    hunks: list[Hunk]

    def hunk_of(self, side: str, line: int) -> int | None:
        for index, hunk in enumerate(self.hunks):
            if line in (hunk.right if side == "RIGHT" else hunk.left):
                return index
        return None


def pull_files(repo: Path, base_sha: str, head_sha: str) -> list[FileDiff]:
    """The files of ``merge-base(base, head)..head`` in GitHub's order and shape."""
    merge_base = git(repo, "merge-base", base_sha, head_sha).decode().strip()
    common = ["diff", "-M", "--no-color", "--no-ext-diff", "--no-textconv", merge_base, head_sha]
    raw = git(repo, *common[:-2], "--raw", "-z", "--no-abbrev", *common[-2:]).decode(errors="surrogateescape")
    numstat = git(repo, *common[:-2], "--numstat", "-z", *common[-2:]).decode(errors="surrogateescape")
    patch = git(repo, *common[:-2], "-U3", "--full-index", *common[-2:]).decode("utf-8", errors="replace")

    entries = _parse_raw(raw)
    counts = _parse_numstat(numstat)
    patches = _split_patches(patch)
    files: list[FileDiff] = []
    for index, (status, old_sha, new_sha, old_path, new_path) in enumerate(entries):
        additions, deletions = counts[index]
        text = patches[index] if index < len(patches) else None
        entry: dict[str, Any] = {
            "sha": new_sha if status != "D" else old_sha,
            "filename": new_path,
            "status": _STATUS.get(status, "modified"),
            "additions": additions,
            "deletions": deletions,
            "changes": additions + deletions,
        }
        if status in ("R", "C"):
            entry["previous_filename"] = old_path
        hunks: list[Hunk] = []
        if text is not None:
            entry["patch"] = text
            hunks = _parse_hunks(text)
        files.append(FileDiff(entry, hunks))
    return files


def _parse_raw(raw: str) -> list[tuple[str, str, str, str, str]]:
    fields = raw.split("\0")
    out: list[tuple[str, str, str, str, str]] = []
    i = 0
    while i < len(fields) and fields[i].startswith(":"):
        _, _, old_sha, new_sha, status = fields[i][1:].split(" ")
        letter = status[0]
        if letter in ("R", "C"):
            out.append((letter, old_sha, new_sha, fields[i + 1], fields[i + 2]))
            i += 3
        else:
            out.append((letter, old_sha, new_sha, fields[i + 1], fields[i + 1]))
            i += 2
    return out


def _parse_numstat(numstat: str) -> list[tuple[int, int]]:
    fields = numstat.split("\0")
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(fields) and fields[i]:
        added, deleted, path = fields[i].split("\t", 2)
        out.append((0 if added == "-" else int(added), 0 if deleted == "-" else int(deleted)))
        i += 3 if path == "" else 1  # a rename's paths follow as two more fields
    return out


def _split_patches(patch: str) -> list[str | None]:
    """Per file, only the hunks (from the first "@@"), or None for binary or empty changes."""
    sections = re.split(r"^diff --git ", patch, flags=re.MULTILINE)[1:]
    out: list[str | None] = []
    for section in sections:
        start = section.find("\n@@ ")
        out.append(section[start + 1 :].removesuffix("\n") if start >= 0 else None)
    return out


def _parse_hunks(patch: str) -> list[Hunk]:
    hunks: list[Hunk] = []
    old = new = 0
    for position, line in enumerate(patch.split("\n")):
        if m := _HUNK.match(line):
            old, new = int(m.group(1)), int(m.group(3))
            hunks.append(Hunk())
            continue
        if not hunks:
            continue
        hunk = hunks[-1]
        if line.startswith("+"):
            hunk.right.add(new)
            hunk.positions[position] = ("RIGHT", new)
            hunk.where["RIGHT", new] = position
            new += 1
        elif line.startswith("-"):
            hunk.left.add(old)
            hunk.positions[position] = ("LEFT", old)
            hunk.where["LEFT", old] = position
            old += 1
        elif line.startswith(" "):
            hunk.right.add(new)
            hunk.left.add(old)
            hunk.positions[position] = ("RIGHT", new)
            hunk.where["RIGHT", new] = position
            hunk.where["LEFT", old] = position
            old += 1
            new += 1
        # "\ No newline at end of file" takes a position but no line
    return hunks
