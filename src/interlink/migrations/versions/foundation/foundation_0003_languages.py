"""foundation: a user's language, a bureau's default language and digits

Revision ID: foundation_0003_languages
Revises: foundation_0002_hardening
Create Date: 2027-01-18 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "foundation_0003_languages"
down_revision: str | Sequence[str] | None = "foundation_0002_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_language", sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column("digits", sa.String(length=8), server_default="latn", nullable=False)
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("digits")
        batch_op.drop_column("default_language")
