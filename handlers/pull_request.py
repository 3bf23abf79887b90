"""pull_request events: queue a review of the head commit when there is something new to review."""

from __future__ import annotations

import logging
from typing import Any

from gidgethub import routing, sansio

from bot.context import BotContext
from bot.queue import ReviewJob
from handlers.errors import PayloadError, positive_int

log = logging.getLogger(__name__)
router = routing.Router()

REVIEW_ACTIONS = ("opened", "reopened", "synchronize", "ready_for_review")


def require(data: Any, *keys: str) -> Any:
    """Walk ``data`` along ``keys``, or raise PayloadError naming the missing field."""
    for i, key in enumerate(keys):
        if not isinstance(data, dict) or data.get(key) is None:
            raise PayloadError(f"payload is missing {'.'.join(keys[: i + 1])}")
        data = data[key]
    return data


def is_bot(user: Any) -> bool:
    return isinstance(user, dict) and (
        user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")
    )


def job_from_event(event: sansio.Event) -> ReviewJob:
    data = event.data
    installation = data.get("installation") or {}
    return ReviewJob(
        installation_id=installation.get("id"),
        owner=require(data, "repository", "owner", "login"),
        repo=require(data, "repository", "name"),
        pr_number=positive_int(require(data, "pull_request", "number"), "pull_request.number"),
        head_sha=str(require(data, "pull_request", "head", "sha")),
        base_sha=str(require(data, "pull_request", "base", "sha")),
        base_ref=str(require(data, "pull_request", "base", "ref")),
        # Fork PRs too: GitHub serves the head commit from the base repository, where our token works.
        clone_url=str(require(data, "repository", "clone_url")),
        delivery_id=event.delivery_id or "",
        head_clone_url=str(((data["pull_request"]["head"].get("repo") or {}).get("clone_url")) or ""),
    )


async def queue_review(event: sansio.Event, ctx: BotContext) -> None:
    """Queue a review of the pull request's head commit, unless it is a draft or a bot's PR."""
    job = job_from_event(event)
    pr = event.data["pull_request"]
    review = ctx.settings.review
    where = f"{job.full_name}#{job.pr_number}"
    if job.installation_id is None:
        raise PayloadError("payload is missing installation.id (is the bot installed as a GitHub App?)")
    if pr.get("state") == "closed":
        log.info("%s is closed: not reviewed", where)
        return
    if pr.get("draft") and not review.review_drafts:
        log.info("%s is a draft: not reviewed until ready for review", where)
        return
    sender = event.data.get("sender") or {}
    if ctx.own_login and sender.get("login") == ctx.own_login:
        log.info("%s: event caused by this App itself: ignored", where)
        return
    if (is_bot(pr.get("user")) or is_bot(sender)) and not review.review_bot_prs:
        log.info("%s comes from a bot: not reviewed", where)
        return
    if await ctx.queue.enqueue(job):
        log.info("%s at %s queued (%s)", where, job.head_sha[:7], event.data.get("action"))


for _action in REVIEW_ACTIONS:
    router.register("pull_request", action=_action)(queue_review)
