"""How much does `review-bot review` cost beyond running the same tools by hand?

Run by hand:  .venv/bin/python bench/bench_review.py [--runs 3] [--package aiohttp] [--keep]

Builds a throwaway git repository from an installed package's own source: a base commit with
half of its modules, then 20 commits that add the other half in batches and edit some of the
base modules, so that HEAD~20..HEAD is a large, realistic change. Then, in the same run, times
(median of --runs; the runs are rounds timing every figure once, so that a shared machine's
changing load weighs on all of them alike):

  bot   `review-bot review REPO --base HEAD~20 --format json --fail-on never`, as a subprocess
  raw   every tool the bot runs on the changed files (bot.pipeline.policy.build_analyzers with the default
        ReviewSettings: ruff, bandit, semgrep with the bot's rules, detect-secrets on .py files),
        each with the argv its analyzer's `command()` builds and the same environment, run
        directly on the head versions of those files written out to a folder as the bot does;
        each alone, one after the other, and all at once (the bot runs its analyzers
        concurrently, so "all at once" is the fair floor)
  py    python start-up plus `import bot.cli`, alone

The difference is the bot's own cost: interpreter start-up and imports, tool version checks,
git diff, writing the head blobs out, parsing, filtering to changed lines and rendering.
One untimed round of everything comes first, so every command starts from a warm page cache.
No network is used.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from bot.config import ReviewSettings
from bot.pipeline.policy import build_analyzers

from rawtools import RawCommand, git, git_bytes, median, raw_alone, raw_at_once, raw_commands

BIN = Path(sys.executable).parent  # the venv's bin: review-bot lives here
CHANGE_COMMITS = 20
EDIT_COMMITS = 8  # of the 20: the rest add files
TIMEOUT = 600  # per command, bot or raw tool
MAX_RUNS = 10

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


def raw_findings(tool: str, stdout: bytes) -> int | None:
    """How many findings a raw tool printed (its JSON report), or None if unreadable."""
    try:
        data = json.loads(stdout)
    except ValueError:
        return None
    if tool == "ruff" and isinstance(data, list):
        return len(data)
    if not isinstance(data, dict):
        return None
    results = data.get("results")
    if tool == "detect-secrets" and isinstance(results, dict):
        return sum(len(items) for items in results.values())
    return len(results) if isinstance(results, list) else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=3, help=f"runs per figure (1-{MAX_RUNS}); the median is printed"
    )
    parser.add_argument("--package", default="aiohttp", help="installed package whose source to use")
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    args = parser.parse_args()
    runs = min(max(args.runs, 1), MAX_RUNS)

    tmp = Path(tempfile.mkdtemp(prefix="bench-review-"))
    try:
        repo = tmp / "repo"
        build_repo(repo, args.package)
        files = changed_python_files(repo)
        lines = sum(len((repo / f).read_bytes().splitlines()) for f in files)
        head_dir, sink, home = tmp / "head", tmp / "sink", tmp / "home"
        for folder in (sink, home):
            folder.mkdir()

        bot_argv = [str(BIN / "review-bot"), "review", str(repo), "--base", f"HEAD~{CHANGE_COMMITS}"]
        bot_argv += ["--format", "json", "--fail-on", "never"]
        bot = RawCommand("review-bot", bot_argv, dict(os.environ), None, len(files))
        imports = RawCommand("python", [sys.executable, "-c", "import bot.cli"], dict(os.environ), None, 0)

        # Untimed: the bot's report says which files it analyzed (it skips generated ones).
        raw_alone(bot, tmp, sink, timeout=TIMEOUT)
        report = json.loads((sink / "review-bot.out").read_bytes())
        skipped = report.get("skipped") or {}
        paths = [p for p in files if p not in skipped]

        # The head versions of those files, written out as the bot does, and each tool's argv.
        for path in paths:
            target = head_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(git_bytes(repo, "show", f"HEAD:{path}"))
        analyzers = build_analyzers(ReviewSettings())
        cmds = raw_commands(head_dir, paths, analyzers, home)
        found: dict[str, int | None] = {}
        for cmd in cmds:  # untimed round, and the whole-file finding counts
            raw_alone(cmd, head_dir, sink, timeout=TIMEOUT)
            found[cmd.tool] = raw_findings(cmd.tool, (sink / f"{cmd.tool}.out").read_bytes())
        raw_alone(imports, tmp, sink, timeout=TIMEOUT)

        # Rounds, each timing every figure once: a shared machine's load then weighs on all alike.
        load_before = os.getloadavg()[0]
        bot_t: list[float] = []
        alone_t: dict[str, list[float]] = {cmd.tool: [] for cmd in cmds}
        together: list[tuple[float, dict[str, float]]] = []
        import_t: list[float] = []
        for _ in range(runs):
            bot_t.append(raw_alone(bot, tmp, sink, timeout=TIMEOUT))
            for cmd in cmds:
                alone_t[cmd.tool].append(raw_alone(cmd, head_dir, sink, timeout=TIMEOUT))
            together.append(raw_at_once(cmds, head_dir, sink, timeout=TIMEOUT))
            import_t.append(raw_alone(imports, tmp, sink, timeout=TIMEOUT))
        load_after = os.getloadavg()[0]

        bot_s = median(bot_t)
        alone = {tool: median(times) for tool, times in alone_t.items()}
        all_s = median([wall for wall, _ in together])
        all_each = {cmd.tool: median([each[cmd.tool] for _, each in together]) for cmd in cmds}
        import_s = median(import_t)
        seq_s = sum(alone.values())

        errors = [a["error"] for a in report["analyzers"] if a.get("error")]
        bot_files = {a["tool"]: a.get("files", 0) for a in report["analyzers"]}
        raw_files = {cmd.tool: cmd.files for cmd in cmds}
        no_raw = [tool for tool, n in bot_files.items() if n and tool not in raw_files]

        print(
            f"change: {args.package} source, HEAD~{CHANGE_COMMITS}..HEAD, "
            f"{len(files)} changed .py files, {lines} lines"
        )
        print(
            f"cores: {os.cpu_count()}    runs per figure: {runs} (median)    "
            f"load average (1 min): {load_before:.2f} before, {load_after:.2f} after"
        )
        print(f"bot   review-bot review --format json           {bot_s:7.3f} s")
        for cmd in cmds:
            label = f"{cmd.tool} alone ({cmd.files} files)"
            print(f"raw   {label:<42}{alone[cmd.tool]:7.3f} s   (all at once: {all_each[cmd.tool]:.3f} s)")
        print(f"raw   every tool, one after the other           {seq_s:7.3f} s")
        print(f"raw   every tool at once                        {all_s:7.3f} s")
        print(f"ratio bot / raw (one after the other)           {bot_s / seq_s:7.2f}")
        print(f"ratio bot / raw (at once, as the bot runs)      {bot_s / all_s:7.2f}")
        print(f"bot overhead over raw at once                   {bot_s - all_s:7.3f} s")
        print(f"python start + import bot.cli, alone            {import_s:7.3f} s")
        raw_counts = ", ".join(f"{tool} {'?' if n is None else n}" for tool, n in found.items())
        print(
            f"findings: bot {len(report['findings'])} on changed lines of {report['files_analyzed']} files; "
            f"raw on whole files: {raw_counts}"
        )
        if skipped:
            print(f"note: the bot skipped {len(skipped)} of the changed files; the raw tools skip them too")
        if no_raw:
            print(f"note: also run by the bot, in-process (no raw tool to time): {', '.join(no_raw)}")
        if errors:
            print(f"warning: the bot reported analyzer errors: {errors}")
        if report["files_analyzed"] != len(paths):
            print(
                f"warning: the bot analyzed {report['files_analyzed']} files, the raw tools get {len(paths)}"
            )
        differ = {t: (bot_files.get(t, 0), n) for t, n in raw_files.items() if bot_files.get(t, 0) != n}
        if differ:
            print(f"warning: files per tool differ, bot vs raw: {differ}")
        if args.keep:
            print(f"repository kept in {repo}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
