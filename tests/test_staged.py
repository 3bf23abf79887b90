"""`review-bot review --staged`: what the index holds is reviewed, against HEAD, and nothing of
the user's (index, HEAD, refs, working tree, object store) is written; no hook runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

BAD = "def f():\n    return undefined_name\n"  # ruff F821, an error
CLEAN = "def add(a, b):\n    return a + b\n"


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    run = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgSign=false"]
    result = subprocess.run([*run, *args], check=True, capture_output=True, text=True, timeout=60, env=env)
    return result.stdout.strip()


def make_repo(path: Path, files: dict[str, str] | None = None) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    for name, text in (files or {"README.md": "hello\n"}).items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "add", "-A")
    git(path, "commit", "-qm", "start")
    return path


def stage(repo: Path, name: str, text: str) -> None:
    (repo / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / name).write_text(text)
    git(repo, "add", "--", name)


def staged(capsys, repo: Path, *args: str) -> tuple[int, dict, str]:
    code = main(["review", "--staged", str(repo), "--format", "json", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def rules(report: dict) -> set[tuple[str, str]]:
    return {(f["path"], f["rule_id"]) for f in report["findings"]}


def state(repo: Path) -> dict[str, object]:
    """Everything of the user's a review must not write."""
    dot = repo / ".git"
    index = dot / "index"
    return {
        "index": (index.read_bytes(), index.stat().st_mtime_ns),
        "refs": git(repo, "for-each-ref", "--format=%(refname) %(objectname)"),
        "head": (dot / "HEAD").read_text(),
        "objects": sorted(str(p.relative_to(dot)) for p in (dot / "objects").rglob("*") if p.is_file()),
        "tree": {str(p.relative_to(repo)): p.read_bytes() for p in repo.rglob("*") if ".git" not in p.parts},
    }


def test_what_is_staged_is_reviewed_and_nothing_of_the_users_is_written(tmp_path, capsys):
    repo = make_repo(tmp_path / "repo", {"a.py": CLEAN})
    stage(repo, "b.py", BAD)
    (repo / "a.py").write_text(CLEAN + "import os\n")  # not staged
    before = state(repo)
    code, report, err = staged(capsys, repo)
    assert rules(report) == {("b.py", "F821")}  # the unstaged F401 in a.py is not part of it
    assert code == 1
    head = git(repo, "rev-parse", "--short=7", "HEAD")
    assert f"review-bot: reviewing staged changes against HEAD ({head})" in err
    assert "warning: 1 file(s) have changes that are not staged" in err
    assert state(repo) == before


def test_the_index_is_reviewed_not_the_working_tree(tmp_path, capsys):
    repo = make_repo(tmp_path / "repo")
    stage(repo, "app.py", BAD)
    (repo / "app.py").write_text(CLEAN)  # fixed, but the fix is not staged: the commit would be bad
    code, report, _ = staged(capsys, repo)
    assert code == 1 and rules(report) == {("app.py", "F821")}
    git(repo, "add", "app.py")
    (repo / "app.py").write_text(BAD)  # the other way round: what would be committed is clean
    code, report, _ = staged(capsys, repo)
    assert code == 0 and report["findings"] == [] and report["files_analyzed"] == 1


def test_nothing_staged_is_a_clean_pass(tmp_path, capsys):
    repo = make_repo(tmp_path / "repo")
    code, report, err = staged(capsys, repo)
    assert code == 0 and report["findings"] == [] and report["files_analyzed"] == 0
    assert "reviewing staged changes" in err and "not staged" not in err


def test_a_repository_without_a_commit(tmp_path, capsys):
    repo = tmp_path / "new"
    repo.mkdir()
    git(repo, "init", "-q")
    stage(repo, "src/app.py", BAD)
    code, report, err = staged(capsys, repo)
    assert code == 1 and rules(report) == {("src/app.py", "F821")}
    assert "against an empty repository (no commit yet)" in err


def test_the_policy_comes_from_head_not_from_the_index(tmp_path, capsys):
    repo = make_repo(tmp_path / "repo", {".github/review-bot.yml": "ignore_rules: [F821]\n"})
    stage(repo, "app.py", "import os\n\n\n" + BAD)
    stage(repo, ".github/review-bot.yml", "fail_on: never\n")  # staged, not yet the policy
    code, report, _ = staged(capsys, repo)
    assert rules(report) == {("app.py", "F401")}
    assert code == 0  # F401 is a warning; HEAD's fail_on is the default, error

    git(repo, "commit", "-qm", "policy")
    (repo / ".github" / "review-bot.yml").write_text("fail_on: warning\nignore_rules: [F821]\n")
    git(repo, "commit", "-qam", "stricter")
    stage(repo, "more.py", "import sys\n")
    code, report, _ = staged(capsys, repo)
    assert rules(report) == {("more.py", "F401")} and code == 1  # HEAD's fail_on: warning


