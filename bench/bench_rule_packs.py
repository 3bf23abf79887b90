"""Well-kept rule packs against the bot's own rules, on the same outside cases.

Run by hand:  .venv/bin/python bench/bench_rule_packs.py [--packs DIR] [--install]

Issue 12 asks, where a maintained rule pack exists for a field and its licence allows shipping it,
to measure it against our rules on the same cases and to use the better. The packs measured:

  njsscan    (Node.js; LGPL-3.0-or-later)  on the JavaScript and TypeScript cases
  mobsfscan  (Android; LGPL-3.0-or-later)  on the Kotlin (Android) cases
  checkov    (Terraform; Apache-2.0)       on the Terraform cases

of tests/corpus_outside (README there). Each pack lives in a virtual environment of its own under
``--packs`` (``--install`` makes them with pip; they are not dependencies of the project). For each
pack, every case's ``after/`` tree is put under one directory (``<case>/...``) and the pack runs
once over it, as the bot's semgrep does over a batch; a finding counts where its line range holds
a labelled line (recall), and on a clean case when it touches a line the case's change added
(false positive), exactly as bench_recall.py counts the bot's. The bot's side is its whole
review of the same cases (tests/corpus_tools.py review_batch). Printed per pack: recall on each
half, false positives per 10 clean pull requests, what the union of both would find, the wall
time of one run over all the cases, and the pack's installed size.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.corpus_tools import (  # noqa: E402
    OUTSIDE,
    case_meta,
    corpus_cases,
    hash_split,
    is_clean,
    labels,
    language,
    review_batch,
)

Hit = tuple[str, int, int]  # (path in the case, first line, last line)


@dataclass(frozen=True)
class Pack:
    name: str
    languages: tuple[str, ...]
    argv: Callable[[Path, Path, Path], list[str]]  # (venv, target dir, JSON out) -> command
    parse: Callable[[Any], Iterator[tuple[str, int, int, str]]]  # report -> (path, start, end, rule)


def _libsast_results(report: Any) -> Iterator[tuple[str, int, int, str]]:
    """njsscan's and mobsfscan's JSON (both built on libsast): {section: {rule: {files: [...]}}}."""
    sections = (
        [report.get("results")] if "results" in report else [report.get(k) for k in ("nodejs", "templates")]
    )
    for section in sections:
        for rule, entry in (section or {}).items():
            for match in (entry or {}).get("files") or []:
                lines = match.get("match_lines") or [0, 0]
                yield str(match.get("file_path", "")), int(lines[0]), int(lines[-1]), rule


def _checkov_results(report: Any) -> Iterator[tuple[str, int, int, str]]:
    for block in report if isinstance(report, list) else [report]:
        for check in ((block or {}).get("results") or {}).get("failed_checks") or []:
            first, last = (check.get("file_line_range") or [0, 0])[:2]
            path = str(check.get("file_abs_path") or check.get("file_path") or "")
            yield path, int(first), int(last), str(check.get("check_id"))


PACKS = (
    Pack(
        "njsscan",
        ("javascript", "typescript"),
        lambda venv, target, out: [str(venv / "bin" / "njsscan"), "--json", "-o", str(out), str(target)],
        _libsast_results,
    ),
    Pack(
        "mobsfscan",
        ("kotlin",),
        lambda venv, target, out: [str(venv / "bin" / "mobsfscan"), "--json", "-o", str(out), str(target)],
        _libsast_results,
    ),
    Pack(
        "checkov",
        ("terraform",),
        lambda venv, target, out: [
            str(venv / "bin" / "checkov"),
            "-d",
            str(target),
            "--framework",
            "terraform",
            "-o",
            "json",
            "--quiet",
            "--compact",
            "--skip-download",
            "--output-file-path",
            str(out.parent),
        ],
        _checkov_results,
    ),
)


def added_lines(case: Path) -> dict[str, set[int]]:
    """The lines each file of the case's ``after/`` adds to its ``before/`` (what a PR changed)."""
    added: dict[str, set[int]] = {}
    after = case / "after"
    for path in after.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(after).as_posix()
        new = path.read_text(errors="replace").splitlines()
        old_path = case / "before" / rel
        old = old_path.read_text(errors="replace").splitlines() if old_path.is_file() else []
        lines: set[int] = set()
        for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if tag in ("replace", "insert"):
                lines.update(range(j1 + 1, j2 + 1))
        added[rel] = lines
    return added


