"""The GitHub double is strict the way GitHub is: these tests pin that down."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest

from tests.ghdouble import GitHubDouble, Renamed, Symlink, bulk_commit, commit, make_repo
from tests.ghdouble.keys import app_key_pair
from tests.ghdouble.openapi import load_spec

APP_ID = 12345
INSTALLATION = 777
HEADERS = {"User-Agent": "review-bot-tests", "Accept": "application/vnd.github+json"}
BASE_TEXT = "".join(f"line {n}\n" for n in range(1, 31))


def app_jwt(
    now: float | None = None, *, iat_offset: int = -30, lifetime: int = 540, iss: Any = APP_ID
) -> str:
    now = time.time() if now is None else now
    iat = int(now) + iat_offset
    claims = json.dumps({"iat": iat, "exp": iat + lifetime, "iss": iss}).encode()
    # Through JWS directly: PyJWT's encode() refuses an integer ``iss``, which GitHub accepts.
    return jwt.api_jws.encode(claims, app_key_pair().private_pem, algorithm="RS256")


@pytest.fixture
def repo_path(tmp_path: Path) -> Path:
    path = make_repo(
        tmp_path / "origin" / "widgets",
        {"app.py": BASE_TEXT, "old_name.py": "keep = 1\n", "gone.txt": "bye\n", "logo.bin": b"\x00\x01\x02"},
    )
    changed = BASE_TEXT.replace("line 3\n", "line three\n").replace("line 25\n", "line 25\nline 25b\n")
    commit(
        path,
        {
            "app.py": changed,
            "new.py": "print('hi')\n",
            "gone.txt": None,
            "renamed.py": Renamed("old_name.py"),
            "logo.bin": b"\x00\x09\x02",
            "link": Symlink("app.py"),
        },
    )
    return path


@pytest.fixture
async def double(repo_path: Path) -> AsyncIterator[GitHubDouble]:
    gh = GitHubDouble(app_id=APP_ID, public_key_pem=app_key_pair().public_pem)
    await gh.start()
    gh.add_repo("acme", "widgets", repo_path)
    gh.add_repo("acme", "secret", repo_path)
    gh.add_installation(INSTALLATION, repos=["acme/widgets"])
    gh.add_pull("acme", "widgets", 7)
    yield gh
    await gh.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers=HEADERS) as session:
        yield session


async def installation_token(gh: GitHubDouble, http: aiohttp.ClientSession) -> str:
    url = f"{gh.base_url}/app/installations/{INSTALLATION}/access_tokens"
    async with http.post(url, headers={"Authorization": f"Bearer {app_jwt()}"}) as resp:
        assert resp.status == 201, await resp.text()
        return (await resp.json())["token"]


async def call(
    gh: GitHubDouble, http: aiohttp.ClientSession, method: str, path: str, token: str | None, **kw: Any
) -> tuple[int, Any, aiohttp.typedefs.LooseHeaders]:
    headers = {"Authorization": f"token {token}"} if token else {}
    async with http.request(method, gh.base_url + path, headers=headers, **kw) as resp:
        body = await resp.json() if resp.content_type == "application/json" else await resp.text()
        return resp.status, body, resp.headers


def assert_schema(instance: Any, schema: str) -> None:
    assert load_spec().schema_errors(f"#/components/schemas/{schema}", instance) == []


# --- App authentication --------------------------------------------------------------------------


async def test_token_issued_for_valid_jwt(double: GitHubDouble, http: aiohttp.ClientSession) -> None:
    url = f"{double.base_url}/app/installations/{INSTALLATION}/access_tokens"
    async with http.post(url, headers={"Authorization": f"Bearer {app_jwt(iss=str(APP_ID))}"}) as resp:
        assert resp.status == 201
        data = await resp.json()
    assert data["token"].startswith("ghs_")
    assert data["expires_at"].endswith("Z")
    assert double.tokens_issued == 1
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-GitHub-Request-Id"} <= set(resp.headers)


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: app_jwt(iat_offset=-700, lifetime=600), id="expired"),
        pytest.param(lambda: app_jwt(iat_offset=120), id="iat-in-future"),
        pytest.param(lambda: app_jwt(lifetime=900), id="lifetime-over-10-minutes"),
        pytest.param(lambda: app_jwt(iss=999), id="wrong-issuer"),
        pytest.param(lambda: app_jwt()[:-4] + "AAAA", id="bad-signature"),
        pytest.param(lambda: "not-a-jwt", id="garbage"),
    ],
)
async def test_bad_jwt_is_401(double: GitHubDouble, http: aiohttp.ClientSession, token: Any) -> None:
    url = f"{double.base_url}/app/installations/{INSTALLATION}/access_tokens"
    async with http.post(url, headers={"Authorization": f"Bearer {token()}"}) as resp:
        assert resp.status == 401
        assert "documentation_url" in await resp.json()
    assert double.tokens_issued == 0


async def test_jwt_signed_by_another_key_is_401(double: GitHubDouble, http: aiohttp.ClientSession) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    token = jwt.encode({"iat": now - 30, "exp": now + 500, "iss": str(APP_ID)}, other, "RS256")
    url = f"{double.base_url}/app/installations/{INSTALLATION}/access_tokens"
    async with http.post(url, headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status == 401


async def test_unknown_installation_is_404(double: GitHubDouble, http: aiohttp.ClientSession) -> None:
    url = f"{double.base_url}/app/installations/4242/access_tokens"
    async with http.post(url, headers={"Authorization": f"Bearer {app_jwt()}"}) as resp:
        assert resp.status == 404


# --- installation tokens -----------------------------------------------------------------------------


async def test_api_needs_a_live_installation_token(double: GitHubDouble, http: aiohttp.ClientSession) -> None:
    status, body, _ = await call(double, http, "GET", "/repos/acme/widgets/pulls/7", None)
    assert (status, body["message"]) == (401, "Bad credentials")
    status, body, _ = await call(double, http, "GET", "/repos/acme/widgets/pulls/7", "ghs_made_up")
    assert status == 401
    # The App's JWT is not an installation token.
    status, _, _ = await call(double, http, "GET", "/repos/acme/widgets/pulls/7", app_jwt())
    assert status == 401

    token = await installation_token(double, http)
    status, pull, _ = await call(double, http, "GET", "/repos/acme/widgets/pulls/7", token)
    assert status == 200
    assert pull["head"]["ref"] == "feature"
    assert pull["head"]["repo"]["clone_url"] == double.git_url("acme", "widgets")
    assert_schema(pull, "pull-request")

    double.revoke_tokens()
    status, _, _ = await call(double, http, "GET", "/repos/acme/widgets/pulls/7", token)
    assert status == 401


async def test_expired_installation_token_is_401(double: GitHubDouble, http: aiohttp.ClientSession) -> None:
    double.token_ttl = -1  # issued already expired
    token = await installation_token(double, http)
    status, body, _ = await call(double, http, "GET", "/repos/acme/widgets/pulls/7", token)
    assert (status, body["message"]) == (401, "Bad credentials")


async def test_token_cannot_reach_a_repo_outside_its_installation(
    double: GitHubDouble, http: aiohttp.ClientSession
) -> None:
    token = await installation_token(double, http)
    status, body, _ = await call(double, http, "GET", "/repos/acme/secret/pulls/7", token)
    assert (status, body["message"]) == (404, "Not Found")


async def test_user_agent_required_and_unknown_paths_404(double: GitHubDouble) -> None:
    async with aiohttp.ClientSession(skip_auto_headers=["User-Agent"]) as bare:
        async with bare.get(double.base_url + "/rate_limit", headers={"Accept": "application/json"}) as resp:
            assert resp.status == 403
            assert "User-Agent" in (await resp.json())["message"]
    async with aiohttp.ClientSession(headers=HEADERS) as http:
        token = await installation_token(double, http)
        status, body, _ = await call(double, http, "GET", "/repos/acme/widgets/teleport", token)
        assert (status, body["message"]) == (404, "Not Found")
        status, _, _ = await call(double, http, "DELETE", "/repos/acme/widgets/pulls/7", token)
        assert status == 404
        status, _, _ = await call(double, http, "GET", "/repos/acme/widgets/pulls/seven", token)
        assert status == 404


# --- request validation ------------------------------------------------------------------------------


async def test_invalid_bodies_are_422(double: GitHubDouble, http: aiohttp.ClientSession) -> None:
    token = await installation_token(double, http)
    sha = double.pulls["acme", "widgets", 7].head_sha
    status, body, _ = await call(
        double,
        http,
        "POST",
        "/repos/acme/widgets/check-runs",
        token,
        json={"name": "review", "head_sha": sha, "status": "completed"},
    )
    assert status == 422
    assert body["message"].startswith("Invalid request.\n\n")
    assert '"conclusion" wasn\'t supplied.' in body["message"]

    status, body, _ = await call(
        double, http, "POST", "/repos/acme/widgets/pulls/7/reviews", token, json={"event": "SHIP_IT"}
    )
    assert status == 422 and "SHIP_IT" in body["message"]
    status, body, _ = await call(
        double, http, "POST", "/repos/acme/widgets/issues/7/comments", token, json={"body": None}
    )
    assert status == 422 and "nil" in body["message"]
    status, body, _ = await call(
        double, http, "POST", "/repos/acme/widgets/issues/7/comments", token, data=b"{not json"
    )
    assert (status, body["message"]) == (400, "Problems parsing JSON")
    assert double.check_runs == {} and double.reviews == {} and double.issue_comments == {}


# --- pull request files ---------------------------------------------------------------------------


async def test_files_are_computed_from_git(double: GitHubDouble, http: aiohttp.ClientSession) -> None:
    token = await installation_token(double, http)
    status, files, _ = await call(double, http, "GET", "/repos/acme/widgets/pulls/7/files", token)
    assert status == 200
    by_name = {f["filename"]: f for f in files}
    assert by_name["app.py"]["status"] == "modified"
    assert (by_name["app.py"]["additions"], by_name["app.py"]["deletions"]) == (2, 1)
    assert by_name["app.py"]["patch"].startswith("@@ -1,6 +1,6 @@")
    assert by_name["new.py"]["status"] == "added"
    assert by_name["gone.txt"]["status"] == "removed"
    assert by_name["renamed.py"]["previous_filename"] == "old_name.py"
    assert by_name["renamed.py"]["status"] == "renamed"
    assert "patch" not in by_name["logo.bin"]
    assert by_name["link"]["patch"].endswith("+app.py\n\\ No newline at end of file")
    for entry in files:
        assert_schema(entry, "diff-entry")


async def test_files_pagination_link_headers(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    path = make_repo(tmp_path / "big", {"README": "x\n"})
    bulk_commit(path, {f"f{n:04}.txt": b"x\n" for n in range(250)}, branch="feature")
    async with GitHubDouble(app_id=APP_ID, public_key_pem=app_key_pair().public_pem) as gh:
        gh.add_repo("acme", "big", path)
        gh.add_installation(INSTALLATION, repos=["acme/big"])
        gh.add_pull("acme", "big", 1)
        token = await installation_token(gh, http)
        seen: list[str] = []
        status, page, headers = await call(
            gh, http, "GET", "/repos/acme/big/pulls/1/files?per_page=100", token
        )
        assert status == 200 and len(page) == 100
        seen += [f["filename"] for f in page]
        link = headers["Link"]
        assert 'page=2>; rel="next"' in link and 'page=3>; rel="last"' in link
        assert link.startswith(f"<{gh.base_url}/repos/acme/big/pulls/1/files?")
        next_url = link.split(";")[0].strip("<>")
        async with http.get(next_url, headers={"Authorization": f"token {token}"}) as resp:
            seen += [f["filename"] for f in await resp.json()]
            assert 'rel="prev"' in resp.headers["Link"]
        status, page, headers = await call(
            gh, http, "GET", "/repos/acme/big/pulls/1/files?per_page=100&page=3", token
        )
        seen += [f["filename"] for f in page]
        assert len(page) == 50 and 'rel="next"' not in headers["Link"]
        assert len(set(seen)) == 250
        status, page, headers = await call(gh, http, "GET", "/repos/acme/big/pulls/1/files", token)
        assert len(page) == 30 and 'page=9>; rel="last"' in headers["Link"]  # default per_page 30
        status, page, _ = await call(gh, http, "GET", "/repos/acme/big/pulls/1/files?per_page=500", token)
        assert len(page) == 100  # capped like GitHub


async def test_files_listing_capped_at_3000(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    path = make_repo(tmp_path / "huge", {"README": "x\n"})
    bulk_commit(path, {f"d/{n:05}.txt": b"x\n" for n in range(3050)}, branch="feature")
    async with GitHubDouble(app_id=APP_ID, public_key_pem=app_key_pair().public_pem) as gh:
        gh.add_repo("acme", "huge", path)
        gh.add_installation(INSTALLATION, repos=["acme/huge"])
        pull = gh.add_pull("acme", "huge", 1)
        assert pull["changed_files"] == 3050
        token = await installation_token(gh, http)
        status, page, headers = await call(
            gh, http, "GET", "/repos/acme/huge/pulls/1/files?per_page=100", token
        )
        assert status == 200 and 'page=30>; rel="last"' in headers["Link"]
        status, page, headers = await call(
            gh, http, "GET", "/repos/acme/huge/pulls/1/files?per_page=100&page=30", token
        )
        assert status == 200 and len(page) == 100 and 'rel="next"' not in headers["Link"]
        _, page, _ = await call(gh, http, "GET", "/repos/acme/huge/pulls/1/files?per_page=100&page=31", token)
        assert page == []


# --- reviews ----------------------------------------------------------------------------------------


async def post_review(
    gh: GitHubDouble, http: aiohttp.ClientSession, token: str, **review: Any
) -> tuple[int, Any]:
    status, body, _ = await call(gh, http, "POST", "/repos/acme/widgets/pulls/7/reviews", token, json=review)
    return status, body


async def test_review_with_valid_comments_is_recorded(
    double: GitHubDouble, http: aiohttp.ClientSession
) -> None:
    token = await installation_token(double, http)
    head = double.pulls["acme", "widgets", 7].head_sha
    status, review = await post_review(
        double,
        http,
        token,
        commit_id=head,
        event="COMMENT",
        body="Summary",
        comments=[
            {"path": "app.py", "line": 3, "body": "added line"},
            {"path": "app.py", "line": 6, "side": "RIGHT", "body": "context line"},
            {"path": "app.py", "line": 3, "side": "LEFT", "body": "deleted line"},
            {"path": "app.py", "start_line": 24, "line": 26, "body": "multi-line"},
            {"path": "new.py", "position": 1, "body": "by position"},
        ],
    )
    assert status == 200, review
    assert review["state"] == "COMMENTED" and review["commit_id"] == head
    assert_schema(review, "pull-request-review")
    comments = double.review_comments["acme", "widgets", 7]
    assert [(c["path"], c["line"], c["side"]) for c in comments] == [
        ("app.py", 3, "RIGHT"),
        ("app.py", 6, "RIGHT"),
        ("app.py", 3, "LEFT"),
        ("app.py", 26, "RIGHT"),
        ("new.py", 1, "RIGHT"),
    ]
    assert comments[3]["start_line"] == 24
    for c in comments:
        assert c["user"] == {**c["user"], "login": "review-bot[bot]", "type": "Bot"}
        assert c["pull_request_review_id"] == review["id"] and c["commit_id"] == head
        assert_schema(c, "pull-request-review-comment")
    assert double.reviews["acme", "widgets", 7][0]["comments"] == comments
    status, listed, _ = await call(double, http, "GET", "/repos/acme/widgets/pulls/7/comments", token)
    assert [c["id"] for c in listed] == [c["id"] for c in comments]
    status, listed, _ = await call(double, http, "GET", "/repos/acme/widgets/pulls/7/reviews", token)
    assert [r["id"] for r in listed] == [review["id"]] and "comments" not in listed[0]


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        (
            {"path": "app.py", "line": 15, "body": "x"},
            "Pull request review thread line must be part of the diff",
        ),
        (
            {
                "path": "app.py",
                "line": 3,
                "side": "LEFT",
                "body": "x",
                "start_line": 1,
                "start_side": "RIGHT",
            },
            None,
        ),
        (
            {"path": "gone.txt", "line": 1, "body": "x"},
            "line must be part of the diff",
        ),  # RIGHT of a deletion
        ({"path": "nope.py", "line": 1, "body": "x"}, "Pull request review thread path is invalid"),
        ({"path": "logo.bin", "line": 1, "body": "x"}, "diff hunk can't be blank"),
        ({"path": "app.py", "start_line": 3, "line": 25, "body": "x"}, "must be part of the same hunk"),
        ({"path": "app.py", "position": 99, "body": "x"}, "position is invalid"),
        (
            {"path": "app.py", "line": 3, "body": "x" * 65537},
            "body is too long (maximum is 65536 characters)",
        ),
    ],
)
async def test_invalid_review_comment_rejects_whole_review(
    double: GitHubDouble, http: aiohttp.ClientSession, comment: dict[str, Any], expected: str | None
) -> None:
    token = await installation_token(double, http)
    good = {"path": "app.py", "line": 3, "body": "fine"}
    status, body = await post_review(double, http, token, event="COMMENT", body="s", comments=[good, comment])
    assert status == 422, body
    assert body["message"] == "Unprocessable Entity"
    assert body["status"] == "422"
    assert (
        body["documentation_url"]
        == "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request"
    )
    assert len(body["errors"]) == 1 and isinstance(body["errors"][0], str)
    if expected:
        assert expected in body["errors"][0]
    assert double.reviews == {} and double.review_comments == {}


async def test_review_body_and_commit_checked(double: GitHubDouble, http: aiohttp.ClientSession) -> None:
    token = await installation_token(double, http)
    status, body = await post_review(double, http, token, event="COMMENT", body="x" * 65537)
    assert status == 422 and "too long" in body["errors"][0]
    status, body = await post_review(double, http, token, event="COMMENT", body="x", commit_id="0" * 40)
    assert status == 422
    base = double.pulls["acme", "widgets", 7].base_sha
    status, body = await post_review(double, http, token, event="APPROVE", commit_id=base)
    assert status == 200 and body["state"] == "APPROVED"


# --- issue comments and check runs -----------------------------------------------------------------


async def test_issue_comment_edited_in_place(double: GitHubDouble, http: aiohttp.ClientSession) -> None:
    token = await installation_token(double, http)
    status, created, _ = await call(
        double, http, "POST", "/repos/acme/widgets/issues/7/comments", token, json={"body": "first"}
    )
    assert status == 201
    assert_schema(created, "issue-comment")
    cid = created["id"]
    status, edited, _ = await call(
        double, http, "PATCH", f"/repos/acme/widgets/issues/comments/{cid}", token, json={"body": "second"}
    )
    assert status == 200 and edited["body"] == "second" and edited["updated_at"] > created["updated_at"]
    stored = double.issue_comments["acme", "widgets", 7]
    assert [c["body"] for c in stored] == ["second"]
    status, _, _ = await call(
        double, http, "PATCH", f"/repos/acme/widgets/issues/comments/{cid}", token, json={"body": "y" * 65537}
    )
    assert status == 422
    assert stored[0]["body"] == "second"
    status, _, _ = await call(double, http, "GET", "/repos/acme/widgets/issues/comments/1", token)
    assert status == 404
    status, _, _ = await call(double, http, "DELETE", f"/repos/acme/widgets/issues/comments/{cid}", token)
    assert status == 204 and stored == []
    status, _, _ = await call(
        double, http, "POST", "/repos/acme/widgets/issues/99/comments", token, json={"body": "x"}
    )
    assert status == 404


async def test_check_run_annotations_limit_and_accumulation(
    double: GitHubDouble, http: aiohttp.ClientSession
) -> None:
    token = await installation_token(double, http)
    sha = double.pulls["acme", "widgets", 7].head_sha

    def notes(n: int) -> list[dict[str, Any]]:
        return [
            {
                "path": "app.py",
                "start_line": 3,
                "end_line": 3,
                "annotation_level": "warning",
                "message": f"m{i}",
            }
            for i in range(n)
        ]

    output = {"title": "Review", "summary": "s", "annotations": notes(51)}
    status, body, _ = await call(
        double,
        http,
        "POST",
        "/repos/acme/widgets/check-runs",
        token,
        json={"name": "review", "head_sha": sha, "output": output},
    )
    assert status == 422
    assert "No more than 50 items are allowed; 51 were supplied." in body["message"]

    output = {"title": "Review", "summary": "s" * 65536}
    status, body, _ = await call(
        double,
        http,
        "POST",
        "/repos/acme/widgets/check-runs",
        token,
        json={"name": "review", "head_sha": sha, "output": output},
    )
    assert status == 422 and double.check_runs == {}

    output = {"title": "Review", "summary": "s", "annotations": notes(50)}
    started = {"name": "review", "head_sha": sha, "status": "in_progress", "output": output}
    status, run, _ = await call(double, http, "POST", "/repos/acme/widgets/check-runs", token, json=started)
    assert status == 201
    assert_schema(run, "check-run")
    finished = {"conclusion": "neutral", "output": {**output, "summary": "done"}}
    run_path = f"/repos/acme/widgets/check-runs/{run['id']}"
    status, run, _ = await call(double, http, "PATCH", run_path, token, json=finished)
    assert status == 200 and run["status"] == "completed" and run["output"]["annotations_count"] == 100
    recorded = double.check_runs["acme", "widgets"][0]
    assert len(recorded["annotations"]) == 100
    assert (recorded["conclusion"], recorded["output"]["summary"]) == ("neutral", "done")


async def test_contents_served_from_git(double: GitHubDouble, http: aiohttp.ClientSession) -> None:
    token = await installation_token(double, http)
    status, body, _ = await call(double, http, "GET", "/repos/acme/widgets/contents/app.py?ref=main", token)
    assert status == 200 and base64.b64decode(body["content"]).decode() == BASE_TEXT
    assert body["encoding"] == "base64"
    status, _, _ = await call(double, http, "GET", "/repos/acme/widgets/contents/new.py?ref=main", token)
    assert status == 404
    status, _, _ = await call(double, http, "GET", "/repos/acme/widgets/contents/new.py?ref=feature", token)
    assert status == 200


# --- faults -------------------------------------------------------------------------------------------


async def test_secondary_rate_limit_shape(double: GitHubDouble, http: aiohttp.ClientSession) -> None:
    token = await installation_token(double, http)
    double.inject_secondary_rate_limit(count=1, retry_after=7)
    status, body, headers = await call(double, http, "GET", "/repos/acme/widgets/pulls/7", token)
    assert status == 403
    assert body["message"].startswith("You have exceeded a secondary rate limit")
    assert "rate-limits" in body["documentation_url"]
    assert headers["Retry-After"] == "7"
    status, _, _ = await call(double, http, "GET", "/repos/acme/widgets/pulls/7", token)
    assert status == 200


async def test_injected_errors_are_deterministic(double: GitHubDouble, http: aiohttp.ClientSession) -> None:
    token = await installation_token(double, http)

    async def statuses() -> list[int]:
        return [(await call(double, http, "GET", "/rate_limit", token))[0] for _ in range(20)]

    double.inject_errors(rate=0.5, status=502, seed=3)
    first = await statuses()
    double.inject_errors(rate=0.5, status=502, seed=3)
    assert await statuses() == first and {502, 200} == set(first)
    double.reset_faults()
    double.fail_next("POST", r"/issues/\d+/comments$", 500, count=1)
    status, _, _ = await call(
        double, http, "POST", "/repos/acme/widgets/issues/7/comments", token, json={"body": "x"}
    )
    assert status == 500 and double.issue_comments == {}
    status, _, _ = await call(
        double, http, "POST", "/repos/acme/widgets/issues/7/comments", token, json={"body": "x"}
    )
    assert status == 201
    assert ("POST", "/api/v3/repos/acme/widgets/issues/7/comments", 500) in double.requests


# --- git over smart HTTP ------------------------------------------------------------------------------


async def git(cwd: Path, *args: str, token: str | None = None) -> tuple[int, str]:
    """Run git without blocking the loop that serves it; credentials through an extra header."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "GIT_ASKPASS": "/bin/false"}
    extra: list[str] = []
    if token is not None:
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        extra = ["-c", f"http.extraHeader=Authorization: Basic {basic}"]
    proc = await asyncio.create_subprocess_exec(
        "git",
        *extra,
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(errors="replace")


async def test_git_fetch_needs_token(
    double: GitHubDouble, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    clone = tmp_path / "clone"
    clone.mkdir()
    await git(clone, "init", "-q")
    url = double.git_url("acme", "widgets")
    head = double.pulls["acme", "widgets", 7].head_sha

    code, out = await git(clone, "fetch", "--depth=1", url, head)
    assert code != 0
    assert ("GET", "/git/acme/widgets.git/info/refs", 401) in double.requests
    code, out = await git(clone, "fetch", "--depth=1", url, head, token="ghs_wrong")
    assert code != 0

    token = await installation_token(double, http)
    code, out = await git(clone, "fetch", "--depth=1", "--filter=blob:none", url, head, token=token)
    assert code == 0, out
    code, out = await git(clone, "cat-file", "-t", head)
    assert (code, out.strip()) == (0, "commit")
    # A partial clone lacks the blobs; fetch one by oid, as the bot does.
    code, listing = await git(clone, "ls-tree", head, "app.py")
    blob = listing.split()[2]
    code, out = await git(clone, "cat-file", "-e", blob)
    assert code != 0
    code, out = await git(
        clone,
        "-c",
        "fetch.negotiationAlgorithm=noop",
        "fetch",
        "--no-tags",
        "--no-write-fetch-head",
        "--filter=blob:none",
        url,
        blob,
        token=token,
    )
    assert code == 0, out
    code, out = await git(clone, "cat-file", "-p", blob)
    assert code == 0 and out.startswith("line 1")

    code, out = await git(clone, "fetch", "--depth=1", double.git_url("acme", "secret"), head, token=token)
    assert code != 0  # the token's installation does not cover that repository


async def test_git_push_refused(double: GitHubDouble, http: aiohttp.ClientSession, tmp_path: Path) -> None:
    token = await installation_token(double, http)
    work = make_repo(tmp_path / "pusher", {"x": "y\n"})
    code, _ = await git(work, "push", double.git_url("acme", "widgets"), "main:refs/heads/evil", token=token)
    assert code != 0
    assert any(p.endswith("info/refs") and s == 403 for _, p, s in double.requests)
