"""The one visibility policy: may this principal see, or act on, this record.

Every read path of a record asks this module, either per record (`can_see`) or as a SQL
condition for lists (`visible_clause`); both encode the same rules, and the tests check that
they agree. A record carries its owner's restrictions through `RestrictedMixin`.

The rules:
- the owner organisation always sees its own records (expired ones too, to extend them);
- the oversight commission sees everything, read-only;
- a record blocked by the oversight commission while a case is pending is seen only by the
  owner and the oversight commission;
- an expired record (retention date passed) leaves every list and search;
- a record not yet circulated (a draft, a notice under review) is seen by its owner and by the
  General Secretariat, which reviews it;
- the General Secretariat sees every circulated record (it runs the databases);
- partners see no record (screening tells them "possible match" and nothing more);
- a member's bureau and agencies see a circulated record when its visibility admits their
  country; international entities (no country) see records open to all or to all but some.
- a person record circulates only under a request that covers it (a published notice, a
  circulated diffusion): its `reach` is the union of those requests' visibilities, and a
  member sees it when both the record's own visibility and that reach admit its country
  (records.circulation computes the reach; documents and vehicles have reach "all").
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, ColumnElement, ForeignKey, String, and_, or_, true
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


class VisibilityMode(enum.StrEnum):
    ALL = "all"  # every member
    ONLY = "only"  # only the listed members
    EXCEPT = "except"  # every member but the listed ones


class HandlingCode(enum.StrEnum):
    """Europol-style handling codes: limits on onward use set by the owner."""

    H0 = "H0"  # use only for fighting crime
    H1 = "H1"  # not in court without the owner's permission
    H2 = "H2"  # no further dissemination without the owner's permission
    H3 = "H3"  # other restrictions, stated by the owner


@dataclass(frozen=True, slots=True)
class Visibility:
    """Which member countries may see a record. Hashable, so indexes can intern it."""

    mode: VisibilityMode = VisibilityMode.ALL
    countries: frozenset[str] = field(default_factory=frozenset)

    def admits(self, country: str | None) -> bool:
        """True when a principal of member `country` may see the record.

        `country` None is an international entity: it sees what is open to all members
        or to all but some.
        """
        if self.mode is VisibilityMode.ALL:
            return True
        if self.mode is VisibilityMode.ONLY:
            return country is not None and country in self.countries
        return country not in self.countries

    def union(self, other: Visibility) -> Visibility:
        """Admits whoever either admits (two requests covering one subject)."""
        a, b = self, other
        if VisibilityMode.ALL in (a.mode, b.mode):
            return Visibility()
        if a.mode is VisibilityMode.ONLY and b.mode is VisibilityMode.ONLY:
            return Visibility(VisibilityMode.ONLY, a.countries | b.countries)
        if a.mode is VisibilityMode.EXCEPT and b.mode is VisibilityMode.EXCEPT:
            return _except(a.countries & b.countries)
        only, excluded = (a, b) if a.mode is VisibilityMode.ONLY else (b, a)
        return _except(excluded.countries - only.countries)

    def intersect(self, other: Visibility) -> Visibility:
        """Admits whoever both admit (a record's own restrictions within a request's)."""
        a, b = self, other
        if a.mode is VisibilityMode.ALL:
            return b
        if b.mode is VisibilityMode.ALL:
            return a
        if a.mode is VisibilityMode.ONLY and b.mode is VisibilityMode.ONLY:
            return Visibility(VisibilityMode.ONLY, a.countries & b.countries)
        if a.mode is VisibilityMode.EXCEPT and b.mode is VisibilityMode.EXCEPT:
            return Visibility(VisibilityMode.EXCEPT, a.countries | b.countries)
        only, excluded = (a, b) if a.mode is VisibilityMode.ONLY else (b, a)
        return Visibility(VisibilityMode.ONLY, only.countries - excluded.countries)


def _except(countries: frozenset[str]) -> Visibility:
    return Visibility(VisibilityMode.EXCEPT, countries) if countries else Visibility()


NOBODY = Visibility(VisibilityMode.ONLY, frozenset())


@dataclass(frozen=True, slots=True)
class Viewer:
    """The part of a principal that visibility depends on."""

    org_id: int
    org_kind: str  # an interlink.core.auth.OrgKind value
    country: str | None
    parent_org_id: int | None = None

    @property
    def is_oversight(self) -> bool:
        return self.org_kind == "oversight"

    @property
    def is_secretariat(self) -> bool:
        return self.org_kind == "general_secretariat"

    @property
    def is_partner(self) -> bool:
        return self.org_kind == "partner"

    @property
    def screening_country(self) -> str | None:
        """The country whose view an index search uses; None means 'sees everything'."""
        return None if (self.is_secretariat or self.is_oversight) else self.country


@dataclass(frozen=True, slots=True)
class RecordPolicy:
    """A record's owner and restrictions, as the policy needs them."""

    owner_org_id: int
    visibility: Visibility = Visibility()
    not_actionable_in: frozenset[str] = frozenset()
    handling: HandlingCode = HandlingCode.H0
    retention_until: datetime | None = None
    circulated: bool = True
    access_blocked: bool = False
    reach: Visibility = Visibility()  # what the requests covering a person open it to
    # When the last request covering a person lapses: it stops circulating at that moment,
    # before any sweep records the expiry. None: no such limit.
    circulates_until: datetime | None = None

    @property
    def effective_visibility(self) -> Visibility:
        """Who among the members sees it once circulated: its own restrictions within its
        requests' reach."""
        return self.visibility.intersect(self.reach)


