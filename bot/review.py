"""The review pipeline: changed files in, precise findings out. Shared by the CLI and the App."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from analyzers import Analyzer, AnalyzerResult, Finding, with_fingerprints
from analyzers.cache import AnalysisCache, run_cached
from analyzers.dedupe import merge_findings
from analyzers.diff import FileDiff, filter_findings, parse_unified_diff
from bot.checkout import CheckoutError, Materialized, git, git_env, local_git_dir, materialize
from bot.config import ReviewSettings
from bot.policy import build_analyzers, is_ignored, select_paths, skip_by_content, write_rule_files
from bot.repo_config import load_local_policy, load_policy_file

if TYPE_CHECKING:  # the dialogue pulls in autogen (0.6 s of imports): only when it runs
    from bot.agent_config import AgentConfig
    from bot.dialogue import Discussion
    from bot.events import EventChannel

GITHUB_FILES_CAP = 3000  # GitHub lists at most 3,000 files of a pull request


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
    to_analyze, generated = await asyncio.to_thread(skip_by_content, files.root, files.files, settings)
    results = await run_cached(
        files.root, to_analyze, analyzers, cache=cache, timeout=settings.analyzer_timeout
    )
    raw = [f for r in results for f in r.findings if not is_ignored(f, settings)]
    on_diff = filter_findings(with_fingerprints(raw, files.read_lines), diffs, mode=settings.filter_mode)
    kept = [without_outside_suggestion(f, diffs) for f in merge_findings(on_diff)]
    outcome = ReviewOutcome(
        findings=kept,
        results=results,
        diffs=dict(diffs),
        skipped={**skipped, **files.skipped, **generated},
        files_analyzed=len(to_analyze),
        sources={path: files.read_lines(path) for path in {f.path for f in kept}},
        files=files,
    )
    if over:
        outcome.incomplete.append(
            f"This PR changes more files than the bot reviews at once: {len(over)} of them were not analyzed."
        )
    return outcome


async def resolve_commit(git_dir: Path, ref: str, *, env: Mapping[str, str]) -> str:
    if ref.startswith("-"):
        raise CheckoutError(f"not a revision: {ref!r}")
    out = await git(
        ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], git_dir=git_dir, env=env, timeout=30
    )
    return out.decode().strip()


async def review_local(
    path: Path,
    *,
    base: str,
    head: str = "HEAD",
    settings: ReviewSettings | None = None,
    config: Path | None = None,
    agents: AgentConfig | None = None,
    events: EventChannel | None = None,
    topic: str = "local",
    cache: AnalysisCache | None = None,
) -> ReviewOutcome:
    """Review the commits of ``head`` not in ``base`` in a local repository, as the App would.

    The repository's ``.github/review-bot.yml`` is read from ``base`` (as the App reads it from
    the base branch), unless ``config`` names a file to use instead.
    """
    settings = settings or ReviewSettings()
    git_dir = await local_git_dir(path)
    with tempfile.TemporaryDirectory(prefix="review-bot-") as tmp:
        workdir = Path(tmp)
        env = git_env(workdir)
        try:
            head_sha = await resolve_commit(git_dir, head, env=env)
            base_sha = await resolve_commit(git_dir, base, env=env)
        except CheckoutError:
            raise CheckoutError(f"unknown revision: {base!r} or {head!r}") from None
        if config is not None:
            policy = load_policy_file(config, path, settings)
        else:
            policy = await load_local_policy(git_dir, base_sha, env, settings)
        analyzers = build_analyzers(
            policy.settings, write_rule_files(workdir / "repo-rules", policy.rule_files)
        )
        merge_base = await git(["merge-base", base_sha, head_sha], git_dir=git_dir, env=env, timeout=60)
        diff_args = ["-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "--no-textconv"]
        diff_text = await git(
            [*diff_args, "-M", "-U3", merge_base.decode().strip(), head_sha],
            git_dir=git_dir,
            env=env,
            timeout=120,
        )
        diffs = parse_unified_diff(diff_text.decode("utf-8", "surrogateescape"))
        outcome = await analyze_changes(
            git_dir,
            head_sha,
            diffs,
            env=env,
            fetch_missing=False,
            settings=policy.settings,
            workdir=workdir,
            analyzers=analyzers,
            cache=cache,
        )
        if policy.error:
            outcome.incomplete.append(f"Ignored an invalid configuration, used the defaults: {policy.error}")
        if agents is not None:
            message = await git(
                ["log", "-1", "--format=%s%n%n%b", head_sha], git_dir=git_dir, env=env, timeout=30
            )
            title, _, body = message.decode("utf-8", "replace").partition("\n\n")
            patches = patches_from_diff(diff_text.decode("utf-8", "replace"))
            outcome.discussion = await discuss_outcome(
                outcome,
                agents,
                title=title,
                body=body,
                patches=patches,
                events=events,
                topic=topic,
            )
        return outcome


async def discuss_outcome(
    outcome: ReviewOutcome,
    config: AgentConfig,
    *,
    title: str,
    body: str | None,
    patches: Mapping[str, str],
    repo_url: str | None = None,
    events: EventChannel | None = None,
    topic: str = "",
) -> Discussion:
    """Run the agent dialogue over this outcome's diff and findings (while its files still exist)."""
    from bot.dialogue import discuss

    def read_lines(path: str) -> list[str]:
        return outcome.files.read_lines(path) if outcome.files is not None else []

    return await discuss(
        config,
        findings=outcome.findings,
        diffs=outcome.diffs,
        patches=patches,
        title=title,
        body=body,
        read_lines=read_lines,
        repo_url=repo_url,
        events=events,
        topic=topic,
    )


def patches_from_diff(text: str) -> dict[str, str]:
    from bot.dialogue import patches_from_diff as split

    return split(text)
