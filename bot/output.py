"""The CLI's output formats: text for a person, JSON, SARIF 2.1.0, Markdown."""

from __future__ import annotations

import json
from itertools import groupby

from analyzers.sarif import to_sarif
from bot.render import SEVERITY_ICON, code_span, count_line, escape_markdown
from bot.review import ReviewOutcome

COLOURS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def format_text(outcome: ReviewOutcome, *, colour: bool) -> str:
    """Findings grouped by file, each with the source line it is about."""

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if colour else text

    out: list[str] = []
    for path, group in groupby(outcome.findings, key=lambda f: f.path):
        out.append(paint(path, BOLD))
        lines = outcome.sources.get(path, [])
        for f in group:
            where = f"{f.line}:{f.column}" if f.column else f"{f.line}"
            label = paint(f"{f.severity:<7}", COLOURS.get(f.severity, ""))
            tools = ", ".join(f.sources) if f.sources else f"{f.tool} {f.rule_id}"
            out.append(f"  {where:>7}  {label} {f.message}  {paint(f'[{tools}]', DIM)}")
            if 0 < f.line <= len(lines):
                out.append(paint(f"           | {lines[f.line - 1].rstrip()}", DIM))
        out.append("")
    out.extend(f"warning: {problem}" for problem in outcome.errors + outcome.incomplete)
    summary = f"{count_line(outcome.findings)} on changed lines in {outcome.files_analyzed} analyzed file(s)"
    out.append(paint(summary, BOLD))
    return "\n".join(out)


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
        },
        indent=2,
    )


def format_sarif(outcome: ReviewOutcome) -> str:
    return json.dumps(to_sarif(outcome.findings, outcome.results), indent=2)


def format_markdown(outcome: ReviewOutcome) -> str:
    out = [f"## Review bot: {count_line(outcome.findings)}", ""]
    for path, group in groupby(outcome.findings, key=lambda f: f.path):
        out.append(f"### {code_span(path)}")
        out.extend(
            f"- {SEVERITY_ICON[f.severity]} line {f.line}: {escape_markdown(f.message)} "
            f"({f.tool} {code_span(f.rule_id)})"
            for f in group
        )
        out.append("")
    out.extend(f"> {escape_markdown(p)}" for p in outcome.errors + outcome.incomplete)
    return "\n".join(out)
