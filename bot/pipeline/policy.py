"""What a review looks at and what it keeps, per the repository's policy (ReviewSettings).

Skips (vendored, generated, minified, lock files) spare people comments on code nobody wrote by
hand; they never spare a leaked credential: a file skipped for that reason still goes to the
analyzers that read skipped files (the secret scanner). Only binaries are skipped by all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from analyzers import SEVERITY_RANK, Analyzer, AnalyzerResult, Finding, registry, severity_at_least
from analyzers.diff import FileDiff
from analyzers.limits import MIB, ResourceLimits
from analyzers.skip import skip_reason_for_content, skip_reason_for_path
from bot.config import ReviewSettings
from bot.pipeline import allowlist

SECRETS_ONLY = "; checked for secrets only"


def tool_limits(settings: ReviewSettings) -> ResourceLimits:
    return ResourceLimits(
        memory_bytes=settings.analyzer_memory_mb * MIB, cpu_seconds=settings.analyzer_cpu_seconds
    )


def build_analyzers(settings: ReviewSettings, extra_semgrep_rules: Sequence[Path] = ()) -> list[Analyzer]:
    """The analyzers this repository has on, semgrep with the repository's extra rules."""
    options = {"semgrep": {"extra_rule_paths": tuple(extra_semgrep_rules)}} if extra_semgrep_rules else {}
    return registry.build_analyzers(
        tool_limits(settings), disabled=settings.disabled_analyzers, options=options
    )


def reads_skipped_files(analyzer: Analyzer) -> bool:
    """Whether the analyzer also reads generated, vendored and lock files (the secret scanner)."""
    return bool(getattr(analyzer, "scans_skipped_files", False))


def globs(patterns: Sequence[str]) -> pathspec.GitIgnoreSpec | None:
    return pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None


def select_paths(
    diffs: Mapping[str, FileDiff], analyzers: Sequence[Analyzer], settings: ReviewSettings
) -> tuple[list[str], dict[str, str], list[str]]:
    """The changed files to analyze, those left out with the reason, and those over ``max_files``.

    A skipped text file that an analyzer reading skipped files handles is both chosen and in
    the skipped map: only those analyzers get it (see plan_analysis).
    """
    include, exclude = globs(settings.include), globs(settings.exclude)
    readers = [a for a in analyzers if reads_skipped_files(a)]
    chosen: list[str] = []
    skipped: dict[str, str] = {}
    for path, diff in sorted(diffs.items()):
        if diff.status == "removed":
            continue
        if diff.is_binary:
            skipped[path] = "binary"
        elif include is not None and not include.match_file(path):
            continue  # outside what the repository asked to review: not worth a mention
        elif exclude is not None and exclude.match_file(path):
            continue
        elif settings.skip_generated and (reason := skip_reason_for_path(path)):
            skipped[path] = reason
            if reason != "binary" and any(a.handles(path) for a in readers):
                chosen.append(path)
        elif any(a.handles(path) for a in analyzers):
            chosen.append(path)
    return chosen[: settings.max_files], skipped, chosen[settings.max_files :]


def skip_by_content(
    root: Path, paths: Sequence[str], settings: ReviewSettings
) -> tuple[list[str], dict[str, str]]:
    """Drop generated and minified files that their names did not give away."""
    if not settings.skip_generated:
        return list(paths), {}
    kept: list[str] = []
    skipped: dict[str, str] = {}
    for path in paths:
        with (root / path).open("rb") as handle:
            reason = skip_reason_for_content(handle.read(64 * 1024))
        if reason:
            skipped[path] = reason
        else:
            kept.append(path)
    return kept, skipped


def plan_analysis(
    root: Path,
    files: Sequence[str],
    path_skips: Mapping[str, str],
    analyzers: Sequence[Analyzer],
    settings: ReviewSettings,
) -> tuple[list[str], dict[str, str], frozenset[str]]:
    """The fetched files to analyze, the skip reasons for the summary, and the files that only the
    analyzers reading skipped files get (skipped by name or content, but text)."""
    unskipped = [p for p in files if p not in path_skips]
    kept, by_content = skip_by_content(root, unskipped, settings)
    readers = [a for a in analyzers if reads_skipped_files(a)]
    reasons = {**path_skips, **by_content}
    secrets_only = frozenset(
        p for p in files if p in reasons and reasons[p] != "binary" and any(a.handles(p) for a in readers)
    )
    for path in secrets_only:
        reasons[path] += SECRETS_ONLY
    to_analyze = [p for p in files if p in secrets_only or p in kept]
    return to_analyze, reasons, secrets_only


