"""Issue 8, class 8: `review-bot review` on file names git has to quote or that hold " b/", and on
diffs larger than git's 64 MB output cap. Real git repositories made in tmp_path, the real CLI.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from analyzers.diff import parse_unified_diff
from bot.cli import main
from bot.pipeline.gitrun import CheckoutError, git, git_env
from bot.pipeline.local_diff import DIFF_ARGS, read_local_diff

FLAGGED = "import os\n"  # ruff F401 on line 1: a finding the CLI reports when the file is reviewed

NAMES = [
    "docs/a b/c.py",
    "a b/ b/x.py",
    "b/a b/c.py",
    "sp ace.py",
    "trailing .py",
    " leading.py",
    "ünïcödé/ßü.py",
    "tab\there.py",
    'quo"te.py',
    "new\nline.py",
    "-dash.py",
    "diff --git a/x b/y.py",
    "x\t2024-01-01 00:00:00.py",
]
# The whole CLI (analyzers included) on a few; the parser test below takes them all at once.
CLI_NAMES = ["docs/a b/c.py", "a b/ b/x.py", "ünïcödé/ßü.py", 'quo"te.py', "new\nline.py", NAMES[-1]]


def run_git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def make_repo(tmp_path: Path, files: dict[str, str], *, base: dict[str, str] | None = None) -> Path:
    """A repository with ``base`` committed on main and ``files`` on top of it on branch feature."""
    repo = tmp_path / "repo"
    repo.mkdir()
    run_git(repo, "init", "-q", "-b", "main")
    (repo / "README").write_text("base\n")
    for name, text in (base or {}).items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "base")
    run_git(repo, "checkout", "-q", "-b", "feature")
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "--allow-empty", "-m", "change")
    return repo


def review_json(repo: Path, capsys) -> tuple[int, dict]:
    code = main(["review", str(repo), "--base", "main", "--format", "json", "--fail-on", "never"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return code, json.loads(out)


@pytest.mark.parametrize("name", CLI_NAMES, ids=[repr(n) for n in CLI_NAMES])
def test_an_added_file_with_an_awkward_name_is_reviewed_under_its_exact_name(tmp_path, capsys, name):
    repo = make_repo(tmp_path, {name: FLAGGED})
    _, report = review_json(repo, capsys)
    assert [(f["path"], f["line"], f["rule_id"]) for f in report["findings"]] == [(name, 1, "F401")]


async def test_every_awkward_name_round_trips_through_the_parser(tmp_path):
    """All the names in one diff: added, renamed to, modified and removed; the lines exact."""
    base = {f"old {i}.py": "x = 1\n" * 5 for i in range(3)} | {"gone b/old.py": "y = 2\n"}
    base |= {  # each its own content, so that git pairs each rename the one way
        name.replace("/", "_") + ".orig": "".join(f"v{n} = {n} * {k}\n" for n in range(20))
        for k, name in enumerate(NAMES)
    }
    repo = make_repo(tmp_path, {}, base=base)
    for name in NAMES:  # renamed to the awkward name, line 2 changed and line 21 added
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / (name.replace("/", "_") + ".orig")).rename(repo / name)
        lines = (repo / name).read_text().splitlines(keepends=True)
        lines[1] = "v1 = 'changed'\n"
        (repo / name).write_text("".join(lines) + "added = 1\n")
    (repo / "old 0.py").write_text("x = 1\n" * 4 + "changed = 1\n")
    run_git(repo, "rm", "-q", "gone b/old.py")
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "renames")
    git_dir = repo / ".git"
    local = await read_local_diff(git_dir, "main", "feature", env=git_env(tmp_path))
    diffs = local.diffs
    assert set(diffs) == {*NAMES, "old 0.py", "gone b/old.py"}
    for name in NAMES:
        assert diffs[name].status == "renamed", name
        assert diffs[name].old_path == name.replace("/", "_") + ".orig"
        assert diffs[name].added == {2, 21}, name
        assert diffs[name].deleted == {2}, name
    assert diffs["old 0.py"].status == "modified"
    assert diffs["old 0.py"].added == {5}
    assert diffs["gone b/old.py"].status == "removed"
    assert not local.too_large


async def test_the_repository_config_cannot_change_the_prefixes_the_parser_relies_on(tmp_path):
    repo = make_repo(tmp_path, {"docs/a b/c.py": FLAGGED})
    for key, value in (("diff.noprefix", "true"), ("diff.mnemonicPrefix", "true"), ("diff.relative", "true")):
        run_git(repo, "config", key, value)
    local = await read_local_diff(repo / ".git", "main", "feature", env=git_env(tmp_path))
    assert list(local.diffs) == ["docs/a b/c.py"]
    assert local.diffs["docs/a b/c.py"].added == {1}


def test_the_header_line_alone_is_read_right_when_it_is_all_there_is(tmp_path):
    """A mode change has no ---/+++ lines: the name comes from the diff --git line, " b/" or not."""
    repo = make_repo(tmp_path, {}, base={"docs/a b/run.sh": "echo\n", "plain.sh": "echo\n"})
    run_git(repo, "update-index", "--chmod=+x", "docs/a b/run.sh", "plain.sh")
    run_git(repo, "commit", "-q", "-m", "mode")
    text = run_git(repo, *DIFF_ARGS, "main", "feature")
    assert "\n--- " not in text and "\ndiff --git a/docs/a b/run.sh b/docs/a b/run.sh\n" in "\n" + text
    diffs = parse_unified_diff(text)
    assert {path: d.status for path, d in diffs.items()} == {
        "docs/a b/run.sh": "modified",
        "plain.sh": "modified",
    }


def big_text(size: int) -> str:
    line = "z" * 999 + "\n"
    return line * (size // len(line))


async def test_a_diff_over_the_cap_is_read_file_by_file(tmp_path):
    """With a small cap: the big file is named too large, every other file's lines are exact."""
    small = {f"pkg/mod {i}.py": f"value_{i} = {i}\n" * 50 for i in range(30)}
    repo = make_repo(tmp_path, {**small, "big b/data.txt": big_text(300_000)})
    limit = 64 * 1024
    local = await read_local_diff(repo / ".git", "main", "feature", env=git_env(tmp_path), limit=limit)
    assert local.too_large == {"big b/data.txt": "diff larger than 0 MB"}
    assert local.diffs["big b/data.txt"].patch_missing
    for name in small:
        assert local.diffs[name].added == set(range(1, 51)), name
        assert local.diffs[name].status == "added"
    assert len(local.text) <= limit


def test_the_cli_reviews_what_fits_of_a_diff_over_64_mb_and_names_the_rest(tmp_path, capsys):
    repo = make_repo(tmp_path, {"huge.txt": big_text(70 * 1024 * 1024), "small b/app.py": FLAGGED})
    _, report = review_json(repo, capsys)
    assert [(f["path"], f["rule_id"]) for f in report["findings"]] == [("small b/app.py", "F401")]
    assert report["skipped"]["huge.txt"] == "diff larger than 64 MB"
    assert any("larger than git's output cap" in sentence for sentence in report["incomplete"])


async def test_a_git_error_names_the_subcommand_not_its_options(tmp_path):
    repo = make_repo(tmp_path, {"a.py": FLAGGED})
    with pytest.raises(CheckoutError, match=r"^git diff failed: "):
        await git(
            ["-c", "core.quotePath=false", "diff", "no-such-revision"],
            git_dir=repo / ".git",
            env=git_env(tmp_path),
            timeout=30,
        )
