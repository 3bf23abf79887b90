"""The pre-commit hooks (.pre-commit-hooks.yaml), run by the real pre-commit in throwaway repositories.

The hooks run as `review-bot-system` (language: system, the review-bot of this venv on PATH):
`review-bot` (language: python) is the same entry, but pre-commit would first build a virtualenv
and pip-install the bot with all its analyzers from the hook repository (minutes, and the package
index), so that one runs only when REVIEW_BOT_TEST_PRECOMMIT_INSTALL=1 is set. The two hooks are
checked to differ in nothing but their language.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent
BAD = "def f():\n    return undefined_name\n"  # ruff F821, an error
CLEAN = "def add(a, b):\n    return a + b\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """No git variable or config of whoever runs the tests; pre-commit's cache in tmp_path."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    return {
        **base,
        "PATH": f"{BIN}{os.pathsep}{base.get('PATH', os.defpath)}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def git(repo: Path, env: dict[str, str], *args: str) -> str:
    result = run(["git", *args], repo, env, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def new_repo(path: Path, env: dict[str, str], files: dict[str, str]) -> Path:
    path.mkdir(parents=True)
    git(path, env, "init", "-q", "-b", "main")
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, env, "add", "-A")
    git(path, env, "commit", "-qm", "start")
    return path


@pytest.fixture
def hook_repo(tmp_path: Path, env: dict[str, str]) -> Path:
    """A repository holding this checkout's hook manifest, committed (pre-commit clones a rev)."""
    return new_repo(tmp_path / "hooks", env, {".pre-commit-hooks.yaml": MANIFEST.read_text()})


def test_the_manifest_is_valid_and_both_hooks_say_the_same(env, tmp_path):
    result = run([str(BIN / "pre-commit"), "validate-manifest", str(MANIFEST)], tmp_path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    hooks = {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text())}
    python, system = hooks["review-bot"], hooks["review-bot-system"]
    assert python["language"] == "python" and system["language"] == "system"
    same = ("entry", "pass_filenames", "always_run", "require_serial", "stages")
    assert {k: python[k] for k in same} == {k: system[k] for k in same}
    assert python["entry"].startswith("review-bot review --staged")


def try_repo(project: Path, hook_repo: Path, env: dict[str, str], hook: str = "review-bot-system"):
    return run([str(BIN / "pre-commit"), "try-repo", str(hook_repo), hook, "--verbose"], project, env)


