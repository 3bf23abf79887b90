"""Workers: take review jobs off the queue and carry each through to a published review."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp

from bot.context import BotContext
from bot.events import review_topic
from bot.github.client import CircuitOpenError, GitHubClient, GitHubHTTPError
from bot.pipeline.analyze import GITHUB_FILES_CAP, ReviewOutcome, analyze_changes, discuss_outcome
from bot.pipeline.base_branch import load_repo_policy
from bot.pipeline.checkout import BadCommitId, CheckoutError, check_commit_id, fetch_commit
from bot.pipeline.checkrun import abandon_check_run, start_check_run
from bot.pipeline.policy import build_analyzers, write_rule_files
from bot.pipeline.publish import (
    PullFiles,
    list_compare_files,
    list_pr_files,
    pr_url,
    publish,
    read_prior_state,
    upsert_comment,
)
from bot.queue import ReviewJob
from bot.text.render import code_span, given_up_body, with_state

if TYPE_CHECKING:  # the dialogue pulls in autogen: only when it runs
    from bot.agents.dialogue import Discussion

log = logging.getLogger(__name__)

# Failures whose messages are ours and safe to show (no secrets, no PR content).
KNOWN_FAILURES = (GitHubHTTPError, CheckoutError, CircuitOpenError)
# Failures of the world around a review (GitHub, git, the network): the job is retried for these.
# Anything else inside the analysis is a bug or an input nobody foresaw: retrying cannot help.
TRANSIENT = (*KNOWN_FAILURES, aiohttp.ClientError, asyncio.TimeoutError, OSError)
SHA = re.compile(r"[0-9a-f]{40}")
GIVE_UP_REPORT_SECONDS = 60.0  # telling the PR is best effort: GitHub may be why we give up


async def review_job(ctx: BotContext, job: ReviewJob) -> None:
    """Fetch, analyze and publish one head commit of one PR."""
    check_commit_id(job.head_sha)  # before any call: it goes into URLs and to git
    gh = ctx.installation_client(job.installation_id or 0)
    own_login = await ctx.learn_own_login()
    prior = await read_prior_state(gh, job, own_login, state_key=ctx.state_key)
    if prior.state.paused and not job.requested_by:
        log.info(
            "%s#%s: paused by %s; not reviewed on push", job.full_name, job.pr_number, prior.state.paused_by
        )
        ctx.metrics.reviews.labels(result="paused").inc()
        return
    check_run_id = await start_check_run(gh, job, ctx.settings.app_id)
    policy = await load_repo_policy(gh, job.owner, job.repo, job.base_sha, ctx.settings.review)
    settings = policy.settings
    files, scope = await files_to_review(gh, job)
    with tempfile.TemporaryDirectory(prefix="review-bot-") as tmp:
        workdir = Path(tmp)
        analyzers = build_analyzers(settings, write_rule_files(workdir / "repo-rules", policy.rule_files))
        token = await ctx.tokens.get(job.installation_id or 0)
        git_dir, env = await fetch_head(job, token, workdir, settings.fetch_timeout)
        try:
            outcome = await analyze_changes(
                git_dir,
                job.head_sha,
                files.diffs,
                env=env,
                fetch_missing=True,
                settings=settings,
                workdir=workdir,
                analyzers=analyzers,
                cache=ctx.cache,
            )
        except TRANSIENT:
            raise
        except Exception as exc:  # the review is still published: failing, and saying why
            log.exception("%s#%s: the analysis failed", job.full_name, job.pr_number)
            outcome = ReviewOutcome(findings=[], results=[], diffs=dict(files.diffs))
            outcome.incomplete.append(
                f"The analysis failed unexpectedly ({type(exc).__name__}); no file was analyzed."
            )
        repo_url = None
        if ctx.agent_config is not None:  # while the head files are still on disk
            pr = await gh.getitem(pr_url(job))
            repo_url = ((pr.get("base") or {}).get("repo") or {}).get("html_url")
            try:
                outcome.discussion = await discuss_outcome(
                    outcome,
                    ctx.agent_config,
                    title=str(pr.get("title") or ""),
                    body=pr.get("body"),
                    patches=files.patches,
                    repo_url=repo_url,
                    events=ctx.events,
                    topic=review_topic(job.owner, job.repo, job.pr_number, job.head_sha),
                )
            except Exception as exc:  # the model's part is lost, the analyzers' findings are not
                log.exception("%s#%s: the agent dialogue failed", job.full_name, job.pr_number)
                outcome.discussion = dialogue_failed(
                    f"the dialogue failed unexpectedly ({type(exc).__name__})"
                )
            ctx.metrics.count_dialogue(outcome.discussion.review)
    if files.capped:
        outcome.incomplete.append(
            f"This PR is too large to review fully: GitHub lists only its first {GITHUB_FILES_CAP:,} files."
        )
    await publish(
        gh,
        job,
        outcome,
        settings,
        check_run_id=check_run_id,
        own_login=own_login,
        config_error=policy.error,
        agents_configured=True,
        repo_url=repo_url,
        prior=prior,
        scope=scope,
        state_key=ctx.state_key,
    )
    ctx.metrics.reviews.labels(result="published").inc()


async def files_to_review(gh: GitHubClient, job: ReviewJob) -> tuple[PullFiles, str]:
    """The PR's files, or for ``/review --incremental`` only what the commits since
    ``job.incremental_from`` changed; with the summary's line saying which ("" for a plain review)."""
    if not job.incremental_from:
        return await list_pr_files(gh, job), ""
    since = code_span(job.incremental_from[:7])
    files, why = await files_since(gh, job, since)
    if files is not None:
        return files, f"**Scope:** incremental: commits since {since}, only the lines they changed."
    log.info("%s#%s: incremental review not possible (%s); full review", job.full_name, job.pr_number, why)
    return await list_pr_files(gh, job), f"**Scope:** full review; incremental was not possible: {why}."