def is_expired(policy: RecordPolicy, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return policy.retention_until is not None and policy.retention_until <= now


def is_owner(viewer: Viewer, policy: RecordPolicy) -> bool:
    return viewer.org_id == policy.owner_org_id


def can_see(viewer: Viewer, policy: RecordPolicy, now: datetime | None = None) -> bool:
    if is_owner(viewer, policy) or viewer.is_oversight:
        return True
    if policy.access_blocked or is_expired(policy, now) or viewer.is_partner:
        return False
    if viewer.is_secretariat:
        return True
    circulating = policy.circulated and (
        policy.circulates_until is None or policy.circulates_until > (now or datetime.now(UTC))
    )
    return (
        circulating
        and policy.visibility.admits(viewer.country)
        and policy.reach.admits(viewer.country)
    )


def can_act(viewer: Viewer, policy: RecordPolicy, now: datetime | None = None) -> bool:
    """May the viewer's country take action (arrest, seize) on the record?"""
    if not can_see(viewer, policy, now) or viewer.is_oversight:
        return False
    return viewer.country is None or viewer.country not in policy.not_actionable_in


def can_modify(viewer: Viewer, policy: RecordPolicy) -> bool:
    """Data belongs to its source: only the owner changes a record."""
    return is_owner(viewer, policy)


def may_disseminate(policy: RecordPolicy, permission_granted: bool = False) -> bool:
    """H2: no further dissemination without the owner's permission."""
    return policy.handling is not HandlingCode.H2 or permission_granted


# --- storage -------------------------------------------------------------------------------


def encode_countries(codes: Iterable[str]) -> str:
    """Country lists are stored as ',FR,DE,' so a LIKE finds one on SQLite and PostgreSQL."""
    codes = sorted({c.upper() for c in codes})
    return f",{','.join(codes)}," if codes else ""


def decode_countries(stored: str | None) -> frozenset[str]:
    return frozenset(c for c in (stored or "").split(",") if c)


class RestrictedMixin:
    """Columns every record carries: owner and the owner's restrictions."""

    @declared_attr
    def owner_org_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("organisations.id"), index=True)

    visibility_mode: Mapped[str] = mapped_column(String(8), default=VisibilityMode.ALL.value)
    visibility_countries: Mapped[str] = mapped_column(String(1200), default="")
    not_actionable_in: Mapped[str] = mapped_column(String(1200), default="")
    handling_code: Mapped[str] = mapped_column(String(2), default=HandlingCode.H0.value)
    retention_until: Mapped[datetime | None] = mapped_column(index=True)
    circulated: Mapped[bool] = mapped_column(Boolean, default=False)
    access_blocked: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def visibility(self) -> Visibility:
        return Visibility(
            VisibilityMode(self.visibility_mode), decode_countries(self.visibility_countries)
        )

    def set_visibility(self, visibility: Visibility) -> None:
        self.visibility_mode = visibility.mode.value
        self.visibility_countries = encode_countries(visibility.countries)

    @property
    def reach(self) -> Visibility:
        """Only records carry a reach (records.models.Record); notices are their own reach."""
        return Visibility()

    @property
    def policy(self) -> RecordPolicy:
        return RecordPolicy(
            owner_org_id=self.owner_org_id,
            visibility=self.visibility,
            not_actionable_in=decode_countries(self.not_actionable_in),
            handling=HandlingCode(self.handling_code),
            retention_until=self.retention_until,
            circulated=self.circulated,
            access_blocked=self.access_blocked,
            reach=self.reach,
            circulates_until=getattr(self, "circulates_until", None),
        )


