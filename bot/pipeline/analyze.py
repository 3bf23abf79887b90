"""The analysis step of the pipeline: changed files in, precise findings out (any source, any reporter)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from analyzers import Analyzer, AnalyzerResult, Finding, with_fingerprints
from analyzers.batch import analysis_problems
from analyzers.cache import AnalysisCache, run_cached
from analyzers.dedupe import merge_findings
from analyzers.diff import FileDiff, filter_findings
from bot.config import ReviewSettings
from bot.pipeline.checkout import Materialized, materialize
from bot.pipeline.policy import (
    build_analyzers,
    hide_skipped,
    kept_by_policy,
    plan_analysis,
    select_paths,
)

if TYPE_CHECKING:  # the dialogue pulls in autogen (0.6 s of imports): only when it runs
    from bot.agents.config import AgentConfig
    from bot.agents.dialogue import Discussion
    from bot.events import EventChannel


@dataclass
class ReviewOutcome:
    """What a review found on the lines the change touched, and what it could not look at."""

    findings: list[Finding]
    results: list[AnalyzerResult]
    diffs: dict[str, FileDiff]
    skipped: dict[str, str] = field(default_factory=dict)
    files_analyzed: int = 0
    incomplete: list[str] = field(default_factory=list)  # sentences for the summary
    sources: dict[str, list[str]] = field(default_factory=dict)  # head lines of files with findings
    discussion: Discussion | None = None  # the agent dialogue, when one is configured
    files: Materialized | None = field(default=None, repr=False, compare=False)  # the head files written
    # Everything the analyzers still report in the files they analyzed, on changed lines or not,
    # by fingerprint, and those files: a finding the bot commented on is fixed only when it is
    # gone from the file, not merely off the diff (bot/pipeline/threads.py).
    present: set[str] = field(default_factory=set)
    analyzed: set[str] = field(default_factory=set)

    @property
    def errors(self) -> list[str]:
        """What degraded the review, e.g. "semgrep timed out after 120 s; the other analyzers ran"."""
        ran = [r for r in self.results if r.files and not r.error]
        suffix = "; the other analyzers ran" if ran else ""
        return [f"{r.error}{suffix}" for r in self.results if r.error]

    @property
    def tool_versions(self) -> dict[str, str]:
        return {r.tool: r.version for r in self.results if r.version}


def without_outside_suggestion(finding: Finding, diffs: Mapping[str, FileDiff]) -> Finding:
    """A one-click fix may only rewrite lines the PR itself changed (it matters in diff_context mode)."""
    diff = diffs.get(finding.path)
    if finding.suggestion is None or (
        diff and all(n in diff.added for n in range(finding.line, finding.end_line + 1))
    ):
        return finding
    return replace(finding, suggestion=None)


async def analyze_changes(
    git_dir: Path,
    head_sha: str,
    diffs: Mapping[str, FileDiff],
    *,
    env: Mapping[str, str],
    fetch_missing: bool,
    settings: ReviewSettings,
    workdir: Path,
    analyzers: Sequence[Analyzer] | None = None,
    cache: AnalysisCache | None = None,
) -> ReviewOutcome:
    """Write the head version of the changed files, run the analyzers, keep what is on changed lines."""
    analyzers = list(analyzers) if analyzers is not None else build_analyzers(settings)
    paths, skipped, over = select_paths(diffs, analyzers, settings)
    files = await materialize(
        git_dir,
        head_sha,
        paths,
        workdir / "files",
        env=env,
        fetch_missing=fetch_missing,
        max_file_bytes=settings.max_file_bytes,
        timeout=settings.fetch_timeout,
    )
    # Skipped text files (generated, lock, vendored) still go to the secret scanner, only to it.
    to_analyze, skip_reasons, secrets_only = await asyncio.to_thread(
        plan_analysis, files.root, files.files, skipped, analyzers, settings
    )
    results = await run_cached(
        files.root,
        to_analyze,
        hide_skipped(analyzers, secrets_only),
        cache=cache,
        timeout=settings.analyzer_timeout,
        # The policy before the caps: rules it ignores never crowd out the findings it keeps.
        keep=lambda found: kept_by_policy(found, settings, files.read_lines),
    )
    raw = with_fingerprints([f for r in results for f in r.findings], files.read_lines)
    on_diff = filter_findings(raw, diffs, mode=settings.filter_mode)
    kept = [without_outside_suggestion(f, diffs) for f in merge_findings(on_diff)]
    outcome = ReviewOutcome(
        findings=kept,
        results=results,
        diffs=dict(diffs),
        skipped={**skip_reasons, **files.skipped, **files.failed},
        files_analyzed=len(to_analyze),
        sources={path: files.read_lines(path) for path in {f.path for f in kept}},
        files=files,
        present={f.fingerprint for f in raw},
        analyzed=set(to_analyze),
    )
    if files.failed:  # unlike binaries or generated files, these should have been analyzed
        n = len(files.failed)
        outcome.incomplete.append(
            f"{n} changed file{'s' if n != 1 else ''} could not be analyzed (named under Not analyzed)."
        )
    outcome.incomplete += analysis_problems(results)  # files a tool could not analyze, caps applied
    if over:
        outcome.incomplete.append(
            f"This PR changes more files than the bot reviews at once: {len(over)} of them were not analyzed."
        )
    return outcome


async def discuss_outcome(
    outcome: ReviewOutcome,
    config: AgentConfig,
    *,
    title: str,
    body: str | None,
    patches: Mapping[str, str],
    fail_on: str = "error",
    repo_url: str | None = None,
    events: EventChannel | None = None,
    topic: str = "",
) -> Discussion:
    """Run the agent dialogue over this outcome's diff and findings (while its files still exist);
    findings at ``fail_on`` (the check run's) cannot be dismissed."""
    from bot.agents.dialogue import discuss, read_checkout_lines

    def read_lines(path: str) -> list[str] | None:  # run in a thread, bounded, no symlink or FIFO
        return read_checkout_lines(outcome.files.root, path) if outcome.files is not None else None

    return await discuss(
        config,
        findings=outcome.findings,
        diffs=outcome.diffs,
        patches=patches,
        title=title,
        body=body,
        read_lines=read_lines,
        fail_on=fail_on,
        repo_url=repo_url,
        events=events,
        topic=topic,
    )
