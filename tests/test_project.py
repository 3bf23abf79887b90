"""The project's own promises: the README's two commands, CI calling the second one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"^## Quick start\n+```sh\n(.*?)\n```", readme, re.MULTILINE | re.DOTALL)
    assert match, "README.md needs a '## Quick start' heading followed by one ```sh block"
    return match.group(1).splitlines()


def test_quick_start_is_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert "review-bot review" in commands[0] and "pytest" in commands[1]


def test_ci_runs_the_readmes_test_command():
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert quick_start_commands()[1] in ci
