"""Where a review comment may go: GitHub's rules for ``line``/``side``/``start_line``/``position``.

Error strings are the ones GitHub returns (seen in real 422 bodies, e.g.
"Pull request review thread line must be part of the diff and Pull request
review thread diff hunk can't be blank").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .gitdiff import FileDiff

MAX_BODY = 65536
BODY_TOO_LONG = f"body is too long (maximum is {MAX_BODY} characters)"
LINE_NOT_IN_DIFF = "Pull request review thread line must be part of the diff"
HUNK_BLANK = "Pull request review thread diff hunk can't be blank"
PATH_INVALID = "Pull request review thread path is invalid"
POSITION_INVALID = "Pull request review thread position is invalid"
START_OTHER_HUNK = "Pull request review thread start line must be part of the same hunk as the line."
START_AFTER_LINE = "Pull request review thread start line must precede the end line"
START_OTHER_SIDE = "Pull request review thread start side must be the same as the side"
SIDE_INVALID = "Pull request review thread side must be LEFT or RIGHT"


@dataclass
class Anchor:
    path: str
    side: str
    line: int
    start_line: int | None
    start_side: str | None
    position: int
    diff_hunk: str


def resolve(files: dict[str, FileDiff], comment: dict[str, Any]) -> Anchor | list[str]:
    """The anchor of one draft comment, or GitHub's error strings for it."""
    path = comment["path"]
    if len(comment.get("body", "")) > MAX_BODY:
        return [BODY_TOO_LONG]
    diff = files.get(path)
    if diff is None:
        return [PATH_INVALID, HUNK_BLANK]
    if not diff.hunks:
        return [LINE_NOT_IN_DIFF, HUNK_BLANK]
    if comment.get("line") is None:
        if comment.get("position") is None:
            return [LINE_NOT_IN_DIFF, HUNK_BLANK]
        for hunk in diff.hunks:
            if comment["position"] in hunk.positions:
                side, line = hunk.positions[comment["position"]]
                return _anchor(diff, path, side, line, None, None)
        return [POSITION_INVALID, HUNK_BLANK]
    side = comment.get("side", "RIGHT")
    if side not in ("LEFT", "RIGHT"):
        return [SIDE_INVALID]
    line = comment["line"]
    hunk = diff.hunk_of(side, line)
    if hunk is None:
        return [LINE_NOT_IN_DIFF, HUNK_BLANK]
    start_line = comment.get("start_line")
    start_side = comment.get("start_side", side) if start_line is not None else None
    if start_line is not None:
        if start_side != side:
            return [START_OTHER_SIDE]
        if start_line >= line:
            return [START_AFTER_LINE]
        if diff.hunk_of(start_side, start_line) != hunk:
            return [START_OTHER_HUNK]
    return _anchor(diff, path, side, line, start_line, start_side)


def _anchor(
    diff: FileDiff, path: str, side: str, line: int, start: int | None, start_side: str | None
) -> Anchor:
    lines = diff.entry["patch"].split("\n")
    position = next(h.where[side, line] for h in diff.hunks if (side, line) in h.where)
    header = max(i for i in range(position + 1) if lines[i].startswith("@@"))
    return Anchor(path, side, line, start, start_side, position, "\n".join(lines[header : position + 1]))