def test_try_repo_fails_on_a_staged_finding_and_passes_a_clean_change(tmp_path, env, hook_repo):
    project = new_repo(tmp_path / "project", env, {"README.md": "hello\n"})
    (project / "app.py").write_text(BAD)
    git(project, env, "add", "app.py")
    result = try_repo(project, hook_repo, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "app.py:2:12: error F821 Undefined name `undefined_name`" in result.stdout
    assert "review-bot: reviewing staged changes against HEAD" in result.stdout
    assert "Failed" in result.stdout

    (project / "app.py").write_text(CLEAN)
    git(project, env, "add", "app.py")
    result = try_repo(project, hook_repo, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout and "F821" not in result.stdout


def install(project: Path, hook_repo: Path, env: dict[str, str], hook: str) -> None:
    config = {
        "repos": [
            {"repo": str(hook_repo), "rev": git(hook_repo, env, "rev-parse", "HEAD"), "hooks": [{"id": hook}]}
        ]
    }
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git(project, env, "add", ".pre-commit-config.yaml")
    git(project, env, "commit", "-qm", "pre-commit", "--no-verify")
    result = run([str(BIN / "pre-commit"), "install"], project, env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_git_commit_is_refused_with_the_finding_then_accepted_once_fixed(tmp_path, env, hook_repo):
    project = new_repo(tmp_path / "project", env, {"README.md": "hello\n"})
    install(project, hook_repo, env, "review-bot-system")
    head = git(project, env, "rev-parse", "HEAD")

    (project / "app.py").write_text(BAD)
    git(project, env, "add", "app.py")
    result = run(["git", "commit", "-m", "bad"], project, env)
    assert result.returncode != 0
    assert "app.py:2:12: error F821 Undefined name `undefined_name`" in result.stdout + result.stderr
    assert git(project, env, "rev-parse", "HEAD") == head

    # The staged version is clean; an unstaged bad edit is not what is committed: it passes, and
    # pre-commit gives the unstaged edit back afterwards.
    (project / "app.py").write_text(CLEAN)
    git(project, env, "add", "app.py")
    (project / "app.py").write_text(CLEAN + "\nx = undefined_too\n")
    result = run(["git", "commit", "-m", "clean"], project, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert git(project, env, "rev-parse", "HEAD") != head
    assert git(project, env, "show", "HEAD:app.py") + "\n" == CLEAN
    assert (project / "app.py").read_text().endswith("x = undefined_too\n")


def test_the_repository_configuration_decides_the_failure_level(tmp_path, env, hook_repo):
    project = new_repo(
        tmp_path / "project", env, {"README.md": "hello\n", ".github/review-bot.yml": "fail_on: warning\n"}
    )
    install(project, hook_repo, env, "review-bot-system")
    (project / "app.py").write_text("import os\n")  # F401: a warning
    git(project, env, "add", "app.py")
    result = run(["git", "commit", "-m", "unused import"], project, env)
    assert result.returncode != 0 and "app.py:1:8: warning F401" in result.stdout + result.stderr


def readme_block() -> str:
    """The README's copy-paste `.pre-commit-config.yaml`: the first yaml block of its pre-commit section."""
    section = (ROOT / "README.md").read_text().split("\n## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_the_readme_block_works_verbatim(tmp_path, env):
    project = new_repo(tmp_path / "project", env, {".pre-commit-config.yaml": readme_block()})
    assert run([str(BIN / "pre-commit"), "install"], project, env).returncode == 0
    (project / "app.py").write_text(BAD)
    git(project, env, "add", "app.py")
    result = run(["git", "commit", "-m", "bad"], project, env)
    assert result.returncode != 0
    assert "app.py:2:12: error F821" in result.stdout + result.stderr
    git(project, env, "rm", "-q", "--cached", "app.py")
    (project / "ok.py").write_text(CLEAN)
    git(project, env, "add", "ok.py")
    result = run(["git", "commit", "-m", "clean"], project, env)
    assert result.returncode == 0, result.stdout + result.stderr


def hook_source(tmp_path: Path, env: dict[str, str]) -> Path:
    """What pip needs to install the bot from a hook repository: this checkout's package files."""
    dest = tmp_path / "bot-repo"
    dest.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, dest / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("bot", "analyzers", "handlers"):
        shutil.copytree(ROOT / package, dest / package, ignore=ignore)
    git(dest, env, "init", "-q", "-b", "main")
    git(dest, env, "add", "-A")
    git(dest, env, "commit", "-qm", "the bot")
    return dest


@pytest.mark.skipif(
    os.environ.get("REVIEW_BOT_TEST_PRECOMMIT_INSTALL") != "1",
    reason="installs the bot and its analyzers from the package index into a new virtualenv "
    "(set REVIEW_BOT_TEST_PRECOMMIT_INSTALL=1)",
)
def test_the_python_hook_installs_the_bot_and_reviews(tmp_path, env):
    project = new_repo(tmp_path / "project", env, {"README.md": "hello\n"})
    (project / "app.py").write_text(BAD)
    git(project, env, "add", "app.py")
    env = {**env, "PATH": env["PATH"].replace(f"{BIN}{os.pathsep}", "")}  # the venv's review-bot is not used
    result = run(
        [str(BIN / "pre-commit"), "try-repo", str(hook_source(tmp_path, env)), "review-bot", "--verbose"],
        project,
        env,
        timeout=1800,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "app.py:2:12: error F821 Undefined name `undefined_name`" in result.stdout
