"""Screening rules: who may check what, what a hit records, what a search leaves behind.

- Border officers and bureaus check names, documents and vehicles against every record they
  may see; the index filters by their view before scoring.
- Partners (airlines, banks) check document numbers only; they learn "possible match:
  contact your national bureau" and nothing else; the hit alerts the GS and the owner.
- A hit is stored with its query and pushed to the record's owner. A search without a hit
  stores no personal data: its audit entry holds who, when, and a keyed hash of the input.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.access import Viewer
from interlink.core.audit import Event
from interlink.core.auth import OrgKind, Perm, Principal
from interlink.core.errors import Forbidden, InvalidInput
from interlink.records.models import Record
from interlink.screening.engine import ScreeningEngine
from interlink.screening.models import Hit
from interlink.screening.mrz import MrzError, parse_mrz
from interlink.screening.person_index import PersonQuery
from interlink.state import AppState

PARTNER_ANSWER = "possible match: contact your national bureau"
DEFAULT_THRESHOLD = 0.7
MAX_LIMIT = 50

# Called in the hit's transaction, so the owner's notification commits with the hit.
# The messaging capability registers its follow-up opener here.
HIT_LISTENERS: list[Callable[[Session, Hit, Principal, AppState], None]] = []


@dataclass(slots=True)
class Outcome:
    """What one query found, as the caller may see it."""

    kind: str
    hits: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    mrz: dict[str, Any] | None = None
    partner_answer: str | None = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": self.kind, "hit": bool(self.hits or self.partner_answer)}
        if self.partner_answer is not None:
            body["answer"] = self.partner_answer
            return body
        body["hits"] = self.hits
        if self.notes:
            body["notes"] = self.notes
        if self.mrz is not None:
            body["mrz"] = self.mrz
        return body


def query_fingerprint(secret: bytes, query: dict[str, Any]) -> str:
    """Keyed hash of a search input: lets an auditor match a known input to its search
    without the log holding the input itself."""
    canonical = json.dumps(query, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(secret, canonical.encode(), hashlib.sha256).hexdigest()


def _viewer(principal: Principal) -> Viewer | None:
    """The view an index applies (`core.access.can_see`). Partners search everything but
    are told nothing beyond "possible match"."""
    return None if principal.org_kind is OrgKind.PARTNER else principal.viewer


class Screener:
    """Runs checks against the engine's indexes; one per application."""

    def __init__(self, engine: ScreeningEngine, secret: bytes) -> None:
        self.engine = engine
        self.secret = secret

    # --- the three checks ---------------------------------------------------------------

    def person(self, principal: Principal, query: PersonQuery, *, limit: int = 10,
               threshold: float = DEFAULT_THRESHOLD) -> tuple[Outcome, list[dict[str, Any]]]:
        principal.require(Perm.SCREEN_PERSON)
        if principal.org_kind is OrgKind.PARTNER:
            raise Forbidden("partners check passport numbers only, never names")
        _check_limit(limit)
        found = self.engine.persons.search(query, _person_view(principal), limit=limit,
                                           threshold=threshold, viewer_org_id=principal.org_id)
        outcome = Outcome("person")
        matches = []
        for hit in found:
            view = {"record_id": hit.record_id, "score": round(hit.score, 4),
                    "decision": hit.decision, "explanation": hit.explanation_dict()}
            outcome.hits.append(view)
            if hit.decision:
                matches.append({**view, "match": "name", "owner_org_id": hit.owner_org_id})
        return outcome, matches

    def document(self, principal: Principal, *, number: str | None, country: str | None,
                 doc_type: str | None, mrz: str | None) -> tuple[Outcome, list[dict[str, Any]]]:
        principal.require(Perm.SCREEN_DOCUMENT)
        outcome = Outcome("document")
        if mrz:
            try:
                parsed = parse_mrz(mrz)
            except MrzError as exc:
                raise InvalidInput(f"not a machine-readable zone: {exc}") from None
            outcome.mrz = parsed.to_dict()
            number = parsed.document_number
            country = country or parsed.issuing_country
            if not parsed.valid:
                outcome.notes.append("the MRZ fails validation; the number was still checked")
        if not number:
            raise InvalidInput("give a document number or an MRZ")
        found = self.engine.documents.lookup(number, country, doc_type, _viewer(principal))
        matches = []
        for hit in found:
            view = {"record_id": hit.record_id, "score": hit.score, "decision": True,
                    "match": hit.kind.value, "number": hit.number, "country": hit.country,
                    "doc_type": hit.doc_type, "status": hit.status,
                    "explanation": {"ocr_corrections": [
                        {"position": p, "read": q, "indexed": i} for p, q, i in hit.swaps]}}
            outcome.hits.append(view)
            matches.append({**view, "owner_org_id": hit.owner_org_id})
        return outcome, matches

    def vehicle(self, principal: Principal, *, vin: str | None, plate: str | None,
                country: str | None) -> tuple[Outcome, list[dict[str, Any]]]:
        principal.require(Perm.SCREEN_VEHICLE)
        if principal.org_kind is OrgKind.PARTNER:
            raise Forbidden("partners check passport numbers only")
        if not (vin or plate):
            raise InvalidInput("give a VIN or a registration plate")
        viewer = _viewer(principal)
        found = []
        if vin:
            found += self.engine.vehicles.lookup_vin(vin, viewer)
        if plate:
            found += self.engine.vehicles.lookup_plate(plate, country, viewer)
        outcome = Outcome("vehicle")
        matches = []
        for hit in {h.record_id: h for h in found}.values():
            view = {"record_id": hit.record_id, "score": 1.0, "decision": True,
                    "match": hit.matched.value, "value": hit.value, "status": hit.status,
                    "plate_country": hit.plate_country, "explanation": {
                        "matched": f"{hit.matched.value} {hit.value}"}}
            outcome.hits.append(view)
            matches.append({**view, "owner_org_id": hit.owner_org_id})
        return outcome, matches

    # --- recording -----------------------------------------------------------------------

    def record_hits(self, session: Session, state: AppState, principal: Principal, kind: str,
                    query: dict[str, Any], matches: list[dict[str, Any]],
                    outcome: Outcome) -> None:
        """Store each hit, audit it for the owner, notify the owner (listeners)."""
        for match in matches:
            record = session.get(Record, match["record_id"])
            if record is None:  # deleted since the index saw it: nothing to alert
                continue
            hit = Hit(kind=kind, record_id=record.id, owner_org_id=record.owner_org_id,
                      searching_org_id=principal.org_id, searching_label=principal.label,
                      score=match["score"], match=match.get("match", kind), query=query,
                      explanation=match.get("explanation", {}))
            session.add(hit)
            session.flush()
            audit.record(session, principal.actor, Event(
                "screen.hit", "record", record.id, owner_org_id=record.owner_org_id,
                detail={"hit_id": hit.id, "kind": kind, "score": match["score"]}))
            for listener in HIT_LISTENERS:
                listener(session, hit, principal, state)
            for view in outcome.hits:
                if view["record_id"] == record.id:
                    view["hit_id"] = hit.id
                    view["external_id"] = record.external_id
                    view["label"] = record.label
        if principal.org_kind is OrgKind.PARTNER and matches:
            outcome.partner_answer = PARTNER_ANSWER

    def no_hit_event(self, principal: Principal, kind: str, query: dict[str, Any]) -> Event:
        return Event("screen.search", detail={
            "kind": kind, "hit": False, "query_hmac": query_fingerprint(self.secret, query)})


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
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
