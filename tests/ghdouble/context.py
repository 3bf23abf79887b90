"""What an operation handler receives, and GitHub-style pagination."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aiohttp import web

from .openapi import Operation
from .responses import json_response
from .state import Repo

if TYPE_CHECKING:
    from .server import GitHubDouble

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


@dataclass
class Ctx:
    double: GitHubDouble
    request: web.Request
    op: Operation
    params: dict[str, Any]
    body: Any
    repo: Repo | None

    @property
    def key(self) -> tuple[str, str, int]:
        """(owner, repo, number) as the recorded-state dictionaries use it."""
        assert self.repo is not None
        number = self.params.get("pull_number", self.params.get("issue_number"))
        return (self.repo.owner, self.repo.name, int(number))

    @property
    def repo_key(self) -> tuple[str, str]:
        assert self.repo is not None
        return (self.repo.owner, self.repo.name)


Handler = Callable[[Ctx], Awaitable[web.Response]]


def paginate(ctx: Ctx, items: list[Any], cap: int | None = None) -> web.Response:
    """One page of ``items`` with GitHub's ``Link`` header (next/last, and prev/first past page 1)."""
    if cap is not None:
        items = items[:cap]
    per_page = min(max(int(ctx.params.get("per_page") or DEFAULT_PER_PAGE), 1), MAX_PER_PAGE)
    page = max(int(ctx.params.get("page") or 1), 1)
    last = max((len(items) + per_page - 1) // per_page, 1)
    chunk = items[(page - 1) * per_page : page * per_page]
    headers: dict[str, str] = {}
    links = []
    if page < last:
        links += [(page + 1, "next"), (last, "last")]
    if page > 1:
        links = [(page - 1, "prev"), (1, "first"), *links]
    if links:
        headers["Link"] = ", ".join(f'<{_page_url(ctx, n)}>; rel="{rel}"' for n, rel in links)
    return json_response(chunk, headers=headers)


def _page_url(ctx: Ctx, page: int) -> str:
    query = dict(ctx.request.query)
    query["page"] = str(page)
    base = ctx.double.origin + ctx.request.path
    return f"{base}?{urlencode(query)}"
