"""Publishing a review on GitHub: one review, one check run, one summary comment edited in place."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from analyzers import Finding, severity_at_least
from analyzers.diff import DiffError, FileDiff, in_same_hunk, parse_patch
from bot.agents.render import agent_section, dismissed_section
from bot.config import ReviewSettings
from bot.github.client import GitHubClient, GitHubHTTPError
from bot.github.pr_state import PRState, StateSeal, pr_scope
from bot.pipeline.analyze import GITHUB_FILES_CAP, ReviewOutcome
from bot.pipeline.checkrun import finish_check_run
from bot.queue import ReviewJob
from bot.text.render import (
    CONFIG_ERROR_MARKER,
    SUMMARY_MARKER,
    SummaryInput,
    config_error_body,
    config_fixed_body,
    count_line,
    findings_table,
    fingerprints_in,
    review_comment,
    summary_body,
)

log = logging.getLogger(__name__)

REVIEW_BODY_BUDGET = 60_000  # under GitHub's 65,536 characters, with room for the header
COMPARE_FILES_CAP = 300  # GitHub lists at most 300 files of a comparison


@dataclass
class PriorState:
    """What the bot already said on this PR, read back from GitHub (any replica can do this)."""

    said: set[str] = field(default_factory=set)  # from our inline comments and the summary's state
    state: PRState = field(default_factory=PRState)
    summary_comment_id: int | None = None
    config_comment_id: int | None = None
    seal: StateSeal = field(default_factory=lambda: StateSeal(b"", ""))  # signs this PR's state


@dataclass
class Published:
    review_id: int | None
    inline: list[Finding]
    not_inline: list[Finding]
    check_run_id: int | None
    summary_comment_id: int


def pr_url(job: ReviewJob, tail: str = "") -> str:
    return f"/repos/{job.owner}/{job.repo}/pulls/{job.pr_number}{tail}"


def issue_url(job: ReviewJob, tail: str = "") -> str:
    return f"/repos/{job.owner}/{job.repo}/issues/{job.pr_number}{tail}"


def is_own(item: dict, own_login: str | None) -> bool:
    """Written by this App: its login when known, else any bot (people cannot fake user.type)."""
    user = item.get("user") or {}
    return user.get("type") == "Bot" and (own_login is None or user.get("login") == own_login)


async def read_prior_state(
    gh: GitHubClient, job: ReviewJob, own_login: str | None = None, *, state_key: bytes
) -> PriorState:
    """What the bot said and keeps on this PR: only from its own comments, and the summary's
    state only with a valid signature (``state_key``, shared by every replica)."""
    state = PriorState(seal=StateSeal(state_key, pr_scope(job.owner, job.repo, job.pr_number)))
    for comment in await gh.get_all(pr_url(job, "/comments")):
        if is_own(comment, own_login):
            state.said |= fingerprints_in(comment.get("body"))
    for comment in await gh.get_all(issue_url(job, "/comments")):
        body = comment.get("body") or ""
        # Our summary and config comments start with their marker; a reply of ours quoting one does not.
        if is_own(comment, own_login) and body.startswith(SUMMARY_MARKER):
            state.summary_comment_id = comment["id"]
            state.state = state.seal.read(body)
            state.said |= set(state.state.said)
        elif is_own(comment, own_login) and body.startswith(CONFIG_ERROR_MARKER):
            state.config_comment_id = comment["id"]
    return state


@dataclass
class PullFiles:
    """The PR's changed files as GitHub sees them."""

    diffs: dict[str, FileDiff]
    patches: dict[str, str]  # path -> GitHub's ``patch`` (the hunks), where GitHub gives one
    capped: bool  # GitHub lists at most 3,000 files: True when that cap was reached


async def list_pr_files(gh: GitHubClient, job: ReviewJob) -> PullFiles:
    files = await gh.get_all(pr_url(job, "/files"), limit=GITHUB_FILES_CAP)
    return parse_files(job, files, len(files) >= GITHUB_FILES_CAP)


