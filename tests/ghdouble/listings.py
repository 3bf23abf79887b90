"""Listings the reconcile pass walks: an installation's repositories and a repository's pulls."""

from __future__ import annotations

from aiohttp import web

from .auth import parse_authorization
from .context import Ctx, Handler, paginate


async def list_installation_repositories(ctx: Ctx) -> web.Response:
    """GET /installation/repositories: the repositories the calling token's installation covers."""
    auth = parse_authorization(ctx.request.headers.get("Authorization"))
    token = ctx.double.tokens.get(auth[1]) if auth else None
    assert token is not None  # the server checked the token before calling any handler
    covered = ctx.double.installations.get(token.installation_id, set())
    repos = [r for _key, r in sorted(ctx.double.repos.items()) if r.full_name.lower() in covered]
    response = paginate(ctx, [ctx.double.repo_json(r) for r in repos])
    response.text = f'{{"total_count": {len(repos)}, "repositories": {response.text}}}'
    return response


async def list_pulls(ctx: Ctx) -> web.Response:
    """GET /repos/{owner}/{repo}/pulls: the double's pull requests are all open."""
    assert ctx.repo is not None
    if ctx.params.get("state", "open") == "closed":
        return paginate(ctx, [])
    key = (ctx.repo.owner.lower(), ctx.repo.name.lower())
    pulls = [p for (owner, repo, _n), p in ctx.double.pulls.items() if (owner, repo) == key]
    # Newest first, as GitHub's default (created, desc) and as "updated" is for pulls never edited.
    pulls.sort(key=lambda p: p.number, reverse=ctx.params.get("direction", "desc") == "desc")
    return paginate(ctx, [p.data for p in pulls])


HANDLERS: dict[str, Handler] = {
    "apps/list-repos-accessible-to-installation": list_installation_repositories,
    "pulls/list": list_pulls,
}
