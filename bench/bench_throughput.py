"""How many small-PR reviews per hour can one core do (analyzers only, no agent dialogue)?

Run by hand:  .venv/bin/python bench/bench_throughput.py [--workers 1,2,4] [--reviews 8] [--keep]

Builds a throwaway git repository: a base commit on ``main`` and one branch per small PR, each
adding one new Python module (~40 lines, a few findings) and editing a base module: the size of
a typical small pull request, each PR's content its own so that nothing is answered from a
cache. Then, per worker count N, starts N worker processes; each imports the bot, reviews one
warm-up PR of its own (imports, the analyzers' version checks, a warm analyzer pool where there
is one), then on a common "go" reviews its share of ``--reviews`` PRs one after another with the
pipeline itself (bot.pipeline.run.run_review, the local git source, no reporter, no cache): the
same steps a `review-bot worker` runs between taking a job and publishing it, minus GitHub.

CPU per review is measured per worker from "go" to its last review: its own and its reaped
children's rusage (RUSAGE_SELF + RUSAGE_CHILDREN: every analyzer subprocess) plus the CPU of
descendants still alive at either end (a warm analyzer pool's children), read from /proc.

Printed per worker count: reviews, wall seconds, CPU-s per review, reviews per hour per core
(3600 / CPU-s per review: what one fully busy core would do) and the wall throughput of the
whole machine. Target (issue 10): >= 12,000 reviews/hour/core, i.e. <= 0.3 CPU-s per review.
No network is used; the machine's load (uptime) is printed, since other work shares the cores,
and so is the share of each round the machine ran below half speed (bench/machine_speed.py).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

import machine_speed
from rawtools import git, live_descendants_cpu

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 120.0
ROUND_TIMEOUT = 600.0
BASE_FILES = {
    "app/__init__.py": "",
    "app/core.py": 'def answer():\n    """The answer."""\n    return 42\n',
    "README.md": "# bench\n",
}


def module(n: int) -> str:
    """A small module with a few findings (ruff F401, bandit B602/B105), unique per PR."""
    return f'''"""Module {n}: a small change like most pull requests."""

import json
import os
import subprocess

TOKEN = "not-a-real-token-{n}"


def run_{n}(command):
    """Run a command for PR {n}."""
    return subprocess.call(command, shell=True)


def load_{n}(path):
    with open(path) as handle:
        data = json.load(handle)
    total = 0
    for key, value in data.items():
        if key.startswith("x{n}"):
            total += value
    return total


class Widget{n}:
    def __init__(self, size={n}):
        self.size = size

    def grow(self, by=1):
        self.size += by
        return self.size

    def describe(self):
        return f"widget {n} of size {{self.size}}"
'''


def build_repo(repo: Path, prs: int) -> None:
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for name, text in BASE_FILES.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    for n in range(prs):
        git(repo, "checkout", "-q", "-b", f"pr{n}", "main")
        (repo / f"app/mod{n}.py").write_text(module(n))
        core = BASE_FILES["app/core.py"] + f"\n\ndef answer_{n}(x):\n    return x == None\n"
        (repo / "app/core.py").write_text(core)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"small PR {n}")
    git(repo, "checkout", "-q", "main")


# --- CPU of a process tree ------------------------------------------------------------------------


def tree_cpu() -> float:
    """This process's CPU, its reaped children's (rusage) and its live descendants' (/proc)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    rusage = own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime
    return rusage + live_descendants_cpu(os.getpid())


# --- a worker process ---------------------------------------------------------------------------


def worker(conn: Connection, repo: str, warm_up: str, branches: list[str]) -> None:
    asyncio.run(_worker(conn, Path(repo), warm_up, branches))


