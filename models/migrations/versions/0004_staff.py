"""Staff side: login throttling, case-access grants, case notes, per-case "work without AI".

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "case_access_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("job_seeker_id", sa.Integer(), sa.ForeignKey("job_seeker.id"), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_access_grant_user_id", "case_access_grant", ["user_id"])
    op.create_index("ix_case_access_grant_job_seeker_id", "case_access_grant", ["job_seeker_id"])
    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_seeker_id", sa.Integer(), sa.ForeignKey("job_seeker.id"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("visible_to_job_seeker", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_note_job_seeker_id", "case_note", ["job_seeker_id"])
    op.create_index("ix_case_note_author_id", "case_note", ["author_id"])
    op.create_table(
        "case_mode",
        sa.Column("job_seeker_id", sa.Integer(), sa.ForeignKey("job_seeker.id"), nullable=False),
        sa.Column("without_ai", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("job_seeker_id"),
    )


def downgrade() -> None:
    op.drop_table("case_mode")
    op.drop_index("ix_case_note_author_id", table_name="case_note")
    op.drop_index("ix_case_note_job_seeker_id", table_name="case_note")
    op.drop_table("case_note")
    op.drop_index("ix_case_access_grant_job_seeker_id", table_name="case_access_grant")
    op.drop_index("ix_case_access_grant_user_id", table_name="case_access_grant")
    op.drop_table("case_access_grant")
    op.drop_table("login_throttle")
