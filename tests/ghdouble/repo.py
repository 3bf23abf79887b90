"""Build real git repositories quickly for tests."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT = 60
_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}


@dataclass(frozen=True)
class Symlink:
    target: str


@dataclass(frozen=True)
class Renamed:
    """Move ``source`` to the key's path (content kept unless ``content`` is given)."""

    source: str
    content: str | bytes | None = None


FileValue = str | bytes | Symlink | Renamed | None  # None deletes the file
Files = Mapping[str, FileValue]


def git(repo: Path, *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=repo,
        input=input,
        capture_output=True,
        timeout=GIT_TIMEOUT,
        check=False,
        env={**os.environ, **_ENV},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {args[0]} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode(errors="replace").strip()


def make_repo(path: Path, files: Files) -> Path:
    """A non-bare repository at ``path`` whose ``main`` holds ``files`` in one commit."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "Test Author")
    git(path, "config", "user.email", "author@example.com")
    git(path, "config", "commit.gpgsign", "false")
    git(path, "config", "core.hooksPath", "/dev/null")
    _write(path, files)
    git(path, "add", "-A")
    git(path, "commit", "-q", "--allow-empty", "-m", "initial")
    return path


def commit(
    path: Path, files: Files, branch: str = "feature", message: str = "change", base: str = "main"
) -> str:
    """Commit ``files`` on ``branch`` (created from ``base`` if missing); returns the new sha."""
    exists = (
        subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
            cwd=path,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        ).returncode
        == 0
    )
    git(path, "checkout", "-q", *([branch] if exists else ["-b", branch, base]))
    _write(path, files)
    git(path, "add", "-A")
    git(path, "commit", "-q", "--allow-empty", "-m", message)
    return git(path, "rev-parse", "HEAD")


def bulk_commit(
    path: Path, files: Mapping[str, bytes], branch: str, base: str = "main", message: str = "bulk"
) -> str:
    """One commit adding many files at once through ``git fast-import`` (thousands in well under a second).

    The working tree is not touched, so ``branch`` must not be the checked-out branch."""
    stream = [
        f"commit refs/heads/{branch}\n".encode(),
        b"committer Test Author <author@example.com> 1704067200 +0000\n",
        f"data {len(message.encode())}\n{message}\n".encode(),
        f"from {git(path, 'rev-parse', base)}\n".encode(),
    ]
    for name, content in files.items():
        stream.append(f"M 100644 inline {name}\ndata {len(content)}\n".encode() + content + b"\n")
    git(path, "fast-import", "--quiet", "--force", input=b"".join(stream))
    return git(path, "rev-parse", f"refs/heads/{branch}")


def _write(root: Path, files: Files) -> None:
    for name, value in files.items():
        target = root / name
        if value is None:
            git(root, "rm", "-q", "--", name)
            continue
        if isinstance(value, Renamed):
            target.parent.mkdir(parents=True, exist_ok=True)
            git(root, "mv", "--", value.source, name)
            if value.content is None:
                continue
            value = value.content
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        if isinstance(value, Symlink):
            target.symlink_to(value.target)
        elif isinstance(value, bytes):
            target.write_bytes(value)
        else:
            target.write_text(value, encoding="utf-8")
