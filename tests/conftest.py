"""Fixtures shared by the GitHub client and App auth tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.ghdouble import GitHubDouble
from tests.ghdouble.keys import app_key_pair
from tests.llm_server import llm_server  # noqa: F401 (the session fixture, for the llm-marked tests)
from tests.redis_server import redis_server  # noqa: F401 (a real redis-server per test)
from tests.scripted_github import ScriptedGitHub


@pytest.fixture
async def github(aiohttp_server) -> ScriptedGitHub:
    """A scripted GitHub on a real local server (the e2e tests use the strict double instead)."""
    scripted = ScriptedGitHub()
    server = await aiohttp_server(scripted.app())
    scripted.base_url = str(server.make_url("")).rstrip("/")
    return scripted


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def github_double() -> AsyncIterator[GitHubDouble]:
    """A started strict GitHub double, for the end-to-end tests."""
    double = GitHubDouble(app_id=12345, public_key_pem=app_key_pair().public_pem)
    await double.start()
    yield double
    await double.stop()
