"""Analyzer bombs: a few kilobytes that make a tool use gigabytes or minutes cost that one file.

Each review runs in a child Python (the real pipeline, ``review_local``, real git, real tools) so
that the largest resident size of its children measures the analyzers of this review alone. The
caps are set low (256 MB, a few CPU seconds) so each bomb is stopped within a few CPU seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import analyzers.limits
from analyzers.actions import ActionsAnalyzer
from analyzers.cache import MemoryCache
from analyzers.limits import MIB, ResourceLimits
from analyzers.process import run_bounded
from bot.config import ReviewSettings
from bot.pipeline.local import review_local

ROOT = Path(__file__).resolve().parents[2]
CAP_MB = 256
# RLIMIT_DATA counts heap and private writable mappings, not the program's text or its stacks:
# hadolint is a 55 MB static binary, so its resident size may pass the cap by that much.
SLACK_MB = 80
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]

# ShellCheck's parser keeps every level of nested $( alive: 5 KB take 2 GB unbounded. Broken into
# lines, or the bot would skip it as minified before any tool saw it.
NESTED_SUBSHELLS = "#!/bin/sh\necho " + "$(\n" * 1700 + "x" + ")" * 1700 + "\n"
# hadolint (its built-in ShellCheck) on one RUN of "&& \" continuations: 35 KB take over 4 GB.
CONTINUATIONS = "FROM alpine\nRUN a \\\n" + " && b \\\n" * 4300 + " && c\n"
# One step and one job, aliased a thousand times each: a million steps once expanded.
ALIAS_STEPS = "\n".join("      - *s" for _ in range(1000))
ALIAS_JOBS = "\n".join(f"  j{i}: *j" for i in range(1, 1000))
ALIAS_WORKFLOW = f"""on: issues
jobs:
  j0: &j
    runs-on: x
    steps:
      - &s
        run: echo "${{{{ github.event.issue.title }}}}"
{ALIAS_STEPS}
{ALIAS_JOBS}
"""
# 40,000 levels in 80 KB of lines: yamllint needs seconds of CPU, detect-secrets hits RecursionError.
DEEP_YAML = "a: " + "".join("[\n " if i % 100 == 99 else "[" for i in range(40_000)) + "]" * 40_000 + "\n"


def make_repo(root: Path, files: dict[str, str]) -> Path:
    """A repository whose branch ``feature`` adds ``files`` on top of ``main``."""
    repo = root / "repo"
    repo.mkdir()
    run = [*GIT, "-C", str(repo)]
    subprocess.run([*run, "init", "-q", "-b", "main"], check=True, timeout=30)
    (repo / "README.md").write_text("base\n")
    subprocess.run([*run, "add", "-A"], check=True, timeout=30)
    subprocess.run([*run, "commit", "-q", "-m", "base"], check=True, timeout=30)
    subprocess.run([*run, "checkout", "-q", "-b", "feature"], check=True, timeout=30)
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    subprocess.run([*run, "add", "-A"], check=True, timeout=30)
    subprocess.run([*run, "commit", "-q", "-m", "change"], check=True, timeout=30)
    return repo


_CHILD = """
import asyncio, json, resource, sys
from pathlib import Path
from analyzers.pool import shutdown_pools
from bot.config import ReviewSettings
from bot.pipeline.local import review_local

settings = ReviewSettings(**json.loads(sys.argv[2]))
outcome = asyncio.run(review_local(Path(sys.argv[1]), base="main", head="feature", settings=settings))
shutdown_pools()  # the warm analyzer pool's children, reaped, count among the children below
print(json.dumps({
    "findings": [[f.tool, f.rule_id, f.path] for f in outcome.findings],
    "incomplete": outcome.incomplete,
    "errors": outcome.errors,
    "skipped": outcome.skipped,
    "not_analyzed": {r.tool: r.not_analyzed for r in outcome.results if r.not_analyzed},
    "children_max_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""


def review_in_child(repo: Path, **settings: Any) -> dict[str, Any]:
    """The review of ``repo`` (main..feature) in a fresh Python, as JSON, with its children's peak RSS."""
    options = {"analyzer_memory_mb": CAP_MB, "analyzer_cpu_seconds": 10, "analyzer_timeout": 120.0}
    options.update(settings)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(repo), json.dumps(options)],
        cwd=ROOT,
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    return json.loads(done.stdout)


def assert_memory_bounded(report: dict[str, Any]) -> None:
    assert report["children_max_rss_mb"] < CAP_MB + SLACK_MB, report["children_max_rss_mb"]


def test_nested_command_substitutions_stop_shellcheck_at_its_memory_limit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"bomb.sh": NESTED_SUBSHELLS, "ok.sh": "#!/bin/sh\nrm -rf $1\n"})
    report = review_in_child(repo)
    assert ["shellcheck", "SC2086", "ok.sh"] in report["findings"]
    assert report["not_analyzed"]["shellcheck"] == {
        "bomb.sh": f"shellcheck was stopped by its memory limit of {CAP_MB} MB"
    }
    assert (
        f"shellcheck could not analyze 'bomb.sh': shellcheck was stopped by its memory limit of {CAP_MB} MB"
        in (report["incomplete"])
    )
    assert report["errors"] == []  # confined to the file: shellcheck itself did its job on ok.sh
    assert_memory_bounded(report)


