"""The analyzer library's contracts: the Finding model, the Analyzer protocol, the registry.

Nothing here imports from ``bot`` or ``handlers``: analyzers are usable alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal, Protocol

Severity = Literal["error", "warning", "note"]
SEVERITY_RANK: dict[str, int] = {"note": 0, "warning": 1, "error": 2}


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

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Finding:
        return cls(**data)  # type: ignore[arg-type]


def severity_at_least(severity: str, threshold: str) -> bool:
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]


def fingerprint(tool: str, rule_id: str, path: str, line_text: str) -> str:
    """A hash of what was flagged, not where: whitespace-normalised text, no line number."""
    normalised = " ".join(line_text.split())
    raw = "\x1f".join((tool, rule_id, path, normalised))
    return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def with_fingerprints(findings: Iterable[Finding], read_lines: Callable[[str], Sequence[str]]) -> list[Finding]:
    """Fill each finding's fingerprint from the text of the lines it covers.

    ``read_lines(path)`` returns the head version's lines of that file (no newlines).
    """
    out: list[Finding] = []
    cache: dict[str, Sequence[str]] = {}
    for f in findings:
        if f.path not in cache:
            try:
                cache[f.path] = read_lines(f.path)
            except OSError:
                cache[f.path] = ()
        lines = cache[f.path]
        text = "\n".join(lines[f.line - 1 : f.end_line])
        out.append(replace(f, fingerprint=fingerprint(f.tool, f.rule_id, f.path, text)))
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


class Analyzer(Protocol):
    name: str

    def handles(self, path: str) -> bool:
        """Whether this analyzer looks at a file with this repository-relative path."""
        ...

    async def run(self, root: Path, paths: Sequence[str], *, timeout: float) -> AnalyzerResult:
        """Analyze ``paths`` (relative to ``root``) and return findings with paths relative to root."""
        ...


async def run_analyzers(
    root: Path, paths: Sequence[str], analyzers: Sequence[Analyzer], *, timeout: float = 120.0
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
