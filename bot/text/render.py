"""What the bot writes on GitHub: inline comments, the summary comment, the check run output.

Everything a PR author controls (paths, messages quoting their code) goes through
bot/text/sanitize.py before it goes into Markdown, and every body stays under GitHub's
65,536-character limit. The PR's state marker is the last line of the summary, after all
PR-controlled text, and it is signed (bot/github/pr_state.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from analyzers import Finding
from bot.github.pr_state import ANY_STATE_RE, FINGERPRINT, RULE_ID, PRState, StateSeal
from bot.text.sanitize import code_span, escape_markdown, link_destination, message_markdown

SUMMARY_MARKER = "<!-- review-bot:summary -->"
CONFIG_ERROR_MARKER = "<!-- review-bot:config-error -->"
NOTES_START, NOTES_END = "<!-- review-bot:notes -->", "<!-- review-bot:notes-end -->"
# The line the bot adds to its inline comment once a push removed the finding (bot/pipeline/threads.py).
FIXED_MARK = "<!-- review-bot:fixed -->"
FIXED_LINE = re.compile(r"\n*" + re.escape(FIXED_MARK) + r"[^\n]*")
# Comments written before the finding marker carried only this one (still read, never written).
FINGERPRINT_RE = re.compile(r"(?m)^<!-- review-bot:fp:([0-9a-f]{8,64}) -->\r?$")  # a line of its own
FINDING_RE = re.compile(r"(?m)^<!-- review-bot:finding:v1:([A-Za-z0-9+/=]{1,8000}) -->\r?$")
SEVERITIES = ("error", "warning", "note")
MAX_SOURCES = 20
MAX_URL = 2000
BODY_LIMIT = 65_536
CHECK_TEXT_LIMIT = 65_535
CHECK_RUN_NAME = "review-bot"

SEVERITY_ICON = {"error": "🔴", "warning": "🟠", "note": "🔵"}
ANNOTATION_LEVEL = {"error": "failure", "warning": "warning", "note": "notice"}


@dataclass(frozen=True)
class FindingMark:
    """What an inline comment is about, as its hidden marker says (never read from its prose)."""

    tool: str
    rule: str
    fingerprint: str
    severity: str = ""
    help_url: str | None = None
    sources: tuple[tuple[str, str], ...] = ()  # (tool, rule) of every tool that reported it, when merged

    def names(self) -> list[tuple[str, str]]:
        """(tool, rule) of the finding and of each tool it was merged from."""
        own = [(self.tool, self.rule)] if self.rule else []
        return list(dict.fromkeys([*own, *self.sources]))


def finding_names(finding: Finding) -> list[tuple[str, str]]:
    """(tool, rule) of a finding and of every tool it was merged from (``Finding.sources``)."""
    merged = [(tool, rule) for tool, _, rule in (s.partition(" ") for s in finding.sources)]
    return list(dict.fromkeys([(finding.tool, finding.rule_id), *merged]))


def finding_marker(finding: Finding) -> str:
    """The hidden marker of an inline comment: tool, rule, fingerprint, severity, help URL and
    merged sources as JSON, base64 so that Markdown cannot mangle it and it cannot hold ``-->``."""
    data: dict[str, object] = {"tool": finding.tool, "rule": finding.rule_id, "fp": finding.fingerprint}
    data["sev"] = finding.severity
    url = link_destination(finding.help_url)
    if url and len(url) <= MAX_URL:
        data["url"] = url
    if finding.sources:
        data["src"] = [f"{tool}:{rule}" for tool, rule in finding_names(finding)][:MAX_SOURCES]
    raw = base64.b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
    return f"<!-- review-bot:finding:v1:{raw} -->"


def finding_mark_in(body: str | None) -> FindingMark | None:
    """The finding an inline comment's marker names: its last one, every value checked against
    the same patterns as the PR state's; None when there is none or it is damaged. Call it only
    on the bot's own comments: a marker is trusted for where it is, not for what it holds."""
    markers = list(FINDING_RE.finditer(body or ""))
    if not markers:
        return None
    try:
        data = json.loads(base64.b64decode(markers[-1].group(1), validate=True))
    except (ValueError, binascii.Error, RecursionError):
        return None
    fp = data.get("fp") if isinstance(data, dict) else None
    if not (isinstance(fp, str) and FINGERPRINT.fullmatch(fp)):
        return None
    # A rule id no command could name (a repository's odd semgrep id) leaves the fingerprint
    # readable, so a re-review still knows what it said; only the names stay empty.
    tool, rule = _name(data.get("tool")), _name(data.get("rule"))
    if not (tool and rule):
        tool = rule = ""
    sources: list[tuple[str, str]] = []
    listed = data.get("src")
    for item in listed[:MAX_SOURCES] if isinstance(listed, list) else []:
        source_tool, _, source_rule = item.partition(":") if isinstance(item, str) else ("", "", "")
        if _name(source_tool) and _name(source_rule):
            sources.append((source_tool, source_rule))
    url = data.get("url")
    return FindingMark(
        tool,
        rule,
        fp,
        severity=data.get("sev") if data.get("sev") in SEVERITIES else "",
        help_url=link_destination(url) if isinstance(url, str) and len(url) <= MAX_URL else None,
        sources=tuple(sources),
    )


