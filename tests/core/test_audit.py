"""The hash-chained audit log: intact chains verify; any edit, deletion or swap is named."""

from __future__ import annotations

from concurrent.futures import wait

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import StatementError
from typer.testing import CliRunner

from interlink.cli import app as cli_app
from interlink.core import audit
from interlink.core.audit import Actor, AuditEntry, Event

ACTOR = Actor(label="tester", user_id=7, org_id=3, client_addr="127.0.0.1", request_id="r1")


def _write(database, n: int = 6) -> None:
    with database.session() as session:
        for i in range(n):
            audit.record(
                session,
                ACTOR,
                Event("record.read", "person", i, owner_org_id=3, detail={"i": i, "note": "é"}),
            )
    audit.seal_all(database)


def _verify(database):
    with database.session() as session:
        return audit.verify(session)


def _entry_id(database, seq: int) -> int:
    with database.session() as session:
        return session.scalars(select(AuditEntry.id).where(AuditEntry.seq == seq)).one()


def test_untouched_chain_verifies(database) -> None:
    _write(database)
    report = _verify(database)
    assert report.ok and report.checked == 6 and report.head_seq == 6 and report.unsealed == 0


def test_sealing_is_incremental(database) -> None:
    _write(database, 3)
    _write(database, 2)
    assert _verify(database).checked == 5


@pytest.mark.parametrize(
    "column,value",
    [
        ("action", "record.update"),
        ("actor_label", "someone-else"),
        ("object_id", "999"),
        ("client_addr", "10.9.9.9"),
        ("outcome", "denied"),
    ],
)
def test_edited_entry_is_named(database, column: str, value: str) -> None:
    _write(database)
    target = _entry_id(database, 4)
    with database.session() as session:
        session.execute(update(AuditEntry).where(AuditEntry.id == target).values({column: value}))
    report = _verify(database)
    assert not report.ok and report.seq == 4 and report.entry_id == target
    assert "altered" in report.problem


def test_edited_detail_is_named(database) -> None:
    _write(database)
    target = _entry_id(database, 2)
    with database.session() as session:
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.id == target)
            .values(detail={"i": 1, "note": "changed"})
        )
    assert _verify(database).seq == 2


def test_deleted_entry_is_named(database) -> None:
    _write(database)
    with database.session() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
    report = _verify(database)
    assert not report.ok and report.seq == 3 and "missing" in report.problem


def test_deleted_last_entry_is_detected_through_the_head(database) -> None:
    _write(database)
    with database.session() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 6))
    report = _verify(database)
    assert not report.ok and report.seq == 6 and "removed from the end" in report.problem


def test_swapped_entries_are_named(database) -> None:
    _write(database)
    a, b = _entry_id(database, 2), _entry_id(database, 3)
    with database.session() as session:  # swap their places in the chain
        session.execute(update(AuditEntry).where(AuditEntry.id == a).values(seq=-1))
        session.execute(update(AuditEntry).where(AuditEntry.id == b).values(seq=2))
        session.execute(update(AuditEntry).where(AuditEntry.id == a).values(seq=3))
    report = _verify(database)
    assert not report.ok and report.seq == 2 and report.entry_id == b


def test_rehashed_forgery_is_still_caught_downstream(database) -> None:
    """Recomputing the edited entry's own hash does not help: the next link breaks."""
    _write(database)
    with database.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.seq == 3)).one()
        entry.action = "forged"
        entry.entry_hash = audit.entry_hash(entry)
    report = _verify(database)
    assert not report.ok and report.seq == 4 and "does not follow" in report.problem


def test_group_commit_writer_persists_every_entry(database) -> None:
    writer = audit.AuditWriter(database, max_batch=50)
    try:
        futures = [
            writer.submit(ACTOR, Event("screen.document", detail={"n": i})) for i in range(300)
        ]
        done, _ = wait(futures, timeout=60)
        assert all(f.exception() is None for f in done) and len(done) == 300
    finally:
        writer.close()
    with database.session() as session:
        assert session.execute(text("SELECT COUNT(*) FROM audit_log")).scalar_one() == 300
    audit.seal_all(database)
    assert _verify(database).checked == 300


def test_group_commit_reports_failure_to_every_waiter(database) -> None:
    writer = audit.AuditWriter(database)
    try:
        # An action name longer than its column is refused by PostgreSQL; SQLite accepts it,
        # so use a value neither accepts: a non-JSON-serialisable detail.
        fut = writer.submit(ACTOR, Event("x", detail={"bad": object()}))
        with pytest.raises((TypeError, StatementError), match="not JSON serializable"):
            fut.result(timeout=30)
    finally:
        writer.close()


def test_cli_verify_names_the_altered_entry(database, tmp_path) -> None:
    _write(database)
    runner = CliRunner()
    env = {"INTERLINK_DATABASE_URL": database.url, "INTERLINK_DATA_DIR": str(tmp_path)}
    ok = runner.invoke(cli_app, ["audit", "verify"], env=env)
    assert ok.exit_code == 0 and "OK: 6 entries" in ok.output
    target = _entry_id(database, 5)
    with database.session() as session:
        session.execute(update(AuditEntry).where(AuditEntry.id == target).values(action="x"))
    bad = runner.invoke(cli_app, ["audit", "verify"], env=env)
    assert bad.exit_code == 1
    assert f"entry 5 (id {target}) was altered" in bad.output
