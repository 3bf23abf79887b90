"""Issue 8, classes 1 and 8: a hostile ``.github/review-bot.yml`` cannot stop or stall a review.

A bad date, a 5,000-digit integer, deep nesting or a billion-laughs alias bomb in the
repository's configuration is an invalid configuration like any other: the App says so in its
"invalid config" comment (naming the file and what is wrong, briefly) and reviews with the
defaults; the CLI's ``--config`` exits 2 with a clear message; ``/config`` answers. Memory stays
bounded everywhere, and no message ever builds the expanded value.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from bot.config import ConfigError, ReviewSettings, Settings, brief
from bot.pipeline.repo_config import CONFIG_PATH, parse_repo_config
from bot.text.render import CONFIG_ERROR_MARKER
from tests.e2e import OWNER, REPO, World, make_world
from tests.ghdouble import commit, make_repo
from tests.test_commands import READER, replies, say

EVAL_PY = "def run(expression):\n    return eval(expression)\n"
MB = 1024 * 1024


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    """10**9 "lol"s once expanded, in well under a kilobyte."""
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    return "\n".join([*lines, f"include: *a{levels}"]) + "\n"


def merge_key_bomb(levels: int = 9, width: int = 10) -> str:
    """The same blow-up through merge keys (``<<``) of mappings instead of sequences."""
    lines = ["m0: &m0 {k: lol}"]
    for i in range(1, levels + 1):
        keys = ", ".join(f"k{j}: *m{i - 1}" for j in range(width))
        lines.append(f"m{i}: &m{i} {{{keys}}}")
    return "\n".join([*lines, f"exclude: *m{levels}"]) + "\n"


# name -> (the file, what the message must say)
BOMBS = {
    "billion_laughs": (billion_laughs(), "expands to more than"),
    "merge_keys": (merge_key_bomb(), "expands to more than"),
    "deep_flow_nesting": ("include: " + "[" * 10_000 + "]" * 10_000 + "\n", "nested more than 64 levels"),
    "deep_block_nesting": ("".join("  " * i + f"k{i}:\n" for i in range(200)), "nested more than 64 levels"),
    "bad_date": ("fail_on: 2024-13-45\n", "month must be in 1..12"),
    "huge_integer": ("max_inline_comments: " + "9" * 5_000 + "\n", "cannot be read"),
    "huge_hex_integer": (
        "max_inline_comments: 0x" + "f" * 5_000 + "\n",
        "max_inline_comments must be at most",
    ),
    "recursive_alias": ("include: &a [*a]\n", "recursive alias"),  # a cycle, not a tree: it used to hang
    "syntax": ("include: [a, b\n", "invalid YAML at line 2"),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_each_bomb_is_an_invalid_config_with_a_short_message_and_bounded_memory(name):
    text, says = BOMBS[name]
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError) as caught:
            parse_repo_config(text, ReviewSettings())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(caught.value)
    assert message.startswith(f"{CONFIG_PATH}: ") and says in message
    assert len(message) < 300
    assert peak < 16 * MB, f"parsing used {peak / MB:.1f} MB"


def test_a_wrong_value_is_shown_as_a_short_excerpt_only():
    many = "fail_on: [" + ", ".join(["'" + "y" * 50 + "'"] * 1_000) + "]\n"
    with pytest.raises(ConfigError) as caught:
        parse_repo_config(many, ReviewSettings())
    assert "fail_on must be str, got ['yyy" in str(caught.value) and len(str(caught.value)) < 200
    long_key = "analyzers:\n  " + "z" * 5_000 + ": false\n"
    with pytest.raises(ConfigError) as caught:
        parse_repo_config(long_key, ReviewSettings())
    assert len(str(caught.value)) < 300
    assert brief(list(range(10**6))) == "[0, 1, 2, 3, ...]"
    assert brief(10**5000) == "an integer of 16610 bits"  # never its digits (Python refuses them anyway)


def test_a_bombed_service_config_is_a_config_error(tmp_path):
    path = tmp_path / "enterprise.yaml"
    path.write_text("review:\n  " + billion_laughs().replace("\n", "\n  ").rstrip() + "\n")
    with pytest.raises(ConfigError, match="expands to more than"):
        Settings().with_yaml(path)


def test_the_incomplete_conclusion_is_validated():
    assert parse_repo_config(
        "incomplete_conclusion: action_required\n", ReviewSettings()
    ).incomplete_conclusion == ("action_required")
    with pytest.raises(ConfigError, match="incomplete_conclusion must be one of failure, action_required"):
        parse_repo_config("incomplete_conclusion: neutral\n", ReviewSettings())


# --- the App -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["billion_laughs", "deep_flow_nesting", "bad_date", "huge_integer"])
async def test_the_app_comments_on_a_bombed_config_and_reviews_with_the_defaults(
    aiohttp_client, github_double, tmp_path, name
):
    text, says = BOMBS[name]
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n", CONFIG_PATH: text})
    commit(path, {"app.py": EVAL_PY}, branch="feature")
    world = await make_world(aiohttp_client, github_double, path)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()

    [config_comment] = [
        c for c in world.github.issue_comments[world.key] if c["body"].startswith(CONFIG_ERROR_MARKER)
    ]
    assert CONFIG_PATH in config_comment["body"] and says in config_comment["body"]
    assert "ran with the default settings" in config_comment["body"]
    assert len(config_comment["body"]) < 1_000
    [review] = world.reviews()  # reviewed, with the defaults
    assert any(c["path"] == "app.py" and c["line"] == 2 for c in review["comments"])
    [run] = world.check_runs()
    assert run["status"] == "completed"


async def test_config_command_answers_about_a_bombed_config(aiohttp_client, github_double, tmp_path):
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n", CONFIG_PATH: billion_laughs()})
    commit(path, {"app.py": EVAL_PY}, branch="feature")
    world: World = await make_world(aiohttp_client, github_double, path)
    github_double.permissions[OWNER, REPO, READER] = "read"
    await say(world, "/config", READER)
    answer = replies(world)[-1]
    assert "is invalid, so the defaults apply" in answer and "expands to more than" in answer
    assert "| fail_on | `error` | default |" in answer


# --- the CLI -------------------------------------------------------------------------------------


CLI_MEMORY_CAP = 512 * MB  # address space: the billion laughs took the CLI past 3 GB before


def cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CLI_MEMORY_CAP, CLI_MEMORY_CAP))


def run_cli(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run ``python -m bot`` under an address-space cap; its exit status and output. (A cap, not
    a measurement: a child's ru_maxrss would count the pages of the big test process it forked from.)"""
    proc = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        capture_output=True,
        timeout=300,
        preexec_fn=cap_memory,
        check=False,
    )
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


