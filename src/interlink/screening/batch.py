"""Screening a manifest (CSV) in process: one answer per row, hits recorded and alerted.

CSV columns: id,name,birth_date,nationality,sex,document_number,document_country (a row may
fill the name fields, the document fields or both). A row that cannot be checked gets an
answer carrying its line number and the reason; the other rows go on.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert

from interlink.core.audit import AuditEntry, Event, entry_values, session_mac_key, with_macs
from interlink.core.auth import Principal
from interlink.core.errors import DomainError, InvalidInput
from interlink.core.i18n import msg
from interlink.screening.person_index import PersonQuery
from interlink.screening.schemas import ScreeningAnswer
from interlink.screening.service import DocumentQuery, Screener, answer_in_language
from interlink.state import AppState

COLUMNS = ("id", "name", "birth_date", "nationality", "sex", "document_number", "document_country")
SEXES = {"": None, "m": "M", "male": "M", "f": "F", "female": "F", "x": "U", "u": "U", "other": "U"}
AUDIT_BATCH = 2_000


@dataclass(frozen=True, slots=True)
class ManifestRow:
    line: int
    id: str
    fields: dict[str, str]


def read_manifest(lines: Iterable[str]) -> Iterator[ManifestRow]:
    reader = csv.DictReader(lines)
    header = [h.strip().lstrip("\ufeff") for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            msg(
                "line 1: the header lacks %(value)s; expected %(value2)s",
                value=", ".join(missing),
                value2=",".join(COLUMNS),
            )
        )
    reader.fieldnames = header
    for row in reader:
        fields = {k: (v or "").strip() for k, v in row.items() if k in COLUMNS}
        yield ManifestRow(reader.line_num, fields.get("id") or f"line-{reader.line_num}", fields)


def _person_query(fields: dict[str, str]) -> PersonQuery:
    sex = fields.get("sex", "").lower()
    if sex not in SEXES:
        raise InvalidInput(msg("sex %(value)r is not M, F or X", value=fields["sex"]))
    nationality = fields.get("nationality", "").upper() or None
    if nationality is not None and (len(nationality) != 2 or not nationality.isalpha()):
        raise InvalidInput(
            msg("nationality %(nationality)r is not a two-letter code", nationality=nationality)
        )
    birth = fields.get("birth_date") or None
    if birth is not None and not _looks_like_date(birth):
        raise InvalidInput(
            msg("birth date %(birth)r is not YYYY, YYYY-MM or YYYY-MM-DD", birth=birth)
        )
    return PersonQuery(
        name=fields["name"], birth_date=birth, nationality=nationality, sex=SEXES[sex]
    )


def _looks_like_date(text: str) -> bool:
    parts = text.split("-")
    return 1 <= len(parts) <= 3 and len(parts[0]) == 4 and all(p.isdigit() for p in parts)


class BatchScreening:
    """Screens rows one by one through the screening service; hits commit with their alerts,
    no-hit audit entries are inserted in bulk."""

    def __init__(
        self,
        state: AppState,
        screener: Screener,
        principal: Principal,
        limit: int = 5,
        threshold: float = 0.7,
    ) -> None:
        self.state, self.screener, self.principal = state, screener, principal
        self.limit, self.threshold = limit, threshold
        self._pending_audit: list[dict[str, Any]] = []

    def screen(self, row: ManifestRow) -> dict[str, Any]:
        answer: dict[str, Any] = {"id": row.id, "line": row.line, "hits": []}
        try:
            checks = self._checks(row.fields)
            if not checks:
                raise InvalidInput("the row has neither a name nor a document number")
            for run in checks:
                result = answer_in_language(run())  # sentences in the operator's language
                answer["hits"].extend(h.model_dump(exclude_none=True) for h in result.hits or [])
                answer.setdefault("notes", []).extend(result.notes or [])
        except DomainError as exc:
            answer["error"] = f"line {row.line}: {exc.detail}"
        answer["hits"].sort(key=lambda h: -h["score"])
        if not answer.get("notes"):
            answer.pop("notes", None)
        return answer

    def _checks(self, fields: dict[str, str]) -> list[Callable[[], ScreeningAnswer]]:
        checks: list[Callable[[], ScreeningAnswer]] = []
        if fields.get("name"):
            query = _person_query(fields)
            checks.append(
                lambda: self.screener.person(
                    self.principal,
                    query,
                    limit=self.limit,
                    threshold=self.threshold,
                    no_hit=self._audit_no_hit,
                )
            )
        if fields.get("document_number"):
            country = fields.get("document_country") or None
            document = DocumentQuery(
                number=fields["document_number"], country=country.upper() if country else None
            )
            checks.append(
                lambda: self.screener.document(self.principal, document, no_hit=self._audit_no_hit)
            )
        return checks

    def _audit_no_hit(self, principal: Principal, event: Event) -> None:
        self._pending_audit.append(entry_values(principal.actor, event))
        if len(self._pending_audit) >= AUDIT_BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending_audit:
            with self.state.db.session() as session:
                session.execute(
                    insert(AuditEntry), with_macs(session_mac_key(session), self._pending_audit)
                )
            self._pending_audit = []
