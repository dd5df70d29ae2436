"""The rules of requests from the people recorded and of the commission's casework.

A person files a request without an account and follows it with a code and a secret (only a
keyed hash of the secret is stored). The commission decides admissibility, then the request
within the configured months; every extension needs a reason, is audited and is shown to the
applicant. It finds what the platform holds with the screening matcher, consults the owning
bureaus and the General Secretariat (each consultation with its own clock, reminders and
escalation, `tick`), may block data while the case is pending, and decides. A decision's
confidential part never reaches the applicant; its orders are carried out at once, every copy
the platform knows of is told, and each copy acknowledges with a signed receipt. Data deleted
or found non-compliant is guarded against being entered again by its owner.

Every function takes `now` so the worker, the tests and the benchmark share one clock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.access import Visibility
from interlink.core.audit import Actor, Event
from interlink.core.auth import OrgKind, Perm, Principal
from interlink.core.db import utcnow
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests
from interlink.core.i18n import Msg, in_language, msg, parts_data
from interlink.members.models import Organisation
from interlink.messaging.attachments import NewAttachment, check_attachments
from interlink.messaging.crypto import Keyring, verify_signature
from interlink.records.blocking import set_block, target_row
from interlink.records.models import Notice, Record, RecordKind, RecordStatus
from interlink.rights.clock import FINAL_REMINDER_BEFORE, RightsPolicy, add_months, half_way
from interlink.rights.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseStatus,
    Consultation,
    CopyNotice,
    Decision,
    GuardedSubject,
    Hold,
    Holding,
    Measure,
    Order,
    Outcome,
    RequestKind,
)

DOCUMENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
MAX_DOCUMENTS = 5
MAX_NAMES = 5
REASON_CATEGORIES = (
    "pending_examination",
    "possible_political_character",
    "refugee_status",
    "data_accuracy",
    "retention_exceeded",
    "other",
)
REENTRY_THRESHOLD = 0.7  # the matcher's decision threshold
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_IDENTIFIER_SEPARATORS = re.compile(r"[\s\-./]+")  # as records.schemas normalises numbers


# --- filing -----------------------------------------------------------------------------------


@dataclass(slots=True)
class NewRequest:
    kind: str
    names: list[str]
    birth_date: str | None = None
    nationality: str | None = None
    contact: str | None = None
    lawyer_name: str | None = None
    lawyer_contact: str | None = None
    references: list[str] = field(default_factory=list)
    statement: str = ""
    revision_of: str | None = None
    documents: list[NewAttachment] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Filed:
    case: Case
    secret: str  # shown once to the applicant, never stored


def _keyed(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _clean(text: str | None, limit: int, what: str) -> str | None:
    text = (text or "").strip()
    if len(text) > limit:
        raise InvalidInput(msg("%(what)s: at most %(limit)s characters", what=what, limit=limit))
    return text or None


def check_request(new: NewRequest, policy: RightsPolicy, today: date) -> NewRequest:
    """The request, normalised, or InvalidInput naming the first problem."""
    if new.kind not in set(RequestKind):
        raise InvalidInput(msg("what you ask is one of: %(kinds)s", kinds=", ".join(RequestKind)))
    names = [n.strip() for n in new.names if n and n.strip()]
    if not names:
        raise InvalidInput("names: give at least one name, in any script")
    if len(names) > MAX_NAMES or any(len(n) > 200 for n in names):
        raise InvalidInput(
            msg("names: at most %(max_names)s names of 200 characters each", max_names=MAX_NAMES)
        )
    birth = _clean(new.birth_date, 10, "birth date")
    if birth:
        if not _DATE.match(birth):
            raise InvalidInput("birth date: write it as YYYY-MM-DD (or YYYY-MM, or YYYY)")
        parts = [int(p) for p in birth.split("-")] + [1, 1]
        try:
            born = date(parts[0], parts[1], parts[2])
        except ValueError:
            raise InvalidInput("birth date: no such date") from None
        if born > today or born.year < 1900:
            raise InvalidInput("birth date: between 1900 and today")
    nationality = (_clean(new.nationality, 2, "nationality") or "").upper() or None
    if nationality and not _COUNTRY.match(nationality):
        raise InvalidInput("nationality: a two-letter country code (ISO 3166), e.g. MA")
    references = [r.strip() for r in new.references if r and r.strip()]
    if len(references) > 20 or any(len(r) > 100 for r in references):
        raise InvalidInput("references: at most 20, of 100 characters each")
    revision_of = _clean(new.revision_of, 24, "earlier case")
    if new.kind == RequestKind.REVISION and not revision_of:
        raise InvalidInput("earlier case: a revision names the code of the decided case")
    if len(new.documents) > MAX_DOCUMENTS:
        raise InvalidInput(msg("documents: at most %(max_documents)s", max_documents=MAX_DOCUMENTS))
    for document in new.documents:
        kind = document.content_type.split(";", 1)[0].strip().lower()
        if kind not in DOCUMENT_TYPES:
            raise InvalidInput(
                msg("%(filename)s: send a PDF, JPEG or PNG document", filename=document.filename)
            )
        if len(document.content) > policy.document_bytes:
            raise InvalidInput(
                msg(
                    "%(filename)s: larger than %(value)s KiB",
                    filename=document.filename,
                    value=policy.document_bytes // 1024,
                )
            )
    return NewRequest(
        kind=new.kind,
        names=names,
        birth_date=birth,
        nationality=nationality,
        contact=_clean(new.contact, 300, "contact"),
        lawyer_name=_clean(new.lawyer_name, 200, "lawyer"),
        lawyer_contact=_clean(new.lawyer_contact, 300, "lawyer's contact"),
        references=references,
        statement=_clean(new.statement, 20_000, "statement") or "",
        revision_of=revision_of,
        documents=check_attachments(list(new.documents)),
    )


def _event(
    session: Session,
    case: Case,
    actor: str,
    kind: str,
    text: Msg,
    now: datetime,
    *,
    disclosed: bool = True,
    **detail: Any,
) -> None:
    """One entry of the timeline: its text stored in English, with its message so that the
    applicant and the commission read it in their language (i18n.in_language)."""
    detail = {**detail, "text": parts_data(text)}
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            actor=actor,
            kind=kind,
            text=text,
            disclosed=disclosed,
            detail=detail,
        )
    )


def _audit(
    session: Session,
    actor: Actor,
    name: str,
    case: Case,
    now: datetime,
    owner_org_id: int | None = None,
    **detail: Any,
) -> None:
    # The simulated or real time of the act goes in the entry, so the statistics can be
    # recomputed from the log alone (`statistics_from_audit`).
    audit.record(
        session,
        actor,
        Event(
            name,
            "rights_case",
            case.id,
            owner_org_id=owner_org_id,
            detail={"at": now.isoformat(), "kind": case.kind, **detail},
        ),
    )


def file_request(
    session: Session,
    keys: Keyring,
    server_key: bytes,
    policy: RightsPolicy,
    new: NewRequest,
    *,
    client_addr: str | None,
    now: datetime | None = None,
) -> Filed:
    """Anyone files, without an account; the code and secret let them follow the case."""
    now = now or utcnow()
    new = check_request(new, policy, now.date())
    filed_from = _keyed(server_key, f"addr:{client_addr}") if client_addr else None
    if filed_from is not None:
        recent = session.scalar(
            select(func.count(Case.id)).where(
                Case.filed_from == filed_from, Case.received_at > now - timedelta(hours=1)
            )
        )
        if (recent or 0) >= policy.requests_per_hour:
            raise TooManyRequests("too many requests from your address: try again in an hour")
    secret = secrets.token_urlsafe(24)
    code = "CCF-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    case = Case(
        code=code,
        secret_hash=_keyed(server_key, f"case:{code}:{secret}"),
        kind=new.kind,
        status=CaseStatus.RECEIVED.value,
        names=new.names,
        birth_date=new.birth_date,
        nationality=new.nationality,
        contact=new.contact,
        lawyer_name=new.lawyer_name,
        lawyer_contact=new.lawyer_contact,
        references=new.references,
        statement=new.statement,
        revision_of=new.revision_of,
        filed_from=filed_from,
        received_at=now,
        admissibility_due=add_months(now, policy.admissibility_months),
    )
    session.add(case)
    session.flush()
    for document in new.documents:
        _store_document(
            session, keys, case, document, from_applicant=True, added_by="applicant", now=now
        )
    _event(
        session,
        case,
        "applicant",
        "received",
        msg("Request received from the applicant's lawyer, %(name)s.", name=new.lawyer_name)
        if new.lawyer_name
        else msg("Request received from the applicant."),
        now,
        documents=len(new.documents),
    )
    _audit(
        session,
        Actor(label="applicant", client_addr=client_addr),
        "rights.file",
        case,
        now,
        documents=len(new.documents),
    )
    return Filed(case, secret)


def _document_context(case_id: int, sha256: str) -> str:
    return f"rights-document:{case_id}:{sha256}"


def _store_document(
    session: Session,
    keys: Keyring,
    case: Case,
    document: NewAttachment,
    *,
    from_applicant: bool,
    added_by: str,
    now: datetime,
) -> CaseDocument:
    row = CaseDocument(
        case_id=case.id,
        from_applicant=from_applicant,
        filename=document.filename,
        content_type=document.content_type,
        size=len(document.content),
        sha256=document.sha256,
        ciphertext=keys.encrypt(document.content, _document_context(case.id, document.sha256)),
        added_at=now,
        added_by=added_by,
    )
    session.add(row)
    return row


def document_content(keys: Keyring, document: CaseDocument) -> bytes:
    return keys.decrypt(document.ciphertext, _document_context(document.case_id, document.sha256))


# --- the applicant's view -----------------------------------------------------------------------


def case_for_applicant(session: Session, server_key: bytes, code: str, secret: str) -> Case:
    """The case behind a code and secret; a wrong pair and an unknown code answer alike."""
    case = session.scalars(select(Case).where(Case.code == code.strip().upper())).first()
    expected = case.secret_hash if case else _keyed(server_key, "case:none")
    given = _keyed(server_key, f"case:{code.strip().upper()}:{secret.strip()}")
    if case is None or not hmac.compare_digest(expected, given):
        audit.record_refusal(
            session,
            Actor(label="applicant"),
            Event("rights.status", "rights_case", None, detail={"code": code[:24]}),
        )
        raise NotFound("no case with this code and secret")
    audit.record(session, Actor(label="applicant"), Event("rights.status", "rights_case", case.id))
    return case


@dataclass(frozen=True, slots=True)
class Deadline:
    name: str
    due: datetime | None
    met_at: datetime | None = None


def deadlines(case: Case) -> list[Deadline]:
    found = [
        Deadline(
            "admissibility",
            case.admissibility_due,
            case.admissible_at
            or (case.decided_at if case.status == CaseStatus.INADMISSIBLE else None),
        )
    ]
    if case.decision_due is not None:
        found.append(Deadline("decision", case.decision_due, case.decided_at))
    return found


@dataclass(frozen=True, slots=True)
class ApplicantView:
    """Everything the applicant may see, and nothing else: no confidential part, no
    internal event, no consultation's content, no other bureau's name."""

    code: str
    kind: str
    status: str
    received_at: datetime
    deadlines: list[Deadline]
    events: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    measures: list[dict[str, Any]]
    decision: dict[str, Any] | None
    lawyer_name: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "status": self.status,
            "received_at": self.received_at.isoformat(),
            "lawyer": self.lawyer_name,
            "deadlines": [
                {
                    "name": d.name,
                    "due": d.due.isoformat() if d.due else None,
                    "met_at": d.met_at.isoformat() if d.met_at else None,
                }
                for d in self.deadlines
            ],
            "events": self.events,
            "documents": self.documents,
            "measures": self.measures,
            "decision": self.decision,
        }


def applicant_view(session: Session, case: Case) -> ApplicantView:
    events = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.disclosed.is_(True))
        .order_by(CaseEvent.id)
    )
    documents = session.scalars(
        select(CaseDocument).where(CaseDocument.case_id == case.id).order_by(CaseDocument.id)
    )
    measures = session.scalars(
        select(Measure).where(Measure.case_id == case.id).order_by(Measure.id)
    )
    decision = session.scalars(select(Decision).where(Decision.case_id == case.id)).first()
    return ApplicantView(
        code=case.code,
        kind=case.kind,
        status=case.status,
        received_at=case.received_at,
        deadlines=deadlines(case),
        lawyer_name=case.lawyer_name,
        events=[
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "text": in_language(e.text, e.detail.get("text")),
            }
            for e in events
        ],
        documents=[
            {
                "id": d.id,
                "filename": d.filename,
                "size": d.size,
                "from": "you" if d.from_applicant else "the commission",
                "at": d.added_at.isoformat(),
            }
            for d in documents
        ],
        measures=[
            {
                "action": m.action,
                "reason_category": m.reason_category,
                "placed_at": m.placed_at.isoformat(),
                "lifted_at": m.lifted_at.isoformat() if m.lifted_at else None,
            }
            for m in measures
        ],
        decision=None
        if decision is None
        else {
            "outcome": decision.outcome,
            "reasoning": decision.reasoning,
            "decided_at": decision.decided_at.isoformat(),
        },
    )


def applicant_document(
    session: Session, keys: Keyring, case: Case, document_id: int
) -> tuple[CaseDocument, bytes]:
    document = session.get(CaseDocument, document_id)
    if document is None or document.case_id != case.id:
        raise NotFound(msg("no document %(document_id)s on your case", document_id=document_id))
    return document, document_content(keys, document)


# --- casework -----------------------------------------------------------------------------------


def _commission(principal: Principal) -> None:
    principal.require(Perm.RIGHTS_CASEWORK)
    if not principal.viewer.is_oversight:
        raise Forbidden("casework is the oversight commission's")


def get_case(session: Session, principal: Principal, case_id: int) -> Case:
    _commission(principal)
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(msg("no case %(case_id)s", case_id=case_id))
    audit.record(session, principal.actor, Event("rights.read", "rights_case", case.id))
    return case


def list_cases(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[Case]:
    _commission(principal)
    stmt = select(Case).where(Case.id > after_id).order_by(Case.id).limit(min(limit, 500))
    if status:
        stmt = stmt.where(Case.status == status)
    return list(session.scalars(stmt))


def decide_admissibility(
    session: Session,
    principal: Principal,
    policy: RightsPolicy,
    case_id: int,
    *,
    admissible: bool,
    reason: str,
    now: datetime | None = None,
) -> Case:
    now = now or utcnow()
    case = get_case(session, principal, case_id)
    if case.status != CaseStatus.RECEIVED:
        raise Conflict(
            msg("admissibility of %(case_code)s was already decided", case_code=case.code)
        )
    if len(reason.strip()) < 5:
        raise InvalidInput("admissibility needs its reasons")
    if admissible:
        case.status = CaseStatus.ADMISSIBLE.value
        case.admissible_at = now
        case.decision_due = add_months(now, policy.decision_months(case.kind))
        text = msg(
            "Your request is admissible. The commission decides by %(day)s.",
            day=f"{case.decision_due:%Y-%m-%d}",
        )
    else:
        case.status = CaseStatus.INADMISSIBLE.value
        case.decided_at = now
        case.outcome = CaseStatus.INADMISSIBLE.value
        text = msg("Your request is not admissible: %(reason)s", reason=reason.strip())
    _event(session, case, principal.label, "admissibility", text, now, reason=reason.strip())
    _audit(
        session,
        principal.actor,
        "rights.admissibility",
        case,
        now,
        admissible=admissible,
        on_time=now <= case.admissibility_due,
    )
    return case


CLOCKS = ("admissibility", "decision")


def extend(
    session: Session,
    principal: Principal,
    case_id: int,
    *,
    clock: str,
    months: int,
    reason: str,
    now: datetime | None = None,
) -> Case:
    """Push a deadline back by whole months; only with a reason, which the applicant sees."""
    now = now or utcnow()
    case = get_case(session, principal, case_id)
    if clock not in CLOCKS:
        raise InvalidInput("the clock extended is 'admissibility' or 'decision'")
    if not 1 <= months <= 6:
        raise InvalidInput("an extension is of 1 to 6 months")
    if len(reason.strip()) < 10:
        raise InvalidInput("an extension needs a reason (at least a sentence)")
    expected = CaseStatus.RECEIVED if clock == "admissibility" else CaseStatus.ADMISSIBLE
    if case.status != expected:
        raise Conflict(
            msg(
                "the %(clock)s deadline of %(case_code)s is no longer running",
                clock=clock,
                case_code=case.code,
            )
        )
    before = case.admissibility_due if clock == "admissibility" else case.decision_due
    assert before is not None
    after = add_months(before, months)
    if clock == "admissibility":
        case.admissibility_due = after
    else:
        case.decision_due = after
    _event(
        session,
        case,
        principal.label,
        "extension",
        msg(
            "The deadline for admissibility is extended to %(day)s: %(reason)s",
            day=f"{after:%Y-%m-%d}",
            reason=reason.strip(),
        )
        if clock == "admissibility"
        else msg(
            "The deadline for the decision is extended to %(day)s: %(reason)s",
            day=f"{after:%Y-%m-%d}",
            reason=reason.strip(),
        ),
        now,
        clock=clock,
        before=before.isoformat(),
        after=after.isoformat(),
    )
    _audit(
        session,
        principal.actor,
        "rights.extend",
        case,
        now,
        clock=clock,
        before=before.isoformat(),
        after=after.isoformat(),
        reason=reason.strip(),
    )
    return case


def _open(case: Case) -> None:
    if case.status not in (CaseStatus.RECEIVED, CaseStatus.ADMISSIBLE):
        raise Conflict(
            msg(
                "%(case_code)s is %(case_status)s: no more casework on it",
                case_code=case.code,
                case_status=case.status,
            )
        )


def send_to_applicant(
    session: Session,
    principal: Principal,
    keys: Keyring,
    case_id: int,
    document: NewAttachment,
    now: datetime | None = None,
) -> CaseDocument:
    now = now or utcnow()
    case = get_case(session, principal, case_id)
    checked = check_attachments([document])[0]
    if checked.content_type not in DOCUMENT_TYPES:
        raise InvalidInput("send the applicant a PDF, JPEG or PNG document")
    row = _store_document(
        session, keys, case, checked, from_applicant=False, added_by=principal.label, now=now
    )
    _event(
        session,
        case,
        principal.label,
        "document",
        msg("The commission sent you %(filename)s.", filename=checked.filename),
        now,
    )
    _audit(session, principal.actor, "rights.document", case, now, filename=checked.filename)
    return row


# --- what the platform holds --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Found:
    target: str
    target_id: int
    owner_org_id: int
    label: str
    score: float | None
    found_by: str


def _person_entry(row: Record) -> Any:
    from interlink.screening.engine import person_entry

    return person_entry(row)


def find_holdings(
    session: Session,
    principal: Principal,
    case_id: int,
    *,
    index: Any | None = None,
    now: datetime | None = None,
) -> list[Holding]:
    """Search what the platform holds on the applicant and attach it to the case.

    The commission sees everything (core/access.py), blocked and uncirculated data too. With
    a live screening index (`index`: a PersonIndex) the names are looked up in it, across
    scripts; records the index leaves out (blocked, held) are scored with the same matcher
    one by one, as are all persons when no index is given. References the
    applicant gave (record ids, notice references) are added as such, and the notices whose
    subject was found.
    """
    from interlink.screening.person_matcher import PersonMatcher, PersonQuery

    now = now or utcnow()
    case = get_case(session, principal, case_id)
    _open(case)
    queries = [
        PersonQuery(name=n, birth_date=case.birth_date, nationality=case.nationality)
        for n in case.names
    ]
    found: dict[tuple[str, int], Found] = {}

    def keep(item: Found) -> None:
        key = (item.target, item.target_id)
        if key not in found or (item.score or 0) > (found[key].score or 0):
            found[key] = item

    labels: dict[int, Record] = {}
    if index is not None:
        for query in queries:
            for hit in index.search(query, None, limit=50, min_score=REENTRY_THRESHOLD):
                keep(Found("record", hit.record_id, hit.owner_org_id, "", hit.score, "matcher"))
        # The index holds every active person, circulating or not, except blocked ones.
        unindexed = select(Record).where(
            Record.kind == RecordKind.PERSON.value,
            Record.access_blocked.is_(True),
            Record.status == RecordStatus.ACTIVE.value,
        )
    else:
        unindexed = select(Record).where(
            Record.kind == RecordKind.PERSON.value, Record.status == RecordStatus.ACTIVE.value
        )
    matcher = PersonMatcher()
    for row in session.scalars(unindexed.execution_options(yield_per=5000)):
        entry = _person_entry(row)
        best = max(matcher.compare(q, entry).score for q in queries)
        if best >= REENTRY_THRESHOLD:
            labels[row.id] = row
            keep(Found("record", row.id, row.owner_org_id, row.label, best, "matcher"))
    for reference in case.references:
        text = reference.strip()
        notice = session.scalars(select(Notice).where(Notice.reference == text)).first()
        if notice is not None:
            keep(Found("notice", notice.id, notice.owner_org_id, notice.label, None, "reference"))
        elif text.isdigit() and (record := session.get(Record, int(text))) is not None:
            keep(Found("record", record.id, record.owner_org_id, record.label, None, "reference"))
        else:  # a travel document's number, a VIN or a plate, as records store them
            identifier = _IDENTIFIER_SEPARATORS.sub("", text).upper()
            for row in session.scalars(
                select(Record)
                .where(
                    or_(
                        Record.doc_number == identifier,
                        Record.vin == identifier,
                        Record.plate == identifier,
                    )
                )
                .limit(50)
            ):
                keep(Found("record", row.id, row.owner_org_id, row.label, None, "reference"))
    record_ids = [k[1] for k in found if k[0] == "record"]
    if record_ids:
        for row in session.scalars(select(Record).where(Record.id.in_(record_ids))):
            labels[row.id] = row
        for notice in session.scalars(
            select(Notice).where(Notice.subject_record_id.in_(record_ids))
        ):
            keep(Found("notice", notice.id, notice.owner_org_id, notice.label, None, "notice"))
    existing = {
        (h.target, h.target_id)
        for h in session.scalars(select(Holding).where(Holding.case_id == case.id))
    }
    for item in found.values():
        if (item.target, item.target_id) in existing:
            continue
        label = item.label or (labels[item.target_id].label if item.target_id in labels else "")
        session.add(
            Holding(
                case_id=case.id,
                target=item.target,
                target_id=item.target_id,
                owner_org_id=item.owner_org_id,
                label=label[:300],
                score=item.score,
                found_by=item.found_by,
            )
        )
    session.flush()
    _event(
        session,
        case,
        principal.label,
        "search",
        msg("Search of the platform's data: %(count)s item(s).", count=len(found)),
        now,
        disclosed=False,
    )
    _audit(session, principal.actor, "rights.search", case, now, found=len(found))
    return holdings(session, case.id)


def holdings(session: Session, case_id: int) -> list[Holding]:
    return list(
        session.scalars(select(Holding).where(Holding.case_id == case_id).order_by(Holding.id))
    )


# --- consultations -------------------------------------------------------------------------------


def consult(
    session: Session,
    principal: Principal,
    policy: RightsPolicy,
    case_id: int,
    *,
    org_id: int,
    question: str,
    days: int | None = None,
    now: datetime | None = None,
) -> Consultation:
    """Ask a bureau (or the General Secretariat) inside the platform, with its own clock."""
    now = now or utcnow()
    case = get_case(session, principal, case_id)
    _open(case)
    org = session.get(Organisation, org_id)
    if org is None or org.kind not in (
        OrgKind.NCB,
        OrgKind.INTERNATIONAL,
        OrgKind.GENERAL_SECRETARIAT,
    ):
        raise InvalidInput(
            "a consultation goes to a bureau, an international entity or the General Secretariat"
        )
    if len(question.strip()) < 10:
        raise InvalidInput("a consultation needs a question")
    if days is not None and not 2 <= days <= 365:
        raise InvalidInput("a consultation's time is 2 to 365 days")
    row = Consultation(
        case_id=case.id,
        org_id=org.id,
        question=question.strip(),
        opened_at=now,
        due_at=policy.consultation_due(now, days),
    )
    session.add(row)
    session.flush()
    _event(
        session,
        case,
        principal.label,
        "consultation",
        msg("The commission consulted the data's source."),
        now,
        consultation=row.id,
    )
    _audit(
        session,
        principal.actor,
        "rights.consult",
        case,
        now,
        owner_org_id=org.id,
        consultation=row.id,
        due_at=row.due_at.isoformat(),
    )
    return row


def consultations_for(
    session: Session, principal: Principal, *, open_only: bool = False
) -> list[Consultation]:
    """A bureau's consultations; the General Secretariat also sees every escalated one; the
    commission sees all."""
    stmt = select(Consultation).order_by(Consultation.due_at, Consultation.id).limit(500)
    if principal.viewer.is_oversight:
        principal.require(Perm.RIGHTS_CASEWORK)
    else:
        principal.require(Perm.RIGHTS_ANSWER)
        mine = Consultation.org_id == principal.org_id
        stmt = stmt.where(
            or_(mine, Consultation.escalated_at.is_not(None))
            if principal.viewer.is_secretariat
            else mine
        )
    if open_only:
        stmt = stmt.where(Consultation.answered_at.is_(None), Consultation.unanswered.is_(False))
    return list(session.scalars(stmt))


def answer_consultation(
    session: Session,
    principal: Principal,
    consultation_id: int,
    answer: str,
    now: datetime | None = None,
) -> Consultation:
    now = now or utcnow()
    principal.require(Perm.RIGHTS_ANSWER)
    row = session.get(Consultation, consultation_id)
    if row is None or row.org_id != principal.org_id:
        raise NotFound(
            msg(
                "no consultation %(consultation_id)s for your organisation",
                consultation_id=consultation_id,
            )
        )
    if row.answered_at is not None or row.unanswered:
        raise Conflict("this consultation is closed")
    if len(answer.strip()) < 5:
        raise InvalidInput("write an answer")
    case = session.get(Case, row.case_id)
    assert case is not None
    row.answer, row.answered_at, row.answered_by = answer.strip(), now, principal.label
    _event(
        session,
        case,
        principal.label,
        "consultation_answer",
        msg("The consulted source answered."),
        now,
        disclosed=False,
        consultation=row.id,
    )
    _audit(
        session,
        principal.actor,
        "rights.consultation_answer",
        case,
        now,
        owner_org_id=principal.org_id,
        consultation=row.id,
        late=now > row.due_at,
    )
    return row


def extend_consultation(
    session: Session,
    principal: Principal,
    consultation_id: int,
    *,
    days: int,
    reason: str,
    now: datetime | None = None,
) -> Consultation:
    now = now or utcnow()
    _commission(principal)
    row = session.get(Consultation, consultation_id)
    if row is None:
        raise NotFound(msg("no consultation %(consultation_id)s", consultation_id=consultation_id))
    if row.answered_at is not None or row.unanswered:
        raise Conflict("this consultation is closed")
    if not 1 <= days <= 90 or len(reason.strip()) < 10:
        raise InvalidInput("an extension is of 1 to 90 days, with a reason")
    case = session.get(Case, row.case_id)
    assert case is not None
    before = row.due_at
    row.due_at = before + timedelta(days=days)
    row.half_reminder_at = row.final_reminder_at = None
    _event(
        session,
        case,
        principal.label,
        "consultation_extension",
        msg("A consultation's time was extended: %(reason)s", reason=reason.strip()),
        now,
        consultation=row.id,
        before=before.isoformat(),
        after=row.due_at.isoformat(),
    )
    _audit(
        session,
        principal.actor,
        "rights.consultation_extend",
        case,
        now,
        consultation=row.id,
        reason=reason.strip(),
    )
    return row


@dataclass(slots=True)
class TickReport:
    half_reminders: int = 0
    final_reminders: int = 0
    escalations: int = 0


def tick(session: Session, now: datetime | None = None) -> TickReport:
    """System pass over open consultations: a reminder at half time, another near the end,
    escalation to the General Secretariat once late. Idempotent; run by a periodic worker,
    by tests and by the benchmark with their own clock."""
    now = now or utcnow()
    report = TickReport()
    open_rows = session.scalars(
        select(Consultation)
        .where(
            Consultation.answered_at.is_(None),
            Consultation.unanswered.is_(False),
            or_(
                Consultation.half_reminder_at.is_(None),
                Consultation.final_reminder_at.is_(None),
                Consultation.escalated_at.is_(None),
            ),
            Consultation.opened_at <= now,
        )
        .limit(10_000)
    ).all()
    cases = (
        {
            c.id: c
            for c in session.scalars(
                select(Case).where(Case.id.in_({r.case_id for r in open_rows}))
            )
        }
        if open_rows
        else {}
    )
    for row in open_rows:
        case = cases[row.case_id]
        if row.half_reminder_at is None and now >= half_way(row.opened_at, row.due_at):
            row.half_reminder_at = now
            report.half_reminders += 1
            _system(session, case, row, "rights.consultation_remind", now, stage="half")
        if row.final_reminder_at is None and now >= row.due_at - FINAL_REMINDER_BEFORE:
            row.final_reminder_at = now
            report.final_reminders += 1
            _system(session, case, row, "rights.consultation_remind", now, stage="final")
        if row.escalated_at is None and now > row.due_at:
            row.escalated_at = now
            report.escalations += 1
            _event(
                session,
                case,
                "system",
                "escalation",
                msg("A consultation is late: escalated to the General Secretariat."),
                now,
                disclosed=False,
                consultation=row.id,
            )
            _system(session, case, row, "rights.consultation_escalate", now)
    return report


def _system(
    session: Session, case: Case, row: Consultation, action: str, now: datetime, **detail: Any
) -> None:
    _audit(
        session,
        audit.SYSTEM,
        action,
        case,
        now,
        owner_org_id=row.org_id,
        consultation=row.id,
        due_at=row.due_at.isoformat(),
        **detail,
    )


# --- provisional measures -------------------------------------------------------------------------


def place_measure(
    session: Session,
    principal: Principal,
    case_id: int,
    *,
    action: str,
    target: str,
    target_id: int,
    reason_category: str,
    now: datetime | None = None,
) -> Measure:
    """Block data, or withdraw a notice's public extract, while the case is pending."""

    now = now or utcnow()
    case = get_case(session, principal, case_id)
    _open(case)
    if reason_category not in REASON_CATEGORIES:
        raise InvalidInput(
            msg("reason category: one of %(categories)s", categories=", ".join(REASON_CATEGORIES))
        )
    row = target_row(session, target, target_id)
    active = session.scalars(
        select(Measure).where(
            Measure.target == target,
            Measure.target_id == target_id,
            Measure.action == action,
            Measure.lifted_at.is_(None),
        )
    ).first()
    if active is not None:
        raise Conflict(
            msg(
                "that %(target)s is already under this measure (case %(case_id)s)",
                target=target,
                case_id=active.case_id,
            )
        )
    if action == "block":
        set_block(session, principal, target, target_id, True, reason_category)
    elif action == "withdraw_extract":
        if not isinstance(row, Notice) or not row.public_extract:
            raise Conflict("only a notice with a public extract has one to withdraw")
        row.public_extract = False
        audit.record(
            session,
            principal.actor,
            Event(
                "notice.extract_withdraw",
                "notice",
                row.id,
                owner_org_id=row.owner_org_id,
                detail={"reason_category": reason_category},
            ),
        )
    else:
        raise InvalidInput("a measure is 'block' or 'withdraw_extract'")
    measure = Measure(
        case_id=case.id,
        action=action,
        target=target,
        target_id=target_id,
        owner_org_id=row.owner_org_id,
        reason_category=reason_category,
        placed_at=now,
        placed_by=principal.label,
    )
    session.add(measure)
    session.flush()
    _event(
        session,
        case,
        principal.label,
        "measure",
        msg(
            "Provisional measure: data blocked (%(category)s).",
            coded=("category",),
            category=reason_category,
        )
        if action == "block"
        else msg(
            "Provisional measure: public extract withdrawn (%(category)s).",
            coded=("category",),
            category=reason_category,
        ),
        now,
        measure=measure.id,
    )
    _audit(
        session,
        principal.actor,
        "rights.measure",
        case,
        now,
        owner_org_id=row.owner_org_id,
        action=action,
        target=target,
        target_id=target_id,
        reason_category=reason_category,
    )
    return measure


