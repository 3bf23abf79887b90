"""issue_comment and pull_request_review_comment events: slash-commands in new PR comments."""

from __future__ import annotations

import logging
from typing import Literal

from gidgethub import routing, sansio

from bot.commands import CommandComment, parse_commands, run_commands
from bot.context import BotContext
from handlers.errors import positive_int
from handlers.pull_request import is_bot, require

log = logging.getLogger(__name__)
router = routing.Router()


def start_commands(event: sansio.Event, ctx: BotContext, kind: Literal["issue", "pull"], number: int) -> None:
    """Parse the new comment here (cheap), and run what it asks for in the background."""
    data = event.data
    comment = require(data, "comment")
    author = comment.get("user") or {}
    if is_bot(author) or is_bot(data.get("sender")) or author.get("login") == ctx.own_login:
        return  # bots, ourselves included, never run commands
    commands = parse_commands(comment.get("body"))
    if not commands:
        return
    installation_id = (data.get("installation") or {}).get("id")
    if not isinstance(installation_id, int):
        log.info("delivery %s: a command outside a GitHub App installation: ignored", event.delivery_id)
        return
    reply_to = comment.get("in_reply_to_id") if kind == "pull" else None
    cc = CommandComment(
        kind=kind,
        installation_id=installation_id,
        owner=str(require(data, "repository", "owner", "login")),
        repo=str(require(data, "repository", "name")),
        number=number,
        comment_id=positive_int(comment.get("id"), "comment.id"),
        author=str(require(comment, "user", "login")),
        commands=tuple(commands),
        in_reply_to=reply_to if isinstance(reply_to, int) else None,
        comment=comment,
    )
    seen = (kind, cc.comment_id)
    if seen in ctx.handled_comments:  # a redelivered webhook runs nothing twice
        return
    ctx.handled_comments[seen] = True
    where = f"{cc.owner}/{cc.repo}#{number}"
    log.info("%s: %s from %s", where, ", ".join("/" + c.name for c in commands), cc.author)
    ctx.spawn(run_commands(ctx, cc), name=f"commands {where} {kind}-{cc.comment_id}")


@router.register("issue_comment", action="created")
async def issue_comment_created(event: sansio.Event, ctx: BotContext) -> None:
    """Run the commands of a new comment on a pull request's conversation (not on plain issues)."""
    issue = require(event.data, "issue")
    if not isinstance(issue.get("pull_request"), dict):
        return
    start_commands(event, ctx, "issue", positive_int(issue.get("number"), "issue.number"))


@router.register("pull_request_review_comment", action="created")
async def review_comment_created(event: sansio.Event, ctx: BotContext) -> None:
    """Run the commands of a new review comment (a reply in a review thread, for /explain)."""
    number = positive_int(require(event.data, "pull_request", "number"), "pull_request.number")
    start_commands(event, ctx, "pull", number)
