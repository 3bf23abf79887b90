"""Comment reactions, collaborator permissions, review-comment edits and thread replies.

What a slash-command touches: the double checks that the comment exists (404 otherwise, as
GitHub does) and records what happened, so a test can see the 👀 and the 👍.
"""

from __future__ import annotations

import base64
from typing import Any

from aiohttp import web

from .context import Ctx, Handler
from .responses import error, json_response, not_found, now_iso, validation_failed
from .reviewlines import BODY_TOO_LONG, MAX_BODY
from .state import next_id

REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
REPLY_DOCS = "https://docs.github.com/rest/pulls/comments#create-a-reply-for-a-review-comment"
UPDATE_DOCS = "https://docs.github.com/rest/pulls/comments#update-a-review-comment-for-a-pull-request"
# GitHub answers "permission" with the legacy levels; "role_name" holds the real role.
LEGACY_LEVEL = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read"}


def find_comment(
    ctx: Ctx, table: dict[tuple[str, str, int], list[dict[str, Any]]]
) -> tuple[tuple[str, str, int], dict[str, Any]] | None:
    owner, repo = ctx.repo_key
    for key, comments in table.items():
        if key[:2] != (owner, repo):
            continue
        for comment in comments:
            if comment["id"] == ctx.params["comment_id"]:
                return key, comment
    return None


def _react(ctx: Ctx, kind: str, table: dict[tuple[str, str, int], list[dict[str, Any]]]) -> web.Response:
    if find_comment(ctx, table) is None:
        return not_found(ctx.op.doc_url)
    content = ctx.body["content"]
    bot = ctx.double.bot_user()
    recorded = ctx.double.reactions.setdefault((kind, ctx.params["comment_id"]), [])
    for reaction in recorded:
        if reaction["content"] == content and reaction["user"]["login"] == bot["login"]:
            return json_response(reaction, status=200)  # GitHub: 200 when it already exists
    reaction_id = next_id()
    reaction = {
        "id": reaction_id,
        "node_id": base64.b64encode(f"08:Reaction{reaction_id}".encode()).decode(),
        "user": bot,
        "content": content,
        "created_at": now_iso(),
    }
    recorded.append(reaction)
    return json_response(reaction, status=201)


async def react_to_issue_comment(ctx: Ctx) -> web.Response:
    return _react(ctx, "issue", ctx.double.issue_comments)


async def react_to_review_comment(ctx: Ctx) -> web.Response:
    return _react(ctx, "pull", ctx.double.review_comments)


async def collaborator_permission(ctx: Ctx) -> web.Response:
    owner, repo = ctx.repo_key
    login = ctx.params["username"]
    role = ctx.double.permissions.get((owner, repo, login), ctx.double.default_permission)
    if role is None:
        return not_found(ctx.op.doc_url)  # no such user
    data = {
        "permission": LEGACY_LEVEL.get(role, "none"),
        "role_name": role,
        "user": ctx.double.user_json(login),
    }
    return json_response(data)


async def update_review_comment(ctx: Ctx) -> web.Response:
    found = find_comment(ctx, ctx.double.review_comments)
    if found is None:
        return not_found(ctx.op.doc_url)
    if len(ctx.body["body"]) > MAX_BODY:
        return validation_failed("PullRequestReviewComment", "body", BODY_TOO_LONG, UPDATE_DOCS)
    comment = found[1]
    comment["body"] = ctx.body["body"]
    comment["updated_at"] = now_iso()
    for review in ctx.double.reviews.get(found[0], []):  # the review's copy is the same comment
        for inner in review["comments"]:
            if inner["id"] == comment["id"]:
                inner["body"] = comment["body"]
    return json_response(comment)


async def create_reply(ctx: Ctx) -> web.Response:
    if ctx.double.find_pull(*ctx.key) is None:
        return not_found(ctx.op.doc_url)
    found = find_comment(ctx, ctx.double.review_comments)
    if found is None or found[0] != ctx.key:
        return not_found(ctx.op.doc_url)
    parent = found[1]
    if parent.get("in_reply_to_id") is not None:
        return error(422, "Validation Failed", REPLY_DOCS, errors=["replies to replies are not supported"])
    if len(ctx.body["body"]) > MAX_BODY:
        return validation_failed("PullRequestReviewComment", "body", BODY_TOO_LONG, REPLY_DOCS)
    reply = ctx.double.thread_reply(parent, ctx.body["body"], ctx.double.bot_user())
    return json_response(reply, status=201)


HANDLERS: dict[str, Handler] = {
    "reactions/create-for-issue-comment": react_to_issue_comment,
    "reactions/create-for-pull-request-review-comment": react_to_review_comment,
    "repos/get-collaborator-permission-level": collaborator_permission,
    "pulls/update-review-comment": update_review_comment,
    "pulls/create-reply-for-review-comment": create_reply,
}


def add_issue_comment(
    double: Any, owner: str, repo: str, number: int, login: str, body: str
) -> dict[str, Any]:
    pull = double.find_pull(owner, repo, number)
    comment_id = next_id()
    stamp = now_iso()
    data = double.spec.example("issue-comment")
    data.pop("pin", None)
    data.pop("minimized", None)
    url = f"{double.base_url}/repos/{pull.repo.full_name}/issues/comments/{comment_id}"
    data.update(
        id=comment_id,
        node_id=base64.b64encode(f"012:IssueComment{comment_id}".encode()).decode(),
        url=url,
        html_url=f"{pull.data['html_url']}#issuecomment-{comment_id}",
        body=body,
        user=double.user_json(login),
        created_at=stamp,
        updated_at=stamp,
        issue_url=pull.data["issue_url"],
        author_association="COLLABORATOR",
    )
    double.issue_comments.setdefault((pull.repo.owner, pull.repo.name, number), []).append(data)
    return data


def thread_reply(double: Any, parent: dict[str, Any], body: str, author: dict[str, Any]) -> dict[str, Any]:
    key = next(k for k, comments in double.review_comments.items() if parent in comments)
    comment_id = next_id()
    stamp = now_iso()
    url = parent["url"].rsplit("/", 1)[0] + f"/{comment_id}"
    html = parent["html_url"].split("#", 1)[0] + f"#discussion_r{comment_id}"
    reply = {
        **parent,
        "id": comment_id,
        "node_id": base64.b64encode(f"024:PullRequestReviewComment{comment_id}".encode()).decode(),
        "pull_request_review_id": next_id(),  # GitHub wraps each reply in a review of its own
        "in_reply_to_id": parent["id"],
        "url": url,
        "html_url": html,
        "user": author,
        "body": body,
        "created_at": stamp,
        "updated_at": stamp,
        "_links": {**parent["_links"], "self": {"href": url}, "html": {"href": html}},
        "author_association": "NONE" if author.get("type") == "Bot" else "COLLABORATOR",
    }
    double.review_comments[key].append(reply)
    return reply
