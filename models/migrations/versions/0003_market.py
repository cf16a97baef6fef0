"""Labour-market tables: market indicators per occupation x region, job posting counts.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "market_indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kldb", sa.String(length=5), nullable=False),
        sa.Column("ags", sa.String(length=5), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("unemployed", sa.Integer(), nullable=False),
        sa.Column("vacancies", sa.Integer(), nullable=False),
        sa.Column("vacancies_year_ago", sa.Integer(), nullable=True),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kldb", "ags", name="uq_market_indicator_kldb_ags"),
    )
    op.create_index("ix_market_indicator_kldb", "market_indicator", ["kldb"])
    op.create_index("ix_market_indicator_ags", "market_indicator", ["ags"])
    op.create_index("ix_market_indicator_illustrative", "market_indicator", ["illustrative"])
    op.create_table(
        "job_posting_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kldb5", sa.String(length=5), nullable=False),
        sa.Column("ags", sa.String(length=5), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kldb5", "ags", name="uq_job_posting_count_kldb5_ags"),
    )
    op.create_index("ix_job_posting_count_kldb5", "job_posting_count", ["kldb5"])
    op.create_index("ix_job_posting_count_ags", "job_posting_count", ["ags"])


def downgrade() -> None:
    op.drop_table("job_posting_count")
    op.drop_table("market_indicator")
