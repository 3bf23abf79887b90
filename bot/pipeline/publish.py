"""Publishing a review on GitHub: one review, one check run, one summary comment edited in place.

Every call goes through the PR's gateway (bot/github/pull_request.py); the summary, which holds
the PR's state, is written under the PR's lock, merged with the latest state (a /pause or /ignore
that landed while this review ran is kept).
"""

from __future__ import annotations

import logging

from analyzers import Finding
from analyzers.diff import FileDiff, in_same_hunk
from bot.agents.render import agent_section, dismissed_section
from bot.config import ReviewSettings
from bot.github.client import GitHubHTTPError
from bot.github.pr_state import PriorState
from bot.github.pull_request import PullRequest
from bot.pipeline.analyze import ReviewOutcome
from bot.pipeline.checkrun import finish_check_run
from bot.pipeline.policy import select_inline
from bot.pipeline.threads import settle_threads
from bot.queue import ReviewJob
from bot.text.render import (
    SummaryInput,
    config_error_body,
    config_fixed_body,
    count_line,
    finding_names,
    findings_table,
    review_comment,
    summary_body,
)

log = logging.getLogger(__name__)

REVIEW_BODY_BUDGET = 60_000  # under GitHub's 65,536 characters, with room for the header


def still_in_diff(finding: Finding, diffs: dict[str, FileDiff]) -> bool:
    diff = diffs.get(finding.path)
    if diff is None:
        return False
    lines = range(finding.line, finding.end_line + 1)
    return all(n in diff.added or n in diff.context for n in lines) and in_same_hunk(
        diff, finding.line, finding.end_line
    )


async def create_review(pr: PullRequest, head_sha: str, comments: list[Finding], rest: list[Finding]) -> int:
    body = f"Review bot: {count_line(comments)} on this push."
    if rest:
        # GitHub takes a limited number of inline comments per review; the rest are listed here.
        body += f" {len(rest)} more not posted inline:\n\n" + findings_table(rest, REVIEW_BODY_BUDGET)
    data = {
        "commit_id": head_sha,
        "event": "COMMENT",
        "body": body,
        "comments": [review_comment(f) for f in comments],
    }
    return await pr.create_review(data)


async def post_review(
    pr: PullRequest, head_sha: str, inline: list[Finding], overflow: list[Finding]
) -> tuple[int | None, list[Finding], list[Finding]]:
    """Post one COMMENT review; on GitHub's 422 retry without the comments it would not place.

    GitHub rejects the whole review when one comment line is outside the diff and does not say
    which, so the fallback re-reads the PR's current diff, keeps the comments that still fit
    it, and, should that be refused too, posts no inline comments at all. Returns the review id,
    the findings posted inline and those that must go to the summary instead.
    """
    if not inline:
        return None, [], []
    try:
        return await create_review(pr, head_sha, inline, overflow), inline, []
    except GitHubHTTPError as exc:
        if exc.status != 422:
            raise
        log.warning(
            "%s: review rejected (422 %s); retrying without unplaceable comments",
            pr.where,
            "; ".join(map(str, exc.errors))[:200],
        )
    diffs = (await pr.files()).diffs
    fitting = [f for f in inline if still_in_diff(f, diffs)]
    rejected = [f for f in inline if f not in fitting]
    if fitting and rejected:
        try:
            return await create_review(pr, head_sha, fitting, rejected + overflow), fitting, rejected
        except GitHubHTTPError as exc:
            if exc.status != 422:
                raise
    return None, [], list(inline)


async def report_config(pr: PullRequest, prior: PriorState, error: str | None) -> None:
    """One comment about an invalid .github/review-bot.yml, edited when it is fixed."""
    if error is not None:
        await pr.upsert_comment(prior.config_comment_id, config_error_body(error))
    elif prior.config_comment_id is not None:
        await pr.upsert_comment(prior.config_comment_id, config_fixed_body())


def learned(prior: PriorState, latest: PriorState, new: list[Finding]) -> list[str]:
    """The fingerprints this review adds to the state: what the bot had said on the PR but the
    state did not list yet (sorted, so the order is stable), then the new findings'."""
    fresh = [f.fingerprint for f in new]
    known = set(latest.state.said) | set(fresh)
    return [*sorted((prior.said | latest.said) - known), *fresh]


async def publish(
    pr: PullRequest,
    job: ReviewJob,
    outcome: ReviewOutcome,
    settings: ReviewSettings,
    *,
    check_run_id: int | None = None,
    config_error: str | None = None,
    repo_url: str | None = None,
    prior: PriorState | None = None,
    scope: str = "",
) -> None:
    prior = prior if prior is not None else await pr.read_state()
    await report_config(pr, prior, config_error)
    discussion = outcome.discussion
    dismissed = discussion.dismissed if discussion is not None else {}
    # The agents can keep a finding out of the inline comments (it is listed, with their reason)
    # and add their own; they never change the check run's conclusion.
    candidates = [
        f
        for f in outcome.findings
        if f.fingerprint not in dismissed and not prior.state.ignores(finding_names(f))
    ]
    candidates += discussion.added_in_diff if discussion is not None else []
    # The most severe first, up to the budget; below comment_on: the summary and the check run.
    selection = select_inline(candidates, settings, prior.said)
    new, overflow = selection.new, selection.overflow
    review_id, posted, rejected = await post_review(pr, job.head_sha, selection.inline, overflow)
    not_inline = rejected + overflow + selection.below
    check_run_id = await finish_check_run(pr, job.head_sha, check_run_id, outcome, settings)
    # What the earlier comments' findings became: fixed ones noted and their threads resolved
    # (only after a full review: an incremental one does not see the whole PR), and the counts.
    counts = await settle_threads(pr, job.head_sha, outcome, prior.state, full=not job.incremental_from)
    # Under the PR's lock, from the latest state: a /pause or /ignore that landed while this
    # review ran is kept; the review adds only what it learned (fingerprints said, its head).
    async with pr.state() as edit:
        edit.state.remember(learned(prior, edit.prior, new))
        edit.state.last_reviewed_head = job.head_sha
        summary = SummaryInput(
            head_sha=job.head_sha,
            findings=outcome.findings,
            not_inline=not_inline,
            new_inline=len(posted),
            already_said=sum(f.fingerprint in prior.said for f in outcome.findings),
            files_analyzed=outcome.files_analyzed,
            tool_versions=outcome.tool_versions,
            problems=outcome.errors + outcome.incomplete,
            skipped=outcome.skipped,
            state_marker=edit.seal.marker(edit.state),  # so the findings table leaves it room
            state=edit.state,
            counts=counts,
            sections=[
                *(["", scope] if scope else []),  # e.g. an incremental review's range
                *agent_section(discussion, repo_url=repo_url),
                *dismissed_section(outcome.findings, discussion, repo_url=repo_url),
            ],
        )
        edit.body = summary_body(summary)
    log.info(
        "%s at %s: %d findings, %d inline, review %s",
        pr.where,
        job.head_sha[:7],
        len(outcome.findings),
        len(posted),
        review_id,
    )
