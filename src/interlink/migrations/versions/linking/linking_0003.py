"""linking: persons' travel-document numbers in a table, for the shared-document pattern

Revision ID: linking_0003
Revises: linking_0002
Create Date: 2026-12-07 18:40:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "linking_0003"
down_revision: str | Sequence[str] | None = "linking_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000


def upgrade() -> None:
    op.create_table(
        "link_person_documents",
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("number", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_link_person_documents_record_id_records")
        ),
        sa.PrimaryKeyConstraint("record_id", "number", name=op.f("pk_link_person_documents")),
    )
    with op.batch_alter_table("link_person_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_link_person_documents_number"), ["number"], unique=False
        )
    # the numbers of the persons already stored (as linking/documents.py reads them)
    records = sa.table(
        "records", sa.column("id", sa.BigInteger()), sa.column("kind"), sa.column("data")
    )
    documents = sa.table(
        "link_person_documents", sa.column("record_id"), sa.column("number", sa.String())
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(records.c.id, records.c.data).where(records.c.kind == "person")
    )
    found: list[dict[str, object]] = []
    for record_id, data in rows:
        body = json.loads(data) if isinstance(data, str) else data
        numbers = {
            str(d["number"]).upper()[:200]
            for d in (body or {}).get("identity_documents", ())
            if isinstance(d, dict) and d.get("number")
        }
        found += [{"record_id": record_id, "number": n} for n in sorted(numbers)]
        if len(found) >= BATCH:
            connection.execute(documents.insert(), found)
            found = []
    if found:
        connection.execute(documents.insert(), found)


def downgrade() -> None:
    with op.batch_alter_table("link_person_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_person_documents_number"))
    op.drop_table("link_person_documents")
