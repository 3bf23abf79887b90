"""End to end: a signed webhook becomes exactly one precise review on the PR (GitHub double, real git)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.demo import BASE_FILES, EXPECTED_FINDINGS, HEAD_FILES
from bot.text.render import fingerprints_in
from tests.e2e import (
    OWNER,
    REPO,
    SECRET,
    World,
    make_world,
    reject_next_review,
    until,
)
from tests.ghdouble import Symlink, bulk_commit, commit, make_repo
from tests.ghdouble.keys import app_key_pair

EXPECTED = EXPECTED_FINDINGS


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    path = make_repo(tmp_path / "hello", BASE_FILES)
    commit(path, HEAD_FILES, branch="feature", message="introduce problems")
    return path


@pytest.fixture
async def world(aiohttp_client, github_double, demo_repo) -> World:
    return await make_world(aiohttp_client, github_double, demo_repo)


def placed(review: dict) -> set[tuple[str, int, str]]:
    """(path, line, rule) of each inline comment, the rule read from the comment text."""
    # The first code span of a comment is its rule: "🟠 **warning** · bandit [`B307`](…) · …"
    return {(c["path"], c["line"], re.search(r"`([^`]+)`", c["body"]).group(1)) for c in review["comments"]}


async def test_opened_gives_exactly_one_precise_review(world: World):
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()

    [review] = world.reviews()
    assert placed(review) == EXPECTED
    assert all(c["side"] == "RIGHT" for c in review["comments"])
    assert all(len(fingerprints_in(c["body"])) == 1 for c in review["comments"])

    [summary] = world.summaries()
    assert "6 findings" in summary["body"]
    [run] = world.check_runs()
    assert run["status"] == "completed" and run["conclusion"] == "failure"
    assert len(run["annotations"]) == 6


async def test_five_redeliveries_still_give_one_review(world: World):
    payload = world.payload("opened")
    for _ in range(5):
        assert await world.deliver("pull_request", payload, delivery="same-delivery-id") == 202
    assert await world.deliver("pull_request", world.payload("reopened")) == 202  # same head, new delivery
    await world.settle()
    assert len(world.reviews()) == 1
    assert len(world.summaries()) == 1


async def test_synchronize_posts_only_the_new_finding_and_edits_the_summary(world: World):
    await world.deliver("pull_request", world.payload("opened"))
    await world.settle()
    [summary_before] = world.summaries()
    first_body = summary_before["body"]

    auth = HEAD_FILES["app/auth.py"] + "\n\ndef run(expression):\n    return eval(expression)\n"
    commit(world.repo_path, {"app/auth.py": auth}, branch="feature", message="one more problem")
    world.github.update_pull(OWNER, REPO, 2)
    world.github.revoke_tokens()  # the cached installation token is now refused: the bot must refresh it
    assert await world.deliver("pull_request", world.payload("synchronize")) == 202
    await world.settle()

    _first, second = world.reviews()
    assert placed(second) == {("app/auth.py", 11, "B307")}
    [summary_after] = world.summaries()
    assert summary_after["id"] == summary_before["id"]
    assert summary_after["body"] != first_body
    assert world.payload("synchronize")["after"][:7] in summary_after["body"]
    assert len(world.check_runs()) == 2


async def test_review_lands_exactly_once_through_502s_and_a_secondary_rate_limit(world: World):
    world.github.inject_errors(rate=0.3, status=502, seed=7)
    world.github.inject_secondary_rate_limit(count=1, retry_after=1)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle(timeout=180)
    assert any(status == 502 for _, _, status in world.github.requests)
    assert any(status == 403 for _, _, status in world.github.requests)
    [review] = world.reviews()
    assert placed(review) == EXPECTED
    assert len(world.summaries()) == 1
    assert world.check_runs()[-1]["status"] == "completed"


async def test_a_rejected_comment_goes_to_the_summary_and_the_rest_is_posted(world: World):
    # GitHub rejects the whole review once (as when the PR moved under us); the fallback re-reads the diff.
    reject_next_review(world)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    reviews = world.reviews()
    assert len(reviews) <= 1
    [summary] = world.summaries()
    inline = sum(len(r["comments"]) for r in reviews)
    in_summary = (
        summary["body"].count("| 🔴 |") + summary["body"].count("| 🟠 |") + summary["body"].count("| 🔵 |")
    )
    assert inline + in_summary == 6


async def test_symlinks_binaries_and_build_files_are_never_followed_or_run(
    aiohttp_client, github_double, tmp_path
):
    marker = tmp_path / "executed"
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n"})
    commit(
        path,
        {
            "passwd.py": Symlink("/etc/passwd"),
            "up.py": Symlink("../../../../etc/shadow"),
            "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00binary",
            "setup.py": f"open({str(marker)!r}, 'w').write('ran')\nimport os\n",
            "conftest.py": f"open({str(marker)!r}, 'w').write('ran')\n",
        },
        branch="feature",
    )
    world = await make_world(aiohttp_client, github_double, path)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    [summary] = world.summaries()
    assert "`passwd.py` (symlink)" in summary["body"] and "`up.py` (symlink)" in summary["body"]
    assert not marker.exists()
    for review in world.reviews():
        assert {c["path"] for c in review["comments"]} <= {"setup.py", "conftest.py"}


async def test_a_3000_file_pr_is_bounded_and_says_so(aiohttp_client, github_double, tmp_path):
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n"})
    bulk_commit(path, {f"pkg/m{i:04}.py": f"import os{i}\n".encode() for i in range(3050)}, branch="feature")
    world = await make_world(aiohttp_client, github_double, path, max_files=60)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle(timeout=240)
    [summary] = world.summaries()
    assert "too large to review fully" in summary["body"]
    file_pages = [p for m, p, s in world.github.requests if m == "GET" and p.endswith("/files")]
    assert len(file_pages) == 30  # 100 a page, GitHub stops at 3,000
    [review] = world.reviews()
    assert len(review["comments"]) == 30  # GitHub's comfortable maximum per review request
    assert "30 more not posted inline" in review["body"]
    [run] = world.check_runs()
    assert len(run["annotations"]) == 60  # 50 in the completing PATCH, 10 appended by another


async def test_draft_is_skipped_until_ready_for_review(world: World):
    draft = world.payload("opened")
    draft["pull_request"]["draft"] = True
    assert await world.deliver("pull_request", draft) == 202
    await world.settle()
    assert world.reviews() == []
    ready = world.payload("ready_for_review")
    assert await world.deliver("pull_request", ready) == 202
    await world.settle()
    await until(lambda: len(world.reviews()) == 1)


async def test_no_secret_reaches_a_log_or_a_comment(world: World, caplog):
    caplog.set_level(logging.DEBUG)
    world.github.inject_errors(rate=0.2, status=502, seed=3)
    reject_next_review(world)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    tokens = list(world.github.tokens)
    assert tokens, "the bot should have obtained an installation token"
    private_key_line = app_key_pair().private_pem.splitlines()[1]
    bodies = [c["body"] for c in world.github.issue_comments.get(world.key, [])]
    bodies += [c["body"] for r in world.reviews() for c in r["comments"]] + [
        r["body"] for r in world.reviews()
    ]
    for secret in [*tokens, SECRET, private_key_line]:
        assert secret not in caplog.text
        assert all(secret not in body for body in bodies)


async def test_the_server_survives_bad_deliveries(world: World):
    broken = world.payload("opened")
    del broken["pull_request"]["head"]
    assert await world.deliver("pull_request", broken) == 400
    assert await world.deliver("pull_request", {"action": "opened"}) == 400
    assert await world.deliver("pull_request", {"action": "opened", "pull_request": "nope"}) == 400
    response = await world.bot.get("/health")
    assert response.status == 200
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    assert len(world.reviews()) == 1


async def test_a_failed_job_is_retried_later_on_the_same_check_run(world: World):
    # Enough 502s in a row to open the circuit: the job fails, waits for it, runs again and lands.
    world.github.fail_next("GET", r"/repos/.*/pulls/\d+/files$", 502, count=6)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    [review] = world.reviews()
    assert placed(review) == EXPECTED
    [run] = world.check_runs()
    assert run["status"] == "completed" and run["conclusion"] == "failure"
    assert [s for _, p, s in world.github.requests if p.endswith("/files")].count(502) == 6


async def test_a_job_given_up_closes_its_check_run_and_can_be_asked_again(
    aiohttp_client, github_double, demo_repo
):
    world = await make_world(aiohttp_client, github_double, demo_repo, job_attempts=2)
    # A 404 will not change by retrying: the job is given up at once.
    world.github.fail_next("GET", r"/repos/.*/pulls/\d+/files$", 404, count=1)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    assert world.reviews() == []
    [run] = world.check_runs()
    # Given up is never a pass (branch protection takes "neutral" for one): it fails, and says why.
    assert run["status"] == "completed" and run["conclusion"] == "failure"
    assert "404" in run["output"]["summary"]
    [summary] = world.summaries()
    assert "could not be completed" in summary["body"] and "404" in summary["body"]

    world.github.reset_faults()
    assert await world.deliver("pull_request", world.payload("opened")) == 202  # a new delivery: try again
    await world.settle()
    assert len(world.reviews()) == 1


async def test_head_is_fetched_from_the_head_repository_when_the_base_cannot_serve_it(world: World):
    payload = world.payload("opened")
    payload["repository"]["clone_url"] = world.github.git_url(OWNER, "not-installed-here")
    payload["pull_request"]["head"]["repo"]["clone_url"] = world.github.git_url(OWNER, REPO)
    assert await world.deliver("pull_request", payload) == 202
    await world.settle()
    [review] = world.reviews()
    assert placed(review) == EXPECTED


async def test_another_bots_markers_are_not_taken_for_ours(world: World):
    # Another App (same marker format, other login) already "said" everything: we still say it.
    await world.deliver("pull_request", world.payload("opened"))
    await world.settle()
    [ours] = world.reviews()
    for comment in world.github.review_comments[world.key] + world.github.issue_comments[world.key]:
        comment["user"] = {**comment["user"], "login": "impostor[bot]"}
    world.github.reviews[world.key].clear()
    commit(world.repo_path, {"README.md": "touch\n"}, branch="feature")
    world.github.update_pull(OWNER, REPO, 2)
    assert await world.deliver("pull_request", world.payload("synchronize")) == 202
    await world.settle()
    [again] = world.reviews()
    assert placed(again) == placed(ours)
    assert len(world.summaries()) == 2  # the impostor's is left alone; ours is new


WORKFLOW = """name: greet
on: pull_request_target
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "Thanks for ${{ github.event.pull_request.title }}"
"""
SERVER_JS = """const { exec } = require("child_process");

