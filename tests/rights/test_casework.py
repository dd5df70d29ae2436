"""Each request type through its whole life, the deadlines and their extensions, the
consultation clock, and what the applicant may see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.rights import service
from interlink.rights.models import CaseStatus, Consultation
from tests.rights.conftest import T0, Rights


@pytest.mark.parametrize(
    ("kind", "months"), [("access", 4), ("correction", 9), ("deletion", 9), ("revision", 9)]
)
def test_each_request_type_through_its_whole_life(rights: Rights, kind: str, months: int) -> None:
    record = rights.person(rights.ma)
    extra = {"revision_of": "CCF-EARLIER01"} if kind == "revision" else {}
    filed = rights.file(kind, **extra)
    case = filed.case
    assert case.status == CaseStatus.RECEIVED
    assert case.admissibility_due.date().isoformat() == "2026-02-28"  # 31 Jan + 1 month
    admitted_at = T0 + timedelta(days=10)  # 10 February
    case = rights.admit(case.id, admitted_at)
    assert case.decision_due == admitted_at.replace(month=2 + months)  # 10 June or November
    with rights.db.session() as session:
        found = service.find_holdings(session, rights.commission, case.id, now=admitted_at)
        assert [(h.target, h.target_id) for h in found] == [("record", record.id)]
        consultation = service.consult(
            session,
            rights.commission,
            rights.policy,
            case.id,
            org_id=rights.ma.org_id,
            question="On what basis is this person recorded?",
            now=admitted_at,
        )
    with rights.db.session() as session:
        service.answer_consultation(
            session,
            rights.ma,
            consultation.id,
            "A court warrant of 2025.",
            now=admitted_at + timedelta(days=3),
        )
    outcome = {"access": "access_given", "revision": "revision_refused"}.get(kind, "compliant")
    with rights.db.session() as session:
        decision = service.decide(
            session,
            rights.commission,
            rights.policy,
            case.id,
            outcome=outcome,
            reasoning="The data was examined and the commission reached this outcome.",
            now=admitted_at + timedelta(days=40),
        )
        assert decision.on_time and decision.unanswered_consultations == []
    with rights.db.session() as session:
        view = service.applicant_view(
            session,
            service.case_for_applicant(session, rights.server_key, filed.case.code, filed.secret),
        )
    assert view.status == "decided" and view.decision["outcome"] == outcome
    assert [e["kind"] for e in view.events] == [
        "received",
        "admissibility",
        "consultation",
        "decision",
    ]
    with rights.db.session() as session, pytest.raises(Conflict):
        service.decide(
            session,
            rights.commission,
            rights.policy,
            case.id,
            outcome=outcome,
            reasoning="A second decision on the same case is refused.",
        )


def test_inadmissible_request_ends_the_case(rights: Rights) -> None:
    case = rights.file().case
    with rights.db.session() as session:
        service.decide_admissibility(
            session,
            rights.commission,
            rights.policy,
            case.id,
            admissible=False,
            reason="no data on persons is asked for",
            now=T0 + timedelta(days=5),
        )
    with rights.db.session() as session, pytest.raises(Conflict):
        service.consult(
            session,
            rights.commission,
            rights.policy,
            case.id,
            org_id=rights.ma.org_id,
            question="Anything on this person?",
        )


def test_deadlines_extend_only_with_a_reason_shown_to_the_applicant(rights: Rights) -> None:
    filed = rights.file("deletion")
    case_id = filed.case.id
    with rights.db.session() as session, pytest.raises(InvalidInput, match="reason"):
        service.extend(
            session, rights.commission, case_id, clock="admissibility", months=1, reason="short"
        )
    with rights.db.session() as session, pytest.raises(Conflict):
        service.extend(
            session,
            rights.commission,
            case_id,
            clock="decision",
            months=1,
            reason="The decision clock has not started yet.",
        )
    with rights.db.session() as session:
        case = service.extend(
            session,
            rights.commission,
            case_id,
            clock="admissibility",
            months=1,
            reason="The applicant's documents need translation.",
            now=T0 + timedelta(days=20),
        )
        assert case.admissibility_due.date().isoformat() == "2026-03-28"  # 28 Feb + 1 month
    case = rights.admit(case_id, T0.replace(month=3, day=31))
    assert case.decision_due.date().isoformat() == "2026-12-31"  # 31 March + 9 months
    with rights.db.session() as session:
        case = service.extend(
            session,
            rights.commission,
            case_id,
            clock="decision",
            months=2,
            reason="The owning bureau sent new material late.",
        )
        assert case.decision_due.date().isoformat() == "2027-02-28"
    with rights.db.session() as session:
        view = service.applicant_view(
            session, service.get_case(session, rights.commission, case_id)
        )
    extensions = [e["text"] for e in view.events if e["kind"] == "extension"]
    assert len(extensions) == 2 and "translation" in extensions[0]
    assert [d.name for d in view.deadlines] == ["admissibility", "decision"]
    # late decision is recorded as such
    with rights.db.session() as session:
        decision = service.decide(
            session,
            rights.commission,
            rights.policy,
            case_id,
            outcome="compliant",
            reasoning="The data complies with the rules; it stays.",
            now=T0.replace(year=2027, month=3),
        )
        assert decision.on_time is False


def test_only_the_commission_does_casework(rights: Rights) -> None:
    case_id = rights.file().case.id
    for principal in (rights.ma, rights.gs):
        with rights.db.session() as session, pytest.raises(Forbidden):
            service.decide_admissibility(
                session,
                principal,
                rights.policy,
                case_id,
                admissible=True,
                reason="not theirs to decide",
            )
        with rights.db.session() as session, pytest.raises(Forbidden):
            service.get_case(session, principal, case_id)


def test_consultation_clock_reminds_escalates_and_counts_unanswered(rights: Rights) -> None:
    rights.person(rights.ma)
    case_id = rights.file("deletion").case.id
    rights.admit(case_id, T0)
    with rights.db.session() as session:
        consultation = service.consult(
            session,
            rights.commission,
            rights.policy,
            case_id,
            org_id=rights.ma.org_id,
            question="Please send the judicial basis.",
            now=T0,
        )
        assert consultation.due_at == T0 + timedelta(days=30)

    def tick(days: float) -> service.TickReport:
        with rights.db.session() as session:
            return service.tick(session, T0 + timedelta(days=days))

    assert tick(14) == service.TickReport(0, 0, 0)
    assert tick(15) == service.TickReport(1, 0, 0)
    assert tick(24) == service.TickReport(0, 0, 0)
    assert tick(25) == service.TickReport(0, 1, 0)  # five days before the end
    assert tick(30) == service.TickReport(0, 0, 0)  # due, not yet late
    assert tick(30.01) == service.TickReport(0, 0, 1)
    assert tick(31) == service.TickReport(0, 0, 0)  # escalated once
    with rights.db.session() as session:
        escalated = service.consultations_for(session, rights.gs)
        assert [c.id for c in escalated] == [consultation.id]
        assert service.consultations_for(session, rights.fr) == []
        assert [c.id for c in service.consultations_for(session, rights.ma)] == [consultation.id]
    with rights.db.session() as session, pytest.raises(NotFound):
        service.answer_consultation(session, rights.fr, consultation.id, "not ours to answer")
    with rights.db.session() as session:
        decision = service.decide(
            session,
            rights.commission,
            rights.policy,
            case_id,
            outcome="compliant",
            reasoning="Nothing shows the data breaks the rules.",
            now=T0 + timedelta(days=60),
        )
        assert decision.unanswered_consultations == ["NCB-MA"]
        assert session.get(Consultation, consultation.id).unanswered
    with rights.db.session() as session:
        stats = service.statistics(session, 2026)[0]
        assert stats["consultations"] == 1 and stats["consultations_unanswered"] == 1
        assert service.statistics_from_audit(session, 2026) == [stats]
    with rights.db.session() as session, pytest.raises(Conflict):
        service.answer_consultation(session, rights.ma, consultation.id, "too late now")


def test_applicant_sees_only_their_own_case_and_never_the_confidential_part(rights: Rights) -> None:
    rights.person(rights.ma)
    first, second = rights.file("deletion"), rights.file("access", names=["Other Person"])
    rights.admit(first.case.id)
    with rights.db.session() as session:
        consultation = service.consult(
            session,
            rights.commission,
            rights.policy,
            first.case.id,
            org_id=rights.ma.org_id,
            question="INTERNAL-QUESTION on this person",
            now=T0,
        )
        service.answer_consultation(
            session, rights.ma, consultation.id, "INTERNAL-ANSWER from the bureau", now=T0
        )
        service.decide(
            session,
            rights.commission,
            rights.policy,
            first.case.id,
            outcome="compliant",
            reasoning="PUBLIC-REASONS the data may stay.",
            confidential="SECRET-PART an ongoing investigation",
            now=T0,
        )
    client = rights.world.client()
    own = client.post(
        "/api/v1/public/rights/status", json={"code": first.case.code, "secret": first.secret}
    )
    assert own.status_code == 200
    assert "PUBLIC-REASONS" in own.text
    for hidden in (
        "SECRET-PART",
        "INTERNAL-QUESTION",
        "INTERNAL-ANSWER",
        "NCB-MA",
        "Other Person",
        second.case.code,
    ):
        assert hidden not in own.text
    # another case's code with this secret, a wrong secret, an unknown code: all alike
    for code, secret in (
        (second.case.code, first.secret),
        (first.case.code, "wrong"),
        ("CCF-NOSUCHCASE", first.secret),
    ):
        response = client.post(
            "/api/v1/public/rights/status", json={"code": code, "secret": secret}
        )
        assert response.status_code == 404
        assert response.json()["detail"] == "no case with this code and secret"
    page = client.get("/rights/status")
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    html = client.post(
        "/rights/status",
        data={"code": first.case.code, "secret": first.secret, "csrf_token": token},
    )
    assert html.status_code == 200 and "PUBLIC-REASONS" in html.text
    assert "SECRET-PART" not in html.text and "INTERNAL-ANSWER" not in html.text


def test_secret_is_stored_only_as_a_keyed_hash(rights: Rights) -> None:
    filed = rights.file()
    from interlink.rights.models import Case

    with rights.db.session() as session:
        stored = session.scalars(select(Case)).one()
        assert filed.secret not in stored.secret_hash and len(stored.secret_hash) == 64


def test_references_find_documents_and_notices_of_any_kind(rights: Rights) -> None:
    from interlink.records import service as records
    from interlink.records.restrictions import Restrictions
    from interlink.records.schemas import TravelDocumentData

    with rights.db.session() as session:
        document = records.create_record(
            session,
            rights.ma,
            records.NewRecord(
                TravelDocumentData.model_validate(
                    {
                        "issuing_country": "MA",
                        "document_type": "passport",
                        "number": "ab 123 4567",
                        "status": "stolen",
                        "reported_on": "2026-01-10",
                    }
                ),
                Restrictions(),
            ),
        )
    case_id = rights.file("deletion", names=["Nobody Recorded"], references=["AB-1234567"]).case.id
    rights.admit(case_id)
    with rights.db.session() as session:
        found = service.find_holdings(session, rights.commission, case_id)
    assert [(h.target, h.target_id, h.found_by) for h in found] == [
        ("record", document.id, "reference")
    ]
