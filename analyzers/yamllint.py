"""yamllint, run on every changed YAML file with the bot's own bug-only configuration."""

from __future__ import annotations

import io
import locale
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from analyzers.base import Finding, PathMap, RuleDoc, Severity, checkable_files
from analyzers.limits import ResourceLimits
from analyzers.pool import PooledToolAnalyzer
from analyzers.process import ProcResult

TOOL = "yamllint"
# Given with -d, which yamllint prefers over any .yamllint in the working directory (the
# reviewed repository) and over the user's global config. No `extends`: only these rules run,
# each one a source of real bugs; line length, indentation, spacing and the like are style.
#   key-duplicates  the second value silently wins (GitHub Actions, Kubernetes, Compose ...)
#   truthy          yes/no/on/off are booleans in YAML 1.1 but strings in 1.2 ("the Norway
#                   problem"); keys are not checked, or every workflow's `on:` would be flagged
#   octal-values    0755 is 493 to a YAML 1.1 parser and 755 to a 1.2 one
#   anchors         an alias to an undeclared or twice-declared anchor
# Syntax errors are always reported, whatever the rules.
CONFIG = (
    "{rules: {"
    "key-duplicates: {level: error}, "
    "truthy: {level: warning, check-keys: false, allowed-values: ['true', 'false']}, "
    "octal-values: {level: warning, forbid-implicit-octal: true, forbid-explicit-octal: false}, "
    "anchors: {level: warning, forbid-undeclared-aliases: true, forbid-duplicated-anchors: true, "
    "forbid-unused-anchors: false}"
    "}}"
)
DOCS = "https://yamllint.readthedocs.io/en/stable/rules.html"
RULES_URL = DOCS + "#module-yamllint.rules."
TITLES: dict[str, str] = {
    "syntax": "YAML syntax error",
    "key-duplicates": "Duplicated mapping key",
    "truthy": "Ambiguous boolean value (yes/no/on/off)",
    "octal-values": "Implicit octal number",
    "anchors": "Alias to an undeclared or duplicated anchor",
}
# yamllint's messages say what, not why: the review comment adds why it matters and the fix.
WHY: dict[str, str] = {
    "syntax": "the file is not valid YAML, so whatever reads it fails or reads something else",
    "key-duplicates": "YAML keeps only the last of the duplicated keys, so the earlier value is "
    "silently lost; remove or rename one of them",
    "truthy": "parsers disagree on whether this is a boolean or a string (YAML 1.1 vs 1.2); "
    "write true/false, or quote the text",
    "octal-values": "a YAML 1.1 parser reads a leading 0 as octal (0755 is 493); quote it or write 0o755",
    "anchors": "an alias must refer to one anchor declared before it",
}
_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): \[(?P<level>\w+)\] (?P<msg>.*?)(?: \((?P<rule>[\w-]+)\))?$"
)


def severity_for(rule: str, level: str) -> Severity:
    if rule in ("syntax", "key-duplicates"):
        return "error"
    return "warning" if level in ("warning", "error") else "note"


def rule_of(match: re.Match[str]) -> str:
    # yamllint prints syntax errors with the pseudo-rule "syntax"; guard against a missing one.
    return match.group("rule") or ("syntax" if match.group("msg").startswith("syntax error") else "yamllint")


def to_finding(match: re.Match[str], rel: str) -> Finding:
    rule = rule_of(match)
    line = int(match.group("line"))
    message = match.group("msg").strip()
    if why := WHY.get(rule):
        message = f"{message}: {why}"
    return Finding(
        tool=TOOL,
        rule_id=rule,
        severity=severity_for(rule, match.group("level")),
        path=rel,
        line=line,
        end_line=line,
        message=message,
        column=int(match.group("col")),
        help_url=RULES_URL + rule.replace("-", "_") if rule in WHY and rule != "syntax" else None,
    )


def parse_output(stdout: bytes, root: Path, paths: Sequence[str]) -> list[Finding]:
    """yamllint's parsable lines (``path:line:col: [level] message (rule)``) as findings."""
    mapping = PathMap(root, paths)
    findings: list[Finding] = []
    for raw in stdout.decode("utf-8").splitlines():
        match = _LINE.match(raw)
        if match is None:
            continue
        rel = mapping.relative(match.group("path"))
        if rel is not None:
            findings.append(to_finding(match, rel))
    return findings


