"""What does the agent dialogue add to a review's time, by the size of the pull request?

Run by hand:  .venv/bin/python bench/bench_agents.py [--runs 3] [--agent-runs 3] [--budget 300]

Starts the local OpenAI-compatible server the `llm` tests use (tests/llm_server.py: llama.cpp
with SmolLM2-135M-Instruct, on 127.0.0.1, one generation thread) and builds three throwaway git
repositories whose `feature` branch adds or modifies 1, 10 and 50 files (Python and JavaScript,
made by repeating bench_analyzers.py's function templates, with real problems in every third
file). For each it times `bot.pipeline.local.review_local(repo, base="main")` without agents (median of
--runs) and with them (median of --agent-runs, rounds over the three sizes while the --budget
lasts), the dialogue alone inside that review (bot.pipeline.analyze.discuss_outcome), and prints its share
of the review's time, the prompt/completion tokens the server reported, and whether the
dialogue ran or was skipped and why.

The dialogue is kept small and bounded: --max-turns agent messages (2), a --max-tokens budget
per review (8000, which caps the prompt at about 2000 estimated tokens however big the PR),
--timeout seconds for the whole dialogue (90), n_ctx 8192. A 135M model reviews badly: its
answers are usually not the JSON asked for, so "skipped: invalid JSON" after it has talked is
the expected outcome, and it costs the same as a dialogue that ran. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import openai
from bench_analyzers import JS_BAD, JS_FUNC, JS_HEAD, PY_BAD, PY_FUNC, PY_HEAD

import bot.pipeline.run
from bot.agents.config import AgentConfig, load_agent_config
from bot.agents.team import DEFAULT_BREAKER
from bot.pipeline.analyze import ReviewOutcome
from bot.pipeline.local import review_local

from rawtools import git, median

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests/
from tests.llm_server import LlamaServer

SIZES = (1, 10, 50)
N_CTX = 8192
MAX_RUNS = 10


# ---------------------------------------------------------------------------------------------
# The repositories.


def source(index: int, *, base: bool) -> tuple[str, str]:
    """File ``index`` of a PR: Python or JavaScript, 6-12 functions, problems in every third."""
    python = index % 2 == 0
    head, template, bad = (PY_HEAD, PY_FUNC, PY_BAD) if python else (JS_HEAD, JS_FUNC, JS_BAD)
    path = f"app/module_{index:02d}.py" if python else f"web/module_{index:02d}.js"
    reps = 6 + index % 7 - (2 if base else 0)
    funcs = [template.replace("@N@", f"{index}{n}") for n in range(1, reps + 1)]
    middle = len(funcs) // 2
    problems = [bad] if index % 3 == 0 and not base else []
    return path, head + "".join(funcs[:middle] + problems + funcs[middle:])


def build_repo(repo: Path, files: int) -> int:
    """`main`, and `feature` adding (odd index) or modifying (even) ``files`` files; its line count."""
    git(repo.parent, "init", "--quiet", "--initial-branch=main", repo.name)
    (repo / "README.md").write_text("# bench_agents\n", encoding="utf-8")
    for index in range(files):
        if index % 2 == 0:
            write(repo, *source(index, base=True))
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-gpg-sign", "-m", "base")
    git(repo, "checkout", "--quiet", "-b", "feature")
    lines = 0
    for index in range(files):
        path, text = source(index, base=False)
        write(repo, path, text)
        lines += text.count("\n")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-gpg-sign", "-m", f"Rework {files} module(s)\n\nBench change.")
    return lines


def write(repo: Path, path: str, text: str) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# The reviews.

_dialogue_seconds: list[float] = []
_discuss_outcome = bot.pipeline.run.discuss_outcome


async def timed_discuss_outcome(*args, **kwargs):
    """bot.pipeline.analyze.discuss_outcome, timed: run_review calls it by its module-global name."""
    started = time.perf_counter()
    try:
        return await _discuss_outcome(*args, **kwargs)
    finally:
        _dialogue_seconds.append(time.perf_counter() - started)


@dataclass
class Run:
    total: float
    dialogue: float
    outcome: ReviewOutcome


def review(repo: Path, agents: AgentConfig | None) -> Run:
    DEFAULT_BREAKER.__init__()  # an unusable answer counts as a failure: 3 would open the circuit
    _dialogue_seconds.clear()
    started = time.perf_counter()
    outcome = asyncio.run(review_local(repo, base="main", agents=agents))
    total = time.perf_counter() - started
    if outcome.errors:
        print(f"warning: analyzer errors: {outcome.errors}")
    return Run(total, sum(_dialogue_seconds), outcome)


def agent_config(path: Path, server: LlamaServer, args: argparse.Namespace) -> AgentConfig:
    path.write_text(
        f"""llm:
  provider: openai-compatible
  base_url: {server.base_url}
  api_key_env: BENCH_AGENTS_UNSET_KEY
  timeout_seconds: {args.timeout}
  max_tokens_per_review: {args.max_tokens}
  context_window: {N_CTX}
