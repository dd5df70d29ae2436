"""Set-up and administration commands: `interlink db`, `users`, `tokens`, `audit`, `members`.

Imported only when one of these commands runs (see `interlink.cli`).
"""

from __future__ import annotations

from pathlib import Path

import typer

from interlink.clikit import (
    DataDirOption,
    JsonOption,
    cli_errors,
    console,
    emit,
    fail,
    open_db,
    operator,
    say,
    settings_for,
    tr,
)
from interlink.core import audit, migrate
from interlink.core.auth import Perm, Role
from interlink.members import service as members

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="User administration.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for machine clients.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
members_app = typer.Typer(help="Member countries and organisations.", no_args_is_help=True)


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
    say("schema up to date; %(count)s member and organisation rows added", count=added)


# --- users and tokens ------------------------------------------------------------------------


@users_app.command("create")
@cli_errors
def users_create(
    username: str,
    org: str = typer.Option(..., help="Organisation code, e.g. NCB-MA or GS"),
    role: list[Role] = typer.Option(..., help="Role (repeat for several)"),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="Asked for when not given"
    ),
    name: str = typer.Option("", help="Display name"),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Create a user in an organisation."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        organisation = members.org_by_code(session, org.upper())
        user = members.create_user(
            session,
            operator(session),
            members.NewUser(
                username=username,
                display_name=name or username,
                org_id=organisation.id,
                roles=list(role),
                password=password,
            ),
        )
        emit(
            {
                "id": user.id,
                "username": user.username,
                "org": organisation.code,
                "roles": ",".join(user.roles),
            },
            as_json,
        )


@users_app.command("list")
@cli_errors
def users_list(
    org: str | None = typer.Option(None, help="Only this organisation code"),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """List users."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        rows = [
            {
                "id": u.id,
                "username": u.username,
                "org": u.org.code,
                "roles": ",".join(u.roles),
                "active": u.active,
                "mfa": u.totp_secret is not None,
            }
            for u in members.list_users(session, operator(session))
            if org is None or u.org.code == org.upper()
        ]
    emit(rows, as_json, columns=["id", "username", "org", "roles", "active", "mfa"])


@users_app.command("set-password")
@cli_errors
def users_set_password(
    username: str,
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="Asked for when not given"
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Reset a user's password (and lift a lockout)."""
    from sqlalchemy import select

    from interlink.members.models import User

    with open_db(settings_for(data_dir)) as db, db.session() as session:
        user = session.scalars(select(User).where(User.username == username.lower())).first()
        if user is None:
            raise fail("no user %(username)r", 4, username=username)
        members.update_user(session, operator(session), user.id, password=password)
    say("password of %(username)s reset", username=username)


@users_app.command("unlock")
@cli_errors
def users_unlock(username: str, data_dir: Path | None = DataDirOption) -> None:
    """Forget an account's failed logins at once (login throttling, docs/security.md)."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        cleared = members.clear_lockout(session, operator(session), username)
    say(
        "failed logins of %(username)s forgotten (%(count)s counters)",
        username=username.lower(),
        count=cleared,
    )


@tokens_app.command("create")
@cli_errors
def tokens_create(
    name: str = typer.Option(..., help="What system uses it, e.g. 'Rabat airport border system'"),
    org: str = typer.Option(..., help="Organisation code"),
    permission: list[Perm] = typer.Option(..., help="Permission (repeat for several)"),
    days: int = typer.Option(90, min=1, max=366, help="Days until the token expires"),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Create an API token; the secret is printed once."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        organisation = members.org_by_code(session, org.upper())
        token, issued = members.create_token(
            session,
            operator(session),
            org_id=organisation.id,
            name=name,
            permissions=list(permission),
            days=days,
        )
        emit(
            {
                "id": token.id,
                "token": issued.plaintext,
                "org": organisation.code,
                "expires_at": token.expires_at.isoformat(),
            },
            as_json,
        )


@tokens_app.command("list")
@cli_errors
def tokens_list(as_json: bool = JsonOption, data_dir: Path | None = DataDirOption) -> None:
    """List API tokens (never their secrets)."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        rows = [
            {
                "id": t.id,
                "name": t.name,
                "org": t.org.code,
                "permissions": ",".join(t.permissions),
                "expires_at": t.expires_at.isoformat(timespec="seconds"),
                "revoked": t.revoked_at is not None,
                "last_used_at": t.last_used_at.isoformat(timespec="seconds")
                if t.last_used_at
                else None,
            }
            for t in members.list_tokens(session, operator(session))
        ]
    emit(rows, as_json)


