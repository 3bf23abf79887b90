"""A labelled corpus: every head commit introduces known problems (or is a clean refactor).

Each case under tests/corpus/ holds ``before/`` (the base commit) and ``after/`` (the head).
A line of ``after/`` that carries the word EXPECT in a comment must get a finding (where a
trailing comment is not allowed, as after a Dockerfile instruction, a comment line holding
EXPECT-NEXT labels the line below it instead); problems
already present in ``before/`` are not labelled and must not be reported (they are not on
changed lines), and cases named ``clean-*`` must yield nothing at all. The test scores recall
over all labelled lines and fails below 90 %, or on any finding outside the changed lines.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from analyzers import Finding
from analyzers.diff import parse_unified_diff
from bot.review import review_local

CORPUS = Path(__file__).parent / "corpus"
LABEL = "EXPECT"
LABEL_NEXT = "EXPECT-NEXT"
MIN_RECALL = 0.90


@dataclass
class CaseResult:
    name: str
    labelled: set[tuple[str, int]]
    findings: list[Finding]
    changed: dict[str, set[int]]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=corpus", "-c", "user.email=corpus@example.com", *args],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return done.stdout.decode()


def build_repo(case: Path, repo: Path) -> None:
    shutil.copytree(case / "before", repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "before")
    git(repo, "checkout", "-q", "-b", "feature")
    for child in repo.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(case / "after", repo, dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "after")


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


def review_case(case: Path, tmp_path: Path) -> CaseResult:
    repo = tmp_path / case.name
    build_repo(case, repo)
    outcome = asyncio.run(review_local(repo, base="main", head="feature"))
    diff = parse_unified_diff(git(repo, "diff", "-M", "main...feature"))
    changed = {path: d.added for path, d in diff.items()}
    return CaseResult(case.name, labels(case / "after"), outcome.findings, changed)


def language(case_name: str) -> str:
    return case_name.split("-")[0]


def cases() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if (p / "after").is_dir())


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> list[CaseResult]:
    tmp = tmp_path_factory.mktemp("corpus")
    return [review_case(case, tmp) for case in cases()]


def test_corpus_covers_the_languages():
    names = {language(case.name) for case in cases()}
    assert len(names) >= 12, sorted(names)


def test_no_finding_lies_outside_the_changed_lines(results):
    outside = [
        f"{r.name}: {f.path}:{f.line}-{f.end_line} {f.tool} {f.rule_id}"
        for r in results
        for f in r.findings
        if not all(n in r.changed.get(f.path, set()) for n in range(f.line, f.end_line + 1))
    ]
    assert outside == []


def test_clean_refactors_yield_nothing(results):
    assert any("clean" in r.name for r in results), "the corpus has no clean refactor"
    noisy = [
        f"{r.name}: {f.path}:{f.line} {f.tool} {f.rule_id}"
        for r in results
        if "clean" in r.name
        for f in r.findings
    ]
    assert noisy == []


def test_recall_on_labelled_lines(results):
    labelled = {(r.name, path, line) for r in results for path, line in r.labelled}
    hit = {(r.name, f.path, n) for r in results for f in r.findings for n in range(f.line, f.end_line + 1)}
    missed = sorted(labelled - hit)
    recall = 1 - len(missed) / max(len(labelled), 1)
    # Shown with -s: where the analyzers are weak, per language, to steer rule work.
    for lang in sorted({language(r.name) for r in results}):
        mine = {item for item in labelled if language(item[0]) == lang}
        if mine:
            found = len(mine & hit)
            print(f"corpus recall {lang:<12} {found:>3}/{len(mine):<3} {found / len(mine):.0%}")
    print(f"corpus recall {'all':<12} {len(labelled) - len(missed):>3}/{len(labelled):<3} {recall:.0%}")
    assert labelled, "the corpus has no labelled lines"
    assert recall >= MIN_RECALL, f"recall {recall:.0%} < {MIN_RECALL:.0%}; missed: {missed}"
