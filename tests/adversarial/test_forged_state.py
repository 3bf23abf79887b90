"""A PR cannot forge the bot's state: end to end through the App, the GitHub double and real git.

The attack of issue 8: a file named ``logo<!-- review-bot:state:...{"paused":...} -->.png`` is
listed as "not analyzed" in the summary, before the real state marker, and the bot used to read
the first marker: the PR paused its own automatic reviews. Now the marker is signed (HMAC keyed
by a server secret, bound to the PR), only the last one counts, and PR text cannot write ``<!--``.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from bot.github.pr_state import STATE_RE, PRState, derive_state_key, pr_scope, state_mac
from bot.text.render import SUMMARY_MARKER
from tests.e2e import NUMBER, OWNER, REPO, SECRET, World, make_world
from tests.ghdouble import commit, make_repo
from tests.test_commands import push, say

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PAUSED = {"said": [], "paused": {"by": "mallory"}, "ignored": {"B307": {"by": "mallory", "reason": "x"}}}
KEY = derive_state_key(None, SECRET)  # what the App derives from its webhook secret
SCOPE = pr_scope(OWNER, REPO, NUMBER)
OWN_MARKER = re.compile(r"<!-- review-bot:[a-z-]+(?::[A-Za-z0-9+/=:]*)? -->")


def payload_without_slash(data: dict) -> str:
    """Base64 of ``data`` that can be part of a file name (no "/"), by padding the JSON."""
    for pad in range(64):
        raw = base64.b64encode((json.dumps(data) + " " * pad).encode()).decode()
        if "/" not in raw:
            return raw
    raise AssertionError("no padding avoids '/'")


LEGACY = f"<!-- review-bot:state:{payload_without_slash(PAUSED)} -->"  # the form the bot used to read
RAW = payload_without_slash(PAUSED)
WRONG_MAC = f"<!-- review-bot:state:v1:{RAW}:{state_mac(b'guessed key', SCOPE, RAW)} -->"
FORGED_NAMES = [f"logo{LEGACY}.png", f"icon{WRONG_MAC}.png"]


@pytest.fixture
async def world(aiohttp_client, github_double, tmp_path: Path) -> World:
    repo = make_repo(tmp_path / "hello", {"README.md": "hello\n", "app.py": "import os\n"})
    commit(
        repo,
        {**dict.fromkeys(FORGED_NAMES, PNG), "data.bin": PNG, "app.py": "import os\nx = eval(input())\n"},
        message="logo",
    )
    world = await make_world(aiohttp_client, github_double, repo)
    github_double.permissions[OWNER, REPO, "alice"] = "write"
    return world


def summary(world: World) -> str:
    [found] = world.summaries()
    return found["body"]


def state_of(body: str) -> PRState:
    return PRState.from_body(body, KEY, SCOPE)


async def test_a_file_name_cannot_pause_the_review(world: World):
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    body = summary(world)
    assert "Not analyzed:" in body and "logo" in body and "icon" in body  # the names are listed ...
    leftover = OWN_MARKER.sub("", body)
    assert "<!--" not in leftover  # ... but none of them opens a comment or a marker
    assert len(STATE_RE.findall(body)) == 1 and body.rstrip().endswith(" -->")  # ours, last
    assert not state_of(body).paused and not state_of(body).ignored
    assert len(world.check_runs()) == 1 and len(world.reviews()) == 1  # reviewed: eval is commented on

    await push(world, {"app.py": "import os\nx = eval(input())\ny = 1\n"})
    assert len(world.check_runs()) == 2  # the next push is reviewed: nothing paused it
    assert not state_of(summary(world)).paused


async def test_a_marker_with_a_wrong_mac_is_no_state(world: World):
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    # The worst case: forged text lands as the last line of the bot's own summary.
    [stored] = world.summaries()
    stored["body"] = STATE_RE.sub("", stored["body"]).rstrip() + "\n" + WRONG_MAC
    assert not state_of(stored["body"]).paused
    await push(world, {"README.md": "more\n"})
    assert len(world.check_runs()) == 2  # reviewed although the marker says "paused"
    body = summary(world)
    assert WRONG_MAC not in body and state_of(body).said  # rewritten, signed, with what was said
    # The same paused state, unsigned as before this fix, is no state either.
    stored["body"] = STATE_RE.sub("", stored["body"]).rstrip() + "\n" + LEGACY
    await push(world, {"README.md": "even more\n"})
    assert len(world.check_runs()) == 3


async def test_the_bots_own_state_still_round_trips(world: World):
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    await say(world, "/pause")
    body = summary(world)
    assert state_of(body).paused and state_of(body).paused_by == "alice"
    assert "Automatic reviews on push are paused by alice" in body
    await push(world, {"README.md": "paused\n"})
    assert len(world.check_runs()) == 1  # paused by the bot's own, signed state
    await say(world, "/ignore B307 reviewed by hand")
    assert set(state_of(summary(world)).ignored) == {"B307"}
    await say(world, "/resume")
    await push(world, {"README.md": "resumed\n"})
    assert len(world.check_runs()) == 2
    assert not state_of(summary(world)).paused and set(state_of(summary(world)).ignored) == {"B307"}


async def test_someone_elses_summary_comment_is_not_read(world: World):
    """A person (or another bot) posting a summary look-alike with a forged marker changes nothing."""
    signed_by_nobody = f"{SUMMARY_MARKER}\n## Review bot\n{WRONG_MAC}"
    world.github.add_issue_comment(OWNER, REPO, NUMBER, "mallory", signed_by_nobody)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    assert len(world.check_runs()) == 1
    await push(world, {"README.md": "more\n"})
    assert len(world.check_runs()) == 2
