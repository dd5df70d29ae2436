import json
from dataclasses import fields, replace
from itertools import islice

import pytest

from interlink.assembly import RuleBroken
from interlink.assembly.ballot_box import (
    ABSTAIN,
    NO,
    YES,
    BallotSealer,
    BallotSpec,
    BoardEntry,
    BulletinBoard,
    CastRecord,
    OpenVote,
    SealedBallot,
    SecretBallotBox,
    Tally,
    verify_board,
)
from interlink.assembly.majority import MajorityRule, decide

SPEC = BallotSpec.resolution("GA93/item-4", "Adopt the 2026-2030 strategic framework?")
# 179 members present, as at the 92nd and 93rd sessions.
COUNTRIES = [f"{a}{b}" for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFG"][:179]
VOTES = {c: (YES, NO, ABSTAIN, YES)[i % 4] for i, c in enumerate(COUNTRIES)}


def cast_all(
    box: SecretBallotBox, votes: dict[str, str]
) -> tuple[list[CastRecord], list[SealedBallot]]:
    records = [box.cast(country, choice) for country, choice in votes.items()]
    return records, [r.sealed for r in records]


@pytest.fixture
def closed(sealer: BallotSealer) -> tuple[list[CastRecord], BulletinBoard]:
    box = SecretBallotBox(SPEC, sealer)
    records, store = cast_all(box, VOTES)
    return records, box.close(store)


def published(board: BulletinBoard) -> BulletinBoard:
    """The board as an outside observer gets it: through JSON."""
    return BulletinBoard.from_dict(json.loads(json.dumps(board.to_dict())))


def test_tally_recomputed_from_the_published_board_equals_the_announced_one(closed) -> None:
    _, board = closed
    announced = Tally({YES: 89, NO: 45}, abstentions=45)
    observer = published(board)
    assert observer.tally() == announced
    assert verify_board(observer, board.head, expected_ballots=179).ok
    outcome = decide(MajorityRule.SIMPLE_OF_CAST, observer.tally().to_count(), members=196)
    assert (outcome.votes_cast, outcome.abstentions, outcome.adopted) == (134, 45, True)


def test_every_voter_finds_their_receipt_and_choice_on_the_board(closed) -> None:
    records, board = closed
    for record in records:
        entry = board.find(record.receipt.tracking_code)
        assert entry is not None and entry.choice == VOTES[record.voter]
    assert board.find("AAAA-AAAA-AAAA-AAAA") is None


def test_board_order_is_the_random_code_order_not_the_casting_order(closed) -> None:
    records, board = closed
    codes = [e.code for e in board.entries]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    position = {e.code: e.position for e in board.entries}
    ranks = [position[r.receipt.tracking_code] for r in records]  # in casting order
    n = len(ranks)
    spearman = 1 - 6 * sum((p - i) ** 2 for i, p in enumerate(ranks, 1)) / (n * (n * n - 1))
    assert abs(spearman) < 0.35  # |rho| has s.d. 0.075 here: a real link would show at once


def test_the_stored_pieces_share_nothing() -> None:
    # What the storage layer may persist: a voter in the register, a sealed ballot in the store.
    assert {f.name for f in fields(SealedBallot)} == {"seal_id", "ciphertext"}
    assert {f.name for f in fields(CastRecord)} == {"voter", "sealed", "receipt"}


def test_sealed_ballots_reveal_neither_choice_nor_code(sealer: BallotSealer) -> None:
    spec = BallotSpec("GA93/president/1", "President", ("candidate-a", "x" * 200))
    box = SecretBallotBox(spec, sealer)
    records = [box.cast("FR", "candidate-a"), box.cast("DE", "x" * 200), box.cast("IT", ABSTAIN)]
    assert len({len(r.sealed.ciphertext) for r in records}) == 1
    for record in records:
        blob = record.sealed.ciphertext
        assert record.receipt.tracking_code.encode() not in blob
        assert b"candidate-a" not in blob and b"x" * 20 not in blob
        # A two-letter country code is two random bytes' worth: look for it as the plaintext
        # would carry it (quoted), not as any two bytes a ciphertext may contain by chance.
        assert f'"{record.voter}"'.encode() not in blob
    assert len({r.sealed.seal_id for r in records}) == 3


@pytest.mark.parametrize(("choice", "code"), [(YES, "already_voted"), ("maybe", "invalid_choice")])
def test_a_member_votes_once_and_only_for_a_choice_on_the_ballot(
    sealer: BallotSealer, choice: str, code: str
) -> None:
    box = SecretBallotBox(SPEC, sealer, voters={"FR"})
    with pytest.raises(RuleBroken) as refused:
        box.cast("FR" if code == "already_voted" else "DE", choice)
    assert refused.value.code == code


def test_the_register_loaded_from_storage_blocks_a_second_vote(sealer: BallotSealer) -> None:
    first = SecretBallotBox(SPEC, sealer)
    first.cast("FR", YES)
    reloaded = SecretBallotBox(SPEC, sealer, voters=["FR"])
    assert reloaded.has_voted("FR") and not reloaded.has_voted("DE")
    with pytest.raises(RuleBroken):
        reloaded.cast("FR", NO)


def _change_choice(entries: list[BoardEntry], i: int) -> None:
    entries[i] = replace(entries[i], choice=NO if entries[i].choice == YES else YES)


def _change_choice_and_rehash(entries: list[BoardEntry], i: int) -> None:
    _change_choice(entries, i)
    rebuilt = BulletinBoard.build(SPEC, [(e.code, e.choice) for e in entries])
    entries[i] = rebuilt.entries[i]  # a careful forger fixes this entry's hash too


def _remove(entries: list[BoardEntry], i: int) -> None:
    del entries[i]


def _swap_with_next(entries: list[BoardEntry], i: int) -> None:
    entries[i], entries[i + 1] = entries[i + 1], entries[i]


def _forge_code(entries: list[BoardEntry], i: int) -> None:
    code = entries[i].code
    other = "Y" if code.endswith("Z") else "Z"  # always a different code
    entries[i] = replace(entries[i], code=code[:-1] + other)


@pytest.mark.parametrize(
    ("tamper", "first_bad"),
    [
        (_change_choice, 42),
        (_change_choice_and_rehash, 43),  # the chain breaks at the next entry
        (_remove, 42),
        (_swap_with_next, 42),
        (_forge_code, 42),
    ],
)
def test_any_change_to_a_stored_ballot_breaks_verification_at_the_first_bad_entry(
    closed, tamper, first_bad: int
) -> None:
    _, board = closed
    entries = list(board.entries)
    tamper(entries, 41)
    check = verify_board(replace(board, entries=tuple(entries)), board.head)
    assert (check.ok, check.position) == (False, first_bad)
    assert check.problem


def test_rewriting_the_whole_chain_is_caught_by_the_published_head(closed) -> None:
    _, board = closed
    ballots = [(e.code, e.choice) for e in board.entries]
    ballots[0] = (ballots[0][0], NO if ballots[0][1] == YES else YES)
    forged = BulletinBoard.build(SPEC, ballots)
    assert verify_board(forged, forged.head).ok  # self-consistent...
    check = verify_board(forged, board.head)  # ...but not what was published
    assert (check.ok, check.position) == (False, None)


def test_entries_dropped_or_appended_at_the_end_are_caught(closed) -> None:
    _, board = closed
    ballots = [(e.code, e.choice) for e in board.entries]
    dropped = replace(board, entries=board.entries[:-1])
    appended = BulletinBoard.build(SPEC, [*ballots, ("ZZZZ-ZZZZ-ZZZZ-ZZZZ", YES)])
    for tampered in (dropped, appended):
        check = verify_board(tampered, board.head)
        assert (check.ok, check.position) == (False, None)


def test_board_size_must_match_the_register(closed) -> None:
    _, board = closed
    check = verify_board(board, board.head, expected_ballots=180)
    assert not check.ok and "180" in check.problem


def test_board_is_bound_to_its_question(closed) -> None:
    _, board = closed
    other = replace(board, spec=replace(SPEC, question="Something else?"))
    assert verify_board(other, board.head).position == 1


def _flip_byte(store: list[SealedBallot], sealer: BallotSealer) -> None:
    blob = bytearray(store[3].ciphertext)
    blob[5] ^= 1
    store[3] = replace(store[3], ciphertext=bytes(blob))


def _forge_with_another_key(store: list[SealedBallot], sealer: BallotSealer) -> None:
    store[3] = BallotSealer(b"k" * 32).seal(SPEC, "AAAA-BBBB-CCCC-DDDD", NO)


def _move_from_another_ballot(store: list[SealedBallot], sealer: BallotSealer) -> None:
    store[3] = sealer.seal(replace(SPEC, ballot_id="GA93/item-5"), "AAAA-BBBB-CCCC-DDDD", NO)


def _delete(store: list[SealedBallot], sealer: BallotSealer) -> None:
    del store[3]


def _duplicate(store: list[SealedBallot], sealer: BallotSealer) -> None:
    store[3] = store[4]


def _stuff(store: list[SealedBallot], sealer: BallotSealer) -> None:
    store.append(sealer.seal(SPEC, "AAAA-BBBB-CCCC-DDDD", YES))


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (_flip_byte, "sealed_ballot_invalid"),
        (_forge_with_another_key, "sealed_ballot_invalid"),
        (_move_from_another_ballot, "sealed_ballot_invalid"),
        (_delete, "ballot_count_mismatch"),
        (_duplicate, "duplicate_ballot"),
        (_stuff, "ballot_count_mismatch"),  # even with the key, the register does not match
    ],
)
def test_a_tampered_ballot_store_cannot_be_closed(sealer: BallotSealer, tamper, code: str) -> None:
    box = SecretBallotBox(SPEC, sealer)
    _, store = cast_all(box, dict(islice(VOTES.items(), 10)))
    tamper(store, sealer)
    with pytest.raises(RuleBroken) as refused:
        box.close(store)
    assert refused.value.code == code