def lift_measure(
    session: Session, principal: Principal, measure_id: int, now: datetime | None = None
) -> Measure:
    now = now or utcnow()
    _commission(principal)
    measure = session.get(Measure, measure_id)
    if measure is None:
        raise NotFound(msg("no measure %(measure_id)s", measure_id=measure_id))
    if measure.lifted_at is not None:
        raise Conflict("this measure was already lifted")
    case = session.get(Case, measure.case_id)
    assert case is not None
    _lift(session, principal, measure, now)
    _event(
        session,
        case,
        principal.label,
        "measure_lifted",
        msg("A provisional measure was lifted."),
        now,
        measure=measure.id,
    )
    _audit(
        session,
        principal.actor,
        "rights.measure_lift",
        case,
        now,
        owner_org_id=measure.owner_org_id,
        measure=measure.id,
    )
    return measure


def _lift(session: Session, principal: Principal, measure: Measure, now: datetime) -> None:

    measure.lifted_at, measure.lifted_by = now, principal.label
    row = target_row(session, measure.target, measure.target_id)
    if measure.action == "block":
        set_block(
            session,
            principal,
            measure.target,
            measure.target_id,
            False,
            measure.reason_category,
        )
    elif isinstance(row, Notice) and row.state == "published":
        row.public_extract = True
        audit.record(
            session,
            principal.actor,
            Event("notice.extract_restore", "notice", row.id, owner_org_id=row.owner_org_id),
        )


