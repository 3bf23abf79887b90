"""GitHubClient against a real local HTTP server: retries, limits, breaker, throttle, pagination."""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import aiohttp
import gidgethub
import pytest

from bot.github.client import (
    CircuitBreakers,
    CircuitOpenError,
    GitHubClient,
    GitHubHTTPError,
    MutationThrottle,
    RetryPolicy,
)
from tests.scripted_github import FakeClock, Reply, ScriptedGitHub, SleepRecorder

FAST = RetryPolicy(attempts=4, initial=0.01, max_backoff=0.02, max_wait=5.0, request_timeout=2.0)
TOKEN = "ghs_SECRETinstallationTOKEN123"


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


def make_client(session, github, sleeps, **kwargs) -> GitHubClient:
    kwargs.setdefault("retry", FAST)
    return GitHubClient(session, base_url=github.base_url, sleep=sleeps, **kwargs)


async def test_502_twice_then_200_succeeds_on_third_attempt(session, github, sleeps):
    github.on("GET", "/repos/o/r", Reply(502), Reply(502), Reply(200, {"id": 1}))
    client = make_client(session, github, sleeps)
    assert await client.getitem("/repos/o/r") == {"id": 1}
    assert len(github.seen("GET", "/repos/o/r")) == 3
    assert len(sleeps.calls) == 2
    assert all(0 <= s <= FAST.max_backoff for s in sleeps.calls)


async def test_persistent_5xx_gives_up_after_the_policy_attempts(session, github, sleeps):
    github.on("GET", "/repos/o/r", Reply(503, {"message": "Service Unavailable"}))
    client = make_client(session, github, sleeps)
    with pytest.raises(GitHubHTTPError) as info:
        await client.getitem("/repos/o/r")
    assert info.value.status == 503
    assert len(github.requests) == FAST.attempts


async def test_422_with_string_errors_is_not_retried(session, github, sleeps):
    body = {"message": "Unprocessable Entity", "errors": ["Line could not be resolved"]}
    github.on("POST", "/repos/o/r/pulls/1/reviews", Reply(422, body))
    client = make_client(session, github, sleeps)
    with pytest.raises(GitHubHTTPError) as info:
        await client.post("/repos/o/r/pulls/1/reviews", data={"event": "COMMENT"})
    exc = info.value
    assert exc.status == 422
    assert exc.errors == ["Line could not be resolved"]
    assert exc.message == "Unprocessable Entity"
    assert not exc.retryable
    assert isinstance(exc, gidgethub.HTTPException)  # callers catching gidgethub's base still work
    assert "Line could not be resolved" in str(exc)
    assert len(github.requests) == 1
    assert sleeps.calls == []


async def test_404_is_not_retried_and_getstatus_still_reports_it(session, github, sleeps):
    client = make_client(session, github, sleeps)
    with pytest.raises(GitHubHTTPError) as info:
        await client.getitem("/repos/o/missing")
    assert info.value.status == 404
    assert len(github.requests) == 1
    assert await client.getstatus("/repos/o/missing") == 404
    assert sleeps.calls == []


async def test_secondary_rate_limit_waits_retry_after_then_succeeds(session, github, sleeps):
    limited = Reply(
        403,
        {"message": "You have exceeded a secondary rate limit. Please wait a few minutes and try again."},
        headers={"Retry-After": "1"},
    )
    github.on("POST", "/repos/o/r/issues/1/comments", limited, Reply(201, {"id": 7}))
    client = make_client(session, github, sleeps)
    assert await client.post("/repos/o/r/issues/1/comments", data={"body": "hi"}) == {"id": 7}
    assert sleeps.calls == [1.0]
    assert len(github.requests) == 2


async def test_secondary_limit_without_hint_waits_the_documented_minimum(session, github, sleeps):
    limited = Reply(403, {"message": "You have exceeded a secondary rate limit."})
    github.on("GET", "/repos/o/r", limited, Reply(200, {"id": 1}))
    policy = RetryPolicy(attempts=3, initial=0.01, max_backoff=0.02, max_wait=5.0, secondary_min_wait=2.0)
    client = make_client(session, github, sleeps, retry=policy)
    assert await client.getitem("/repos/o/r") == {"id": 1}
    assert sleeps.calls == [2.0]