@dataclass
class WithoutFiles:
    """An analyzer that does not get ``hidden`` (files skipped for all but the secret scanner)."""

    inner: Analyzer
    hidden: frozenset[str]

    @property
    def name(self) -> str:
        return self.inner.name

    def handles(self, path: str) -> bool:
        return path not in self.hidden and self.inner.handles(path)

    async def version(self) -> str | None:
        return await self.inner.version()

    def config_key(self) -> str:
        return self.inner.config_key()

    async def run(self, root: Path, paths: Sequence[str], *, timeout: float) -> AnalyzerResult:
        return await self.inner.run(root, [p for p in paths if p not in self.hidden], timeout=timeout)


def hide_skipped(analyzers: Sequence[Analyzer], secrets_only: frozenset[str]) -> list[Analyzer]:
    """The analyzers, each that does not read skipped files narrowed to the files not skipped."""
    if not secrets_only:
        return list(analyzers)
    return [a if reads_skipped_files(a) else WithoutFiles(a, secrets_only) for a in analyzers]


def names_rule(rules: Collection[str], finding: Finding) -> bool:
    """Whether ``rules`` names the finding's rule: "B101" or "bandit:B101"."""
    return finding.rule_id in rules or f"{finding.tool}:{finding.rule_id}" in rules


@functools.lru_cache(maxsize=512)
def glob_spec(glob: str) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines([glob])


def is_ignored(finding: Finding, settings: ReviewSettings) -> bool:
    """Switched off by the policy: everywhere (``ignore_rules``) or in the files a glob of
    ``paths`` matches (the built-in entries quiet test-only rules in tests)."""
    if names_rule(settings.ignore_rules, finding):
        return True
    return any(
        names_rule(rules, finding) and glob_spec(glob).match_file(finding.path)
        for glob, rules in settings.paths.entries
    )


def kept_by_policy(
    findings: Iterable[Finding], settings: ReviewSettings, read_lines: Callable[[str], Sequence[str]]
) -> list[Finding]:
    """The findings the policy keeps: not ignored, and not on a line the allow-list of their
    rule recognises as something else (bot/pipeline/allowlist.py). ``read_lines(path)`` gives the
    head version's lines; a file is read only for a finding whose rule has an allow-list."""
    lines: dict[str, Sequence[str]] = {}
    kept = []
    for finding in findings:
        if is_ignored(finding, settings):
            continue
        check = allowlist.ALLOWED.get(f"{finding.tool}:{finding.rule_id}")
        if check is not None:
            if finding.path not in lines:
                try:
                    lines[finding.path] = read_lines(finding.path)
                except OSError:
                    lines[finding.path] = ()
            text = lines[finding.path][finding.line - 1 : finding.line]
            if text and check(text[0]):
                continue
        kept.append(finding)
    return kept


def write_rule_files(folder: Path, rule_files: Mapping[str, bytes]) -> list[Path]:
    """Write the repository's extra semgrep rules (read from its base branch) as local files."""
    paths = []
    for i, (name, data) in enumerate(sorted(rule_files.items())):
        folder.mkdir(parents=True, exist_ok=True)
        # Our own file names: a repository path never becomes a path on this machine.
        target = folder / f"{i:02d}-{Path(name).stem[:40] or 'rules'}.yml"
        target.write_bytes(data)
        paths.append(target)
    return paths


@dataclass
class InlineSelection:
    """Which new findings become inline comments and which are only listed (summary, check run)."""

    inline: list[Finding] = field(default_factory=list)  # the most severe first, at most the budget
    overflow: list[Finding] = field(default_factory=list)  # over the budget: listed in the summary
    below: list[Finding] = field(default_factory=list)  # under ``comment_on``: summary and check run

    @property
    def new(self) -> list[Finding]:
        """What this review raises (inline or in the list of the rest): remembered as said."""
        return self.inline + self.overflow


def inline_rank(finding: Finding) -> tuple[int, int, str, int, str, str]:
    """Most severe first; among equals the surer first (several tools agreeing), then by place."""
    return (
        -SEVERITY_RANK[finding.severity],
        -len(finding.sources),
        finding.path,
        finding.line,
        finding.tool,
        finding.rule_id,
    )


def select_inline(
    findings: Sequence[Finding], settings: ReviewSettings, said: Collection[str] = ()
) -> InlineSelection:
    """The inline comments of one review: not said before, at least ``comment_on``, the most
    severe kept when there are more than ``max_inline_comments``."""
    selection = InlineSelection()
    seen: set[str] = set()
    wanted: list[Finding] = []
    for finding in findings:
        if finding.fingerprint in said or finding.fingerprint in seen:
            continue
        seen.add(finding.fingerprint)
        if severity_at_least(finding.severity, settings.comment_on):
            wanted.append(finding)
        else:
            selection.below.append(finding)
    wanted.sort(key=inline_rank)
    selection.inline = wanted[: settings.max_inline_comments]
    selection.overflow = wanted[settings.max_inline_comments :]
    return selection
