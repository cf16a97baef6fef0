"""At most one open assignment per case: two simultaneous claims cannot both succeed (issue 15).

Claiming an unassigned case reads "no open assignment" and then inserts one. Two counsellors
doing that at the same moment on PostgreSQL (READ COMMITTED) would both read "none" and both
insert; the case would then sit in two caseloads. A partial unique index on
``case_assignment(job_seeker_id) WHERE ended_at IS NULL`` lets the database refuse the second
insert; ``recommender.casework.assignment.claim_case`` turns that into "someone else has just
taken on this case". Before the index is built, any case that already has several open
assignments keeps only its newest one open (the others are ended at the newest one's start),
so the upgrade never fails on existing data.

Revision ID: 0011_one_open_assignment
Revises: 0012_api_tokens_and_feed (relinked after main's 0014 and 0012; written against 0009_plan_step)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_one_open_assignment"
down_revision: str | None = "0012_api_tokens_and_feed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "uq_case_assignment_open"
_OPEN = "ended_at IS NULL"
_CLOSE_OLDER = """
UPDATE case_assignment SET ended_at = (
    SELECT MAX(newer.assigned_at) FROM case_assignment newer
    WHERE newer.job_seeker_id = case_assignment.job_seeker_id AND newer.ended_at IS NULL)
WHERE ended_at IS NULL AND id <> (
    SELECT MAX(latest.id) FROM case_assignment latest
    WHERE latest.job_seeker_id = case_assignment.job_seeker_id AND latest.ended_at IS NULL)
"""


def upgrade() -> None:
    op.execute(_CLOSE_OLDER)
    op.create_index(INDEX, "case_assignment", ["job_seeker_id"], unique=True,
                    sqlite_where=sa.text(_OPEN), postgresql_where=sa.text(_OPEN))


def downgrade() -> None:
    op.drop_index(INDEX, table_name="case_assignment")