def _name(value: object) -> str:
    """A tool or rule name from a marker, or "" when it is not one a command could name."""
    return value if isinstance(value, str) and RULE_ID.fullmatch(value) else ""


def fingerprints_in(body: str | None) -> set[str]:
    """The fingerprints an inline comment of ours carries: its finding marker's, or an older
    comment's ``review-bot:fp:`` marker."""
    found = set(FINGERPRINT_RE.findall(body or ""))
    mark = finding_mark_in(body) if "review-bot:finding:" in (body or "") else None
    return found | ({mark.fingerprint} if mark is not None else set())


def with_fixed_note(body: str, head_sha: str | None) -> str:
    """An inline comment's body saying it was fixed in ``head_sha`` (None: the note removed); the
    finding marker stays as it is, so a re-review still knows what it said."""
    body = FIXED_LINE.sub("", body)
    return f"{body}\n\n{FIXED_MARK}✅ Fixed in {code_span(head_sha[:7])}." if head_sha else body


def rule_label(finding: Finding, *, table: bool = False) -> str:
    """The rule id as code, linked to the tool's documentation (help URLs come from the tools and
    the base branch's rules, never from the PR; only http(s), encoded as a link destination)."""
    label = code_span(finding.rule_id, table=table)
    url = link_destination(finding.help_url)
    return f"[{label}]({url})" if url else label


def suggestion_block(replacement: str) -> str | None:
    """A ```suggestion fence longer than any backtick run inside, so PR code cannot close it;
    None when the code holds ``<!`` (a suggestion must be exact, and could then fake a marker)."""
    if "<!" in replacement:
        return None
    longest = max((len(m) for m in re.findall(r"`{3,}", replacement)), default=0)
    fence = "`" * max(3, longest + 1)
    body = replacement if replacement.endswith("\n") or not replacement else replacement + "\n"
    return f"{fence}suggestion\n{body}{fence}"


def also_reported_by(finding: Finding, *, table: bool = False) -> str:
    """The other tools that reported the same problem, e.g. "bandit `B602`" (empty when none)."""
    own = f"{finding.tool} {finding.rule_id}"
    others = [s for s in finding.sources if s != own]
    return ", ".join(
        f"{escape_markdown(tool)} {code_span(rule, table=table)}"
        for tool, _, rule in (s.partition(" ") for s in others)
    )


def inline_comment_body(finding: Finding) -> str:
    icon = SEVERITY_ICON.get(finding.severity, "")
    header = f"{icon} **{finding.severity}** · {finding.tool} {rule_label(finding)}"
    if also := also_reported_by(finding):
        header += f" · also reported by {also}"
    parts = [header, "", message_markdown(finding.message)]
    suggestion = suggestion_block(finding.suggestion) if finding.suggestion is not None else None
    if suggestion is not None and len(suggestion) < BODY_LIMIT // 2:  # else no room: no suggestion
        parts += ["", suggestion]
    parts += ["", finding_marker(finding)]  # whole, on its own line, never cut
    return "\n".join(parts)


