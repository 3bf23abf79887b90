"""Findings as SARIF 2.1.0, the format GitHub code scanning and most IDEs read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from analyzers.base import AnalyzerResult, Finding

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "reviewBot/v1"
TOOL_URIS = {
    "ruff": "https://docs.astral.sh/ruff/",
    "bandit": "https://bandit.readthedocs.io/",
    "semgrep": "https://semgrep.dev/",
}


def artifact_uri(path: str) -> str:
    """A relative URI reference for a repository path: POSIX separators, percent-encoded."""
    return quote(path.replace("\\", "/").lstrip("/"), safe="/")


def _location(finding: Finding) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": finding.line, "endLine": max(finding.end_line, finding.line)}
    if finding.column is not None and finding.column >= 1:
        region["startColumn"] = finding.column
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(finding.path), "uriBaseId": SRCROOT},
            "region": region,
        }
    }


def _fix(finding: Finding) -> dict[str, Any]:
    # A region without columns covers whole lines, excluding the final newline: exactly
    # what a suggestion (replacement text for lines line..end_line) replaces.
    return {
        "description": {"text": f"Suggested change for {finding.rule_id}"},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": artifact_uri(finding.path), "uriBaseId": SRCROOT},
                "replacements": [
                    {
                        "deletedRegion": {"startLine": finding.line, "endLine": finding.end_line},
                        "insertedContent": {"text": finding.suggestion or ""},
                    }
                ],
            }
        ],
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": finding.severity,
        "message": {"text": finding.message or finding.rule_id},
        "locations": [_location(finding)],
    }
    if finding.fingerprint:
        out["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.suggestion is not None:
        out["fixes"] = [_fix(finding)]
    properties: dict[str, Any] = {}
    if finding.cwe:
        properties["cwe"] = finding.cwe
    if finding.sources:
        properties["sources"] = list(finding.sources)  # the same problem, reported by these tools
    if properties:
        out["properties"] = properties
    return out


def _rule(finding: Finding) -> dict[str, Any]:
    # Findings carry no rule description of their own; the first message stands in for one.
    rule: dict[str, Any] = {
        "id": finding.rule_id,
        "shortDescription": {"text": finding.message or finding.rule_id},
    }
    if finding.help_url:
        rule["helpUri"] = finding.help_url
    return rule


def _invocation(result: AnalyzerResult) -> dict[str, Any]:
    notifications = [{"level": "warning", "message": {"text": text}} for text in result.notices]
    # A file the tool could not analyze is an error about that file, not a failure of the run.
    notifications += [
        {
            "level": "error",
            "message": {"text": f"not analyzed: {reason}"},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(path), "uriBaseId": SRCROOT}}}
            ],
        }
        for path, reason in sorted(result.not_analyzed.items())
    ]
    notifications += [{"level": "note", "message": {"text": text}} for text in result.capped]
    if result.error:
        notifications.insert(0, {"level": "error", "message": {"text": result.error}})
    invocation: dict[str, Any] = {"executionSuccessful": result.error is None}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _run(tool: str, findings: Sequence[Finding], result: AnalyzerResult | None) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results = []
    for finding in findings:
        if finding.rule_id not in index:
            index[finding.rule_id] = len(rules)
            rules.append(_rule(finding))
        results.append(_result(finding, index[finding.rule_id]))
    driver: dict[str, Any] = {"name": tool, "rules": rules}
    if result is not None and result.version:
        driver["version"] = result.version
    if tool in TOOL_URIS:
        driver["informationUri"] = TOOL_URIS[tool]
    run: dict[str, Any] = {"tool": {"driver": driver}, "results": results}
    if result is not None:
        run["invocations"] = [_invocation(result)]
    return run


def to_sarif(findings: Sequence[Finding], results: Sequence[AnalyzerResult] | None = None) -> dict[str, Any]:
    """One SARIF log with one run per tool (every tool that ran, and every tool with a finding)."""
    by_result = {r.tool: r for r in results or ()}
    tools = list(by_result)
    for finding in findings:
        if finding.tool not in tools:
            tools.append(finding.tool)
    runs = [_run(tool, [f for f in findings if f.tool == tool], by_result.get(tool)) for tool in tools]
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": runs}
