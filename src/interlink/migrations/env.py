"""Alembic environment: the URL comes from the Config, the tables from every capability."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from interlink.core.db import make_engine
from interlink.models import load_all_models

target_metadata = load_all_models().metadata
config = context.config


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """When generating one capability's revision, look only at that capability's tables."""
    only = config.attributes.get("only_tables")
    if only is None:
        return True
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is None or table.name in only


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
