from dataclasses import replace

import pytest

from interlink.assembly import Refused
from interlink.assembly.rights import (
    Delegation,
    Refusal,
    Role,
    Standing,
    VotingPolicy,
    VotingRight,
    member_may_vote,
    voting_right,
)

POLICY = VotingPolicy()
ROLES = {"head": Role.HEAD, "d1": Role.DELEGATE, "d2": Role.DELEGATE, "obs": Role.OBSERVER}


@pytest.fixture
def kenya() -> Delegation:
    return Delegation("KE", ROLES, credentials_verified=True, present=True)


def right(delegation: Delegation, person: str, item: str | None = "item-7") -> VotingRight:
    return voting_right(delegation, person, item=item, policy=POLICY)


def test_head_holds_the_vote_by_default(kenya: Delegation) -> None:
    assert right(kenya, "head").allowed
    refused = right(kenya, "d1")
    assert (refused.allowed, refused.reason) == (False, Refusal.NOT_POWER_HOLDER)
    assert "head" in refused.detail


@pytest.mark.parametrize(
    ("person", "reason"), [("obs", Refusal.OBSERVER), ("stranger", Refusal.NOT_IN_DELEGATION)]
)
def test_observers_and_strangers_never_vote(
    kenya: Delegation, person: str, reason: Refusal
) -> None:
    assert right(kenya, person).reason is reason


def test_observer_cannot_vote_even_holding_a_grant_attempt(kenya: Delegation) -> None:
    with pytest.raises(Refused) as refused:
        kenya.grant_powers(by="head", to="obs")
    assert refused.value.code == Refusal.OBSERVER


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"standing": Standing(in_arrears=True)}, Refusal.IN_ARREARS),
        ({"standing": Standing(suspended=True)}, Refusal.SUSPENDED),
        ({"credentials_verified": False}, Refusal.CREDENTIALS_NOT_VERIFIED),
        ({"present": False}, Refusal.NOT_PRESENT),
    ],
)
def test_member_without_voting_rights_is_refused(changes: dict, reason: Refusal) -> None:
    delegation = Delegation(
        "KE", ROLES, **{"credentials_verified": True, "present": True, **changes}
    )
    refused = right(delegation, "head")
    assert (refused.allowed, refused.reason) == (False, reason)
    with pytest.raises(Refused) as error:
        refused.enforce()
    assert error.value.code == reason
    assert error.value.status == 403


@pytest.mark.parametrize(
    ("standing", "policy"),
    [
        (Standing(in_arrears=True), VotingPolicy(arrears_bar_voting=False)),
        (Standing(suspended=True), VotingPolicy(suspension_bars_voting=False)),
    ],
)
def test_bars_on_voting_are_configurable(standing: Standing, policy: VotingPolicy) -> None:
    delegation = Delegation("KE", ROLES, credentials_verified=True, present=True, standing=standing)
    assert member_may_vote(delegation, policy).allowed
    assert voting_right(delegation, "head", item=None, policy=policy).allowed


def test_session_powers_given_and_taken_back(kenya: Delegation) -> None:
    given = kenya.grant_powers(by="head", to="d1")
    assert right(given, "d1", "item-7").allowed and right(given, "d1", "item-8").allowed
    assert right(given, "head").reason is Refusal.NOT_POWER_HOLDER
    revoked = given.revoke_powers(by="head")
    assert right(revoked, "head").allowed
    assert right(revoked, "d1").reason is Refusal.NOT_POWER_HOLDER


def test_item_powers_apply_to_that_item_only_and_outrank_the_session_grant(
    kenya: Delegation,
) -> None:
    given = kenya.grant_powers(by="head", to="d1").grant_powers(by="head", to="d2", item="item-7")
    assert right(given, "d2", "item-7").allowed
    assert right(given, "d1", "item-7").reason is Refusal.NOT_POWER_HOLDER
    assert right(given, "d1", "item-8").allowed
    assert right(given, "d2", "item-8").reason is Refusal.NOT_POWER_HOLDER
    back = given.revoke_powers(by="head", item="item-7")
    assert back.powers_holder("item-7") == "d1"


def test_a_new_grant_replaces_the_previous_one_for_the_same_scope(kenya: Delegation) -> None:
    twice = kenya.grant_powers(by="head", to="d1").grant_powers(by="head", to="d2")
    assert twice.powers_holder() == "d2"
    assert len(twice.grants) == 1
    assert twice.grant_powers(by="head", to="head").powers_holder() == "head"


@pytest.mark.parametrize(
    ("by", "to", "code"),
    [
        ("d1", "d2", Refusal.NOT_HEAD),
        ("head", "stranger", Refusal.NOT_IN_DELEGATION),
        ("head", "obs", Refusal.OBSERVER),
    ],
)
def test_grants_that_are_refused(kenya: Delegation, by: str, to: str, code: Refusal) -> None:
    with pytest.raises(Refused) as refused:
        kenya.grant_powers(by=by, to=to)
    assert refused.value.code == code


def test_revocations_that_are_refused(kenya: Delegation) -> None:
    with pytest.raises(Refused) as nothing:
        kenya.revoke_powers(by="head")
    assert nothing.value.code == Refusal.NOTHING_TO_REVOKE
    given = kenya.grant_powers(by="head", to="d1")
    with pytest.raises(Refused) as not_head:
        given.revoke_powers(by="d1")
    assert not_head.value.code == Refusal.NOT_HEAD


def test_holder_of_powers_still_needs_the_member_to_have_voting_rights(kenya: Delegation) -> None:
    in_arrears = replace(kenya.grant_powers(by="head", to="d1"), standing=Standing(in_arrears=True))
    assert right(in_arrears, "d1").reason is Refusal.IN_ARREARS


@pytest.mark.parametrize(
    "roles", [{"d1": Role.DELEGATE}, {"a": Role.HEAD, "b": Role.HEAD, "c": Role.OBSERVER}]
)
def test_a_delegation_has_exactly_one_head(roles: dict[str, Role]) -> None:
    with pytest.raises(ValueError):
        Delegation("KE", roles)
