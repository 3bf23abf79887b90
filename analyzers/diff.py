"""Parse diffs and keep the findings that fall on lines a change touched.

Two inputs: GitHub's per-file ``patch`` field (hunks only, no file headers) and
``git diff`` output. The rule "a multi-line finding is in the diff only if all its
lines are" lives here, in :func:`filter_findings`, and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from unidiff import PatchedFile, PatchSet
from unidiff.errors import UnidiffParseError

from analyzers.base import Finding

FILTER_MODES = ("added", "diff_context", "file", "nofilter")
DEV_NULL = "/dev/null"
_GIT_PREFIX = re.compile(r"^[abciow12]/")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


class DiffError(ValueError):
    """A diff that could not be parsed."""


@dataclass
class FileDiff:
    """What changed in one file; line numbers are 1-based."""

    path: str  # head (new) path
    old_path: str | None = None  # set for renames (and removals)
    status: str = "modified"  # added | modified | removed | renamed
    added: set[int] = field(default_factory=set)  # new-side lines
    context: set[int] = field(default_factory=set)  # new-side lines shown unchanged in a hunk
    deleted: set[int] = field(default_factory=set)  # old-side lines
    hunks: list[tuple[int, int]] = field(default_factory=list)  # new-side (start, end), inclusive
    is_binary: bool = False
    patch_missing: bool = False  # GitHub omitted the patch (binary or too large): lines unknown

    def commentable(self) -> set[int]:
        """Lines GitHub accepts a review comment on (RIGHT side): added or context."""
        return self.added | self.context

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "old_path": self.old_path,
            "status": self.status,
            "added": sorted(self.added),
            "context": sorted(self.context),
            "deleted": sorted(self.deleted),
            "hunks": [list(h) for h in self.hunks],
            "is_binary": self.is_binary,
            "patch_missing": self.patch_missing,
        }


def _unquote_git_path(path: str) -> str:
    """Undo git's C-style quoting ("a/\\303\\274.py") used for unusual characters."""
    if not (len(path) >= 2 and path.startswith('"') and path.endswith('"')):
        return path
    body, out, i = path[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "01234567" and re.fullmatch(r"[0-7]{3}", body[i + 1 : i + 4]):
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(nxt, ord(nxt)))
            i += 2
            continue
        out.extend(ch.encode("utf-8"))
        i += 1
    return out.decode("utf-8", "surrogateescape")


def _clean_path(raw: str | None) -> str | None:
    if raw is None:
        return None
    path = _unquote_git_path(raw.strip())
    if path == DEV_NULL:
        return None
    return _GIT_PREFIX.sub("", path, count=1)


def _fill_lines(fd: FileDiff, patched: PatchedFile) -> None:
    for hunk in patched:
        if hunk.target_length > 0:
            fd.hunks.append((hunk.target_start, hunk.target_start + hunk.target_length - 1))
        for line in hunk:
            if line.is_added and line.target_line_no is not None:
                fd.added.add(line.target_line_no)
            elif line.is_context and line.target_line_no is not None:
                fd.context.add(line.target_line_no)
            elif line.is_removed and line.source_line_no is not None:
                fd.deleted.add(line.source_line_no)


def parse_patch(
    path: str, patch: str | None, *, old_path: str | None = None, status: str = "modified"
) -> FileDiff:
    """Parse the ``patch`` field of one entry of GitHub's "list pull request files".

    ``patch`` is None when GitHub leaves it out (binary file, or a diff too large);
    then no line is known to be in the diff and ``patch_missing`` says so.
    """
    fd = FileDiff(path=path, old_path=old_path, status=status)
    if patch is None:
        fd.patch_missing = True
        return fd
    if not patch.strip():
        return fd  # e.g. a pure rename or a mode change: no hunks
    text = patch if patch.endswith("\n") else patch + "\n"
    header = f"--- a/{old_path or path}\n+++ b/{path}\n"
    try:
        patch_set = PatchSet(header + text)
    except UnidiffParseError as exc:
        raise DiffError(f"cannot parse the patch of {path}: {exc}") from exc
    if len(patch_set) != 1:
        raise DiffError(f"expected one file in the patch of {path}, found {len(patch_set)}")
    _fill_lines(fd, patch_set[0])
    return fd


def _info_value(patched: PatchedFile, prefix: str) -> str | None:
    for line in patched.patch_info or ():
        if line.startswith(prefix):
            return _unquote_git_path(line[len(prefix) :].rstrip("\n"))
    return None


def _file_diff(patched: PatchedFile) -> FileDiff:
    source = _clean_path(patched.source_file)
    target = _clean_path(patched.target_file)
    # "rename from/to" lines carry the exact paths even when names hold spaces.
    renamed_from = _info_value(patched, "rename from ")
    renamed_to = _info_value(patched, "rename to ")
    if renamed_from and renamed_to:
        source, target = renamed_from, renamed_to
    if patched.is_removed_file or target is None:
        fd = FileDiff(path=source or "", old_path=source, status="removed")
    elif patched.is_added_file or source is None:
        fd = FileDiff(path=target, status="added")
    elif source != target:
        fd = FileDiff(path=target, old_path=source, status="renamed")
    else:
        fd = FileDiff(path=target, status="modified")
    fd.is_binary = bool(patched.is_binary_file)
    _fill_lines(fd, patched)
    return fd


def parse_unified_diff(text: str) -> dict[str, FileDiff]:
    """Parse ``git diff`` output into one FileDiff per file, keyed by its head path.

    Renames are keyed by the new path (``old_path`` set); removed files are kept with
    status "removed" (no head lines, so no finding is ever kept on them).
    """
    if not text.strip():
        return {}
    try:
        patch_set = PatchSet(text if text.endswith("\n") else text + "\n")
    except UnidiffParseError as exc:
        raise DiffError(f"cannot parse the diff: {exc}") from exc
    diffs: dict[str, FileDiff] = {}
    for patched in patch_set:
        fd = _file_diff(patched)
        diffs[fd.path] = fd
    return diffs


def _lines(finding: Finding) -> range:
    return range(finding.line, max(finding.end_line, finding.line) + 1)


def in_diff(finding: Finding, fd: FileDiff | None, mode: str = "added") -> bool:
    """Whether one finding is kept under ``mode``; every line of it must qualify."""
    if mode == "nofilter":
        return True
    if mode not in FILTER_MODES:
        raise ValueError(f"unknown filter mode {mode!r}; expected one of {', '.join(FILTER_MODES)}")
    if fd is None or fd.status == "removed":
        return False
    if mode == "file":
        return True
    allowed = fd.added if mode == "added" else fd.commentable()
    return all(n in allowed for n in _lines(finding))


def filter_findings(
    findings: Iterable[Finding], diffs: Mapping[str, FileDiff], mode: str = "added"
) -> list[Finding]:
    """Keep the findings the diff covers, reviewdog-style.

    - ``added``: every line ``line..end_line`` was added by the change;
    - ``diff_context``: every line is an added or a context line of a hunk;
    - ``file``: the file is in the diff (and still exists);
    - ``nofilter``: everything.
    """
    if mode not in FILTER_MODES:
        raise ValueError(f"unknown filter mode {mode!r}; expected one of {', '.join(FILTER_MODES)}")
    return [f for f in findings if in_diff(f, diffs.get(f.path), mode)]


def in_same_hunk(fd: FileDiff, start: int, end: int) -> bool:
    """Whether new-side lines start..end lie in one hunk (GitHub's rule for multi-line comments)."""
    return any(lo <= start and end <= hi for lo, hi in fd.hunks)
