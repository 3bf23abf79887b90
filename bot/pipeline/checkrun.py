"""The check run on the head commit: started when a review starts, completed with annotations."""

from __future__ import annotations

from collections.abc import Sequence

from analyzers import Finding, severity_at_least
from bot.config import ReviewSettings
from bot.github.client import GitHubHTTPError
from bot.github.pull_request import PullRequest
from bot.pipeline.analyze import ReviewOutcome
from bot.text.render import CHECK_RUN_NAME, annotation, check_run_output

ANNOTATIONS_PER_REQUEST = 50


async def start_check_run(pr: PullRequest, head_sha: str, app_id: str | None = None) -> int:
    """Our in-progress check run on the head: the one a failed attempt left behind, or a new one.

    Reusing it means a retried job never leaves a run spinning "in progress" forever.
    """
    try:
        runs = await pr.running_check_runs(head_sha, CHECK_RUN_NAME, app_id)
    except GitHubHTTPError as exc:
        if exc.retryable:
            raise
        runs = []  # listing is a nicety (reuse after a retry); not being able to list must not block
    if runs:
        return int(runs[0]["id"])
    return await pr.create_check_run({"name": CHECK_RUN_NAME, "head_sha": head_sha, "status": "in_progress"})


async def abandon_check_run(
    pr: PullRequest, head_sha: str, reason: str, app_id: str | None = None, conclusion: str = "failure"
) -> None:
    """Close our in-progress run when the review is given up, saying why; with none in progress
    (the job failed before it started one), create a completed one: a review that could not be
    done must show on the PR, and never as a pass."""
    output = {"title": "The review could not be completed", "summary": reason[:1000]}
    done = {"status": "completed", "conclusion": conclusion, "output": output}
    runs = await pr.running_check_runs(head_sha, CHECK_RUN_NAME, app_id)
    for run in runs:
        await pr.update_check_run(int(run["id"]), done)
    if not runs:
        await pr.create_check_run({"name": CHECK_RUN_NAME, "head_sha": head_sha, **done})


def check_conclusion(
    findings: Sequence[Finding], fail_on: str, incomplete: bool, incomplete_conclusion: str = "failure"
) -> str:
    """``failure`` when a finding reaches ``fail_on``; else, when something that should have been
    reviewed was not (an analyzer failed, a file could not be fetched, the PR is over the limits),
    the configured ``incomplete_conclusion`` (``failure`` or ``action_required``), which branch
    protection never takes for a pass; ``success`` only for a complete review."""
    if fail_on != "never" and any(severity_at_least(f.severity, fail_on) for f in findings):
        return "failure"
    return incomplete_conclusion if incomplete else "success"


async def finish_check_run(
    pr: PullRequest,
    head_sha: str,
    check_run_id: int | None,
    outcome: ReviewOutcome,
    settings: ReviewSettings,
) -> int:
    problems = outcome.errors + outcome.incomplete
    output = check_run_output(outcome.findings, problems)
    notes = [annotation(f) for f in outcome.findings]
    batches = [
        notes[i : i + ANNOTATIONS_PER_REQUEST] for i in range(0, len(notes), ANNOTATIONS_PER_REQUEST)
    ] or [[]]
    final = {
        "status": "completed",
        "conclusion": check_conclusion(
            outcome.findings, settings.fail_on, bool(problems), settings.incomplete_conclusion
        ),
        "output": {**output, "annotations": batches[0]},
    }
    if check_run_id is None:
        check_run_id = await pr.create_check_run({"name": CHECK_RUN_NAME, "head_sha": head_sha, **final})
    else:
        await pr.update_check_run(check_run_id, final)
    for batch in batches[1:]:
        # GitHub takes 50 annotations a request; further PATCHes append to the same run.
        await pr.update_check_run(check_run_id, {"output": {**output, "annotations": batch}})
    return check_run_id