def rule_doc(rule: str) -> RuleDoc | None:
    """The rules the bot runs (and yamllint's syntax pseudo-rule), each with why it matters."""
    if rule not in WHY:
        return None
    page = RULES_URL + rule.replace("-", "_") if rule != "syntax" else DOCS
    return RuleDoc(title=TITLES[rule], why=WHY[rule], help_url=page)


def preload() -> None:
    """What a warm pool child imports once: yamllint's linter, its rules and its config."""
    from yamllint import cli, config, linter  # noqa: F401


def run_as_library(args: Mapping[str, Any], out: io.TextIOBase) -> int:
    """``YamllintAnalyzer.command()``'s run (``yamllint -f parsable -d CONFIG -- FILES``) the way
    yamllint's own ``cli.run`` does it, in this process, its parsable lines to ``out``.

    The configuration is the ``-d`` text only (cli.run then reads no .yamllint of the repository
    and no user config); the files are the named ones, as the CLI lints named files; exit 1 when
    an error-level problem was found, as the CLI without --strict.
    """
    from yamllint import linter
    from yamllint.cli import PROBLEM_LEVELS, Format
    from yamllint.config import YamlLintConfig, YamlLintConfigError

    data = str(args["config"])
    if data != "" and ":" not in data:
        data = f"extends: {data}"
    try:
        conf = YamlLintConfig(content=data)
    except YamlLintConfigError as exc:
        print(exc, file=sys.stderr)
        return 255  # the CLI's sys.exit(-1)
    if conf.locale is not None:
        locale.setlocale(locale.LC_ALL, conf.locale)  # the pool's child restores its own after
    max_level = 0
    for name in args["files"]:
        try:
            with open(name, mode="rb") as handle:
                problems = linter.run(handle, conf, name.removeprefix("./"))
        except OSError as exc:
            print(exc, file=sys.stderr)
            return 255
        for problem in problems:  # cli.show_problems for -f parsable, without --no-warnings
            max_level = max(max_level, PROBLEM_LEVELS[problem.level])
            print(Format.parsable(problem, name), file=out)
    return 1 if max_level == PROBLEM_LEVELS["error"] else 0


class YamllintAnalyzer(PooledToolAnalyzer):
    """Runs yamllint (the installed module, isolated) with the configuration above."""

    name = TOOL
    module = "yamllint"
    information_uri = "https://yamllint.readthedocs.io/"
    docs_url = DOCS
    ok_codes = (0, 1)  # 1: errors found (2 would be warnings found under --strict, not used here)
    needs_report = False

    def __init__(self, *, config: str = CONFIG, limits: ResourceLimits | None = None) -> None:
        super().__init__(limits=limits)
        self.config = config

    def handles(self, path: str) -> bool:
        return path.endswith((".yml", ".yaml"))

    def config_key(self) -> str:
        return self.config

    def command(self, paths: Sequence[str]) -> list[str]:
        # -I keeps a yamllint.py in the reviewed repository (the working directory) from being
        # imported instead of the real one.
        argv = [sys.executable, "-I", "-m", "yamllint", "-f", "parsable", "-d", self.config]
        return [*argv, "--", *(f"./{p}" for p in paths)]

    def targets(self, root: Path, paths: Sequence[str]) -> tuple[list[str], list[str]]:
        files = checkable_files(root, paths)
        # The report is one line per problem: a newline in a file name would break it apart.
        notices = [f"yamllint skipped {p!r}: a newline in the file name" for p in files if "\n" in p]
        return [p for p in files if "\n" not in p], notices

    def tool_argv(self, exe: str, files: Sequence[str]) -> list[str]:
        return self.command(files)

    def pool_args(self, files: Sequence[str]) -> dict[str, Any]:
        return {"config": self.config, "files": [f"./{p}" for p in files]}

    def parse(self, report: bytes, root: Path, files: Sequence[str]) -> list[Finding]:
        return parse_output(report, root, files)

    def codes_for(self, run: ProcResult) -> tuple[int, ...] | None:
        # Python exits 1 on an uncaught exception too: a traceback makes it a crash.
        return (0,) if b"Traceback (most recent call last)" in run.stderr else self.ok_codes

    @classmethod
    def rule_doc(cls, rule_id: str) -> RuleDoc | None:
        return rule_doc(rule_id) or super().rule_doc(rule_id)
