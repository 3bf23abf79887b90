"""What the agents' answer may change in a review, checked before anything is published.

The dialogue must never make a review worse, so the model's answer is held to three rules:

- a finding the check run fails on (severity at or above ``fail_on``) cannot be dismissed at all:
  the check would fail with no inline comment saying why;
- any other dismissal counts only when its reason cites the code: it quotes (in backticks or
  quotes) text found on the finding's lines or in its hunk, or names an identifier found there
  that is not an everyday word or a keyword. "False positive" or "harmless" alone cites nothing,
  so the finding keeps its comment;
- a problem the agents add must sit on a line the pull request adds (not a context line, not a
  file it does not change); the caller drops the others and counts them.

A confirmed finding, or one the answer does not mention, is left exactly as the analyzers gave it.
Every refusal is counted with one of our own reasons (the model's text is never repeated there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from analyzers.base import Finding, severity_at_least
from analyzers.diff import FileDiff
from bot.agents.answer import FindingVerdict

AT_FAIL_ON = "at the severity the check fails on"
NO_CITATION = "with a reason that cites no code from the finding's lines"
NOT_ADDED_LINE = "not on a line this pull request adds"

MIN_CITED = 3  # characters: shorter names (`i`, `x`, `os`) match too much by chance
MAX_HUNK_LINES = 400  # of the hunk read around a finding: enough for any hunk a prompt shows
_QUOTED = re.compile(r"`([^`\n]+)`|\"([^\"\n]+)\"")  # 'x' is left to the identifier check
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
# Words a reason uses as prose that code also uses as names or keywords: naming one cites nothing.
_EVERYDAY = frozenset(
    """
    the and not are was were has have had but its can may must only all any use used uses using
    this that these those with without from into onto than then them they their there here what
    when where which while why how who because since also just very more most less least some
    such other same both each every none null nil true false yes def class return import export
    from package func function fun var let val const new public private protected static final void
    int str string bool boolean float double char long byte list dict map set get put end begin
    else elif for foreach loop break continue try catch except finally raise throw throws
    self super async await yield lambda require include module type types interface struct enum
    code line lines file files value values data test tests testing safe unsafe fine harmless
    false positive positives negative issue issues finding findings problem problems risk risky
    real really need needs needed call calls called input output user users request response
    check checks checked error errors warning note rule rules tool tools security secure insecure
    vulnerable vulnerability injection
    """.split()
)


def protected(finding: Finding, fail_on: str) -> bool:
    """Whether the check run fails on this finding: then no dismissal may hide its comment."""
    return fail_on != "never" and severity_at_least(finding.severity, fail_on)


def finding_code(finding: Finding, diff: FileDiff | None, lines: Sequence[str] | None) -> list[str]:
    """The head lines a reason may cite: the finding's own, and the hunk around its first line."""
    if not lines:
        return []
    first, last = finding.line, max(finding.end_line, finding.line)
    for low, high in diff.hunks if diff is not None else ():
        if low <= finding.line <= high:
            first, last = min(first, low), max(last, min(high, low + MAX_HUNK_LINES - 1))
            break
    return list(lines[max(first, 1) - 1 : last])


def cites_code(reason: str, code: Iterable[str]) -> bool:
    """Whether ``reason`` quotes text from ``code`` or names one of its identifiers (not a common word)."""
    text = "\n".join(code)
    if not text.strip():
        return False
    flat = " ".join(text.split())
    for match in _QUOTED.finditer(reason):
        quoted = " ".join(next(g for g in match.groups() if g is not None).split())
        if len(quoted) >= MIN_CITED and quoted in flat:
            return True
    names = set(_IDENTIFIER.findall(text))
    return any(
        len(word) >= MIN_CITED and word in names and word.lower() not in _EVERYDAY
        for word in _IDENTIFIER.findall(reason)
    )


def admit_dismissals(
    verdicts: Sequence[FindingVerdict],
    findings: Mapping[str, Finding],
    *,
    fail_on: str,
    diffs: Mapping[str, FileDiff],
    lines: Mapping[str, Sequence[str] | None],
) -> tuple[dict[str, str], list[str]]:
    """The dismissals kept (fingerprint -> the model's reason) and why each other one was refused.

    ``findings`` maps fingerprints to the analyzer findings the prompt listed; ``lines`` holds the
    head lines of their files (None or missing: unreadable, so nothing can be cited).
    """
    kept: dict[str, str] = {}
    refused: list[str] = []
    for verdict in verdicts:
        finding = findings.get(verdict.fingerprint)
        if verdict.status != "dismissed" or finding is None:
            continue
        code = finding_code(finding, diffs.get(finding.path), lines.get(finding.path))
        if protected(finding, fail_on):
            refused.append(AT_FAIL_ON)
        elif not cites_code(verdict.reason, code):
            refused.append(NO_CITATION)
        else:
            kept[verdict.fingerprint] = verdict.reason
    return kept, refused


def on_added_line(path: str, line: int, diffs: Mapping[str, FileDiff]) -> bool:
    """Whether ``path``:``line`` is a line the pull request adds (new side)."""
    diff = diffs.get(path)
    return diff is not None and diff.status != "removed" and line in diff.added


def refusal_note(refused: Sequence[str]) -> str:
    """One sentence for the summary, in our words only."""
    counts = {reason: refused.count(reason) for reason in dict.fromkeys(refused)}
    detail = ", ".join(f"{n} {reason}" for reason, n in counts.items())
    return f"Kept {len(refused)} finding(s) the agents dismissed: {detail}."
