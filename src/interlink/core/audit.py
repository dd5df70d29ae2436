"""The append-only, hash-chained audit log.

Two steps keep it both durable and fast:
1. `record()` adds an entry to the caller's transaction, so an action and its entry commit
   together: nothing acknowledged can lack its entry. Read-only actions (screening) go through
   `AuditWriter`, which commits many entries in one transaction (group commit) and only then
   lets each caller answer.
2. `seal_pending()` chains committed entries in batches: it gives each the next sequence
   number, the previous entry's hash and its own SHA-256 over a canonical encoding. Chaining in
   one place, after commit, avoids serialising every request on the chain head.

`verify()` walks the chain and names the first entry that was altered, deleted or reordered.
The head (last sequence number and hash) is kept in `audit_head`; core/checkpoints.py signs
it with a key outside the database so that witnesses can detect truncation and re-sealing.

Writers MAC each entry's content with a key derived from the server secret (not in the
database), when their Database carries it (`Database.audit_mac_key`). The sealer checks the
MAC: an entry without a valid one (a row inserted by someone holding only the database) is
still chained, so the order stays complete, but marked unauthenticated in its hash, logged,
and reported by `verify()`. The threat model is in docs/security.md ("Audit checkpoints").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Index,
    String,
    Text,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from interlink.core.db import Base, BigId, Database, utcnow

log = logging.getLogger(__name__)

GENESIS = "0" * 64
_SEAL_LOCK_KEY = 7_246_311


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_unsealed", "seq", "id"),
        Index("ix_audit_log_owner", "object_owner_org_id", "id"),
        # Who accessed one record (its subject page); created by migration records_0002.
        Index("ix_audit_log_object", "object_type", "object_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_token_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_org_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    actor_label: Mapped[str] = mapped_column(String(200), default="system")
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    object_owner_org_id: Mapped[int | None] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))
    # HMAC-SHA256 of the content by the writer (key outside the database); None if the
    # writer had no key. `authentic` is set by the sealer: False when the MAC did not check.
    mac: Mapped[str | None] = mapped_column(String(64))
    authentic: Mapped[bool | None] = mapped_column(Boolean)


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    entry_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
    sealed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, as the audit log records it."""

    label: str = "system"
    user_id: int | None = None
    token_id: int | None = None
    org_id: int | None = None
    client_addr: str | None = None
    request_id: str | None = None


SYSTEM = Actor()


@dataclass(slots=True)
class Event:
    action: str
    object_type: str | None = None
    object_id: str | int | None = None
    owner_org_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    outcome: str = "ok"


def entry_values(actor: Actor, event: Event) -> dict[str, Any]:
    """Column values of a new, unsealed entry (also used by bulk inserts)."""
    return {
        "at": utcnow(),
        "actor_user_id": actor.user_id,
        "actor_token_id": actor.token_id,
        "actor_org_id": actor.org_id,
        "actor_label": actor.label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": None if event.object_id is None else str(event.object_id),
        "object_owner_org_id": event.owner_org_id,
        "outcome": event.outcome,
        "detail": event.detail,
        "client_addr": actor.client_addr,
        "request_id": actor.request_id,
    }


MAC_KEY_INFO = "audit_mac_key"  # where Database.session() puts the key in Session.info


def mac_key_from_secret(secret: bytes) -> bytes:
    """The audit MAC key, derived from the server secret so neither is stored twice."""
    return hmac.new(secret, b"interlink audit entry mac v1", hashlib.sha256).digest()


def _content_payload(get: Any) -> dict[str, Any]:
    at = get("at")
    return {
        "at": at.isoformat(timespec="microseconds"),
        "user": get("actor_user_id"),
        "token": get("actor_token_id"),
        "org": get("actor_org_id"),
        "label": get("actor_label"),
        "action": get("action"),
        "object_type": get("object_type"),
        "object_id": get("object_id"),
        "owner": get("object_owner_org_id"),
        "outcome": get("outcome"),
        "detail": get("detail"),
        "addr": get("client_addr"),
        "request": get("request_id"),
    }