async def test_primary_limit_waits_until_x_ratelimit_reset(session, github, sleeps):
    reset = int(time.time()) + 3
    limited = Reply(
        429,
        {"message": "API rate limit exceeded"},
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-limit": "5000", "x-ratelimit-reset": str(reset)},
    )
    github.on("GET", "/repos/o/r", limited, Reply(200, {"id": 1}))
    client = make_client(session, github, sleeps)
    assert await client.getitem("/repos/o/r") == {"id": 1}
    assert len(sleeps.calls) == 1
    assert 1.0 <= sleeps.calls[0] <= 3.0


async def test_primary_limit_beyond_max_wait_gives_up_at_once(session, github, sleeps):
    reset = int(time.time()) + 3600
    limited = Reply(
        403,
        {"message": "API rate limit exceeded"},
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
    )
    github.on("GET", "/repos/o/r", limited)
    client = make_client(session, github, sleeps)
    with pytest.raises(GitHubHTTPError) as info:
        await client.getitem("/repos/o/r")
    assert info.value.is_rate_limited
    assert info.value.retry_after_seconds > FAST.max_wait
    assert len(github.requests) == 1
    assert sleeps.calls == []


async def test_401_refreshes_the_token_exactly_once_then_succeeds(session, github, sleeps):
    github.on("GET", "/repos/o/r", Reply(401, {"message": "Bad credentials"}), Reply(200, {"id": 1}))
    calls: list[bool] = []

    async def tokens(refresh: bool) -> str:
        calls.append(refresh)
        return "ghs_new" if refresh else "ghs_old"

    client = make_client(session, github, sleeps, token_provider=tokens)
    assert await client.getitem("/repos/o/r") == {"id": 1}
    assert calls == [False, True]
    assert [r.headers["Authorization"] for r in github.requests] == ["token ghs_old", "token ghs_new"]


async def test_401_twice_raises_without_a_third_request(session, github, sleeps):
    github.on("GET", "/repos/o/r", Reply(401, {"message": "Bad credentials"}))
    calls: list[bool] = []

    async def tokens(refresh: bool) -> str:
        calls.append(refresh)
        return TOKEN

    client = make_client(session, github, sleeps, token_provider=tokens)
    with pytest.raises(GitHubHTTPError) as info:
        await client.getitem("/repos/o/r")
    assert info.value.status == 401
    assert calls == [False, True]
    assert len(github.requests) == 2


async def test_timeout_is_retried(session, github, sleeps):
    github.on("GET", "/repos/o/r", Reply(200, {"slow": True}, delay=0.5), Reply(200, {"id": 1}))
    policy = RetryPolicy(attempts=3, initial=0.01, max_backoff=0.02, request_timeout=0.1)
    client = make_client(session, github, sleeps, retry=policy)
    assert await client.getitem("/repos/o/r") == {"id": 1}
    assert len(github.requests) == 2


async def test_server_disconnect_is_retried(session, github, sleeps):
    # A POST, because aiohttp itself silently retries an idempotent request once on a dropped connection.
    github.on("POST", "/repos/o/r/issues/1/comments", Reply(disconnect=True), Reply(201, {"id": 1}))
    client = make_client(session, github, sleeps)
    assert await client.post("/repos/o/r/issues/1/comments", data={"body": "x"}) == {"id": 1}
    assert len(sleeps.calls) == 1
    assert len(github.requests) == 2


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_connection_refused_is_retried_then_the_breaker_opens(sleeps):
    starts: list[str] = []

    async def on_start(_session, _ctx, params) -> None:
        starts.append(params.method)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    clock = FakeClock()
    breaker = CircuitBreakers(failure_threshold=3, reset_timeout=30.0, clock=clock)
    policy = RetryPolicy(attempts=6, initial=0.01, max_backoff=0.02)
    base = f"http://127.0.0.1:{unused_port()}"
    async with aiohttp.ClientSession(trace_configs=[trace]) as refused:
        client = GitHubClient(refused, base_url=base, breaker=breaker, retry=policy, sleep=sleeps)
        with pytest.raises(CircuitOpenError) as info:
            await client.getitem("/repos/o/r")
        assert len(starts) == 3  # three refused attempts, the fourth refused by the breaker itself
        assert info.value.host == f"127.0.0.1:{base.rsplit(':', 1)[1]}"
        assert info.value.retry_after == pytest.approx(30.0)

        with pytest.raises(CircuitOpenError):
            await client.getitem("/repos/o/r")
        assert len(starts) == 3  # no request at all while open