async def files_since(gh: GitHubClient, job: ReviewJob, since: str) -> tuple[PullFiles | None, str]:
    """What changed from ``job.incremental_from`` to the head, or None and why that cannot be
    reviewed alone: the old head is gone (GitHub's compare answers 404 after a force-push and
    garbage collection) or no longer an ancestor of the head, or GitHub cannot list it all."""
    if not SHA.fullmatch(job.incremental_from):
        return None, f"{since} is not a commit sha"  # never put into a URL
    try:
        files, status = await list_compare_files(gh, job, job.incremental_from)
    except GitHubHTTPError as exc:
        if exc.status != 404:
            raise
        return None, f"{since} is gone (force-pushed away?)"
    if status not in ("ahead", "identical"):
        return None, f"{since} is no longer in this PR's history (force-pushed?)"
    if files.capped:
        return None, f"the commits since {since} change too many files to list"
    return files, ""


async def fetch_head(
    job: ReviewJob, token: str, workdir: Path, timeout: float
) -> tuple[Path, dict[str, str]]:
    """Fetch the head from the base repository (GitHub serves PR heads there, forks included),
    falling back to the head repository's own URL."""
    urls = list(dict.fromkeys(u for u in (job.clone_url, job.head_clone_url) if u))
    for i, url in enumerate(urls):
        attempt_dir = workdir / f"fetch-{i}"
        try:
            return await fetch_commit(url, job.head_sha, token=token, workdir=attempt_dir, timeout=timeout)
        except CheckoutError:
            if i == len(urls) - 1:
                raise
            log.info(
                "%s#%s: head not fetchable from %s; trying the head repository",
                job.full_name,
                job.pr_number,
                url,
            )
    raise CheckoutError("no clone URL in the payload")


def dialogue_failed(reason: str) -> Discussion:
    """A dialogue that did not happen, saying why (the summary shows it like any skipped dialogue)."""
    from bot.agents.dialogue import Discussion
    from bot.agents.team import AgentReview

    return Discussion(AgentReview(skipped=reason))