def run_pack(pack: Pack, venv: Path, cases: list[Path], work: Path) -> tuple[dict[str, list[Hit]], float]:
    """One run of the pack over every case's after tree; its findings per case, and the wall time."""
    target = work / f"{pack.name}-target"
    for case in cases:
        shutil.copytree(case / "after", target / case.name)
    out = work / f"{pack.name}-out" / "results_json.json"
    out.parent.mkdir(parents=True)
    started = time.monotonic()
    done = subprocess.run(
        pack.argv(venv, target, out),
        capture_output=True,
        timeout=900,
        cwd=work,
        env={**os.environ, "HOME": str(work), "PATH": f"{venv / 'bin'}:{os.environ.get('PATH', '')}"},
    )
    wall = time.monotonic() - started
    if not out.is_file():
        raise SystemExit(
            f"{pack.name} wrote no report (exit {done.returncode}): {done.stderr[-800:].decode()}"
        )
    report = json.loads(out.read_text())
    if isinstance(report, dict) and report.get("errors"):  # the pack's own trouble: the figures would lie
        raise SystemExit(f"{pack.name} reported errors: {str(report['errors'])[:800]}")
    found: dict[str, list[Hit]] = {case.name: [] for case in cases}
    for path, first, last, _rule in pack.parse(report):
        rel = (
            Path(path).resolve().relative_to(target.resolve())
            if Path(path).is_absolute()
            else Path(path.lstrip("/"))
        )
        parts = rel.parts
        if parts and parts[0] in found:
            found[parts[0]].append((Path(*parts[1:]).as_posix(), first, max(first, last)))
    return found, wall


@dataclass
class Tally:
    labelled: dict[str, int]
    found: dict[str, int]
    false_positives: int = 0
    clean: int = 0

    def cell(self, split: str) -> str:
        n, k = self.labelled[split], self.found[split]
        return f"{k}/{n} {k / n:>4.0%}" if n else "-"


def score(cases: list[Path], hits: dict[str, list[Hit]]) -> Tally:
    tally = Tally({"tuning": 0, "heldout": 0}, {"tuning": 0, "heldout": 0})
    for case in cases:
        mine = hits.get(case.name, [])
        if is_clean(case.name):
            changed = added_lines(case)
            tally.clean += 1
            tally.false_positives += sum(
                1 for path, a, b in mine if any(n in changed.get(path, set()) for n in range(a, b + 1))
            )
            continue
        split = _split(case)
        for path, line in labels(case / "after"):
            tally.labelled[split] += 1
            tally.found[split] += any(p == path and a <= line <= b for p, a, b in mine)
    return tally


def _split(case: Path) -> str:
    return case_meta(case).get("split", hash_split(case.name))


def size_mb(venv: Path) -> float:
    return sum(p.stat().st_size for p in venv.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def install(packs: Path, pack: Pack) -> Path:
    venv = packs / pack.name
    if not (venv / "bin" / pack.name).exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", pack.name], check=True, timeout=1800)
    return venv


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", type=Path, default=Path(tempfile.gettempdir()) / "review-bot-rule-packs")
    parser.add_argument("--install", action="store_true", help="make each pack's venv with pip if missing")
    args = parser.parse_args()
    all_cases = corpus_cases(OUTSIDE)
    print(f"cores: {os.cpu_count()}    load: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print(f"{'pack':<10} {'cases':>5} {'tuning':>12} {'held-out':>12}", end=" ")
    print(f"{'FP/10 clean':>12} {'wall s':>7} {'size MB':>8}")
    for pack in PACKS:
        venv = install(args.packs, pack) if args.install else args.packs / pack.name
        if not (venv / "bin" / pack.name).exists():
            print(f"{pack.name:<10} not installed in {venv} (run with --install)")
            continue
        cases = [c for c in all_cases if language(c.name) in pack.languages]
        with tempfile.TemporaryDirectory(prefix="rule-packs-") as tmp:
            theirs, wall = run_pack(pack, venv, cases, Path(tmp))
            started = time.monotonic()
            results = review_batch(cases, Path(tmp) / "bot")
            ours_wall = time.monotonic() - started
        ours = {r.name: [(f.path, f.line, f.end_line) for f in r.findings] for r in results}
        both = {name: theirs.get(name, []) + ours.get(name, []) for name in ours}
        for label, hits, seconds, size in (
            (pack.name, theirs, f"{wall:7.1f}", f"{size_mb(venv):8.0f}"),
            ("  the bot", ours, f"{ours_wall:7.1f}", f"{'':>8}"),
            ("  both", both, f"{'':>7}", f"{'':>8}"),
        ):
            t = score(cases, hits)
            fp = f"{10 * t.false_positives / t.clean:.1f} ({t.false_positives})" if t.clean else "-"
            row = f"{label:<10} {len(cases):>5} {t.cell('tuning'):>12} {t.cell('heldout'):>12}"
            print(f"{row} {fp:>12} {seconds} {size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