@tokens_app.command("revoke")
@cli_errors
def tokens_revoke(token_id: int, data_dir: Path | None = DataDirOption) -> None:
    """Revoke an API token at once."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        members.revoke_token(session, operator(session), token_id)
    say("token %(token)s revoked", token=token_id)


# --- audit -----------------------------------------------------------------------------------


@audit_app.command("verify")
@cli_errors
def audit_verify(
    against: Path | None = typer.Option(
        None,
        "--against",
        exists=True,
        dir_okay=False,
        help="JSON-lines file of signed checkpoints a witness kept: prove the log extends "
        "every one",
    ),
    public_key: Path | None = typer.Option(
        None,
        "--public-key",
        exists=True,
        dir_okay=False,
        help="The checkpoint key as the witness kept it (PEM or base64); default: this "
        "server's key",
    ),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Seal pending entries, then check the whole hash chain and the writers' MACs; exit 1
    and name the first bad entry (or checkpoint) if the log was altered, deleted, reordered,
    truncated or re-sealed."""
    from interlink.core import checkpoints

    settings = settings_for(data_dir)
    witnessed = checkpoints.read_witness_file(against) if against else None
    if public_key is not None:
        key = checkpoints.load_public_key(public_key.read_text(encoding="utf-8"))
    elif witnessed is not None:
        key = checkpoints.CheckpointSigner.from_file(settings.audit_signing_key_file).public
    with open_db(settings) as db:
        audit.seal_all(db)
        with db.session() as session:
            if witnessed is None:
                report = audit.verify(session, db.audit_mac_key)
                result, problem = report.as_dict(), report.problem
            else:
                witness = checkpoints.verify_against(session, witnessed, key, db.audit_mac_key)
                report = witness.chain or audit.VerifyReport(False, 0, 0, 0)
                result, problem = witness.as_dict(), witness.problem
    if as_json:
        emit(result, True)
    elif problem is None:
        if witnessed is None:
            say(
                "OK: %(count)s entries, chain intact (head %(head)s)",
                count=report.checked,
                head=report.head_seq,
            )
        else:
            say(
                "OK: %(count)s entries, chain intact (head %(head)s), extends %(checkpoints)s "
                "checkpoints",
                count=report.checked,
                head=report.head_seq,
                checkpoints=len(witnessed),
            )
    if problem is not None:
        if witnessed is not None:
            raise fail(problem, 1)
        raise fail("audit chain broken: %(problem)s", 1, problem=tr(problem))


@audit_app.command("head")
@cli_errors
def audit_head(as_json: bool = JsonOption, data_dir: Path | None = DataDirOption) -> None:
    """Print the chain head (sequence and hash) after sealing what is pending."""
    from interlink.core.audit import AuditHead

    with open_db(settings_for(data_dir)) as db:
        audit.seal_all(db)
        with db.session() as session:
            head = session.get(AuditHead, 1)
            seq, digest = (head.seq, head.entry_hash) if head else (0, audit.GENESIS)
    if as_json:
        emit({"seq": seq, "hash": digest}, True)
    else:
        console.print(f"{seq} {digest}")


@audit_app.command("checkpoint")
@cli_errors
def audit_checkpoint(data_dir: Path | None = DataDirOption) -> None:
    """Sign the chain head now and print the checkpoint as one JSON line (for a witness's
    file); the server also does this every audit_checkpoint_interval seconds."""
    import json

    from interlink.core import checkpoints

    settings = settings_for(data_dir)
    signer = checkpoints.CheckpointSigner.from_file(settings.audit_signing_key_file)
    with open_db(settings) as db:
        made = checkpoints.checkpoint_head(db, signer)
        if made is None:
            with db.session() as session:
                last = checkpoints.latest(session)
                assert last is not None
                made = checkpoints.Checkpoint.of_row(last)
    typer.echo(json.dumps(made.as_dict(), sort_keys=True))


@audit_app.command("key")
@cli_errors
def audit_key(data_dir: Path | None = DataDirOption) -> None:
    """Print the public key that verifies audit checkpoints (base64 of its raw bytes)."""
    from interlink.core import checkpoints

    signer = checkpoints.CheckpointSigner.from_file(settings_for(data_dir).audit_signing_key_file)
    typer.echo(checkpoints.public_key_b64(signer.public))


@members_app.command("list")
@cli_errors
def members_list(as_json: bool = JsonOption, data_dir: Path | None = DataDirOption) -> None:
    """List member countries with their region and status."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        rows = [
            {
                "code": m.code,
                "name": m.name,
                "region": m.region,
                "suspended": m.suspended,
                "in_arrears": m.in_arrears,
            }
            for m in members.list_members(session)
        ]
    emit(rows, as_json)
