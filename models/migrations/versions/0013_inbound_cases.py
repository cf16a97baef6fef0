"""Inbound cases from a Fachverfahren and the job-seeker's hand-off consent (issue 20, item 3).

``external_case`` maps the Fachverfahren's case number per Jobcenter to a Lotse case;
``handoff_consent`` records the revocable consent to pass onboarding answers on; ``handoff``
records which version of the answers was read by the Fachverfahren, and when.

Revision ID: 0013_inbound_cases
Revises: 0011_one_open_assignment
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_inbound_cases"
down_revision: str | None = "0011_one_open_assignment"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "external_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jobcenter_id", sa.Integer(), sa.ForeignKey("jobcenter.id"), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("job_seeker_id", sa.Integer(), sa.ForeignKey("job_seeker.id"), nullable=False),
        sa.Column("line_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("jobcenter_id", "external_id"),
        sa.UniqueConstraint("job_seeker_id"),
    )
    op.create_index("ix_external_case_jobcenter_id", "external_case", ["jobcenter_id"])
    op.create_table(
        "handoff_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_seeker_id", sa.Integer(), sa.ForeignKey("job_seeker.id"), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("text_version", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoff_consent_job_seeker_id", "handoff_consent", ["job_seeker_id"])
    op.create_table(
        "handoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_seeker_id", sa.Integer(), sa.ForeignKey("job_seeker.id"), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), sa.ForeignKey("profile_snapshot.id"), nullable=False),
        sa.Column("consent_id", sa.Integer(), sa.ForeignKey("handoff_consent.id"), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoff_job_seeker_id", "handoff", ["job_seeker_id"])


def downgrade() -> None:
    op.drop_index("ix_handoff_job_seeker_id", table_name="handoff")
    op.drop_table("handoff")
    op.drop_index("ix_handoff_consent_job_seeker_id", table_name="handoff_consent")
    op.drop_table("handoff_consent")
    op.drop_index("ix_external_case_jobcenter_id", table_name="external_case")
    op.drop_table("external_case")
