"""The `interlink` command: thin wrappers that parse, call services and print."""

from __future__ import annotations

from pathlib import Path

import typer

from interlink.assembly import cli as assembly_cli
from interlink.blocklist import cli as blocklist_cli
from interlink.clikit import (
    DataDirOption,
    JsonOption,
    cli_errors,
    console,
    emit,
    fail,
    open_db,
    operator,
    settings_for,
)
from interlink.core import audit, migrate
from interlink.core.auth import Perm, Role
from interlink.linking import cli as linking_cli
from interlink.members import service as members
from interlink.messaging import cli as messaging_cli
from interlink.records import cli as records_cli
from interlink.screening import cli as screening_cli

app = typer.Typer(help="Interlink: multilateral police cooperation platform.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="User administration.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for machine clients.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
members_app = typer.Typer(help="Member countries and organisations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(audit_app, name="audit")
app.add_typer(members_app, name="members")
app.add_typer(records_cli.app, name="records")
app.add_typer(screening_cli.screen_app, name="screen")
app.add_typer(screening_cli.mrz_app, name="mrz")
app.add_typer(blocklist_cli.app, name="blocklist")
app.add_typer(assembly_cli.app, name="assembly")
app.add_typer(messaging_cli.app, name="messaging")
app.add_typer(linking_cli.app, name="links")

# Capabilities add their own command groups here: (typer app, name).
CAPABILITY_COMMANDS: list[tuple[typer.Typer, str]] = []


def upgrade_and_seed(data_dir: Path | None) -> int:
    settings = settings_for(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url)
    with open_db(settings) as db, db.session() as session:
        return members.seed_members(session)


@db_app.command("upgrade")
@cli_errors
def db_upgrade(data_dir: Path | None = DataDirOption) -> None:
    """Create or migrate the schema and seed the member countries and their bureaus."""
    added = upgrade_and_seed(data_dir)
    console.print(f"schema up to date; {added} member and organisation rows added")


@app.command()
@cli_errors
def serve(
    data_dir: Path | None = DataDirOption,
    host: str | None = typer.Option(None, help="Address to listen on"),
    port: int | None = typer.Option(None, help="Port to listen on"),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes"),
) -> None:
    """Run the web server (API, pages and background work)."""
    import os

    import uvicorn

    settings = settings_for(data_dir)
    if data_dir:
        os.environ["INTERLINK_DATA_DIR"] = str(data_dir)
    uvicorn.run("interlink.app:app_from_env", factory=True, host=host or settings.host,
                port=port or settings.port, workers=workers, log_config=None,
                proxy_headers=True)


@app.command()
@cli_errors
def demo(
    data_dir: Path = typer.Option(Path("demo-data"), "--data-dir", help="Demo data folder"),
    port: int = typer.Option(8000, help="Port to serve the demo on"),
    persons: int = typer.Option(2000, min=0, max=1_000_000, help="Synthetic persons to create"),
    serve_too: bool = typer.Option(True, "--serve/--no-serve", help="Start the server after"),
    seed: int = typer.Option(2026, help="Random seed for the synthetic world"),
) -> None:
    """Create a fresh demo world in a new data folder, print the logins, and serve it."""
    import os

    from interlink.demo import build_demo_world

    logins = build_demo_world(data_dir, persons=persons, seed=seed)
    base = f"http://127.0.0.1:{port}"
    console.print(f"\nDemo world ready in {data_dir}/ — open {base}\n")
    emit([login.as_row() for login in logins], False,
         columns=["username", "password", "role", "organisation", "totp_secret"],
         title="Demo logins (synthetic; second-factor users: add the secret to an authenticator)")
    if serve_too:
        os.environ["INTERLINK_DATA_DIR"] = str(data_dir)
        os.environ.setdefault("INTERLINK_SECURE_COOKIES", "false")  # plain HTTP on localhost
        import uvicorn

        uvicorn.run("interlink.app:app_from_env", factory=True, host="127.0.0.1", port=port,
                    log_config=None)


# --- users and tokens ------------------------------------------------------------------------


@users_app.command("create")
@cli_errors
def users_create(
    username: str,
    org: str = typer.Option(..., help="Organisation code, e.g. NCB-MA or GS"),
    role: list[Role] = typer.Option(..., help="Role (repeat for several)"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    name: str = typer.Option("", help="Display name"),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Create a user in an organisation."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        organisation = members.org_by_code(session, org.upper())
        user = members.create_user(session, operator(session), members.NewUser(
            username=username, display_name=name or username, org_id=organisation.id,
            roles=list(role), password=password))
        emit({"id": user.id, "username": user.username, "org": organisation.code,
              "roles": ",".join(user.roles)}, as_json)


@users_app.command("list")
@cli_errors
def users_list(org: str | None = typer.Option(None, help="Only this organisation code"),
               as_json: bool = JsonOption, data_dir: Path | None = DataDirOption) -> None:
    """List users."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        rows = [{"id": u.id, "username": u.username, "org": u.org.code,
                 "roles": ",".join(u.roles), "active": u.active,
                 "mfa": u.totp_secret is not None}
                for u in members.list_users(session, operator(session))
                if org is None or u.org.code == org.upper()]
    emit(rows, as_json, columns=["id", "username", "org", "roles", "active", "mfa"])


@users_app.command("set-password")
@cli_errors
def users_set_password(
    username: str,
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Reset a user's password (and lift a lockout)."""
    from sqlalchemy import select

    from interlink.members.models import User

    with open_db(settings_for(data_dir)) as db, db.session() as session:
        user = session.scalars(select(User).where(User.username == username.lower())).first()
        if user is None:
            raise fail(f"no user {username!r}", 4)
        members.update_user(session, operator(session), user.id, password=password)
    console.print(f"password of {username} reset")


@tokens_app.command("create")
@cli_errors
def tokens_create(
    name: str = typer.Option(..., help="What system uses it, e.g. 'Rabat airport border system'"),
    org: str = typer.Option(..., help="Organisation code"),
    permission: list[Perm] = typer.Option(..., help="Permission (repeat for several)"),
    days: int = typer.Option(90, min=1, max=366),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Create an API token; the secret is printed once."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        organisation = members.org_by_code(session, org.upper())
        token, issued = members.create_token(
            session, operator(session), org_id=organisation.id, name=name,
            permissions=list(permission), days=days)
        emit({"id": token.id, "token": issued.plaintext, "org": organisation.code,
              "expires_at": token.expires_at.isoformat()}, as_json)


@tokens_app.command("list")
@cli_errors
def tokens_list(as_json: bool = JsonOption, data_dir: Path | None = DataDirOption) -> None:
    """List API tokens (never their secrets)."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        rows = [{"id": t.id, "name": t.name, "org": t.org.code,
                 "permissions": ",".join(t.permissions),
                 "expires_at": t.expires_at.isoformat(timespec="seconds"),
                 "revoked": t.revoked_at is not None,
                 "last_used_at": t.last_used_at.isoformat(timespec="seconds")
                 if t.last_used_at else None}
                for t in members.list_tokens(session, operator(session))]
    emit(rows, as_json)


@tokens_app.command("revoke")
@cli_errors
def tokens_revoke(token_id: int, data_dir: Path | None = DataDirOption) -> None:
    """Revoke an API token at once."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        members.revoke_token(session, operator(session), token_id)
    console.print(f"token {token_id} revoked")


# --- audit -----------------------------------------------------------------------------------


@audit_app.command("verify")
@cli_errors
def audit_verify(as_json: bool = JsonOption, data_dir: Path | None = DataDirOption) -> None:
    """Seal pending entries, then check the whole hash chain; exit 1 and name the first bad
    entry if it was altered, deleted or reordered."""
    with open_db(settings_for(data_dir)) as db:
        audit.seal_all(db)
        with db.session() as session:
            report = audit.verify(session)
    if as_json:
        emit(report.as_dict(), True)
    elif report.ok:
        console.print(f"OK: {report.checked} entries, chain intact (head {report.head_seq})")
    if not report.ok:
        raise fail(f"audit chain broken: {report.problem}", 1)


@audit_app.command("head")
@cli_errors
def audit_head(data_dir: Path | None = DataDirOption) -> None:
    """Print the chain head (sequence and hash): publish it elsewhere to anchor the log."""
    from interlink.core.audit import AuditHead

    with open_db(settings_for(data_dir)) as db:
        audit.seal_all(db)
        with db.session() as session:
            head = session.get(AuditHead, 1)
            emit({"seq": head.seq if head else 0,
                  "hash": head.entry_hash if head else audit.GENESIS}, True)


@members_app.command("list")
@cli_errors
def members_list(as_json: bool = JsonOption, data_dir: Path | None = DataDirOption) -> None:
    """List member countries with their region and status."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        rows = [{"code": m.code, "name": m.name, "region": m.region, "suspended": m.suspended,
                 "in_arrears": m.in_arrears} for m in members.list_members(session)]
    emit(rows, as_json)


def main() -> None:
    for sub_app, name in CAPABILITY_COMMANDS:
        app.add_typer(sub_app, name=name)
    app()


if __name__ == "__main__":
    main()
