"""Voting end to end through the services and the database (SQLite and PostgreSQL): rights,
delegated powers, secret ballots with receipts, the bulletin board and its verification."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect, select, text, update

from interlink.assembly import Refused, RuleBroken, service, service_voting
from interlink.assembly.ballot_box import BulletinBoard, verify_board
from interlink.assembly.models import (
    BallotVoter,
    BoardEntryRow,
    RollCallVote,
    SealedBallotRow,
)
from interlink.core.audit import AuditEntry
from interlink.core.errors import Forbidden, NotFound
from interlink.members.models import Member
from tests.assembly.support import Assembly, Person, countries

RESOLUTION = ("Strategic framework 2027-2031", "resolution", "simple_of_cast")
CONSTITUTION = ("Amendment of the Constitution", "resolution", "two_thirds_of_members")


@pytest.fixture
def sitting(assembly: Assembly) -> tuple[dict[str, Person], list[int]]:
    """Session 94 open with a quorum of a tenth of the members (20 of 196), 24 delegations
    present, the agenda adopted."""
    items = assembly.open_session([RESOLUTION, CONSTITUTION], quorum_share="1/10")
    heads = assembly.delegations([*countries(23, skip=["KE"]), "KE"])
    assembly.adopt_agenda(list(heads.values())[:3])
    return heads, items


def open_ballot(assembly: Assembly, item_id: int, secret: bool = True) -> int:
    return assembly.run(
        service_voting.open_resolution_ballot,
        assembly.admin,
        item_id,
        secret=secret,
        keys=assembly.keys,
    ).id


def test_secret_ballot_receipts_board_and_announced_tally_agree(
    assembly: Assembly, sitting
) -> None:
    heads, items = sitting
    ballot_id = open_ballot(assembly, items[0])
    choices = ["yes", "no", "abstain", "yes"]
    receipts = {}
    for i, (country, head) in enumerate(heads.items()):
        receipts[country] = (assembly.vote(head, ballot_id, choices[i % 4]).receipt, choices[i % 4])
    closed = assembly.close(ballot_id)
    assert closed.tally == {"counts": {"yes": 12, "no": 6}, "abstentions": 6}
    assert closed.outcome["adopted"] and closed.outcome["votes_cast"] == 18
    assert closed.outcome["abstentions"] == 6  # recorded, not counted

    with assembly.db.session() as session:
        published = service_voting.board_of(session, ballot_id).to_dict()
        assert session.scalars(select(SealedBallotRow)).all() == []  # deleted at close
    observer = BulletinBoard.from_dict(json.loads(json.dumps(published)))
    assert observer.tally().counts == closed.tally["counts"]
    assert verify_board(observer, closed.board_head, expected_ballots=24).ok
    for receipt, choice in receipts.values():
        assert observer.find(receipt.tracking_code).choice == choice
    assert assembly.run(service_voting.verify_ballot, ballot_id).ok


def test_secret_ballot_storage_holds_no_time_no_sequence_and_no_voter(
    assembly: Assembly, sitting
) -> None:
    heads, items = sitting
    ballot_id = open_ballot(assembly, items[0])
    ke_receipt = assembly.vote(heads["KE"], ballot_id, "no").receipt
    with assembly.db.session() as session:
        columns = {
            table: {c["name"] for c in inspect(session.connection()).get_columns(table)}
            for table in ("ga_ballot_voters", "ga_sealed_ballots", "ga_board_entries")
        }
        stored = session.scalars(select(SealedBallotRow)).one()
        assert (
            session.scalars(select(RollCallVote).where(RollCallVote.ballot_id == ballot_id)).all()
            == []
        )
        audit_text = json.dumps([e.detail for e in session.scalars(select(AuditEntry))])
        vote_entry = (
            session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "assembly.vote", AuditEntry.object_id == str(ballot_id)
                )
            )
            .one()
            .detail
        )
    assert columns == {
        "ga_ballot_voters": {"ballot_id", "country"},
        "ga_sealed_ballots": {"seal_id", "ballot_id", "ciphertext"},
        "ga_board_entries": {"ballot_id", "position", "code", "choice", "hash"},
    }
    assert ke_receipt.tracking_code.encode() not in stored.ciphertext
    assert len(stored.ciphertext) == 236
    # The audit log says that KE voted, never how, and never the receipt.
    assert vote_entry == {"country": "KE", "ballot": "GA94/item-1"}
    assert ke_receipt.tracking_code not in audit_text


def test_open_vote_publishes_the_roll_call(assembly: Assembly, sitting) -> None:
    heads, items = sitting
    ballot_id = open_ballot(assembly, items[0], secret=False)
    assert assembly.vote(heads["KE"], ballot_id, "yes").receipt is None
    assembly.vote(heads["AE"], ballot_id, "no")
    assembly.close(ballot_id)
    assert assembly.run(service_voting.roll_call, ballot_id) == [("AE", "no"), ("KE", "yes")]
    with assembly.db.session() as session:
        assert session.scalars(select(BoardEntryRow)).all() == []
    with pytest.raises(NotFound):
        assembly.run(service_voting.board_of, ballot_id)


def test_a_member_votes_once(assembly: Assembly, sitting) -> None:
    heads, items = sitting
    ballot_id = open_ballot(assembly, items[0])
    assembly.vote(heads["KE"], ballot_id, "yes")
    with pytest.raises(RuleBroken) as refused:
        assembly.vote(heads["KE"], ballot_id, "no")
    assert refused.value.code == "already_voted"
    with assembly.db.session() as session:
        assert session.scalars(
            select(BallotVoter.country).where(BallotVoter.ballot_id == ballot_id)
        ).all() == ["KE"]
        assert len(session.scalars(select(SealedBallotRow)).all()) == 1


@pytest.mark.parametrize(
    ("flag", "policy", "reason"),
    [
        ("in_arrears", {}, "in_arrears"),
        ("suspended", {}, "suspended"),
    ],
)
def test_a_member_without_voting_rights_is_refused(
    assembly: Assembly, sitting, flag: str, policy: dict, reason: str
) -> None:
    heads, items = sitting
    with assembly.db.session() as session:
        session.execute(update(Member).where(Member.code == "KE").values({flag: True}))
    ballot_id = open_ballot(assembly, items[0])
    with pytest.raises(Refused) as refused:
        assembly.vote(heads["KE"], ballot_id, "yes")
    assert refused.value.code == reason and refused.value.status == 403


@pytest.mark.parametrize(
    ("flag", "setting"),
    [("in_arrears", "arrears_bar_voting"), ("suspended", "suspension_bars_voting")],
)
def test_the_bars_on_voting_are_configurable(
    assembly: Assembly, sitting, flag: str, setting: str
) -> None:
    heads, items = sitting
    with assembly.db.session() as session:
        session.execute(update(Member).where(Member.code == "KE").values({flag: True}))
    assembly.run(
        service.update_session,
        assembly.admin,
        assembly.number,
        service.SessionSettings(**{setting: False}),
    )
    ballot_id = open_ballot(assembly, items[0])
    assert assembly.vote(heads["KE"], ballot_id, "yes").country == "KE"


def test_delegated_powers_are_honoured_and_revoked(assembly: Assembly, sitting) -> None:
    heads, items = sitting
    head = heads["KE"]
    deputy = assembly.add_person("KE", "delegate")
    assembly.run(service.verify_credentials, assembly.admin, assembly.number, "KE")
    assembly.run(
        service.grant_powers,
        head.principal,
        assembly.number,
        "KE",
        holder_member_id=deputy.member_id,
        item_id=items[0],
    )
    first = open_ballot(assembly, items[0])
    with pytest.raises(Refused) as refused:
        assembly.vote(head, first, "yes")
    assert refused.value.code == "not_power_holder"
    assert assembly.vote(deputy, first, "yes").country == "KE"
    # The item grant does not reach another item: there the head votes.
    second = open_ballot(assembly, items[1])
    with pytest.raises(Refused):
        assembly.vote(deputy, second, "yes")
    # Taken back: the deputy no longer votes, the head does.
    assembly.run(service.revoke_powers, head.principal, assembly.number, "KE", item_id=items[0])
    assembly.run(
        service.grant_powers,
        head.principal,
        assembly.number,
        "KE",
        holder_member_id=deputy.member_id,
    )
    assert assembly.vote(deputy, second, "no").country == "KE"
    assembly.run(service.revoke_powers, head.principal, assembly.number, "KE")
    with assembly.db.session() as session:
        grants = session.execute(text("SELECT count(*) FROM ga_power_grants")).scalar()
    assert grants == 0


def test_only_the_head_gives_powers_and_never_to_an_observer(assembly: Assembly, sitting) -> None:
    heads, _ = sitting
    deputy = assembly.add_person("KE", "delegate")
    observer = assembly.add_person("KE", "observer")
    with pytest.raises(Refused) as by_deputy:
        assembly.run(
            service.grant_powers,
            deputy.principal,
            assembly.number,
            "KE",
            holder_member_id=deputy.member_id,
        )
    assert by_deputy.value.code == "not_head"
    with pytest.raises(Refused) as to_observer:
        assembly.run(
            service.grant_powers,
            heads["KE"].principal,
            assembly.number,
            "KE",
            holder_member_id=observer.member_id,
        )
    assert to_observer.value.code == "observer"
    with pytest.raises(Refused) as other_country:
        assembly.run(
            service.grant_powers,
            heads["AE"].principal,
            assembly.number,
            "KE",
            holder_member_id=deputy.member_id,
        )
    assert other_country.value.code == "not_head"


def test_observers_delegates_of_other_countries_and_tokens_never_vote(
    assembly: Assembly, sitting
) -> None:
    heads, items = sitting
    observer = assembly.add_person("KE", "observer")
    assembly.run(service.verify_credentials, assembly.admin, assembly.number, "KE")
    ballot_id = open_ballot(assembly, items[0])
    with pytest.raises(Refused) as as_observer:
        assembly.vote(observer, ballot_id, "yes")
    assert as_observer.value.code == "observer"
    with pytest.raises(Refused) as for_another:
        assembly.vote(heads["AE"], ballot_id, "yes", country="KE")
    assert for_another.value.code == "not_in_delegation"
    from dataclasses import replace

    token = replace(heads["KE"].principal, user_id=None, token_id=99)
    with pytest.raises(Refused) as by_token:
        assembly.vote(Person(0, token), ballot_id, "yes")
    assert by_token.value.code == "person_required"
    with assembly.db.session() as session:
        assert (
            session.scalars(select(BallotVoter).where(BallotVoter.ballot_id == ballot_id)).all()
            == []
        )


@pytest.mark.parametrize(
    ("verified", "present", "reason"),
    [
        (False, True, "credentials_not_verified"),
        (True, False, "not_present"),
    ],
)
def test_credentials_and_attendance_are_needed(
    assembly: Assembly, sitting, verified: bool, present: bool, reason: str
) -> None:
    _, items = sitting
    late = assembly.delegations(["ZA"], verified=verified, present=present)["ZA"]
    ballot_id = open_ballot(assembly, items[0])
    with pytest.raises(Refused) as refused:
        assembly.vote(late, ballot_id, "yes")
    assert refused.value.code == reason


def test_changing_a_verified_delegation_sends_its_credentials_back(
    assembly: Assembly, sitting
) -> None:
    heads, items = sitting
    assembly.add_person("KE", "delegate")
    ballot_id = open_ballot(assembly, items[0])
    with pytest.raises(Refused) as refused:
        assembly.vote(heads["KE"], ballot_id, "yes")
    assert refused.value.code == "credentials_not_verified"
    assembly.run(service.verify_credentials, assembly.admin, assembly.number, "KE")
    assert assembly.vote(heads["KE"], ballot_id, "yes").country == "KE"


def test_only_the_secretariat_opens_and_closes_ballots(assembly: Assembly, sitting) -> None:
    heads, items = sitting
    with pytest.raises(Forbidden):
        assembly.run(
            service_voting.open_resolution_ballot,
            heads["KE"].principal,
            items[0],
            secret=True,
            keys=assembly.keys,
        )
    ballot_id = open_ballot(assembly, items[0])
    with pytest.raises(Forbidden):
        assembly.run(
            service_voting.close_ballot, heads["KE"].principal, ballot_id, keys=assembly.keys
        )


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        ("UPDATE ga_sealed_ballots SET ciphertext = :garbage", "sealed_ballot_invalid"),
        (
            "DELETE FROM ga_sealed_ballots WHERE seal_id = (SELECT min(seal_id) FROM "
            "ga_sealed_ballots)",
            "ballot_count_mismatch",
        ),
        (
            "INSERT INTO ga_sealed_ballots (seal_id, ballot_id, ciphertext) SELECT 'ff' || "
            "substr(seal_id, 3), ballot_id, ciphertext FROM ga_sealed_ballots WHERE seal_id = "
            "(SELECT min(seal_id) FROM ga_sealed_ballots)",
            "sealed_ballot_invalid",
        ),
    ],
)
def test_a_tampered_ballot_store_cannot_be_counted(
    assembly: Assembly, sitting, tamper: str, code: str
) -> None:
    heads, items = sitting
    ballot_id = open_ballot(assembly, items[0])
    for head in list(heads.values())[:5]:
        assembly.vote(head, ballot_id, "yes")
    with assembly.db.session() as session:
        session.execute(text(tamper), {"garbage": b"\x00" * 236} if ":garbage" in tamper else {})
    with pytest.raises(RuleBroken) as refused:
        assembly.close(ballot_id)
    assert refused.value.code == code
    # The ballot stays open until the secretariat annuls it; then the item can be voted again.
    assembly.run(service_voting.annul_ballot, assembly.admin, ballot_id, reason="tampered")
    again = open_ballot(assembly, items[0])
    assert again != ballot_id


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE ga_board_entries SET choice = CASE choice WHEN 'yes' THEN 'no' ELSE 'yes' END "
        "WHERE position = 3",
        "DELETE FROM ga_board_entries WHERE position = 5",
        "UPDATE ga_ballots SET board_head = :fake",
        "UPDATE ga_ballots SET tally = :tally",
    ],
)
def test_any_change_to_a_published_board_breaks_verification(
    assembly: Assembly, sitting, tamper: str
) -> None:
    heads, items = sitting
    ballot_id = open_ballot(assembly, items[0])
    for i, head in enumerate(list(heads.values())[:9]):
        assembly.vote(head, ballot_id, "yes" if i % 3 else "no")
    assembly.close(ballot_id)
    assert assembly.run(service_voting.verify_ballot, ballot_id).ok
    with assembly.db.session() as session:
        session.execute(
            text(tamper),
            {
                "fake": "0" * 64,
                "tally": json.dumps({"counts": {"yes": 9, "no": 0}, "abstentions": 0}),
            },
        )
    report = assembly.run(service_voting.verify_ballot, ballot_id)
    assert not report.ok and report.problems
