"""Workers: take review jobs off the queue and carry each through to a published review."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from datetime import UTC, datetime

import aiohttp

from bot.context import BotContext
from bot.events import review_topic
from bot.github.client import CircuitOpenError, GitHubHTTPError
from bot.github.pull_request import PullRequest
from bot.history.recording import given_up_record, record_safely, with_history
from bot.observability import job_log_fields, log_context, parent_context, stage_hook
from bot.pipeline.base_branch import load_repo_policy
from bot.pipeline.checkout import BadCommitId, CheckoutError, check_commit_id
from bot.pipeline.checkrun import abandon_check_run
from bot.pipeline.github import GitHubPRSource, GitHubReporter
from bot.pipeline.run import run_review
from bot.queue import ReviewJob
from bot.redis_client import cancel_for_sure
from bot.text.render import given_up_body

log = logging.getLogger(__name__)

# Failures whose messages are ours and safe to show (no secrets, no PR content).
KNOWN_FAILURES = (GitHubHTTPError, CheckoutError, CircuitOpenError)
GIVE_UP_REPORT_SECONDS = 60.0  # telling the PR is best effort: GitHub may be why we give up


async def review_job(ctx: BotContext, job: ReviewJob) -> None:
    """Review one head commit of one PR: the pipeline with the PR as source and GitHub as reporter."""
    check_commit_id(job.head_sha)  # before any call: it goes into URLs and to git
    pr = await ctx.pull_request(job.installation_id or 0, job.owner, job.repo, job.pr_number)
    prior = await pr.read_state()
    if prior.state.paused and not job.requested_by:
        log.info(
            "%s#%s: paused by %s; not reviewed on push", job.full_name, job.pr_number, prior.state.paused_by
        )
        ctx.metrics.reviews.labels(result="paused").inc()
        return
    installation = job.installation_id or 0
    source = GitHubPRSource(
        pr,
        job,
        ctx.settings.review,
        lambda: ctx.tokens.get(installation),
        want_words=ctx.agent_config is not None,
    )
    # Once published, the review is recorded in the history (best effort: never fails the review).
    reporter = with_history(GitHubReporter(pr, job, ctx.settings.app_id, prior=prior), ctx.history, job)
    topic = review_topic(job.owner, job.repo, job.pr_number, job.head_sha)
    # Live viewers of this PR (bot/live/) see the review start; the pipeline publishes the rest.
    ctx.events.publish(topic, {"type": "review_started", "repo": job.full_name, "number": job.pr_number})
    outcome = await run_review(
        source,
        reporter,
        cache=ctx.cache,
        agents=ctx.agent_config,
        events=ctx.events,
        topic=topic,
        stage=stage_hook(ctx.metrics, ctx.tracer),
        announce=True,
    )
    if outcome.discussion is not None:
        ctx.metrics.count_dialogue(outcome.discussion.review)
    ctx.metrics.reviews.labels(result="published").inc()


def retry_delay(job: ReviewJob, exc: BaseException, base: float = 5.0) -> float | None:
    """Seconds until the job may run again, or None when retrying cannot help."""
    backoff = min(300.0, base * 2.0**job.attempt) * random.uniform(0.8, 1.2)  # noqa: S311 - jitter
    if isinstance(exc, BadCommitId):
        return None
    if isinstance(exc, CircuitOpenError):
        return max(exc.retry_after, base)
    if isinstance(exc, GitHubHTTPError):
        return float(exc.retry_after_seconds or backoff) if exc.retryable else None
    if isinstance(exc, CheckoutError | aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return backoff
    return None


class WorkerPool:
    """``count`` workers on one context, and their graceful stop (SIGTERM): idle workers stop at
    once, running reviews get ``grace`` seconds to finish, the rest are cancelled and their jobs
    handed back to the queue (retry_later(job, 0)), so another worker takes them."""

    def __init__(self, ctx: BotContext, count: int, grace: float) -> None:
        self.ctx = ctx
        self.count = count
        self.grace = grace
        self.stopping = asyncio.Event()
        self.busy: set[str] = set()
        self.tasks: dict[str, asyncio.Task[None]] = {}

    def start(self) -> None:
        for i in range(self.count):
            name = f"worker-{i}"
            self.tasks[name] = asyncio.create_task(run_worker(self.ctx, name, self), name=name)

    def running(self) -> bool:
        """Every worker started is still taking jobs (for /ready)."""
        return len(self.tasks) == self.count and not any(t.done() for t in self.tasks.values())

    async def stop(self) -> None:
        self.stopping.set()
        for name, task in self.tasks.items():
            if name not in self.busy:  # waiting for a job; one taken meanwhile is handed back
                await cancel_for_sure(task)
        running = [t for t in self.tasks.values() if not t.done()]
        if running:
            log.info("shutdown: waiting up to %.0f s for %d running review(s)", self.grace, len(running))
            await asyncio.wait(running, timeout=self.grace)
        for name, task in self.tasks.items():
            if not task.done():
                log.warning(
                    "shutdown: %s did not finish within the grace period; its job is handed back", name
                )
                await cancel_for_sure(task)
        for task in self.tasks.values():
            if not task.cancelled() and (exc := task.exception()) is not None:
                log.error("worker %s failed: %s", task.get_name(), exc, exc_info=exc)


async def run_worker(ctx: BotContext, name: str, pool: WorkerPool | None = None) -> None:
    """Take jobs until cancelled (or, in a pool, until it stops); a failing job is retried later or
    given up, never crashes the worker."""
    while pool is None or not pool.stopping.is_set():
        job = await ctx.queue.get()
        if pool is not None:
            pool.busy.add(name)
        try:
            await run_one(ctx, name, job)
        finally:
            if pool is not None:
                pool.busy.discard(name)


async def run_one(ctx: BotContext, name: str, job: ReviewJob) -> None:
    """One job through to done, a retry later or given up; cancelled, it is handed back at once.

    Its log lines carry the job's delivery, repository, PR and head; its span joins the trace of
    the delivery that queued it (the job's traceparent)."""
    attributes: dict[str, str | int] = {
        "repo": job.full_name,
        "pr": job.pr_number,
        "head_sha": job.head_sha,
        "attempt": job.attempt,
    }
    with (
        log_context(**job_log_fields(job)),
        ctx.tracer.start_as_current_span(
            "review", context=parent_context(job.traceparent), attributes=attributes
        ),
    ):
        await _run_one(ctx, name, job)


async def _run_one(ctx: BotContext, name: str, job: ReviewJob) -> None:
    started_at, started = datetime.now(UTC), time.monotonic()
    try:
        log.info("%s: reviewing %s#%s at %s", name, job.full_name, job.pr_number, job.head_sha[:7])
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
            announce_failure(ctx, job, exc, retry_in=delay)
            return
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
            announce_failure(ctx, job, exc, retry_in=None)
            conclusion = await report_given_up(ctx, job, exc)
            if ctx.history is not None:  # a given-up review is a review too: its row says how it ended
                await record_safely(ctx.history, given_up_record(job, conclusion, started_at, started))
    await ctx.queue.done(job)


def announce_failure(ctx: BotContext, job: ReviewJob, exc: BaseException, retry_in: float | None) -> None:
    """Tell live viewers of the PR why this review stopped (the words safe to post, nothing more)."""
    event: dict[str, object] = {"type": "error", "message": failure_reason(exc), "retry_in_s": retry_in}
    ctx.events.publish(review_topic(job.owner, job.repo, job.pr_number, job.head_sha), event)


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


async def report_given_up(ctx: BotContext, job: ReviewJob, exc: BaseException) -> str:
    """Close the check run with the incomplete conclusion (never a pass) and say in the summary
    comment that this head could not be reviewed and why. Best effort, bounded in time; returns
    the conclusion given."""
    reason = failure_reason(exc)
    conclusion = ctx.settings.review.incomplete_conclusion

    async def gateway() -> PullRequest:  # inside each best-effort step: learning our login is a call too
        return await ctx.pull_request(job.installation_id or 0, job.owner, job.repo, job.pr_number)

    with contextlib.suppress(Exception):
        async with asyncio.timeout(GIVE_UP_REPORT_SECONDS / 4):  # the repository may ask for another
            policy = await load_repo_policy(await gateway(), job.base_sha, ctx.settings.review)
            conclusion = policy.settings.incomplete_conclusion
    attempts = f"Gave up after {job.attempt + 1} attempt(s): {reason}"
    with contextlib.suppress(Exception):
        async with asyncio.timeout(GIVE_UP_REPORT_SECONDS / 2):
            await abandon_check_run(await gateway(), job.head_sha, attempts, ctx.settings.app_id, conclusion)
    with contextlib.suppress(Exception):
        async with asyncio.timeout(GIVE_UP_REPORT_SECONDS / 4):
            pr = await gateway()
            async with pr.state() as edit:
                if ((await pr.fetch()).get("head") or {}).get("sha") != job.head_sha:
                    edit.drop()  # pushed since: the summary is about the newer head; leave it to that review
                else:
                    edit.body = given_up_body(job.head_sha, f"{attempts}.")
    return conclusion
