"""Comments that close when fixed, and /ignore of a merged finding, end to end.

A signed webhook through the real App, real git, the real analyzers and the strict GitHub double,
whose GraphQL endpoint (tests/ghdouble/graphql.py) parses every query against a schema subset
and answers from the double's own review comments. Push 1 adds two findings, A (bandit B307,
``eval``) and B (semgrep's ``shell=True``, bandit B602 merged into it); push 2 removes A's line
and moves B's. Also: unit tests of the GraphQL double's strictness, and of what counts as fixed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from analyzers import AnalyzerResult, Finding
from analyzers.diff import parse_patch
from bot.commands.effects import IGNORED_MARK
from bot.github.client import GraphQLError
from bot.github.pr_state import IgnoredRule, PRState
from bot.github.pull_request import PullRequest
from bot.pipeline.analyze import ReviewOutcome
from bot.text.render import FIXED_MARK, finding_mark_in, fingerprints_in, inline_comment_body
from bot.web import CONTEXT
from tests.e2e import INSTALLATION, NUMBER, OWNER, REPO, World, make_world
from tests.ghdouble import GitHubDouble, commit, make_repo
from tests.ghdouble.state import Token
from tests.test_commands import WRITER, say

BASE = {"app/__init__.py": "", "app/tools.py": '"""Tools."""\n'}
PUSH_1 = '''"""Tools."""

import subprocess


def evaluate(text):
    return eval(text)


def archive(folder):
    subprocess.call("tar czf out.tgz " + folder, shell=True)
'''
# A's function is gone; B's line moved down by one (its text is the same, so is its fingerprint).
PUSH_2 = '''"""Tools."""

import subprocess

LIMIT = 3


def archive(folder):
    # Packs the folder.
    subprocess.call("tar czf out.tgz " + folder, shell=True)
'''


@pytest.fixture
async def world(aiohttp_client, github_double: GitHubDouble, tmp_path: Path) -> World:
    path = make_repo(tmp_path / "hello", BASE)
    commit(path, {"app/tools.py": PUSH_1}, branch="feature", message="push 1")
    world = await make_world(aiohttp_client, github_double, path)
    github_double.permissions[OWNER, REPO, WRITER] = "write"
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    return world


async def push(world: World, files: dict[str, Any], *, deliver: bool = True) -> str:
    sha = commit(world.repo_path, files, branch="feature", message="push")
    world.github.update_pull(OWNER, REPO, NUMBER)
    if deliver:
        assert await world.deliver("pull_request", world.payload("synchronize")) == 202
        await world.settle()
    return sha


def comments(world: World) -> list[dict[str, Any]]:
    return world.github.review_comments.get(world.key, [])


def ours_about(world: World, rule: str) -> list[dict[str, Any]]:
    """The bot's comments whose marker names ``rule`` (its own rule or a merged tool's)."""
    found = []
    for c in comments(world):
        mark = finding_mark_in(c["body"]) if c["user"]["type"] == "Bot" else None
        if mark is not None and rule in {r for _, r in mark.names()}:
            found.append(c)
    return found


def summary(world: World) -> str:
    [found] = world.summaries()
    return str(found["body"])


def finding_a_and_b(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    [a] = ours_about(world, "B307")
    [b] = ours_about(world, "B602")
    return a, b


# --- end to end ---------------------------------------------------------------------------------


async def test_a_push_that_removes_a_finding_resolves_its_thread_and_not_the_moved_one(world: World):
    a, b = finding_a_and_b(world)
    assert "Findings on this PR: 2 open, 0 fixed, 0 ignored." in summary(world)

    sha = await push(world, {"app/tools.py": PUSH_2})
    assert world.github.thread_changes == [("resolve", a["id"])]
    assert world.github.resolved_threads == {a["id"]}
    assert f"{FIXED_MARK}✅ Fixed in `{sha[:7]}`." in a["body"]  # and it says where
    assert fingerprints_in(a["body"]) == {finding_mark_in(a["body"]).fingerprint}  # the marker stays
    assert FIXED_MARK not in b["body"]
    assert finding_a_and_b(world) == (a, b)  # B moved a line down: no second comment about it
    assert "Findings on this PR: 1 open, 1 fixed, 0 ignored." in summary(world)

    await push(world, {"README.md": "tools\n"})  # nothing changes for A or B: nothing is done twice
    assert world.github.thread_changes == [("resolve", a["id"])]
    assert "Findings on this PR: 1 open, 1 fixed, 0 ignored." in summary(world)

    await push(world, {"app/tools.py": BASE["app/tools.py"]})  # the file leaves the PR: B is gone too
    assert world.github.resolved_threads == {a["id"], b["id"]}
    assert "Findings on this PR: 0 open, 2 fixed, 0 ignored." in summary(world)
    assert len(ours_about(world, "B307")) == len(ours_about(world, "B602")) == 1


async def test_a_finding_that_comes_back_reopens_its_thread(world: World):
    a, _ = finding_a_and_b(world)
    await push(world, {"app/tools.py": PUSH_2})
    await push(world, {"app/tools.py": PUSH_1})  # the same eval line again: the same fingerprint
    assert world.github.thread_changes == [("resolve", a["id"]), ("unresolve", a["id"])]
    assert FIXED_MARK not in a["body"] and fingerprints_in(a["body"])
    assert len(ours_about(world, "B307")) == 1  # the old comment is open again; no second one
    assert "Findings on this PR: 2 open, 0 fixed, 0 ignored." in summary(world)


@pytest.mark.parametrize("refusal", ["forbidden", "no-graphql"])
async def test_where_graphql_is_refused_the_comment_says_fixed_instead(world: World, refusal: str):
    if refusal == "forbidden":  # GitHub's 200 with errors: "Resource not accessible by integration"
        world.github.graphql_refused = {"resolveReviewThread"}
    else:  # no GraphQL at all behind this host (a proxy answers 404)
        world.github.fail_next("POST", r"/graphql$", 404, body={"message": "Not Found"}, count=100)
    a, b = finding_a_and_b(world)
    sha = await push(world, {"app/tools.py": PUSH_2})
    assert world.github.resolved_threads == set()
    assert f"✅ Fixed in `{sha[:7]}`." in a["body"] and FIXED_MARK not in b["body"]
    assert "Findings on this PR: 1 open, 1 fixed, 0 ignored." in summary(world)
    assert len(world.check_runs()) == 2 and world.check_runs()[-1]["status"] == "completed"


async def test_a_thread_where_a_person_spoke_last_is_noted_not_resolved(world: World):
    a, _ = finding_a_and_b(world)
    person = {**world.github.user_json("bob"), "type": "User"}
    world.github.thread_reply(a, "Why is eval a problem here?", person)
    sha = await push(world, {"app/tools.py": PUSH_2})
    assert world.github.thread_changes == []  # their question stays in sight
    assert f"✅ Fixed in `{sha[:7]}`." in a["body"]
    assert "1 fixed" in summary(world)


async def test_an_incremental_review_resolves_nothing(world: World):
    a, b = finding_a_and_b(world)
    await say(world, "/pause")
    await push(world, {"app/tools.py": PUSH_2})  # paused: no review of this push
    assert len(world.reviews()) == 1

    await say(world, "/review --incremental")  # only the commits since push 1: part of the PR
    assert len(world.check_runs()) == 2
    assert "**Scope:** incremental" in summary(world)
    assert world.github.thread_changes == []
    assert FIXED_MARK not in a["body"] and FIXED_MARK not in b["body"]

    await say(world, "/review")  # a full review may decide
    assert world.github.thread_changes == [("resolve", a["id"])]
    assert "Findings on this PR: 1 open, 1 fixed, 0 ignored." in summary(world)


async def test_ignore_names_a_merged_finding_by_its_also_reported_by_rule(world: World):
    _, b = finding_a_and_b(world)
    assert finding_mark_in(b["body"]).names() == [("semgrep", "py-subprocess-shell-true"), ("bandit", "B602")]
    assert "also reported by bandit `B602`" in b["body"]

    await say(world, "/ignore B602 the folder is ours")
    assert IGNORED_MARK in b["body"]  # silenced at once: marked as ignored

    await push(world, {"app/tools.py": PUSH_2})  # B still there, moved; A fixed
    assert b["id"] in world.github.resolved_threads  # and folded away by the next review
    assert ours_about(world, "B602") == [b]  # never posted again
    assert all("shell=True" not in c["body"] for c in comments(world) if c is not b and c["body"])
    assert len(world.reviews()) == 1  # nothing new to say on push 2: no second review at all
    assert "Findings on this PR: 0 open, 1 fixed, 1 ignored." in summary(world)

    # The line rewritten: a new fingerprint, the same rules, still ignored: still never posted.
    await push(world, {"app/tools.py": PUSH_2.replace("out.tgz", "backup.tgz")})
    assert ours_about(world, "B602") == [b] and len(world.reviews()) == 1
    # By fingerprint that is a second finding, ignored like the first (whose comment stays ignored).
    assert "Findings on this PR: 0 open, 1 fixed, 2 ignored." in summary(world)


async def test_the_gateway_reads_and_resolves_threads_through_the_ghes_graphql_path(world: World):
    assert world.github.graphql_path == "/api/graphql"
    ctx = world.bot.app[CONTEXT]
    pr = await ctx.pull_request(INSTALLATION, OWNER, REPO, NUMBER)
    assert pr.gh.graphql_url.endswith("/api/graphql")
    a, b = finding_a_and_b(world)
    threads = {t.root_id: t for t in await pr.review_threads()}
    assert set(threads) == {a["id"], b["id"]} and not any(t.resolved for t in threads.values())
    await pr.set_thread_resolved(threads[b["id"]].id)
    assert world.github.resolved_threads == {b["id"]}
    assert next(t for t in await pr.review_threads() if t.root_id == b["id"]).resolved
    world.github.graphql_refused = {"unresolveReviewThread"}
    with pytest.raises(GraphQLError) as refused:
        await pr.set_thread_resolved(threads[b["id"]].id, False)
    assert refused.value.types == ("FORBIDDEN",)
    assert ("POST", "/api/graphql", 200) in world.github.requests


# --- the GraphQL double is strict -----------------------------------------------------------------

THREADS = """
query($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: 10) {
        pageInfo { hasNextPage endCursor }
        nodes { id isResolved comments(first: 5) { nodes { databaseId body author { login } } } }
      }
    }
  }
}
"""
VARIABLES = {"owner": OWNER, "repo": REPO, "number": NUMBER}


async def ask(
    world: World,
    query: str,
    variables: Any = None,
    token: str | None = "valid",  # noqa: S107
) -> tuple[int, Any]:
    headers = {"User-Agent": "test", "Accept": "application/json"}
    if token == "valid":
        token = "ghs_graphql_test_token"
        world.github.tokens[token] = Token(token, INSTALLATION, time.time() + 600)
    if token is not None:
        headers["Authorization"] = f"bearer {token}"
    url = world.github.origin + world.github.graphql_path
    async with aiohttp.ClientSession() as session:
        body = {"query": query, **({"variables": variables} if variables is not None else {})}
        async with session.post(url, json=body, headers=headers) as response:
            return response.status, await response.json()


async def test_graphql_double_answers_threads_from_the_review_comments(world: World):
    a, b = finding_a_and_b(world)
    person = {**world.github.user_json("bob"), "type": "User"}
    reply = world.github.thread_reply(a, "ok?", person)
    status, data = await ask(world, THREADS, VARIABLES)
    assert status == 200 and "errors" not in data
    threads = data["data"]["repository"]["pullRequest"]["reviewThreads"]
    assert threads["pageInfo"]["hasNextPage"] is False
    by_root = {t["comments"]["nodes"][0]["databaseId"]: t for t in threads["nodes"]}
    assert set(by_root) == {a["id"], b["id"]}  # a reply is in its thread, not a thread of its own
    first, second = by_root[a["id"]]["comments"]["nodes"]
    assert first["author"] == {"login": "review-bot"}  # GraphQL names a bot without "[bot]"
    assert second == {"databaseId": reply["id"], "body": "ok?", "author": {"login": "bob"}}

    mutation = "mutation($id: ID!) { resolveReviewThread(input: {threadId: $id}) { thread { isResolved } } }"
    status, data = await ask(world, mutation, {"id": by_root[a["id"]]["id"]})
    assert data == {"data": {"resolveReviewThread": {"thread": {"isResolved": True}}}}
    assert world.github.thread_changes == [("resolve", a["id"])]


async def test_graphql_double_refuses_what_github_refuses(world: World):
    status, data = await ask(world, THREADS.replace("isResolved", "isResolved bogus"), VARIABLES)
    assert status == 200 and "data" not in data
    [error] = data["errors"]
    assert error["message"] == "Field 'bogus' doesn't exist on type 'PullRequestReviewThread'"
    assert error["extensions"]["code"] == "undefinedField"

    status, data = await ask(world, "query { viewer { login } }")  # outside the subset: refused, not guessed
    assert status == 200 and data["errors"][0]["extensions"]["code"] == "undefinedField"

    mutation = "mutation($id: ID!) { resolveReviewThread(input: {threadId: $id}) { thread { id } } }"
    status, data = await ask(world, mutation, {"id": "PRRT_not-a-thread"})
    assert status == 200 and data["data"] == {"resolveReviewThread": None}
    assert data["errors"][0]["type"] == "NOT_FOUND"
    assert "PRRT_not-a-thread" in data["errors"][0]["message"]

    status, data = await ask(world, THREADS)  # $owner and the others missing
    assert status == 200 and "data" not in data and data["errors"]

    status, data = await ask(world, THREADS.replace("first: 10", "first: 101"), VARIABLES)
    assert data["errors"][0]["type"] == "EXCESSIVE_PAGINATION"
    status, data = await ask(world, THREADS.replace("reviewThreads(first: 10)", "reviewThreads"), VARIABLES)
    assert data["errors"][0]["type"] == "MISSING_PAGINATION_BOUNDARIES"

    status, data = await ask(world, THREADS, {**VARIABLES, "repo": "not-installed"})
    assert data["data"] == {"repository": None} and data["errors"][0]["type"] == "NOT_FOUND"

    status, data = await ask(world, "{ repository(owner: ", VARIABLES)  # a syntax error
    assert status == 200 and "Syntax Error" in data["errors"][0]["message"]

    status, data = await ask(world, THREADS, VARIABLES, token=None)
    assert status == 401 and "authenticated" in data["message"]
    status, data = await ask(world, THREADS, VARIABLES, token="ghs_revoked")
    assert status == 401 and data["message"] == "Bad credentials"
    assert world.github.thread_changes == []


# --- what counts as fixed (the judgement alone, on outcomes made by hand) --------------------------

TOOLS_PY = "app/tools.py"


def finding(fp: str, tool: str = "bandit", rule: str = "B307", line: int = 7) -> Finding:
    return Finding(tool, rule, "warning", TOOLS_PY, line, line, "msg", fingerprint=fp)


def own(comment_id: int, f: Finding, **more: Any) -> dict[str, Any]:
    user = {"login": "review-bot[bot]", "type": "Bot"}
    return {"id": comment_id, "path": f.path, "body": inline_comment_body(f), "user": user, **more}


def outcome_of(findings: list[Finding], present: set[str], **more: Any) -> ReviewOutcome:
    diff = parse_patch(TOOLS_PY, "@@ -0,0 +1,11 @@\n" + "+x\n" * 11)
    base: dict[str, Any] = {
        "findings": findings,
        "results": [AnalyzerResult("bandit", files=1), AnalyzerResult("semgrep", files=1)],
        "diffs": {TOOLS_PY: diff},
        "present": present | {f.fingerprint for f in findings},
        "analyzed": {TOOLS_PY},
    }
    return ReviewOutcome(**{**base, **more})


def fates(outcome: ReviewOutcome, comments: list[dict[str, Any]], *, full: bool = True, state: Any = None):
    from bot.pipeline.threads import judge

    pr = PullRequest(None, OWNER, REPO, NUMBER, state_key=b"k", locks=None, own_login="review-bot[bot]")  # type: ignore[arg-type]
    return [i.fate for i in judge(pr, comments, outcome, state or PRState(), full=full)]


def test_a_finding_still_in_the_file_but_off_the_changed_lines_is_not_fixed():
    a = finding("a" * 16)
    assert fates(outcome_of([], {a.fingerprint}), [own(1, a)]) == ["open"]
    assert fates(outcome_of([], set()), [own(1, a)]) == ["fixed"]
    assert fates(outcome_of([], set()), [own(1, a)], full=False) == ["open"]  # incremental: unknown


def test_what_the_review_could_not_look_at_again_stays_open():
    a = finding("a" * 16)
    failed = [AnalyzerResult("bandit", error="bandit timed out"), AnalyzerResult("semgrep")]
    assert fates(outcome_of([], set(), results=failed), [own(1, a)]) == ["open"]
    assert fates(outcome_of([], set(), results=[AnalyzerResult("semgrep")]), [own(1, a)]) == ["open"]
    assert fates(outcome_of([], set(), skipped={TOOLS_PY: "generated"}), [own(1, a)]) == ["open"]
    assert fates(outcome_of([], set(), analyzed=set()), [own(1, a)]) == ["open"]
    capped = [AnalyzerResult("bandit", capped=["bandit: findings left out"])]
    assert fates(outcome_of([], set(), results=capped), [own(1, a)]) == ["open"]
    left = [AnalyzerResult("bandit", not_analyzed={TOOLS_PY: "too large"})]
    assert fates(outcome_of([], set(), results=left), [own(1, a)]) == ["open"]
    # A merged finding needs every tool that reported it to have looked again.
    merged = Finding(
        "semgrep",
        "shell",
        "error",
        TOOLS_PY,
        11,
        11,
        "m",
        fingerprint="b" * 16,
        sources=("semgrep shell", "bandit B602"),
    )
    half = [AnalyzerResult("semgrep"), AnalyzerResult("bandit", error="crashed")]
    assert fates(outcome_of([], set(), results=half), [own(2, merged)]) == ["open"]
    assert fates(outcome_of([], set()), [own(2, merged)]) == ["fixed"]


def test_a_file_gone_from_the_pr_is_fixed_unless_github_listed_only_part_of_it():
    a = finding("a" * 16)
    assert fates(outcome_of([], set(), diffs={}), [own(1, a)]) == ["fixed"]
    many = {f"f{i}.py": parse_patch(f"f{i}.py", None) for i in range(3000)}
    assert fates(outcome_of([], set(), diffs=many), [own(1, a)]) == ["open"]


def test_only_the_bots_own_comments_count_and_ignored_comes_first():
    a = finding("a" * 16)
    theirs = own(1, a, user={"login": "mallory", "type": "User"})
    assert fates(outcome_of([], set()), [theirs]) == []
    state = PRState(ignored={"B307": IgnoredRule("alice")})
    assert fates(outcome_of([], set()), [own(1, a)], state=state) == ["ignored"]
    noted = own(1, a)
    noted["body"] += f"\n\n{FIXED_MARK}✅ Fixed in `abc1234`."
    assert fates(outcome_of([], set(), results=[]), [noted]) == ["fixed"]  # not looked at: stays fixed
    assert fates(outcome_of([], {a.fingerprint}), [noted], full=False) == ["open"]  # it came back
