"""Screening: the whole check, in one place.

A check scores against the per-process indexes (filtered by the caller's view before
anything is scored), then either records each hit at the decision threshold (the hit, its
audit entry and the owner's alert commit together) or audits the search as a keyed hash of
its input; it returns one typed answer. Routes, pages and the manifest batch only parse and
render.

- Border officers and bureaus check names, documents and vehicles against every record they
  may see. Each hit carries the requests in force on its record that the caller may see,
  with the action each asks, its validity and its warnings ("not to be acted on in your
  country", the handling code), and a document's or vehicle's status and action.
- A person circulates only under a request in force (records.circulation): another member's
  hit on a person needs one that admits its country, still valid at the time of the check.
- Partners (airlines, banks) check document numbers only; they learn "possible match:
  contact your national bureau" and nothing else; the hit alerts the GS and the owner.
- A search without a hit stores no personal data: its audit entry holds who, when, and a
  keyed hash of the input.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.access import Viewer
from interlink.core.audit import AuditWriter, Event
from interlink.core.auth import OrgKind, Perm, Principal
from interlink.core.db import Database
from interlink.core.errors import Forbidden, InvalidInput
from interlink.core.i18n import (
    DEFAULT_LANGUAGE,
    N_,
    Listed,
    Msg,
    current_language,
    msg,
    translate,
)
from interlink.core.labels import LABELS
from interlink.records import service as records
from interlink.records.actions import (
    ACTION,
    HANDLING,
    NOT_TO_BE_ACTED_ON,
    document_action,
    vehicle_action,
)
from interlink.records.checks import request_code
from interlink.screening.engine import RequestInForce, ScreeningEngine
from interlink.screening.models import Hit
from interlink.screening.mrz import MrzError, MrzResult, parse_mrz
from interlink.screening.person_index import PersonQuery
from interlink.screening.schemas import HitOut, RequestOut, ScreeningAnswer

PARTNER_ANSWER = N_("possible match: contact your national bureau")
DEFAULT_THRESHOLD = 0.7
MAX_LIMIT = 50

# What happens in a hit's transaction besides the hit itself (the owner's alert): wired in
# interlink.wiring, so the owner's notification commits with the hit.
HitListener = Callable[[Session, Hit, Principal], None]
# Where a no-hit audit entry goes: by default the group-committed writer, waited for; the
# manifest batch collects them and inserts in bulk.
NoHitSink = Callable[[Principal, Event], None]

# The zone's fields that carry a check digit (screening.mrz), as a note names them.
CHECKED_FIELDS = {
    "document_number": N_("the document number"),
    "birth_date": N_("the birth date"),
    "expiry_date": N_("the expiry date"),
    "optional_data": N_("the optional data"),
    "composite": N_("the whole zone (composite)"),
}

SEX_CODES = {"male": "M", "female": "F", "other": "U", "M": "M", "F": "F", "X": "U"}


@dataclass(frozen=True, slots=True)
class DocumentQuery:
    number: str | None = None
    country: str | None = None
    doc_type: str | None = None
    mrz: str | None = None


@dataclass(frozen=True, slots=True)
class VehicleQuery:
    vin: str | None = None
    plate: str | None = None
    country: str | None = None


def query_fingerprint(secret: bytes, query: dict[str, Any]) -> str:
    """Keyed hash of a search input: lets an auditor match a known input to its search
    without the log holding the input itself."""
    canonical = json.dumps(query, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(secret, canonical.encode(), hashlib.sha256).hexdigest()


def _index_viewer(principal: Principal) -> Viewer | None:
    """The view the document and vehicle indexes apply. Partners search every document but
    are told nothing beyond "possible match"."""
    return None if principal.org_kind is OrgKind.PARTNER else principal.viewer


# Not a member code: what an international entity (no country) sees is what is open to all
# members or to all but some, exactly as `Visibility.admits(None)` decides.
NO_COUNTRY = "--"


def _person_view(principal: Principal) -> str | None:
    """The person index filters by country; None is the GS's and oversight's view of all."""
    viewer = principal.viewer
    if viewer.is_secretariat or viewer.is_oversight:
        return None
    return viewer.country or NO_COUNTRY


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(msg("limit must be between 1 and %(max_limit)s", max_limit=MAX_LIMIT))


def request_out(request: RequestInForce, viewer: Viewer, now: datetime) -> RequestOut:
    """A request in force as the viewer's officer reads it."""
    excluded = viewer.country is not None and viewer.country in request.not_actionable_in
    warnings = [NOT_TO_BE_ACTED_ON] if excluded else []
    if request.handling.value != "H0":
        warnings.append(HANDLING[request.handling.value])
    return RequestOut(
        reference=request.reference,
        kind=request.kind,
        type=request.notice_type.value,
        title=LABELS[request_code(request.notice_type, request.kind)],
        requesting_member=request.requesting_country,
        requesting_bureau=request.requesting_org_name,
        purpose=request.purpose,
        judicial_purpose=request.judicial_purpose,
        action=ACTION[request.notice_type],
        actionable=not excluded,
        valid_until=request.valid_until.date().isoformat() if request.valid_until else None,
        handling=HANDLING[request.handling.value],
        warnings=warnings,
    )


