"""records: a check's reason keeps its message, to be read in each reader's language

Revision ID: records_0003
Revises: records_0002
Create Date: 2026-12-07 21:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "records_0003"
down_revision: str | Sequence[str] | None = "records_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Results stored before keep no message: they are shown in English, as stored.
    with op.batch_alter_table("notice_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_text", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notice_checks", schema=None) as batch_op:
        batch_op.drop_column("reason_text")
