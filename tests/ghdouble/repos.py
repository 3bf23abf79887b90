"""Repository contents, installation lookups, rate limit, and canned answers for the rest."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

from aiohttp import web

from .context import Ctx, Handler, paginate
from .gitdiff import read_blob, rev_parse
from .responses import json_response, not_found

# Operations answered with the spec's own example (body still validated, auth still checked).
CANNED = {
    "repos/create-commit-status",
    "issues/add-labels",
    "code-scanning/upload-sarif",
}


async def get_content(ctx: Ctx) -> web.Response:
    assert ctx.repo is not None
    repo = ctx.repo
    ref = ctx.params.get("ref") or "HEAD"
    sha = await asyncio.to_thread(rev_parse, repo.path, ref)
    if sha is None:
        return json_response(
            {
                "message": f"No commit found for the ref {ref}",
                "documentation_url": ctx.op.doc_url,
                "status": "404",
            },
            404,
        )
    path = ctx.params["path"].strip("/")
    found = await asyncio.to_thread(read_blob, repo.path, sha, path)
    if found is None:
        return not_found(ctx.op.doc_url)
    blob_sha, content, mode = found
    api = f"{ctx.double.base_url}/repos/{repo.full_name}"
    html = f"{ctx.double.web_origin}/{repo.full_name}/blob/{ref}/{path}"
    data: dict[str, Any] = {
        "type": "symlink" if mode == "120000" else "file",
        "encoding": "base64",
        "size": len(content),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": _base64_lines(content),
        "sha": blob_sha,
        "url": f"{api}/contents/{path}?ref={ref}",
        "git_url": f"{api}/git/blobs/{blob_sha}",
        "html_url": html,
        "download_url": f"{ctx.double.web_origin}/{repo.full_name}/raw/{sha}/{path}",
        "_links": {
            "self": f"{api}/contents/{path}?ref={ref}",
            "git": f"{api}/git/blobs/{blob_sha}",
            "html": html,
        },
    }
    if mode == "120000":
        data["target"] = content.decode(errors="replace")
    return json_response(data)


def _base64_lines(content: bytes) -> str:
    """GitHub wraps base64 content at 60 characters with "\\n"."""
    encoded = base64.b64encode(content).decode()
    return "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))


async def rate_limit(ctx: Ctx) -> web.Response:
    data = ctx.double.spec.example("rate-limit-overview")
    reset = int(time.time()) + 3600
    for bucket in [*data["resources"].values(), data["rate"]]:
        bucket.update(used=0, remaining=bucket["limit"], reset=reset)
    return json_response(data)


async def get_app(ctx: Ctx) -> web.Response:
    data = ctx.double.spec.example("integration")
    data["id"] = ctx.double.app_id
    data["slug"] = ctx.double.bot_login.removesuffix("[bot]")  # as on GitHub: the bot user is "<slug>[bot]"
    return json_response(data)


def _installation(ctx: Ctx, installation_id: int) -> dict[str, Any]:
    data = ctx.double.spec.example("installation")
    data.update(id=installation_id, app_id=ctx.double.app_id)
    data["access_tokens_url"] = f"{ctx.double.base_url}/app/installations/{installation_id}/access_tokens"
    return data


async def get_repo_installation(ctx: Ctx) -> web.Response:
    full = f"{ctx.params['owner']}/{ctx.params['repo']}".lower()
    for installation_id, covered in ctx.double.installations.items():
        if full in covered:
            return json_response(_installation(ctx, installation_id))
    return not_found(ctx.op.doc_url)


async def list_installations(ctx: Ctx) -> web.Response:
    return paginate(ctx, [_installation(ctx, i) for i in ctx.double.installations])


async def get_repo(ctx: Ctx) -> web.Response:
    assert ctx.repo is not None
    return json_response(ctx.double.repo_json(ctx.repo))


def canned(ctx: Ctx) -> web.Response:
    """The spec's example for the operation, or 404 for operations the double does not model."""
    if ctx.op.operation_id not in CANNED:
        return not_found(ctx.op.doc_url)
    operation = ctx.double.spec.document["paths"][ctx.op.template][ctx.op.method.lower()]
    for status, response in sorted(operation["responses"].items()):
        if status.startswith("2"):
            examples = ctx.double.spec.resolve(response).get("content", {}).get("application/json", {})
            for example in examples.get("examples", {}).values():
                return json_response(ctx.double.spec.resolve(example)["value"], status=int(status))
            return web.Response(status=int(status))
    return not_found(ctx.op.doc_url)


HANDLERS: dict[str, Handler] = {
    "repos/get-content": get_content,
    "rate-limit/get": rate_limit,
    "apps/get-authenticated": get_app,
    "apps/get-repo-installation": get_repo_installation,
    "apps/list-installations": list_installations,
    "repos/get": get_repo,
}
