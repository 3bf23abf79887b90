"""What a review looks at and what it keeps, per the repository's policy (ReviewSettings).

Skips (vendored, generated, minified, lock files) spare people comments on code nobody wrote by
hand; they never spare a leaked credential: a file skipped for that reason still goes to the
analyzers that read skipped files (the secret scanner). Only binaries are skipped by all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from analyzers import Analyzer, AnalyzerResult, Finding, default_analyzers
from analyzers.diff import FileDiff
from analyzers.limits import MIB, ResourceLimits
from analyzers.skip import skip_reason_for_content, skip_reason_for_path
from bot.config import ReviewSettings

SECRETS_ONLY = "; checked for secrets only"


def tool_limits(settings: ReviewSettings) -> ResourceLimits:
    return ResourceLimits(
        memory_bytes=settings.analyzer_memory_mb * MIB, cpu_seconds=settings.analyzer_cpu_seconds
    )


def build_analyzers(settings: ReviewSettings, extra_semgrep_rules: Sequence[Path] = ()) -> list[Analyzer]:
    """The analyzers this repository has on, semgrep with the repository's extra rules."""
    limits = tool_limits(settings)
    analyzers = default_analyzers(limits)
    if extra_semgrep_rules:
        from analyzers.semgrep import SemgrepAnalyzer

        analyzers = [
            SemgrepAnalyzer(extra_rule_paths=extra_semgrep_rules, limits=limits) if a.name == "semgrep" else a
            for a in analyzers
        ]
    return [a for a in analyzers if a.name not in settings.disabled_analyzers]


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


def is_ignored(finding: Finding, settings: ReviewSettings) -> bool:
    rules = settings.ignore_rules
    return finding.rule_id in rules or f"{finding.tool}:{finding.rule_id}" in rules


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