def answer_in_language(answer: ScreeningAnswer) -> ScreeningAnswer:
    """An answer with its sentences (titles, purposes, actions, warnings, notes) in the
    reader's language; the codes beside them (`type`, `kind`, `status`...) as they are. The
    service answers with the msgids, which are the English: pages, the API and the manifest
    batch put them in the reader's language here."""
    if current_language() == DEFAULT_LANGUAGE:
        return answer
    update: dict[str, Any] = {}
    if answer.answer is not None:
        update["answer"] = translate(answer.answer)
    if answer.notes is not None:
        update["notes"] = [translate(note) for note in answer.notes]
    if answer.hits:
        update["hits"] = [_hit_in_language(hit) for hit in answer.hits]
    return answer.model_copy(update=update)


def _hit_in_language(hit: HitOut) -> HitOut:
    return hit.model_copy(
        update={
            "explanation": _explanation_in_language(hit.explanation),
            "action": translate(hit.action) if hit.action else hit.action,
            "warnings": [translate(w) for w in hit.warnings],
            "requests": [
                r.model_copy(
                    update={
                        "title": translate(r.title),
                        "purpose": translate(r.purpose),
                        "action": translate(r.action),
                        "handling": translate(r.handling),
                        "warnings": [translate(w) for w in r.warnings],
                    }
                )
                for r in hit.requests
            ],
        }
    )


def _explanation_in_language(explanation: dict[str, Any]) -> dict[str, Any]:
    """A person hit's features with their details in the reader's language: the matcher
    gives each as a message (English), or as data (a nationality), shown as it is."""
    features = explanation.get("features")
    if not features:
        return explanation
    shown = [
        {**f, "detail": translate(f["detail"])} if isinstance(f.get("detail"), Msg) else f
        for f in features
    ]
    return {**explanation, "features": shown}


