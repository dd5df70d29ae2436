"""records: a person circulates under the requests that cover it (reach)

Revision ID: records_0002
Revises: records_0001
Create Date: 2026-12-07 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interlink.core.db


revision: str = "records_0002"
down_revision: str | Sequence[str] | None = "records_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reach_mode", sa.String(length=8), nullable=False, server_default="all")
        )
        batch_op.add_column(
            sa.Column("reach_countries", sa.String(length=1200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "circulates_until", interlink.core.db.UTCDateTime(timezone=True), nullable=True
            )
        )
    # A subject page lists who accessed the record: look-ups by object, newest first.
    op.create_index("ix_audit_log_object", "audit_log", ["object_type", "object_id", "id"])
    # Existing persons circulated at once; from now on only a circulated request covers one.
    # The covered ones keep reach "all" until their next change recomputes it exactly.
    op.execute(
        "UPDATE records SET circulated = EXISTS (SELECT 1 FROM notices "
        "WHERE notices.subject_record_id = records.id "
        "AND notices.state IN ('published', 'circulated')) "
        "WHERE kind = 'person'"
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_object", table_name="audit_log")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("circulates_until")
        batch_op.drop_column("reach_countries")
        batch_op.drop_column("reach_mode")
