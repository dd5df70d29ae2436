"""Saved patterns: rules the General Secretariat's analysts keep running over each change,
each opening a follow-up when it matches, with a cap per day and an expiry.

Two kinds, both about what no single bureau can see:

- `shared_document`: the same travel-document number on persons of two bureaus (one
  document, two people, or one person known twice);
- `red_subject_screened_abroad`: a person who is, or is linked to, the subject of a published
  Red notice was screened in a third country (neither the requesting bureau's nor the
  record owner's).

The incremental linker runs them after it links a batch of the change feed (the records
changed) and the hits recorded since its last step. A match is told to each owner concerned
through the hit follow-up path, as a suggested link is: the owner learns which of its own
records is concerned and that the General Secretariat coordinates, never the other bureau's
record. Each match opens once (its key), at most `daily_cap` a day per pattern (the rest
are counted as suppressed, so the analysts see that they missed some), and not after the
pattern expires.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlink.core import audit
from interlink.core.audit import Event
from interlink.core.auth import Perm, Principal
from interlink.core.errors import Forbidden, InvalidInput, NotFound
from interlink.core.i18n import N_, RecordLabel, msg, stored_text
from interlink.linking.documents import identity_numbers
from interlink.linking.models import Link, LinkStatus, Pattern, PatternAlert, PersonDocument
from interlink.linking.service import gs_actor, tell_owner
from interlink.members.models import Organisation
from interlink.records.models import Notice, NoticeState, Record, RecordKind, RecordStatus
from interlink.screening.models import Hit


class PatternKind(enum.StrEnum):
    SHARED_DOCUMENT = "shared_document"
    RED_SUBJECT_SCREENED_ABROAD = "red_subject_screened_abroad"


DEFAULT_DAILY_CAP = 20
MAX_DAILY_CAP = 1000
MAX_DAYS = 366
LIVE_LINKS = (LinkStatus.SUGGESTED.value, LinkStatus.CONFIRMED.value, LinkStatus.UNSURE.value)


def _analyst(principal: Principal) -> None:
    """Patterns look across every bureau: the General Secretariat's analysts keep them."""
    principal.require(Perm.ANALYTICS)
    if not principal.viewer.is_secretariat:
        raise Forbidden("patterns are kept by the General Secretariat's analysts")


def create_pattern(
    session: Session,
    principal: Principal,
    *,
    kind: str,
    name: str,
    daily_cap: int = DEFAULT_DAILY_CAP,
    days: int = 90,
    now: datetime | None = None,
) -> Pattern:
    _analyst(principal)
    try:
        chosen = PatternKind(kind)
    except ValueError:
        raise InvalidInput(
            msg("kind is one of %(value)s", value=", ".join(k.value for k in PatternKind)),
            field="kind",
        ) from None
    if not name.strip() or len(name) > 200:
        raise InvalidInput("name the pattern (at most 200 characters)", field="name")
    if not 1 <= daily_cap <= MAX_DAILY_CAP:
        raise InvalidInput(
            msg("the daily cap is 1 to %(most)s", most=MAX_DAILY_CAP), field="daily_cap"
        )
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(msg("a pattern runs 1 to %(most)s days", most=MAX_DAYS), field="days")
    now = now or datetime.now(UTC)
    pattern = Pattern(
        kind=chosen.value,
        name=name.strip(),
        daily_cap=daily_cap,
        expires_at=now + timedelta(days=days),
        created_by=principal.label,
        created_at=now,
    )
    session.add(pattern)
    session.flush()
    _audit(session, principal, "pattern.create", pattern, {"kind": pattern.kind})
    return pattern


def list_patterns(session: Session, principal: Principal) -> list[Pattern]:
    _analyst(principal)
    return list(session.scalars(select(Pattern).order_by(Pattern.id.desc()).limit(500)))


