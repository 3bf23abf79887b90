"""The CLI's output formats: text for a person, JSON, SARIF 2.1.0, Markdown.

Paths, messages and agent text come from the reviewed change: the text format shows them
through bot/text/printable.py (no terminal escape sequence or control character reaches the terminal
raw), the Markdown format through bot/text/sanitize.py, as the bot's GitHub comments do.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING, TextIO

from analyzers.sarif import FINGERPRINT_KEY, to_sarif
from bot.pipeline.analyze import ReviewOutcome
from bot.text.printable import printable
from bot.text.render import SEVERITY_ICON, count_line
from bot.text.sanitize import code_span, escape_markdown, message_markdown

if TYPE_CHECKING:
    from bot.pipeline.run import Change

COLOURS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def format_text(outcome: ReviewOutcome, *, colour: bool) -> str:
    """One ``path:line:col: severity rule message`` line per finding (the form compilers print,
    which editors and terminals jump to; col is 1 when the tool gives none), the source line it is
    about under it, a blank line between files."""

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if colour else text

    out: list[str] = []
    for path, group in groupby(outcome.findings, key=lambda f: f.path):
        lines = outcome.sources.get(path, [])
        for f in group:
            where = paint(f"{printable(path)}:{f.line}:{f.column or 1}:", BOLD)
            label = paint(f.severity, COLOURS.get(f.severity, ""))
            tools = printable(", ".join(f.sources) if f.sources else f.tool)
            out.append(
                f"{where} {label} {printable(f.rule_id)} {printable(f.message)}  {paint(f'[{tools}]', DIM)}"
            )
            if 0 < f.line <= len(lines):
                out.append(paint(f"    | {printable(lines[f.line - 1].rstrip(), keep=chr(9))}", DIM))
        out.append("")
    failed = outcome.files.failed if outcome.files is not None else {}
    out.extend(f"{printable(path)}: not analyzed: {printable(why)}" for path, why in sorted(failed.items()))
    out.extend(f"warning: {printable(problem)}" for problem in outcome.errors + outcome.incomplete)
    out.extend(agent_text(outcome))
    summary = f"{count_line(outcome.findings)} on changed lines in {outcome.files_analyzed} analyzed file(s)"
    out.append(paint(summary, BOLD))
    return "\n".join(out)


def agent_text(outcome: ReviewOutcome) -> list[str]:
    """The agents' part of the text report (nothing when they were not asked)."""
    discussion = outcome.discussion
    if discussion is None:
        return []
    review = discussion.review
    if review.skipped is not None:
        return [f"agents: skipped ({printable(review.skipped)})", ""]
    out = [f"agents: {printable(review.verdict)}  ({review.total_tokens:,} tokens)"]
    out += [
        printable(
            f"  dismissed {f.path}:{f.line} {f.tool} {f.rule_id}: {discussion.dismissed[f.fingerprint]}"
        )
        for f in outcome.findings
        if f.fingerprint in discussion.dismissed
    ]
    out += [
        printable(f"  added     {f.path}:{f.line} {f.severity}: {f.message}")
        for f in discussion.added_in_diff
    ]
    return [*out, ""]


def agent_json(outcome: ReviewOutcome) -> dict[str, object] | None:
    discussion = outcome.discussion
    if discussion is None:
        return None
    review = discussion.review
    return {
        "skipped": review.skipped,
        "verdict": review.verdict,
        "verdicts": [
            {"fingerprint": v.fingerprint, "status": v.status, "reason": v.reason} for v in review.verdicts
        ],
        "added": [f.to_dict() for f in discussion.added_in_diff],
        "dismissed": discussion.dismissed,
        "dropped": discussion.dropped,  # why each added problem was not kept (our words)
        "refused": discussion.refused,  # why each dismissal was not kept (our words)
        "tokens": {"prompt": review.prompt_tokens, "completion": review.completion_tokens},
        "left_out": review.left_out,
        "transcript": [{"source": m.source, "content": m.content} for m in review.transcript],
    }


def format_json(outcome: ReviewOutcome) -> str:
    return json.dumps(
        {
            "findings": [f.to_dict() for f in outcome.findings],
            "analyzers": [
                {"tool": r.tool, "version": r.version, "error": r.error, "files": r.files}
                for r in outcome.results
            ],
            "skipped": outcome.skipped,
            "incomplete": outcome.incomplete,
            "files_analyzed": outcome.files_analyzed,
            "agents": agent_json(outcome),
        },
        indent=2,
    )


def format_sarif(outcome: ReviewOutcome) -> str:
    """SARIF; the agents' problems are results too, and a finding they dismissed is suppressed."""
    discussion = outcome.discussion
    added = discussion.added_in_diff if discussion is not None else []
    sarif = to_sarif([*outcome.findings, *added], outcome.results)
    dismissed = discussion.dismissed if discussion is not None else {}
    for run in sarif["runs"]:
        for result in run.get("results", []):
            reason = dismissed.get(result.get("partialFingerprints", {}).get(FINGERPRINT_KEY, ""))
            if reason is not None:
                result["suppressions"] = [{"kind": "external", "justification": reason}]
    return json.dumps(sarif, indent=2)


def format_markdown(outcome: ReviewOutcome) -> str:
    out = [f"## Review bot: {count_line(outcome.findings)}", ""]
    for path, group in groupby(outcome.findings, key=lambda f: f.path):
        out.append(f"### {code_span(path)}")
        out.extend(
            f"- {SEVERITY_ICON[f.severity]} line {f.line}: {message_markdown(f.message)} "
            f"({f.tool} {code_span(f.rule_id)})"
            for f in group
        )
        out.append("")
    out.extend(f"> {escape_markdown(p)}" for p in outcome.errors + outcome.incomplete)
    if outcome.discussion is not None:
        from bot.agents.render import agent_section, dismissed_section

        out += agent_section(outcome.discussion) + dismissed_section(outcome.findings, outcome.discussion)
    return "\n".join(out)


FORMATS = {"json": format_json, "sarif": format_sarif, "markdown": format_markdown}


@dataclass
class TerminalReporter:
    """The terminal door's reporter: the outcome, in the format asked, on a stream."""

    format: str = "text"
    colour: bool = False
    stream: TextIO = field(default_factory=lambda: sys.stdout)

    async def start(self) -> None:
        return None

    async def report(self, outcome: ReviewOutcome, change: Change) -> None:
        render = FORMATS.get(self.format)
        text = render(outcome) if render is not None else format_text(outcome, colour=self.colour)
        print(text, file=self.stream)