async def test_breaker_half_opens_after_reset_timeout(session, github, sleeps):
    github.on("GET", "/repos/o/r", Reply(500), Reply(500), Reply(200, {"id": 1}))
    clock = FakeClock()
    breaker = CircuitBreakers(failure_threshold=2, reset_timeout=10.0, clock=clock)
    client = make_client(session, github, sleeps, breaker=breaker)
    with pytest.raises(CircuitOpenError):
        await client.getitem("/repos/o/r")
    assert len(github.requests) == 2

    clock.advance(9.0)
    with pytest.raises(CircuitOpenError) as info:
        await client.getitem("/repos/o/r")
    assert info.value.retry_after == pytest.approx(1.0)
    assert len(github.requests) == 2

    clock.advance(1.5)
    host = github.base_url.split("//", 1)[1]
    assert breaker.state(host) == "half-open"
    assert await client.getitem("/repos/o/r") == {"id": 1}
    assert breaker.state(host) == "closed"


def test_half_open_allows_one_trial_and_a_failed_trial_reopens():
    clock = FakeClock()
    breakers = CircuitBreakers(failure_threshold=1, reset_timeout=10.0, clock=clock)
    breakers.record_failure("ghe.example.com")
    breakers.before_call("api.github.com")  # other hosts are unaffected
    clock.advance(10.0)
    breakers.before_call("ghe.example.com")  # the trial
    with pytest.raises(CircuitOpenError):
        breakers.before_call("ghe.example.com")  # a second caller while the trial runs
    breakers.record_failure("ghe.example.com")
    assert breakers.state("ghe.example.com") == "open"
    with pytest.raises(CircuitOpenError) as info:
        breakers.before_call("ghe.example.com")
    assert info.value.retry_after == pytest.approx(10.0)


async def test_4xx_does_not_count_against_the_breaker(session, github, sleeps):
    breaker = CircuitBreakers(failure_threshold=2, clock=FakeClock())
    client = make_client(session, github, sleeps, breaker=breaker)
    for _ in range(4):
        with pytest.raises(GitHubHTTPError):
            await client.getitem("/repos/o/missing")
    assert len(github.requests) == 4


async def test_mutations_for_one_installation_are_spaced(session, github, sleeps):
    github.on("POST", "/repos/o/r/issues/1/comments", Reply(201, {"id": 1}))
    github.on("GET", "/repos/o/r", Reply(200, {"id": 1}))
    throttle_sleeps = SleepRecorder()
    throttle = MutationThrottle(interval=1.0, clock=FakeClock(), sleep=throttle_sleeps)
    one = make_client(session, github, sleeps, throttle=throttle, throttle_key=1)
    other = make_client(session, github, sleeps, throttle=throttle, throttle_key=2)

    await asyncio.gather(
        one.post("/repos/o/r/issues/1/comments", data={"body": "a"}),
        one.post("/repos/o/r/issues/1/comments", data={"body": "b"}),
        one.getitem("/repos/o/r"),  # reads are not throttled
    )
    assert throttle_sleeps.calls == [1.0]

    await other.post("/repos/o/r/issues/1/comments", data={"body": "c"})
    assert throttle_sleeps.calls == [1.0]  # another installation is not held back
    assert len(github.seen("POST", "/repos/o/r/issues/1/comments")) == 3


def paged(github: ScriptedGitHub, prefix: str, pages: list[list[int]]) -> None:
    """Script `pages` of PR listings, each linking to the next by an absolute URL."""
    first = f"{prefix}/repos/o/r/pulls"
    later = f"{prefix}/repositories/42/pulls"

    def reply(request) -> Reply:
        page = int(request.query.get("page", "1"))
        headers = {}
        if page < len(pages):
            headers["Link"] = f'<{github.base_url}{later}?per_page=100&page={page + 1}>; rel="next"'
        return Reply(200, [{"number": n} for n in pages[page - 1]], headers=headers)

    github.on("GET", first, reply)
    github.on("GET", later, reply)


