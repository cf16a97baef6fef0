"""Content-addressed shared records and the compact stored form of a decision (issue 16).

``stored_blob`` holds JSON keyed by the SHA-256 of its canonical form (a catalogue version's
rules and fixed texts); rows are never updated or deleted (triggers, like the event log).
``decision.record_digest`` names the record a decision's compact columns refer to.

Existing rows are not converted: they stay in the full form, which every reader still reads
(``recommender.decide.stored_form``: a decision without ``record_digest`` is read as it is).
Converting them would rewrite ``decision.guardrails`` and ``decision_item.reasons``, which the
chained events of those decisions have bound by digest, so ``lotse audit verify`` would rightly
report every old decision as edited.

Revision ID: 0015_stored_blob
Revises: 0013_inbound_cases
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_stored_blob"
down_revision: str | None = "0013_inbound_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MESSAGE = "stored_blob rows are content-addressed and never change"


def upgrade() -> None:
    op.create_table(
        "stored_blob",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.add_column("decision", sa.Column("record_digest", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER stored_blob_no_{verb.lower()} BEFORE {verb} ON stored_blob "
                       f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END")
        return
    op.execute("CREATE FUNCTION lotse_stored_blob_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
               f"BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$")
    op.execute("CREATE TRIGGER stored_blob_immutable BEFORE UPDATE OR DELETE ON stored_blob "
               "FOR EACH ROW EXECUTE FUNCTION lotse_stored_blob_immutable()")
    op.execute("CREATE TRIGGER stored_blob_no_truncate BEFORE TRUNCATE ON stored_blob "
               "FOR EACH STATEMENT EXECUTE FUNCTION lotse_stored_blob_immutable()")


def downgrade() -> None:
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("record_digest")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER stored_blob_no_update")
        op.execute("DROP TRIGGER stored_blob_no_delete")
    else:
        op.execute("DROP TRIGGER stored_blob_no_truncate ON stored_blob")
        op.execute("DROP TRIGGER stored_blob_immutable ON stored_blob")
        op.execute("DROP FUNCTION lotse_stored_blob_immutable()")
    op.drop_table("stored_blob")