def retry_delay(job: ReviewJob, exc: BaseException, base: float = 5.0) -> float | None:
    """Seconds until the job may run again, or None when retrying cannot help."""
    backoff = min(300.0, base * 2**job.attempt) * random.uniform(0.8, 1.2)  # noqa: S311 - jitter
    if isinstance(exc, BadCommitId):
        return None
    if isinstance(exc, CircuitOpenError):
        return max(exc.retry_after, base)
    if isinstance(exc, GitHubHTTPError):
        return (exc.retry_after_seconds or backoff) if exc.retryable else None
    if isinstance(exc, CheckoutError | aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return backoff
    return None


async def run_worker(ctx: BotContext, name: str) -> None:
    """Take jobs until cancelled; a failing job is retried later or given up, never crashes the worker."""
    while True:
        job = await ctx.queue.get()
        try:
            await review_job(ctx, job)
        except asyncio.CancelledError:
            await ctx.queue.retry_later(job, 0)
            raise
        except Exception as exc:
            delay = retry_delay(job, exc, ctx.settings.job_retry_delay)
            if delay is not None and job.attempt + 1 < ctx.settings.job_attempts:
                log.warning(
                    "%s: %s#%s at %s failed (%s); retrying in %.0f s",
                    name,
                    job.full_name,
                    job.pr_number,
                    job.head_sha[:7],
                    exc,
                    delay,
                )
                await ctx.queue.retry_later(job, delay)
                continue
            ctx.metrics.reviews.labels(result="given_up").inc()
            log.error(
                "%s: giving up on %s#%s at %s: %s",
                name,
                job.full_name,
                job.pr_number,
                job.head_sha[:7],
                exc,
                exc_info=not isinstance(exc, KNOWN_FAILURES),
            )
            await ctx.queue.forget(job)
            if not isinstance(exc, BadCommitId):  # a bad sha must not reach a URL either
                await report_given_up(ctx, job, exc)
        await ctx.queue.done(job)


def failure_reason(exc: BaseException) -> str:
    """Why a job failed, in words safe to post: our own messages for the failures we know (they
    hold no secret), only the kind for anything else (its text might hold a token or PR data)."""
    if isinstance(exc, KNOWN_FAILURES):
        return " ".join(str(exc).split())[:300]
    if isinstance(exc, asyncio.TimeoutError):
        return "GitHub or the git server did not answer in time"
    if isinstance(exc, aiohttp.ClientError | OSError):
        return f"a network or system error ({type(exc).__name__})"
    return f"an unexpected error ({type(exc).__name__})"


async def report_given_up(ctx: BotContext, job: ReviewJob, exc: BaseException) -> None:
    """Close the check run with the incomplete conclusion (never a pass) and say in the summary
    comment that this head could not be reviewed and why. Best effort, bounded in time."""
    reason = failure_reason(exc)
    gh = ctx.installation_client(job.installation_id or 0)
    conclusion = ctx.settings.review.incomplete_conclusion
    with contextlib.suppress(Exception):
        async with asyncio.timeout(GIVE_UP_REPORT_SECONDS / 4):  # the repository may ask for another
            policy = await load_repo_policy(gh, job.owner, job.repo, job.base_sha, ctx.settings.review)
            conclusion = policy.settings.incomplete_conclusion
    attempts = f"Gave up after {job.attempt + 1} attempt(s): {reason}"
    with contextlib.suppress(Exception):
        async with asyncio.timeout(GIVE_UP_REPORT_SECONDS / 2):
            await abandon_check_run(gh, job, attempts, ctx.settings.app_id, conclusion)
    with contextlib.suppress(Exception):
        async with asyncio.timeout(GIVE_UP_REPORT_SECONDS / 4), ctx.state_locks.hold(job.pr_key):
            if ((await gh.getitem(pr_url(job))).get("head") or {}).get("sha") != job.head_sha:
                return  # pushed since: the summary is about the newer head, leave it to that review
            own_login = await ctx.learn_own_login()
            prior = await read_prior_state(gh, job, own_login, state_key=ctx.state_key)
            body = with_state(given_up_body(job.head_sha, f"{attempts}."), prior.state, prior.seal)
            await upsert_comment(gh, job, prior.summary_comment_id, body)