def review_comment(finding: Finding) -> dict[str, object]:
    """One entry of a create-review request's ``comments`` (multi-line uses start_line)."""
    comment: dict[str, object] = {
        "path": finding.path,
        "line": finding.end_line,
        "side": "RIGHT",
        "body": inline_comment_body(finding),
    }
    if finding.end_line > finding.line:
        comment["start_line"] = finding.line
        comment["start_side"] = "RIGHT"
    return comment


def count_line(findings: Sequence[Finding]) -> str:
    if not findings:
        return "no findings"
    counts = Counter(f.severity for f in findings)
    parts = [
        f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "note") if counts[s]
    ]
    noun = "finding" if len(findings) == 1 else "findings"
    return f"{len(findings)} {noun} ({', '.join(parts)})"


def findings_table(findings: Sequence[Finding], budget: int) -> str:
    header = "| | File | Line | Rule | Message |\n|---|---|---|---|---|\n"
    rows: list[str] = []
    used = len(header)
    for i, f in enumerate(findings):
        also = also_reported_by(f, table=True)
        row = (
            f"| {SEVERITY_ICON.get(f.severity, '')} | {code_span(f.path, table=True)} | {f.line} | "
            f"{f.tool} {rule_label(f, table=True)}{', ' + also if also else ''} | "
            f"{message_markdown(f.message, limit=300, table=True)} |\n"
        )
        if used + len(row) > budget - 200:
            rows.append(f"\n…and {len(findings) - i} more, listed in the check run.\n")
            break
        rows.append(row)
        used += len(row)
    return header + "".join(rows)


@dataclass(frozen=True)
class FindingCounts:
    """Every finding of the PR by what became of it: still there, removed by a push, or silenced
    by ``/ignore``."""

    open: int = 0
    fixed: int = 0
    ignored: int = 0

    def line(self) -> str:
        return f"Findings on this PR: {self.open} open, {self.fixed} fixed, {self.ignored} ignored."


@dataclass
class SummaryInput:
    head_sha: str
    findings: Sequence[Finding]  # everything on changed lines at this head
    not_inline: Sequence[Finding] = ()  # new findings that could not be inline comments
    new_inline: int = 0
    already_said: int = 0
    files_analyzed: int = 0
    tool_versions: dict[str, str] = field(default_factory=dict)
    problems: Sequence[str] = ()  # degraded analyzers, incomplete reviews
    skipped: dict[str, str] = field(default_factory=dict)
    state_marker: str = ""  # the PR's signed state (bot/github/pr_state.py): the body's last line
    state: PRState | None = None  # that state, for its visible notes
    sections: Sequence[str] = ()  # more Markdown lines (the agent discussion), before the footer
    counts: FindingCounts | None = None  # open, fixed, ignored over the PR's life (None: not known)


def summary_body(data: SummaryInput) -> str:
    head = data.head_sha[:7]
    lines = [
        SUMMARY_MARKER,
        "## Review bot",
        "",
        f"Reviewed {code_span(head)}: {count_line(data.findings)} on the lines this PR changed, "
        f"in {data.files_analyzed} analyzed file{'s' if data.files_analyzed != 1 else ''}.",
    ]
    if data.new_inline or data.already_said:
        lines.append(
            f"{data.new_inline} new inline comment(s); {data.already_said} already raised on an earlier push."
        )
    if data.counts is not None:
        lines.append(data.counts.line())
    if data.problems:
        lines += ["", "**The review is incomplete:**", *(f"- {escape_markdown(p)}" for p in data.problems)]
    if data.skipped:
        shown = sorted(data.skipped.items())[:20]
        skipped = ", ".join(f"{code_span(p)} ({escape_markdown(r)})" for p, r in shown)
        more = f" and {len(data.skipped) - len(shown)} more" if len(data.skipped) > len(shown) else ""
        lines += ["", f"Not analyzed: {skipped}{more}."]
    lines += list(data.sections)
    footer = [
        "",
        "Analyzers: " + (", ".join(f"{t} {v}" for t, v in sorted(data.tool_versions.items())) or "none ran"),
        *([state_notes(data.state)] if data.state is not None else []),
        data.state_marker,
    ]
    if data.not_inline:
        budget = BODY_LIMIT - sum(len(x) + 1 for x in lines + footer) - 100
        lines += ["", "### Findings not posted inline", "", findings_table(data.not_inline, budget)]
    return "\n".join(lines + footer)


