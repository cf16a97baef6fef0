"""The event log refuses ids <= 0 and ids below the newest one; signed checkpoints (G11, issue 16).

``lotse audit verify`` used to start after id 0, so a forged event with id <= 0 was never
read; and an event slipped in below the newest id could be chained by whoever recomputed the
hashes after it. The database now refuses both on insert. SQLite checks after the insert
(``NEW.id`` is only known then for an automatic rowid) and aborts the statement; PostgreSQL
checks before it (the sequence default is applied first).

``audit_checkpoint`` holds the signed seals of the log head (``recommender.records.checkpoints``);
it is append-only like the log.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "event ids must be positive and increasing"
SEALED = "audit checkpoints are append-only"


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("prev_seal", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_checkpoint_no_{verb.lower()} BEFORE {verb} ON audit_checkpoint "
                       f"BEGIN SELECT RAISE(ABORT, '{SEALED}'); END")
        op.execute(
            "CREATE TRIGGER event_ids_in_order AFTER INSERT ON event "
            "WHEN NEW.id <= 0 OR EXISTS (SELECT 1 FROM event WHERE id > NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
        return
    op.execute(
        "CREATE FUNCTION lotse_checkpoint_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{SEALED}'; END $$"
    )
    op.execute("CREATE TRIGGER audit_checkpoint_sealed BEFORE UPDATE OR DELETE ON audit_checkpoint "
               "FOR EACH ROW EXECUTE FUNCTION lotse_checkpoint_sealed()")
    op.execute(
        "CREATE FUNCTION lotse_event_ids_in_order() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF NEW.id <= 0 OR EXISTS (SELECT 1 FROM event WHERE id >= NEW.id) THEN "
        f"RAISE EXCEPTION '{MESSAGE}'; END IF; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER event_ids_in_order BEFORE INSERT ON event "
        "FOR EACH ROW EXECUTE FUNCTION lotse_event_ids_in_order()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER event_ids_in_order")
    else:
        op.execute("DROP TRIGGER event_ids_in_order ON event")
        op.execute("DROP FUNCTION lotse_event_ids_in_order()")
    op.drop_table("audit_checkpoint")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION lotse_checkpoint_sealed()")
