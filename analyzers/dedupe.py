"""Say each thing once: findings from several tools about one problem on one line become one.

Two findings are the same problem when they sit on the same file and start line and either
share a CWE (bandit B602 and our semgrep shell=True rule are both CWE-78) or are the same
rule reported twice. The kept finding is the most severe one (ties go to the tool whose rules
explain themselves best: each analyzer's ``merge_preference``); it names every source, keeps the
first suggestion any of them offered, and keeps its own fingerprint so a re-review still knows it.
A rule its tool files under a broader CWE than its problem says so itself (``rule_topics``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from analyzers.base import SEVERITY_RANK, Finding
from analyzers.registry import merge_preference, rule_topic

# CWEs that name one problem at two levels of detail: a hard-coded password (259) or key (321)
# is a hard-coded credential (798), so bandit's B105 and a secret scanner's hit are one finding.
CWE_TOPIC = {"CWE-259": "CWE-798", "CWE-321": "CWE-798", "CWE-77": "CWE-78"}


def source_label(finding: Finding) -> str:
    return f"{finding.tool} {finding.rule_id}"


def merge_key(finding: Finding) -> tuple[str, int, str]:
    rule = f"{finding.tool}:{finding.rule_id}"
    cwe = rule_topic(finding.tool, finding.rule_id) or finding.cwe
    topic = CWE_TOPIC.get(cwe, cwe) if cwe else rule
    return (finding.path, finding.line, topic)


def rank(finding: Finding) -> tuple[int, int, str, str]:
    return (-SEVERITY_RANK[finding.severity], merge_preference(finding.tool), finding.tool, finding.rule_id)


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per problem per line, naming all the tools that reported it."""
    groups: dict[tuple[str, int, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault(merge_key(finding), []).append(finding)
    merged: list[Finding] = []
    for group in groups.values():
        group.sort(key=rank)
        primary = group[0]
        if len(group) == 1:
            merged.append(primary)
            continue
        labels = list(dict.fromkeys(source_label(f) for f in group))
        end_line = max(f.end_line for f in group)
        # A suggestion replaces exactly its own finding's lines: keep one that spans the merged lines.
        suggestion = next(
            (f.suggestion for f in group if f.suggestion is not None and f.end_line == end_line), None
        )
        merged.append(
            replace(
                primary,
                end_line=end_line,
                sources=tuple(labels),
                suggestion=suggestion,
                help_url=primary.help_url or next((f.help_url for f in group if f.help_url), None),
            )
        )
    return sorted(merged, key=lambda f: (f.path, f.line, f.tool, f.rule_id))
