"""What the review history records and what its trends query answers (pydantic, at the edges)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["pr_review", "analysis"]
Bucket = Literal["day", "week"]
Count = Annotated[int, Field(ge=0)]


class ReviewRecord(BaseModel):
    """One PR review or one analysis, as it finished: who, what, when, what it found, its cost."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind
    repo: str = Field(min_length=1, max_length=1000)  # "owner/name", or the analysed URL/path
    number: int | None = None  # the PR's number; None for an analysis
    head_sha: str = Field(max_length=200)
    actor: str = Field(default="", max_length=200)  # who asked (the sender, or the API user)
    org: str = Field(default="", max_length=200)  # the installation's account, or the API user's org
    started_at: datetime
    finished_at: datetime
    duration_s: float = Field(ge=0)
    conclusion: str = Field(max_length=100)  # the check run's conclusion, or done/failed
    findings_total: int = Field(default=0, ge=0)
    by_severity: dict[str, Count] = Field(default_factory=dict)
    by_tool: dict[str, Count] = Field(default_factory=dict)
    by_rule: dict[str, Count] = Field(default_factory=dict)  # "tool:rule" -> count
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    analysis_id: str | None = Field(default=None, max_length=200)


class TrendPoint(BaseModel):
    """One day or week (starting on Monday, UTC) of a repository's reviews."""

    start: date
    reviews: int
    findings: int
    by_severity: dict[str, int]
    duration_median_s: float | None  # None when no review finished in the bucket
    duration_p90_s: float | None


class TrendsResult(BaseModel):
    """Findings and time-to-review of a repository over a window: every bucket, empty ones too."""

    repo: str
    bucket: Bucket
    since: datetime
    until: datetime
    points: list[TrendPoint]
