"""The summary's "AI Agent Discussion" section: the verdict, then the details, collapsed.

Everything the model wrote goes through bot/text/sanitize.py here, at the output, whatever was done
to it before: re-sanitising sanitised text gives the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from analyzers import Finding
from bot.text.sanitize import agent_line, code_span, escape_markdown, message_markdown, sanitize_agent_text

if TYPE_CHECKING:  # bot.agents.dialogue imports autogen; rendering must not
    from bot.agents.dialogue import Discussion

TRANSCRIPT_BUDGET = 20_000  # characters of transcript in the summary; the rest is cut, and says so
NOT_CONFIGURED = "AI agent dialogue: not configured (an `agent_config.yaml` turns it on)."


def agent_section(discussion: Discussion | None, *, repo_url: str | None = None) -> list[str]:
    """Markdown lines for the summary; one line when the dialogue did not run."""
    if discussion is None:
        return ["", NOT_CONFIGURED]
    review = discussion.review
    if review.skipped is not None:
        return ["", f"AI agent dialogue skipped: {escape_markdown(review.skipped)}."]
    confirmed = sum(1 for v in review.verdicts if v.status == "confirmed")
    lines = [
        "",
        "### AI Agent Discussion",
        "",
        f"**Verdict:** {agent_line(review.verdict, repo_url=repo_url) or '(none given)'}",
        "",
        f"{confirmed} finding(s) confirmed, {len(discussion.dismissed)} dismissed, "
        f"{len(discussion.added_in_diff)} problem(s) added · "
        f"{review.total_tokens:,} tokens "
        f"({review.prompt_tokens:,} prompt, {review.completion_tokens:,} completion).",
    ]
    if discussion.dropped:  # the model's paths are not repeated: a count and our reasons only
        lines.append(discussion.dropped_note)
    if discussion.refused:
        lines.append(discussion.refused_note)
    if review.left_out:
        shown = ", ".join(escape_markdown(item) for item in review.left_out[:10])
        more = f" and {len(review.left_out) - 10} more" if len(review.left_out) > 10 else ""
        lines.append(f"Left out of the prompt to fit the budget: {shown}{more}.")
    lines += collapsed("Transcript", transcript(discussion, repo_url))
    return lines


def dismissed_section(
    findings: Sequence[Finding], discussion: Discussion | None, *, repo_url: str | None = None
) -> list[str]:
    """Findings the agents dismissed: not posted inline, but listed with the reason."""
    if discussion is None or not discussion.dismissed:
        return []
    rows = [
        f"- {where(f)} {f.tool} {code_span(f.rule_id)}: {message_markdown(f.message, limit=200)}. "
        f"Dismissed: {agent_line(discussion.dismissed[f.fingerprint], repo_url=repo_url)}"
        for f in findings
        if f.fingerprint in discussion.dismissed
    ]
    return collapsed(f"Findings the agents dismissed ({len(rows)})", rows) if rows else []


def transcript(discussion: Discussion, repo_url: str | None) -> list[str]:
    out: list[str] = []
    used = 0
    for message in discussion.review.transcript:
        text = sanitize_agent_text(message.content, repo_url=repo_url)
        if used + len(text) > TRANSCRIPT_BUDGET:
            out.append("*(the rest of the transcript is cut to keep this comment short)*")
            break
        used += len(text)
        quoted = "\n".join(f"> {line}" for line in text.splitlines())
        out += [f"**{escape_markdown(message.source)}:**", quoted, ""]
    return out


def collapsed(summary: str, body: Sequence[str]) -> list[str]:
    return ["", "<details>", f"<summary>{escape_markdown(summary)}</summary>", "", *body, "", "</details>"]


def where(finding: Finding) -> str:
    return code_span(f"{finding.path}:{finding.line}")
