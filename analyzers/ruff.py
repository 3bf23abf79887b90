"""Ruff, run on the changed Python files with the bot's own rule set."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analyzers.base import Finding, PathMap, RuleDoc, Severity
from analyzers.limits import ResourceLimits
from analyzers.process import find_tool, run_small
from analyzers.tool import ToolAnalyzer

TOOL = "ruff"
# Rules that point at bugs, not at style: a review bot that nags about formatting gets muted.
#   E4, E7, E9, F  ruff's own default set: pyflakes (undefined names, unused imports and
#                  variables, broken format strings), syntax/IO errors, bare except, `== None`
#   B              flake8-bugbear: mutable defaults, loop-variable closures, `except` mistakes
#   PLE            pylint errors: code that fails at run time (await outside async, bad __slots__)
#   ASYNC          blocking calls inside async functions, a common bug in this kind of code
#   RUF006         a created asyncio task that nobody keeps a reference to (may vanish)
#   PLW0120/0127/0129/0711/1508/1509  pylint warnings that are almost always real bugs
DEFAULT_SELECT: tuple[str, ...] = (
    "E4", "E7", "E9", "F", "B", "PLE", "ASYNC", "RUF006",
    "PLW0120", "PLW0127", "PLW0129", "PLW0711", "PLW1508", "PLW1509",
)  # fmt: skip
# B008 (call in a default argument) fires on every FastAPI Depends() and dataclass field();
# B905 (zip without strict=) is a policy choice, not a bug. Of E7, the layout and naming codes
# are style, not bugs: E701/E702/E703 (statements after a colon or a semicolon, a trailing
# semicolon), E731 (a lambda given a name), E741/E742/E743 (a name like l, O or I).
DEFAULT_IGNORE: tuple[str, ...] = ("B008", "B905", "E701", "E702", "E703", "E731", "E741", "E742", "E743")
# Newest syntax accepted without "unsupported syntax" errors; bugbear checks are version-aware.
DEFAULT_TARGET = "py313"
# Codes that mean the code cannot run as written; the rest are warnings.
ERROR_CODES = frozenset({"F821", "F822", "F823", "F631", "F632", "F701", "F702", "F704", "F706", "F707"})
ERROR_PREFIXES = ("E9", "PLE")
# Ruff reads UTF-8 only; a file with a PEP 263 coding cookie is valid Python ruff cannot read,
# so "could not read" is reported as a warning, not as broken code.
UNREADABLE = "E902"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
RULES_PAGE = "https://docs.astral.sh/ruff/rules/"
_CODE = re.compile(r"[A-Z]{1,8}[0-9]{1,5}")
MAX_DOC_CHARS = 8000  # ruff's explanation of a rule, as SARIF help: a page, not a book


def severity_for(code: str | None) -> Severity:
    if code is None or code in ("invalid-syntax", "syntax-error"):
        return "error"
    if code == UNREADABLE:
        return "warning"
    if code in ERROR_CODES or code.startswith(ERROR_PREFIXES):
        return "error"
    return "warning"


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split the way ruff counts rows (\\n, \\r\\n, \\r only)."""
    return _LINE.findall(text)


def _row_col(loc: dict[str, Any] | None) -> tuple[int, int]:
    loc = loc or {}
    return int(loc.get("row") or 1), int(loc.get("column") or 1)


def finding_lines(item: dict[str, Any]) -> tuple[int, int]:
    """Start and end line; an end at column 1 of the next row means "through the newline"."""
    line, _ = _row_col(item.get("location"))
    end_row, end_col = _row_col(item.get("end_location") or item.get("location"))
    if end_col == 1 and end_row > line:
        end_row -= 1
    return line, max(line, end_row)


def suggestion_for(fix: dict[str, Any] | None, lines: Sequence[str], line: int, end_line: int) -> str | None:
    """The text that replaces lines line..end_line once the fix is applied, or None.

    Only when every edit lies within those lines: a review suggestion can replace
    exactly the lines it is attached to and nothing else.
    """
    # "display-only" fixes are ones ruff itself will not apply; safe and unsafe ones are
    # offered, since a person reads a suggestion before committing it.
    if not fix or fix.get("applicability") == "display-only" or not fix.get("edits"):
        return None
    if end_line > len(lines):
        return None
    segment = lines[line - 1 : end_line]
    starts = [0]
    for text in segment:
        starts.append(starts[-1] + len(text))

    def offset(row: int, col: int) -> int | None:
        if row == end_line + 1 and col == 1:
            return starts[-1]
        if not line <= row <= end_line:
            return None
        index = row - line
        if col - 1 > len(segment[index]):
            return None
        return starts[index] + col - 1

    edits: list[tuple[int, int, str]] = []
    for edit in fix["edits"]:
        begin = offset(*_row_col(edit.get("location")))
        end = offset(*_row_col(edit.get("end_location")))
        if begin is None or end is None or end < begin:
            return None
        edits.append((begin, end, edit.get("content") or ""))
    text = "".join(segment)
    for begin, end, content in sorted(edits, reverse=True):
        text = text[:begin] + content + text[end:]
    original = "".join(segment)
    if text == original:
        return None
    # A suggestion replaces whole lines; its last line ending is implied. "" deletes the lines.
    return text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith(("\n", "\r")) else text