def test_line_continuations_stop_hadolint_at_its_memory_limit(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path, {"Dockerfile": CONTINUATIONS, "svc/Dockerfile": "FROM alpine:3.20\nRUN sudo make\n"}
    )
    report = review_in_child(repo)
    assert ["hadolint", "DL3004", "svc/Dockerfile"] in report["findings"]
    assert report["not_analyzed"]["hadolint"] == {
        "Dockerfile": f"hadolint was stopped by its memory limit of {CAP_MB} MB"
    }
    assert any(line.startswith("hadolint could not analyze 'Dockerfile'") for line in report["incomplete"])
    assert_memory_bounded(report)


def test_an_alias_bomb_workflow_is_named_and_costs_the_bot_nothing(tmp_path: Path) -> None:
    repeated = "on: issues\njobs:\n  a:\n    runs-on: x\n    steps:\n      - &s\n"
    repeated += '        run: echo "${{ github.event.issue.body }}"\n' + "\n".join(
        "      - *s" for _ in range(300)
    )
    repo = make_repo(
        tmp_path,
        {
            ".github/workflows/bomb.yml": ALIAS_WORKFLOW,
            ".github/workflows/repeated.yml": repeated + "\n",
            ".github/workflows/ok.yml": "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
            "      - uses: some/action@v1\n",
        },
    )
    report = review_in_child(repo)
    actions = [f for f in report["findings"] if f[0] == "actions"]
    # 301 aliases of one step are one place in the file: said once, not 301 times.
    assert sorted(actions) == [
        ["actions", "actions-script-injection", ".github/workflows/repeated.yml"],
        ["actions", "actions-unpinned-action", ".github/workflows/ok.yml"],
    ]
    reason = report["not_analyzed"]["actions"][".github/workflows/bomb.yml"]
    assert "expands to more than 100,000 values (aliases)" in reason
    assert any("'.github/workflows/bomb.yml'" in line for line in report["incomplete"])
    assert_memory_bounded(report)


async def test_the_actions_rules_run_in_a_child_process_under_the_limits(tmp_path: Path) -> None:
    # 8 MB is too little for a Python to start: the child is stopped, the bot is not.
    rel = ".github/workflows/ok.yml"
    (tmp_path / rel).parent.mkdir(parents=True)
    (tmp_path / rel).write_text("on: push\njobs: {}\n")
    analyzer = ActionsAnalyzer(limits=ResourceLimits(memory_bytes=8 * MIB, cpu_seconds=5))
    result = await analyzer.run(tmp_path, [rel], timeout=30)
    assert result.not_analyzed == {rel: "actions was stopped by its memory limit of 8 MB"}


def test_deep_yaml_stops_yamllint_at_its_cpu_limit_and_crashes_only_detect_secrets_on_it(
    tmp_path: Path,
) -> None:
    repo = make_repo(
        tmp_path,
        {
            "deep.yml": DEEP_YAML,
            "dup.yml": "a: 1\nb: 2\na: 3\n",
            "settings.py": 'AWS_KEY = "AKIAJ7Q2X5ZPLM3NB4VQ"\n',
        },
    )
    report = review_in_child(repo, analyzer_cpu_seconds=1, disabled_analyzers=["semgrep", "bandit", "ruff"])
    assert ["yamllint", "key-duplicates", "dup.yml"] in report["findings"]
    assert ["detect-secrets", "aws-access-key", "settings.py"] in report["findings"]
    assert report["not_analyzed"]["yamllint"] == {
        "deep.yml": "yamllint was stopped by its CPU-time limit of 1 s"
    }
    assert report["not_analyzed"]["detect-secrets"] == {
        "deep.yml": "detect-secrets failed (exit 1): RecursionError"
    }
    assert_memory_bounded(report)