@pytest.fixture
def cli_repo(tmp_path: Path) -> Path:
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n", CONFIG_PATH: billion_laughs()})
    commit(path, {"app.py": EVAL_PY}, branch="feature")
    return path


@pytest.mark.parametrize("name", ["billion_laughs", "deep_flow_nesting", "huge_integer"])
def test_cli_config_bomb_exits_2_with_a_clear_message(cli_repo, tmp_path, name):
    bomb = tmp_path / "bomb.yml"
    bomb.write_text(BOMBS[name][0])
    code, out, err = run_cli(["review", "--base", "main", "--config", str(bomb)], cli_repo)
    assert code == 2  # within the memory cap: the message is ours, not a MemoryError
    assert str(bomb) in err and BOMBS[name][1] in err and len(err) < 500
    assert out == ""


def test_cli_config_larger_than_the_limit_is_refused_without_reading_it_all(cli_repo, tmp_path):
    bomb = tmp_path / "big.yml"
    with bomb.open("wb") as handle:
        handle.truncate(2 * 1024 * MB)  # a 2 GB sparse file: nothing is on disk, all of it would be read
    code, _, err = run_cli(["review", "--base", "main", "--config", str(bomb)], cli_repo)
    assert code == 2 and "larger than 65,536 bytes" in err


def test_cli_reads_a_bombed_repository_config_as_invalid_and_reviews_with_the_defaults(cli_repo):
    args = ["review", "--base", "main", "--format", "json", "--fail-on", "never"]
    code, out, err = run_cli(args, cli_repo)
    assert code == 0, err
    assert "Ignored an invalid configuration, used the defaults" in out and "expands to more than" in out
    assert '"path": "app.py"' in out