def get_pattern(session: Session, principal: Principal, pattern_id: int) -> Pattern:
    _analyst(principal)
    pattern = session.get(Pattern, pattern_id)
    if pattern is None:
        raise NotFound(msg("no pattern %(id)s", id=pattern_id))
    return pattern


def deactivate(session: Session, principal: Principal, pattern_id: int) -> Pattern:
    pattern = get_pattern(session, principal, pattern_id)
    if pattern.active:
        pattern.active = False
        _audit(session, principal, "pattern.deactivate", pattern, {})
    return pattern


def alerts_of(
    session: Session, principal: Principal, pattern_id: int, limit: int = 100
) -> list[PatternAlert]:
    get_pattern(session, principal, pattern_id)
    return list(
        session.scalars(
            select(PatternAlert)
            .where(PatternAlert.pattern_id == pattern_id)
            .order_by(PatternAlert.id.desc())
            .limit(limit)
        )
    )


def alert_counts(session: Session, principal: Principal) -> dict[int, int]:
    """How many alerts each pattern opened (one grouped query for the patterns page)."""
    _analyst(principal)
    rows = session.execute(
        select(PatternAlert.pattern_id, func.count(PatternAlert.id)).group_by(
            PatternAlert.pattern_id
        )
    )
    return {pattern_id: count for pattern_id, count in rows}


def _audit(
    session: Session, principal: Principal, action: str, pattern: Pattern, detail: dict[str, Any]
) -> None:
    audit.record(session, principal.actor, Event(action, "pattern", pattern.id, detail=detail))


# --- running -----------------------------------------------------------------------------------


def run(
    session: Session,
    context: Any,
    record_ids: Sequence[int],
    hit_ids: Sequence[int],
    now: datetime | None = None,
) -> int:
    """Every live pattern over the records changed and the hits recorded since the last
    step; returns how many alerts were opened."""
    now = now or datetime.now(UTC)
    patterns = session.scalars(
        select(Pattern).where(Pattern.active.is_(True), Pattern.expires_at > now)
    ).all()
    opened = 0
    for pattern in patterns:
        if pattern.kind == PatternKind.SHARED_DOCUMENT.value:
            matches = _shared_documents(session, record_ids)
        else:
            matches = _red_subjects_screened_abroad(session, hit_ids, pattern.created_at)
        for key, records, summary in matches:
            opened += _open(session, context, pattern, key, records, summary, now)
    return opened


# (key, records, (msgid, parameters) of the alert's text: the record's label and id are
# added per owner)
Match = tuple[str, list[Record], tuple[str, dict[str, Any]]]


def _live_persons(session: Session, ids: Iterable[int]) -> list[Record]:
    wanted = list(ids)
    if not wanted:
        return []
    return list(
        session.scalars(
            select(Record).where(
                Record.id.in_(wanted),
                Record.kind == RecordKind.PERSON.value,
                Record.status == RecordStatus.ACTIVE.value,
                Record.access_blocked.is_(False),
            )
        )
    )


def _shared_documents(session: Session, record_ids: Sequence[int]) -> list[Match]:
    found: list[Match] = []
    for record in _live_persons(session, record_ids):
        for number in sorted(identity_numbers(record.data)):
            others = session.scalars(
                select(Record)
                .join(PersonDocument, PersonDocument.record_id == Record.id)
                .where(
                    PersonDocument.number == number,
                    Record.kind == RecordKind.PERSON.value,
                    Record.status == RecordStatus.ACTIVE.value,
                    Record.access_blocked.is_(False),
                    Record.owner_org_id != record.owner_org_id,
                )
                .order_by(Record.id)
            )
            for other in others:
                low, high = sorted((record.id, other.id))
                found.append(
                    (
                        f"doc:{number}:{low}:{high}",
                        [record, other],
                        (
                            N_(
                                "A person record held by another bureau carries the "
                                "travel-document number %(number)s, as your record %(label)s "
                                "(record %(id)s) does: one document on two people, or one "
                                "person known twice. The General Secretariat coordinates; "
                                "please check the document and your record."
                            ),
                            {"number": number},
                        ),
                    )
                )
    return found