def test_config_flag_is_used_instead(tmp_path, capsys):
    repo = make_repo(tmp_path / "repo")
    stage(repo, "app.py", BAD)
    config = tmp_path / "review-bot.yml"
    config.write_text("fail_on: never\n")
    code, report, _ = staged(capsys, repo, "--config", str(config))
    assert code == 0 and rules(report) == {("app.py", "F821")}


def test_renames_deletions_and_odd_names(tmp_path, capsys):
    repo = make_repo(tmp_path / "repo", {"old.py": CLEAN, "gone.py": CLEAN, "keep.py": CLEAN})
    git(repo, "mv", "old.py", "new.py")
    (repo / "new.py").write_text(CLEAN + "\nx = undefined_too\n")
    git(repo, "add", "new.py")
    git(repo, "rm", "-q", "gone.py")
    odd = "dir with space/ünï cödé [1].py"
    stage(repo, odd, BAD)
    code, report, _ = staged(capsys, repo)
    assert rules(report) == {("new.py", "F821"), (odd, "F821")}
    assert code == 1


def test_intent_to_add_is_not_staged_content(tmp_path, capsys):
    repo = make_repo(tmp_path / "repo")
    (repo / "later.py").write_text(BAD)
    git(repo, "add", "-N", "later.py")
    code, report, _ = staged(capsys, repo)
    assert code == 0 and report["findings"] == []


def test_an_unmerged_index_is_a_clear_error(tmp_path, capsys):
    repo = make_repo(tmp_path / "repo", {"a.py": "A = 0\n"})
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "a.py").write_text("A = 1\n")
    git(repo, "commit", "-qam", "one")
    git(repo, "checkout", "-q", "main")
    (repo / "a.py").write_text("A = 2\n")
    git(repo, "commit", "-qam", "two")
    subprocess.run(["git", "-C", str(repo), "merge", "-q", "other"], capture_output=True, timeout=60)
    assert main(["review", "--staged", str(repo)]) == 2
    assert "unmerged paths" in capsys.readouterr().err


def test_git_index_file_from_a_commit_hook_is_the_index_reviewed(tmp_path, capsys, monkeypatch):
    """`git commit -a` and `git commit PATH` stage into a temporary index named by GIT_INDEX_FILE."""
    repo = make_repo(tmp_path / "repo", {"a.py": CLEAN})
    (repo / "a.py").write_text(BAD)
    temporary = repo / ".git" / "next-index.lock"
    env = {**os.environ, "GIT_INDEX_FILE": str(temporary)}
    git(repo, "read-tree", "HEAD", env=env)
    git(repo, "add", "a.py", env=env)
    assert rules(staged(capsys, repo)[1]) == set()  # the repository's index has nothing staged
    monkeypatch.chdir(repo)
    monkeypatch.setenv("GIT_INDEX_FILE", ".git/next-index.lock")  # relative, as git may pass it
    assert rules(staged(capsys, repo)[1]) == {("a.py", "F821")}


def test_no_hook_of_the_repository_runs(tmp_path, capsys):
    repo = make_repo(tmp_path / "repo")
    marker = tmp_path / "hook-ran"
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("pre-commit", "commit-msg", "post-commit", "post-index-change", "reference-transaction"):
        for folder in (hooks, repo / ".git" / "hooks"):
            script = folder / name
            script.write_text(f"#!/bin/sh\ntouch {marker}\n")
            script.chmod(0o755)
    git(repo, "config", "core.hooksPath", str(hooks))
    git(repo, "config", "commit.gpgSign", "true")  # would run gpg if commit-tree signed
    stage(repo, "app.py", BAD)
    marker.unlink(missing_ok=True)
    code, report, _ = staged(capsys, repo)
    assert code == 1 and rules(report) == {("app.py", "F821")}
    assert not marker.exists()


def test_staged_with_base_or_head_is_bad_usage(tmp_path, capsys):
    for extra in (["--base", "main"], ["--head", "HEAD"]):
        with pytest.raises(SystemExit) as exc:
            main(["review", "--staged", str(tmp_path), *extra])
        assert exc.value.code == 2
    assert "--staged reviews the index" in capsys.readouterr().err


def test_python_dash_m_bot_reviews_the_staged_change(tmp_path):
    repo = make_repo(tmp_path / "repo")
    stage(repo, "app.py", BAD)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "review", "--staged"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("app.py:2:12: error F821 Undefined name `undefined_name`")
