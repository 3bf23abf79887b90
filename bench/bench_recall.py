"""Recall and precision on code nobody here wrote: the outside corpus, reviewed as a user would.

Run by hand:  .venv/bin/python bench/bench_recall.py [--corpus tests/corpus_outside] [--own]
              [--with-pending] [--language LANG ...] [--show-tuning-misses] [--show-heldout-misses]

Every case of tests/corpus_outside (README there: sources, licences, the split fixed by a hash
of the case name) is built into throwaway git repositories (a base commit with the cases'
``before/`` trees, a head commit with their ``after/`` trees) and reviewed by the bot's own
path, ``bot.pipeline.local.review_local``, with the default settings, exactly as ``review-bot review``
would. Cases are reviewed 40 at a time, each under its own directory; findings are per file,
so this only saves process start-ups. Prints, per language and in all:

  the number of labelled (not clean) cases;
  recall on the tuning half and on the held-out half (labelled lines with a finding / labelled
  lines), separately: rules may be fixed after reading a tuning miss, never a held-out one;
  false positives per 10 clean pull requests (cases named <lang>-clean-*: safe code on the same
  APIs; every finding there is a false positive);
  findings on untouched lines (must be 0: the bot comments only on lines a change added).

Held-out misses are not listed unless asked (--show-heldout-misses), so that nobody tunes a rule
to them by accident; a rule changed after reading one moves that case to the tuning half.
``--own`` adds the project's own labelled corpus (tests/corpus) as a last line, for comparison.
``--with-pending`` adds tests/corpus_outside_pending (outside cases measured but not gated: README
there) to the corpus, so the table shows the recall the gate would see with them. Every case's
case.yml is checked as the test checks it (source URL, licence, split from the hash), and each
problem is printed. ``--language`` keeps only the cases of the named languages (the prefix of a
case's name, e.g. ``ruby``): a quicker run while working on one language's rules.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.corpus_tools import (  # noqa: E402
    OUTSIDE,
    CaseResult,
    Score,
    corpus_cases,
    is_clean,
    language,
    meta_problems,
    review_batch,
    split_of,
)

PENDING = ROOT / "tests" / "corpus_outside_pending"


def table(results: list[CaseResult]) -> tuple[list[str], dict[str, Score]]:
    langs = sorted({language(r.name) for r in results})
    totals = {"tuning": Score(), "heldout": Score()}
    lines = [f"{'language':<12} {'cases':>5} {'tuning':>14} {'held-out':>14} {'clean PRs':>10} {'FP':>4}"]
    for lang in [*langs, "all"]:
        mine = [r for r in results if lang in ("all", language(r.name))]
        scores = {"tuning": Score(), "heldout": Score()}
        for result in mine:
            if not is_clean(result.name):
                scores[split_of(result)].add(result)
        clean = [r for r in mine if is_clean(r.name)]
        false_positives = sum(len(r.findings) for r in clean)
        cells = [
            f"{s.found:>3}/{s.labelled:<3} {s.recall:>5.0%}" if s.labelled else f"{'-':>14}"
            for s in scores.values()
        ]
        labelled = len(mine) - len(clean)
        row = f"{lang:<12} {labelled:>5} {cells[0]:>14} {cells[1]:>14}"
        lines.append(f"{row} {len(clean):>10} {false_positives:>4}")
        if lang == "all":
            totals = scores
    return lines, totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=OUTSIDE)
    parser.add_argument("--own", action="store_true", help="also score tests/corpus")
    parser.add_argument("--with-pending", action="store_true", help=f"also score {PENDING.name}")
    parser.add_argument("--language", nargs="+", default=[], help="only cases of these languages")
    parser.add_argument("--show-tuning-misses", action="store_true")
    parser.add_argument("--show-heldout-misses", action="store_true")
    args = parser.parse_args()

    cases = corpus_cases(args.corpus)
    sources = [str(args.corpus)]
    if args.with_pending and args.corpus.resolve() != PENDING.resolve():
        cases += corpus_cases(PENDING)
        sources.append(str(PENDING))
    if args.language:
        cases = [case for case in cases if language(case.name) in args.language]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-recall-") as tmp:
        results = review_batch(cases, Path(tmp))
        own = review_batch(corpus_cases(ROOT / "tests" / "corpus"), Path(tmp) / "own") if args.own else []
    elapsed = time.monotonic() - started

    splits = Counter(split_of(r) for r in results if not is_clean(r.name))
    clean = [r for r in results if is_clean(r.name)]
    print(
        f"outside corpus: {len(results)} cases ({splits['tuning']} tuning, {splits['heldout']} held-out, "
        f"{len(clean)} clean) from {' + '.join(sources)}"
    )
    for problem in meta_problems(cases):
        print(f"  case.yml problem: {problem}")
    lines, totals = table(results)
    print("\n".join(lines))
    false_positives = sum(len(r.findings) for r in clean)
    per_ten = 10 * false_positives / len(clean) if clean else 0.0
    print(
        f"false positives per 10 clean PRs: {per_ten:.1f} "
        f"({false_positives} findings in {len(clean)} clean PRs)"
    )
    untouched = [
        f"{r.name}: {f.path}:{f.line} {f.tool} {f.rule_id}" for r in [*results, *own] for f in r.outside
    ]
    print(f"findings on untouched lines: {len(untouched)}")
    for item in untouched:
        print(f"  {item}")
    if own:
        score = Score()
        for result in own:
            score.add(result)
        print(f"own corpus (tests/corpus): {score.found}/{score.labelled} {score.recall:.0%}")
    for result in clean:
        for finding in result.findings:
            print(
                f"  false positive: {result.name}: {finding.path}:{finding.line} "
                f"{finding.tool} {finding.rule_id}"
            )
    if args.show_tuning_misses:
        for item in totals["tuning"].missed:
            print(f"  tuning miss: {item}")
    if args.show_heldout_misses:
        for item in totals["heldout"].missed:
            print(f"  held-out miss: {item}")
    print(f"({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