def test_a_minified_line_that_outlasts_semgrep_is_named_when_skips_are_off(tmp_path: Path) -> None:
    minified = "var a=" + "[" * 20000 + "]" * 20000 + ";" + "function f(x){return eval(x)};" * 20000
    repo = make_repo(tmp_path, {"min.js": minified + "\n", "ok.js": "eval(location.hash);\n"})
    report = review_in_child(repo, skip_generated=False, disabled_analyzers=["detect-secrets"])
    assert any(f[0] == "semgrep" and f[2] == "ok.js" for f in report["findings"])
    assert "min.js" in report["not_analyzed"]["semgrep"]
    assert_memory_bounded(report)


async def test_findings_are_capped_per_file_and_the_cap_is_said(tmp_path: Path) -> None:
    many = "".join(f"import m{i}\n" for i in range(250))
    repo = make_repo(tmp_path, {"many.py": many, "few.py": "import os\n"})
    settings = ReviewSettings(disabled_analyzers=("bandit", "semgrep", "detect-secrets"))
    outcome = await review_local(repo, base="main", head="feature", settings=settings)
    by_file = {path: sum(f.path == path for f in outcome.findings) for path in ("many.py", "few.py")}
    assert by_file == {"many.py": 200, "few.py": 1}
    assert "ruff reported 250 findings in 'many.py'; only the 200 most severe are kept" in outcome.incomplete


async def test_findings_are_capped_per_tool_and_the_cap_is_said(tmp_path: Path) -> None:
    files = {f"m{n}.py": "".join(f"import m{i}\n" for i in range(190)) for n in range(12)}
    repo = make_repo(tmp_path, files)
    settings = ReviewSettings(disabled_analyzers=("bandit", "semgrep", "detect-secrets"))
    outcome = await review_local(repo, base="main", head="feature", settings=settings)
    assert len(outcome.findings) == 2000
    assert "ruff reported 2,280 findings; only the 2,000 most severe are kept" in outcome.incomplete


async def test_the_analysis_cache_is_bounded_in_bytes_and_per_entry() -> None:
    cache = MemoryCache(maxsize=1000, max_bytes=1024 * 1024, max_entry_bytes=64 * 1024)
    for i in range(100):
        await cache.set(f"k{i}", b"x" * 50_000)
    assert cache.size_bytes <= 1024 * 1024 and len(cache) <= 20
    await cache.set("huge", b"x" * 100_000)
    assert await cache.get("huge") is None
    for i in range(5000):  # small entries: bounded by the item count too
        await cache.set(f"small{i}", b"[]")
    assert len(cache) <= 1000 and cache.size_bytes <= 1024 * 1024


@pytest.mark.parametrize("prlimit", [True, False], ids=["prlimit", "python-shim"])
async def test_the_limits_are_in_force_before_the_tool_starts(monkeypatch, prlimit: bool) -> None:
    if not prlimit:  # a system without util-linux: the Python shim sets the same limits
        real_which = analyzers.limits.shutil.which
        monkeypatch.setattr(
            analyzers.limits.shutil,
            "which",
            lambda name, *a, **k: None if name == "prlimit" else real_which(name),
        )
    limits = ResourceLimits(memory_bytes=64 * MIB, cpu_seconds=1)
    show = (
        "import resource as r; print([r.getrlimit(x) for x in (r.RLIMIT_DATA, r.RLIMIT_CPU, r.RLIMIT_CORE)])"
    )
    shown = await run_bounded([sys.executable, "-c", show], timeout=30, limits=limits)
    assert shown.stdout.strip() == b"[(67108864, 67108864), (1, 3), (0, 0)]"
    hog = await run_bounded([sys.executable, "-c", "x = bytearray(256 << 20)"], timeout=30, limits=limits)
    assert hog.limit == "its memory limit of 64 MB"
    spin = await run_bounded([sys.executable, "-c", "while True: pass"], timeout=30, limits=limits)
    assert spin.limit == "its CPU-time limit of 1 s" and not spin.timed_out