def measures_for_owner(session: Session, principal: Principal) -> list[Measure]:
    """The measures on a bureau's own data, with their reason category."""
    principal.require(Perm.RIGHTS_ANSWER)
    return list(
        session.scalars(
            select(Measure)
            .where(Measure.owner_org_id == principal.org_id)
            .order_by(Measure.id.desc())
            .limit(500)
        )
    )


# --- decisions ------------------------------------------------------------------------------------


@dataclass(slots=True)
class NewOrder:
    action: str  # delete | correct
    target: str  # record | notice
    target_id: int
    corrected_data: dict[str, Any] | None = None


ORDERING_OUTCOMES = frozenset({Outcome.NON_COMPLIANT})


def decide(
    session: Session,
    principal: Principal,
    policy: RightsPolicy,
    case_id: int,
    *,
    outcome: str,
    reasoning: str,
    confidential: str = "",
    orders: Sequence[NewOrder] = (),
    now: datetime | None = None,
) -> Decision:
    """The binding decision. Open consultations are closed as unanswered and named in it;
    active measures are lifted unless an order deletes their data; orders are carried out at
    once and every known copy is told."""
    now = now or utcnow()
    case = get_case(session, principal, case_id)
    if case.status != CaseStatus.ADMISSIBLE:
        raise Conflict(
            msg(
                "%(case_code)s is %(case_status)s: only an admissible case is decided",
                case_code=case.code,
                case_status=case.status,
            )
        )
    if outcome not in set(Outcome):
        raise InvalidInput(msg("outcome: one of %(outcomes)s", outcomes=", ".join(Outcome)))
    if len(reasoning.strip()) < 20:
        raise InvalidInput("a decision is reasoned: write the reasons the applicant receives")
    if orders and outcome not in ORDERING_OUTCOMES:
        raise InvalidInput("only a finding of non-compliance orders correction or deletion")
    for order in orders:
        if order.action not in ("delete", "correct") or order.target not in ("record", "notice"):
            raise InvalidInput("an order deletes or corrects a record or a notice")
        if order.action == "correct" and (order.target != "record" or not order.corrected_data):
            raise InvalidInput("a correction gives a record's corrected content")
    late = session.scalars(
        select(Consultation).where(
            Consultation.case_id == case.id,
            Consultation.answered_at.is_(None),
            Consultation.unanswered.is_(False),
        )
    ).all()
    unanswered = []
    for row in late:
        row.unanswered = True
        org = session.get(Organisation, row.org_id)
        unanswered.append(org.code if org else str(row.org_id))
        _audit(
            session,
            principal.actor,
            "rights.consultation_unanswered",
            case,
            now,
            owner_org_id=row.org_id,
            consultation=row.id,
        )
    assert case.decision_due is not None
    decision = Decision(
        case_id=case.id,
        outcome=outcome,
        reasoning=reasoning.strip(),
        confidential=confidential.strip(),
        unanswered_consultations=unanswered,
        decided_at=now,
        decided_by=principal.label,
        on_time=now <= case.decision_due,
    )
    session.add(decision)
    session.flush()
    case.status, case.decided_at, case.outcome = CaseStatus.DECIDED.value, now, outcome
    ordered = {(o.target, o.target_id) for o in orders}
    for measure in session.scalars(
        select(Measure).where(Measure.case_id == case.id, Measure.lifted_at.is_(None))
    ):
        if (measure.target, measure.target_id) not in ordered:
            _lift(session, principal, measure, now)
    for new in orders:
        _carry_out(session, principal, policy, case, decision, new, now)
    text = msg("Decision: %(outcome)s.", coded=("outcome",), outcome=outcome)
    _event(session, case, principal.label, "decision", text, now, decision=decision.id)
    _audit(
        session,
        principal.actor,
        "rights.decide",
        case,
        now,
        outcome=outcome,
        on_time=decision.on_time,
        orders=len(orders),
        unanswered=unanswered,
    )
    return decision