async def _worker(conn: Connection, repo: Path, warm_up: str, branches: list[str]) -> None:
    from bot.config import ReviewSettings
    from bot.pipeline.local import LocalGitSource
    from bot.pipeline.run import run_review

    settings = ReviewSettings()

    async def review(branch: str) -> int:
        outcome = await run_review(LocalGitSource(repo, base="main", head=branch, settings=settings))
        if outcome.incomplete:
            raise SystemExit(f"bench_throughput: review of {branch} incomplete: {outcome.incomplete}")
        return len(outcome.findings)

    await review(warm_up)
    conn.send("ready")
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, conn.recv)  # "go"
    cpu0, wall0 = tree_cpu(), time.perf_counter()
    findings = [await review(branch) for branch in branches]
    conn.send({"cpu": tree_cpu() - cpu0, "wall": time.perf_counter() - wall0, "findings": findings})


# --- rounds ---------------------------------------------------------------------------------------


def run_round(repo: Path, workers: int, first_pr: int, reviews: int) -> dict[str, float]:
    """``reviews`` PRs (numbered from ``first_pr``, after one warm-up PR per worker) over ``workers``."""
    ctx = multiprocessing.get_context("spawn")
    warm = [f"pr{first_pr + i}" for i in range(workers)]
    todo = [f"pr{first_pr + workers + i}" for i in range(reviews)]
    shares = [todo[i::workers] for i in range(workers)]
    pipes, procs = [], []
    for i in range(workers):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=worker, args=(child, str(repo), warm[i], shares[i]), daemon=True)
        proc.start()
        pipes.append(parent)
        procs.append(proc)
    try:
        for pipe in pipes:
            if not pipe.poll(READY_TIMEOUT) or pipe.recv() != "ready":
                raise SystemExit("bench_throughput: a worker did not get ready")
        started = time.perf_counter()
        with machine_speed.Probe() as probe:
            for pipe in pipes:
                pipe.send("go")
            results = []
            for pipe in pipes:
                if not pipe.poll(ROUND_TIMEOUT):
                    raise SystemExit("bench_throughput: a worker did not finish")
                results.append(pipe.recv())
        wall = time.perf_counter() - started
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.terminate()
    cpu = sum(r["cpu"] for r in results)
    findings = [f for r in results for f in r["findings"]]
    slow = probe.summary().slow_share
    return {"reviews": reviews, "wall": wall, "cpu": cpu, "findings": statistics.mean(findings), "slow": slow}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workers",
        type=lambda s: [int(n) for n in s.split(",")],
        default=[1, 2, 4],
        help="comma-separated worker counts, one round each (default 1,2,4)",
    )
    parser.add_argument("--reviews", type=int, default=8, help="reviews timed per round (default 8)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway repository")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    try:
        repo = tmp / "repo"
        total = sum(w + args.reviews for w in args.workers)
        build_repo(repo, total)
        print(f"cores: {cores}    load: {Path('/proc/loadavg').read_text().split()[:3]}")
        print(f"machine, idle: {machine_speed.summarize(machine_speed.sample(3.0)).line()}")
        print("small PR: 1 new module (~40 lines) + 1 edited; analyzers only (defaults), no cache, no agents")
        print(f"{'workers':>7} {'reviews':>7} {'wall s':>7} {'CPU-s/review':>12} {'reviews/h/core':>14} "
              f"{'wall reviews/h':>14} {'findings':>8} {'slow %':>6}")  # fmt: skip
        first = 0
        for workers in args.workers:
            r = run_round(repo, workers, first, args.reviews)
            first += workers + args.reviews
            per_review = r["cpu"] / r["reviews"]
            print(
                f"{workers:>7} {r['reviews']:>7.0f} {r['wall']:>7.1f} {per_review:>12.3f} "
                f"{3600 / per_review:>14,.0f} {r['reviews'] / r['wall'] * 3600:>14,.0f} "
                f"{r['findings']:>8.1f} {100 * r['slow']:>6.1f}"
            )
        print("target: >= 12,000 reviews/h/core (<= 0.300 CPU-s per review)")
        print(
            "slow %: the share of the round the machine ran below half speed (bench/machine_speed.py);\n"
            "CPU time is charged at full rate meanwhile, so those moments inflate CPU-s per review."
        )
    finally:
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
