"""The bot's own rules for GitHub Actions workflows and composite actions.

Pure Python over the YAML node tree (composed by ``analyzers.safe_yaml`` with the safe loader:
nodes keep their line numbers, nothing is constructed, nesting and alias expansion are bounded),
so nothing from the reviewed file is ever run. Like every other tool the rules run in a child
process (``python -m analyzers.actions FILE...``, JSON out) under memory and CPU-time limits: a
workflow built from aliases must not cost the bot's own memory, and a timeout cannot stop a thread.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from analyzers.actions_rules import (
    DOCS,
    MAX_BYTES,
    RULES,
    TOOL,
    check_context,
    check_document,
    is_pinned,
)
from analyzers.base import AnalyzerResult, Finding, RuleDoc
from analyzers.limits import ResourceLimits
from analyzers.safe_yaml import YamlLimitError, YamlSyntaxError
from analyzers.tool import ToolAnalyzer

__all__ = ["ActionsAnalyzer", "check_document", "check_files", "is_pinned", "is_workflow", "main"]

EXAMPLES = {  # placeholders of the rules' messages, filled with a typical case to explain a rule
    "expr": "github.event.issue.title",
    "uses": "some-owner/some-action@v1",
    "name": "some-owner/some-action",
    "ref": "v1",
    "trigger": "pull_request_target",
    "value": "github.event.pull_request.head.sha",
}
RULESET_VERSION = "1.1.0"  # bump when a rule changes what it reports: it is part of the cache key
# Runs main() below from the bot's own installation: -I keeps the reviewed checkout (the working
# directory) and PYTHON* variables off sys.path, so only the path given first is added.
_CHILD = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); from analyzers.actions import main; sys.exit(main())"
)
_PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)


def is_workflow(path: str) -> bool:
    pure = PurePosixPath(path)
    in_workflows = pure.parent.as_posix().endswith(".github/workflows")
    return (in_workflows and pure.suffix in (".yml", ".yaml")) or pure.name in ("action.yml", "action.yaml")


@dataclass
class FileReport:
    """What the rules found in a set of files, as the child process reports it."""

    findings: list[Finding] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    not_analyzed: dict[str, str] = field(default_factory=dict)
    capped: list[str] = field(default_factory=list)


def check_files(root: Path, files: Sequence[str], *, pin_first_party: bool = False) -> FileReport:
    """The rules on each file (paths relative to ``root``); a file beyond a bound is named, not fatal."""
    report = FileReport()
    for rel in files:
        try:
            data = (root / rel).read_bytes()
            if len(data) > MAX_BYTES:
                report.not_analyzed[rel] = f"actions skipped it: larger than {MAX_BYTES:,} bytes"
                continue
            ctx = check_context(rel, data.decode("utf-8"), pin_first_party)
        except YamlSyntaxError as exc:
            # yamllint reports the syntax error itself; this only says why the rules did not run.
            report.notices.append(f"actions could not read {rel}: {exc}")
            continue
        except YamlLimitError as exc:
            report.not_analyzed[rel] = f"actions did not read it: {exc}"
            continue
        except (OSError, UnicodeDecodeError) as exc:
            report.notices.append(f"actions could not read {rel}: {type(exc).__name__}")
            continue
        report.findings += ctx.findings
        if ctx.dropped:
            report.capped.append(
                f"actions reported more than {ctx.max_findings} findings in {rel!r}; only the first "
                f"{ctx.max_findings} are kept"
            )
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analyzers.actions [--pin-first-party] -- FILE...``: a JSON report on stdout.

    Run by ActionsAnalyzer in a child process with the checkout as working directory.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    split = args.index("--") if "--" in args else 0
    options, names = args[:split], args[split + 1 if "--" in args else 0 :]
    files = [name.removeprefix("./") for name in names]
    report = check_files(Path.cwd(), files, pin_first_party="--pin-first-party" in options)
    json.dump(
        {
            "findings": [f.to_dict() for f in report.findings],
            "notices": report.notices,
            "not_analyzed": report.not_analyzed,
            "capped": report.capped,
        },
        sys.stdout,
    )
    return 0


def parse_report(stdout: bytes, files: Sequence[str]) -> AnalyzerResult:
    """The child's JSON report as a result; anything about a file it was not given is dropped."""
    data = json.loads(stdout.decode("utf-8"))
    given = set(files)
    findings = [Finding.from_dict(item) for item in data["findings"]]
    for finding in findings:
        if finding.tool != TOOL or finding.severity not in ("error", "warning", "note"):
            raise ValueError("not a finding of the actions rules")
    return AnalyzerResult(
        tool=TOOL,
        version=RULESET_VERSION,
        findings=[f for f in findings if f.path in given],
        notices=[str(n) for n in data["notices"]],
        not_analyzed={str(k): str(v) for k, v in data["not_analyzed"].items() if k in given},
        capped=[str(c) for c in data["capped"]],
    )


def rule_doc(rule_id: str) -> RuleDoc | None:
    """An Actions rule: its message, with the placeholders filled by a typical case, says why and how."""
    for rule in RULES:
        if rule.id == rule_id:
            text = rule.message.format_map(defaultdict(lambda: "…", EXAMPLES))
            return RuleDoc(
                title=rule.title or rule.id,
                why=f"For example: {text}",
                cwe=rule.cwe,
                help_url=rule.help_url,
                references=(rule.help_url,),
                security=True,
            )
    return None


class ActionsAnalyzer(ToolAnalyzer):
    """Checks workflows and composite actions for script injection, unpinned actions and more."""

    name = TOOL
    information_uri = DOCS
    ok_codes = (0,)

    def __init__(self, *, pin_first_party: bool = False, limits: ResourceLimits | None = None) -> None:
        super().__init__(limits=limits)
        self.pin_first_party = pin_first_party

    def handles(self, path: str) -> bool:
        return is_workflow(path)

    def config_key(self) -> str:
        return f"rules={','.join(r.id for r in RULES)};pin_first_party={self.pin_first_party}"

    async def version(self) -> str | None:
        return RULESET_VERSION

    def program(self) -> str | None:
        return sys.executable  # the rules are this package's own Python: always there

    def command(self, paths: Sequence[str]) -> list[str]:
        options = ["--pin-first-party"] if self.pin_first_party else []
        argv = [sys.executable, "-I", "-c", _CHILD, _PACKAGE_PARENT, *options]
        return [*argv, "--", *(f"./{p}" for p in paths)]

    def tool_argv(self, exe: str, files: Sequence[str]) -> list[str]:
        return self.command(files)

    def parse(self, report: bytes, root: Path, files: Sequence[str]) -> AnalyzerResult:
        return parse_report(report, files)

    @classmethod
    def rule_doc(cls, rule_id: str) -> RuleDoc | None:
        return rule_doc(rule_id)


if __name__ == "__main__":
    sys.exit(main())
