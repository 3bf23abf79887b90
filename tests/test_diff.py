"""Diff parsing (golden files) and the one place findings are filtered by the diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzers.base import Finding
from analyzers.diff import (
    DiffError,
    FileDiff,
    filter_findings,
    in_same_hunk,
    parse_patch,
    parse_unified_diff,
)

FIXTURES = Path(__file__).parent / "fixtures" / "diffs"
GOLDEN = sorted(FIXTURES.glob("*.diff"))


def _parse_fixture(diff_file: Path, spec: dict[str, str]) -> dict[str, FileDiff]:
    text = diff_file.read_text(encoding="utf-8")
    if spec["kind"] == "github_patch":
        fd = parse_patch(spec["path"], text, old_path=spec.get("old_path"), status=spec["status"])
        return {fd.path: fd}
    return parse_unified_diff(text)


def test_every_required_case_has_a_golden_file() -> None:
    names = {p.stem for p in GOLDEN}
    required = {
        "simple_modification",
        "new_file",
        "deleted_file",
        "rename_with_edits",
        "binary",
        "no_newline_at_eof",
        "multiple_hunks",
        "github_patch_field",
    }
    assert required <= names
    assert all(p.with_suffix(".json").exists() for p in GOLDEN)


@pytest.mark.parametrize("diff_file", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden(diff_file: Path) -> None:
    golden = json.loads(diff_file.with_suffix(".json").read_text(encoding="utf-8"))
    parsed = _parse_fixture(diff_file, golden["input"])
    assert {path: fd.to_dict() for path, fd in parsed.items()} == golden["expected"]


def test_rename_is_keyed_by_the_new_path() -> None:
    diffs = parse_unified_diff((FIXTURES / "whole_change.diff").read_text(encoding="utf-8"))
    assert "old_name.py" not in diffs
    assert diffs["new_name.py"].old_path == "old_name.py"
    assert diffs["new_name.py"].status == "renamed"
    assert diffs["gone.py"].status == "removed"
    assert diffs["img.bin"].is_binary
    assert "sp dir/ünï.py" in diffs  # git's quoted "\303\274" form is decoded


def test_github_patch_without_trailing_newline_and_eof_marker() -> None:
    patch = (
        "@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n\\ No newline at end of file\n+b = 3\n\\ No newline at end of file"
    )
    fd = parse_patch("x.py", patch)
    assert fd.added == {2}
    assert fd.context == {1}
    assert fd.deleted == {2}
    assert fd.hunks == [(1, 2)]


def test_github_omitted_patch_marks_lines_unknown() -> None:
    fd = parse_patch("big.bin", None, status="added")
    assert fd.patch_missing
    assert not fd.added and not fd.hunks
    finding = Finding("t", "R", "warning", "big.bin", 1, 1, "m")
    assert filter_findings([finding], {"big.bin": fd}, "added") == []
    assert filter_findings([finding], {"big.bin": fd}, "file") == [finding]


def test_empty_patch_is_a_change_without_hunks() -> None:
    fd = parse_patch("moved.py", "", old_path="old.py", status="renamed")
    assert fd.old_path == "old.py"
    assert fd.hunks == [] and fd.added == set()


def test_malformed_patch_raises_diff_error() -> None:
    with pytest.raises(DiffError):
        parse_patch("x.py", "@@ -1,3 +1,3 @@\n a\n")  # the hunk promises three lines, holds one


@pytest.mark.parametrize(
    "patch",
    [
        # A second hunk over lines the first showed unchanged (found by the diff fuzzer): line 1
        # would be both added and context, and a comment on it would be kept and dropped at once.
        "@@ -1,2 +1,2 @@\n a\n b\n@@ -1 +1 @@\n-a\n+A\n",
        "@@ -5 +5 @@\n-e\n+E\n@@ -2 +2 @@\n-b\n+B\n",  # out of order
        "@@ -1,2 +1,3 @@\n a\n+x\n b\n@@ -2 +3 @@\n-b\n+B\n",  # starts at the last one's end
    ],
)
def test_overlapping_or_unordered_hunks_raise_diff_error(patch: str) -> None:
    with pytest.raises(DiffError, match="overlap or are out of order"):
        parse_patch("x.py", patch)
    with pytest.raises(DiffError, match="overlap or are out of order"):
        parse_unified_diff("diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n" + patch)


def test_adjacent_hunks_are_two_hunks() -> None:
    fd = parse_patch("x.py", "@@ -1 +1 @@\n-a\n+A\n@@ -2 +2 @@\n-b\n+B\n")
    assert fd.hunks == [(1, 1), (2, 2)] and fd.added == {1, 2} and fd.deleted == {1, 2}


def test_empty_git_diff_is_empty() -> None:
    assert parse_unified_diff("") == {}


def test_pure_deletion_hunk_adds_no_range() -> None:
    fd = parse_patch("x.py", "@@ -2,1 +1,0 @@\n-gone")
    assert fd.hunks == []
    assert fd.deleted == {2}


# --- filtering -------------------------------------------------------------------------------

# multiple_hunks.diff: added {3, 25, 28}; context 1,2,4,5,6 and 22,23,24,26,27,29,30,31.
DIFFS = parse_unified_diff((FIXTURES / "whole_change.diff").read_text(encoding="utf-8"))


def _finding(path: str, line: int, end_line: int | None = None) -> Finding:
    return Finding("ruff", "F401", "warning", path, line, end_line or line, "msg")


@pytest.mark.parametrize(
    ("line", "end_line", "mode", "kept"),
    [
        (3, 3, "added", True),
        (2, 2, "added", False),  # a context line
        (2, 3, "added", False),  # multi-line: one line only context
        (28, 28, "added", True),
        (25, 28, "added", False),  # 26 and 27 are context
        (25, 28, "diff_context", True),
        (2, 4, "diff_context", True),
        (6, 7, "diff_context", False),  # 7 is outside every hunk
        (10, 10, "diff_context", False),
        (10, 10, "file", True),
        (10, 10, "nofilter", True),
    ],
)
def test_filter_modes(line: int, end_line: int, mode: str, kept: bool) -> None:
    finding = _finding("multi.txt", line, end_line)
    assert (filter_findings([finding], DIFFS, mode) == [finding]) is kept


def test_files_not_in_the_diff() -> None:
    elsewhere = _finding("untouched.py", 1)
    assert filter_findings([elsewhere], DIFFS, "file") == []
    assert filter_findings([elsewhere], DIFFS, "nofilter") == [elsewhere]


def test_removed_files_keep_nothing() -> None:
    on_removed = _finding("gone.py", 1)
    for mode in ("added", "diff_context", "file"):
        assert filter_findings([on_removed], DIFFS, mode) == []


def test_new_file_keeps_every_line_and_order_is_preserved() -> None:
    findings = [_finding("added.py", 2), _finding("added.py", 1, 2), _finding("added.py", 3)]
    assert filter_findings(findings, DIFFS, "added") == findings[:2]


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown filter mode"):
        filter_findings([], DIFFS, "everything")


def test_in_same_hunk() -> None:
    fd = DIFFS["multi.txt"]
    assert in_same_hunk(fd, 22, 31)
    assert in_same_hunk(fd, 3, 3)
    assert not in_same_hunk(fd, 5, 23)  # spans two hunks
    assert not in_same_hunk(fd, 7, 7)  # in no hunk
