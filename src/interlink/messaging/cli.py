"""`interlink messaging`: key rotation, public keys, overdue follow-ups, webhook delivery."""

from __future__ import annotations

from pathlib import Path

import typer

from interlink.clikit import (
    DataDirOption,
    JsonOption,
    cli_errors,
    emit,
    open_db,
    operator,
    say,
    settings_for,
)
from interlink.members import service as members
from interlink.members.service import org_codes
from interlink.messaging import followups, signing, webhooks
from interlink.messaging.context import context_for

app = typer.Typer(
    help="Secure messaging: signing keys, data keys, follow-ups, webhooks.", no_args_is_help=True
)


@app.command("rotate-key")
@cli_errors
def rotate_key(
    org: str = typer.Option(..., help="Organisation code, e.g. NCB-MA"),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Retire an organisation's signing key and create a new one (old signatures stay valid)."""
    settings = settings_for(data_dir)
    ctx = context_for(settings)
    with open_db(settings) as db, db.session() as session:
        organisation = members.org_by_code(session, org.upper())
        key = signing.rotate_signing_key(
            session, ctx.keys, organisation.id, operator(session).actor
        )
        emit(
            {
                "org": organisation.code,
                "key_id": key.key_id,
                "valid_from": key.valid_from.isoformat(),
            },
            as_json,
        )


@app.command("rotate-data-key")
@cli_errors
def rotate_data_key(data_dir: Path | None = DataDirOption) -> None:
    """Add a new AES-GCM data key: new bodies and attachments use it, old ones keep theirs."""
    number = context_for(settings_for(data_dir)).keys.rotate_data_key()
    say("data key %(number)s is now used for new ciphertexts", number=number)


@app.command("keys")
@cli_errors
def list_keys(
    org: str | None = typer.Option(None, help="Only this organisation code"),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Organisations' public signing keys and their validity."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        org_id = members.org_by_code(session, org.upper()).id if org else None
        keys = signing.signing_keys(session, org_id)
        codes = org_codes(session, {k.org_id for k in keys})
        rows = [
            {
                "org": codes[k.org_id],
                "key_id": k.key_id,
                "public_key": k.public_key.hex(),
                "valid_from": k.valid_from.isoformat(timespec="seconds"),
                "valid_until": k.valid_until.isoformat(timespec="seconds")
                if k.valid_until
                else None,
            }
            for k in keys
        ]
    emit(rows, as_json, columns=["org", "key_id", "valid_from", "valid_until"])


@app.command("overdue")
@cli_errors
def overdue(as_json: bool = JsonOption, data_dir: Path | None = DataDirOption) -> None:
    """Hit follow-ups whose owner has not answered in time (every bureau)."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        views = followups.followups_for(session, operator(session), overdue_only=True, limit=500)
        rows = [
            {
                "hit": v.followup.hit_id,
                "record": v.followup.record_id,
                "searching": v.searching_code,
                "owner": v.owner_code,
                "due_at": v.followup.due_at.isoformat(timespec="seconds"),
                "waiting_hours": round(v.waiting.total_seconds() / 3600, 1),
            }
            for v in views
        ]
    emit(rows, as_json)


@app.command("deliver-webhooks")
@cli_errors
def deliver_webhooks(data_dir: Path | None = DataDirOption) -> None:
    """One delivery pass now (the server does this every few seconds by itself)."""
    settings = settings_for(data_dir)
    with open_db(settings) as db:
        attempted = webhooks.deliver_due(db, context_for(settings))
    say("%(count)s deliveries attempted", count=attempted)