def _carry_out(
    session: Session,
    principal: Principal,
    policy: RightsPolicy,
    case: Case,
    decision: Decision,
    new: NewOrder,
    now: datetime,
) -> Order:
    from interlink.records import notices as notices_service
    from interlink.records import service as records_service

    row = target_row(session, new.target, new.target_id)
    _guard(session, decision, row)
    order = Order(
        decision_id=decision.id,
        action=new.action,
        target=new.target,
        target_id=new.target_id,
        owner_org_id=row.owner_org_id,
        corrected_data=new.corrected_data,
        due_at=add_months(now, policy.implementation_months),
    )
    session.add(order)
    session.flush()
    if new.target == "record":
        records_service.carry_out_oversight_order(
            session,
            principal,
            new.target_id,
            action=new.action,
            corrected=new.corrected_data,
            decision_ref=case.code,
        )
    else:
        notices_service.carry_out_oversight_deletion(session, principal, new.target_id, case.code)
    order.carried_out_at, order.carried_out_by = now, principal.label
    _audit(
        session,
        principal.actor,
        "rights.order",
        case,
        now,
        owner_org_id=row.owner_org_id,
        action=new.action,
        target=new.target,
        target_id=new.target_id,
        on_time=now <= order.due_at,
    )
    _notify_copies(session, case, order, now)
    return order


