"""Provisional measures on screening and read paths, deletions and corrections carried out
with signed receipts from every copy, and the re-entry guard."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from interlink.core.errors import Conflict, Forbidden, NotFound
from interlink.messaging.models import Webhook, WebhookDelivery
from interlink.records import importer
from interlink.records import service as records
from interlink.records.blocking import set_block
from interlink.records.models import Record
from interlink.records.restrictions import Restrictions
from interlink.rights import service
from interlink.rights.models import CopyNotice, Hold
from interlink.screening.engine import ScreeningEngine
from interlink.screening.models import Hit
from interlink.screening.person_matcher import PersonQuery
from tests.rights.conftest import KARIM, T0, Rights

QUERY = PersonQuery(name="Karim Benali", birth_date="1984-05-17")


def _found(
    engine: ScreeningEngine, record_id: int, country: str | None = "FR", query: PersonQuery = QUERY
) -> bool:
    return record_id in {h.record_id for h in engine.persons.search(query, country)}


def _case_with_holding(rights: Rights, kind: str = "deletion") -> int:
    case_id = rights.file(kind).case.id
    rights.admit(case_id)
    with rights.db.session() as session:
        service.find_holdings(session, rights.commission, case_id, now=T0)
    return case_id


def test_block_leaves_screening_within_a_second_and_lifting_restores(rights: Rights) -> None:
    engine = ScreeningEngine(rights.db).build()
    record = rights.person(rights.ma)
    rights.circulate(rights.ma, record)
    engine.refresh()
    assert _found(engine, record.id)
    case_id = _case_with_holding(rights)
    with rights.db.session() as session:
        measure = service.place_measure(
            session,
            rights.commission,
            case_id,
            action="block",
            target="record",
            target_id=record.id,
            reason_category="pending_examination",
        )
    committed = time.perf_counter()
    engine.refresh()
    assert not _found(engine, record.id)
    assert time.perf_counter() - committed < 1.0
    # every read path: another bureau no longer sees it; the owner and the commission do
    with rights.db.session() as session, pytest.raises(NotFound):
        records.get_record(session, rights.fr, record.id)
    with rights.db.session() as session:
        assert records.get_record(session, rights.ma, record.id).access_blocked
        assert records.get_record(session, rights.commission, record.id)
        assert [m.reason_category for m in service.measures_for_owner(session, rights.ma)] == [
            "pending_examination"
        ]
    with rights.db.session() as session, pytest.raises(Conflict):
        service.place_measure(
            session,
            rights.commission,
            case_id,
            action="block",
            target="record",
            target_id=record.id,
            reason_category="pending_examination",
        )
    with rights.db.session() as session:
        service.lift_measure(session, rights.commission, measure.id)
    engine.refresh()
    assert _found(engine, record.id)
    with rights.db.session() as session:
        assert records.get_record(session, rights.fr, record.id)


def test_only_the_commission_blocks(rights: Rights) -> None:
    record = rights.person(rights.ma)
    for principal in (rights.ma, rights.gs, rights.fr):
        with rights.db.session() as session, pytest.raises(Forbidden):
            set_block(session, principal, "record", record.id, True, "pending_examination")
    with rights.db.session() as session:
        assert not session.get(Record, record.id).access_blocked


def test_measure_needs_a_known_reason_category(rights: Rights) -> None:
    record = rights.person(rights.ma)
    case_id = _case_with_holding(rights)
    from interlink.core.errors import InvalidInput

    with rights.db.session() as session, pytest.raises(InvalidInput):
        service.place_measure(
            session,
            rights.commission,
            case_id,
            action="block",
            target="record",
            target_id=record.id,
            reason_category="",
        )


def _seed_copies(rights: Rights, record_id: int) -> None:
    """Two other bureaus got the data: FR through a screening hit, DE through a webhook."""
    with rights.db.session() as session:
        session.add(
            Hit(
                kind="person",
                record_id=record_id,
                owner_org_id=rights.ma.org_id,
                searching_org_id=rights.fr.org_id,
                searching_label="fr",
                score=0.9,
                match="name",
                query={},
                explanation={},
            )
        )
        hook = Webhook(
            org_id=rights.de.org_id,
            url="https://de.example/hook",
            events=["hit.new"],
            secret_ciphertext=b"x",
            created_by="de",
        )
        session.add(hook)
        session.flush()
        session.add(
            WebhookDelivery(
                webhook_id=hook.id,
                event="hit.new",
                status="delivered",
                payload={"record_id": record_id, "hit_id": 1},
            )
        )


def test_deletion_is_carried_out_and_every_copy_acknowledges(rights: Rights) -> None:
    engine = ScreeningEngine(rights.db).build()
    record = rights.person(rights.ma)
    _seed_copies(rights, record.id)
    case_id = _case_with_holding(rights)
    with rights.db.session() as session:
        service.place_measure(
            session,
            rights.commission,
            case_id,
            action="block",
            target="record",
            target_id=record.id,
            reason_category="possible_political_character",
        )
    with rights.db.session() as session:
        decision = service.decide(
            session,
            rights.commission,
            rights.policy,
            case_id,
            outcome="non_compliant",
            reasoning="The record concerns a matter of a political character.",
            orders=[service.NewOrder("delete", "record", record.id)],
            now=T0,
        )
    engine.refresh()
    assert not _found(engine, record.id, None)
    with rights.db.session() as session:
        row = session.get(Record, record.id)
        assert row.status == "erased" and row.data == {} and "erased" in row.label
        assert all(v.data == {} for v in records.history(session, "record", record.id)[:-1])
    # the owner cannot undo it
    with rights.db.session() as session, pytest.raises(Conflict):
        records.extend_retention(session, rights.ma, record.id, "we still need this record")
    with rights.db.session() as session, pytest.raises(Conflict):
        records.update_record(session, rights.ma, record.id, KARIM)
    # every copy was told: the owner, FR (hit) and DE (webhook)
    with rights.db.session() as session:
        copies = service.copies_of_decision(session, rights.commission, decision.id)
    assert {(c.org_code, tuple(c.sources)) for c in copies} == {
        ("NCB-MA", ("owner",)),
        ("NCB-FR", ("hit",)),
        ("NCB-DE", ("webhook",)),
    }
    for principal in (rights.ma, rights.fr):
        with rights.db.session() as session:
            [(notice, order)] = service.copy_notices_for(session, principal)
            assert order.action == "delete" and order.target_id == record.id
            service.acknowledge_copy(
                session, principal, rights.keys, notice.id, now=T0 + timedelta(days=2)
            )
    with rights.db.session() as session:
        copies = {
            c.org_code: c
            for c in service.copies_of_decision(session, rights.commission, decision.id)
        }
    assert copies["NCB-MA"].receipt_valid and copies["NCB-FR"].receipt_valid
    missing = [c.org_name for c in copies.values() if c.acknowledged_at is None]
    assert missing == ["NCB Germany"] and not copies["NCB-DE"].receipt_valid
    # a receipt altered in the database no longer verifies
    with rights.db.session() as session:
        notice = session.scalars(
            select(CopyNotice).where(CopyNotice.org_id == rights.fr.org_id)
        ).one()
        notice.acknowledged_at += timedelta(seconds=1)
    with rights.db.session() as session:
        copies = {
            c.org_code: c
            for c in service.copies_of_decision(session, rights.commission, decision.id)
        }
        assert not copies["NCB-FR"].receipt_valid
    with rights.db.session() as session, pytest.raises(NotFound):
        service.acknowledge_copy(session, rights.fr, rights.keys, notice.id + 100)
    with rights.db.session() as session:
        stats = service.statistics(session, 2026)[0]
        assert (stats["data_blocked"], stats["data_deleted"], stats["non_compliant"]) == (1, 1, 1)
        assert service.statistics_from_audit(session, 2026) == [stats]


def test_correction_is_carried_out_and_cannot_be_set_back(rights: Rights) -> None:
    record = rights.person(rights.ma)
    case_id = _case_with_holding(rights, "correction")
    corrected = {**KARIM, "birth_date": "1986-02-03"}
    with rights.db.session() as session:
        service.decide(
            session,
            rights.commission,
            rights.policy,
            case_id,
            outcome="non_compliant",
            reasoning="The birth date recorded is wrong; the applicant's civil records prove it.",
            orders=[service.NewOrder("correct", "record", record.id, corrected)],
            now=T0,
        )
    with rights.db.session() as session:
        assert session.get(Record, record.id).data["birth_date"] == "1986-02-03"
    with rights.db.session() as session, pytest.raises(Forbidden, match="binding decision"):
        records.update_record(session, rights.ma, record.id, KARIM)
    with rights.db.session() as session:  # other changes stay the owner's to make
        records.update_record(
            session, rights.ma, record.id, {**corrected, "nationalities": ["MA", "FR"]}
        )


def _deleted_as_non_compliant(rights: Rights):
    """Morocco's record of Karim Benali, deleted by a decision: the guard now watches it."""
    record = rights.person(rights.ma)
    case_id = _case_with_holding(rights)
    with rights.db.session() as session:
        return service.decide(
            session,
            rights.commission,
            rights.policy,
            case_id,
            outcome="non_compliant",
            reasoning="The record concerns a matter of a political character.",
            orders=[service.NewOrder("delete", "record", record.id)],
            now=T0,
        )