def _red_subjects_screened_abroad(
    session: Session, hit_ids: Sequence[int], since: datetime
) -> list[Match]:
    """Screenings since the pattern was saved (not the platform's own follow-up hits)."""
    if not hit_ids:
        return []
    hits = session.scalars(
        select(Hit).where(
            Hit.id.in_(list(hit_ids)),
            Hit.kind == "person",
            Hit.match.notin_(("link", "pattern")),
            Hit.at >= since,
        )
    ).all()
    found: list[Match] = []
    for hit in hits:
        related = {hit.record_id, *_linked(session, hit.record_id)}
        notices = session.scalars(
            select(Notice).where(
                Notice.subject_record_id.in_(related),
                Notice.notice_type == "red",
                Notice.state == NoticeState.PUBLISHED.value,
            )
        ).all()
        screened_in = _country(session, hit.searching_org_id)
        owner_country = _country(session, hit.owner_org_id)
        for notice in notices:
            requested_by = _country(session, notice.owner_org_id)
            if screened_in is None or screened_in in (requested_by, owner_country):
                continue
            subject = session.get(Record, notice.subject_record_id)
            if subject is None:
                continue
            found.append(
                (
                    f"hit:{hit.id}:notice:{notice.id}",
                    [subject],
                    (
                        N_(
                            "A person who is, or may be, the subject of your Red notice "
                            "%(reference)s (record %(id)s, %(label)s) was screened in "
                            "%(country)s on %(day)s. The General Secretariat coordinates with "
                            "the bureau that screened them."
                        ),
                        {
                            "reference": notice.reference,
                            "country": screened_in,
                            "day": f"{hit.at:%Y-%m-%d}",
                        },
                    ),
                )
            )
    return found


def _linked(session: Session, record_id: int) -> set[int]:
    rows = session.execute(
        select(Link.left_id, Link.right_id).where(
            (Link.left_id == record_id) | (Link.right_id == record_id),
            Link.status.in_(LIVE_LINKS),
        )
    ).all()
    return {other for pair in rows for other in pair if other != record_id}


def _country(session: Session, org_id: int) -> str | None:
    org = session.get(Organisation, org_id)
    return org.country if org is not None else None


def _open(
    session: Session,
    context: Any,
    pattern: Pattern,
    key: str,
    records: list[Record],
    summary: tuple[str, dict[str, Any]],
    now: datetime,
) -> int:
    if session.scalars(
        select(PatternAlert.id).where(
            PatternAlert.pattern_id == pattern.id, PatternAlert.key == key
        )
    ).first():
        return 0
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = session.scalar(
        select(func.count(PatternAlert.id)).where(
            PatternAlert.pattern_id == pattern.id, PatternAlert.opened_at >= day_start
        )
    )
    if (today or 0) >= pattern.daily_cap:
        pattern.suppressed += 1
        return 0
    actor = gs_actor(session, "system:patterns")
    hit_ids = []
    for record in records:
        hit = tell_owner(
            session,
            context,
            record,
            summary=stored_text(
                msg("Pattern “%(pattern)s”:", pattern=pattern.name),
                msg(summary[0], label=RecordLabel(record.label), id=record.id, **summary[1]),
            ),
            match="pattern",
            score=1.0,
            query={"pattern_id": pattern.id, "key": key},
            explanation={"pattern": pattern.kind},
            actor=actor,
        )
        if hit is not None:
            hit_ids.append(hit.id)
    alert = PatternAlert(
        pattern_id=pattern.id,
        key=key,
        record_ids=[r.id for r in records],
        hit_ids=hit_ids,
        opened_at=now,
    )
    session.add(alert)
    session.flush()
    audit.record(
        session,
        actor,
        Event("pattern.alert", "pattern", pattern.id, detail={"key": key, "alert": alert.id}),
    )
    return 1
