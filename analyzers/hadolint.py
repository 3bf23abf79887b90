"""Hadolint, the Dockerfile linter (with ShellCheck built in for RUN lines)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from analyzers.base import Finding, PathMap, RuleDoc, Severity
from analyzers.limits import ResourceLimits
from analyzers.shellcheck import WIKI as SHELLCHECK_WIKI
from analyzers.shellcheck import cwe_for as shellcheck_cwe
from analyzers.shellcheck import rule_doc as shellcheck_rule_doc
from analyzers.tool import ToolAnalyzer

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
WHY: dict[str, str] = {
    "DL3002": "The container runs as root, so a compromise of its process is a compromise of root "
    "in the container (and a step closer to the host). Switch to an unprivileged USER at the end.",
    "DL3004": "sudo in a build has unpredictable TTY and signal behaviour and hides that the step "
    "runs as root. Run such steps as root explicitly (USER root) and switch back afterwards.",
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


def rule_doc(code: str) -> RuleDoc | None:
    """hadolint's own rules (DL) on its wiki; the ShellCheck checks it runs on RUN lines (SC)."""
    if code.startswith("SC"):
        return shellcheck_rule_doc(code)
    if not re.fullmatch(r"DL\d{4}", code):
        return None
    cwe = CWE_BY_CODE.get(code)
    why = WHY.get(code)
    return RuleDoc(
        title=f"hadolint {code}", why=why, cwe=cwe, help_url=HADOLINT_WIKI + code, security=bool(cwe)
    )


class HadolintAnalyzer(ToolAnalyzer):
    """Runs ``hadolint`` with the bot's own (empty) configuration, never the repository's."""

    name = TOOL
    binary = "hadolint"
    information_uri = "https://github.com/hadolint/hadolint"
    stdin = OWN_CONFIG
    ok_codes = (0,)  # --no-fail: findings are not a failure, so any non-zero exit means it broke

    def __init__(
        self,
        *,
        honor_pragmas: bool = True,
        executable: str | None = None,
        limits: ResourceLimits | None = None,
    ) -> None:
        super().__init__(limits=limits, executable=executable)
        self.honor_pragmas = honor_pragmas

    def handles(self, path: str) -> bool:
        return is_dockerfile(path)

    def config_key(self) -> str:
        return f"config={OWN_CONFIG.decode().strip()};pragmas={self.honor_pragmas}"

    def command(self, exe: str, paths: Sequence[str]) -> list[str]:
        argv = [exe, "--config", "/dev/stdin", "--format", "json", "--no-fail", "--no-color"]
        if not self.honor_pragmas:
            argv.append("--disable-ignore-pragma")
        return [*argv, "--", *(f"./{p}" for p in paths)]

    def tool_argv(self, exe: str, files: Sequence[str]) -> list[str]:
        return self.command(exe, files)

    def parse(self, report: bytes, root: Path, files: Sequence[str]) -> list[Finding]:
        return parse_output(report, root, files)

    @classmethod
    def rule_doc(cls, rule_id: str) -> RuleDoc | None:
        return rule_doc(rule_id)