def state_notes(state: PRState) -> str:
    """The visible side of the PR's state (paused, ignored rules), between markers so a command
    can replace it in place; empty markers when there is nothing to say."""
    lines = [NOTES_START]
    if state.paused:
        who = f" by {escape_markdown(state.paused_by)}" if state.paused_by else ""
        lines.append(
            f"⏸️ Automatic reviews on push are paused{who}; `/resume` restarts them, `/review` still works."
        )
    if state.ignored:
        lines.append("Ignored rules on this PR (`/unignore <rule-id>` undoes):")
        for rule, item in state.ignored.items():
            why = f": {escape_markdown(item.reason)}" if item.reason else ""
            lines.append(f"- {code_span(rule)}, by {escape_markdown(item.by)}{why}")
    lines.append(NOTES_END)
    return "\n".join(lines)


def with_state(body: str, state: PRState, seal: StateSeal) -> str:
    """A summary comment's body with its state marker and visible notes replaced by ``state``'s;
    the signed marker goes last, after everything PR text can reach."""
    start, end = body.rfind(NOTES_START), body.rfind(NOTES_END)
    if start != -1 and end > start:
        body = body[:start].rstrip("\n") + body[end + len(NOTES_END) :]
    body = ANY_STATE_RE.sub("", body).rstrip("\n")
    return f"{body}\n{state_notes(state)}\n{seal.marker(state)}"


def annotation(finding: Finding) -> dict[str, object]:
    note: dict[str, object] = {
        "path": finding.path,
        "start_line": finding.line,
        "end_line": finding.end_line,
        "annotation_level": ANNOTATION_LEVEL[finding.severity],
        "title": f"{finding.tool} {finding.rule_id}"[:255],
        "message": finding.message[:64_000] or finding.rule_id,
    }
    if finding.column is not None and finding.end_line == finding.line:
        note["start_column"] = finding.column
        note["end_column"] = finding.column
    return note


def check_run_output(findings: Sequence[Finding], problems: Sequence[str]) -> dict[str, str]:
    title = count_line(findings).capitalize()
    summary = f"{count_line(findings).capitalize()} on the lines this PR changed."
    if problems:
        summary += "\n\nThe review is incomplete:\n" + "\n".join(f"- {escape_markdown(p)}" for p in problems)
    return {"title": title, "summary": summary[:CHECK_TEXT_LIMIT]}


def config_error_body(error: str) -> str:
    return "\n".join(
        [
            CONFIG_ERROR_MARKER,
            "**Review bot: `.github/review-bot.yml` on the base branch is not valid.**",
            "",
            escape_markdown(error),
            "",
            "This review ran with the default settings. Fix the file on the base branch; "
            "changes to it in this pull request take effect once merged.",
        ]
    )


def config_fixed_body() -> str:
    return f"{CONFIG_ERROR_MARKER}\nReview bot: `.github/review-bot.yml` is valid again and in use."


def given_up_body(head_sha: str, reason: str) -> str:
    """The summary comment (before its state is added) when a head could not be reviewed at all."""
    return "\n".join(
        [
            SUMMARY_MARKER,
            "## Review bot",
            "",
            f"**The review of {code_span(head_sha[:7])} could not be completed:** {escape_markdown(reason)}",
            "",
            "Nothing was reviewed at this commit, so its check run does not pass. "
            "A new push, or a `/review` comment, tries again.",
        ]
    )