async def list_compare_files(gh: GitHubClient, job: ReviewJob, since: str) -> tuple[PullFiles, str]:
    """What changed from ``since`` to the job's head (GitHub's three-dot compare), and the
    comparison's status: ``ahead`` or ``identical`` when ``since`` is an ancestor of the head."""
    data = await gh.getitem(f"/repos/{job.owner}/{job.repo}/compare/{since}...{job.head_sha}")
    files = data.get("files") or []
    return parse_files(job, files, len(files) >= COMPARE_FILES_CAP), str(data.get("status") or "")


def parse_files(job: ReviewJob, files: list[dict], capped: bool) -> PullFiles:
    """GitHub's diff entries (of a PR or a comparison: the same shape) as diffs and patches."""
    diffs: dict[str, FileDiff] = {}
    patches: dict[str, str] = {}
    for entry in files:
        path, status, patch = entry["filename"], entry.get("status", "modified"), entry.get("patch")
        old_path = entry.get("previous_filename")
        try:
            diffs[path] = parse_patch(path, patch, old_path=old_path, status=status)
        except DiffError:
            log.warning(
                "%s#%s: cannot parse the patch of %s; no comments there", job.full_name, job.pr_number, path
            )
            diffs[path] = parse_patch(path, None, old_path=old_path, status=status)
            continue
        if patch:
            patches[path] = patch
    return PullFiles(diffs, patches, capped)


def still_in_diff(finding: Finding, diffs: dict[str, FileDiff]) -> bool:
    diff = diffs.get(finding.path)
    if diff is None:
        return False
    lines = range(finding.line, finding.end_line + 1)
    return all(n in diff.added or n in diff.context for n in lines) and in_same_hunk(
        diff, finding.line, finding.end_line
    )


async def post_once(gh: GitHubClient, url: str, list_url: str, data: dict) -> dict:
    """Create a review or comment exactly once, even when a retried POST had landed after all."""
    marker = f"<!-- review-bot:post:{uuid.uuid4().hex} -->"
    data = {**data, "body": f"{data['body']}\n{marker}"}

    async def find_existing() -> dict | None:
        return next((item for item in await gh.get_all(list_url) if marker in (item.get("body") or "")), None)

    return await gh.post_once(url, data=data, find_existing=find_existing)


async def create_review(
    gh: GitHubClient, job: ReviewJob, comments: list[Finding], rest: list[Finding]
) -> int:
    body = f"Review bot: {count_line(comments)} on this push."
    if rest:
        # GitHub takes a limited number of inline comments per review; the rest are listed here.
        body += f" {len(rest)} more not posted inline:\n\n" + findings_table(rest, REVIEW_BODY_BUDGET)
    data = {
        "commit_id": job.head_sha,
        "event": "COMMENT",
        "body": body,
        "comments": [review_comment(f) for f in comments],
    }
    review = await post_once(gh, pr_url(job, "/reviews"), pr_url(job, "/reviews"), data)
    return int(review["id"])


