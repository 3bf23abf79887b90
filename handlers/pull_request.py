"""pull_request events: queue a review of the head commit when there is something new to review."""

from __future__ import annotations

import logging

from gidgethub import routing, sansio

from bot.context import BotContext
from bot.github.payloads import PayloadError, PullRequestEvent, is_bot, parse
from bot.queue import Priority, ReviewJob

log = logging.getLogger(__name__)
router = routing.Router()

REVIEW_ACTIONS = ("opened", "reopened", "synchronize", "ready_for_review")


def priority_of(payload: PullRequestEvent) -> Priority:
    """Ready PRs go before pushes, pushes before drafts (a person's /review goes before all)."""
    if payload.pull_request.draft:
        return Priority.LOW
    if payload.action == "synchronize":
        return Priority.NORMAL
    return Priority.HIGH


def job_from_event(payload: PullRequestEvent, delivery_id: str | None) -> ReviewJob:
    pr = payload.pull_request
    head_repo = pr.head.repo
    return ReviewJob(
        installation_id=payload.installation.id if payload.installation else None,
        owner=payload.repository.owner.login,
        repo=payload.repository.name,
        pr_number=pr.number,
        head_sha=pr.head.sha,
        base_sha=pr.base.sha,
        base_ref=pr.base.ref,
        # Fork PRs too: GitHub serves the head commit from the base repository, where our token works.
        clone_url=payload.repository.clone_url,
        delivery_id=delivery_id or "",
        head_clone_url=(head_repo.clone_url if head_repo else None) or "",
        priority=priority_of(payload),
        sender=payload.sender.login if payload.sender else "",
    )


async def queue_review(event: sansio.Event, ctx: BotContext) -> None:
    """Queue a review of the pull request's head commit, unless it is a draft or a bot's PR."""
    payload = parse(PullRequestEvent, event.data)
    job = job_from_event(payload, event.delivery_id)
    pr = payload.pull_request
    review = ctx.settings.review
    where = f"{job.full_name}#{job.pr_number}"
    if job.installation_id is None:
        raise PayloadError("payload is missing installation.id (is the bot installed as a GitHub App?)")
    if pr.state == "closed":
        log.info("%s is closed: not reviewed", where)
        return
    if pr.draft and not review.review_drafts:
        log.info("%s is a draft: not reviewed until ready for review", where)
        return
    sender = payload.sender
    if ctx.own_login and sender is not None and sender.login == ctx.own_login:
        log.info("%s: event caused by this App itself: ignored", where)
        return
    if (is_bot(pr.user) or is_bot(sender)) and not review.review_bot_prs:
        log.info("%s comes from a bot: not reviewed", where)
        return
    if await ctx.queue.enqueue(job):
        log.info("%s at %s queued (%s)", where, job.head_sha[:7], payload.action)


for _action in REVIEW_ACTIONS:
    router.register("pull_request", action=_action)(queue_review)