agents:
  coder: {{model: {server.model}}}
  reviewer: {{model: {server.model}}}
conversation:
  max_turns: {args.max_turns}
""",
        encoding="utf-8",
    )
    return load_agent_config(path)


def outcome_line(run: Run) -> str:
    review = run.outcome.discussion.review if run.outcome.discussion else None
    if review is None:
        return "(no dialogue)"
    state = "ran" if review.skipped is None else f"skipped: {review.skipped}"
    left = f", {len(review.left_out)} left out of the prompt" if review.left_out else ""
    return f"{len(review.transcript)} messages, {state}{left}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="reviews without agents per size (median)")
    parser.add_argument("--agent-runs", type=int, default=3, help="reviews with agents per size, at most")
    parser.add_argument(
        "--budget", type=float, default=300, help="seconds: no new round with agents starts after this"
    )
    parser.add_argument("--max-turns", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=8000, help="llm.max_tokens_per_review")
    parser.add_argument("--timeout", type=float, default=90, help="llm.timeout_seconds")
    parser.add_argument("--keep", action="store_true", help="keep the repositories and the server log")
    args = parser.parse_args()
    runs = min(max(args.runs, 1), MAX_RUNS)
    agent_runs = min(max(args.agent_runs, 1), MAX_RUNS)

    import bot.agents.dialogue  # autogen's imports (0.6 s) outside the timings, as in the long-running App

    bot.pipeline.run.discuss_outcome = timed_discuss_outcome
    tmp = Path(tempfile.mkdtemp(prefix="bench-agents-"))
    began = time.monotonic()
    try:
        repos = {}
        for files in SIZES:
            repo = tmp / f"pr-{files}"
            repos[files] = (repo, build_repo(repo, files))
        with LlamaServer.start(tmp / "llm-server.log", n_ctx=N_CTX) as server:
            client = openai.OpenAI(base_url=server.base_url, api_key="not-needed", timeout=60, max_retries=0)
            client.chat.completions.create(  # untimed: the model's pages in memory
                model=server.model, messages=[{"role": "user", "content": "Hi"}], max_tokens=1
            )
            config = agent_config(tmp / "agent_config.yaml", server, args)
            plain: dict[int, list[Run]] = {}
            for files, (repo, _) in repos.items():
                review(repo, None)  # untimed: tool versions cached, files in the page cache
                plain[files] = [review(repo, None) for _ in range(runs)]
            with_agents: dict[int, list[Run]] = {files: [] for files in SIZES}
            last_round = 0.0
            for _ in range(agent_runs):  # rounds over the sizes, so all get the same number of runs
                if with_agents[SIZES[0]] and time.monotonic() - began + last_round > args.budget:
                    break  # the next round would end past the budget
                round_started = time.monotonic()
                for files, (repo, _) in repos.items():
                    with_agents[files].append(review(repo, config))
                last_round = time.monotonic() - round_started
            elapsed = time.monotonic() - began

            print(
                f"model: {server.model} on llama.cpp at 127.0.0.1, n_ctx {N_CTX}, 1 generation thread, "
                f"started in {server.startup_seconds:.1f} s"
            )
            print(
                f"dialogue: max_turns {args.max_turns}, max_tokens_per_review {args.max_tokens}, "
                f"timeout {args.timeout:g} s"
            )
            print(
                f"cores: {os.cpu_count()}    runs: {runs} without agents, "
                f"{min(len(v) for v in with_agents.values())} with (median)    total {elapsed:.0f} s    "
                f"load average (1 min) at the end: {os.getloadavg()[0]:.2f}"
            )
            head = (
                f"{'files':>5} {'lines':>6} {'findings':>8} {'no agents':>10} {'agents':>9} "
                f"{'dialogue':>9} {'share':>6} {'prompt tok':>11} {'compl tok':>10}"
            )
            print(head)
            for files in SIZES:
                _, lines = repos[files]
                runs_a = with_agents[files]
                reviews = [r.outcome.discussion.review for r in runs_a]
                row = (
                    f"{files:>5} {lines:>6} {len(plain[files][-1].outcome.findings):>8} "
                    f"{median([r.total for r in plain[files]]):>9.2f}s "
                    f"{median([r.total for r in runs_a]):>8.2f}s "
                    f"{median([r.dialogue for r in runs_a]):>8.2f}s "
                    f"{median([r.dialogue / r.total for r in runs_a]):>6.0%} "
                    f"{median([v.prompt_tokens for v in reviews]):>11.0f} "
                    f"{median([v.completion_tokens for v in reviews]):>10.0f}"
                )
                print(row)
            print("each review with agents (dialogue s / review s: the dialogue's outcome):")
            for files in SIZES:
                for run in with_agents[files]:
                    print(
                        f"  {files:>2} files  {run.dialogue:6.2f} / {run.total:6.2f} s: {outcome_line(run)}"
                    )
            if args.keep:
                print(f"repositories and the server log kept in {tmp}")
    finally:
        bot.pipeline.run.discuss_outcome = _discuss_outcome
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
