"""Hadolint, the Dockerfile linter (with ShellCheck built in for RUN lines)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from analyzers.base import AnalyzerResult, Finding, PathMap, Severity, checkable_files, result_from_report
from analyzers.batch import run_isolating
from analyzers.limits import ResourceLimits
from analyzers.process import find_tool, minimal_env, run_bounded, tool_version
from analyzers.shellcheck import WIKI as SHELLCHECK_WIKI
from analyzers.shellcheck import cwe_for as shellcheck_cwe

TOOL = "hadolint"
_LEVELS: dict[str, Severity] = {"error": "error", "warning": "warning", "info": "note", "style": "note"}
HADOLINT_WIKI = "https://github.com/hadolint/hadolint/wiki/"
# The configuration hadolint reads instead of the reviewed repository's .hadolint.yaml (which
# it would otherwise pick up from the working directory): nothing ignored, no overrides.
# It is fed on stdin, so no file is written; hadolint refuses an empty config.
OWN_CONFIG = b"ignored: []\n"
CWE_BY_CODE: dict[str, str] = {
    "DL3002": "CWE-250",  # the container's last USER is root
    "DL3004": "CWE-250",  # sudo inside the build
}


def is_dockerfile(path: str) -> bool:
    name = PurePosixPath(path).name
    if name.endswith(".dockerignore"):  # Dockerfile.dockerignore is an ignore list, not a Dockerfile
        return False
    lowered = name.lower()
    return (
        name in ("Dockerfile", "Containerfile")
        or name.startswith(("Dockerfile.", "Containerfile."))
        or lowered.endswith(".dockerfile")
    )


def help_url_for(code: str) -> str | None:
    if code.startswith("SC"):
        return SHELLCHECK_WIKI + code
    if code.startswith("DL"):
        return HADOLINT_WIKI + code
    return None


def to_finding(item: dict[str, Any], rel: str) -> Finding:
    code = str(item.get("code") or "hadolint")
    line = int(item.get("line") or 1)
    column = item.get("column")
    return Finding(
        tool=TOOL,
        rule_id=code,
        severity=_LEVELS.get(str(item.get("level")), "warning"),
        path=rel,
        line=line,
        end_line=line,  # hadolint reports where an instruction starts, not where it ends
        message=str(item.get("message") or code).strip(),
        column=column if isinstance(column, int) and column > 0 else None,
        help_url=help_url_for(code),
        cwe=CWE_BY_CODE.get(code) or shellcheck_cwe(code),
    )


def parse_output(stdout: bytes, root: Path, paths: Sequence[str]) -> list[Finding]:
    """Hadolint's JSON report (a list) as findings, with paths relative to ``root``."""
    items = json.loads(stdout.decode("utf-8") or "[]")
    if not isinstance(items, list):
        raise ValueError("hadolint's JSON report is not a list")
    mapping = PathMap(root, paths)
    findings: list[Finding] = []
    for item in items:
        rel = mapping.relative(str(item.get("file") or ""))
        if rel is not None:
            findings.append(to_finding(item, rel))
    return findings


class HadolintAnalyzer:
    """Runs ``hadolint`` with the bot's own (empty) configuration, never the repository's."""

    name = TOOL

    def __init__(
        self,
        *,
        honor_pragmas: bool = True,
        executable: str | None = None,
        limits: ResourceLimits | None = None,
    ) -> None:
        self.honor_pragmas = honor_pragmas
        self.executable = executable
        self.limits = limits or ResourceLimits()

    def handles(self, path: str) -> bool:
        return is_dockerfile(path)

    def config_key(self) -> str:
        return f"config={OWN_CONFIG.decode().strip()};pragmas={self.honor_pragmas}"

    def command(self, exe: str, paths: Sequence[str]) -> list[str]:
        # --no-fail: findings are not a failure, so any non-zero exit means hadolint broke.
        argv = [exe, "--config", "/dev/stdin", "--format", "json", "--no-fail", "--no-color"]
        if not self.honor_pragmas:
            argv.append("--disable-ignore-pragma")
        return [*argv, "--", *(f"./{p}" for p in paths)]

    async def version(self) -> str | None:
        exe = self.executable or find_tool("hadolint")
        return await tool_version([exe, "--version"]) if exe else None

    async def run(self, root: Path, paths: Sequence[str], *, timeout: float) -> AnalyzerResult:
        exe = self.executable or find_tool("hadolint")
        if exe is None:
            return AnalyzerResult(
                tool=TOOL, error="hadolint is not installed (not beside python, not on PATH)"
            )
        version = await self.version()
        files = checkable_files(root, paths)
        if not files:
            return AnalyzerResult(tool=TOOL, version=version)

        async def once(batch: list[str], budget: float) -> AnalyzerResult:
            result = await run_bounded(
                self.command(exe, batch),
                cwd=root,
                timeout=budget,
                env=minimal_env(),
                stdin=OWN_CONFIG,
                limits=self.limits.with_cpu_at_most(budget),
            )
            return result_from_report(
                TOOL,
                version,
                result,
                budget,
                lambda out: parse_output(out, root, batch),
                ok_codes=(0,),
                needs_report=True,
            )

        return await run_isolating(TOOL, files, once, timeout=timeout)
