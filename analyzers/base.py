"""The analyzer library's contracts: the Finding model, the Analyzer protocol, a rule's documentation.

Nothing here imports from ``bot`` or ``handlers`` (analyzers are usable alone), nor any tool
module: the list of analyzers is ``analyzers/registry.py``, the shared run template
``analyzers/tool.py``.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol, TypeAlias

from analyzers.process import ProcResult, describe_failure

Severity = Literal["error", "warning", "note"]
SEVERITY_RANK: dict[str, int] = {"note": 0, "warning": 1, "error": 2}
CREDENTIAL_CWES = frozenset({"CWE-798", "CWE-259", "CWE-321", "CWE-522"})


@dataclass(frozen=True)
class Finding:
    """One thing a tool said about one place in the head version of a file."""

    tool: str
    rule_id: str
    severity: Severity
    path: str  # repository-relative, POSIX
    line: int  # 1-based, head version
    end_line: int  # 1-based, >= line
    message: str
    column: int | None = None
    help_url: str | None = None
    suggestion: str | None = None  # replacement text for exactly lines line..end_line
    fingerprint: str = ""  # filled by with_fingerprints(); stable across line moves
    cwe: str | None = None  # "CWE-78" where one applies; findings sharing a CWE on a line are merged
    sources: tuple[str, ...] = ()  # "tool rule" of every tool that reported this (set when merged)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Finding:
        values = dict(data)
        values["sources"] = tuple(values.get("sources") or ())  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]


def severity_at_least(severity: str, threshold: str) -> bool:
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]


def fingerprint(tool: str, rule_id: str, path: str, line_text: str) -> str:
    """A hash of what was flagged, not where: whitespace-normalised text, no line number."""
    normalised = " ".join(line_text.split())
    raw = "\x1f".join((tool, rule_id, path, normalised))
    return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def with_fingerprints(
    findings: Iterable[Finding], read_lines: Callable[[str], Sequence[str]]
) -> list[Finding]:
    """Fill each finding's fingerprint from the text of the lines it covers.

    ``read_lines(path)`` returns the head version's lines of that file (no newlines). When the
    same rule fires on identical text twice in one file, the second gets its ordinal mixed in,
    so both are said: the ordinal survives code inserted above, unlike a line number.
    """
    out: list[Finding] = []
    cache: dict[str, Sequence[str]] = {}
    seen: Counter[str] = Counter()
    for f in sorted(findings, key=lambda f: (f.path, f.line, f.end_line, f.tool, f.rule_id, f.column or 0)):
        if f.path not in cache:
            try:
                cache[f.path] = read_lines(f.path)
            except OSError:
                cache[f.path] = ()
        # A credential's line holds the credential: a hash of it could be brute-forced from a
        # published fingerprint, so those are told apart by their order in the file alone.
        text = "" if f.cwe in CREDENTIAL_CWES else "\n".join(cache[f.path][f.line - 1 : f.end_line])
        base = fingerprint(f.tool, f.rule_id, f.path, text)
        seen[base] += 1
        if seen[base] > 1:
            base = fingerprint(f.tool, f.rule_id, f.path, f"{text}\x1e{seen[base]}")
        out.append(replace(f, fingerprint=base))
    return out


@dataclass
class AnalyzerResult:
    """What one analyzer run produced; ``error`` set means it degraded (crash, timeout, missing)."""

    tool: str
    findings: list[Finding] = field(default_factory=list)
    version: str | None = None
    error: str | None = None
    duration: float = 0.0
    files: int = 0
    notices: list[str] = field(default_factory=list)  # non-fatal: e.g. a file the tool could not parse
    # Files this tool could not analyze and why (a limit hit, a crash on that file): the review
    # says so, and they are never cached. The other files' findings still count.
    not_analyzed: dict[str, str] = field(default_factory=dict)
    capped: list[str] = field(default_factory=list)  # findings left out by the per-file/per-tool caps
    # Files whose findings depend on other files of the same run (a flow through a function
    # defined in another file): a cached answer keyed by one file's content could go stale.
    coupled: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RuleDoc:
    """What one rule is about, as its analyzer knows it: for ``/explain`` and SARIF's rule metadata."""

    title: str  # one line naming the rule's problem (SARIF shortDescription), never an instance's text
    why: str | None = None  # why it matters and how to fix it, plain text
    cwe: str | None = None  # "CWE-78"
    help_url: str | None = None  # the rule's documentation page (else the tool's)
    references: tuple[str, ...] = ()  # further reading, https only
    security: bool = False  # a security rule: SARIF tags it and gives it a security-severity
    markdown: str | None = None  # the tool's own longer documentation, in Markdown


