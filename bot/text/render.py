"""What the bot writes on GitHub: inline comments, the summary comment, the check run output.

Everything a PR author controls (paths, messages quoting their code) goes through
bot/text/sanitize.py before it goes into Markdown, and every body stays under GitHub's
65,536-character limit. The PR's state marker is the last line of the summary, after all
PR-controlled text, and it is signed (bot/github/pr_state.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from analyzers import Finding
from bot.github.pr_state import ANY_STATE_RE, PRState, StateSeal
from bot.text.sanitize import code_span, escape_markdown, link_destination, message_markdown

SUMMARY_MARKER = "<!-- review-bot:summary -->"
CONFIG_ERROR_MARKER = "<!-- review-bot:config-error -->"
NOTES_START, NOTES_END = "<!-- review-bot:notes -->", "<!-- review-bot:notes-end -->"
FINGERPRINT_RE = re.compile(r"(?m)^<!-- review-bot:fp:([0-9a-f]{8,64}) -->\r?$")  # a line of its own
BODY_LIMIT = 65_536
CHECK_TEXT_LIMIT = 65_535
CHECK_RUN_NAME = "review-bot"

SEVERITY_ICON = {"error": "🔴", "warning": "🟠", "note": "🔵"}
ANNOTATION_LEVEL = {"error": "failure", "warning": "warning", "note": "notice"}


def fingerprint_marker(fingerprint: str) -> str:
    return f"<!-- review-bot:fp:{fingerprint} -->"


def fingerprints_in(body: str | None) -> set[str]:
    return set(FINGERPRINT_RE.findall(body or ""))


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
    parts += ["", fingerprint_marker(finding.fingerprint)]  # whole, on its own line, never cut
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
