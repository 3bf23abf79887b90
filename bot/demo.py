"""``review-bot demo DIR``: a small repository whose last commit introduces a few problems."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

MARKER = ".review-bot-demo"

BASE_FILES = {
    "app/__init__.py": "",
    "app/files.py": '''"""Helpers for listing files."""

import os


def list_files(folder):
    return sorted(os.listdir(folder))
''',
}

HEAD_FILES = {
    "app/files.py": '''"""Helpers for listing files."""

import os
import subprocess
import sys


def list_files(folder):
    return sorted(os.listdir(folder))


def archive(folder, name):
    # Builds a shell command from its arguments: command injection.
    subprocess.call("tar czf " + name + " " + folder, shell=True)


def load_settings(text):
    try:
        return eval(text)
    except:
        return defaults
''',
    "app/auth.py": '''"""Login checks."""

PASSWORD = "hunter2"


def check(user, password):
    return password == PASSWORD and user is not None
''',
}


# What `review-bot review` says about the demo: (path, line, rule), all on lines the feature adds.
EXPECTED_FINDINGS = frozenset(
    {
        ("app/files.py", 5, "F401"),
        ("app/files.py", 14, "py-subprocess-shell-true"),  # and bandit B602: one finding
        ("app/files.py", 19, "B307"),
        ("app/files.py", 20, "E722"),
        ("app/files.py", 21, "F821"),
        ("app/auth.py", 3, "secret-keyword"),  # bandit B105 too: one finding naming both
    }
)


class DemoError(Exception):
    pass


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=Demo", "-c", "user.email=demo@example.com", *args],
        check=True,
        capture_output=True,
        timeout=30,
    )


def write(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def create_demo(root: Path) -> Path:
    """Make (or remake) the demo repository: branch ``main`` clean, branch ``feature`` with problems."""
    if root.exists():
        if not (root / MARKER).exists():
            if any(root.iterdir()):
                raise DemoError(f"{root} exists and is not a review-bot demo; choose another directory")
        else:
            shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "--quiet", "--initial-branch=main")
    write(root, {**BASE_FILES, MARKER: "made by `review-bot demo`\n"})
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "Base: list files")
    git(root, "checkout", "--quiet", "-b", "feature")
    write(root, HEAD_FILES)
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "Add archiving, settings and login")
    return root
