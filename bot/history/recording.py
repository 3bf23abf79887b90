"""Recording a PR review in the history: a reporter around the GitHub one that, once the review is
published, writes one row. Recording is best effort: bounded in time, its failures logged
(without secrets) and never raised, so the review itself is never failed or retried for it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from analyzers.base import Finding
from bot.history.models import ReviewRecord
from bot.pipeline.checkrun import check_conclusion

if TYPE_CHECKING:
    from bot.history.store import HistoryStore
    from bot.pipeline.analyze import ReviewOutcome
    from bot.pipeline.run import Change, Reporter
    from bot.queue import ReviewJob

log = logging.getLogger(__name__)

RECORD_TIMEOUT = 10.0  # seconds a review waits for its history row at most


def finding_counts(findings: Iterable[Finding]) -> tuple[int, dict[str, int], dict[str, int], dict[str, int]]:
    """Total, and counts by severity, by tool and by "tool:rule"."""
    severity: Counter[str] = Counter()
    tool: Counter[str] = Counter()
    rule: Counter[str] = Counter()
    total = 0
    for finding in findings:
        total += 1
        severity[str(finding.severity)] += 1
        tool[finding.tool] += 1
        rule[f"{finding.tool}:{finding.rule_id}"] += 1
    return total, dict(severity), dict(tool), dict(rule)


async def record_safely(store: HistoryStore, record: ReviewRecord) -> bool:
    """Write ``record``; False (logged: the kind of failure, never the URL or its password) when
    the database is down, slow or refuses it."""
    try:
        async with asyncio.timeout(RECORD_TIMEOUT):
            await store.record(record)
    except Exception as exc:
        log.warning(
            "review history: %s of %s not recorded (%s)", record.kind, record.repo, type(exc).__name__
        )
        return False
    return True


@dataclass
class RecordingReporter:
    """``inner`` (the GitHub reporter), then one history row for the published review."""

    inner: Reporter
    store: HistoryStore
    job: ReviewJob
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started: float = field(default_factory=time.monotonic)

    async def start(self) -> None:
        self.started_at, self.started = datetime.now(UTC), time.monotonic()
        await self.inner.start()

    async def report(self, outcome: ReviewOutcome, change: Change) -> None:
        await self.inner.report(outcome, change)
        await record_safely(
            self.store, pr_review_record(self.job, outcome, change, self.started_at, self.started)
        )


def pr_review_record(
    job: ReviewJob, outcome: ReviewOutcome, change: Change, started_at: datetime, started: float
) -> ReviewRecord:
    """The history row of one published PR review: what the check run concluded and counted."""
    settings = change.policy.settings
    problems = bool(outcome.errors or outcome.incomplete)
    review = outcome.discussion.review if outcome.discussion is not None else None
    return job_record(
        job,
        started_at,
        started,
        conclusion=check_conclusion(
            outcome.findings, settings.fail_on, problems, settings.incomplete_conclusion
        ),
        findings=outcome.findings,
        prompt_tokens=review.prompt_tokens if review is not None else 0,
        completion_tokens=review.completion_tokens if review is not None else 0,
    )


def given_up_record(job: ReviewJob, conclusion: str, started_at: datetime, started: float) -> ReviewRecord:
    """The history row of a review the worker gave up: no findings, the check run's conclusion
    (never a pass), and the time the last attempt took before the bot gave its verdict."""
    return job_record(job, started_at, started, conclusion=conclusion)


def job_record(
    job: ReviewJob,
    started_at: datetime,
    started: float,
    *,
    conclusion: str,
    findings: Iterable[Finding] = (),
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
) -> ReviewRecord:
    """One PR review job's row: who, which head, when and how long, how it ended, what it found."""
    total, severity, tool, rule = finding_counts(findings)
    return ReviewRecord(
        kind="pr_review",
        repo=job.full_name,
        number=job.pr_number,
        head_sha=job.head_sha,
        actor=(job.requested_by or job.sender)[:200],
        org=job.owner,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        duration_s=max(0.0, time.monotonic() - started),
        conclusion=conclusion,
        findings_total=total,
        by_severity=severity,
        by_tool=tool,
        by_rule=rule,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )


def with_history(reporter: Reporter, store: HistoryStore | None, job: ReviewJob) -> Reporter:
    """``reporter`` recording into ``store``; ``reporter`` itself when there is no history."""
    return reporter if store is None else RecordingReporter(reporter, store, job)
