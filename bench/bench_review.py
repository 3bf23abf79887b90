"""How much does `review-bot review` cost beyond running ruff and bandit by hand?

Run by hand:  .venv/bin/python bench/bench_review.py [--runs 3] [--package aiohttp] [--keep]

Builds a throwaway git repository from an installed package's own source: a base commit with
half of its modules, then 20 commits that add the other half in batches and edit some of the
base modules, so that HEAD~20..HEAD is a large, realistic change. Then, in the same run, times
(median of --runs):

  bot   `review-bot review REPO --base HEAD~20 --format json --fail-on never`, as a subprocess
  raw   ruff and bandit run directly on the files that change touched (head versions), with
        the rule set the bot uses; each alone, one after the other, and both at once (the bot
        runs its analyzers concurrently, so "both at once" is the fair floor)

The difference is the bot's own cost: interpreter start-up and imports, git diff, writing the
head blobs out, parsing, filtering to changed lines and rendering.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from analyzers.ruff import DEFAULT_IGNORE, DEFAULT_SELECT, DEFAULT_TARGET

BIN = Path(sys.executable).parent  # the venv's bin: review-bot, ruff and bandit live here
CHANGE_COMMITS = 20
EDIT_COMMITS = 8  # of the 20: the rest add files
TIMEOUT = 600

# Appended to a base module by each editing commit: new code for the analyzers to look at.
EDIT_SNIPPET = '''

def _bench_helper_{n}(command, items=[]):
    """Added by bench_review.py commit {n}."""
    import subprocess

    items.append(command)
    try:
        return subprocess.call(command, shell=True)
    except Exception:
        pass
'''


def git_env() -> dict[str, str]:
    """Fixed identity and dates, and none of the user's git config: the same repo every run."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@example.invalid",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@example.invalid",
        GIT_AUTHOR_DATE="2024-01-01T00:00:00Z",
        GIT_COMMITTER_DATE="2024-01-01T00:00:00Z",
    )
    return env


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        env=git_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def package_sources(name: str) -> tuple[Path, list[Path]]:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"bench_review: {name} is not an installed package")
    root = Path(next(iter(spec.submodule_search_locations)))
    files = sorted(p.relative_to(root) for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    if len(files) < 2 * CHANGE_COMMITS:
        raise SystemExit(f"bench_review: {name} has only {len(files)} .py files; pick a bigger package")
    return root, files


def build_repo(repo: Path, package: str) -> None:
    """Base commit with half the modules; 20 commits adding the rest and editing base modules."""
    src_root, files = package_sources(package)
    dest = repo / package
    base_files, added_files = files[::2], files[1::2]

    def copy(rel: Path) -> None:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src_root / rel, target)

    git(repo.parent, "init", "--quiet", "--initial-branch=main", repo.name)
    for rel in base_files:
        copy(rel)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-gpg-sign", "-m", f"base: {len(base_files)} modules of {package}")

    add_commits = CHANGE_COMMITS - EDIT_COMMITS
    for i in range(add_commits):
        batch = added_files[i::add_commits]
        for rel in batch:
            copy(rel)
        git(repo, "add", "--all")
        git(repo, "commit", "--quiet", "--no-gpg-sign", "-m", f"add {len(batch)} modules")

    # Edit the biggest base modules: the realistic "touch a few large files" part of a PR.
    by_size = sorted(base_files, key=lambda rel: (src_root / rel).stat().st_size, reverse=True)
    for n in range(EDIT_COMMITS):
        for rel in by_size[n * 2 : n * 2 + 2]:
            path = dest / rel
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            # Change one line in the middle as well, so hunks are not all at the end of files.
            middle = len(lines) // 2
            lines.insert(middle, f"# bench_review.py edit {n}\n")
            path.write_text("".join(lines) + EDIT_SNIPPET.format(n=n), encoding="utf-8")
        git(repo, "commit", "--quiet", "--no-gpg-sign", "--all", "-m", f"edit modules ({n})")


def changed_python_files(repo: Path) -> list[str]:
    out = git(
        repo, "diff", "--name-only", "--no-renames", "--diff-filter=d", f"HEAD~{CHANGE_COMMITS}", "HEAD"
    )
    return sorted(p for p in out.splitlines() if p.endswith(".py"))


