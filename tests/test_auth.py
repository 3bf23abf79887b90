"""App JWTs and installation tokens against a real local HTTP server."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.github.auth import AppAuthError, InstallationTokens, make_app_jwt
from bot.github.client import GitHubClient, GitHubHTTPError, RetryPolicy
from tests.scripted_github import FakeClock, Reply, SleepRecorder

FAST = RetryPolicy(attempts=3, initial=0.01, max_backoff=0.02, max_wait=5.0, request_timeout=2.0)
APP_ID = 4242
TOKENS_PATH = "/app/installations/{}/access_tokens"
START = 1_700_000_000.0


@pytest.fixture(scope="module")
def key_pair() -> tuple[str, rsa.RSAPublicKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return pem, key.public_key()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def tokens(session, github, key_pair, clock) -> InstallationTokens:
    client = GitHubClient(session, base_url=github.base_url, retry=FAST, sleep=SleepRecorder())
    return InstallationTokens(client, APP_ID, key_pair[0], clock=clock)


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issue(*values: str, lifetime: float = 3600.0, delay: float = 0.0) -> list[Reply]:
    """Token endpoint replies handing out `values` in order, each valid for `lifetime` from START."""
    return [Reply(201, {"token": v, "expires_at": iso(START + lifetime)}, delay=delay) for v in values]


def test_app_jwt_claims_are_backdated_and_short_lived(key_pair):
    pem, public = key_pair
    token = make_app_jwt(APP_ID, pem, now=START)
    claims = jwt.decode(
        token, public, algorithms=["RS256"], options={"verify_exp": False, "verify_iat": False}
    )
    assert claims == {"iat": int(START) - 60, "exp": int(START) + 540, "iss": str(APP_ID)}
    assert jwt.get_unverified_header(token)["alg"] == "RS256"

    now = time.time()
    live = jwt.decode(make_app_jwt(str(APP_ID), pem), public, algorithms=["RS256"])
    assert live["exp"] - now <= 600
    assert now - 61 <= live["iat"] <= now - 59


def test_app_jwt_with_a_bad_key_says_so_without_the_key():
    bad_key = "-----BEGIN PRIVATE KEY-----\nNOTAKEYsecretbits\n-----END PRIVATE KEY-----\n"
    with pytest.raises(AppAuthError) as info:
        make_app_jwt(APP_ID, bad_key)
    assert "NOTAKEY" not in str(info.value)
    assert info.value.__cause__ is None


async def test_token_is_fetched_with_the_app_jwt_and_cached(tokens, github, key_pair):
    github.on("POST", TOKENS_PATH.format(7), *issue("ghs_one"))
    assert await tokens.get(7) == "ghs_one"
    assert await tokens.get(7) == "ghs_one"
    (seen,) = github.requests
    scheme, app_jwt = seen.headers["Authorization"].split(" ", 1)
    assert scheme.lower() == "bearer"
    assert jwt.decode(app_jwt, key_pair[1], algorithms=["RS256"])["iss"] == str(APP_ID)
    assert seen.body == b""


async def test_token_is_refreshed_five_minutes_before_it_expires(tokens, github, clock):
    github.on("POST", TOKENS_PATH.format(7), *issue("ghs_one", "ghs_two"))
    assert await tokens.get(7) == "ghs_one"
    clock.advance(3600 - 301)
    assert await tokens.get(7) == "ghs_one"
    clock.advance(2)
    assert await tokens.get(7) == "ghs_two"
    assert len(github.requests) == 2


async def test_a_token_already_near_expiry_is_used_but_not_cached(tokens, github):
    github.on("POST", TOKENS_PATH.format(7), *issue("ghs_one", "ghs_two", lifetime=120))
    assert await tokens.get(7) == "ghs_one"
    assert await tokens.get(7) == "ghs_two"


async def test_concurrent_gets_share_one_request(tokens, github):
    github.on("POST", TOKENS_PATH.format(7), *issue("ghs_one", delay=0.05))
    results = await asyncio.gather(*(tokens.get(7) for _ in range(5)))
    assert results == ["ghs_one"] * 5
    assert len(github.requests) == 1


async def test_concurrent_refreshes_share_one_request(tokens, github):
    github.on("POST", TOKENS_PATH.format(7), *issue("ghs_one"), *issue("ghs_two", "ghs_three", delay=0.05))
    assert await tokens.get(7) == "ghs_one"
    results = await asyncio.gather(*(tokens.get(7, refresh=True) for _ in range(3)))
    assert results == ["ghs_two"] * 3
    assert len(github.requests) == 2


async def test_installations_are_cached_separately_and_invalidated(tokens, github):
    github.on("POST", TOKENS_PATH.format(7), *issue("ghs_7a", "ghs_7b", "ghs_7c"))
    github.on("POST", TOKENS_PATH.format(8), *issue("ghs_8a", "ghs_8b"))
    assert (await tokens.get(7), await tokens.get(8)) == ("ghs_7a", "ghs_8a")
    tokens.invalidate(7)
    assert (await tokens.get(7), await tokens.get(8)) == ("ghs_7b", "ghs_8a")
    tokens.invalidate()
    assert (await tokens.get(7), await tokens.get(8)) == ("ghs_7c", "ghs_8b")


async def test_token_endpoint_errors_are_retried_through_the_client(tokens, github):
    github.on("POST", TOKENS_PATH.format(7), Reply(502), *issue("ghs_one"))
    assert await tokens.get(7) == "ghs_one"
    assert len(github.requests) == 2


async def test_unknown_installation_raises_the_http_error(tokens, github):
    with pytest.raises(GitHubHTTPError) as info:
        await tokens.get(99)
    assert info.value.status == 404
    assert len(github.requests) == 1


async def test_malformed_token_answer_is_an_auth_error_without_its_body(tokens, github):
    github.on("POST", TOKENS_PATH.format(7), Reply(201, {"token": "ghs_leaky", "expires_at": "soon"}))
    with pytest.raises(AppAuthError) as info:
        await tokens.get(7)
    assert "ghs_leaky" not in str(info.value)


async def test_installation_client_refreshes_once_on_401(tokens, github):
    github.on("POST", TOKENS_PATH.format(7), *issue("ghs_stale", "ghs_fresh"))
    github.on("GET", "/repos/o/r", Reply(401, {"message": "Bad credentials"}), Reply(200, {"id": 1}))
    client = tokens.client_for(7)
    assert client.throttle_key == 7
    assert await client.getitem("/repos/o/r") == {"id": 1}
    auths = [r.headers["Authorization"] for r in github.seen("GET", "/repos/o/r")]
    assert auths == ["token ghs_stale", "token ghs_fresh"]
    assert await tokens.get(7) == "ghs_fresh"


async def test_installation_client_gives_up_after_a_second_401(tokens, github):
    github.on("POST", TOKENS_PATH.format(7), *issue("ghs_a", "ghs_b", "ghs_c"))
    github.on("GET", "/repos/o/r", Reply(401, {"message": "Bad credentials"}))
    with pytest.raises(GitHubHTTPError) as info:
        await tokens.client_for(7).getitem("/repos/o/r")
    assert info.value.status == 401
    assert len(github.seen("GET", "/repos/o/r")) == 2
    assert len(github.seen("POST", TOKENS_PATH.format(7))) == 2


async def test_app_client_authenticates_with_a_jwt(tokens, github, key_pair):
    github.on("GET", "/app/installations", Reply(200, [{"id": 7}]))
    assert await tokens.app_client().getitem("/app/installations") == [{"id": 7}]
    scheme, app_jwt = github.requests[0].headers["Authorization"].split(" ", 1)
    assert scheme.lower() == "bearer"
    assert jwt.decode(app_jwt, key_pair[1], algorithms=["RS256"])["iss"] == str(APP_ID)


async def test_tokens_never_reach_reprs_or_logs(tokens, github, caplog, key_pair):
    caplog.set_level(logging.DEBUG)
    secret = "ghs_TOPsecretTOKENvalue"
    github.on("POST", TOKENS_PATH.format(7), *issue(secret))
    github.on("GET", "/repos/o/r", Reply(403, {"message": "Resource not accessible by integration"}))
    client = tokens.client_for(7)
    with pytest.raises(GitHubHTTPError) as info:
        await client.getitem("/repos/o/r")
    cached = tokens._tokens[7]
    texts = [
        repr(tokens),
        repr(cached),
        str(cached),
        repr(client),
        str(info.value),
        repr(info.value),
        caplog.text,
    ]
    for text in texts:
        assert secret not in text
        assert "PRIVATE KEY" not in text
    assert "installation 7" in caplog.text
