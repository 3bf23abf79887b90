"""Pull requests: the PR itself, its files, reviews and review comments."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from aiohttp import web

from . import reviewlines
from .context import Ctx, Handler, paginate
from .gitdiff import rev_parse
from .responses import error, json_response, not_found, now_iso, unprocessable
from .state import Pull, next_id

MAX_LISTED_FILES = 3000
REVIEW_DOCS = "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request"
COMMENT_DOCS = "https://docs.github.com/rest/pulls/comments#create-a-review-comment-for-a-pull-request"
_STATES = {
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
    "COMMENT": "COMMENTED",
    None: "PENDING",
}


def _pull(ctx: Ctx) -> Pull | None:
    return ctx.double.find_pull(*ctx.key)


async def get_pull(ctx: Ctx) -> web.Response:
    pull = _pull(ctx)
    return json_response(pull.data) if pull else not_found()


async def list_files(ctx: Ctx) -> web.Response:
    pull = _pull(ctx)
    if pull is None:
        return not_found()
    files = await ctx.double.files_for(pull, pull.head_sha)
    return paginate(ctx, [ctx.double.diff_entry(pull, f.entry) for f in files], cap=MAX_LISTED_FILES)


async def _commit_for(ctx: Ctx, pull: Pull, commit_id: str | None) -> str | None:
    if commit_id is None:
        return pull.head_sha
    sha = await asyncio.to_thread(rev_parse, pull.repo.path, commit_id)
    return sha if sha is not None and sha.startswith(commit_id.lower()) else None


async def create_review(ctx: Ctx) -> web.Response:
    pull = _pull(ctx)
    if pull is None:
        return not_found()
    body: dict[str, Any] = ctx.body
    if len(body.get("body") or "") > reviewlines.MAX_BODY:
        return unprocessable([reviewlines.BODY_TOO_LONG], REVIEW_DOCS)
    commit = await _commit_for(ctx, pull, body.get("commit_id"))
    if commit is None:
        return unprocessable(["Commit could not be found"], REVIEW_DOCS)
    files = {f.entry["filename"]: f for f in await ctx.double.files_for(pull, commit)}
    anchors: list[reviewlines.Anchor] = []
    errors: list[str] = []
    for draft in body.get("comments", []):
        found = reviewlines.resolve(files, draft)
        if isinstance(found, list):
            errors.extend(e for e in found if e not in errors)
        else:
            anchors.append(found)
    if errors:
        return unprocessable(errors, REVIEW_DOCS)

    review = _review_json(ctx, pull, body, commit)
    comments = [
        _comment_json(ctx, pull, review["id"], anchor, draft["body"], commit)
        for anchor, draft in zip(anchors, body.get("comments", []), strict=True)
    ]
    ctx.double.reviews.setdefault(ctx.key, []).append({**review, "comments": comments})
    ctx.double.review_comments.setdefault(ctx.key, []).extend(comments)
    return json_response(review)


async def list_reviews(ctx: Ctx) -> web.Response:
    if _pull(ctx) is None:
        return not_found()
    reviews = [_without_comments(r) for r in ctx.double.reviews.get(ctx.key, [])]
    return paginate(ctx, reviews)


async def list_review_comments(ctx: Ctx) -> web.Response:
    if _pull(ctx) is None:
        return not_found()
    return paginate(ctx, list(ctx.double.review_comments.get(ctx.key, [])))


async def list_comments_for_review(ctx: Ctx) -> web.Response:
    for review in ctx.double.reviews.get(ctx.key, []):
        if review["id"] == ctx.params["review_id"]:
            return paginate(ctx, list(review["comments"]))
    return not_found()


async def create_review_comment(ctx: Ctx) -> web.Response:
    """A single comment outside a review (GitHub wraps it in a one-comment review)."""
    pull = _pull(ctx)
    if pull is None:
        return not_found()
    body: dict[str, Any] = ctx.body
    if body.get("in_reply_to") is not None or body.get("subject_type") == "file":
        return error(422, "Unprocessable Entity", COMMENT_DOCS, errors=["not supported by the GitHub double"])
    commit = await _commit_for(ctx, pull, body["commit_id"])
    if commit is None:
        return unprocessable(["Commit could not be found"], COMMENT_DOCS)
    files = {f.entry["filename"]: f for f in await ctx.double.files_for(pull, commit)}
    found = reviewlines.resolve(files, body)
    if isinstance(found, list):
        return unprocessable(found, COMMENT_DOCS)
    review = _review_json(ctx, pull, {"event": "COMMENT", "body": ""}, commit)
    comment = _comment_json(ctx, pull, review["id"], found, body["body"], commit)
    ctx.double.reviews.setdefault(ctx.key, []).append({**review, "comments": [comment]})
    ctx.double.review_comments.setdefault(ctx.key, []).append(comment)
    return json_response(comment, status=201)


def _without_comments(review: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in review.items() if k != "comments"}


def _review_json(ctx: Ctx, pull: Pull, body: dict[str, Any], commit: str) -> dict[str, Any]:
    double = ctx.double
    review_id = next_id()
    data = double.spec.example("pull-request-review")
    pr_url = pull.data["url"]
    html = f"{pull.data['html_url']}#pullrequestreview-{review_id}"
    data.update(
        id=review_id,
        node_id=base64.b64encode(f"017:PullRequestReview{review_id}".encode()).decode(),
        user=double.bot_user(),
        body=body.get("body") or "",
        state=_STATES[body.get("event")],
        html_url=html,
        pull_request_url=pr_url,
        _links={"html": {"href": html}, "pull_request": {"href": pr_url}},
        commit_id=commit,
        author_association="NONE",
    )
    if body.get("event") is None:
        data.pop("submitted_at", None)
    else:
        data["submitted_at"] = now_iso()
    return data


def _comment_json(
    ctx: Ctx, pull: Pull, review_id: int, anchor: reviewlines.Anchor, text: str, commit: str
) -> dict[str, Any]:
    double = ctx.double
    comment_id = next_id()
    data = double.spec.example("pull-request-review-comment")
    data.pop("in_reply_to_id", None)
    url = f"{double.base_url}/repos/{pull.repo.full_name}/pulls/comments/{comment_id}"
    html = f"{pull.data['html_url']}#discussion_r{comment_id}"
    stamp = now_iso()
    data.update(
        url=url,
        id=comment_id,
        node_id=base64.b64encode(f"024:PullRequestReviewComment{comment_id}".encode()).decode(),
        pull_request_review_id=review_id,
        diff_hunk=anchor.diff_hunk,
        path=anchor.path,
        position=anchor.position,
        original_position=anchor.position,
        commit_id=commit,
        original_commit_id=commit,
        user=double.bot_user(),
        body=text,
        created_at=stamp,
        updated_at=stamp,
        html_url=html,
        pull_request_url=pull.data["url"],
        author_association="NONE",
        _links={"self": {"href": url}, "html": {"href": html}, "pull_request": {"href": pull.data["url"]}},
        start_line=anchor.start_line,
        original_start_line=anchor.start_line,
        start_side=anchor.start_side,
        line=anchor.line,
        original_line=anchor.line,
        side=anchor.side,
        subject_type="line",
    )
    return data


HANDLERS: dict[str, Handler] = {
    "pulls/get": get_pull,
    "pulls/list-files": list_files,
    "pulls/create-review": create_review,
    "pulls/list-reviews": list_reviews,
    "pulls/list-review-comments": list_review_comments,
    "pulls/list-comments-for-review": list_comments_for_review,
    "pulls/create-review-comment": create_review_comment,
}
