"""Getting head files out of git: nothing from the repository runs, nothing escapes the scratch dir."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot.pipeline.checkout import (
    CheckoutError,
    git_env,
    local_git_dir,
    materialize,
    safe_relative_path,
    write_plain_file,
)


def run_git(root: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return out.stdout.decode().strip()


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "repo"
    root.mkdir()
    run_git(root, "init", "-q", "-b", "main")
    (root / "pkg").mkdir()
    (root / "pkg" / "ok.py").write_text("x = 1\n")
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (root / "big.py").write_text("y = 2\n" * 1000)
    os.symlink("/etc/passwd", root / "escape.py")
    os.symlink("pkg/ok.py", root / "inside.py")
    hooks = root / ".git" / "hooks"
    (hooks / "post-checkout").write_text("#!/bin/sh\ntouch /tmp/review-bot-hook-ran\n")
    (hooks / "post-checkout").chmod(0o755)
    run_git(root, "add", "-A")
    run_git(root, "commit", "-q", "-m", "files")
    return root, run_git(root, "rev-parse", "HEAD")


async def test_materialize_writes_regular_files_and_skips_the_rest(repo, tmp_path):
    root, sha = repo
    git_dir = await local_git_dir(root)
    paths = [
        "pkg/ok.py",
        "image.png",
        "big.py",
        "escape.py",
        "inside.py",
        "gone.py",
        "../etc/passwd",
        ".git/config",
    ]
    result = await materialize(
        git_dir, sha, paths, tmp_path / "out", env=git_env(tmp_path), fetch_missing=False, max_file_bytes=1000
    )
    assert result.files == ["pkg/ok.py"]
    assert (tmp_path / "out" / "pkg" / "ok.py").read_text() == "x = 1\n"
    # Left out by design (nothing to analyze there) ...
    assert result.skipped == {"image.png": "binary", "escape.py": "symlink", "inside.py": "symlink"}
    # ... and left out although they should have been analyzed: these make a review incomplete.
    assert result.failed == {
        "big.py": "larger than 1,000 bytes",
        "gone.py": "not in head commit",
        "../etc/passwd": "unsafe path",
        ".git/config": "unsafe path",
    }
    written = {p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")}
    assert written == {"pkg", "pkg/ok.py"}
    assert not any(p.is_symlink() for p in (tmp_path / "out").rglob("*"))
    assert not Path("/tmp/review-bot-hook-ran").exists()


async def test_blobs_are_read_in_batches_bounded_in_bytes(repo, tmp_path, monkeypatch):
    # Many files near max_file_bytes would overflow one cat-file call's output bound: read in runs.
    monkeypatch.setattr("bot.pipeline.checkout.READ_BATCH_BYTES", 10)
    root, sha = repo
    git_dir = await local_git_dir(root)
    result = await materialize(
        git_dir, sha, ["pkg/ok.py", "big.py"], tmp_path / "out", env=git_env(tmp_path), fetch_missing=False
    )
    assert result.files == ["big.py", "pkg/ok.py"] and not result.failed


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("a/b.py", True),
        ("/etc/passwd", False),
        ("a/../../x", False),
        ("./a", True),  # PurePosixPath drops "."; git never lists such a path anyway
        (".GIT/hooks/x", False),
        ("a\\..\\x", False),
        ("", False),
    ],
)
def test_safe_relative_path(path, safe):
    assert (safe_relative_path(path) is not None) is safe


def test_write_refuses_to_follow_a_symlinked_directory(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "link")
    with pytest.raises(CheckoutError):
        write_plain_file(root, "link/x.py", b"x")
    assert not (outside / "x.py").exists()


async def test_not_a_repository(tmp_path):
    with pytest.raises(CheckoutError, match="not a git repository"):
        await local_git_dir(tmp_path)


def test_token_travels_in_the_environment_not_in_arguments(tmp_path):
    env = git_env(tmp_path, "ghs_secret")
    values = [v for k, v in env.items() if k.startswith("GIT_CONFIG_VALUE_")]
    assert any(v.startswith("Authorization: Basic ") for v in values)
    assert not any("ghs_secret" in v for v in env.values())  # base64-encoded, never plain
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert env["GIT_CONFIG_NOSYSTEM"] == "1"
