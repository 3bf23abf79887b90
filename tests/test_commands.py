"""Slash-commands end to end: signed comment webhooks through the real App, the GitHub double, real git."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.commands.dispatch import REPLY_MARK
from bot.commands.effects import IGNORED_MARK
from bot.demo import BASE_FILES, HEAD_FILES
from bot.queue import Priority, ReviewJob
from bot.text.render import fingerprints_in
from bot.web import CONTEXT
from tests.e2e import INSTALLATION, NUMBER, OWNER, REPO, World, make_world, until
from tests.ghdouble import commit, make_repo
from tests.webhooks import load_payload

WRITER, READER = "alice", "bob"
EVAL_LINE = "\n\ndef run(expression):\n    return eval(expression)\n"


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    path = make_repo(tmp_path / "hello", {**BASE_FILES, ".github/review-bot.yml": "fail_on: warning\n"})
    commit(path, HEAD_FILES, branch="feature", message="introduce problems")
    return path


@pytest.fixture
async def world(aiohttp_client, github_double, demo_repo) -> World:
    world = await make_world(aiohttp_client, github_double, demo_repo, max_inline_comments=25)
    github_double.permissions[OWNER, REPO, WRITER] = "write"
    github_double.permissions[OWNER, REPO, "maria"] = "maintain"
    github_double.permissions[OWNER, REPO, READER] = "read"
    return world


@pytest.fixture
def enqueued(world: World) -> list[ReviewJob]:
    """Every job the App queues (the queue itself stays the real one)."""
    jobs: list[ReviewJob] = []
    real = world.queue.enqueue

    async def recording(job: ReviewJob) -> bool:
        jobs.append(job)
        return await real(job)

    world.queue.enqueue = recording  # type: ignore[method-assign]
    return jobs


def point_at_double(world: World, data: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    data["repository"].update(
        name=REPO, full_name=f"{OWNER}/{REPO}", clone_url=world.github.git_url(OWNER, REPO)
    )
    data["repository"]["owner"]["login"] = OWNER
    data["installation"] = {"id": INSTALLATION, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="}
    data["sender"] = user
    return data


def person(world: World, login: str, kind: str = "User") -> dict[str, Any]:
    return {**world.github.user_json(login), "type": kind}


def issue_comment(
    world: World,
    body: str,
    login: str = WRITER,
    *,
    kind: str = "User",
    action: str = "created",
    on_pr: bool = True,
) -> dict[str, Any]:
    """A real issue_comment payload, rewritten to be a comment on the double's PR."""
    data = load_payload("issue_comment", action)
    user = person(world, login, kind)
    stored = world.github.add_issue_comment(OWNER, REPO, NUMBER, login, body)
    stored["user"] = user
    data["comment"].update(id=stored["id"], body=body, user=user, html_url=stored["html_url"])
    data["issue"]["number"] = NUMBER
    if on_pr:
        # The fixtures are comments on a plain issue; on a PR GitHub adds this object to the issue.
        pr_api = f"{world.github.base_url}/repos/{OWNER}/{REPO}/pulls/{NUMBER}"
        data["issue"]["pull_request"] = {
            "url": pr_api,
            "html_url": pr_api,
            "diff_url": pr_api,
            "patch_url": pr_api,
        }
    return point_at_double(world, data, user)


def thread_reply(world: World, parent: dict[str, Any], body: str, login: str = READER) -> dict[str, Any]:
    """A real pull_request_review_comment payload: ``login`` replies in the thread of ``parent``."""
    data = load_payload("pull_request_review_comment", "created")
    user = person(world, login)
    data["comment"] = world.github.thread_reply(parent, body, user)
    data["pull_request"]["number"] = NUMBER
    return point_at_double(world, data, user)


async def say(world: World, body: str, login: str = WRITER, **kw: Any) -> dict[str, Any]:
    payload = issue_comment(world, body, login, **kw)
    assert await world.deliver("issue_comment", payload) == 202
    await world.settle()
    return payload


def reactions(world: World, payload: dict[str, Any], kind: str = "issue") -> list[str]:
    return [r["content"] for r in world.github.reactions.get((kind, payload["comment"]["id"]), [])]


