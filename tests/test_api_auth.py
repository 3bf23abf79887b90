"""API keys and JWTs of the REST API: issue, verify, and the attacks a token must not get past."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import sys
import time
from dataclasses import replace
from typing import Any

import jwt
import pytest

from bot.api.auth import API_AUTH, AuthError, JwtConfig, TokenVerifier
from bot.api.keys import FileKeyStore, parse_key
from bot.cli import main
from tests.api_support import HS_SECRET, add_key, api_settings, bearer, build_app, rsa_pair, token_of


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_for(record: Any, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": "review-bot", "aud": "review-bot-api", "sub": record.user, "org": record.org,
        "role": record.role, "key": record.key_id, "iat": now, "nbf": now, "exp": now + 3600,
    }  # fmt: skip
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


async def profile_status(client: Any, token: str) -> tuple[int, dict[str, Any]]:
    response = await client.get("/api/v1/user/profile", headers=bearer(token))
    return response.status, await response.json(content_type=None)


async def test_a_key_gives_a_token_and_the_profile_names_its_owner(aiohttp_client, tmp_path):
    app, store = await build_app(tmp_path)
    client = await aiohttp_client(app)
    record, key = await add_key(store, "alice", "acme", "analyze")
    response = await client.post("/api/v1/auth/token", json={"api_key": key})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = await response.json()
    assert body["token_type"] == "Bearer" and 86_000 < body["expires_in"] <= 86_400
    status, profile = await profile_status(client, body["access_token"])
    assert status == 200
    assert (profile["user"], profile["org"], profile["role"], profile["key_id"]) == (
        "alice", "acme", "analyze", record.key_id,
    )  # fmt: skip
    assert profile["usage_today"] == 1 and profile["remaining"] == profile["daily_quota"] - 1


async def test_unknown_wrong_and_revoked_keys_get_the_same_401(aiohttp_client, tmp_path):
    app, store = await build_app(tmp_path)
    client = await aiohttp_client(app)
    _, key = await add_key(store, "alice", "acme", "read")
    key_id, secret = parse_key(key) or ("", "")
    wrong = f"rbk_{key_id}.{'A' * len(secret)}"
    unknown = f"rbk_{'0' * 16}.{secret}"
    await store.revoke((await add_key(store, "bob", "acme", "read"))[0].key_id)
    answers = []
    for candidate in (wrong, unknown, "not-a-key", key.upper()):
        response = await client.post("/api/v1/auth/token", json={"api_key": candidate})
        assert response.status == 401
        assert response.content_type == "application/problem+json"
        answers.append((await response.json())["detail"])
    assert len(set(answers)) == 1 and secret not in answers[0]


def test_the_key_file_holds_no_secret(tmp_path):
    path = tmp_path / "keys.json"
    env = {"API_KEYS_FILE": str(path)}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        patch.delenv("REDIS_URL", raising=False)
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["keys", "create", "--user", "alice", "--org", "acme", "--role", "admin"]) == 0
        key = out.getvalue().strip()
        key_id, secret = parse_key(key) or ("", "")
        text = path.read_text()
        assert key_id in text and secret not in text
        assert hashlib.sha256(secret.encode()).hexdigest() in text
        assert path.stat().st_mode & 0o077 == 0
        assert main(["keys", "revoke", key_id]) == 0
        assert main(["keys", "revoke", "0123456789abcdef"]) == 2
        assert main(["keys", "create", "--user", "a b", "--org", "acme", "--role", "read"]) == 2


async def test_a_revoked_key_stops_its_tokens_at_the_next_request(aiohttp_client, tmp_path):
    app, store = await build_app(tmp_path)
    client = await aiohttp_client(app)
    record, key = await add_key(store, "alice", "acme", "read")
    token = await token_of(client, key)
    assert (await profile_status(client, token))[0] == 200
    # Revoked by the CLI in another process, writing the same file, as an operator would.
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {"API_KEYS_FILE": str(store.path)}
    cli = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "keys", "revoke", record.key_id, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(cli.communicate(), 60)
    assert cli.returncode == 0, err[-500:]
    status, body = await profile_status(client, token)
    assert status == 401 and body["detail"] == "the token's API key was revoked"
    assert (
        'Bearer realm="review-bot"'
        in (await client.get("/api/v1/user/profile", headers=bearer(token))).headers["WWW-Authenticate"]
    )


async def test_forged_tokens_are_refused(aiohttp_client, tmp_path):
    app, store = await build_app(tmp_path)
    client = await aiohttp_client(app)
    record, key = await add_key(store, "alice", "acme", "read")
    good = await token_of(client, key)
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    NONE_HEADER = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    forged = {
        "alg none": f"{NONE_HEADER}.{payload}.",
        "alg none, no dot": f"{NONE_HEADER}.{payload}",
        "tampered role": f"{header}.{b64(json.dumps({**claims, 'role': 'admin'}).encode())}.{signature}",
        "tampered user": f"{header}.{b64(json.dumps({**claims, 'sub': 'mallory'}).encode())}.{signature}",
        "expired": jwt.encode(claims_for(record, exp=int(time.time()) - 3600), HS_SECRET),
        "not yet valid": jwt.encode(claims_for(record, nbf=int(time.time()) + 3600), HS_SECRET),
        "issued in the future": jwt.encode(claims_for(record, iat=int(time.time()) + 3600), HS_SECRET),
        "wrong audience": jwt.encode(claims_for(record, aud="another-api"), HS_SECRET),
        "wrong issuer": jwt.encode(claims_for(record, iss="someone-else"), HS_SECRET),
        "no exp": jwt.encode(claims_for(record, exp=None), HS_SECRET),
        "no aud": jwt.encode(claims_for(record, aud=None), HS_SECRET),
        "other secret": jwt.encode(claims_for(record), "x" * 48),
        "HS512": jwt.encode(claims_for(record), HS_SECRET, algorithm="HS512"),
        # A valid signature (a leaked secret, say) still cannot claim more than the key holds.
        "role above the key's": jwt.encode(claims_for(record, role="admin"), HS_SECRET),
        "unknown key": jwt.encode(claims_for(record, key="0123456789abcdef"), HS_SECRET),
        "garbage": "a.b.c",
        "huge": "a" * 6_000,  # over MAX_TOKEN_CHARS, under the server's header line limit
    }
    for name, token in forged.items():
        status, body = await profile_status(client, token)
        assert status == 401, name
        assert body["status"] == 401 and token not in json.dumps(body), name
    assert (await profile_status(client, good))[0] == 200


async def test_rs256_pins_the_algorithm_against_hs_confusion(aiohttp_client, tmp_path):
    private, public = rsa_pair()
    config = JwtConfig(algorithm="RS256", private_key=private, public_key=public)
    app, store = await build_app(tmp_path, replace(api_settings(), jwt=config))
    client = await aiohttp_client(app)
    record, key = await add_key(store, "alice", "acme", "read")
    good = await token_of(client, key)
    assert jwt.get_unverified_header(good)["alg"] == "RS256"
    assert (await profile_status(client, good))[0] == 200
    # HS256 "signed" with the public key as the HMAC secret: the classic confusion attack.
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims_for(record)).encode())
    mac = hmac.new(public.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    confused = f"{head}.{body}.{b64(mac)}"
    status, problem = await profile_status(client, confused)
    assert status == 401 and problem["detail"] == "the token's algorithm is not accepted"
    other_private, _ = rsa_pair()
    assert (await profile_status(client, jwt.encode(claims_for(record), other_private, "RS256")))[0] == 401


def test_verifier_messages_never_hold_the_token(tmp_path):
    store = FileKeyStore(tmp_path / "k.json")
    verifier = TokenVerifier(JwtConfig(secret=HS_SECRET), store.cached)
    for token in ("", "x" * 5000, "eyJhbGciOiJub25lIn0.e30.", "a.b.c"):
        with pytest.raises(AuthError) as caught:
            verifier.verify(token)
        assert not token or token not in str(caught.value)


def test_clock_bounds_of_issued_tokens(tmp_path):
    import asyncio

    from bot.api.keys import new_key

    store = FileKeyStore(tmp_path / "k.json")
    record, _ = new_key("alice", "acme", "read")
    asyncio.run(store.add(record))
    config = JwtConfig(secret=HS_SECRET, lifetime=600, leeway=0)
    now = time.time()
    past = TokenVerifier(config, store.cached, clock=lambda: now - 601)
    future = TokenVerifier(config, store.cached, clock=lambda: now + 3600)
    current = TokenVerifier(config, store.cached)
    with pytest.raises(AuthError, match="expired"):
        current.verify(past.issue(record)[0])
    with pytest.raises(AuthError, match="not valid yet"):
        current.verify(future.issue(record)[0])
    assert current.verify(current.issue(record)[0]).user == "alice"


def test_a_remembered_token_still_expires(tmp_path):
    import asyncio

    from bot.api.keys import new_key

    store = FileKeyStore(tmp_path / "k.json")
    record, _ = new_key("alice", "acme", "read")
    asyncio.run(store.add(record))
    now = [time.time()]
    verifier = TokenVerifier(
        JwtConfig(secret=HS_SECRET, lifetime=600, leeway=0), store.cached, clock=lambda: now[0]
    )
    token, _ = verifier.issue(record)
    assert verifier.verify(token).user == "alice"  # checked in full, then remembered
    assert verifier.verify(token).user == "alice"  # from memory
    now[0] += 601
    with pytest.raises(AuthError, match="expired"):
        verifier.verify(token)
    now[0] -= 601
    asyncio.run(store.revoke(record.key_id))  # remembered or not, a revoked key's token is refused
    with pytest.raises(AuthError, match="revoked"):
        verifier.verify(token)


async def test_an_unreadable_key_store_refuses_with_503(aiohttp_client, tmp_path):
    app, store = await build_app(tmp_path)
    client = await aiohttp_client(app)
    _, key = await add_key(store, "alice", "acme", "read")
    token = await token_of(client, key)
    store.path.write_text("{not json")
    response = await client.get("/api/v1/user/profile", headers=bearer(token))
    assert response.status == 503 and response.content_type == "application/problem+json"
    assert str(store.path) not in await response.text()
    with pytest.raises(AuthError, match="cannot be checked"):
        app[API_AUTH].verify(token)  # the WebSocket's check refuses too