def _dumps(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_mac(key: bytes, entry: Any) -> str:
    """The writer's MAC over an entry's content (a row, an AuditEntry or a values dict)."""
    get = entry.get if isinstance(entry, dict) else (lambda name: getattr(entry, name))
    return hmac.new(key, _dumps(_content_payload(get)), hashlib.sha256).hexdigest()


def with_macs(key: bytes | None, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Values dicts for a bulk insert, each with its MAC (unchanged without a key)."""
    if key is not None:
        for row in rows:
            row["mac"] = content_mac(key, row)
    return rows


def session_mac_key(session: Session) -> bytes | None:
    return session.info.get(MAC_KEY_INFO)


def _entry(actor: Actor, event: Event, key: bytes | None) -> AuditEntry:
    return AuditEntry(**with_macs(key, [entry_values(actor, event)])[0])


def record(session: Session, actor: Actor, event: Event) -> None:
    """Add an audit entry to the caller's transaction."""
    session.add(_entry(actor, event, session_mac_key(session)))


def record_refusal(session: Session, actor: Actor, event: Event) -> None:
    """Commit an entry for a refused action on its own, since the caller's transaction is
    about to roll back with the refusal. Call it before the unit of work has written
    anything (on SQLite a pending write would hold the lock this needs)."""
    event.outcome = "denied"
    key = session_mac_key(session)
    with Session(bind=session.get_bind()) as own, own.begin():
        own.add(_entry(actor, event, key))


def canonical_bytes(
    entry: Any, seq: int | None = None, prev: str | None = None, authentic: bool | None = None
) -> bytes:
    """The exact bytes that an entry's hash covers: sorted-key compact JSON, UTC times.

    `entry` is an AuditEntry or a row with the same columns; `seq`, `prev` and `authentic`
    default to the entry's own (the sealer passes the ones it is about to assign)."""
    payload = {
        "seq": entry.seq if seq is None else seq,
        "prev": entry.prev_hash if prev is None else prev,
        "id": entry.id,
        **_content_payload(lambda name: getattr(entry, name)),
    }
    if (getattr(entry, "authentic", None) if authentic is None else authentic) is False:
        # Only a flagged entry carries the key, so genuine entries hash as they always did.
        payload["unauthenticated"] = True
    return _dumps(payload)


def entry_hash(
    entry: Any, seq: int | None = None, prev: str | None = None, authentic: bool | None = None
) -> str:
    return hashlib.sha256(canonical_bytes(entry, seq, prev, authentic)).hexdigest()


_CONTENT_COLUMNS = (
    AuditEntry.id,
    AuditEntry.at,
    AuditEntry.actor_user_id,
    AuditEntry.actor_token_id,
    AuditEntry.actor_org_id,
    AuditEntry.actor_label,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.object_owner_org_id,
    AuditEntry.outcome,
    AuditEntry.detail,
    AuditEntry.client_addr,
    AuditEntry.request_id,
    AuditEntry.mac,
)


def _head_for_update(session: Session) -> AuditHead:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SEAL_LOCK_KEY})
    # Touching the head first takes SQLite's write lock before we read anything.
    touched = session.execute(update(AuditHead).where(AuditHead.id == 1).values(sealed_at=utcnow()))
    if touched.rowcount == 0:  # type: ignore[attr-defined]
        session.add(AuditHead(id=1, seq=0, entry_hash=GENESIS))
        session.flush()
    head = session.get(AuditHead, 1, populate_existing=True)
    assert head is not None
    return head


def seal_pending(session: Session, batch: int = 5_000, mac_key: bytes | None = None) -> int:
    """Chain up to `batch` committed, unsealed entries; returns how many were sealed.

    With `mac_key`, an entry whose writer MAC does not check is chained as unauthenticated
    (and logged) rather than as genuine."""
    head = _head_for_update(session)
    # Plain rows and one bulk UPDATE: sealing runs beside a busy server.
    pending = session.execute(
        select(*_CONTENT_COLUMNS)
        .where(AuditEntry.seq.is_(None))
        .order_by(AuditEntry.id)
        .limit(batch)
    ).all()
    seq, prev = head.seq, head.entry_hash
    sealed = []
    forged = []
    for row in pending:
        seq += 1
        authentic = None
        if mac_key is not None:
            authentic = row.mac is not None and hmac.compare_digest(
                row.mac, content_mac(mac_key, row)
            )
            if not authentic:
                forged.append(row.id)
        digest = entry_hash(row, seq, prev, authentic if authentic is False else None)
        sealed.append(
            {
                "id": row.id,
                "seq": seq,
                "prev_hash": prev,
                "entry_hash": digest,
                "authentic": authentic,
            }
        )
        prev = digest
    if forged:
        log.error(
            "audit: %d entries without a valid writer MAC chained as unauthenticated "
            "(ids %s): rows were inserted outside the application",
            len(forged),
            ", ".join(map(str, forged[:20])),
        )
    if sealed:
        session.execute(update(AuditEntry), sealed)
        head.seq, head.entry_hash = seq, prev
    return len(sealed)


def seal_all(db: Database) -> int:
    total = 0
    while True:
        with db.session() as session:
            sealed = seal_pending(session, mac_key=db.audit_mac_key)
        total += sealed
        if sealed == 0:
            return total


