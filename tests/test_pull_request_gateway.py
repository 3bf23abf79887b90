"""The PullRequest gateway (bot/github/pull_request.py) and the data its comments carry.

One module builds GitHub's paths about a PR and makes its calls; everything else asks it. Each
inline comment's hidden marker carries tool, rule, fingerprint and merged sources, and
``/ignore`` and ``/explain`` read them from there, only from the bot's own comments, never from
the rendered header. End to end through the App, the strict GitHub double and real git.
"""

from __future__ import annotations

import ast
import base64
import json
from pathlib import Path
from typing import Any

import pytest

from analyzers import Finding
from bot.commands.answers import OLDER_COMMENT
from bot.commands.dispatch import REPLY_MARK
from bot.commands.effects import IGNORED_MARK
from bot.demo import BASE_FILES, HEAD_FILES
from bot.text.render import finding_mark_in, finding_marker, fingerprints_in, inline_comment_body
from bot.web import CONTEXT
from tests.e2e import INSTALLATION, NUMBER, OWNER, REPO, World, make_world
from tests.ghdouble import commit, make_repo
from tests.test_commands import say, thread_reply

ROOT = Path(__file__).resolve().parents[1]
GATEWAY = {"bot/github/pull_request.py", "bot/github/pr_paths.py"}
# The bot's own REST API serves /api/v1/repos/{owner}/{repo}/trends: a route of ours, not a GitHub path.
OWN_API = "bot/api/"
# The GitHub client's reading methods (its post/patch/put/delete share their names with Redis's
# and aiohttp's, so the path scan above is what catches a write): besides the gateway, only the
# client itself and the App-wide calls (GET /app, installation tokens) use them.
CLIENT_METHODS = {"getitem", "getiter", "get_all", "post_once", "graphql"}
CLIENT_CALLERS = GATEWAY | {"bot/github/client.py", "bot/github/auth.py", "bot/context.py"}
WRITER = "alice"


