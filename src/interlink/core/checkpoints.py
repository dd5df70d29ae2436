"""Signed checkpoints of the audit chain, as Certificate Transparency signs its tree heads.

A checkpoint is the chain head (sequence number and entry hash) and the time it was signed,
signed with an Ed25519 key kept in a file outside the database. Checkpoints are stored (so the
API can publish them) but their worth is in the copies witnesses keep elsewhere: the
oversight commission and any bureau fetch them, check the signature with the published key,
and later run `interlink audit verify --against FILE` to prove that the log still extends
every checkpoint they were shown. Someone who holds the database but not the key can rewrite,
truncate and re-seal the chain, but cannot sign a head for it: a kept checkpoint then names
an entry that is gone or has another hash. Threat model: docs/security.md.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import BigInteger, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from interlink.core import audit
from interlink.core.audit import GENESIS, AuditEntry, AuditHead
from interlink.core.db import Base, BigId, Database, utcnow

SIGNED_CONTEXT = "interlink-audit-checkpoint/v1"
# An unchanged head is signed again after this long, so a witness can tell a quiet log from
# a server that stopped signing (or one that hides newer checkpoints).
REFRESH_AFTER = timedelta(hours=1)


class AuditCheckpoint(Base):
    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    entry_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))


class CheckpointError(ValueError):
    """A checkpoint that cannot be read (a witness file's line, an API answer)."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int
    hash: str
    at: str  # ISO 8601 UTC, exactly as signed
    key_id: str
    signature: str  # base64

    def signed_bytes(self) -> bytes:
        return f"{SIGNED_CONTEXT}\n{self.seq}\n{self.hash}\n{self.at}".encode()

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "key_id": self.key_id,
            "signature": self.signature,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Checkpoint:
        try:
            seq, digest = data["seq"], data["hash"]
            at, key_id, signature = data["at"], data["key_id"], data["signature"]
        except (KeyError, TypeError) as exc:
            raise CheckpointError("a checkpoint needs seq, hash, at, key_id and signature") from exc
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise CheckpointError("seq must be a non-negative integer")
        if not all(isinstance(v, str) for v in (digest, at, key_id, signature)):
            raise CheckpointError("hash, at, key_id and signature must be strings")
        return cls(seq, digest, at, key_id, signature)

    @classmethod
    def of_row(cls, row: AuditCheckpoint) -> Checkpoint:
        return cls(row.seq, row.entry_hash, _timestamp(row.signed_at), row.key_id, row.signature)


def _timestamp(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_b64(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def load_public_key(text: str) -> Ed25519PublicKey:
    """A public key as published: PEM, or the base64 of its 32 raw bytes."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
            if not isinstance(key, Ed25519PublicKey):
                raise CheckpointError("the public key is not an Ed25519 key")
            return key
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"not an Ed25519 public key: {exc}") from exc


class CheckpointSigner:
    """The signing key, read from (or created in) its file outside the database."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public = private.public_key()
        self.key_id = key_id(self.public)

    @classmethod
    def from_file(cls, path: Path) -> CheckpointSigner:
        """Load the key; create it (mode 0600, folder 0700) the first time."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process created it first: use theirs
                pass
            else:
                with os.fdopen(fd, "wb") as out:
                    out.write(pem)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise CheckpointError(f"{path} does not hold an Ed25519 private key")
        return cls(key)

    def sign(self, seq: int, entry_hash: str, at: datetime) -> Checkpoint:
        unsigned = Checkpoint(seq, entry_hash, _timestamp(at), self.key_id, "")
        signature = base64.b64encode(self._private.sign(unsigned.signed_bytes())).decode()
        return Checkpoint(seq, entry_hash, unsigned.at, self.key_id, signature)


def signature_valid(checkpoint: Checkpoint, public: Ed25519PublicKey) -> bool:
    try:
        public.verify(
            base64.b64decode(checkpoint.signature, validate=True), checkpoint.signed_bytes()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def latest(session: Session) -> AuditCheckpoint | None:
    return session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    ).first()


def list_checkpoints(
    session: Session, *, after_id: int = 0, limit: int = 100
) -> list[AuditCheckpoint]:
    return list(
        session.scalars(
            select(AuditCheckpoint)
            .where(AuditCheckpoint.id > after_id)
            .order_by(AuditCheckpoint.id)
            .limit(limit)
        )
    )


def checkpoint_head(db: Database, signer: CheckpointSigner) -> Checkpoint | None:
    """Seal what is pending, then sign the head if it moved (or the last checkpoint is old).

    Returns the new checkpoint, or None when there was nothing new to sign."""
    audit.seal_all(db)
    with db.session() as session:
        head = session.get(AuditHead, 1)
        seq, digest = (head.seq, head.entry_hash) if head else (0, GENESIS)
        last = latest(session)
        now = utcnow()
        if (
            last is not None
            and last.seq == seq
            and last.entry_hash == digest
            and last.key_id == signer.key_id
            and now - last.signed_at < REFRESH_AFTER
        ):
            return None
        checkpoint = signer.sign(seq, digest, now)
        session.add(
            AuditCheckpoint(
                seq=seq,
                entry_hash=digest,
                signed_at=now,
                key_id=checkpoint.key_id,
                signature=checkpoint.signature,
            )
        )
        return checkpoint


@dataclass(slots=True)
class WitnessReport:
    ok: bool
    checkpoints: int
    chain: audit.VerifyReport | None = None
    problem: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checkpoints": self.checkpoints,
            "problem": self.problem,
            "line": self.line,
            "chain": self.chain.as_dict() if self.chain else None,
        }


def read_witness_file(path: Path) -> list[tuple[int, Checkpoint]]:
    """A witness's JSON-lines file of checkpoints; blank lines are skipped."""
    checkpoints = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            checkpoints.append((number, Checkpoint.from_dict(json.loads(line))))
        except (json.JSONDecodeError, CheckpointError) as exc:
            raise CheckpointError(f"{path.name} line {number}: not a checkpoint ({exc})") from exc
    return checkpoints


def verify_against(
    session: Session,
    checkpoints: Iterable[tuple[int, Checkpoint]],
    public: Ed25519PublicKey,
    mac_key: bytes | None = None,
) -> WitnessReport:
    """Prove that the log extends every checkpoint: each is signed by `public`, the entry at
    its sequence number still has its hash, and the whole chain verifies (so every entry
    before and after it is linked to it). The first failure is reported."""
    count = 0
    for line, checkpoint in checkpoints:
        where = f"checkpoint at line {line} (entry {checkpoint.seq})"
        if not signature_valid(checkpoint, public):
            return WitnessReport(
                False,
                count,
                problem=f"{where}: the signature does not verify with the audit checkpoint key",
                line=line,
            )
        if checkpoint.seq == 0:
            found: str | None = GENESIS
        else:
            found = session.scalars(
                select(AuditEntry.entry_hash).where(AuditEntry.seq == checkpoint.seq)
            ).first()
        if found is None:
            return WitnessReport(
                False,
                count,
                problem=f"{where}: the log no longer contains that entry (truncated or deleted)",
                line=line,
            )
        if found != checkpoint.hash:
            return WitnessReport(
                False,
                count,
                problem=f"{where}: the entry's hash differs "
                "from the signed one (the log was rewritten and re-sealed)",
                line=line,
            )
        count += 1
    chain = audit.verify(session, mac_key)
    if not chain.ok:
        return WitnessReport(False, count, chain, f"audit chain broken: {chain.problem}")
    return WitnessReport(True, count, chain)
