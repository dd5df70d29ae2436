"""Sessions, agenda, quorum, delegations and the seal key through the services and the
database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from interlink.assembly import Refused, RuleBroken, service, service_voting
from interlink.assembly.keys import SealKeyFile
from interlink.core.auth import Role
from interlink.core.errors import Forbidden, InvalidInput, NotFound
from interlink.members.models import Member
from tests.assembly.support import Assembly, countries

RESOLUTION = ("Strategic framework 2027-2031", "resolution", "simple_of_cast")
REPORT = ("Report of the Secretary General", "report", None)
AMENDMENT = ("Amendment of the Constitution", "resolution", "two_thirds_of_members")


def quorum(assembly: Assembly) -> tuple[int, int, int, bool]:
    with assembly.db.session() as session:
        status = service.quorum_status(session, service.get_session(session, assembly.number))
    return status.present, status.members, status.required, status.met


def test_default_quorum_is_a_majority_of_all_members(assembly: Assembly) -> None:
    assembly.open_session([RESOLUTION])
    assert quorum(assembly) == (0, 196, 99, False)
    # Only delegations with verified credentials registered present count.
    assembly.delegations(["KE"], verified=False)
    assembly.delegations(["NG"], present=False)
    assembly.delegations(["GH"])
    assert quorum(assembly)[0] == 1


@pytest.mark.parametrize(
    ("share", "strictly_more", "required"),
    [("1/10", True, 20), ("1/10", False, 20), ("2/3", False, 131), ("0.5", True, 99)],
)
def test_quorum_is_configurable(
    assembly: Assembly, share: str, strictly_more: bool, required: int
) -> None:
    assembly.open_session([RESOLUTION], quorum_share=share, quorum_strictly_more=strictly_more)
    assert quorum(assembly)[2] == required


def test_quorum_over_members_with_voting_rights(assembly: Assembly) -> None:
    with assembly.db.session() as session:
        session.execute(
            update(Member).where(Member.code.in_(countries(10))).values(in_arrears=True)
        )
    assembly.open_session([RESOLUTION], quorum_basis="voting_members")
    assembly.delegations(countries(12))
    present, members, required, _ = quorum(assembly)
    assert (present, members, required) == (2, 186, 94)


@pytest.mark.parametrize("share", ["0", "3/2", "1/0", "x"])
def test_unreachable_or_malformed_quorum_is_refused(assembly: Assembly, share: str) -> None:
    with pytest.raises(InvalidInput):
        assembly.create_session(quorum_share=share)


def test_no_vote_without_quorum(assembly: Assembly) -> None:
    [item] = assembly.open_session([RESOLUTION], quorum_share="1/10")
    heads = assembly.delegations(countries(19))
    with pytest.raises(RuleBroken) as refused:
        assembly.run(
            service_voting.open_agenda_ballot,
            assembly.admin,
            assembly.number,
            secret=False,
            keys=assembly.keys,
        )
    assert refused.value.code == "no_quorum"
    heads |= assembly.delegations(["ZA"])
    assembly.adopt_agenda(heads.values())
    assert (
        assembly.run(
            service_voting.open_resolution_ballot,
            assembly.admin,
            item,
            secret=True,
            keys=assembly.keys,
        ).public_id
        == "GA94/item-1"
    )


def test_the_agenda_is_adopted_by_vote_before_any_item(assembly: Assembly) -> None:
    [item] = assembly.open_session([RESOLUTION], quorum_share="1/196")
    heads = list(assembly.delegations(["KE", "NG", "GH"]).values())
    with pytest.raises(RuleBroken) as early:
        assembly.run(
            service_voting.open_resolution_ballot,
            assembly.admin,
            item,
            secret=True,
            keys=assembly.keys,
        )
    assert early.value.code == "agenda_not_adopted"
    rejected = assembly.run(
        service_voting.open_agenda_ballot,
        assembly.admin,
        assembly.number,
        secret=False,
        keys=assembly.keys,
    )
    for head, choice in zip(heads, ["no", "no", "yes"], strict=True):
        assembly.vote(head, rejected.id, choice)
    assert not assembly.close(rejected.id).outcome["adopted"]
    assembly.run(
        service.add_item,
        assembly.admin,
        assembly.number,
        title="Amended agenda item",
        kind="report",
    )
    assembly.adopt_agenda(heads)
    with assembly.db.session() as session:
        ga = service.get_session(session, assembly.number)
        assert ga.agenda_adopted and len(ga.items) == 2
        assert [b.public_id for b in service_voting.ballots_of(session, ga)] == [
            "GA94/agenda",
            "GA94/agenda-2",
        ]
    with pytest.raises(RuleBroken) as late:
        assembly.run(service.add_item, assembly.admin, assembly.number, title="Late", kind="report")
    assert late.value.code == "agenda_adopted"


def test_reports_are_noted_and_resolutions_carry_their_majority(assembly: Assembly) -> None:
    report, amendment = assembly.open_session([REPORT, AMENDMENT], quorum_share="1/196")
    heads = list(assembly.delegations(["KE", "NG"]).values())
    assembly.adopt_agenda(heads)
    assert assembly.run(service.note_report, assembly.admin, report).status == "noted"
    with pytest.raises(RuleBroken):
        assembly.run(service.note_report, assembly.admin, amendment)
    ballot = assembly.run(
        service_voting.open_resolution_ballot,
        assembly.admin,
        amendment,
        secret=False,
        keys=assembly.keys,
    )
    for head in heads:
        assembly.vote(head, ballot.id, "yes")
    outcome = assembly.close(ballot.id).outcome
    # Unanimous, but two-thirds of all 196 members is 131 votes.
    assert (outcome["in_favour"], outcome["required"], outcome["adopted"]) == (2, 131, False)
    assert outcome["threshold"] == "131 in favour needed (two-thirds of all members)"


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("resolution", None),
        ("report", "simple_of_cast"),
        ("resolution", "unanimity"),
        ("motion", None),
    ],
)
def test_items_are_reports_resolutions_with_a_rule_or_elections(
    assembly: Assembly, kind: str, rule: str | None
) -> None:
    assembly.open_session()
    with pytest.raises(InvalidInput):
        assembly.run(
            service.add_item,
            assembly.admin,
            assembly.number,
            title="X",
            kind=kind,
            majority_rule=rule,
        )


def test_only_the_secretariat_runs_sessions(assembly: Assembly) -> None:
    delegate = assembly.world.principal(assembly.world.user("NCB-KE", Role.DELEGATE))
    with pytest.raises(Forbidden):
        assembly.run(
            service.create_session,
            delegate,
            95,
            service.SessionSettings(
                host_city="X",
                host_country="KE",
                starts_on=date(2027, 1, 1),
                ends_on=date(2027, 1, 2),
            ),
        )
    assembly.open_session()
    for action in (service.open_session, service.list_delegations):
        with pytest.raises(Forbidden):
            assembly.run(action, delegate, assembly.number)


def test_session_lifecycle_and_seal_key(assembly: Assembly) -> None:
    [item] = assembly.open_session([RESOLUTION], quorum_share="1/196")
    heads = list(assembly.delegations(["KE", "NG"]).values())
    assembly.adopt_agenda(heads)
    ballot = assembly.run(
        service_voting.open_resolution_ballot, assembly.admin, item, secret=True, keys=assembly.keys
    )
    assert assembly.keys.path.exists()
    with pytest.raises(RuleBroken) as open_ballots:
        assembly.run(service.close_session, assembly.admin, assembly.number, assembly.keys)
    assert open_ballots.value.code == "ballots_open"
    assembly.vote(heads[0], ballot.id, "yes")
    assembly.close(ballot.id)
    assembly.run(service.close_session, assembly.admin, assembly.number, assembly.keys)
    assert not assembly.keys.path.exists()  # destroyed: no secret ballot is open anywhere
    with pytest.raises(RuleBroken):
        assembly.run(service.open_session, assembly.admin, assembly.number)
    # The published board stays verifiable without the key.
    assert assembly.run(service_voting.verify_ballot, ballot.id).ok


def test_a_ballot_refuses_a_replaced_seal_key(assembly: Assembly, tmp_path) -> None:
    [item] = assembly.open_session([RESOLUTION], quorum_share="1/196")
    heads = list(assembly.delegations(["KE", "NG"]).values())
    assembly.adopt_agenda(heads)
    ballot = assembly.run(
        service_voting.open_resolution_ballot, assembly.admin, item, secret=True, keys=assembly.keys
    )
    other = SealKeyFile(tmp_path / "other.key")
    with pytest.raises(RuleBroken) as refused:
        assembly.run(
            service_voting.cast_vote, heads[0].principal, ballot.id, choice="yes", keys=other
        )
    assert refused.value.code == "seal_key_changed"


def test_delegation_members_belong_to_the_country(assembly: Assembly) -> None:
    assembly.open_session()
    head = assembly.delegations(["KE"])["KE"]
    canadian = assembly.new_user("CA")
    officer = assembly.world.user("NCB-KE", Role.OFFICER)
    for user_id in (canadian.id, officer.id):
        with pytest.raises(InvalidInput):
            assembly.run(
                service.add_member,
                head.principal,
                assembly.number,
                "KE",
                name="",
                role="delegate",
                user_id=user_id,
            )
    with pytest.raises(RuleBroken):
        assembly.run(
            service.register_delegation,
            assembly.admin,
            assembly.number,
            "KE",
            head_name="Second head",
            head_user_id=None,
        )
    deputy = assembly.add_person("KE", "delegate")
    with pytest.raises(Refused) as not_head:
        assembly.run(
            service.add_member,
            deputy.principal,
            assembly.number,
            "KE",
            name="Friend",
            role="observer",
            user_id=None,
        )
    assert not_head.value.code == "not_head"
    added = assembly.run(
        service.add_member,
        head.principal,
        assembly.number,
        "KE",
        name="Observer Demo",
        role="observer",
        user_id=None,
    )
    assert added.role == "observer"


def test_a_delegation_is_seen_by_its_country_and_the_secretariat_only(assembly: Assembly) -> None:
    assembly.open_session()
    heads = assembly.delegations(["KE", "CA"])
    assert (
        assembly.run(service.read_delegation, heads["KE"].principal, assembly.number, "KE").country
        == "KE"
    )
    assert (
        assembly.run(service.read_delegation, assembly.admin, assembly.number, "KE").country == "KE"
    )
    with pytest.raises(NotFound):
        assembly.run(service.read_delegation, heads["CA"].principal, assembly.number, "KE")


def test_every_write_is_audited(assembly: Assembly) -> None:
    from sqlalchemy import select

    from interlink.core.audit import AuditEntry

    assembly.open_session([RESOLUTION], quorum_share="1/196")
    heads = list(assembly.delegations(["KE", "NG"]).values())
    assembly.adopt_agenda(heads)
    with assembly.db.session() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
        owned = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "assembly.credentials.verify")
        ).first()
    assert {
        "assembly.session.create",
        "assembly.session.open",
        "assembly.item.add",
        "assembly.delegation.register",
        "assembly.credentials.submit",
        "assembly.credentials.verify",
        "assembly.attendance",
        "assembly.ballot.open",
        "assembly.vote",
        "assembly.ballot.close",
    } <= actions
    assert owned.object_owner_org_id is not None  # the bureau of the member it concerns


def test_the_seal_key_outlives_a_session_while_another_has_a_secret_ballot_open(
    assembly: Assembly,
) -> None:
    [item] = assembly.open_session([RESOLUTION], quorum_share="1/196")
    heads = list(assembly.delegations(["KE", "NG"]).values())
    assembly.adopt_agenda(heads)
    assembly.run(
        service_voting.open_resolution_ballot, assembly.admin, item, secret=True, keys=assembly.keys
    )
    assembly.run(
        service.create_session,
        assembly.admin,
        95,
        service.SessionSettings(
            host_city="Oslo",
            host_country="NO",
            starts_on=date(2027, 10, 4),
            ends_on=date(2027, 10, 7),
        ),
    )
    assembly.run(service.open_session, assembly.admin, 95)
    assembly.run(service.close_session, assembly.admin, 95, assembly.keys)
    assert assembly.keys.path.exists()
