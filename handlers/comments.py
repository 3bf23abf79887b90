"""issue_comment and pull_request_review_comment events: slash-commands in new PR comments."""

from __future__ import annotations

import logging
from typing import Literal

from gidgethub import routing, sansio

from bot.commands.dispatch import CommandComment, parse_commands, run_commands
from bot.context import BotContext
from bot.github.payloads import IssueCommentEvent, ReviewCommentEvent, is_bot, parse

log = logging.getLogger(__name__)
router = routing.Router()


async def start_commands(
    event: sansio.Event,
    payload: IssueCommentEvent | ReviewCommentEvent,
    ctx: BotContext,
    kind: Literal["issue", "pull"],
    number: int,
) -> None:
    """Parse the new comment here (cheap), and run what it asks for in the background."""
    comment = payload.comment
    author = comment.user
    if is_bot(author) or is_bot(payload.sender) or author.login == ctx.own_login:
        return  # bots, ourselves included, never run commands
    commands = parse_commands(comment.body)
    if not commands:
        return
    if payload.installation is None:
        log.info("delivery %s: a command outside a GitHub App installation: ignored", event.delivery_id)
        return
    cc = CommandComment(
        kind=kind,
        installation_id=payload.installation.id,
        owner=payload.repository.owner.login,
        repo=payload.repository.name,
        number=number,
        comment_id=comment.id,
        author=author.login,
        commands=tuple(commands),
        in_reply_to=comment.in_reply_to_id if kind == "pull" else None,
        comment=event.data["comment"],  # validated above: the fields commands read have their types
    )
    # A redelivered webhook runs nothing twice, on any replica. With Redis down this raises
    # StateUnavailable: the receiver answers 503 and GitHub can deliver the comment again.
    if not await ctx.handled_comments.first(f"{kind}:{cc.comment_id}"):
        return
    where = f"{cc.owner}/{cc.repo}#{number}"
    log.info("%s: %s from %s", where, ", ".join("/" + c.name for c in commands), cc.author)
    ctx.spawn(run_commands(ctx, cc), name=f"commands {where} {kind}-{cc.comment_id}")


@router.register("issue_comment", action="created")
async def issue_comment_created(event: sansio.Event, ctx: BotContext) -> None:
    """Run the commands of a new comment on a pull request's conversation (not on plain issues)."""
    payload = parse(IssueCommentEvent, event.data)
    if payload.issue.pull_request is None:
        return
    await start_commands(event, payload, ctx, "issue", payload.issue.number)


@router.register("pull_request_review_comment", action="created")
async def review_comment_created(event: sansio.Event, ctx: BotContext) -> None:
    """Run the commands of a new review comment (a reply in a review thread, for /explain)."""
    payload = parse(ReviewCommentEvent, event.data)
    await start_commands(event, payload, ctx, "pull", payload.pull_request.number)
