"""Request and response models of the REST API's own routes (analyses and trends bring theirs:
bot/analysis/models.py, bot/history/models.py). The OpenAPI document is generated from these."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.analysis.models import Analysis
from bot.api.principal import Role


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int = Field(ge=100, le=599)
    detail: str | None = None
    instance: str | None = None
    errors: list[ValidationIssue] | None = None  # where a request failed validation


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_key: str = Field(min_length=1, max_length=200, description="rbk_<key id>.<secret>")


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme's name, not a secret
    expires_in: int = Field(description="seconds")
    expires_at: datetime


class Profile(BaseModel):
    user: str
    org: str
    role: Role
    key_id: str
    usage_today: int = Field(description="requests counted in the current quota window")
    daily_quota: int
    remaining: int
    quota_resets_at: datetime
    per_minute: int


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class AnalysisPage(BaseModel):
    items: list[Analysis]
    page: int
    per_page: int
    total: int


class TrendsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: datetime | None = None
    until: datetime | None = None
    bucket: Literal["day", "week"] = "day"
