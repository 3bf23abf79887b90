"""Issue comments on pull requests (the bot's summary comment lives here)."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from .context import Ctx, Handler, paginate
from .responses import json_response, no_content, not_found, now_iso, validation_failed
from .reviewlines import BODY_TOO_LONG, MAX_BODY
from .state import next_id

CREATE_DOCS = "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
UPDATE_DOCS = "https://docs.github.com/rest/issues/comments#update-an-issue-comment"


def _too_long(ctx: Ctx, docs: str) -> web.Response | None:
    if len(ctx.body.get("body", "")) > MAX_BODY:
        return validation_failed("IssueComment", "body", BODY_TOO_LONG, docs)
    return None


def _find(ctx: Ctx) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
    owner, repo = ctx.repo_key
    for (o, r, _), comments in ctx.double.issue_comments.items():
        if (o, r) != (owner, repo):
            continue
        for comment in comments:
            if comment["id"] == ctx.params["comment_id"]:
                return comments, comment
    return None


def _later(previous: str) -> str:
    """Now, but strictly after ``previous``, so an edit is always visible in ``updated_at``."""
    stamp = now_iso()
    if stamp > previous:
        return stamp
    bumped = datetime.strptime(previous, "%Y-%m-%dT%H:%M:%SZ") + timedelta(seconds=1)
    return bumped.strftime("%Y-%m-%dT%H:%M:%SZ")


async def create_comment(ctx: Ctx) -> web.Response:
    pull = ctx.double.find_pull(*ctx.key)
    if pull is None:
        return not_found()
    if (response := _too_long(ctx, CREATE_DOCS)) is not None:
        return response
    comment_id = next_id()
    stamp = now_iso()
    data = ctx.double.spec.example("issue-comment")
    url = f"{ctx.double.base_url}/repos/{pull.repo.full_name}/issues/comments/{comment_id}"
    data.update(
        id=comment_id,
        node_id=base64.b64encode(f"012:IssueComment{comment_id}".encode()).decode(),
        url=url,
        html_url=f"{pull.data['html_url']}#issuecomment-{comment_id}",
        body=ctx.body["body"],
        user=ctx.double.bot_user(),
        created_at=stamp,
        updated_at=stamp,
        issue_url=pull.data["issue_url"],
        author_association="NONE",
    )
    data.pop("pin", None)
    data.pop("minimized", None)
    ctx.double.issue_comments.setdefault(ctx.key, []).append(data)
    return json_response(data, status=201, headers={"Location": url})


async def list_comments(ctx: Ctx) -> web.Response:
    if ctx.double.find_pull(*ctx.key) is None:
        return not_found()
    comments = list(ctx.double.issue_comments.get(ctx.key, []))
    if since := ctx.params.get("since"):
        comments = [c for c in comments if c["updated_at"] >= since]
    return paginate(ctx, comments)


async def get_comment(ctx: Ctx) -> web.Response:
    found = _find(ctx)
    return json_response(found[1]) if found else not_found()


async def update_comment(ctx: Ctx) -> web.Response:
    found = _find(ctx)
    if found is None:
        return not_found()
    if (response := _too_long(ctx, UPDATE_DOCS)) is not None:
        return response
    comment = found[1]
    comment["body"] = ctx.body["body"]
    comment["updated_at"] = _later(comment["updated_at"])
    return json_response(comment)


async def delete_comment(ctx: Ctx) -> web.Response:
    found = _find(ctx)
    if found is None:
        return not_found()
    comments, comment = found
    comments.remove(comment)
    return no_content()


HANDLERS: dict[str, Handler] = {
    "issues/create-comment": create_comment,
    "issues/list-comments": list_comments,
    "issues/get-comment": get_comment,
    "issues/update-comment": update_comment,
    "issues/delete-comment": delete_comment,
}