def replies(world: World) -> list[str]:
    return [c["body"] for c in world.github.issue_comments.get(world.key, []) if REPLY_MARK in c["body"]]


def summary(world: World) -> str:
    [found] = world.summaries()
    return found["body"]


def inline_of(world: World, rule: str) -> list[dict[str, Any]]:
    return [
        c
        for c in world.github.review_comments.get(world.key, [])
        if fingerprints_in(c["body"]) and f"`{rule}`" in c["body"].split("\n", 1)[0]
    ]


async def reviewed(world: World) -> None:
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()


async def push(world: World, files: dict[str, str]) -> None:
    commit(world.repo_path, files, branch="feature", message="push")
    world.github.update_pull(OWNER, REPO, NUMBER)
    assert await world.deliver("pull_request", world.payload("synchronize")) == 202
    await world.settle()


# --- who may run what --------------------------------------------------------------------------


async def test_help_for_anyone_eyes_then_reply_and_thumbs_up(world: World):
    payload = await say(world, "/help", READER)
    assert reactions(world, payload) == ["eyes", "+1"]
    [answer] = replies(world)
    assert answer.startswith(f"@{READER} ")
    for usage in ("/review [--incremental]", "/ask <question>", "/explain", "/ignore <rule-id> [reason]",
                  "/unignore <rule-id>", "/pause", "/resume", "/config", "/help"):  # fmt: skip
        assert f"`{usage}`" in answer


async def test_the_apps_own_mention_is_an_alias(world: World):
    payload = await say(world, "Thanks!\n@review-bot help", READER)
    assert reactions(world, payload) == ["eyes", "+1"]
    assert "`/review [--incremental]`" in replies(world)[0]
    other = await say(world, "@someone-else help me with this", READER)
    assert reactions(world, other) == []
    assert len(replies(world)) == 1


@pytest.mark.parametrize(
    "body",
    ["/review", "/review --incremental", "/ask why?", "/ignore B307", "/unignore B307", "/pause", "/resume"],
)
async def test_write_commands_refused_politely_to_readers(world: World, enqueued, body: str):
    before = [dict(c) for c in world.github.issue_comments.get(world.key, [])]
    payload = await say(world, body, READER)
    assert reactions(world, payload) == ["eyes", "confused"]
    [answer] = replies(world)
    assert "write, maintain or admin access" in answer
    assert enqueued == []
    assert (
        world.summaries() == [] and len(world.github.issue_comments[world.key]) == len(before) + 2
    )  # theirs, our reply


async def test_maintain_counts_as_write_and_permission_is_cached(world: World, enqueued):
    await say(world, "/review", "maria")
    await say(world, "/pause", "maria")
    assert (
        len(enqueued) == 1
        and enqueued[0].requested_by == "maria"
        and enqueued[0].priority == Priority.CRITICAL
    )
    asked = [p for m, p, _ in world.github.requests if m == "GET" and p.endswith("/maria/permission")]
    assert len(asked) == 1


@pytest.mark.parametrize("body", ["/review", "/help", "/pause", "/ignore B307", "/config", "/ask x"])
@pytest.mark.parametrize("login", ["dependabot[bot]", "review-bot[bot]"])
async def test_bots_never_run_anything(world: World, enqueued, body: str, login: str):
    payload = await say(world, body, login, kind="Bot")
    assert reactions(world, payload) == [] and replies(world) == [] and enqueued == []


async def test_edited_deleted_and_plain_issue_comments_run_nothing(world: World, enqueued):
    for action in ("edited", "deleted"):
        await say(world, "/review", action=action)
    original = load_payload("issue_comment", "created.with-installation")  # a plain issue: no pull_request
    original["comment"]["body"] = "/review"
    assert await world.deliver("issue_comment", original) == 202
    await world.settle()
    assert enqueued == [] and replies(world) == []
    assert not any("reactions" in p for _, p, _ in world.github.requests)


async def test_slashes_that_are_not_commands_are_left_alone(world: World):
    bodies = [
        "I think a/b is fine; run /review later maybe",
        "/usr/bin/env python3 fails here",
        "> /review\nquoting someone",
        "```\n/review\n```",
        "http://example.com/review",
    ]
    for body in bodies:
        payload = await say(world, body)
        assert reactions(world, payload) == [], body
    assert replies(world) == []