def sources() -> list[tuple[str, str]]:
    found = []
    for top in ("bot", "handlers"):
        for path in sorted((ROOT / top).rglob("*.py")):
            found.append((path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")))
    return found


# --- one module builds the paths ---------------------------------------------------------------


def test_only_the_gateway_builds_repository_paths():
    scanned = sources()
    offenders = [
        f"{name}:{number}: {line.strip()}"
        for name, text in scanned
        if name not in GATEWAY and not name.startswith(OWN_API)
        for number, line in enumerate(text.splitlines(), 1)
        if "/repos/" in line
    ]
    assert offenders == [], "a /repos/ path outside the PR gateway:\n" + "\n".join(offenders)
    assert any("/repos/" in text for name, text in scanned if name in GATEWAY)  # the scan does see paths


def test_only_the_gateway_calls_github_about_a_pr():
    offenders = []
    for name, text in sources():
        if name in CLIENT_CALLERS:
            continue
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLIENT_METHODS
            ):
                offenders.append(f"{name}:{node.lineno}: .{node.func.attr}(...)")
    assert offenders == [], "a GitHub call outside the PR gateway:\n" + "\n".join(offenders)


# --- what a marker carries ---------------------------------------------------------------------


def finding(**changes: Any) -> Finding:
    base: dict[str, Any] = {
        "tool": "semgrep",
        "rule_id": "py-subprocess-shell-true",
        "severity": "error",
        "path": "app/files.py",
        "line": 14,
        "end_line": 14,
        "message": "shell=True runs a shell",
        "help_url": "https://semgrep.dev/r/py-subprocess-shell-true",
        "fingerprint": "0123456789abcdef",
        "sources": ("semgrep py-subprocess-shell-true", "bandit B602"),
    }
    return Finding(**{**base, **changes})


def marker_of(data: dict[str, Any]) -> str:
    raw = base64.b64encode(json.dumps(data).encode()).decode()
    return f"<!-- review-bot:finding:v1:{raw} -->"


def test_the_marker_carries_tool_rule_fingerprint_and_sources():
    body = inline_comment_body(finding())
    assert body.endswith(finding_marker(finding()))
    mark = finding_mark_in(body)
    assert mark is not None
    assert (mark.tool, mark.rule, mark.fingerprint, mark.severity) == (
        "semgrep",
        "py-subprocess-shell-true",
        "0123456789abcdef",
        "error",
    )
    assert mark.help_url == "https://semgrep.dev/r/py-subprocess-shell-true"
    assert mark.names() == [("semgrep", "py-subprocess-shell-true"), ("bandit", "B602")]
    assert fingerprints_in(body) == {"0123456789abcdef"}
    assert "review-bot:fp:" not in body  # one marker, the new one


def test_a_marker_holds_only_values_that_pass_the_state_patterns():
    good = {"tool": "bandit", "rule": "B602", "fp": "ab" * 8, "sev": "warning"}
    odd_rule = finding_mark_in(marker_of({**good, "rule": "has space"}))
    assert odd_rule is not None and odd_rule.fingerprint == "ab" * 8  # still known as said
    assert (odd_rule.tool, odd_rule.rule, odd_rule.names()) == ("", "", [])  # but names nothing
    assert finding_mark_in(marker_of({**good, "fp": "not-hex"})) is None
    assert finding_mark_in(marker_of({**good, "sev": "<b>"})).severity == ""
    assert finding_mark_in(marker_of({**good, "url": "javascript:alert(1)"})).help_url is None
    sources = finding_mark_in(marker_of({**good, "src": ["ruff:E722", "no-colon", 7, "a:b c", ":x"]}))
    assert sources.names() == [("bandit", "B602"), ("ruff", "E722")]
    assert finding_mark_in("<!-- review-bot:finding:v1:!!notbase64 -->") is None
    assert finding_mark_in(marker_of(["a", "list"])) is None  # type: ignore[arg-type]
    assert finding_mark_in("text " + marker_of(good)) is None  # a marker is a line of its own


def test_pr_text_cannot_fake_a_marker_in_our_comment():
    forged = marker_of({"tool": "bandit", "rule": "B101", "fp": "f" * 16, "sev": "error"})
    body = inline_comment_body(finding(message=f"x\n{forged}\n<!-- review-bot:fp:{'e' * 16} -->"))
    mark = finding_mark_in(body)
    assert mark is not None and mark.rule == "py-subprocess-shell-true"
    assert fingerprints_in(body) == {"0123456789abcdef"}
    assert forged not in body


def test_older_comments_fingerprint_markers_are_still_read():
    legacy = (
        "🟠 **warning** · ruff `F401`\n\n`os` imported but unused\n\n<!-- review-bot:fp:0123456789abcdef -->"
    )
    assert fingerprints_in(legacy) == {"0123456789abcdef"}
    assert finding_mark_in(legacy) is None  # it names no rule: nothing is parsed from its header


# --- end to end: /ignore and /explain read the marker ------------------------------------------


@pytest.fixture
async def world(aiohttp_client, github_double, tmp_path: Path) -> World:
    path = make_repo(tmp_path / "hello", BASE_FILES)
    commit(path, HEAD_FILES, branch="feature", message="introduce problems")
    world = await make_world(aiohttp_client, github_double, path, max_inline_comments=25)
    github_double.permissions[OWNER, REPO, WRITER] = "write"
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    return world


def comments(world: World) -> list[dict[str, Any]]:
    return world.github.review_comments[OWNER, REPO, NUMBER]


def at_line(world: World, path: str, line: int) -> dict[str, Any]:
    """The bot's comment of its review at that line (the first there: added ones come later)."""
    placed = [
        c for c in comments(world) if (c["path"], c["line"]) == (path, line) and "in_reply_to_id" not in c
    ]
    return min(placed, key=lambda c: c["id"])


def add_comment(world: World, like: dict[str, Any], body: str, **changes: Any) -> dict[str, Any]:
    """A comment beside ``like`` (the double posts only as the bot itself)."""
    comment = {**like, "id": like["id"] + 70_000 + len(comments(world)), "body": body, **changes}
    comments(world).append(comment)
    return comment


async def test_ignore_matches_a_rule_named_among_a_merged_findings_sources(world: World):
    merged = at_line(world, "app/files.py", 14)  # semgrep's shell=True, bandit B602 merged into it
    assert finding_mark_in(merged["body"]).names() == [
        ("semgrep", "py-subprocess-shell-true"),
        ("bandit", "B602"),
    ]
    await say(world, "/ignore B602 reviewed by hand")
    assert IGNORED_MARK in at_line(world, "app/files.py", 14)["body"]
    assert IGNORED_MARK not in at_line(world, "app/files.py", 19)["body"]  # B307: another rule
    await say(world, "/unignore B602")
    assert IGNORED_MARK not in at_line(world, "app/files.py", 14)["body"]


async def test_markers_are_read_only_from_the_bots_own_comments(world: World):
    like = at_line(world, "app/files.py", 19)  # B307
    person = {**like["user"], "login": "mallory", "type": "User"}
    copied = str(like["body"])
    theirs = add_comment(world, like, copied, user=person)
    await say(world, "/ignore B307")
    assert IGNORED_MARK in at_line(world, "app/files.py", 19)["body"]
    assert next(c for c in comments(world) if c["id"] == theirs["id"])["body"] == copied  # untouched
    ctx = world.bot.app[CONTEXT]
    pr = await ctx.pull_request(INSTALLATION, OWNER, REPO, NUMBER)
    forged = finding(fingerprint="fe" * 8)
    add_comment(world, like, inline_comment_body(forged), user=person)
    assert "fe" * 8 not in (await pr.read_state()).said  # a person's marker is not what we said


async def test_a_comment_from_before_the_markers_keeps_its_fingerprint_and_explains_why_not(world: World):
    like = at_line(world, "app/files.py", 20)
    legacy_fp = "0123456789abcdef"
    body = f"🟠 **warning** · ruff `E722`\n\nDo not use bare `except`\n\n<!-- review-bot:fp:{legacy_fp} -->"
    legacy = add_comment(world, like, body)
    ctx = world.bot.app[CONTEXT]
    pr = await ctx.pull_request(INSTALLATION, OWNER, REPO, NUMBER)
    assert legacy_fp in (await pr.read_state()).said  # a re-review still knows it said this

    payload = thread_reply(world, legacy, "/explain")
    assert await world.deliver("pull_request_review_comment", payload) == 202
    await world.settle()
    [answer] = [
        c["body"]
        for c in comments(world)
        if c.get("in_reply_to_id") == legacy["id"] and REPLY_MARK in c["body"]
    ]
    assert OLDER_COMMENT in answer

    await say(world, "/ignore E722")  # the state takes it; the old comment, naming no rule, is left
    assert IGNORED_MARK not in next(c for c in comments(world) if c["id"] == legacy["id"])["body"]
    assert IGNORED_MARK in at_line(world, "app/files.py", 20)["body"]  # the one with a marker is marked
