"""Shared pieces of every `interlink` sub-command: settings, database, operator, output, errors."""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
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

# The command line speaks INTERLINK_LANG, else the POSIX locale (docs/languages.md). English
# never loads the catalogs: `interlink --help` must start fast.
LANGUAGE_VARIABLES = ("INTERLINK_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_language = "en"


def language_from_environment(environ: Mapping[str, str]) -> str:
    """The first locale variable set decides, as in POSIX: 'fr_FR.UTF-8' -> 'fr'; 'C',
    'POSIX' or a language without a catalog -> 'en'."""
    for name in LANGUAGE_VARIABLES:
        value = environ.get(name, "").strip()
        if value:
            code = re.split(r"[._@-]", value, maxsplit=1)[0].lower()
            known = code.isalpha() and (LOCALE_DIR / code / "LC_MESSAGES").is_dir()
            return code if known else "en"
    return "en"


@contextmanager
def environment_language() -> Iterator[None]:
    """The language of one command line, from before anything is printed to its exit."""
    global _language
    _language = language_from_environment(os.environ)
    token = None
    if _language != "en":
        from interlink.core.i18n import use_language

        token = use_language(_language)
    try:
        yield
    finally:
        if token is not None:
            from interlink.core.i18n import reset_language

            reset_language(token)
        _language = "en"


def tr(message: str, /, **params: Any) -> str:
    """A msgid (or a service's `Msg`) in the command line's language, placeholders filled;
    any other text (a library's error) as it is."""
    if _language != "en":
        from interlink.core.i18n import translate

        message = translate(message)
    return message % params if params else message


def say(message: str, /, **params: Any) -> None:
    """Print a message of the command line, in its language (never read as rich markup)."""
    console.print(tr(message, **params), markup=False, highlight=False)


def translate_help(command: Any) -> None:
    """Put a command's help, its options' help and its sub-commands' in the command line's
    language. typer builds them from docstrings and `help=` strings, which
    `interlink.core.catalogs.extract_cli` extracts as msgids."""
    if _language == "en":
        return
    for item in (command, *getattr(command, "params", ())):
        for attribute in ("help", "short_help"):
            if getattr(item, attribute, None):
                setattr(item, attribute, tr(getattr(item, attribute)))
    for sub_command in getattr(command, "commands", {}).values():
        translate_help(sub_command)


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


def fail(message: str, code: int = 1, /, **params: Any) -> typer.Exit:
    """One line on stderr and the exit code; `message` is a msgid (or a service's `Msg`)."""
    err_console.print(
        tr("error: %(message)s", message=tr(message, **params)),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
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
                    "database unavailable or not set up (%(reason)s); run 'interlink db upgrade'",
                    7,
                    reason=getattr(exc, "orig", exc),
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
        say("(nothing)")
        return
    from rich.table import Table

    columns = list(columns or rows[0].keys())
    table = Table(title=tr(title) if title else None)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console.print(table)
