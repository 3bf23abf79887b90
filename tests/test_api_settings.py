"""The REST API's settings (API_* environment, the ``api:`` YAML section) and its Redis-backed
parts: the key store and the limits shared by replicas."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from aiohttp import web
from limits.aio.storage import Storage

from bot.api.app import setup_api
from bot.api.auth import API_AUTH, AuthError
from bot.api.keys import RedisKeyStore, authenticate, new_key
from bot.api.quotas import Limiter, make_storage
from bot.api.registry import KEYS
from bot.api.settings import ApiConfigError, ApiSettings, Tier
from bot.config import Settings
from bot.redis_client import connect
from tests.api_support import HS_SECRET, ROLES, api_settings, bearer, rsa_pair


def test_environment_and_yaml(tmp_path):
    private, public = rsa_pair()
    (tmp_path / "priv.pem").write_text(private)
    config = tmp_path / "enterprise.yaml"
    config.write_text(
        "api:\n  cors_origins: [https://a.example.com]\n  token_ttl: 3600\n"
        "  quotas:\n    read: {daily: 5, per_minute: 2}\n"
    )
    env = {
        "API_JWT_ALGORITHM": "rs256", "API_JWT_PRIVATE_KEY_PATH": str(tmp_path / "priv.pem"),
        "API_JWT_PUBLIC_KEY": public, "API_CORS_ORIGINS": "https://b.example.com/",
        "REVIEW_BOT_CONFIG": str(config),
    }  # fmt: skip
    settings = ApiSettings.from_env(env)
    assert settings.jwt.algorithm == "RS256" and settings.jwt.private_key == private
    assert settings.jwt.lifetime == 3600 and settings.cors_origins == ("https://a.example.com",)
    assert settings.tiers["read"] == Tier(5, 2) and settings.tiers["admin"].daily == 50_000
    assert Settings.from_env({"REVIEW_BOT_CONFIG": str(config)})  # the core settings let "api" through


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"API_JWT_SECRET": "short"}, "at least 32"),
        ({"API_JWT_ALGORITHM": "none"}, "HS256 or RS256"),
        ({"API_JWT_ALGORITHM": "RS256"}, "RS256 needs"),
        ({"API_JWT_SECRET": HS_SECRET, "API_CORS_ORIGINS": "*"}, "exact origins"),
        ({"API_JWT_SECRET": HS_SECRET, "API_CORS_ORIGINS": "https://*.example.com"}, "exact origins"),
        ({"API_JWT_SECRET": HS_SECRET, "API_TOKEN_TTL": "-1"}, "API_TOKEN_TTL"),
    ],
)
def test_wrong_settings_say_which(env, message):
    with pytest.raises(ApiConfigError, match=message) as caught:
        ApiSettings.from_env(env)
    assert HS_SECRET not in str(caught.value)


def test_wrong_yaml_sections_say_which():
    with pytest.raises(ApiConfigError, match=r"unknown key api\.bogus"):
        ApiSettings().with_section({"bogus": 1})
    with pytest.raises(ApiConfigError, match=r"quotas\.root"):
        ApiSettings().with_section({"quotas": {"root": {"daily": 1}}})
    with pytest.raises(ApiConfigError, match="max_body_bytes"):
        ApiSettings().with_section({"max_body_bytes": 10**12})


async def test_redis_holds_keys_and_limits_for_every_replica(redis_server, aiohttp_client):
    """Two apps (two replicas) on one Redis: a key made once works on both, a revocation on one
    counts on the other at the next request, and the per-minute limit is shared."""
    tiers = {role: Tier(daily=1000, per_minute=3) for role in ROLES}
    api = replace(api_settings(), tiers=tiers, redis_url=redis_server.url)
    clients, stores = [], []
    for _ in range(2):
        app = web.Application()
        setup_api(app, Settings(redis_url=redis_server.url), api)
        clients.append(await aiohttp_client(app))
        stores.append(app[KEYS])
    assert all(isinstance(s, RedisKeyStore) for s in stores)
    record, key = new_key("alice", "acme", "read")
    await stores[0].add(record)
    assert await authenticate(stores[1], key) == record
    issued = await clients[1].post("/api/v1/auth/token", json={"api_key": key})
    token = (await issued.json())["access_token"]
    statuses = [
        (await clients[i % 2].get("/api/v1/user/profile", headers=bearer(token))).status for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]  # three per minute across both replicas
    # The WebSocket's synchronous check reads each replica's snapshot, refreshed every second.
    verifier = clients[0].app[API_AUTH]
    deadline = time.monotonic() + 10
    while True:
        try:
            assert verifier.verify(token).user == "alice"
            break
        except AuthError:
            assert time.monotonic() < deadline, "the snapshot never saw the key"
            await asyncio.sleep(0.05)
    await stores[0].revoke(record.key_id)
    refused = await clients[1].get("/api/v1/user/profile", headers=bearer(token))
    assert refused.status == 401


async def test_limits_storage_follows_redis_url(redis_server):
    assert isinstance(make_storage(None), Storage)
    storage = make_storage(redis_server.url)
    assert type(storage).__name__ == "RedisStorage"
    assert await storage.check()
    limiter = Limiter(api_settings(), storage)
    assert limiter.storage is storage
    redis = connect(redis_server.url)
    await redis.aclose()


def test_the_readme_api_block_is_the_defaults():
    """README, "The REST API": its ``api:`` block loads and says what the defaults are."""
    from pathlib import Path

    from analyzers.safe_yaml import load_bounded

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    start = readme.index("```yaml\napi:")
    block = readme[start + len("```yaml\n") : readme.index("```", start + 7)]
    section = load_bounded(block)["api"]
    loaded = ApiSettings().with_section(section)
    assert loaded == ApiSettings()