def test_reentry_guard_holds_a_matching_new_record(rights: Rights) -> None:
    engine = ScreeningEngine(rights.db).build()
    decision = _deleted_as_non_compliant(rights)
    # the same bureau enters the person again, spelled a little differently, and asks
    # other members to look for them
    again = rights.person(rights.ma, {**KARIM, "names": [{"full_name": "Kareem Ben Ali"}]})
    rights.circulate(rights.ma, again)
    with rights.db.session() as session:
        assert (
            service.reentry_hold(session, rights.ma.org_id, again.data).decision_id == decision.id
        )
        row = session.get(Record, again.id)
        assert row.access_blocked is True
        [hold] = service.holds(session, rights.commission)
        assert (hold.record_id, hold.decision_id) == (again.id, decision.id)
        assert hold.score >= service.REENTRY_THRESHOLD
    as_entered = PersonQuery(name="Kareem Ben Ali", birth_date="1984-05-17")
    engine.refresh()
    assert not _found(engine, again.id, query=as_entered)
    with rights.db.session() as session, pytest.raises(NotFound):
        records.get_record(session, rights.fr, again.id)
    # another person, or the same person from another bureau, circulates as usual
    other = rights.person(
        rights.ma, {**KARIM, "names": [{"full_name": "Youssef Amrani"}], "birth_date": "1990-01-01"}
    )
    elsewhere = rights.person(rights.fr)
    with rights.db.session() as session:
        assert not session.get(Record, other.id).access_blocked
        assert not session.get(Record, elsewhere.id).access_blocked
        assert len(session.scalars(select(Hold)).all()) == 1
    # the commission's review releases it
    with rights.db.session() as session:
        service.review_hold(
            session,
            rights.commission,
            hold.id,
            release=True,
            reason="New, lawful warrant attached.",
        )
    engine.refresh()
    assert _found(engine, again.id, query=as_entered)


def test_reentry_guard_holds_a_matching_record_in_a_bulk_import(rights: Rights) -> None:
    """The guard does not depend on the door: a file import is held like a single record."""
    decision = _deleted_as_non_compliant(rights)
    lines = [
        json.dumps(
            {
                "id": f"bulk-{n}",
                "schema": "Person",
                "properties": {"name": [name], "birthDate": [birth], "nationality": ["ma"]},
            }
        )
        for n, (name, birth) in enumerate(
            [("Kareem Ben Ali", "1984-05-17"), ("Youssef Amrani", "1990-01-01")]
        )
    ]
    with rights.db.session() as session:
        entities = importer.parse(importer.ImportFormat.FTM, lines, "MA")
        assert importer.import_entities(session, rights.ma, entities, Restrictions()) == 2
    with rights.db.session() as session:
        rows = {
            r.external_id: r
            for r in session.scalars(select(Record).where(Record.external_id.like("bulk-%")))
        }
        assert rows["bulk-0"].access_blocked is True
        assert rows["bulk-1"].access_blocked is False
        [hold] = service.holds(session, rights.commission)
        assert (hold.record_id, hold.decision_id) == (rows["bulk-0"].id, decision.id)