def visible_clause(
    viewer: Viewer, model: type[RestrictedMixin], now: datetime | None = None
) -> ColumnElement[bool]:
    """SQL condition equal to `can_see` for list queries."""
    now = now or datetime.now(UTC)
    owned = model.owner_org_id == viewer.org_id
    if viewer.is_oversight:
        return true()
    if viewer.is_partner:
        return owned
    live = and_(
        model.access_blocked.is_(False),
        or_(model.retention_until.is_(None), model.retention_until > now),
    )
    if viewer.is_secretariat:
        return or_(owned, live)
    admitted = _admits(model.visibility_mode, model.visibility_countries, viewer.country)
    lapses = getattr(model, "circulates_until", None)
    if lapses is not None:
        admitted = and_(admitted, or_(lapses.is_(None), lapses > now))
    reach_mode = getattr(model, "reach_mode", None)
    if reach_mode is not None:
        admitted = and_(
            admitted,
            _admits(
                reach_mode,
                model.reach_countries,  # type: ignore[attr-defined]
                viewer.country,
            ),
        )
    return or_(owned, and_(live, model.circulated.is_(True), admitted))


def _admits(mode: Any, countries: Any, country: str | None) -> ColumnElement[bool]:
    """SQL equal to `Visibility.admits` over a (mode, ',FR,DE,') column pair."""
    if country is None:
        return or_(mode == VisibilityMode.ALL.value, mode == VisibilityMode.EXCEPT.value)
    listed = countries.like(f"%,{country},%")
    return or_(
        mode == VisibilityMode.ALL.value,
        and_(mode == VisibilityMode.ONLY.value, listed),
        and_(mode == VisibilityMode.EXCEPT.value, ~listed),
    )


def listing_clause(
    viewer: Viewer, model: type[RestrictedMixin], now: datetime | None = None
) -> ColumnElement[bool]:
    """Lists and searches: like `visible_clause`, but expired records leave them for everyone."""
    now = now or datetime.now(UTC)
    not_expired = or_(model.retention_until.is_(None), model.retention_until > now)
    return and_(visible_clause(viewer, model, now), not_expired)


__all__ = [
    "NOBODY",
    "HandlingCode",
    "RecordPolicy",
    "RestrictedMixin",
    "Viewer",
    "Visibility",
    "VisibilityMode",
    "can_act",
    "can_modify",
    "can_see",
    "decode_countries",
    "encode_countries",
    "listing_clause",
    "may_disseminate",
    "visible_clause",
]
