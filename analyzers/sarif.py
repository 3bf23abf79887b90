"""Findings as SARIF 2.1.0, the format GitHub code scanning and most IDEs read.

One run per analyzer (its name, version and home page); each rule described by its analyzer
(analyzers/registry.py: a short description of its own, help with why and how, its page), security
rules tagged with their CWE and scored; each result carrying the bot's fingerprint.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from analyzers.base import SEVERITY_RANK, AnalyzerResult, Finding, RuleDoc
from analyzers.registry import information_uri, rule_doc, rule_topic

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "reviewBot/v1"
# GitHub code scanning ranks a security rule by properties.security-severity, 0.0 to 10.0: 9.0 and
# up is critical, 7.0 high, 4.0 medium, below that low. The finding's severity sets the band...
_SCORE = {"error": 7.0, "warning": 5.0, "note": 3.0}
# ... and a weakness that hands an attacker code execution, the database, a credential or the
# network behind the server moves it one band up.
SEVERE_CWES = frozenset(
    {"CWE-77", "CWE-78", "CWE-89", "CWE-94", "CWE-95", "CWE-502", "CWE-798", "CWE-259", "CWE-321",
     "CWE-611", "CWE-918"}
)  # fmt: skip
SEVERE_BUMP = 2.0


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


def security_severity(severity: str, cwes: Sequence[str]) -> str:
    """GitHub's 0.0-10.0 score of a security rule, from its severity and its weakness class."""
    score = _SCORE[severity] + (SEVERE_BUMP if any(c in SEVERE_CWES for c in cwes) else 0.0)
    return f"{min(score, 10.0):.1f}"


def _cwe_number(cwe: str) -> str | None:
    number = cwe.removeprefix("CWE-")
    return number if number.isdigit() else None


def _help(doc: RuleDoc, cwes: Sequence[str]) -> dict[str, str] | None:
    """The rule's why and how, as text and as Markdown (the tool's own page when it has one)."""
    if not doc.why and not doc.markdown:
        return None
    text = doc.why or doc.title
    markdown = doc.markdown or doc.why or doc.title
    links = [f"https://cwe.mitre.org/data/definitions/{n}.html" for c in cwes if (n := _cwe_number(c))]
    references = list(dict.fromkeys([*doc.references, *links]))
    if references:
        text += "\n\nReferences:\n" + "\n".join(references)
        markdown += "\n\n**References:**\n" + "\n".join(f"- <{url}>" for url in references)
    return {"text": text, "markdown": markdown}


def _rule(tool: str, rule_id: str, findings: Sequence[Finding]) -> dict[str, Any]:
    """The rule's metadata, from what its analyzer says about it (never from one finding's message)."""
    doc = rule_doc(tool, rule_id)
    # The weakness the analyzer says the rule is about (and the one its tool files it under).
    named = [doc.cwe if doc else None, rule_topic(tool, rule_id), *(f.cwe for f in findings)]
    cwes = list(dict.fromkeys(c for c in named if c))
    level = max((f.severity for f in findings), key=lambda s: SEVERITY_RANK[s])
    rule: dict[str, Any] = {
        "id": rule_id,
        "shortDescription": {"text": doc.title if doc else f"{tool} rule {rule_id}"},
        "defaultConfiguration": {"level": level},
    }
    help_uri = next((f.help_url for f in findings if f.help_url), None) or (doc.help_url if doc else None)
    if help_uri:
        rule["helpUri"] = help_uri
    if doc is not None and (help_ := _help(doc, cwes)):
        rule["help"] = help_
    if (doc is not None and doc.security) or cwes:
        tags = ["security", *(f"external/cwe/cwe-{n}" for c in cwes if (n := _cwe_number(c)))]
        rule["properties"] = {"tags": tags, "security-severity": security_severity(level, cwes)}
    return rule


def _invocation(result: AnalyzerResult) -> dict[str, Any]:
    notifications: list[dict[str, Any]] = [
        {"level": "warning", "message": {"text": text}} for text in result.notices
    ]
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
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    index = {rule_id: i for i, rule_id in enumerate(by_rule)}
    rules = [_rule(tool, rule_id, found) for rule_id, found in by_rule.items()]
    results = [_result(finding, index[finding.rule_id]) for finding in findings]
    driver: dict[str, Any] = {"name": tool, "rules": rules}
    if result is not None and result.version:
        driver["version"] = result.version
    if uri := information_uri(tool):
        driver["informationUri"] = uri
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