def timed(argv: Sequence[str], *, cwd: Path, ok: Sequence[int] = (0, 1)) -> tuple[float, bytes]:
    started = time.perf_counter()
    result = subprocess.run(list(argv), cwd=cwd, capture_output=True, timeout=TIMEOUT, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode not in ok:
        err = result.stderr.decode(errors="replace")[-800:]
        raise SystemExit(f"bench_review: {argv[0]} exited {result.returncode}:\n{err}")
    return elapsed, result.stdout


def timed_together(commands: Sequence[Sequence[str]], *, cwd: Path) -> float:
    """Wall time of starting all commands at once and waiting for the last."""
    started = time.perf_counter()
    procs = [
        subprocess.Popen(list(argv), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for argv in commands
    ]
    # A blocking wait bounded by kill timers: Popen.wait(timeout=) polls with sleeps of up to
    # 50 ms, which would add that much to the raw time and flatter the bot.
    timers = [threading.Timer(TIMEOUT, proc.kill) for proc in procs]
    for timer in timers:
        timer.start()
    try:
        for proc in procs:
            proc.wait()
    finally:
        for timer in timers:
            timer.cancel()
    return time.perf_counter() - started


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per command; the median is printed")
    parser.add_argument("--package", default="aiohttp", help="installed package whose source to use")
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-review-"))
    try:
        repo = tmp / "repo"
        build_repo(repo, args.package)
        files = changed_python_files(repo)
        lines = sum(len((repo / f).read_bytes().splitlines()) for f in files)

        bot_cmd = [str(BIN / "review-bot"), "review", str(repo), "--base", f"HEAD~{CHANGE_COMMITS}"]
        bot_cmd += ["--format", "json", "--fail-on", "never"]
        ruff_cmd = [str(BIN / "ruff"), "check", "--isolated", "--no-cache", "--output-format", "json"]
        ruff_cmd += ["--target-version", DEFAULT_TARGET, "--select", ",".join(DEFAULT_SELECT)]
        ruff_cmd += ["--ignore", ",".join(DEFAULT_IGNORE), "--", *files]
        bandit_cmd = [str(BIN / "bandit"), "-f", "json", "-q", "--", *files]
        import_cmd = [sys.executable, "-c", "import bot.cli, bot.review, bot.output"]

        # One untimed round first, so that every command starts from a warm page cache.
        _, bot_out = timed(bot_cmd, cwd=tmp)
        _, ruff_out = timed(ruff_cmd, cwd=repo)
        _, bandit_out = timed(bandit_cmd, cwd=repo)

        bot_s = median_of(args.runs, lambda: timed(bot_cmd, cwd=tmp)[0])
        ruff_s = median_of(args.runs, lambda: timed(ruff_cmd, cwd=repo)[0])
        bandit_s = median_of(args.runs, lambda: timed(bandit_cmd, cwd=repo)[0])
        both_s = median_of(args.runs, lambda: timed_together([ruff_cmd, bandit_cmd], cwd=repo))
        import_s = median_of(args.runs, lambda: timed(import_cmd, cwd=tmp, ok=(0,))[0])

        report = json.loads(bot_out)
        raw_ruff = len(json.loads(ruff_out))
        raw_bandit = len(json.loads(bandit_out).get("results") or [])
        errors = [a["error"] for a in report["analyzers"] if a.get("error")]
        seq_s = ruff_s + bandit_s

        print(
            f"change: {args.package} source, HEAD~{CHANGE_COMMITS}..HEAD, "
            f"{len(files)} changed .py files, {lines} lines"
        )
        print(f"cores: {os.cpu_count()}    runs per figure: {args.runs} (median)")
        print(f"bot   review-bot review --format json      {bot_s:7.3f} s")
        print(f"raw   ruff check (same rules)               {ruff_s:7.3f} s")
        print(f"raw   bandit -f json -q                     {bandit_s:7.3f} s")
        print(f"raw   ruff + bandit, one after the other    {seq_s:7.3f} s")
        print(f"raw   ruff and bandit at once               {both_s:7.3f} s")
        print(f"ratio bot / raw (one after the other)       {bot_s / seq_s:7.2f}")
        print(f"ratio bot / raw (at once, as the bot runs)  {bot_s / both_s:7.2f}")
        print(f"bot overhead over raw at once               {bot_s - both_s:7.3f} s")
        print(f"python start + bot imports, alone           {import_s:7.3f} s")
        print(
            f"findings: bot {len(report['findings'])} on changed lines of {report['files_analyzed']} files; "
            f"raw ruff {raw_ruff} + bandit {raw_bandit} on whole files"
        )
        if errors:
            print(f"warning: the bot reported analyzer errors: {errors}")
        if report["files_analyzed"] != len(files):
            print(f"warning: the bot analyzed {report['files_analyzed']} files, the diff has {len(files)}")
        if args.keep:
            print(f"repository kept in {repo}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
