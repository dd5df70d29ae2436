"""JSON routes: the audit log for record owners and the oversight commission."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict

from interlink.core.auth import Principal
from interlink.core.checkpoints import CheckpointSigner, public_key_b64
from interlink.core.pagination import Page, check_limit, decode_cursor, encode_cursor
from interlink.deps import app_state, current_principal, unit_of_work
from interlink.oversight import service

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    seq: int | None
    at: datetime
    actor_label: str
    actor_user_id: int | None
    actor_token_id: int | None
    actor_org_id: int | None
    action: str
    object_type: str | None
    object_id: str | None
    object_owner_org_id: int | None
    outcome: str
    detail: dict[str, Any]
    client_addr: str | None
    request_id: str | None
    entry_hash: str | None


@router.get("", response_model=Page[AuditEntryOut])
def list_entries(
    request: Request,
    cursor: str | None = None,
    limit: int = Query(100),
    action: str | None = Query(None, max_length=64),
    object_type: str | None = Query(None, max_length=40),
    object_id: str | None = Query(None, max_length=64),
    actor_org_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    principal: Principal = Depends(current_principal),
) -> Page[AuditEntryOut]:
    with unit_of_work(request) as session:
        entries = service.query_audit(
            session,
            principal,
            after_id=decode_cursor(cursor),
            limit=check_limit(limit),
            action=action,
            object_type=object_type,
            object_id=object_id,
            actor_org_id=actor_org_id,
            since=since,
            until=until,
        )
        items = [AuditEntryOut.model_validate(e) for e in entries]
    next_cursor = encode_cursor(items[-1].id) if len(items) == limit else None
    return Page[AuditEntryOut](items=items, next_cursor=next_cursor)


@router.get("/verify")
def verify(request: Request, principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    with unit_of_work(request) as session:
        return service.verify_chain(session, principal).as_dict()


class CheckpointOut(BaseModel):
    """A signed chain head; verify `signature` (base64 Ed25519) over the UTF-8 bytes of
    "interlink-audit-checkpoint/v1\\n{seq}\\n{hash}\\n{at}" with the checkpoint key."""

    seq: int
    hash: str
    at: str
    key_id: str
    signature: str


class CheckpointKeyOut(BaseModel):
    key_id: str
    algorithm: str = "Ed25519"
    public_key: str  # base64 of the 32 raw bytes


@router.get("/checkpoints", response_model=Page[CheckpointOut])
def list_checkpoints(
    request: Request,
    cursor: str | None = None,
    limit: int = Query(100),
    principal: Principal = Depends(current_principal),
) -> Page[CheckpointOut]:
    """Signed checkpoints, oldest first: keep them, and prove later with
    `interlink audit verify --against` that the log still extends them."""
    with unit_of_work(request) as session:
        rows = service.list_checkpoints(
            session, principal, after_id=decode_cursor(cursor), limit=check_limit(limit)
        )
    items = [CheckpointOut(**checkpoint.as_dict()) for _, checkpoint in rows]
    next_cursor = encode_cursor(rows[-1][0]) if len(rows) == limit else None
    return Page[CheckpointOut](items=items, next_cursor=next_cursor)


@router.get("/checkpoints/latest", response_model=CheckpointOut)
def latest_checkpoint(
    request: Request, principal: Principal = Depends(current_principal)
) -> CheckpointOut:
    with unit_of_work(request) as session:
        return CheckpointOut(**service.latest_checkpoint(session, principal).as_dict())


@router.get("/checkpoint-key", response_model=CheckpointKeyOut)
def checkpoint_key(request: Request, _: Principal = Depends(current_principal)) -> CheckpointKeyOut:
    """The public key that verifies checkpoints, for any signed-in caller: a witness pins it
    once and checks every checkpoint it keeps against it."""
    signer = CheckpointSigner.from_file(app_state(request).settings.audit_signing_key_file)
    return CheckpointKeyOut(key_id=signer.key_id, public_key=public_key_b64(signer.public))