def _read_lines(root: Path, rel: str, cache: dict[str, list[str] | None]) -> list[str] | None:
    if rel not in cache:
        try:
            cache[rel] = split_lines((root / rel).read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError):
            cache[rel] = None
    return cache[rel]


def to_finding(item: dict[str, Any], rel: str, lines: Sequence[str] | None) -> Finding:
    code = item.get("code")
    line, end_line = finding_lines(item)
    _, column = _row_col(item.get("location"))
    suggestion = suggestion_for(item.get("fix"), lines, line, end_line) if lines is not None else None
    return Finding(
        tool=TOOL,
        rule_id=code or "invalid-syntax",
        severity=severity_for(code),
        path=rel,
        line=line,
        end_line=end_line,
        message=str(item.get("message") or "").strip() or (code or "ruff"),
        column=column,
        help_url=item.get("url") or None,
        suggestion=suggestion,
    )


def parse_output(stdout: bytes, root: Path, paths: Sequence[str]) -> list[Finding]:
    """Ruff's JSON report as findings, with paths relative to ``root``."""
    items = json.loads(stdout.decode("utf-8") or "[]")
    if not isinstance(items, list):
        raise ValueError("ruff's JSON report is not a list")
    mapping = PathMap(root, paths)
    cache: dict[str, list[str] | None] = {}
    findings: list[Finding] = []
    for item in items:
        rel = mapping.relative(str(item.get("filename") or ""))
        if rel is None:
            continue
        findings.append(to_finding(item, rel, _read_lines(root, rel, cache)))
    return findings


def _section(markdown: str, heading: str) -> str | None:
    """The first paragraph under ``## heading`` of ruff's explanation, its lines joined."""
    match = re.search(rf"^## {re.escape(heading)}[ \t]*\n(.+?)(?:\n[ \t]*\n|\n## |\Z)", markdown, re.M | re.S)
    return " ".join(match.group(1).split()) if match else None


@functools.lru_cache(maxsize=512)
def rule_doc(code: str) -> RuleDoc:
    """The rule's documentation from the installed ruff itself (``ruff rule CODE``), once per process."""
    if code in ("invalid-syntax", "syntax-error"):
        return RuleDoc(title="The file is not valid Python", help_url=RULES_PAGE)
    fallback = RuleDoc(title=f"ruff rule {code}", help_url=RULES_PAGE)
    exe = find_tool("ruff")
    if exe is None or not _CODE.fullmatch(code):  # only a rule code ever becomes an argument
        return fallback
    out = run_small([exe, "rule", code, "--output-format", "json"], timeout=10)
    if out is None:
        return fallback
    try:
        data = json.loads(out.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return fallback
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return fallback
    explanation = str(data.get("explanation") or "")
    return RuleDoc(
        title=_section(explanation, "What it does") or data["name"].replace("-", " ").capitalize(),
        why=_section(explanation, "Why is this bad?"),
        help_url=RULES_PAGE + data["name"],
        markdown=explanation[:MAX_DOC_CHARS] or None,
    )


class RuffAnalyzer(ToolAnalyzer):
    """Runs ``ruff check`` isolated from the reviewed repository's configuration."""

    name = TOOL
    binary = "ruff"
    information_uri = "https://docs.astral.sh/ruff/"
    docs_url = RULES_PAGE
    merge_preference = 2
    ok_codes = (0, 1)  # 1: issues found
    needs_report = False

    def __init__(
        self,
        *,
        select: Sequence[str] = DEFAULT_SELECT,
        ignore: Sequence[str] = DEFAULT_IGNORE,
        target_version: str = DEFAULT_TARGET,
        honor_noqa: bool = True,
        executable: str | None = None,
        limits: ResourceLimits | None = None,
    ) -> None:
        super().__init__(limits=limits, executable=executable)
        self.select = tuple(select)
        self.ignore = tuple(ignore)
        self.target_version = target_version
        self.honor_noqa = honor_noqa

    def handles(self, path: str) -> bool:
        return path.endswith((".py", ".pyi"))

    def config_key(self) -> str:
        return f"select={','.join(self.select)};ignore={','.join(self.ignore)};target={self.target_version}"

    def command(self, exe: str, paths: Sequence[str]) -> list[str]:
        # --isolated: the reviewed repository's pyproject/ruff.toml can neither switch rules
        # off nor add files; "./" keeps a file named "-x.py" from being read as an option.
        # Ruff's default excludes (.git, build, dist, .venv, node_modules, ...) apply only to
        # files it discovers in folders: files named on the command line are checked unless
        # --force-exclude is on, which --no-force-exclude makes sure it is not.
        argv = [exe, "check", "--isolated", "--no-cache", "--no-force-exclude", "--output-format", "json"]
        argv += ["--target-version", self.target_version, "--select", ",".join(self.select)]
        if self.ignore:
            argv += ["--ignore", ",".join(self.ignore)]
        if not self.honor_noqa:
            argv.append("--ignore-noqa")
        return [*argv, "--", *(f"./{p}" for p in paths)]

    def tool_argv(self, exe: str, files: Sequence[str]) -> list[str]:
        return self.command(exe, files)

    def parse(self, report: bytes, root: Path, files: Sequence[str]) -> list[Finding]:
        return parse_output(report, root, files)

    @classmethod
    def rule_doc(cls, rule_id: str) -> RuleDoc | None:
        return rule_doc(rule_id)
