"""Imported Jobsuche postings by reference number, so imports of several pages add up.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_posting",
        sa.Column("refnr", sa.String(length=64), nullable=False),
        sa.Column("kldb5", sa.String(length=5), nullable=True),
        sa.Column("kreise", sa.String(length=300), nullable=False),
        sa.Column("version", sa.String(length=2), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("refnr"),
    )


def downgrade() -> None:
    op.drop_table("job_posting")
