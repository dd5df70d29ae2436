"""JSON routes: person, document and vehicle checks, a batch endpoint, MRZ parsing."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from interlink.core.auth import Principal
from interlink.core.errors import DomainError, InvalidInput, TooManyRequests
from interlink.deps import app_state, current_principal, unit_of_work
from interlink.screening.mrz import MrzError, parse_mrz
from interlink.screening.person_index import PersonQuery
from interlink.screening.schemas import (
    BatchCheck,
    DocumentCheck,
    PersonCheck,
    VehicleCheck,
)
from interlink.screening.service import Outcome, Screener

router = APIRouter(prefix="/api/v1", tags=["screening"])


def screener(request: Request) -> Screener:
    state = app_state(request)
    found = state.extras.get("screener")
    if found is None or not found.engine.ready:
        raise TooManyRequests("the screening indexes are still loading; retry in a moment")
    return found


def _finish(request: Request, principal: Principal, kind: str, query: dict[str, Any],
            result: tuple[Outcome, list[dict[str, Any]]]) -> dict[str, Any]:
    """Record hits in one transaction (with their audit entries and the owner's alert)."""
    outcome, matches = result
    if matches:
        with unit_of_work(request) as session:
            screener(request).record_hits(session, app_state(request), principal, kind, query,
                                          matches, outcome)
    return outcome.as_dict()


async def _audit_no_hit(request: Request, principal: Principal, kind: str,
                        query: dict[str, Any]) -> None:
    """Group-committed audit entry; the answer waits until it is durable."""
    event = screener(request).no_hit_event(principal, kind, query)
    await asyncio.wrap_future(app_state(request).audit_writer.submit(principal.actor, event))


async def _respond(request: Request, principal: Principal, kind: str, query: dict[str, Any],
                   run: Any) -> dict[str, Any]:
    result = run()
    if result[1]:
        return await run_in_threadpool(_finish, request, principal, kind, query, result)
    await _audit_no_hit(request, principal, kind, query)
    return result[0].as_dict()


def _person_query(body: PersonCheck) -> PersonQuery:
    sex = {"male": "M", "female": "F", "other": "U"}.get(body.sex or "")
    return PersonQuery(name=body.name, birth_date=body.birth_date,
                       nationality=body.nationality.upper() if body.nationality else None,
                       sex=sex)


@router.post("/screen/person")
async def screen_person(request: Request, body: PersonCheck,
                        principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Check a name (with birth date, nationality, sex) against every person record you may
    see. Each result has a score in [0, 1], a decision at the threshold and an explanation."""
    engine = screener(request)
    query = body.model_dump(exclude={"limit", "threshold"}, exclude_none=True)
    return await _respond(request, principal, "person", query, lambda: engine.person(
        principal, _person_query(body), limit=body.limit, threshold=body.threshold))


@router.post("/screen/document")
async def screen_document(request: Request, body: DocumentCheck,
                          principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Check a travel document by number (and issuing country, type) or by its MRZ."""
    engine = screener(request)
    query = body.model_dump(exclude_none=True)
    return await _respond(request, principal, "document", query, lambda: engine.document(
        principal, number=body.number, country=_upper(body.country), doc_type=body.doc_type,
        mrz=body.mrz))


@router.post("/screen/vehicle")
async def screen_vehicle(request: Request, body: VehicleCheck,
                         principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Check a vehicle by VIN or registration plate (and country)."""
    engine = screener(request)
    query = body.model_dump(exclude_none=True)
    return await _respond(request, principal, "vehicle", query, lambda: engine.vehicle(
        principal, vin=body.vin, plate=body.plate, country=_upper(body.country)))


@router.post("/screen/batch")
async def screen_batch(request: Request, body: BatchCheck,
                       principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Up to 1,000 checks in one call; each item answers as its single endpoint would."""
    engine = screener(request)
    results = []
    for item in body.items:
        checks = [c for c in (item.person, item.document, item.vehicle) if c is not None]
        if len(checks) != 1:
            raise InvalidInput(f"item {item.id}: give exactly one of person, document, vehicle")
        try:
            if item.person is not None:
                kind, query = "person", item.person.model_dump(
                    exclude={"limit", "threshold"}, exclude_none=True)
                result = engine.person(principal, _person_query(item.person),
                                       limit=item.person.limit,
                                       threshold=item.person.threshold)
            elif item.document is not None:
                kind, query = "document", item.document.model_dump(exclude_none=True)
                d = item.document
                result = engine.document(principal, number=d.number, country=_upper(d.country),
                                         doc_type=d.doc_type, mrz=d.mrz)
            else:
                kind, query = "vehicle", item.vehicle.model_dump(exclude_none=True)
                v = item.vehicle
                result = engine.vehicle(principal, vin=v.vin, plate=v.plate,
                                        country=_upper(v.country))
        except DomainError as exc:
            if exc.status in (401, 403):
                raise
            results.append({"id": item.id, "error": exc.detail})
            continue
        if result[1]:
            answer = await run_in_threadpool(_finish, request, principal, kind, query, result)
        else:
            await _audit_no_hit(request, principal, kind, query)
            answer = result[0].as_dict()
        results.append({"id": item.id, **answer})
    return {"results": results}


@router.post("/mrz/parse")
def mrz_parse(body: dict[str, str], _: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Parse an ICAO 9303 machine-readable zone: every field and every check digit."""
    text = body.get("mrz") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("send {\"mrz\": \"<the zone's lines>\"}")
    try:
        return parse_mrz(text).to_dict()
    except MrzError as exc:
        raise InvalidInput(f"not a machine-readable zone: {exc}") from None


def _upper(code: str | None) -> str | None:
    return code.upper() if code else None
