"""A real PR review (signed webhook, GitHub double, real git and analyzers) watched live: a member
of the PR's session sees the review start, each analyzer, each finding the review posts, and
the result, in that order, each event carrying the head reviewed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.demo import BASE_FILES, HEAD_FILES
from tests.e2e import NUMBER, OWNER, REPO, World, make_world
from tests.ghdouble import commit, make_repo
from tests.live_world import api_env, connect, credentials, receive_json, receive_until  # noqa: F401

pytestmark = pytest.mark.usefixtures("api_env")


@pytest.fixture
async def world(aiohttp_client: Any, github_double: Any, tmp_path: Path) -> World:
    path = make_repo(tmp_path / "hello", BASE_FILES)
    commit(path, HEAD_FILES, branch="feature", message="introduce problems")
    return await make_world(aiohttp_client, github_double, path)


async def test_a_member_watches_a_pr_review_as_it_runs(world: World) -> None:
    token, _ = await credentials(world.bot, user="mona", org=OWNER, role="read")
    ws = await connect(world.bot, token)
    assert (await receive_json(ws))["type"] == "welcome"
    await ws.send_json({"type": "join_session", "session": f"review:{OWNER}/{REPO}#{NUMBER}"})
    joined, _ = await receive_until(ws, "joined")
    assert joined["session"] == f"review:{OWNER}/{REPO}#{NUMBER}".lower()

    assert await world.deliver("pull_request", world.payload("opened")) == 202
    events: list[dict[str, Any]] = []
    while not events or events[-1]["type"] not in ("result", "error"):
        message = await receive_json(ws, timeout=180)
        assert message["type"] == "event"
        events.append(message["event"])
    await world.settle()
    kinds = [e["type"] for e in events]
    assert kinds[0] == "review_started" and kinds[-1] == "result", kinds
    assert "analyzer_started" in kinds and "analyzer_finished" in kinds
    assert kinds.index("analyzer_finished") < kinds.index("finding") < kinds.index("result")
    head = world.github.pulls[OWNER.lower(), REPO.lower(), NUMBER].data["head"]["sha"]
    assert {e["head_sha"] for e in events} == {head}
    findings = [e["finding"] for e in events if e["type"] == "finding"]
    assert events[-1]["findings_total"] == len(findings) > 0
    [review] = world.reviews()
    assert {c["path"] for c in review["comments"]} <= {f["path"] for f in findings}
    await ws.close()