@dataclass(slots=True)
class VerifyReport:
    ok: bool
    checked: int
    unsealed: int
    head_seq: int
    problem: str | None = None
    entry_id: int | None = None
    seq: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "unsealed": self.unsealed,
            "head_seq": self.head_seq,
            "problem": self.problem,
            "entry_id": self.entry_id,
            "seq": self.seq,
        }


def verify(session: Session, mac_key: bytes | None = None) -> VerifyReport:
    """Walk the sealed chain in order; report the first broken entry.

    Also report the first entry that the sealer marked unauthenticated, or that lacks a MAC
    after entries that have one; with `mac_key` (the server's), the first whose writer MAC no
    longer checks (content rewritten and re-sealed by someone holding the database but not
    the key)."""
    mac_key = session_mac_key(session) if mac_key is None else mac_key
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.entry_hash) if head else (0, GENESIS)
    unsealed = len(session.scalars(select(AuditEntry.id).where(AuditEntry.seq.is_(None))).all())
    expected_seq, prev = 1, GENESIS
    stmt = select(AuditEntry).where(AuditEntry.seq.is_not(None)).order_by(AuditEntry.seq)
    checked = 0
    macs_seen = False

    def broken(problem: str, entry: AuditEntry | None, seq: int) -> VerifyReport:
        return VerifyReport(
            False, checked, unsealed, head_seq, problem, entry.id if entry else None, seq
        )

    for entry in session.scalars(stmt.execution_options(yield_per=2_000)):
        assert entry.seq is not None
        if entry.seq != expected_seq:
            return broken(f"entry {expected_seq} is missing (deleted)", None, expected_seq)
        if entry.prev_hash != prev:
            return broken(
                f"entry {entry.seq} (id {entry.id}) does not follow entry {entry.seq - 1}: "
                "reordered, or its predecessor was replaced",
                entry,
                entry.seq,
            )
        if entry_hash(entry) != entry.entry_hash:
            return broken(f"entry {entry.seq} (id {entry.id}) was altered", entry, entry.seq)
        if entry.authentic is False:
            return broken(
                f"entry {entry.seq} (id {entry.id}) was inserted outside the "
                "application (no valid writer MAC when it was sealed)",
                entry,
                entry.seq,
            )
        if entry.mac is not None:
            macs_seen = True
            if mac_key is not None and not hmac.compare_digest(
                entry.mac, content_mac(mac_key, entry)
            ):
                return broken(
                    f"entry {entry.seq} (id {entry.id}) does not match its writer "
                    "MAC: rewritten and re-sealed",
                    entry,
                    entry.seq,
                )
        elif macs_seen:
            # Writers MAC every entry once they have the key: a gap is a forged row (or a
            # stripped MAC), whoever re-sealed the chain.
            return broken(
                f"entry {entry.seq} (id {entry.id}) has no writer MAC although "
                "earlier entries have one: inserted outside the application",
                entry,
                entry.seq,
            )
        prev = entry.entry_hash
        expected_seq += 1
        checked += 1
    last_seq = expected_seq - 1
    if last_seq != head_seq or prev != head_hash:
        return broken(
            f"the chain ends at entry {last_seq} but the head records entry {head_seq}: "
            "entries were removed from the end",
            None,
            last_seq + 1,
        )
    return VerifyReport(True, checked, unsealed, head_seq)


def entries_for_owner(
    session: Session, owner_org_id: int, *, after_id: int = 0, limit: int = 100
) -> list[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.object_owner_org_id == owner_org_id, AuditEntry.id > after_id)
        .order_by(AuditEntry.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


class AuditWriter:
    """Group commit for audit entries of read-only actions.

    A caller submits an entry and waits on the returned future; a background thread commits
    everything queued in one transaction and then resolves the futures. The caller answers its
    client only after that, so no acknowledged action's entry can be lost.
    """

    def __init__(self, db: Database, max_batch: int = 1_000) -> None:
        self._db = db
        self._max_batch = max_batch
        self._queue: queue.Queue[tuple[dict[str, Any], Future[None]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, actor: Actor, event: Event) -> Future[None]:
        self._ensure_started()
        fut: Future[None] = Future()
        self._queue.put((entry_values(actor, event), fut))
        return fut

    def write(self, actor: Actor, event: Event) -> None:
        self.submit(actor, event).result(timeout=30)

    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: Iterable[tuple[dict[str, Any], Future[None]]]) -> None:
        items = list(batch)
        try:
            with self._db.session() as session:
                session.execute(
                    insert(AuditEntry),
                    with_macs(self._db.audit_mac_key, [values for values, _ in items]),
                )
        except Exception as exc:  # every waiting caller must learn that its entry failed
            log.exception("audit batch of %d failed", len(items))
            for _, fut in items:
                fut.set_exception(exc)
            return
        for _, fut in items:
            fut.set_result(None)

    def close(self) -> None:
        with self._lock:
            thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout=30)