class Analyzer(Protocol):
    @property
    def name(self) -> str:
        """The tool's name: findings' ``tool``, the per-repository config's key, SARIF's driver."""
        ...

    def handles(self, path: str) -> bool:
        """Whether this analyzer looks at a file with this repository-relative path."""
        ...

    async def version(self) -> str | None:
        """The tool's version (cached per process); part of every cache key."""
        ...

    def config_key(self) -> str:
        """A stable text naming the rules and options in effect; part of every cache key."""
        ...

    async def run(self, root: Path, paths: Sequence[str], *, timeout: float) -> AnalyzerResult:
        """Analyze ``paths`` (relative to ``root``) and return findings with paths relative to root."""
        ...


async def run_analyzers(
    root: Path,
    paths: Sequence[str],
    analyzers: Sequence[Analyzer],
    *,
    timeout: float = 120.0,
) -> list[AnalyzerResult]:
    """Run every analyzer on the files it handles, concurrently; one failing never sinks the rest."""

    async def one(analyzer: Analyzer) -> AnalyzerResult:
        mine = [p for p in paths if analyzer.handles(p)]
        if not mine:
            return AnalyzerResult(tool=analyzer.name)
        started = time.monotonic()
        try:
            result = await analyzer.run(root, mine, timeout=timeout)
        except Exception as exc:  # a broken analyzer degrades the review, never loses it
            result = AnalyzerResult(tool=analyzer.name, error=f"{analyzer.name} failed: {type(exc).__name__}")
        result.duration = time.monotonic() - started
        result.files = len(mine)
        return result

    return list(await asyncio.gather(*(one(a) for a in analyzers)))


def checkable_files(root: Path, paths: Sequence[str]) -> list[str]:
    """The paths that are regular files inside ``root`` once symlinks are resolved.

    Deleted files, directories and anything (a symlink, a ``..``) that leads out of the
    checkout are dropped, so a tool never reads outside the repository under review.
    """
    base = root.resolve()
    kept: list[str] = []
    for rel in paths:
        if not rel or Path(rel).is_absolute():
            continue
        try:
            target = (base / rel).resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop on older Pythons
            continue
        if target.is_relative_to(base) and target.is_file():
            kept.append(rel)
    return kept


async def tool_versions(analyzers: Sequence[Analyzer]) -> dict[str, str | None]:
    """Each analyzer's tool version (None when unknown), for the review summary and SARIF."""

    async def one(analyzer: Analyzer) -> str | None:
        version = getattr(analyzer, "version", None)
        if version is None:
            return None
        try:
            found: str | None = await version()
            return found
        except Exception:  # a version is nice to have, never worth failing a review over
            return None

    found = await asyncio.gather(*(one(a) for a in analyzers))
    return {a.name: v for a, v in zip(analyzers, found, strict=True)}


class PathMap:
    """Maps the file names a tool prints back to the repository-relative paths it was given."""

    def __init__(self, root: Path, paths: Sequence[str]) -> None:
        self.root = root.resolve()
        self._known: dict[str, str] = {}
        for rel in paths:
            self._known[str(root / rel)] = rel
            self._known[str(self.root / rel)] = rel

    def relative(self, reported: str) -> str | None:
        """The repository-relative POSIX path for a name the tool reported; None if outside root."""
        candidate = Path(reported)
        if not candidate.is_absolute():
            candidate = self.root / candidate
        for key in (str(candidate), os.path.normpath(candidate)):
            if key in self._known:
                return self._known[key]
        try:
            return candidate.resolve().relative_to(self.root).as_posix()
        except (OSError, ValueError):
            return None


REPORT_ERRORS = (ValueError, UnicodeDecodeError, AttributeError, TypeError, KeyError)
# What a tool's parser gives: findings; or findings and notices; or a whole result (a tool that
# reports the files it could not analyze itself, like the Actions rules' child process).
ParsedReport: TypeAlias = "list[Finding] | tuple[list[Finding], list[str]] | AnalyzerResult"


def result_from_report(
    tool: str,
    version: str | None,
    run: ProcResult,
    timeout: float,
    parse: Callable[[bytes], ParsedReport],
    *,
    notices: Sequence[str] = (),
    **judge: Any,
) -> AnalyzerResult:
    """Judge a tool's run (``judge``: describe_failure's ok_codes, needs_report, quote_stderr)
    and parse its report; a crash, a timeout or an unreadable report becomes the result's error."""
    failure = describe_failure(tool, run, timeout, **judge)
    if failure:
        return AnalyzerResult(tool=tool, version=version, error=failure, notices=list(notices))
    try:
        parsed = parse(run.stdout)
    except REPORT_ERRORS as exc:
        error = f"{tool}'s report was unreadable: {type(exc).__name__}"
        return AnalyzerResult(tool=tool, version=version, error=error, notices=list(notices))
    if isinstance(parsed, AnalyzerResult):
        parsed.notices[:0] = notices
        return parsed
    findings, more = parsed if isinstance(parsed, tuple) else (parsed, [])
    return AnalyzerResult(tool=tool, findings=findings, version=version, notices=[*notices, *more])
