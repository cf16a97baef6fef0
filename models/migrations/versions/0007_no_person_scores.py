"""Erase the stored per-item P(job within 6 months): a prediction about the person (G7, issue 17).

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE decision_item SET score = NULL WHERE score IS NOT NULL")


def downgrade() -> None:
    """Nothing to restore: the erased figures are gone on purpose."""