class Screener:
    """Runs checks against the engine's indexes; one per application."""

    def __init__(
        self,
        engine: ScreeningEngine,
        secret: bytes,
        db: Database,
        audit_writer: AuditWriter,
        on_hit: HitListener | None = None,
    ) -> None:
        self.engine = engine
        self.secret = secret
        self.db = db
        self.audit_writer = audit_writer
        self.on_hit = on_hit

    # --- search in lists -------------------------------------------------------------------

    def names_like(self, principal: Principal, text: str, *, limit: int = 500) -> list[int]:
        """Persons whose name the matcher finds like `text`, in any script ("Humaida" finds
        حميضة), best first, among those the principal's view of the index admits. For the
        record and notice searches, which apply the access policy again in SQL and audit
        each row they show; not a screening, so no hit is recorded. Empty while the index
        is still loading (the lists then search the stored labels only)."""
        if not self.engine.ready or not text.strip() or not principal.has(Perm.RECORDS_READ):
            return []
        found = self.engine.persons.search(
            PersonQuery(name=text.strip()),
            _person_view(principal),
            limit=limit,
            viewer_org_id=principal.org_id,
        )  # from the index's reporting floor, as an officer is shown hits
        return [hit.record_id for hit in found]

    # --- the checks ------------------------------------------------------------------------

    def person(
        self,
        principal: Principal,
        query: PersonQuery,
        *,
        limit: int = 10,
        threshold: float = DEFAULT_THRESHOLD,
        no_hit: NoHitSink | None = None,
    ) -> ScreeningAnswer:
        principal.require(Perm.SCREEN_PERSON)
        if principal.org_kind is OrgKind.PARTNER:
            raise Forbidden("partners check passport numbers only, never names")
        _check_limit(limit)
        hits = self._person_hits(principal, query, limit, threshold)
        answer = ScreeningAnswer(kind="person", hit=bool(hits), hits=hits)
        return self._finish(principal, "person", _person_input(query), answer, no_hit)

    def document(
        self, principal: Principal, query: DocumentQuery, *, no_hit: NoHitSink | None = None
    ) -> ScreeningAnswer:
        principal.require(Perm.SCREEN_DOCUMENT)
        answer = ScreeningAnswer(kind="document", hit=False, notes=[])
        number, country = query.number, query.country
        holder: PersonQuery | None = None
        if query.mrz:
            parsed = _parse(query.mrz)
            answer.mrz = parsed.to_dict()
            number = parsed.document_number
            country = country or parsed.issuing_country
            if not parsed.valid and answer.notes is not None:
                failed = [c.name for c in parsed.check_digits if not c.valid]
                answer.notes.append(
                    msg(
                        "The zone fails validation (check digit of %(fields)s): it may be "
                        "misread or forged; the number and the holder were still checked.",
                        fields=Listed(tuple(msg(CHECKED_FIELDS.get(f, f)) for f in failed)),
                    )
                    if failed
                    else msg(
                        "The zone fails validation: it may be misread or forged; the number "
                        "and the holder were still checked."
                    )
                )
            holder = _holder(parsed)
        if not number:
            raise InvalidInput("give a document number or an MRZ")
        hits = self._document_hits(principal, number, country, query.doc_type)
        if (
            holder is not None
            and principal.has(Perm.SCREEN_PERSON)
            and principal.org_kind is not OrgKind.PARTNER
        ):
            hits += self._person_hits(principal, holder, 10, DEFAULT_THRESHOLD)
        answer.hits, answer.hit = hits, bool(hits)
        raw = {
            k: v
            for k, v in (
                ("number", query.number),
                ("country", query.country),
                ("doc_type", query.doc_type),
                ("mrz", query.mrz),
            )
            if v
        }
        return self._finish(principal, "document", raw, answer, no_hit)

    def vehicle(
        self, principal: Principal, query: VehicleQuery, *, no_hit: NoHitSink | None = None
    ) -> ScreeningAnswer:
        principal.require(Perm.SCREEN_VEHICLE)
        if principal.org_kind is OrgKind.PARTNER:
            raise Forbidden("partners check passport numbers only")
        if not (query.vin or query.plate):
            raise InvalidInput("give a VIN or a registration plate")
        viewer = _index_viewer(principal)
        found = []
        if query.vin:
            found += self.engine.vehicles.lookup_vin(query.vin, viewer)
        if query.plate:
            found += self.engine.vehicles.lookup_plate(query.plate, query.country, viewer)
        now = datetime.now(UTC)
        hits = [
            HitOut(
                record_id=h.record_id,
                record_kind="vehicle",
                score=1.0,
                decision=True,
                match=h.matched.value,
                value=h.value,
                status=h.status,
                plate_country=h.plate_country,
                action=vehicle_action(h.status),
                requests=self._requests(principal, h.record_id, now),
                explanation={"matched": f"{h.matched.value} {h.value}"},
            )
            for h in {h.record_id: h for h in found}.values()
        ]
        answer = ScreeningAnswer(kind="vehicle", hit=bool(hits), hits=hits)
        raw = {
            k: v
            for k, v in (("vin", query.vin), ("plate", query.plate), ("country", query.country))
            if v
        }
        return self._finish(principal, "vehicle", raw, answer, no_hit)

    # --- scoring -------------------------------------------------------------------------

    def _person_hits(
        self, principal: Principal, query: PersonQuery, limit: int, threshold: float
    ) -> list[HitOut]:
        found = self.engine.persons.search(
            query,
            _person_view(principal),
            limit=limit,
            threshold=threshold,
            viewer_org_id=principal.org_id,
        )
        now = datetime.now(UTC)
        viewer = principal.viewer
        sees_all = viewer.is_secretariat or viewer.is_oversight
        hits = []
        for hit in found:
            requests = self._requests(principal, hit.record_id, now)
            # A member finds another bureau's person only under a request still valid now
            # (expiry is applied at once here; the hourly sweep then updates the record).
            if not sees_all and hit.owner_org_id != principal.org_id and not requests:
                continue
            hits.append(
                HitOut(
                    record_id=hit.record_id,
                    record_kind="person",
                    score=round(hit.score, 4),
                    decision=hit.decision,
                    match="name",
                    requests=requests,
                    explanation=hit.explanation_dict(),
                )
            )
        return hits

    def _document_hits(
        self, principal: Principal, number: str, country: str | None, doc_type: str | None
    ) -> list[HitOut]:
        found = self.engine.documents.lookup(number, country, doc_type, _index_viewer(principal))
        now = datetime.now(UTC)
        return [
            HitOut(
                record_id=h.record_id,
                record_kind="document",
                score=h.score,
                decision=True,
                match=h.kind.value,
                number=h.number,
                country=h.country,
                doc_type=h.doc_type,
                status=h.status,
                action=document_action(h.status),
                requests=self._requests(principal, h.record_id, now),
                explanation={
                    "ocr_corrections": [
                        {"position": p, "read": q, "indexed": i} for p, q, i in h.swaps
                    ]
                },
            )
            for h in found
        ]

    def _requests(self, principal: Principal, record_id: int, now: datetime) -> list[RequestOut]:
        viewer = principal.viewer
        sees_all = viewer.is_secretariat or viewer.is_oversight
        return [
            request_out(r, viewer, now)
            for r in self.engine.requests_on(record_id)
            if (r.valid_until is None or r.valid_until > now)
            and r.admits(viewer.country, viewer.org_id, sees_all)
        ]

    # --- recording -----------------------------------------------------------------------

    def _finish(
        self,
        principal: Principal,
        kind: str,
        query: dict[str, Any],
        answer: ScreeningAnswer,
        no_hit: NoHitSink | None,
    ) -> ScreeningAnswer:
        hits = answer.hits or []
        decided = [h for h in hits if h.decision]
        if decided:
            with self.db.session() as session:
                self._record_hits(session, principal, kind, query, decided)
                self._label(session, principal, hits)
        else:
            if hits:  # below the threshold: shown, not recorded; names for the officer
                with self.db.session() as session:
                    self._label(session, principal, hits)
            event = self.no_hit_event(principal, kind, query)
            if no_hit is not None:
                no_hit(principal, event)
            else:
                self.audit_writer.submit(principal.actor, event).result()
        for hit in hits:
            hit.warnings = sorted({w for r in hit.requests for w in r.warnings})
        hits.sort(key=lambda h: -h.score)
        if principal.org_kind is OrgKind.PARTNER:
            return ScreeningAnswer(
                kind=answer.kind,
                hit=bool(decided),
                hits=None,
                answer=PARTNER_ANSWER if decided else None,
            )
        answer.notes = answer.notes or None
        return answer

    def _record_hits(
        self,
        session: Session,
        principal: Principal,
        kind: str,
        query: dict[str, Any],
        decided: list[HitOut],
    ) -> None:
        """Store each hit, audit it for the owner, alert the owner, in one transaction."""
        for view in decided:
            record = records.screened_record(session, principal, view.record_id)
            if record is None:  # withdrawn since the index saw it: nothing to alert
                continue
            hit = Hit(
                kind=view.record_kind,
                record_id=record.id,
                owner_org_id=record.owner_org_id,
                searching_org_id=principal.org_id,
                searching_label=principal.label,
                score=view.score,
                match=view.match,
                query=query,
                explanation={**view.explanation, "requests": [r.reference for r in view.requests]},
            )
            session.add(hit)
            session.flush()
            audit.record(
                session,
                principal.actor,
                Event(
                    "screen.hit",
                    "record",
                    record.id,
                    owner_org_id=record.owner_org_id,
                    detail={
                        "hit_id": hit.id,
                        "kind": view.record_kind,
                        "check": kind,
                        "score": view.score,
                        "requests": [r.reference for r in view.requests],
                    },
                ),
            )
            if self.on_hit is not None:
                self.on_hit(session, hit, principal)
            view.hit_id = hit.id
            view.external_id = record.external_id

    def _label(self, session: Session, principal: Principal, hits: list[HitOut]) -> None:
        if principal.org_kind is OrgKind.PARTNER:
            return
        labels = records.labels_for(session, principal, [h.record_id for h in hits])
        for hit in hits:
            hit.label = labels.get(hit.record_id)

    def no_hit_event(self, principal: Principal, kind: str, query: dict[str, Any]) -> Event:
        return Event(
            "screen.search",
            detail={
                "kind": kind,
                "hit": False,
                "query_hmac": query_fingerprint(self.secret, query),
            },
        )


def _parse(text: str) -> MrzResult:
    try:
        return parse_mrz(text)
    except MrzError as exc:
        raise InvalidInput(msg(exc.template, **exc.params)) from None


def _holder(parsed: MrzResult) -> PersonQuery | None:
    """The holder as the zone names them: surname, given names, birth date, nationality."""
    name = " ".join(part for part in (parsed.given_names, parsed.surname) if part).strip()
    if not name:
        return None
    return PersonQuery(
        name=name,
        birth_date=parsed.birth_date.isoformat() if parsed.birth_date else None,
        nationality=parsed.nationality_country,
        sex=SEX_CODES.get(parsed.sex or ""),
    )


def _person_input(query: PersonQuery) -> dict[str, Any]:
    raw = {
        "name": query.name,
        "birth_date": query.birth_date,
        "nationality": query.nationality,
        "sex": query.sex,
    }
    return {k: v for k, v in raw.items() if v}
