"""The one access policy: each rule and its forbidden side; the SQL form agrees with it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Integer, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from interlink.core.access import (
    HandlingCode,
    RecordPolicy,
    RestrictedMixin,
    Viewer,
    Visibility,
    VisibilityMode,
    can_act,
    can_modify,
    can_see,
    decode_countries,
    encode_countries,
    listing_clause,
    may_disseminate,
    visible_clause,
)

NOW = datetime(2026, 11, 22, tzinfo=UTC)
OWNER = 10  # the Rabat NCB in these tests

MA_NCB = Viewer(OWNER, "ncb", "MA")
FR_NCB = Viewer(11, "ncb", "FR")
DE_NCB = Viewer(12, "ncb", "DE")
FR_AGENCY = Viewer(13, "agency", "FR", parent_org_id=11)
GS = Viewer(1, "general_secretariat", None)
CCF = Viewer(2, "oversight", None)
PARTNER = Viewer(3, "partner", None)
ICC = Viewer(4, "international", None)
VIEWERS = [MA_NCB, FR_NCB, DE_NCB, FR_AGENCY, GS, CCF, PARTNER, ICC]


def policy(**kw: object) -> RecordPolicy:
    return RecordPolicy(owner_org_id=OWNER, **kw)  # type: ignore[arg-type]


def test_visible_to_all_members_but_never_to_partners() -> None:
    p = policy()
    assert all(can_see(v, p, NOW) for v in (FR_NCB, DE_NCB, FR_AGENCY, GS, ICC))
    assert not can_see(PARTNER, p, NOW)


def test_only_listed_members() -> None:
    p = policy(visibility=Visibility(VisibilityMode.ONLY, frozenset({"FR"})))
    assert can_see(FR_NCB, p, NOW) and can_see(FR_AGENCY, p, NOW)
    assert not can_see(DE_NCB, p, NOW)
    assert not can_see(ICC, p, NOW)  # no country cannot be on a list


def test_all_but_listed_members() -> None:
    p = policy(visibility=Visibility(VisibilityMode.EXCEPT, frozenset({"FR"})))
    assert can_see(DE_NCB, p, NOW) and can_see(ICC, p, NOW)
    assert not can_see(FR_NCB, p, NOW) and not can_see(FR_AGENCY, p, NOW)


def test_owner_always_sees_even_excluded_or_expired() -> None:
    p = policy(
        visibility=Visibility(VisibilityMode.ONLY, frozenset({"FR"})),
        retention_until=NOW - timedelta(days=1),
        circulated=False,
        access_blocked=True,
    )
    assert can_see(MA_NCB, p, NOW)


def test_expired_records_are_gone_for_everyone_but_owner_and_oversight() -> None:
    p = policy(retention_until=NOW - timedelta(seconds=1))
    assert not can_see(FR_NCB, p, NOW) and not can_see(GS, p, NOW)
    assert can_see(CCF, p, NOW)
    assert can_see(FR_NCB, policy(retention_until=NOW + timedelta(days=1)), NOW)


def test_drafts_are_seen_by_owner_and_secretariat_only() -> None:
    p = policy(circulated=False)
    assert can_see(GS, p, NOW)
    assert not can_see(FR_NCB, p, NOW)


def test_blocked_by_oversight_hides_from_secretariat_and_members() -> None:
    p = policy(access_blocked=True)
    assert not can_see(GS, p, NOW) and not can_see(FR_NCB, p, NOW)
    assert can_see(CCF, p, NOW)


def test_not_actionable_in_listed_country() -> None:
    p = policy(not_actionable_in=frozenset({"FR"}))
    assert can_see(FR_NCB, p, NOW)
    assert not can_act(FR_NCB, p, NOW)
    assert can_act(DE_NCB, p, NOW)
    assert not can_act(CCF, p, NOW)  # oversight reads, never acts


def test_only_the_owner_modifies() -> None:
    p = policy()
    assert can_modify(MA_NCB, p)
    assert not any(can_modify(v, p) for v in VIEWERS if v is not MA_NCB)


@pytest.mark.parametrize("code", list(HandlingCode))
def test_only_h2_stops_dissemination_without_permission(code: HandlingCode) -> None:
    p = policy(handling=code)
    assert may_disseminate(p, permission_granted=True)
    assert may_disseminate(p) is (code is not HandlingCode.H2)


def test_country_lists_round_trip() -> None:
    assert encode_countries(["fr", "DE", "FR"]) == ",DE,FR,"
    assert decode_countries(",DE,FR,") == {"DE", "FR"}
    assert encode_countries([]) == "" and decode_countries("") == frozenset()


# --- the SQL form of the policy must agree with the Python form, on both databases ------------


class _ProbeBase(DeclarativeBase):
    pass


class Probe(RestrictedMixin, _ProbeBase):
    __tablename__ = "access_probe"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_org_id: Mapped[int] = mapped_column(Integer)  # type: ignore[assignment]


def _policies() -> list[RecordPolicy]:
    visibilities = [
        Visibility(),
        Visibility(VisibilityMode.ONLY, frozenset({"FR"})),
        Visibility(VisibilityMode.ONLY, frozenset({"DE", "MA"})),
        Visibility(VisibilityMode.EXCEPT, frozenset({"FR"})),
    ]
    retentions = [None, NOW + timedelta(days=30), NOW - timedelta(days=1)]
    return [
        RecordPolicy(owner, vis, retention_until=ret, circulated=circ, access_blocked=blocked)
        for owner, vis, ret, circ, blocked in itertools.product(
            [OWNER, 11], visibilities, retentions, [True, False], [False, True]
        )
    ]


def test_sql_clause_agrees_with_can_see(database) -> None:
    _ProbeBase.metadata.create_all(database.engine)
    try:
        policies = _policies()
        with database.session() as session:
            for i, p in enumerate(policies, start=1):
                row = Probe(
                    id=i,
                    owner_org_id=p.owner_org_id,
                    retention_until=p.retention_until,
                    circulated=p.circulated,
                    access_blocked=p.access_blocked,
                )
                row.set_visibility(p.visibility)
                session.add(row)
        with database.session() as session:
            for viewer in VIEWERS:
                sql_ids = set(
                    session.scalars(select(Probe.id).where(visible_clause(viewer, Probe, NOW)))
                )
                py_ids = {i for i, p in enumerate(policies, 1) if can_see(viewer, p, NOW)}
                assert sql_ids == py_ids, viewer
                listed = set(
                    session.scalars(select(Probe.id).where(listing_clause(viewer, Probe, NOW)))
                )
                expected = {
                    i
                    for i in py_ids
                    if policies[i - 1].retention_until is None
                    or policies[i - 1].retention_until > NOW
                }
                assert listed == expected, viewer
    finally:
        _ProbeBase.metadata.drop_all(database.engine)