async def test_get_all_follows_link_headers_under_a_ghes_prefix(session, github, sleeps):
    paged(github, "/api/v3", [[1, 2], [3, 4], [5]])
    client = GitHubClient(session, base_url=f"{github.base_url}/api/v3/", retry=FAST, sleep=sleeps)
    pulls = await client.get_all("/repos/{owner}/{repo}/pulls", {"owner": "o", "repo": "r"})
    assert [p["number"] for p in pulls] == [1, 2, 3, 4, 5]
    assert [r.path for r in github.requests] == [
        "/api/v3/repos/o/r/pulls",
        "/api/v3/repositories/42/pulls",
        "/api/v3/repositories/42/pulls",
    ]
    assert github.requests[0].query == {"per_page": "100"}
    assert [r.query.get("page") for r in github.requests[1:]] == ["2", "3"]


async def test_graphql_goes_to_the_ghes_graphql_endpoint(session, github, sleeps):
    github.on("POST", "/api/graphql", Reply(200, {"data": {"viewer": {"login": "bot"}}}))
    client = GitHubClient(session, base_url=f"{github.base_url}/api/v3", retry=FAST, sleep=sleeps)
    assert await client.graphql("query { viewer { login } }") == {"viewer": {"login": "bot"}}
    assert GitHubClient(session).graphql_url == "https://api.github.com/graphql"


async def test_get_all_stops_at_limit_without_fetching_more_pages(session, github, sleeps):
    paged(github, "", [[1, 2], [3, 4], [5]])
    client = make_client(session, github, sleeps)
    pulls = await client.get_all("/repos/o/r/pulls?state=open", limit=3)
    assert [p["number"] for p in pulls] == [1, 2, 3]
    assert len(github.requests) == 2
    assert github.requests[0].query == {"state": "open", "per_page": "100"}


async def test_no_token_in_errors_reprs_or_logs(session, github, sleeps, caplog):
    caplog.set_level(logging.DEBUG)
    github.on("GET", "/repos/o/r", Reply(502), Reply(401, {"message": "Bad credentials"}))

    async def tokens(refresh: bool) -> str:
        return TOKEN

    client = make_client(session, github, sleeps, token_provider=tokens)
    with pytest.raises(GitHubHTTPError) as info:
        await client.getitem("/repos/o/r?access_token=" + TOKEN)
    exc = info.value
    assert exc.status == 401
    assert github.requests[0].headers["Authorization"] == f"token {TOKEN}"
    # The scripted server's own access log (aiohttp.access) prints the query string; it is not ours.
    client_logs = "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")
    for text in (str(exc), repr(exc), repr(client), str(exc.headers), client_logs):
        assert TOKEN not in text
    assert "retrying GET /repos/o/r" in client_logs

    jwt_client = make_client(session, github, sleeps, jwt="eyJ.SECRET.jwt")
    assert "SECRET" not in repr(jwt_client)


def test_error_properties_read_githubs_signals():
    now = 1_700_000_000.0
    secondary = GitHubHTTPError(403, {"Retry-After": "7"}, "whatever", received_at=now)
    assert secondary.is_secondary_rate_limit and secondary.retryable
    assert secondary.retry_after_seconds == 7.0

    primary = GitHubHTTPError(
        403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(now) + 30)}, "limit", received_at=now
    )
    assert primary.is_rate_limited and not primary.is_secondary_rate_limit and primary.retryable
    assert primary.retry_after_seconds == 30.0

    forbidden = GitHubHTTPError(
        403,
        {"x-ratelimit-remaining": "4999", "x-ratelimit-reset": str(int(now) + 30)},
        "Resource not accessible",
    )
    assert not forbidden.retryable and forbidden.retry_after_seconds is None

    broken = GitHubHTTPError(
        502, {"x-ratelimit-remaining": "10", "x-ratelimit-reset": str(int(now) + 900)}, ""
    )
    assert broken.retryable and broken.retry_after_seconds is None  # a 502 is not told to wait an hour

    assert GitHubHTTPError(429, {}, "Too many").retryable
    assert not GitHubHTTPError(409, {}, "Conflict").retryable
