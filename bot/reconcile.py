"""The reconcile pass: queue open pull requests whose head was never reviewed.

A webhook sent while every receiver was down (or Redis was) is lost unless GitHub's redelivery
is asked for by hand. So on start, and every ``reconcile_interval`` seconds, each process that
runs workers lists the App's installations, their repositories and open pull requests, and
queues (at low priority) every head without a completed ``review-bot`` check run of this App.
The same filters as the ``pull_request`` handler apply: drafts (unless ``review_drafts``) and
bots' PRs (unless ``review_bot_prs``) are left alone. A pass is bounded: at most
``reconcile_max_repos`` repositories and ``reconcile_max_pulls`` pull requests, and a time limit.

With Redis, every worker replica runs the loop, but a redis-py ``Lock`` (not waited for) lets
one pass run at a time; a replica finding it held skips its turn. Were two passes to overlap
anyway (the lease ran out), nothing is reviewed twice: the queue refuses a head it already has.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass

from redis.exceptions import LockError, RedisError

from bot.context import BotContext
from bot.github.client import GitHubClient
from bot.github.payloads import PayloadError, PullRequest, Repository, is_bot, parse
from bot.github.pull_request import (
    has_completed_check_run,
    installation_ids,
    installation_repositories,
    open_pulls,
)
from bot.queue import Priority, QueueFull, QueueUnavailable, ReviewJob
from bot.text.render import CHECK_RUN_NAME

log = logging.getLogger(__name__)

MAX_INSTALLATIONS = 1000
PASS_TIMEOUT = 900.0  # seconds; also the lease of the Redis lock, so it never expires mid-pass
LOCK_NAME = "review-bot:reconcile"
# GitHub's logins and repository names; anything else from the listing is not put in a URL.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass
class PassResult:
    repos: int = 0
    pulls: int = 0
    queued: int = 0


async def reconcile_once(ctx: BotContext) -> PassResult:
    """One bounded pass over every installation; returns what it looked at and queued."""
    settings = ctx.settings
    result = PassResult()
    for installation_id in await installation_ids(ctx.tokens.app_client(), MAX_INSTALLATIONS):
        gh = ctx.installation_client(installation_id)
        room = settings.reconcile_max_repos - result.repos
        if room <= 0 or result.pulls >= settings.reconcile_max_pulls:
            log.info("reconcile: the pass reached its bound; the rest waits for the next one")
            break
        for item in await installation_repositories(gh, room):
            result.repos += 1
            try:
                repo = parse(Repository, item)
            except PayloadError as exc:
                log.warning("reconcile: a repository of installation %s skipped: %s", installation_id, exc)
                continue
            if not (_NAME.fullmatch(repo.owner.login) and _NAME.fullmatch(repo.name)):
                continue
            await reconcile_repo(ctx, gh, installation_id, repo, result)
            if result.pulls >= settings.reconcile_max_pulls:
                break
    log.info("reconcile: %s repositories, %s open PRs, %s queued", result.repos, result.pulls, result.queued)
    return result


async def reconcile_repo(
    ctx: BotContext, gh: GitHubClient, installation_id: int, repo: Repository, result: PassResult
) -> None:
    review = ctx.settings.review
    owner, name = repo.owner.login, repo.name
    for item in await open_pulls(gh, owner, name, ctx.settings.reconcile_max_pulls - result.pulls):
        result.pulls += 1
        try:
            pr = parse(PullRequest, item)
        except PayloadError as exc:
            log.warning("reconcile: a pull request of %s/%s skipped: %s", owner, name, exc)
            continue
        if (pr.draft and not review.review_drafts) or (is_bot(pr.user) and not review.review_bot_prs):
            continue
        sha = pr.head.sha
        if await has_completed_check_run(gh, owner, name, sha, CHECK_RUN_NAME, ctx.settings.app_id):
            continue
        job = ReviewJob(
            installation_id=installation_id,
            owner=owner,
            repo=name,
            pr_number=pr.number,
            head_sha=sha,
            base_sha=pr.base.sha,
            base_ref=pr.base.ref,
            clone_url=repo.clone_url,
            head_clone_url=(pr.head.repo.clone_url if pr.head.repo else None) or "",
            priority=Priority.LOW,
        )
        if await ctx.queue.enqueue(job):  # False: that head is queued, running or reviewed already
            result.queued += 1
            log.info("reconcile: %s/%s#%s at %s queued", owner, name, pr.number, sha[:7])


async def guarded_pass(ctx: BotContext) -> PassResult | None:
    """One pass, under the shared lock when there is Redis; None when skipped or it failed."""
    try:
        if ctx.redis is None:
            async with asyncio.timeout(PASS_TIMEOUT):
                return await reconcile_once(ctx)
        lock = ctx.redis.lock(LOCK_NAME, timeout=PASS_TIMEOUT, blocking=False)
        if not await lock.acquire():
            log.info("reconcile: another replica is running a pass; skipped")
            return None
        try:
            async with asyncio.timeout(PASS_TIMEOUT):
                return await reconcile_once(ctx)
        finally:
            try:
                await lock.release()
            except (LockError, RedisError) as exc:  # its lease ran out, or Redis went away: it expires
                log.warning("reconcile: could not release the lock: %s", exc)
    except (QueueFull, QueueUnavailable) as exc:
        log.warning("reconcile: pass stopped, the queue refused a job: %s", exc)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # GitHub or Redis trouble: log it, try again next interval
        log.warning("reconcile: pass failed: %s", exc)
    return None


async def reconcile_forever(ctx: BotContext, interval: float) -> None:
    """A pass now, then one every ``interval`` seconds, until cancelled."""
    while True:
        await guarded_pass(ctx)
        await asyncio.sleep(interval)
