"""JSON routes: person, document and vehicle checks, a batch endpoint, MRZ parsing."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from interlink.core.auth import Principal
from interlink.core.errors import DomainError, InvalidInput, TooManyRequests
from interlink.core.i18n import msg, translate
from interlink.deps import app_state, current_principal
from interlink.screening.mrz import MrzError, parse_mrz
from interlink.screening.person_index import PersonQuery
from interlink.screening.schemas import (
    BatchAnswer,
    BatchCheck,
    BatchResult,
    DocumentCheck,
    MrzIn,
    MrzOut,
    PersonCheck,
    ScreeningAnswer,
    VehicleCheck,
)
from interlink.screening.service import (
    DocumentQuery,
    Screener,
    VehicleQuery,
    answer_in_language,
)

router = APIRouter(prefix="/api/v1", tags=["screening"])


def screener(request: Request) -> Screener:
    found = app_state(request).services.screener
    if not found.engine.ready:
        raise TooManyRequests("the screening indexes are still loading; retry in a moment")
    return found


def _person_query(body: PersonCheck) -> PersonQuery:
    sex = {"male": "M", "female": "F", "other": "U"}.get(body.sex or "")
    return PersonQuery(
        name=body.name,
        birth_date=body.birth_date,
        nationality=body.nationality.upper() if body.nationality else None,
        sex=sex,
    )


def document_query(body: DocumentCheck) -> DocumentQuery:
    return DocumentQuery(
        number=body.number, country=_upper(body.country), doc_type=body.doc_type, mrz=body.mrz
    )


def vehicle_query(body: VehicleCheck) -> VehicleQuery:
    return VehicleQuery(vin=body.vin, plate=body.plate, country=_upper(body.country))


@router.post("/screen/person", response_model=ScreeningAnswer, response_model_exclude_none=True)
async def screen_person(
    request: Request, body: PersonCheck, principal: Principal = Depends(current_principal)
) -> ScreeningAnswer:
    """Check a name (with birth date, nationality, sex) against every person record you may
    find. Each hit has a score in [0, 1], a decision at the threshold, an explanation, and the
    requests in force on the person with the action each asks."""
    engine = screener(request)
    return answer_in_language(
        await run_in_threadpool(
            engine.person,
            principal,
            _person_query(body),
            limit=body.limit,
            threshold=body.threshold,
        )
    )


@router.post("/screen/document", response_model=ScreeningAnswer, response_model_exclude_none=True)
async def screen_document(
    request: Request, body: DocumentCheck, principal: Principal = Depends(current_principal)
) -> ScreeningAnswer:
    """Check a travel document by number (and issuing country, type) or by its MRZ; a zone
    also checks its holder's name, birth date and nationality."""
    engine = screener(request)
    return answer_in_language(
        await run_in_threadpool(engine.document, principal, document_query(body))
    )


@router.post("/screen/vehicle", response_model=ScreeningAnswer, response_model_exclude_none=True)
async def screen_vehicle(
    request: Request, body: VehicleCheck, principal: Principal = Depends(current_principal)
) -> ScreeningAnswer:
    """Check a vehicle by VIN or registration plate (and country)."""
    engine = screener(request)
    return answer_in_language(
        await run_in_threadpool(engine.vehicle, principal, vehicle_query(body))
    )


@router.post("/screen/batch", response_model=BatchAnswer, response_model_exclude_none=True)
async def screen_batch(
    request: Request, body: BatchCheck, principal: Principal = Depends(current_principal)
) -> BatchAnswer:
    """Up to 1,000 checks in one call; each item answers as its single endpoint would."""
    engine = screener(request)
    return await run_in_threadpool(_batch, engine, principal, body)


def _batch(engine: Screener, principal: Principal, body: BatchCheck) -> BatchAnswer:
    results = []
    for item in body.items:
        checks = [c for c in (item.person, item.document, item.vehicle) if c is not None]
        if len(checks) != 1:
            raise InvalidInput(
                msg(
                    "item %(item_id)s: give exactly one of person, document, vehicle",
                    item_id=item.id,
                )
            )
        try:
            if item.person is not None:
                answer = engine.person(
                    principal,
                    _person_query(item.person),
                    limit=item.person.limit,
                    threshold=item.person.threshold,
                )
            elif item.document is not None:
                answer = engine.document(principal, document_query(item.document))
            else:
                assert item.vehicle is not None
                answer = engine.vehicle(principal, vehicle_query(item.vehicle))
        except DomainError as exc:
            if exc.status in (401, 403):
                raise
            kind = "person" if item.person else "document" if item.document else "vehicle"
            results.append(
                BatchResult(id=item.id, kind=kind, hit=False, error=translate(exc.detail))
            )
            continue
        results.append(BatchResult(id=item.id, **answer_in_language(answer).model_dump()))
    return BatchAnswer(results=results)


@router.post("/mrz/parse", response_model=MrzOut)
def mrz_parse(body: MrzIn, _: Principal = Depends(current_principal)) -> MrzOut:
    """Parse an ICAO 9303 machine-readable zone: every field and every check digit."""
    try:
        return MrzOut.model_validate(parse_mrz(body.mrz).to_dict())
    except MrzError as exc:
        raise InvalidInput(msg(exc.template, **exc.params)) from None


def _upper(code: str | None) -> str | None:
    return code.upper() if code else None
