"""ShellCheck, run on the changed shell scripts (by extension or by a sh/bash shebang)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from analyzers.base import Finding, PathMap, RuleDoc, Severity, checkable_files
from analyzers.limits import ResourceLimits
from analyzers.process import ProcResult, tool_version
from analyzers.tool import ToolAnalyzer

TOOL = "shellcheck"
SUFFIXES = (".sh", ".bash", ".ksh", ".bats")
# Shells ShellCheck understands; a zsh or fish script would only produce noise.
_SHEBANG = re.compile(rb"#!\s*\S*/(?:env\s+(?:-\S+\s+)*)?(?:sh|bash|dash|ksh|mksh|ash|bats)(?:\s|$)")
_LEVELS: dict[str, Severity] = {"error": "error", "warning": "warning", "info": "note", "style": "note"}
# SC1090/SC1091 only say "not following a sourced file": with --external-sources off (never read
# files outside the ones under review) they would fire on every `source` line.
DEFAULT_EXCLUDE: tuple[str, ...] = ("SC1090", "SC1091")
# Unquoted expansions let data become extra arguments (word splitting, globbing): a file named
# "-rf" or " /" turns `rm $f` into something else. That is argument injection.
CWE_BY_CODE: dict[str, str] = {
    "SC2086": "CWE-88",
    "SC2046": "CWE-88",
    "SC2048": "CWE-88",
    "SC2068": "CWE-88",
    "SC2294": "CWE-78",  # eval on an array re-parses its elements as shell code
}
WIKI = "https://www.shellcheck.net/wiki/"
WHY_BY_CWE: dict[str, str] = {
    "CWE-88": "An unquoted expansion is split into words and glob-expanded, so data (a file name, "
    'user input) can become extra arguments or options of the command. Quote it: "$var", '
    '"$@", "${array[@]}".',
    "CWE-78": "eval re-parses its arguments as shell code, so data in them runs as commands. "
    'Run the command directly ("${array[@]}") instead of through eval.',
}
_CODE = re.compile(r"SC\d{4}")


def has_shell_shebang(path: Path) -> bool:
    """Whether the file's first line names a shell ShellCheck knows; reads at most 256 bytes."""
    try:
        with path.open("rb") as handle:
            first = handle.read(256).split(b"\n", 1)[0]
    except OSError:
        return False
    return _SHEBANG.match(first) is not None


def cwe_for(code: str) -> str | None:
    return CWE_BY_CODE.get(code)


def apply_replacements(
    lines: Sequence[str], line: int, end_line: int, fix: dict[str, Any] | None
) -> str | None:
    """The text of lines line..end_line once ShellCheck's fix is applied, or None.

    Only when every replacement lies within those lines and none overlap: a review suggestion
    replaces exactly the lines it is attached to. Columns are 1-based, ends exclusive, and a tab
    counts as one column (that is what json1 promises).
    """
    replacements = (fix or {}).get("replacements") or []
    if not replacements or end_line > len(lines):
        return None
    segment = list(lines[line - 1 : end_line])
    starts = [0]
    for text in segment:
        starts.append(starts[-1] + len(text) + 1)

    def offset(row: int, col: int) -> int | None:
        if not line <= row <= end_line or not 1 <= col <= len(segment[row - line]) + 1:
            return None
        return starts[row - line] + col - 1

    edits: list[tuple[int, int, str]] = []
    for item in replacements:
        begin = offset(int(item.get("line") or 0), int(item.get("column") or 0))
        end = offset(int(item.get("endLine") or 0), int(item.get("endColumn") or 0))
        if begin is None or end is None or end < begin:
            return None
        edits.append((begin, end, str(item.get("replacement") or "")))
    edits.sort()
    for (prev_begin, prev_end, _), (begin, _, _) in itertools.pairwise(edits):
        if begin < prev_end or begin == prev_begin:
            return None  # overlapping edits, or two at one point: their order is ambiguous
    text = "\n".join(segment)
    for begin, end, content in reversed(edits):
        text = text[:begin] + content + text[end:]
    original = "\n".join(segment)
    return None if text == original else text.removesuffix("\r")


