"""The reviews table and its finding counts by severity, tool and rule.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements only INTEGER keys


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", ID, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("repo", sa.String(1000), nullable=False),
        sa.Column("repo_key", sa.String(1000), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("head_sha", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("org", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("conclusion", sa.String(100), nullable=False),
        sa.Column("findings_total", sa.Integer(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("analysis_id", sa.String(200), nullable=True),
    )
    op.create_index("ix_reviews_repo_finished", "reviews", ["repo_key", "finished_at"])
    op.create_table(
        "finding_counts",
        sa.Column("review_id", ID, sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("dimension", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_finding_counts_dimension_key", "finding_counts", ["dimension", "key"])


def downgrade() -> None:
    op.drop_index("ix_finding_counts_dimension_key", table_name="finding_counts")
    op.drop_table("finding_counts")
    op.drop_index("ix_reviews_repo_finished", table_name="reviews")
    op.drop_table("reviews")
