"""Parse diffs and keep the findings that fall on lines a change touched.

Two inputs: GitHub's per-file ``patch`` field (hunks only, no file headers) and
``git diff`` output. The rule "a multi-line finding is in the diff only if all its
lines are" lives here, in :func:`filter_findings`, and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from analyzers.base import Finding

FILTER_MODES = ("added", "diff_context", "file", "nofilter")
DEV_NULL = "/dev/null"
_HUNK_HEADER = re.compile(r"@@ -(\d{1,18})(?:,(\d{1,18}))? \+(\d{1,18})(?:,(\d{1,18}))? @@")
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


def _quoted_end(text: str, start: int) -> int | None:
    """The index just past the closing quote of the C-quoted string at ``start``, or None."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        else:
            i += 1
    return None


def _utf8(ch: str) -> bytes:
    try:  # a byte that was not UTF-8 came in as a surrogate escape: give the byte back
        return ch.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return ch.encode("utf-8", "surrogatepass")


def _unquote_git_path(path: str) -> str:
    """Undo git's C-style quoting ("a/\\303\\274.py") used for unusual characters."""
    if not (len(path) >= 2 and path.startswith('"') and path.endswith('"')):
        return path
    body, out, i = path[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if re.fullmatch(r"[0-3][0-7]{2}", body[i + 1 : i + 4]):
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(nxt, ord(nxt)) if ord(nxt) < 128 else ord("?"))
            i += 2
            continue
        out.extend(_utf8(ch))
        i += 1
    return out.decode("utf-8", "surrogateescape")


def _strip_prefix(path: str, prefix: str) -> str:
    return path[len(prefix) :] if path.startswith(prefix) else path


def _file_line_path(value: str, prefix: str) -> str | None:
    """The path of a ``---``/``+++`` line (None for /dev/null).

    Git C-quotes a name holding control characters, quotes or backslashes, and ends the line
    with a tab when the name holds a space; plain ``diff -u`` puts a tab before a timestamp.
    So an unquoted name ends at the first tab, a quoted one at its closing quote.
    """
    if value.startswith('"'):
        end = _quoted_end(value, 0)
        if end is None:
            raise DiffError("unterminated quoted file name in a ---/+++ line")
        path = _unquote_git_path(value[:end])
    else:
        path = value.split("\t", 1)[0]
    if path == DEV_NULL:
        return None
    return _strip_prefix(path, prefix)


def _header_paths(rest: str) -> tuple[str, str] | None:
    """The two paths of ``diff --git <a> <b>``, when the line alone can tell them apart.

    The line is ambiguous in general (``a/x b/y b/z``), but unless the file was renamed or copied
    (and then ``rename from``/``to`` lines say the names exactly) both sides name the same path:
    of all the places the line could be split, exactly one gives two equal paths.
    """
    splits: list[tuple[str, str]] = []
    for k, ch in enumerate(rest):
        if ch != " ":
            continue
        left, right = rest[:k], rest[k + 1 :]
        if left.startswith('"') and _quoted_end(left, 0) != len(left):
            continue
        if right.startswith('"') and _quoted_end(right, 0) != len(right):
            continue
        splits.append(
            (_strip_prefix(_unquote_git_path(left), "a/"), _strip_prefix(_unquote_git_path(right), "b/"))
        )
    same = [pair for pair in splits if pair[0] == pair[1]]
    if len(same) == 1:
        return same[0]
    return splits[0] if len(splits) == 1 else None


def _read_hunk(fd: FileDiff, lines: list[str], i: int) -> int:
    """Read the hunk whose header is ``lines[i]`` into ``fd``; return the index after it."""
    match = _HUNK_HEADER.match(lines[i])
    if match is None:
        raise DiffError(f"not a hunk header: {lines[i][:80]!r}")
    old_no, new_no = int(match[1]), int(match[3])
    old_left = int(match[2]) if match[2] is not None else 1
    new_left = int(match[4]) if match[4] is not None else 1
    if (old_left > 0 and old_no < 1) or (new_left > 0 and new_no < 1):
        raise DiffError(f"a hunk of {fd.path or 'the patch'} starts at line 0: {lines[i][:80]!r}")
    if new_left > 0:
        # git writes a file's hunks in order, apart: one that starts inside or before the last one
        # would count a line both added and unchanged, or twice.
        if fd.hunks and new_no <= fd.hunks[-1][1]:
            raise DiffError(
                f"the hunks of {fd.path or 'the patch'} overlap or are out of order: {lines[i][:80]!r}"
            )
        fd.hunks.append((new_no, new_no + new_left - 1))
    i += 1
    while old_left > 0 or new_left > 0:
        if i >= len(lines):
            raise DiffError(f"a hunk of {fd.path or 'the patch'} is shorter than its header says")
        tag = lines[i][:1]
        if tag in (" ", ""):  # "" is an empty context line (git's diff.suppressBlankEmpty)
            if old_left == 0 or new_left == 0:
                raise DiffError(f"a hunk of {fd.path or 'the patch'} is longer than its header says")
            fd.context.add(new_no)
            old_no, new_no, old_left, new_left = old_no + 1, new_no + 1, old_left - 1, new_left - 1
        elif tag == "-":
            if old_left == 0:
                raise DiffError(f"a hunk of {fd.path or 'the patch'} removes more lines than it says")
            fd.deleted.add(old_no)
            old_no, old_left = old_no + 1, old_left - 1
        elif tag == "+":
            if new_left == 0:
                raise DiffError(f"a hunk of {fd.path or 'the patch'} adds more lines than it says")
            fd.added.add(new_no)
            new_no, new_left = new_no + 1, new_left - 1
        elif tag != "\\":  # "\ No newline at end of file" belongs to the line before it
            raise DiffError(f"unexpected line in a hunk of {fd.path or 'the patch'}: {lines[i][:80]!r}")
        i += 1
    while i < len(lines) and lines[i].startswith("\\"):
        i += 1
    return i


