"""Plan steps keyed by (case, advice module) instead of flags on decision items (issue 15).

Existing plans move over: for each case and module the most recently planned item gives the
due date and done time. Then ``decision_item.in_plan`` and ``done_at`` are dropped (the
counsellor's ``due_date`` on an item stays).

Revision ID: 0009_plan_step
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_plan_step"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COPY = """
INSERT INTO plan_step (job_seeker_id, module_id, due_date, done_at, added_at)
SELECT d.job_seeker_id, i.module_id, i.due_date, i.done_at, d.created_at
FROM decision_item i JOIN decision d ON d.id = i.decision_id
WHERE i.in_plan AND d.created_at = (
    SELECT MAX(d2.created_at) FROM decision_item i2 JOIN decision d2 ON d2.id = i2.decision_id
    WHERE i2.in_plan AND i2.module_id = i.module_id AND d2.job_seeker_id = d.job_seeker_id)
"""


def upgrade() -> None:
    op.create_table(
        "plan_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_seeker_id", sa.Integer(), sa.ForeignKey("job_seeker.id"), nullable=False),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_seeker_id", "module_id"),
    )
    op.create_index("ix_plan_step_job_seeker_id", "plan_step", ["job_seeker_id"])
    op.execute(_COPY)
    with op.batch_alter_table("decision_item") as batch_op:
        batch_op.drop_column("in_plan")
        batch_op.drop_column("done_at")


def downgrade() -> None:
    with op.batch_alter_table("decision_item") as batch_op:
        batch_op.add_column(sa.Column("in_plan", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("done_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_index("ix_plan_step_job_seeker_id", table_name="plan_step")
    op.drop_table("plan_step")
