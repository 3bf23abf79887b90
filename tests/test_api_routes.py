"""The REST API's routes: roles per route, quotas and limits, CORS, problem details, and the
analyses and trends routes over the real AnalysisService and HistoryStore."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

from bot.analysis.service import ANALYSES
from bot.api.principal import ROLE_RANK
from bot.api.registry import LIMITER
from bot.api.routes import OPERATIONS
from bot.api.settings import Tier
from bot.history.store import HISTORY
from tests.api_support import ROLES, add_key, api_settings, bearer, build_app, put_analysis, token_of

ORIGIN = "https://tools.example.com"


def request_for(path: str) -> tuple[str, dict[str, Any] | None]:
    """A concrete URL and body for each templated route."""
    concrete = (
        path.replace("{analysis_id}", "missing0").replace("{owner}", "acme").replace("{repo}", "widgets")
    )
    body = {"repository": "demo", "base": "HEAD", "head": "HEAD"} if path == "/analyze/repository" else None
    return f"/api/v1{concrete}", body


async def test_each_route_needs_its_role(aiohttp_client, tmp_path):
    app, store = await build_app(tmp_path)
    client = await aiohttp_client(app)
    tokens = {
        role: await token_of(client, (await add_key(store, f"u-{role}", "acme", role))[1]) for role in ROLES
    }
    checked = 0
    for op in OPERATIONS:
        url, body = request_for(op.path)
        if op.role is None:
            continue
        anonymous = await client.request(op.method, url, json=body)
        assert anonymous.status == 401, op.operation_id
        for role, token in tokens.items():
            response = await client.request(op.method, url, json=body, headers=bearer(token))
            if ROLE_RANK[role] < ROLE_RANK[op.role]:
                assert response.status == 403, (op.operation_id, role)
                detail = (await response.json(content_type=None))["detail"]
                assert detail == f"this route needs the {op.role} role"
            else:
                assert response.status not in (401, 403), (op.operation_id, role, await response.text())
            checked += 1
    assert checked == 3 * 6  # six routes need a token, each tried with every role


async def test_the_daily_quota_runs_out_and_resets(aiohttp_client, tmp_path):
    tiers = {role: Tier(daily=3, per_minute=1000) for role in ROLES}
    app, store = await build_app(tmp_path, replace(api_settings(), tiers=tiers, quota_window="2 seconds"))
    client = await aiohttp_client(app)
    token = await token_of(client, (await add_key(store, "alice", "acme", "read"))[1])
    seen = []
    for _ in range(3):
        response = await client.get("/api/v1/user/profile", headers=bearer(token))
        assert response.status == 200
        seen.append(int(response.headers["X-RateLimit-Remaining"]))
    assert seen == [2, 1, 0]
    assert (await response.json())["usage_today"] == 3
    refused = await client.get("/api/v1/user/profile", headers=bearer(token))
    assert refused.status == 429
    assert refused.content_type == "application/problem+json"
    assert (await refused.json())["detail"] == "the daily quota is used up"
    assert refused.headers["X-RateLimit-Limit"] == "3" and refused.headers["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["Retry-After"]) <= 3
    assert int(refused.headers["X-RateLimit-Reset"]) >= int(time.time())
    # The window ends: poll until it does (a deadline, no fixed sleep).
    deadline = time.monotonic() + 10
    while (status := (await client.get("/api/v1/user/profile", headers=bearer(token))).status) == 429:
        assert time.monotonic() < deadline, "the quota never reset"
        await asyncio.sleep(0.05)
    assert status == 200


async def test_the_per_minute_limit_refuses_before_using_quota(aiohttp_client, tmp_path):
    tiers = {role: Tier(daily=100, per_minute=2) for role in ROLES}
    app, store = await build_app(tmp_path, replace(api_settings(), tiers=tiers, rate_window="1 second"))
    client = await aiohttp_client(app)
    token = await token_of(client, (await add_key(store, "alice", "acme", "read"))[1])
    statuses = [(await client.get("/api/v1/user/profile", headers=bearer(token))).status for _ in range(4)]
    assert statuses[:2] == [200, 200] and statuses[2:] == [429, 429]
    refused = await client.get("/api/v1/user/profile", headers=bearer(token))
    assert (await refused.json())["detail"] == "the per-minute limit is used up"
    assert refused.headers["X-RateLimit-Limit"] == "2" and "Retry-After" in refused.headers
    deadline = time.monotonic() + 10
    while (response := await client.get("/api/v1/user/profile", headers=bearer(token))).status == 429:
        assert time.monotonic() < deadline, "the per-minute limit never reset"
        await asyncio.sleep(0.05)
    # Refused requests used no quota: two at the start, this one.
    assert (await response.json())["usage_today"] <= 4


async def test_token_requests_are_limited_per_address(aiohttp_client, tmp_path):
    app, _ = await build_app(tmp_path, replace(api_settings(), token_requests_per_minute=3))
    client = await aiohttp_client(app)
    statuses = [(await client.post("/api/v1/auth/token", json={"api_key": "rbk_x"})).status for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


async def test_cors_answers_configured_origins_only(aiohttp_client, tmp_path):
    app, store = await build_app(tmp_path)
    client = await aiohttp_client(app)
    preflight = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
    allowed = await client.options("/api/v1/user/profile", headers={"Origin": ORIGIN, **preflight})
    assert allowed.status == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    denied = await client.options(
        "/api/v1/user/profile", headers={"Origin": "https://evil.example", **preflight}
    )
    assert denied.status == 403 and "Access-Control-Allow-Origin" not in denied.headers
    token = await token_of(client, (await add_key(store, "alice", "acme", "read"))[1])
    simple = await client.get("/api/v1/user/profile", headers={"Origin": ORIGIN, **bearer(token)})
    assert simple.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-RateLimit-Remaining" in simple.headers["Access-Control-Expose-Headers"]
    for origin in ("https://evil.example", "https://tools.example.com.evil.example", "null"):
        other = await client.get("/api/v1/user/profile", headers={"Origin": origin, **bearer(token)})
        assert other.status == 200 and "Access-Control-Allow-Origin" not in other.headers


def assert_problem(body: dict[str, Any], status: int) -> None:
    assert body["status"] == status and body["type"] == "about:blank" and body["title"]
    text = str(body)
    assert "Traceback" not in text and 'File "' not in text


async def test_errors_are_problem_details(aiohttp_client, tmp_path):
    app, store = await build_app(tmp_path, replace(api_settings(), max_body_bytes=1024))
    client = await aiohttp_client(app)
    token = await token_of(client, (await add_key(store, "alice", "acme", "admin"))[1])
    auth = bearer(token)

    async def problem_of(method: str, url: str, status: int, **kwargs: Any) -> dict[str, Any]:
        response = await client.request(method, url, **kwargs)
        assert response.status == status, (url, await response.text())
        assert response.content_type == "application/problem+json"
        body = await response.json(content_type=None)
        assert_problem(body, status)
        return body

    await problem_of("GET", "/api/v1/nothing-here", 404)
    await problem_of("GET", "/api/v1", 404)
    response = await client.delete("/api/v1/user/profile", headers=auth)
    assert (
        response.status == 405
        and response.headers["Allow"]
        and response.content_type == "application/problem+json"
    )
    url = "/api/v1/analyze/repository"
    await problem_of("POST", url, 415, data=b"{}", headers={**auth, "Content-Type": "text/plain"})
    await problem_of(
        "POST", url, 400, data=b"{not json", headers={**auth, "Content-Type": "application/json"}
    )
    too_big = b'{"repository": "' + b"a" * 2000 + b'"}'
    await problem_of("POST", url, 413, data=too_big, headers={**auth, "Content-Type": "application/json"})

    async def chunks():  # no Content-Length: the limit is counted while reading
        for _ in range(10):
            yield b" " * 500

    await problem_of("POST", url, 413, data=chunks(), headers={**auth, "Content-Type": "application/json"})
    invalid = await problem_of(
        "POST",
        url,
        422,
        json={"repository": "demo", "base": "", "head": "x", "priority": "urgent", "extra": 1},
        headers=auth,
    )
    locations = {tuple(issue["loc"]) for issue in invalid["errors"]}
    assert {("body", "base"), ("body", "priority"), ("body", "extra")} <= locations
    assert all(set(issue) == {"loc", "msg", "type"} for issue in invalid["errors"])  # no "input" echoed
    await problem_of("GET", "/api/v1/analyses?per_page=1000", 422, headers=auth)
    await problem_of("GET", "/api/v1/analyses/" + "x" * 65, 404, headers=auth)

    async def broken(*_args: Any) -> None:
        raise RuntimeError("internal detail: password=hunter2")

    app[LIMITER].usage = broken  # type: ignore[method-assign]
    body = await problem_of("GET", "/api/v1/user/profile", 500, headers=auth)
    assert "hunter2" not in str(body) and "RuntimeError" not in str(body)
    # Outside /api/v1 nothing changes: aiohttp's own plain 404.
    assert (await client.get("/elsewhere")).content_type == "text/plain"


async def test_analyses_are_seen_by_their_owner_and_the_org_admin(aiohttp_client, tmp_path):
    app, store = await build_app(tmp_path)
    client = await aiohttp_client(app)
    tokens = {}
    for user, org, role in (("alice", "acme", "analyze"), ("bob", "acme", "read"), ("root", "acme", "admin"),
                            ("eve", "other", "admin")):  # fmt: skip
        tokens[user] = bearer(await token_of(client, (await add_key(store, user, org, role))[1]))
    submitted = await client.post(
        "/api/v1/analyze/repository",
        json={"repository": "demo", "base": "HEAD", "head": "HEAD", "tags": ["ci"]},
        headers=tokens["alice"],
    )
    assert submitted.status == 202, await submitted.text()
    analysis = await submitted.json()
    assert submitted.headers["Location"] == f"/api/v1/analyses/{analysis['id']}"
    assert (analysis["status"], analysis["user"], analysis["org"]) == ("queued", "alice", "acme")
    rejected = await client.post(
        "/api/v1/analyze/repository",
        json={"repository": "../../etc", "base": "HEAD", "head": "HEAD"},
        headers=tokens["alice"],
    )
    assert rejected.status == 422 and "'..'" in (await rejected.json())["detail"]
    done = await put_analysis(app, "alice", "acme")
    await put_analysis(app, "bob", "acme")
    url = f"/api/v1/analyses/{done.id}"
    for user, status in (("alice", 200), ("root", 200), ("bob", 404), ("eve", 404)):
        assert (await client.get(url, headers=tokens[user])).status == status, user
        assert (await client.get(url + "/sarif", headers=tokens[user])).status == status, user
    sarif = await client.get(url + "/sarif", headers=tokens["alice"])
    assert sarif.content_type == "application/sarif+json" and (await sarif.json())["version"] == "2.1.0"
    queued = await client.get(f"/api/v1/analyses/{analysis['id']}/sarif", headers=tokens["alice"])
    assert queued.status == 404 and "queued" in (await queued.json())["detail"]

    async def users_listed(user: str) -> tuple[list[str], int]:
        page = await (await client.get("/api/v1/analyses?per_page=50", headers=tokens[user])).json()
        return sorted(item["user"] for item in page["items"]), page["total"]

    assert await users_listed("alice") == (["alice", "alice"], 2)
    assert await users_listed("bob") == (["bob"], 1)
    assert await users_listed("root") == (["alice", "alice", "bob"], 3)
    assert await users_listed("eve") == ([], 0)


async def test_trends_of_the_callers_organisation(aiohttp_client, tmp_path):
    app, store = await build_app(tmp_path)
    client = await aiohttp_client(app)
    auth = bearer(await token_of(client, (await add_key(store, "alice", "acme", "read"))[1]))
    response = await client.get("/api/v1/repos/acme/widgets/trends?bucket=week", headers=auth)
    assert response.status == 200, await response.text()
    trends = await response.json()
    assert trends["repo"] == "acme/widgets" and trends["bucket"] == "week" and trends["points"]
    assert (await client.get("/api/v1/repos/other/widgets/trends", headers=auth)).status == 404
    assert (await client.get("/api/v1/repos/acme/widgets/trends?bucket=month", headers=auth)).status == 422
    backwards = "since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z"
    assert (await client.get(f"/api/v1/repos/acme/widgets/trends?{backwards}", headers=auth)).status == 422


async def test_routes_of_a_missing_service_answer_503(aiohttp_client, tmp_path):
    app, store = await build_app(tmp_path, analyses=False, history=False)
    client = await aiohttp_client(app)
    auth = bearer(await token_of(client, (await add_key(store, "alice", "acme", "admin"))[1]))
    assert ANALYSES not in app and HISTORY not in app
    for url in ("/api/v1/analyses", "/api/v1/analyses/abc", "/api/v1/repos/acme/x/trends"):
        response = await client.get(url, headers=auth)
        assert response.status == 503 and response.headers["Retry-After"], url
        assert response.content_type == "application/problem+json"


def test_create_app_mounts_the_api_on_receivers_and_the_single_process(monkeypatch):
    from bot.config import Settings
    from bot.web import create_app

    monkeypatch.setenv("API_JWT_SECRET", "s" * 40)
    for role, mounted in (("all", True), ("receiver", True), ("worker", False)):
        app = create_app(Settings(redis_url="redis://127.0.0.1:1" if role != "all" else None), role=role)
        names = {route.name for route in app.router.routes() if route.name}
        assert ("api.getProfile" in names) is mounted, role
        assert ("api.getOpenApi" in names) is mounted, role
