"""Engine and sessions for SQLite (embedded default) and PostgreSQL (production).

Also the change feed: every write that others must notice (the screening index of every
process, for one) appends a row to `change_log` in the same transaction. Change numbers are
allocated under a lock so that they commit in order on PostgreSQL too: a follower that has
seen change N never later discovers a committed change below N.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


def utcnow() -> datetime:
    return datetime.now(UTC)


# SQLite's INTEGER PRIMARY KEY is its rowid; PostgreSQL wants BIGINT for tables that grow.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Change(Base):
    """One committed change to an entity, numbered in commit order."""

    __tablename__ = "change_log"

    number: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    op: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)


# Any constant works; it only has to be the same in every process.
_CHANGE_LOCK_KEY = 7_246_310


def emit_change(session: Session, entity: str, entity_id: int, op: str) -> None:
    """Record a change in the caller's transaction; it becomes visible when that commits."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialises change-number allocation until commit, so numbers commit in order.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHANGE_LOCK_KEY})
    session.add(Change(entity=entity, entity_id=entity_id, op=op))


def emit_changes(session: Session, entity: str, entity_ids: list[int], op: str) -> None:
    """Bulk form of `emit_change` for imports: one lock, one multi-row insert."""
    if not entity_ids:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHANGE_LOCK_KEY})
    now = utcnow()
    bulk_insert(
        session,
        Change,
        [
            {"entity": entity, "entity_id": entity_id, "op": op, "at": now}
            for entity_id in entity_ids
        ],
    )


def bulk_insert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert many rows in the caller's transaction: COPY on PostgreSQL (an order of magnitude
    faster than INSERT for imports), executemany elsewhere."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(model), rows)
        return
    from psycopg.types.json import Json

    table = model.__table__
    assert isinstance(table, Table)  # a mapped class's own table, which COPY names
    columns = list(rows[0])
    json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
    driver = session.connection().connection.driver_connection
    assert driver is not None  # a live psycopg connection inside the session's transaction
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([Json(row[c]) if c in json_columns else row[c] for c in columns])


def allocate_ids(session: Session, model: type[Base], count: int) -> list[int] | None:
    """Reserve `count` primary keys on PostgreSQL (for COPY); None elsewhere (use RETURNING)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    table = model.__table__
    assert isinstance(table, Table)
    return list(
        session.scalars(
            text(
                f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": count},
        )
    )


def latest_change(session: Session) -> int:
    return session.scalar(select(func.max(Change.number))) or 0


def changes_since(session: Session, number: int, limit: int = 10_000) -> list[Change]:
    stmt = select(Change).where(Change.number > number).order_by(Change.number).limit(limit)
    return list(session.scalars(stmt))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit is on disk before it is acknowledged, even after a power cut.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


class Database:
    """The engine and a session factory; one per application."""

    def __init__(self, url: str, *, audit_mac_key: bytes | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # The key with which audit writers MAC their entries (core/audit.py); it comes from
        # the data folder, never from the database. None: entries carry no MAC.
        self.audit_mac_key = audit_mac_key

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error."""
        with self.sessions() as session, session.begin():
            if self.audit_mac_key is not None:
                session.info["audit_mac_key"] = self.audit_mac_key
            yield session

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True

    def dispose(self) -> None:
        self.engine.dispose()
