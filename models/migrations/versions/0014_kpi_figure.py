"""Other Jobcenters' benchlearning figures (issue 20): ``lotse kpi import`` writes them here.

Revision ID: 0014_kpi_figure
Revises: 0009_plan_step
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_kpi_figure"
down_revision: str | None = "0009_plan_step"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kpi_figure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jobcenter", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("team", sa.String(length=32), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("module", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("people", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("schema_version", sa.String(length=16), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("jobcenter", "period", "team", "indicator", "module"),
    )
    op.create_index("ix_kpi_figure_jobcenter", "kpi_figure", ["jobcenter"])
    op.create_index("ix_kpi_figure_period", "kpi_figure", ["period"])


def downgrade() -> None:
    op.drop_index("ix_kpi_figure_period", table_name="kpi_figure")
    op.drop_index("ix_kpi_figure_jobcenter", table_name="kpi_figure")
    op.drop_table("kpi_figure")
