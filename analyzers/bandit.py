"""Bandit, the security linter, run on the changed Python files."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analyzers.base import AnalyzerResult, Finding, PathMap, Severity, checkable_files, result_from_report
from analyzers.batch import run_isolating
from analyzers.limits import ResourceLimits
from analyzers.process import minimal_env, package_version, run_bounded

TOOL = "bandit"
_BY_SEVERITY: dict[str, Severity] = {"HIGH": "error", "MEDIUM": "warning", "LOW": "note"}
_LOWER: dict[Severity, Severity] = {"error": "warning", "warning": "note", "note": "note"}


def severity_for(issue_severity: str, issue_confidence: str) -> Severity:
    """Bandit's severity, one step lower when bandit itself has low confidence.

    A LOW-confidence result is, by bandit's own account, probably a false positive:
    it should not be what fails a check run, but it is still worth a mention.
    """
    severity = _BY_SEVERITY.get(issue_severity.upper(), "warning")
    if issue_confidence.upper() == "LOW":
        severity = _LOWER[severity]
    return severity


def cwe_of(item: dict[str, Any]) -> str | None:
    cwe = item.get("issue_cwe") or {}
    cwe_id = cwe.get("id") if isinstance(cwe, dict) else None
    return f"CWE-{cwe_id}" if cwe_id else None


def message_for(item: dict[str, Any]) -> str:
    text = str(item.get("issue_text") or item.get("test_name") or "bandit issue").strip()
    if cwe := cwe_of(item):
        text += f" ({cwe})"
    if str(item.get("issue_confidence") or "").upper() == "LOW":
        text += " (low confidence)"  # says why the severity was lowered
    return text


def to_finding(item: dict[str, Any], rel: str) -> Finding:
    line = int(item.get("line_number") or 1)
    line_range = [int(n) for n in item.get("line_range") or [] if isinstance(n, int)]
    col = item.get("col_offset")
    return Finding(
        tool=TOOL,
        rule_id=str(item.get("test_id") or "B000"),
        severity=severity_for(str(item.get("issue_severity") or ""), str(item.get("issue_confidence") or "")),
        path=rel,
        line=min([line, *line_range]),
        end_line=max([line, *line_range]),
        message=message_for(item),
        column=col + 1 if isinstance(col, int) else None,  # bandit counts columns from 0
        help_url=item.get("more_info") or None,
        cwe=cwe_of(item),
    )


def parse_output(stdout: bytes, root: Path, paths: Sequence[str]) -> tuple[list[Finding], list[str]]:
    """Findings, and one notice per file bandit could not analyze (a syntax error, say)."""
    report = json.loads(stdout.decode("utf-8"))
    if not isinstance(report, dict):
        raise ValueError("bandit's JSON report is not an object")
    mapping = PathMap(root, paths)
    findings: list[Finding] = []
    for item in report.get("results") or []:
        rel = mapping.relative(str(item.get("filename") or ""))
        if rel is not None:
            findings.append(to_finding(item, rel))
    notices = []
    for error in report.get("errors") or []:
        name = str(error.get("filename") or "")
        rel = mapping.relative(name) or name
        notices.append(f"bandit could not analyze {rel}: {error.get('reason') or 'unknown reason'}")
    return findings, notices


class BanditAnalyzer:
    """Runs bandit with its defaults, never with configuration from the reviewed repository."""

    name = TOOL

    def __init__(
        self, *, honor_nosec: bool = True, skips: Sequence[str] = (), limits: ResourceLimits | None = None
    ) -> None:
        self.honor_nosec = honor_nosec
        self.skips = tuple(skips)
        self.limits = limits or ResourceLimits()

    def handles(self, path: str) -> bool:
        return path.endswith(".py")

    def config_key(self) -> str:
        return f"skips={','.join(self.skips)};nosec={self.honor_nosec}"

    def command(self, paths: Sequence[str]) -> list[str]:
        # -I: no cwd on sys.path, no PYTHON* variables, no user site, so a bandit.py in the
        # reviewed repository can never be imported in its place. Only files are passed, and
        # bandit looks for a project ".bandit" file only inside directory targets, so none of
        # the repository's configuration is read.
        # --exclude "": bandit's default exclude list (.git, .tox, .eggs, *.egg, ...) is matched
        # as a *substring* of every path, named files included, so .github/scripts/x.py (".git")
        # or a.tox.py would never be checked; an empty list excludes nothing.
        argv = [sys.executable, "-I", "-m", "bandit", "-f", "json", "-q", "--exclude", ""]
        if self.skips:
            argv += ["--skip", ",".join(self.skips)]
        if not self.honor_nosec:
            argv.append("--ignore-nosec")
        return [*argv, "--", *(f"./{p}" for p in paths)]

    async def version(self) -> str | None:
        return package_version("bandit")

    async def run(self, root: Path, paths: Sequence[str], *, timeout: float) -> AnalyzerResult:
        if importlib.util.find_spec("bandit") is None:
            return AnalyzerResult(tool=TOOL, error="bandit is not installed in the bot's environment")
        version = await self.version()
        files = checkable_files(root, paths)
        if not files:
            return AnalyzerResult(tool=TOOL, version=version)

        async def once(batch: list[str], budget: float) -> AnalyzerResult:
            result = await run_bounded(
                self.command(batch),
                cwd=root,
                timeout=budget,
                env=minimal_env(),
                limits=self.limits.with_cpu_at_most(budget),
            )
            # Exit 1 only says "issues found"; anything else, or no report at all, is a crash.
            return result_from_report(
                TOOL,
                version,
                result,
                budget,
                lambda out: parse_output(out, root, batch),
                ok_codes=(0, 1),
                needs_report=True,
            )

        return await run_isolating(TOOL, files, once, timeout=timeout)
