"""Shared by tests/test_corpus.py and bench/bench_recall.py: build labelled cases into git
repositories, review them with the bot's own path (bot.pipeline.local.review_local), and score them.

A case is a directory with ``before/`` and ``after/`` trees (see tests/test_corpus.py for the
EXPECT labels). The outside corpus (tests/corpus_outside, README there) adds a ``case.yml``
naming the source, its licence and the case's split (tuning or held-out).
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analyzers import Finding
from analyzers.diff import parse_unified_diff
from bot.config import ReviewSettings
from bot.pipeline.local import review_local

LABEL = "EXPECT"
LABEL_NEXT = "EXPECT-NEXT"
OUTSIDE = Path(__file__).parent / "corpus_outside"
SPLITS = ("tuning", "heldout")
# Cases reviewed together in one throwaway repository (one review, one semgrep process):
# findings are per file, so batching changes nothing but the time it takes.
BATCH = 40


@dataclass
class CaseResult:
    name: str
    labelled: set[tuple[str, int]]
    findings: list[Finding]
    changed: dict[str, set[int]]
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def hit(self) -> set[tuple[str, int]]:
        return {(f.path, n) for f in self.findings for n in range(f.line, f.end_line + 1)}

    @property
    def outside(self) -> list[Finding]:
        """Findings that are not entirely on lines the case's change added."""
        return [
            f
            for f in self.findings
            if not all(n in self.changed.get(f.path, set()) for n in range(f.line, f.end_line + 1))
        ]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=corpus", "-c", "user.email=corpus@example.com", *args],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return done.stdout.decode()


def labels(after: Path) -> set[tuple[str, int]]:
    found = set()
    for path in after.rglob("*"):
        if path.is_file():
            rel = path.relative_to(after).as_posix()
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
                if LABEL_NEXT in line:
                    found.add((rel, number + 1))
                elif LABEL in line:
                    found.add((rel, number))
    return found


def language(case_name: str) -> str:
    return case_name.split("-")[0]


def is_clean(case_name: str) -> bool:
    return "clean" in case_name.split("-")


def hash_split(case_name: str) -> str:
    """The split a case belongs to, fixed by its name before any rule was tuned (README)."""
    return "heldout" if hashlib.sha256(case_name.encode()).digest()[0] % 2 == 1 else "tuning"


def case_meta(case: Path) -> dict[str, str]:
    meta_file = case / "case.yml"
    if not meta_file.is_file():
        return {}
    data = yaml.safe_load(meta_file.read_text(encoding="utf-8")) or {}
    return {str(key): str(value) for key, value in data.items()}


def corpus_cases(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "after").is_dir())


def _copy_tree(src: Path, dest: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dest, dirs_exist_ok=True)


def build_repo(cases: list[Path], repo: Path, *, nested: bool) -> None:
    """One repository whose main branch holds the cases' before trees and feature their after trees.

    ``nested`` puts each case under a directory of its name (for batches); otherwise the single
    case's trees are the repository's root, as tests/test_corpus.py has always built them.
    """
    repo.mkdir(parents=True)
    for case in cases:
        _copy_tree(case / "before", repo / case.name if nested else repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "before")
    git(repo, "checkout", "-q", "-b", "feature")
    for child in repo.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for case in cases:
        _copy_tree(case / "after", repo / case.name if nested else repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "after")


def _review(repo: Path, settings: ReviewSettings | None) -> tuple[list[Finding], dict[str, set[int]]]:
    outcome = asyncio.run(review_local(repo, base="main", head="feature", settings=settings))
    diff = parse_unified_diff(git(repo, "diff", "-M", "main...feature"))
    return outcome.findings, {path: d.added for path, d in diff.items()}


def review_case(case: Path, tmp_path: Path) -> CaseResult:
    """One case, one repository, one review: the case's files at the repository root."""
    repo = tmp_path / case.name
    build_repo([case], repo, nested=False)
    findings, changed = _review(repo, None)
    return CaseResult(case.name, labels(case / "after"), findings, changed, case_meta(case))


def review_batch(cases: list[Path], tmp_path: Path) -> list[CaseResult]:
    """Cases reviewed BATCH at a time, each under its own directory, results split back per case."""
    results = []
    settings = ReviewSettings(max_files=10_000)
    for start in range(0, len(cases), BATCH):
        chunk = cases[start : start + BATCH]
        repo = tmp_path / f"batch-{start}"
        build_repo(chunk, repo, nested=True)
        findings, changed = _review(repo, settings)
        for case in chunk:
            prefix = case.name + "/"
            mine = [f for f in findings if f.path.startswith(prefix)]
            results.append(
                CaseResult(
                    case.name,
                    labels(case / "after"),
                    [_strip(f, prefix) for f in mine],
                    {p[len(prefix) :]: lines for p, lines in changed.items() if p.startswith(prefix)},
                    case_meta(case),
                )
            )
    return results


def _strip(finding: Finding, prefix: str) -> Finding:
    from dataclasses import replace

    return replace(finding, path=finding.path[len(prefix) :])


@dataclass
class Score:
    labelled: int = 0
    found: int = 0
    missed: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0

    def add(self, result: CaseResult) -> None:
        self.labelled += len(result.labelled)
        hit = result.hit
        self.found += len(result.labelled & hit)
        self.missed += [f"{result.name}: {path}:{line}" for path, line in sorted(result.labelled - hit)]


def split_of(result: CaseResult) -> str:
    return result.meta.get("split", hash_split(result.name))


def meta_problems(cases: list[Path]) -> list[str]:
    """What is wrong with the cases' case.yml: a source URL, a licence, and the split the name's hash
    gives (unless the case was moved to tuning and says why)."""
    problems = []
    for case in cases:
        meta = case_meta(case)
        if not meta.get("source", "").startswith("https://"):
            problems.append(f"{case.name}: no source URL")
        if not meta.get("licence"):
            problems.append(f"{case.name}: no licence")
        if meta.get("split") != hash_split(case.name) and not (
            meta.get("split") == "tuning" and meta.get("moved")
        ):
            problems.append(f"{case.name}: split {meta.get('split')!r} is not {hash_split(case.name)!r}")
    return problems
