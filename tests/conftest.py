"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL: INTERLINK_TEST_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
Each test process migrates its own schema once; each test starts from truncated tables with
the member countries seeded. With CI=true an unreachable PostgreSQL fails the run; elsewhere
those tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from interlink.config import Settings
from interlink.core import migrate
from interlink.core.db import Database
from interlink.members import service as members
from tests.support import World

PG_URL = os.environ.get(
    "INTERLINK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# The command line speaks the machine's locale (LANG, LC_ALL): the tests expect English unless
# they ask for another language, whatever the machine they run on.
os.environ["INTERLINK_LANG"] = "en"


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except OperationalError as exc:
        return f"PostgreSQL at {PG_URL} unreachable: {str(exc.orig).strip()[:120]}"


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    problem = _pg_available()
    if problem:
        if IN_CI:
            pytest.fail(f"CI=true and {problem}", pytrace=False)
        pytest.skip(problem)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    schema = f"t_{worker}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    migrate.upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "interlink.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    db = Database(url)
    with db.session() as session:
        members.seed_members(session)
    db.dispose()
    return path


def _truncate_and_seed(db: Database) -> None:
    existing = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    tables = sorted(existing)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    with db.session() as session:
        members.seed_members(session)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "interlink.db"
        shutil.copy(sqlite_template, path)
        db = Database(f"sqlite:///{path}")
    else:
        db = Database(request.getfixturevalue("pg_schema_url"))
        _truncate_and_seed(db)
    yield db
    db.dispose()


@pytest.fixture
def settings(tmp_path: Path, database: Database) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database.url,
        background_workers=False,
        secure_cookies=False,
        log_json=False,
    )


@pytest.fixture
def world(database: Database, settings: Settings) -> World:
    return World(database, settings)
