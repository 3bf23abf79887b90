"""The GitHub door of the pipeline: a pull request as a source, and the GitHub reporter.

The source reads the policy from the base branch, lists the PR's files (or, for
``/review --incremental``, what the commits since the last review changed) and fetches the
head commit without checking anything out. The reporter starts the check run before any work
and publishes the review, the check run and the summary at the end. Every call goes through
the PullRequest gateway.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.config import ReviewSettings
from bot.github.client import GitHubHTTPError
from bot.github.pr_state import PriorState
from bot.github.pull_request import GITHUB_FILES_CAP, PullFiles, PullRequest
from bot.pipeline.analyze import ReviewOutcome
from bot.pipeline.base_branch import load_repo_policy
from bot.pipeline.checkout import CheckoutError, fetch_commit
from bot.pipeline.checkrun import start_check_run
from bot.pipeline.publish import publish
from bot.pipeline.repo_config import RepoPolicy
from bot.pipeline.run import Change
from bot.queue import ReviewJob
from bot.text.sanitize import code_span

log = logging.getLogger(__name__)

SHA = re.compile(r"[0-9a-f]{40}")


@dataclass
class GitHubPRSource:
    """One head commit of one pull request, fetched with the installation's token."""

    pr: PullRequest
    job: ReviewJob
    defaults: ReviewSettings  # the service's policy; the base branch's file may change it
    token: Callable[[], Awaitable[str]]  # the installation token, asked for when the fetch starts
    want_words: bool = False  # the PR's title and body, for the agents
    # A policy the door was given (the Action's ``config`` input); None: the base branch's file.
    policy: RepoPolicy | None = None

    async def open(self, workdir: Path) -> Change:
        job = self.job
        policy = self.policy
        if policy is None:
            policy = await load_repo_policy(self.pr, job.base_sha, self.defaults)
        files, scope = await files_to_review(self.pr, job)
        git_dir, env = await fetch_head(job, await self.token(), workdir, policy.settings.fetch_timeout)
        change = Change(
            git_dir=git_dir,
            head_sha=job.head_sha,
            diffs=files.diffs,
            policy=policy,
            env=env,
            fetch_missing=True,
            patches=files.patches,
            scope=scope,
        )
        if files.capped:
            listed = f"GitHub lists only its first {GITHUB_FILES_CAP:,} files"
            change.incomplete.append(f"This PR is too large to review fully: {listed}.")
        if self.want_words:
            pull = await self.pr.fetch()
            change.title, change.body = str(pull.get("title") or ""), pull.get("body")
            change.repo_url = ((pull.get("base") or {}).get("repo") or {}).get("html_url")
        return change


@dataclass
class GitHubReporter:
    """One COMMENT review, the ``review-bot`` check run and the summary comment, on the PR."""

    pr: PullRequest
    job: ReviewJob
    app_id: str | None
    prior: PriorState | None = None  # the state read before the review (publish re-reads it)
    check_run_id: int | None = None

    async def start(self) -> None:
        self.check_run_id = await start_check_run(self.pr, self.job.head_sha, self.app_id)

    async def report(self, outcome: ReviewOutcome, change: Change) -> None:
        await publish(
            self.pr,
            self.job,
            outcome,
            change.policy.settings,
            check_run_id=self.check_run_id,
            config_error=change.policy.error,
            repo_url=change.repo_url,
            prior=self.prior,
            scope=change.scope,
        )


async def files_to_review(pr: PullRequest, job: ReviewJob) -> tuple[PullFiles, str]:
    """The PR's files, or for ``/review --incremental`` only what the commits since
    ``job.incremental_from`` changed; with the summary's line saying which ("" for a plain review)."""
    if not job.incremental_from:
        return await pr.files(), ""
    since = code_span(job.incremental_from[:7])
    files, why = await files_since(pr, job, since)
    if files is not None:
        return files, f"**Scope:** incremental: commits since {since}, only the lines they changed."
    log.info("%s#%s: incremental review not possible (%s); full review", job.full_name, job.pr_number, why)
    return await pr.files(), f"**Scope:** full review; incremental was not possible: {why}."


async def files_since(pr: PullRequest, job: ReviewJob, since: str) -> tuple[PullFiles | None, str]:
    """What changed from ``job.incremental_from`` to the head, or None and why that cannot be
    reviewed alone: the old head is gone (GitHub's compare answers 404 after a force-push and
    garbage collection) or no longer an ancestor of the head, or GitHub cannot list it all."""
    if not SHA.fullmatch(job.incremental_from):
        return None, f"{since} is not a commit sha"  # never put into a URL
    try:
        files, status = await pr.compare_files(job.incremental_from, job.head_sha)
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
