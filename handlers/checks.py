"""check_run and check_suite ``rerequested``: the check's "Re-run" button re-reviews the PR's head.

A re-run is a person asking, like ``/review``: it bypasses the "head already reviewed" dedupe
(``requested_by``) and goes in the critical lane. GitHub lists the pull requests of the head in
the payload (not for forks: a fork's PR is re-reviewed with ``/review``).
"""

from __future__ import annotations

import logging

from gidgethub import routing, sansio

from bot.context import BotContext
from bot.github.payloads import (
    CheckRunEvent,
    CheckSuiteEvent,
    CheckTarget,
    Installation,
    PayloadError,
    Repository,
    parse,
)
from bot.queue import Priority, ReviewJob

log = logging.getLogger(__name__)
router = routing.Router()


def rerun_jobs(
    target: CheckTarget,
    repository: Repository,
    installation: Installation | None,
    requested_by: str,
    delivery_id: str,
) -> list[ReviewJob]:
    if installation is None:
        raise PayloadError("payload is missing installation.id (is the bot installed as a GitHub App?)")
    return [
        ReviewJob(
            installation_id=installation.id,
            owner=repository.owner.login,
            repo=repository.name,
            pr_number=pull.number,
            head_sha=pull.head.sha,
            base_sha=pull.base.sha,
            base_ref=pull.base.ref,
            clone_url=repository.clone_url,
            # One delivery may name several PRs: each job gets its own delivery key.
            delivery_id=f"{delivery_id}:{pull.number}" if delivery_id else "",
            requested_by=requested_by,
            priority=Priority.CRITICAL,
        )
        for pull in target.pull_requests
        if pull.head.sha == target.head_sha  # the check is about this PR's current head
    ]


async def rerun(ctx: BotContext, event: sansio.Event, payload: CheckRunEvent | CheckSuiteEvent) -> None:
    target = payload.check_run if isinstance(payload, CheckRunEvent) else payload.check_suite
    where = f"{payload.repository.owner.login}/{payload.repository.name}@{target.head_sha[:7]}"
    app_id = target.app.id if target.app else None
    if app_id is not None and ctx.settings.app_id and str(app_id) != str(ctx.settings.app_id):
        log.info("%s: re-run of another App's check: ignored", where)
        return
    requested_by = payload.sender.login if payload.sender else "check re-run"
    jobs = rerun_jobs(target, payload.repository, payload.installation, requested_by, event.delivery_id or "")
    if not jobs:
        log.info("%s: re-run requested, but no open pull request of this repository has that head", where)
    for job in jobs:
        if await ctx.queue.enqueue(job):
            log.info(
                "%s#%s at %s queued (re-run by %s)",
                job.full_name,
                job.pr_number,
                job.head_sha[:7],
                requested_by,
            )


@router.register("check_run", action="rerequested")
async def check_run_rerequested(event: sansio.Event, ctx: BotContext) -> None:
    await rerun(ctx, event, parse(CheckRunEvent, event.data))


@router.register("check_suite", action="rerequested")
async def check_suite_rerequested(event: sansio.Event, ctx: BotContext) -> None:
    await rerun(ctx, event, parse(CheckSuiteEvent, event.data))