async def post_review(
    gh: GitHubClient, job: ReviewJob, inline: list[Finding], overflow: list[Finding]
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
        return await create_review(gh, job, inline, overflow), inline, []
    except GitHubHTTPError as exc:
        if exc.status != 422:
            raise
        log.warning(
            "%s#%s: review rejected (422 %s); retrying without unplaceable comments",
            job.full_name,
            job.pr_number,
            "; ".join(map(str, exc.errors))[:200],
        )
    diffs = (await list_pr_files(gh, job)).diffs
    fitting = [f for f in inline if still_in_diff(f, diffs)]
    rejected = [f for f in inline if f not in fitting]
    if fitting and rejected:
        try:
            return await create_review(gh, job, fitting, rejected + overflow), fitting, rejected
        except GitHubHTTPError as exc:
            if exc.status != 422:
                raise
    return None, [], list(inline)


async def upsert_comment(gh: GitHubClient, job: ReviewJob, comment_id: int | None, body: str) -> int:
    """Edit our comment in place, or post it when there is none (or it was deleted)."""
    if comment_id is not None:
        try:
            await gh.patch(f"/repos/{job.owner}/{job.repo}/issues/comments/{comment_id}", data={"body": body})
            return comment_id
        except GitHubHTTPError as exc:
            if exc.status != 404:
                raise
    created = await post_once(gh, issue_url(job, "/comments"), issue_url(job, "/comments"), {"body": body})
    return int(created["id"])


async def report_config(gh: GitHubClient, job: ReviewJob, prior: PriorState, error: str | None) -> None:
    """One comment about an invalid .github/review-bot.yml, edited when it is fixed."""
    if error is not None:
        await upsert_comment(gh, job, prior.config_comment_id, config_error_body(error))
    elif prior.config_comment_id is not None:
        await upsert_comment(gh, job, prior.config_comment_id, config_fixed_body())


def next_state(prior: PriorState, new: list[Finding], job: ReviewJob) -> PRState:
    state = prior.state
    state.remember([*sorted(prior.said - set(state.said)), *(f.fingerprint for f in new)])
    state.last_reviewed_head = job.head_sha
    return state


async def publish(
    gh: GitHubClient,
    job: ReviewJob,
    outcome: ReviewOutcome,
    settings: ReviewSettings,
    *,
    check_run_id: int | None = None,
    own_login: str | None = None,
    config_error: str | None = None,
    agents_configured: bool = False,
    repo_url: str | None = None,
    prior: PriorState | None = None,
    scope: str = "",
    state_key: bytes,
) -> Published:
    prior = prior if prior is not None else await read_prior_state(gh, job, own_login, state_key=state_key)
    await report_config(gh, job, prior, config_error)
    discussion = outcome.discussion
    dismissed = discussion.dismissed if discussion is not None else {}
    # The agents can keep a finding out of the inline comments (it is listed, with their reason)
    # and add their own; they never change the check run's conclusion.
    ignored = prior.state
    candidates = [
        f
        for f in outcome.findings
        if f.fingerprint not in dismissed and not ignored.is_ignored(f.tool, f.rule_id)
    ]
    candidates += discussion.added_in_diff if discussion is not None else []
    new: list[Finding] = []
    seen: set[str] = set()
    for finding in candidates:
        if finding.fingerprint in prior.said or finding.fingerprint in seen:
            continue
        if not severity_at_least(finding.severity, settings.comment_on):
            continue  # below the inline threshold: in the check run's annotations only
        seen.add(finding.fingerprint)
        new.append(finding)
    inline, overflow = new[: settings.max_inline_comments], new[settings.max_inline_comments :]
    review_id, posted, rejected = await post_review(gh, job, inline, overflow)
    not_inline = rejected + overflow
    check_run_id = await finish_check_run(gh, job, check_run_id, outcome, settings)
    # A /pause or /ignore may have landed while this review ran: keep it, do not write it over.
    latest = await read_prior_state(gh, job, own_login, state_key=state_key)
    prior.state.paused, prior.state.paused_by = latest.state.paused, latest.state.paused_by
    prior.state.ignored = latest.state.ignored
    prior.summary_comment_id = latest.summary_comment_id or prior.summary_comment_id
    summary = SummaryInput(
        head_sha=job.head_sha,
        findings=outcome.findings,
        not_inline=not_inline,
        new_inline=len(posted),
        already_said=len(outcome.findings) - len(new),
        files_analyzed=outcome.files_analyzed,
        tool_versions=outcome.tool_versions,
        problems=outcome.errors + outcome.incomplete,
        skipped=outcome.skipped,
        state_marker=latest.seal.marker(next_state(prior, new, job)),
        state=prior.state,
        sections=[
            *(["", scope] if scope else []),  # e.g. an incremental review's range
            *(agent_section(discussion, repo_url=repo_url) if agents_configured else []),
            *dismissed_section(outcome.findings, discussion, repo_url=repo_url),
        ],
    )
    comment_id = await upsert_comment(gh, job, prior.summary_comment_id, summary_body(summary))
    log.info(
        "%s#%s at %s: %d findings, %d inline, review %s",
        job.full_name,
        job.pr_number,
        job.head_sha[:7],
        len(outcome.findings),
        len(posted),
        review_id,
    )
    return Published(review_id, posted, not_inline, check_run_id, comment_id)