def _split_lines(text: str) -> list[str]:
    # Only "\n" ends a line: str.splitlines() would also split at "\r", "\x0c", "\u2028"... that a
    # changed line may hold, and the line numbers would drift.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


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
    lines = _split_lines(patch)
    i = 0
    while i < len(lines):
        if lines[i].startswith("@@ "):
            i = _read_hunk(fd, lines, i)
        elif not lines[i].strip():
            i += 1  # e.g. a pure rename or a mode change: no hunks
        else:
            raise DiffError(f"cannot parse the patch of {path}: unexpected line {lines[i][:80]!r}")
    return fd


@dataclass
class _Section:
    """One file's part of a ``git diff`` while it is read: every place a name can come from."""

    header: tuple[str, str] | None = None  # from "diff --git", when unambiguous
    git: bool = False
    minus: str | None = None  # from "--- " (None: /dev/null)
    plus: str | None = None
    has_file_lines: bool = False
    moved_from: str | None = None  # "rename from" / "copy from"
    moved_to: str | None = None
    kind: str = ""  # "new" | "deleted" | "renamed" | "copied" | ""
    lines: FileDiff = field(default_factory=lambda: FileDiff(path=""))
    first_line: str = ""

    def file_diff(self) -> FileDiff:
        """The FileDiff, its names taken from the most exact line that states them."""
        source, target = self.header or (None, None)
        if self.has_file_lines:  # exact, and None for /dev/null
            source, target = self.minus, self.plus
        if self.moved_from is not None and self.moved_to is not None:
            source, target = self.moved_from, self.moved_to
        if self.kind == "new":
            source = None
        elif self.kind == "deleted":
            target = None
        fd = self.lines
        if target is None and source is None:
            raise DiffError(f"cannot tell the file name of {self.first_line[:120]!r}")
        if target is None:
            fd.path, fd.old_path, fd.status = source or "", source, "removed"
        elif source is None:
            fd.path, fd.status = target, "added"
        elif self.kind == "copied":
            fd.path, fd.old_path, fd.status = target, source, "copied"
        elif source != target:
            fd.path, fd.old_path, fd.status = target, source, "renamed"
        else:
            fd.path, fd.status = target, "modified"
        return fd


_EXTENDED = {
    "new file mode ": "new",
    "deleted file mode ": "deleted",
}


def _read_sections(text: str) -> list[tuple[_Section, int, int]]:
    """Each file's section of a git (or plain unified) diff, with its first and last line index."""
    lines = _split_lines(text)
    sections: list[tuple[_Section, int, int]] = []
    current: _Section | None = None
    start = 0

    def close(end: int) -> None:
        if current is not None:
            sections.append((current, start, end))

    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("diff --git "):
            close(i)
            current, start = _Section(header=_header_paths(line[len("diff --git ") :]), git=True), i
            current.first_line = line
            i += 1
        elif line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            if current is None or current.has_file_lines or current.lines.hunks or not current.git:
                close(i)  # a plain unified diff: each file starts at its "---" line
                current, start = _Section(first_line=line), i
            current.minus = _file_line_path(line[4:], "a/")
            current.plus = _file_line_path(lines[i + 1][4:], "b/")
            current.has_file_lines = True
            i += 2
        elif line.startswith("@@ "):
            if current is None:
                raise DiffError("a hunk before any file header")
            i = _read_hunk(current.lines, lines, i)
        elif current is not None and current.git and not current.has_file_lines:
            _read_extended(current, line)
            i += 1
        else:
            i += 1  # text around the diff (a commit message, "Only in ...") carries nothing
    close(len(lines))
    return sections


def _read_extended(section: _Section, line: str) -> None:
    """One of git's extended header lines (the ones that matter here)."""
    for prefix, kind in _EXTENDED.items():
        if line.startswith(prefix):
            section.kind = kind
            return
    for verb in ("rename", "copy"):
        if line.startswith(f"{verb} from "):
            section.moved_from = _unquote_git_path(line[len(verb) + 6 :])
            section.kind = "renamed" if verb == "rename" else "copied"
        elif line.startswith(f"{verb} to "):
            section.moved_to = _unquote_git_path(line[len(verb) + 4 :])
    if line.startswith(("Binary files ", "GIT binary patch")):
        section.lines.is_binary = True


def parse_unified_diff(text: str) -> dict[str, FileDiff]:
    """Parse ``git diff`` output into one FileDiff per file, keyed by its head path.

    Renames are keyed by the new path (``old_path`` set); removed files are kept with
    status "removed" (no head lines, so no finding is ever kept on them). File names are read
    from the lines that state them exactly (``rename from``/``to``, ``---``/``+++``, quoted when
    git quotes them), never by guessing where ``diff --git a/... b/...`` splits.
    """
    diffs: dict[str, FileDiff] = {}
    for section, _start, _end in _read_sections(text):
        fd = section.file_diff()
        diffs[fd.path] = fd
    return diffs


def patches_by_path(text: str) -> dict[str, str]:
    """Each changed text file's hunks (as GitHub's ``patch`` field holds them), keyed by head path."""
    lines = _split_lines(text)
    patches: dict[str, str] = {}
    for section, start, end in _read_sections(text):
        fd = section.file_diff()
        if fd.status == "removed" or fd.is_binary:
            continue
        body = lines[start:end]
        first_hunk = next((n for n, line in enumerate(body) if line.startswith("@@ ")), len(body))
        patches[fd.path] = "".join(line + "\n" for line in body[first_hunk:])
    return patches


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
