"""Shared pieces of every `interlink` sub-command: settings, database, operator, output, errors."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from interlink.core.errors import DomainError

# Imported inside the functions that need them, so that `interlink --help` starts fast.
if TYPE_CHECKING:
    from rich.progress import Progress
    from sqlalchemy.orm import Session

    from interlink.config import Settings
    from interlink.core.auth import Principal
    from interlink.core.db import Database

P = ParamSpec("P")
R = TypeVar("R")
console = Console() if sys.stdout.isatty() else Console(width=200)
err_console = Console(stderr=True)

DataDirOption = typer.Option(
    None, "--data-dir", help="Data folder (default INTERLINK_DATA_DIR or ./data)"
)
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table")


def progress_bar() -> Progress:
    """The progress bar of long commands (imports, batch screening); it vanishes when
    stderr is not a terminal, so logs and pipes keep only the summary."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=not sys.stderr.isatty(),
    )


def settings_for(data_dir: Path | None) -> Settings:
    from interlink.config import load_settings

    return load_settings(data_dir=data_dir) if data_dir else load_settings()


@contextmanager
def open_db(settings: Settings) -> Iterator[Database]:
    from interlink.core.db import Database

    db = Database(settings.resolved_database_url, audit_mac_key=settings.audit_mac_key)
    try:
        yield db
    finally:
        db.dispose()


def operator(session: Session) -> Principal:
    """The console operator acts for the General Secretariat, as the platform's administrator.

    Whoever can run this command on the server already holds the database; the audit log
    still names them by their system account.
    """
    from interlink.core.auth import OrgKind, Perm, Principal
    from interlink.members.service import GS_CODE, org_by_code

    gs = org_by_code(session, GS_CODE)
    return Principal(
        label=f"cli:{getpass.getuser()}",
        org_id=gs.id,
        org_kind=OrgKind.GENERAL_SECRETARIAT,
        country=None,
        permissions=frozenset(Perm),
    )


def acting_for(session: Session, member: str) -> Principal:
    """The console operator acting for a member's bureau (`--as MA` / `--owner MA`): what it
    does is owned by, and audited for, that bureau."""
    from interlink.core.auth import OrgKind, Perm, Principal
    from interlink.members.service import ncb_of

    org = ncb_of(session, member)
    return Principal(
        label=f"cli:{getpass.getuser()}",
        org_id=org.id,
        org_kind=OrgKind.NCB,
        country=org.country,
        permissions=frozenset(Perm),
    )


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def cli_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn domain and database errors into one line on stderr and a non-zero exit."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            raise fail(exc.detail, exc.exit_code) from None
        except (OSError, ValueError) as exc:
            raise fail(str(exc), 2) from None
        except Exception as exc:
            if _database_unavailable(exc):
                raise fail(
                    f"database unavailable or not set up ({getattr(exc, 'orig', exc)}); "
                    "run 'interlink db upgrade'",
                    7,
                ) from None
            raise

    return wrapper


def _database_unavailable(exc: Exception) -> bool:
    # Only a command that imported SQLAlchemy can have met its OperationalError.
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
    return sqlalchemy_errors is not None and isinstance(exc, sqlalchemy_errors.OperationalError)


def emit(
    rows: Sequence[dict[str, Any]] | dict[str, Any],
    as_json: bool,
    columns: Sequence[str] | None = None,
    title: str | None = None,
) -> None:
    if as_json:
        sys.stdout.write(json.dumps(rows, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    if isinstance(rows, dict):
        rows = [rows]
    if not rows:
        console.print("(nothing)")
        return
    from rich.table import Table

    columns = list(columns or rows[0].keys())
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console.print(table)
