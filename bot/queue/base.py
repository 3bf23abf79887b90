"""Review jobs, the queue protocol they travel through, and the ways a queue refuses a job.

A job is a plain, JSON-serialisable value keyed by (repository, PR number, head sha), so the
in-process queue and the Redis one (saq) carry the same jobs. Either queue guarantees: a
redelivered webhook or a second event for the same head yields no second review; a newer push
replaces a queued review of an older head; one PR is reviewed by one worker at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Protocol

import orjson

from bot.observability import current_traceparent

REMEMBER_SECONDS = 24 * 3600
REMEMBER_ITEMS = 100_000
MAX_PENDING = 10_000  # distinct PRs waiting; a job is about 2 KB, so the queue stays under ~20 MB


class QueueFull(Exception):
    """The queue holds as many waiting PRs as it may: the job was not queued and nothing was recorded,
    so the same delivery is accepted when it comes again (the receiver answers 503 to get it back)."""


class QueueUnavailable(Exception):
    """The queue's store (Redis) cannot be reached: the job was not queued and nothing was recorded
    that would refuse the same delivery later, so the receiver answers 503 and GitHub can redeliver."""


class Priority(IntEnum):
    """Which jobs go first; the Redis queue keeps one saq queue (a lane) per level."""

    LOW = -1  # drafts, the reconcile pass
    NORMAL = 0  # pushes
    HIGH = 1  # ready pull requests (opened or marked ready for review)
    CRITICAL = 2  # a person waiting on /review


LANES = ("critical", "high", "normal", "low")  # served in this order


def lane_of(priority: int, requested_by: str = "") -> str:
    """The lane of a job: a person's request is always critical, the rest by priority."""
    if requested_by or priority >= Priority.CRITICAL:
        return "critical"
    if priority >= Priority.HIGH:
        return "high"
    if priority >= Priority.NORMAL:
        return "normal"
    return "low"


@dataclass(frozen=True)
class ReviewJob:
    installation_id: int | None
    owner: str
    repo: str
    pr_number: int
    head_sha: str
    base_sha: str
    base_ref: str
    clone_url: str
    delivery_id: str = ""
    head_clone_url: str = ""  # a fork's own URL, tried when the base repository cannot serve the head
    requested_by: str = ""  # who asked with /review; "" for automatic reviews on push
    sender: str = field(default="", compare=False)  # whose action queued it (the review history's actor)
    incremental_from: str = ""  # /review --incremental: review only the commits after this head
    priority: int = 0  # higher first: a person waiting on /review goes before automatic reviews
    attempt: int = 0
    # The W3C traceparent of the span that queued the job ("" when tracing is off): the worker's
    # spans join the receiver's trace. Taken from the span current where the job is built.
    traceparent: str = field(default_factory=current_traceparent, compare=False)

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.owner.lower(), self.repo.lower(), self.pr_number, self.head_sha)

    @property
    def pr_key(self) -> tuple[str, str, int]:
        return self.key[:3]

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"

    @property
    def lane(self) -> str:
        return lane_of(self.priority, self.requested_by)

    def to_json(self) -> str:
        # The fields are all plain values: vars() is asdict() without its deep copy (per delivery).
        return orjson.dumps(vars(self), option=orjson.OPT_SORT_KEYS).decode()

    @classmethod
    def from_json(cls, raw: str | bytes) -> ReviewJob:
        return cls(**orjson.loads(raw))

    def next_attempt(self) -> ReviewJob:
        return replace(self, attempt=self.attempt + 1)


class ReviewQueue(Protocol):
    async def enqueue(self, job: ReviewJob) -> bool:
        """Queue a job; False when it is a duplicate (same delivery or same head already seen).

        Raises QueueFull or QueueUnavailable, having recorded nothing, when the job cannot be queued.
        """
        ...

    async def get(self) -> ReviewJob:
        """Wait for the next job whose PR is not being reviewed right now."""
        ...

    async def done(self, job: ReviewJob) -> None:
        """The job finished (published or given up): its PR may be reviewed again."""
        ...

    async def retry_later(self, job: ReviewJob, delay: float) -> None:
        """The job failed for a passing reason: run it again after ``delay`` seconds."""
        ...

    async def forget(self, job: ReviewJob) -> None:
        """Let the same head be queued again (after a review was given up)."""
        ...
