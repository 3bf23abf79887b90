"""How often does the analysis cache answer when a real repository's history arrives as pushes?

Run by hand:  .venv/bin/python bench/bench_cache_replay.py [--repo /work/main] [--commits 6]
              [--max-files 25] [--mode parent|pr] [--cache redis|memory]

Clones the repository (a read-only use of it: `git clone --no-checkout`) into a throwaway folder
and takes its last ``--commits`` first-parent, non-merge commits that change at most
``--max-files`` files (the rest are skipped: one 300-file import would take minutes). Each is
replayed, oldest first, as a push reviewed by the real pipeline (bot.pipeline.run.run_review
with the local git source, analyzers only):

  parent  (default) each push reviews its commit's diff against its parent;
  pr      the last commits, consecutive, are pushes to one pull request: each push reviews
          everything from the parent of the first to it, as the App does on `synchronize`
          (as many of the last ``--commits`` as keep that whole diff within ``--max-files``).

Each push is reviewed twice, one right after the other so that both see the same machine load:
without a cache, and with the cache shared by the whole replay: `redis` (default when
`redis-server` is installed) is analyzers/cache_redis.py's TwoLevelCache (L1 in this process,
L2 in a throwaway redis-server started on a free loopback port), `memory` the in-process
MemoryCache. Cache keys are content hash + analyzer + version + configuration, so a hit is a
file whose exact content an analyzer already saw.

Printed: per push its files, hits and misses and both times; then the totals: hits (L1/L2),
misses, hit ratio, and the time with vs without the cache.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rawtools import git, start_redis

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Push:
    sha: str
    base: str
    subject: str
    files: int


def pick_commits(clone: Path, count: int, max_files: int) -> list[Push]:
    """The last ``count`` first-parent, non-merge commits changing 1..max_files files, oldest first."""
    lines = git(clone, "log", "--first-parent", "--no-merges", "--format=%H %P", "-n", "400").splitlines()
    picked: list[Push] = []
    for line in lines:
        sha, *parents = line.split()
        if len(parents) != 1:
            continue  # the root commit has no parent to diff against
        files = len(git(clone, "diff", "--name-only", parents[0], sha).splitlines())
        if 0 < files <= max_files:
            subject = git(clone, "log", "-1", "--format=%s", sha).strip()
            picked.append(Push(sha, parents[0], subject, files))
        if len(picked) == count:
            break
    return picked[::-1]


def pick_pr(clone: Path, count: int, max_files: int) -> list[Push]:
    """The last ``count`` first-parent commits as consecutive pushes to one PR, each reviewed from
    the parent of the oldest: as many as keep that PR's whole diff within ``max_files`` files."""
    lines = git(clone, "log", "--first-parent", "--format=%H %P", "-n", str(count)).splitlines()
    window: list[tuple[str, str]] = []
    for line in lines:  # newest first
        sha, *parents = line.split()
        if not parents:
            break
        files = len(git(clone, "diff", "--name-only", parents[0], lines[0].split()[0]).splitlines())
        if files > max_files:
            break
        window.append((sha, parents[0]))
    if not window:
        raise SystemExit(f"bench_cache_replay: the newest commit alone changes more than {max_files} files")
    base = window[-1][1]
    return [
        Push(sha, base, git(clone, "log", "-1", "--format=%s", sha).strip(),
             len(git(clone, "diff", "--name-only", base, sha).splitlines()))
        for sha, _ in reversed(window)
    ]  # fmt: skip


def counts(cache: Any) -> tuple[int, int, int]:
    """(L1 hits, L2 hits, misses) so far."""
    stats = getattr(cache, "stats", None)
    if stats is not None:
        return stats.l1_hits, stats.l2_hits, stats.misses
    return cache.hits, 0, cache.misses


async def replay(clone: Path, pushes: list[Push], cache: Any) -> dict[str, float]:
    from bot.config import ReviewSettings
    from bot.pipeline.local import LocalGitSource
    from bot.pipeline.run import run_review

    settings = ReviewSettings()
    totals = {"with": 0.0, "without": 0.0}

    async def review(push: Push, with_cache: Any) -> float:
        started = time.perf_counter()
        source = LocalGitSource(clone, base=push.base, head=push.sha, settings=settings)
        await run_review(source, cache=with_cache)
        return time.perf_counter() - started

    await review(min(pushes, key=lambda p: p.files), None)  # untimed: imports, version checks
    print(f"{'commit':<8} {'files':>5} {'hits':>5} {'misses':>6} {'no cache s':>10} {'cache s':>8}  subject")
    for push in pushes:
        without = await review(push, None)
        before = counts(cache)
        with_ = await review(push, cache)
        after = counts(cache)
        hits = after[0] + after[1] - before[0] - before[1]
        misses = after[2] - before[2]
        totals["without"] += without
        totals["with"] += with_
        print(
            f"{push.sha[:7]:<8} {push.files:>5} {hits:>5} {misses:>6} {without:>10.2f} {with_:>8.2f}"
            f"  {push.subject[:60]}"
        )
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=ROOT, help="the repository whose history is replayed")
    parser.add_argument("--commits", type=int, default=6, help="pushes replayed (default 6)")
    parser.add_argument("--max-files", type=int, default=25, help="skip commits changing more files")
    parser.add_argument("--mode", choices=("parent", "pr"), default="parent")
    default_cache = "redis" if shutil.which("redis-server") else "memory"
    parser.add_argument("--cache", choices=("redis", "memory"), default=default_cache)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-cache-replay-"))
    redis_proc = None
    try:
        clone = tmp / "clone"
        subprocess.run(
            ["git", "clone", "--quiet", "--no-checkout", "--no-hardlinks", str(args.repo), str(clone)],
            check=True,
            timeout=300,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_CONFIG_NOSYSTEM": "1"},
        )
        if args.mode == "pr":
            pushes = pick_pr(clone, args.commits, args.max_files)
        else:
            pushes = pick_commits(clone, args.commits, args.max_files)
        if not pushes:
            raise SystemExit("bench_cache_replay: no commit to replay")
        if args.cache == "redis":
            from analyzers.cache_redis import TwoLevelCache
            from bot.redis_client import connect

            redis_proc, url = start_redis(tmp)
            cache: Any = TwoLevelCache(connect(url))
        else:
            from analyzers.cache import MemoryCache

            cache = MemoryCache()
        load = Path("/proc/loadavg").read_text().split()[:3]
        print(
            f"repo: {args.repo} ({len(pushes)} pushes, mode {args.mode}, cache {args.cache})    load: {load}"
        )
        totals = asyncio.run(replay(clone, pushes, cache))
        l1, l2, misses = counts(cache)
        lookups = l1 + l2 + misses
        ratio = (l1 + l2) / lookups if lookups else 0.0
        print(f"hits: {l1 + l2} (L1 {l1}, L2 {l2})  misses: {misses}  hit ratio: {ratio:.1%}")
        saved = 1 - totals["with"] / totals["without"] if totals["without"] else 0.0
        print(
            f"time: {totals['without']:.1f} s without the cache, {totals['with']:.1f} s with it "
            f"({saved:+.0%} saved; {totals['with'] / totals['without']:.2f}x)"
        )
    finally:
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