async def test_unknown_command_gets_the_help_list(world: World):
    payload = await say(world, "/frobnicate now", READER)
    assert reactions(world, payload) == ["eyes", "confused"]
    [answer] = replies(world)
    assert "Unknown command `/frobnicate`" in answer and "`/config`" in answer


async def test_a_redelivered_comment_runs_once(world: World, enqueued):
    payload = issue_comment(world, "/review")
    for _ in range(3):
        assert await world.deliver("issue_comment", payload, delivery="same") == 202
    await world.settle()
    assert len(enqueued) == 1 and reactions(world, payload) == ["eyes", "+1"]


# --- /review -------------------------------------------------------------------------------------


async def test_review_runs_again_on_the_same_head(world: World, enqueued):
    await reviewed(world)
    payload = await say(world, "/review")
    assert reactions(world, payload) == ["eyes", "+1"]
    assert len(world.check_runs()) == 2  # a second full review, although this head was reviewed
    assert enqueued[-1].priority == Priority.CRITICAL and enqueued[-1].incremental_from == ""


async def test_review_incremental_starts_from_the_last_reviewed_head(world: World, enqueued):
    await say(world, "/review --incremental")
    assert "No earlier review on this PR: running a full review instead." in replies(world)[0]
    assert enqueued[-1].incremental_from == ""
    first_head = enqueued[-1].head_sha
    await say(world, "/review --incremental")
    assert "Nothing new since the last review" in replies(world)[1]
    await say(world, "/pause")  # so that the push is not reviewed on its own
    await push(world, {"README.md": "more\n"})
    await say(world, "/review --incremental")
    assert enqueued[-1].incremental_from == first_head and enqueued[-1].head_sha != first_head
    bad = await say(world, "/review --everything")
    assert reactions(world, bad) == ["eyes", "confused"] and "Usage" in replies(world)[-1]


async def test_a_flood_of_reviews_is_limited_with_one_reply(world: World, enqueued):
    payloads = [issue_comment(world, "/review") for _ in range(7)]
    for payload in payloads:
        assert await world.deliver("issue_comment", payload) == 202
    await world.settle()
    assert len(enqueued) == 3  # commands_per_minute
    [answer] = replies(world)
    assert "Too many requests: at most 3" in answer
    outcomes = sorted(reactions(world, p)[-1] for p in payloads)
    assert outcomes == ["+1"] * 3 + ["confused"] * 4


# --- state: /ignore, /unignore, /pause, /resume ----------------------------------------------------


async def test_ignore_hides_a_rule_until_unignored(world: World):
    await reviewed(world)
    [eval_comment] = inline_of(world, "B307")
    await say(world, "/ignore B307 <b>eval</b> is @fine here")
    notes = summary(world)
    assert "`B307`, by alice: &lt;b&gt;eval&lt;/b&gt; is @\u200bfine here" in notes
    [marked] = inline_of(world, "B307")
    assert marked["id"] == eval_comment["id"]
    assert (
        f"{IGNORED_MARK}🔕 Ignored by @alice: &lt;b&gt;eval&lt;/b&gt; is @\u200bfine here" in marked["body"]
    )
    assert fingerprints_in(marked["body"]) == fingerprints_in(eval_comment["body"])
    assert all(IGNORED_MARK not in c["body"] for c in inline_of(world, "E722"))

    await push(world, {"app/auth.py": HEAD_FILES["app/auth.py"] + EVAL_LINE})  # a new eval: B307 again
    assert len(world.check_runs()) == 2
    assert [c["line"] for c in inline_of(world, "B307")] == [19]  # not posted
    assert "`B307`, by alice" in summary(world)  # the review kept the state and its notes

    payload = await say(world, "/unignore B307")
    assert reactions(world, payload) == ["eyes", "+1"]
    assert "B307" not in summary(world)
    assert all(IGNORED_MARK not in c["body"] for c in inline_of(world, "B307"))
    await say(world, "/review")
    assert sorted((c["path"], c["line"]) for c in inline_of(world, "B307")) == [
        ("app/auth.py", 11),
        ("app/files.py", 19),
    ]


