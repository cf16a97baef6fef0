"""API tokens of machine clients and the outbox of the outbound feed (issue 20).

``api_token`` keeps only the SHA-256 of each token. ``feed_entry`` is the transactional outbox
of ``GET /api/v1/feed``; its ``seq`` is unique and assigned in commit order.

Revision ID: 0012_api_tokens_and_feed
Revises: 0014_kpi_figure (relinked after main gained 0014)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_api_tokens_and_feed"
down_revision: str | None = "0014_kpi_figure"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jobcenter_id", sa.Integer(), sa.ForeignKey("jobcenter.id"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_api_token_jobcenter_id", "api_token", ["jobcenter_id"])
    op.create_index("ix_api_token_token_sha256", "api_token", ["token_sha256"], unique=True)
    op.create_table(
        "feed_entry",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("jobcenter_id", sa.Integer(), sa.ForeignKey("jobcenter.id"), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("case_pseudonym", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_feed_entry_seq", "feed_entry", ["seq"], unique=True)
    op.create_index("ix_feed_entry_jobcenter_id", "feed_entry", ["jobcenter_id"])


def downgrade() -> None:
    op.drop_index("ix_feed_entry_jobcenter_id", table_name="feed_entry")
    op.drop_index("ix_feed_entry_seq", table_name="feed_entry")
    op.drop_table("feed_entry")
    op.drop_index("ix_api_token_token_sha256", table_name="api_token")
    op.drop_index("ix_api_token_jobcenter_id", table_name="api_token")
    op.drop_table("api_token")
