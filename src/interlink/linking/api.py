"""JSON routes under /api/v1/links: suggested links, decisions, clusters, the link graph and
its exports, the similar-records view, and full runs."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from interlink.core.auth import Principal
from interlink.core.errors import TooManyRequests
from interlink.core.i18n import translate
from interlink.deps import Id, app_state, current_principal, unit_of_work
from interlink.linking import patterns, service
from interlink.linking.jobs import IncrementalLinker
from interlink.linking.model import shown_explanation
from interlink.linking.models import LinkRun, LinkStatus, Pattern

router = APIRouter(prefix="/api/v1/links", tags=["linking"])


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["confirmed", "rejected", "unsure"]
    reason: str | None = Field(default=None, max_length=2000)


def linker(request: Request) -> IncrementalLinker:
    found = app_state(request).services.linker
    if not found.ready():
        raise TooManyRequests("the screening index is still loading; retry in a moment")
    return found


def run_dict(run: LinkRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "state": run.state,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "started_by": run.started_by,
        "records": run.records,
        "candidate_pairs": run.candidate_pairs,
        "scored_pairs": run.scored_pairs,
        "links_found": run.links_found,
        "model": run.model,
        "error": run.error,
    }


@router.get("")
def list_links(
    request: Request,
    record_id: int | None = Query(None, ge=1, le=2**62),
    status: LinkStatus | None = None,
    min_probability: float = Query(0.0, ge=0.0, le=1.0),
    limit: int = Query(100, ge=1, le=500),
    principal: Principal = Depends(current_principal),
) -> dict[str, Any]:
    """Links between records you may both see, best first."""
    with unit_of_work(request) as session:
        views = service.list_links(
            session,
            principal,
            record_id=record_id,
            status=status,
            min_probability=min_probability,
            limit=limit,
        )
        return {"links": [v.as_dict() for v in views]}


@router.get("/runs")
def list_runs(
    request: Request, principal: Principal = Depends(current_principal)
) -> dict[str, Any]:
    """Full runs, latest first, and when the last one completed."""
    with unit_of_work(request) as session:
        found = service.runs(session, principal)
        last = service.last_completed(session)
        return {
            "runs": [run_dict(r) for r in found],
            "last_completed": last.finished_at.isoformat() if last and last.finished_at else None,
        }


@router.post("/runs", status_code=202)
def start_run(request: Request, principal: Principal = Depends(current_principal)) -> JSONResponse:
    """Start a full run over the store in the background; poll GET /runs/{id}."""
    state = app_state(request)
    with unit_of_work(request) as session:
        run = service.start_run(session, principal)
        body = run_dict(run)
    threading.Thread(
        target=_run_quietly, args=(state.db, run.id), name="linking-full-run", daemon=True
    ).start()
    return JSONResponse(body, status_code=202)


def _run_quietly(db: Any, run_id: int) -> None:
    try:
        service.full_run(db, run_id)
    except Exception:  # the run row says it failed and why
        return


@router.get("/runs/{run_id}")
def get_run(
    request: Request, run_id: Id, principal: Principal = Depends(current_principal)
) -> dict[str, Any]:
    with unit_of_work(request) as session:
        return run_dict(service.get_run(session, principal, run_id))


@router.get("/explain")
def explain(
    request: Request,
    a: int = Query(ge=1, le=2**62),
    b: int = Query(ge=1, le=2**62),
    principal: Principal = Depends(current_principal),
) -> dict[str, Any]:
    """The linking score of any two person records you may see, with its contributions."""
    with unit_of_work(request) as session:
        return shown_explanation(service.explain_pair(session, principal, a, b).as_dict())


@router.get("/records/{record_id}/similar")
def similar(
    request: Request, record_id: Id, principal: Principal = Depends(current_principal)
) -> dict[str, Any]:
    """Records like this one that you may see, scored as a link of the pair would be."""
    candidates = linker(request).candidates
    with unit_of_work(request) as session:
        found = service.similar_records(session, principal, record_id, candidates)
        return {
            "record_id": record_id,
            "similar": [
                {"record": service.record_ref(row), **shown_explanation(explanation.as_dict())}
                for row, explanation in found
            ],
        }


@router.get("/records/{record_id}/hints")
def hints(
    request: Request, record_id: Id, principal: Principal = Depends(current_principal)
) -> dict[str, Any]:
    """For the owner: whether a record it may not see may concern the same person."""
    with unit_of_work(request) as session:
        hints = [translate(h) for h in service.hints_for(session, principal, record_id)]
        return {"record_id": record_id, "hints": hints}


@router.get("/records/{record_id}/cluster")
def cluster(
    request: Request, record_id: Id, principal: Principal = Depends(current_principal)
) -> dict[str, Any]:
    with unit_of_work(request) as session:
        found = service.cluster_of(session, principal, record_id).as_dict()
    found["conflicts"] = [{**c, "problem": translate(c["problem"])} for c in found["conflicts"]]
    return found


@router.get("/records/{record_id}/graph", response_model=None)
def graph(
    request: Request,
    record_id: Id,
    format: Literal["json", "graphml", "ftm"] = "json",
    principal: Principal = Depends(current_principal),
) -> Response | dict[str, Any]:
    """The records connected to a person (linked persons, documents, notices, hits), with
    the reasons on the edges; as JSON, GraphML or FollowTheMoney entities (JSON lines)."""
    import json

    with unit_of_work(request) as session:
        found = service.graph_of(session, principal, record_id).in_language()
    if format == "graphml":
        return Response(
            service.graphml(found),
            media_type="application/graphml+xml",
            headers={"content-disposition": f'attachment; filename="record-{record_id}.graphml"'},
        )
    if format == "ftm":
        lines = "".join(
            json.dumps(e, ensure_ascii=False) + "\n" for e in service.ftm_entities(found)
        )
        return Response(lines, media_type="application/x-ndjson")
    return found.as_dict()


@router.get("/{link_id}")
def get_link(
    request: Request, link_id: Id, principal: Principal = Depends(current_principal)
) -> dict[str, Any]:
    with unit_of_work(request) as session:
        view = service.get_link(session, principal, link_id)
        body = view.as_dict()
        body["decisions"] = [
            {"decision": d.decision, "reason": d.reason, "actor": d.actor, "at": d.at.isoformat()}
            for d in service.history(session, principal, link_id)
        ]
        return body


@router.post("/{link_id}/decision")
def decide(
    request: Request,
    link_id: Id,
    body: DecisionIn,
    principal: Principal = Depends(current_principal),
) -> dict[str, Any]:
    """Confirm, reject or mark unsure (analysts). A rejected pair is never suggested again."""
    with unit_of_work(request) as session:
        view = service.decide(session, principal, link_id, LinkStatus(body.decision), body.reason)
        return view.as_dict()


# --- saved patterns (linking/patterns.py) --------------------------------------------------

patterns_router = APIRouter(prefix="/api/v1/patterns", tags=["linking"])


class PatternIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["shared_document", "red_subject_screened_abroad"]
    name: str = Field(min_length=1, max_length=200)
    daily_cap: int = Field(default=patterns.DEFAULT_DAILY_CAP, ge=1, le=patterns.MAX_DAILY_CAP)
    days: int = Field(default=90, ge=1, le=patterns.MAX_DAYS)


class PatternOut(BaseModel):
    id: int
    kind: str
    name: str
    active: bool
    daily_cap: int
    expires_at: datetime
    created_by: str
    created_at: datetime
    suppressed: int

    @classmethod
    def of(cls, row: Pattern) -> PatternOut:
        return cls.model_validate(row, from_attributes=True)


class PatternAlertOut(BaseModel):
    id: int
    key: str
    record_ids: list[int]
    hit_ids: list[int]
    opened_at: datetime


@patterns_router.get("", response_model=list[PatternOut])
def list_patterns(
    request: Request, principal: Principal = Depends(current_principal)
) -> list[PatternOut]:
    with unit_of_work(request) as session:
        return [PatternOut.of(p) for p in patterns.list_patterns(session, principal)]


@patterns_router.post("", response_model=PatternOut, status_code=201)
def create_pattern(
    request: Request, body: PatternIn, principal: Principal = Depends(current_principal)
) -> PatternOut:
    with unit_of_work(request) as session:
        return PatternOut.of(patterns.create_pattern(session, principal, **body.model_dump()))


@patterns_router.post("/{pattern_id}/deactivate", response_model=PatternOut)
def deactivate_pattern(
    request: Request, pattern_id: Id, principal: Principal = Depends(current_principal)
) -> PatternOut:
    with unit_of_work(request) as session:
        return PatternOut.of(patterns.deactivate(session, principal, pattern_id))


@patterns_router.get("/{pattern_id}/alerts", response_model=list[PatternAlertOut])
def pattern_alerts(
    request: Request,
    pattern_id: Id,
    limit: int = Query(100, ge=1, le=500),
    principal: Principal = Depends(current_principal),
) -> list[PatternAlertOut]:
    with unit_of_work(request) as session:
        return [
            PatternAlertOut.model_validate(a, from_attributes=True)
            for a in patterns.alerts_of(session, principal, pattern_id, limit)
        ]
