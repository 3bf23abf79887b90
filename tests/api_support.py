"""Shared pieces of the REST API tests (tests/test_api_*.py): an app with the API mounted on
real parts (the key file, the limits library, D2's AnalysisService, E's HistoryStore on SQLite)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.analysis.models import Analysis, AnalysisRequest
from bot.analysis.service import ANALYSES, AnalysisService
from bot.api.app import setup_api
from bot.api.auth import JwtConfig
from bot.api.keys import FileKeyStore, KeyRecord, new_key
from bot.api.principal import Role
from bot.api.settings import ApiSettings, Tier
from bot.config import AnalysisSettings, Settings
from bot.history.store import HISTORY, HistoryStore

HS_SECRET = "test-secret-" + "s" * 60  # 64+ bytes: long enough for HS512 too
ROLES: tuple[Role, ...] = ("read", "analyze", "admin")


def api_settings(**overrides: Any) -> ApiSettings:
    base = ApiSettings(
        jwt=JwtConfig(algorithm="HS256", secret=HS_SECRET),
        cors_origins=("https://tools.example.com",),
        tiers={role: Tier(daily=10_000, per_minute=10_000) for role in ROLES},
    )
    return replace(base, **overrides)


def rsa_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


async def build_app(
    tmp_path: Path,
    api: ApiSettings | None = None,
    *,
    analyses: bool = True,
    history: bool = True,
    max_pending: int = 100,
) -> tuple[web.Application, FileKeyStore]:
    """A bare aiohttp app with the API, a key file under tmp_path, and the services behind it."""
    app = web.Application()
    store = FileKeyStore(tmp_path / "state" / "api-keys.json")
    setup_api(app, Settings(), api or api_settings(), keys=store)
    if analyses:
        root = tmp_path / "repos"
        (root / "demo").mkdir(parents=True, exist_ok=True)
        git = await asyncio.create_subprocess_exec("git", "init", "-q", str(root / "demo"))
        assert await asyncio.wait_for(git.wait(), 30) == 0
        # Not started: what is submitted stays queued (nothing is fetched or analysed here).
        app[ANALYSES] = AnalysisService(AnalysisSettings(roots=(str(root),), max_pending=max_pending))
    if history:
        url = f"sqlite+aiosqlite:///{tmp_path / 'history.db'}"

        async def open_history(app: web.Application):  # type: ignore[no-untyped-def]
            app[HISTORY] = await HistoryStore.open(url)
            yield
            await app[HISTORY].close()

        app.cleanup_ctx.append(open_history)
    return app, store


async def add_key(store: FileKeyStore, user: str, org: str, role: Role) -> tuple[KeyRecord, str]:
    record, key = new_key(user, org, role)
    await store.add(record)
    return record, key


async def token_of(client: Any, key: str) -> str:
    response = await client.post("/api/v1/auth/token", json={"api_key": key})
    assert response.status == 200, await response.text()
    return str((await response.json())["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def put_analysis(app: web.Application, user: str, org: str, *, status: str = "done") -> Analysis:
    """A finished analysis in the service's store, as its runner would leave it."""
    service = app[ANALYSES]
    analysis = Analysis(
        id=f"{user}-{org}-{datetime.now(UTC).timestamp():.6f}".replace(".", "-"),
        status=status,  # type: ignore[arg-type]
        user=user,
        org=org,
        created_at=datetime.now(UTC),
        finished_at=datetime.now(UTC),
        request=AnalysisRequest(repository="demo", base="main", head="feature"),
        result={"findings": [], "summary": "clean"},
    )
    sarif = {"version": "2.1.0", "runs": []}
    await service.store.put(analysis, sarif=sarif)
    return analysis