def to_finding(item: dict[str, Any], rel: str, lines: Sequence[str] | None) -> Finding:
    code = f"SC{item.get('code')}"
    line = int(item.get("line") or 1)
    end_line = max(line, int(item.get("endLine") or line))
    suggestion = apply_replacements(lines, line, end_line, item.get("fix")) if lines is not None else None
    return Finding(
        tool=TOOL,
        rule_id=code,
        severity=_LEVELS.get(str(item.get("level")), "warning"),
        path=rel,
        line=line,
        end_line=end_line,
        message=str(item.get("message") or code).strip(),
        column=int(item["column"]) if item.get("column") else None,
        help_url=WIKI + code,
        suggestion=suggestion,
        cwe=cwe_for(code),
    )


def _read_lines(root: Path, rel: str) -> list[str] | None:
    try:
        return (root / rel).read_bytes().decode("utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return None


def parse_output(stdout: bytes, root: Path, paths: Sequence[str]) -> list[Finding]:
    """ShellCheck's json1 report as findings, with paths relative to ``root``."""
    report = json.loads(stdout.decode("utf-8") or "{}")
    if not isinstance(report, dict):
        raise ValueError("shellcheck's json1 report is not an object")
    mapping = PathMap(root, paths)
    cache: dict[str, list[str] | None] = {}
    findings: list[Finding] = []
    for item in report.get("comments") or []:
        rel = mapping.relative(str(item.get("file") or ""))
        if rel is None:
            continue
        if rel not in cache:
            cache[rel] = _read_lines(root, rel)
        findings.append(to_finding(item, rel, cache[rel]))
    return findings


def rule_doc(code: str) -> RuleDoc | None:
    """ShellCheck documents every check on its wiki; the ones that are security problems say why."""
    if not _CODE.fullmatch(code):
        return None
    cwe = cwe_for(code)
    why = WHY_BY_CWE.get(cwe) if cwe else None
    return RuleDoc(
        title=f"ShellCheck {code}", why=why, cwe=cwe, help_url=WIKI + code, security=cwe is not None
    )


class ShellcheckAnalyzer(ToolAnalyzer):
    """Runs ``shellcheck`` without any .shellcheckrc and without following sourced files."""

    name = TOOL
    binary = "shellcheck"
    information_uri = "https://www.shellcheck.net/"
    ok_codes = (0, 1, 2)  # 1: issues found; 2: some files could not be read (the rest are reported)

    def __init__(
        self,
        *,
        exclude: Sequence[str] = DEFAULT_EXCLUDE,
        executable: str | None = None,
        limits: ResourceLimits | None = None,
    ) -> None:
        super().__init__(limits=limits, executable=executable)
        self.exclude = tuple(exclude)

    def handles(self, path: str) -> bool:
        # Without a suffix a file may still be a script (bin/deploy); targets() reads its shebang.
        name = PurePosixPath(path).name
        return name.endswith(SUFFIXES) or ("." not in name and bool(name))

    def config_key(self) -> str:
        return f"exclude={','.join(self.exclude)};external-sources=off;norc"

    def command(self, exe: str, paths: Sequence[str]) -> list[str]:
        # --norc: a .shellcheckrc in the reviewed repository cannot disable checks (or enable
        # external sources). No -x: `source other.sh` is never followed outside the given files.
        argv = [exe, "--format=json1", "--norc", "--color=never"]
        if self.exclude:
            argv.append("--exclude=" + ",".join(self.exclude))
        return [*argv, "--", *(f"./{p}" for p in paths)]

    def scripts(self, root: Path, paths: Sequence[str]) -> list[str]:
        """The checkable files that are shell scripts: by suffix, else by their first line."""
        files = checkable_files(root, paths)
        return [p for p in files if p.endswith(SUFFIXES) or has_shell_shebang(root / p)]

    async def version(self) -> str | None:
        exe = self.program()
        return (
            await tool_version([exe, "--version"], pattern=rb"version:\s*(\d+\.\d+\.\d+\S*)") if exe else None
        )

    def targets(self, root: Path, paths: Sequence[str]) -> tuple[list[str], list[str]]:
        return self.scripts(root, paths), []

    def tool_argv(self, exe: str, files: Sequence[str]) -> list[str]:
        return self.command(exe, files)

    def parse(self, report: bytes, root: Path, files: Sequence[str]) -> list[Finding]:
        return parse_output(report, root, files)

    def run_notices(self, run: ProcResult) -> list[str]:
        if run.returncode == 2:
            return [f"shellcheck could not check every file: {run.stderr_tail()}"]
        return []

    @classmethod
    def rule_doc(cls, rule_id: str) -> RuleDoc | None:
        return rule_doc(rule_id)