function archive(req, res) {
  exec("tar czf out.tgz " + req.query.dir, () => res.send("ok"));
}

module.exports = { archive };
"""
SETTINGS_PY = """import yaml


def load(stream):
    return yaml.load(stream)
"""


async def test_many_languages_in_one_pr_each_on_its_line(aiohttp_client, github_double, tmp_path):
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n"})
    commit(
        path,
        {".github/workflows/greet.yml": WORKFLOW, "server.js": SERVER_JS, "settings.py": SETTINGS_PY},
        branch="feature",
    )
    world = await make_world(aiohttp_client, github_double, path)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    [review] = world.reviews()
    found = placed(review)
    assert ("server.js", 4, "js-child-process-exec-injection") in found
    assert (".github/workflows/greet.yml", 9, "actions-pull-request-target-checkout") in found
    assert (".github/workflows/greet.yml", 10, "actions-script-injection") in found
    yaml_comment = next(c for c in review["comments"] if c["path"] == "settings.py" and c["line"] == 5)
    assert "```suggestion\n    return yaml.safe_load(stream)\n```" in yaml_comment["body"]
    assert "also reported by bandit `B506`" in yaml_comment["body"]
    [summary] = world.summaries()
    for tool in ("semgrep", "actions", "bandit"):
        assert tool in summary["body"]