async def test_ignore_takes_only_a_rule_id(world: World):
    for body in ("/ignore", "/ignore ../../etc", "/ignore `B307`", "/unignore B307 because"):
        payload = await say(world, body)
        assert reactions(world, payload) == ["eyes", "confused"]
    assert all("Usage" in r for r in replies(world)) and world.summaries() == []


async def test_ignore_before_any_review_creates_the_summary_holding_the_state(world: World):
    await say(world, "/ignore ruff:E722 style only")
    assert "`ruff:E722`, by alice: style only" in summary(world)
    await reviewed(world)
    assert inline_of(world, "E722") == [] and inline_of(world, "B307") != []
    assert len(world.summaries()) == 1


async def test_pause_stops_automatic_reviews_but_not_review(world: World):
    await reviewed(world)
    await say(world, "/pause")
    assert "Automatic reviews on push are paused by alice" in summary(world)
    await push(world, {"app/auth.py": HEAD_FILES["app/auth.py"] + EVAL_LINE})
    assert len(world.check_runs()) == 1  # paused: no review of the push
    await say(world, "/review")
    assert len(world.check_runs()) == 2
    assert ("app/auth.py", 11) in [(c["path"], c["line"]) for c in inline_of(world, "B307")]
    await say(world, "/resume")
    assert "paused" not in summary(world)
    await push(world, {"README.md": "resumed\n"})
    assert len(world.check_runs()) == 3


# --- /config, /ask, /explain ------------------------------------------------------------------------


async def test_config_shows_each_value_and_its_source(world: World):
    await say(world, "/ignore B101 tests use assert")
    payload = await say(world, "/config", READER)
    assert reactions(world, payload) == ["eyes", "+1"]
    answer = replies(world)[-1]
    base = world.github.pulls[OWNER.lower(), REPO.lower(), NUMBER].base_sha[:7]
    assert re.search(
        rf"\| fail_on \| `warning` \| `.github/review-bot.yml` at the base commit `{base}` \|", answer
    )
    assert "| max_inline_comments | `25` | the service configuration |" in answer
    assert "| filter_mode | `added` | default |" in answer
    assert "| ignored rule | `B101` | `/ignore` by alice |" in answer
    assert "| agent dialogue | off |" in answer
    assert world.github.base_url not in answer


async def test_ask_without_a_model_says_so(world: World):
    payload = await say(world, "/ask What does archive() do\nwith odd names?")
    answer = replies(world)[-1]
    assert "not configured" in answer or "model" in answer.lower()  # no model in this world
    assert reactions(world, payload) == ["eyes", "+1"]


async def test_explain_answers_in_the_bots_thread(world: World):
    await reviewed(world)
    [root] = inline_of(world, "B307")
    payload = thread_reply(world, root, "/explain")
    assert await world.deliver("pull_request_review_comment", payload) == 202
    await world.settle()
    assert reactions(world, payload, "pull")[0] == "eyes"
    thread = [c for c in world.github.review_comments[world.key] if c.get("in_reply_to_id") == root["id"]]
    ours = [c for c in thread if c["user"]["type"] == "Bot"]
    assert len(ours) == 1 and REPLY_MARK in ours[0]["body"]
    misplaced = await say(world, "/explain", READER)
    assert "as a reply in one of the bot's review threads" in replies(world)[-1]
    assert reactions(world, misplaced) == ["eyes", "confused"]


async def test_webhook_answers_before_the_command_work_is_done(world: World):
    ctx = world.bot.app[CONTEXT]
    world.github.inject_latency(0.3)  # every GitHub call is slow: the 202 must not wait for them
    payload = issue_comment(world, "/help")
    assert await world.deliver("issue_comment", payload) == 202
    assert not ctx.background_idle()  # still running after the 202
    await until(lambda: reactions(world, payload) == ["eyes", "+1"])
    await world.settle()


async def test_a_failing_github_gives_confused_and_a_reply_not_a_silent_eyes(world: World, enqueued):
    world.github.fail_next("GET", r"/repos/.*/pulls/\d+$", 404)
    payload = await say(world, "/review\n/help")
    assert reactions(world, payload) == ["eyes", "confused"]
    [answer] = replies(world)
    assert "`/review` failed; please try again later." in answer and "`/config`" in answer  # /help still ran
    assert enqueued == []
