"""What a review looks at and what it keeps, per the repository's policy (ReviewSettings)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pathspec

from analyzers import Analyzer, Finding, default_analyzers
from analyzers.diff import FileDiff
from analyzers.skip import skip_reason_for_content, skip_reason_for_path
from bot.config import ReviewSettings


def build_analyzers(settings: ReviewSettings, extra_semgrep_rules: Sequence[Path] = ()) -> list[Analyzer]:
    """The analyzers this repository has on, semgrep with the repository's extra rules."""
    analyzers = default_analyzers()
    if extra_semgrep_rules:
        from analyzers.semgrep import SemgrepAnalyzer

        analyzers = [
            SemgrepAnalyzer(extra_rule_paths=extra_semgrep_rules) if a.name == "semgrep" else a
            for a in analyzers
        ]
    return [a for a in analyzers if a.name not in settings.disabled_analyzers]


def globs(patterns: Sequence[str]) -> pathspec.GitIgnoreSpec | None:
    return pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None


def select_paths(
    diffs: Mapping[str, FileDiff], analyzers: Sequence[Analyzer], settings: ReviewSettings
) -> tuple[list[str], dict[str, str], list[str]]:
    """The changed files to analyze, those left out with the reason, and those over ``max_files``."""
    include, exclude = globs(settings.include), globs(settings.exclude)
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
