"""Signed audit checkpoints and writer MACs: whoever holds the database but not the keys
can rewrite, truncate or re-seal the chain, and a kept checkpoint or the MACs say so."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update
from typer.testing import CliRunner

from interlink.cli import app as cli_app
from interlink.config import Settings
from interlink.core import audit, checkpoints
from interlink.core.audit import Actor, AuditEntry, AuditHead, Event, entry_values
from interlink.core.auth import Role
from interlink.core.checkpoints import Checkpoint, CheckpointSigner
from interlink.core.db import Database
from tests.support import World

ACTOR = Actor(label="tester", user_id=7, org_id=3, client_addr="127.0.0.1", request_id="r1")


@pytest.fixture
def keyed(database: Database, tmp_path: Path) -> tuple[Database, Settings]:
    """The database as the server opens it: its writers hold the MAC key."""
    settings = Settings(data_dir=tmp_path, database_url=database.url)
    database.audit_mac_key = settings.audit_mac_key
    return database, settings


def _write(db: Database, n: int) -> None:
    with db.session() as session:
        for i in range(n):
            audit.record(
                session, ACTOR, Event("record.read", "person", i, owner_org_id=3, detail={"i": i})
            )
    audit.seal_all(db)


def _reseal_from(db: Database, seq: int) -> None:
    """What a forger with write access does: recompute every hash from `seq` on and the head."""
    with db.session() as session:
        prev = (
            audit.GENESIS
            if seq == 1
            else session.scalars(
                select(AuditEntry.entry_hash).where(AuditEntry.seq == seq - 1)
            ).one()
        )
        last = seq - 1
        for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.seq >= seq).order_by(AuditEntry.seq)
        ):
            entry.prev_hash = prev
            entry.entry_hash = prev = audit.entry_hash(entry)
            last = entry.seq
        session.execute(update(AuditHead).values(seq=last, entry_hash=prev))


def _witness(db: Database, settings: Settings, path: Path) -> Checkpoint:
    signer = CheckpointSigner.from_file(settings.audit_signing_key_file)
    made = checkpoints.checkpoint_head(db, signer)
    assert made is not None
    with path.open("a") as out:
        out.write(json.dumps(made.as_dict()) + "\n")
    return made


def _verify_against(settings: Settings, path: Path, *extra: str):
    env = {
        "INTERLINK_DATABASE_URL": settings.database_url or "",
        "INTERLINK_DATA_DIR": str(settings.data_dir),
    }
    return CliRunner().invoke(cli_app, ["audit", "verify", "--against", str(path), *extra], env=env)


def test_the_key_is_made_once_outside_the_database_and_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = CheckpointSigner.from_file(settings.audit_signing_key_file)
    path = settings.audit_signing_key_file
    assert path == tmp_path / "keys" / "audit-checkpoint.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert CheckpointSigner.from_file(path).key_id == first.key_id
    elsewhere = Settings(data_dir=tmp_path, audit_signing_key=tmp_path / "hsm" / "k.pem")
    assert elsewhere.audit_signing_key_file == tmp_path / "hsm" / "k.pem"


def test_an_intact_log_extends_every_checkpoint(keyed, tmp_path: Path) -> None:
    db, settings = keyed
    kept = tmp_path / "witness.jsonl"
    _write(db, 3)
    _witness(db, settings, kept)
    _write(db, 4)
    _witness(db, settings, kept)
    _write(db, 2)
    result = _verify_against(settings, kept)
    assert result.exit_code == 0, result.output
    assert "OK: 9 entries" in result.output and "extends 2 checkpoints" in result.output
    head = CliRunner().invoke(
        cli_app,
        ["audit", "head", "--json"],
        env={"INTERLINK_DATABASE_URL": db.url, "INTERLINK_DATA_DIR": str(settings.data_dir)},
    )
    assert json.loads(head.output)["seq"] == 9


def test_truncation_and_a_resealed_head_are_caught(keyed, tmp_path: Path) -> None:
    db, settings = keyed
    kept = tmp_path / "witness.jsonl"
    _write(db, 6)
    _witness(db, settings, kept)
    with db.session() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq > 4))
    _reseal_from(db, 1)
    with db.session() as session:
        assert audit.verify(session).ok  # the chain alone cannot tell
    result = _verify_against(settings, kept)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: checkpoint at line 1 (entry 6): the log no longer contains that entry "
        "(truncated or deleted)"
    ]


def test_a_rewritten_and_resealed_entry_is_caught(keyed, tmp_path: Path) -> None:
    db, settings = keyed
    kept = tmp_path / "witness.jsonl"
    _write(db, 5)
    _witness(db, settings, kept)
    with db.session() as session:
        session.execute(
            update(AuditEntry).where(AuditEntry.seq == 2).values(actor_label="someone-else")
        )
    _reseal_from(db, 2)
    result = _verify_against(settings, kept)
    assert result.exit_code == 1
    assert "entry 5): the entry's hash differs from the signed one" in result.output
    # Without the checkpoint, the writer MAC still names the rewritten entry.
    with db.session() as session:
        report = audit.verify(session, settings.audit_mac_key)
    assert not report.ok and report.seq == 2 and "writer MAC" in report.problem


def test_a_checkpoint_with_a_bad_signature_is_reported(keyed, tmp_path: Path) -> None:
    db, settings = keyed
    kept = tmp_path / "witness.jsonl"
    _write(db, 2)
    made = _witness(db, settings, kept)
    forged = {**made.as_dict(), "seq": 1}
    kept.write_text(kept.read_text() + json.dumps(forged) + "\n")
    result = _verify_against(settings, kept)
    assert result.exit_code == 1
    assert "line 2 (entry 1): the signature does not verify" in result.output
    # A witness checks with the key it kept, not the server's (which a thief may replace).
    other = tmp_path / "other.pub"
    other.write_text(
        checkpoints.public_key_b64(CheckpointSigner.from_file(tmp_path / "other.pem").public)
    )
    wrong_key = _verify_against(settings, kept, "--public-key", str(other))
    assert wrong_key.exit_code == 1 and "line 1" in wrong_key.output
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text('{"seq": 1}\n')
    unreadable = _verify_against(settings, garbage)
    assert unreadable.exit_code == 2 and "line 1: not a checkpoint" in unreadable.output


def test_a_row_inserted_without_the_key_is_not_chained_as_genuine(keyed) -> None:
    db, _ = keyed
    _write(db, 2)
    with db.session() as session:  # straight into the table, as a database intruder would
        session.execute(insert(AuditEntry), [entry_values(ACTOR, Event("record.read"))])
    _write(db, 1)
    with db.session() as session:
        forged = session.scalars(select(AuditEntry).where(AuditEntry.seq == 3)).one()
        assert forged.authentic is False and forged.mac is None
        report = audit.verify(session)
    assert not report.ok and report.seq == 3
    assert "inserted outside the application" in report.problem
    # Flipping the mark back breaks the entry's own hash; re-sealing leaves a gap in the MACs.
    with db.session() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(authentic=None))
    _reseal_from(db, 3)
    with db.session() as session:
        report = audit.verify(session)
    assert not report.ok and report.seq == 3 and "no writer MAC" in report.problem


def test_checkpoints_are_published_to_oversight_and_bureaus(world: World) -> None:
    world.db.audit_mac_key = world.settings.audit_mac_key
    _write(world.db, 3)
    signer = CheckpointSigner.from_file(world.settings.audit_signing_key_file)
    checkpoints.checkpoint_head(world.db, signer)
    assert checkpoints.checkpoint_head(world.db, signer) is None  # nothing new to sign
    assert world.client().get("/api/v1/audit/checkpoint-key").status_code == 401
    key = (
        world.api_as(world.user("NCB-FR", Role.OFFICER)).get("/api/v1/audit/checkpoint-key").json()
    )
    public = checkpoints.load_public_key(key["public_key"])
    for role, org in ((Role.OVERSIGHT, "CCF"), (Role.SUPERVISOR, "NCB-FR")):
        client = world.api_as(world.user(org, role, mfa=role is Role.OVERSIGHT))
        latest = client.get("/api/v1/audit/checkpoints/latest")
        assert latest.status_code == 200, latest.text
        checkpoint = Checkpoint.from_dict(latest.json())
        assert checkpoint.seq == 3 and checkpoints.signature_valid(checkpoint, public)
        listed = client.get("/api/v1/audit/checkpoints").json()["items"]
        assert [item["seq"] for item in listed] == [3]
    officer = world.api_as(world.user("NCB-FR", Role.OFFICER))
    refused = officer.get("/api/v1/audit/checkpoints")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
