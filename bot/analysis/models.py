"""The REST API's analysis request and record (pydantic: validated at the edge, serialised as is)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

AnalysisStatus = Literal["queued", "running", "done", "failed"]
Priority = Literal["low", "normal", "high"]

MAX_REPOSITORY_CHARS = 2048
MAX_REF_CHARS = 255  # refs are checked further in bot/analysis/targets.py
MAX_TAGS = 20
MAX_TAG_CHARS = 64


class AnalysisRequest(BaseModel):
    """What to analyse: ``repository`` is a git URL on the allow-list or a path under a configured
    root (bot/analysis/targets.py decides); ``base``..``head`` is the range reviewed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    repository: str = Field(min_length=1, max_length=MAX_REPOSITORY_CHARS)
    base: str = Field(min_length=1, max_length=MAX_REF_CHARS)
    head: str = Field(min_length=1, max_length=MAX_REF_CHARS)
    priority: Priority = "normal"
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)

    @field_validator("tags")
    @classmethod
    def _bounded_tags(cls, tags: list[str]) -> list[str]:
        for tag in tags:
            if not tag or len(tag) > MAX_TAG_CHARS or not tag.isprintable():
                raise ValueError(f"each tag must be 1-{MAX_TAG_CHARS} printable characters")
        return tags


class Analysis(BaseModel):
    """One analysis as the API shows it; ``result`` is the JSON of ``review-bot review --format json``."""

    id: str
    status: AnalysisStatus
    user: str
    org: str
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    request: AnalysisRequest
    result: dict[str, Any] | None = None
    error: str | None = None