def test_empty_ballot_closes_to_an_empty_verifiable_board(sealer: BallotSealer) -> None:
    board = SecretBallotBox(SPEC, sealer).close([])
    assert verify_board(board, board.head, expected_ballots=0).ok
    assert board.tally() == Tally({YES: 0, NO: 0}, abstentions=0)


def test_open_vote_publishes_its_roll_call() -> None:
    vote = OpenVote(SPEC)
    for country, choice in [("MA", YES), ("FR", NO), ("BR", ABSTAIN)]:
        vote.cast(country, choice)
    assert vote.roll_call() == (("BR", ABSTAIN), ("FR", NO), ("MA", YES))
    assert vote.tally() == Tally({YES: 1, NO: 1}, abstentions=1)
    with pytest.raises(RuleBroken):
        vote.cast("FR", YES)
    with pytest.raises(RuleBroken):
        vote.cast("DE", "perhaps")


@pytest.mark.parametrize("options", [(), (YES, YES), (YES, ABSTAIN), ("",), ("x" * 201,)])
def test_malformed_ballots_are_rejected(options: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        BallotSpec("b", "q", options)


def test_seal_key_must_be_256_bits() -> None:
    with pytest.raises(ValueError):
        BallotSealer(b"short")


def test_a_tally_never_drops_an_unknown_choice() -> None:
    with pytest.raises(ValueError):
        Tally.of(SPEC, [YES, "maybe"])
