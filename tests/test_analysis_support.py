"""Shared parts of the analysis tests: repositories, a git smart-HTTP server, a redirecting one.

The git server runs the real ``git http-backend`` (tests/ghdouble/githttp.py's runner) for
public repositories: analyses fetch without credentials. No test lives here.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.analysis.models import Analysis, AnalysisRequest
from bot.analysis.service import AnalysisService
from bot.config import AnalysisSettings
from bot.demo import create_demo
from bot.events import EventChannel
from tests.ghdouble import githttp
from tests.test_checkout import run_git as run_git  # the analysis tests' git, re-exported

DEADLINE = 120.0


def demo_repo(parent: Path, name: str = "demo") -> Path:
    """bot/demo.py's repository: main, and a branch "feature" with findings of several tools."""
    parent.mkdir(parents=True, exist_ok=True)
    return create_demo(parent / name)


def bare_copy(repo: Path, served: Path, name: str) -> Path:
    """A bare clone of ``repo`` as ``served/name.git`` (what the git server serves)."""
    served.mkdir(parents=True, exist_ok=True)
    target = served / f"{name}.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", "--no-local", str(repo), str(target)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return target


@dataclass
class GitServer:
    """Public repositories over git smart HTTP on a loopback port; ``hits`` counts requests."""

    root: Path
    hits: list[str] = field(default_factory=list)
    server: TestServer | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.hits.append(request.path_qs)
        name, tail = request.match_info["name"], request.match_info["tail"]
        path = self.root / f"{name}.git"
        if not path.is_dir() or tail not in ("info/refs", "git-upload-pack"):
            return web.Response(status=404, text="Repository not found.\n")
        if tail == "info/refs" and request.query.get("service") != "git-upload-pack":
            return web.Response(status=403, text="dumb HTTP is not supported\n")
        return await githttp._run_backend(request, path, tail, await request.read())

    async def start(self) -> GitServer:
        app = web.Application()
        app.router.add_route("*", "/{name}.git/{tail:.*}", self.handle)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    @property
    def host(self) -> str:
        assert self.server is not None
        return f"127.0.0.1:{self.server.port}"

    def url(self, name: str) -> str:
        return f"http://{self.host}/{name}.git"


async def redirecting_server(location: str) -> TestServer:
    """Answers every request with a redirect to ``location`` + the path asked."""

    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(location + request.path_qs)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", redirect)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


@contextlib.asynccontextmanager
async def serving(root: Path) -> AsyncIterator[GitServer]:
    """A started GitServer for the bare repositories under ``root`` (a fixture in each module)."""
    server = await GitServer(root).start()
    try:
        yield server
    finally:
        assert server.server is not None
        await server.server.close()


@pytest.fixture
async def git_server(tmp_path: Path) -> AsyncIterator[GitServer]:
    """A started GitServer for ``tmp_path/served`` (modules take it with ``git_server = ...``)."""
    async with serving(tmp_path / "served") as server:
        yield server


@dataclass
class Who:
    user: str = "alice"
    org: str = "acme"


async def wait_until(check: Callable[[], Any], *, deadline: float = DEADLINE) -> Any:
    """Poll ``check`` (sync or async) until it returns something truthy, or fail at the deadline."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        assert loop.time() < end, "condition not reached before the deadline"
        await asyncio.sleep(0.02)


async def finished(service: AnalysisService, analysis_id: str) -> Analysis:
    async def done() -> Analysis | None:
        found = await service.get(analysis_id)
        return found if found is not None and found.status in ("done", "failed") else None

    result: Analysis = await wait_until(done)
    return result


def make_service(settings: AnalysisSettings, **kwargs: Any) -> AnalysisService:
    kwargs.setdefault("events", EventChannel(queue_size=10_000))
    return AnalysisService(settings, **kwargs)


def request(repository: str, base: str = "main", head: str = "feature", **kw: Any) -> AnalysisRequest:
    return AnalysisRequest(repository=repository, base=base, head=head, **kw)