def _guard(session: Session, decision: Decision, row: Record | Notice) -> None:
    """Keep what the re-entry guard needs to recognise the data if its owner enters it
    again."""
    record = (
        row
        if isinstance(row, Record)
        else (session.get(Record, row.subject_record_id) if row.subject_record_id else None)
    )
    if record is None or record.kind == RecordKind.VEHICLE:
        return
    data = record.data or {}
    names = [n["full_name"] for n in (*data.get("names", ()), *data.get("aliases", ()))]
    session.add(
        GuardedSubject(
            decision_id=decision.id,
            owner_org_id=record.owner_org_id,
            kind=record.kind,
            names=names,
            birth_date=data.get("birth_date"),
            nationalities=list(data.get("nationalities", ())),
            doc_country=record.doc_country,
            doc_number=record.doc_number,
        )
    )


def copy_holders(session: Session, target: str, target_id: int) -> dict[int, list[str]]:
    """Organisations the platform knows received the data, and how: screening hits and hit
    follow-ups on the record, and webhook deliveries that named it."""
    from interlink.messaging.models import Followup, Webhook, WebhookDelivery
    from interlink.screening.models import Hit

    record_id = target_id
    if target == "notice":
        notice = session.get(Notice, target_id)
        record_id = notice.subject_record_id if notice and notice.subject_record_id else 0
    holders: dict[int, set[str]] = {}
    for org_id in session.scalars(
        select(Hit.searching_org_id).where(Hit.record_id == record_id).distinct()
    ):
        holders.setdefault(org_id, set()).add("hit")
    for org_id in session.scalars(
        select(Followup.searching_org_id).where(Followup.record_id == record_id).distinct()
    ):
        holders.setdefault(org_id, set()).add("followup")
    record = session.get(Record, record_id)
    if record is not None:
        # Payloads are JSON: filtered here rather than by a dialect-specific JSON operator,
        # over the deliveries since the record existed.
        for payload, org_id in session.execute(
            select(WebhookDelivery.payload, Webhook.org_id)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(
                WebhookDelivery.status == "delivered",
                WebhookDelivery.created_at >= record.created_at,
            )
        ):
            if payload.get("record_id") == record_id:
                holders.setdefault(org_id, set()).add("webhook")
    return {org: sorted(sources) for org, sources in holders.items()}


