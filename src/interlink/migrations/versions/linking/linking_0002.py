"""linking: saved patterns and their alerts; the cursor reads hits too

Revision ID: linking_0002
Revises: linking_0001
Create Date: 2026-12-07 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interlink.core.db


revision: str = "linking_0002"
down_revision: str | Sequence[str] | None = "linking_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("link_cursor", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_hit", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.create_table(
        "link_patterns",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("daily_cap", sa.Integer(), nullable=False),
        sa.Column("expires_at", interlink.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", interlink.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("suppressed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_patterns")),
    )
    op.create_table(
        "link_pattern_alerts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "pattern_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("record_ids", sa.JSON(), nullable=False),
        sa.Column("hit_ids", sa.JSON(), nullable=False),
        sa.Column("opened_at", interlink.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pattern_id"],
            ["link_patterns.id"],
            name=op.f("fk_link_pattern_alerts_pattern_id_link_patterns"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_pattern_alerts")),
        sa.UniqueConstraint("pattern_id", "key", name=op.f("uq_link_pattern_alerts_pattern_id")),
    )
    with op.batch_alter_table("link_pattern_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_link_pattern_alerts_pattern_id"), ["pattern_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("link_pattern_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_pattern_alerts_pattern_id"))
    op.drop_table("link_pattern_alerts")
    op.drop_table("link_patterns")
    with op.batch_alter_table("link_cursor", schema=None) as batch_op:
        batch_op.drop_column("last_hit")
