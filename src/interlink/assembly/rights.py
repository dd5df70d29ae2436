"""Who may cast a member's vote.

One member, one vote, cast by whoever holds the member's powers: the head of delegation unless
the head has given them to a named delegate, for the whole session or for one agenda item. An
item grant outranks a session grant, which outranks the head. Observers never vote; members in
arrears or suspended lose their vote when the policy says so; credentials must be verified by
the secretariat and attendance registered.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace

from interlink.assembly import Refused
from interlink.core.i18n import N_, msg

_NOT_IN_DELEGATION = N_("%(person)s is not in the delegation of %(country)s")
_OBSERVER = N_("%(person)s is an observer; observers never vote")


class Role(enum.StrEnum):
    HEAD = "head"
    DELEGATE = "delegate"
    OBSERVER = "observer"


class Refusal(enum.StrEnum):
    """Why a vote or a grant of powers is refused; stable codes for the API."""

    NOT_IN_DELEGATION = "not_in_delegation"
    OBSERVER = "observer"
    SUSPENDED = "suspended"
    IN_ARREARS = "in_arrears"
    CREDENTIALS_NOT_VERIFIED = "credentials_not_verified"
    NOT_PRESENT = "not_present"
    NOT_POWER_HOLDER = "not_power_holder"
    NOT_HEAD = "not_head"
    NOTHING_TO_REVOKE = "nothing_to_revoke"


@dataclass(frozen=True, slots=True)
class VotingPolicy:
    """Configurable bars on voting (our rule: both on by default)."""

    arrears_bar_voting: bool = True
    suspension_bars_voting: bool = True


@dataclass(frozen=True, slots=True)
class Standing:
    """A member's standing with the Organization, as recorded by the secretariat."""

    in_arrears: bool = False
    suspended: bool = False


@dataclass(frozen=True, slots=True)
class PowersGrant:
    """The head gave the member's vote to `holder`, for one item or (item None) the session."""

    holder: str
    item: str | None = None


@dataclass(frozen=True, slots=True)
class VotingRight:
    allowed: bool
    reason: Refusal | None = None
    detail: str = ""

    def enforce(self) -> None:
        """Raise `Refused` unless allowed, for callers that want an exception."""
        if not self.allowed:
            raise Refused(self.detail, code=str(self.reason))


_ALLOWED = VotingRight(allowed=True)


@dataclass(frozen=True, slots=True)
class Delegation:
    """One member's delegation at one session. Immutable: changes return a new value."""

    country: str
    roles: Mapping[str, Role]  # person id -> role; exactly one head
    credentials_verified: bool = False
    present: bool = False
    standing: Standing = Standing()
    grants: tuple[PowersGrant, ...] = ()

    def __post_init__(self) -> None:
        heads = [person for person, role in self.roles.items() if role is Role.HEAD]
        if len(heads) != 1:
            raise ValueError(f"delegation {self.country} needs exactly one head, has {len(heads)}")

    @property
    def head(self) -> str:
        return next(person for person, role in self.roles.items() if role is Role.HEAD)

    def role_of(self, person: str) -> Role | None:
        return self.roles.get(person)

    def powers_holder(self, item: str | None = None) -> str:
        """Who casts this member's vote on `item` (None: outside any item-specific grant)."""
        by_scope = {grant.item: grant.holder for grant in self.grants}
        if item is not None and item in by_scope:
            return by_scope[item]
        return by_scope.get(None, self.head)

    def grant_powers(self, *, by: str, to: str, item: str | None = None) -> Delegation:
        """The head gives the vote to delegate `to` for `item`, or the session when item is None.

        A new grant for the same scope replaces the previous one.
        """
        self._require_head(by)
        role = self.role_of(to)
        if role is None:
            raise Refused(
                msg(_NOT_IN_DELEGATION, person=to, country=self.country),
                code=Refusal.NOT_IN_DELEGATION,
            )
        if role is Role.OBSERVER:
            raise Refused(msg(_OBSERVER, person=to), code=Refusal.OBSERVER)
        kept = tuple(grant for grant in self.grants if grant.item != item)
        if role is Role.HEAD:  # giving the powers back to oneself is a revocation
            return replace(self, grants=kept)
        return replace(self, grants=(*kept, PowersGrant(holder=to, item=item)))

    def revoke_powers(self, *, by: str, item: str | None = None) -> Delegation:
        """The head takes back the grant for `item` (or the session grant when item is None)."""
        self._require_head(by)
        kept = tuple(grant for grant in self.grants if grant.item != item)
        if len(kept) == len(self.grants):
            scope = msg("item %(item)s", item=item) if item is not None else msg("the session")
            raise Refused(
                msg("no powers were given for %(scope)s", scope=scope),
                code=Refusal.NOTHING_TO_REVOKE,
            )
        return replace(self, grants=kept)

    def _require_head(self, person: str) -> None:
        if person != self.head:
            raise Refused(
                msg(
                    "only the head of delegation of %(country)s may give or take back its powers",
                    country=self.country,
                ),
                code=Refusal.NOT_HEAD,
            )


def standing_bar(standing: Standing, policy: VotingPolicy) -> Refusal | None:
    """The reason the member's standing bars it from voting under `policy`, if it does."""
    if standing.suspended and policy.suspension_bars_voting:
        return Refusal.SUSPENDED
    if standing.in_arrears and policy.arrears_bar_voting:
        return Refusal.IN_ARREARS
    return None


def member_may_vote(delegation: Delegation, policy: VotingPolicy) -> VotingRight:
    """Whether the member itself has voting rights at this sitting, whoever would cast the vote."""
    country = delegation.country
    bar = standing_bar(delegation.standing, policy)
    if bar is Refusal.SUSPENDED:
        return VotingRight(False, bar, msg("%(country)s is suspended", country=country))
    if bar is Refusal.IN_ARREARS:
        return VotingRight(False, bar, msg("%(country)s is in arrears", country=country))
    if not delegation.credentials_verified:
        return VotingRight(
            False,
            Refusal.CREDENTIALS_NOT_VERIFIED,
            msg("the credentials of %(country)s are not verified", country=country),
        )
    if not delegation.present:
        return VotingRight(
            False,
            Refusal.NOT_PRESENT,
            msg("%(country)s is not registered as present", country=country),
        )
    return _ALLOWED


def voting_right(
    delegation: Delegation, person: str, *, item: str | None, policy: VotingPolicy
) -> VotingRight:
    """May `person` cast the vote of `delegation`'s member on `item`? Says why not."""
    role = delegation.role_of(person)
    if role is None:
        return VotingRight(
            False,
            Refusal.NOT_IN_DELEGATION,
            msg(_NOT_IN_DELEGATION, person=person, country=delegation.country),
        )
    if role is Role.OBSERVER:
        return VotingRight(False, Refusal.OBSERVER, msg(_OBSERVER, person=person))
    member_right = member_may_vote(delegation, policy)
    if not member_right.allowed:
        return member_right
    holder = delegation.powers_holder(item)
    if person != holder:
        return VotingRight(
            False,
            Refusal.NOT_POWER_HOLDER,
            msg(
                "the vote of %(country)s is held by %(holder)s",
                country=delegation.country,
                holder=holder,
            ),
        )
    return _ALLOWED
