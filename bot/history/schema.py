"""The history's tables (SQLAlchemy Core). The migrations in bot/history/migrations create them;
this module is what the queries are written against, and must agree with the latest migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData()


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A moment in UTC: timezone-aware in PostgreSQL, naive UTC in SQLite (which keeps no offset);
    read back always as an aware UTC datetime, so comparisons never mix naive and aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return as_utc(value)


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("repo", sa.String(1000), nullable=False),
    sa.Column("repo_key", sa.String(1000), nullable=False),  # repo lowercased: GitHub names ignore case
    sa.Column("number", sa.Integer(), nullable=True),
    sa.Column("head_sha", sa.String(200), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("org", sa.String(200), nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("finished_at", UTCDateTime(), nullable=False),
    # The UTC day and the Monday of the UTC week it finished, kept at insert so that grouping by
    # them is the same plain GROUP BY on every database.
    sa.Column("day", sa.Date(), nullable=False),
    sa.Column("week", sa.Date(), nullable=False),
    sa.Column("duration_s", sa.Float(), nullable=False),
    sa.Column("conclusion", sa.String(100), nullable=False),
    sa.Column("findings_total", sa.Integer(), nullable=False),
    sa.Column("prompt_tokens", sa.Integer(), nullable=False),
    sa.Column("completion_tokens", sa.Integer(), nullable=False),
    sa.Column("analysis_id", sa.String(200), nullable=True),
    sa.Index("ix_reviews_repo_finished", "repo_key", "finished_at"),
)

# One row per (review, dimension, key): dimension is "severity", "tool" or "rule".
finding_counts = sa.Table(
    "finding_counts",
    metadata,
    sa.Column(
        "review_id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        sa.ForeignKey("reviews.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("dimension", sa.String(16), primary_key=True),
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("count", sa.Integer(), nullable=False),
    sa.Index("ix_finding_counts_dimension_key", "dimension", "key"),
)
