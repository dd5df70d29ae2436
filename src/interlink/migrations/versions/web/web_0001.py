"""web: per-user read marks of the home page's items

Revision ID: web_0001
Revises:
Create Date: 2026-12-07 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interlink.core.db


revision: str = "web_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("web",)
depends_on: str | Sequence[str] | None = "foundation_0001"


def upgrade() -> None:
    op.create_table(
        "web_reads",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("object_id", sa.BigInteger(), nullable=False),
        sa.Column("read_at", interlink.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_web_reads_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "object_type", "object_id", name=op.f("pk_web_reads")),
    )


def downgrade() -> None:
    op.drop_table("web_reads")