def _notify_copies(session: Session, case: Case, order: Order, now: datetime) -> None:
    for org_id, sources in copy_holders(session, order.target, order.target_id).items():
        if org_id == order.owner_org_id:
            sources = sorted({*sources, "owner"})
        session.add(CopyNotice(order_id=order.id, org_id=org_id, sources=sources, notified_at=now))
    if not session.scalars(
        select(CopyNotice.id).where(
            CopyNotice.order_id == order.id, CopyNotice.org_id == order.owner_org_id
        )
    ).first():
        session.add(
            CopyNotice(
                order_id=order.id, org_id=order.owner_org_id, sources=["owner"], notified_at=now
            )
        )
    session.flush()


def receipt_payload(notice: CopyNotice, order: Order, acknowledged_at: datetime) -> bytes:
    """The exact bytes a copy's receipt signs."""
    return json.dumps(
        {
            "v": 1,
            "copy_notice": notice.id,
            "order": order.id,
            "action": order.action,
            "target": order.target,
            "target_id": order.target_id,
            "org": notice.org_id,
            "acknowledged_at": acknowledged_at.isoformat(timespec="microseconds"),
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def copy_notices_for(
    session: Session, principal: Principal, *, pending_only: bool = True
) -> list[tuple[CopyNotice, Order]]:
    principal.require(Perm.RIGHTS_ANSWER)
    stmt = (
        select(CopyNotice, Order)
        .join(Order, Order.id == CopyNotice.order_id)
        .where(CopyNotice.org_id == principal.org_id)
        .order_by(CopyNotice.id)
        .limit(500)
    )
    if pending_only:
        stmt = stmt.where(CopyNotice.acknowledged_at.is_(None))
    return [(n, o) for n, o in session.execute(stmt)]


def acknowledge_copy(
    session: Session,
    principal: Principal,
    keys: Keyring,
    copy_notice_id: int,
    now: datetime | None = None,
) -> CopyNotice:
    """The bureau confirms it corrected or deleted its copy; the platform signs the receipt
    with the bureau's messaging signing key."""
    from interlink.messaging.signing import current_signing_key

    now = now or utcnow()
    principal.require(Perm.RIGHTS_ANSWER)
    notice = session.get(CopyNotice, copy_notice_id)
    if notice is None or notice.org_id != principal.org_id:
        raise NotFound(
            msg(
                "no copy notice %(copy_notice_id)s for your organisation",
                copy_notice_id=copy_notice_id,
            )
        )
    if notice.acknowledged_at is not None:
        raise Conflict("already acknowledged")
    order = session.get(Order, notice.order_id)
    assert order is not None
    key = current_signing_key(session, keys, principal.org_id)
    notice.acknowledged_at, notice.acknowledged_by = now, principal.label
    notice.signing_key_id = key.key_id
    notice.signature = keys.sign(key.key_id, receipt_payload(notice, order, now))
    decision = session.get(Decision, order.decision_id)
    case = session.get(Case, decision.case_id) if decision else None
    if case is not None:
        _audit(
            session,
            principal.actor,
            "rights.copy_acknowledge",
            case,
            now,
            owner_org_id=principal.org_id,
            order=order.id,
            key=key.key_id,
        )
    return notice


def verify_receipt(session: Session, notice: CopyNotice) -> bool:
    from interlink.messaging.models import SigningKey

    if notice.signature is None or notice.acknowledged_at is None:
        return False
    key = session.scalars(
        select(SigningKey).where(SigningKey.key_id == notice.signing_key_id)
    ).first()
    order = session.get(Order, notice.order_id)
    if key is None or order is None or key.org_id != notice.org_id:
        return False
    return verify_signature(
        key.public_key, notice.signature, receipt_payload(notice, order, notice.acknowledged_at)
    )


@dataclass(frozen=True, slots=True)
class CopyStatus:
    org_code: str
    org_name: str
    sources: list[str]
    acknowledged_at: datetime | None
    receipt_valid: bool


def copies_of_decision(
    session: Session, principal: Principal, decision_id: int
) -> list[CopyStatus]:
    """Every copy told of the decision's orders; those not acknowledged are named."""
    _commission(principal)
    rows = session.execute(
        select(CopyNotice, Organisation)
        .join(Order, Order.id == CopyNotice.order_id)
        .join(Organisation, Organisation.id == CopyNotice.org_id)
        .where(Order.decision_id == decision_id)
        .order_by(CopyNotice.id)
    )
    return [
        CopyStatus(
            org.code, org.name, list(n.sources), n.acknowledged_at, verify_receipt(session, n)
        )
        for n, org in rows
    ]


def decision_of(session: Session, case_id: int) -> Decision | None:
    return session.scalars(select(Decision).where(Decision.case_id == case_id)).first()


# --- re-entry guard ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HoldReason:
    decision_id: int
    case_code: str
    score: float


def reentry_hold(
    session: Session,
    owner_org_id: int,
    person_data: dict[str, Any],
    kind: str = RecordKind.PERSON.value,
) -> HoldReason | None:
    """Does this new data from `owner_org_id` match data a decision deleted or found
    non-compliant? (Screening matcher score at its threshold or above; a travel document
    by issuing country and number.)"""
    from interlink.screening.person_matcher import PersonEntry, PersonMatcher, PersonQuery

    guarded = session.scalars(
        select(GuardedSubject).where(
            GuardedSubject.owner_org_id == owner_org_id, GuardedSubject.kind == kind
        )
    ).all()
    if not guarded:
        return None
    best: tuple[float, GuardedSubject] | None = None
    if kind == RecordKind.DOCUMENT.value:
        number = (person_data.get("number") or "").upper()
        country = person_data.get("issuing_country")
        for subject in guarded:
            if (
                subject.doc_number
                and subject.doc_number.upper() == number
                and subject.doc_country == country
            ):
                best = (1.0, subject)
                break
    else:
        matcher = PersonMatcher()
        names = [
            n["full_name"]
            for n in (*person_data.get("names", ()), *person_data.get("aliases", ()))
            if isinstance(n, dict) and n.get("full_name")
        ]
        nationalities = person_data.get("nationalities") or [None]
        for subject in guarded:
            entry = PersonEntry(
                record_id=0,
                names=tuple(subject.names),
                birth_date=subject.birth_date,
                nationalities=tuple(subject.nationalities),
                sex=None,
                visibility=Visibility(),
                owner_org_id=owner_org_id,
            )
            for name in names:
                query = PersonQuery(
                    name=name,
                    birth_date=person_data.get("birth_date"),
                    nationality=nationalities[0],
                )
                score = matcher.compare(query, entry).score
                if score >= REENTRY_THRESHOLD and (best is None or score > best[0]):
                    best = (score, subject)
    if best is None:
        return None
    decision = session.get(Decision, best[1].decision_id)
    case = session.get(Case, decision.case_id) if decision else None
    return HoldReason(best[1].decision_id, case.code if case else "", round(best[0], 4))


def hold_if_reentry(session: Session, principal: Principal, record: Record) -> HoldReason | None:
    """Called by records.create_record before its change is emitted: a match holds the new
    record for the commission's review. A hold blocks it (as a provisional measure does), so
    no request can make it circulate and no screening finds it; its owner and the commission
    still see it."""
    reason = reentry_hold(session, record.owner_org_id, record.data, record.kind)
    if reason is None:
        return None
    record.access_blocked = True
    _hold(session, principal, record.id, record.owner_org_id, reason)
    return reason


def hold_imported(
    session: Session, principal: Principal, records: Sequence[tuple[int, str, dict[str, Any]]]
) -> int:
    """The guard over a bulk import, before its changes are emitted: each (id, kind, data)
    row matching guarded data is blocked and held as `hold_if_reentry` holds one record.
    Returns how many were held."""
    if not session.scalars(
        select(GuardedSubject.id).where(GuardedSubject.owner_org_id == principal.org_id).limit(1)
    ).first():
        return 0  # the common case: nothing of this bureau's was ever deleted by a decision
    held = []
    for record_id, kind, data in records:
        reason = reentry_hold(session, principal.org_id, data, kind)
        if reason is not None:
            _hold(session, principal, record_id, principal.org_id, reason)
            held.append(record_id)
    if held:
        session.execute(update(Record).where(Record.id.in_(held)).values(access_blocked=True))
    return len(held)


def _hold(
    session: Session, principal: Principal, record_id: int, owner_org_id: int, reason: HoldReason
) -> None:
    session.add(
        Hold(
            record_id=record_id,
            owner_org_id=owner_org_id,
            decision_id=reason.decision_id,
            score=reason.score,
        )
    )
    audit.record(
        session,
        principal.actor,
        Event(
            "record.reentry_hold",
            "record",
            record_id,
            owner_org_id=owner_org_id,
            detail={
                "decision": reason.decision_id,
                "case": reason.case_code,
                "score": reason.score,
            },
        ),
    )


def holds(session: Session, principal: Principal, *, pending_only: bool = True) -> list[Hold]:
    _commission(principal)
    stmt = select(Hold).order_by(Hold.id).limit(500)
    if pending_only:
        stmt = stmt.where(Hold.reviewed_at.is_(None))
    return list(session.scalars(stmt))


def review_hold(
    session: Session,
    principal: Principal,
    hold_id: int,
    *,
    release: bool,
    reason: str,
    now: datetime | None = None,
) -> Hold:
    """The commission releases a held record, or keeps it out of circulation."""
    from interlink.records.circulation import refresh_subject

    now = now or utcnow()
    _commission(principal)
    hold = session.get(Hold, hold_id)
    if hold is None:
        raise NotFound(msg("no hold %(hold_id)s", hold_id=hold_id))
    if hold.reviewed_at is not None:
        raise Conflict("this hold was already reviewed")
    if len(reason.strip()) < 5:
        raise InvalidInput("a review needs its reasons")
    hold.reviewed_at, hold.reviewed_by, hold.released = now, principal.label, release
    if release:
        set_block(session, principal, "record", hold.record_id, False, "reentry_released")
        refresh_subject(session, hold.record_id)  # circulates again if a request covers it
    audit.record(
        session,
        principal.actor,
        Event(
            "record.reentry_review",
            "record",
            hold.record_id,
            owner_org_id=hold.owner_org_id,
            detail={"released": release, "reason": reason.strip()},
        ),
    )
    return hold


# --- statistics ---------------------------------------------------------------------------------


STAT_COLUMNS = (
    "year",
    "received",
    "access",
    "correction",
    "deletion",
    "revision",
    "admissible",
    "inadmissible",
    "decided",
    "decided_on_time",
    "share_on_time",
    "non_compliant",
    "data_blocked",
    "data_deleted",
    "data_corrected",
    "consultations",
    "consultations_unanswered",
)


def _row(year: int) -> dict[str, Any]:
    return {c: 0 for c in STAT_COLUMNS} | {"year": year}


def _finish(rows: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows.values():
        row["share_on_time"] = (
            round(row["decided_on_time"] / row["decided"], 4) if row["decided"] else None
        )
    return [rows[y] for y in sorted(rows)]


def statistics(session: Session, year: int | None = None) -> list[dict[str, Any]]:
    """The commission's yearly tables, from the stored cases (public: counts only). A
    request counts in the year it was received, a decision, a block or a deletion in the
    year it happened."""
    rows: dict[int, dict[str, Any]] = {}

    def at(moment: datetime) -> dict[str, Any]:
        return rows.setdefault(moment.year, _row(moment.year))

    for case in session.scalars(select(Case).execution_options(yield_per=5000)):
        row = at(case.received_at)
        row["received"] += 1
        row[case.kind] += 1
        if case.admissible_at is not None:
            at(case.admissible_at)["admissible"] += 1
        elif case.status == CaseStatus.INADMISSIBLE and case.decided_at:
            at(case.decided_at)["inadmissible"] += 1
    for decision in session.scalars(select(Decision)):
        row = at(decision.decided_at)
        row["decided"] += 1
        row["decided_on_time"] += int(decision.on_time)
        row["non_compliant"] += int(decision.outcome == Outcome.NON_COMPLIANT)
    for measure in session.scalars(select(Measure).where(Measure.action == "block")):
        at(measure.placed_at)["data_blocked"] += 1
    for order in session.scalars(select(Order).where(Order.carried_out_at.is_not(None))):
        assert order.carried_out_at is not None  # the query's condition
        at(order.carried_out_at)[
            "data_deleted" if order.action == "delete" else "data_corrected"
        ] += 1
    for consultation in session.scalars(select(Consultation)):
        row = at(consultation.opened_at)
        row["consultations"] += 1
        row["consultations_unanswered"] += int(consultation.unanswered)
    found = _finish(rows)
    return [r for r in found if year is None or r["year"] == year]


def statistics_from_audit(session: Session, year: int | None = None) -> list[dict[str, Any]]:
    """The same tables recomputed from the audit log alone (its entries carry the time of
    each act), so the published figures can be checked against the tamper-evident record."""
    from interlink.core.audit import AuditEntry

    rows: dict[int, dict[str, Any]] = {}
    consultation_year: dict[int, int] = {}
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.action.like("rights.%"), AuditEntry.outcome == "ok")
        .order_by(AuditEntry.id)
    )
    for entry in session.scalars(stmt.execution_options(yield_per=5000)):
        detail = entry.detail or {}
        if "at" not in detail:
            continue
        moment = datetime.fromisoformat(detail["at"])
        row = rows.setdefault(moment.year, _row(moment.year))
        action = entry.action
        if action == "rights.file":
            row["received"] += 1
            row[detail["kind"]] += 1
        elif action == "rights.admissibility":
            row["admissible" if detail["admissible"] else "inadmissible"] += 1
        elif action == "rights.decide":
            row["decided"] += 1
            row["decided_on_time"] += int(detail["on_time"])
            row["non_compliant"] += int(detail["outcome"] == Outcome.NON_COMPLIANT)
        elif action == "rights.measure" and detail.get("action") == "block":
            row["data_blocked"] += 1
        elif action == "rights.order":
            row["data_deleted" if detail["action"] == "delete" else "data_corrected"] += 1
        elif action == "rights.consult":
            row["consultations"] += 1
            consultation_year[detail["consultation"]] = moment.year
        elif action == "rights.consultation_unanswered":
            opened = consultation_year.get(detail["consultation"], moment.year)
            rows.setdefault(opened, _row(opened))["consultations_unanswered"] += 1
    found = _finish(rows)
    return [r for r in found if year is None or r["year"] == year]
