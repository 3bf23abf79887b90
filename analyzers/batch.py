"""One tool over many files, so that a file it cannot handle costs that file only; caps on findings.

A tool run over a batch works or fails as a whole: ShellCheck stopped at its memory limit by one
file, or detect-secrets crashing (RecursionError) on one deeply nested YAML file, reports nothing
about the other files. ``run_isolating`` then runs the two halves of the batch again, and so on
down, until the failure is confined to the files that cause it: each of those is named with the
reason, every other file is analyzed. Retries are bounded in number (enough to find a few bad
files by halving) and share one time budget as long as the first run's timeout, so a tool takes
at most twice its timeout however many files fail.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from analyzers.base import SEVERITY_RANK, AnalyzerResult, Finding

RunOnce = Callable[[list[str], float], Awaitable[AnalyzerResult]]  # (files, timeout) -> result
MIN_RETRY_SECONDS = 1.0  # a retry with less time than this left would only time out
MAX_FINDINGS_PER_FILE = 200
MAX_FINDINGS_PER_TOOL = 2000
_SHOWN_PATHS = 5  # files named per sentence; the rest are counted
_SHOWN_REASONS = 5  # sentences per tool; the files failing for other reasons are counted


def retry_runs_for(count: int) -> int:
    """Runs enough to isolate up to two bad files among ``count`` by halving (two runs a level)."""
    return 4 * max(1, math.ceil(math.log2(max(count, 2))))


@dataclass
class _Budget:
    runs_left: int
    deadline: float


async def run_isolating(
    tool: str, files: Sequence[str], once: RunOnce, *, timeout: float, max_retries: int | None = None
) -> AnalyzerResult:
    """``once(files, timeout)``; when that fails, the same on halves until the failing files are found.

    The files that failed alone (or could not be told apart within the budget) are in
    ``not_analyzed`` with the reason; ``error`` stays set only when no file could be analyzed,
    as when the tool could not start at all (then nothing is retried).
    """
    batch = list(files)
    first = await once(batch, timeout)
    if first.error is None or not batch or f"{tool} could not start" in first.error:
        return first
    out = AnalyzerResult(tool=tool, version=first.version, notices=list(first.notices))
    runs = retry_runs_for(len(batch)) if max_retries is None else max_retries
    budget = _Budget(runs_left=runs, deadline=time.monotonic() + timeout)
    await _isolate(batch, first.error, once, out, budget, timeout)
    out.notices = list(dict.fromkeys(out.notices))  # every retry repeats the run-wide notices
    if all(path in out.not_analyzed for path in batch):
        out.error = first.error  # the tool analyzed nothing: a failure of the tool, not of a file
    return out


async def _isolate(
    files: list[str], reason: str, once: RunOnce, out: AnalyzerResult, budget: _Budget, timeout: float
) -> None:
    if len(files) == 1:
        out.not_analyzed[files[0]] = reason
        return
    middle = len(files) // 2
    for half in (files[:middle], files[middle:]):
        left = budget.deadline - time.monotonic()
        if budget.runs_left <= 0 or left < MIN_RETRY_SECONDS:
            for path in half:
                out.not_analyzed[path] = f"{reason} (on a batch of files; retries to find which ran out)"
            continue
        budget.runs_left -= 1
        result = await once(half, min(timeout, left))
        out.version = out.version or result.version
        out.notices += result.notices
        if result.error is None:
            out.findings += result.findings
            out.not_analyzed.update(result.not_analyzed)
            out.coupled += result.coupled
        else:
            await _isolate(half, result.error, once, out, budget, timeout)


def _most_severe_first(finding: Finding) -> tuple[int, str, int]:
    return (-SEVERITY_RANK.get(finding.severity, 0), finding.path, finding.line)


def cap_findings(
    result: AnalyzerResult, per_file: int = MAX_FINDINGS_PER_FILE, per_tool: int = MAX_FINDINGS_PER_TOOL
) -> None:
    """Keep at most ``per_file`` findings of a file and ``per_tool`` in all, the most severe ones.

    Thousands of comments help nobody and cost memory and API calls; what was left out is said
    in ``capped``.
    """
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_path[finding.path].append(finding)
    kept: list[Finding] = []
    for path, found in by_path.items():
        if len(found) > per_file:
            result.capped.append(
                f"{result.tool} reported {len(found):,} findings in {path!r}; "
                f"only the {per_file} most severe are kept"
            )
            found = sorted(found, key=_most_severe_first)[:per_file]
        kept += found
    if len(kept) > per_tool:  # said first: it matters more than any one file's cap
        result.capped.insert(
            0, f"{result.tool} reported {len(kept):,} findings; only the {per_tool:,} most severe are kept"
        )
        kept = sorted(kept, key=_most_severe_first)[:per_tool]
    result.findings = kept


def analysis_problems(results: Sequence[AnalyzerResult]) -> list[str]:
    """Sentences for the review summary: the files each tool could not analyze, and the caps applied."""
    sentences: list[str] = []
    for result in results:
        by_reason: dict[str, list[str]] = defaultdict(list)
        for path, reason in sorted(result.not_analyzed.items()):
            by_reason[reason].append(path)
        groups = list(by_reason.items())
        for reason, paths in groups[:_SHOWN_REASONS]:
            named = ", ".join(repr(p) for p in paths[:_SHOWN_PATHS])
            if len(paths) > _SHOWN_PATHS:
                named += f" and {len(paths) - _SHOWN_PATHS} more"
            sentences.append(f"{result.tool} could not analyze {named}: {reason}")
        if rest := sum(len(paths) for _, paths in groups[_SHOWN_REASONS:]):
            sentences.append(f"{result.tool} could not analyze {rest} more files, for other reasons")
        sentences += result.capped[:_SHOWN_REASONS]
        if len(result.capped) > _SHOWN_REASONS:
            more = len(result.capped) - _SHOWN_REASONS
            sentences.append(f"{result.tool}: {more} more files had findings left out by the cap")
    return sentences
