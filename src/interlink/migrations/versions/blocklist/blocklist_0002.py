"""blocklist: a closing reason the platform writes keeps its message, for each reader's language

Revision ID: blocklist_0002
Revises: blocklist_0001
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "blocklist_0002"
down_revision: str | Sequence[str] | None = "blocklist_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reasons stored before keep no message: they are shown in English, as stored.
    with op.batch_alter_table("blocklist_domains", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_reason_text", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("blocklist_domains", schema=None) as batch_op:
        batch_op.drop_column("closed_reason_text")
