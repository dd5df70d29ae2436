"""Ballots: secret ballots with receipts and a hash-chained bulletin board; open roll-call votes.

A secret ballot keeps two things apart that must never meet in storage:

- the eligibility register: which members have voted in a ballot (ballot id, country);
- the ballot store: while the ballot is open, one *sealed* ballot per vote: a random id and a
  fixed-length AES-GCM ciphertext of (tracking code, choice) under a key that is not in the
  database. Nothing else: no voter, no timestamp, no sequence number.

The voter keeps a receipt, the random tracking code. At close the sealed ballots are opened,
checked (authentic, one per registered voter, no duplicate) and published as a bulletin board
in the order of their tracking codes, which is random and independent of the order of casting.
Each board entry is hashed with its predecessor; the last hash (the head) is published with the
result. Anyone holding the board can recompute the tally and the chain, and each voter can find
their code and choice on it. docs/assembly.md gives the threat model.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from interlink.assembly import RuleBroken
from interlink.assembly.majority import Count
from interlink.core.i18n import N_, msg

ALREADY_VOTED = N_("%(country)s has already voted on %(ballot)s")

ABSTAIN = "abstain"
YES = "yes"
NO = "no"

SEAL_KEY_BYTES = 32
MAX_OPTION_BYTES = 200
_CODE_BYTES = 10  # 80 random bits per tracking code
_CODE_LENGTH = 19  # "XXXX-XXXX-XXXX-XXXX"
_NONCE_BYTES = 12
# Every sealed ballot has the same length whatever the choice, so its size reveals nothing.
_SEALED_PLAINTEXT_BYTES = _CODE_LENGTH + 1 + MAX_OPTION_BYTES
_BOARD_DOMAIN = b"interlink-bulletin-board-v1"
_SEAL_DOMAIN = b"interlink-sealed-ballot-v1:"


def canonical(value: Any) -> bytes:
    """The one byte encoding that is hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def new_tracking_code() -> str:
    """A random receipt code such as "K7Q2-9XHM-4TZP-A3LC" (80 bits, base32)."""
    raw = base64.b32encode(secrets.token_bytes(_CODE_BYTES)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@dataclass(frozen=True, slots=True)
class BallotSpec:
    """The question put to the vote. `options` excludes abstention, which is always allowed."""

    ballot_id: str
    question: str
    options: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.options or len(set(self.options)) != len(self.options):
            raise ValueError("a ballot needs at least one option and no option twice")
        if ABSTAIN in self.options:
            raise ValueError(f"{ABSTAIN!r} is always allowed and cannot be an option")
        if any(not 0 < len(option.encode()) <= MAX_OPTION_BYTES for option in self.options):
            raise ValueError(f"options must be 1 to {MAX_OPTION_BYTES} bytes of UTF-8")

    @classmethod
    def resolution(cls, ballot_id: str, question: str) -> BallotSpec:
        return cls(ballot_id=ballot_id, question=question, options=(YES, NO))

    @property
    def choices(self) -> tuple[str, ...]:
        return (*self.options, ABSTAIN)

    def check_choice(self, choice: str) -> None:
        if choice not in self.choices:
            raise RuleBroken(
                msg(
                    "%(choice)r is not a choice on ballot %(ballot)s",
                    choice=choice,
                    ballot=self.ballot_id,
                ),
                code="invalid_choice",
            )

    def header(self) -> dict[str, Any]:
        return {"ballot": self.ballot_id, "question": self.question, "options": list(self.options)}


@dataclass(frozen=True, slots=True)
class Tally:
    """Votes per option (every option listed, zeros included) and abstentions apart."""

    counts: Mapping[str, int]
    abstentions: int

    @classmethod
    def of(cls, spec: BallotSpec, choices: Iterable[str]) -> Tally:
        seen = Counter(choices)
        if unknown := set(seen) - set(spec.choices):
            raise ValueError(f"not choices on ballot {spec.ballot_id}: {sorted(unknown)}")
        return cls(
            counts={option: seen[option] for option in spec.options}, abstentions=seen[ABSTAIN]
        )

    @property
    def votes_cast(self) -> int:
        return sum(self.counts.values())

    def to_count(self, *, in_favour: str = YES, against: str = NO) -> Count:
        """The tally of a yes/no question, for `majority.decide`."""
        return Count(
            in_favour=self.counts[in_favour],
            against=self.counts[against],
            abstentions=self.abstentions,
        )


# -- open votes ---------------------------------------------------------------------------------


@dataclass(slots=True)
class OpenVote:
    """A vote whose roll call (country -> choice) is published."""

    spec: BallotSpec
    votes: dict[str, str] = field(default_factory=dict)

    def cast(self, country: str, choice: str) -> None:
        self.spec.check_choice(choice)
        if country in self.votes:
            raise RuleBroken(
                msg(ALREADY_VOTED, country=country, ballot=self.spec.ballot_id),
                code="already_voted",
            )
        self.votes[country] = choice

    def roll_call(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.votes.items()))

    def tally(self) -> Tally:
        return Tally.of(self.spec, self.votes.values())


# -- sealing ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SealedBallot:
    """What the ballot store keeps while a ballot is open. `seal_id` is its only key."""

    seal_id: str  # the random AES-GCM nonce, hex
    ciphertext: bytes


class BallotSealer:
    """Seals and opens ballots with a key kept outside the database (one key per ballot)."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != SEAL_KEY_BYTES:
            raise ValueError(f"the ballot seal key must be {SEAL_KEY_BYTES} bytes")
        self._master_key = master_key

    def seal(self, spec: BallotSpec, code: str, choice: str) -> SealedBallot:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        ciphertext = self._aead(spec).encrypt(nonce, _pack(code, choice), spec.ballot_id.encode())
        return SealedBallot(seal_id=nonce.hex(), ciphertext=ciphertext)

    def open(self, spec: BallotSpec, sealed: SealedBallot) -> tuple[str, str]:
        """(tracking code, choice); RuleBroken when the ballot was forged, altered or moved."""
        try:
            plain = self._aead(spec).decrypt(
                bytes.fromhex(sealed.seal_id), sealed.ciphertext, spec.ballot_id.encode()
            )
        except (InvalidTag, ValueError):
            raise RuleBroken(
                msg(
                    "sealed ballot %(seal)s of %(ballot)s fails its authentication: forged, "
                    "altered or from another ballot",
                    seal=sealed.seal_id,
                    ballot=spec.ballot_id,
                ),
                code="sealed_ballot_invalid",
            ) from None
        return _unpack(plain)

    def _aead(self, spec: BallotSpec) -> AESGCM:
        ballot_key = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=_SEAL_DOMAIN + spec.ballot_id.encode(),
        ).derive(self._master_key)
        return AESGCM(ballot_key)


def _pack(code: str, choice: str) -> bytes:
    body = code.encode() + bytes([len(choice.encode())]) + choice.encode()
    return body.ljust(_SEALED_PLAINTEXT_BYTES, b"\0")


def _unpack(plain: bytes) -> tuple[str, str]:
    size = plain[_CODE_LENGTH]
    start = _CODE_LENGTH + 1
    return plain[:_CODE_LENGTH].decode(), plain[start : start + size].decode()


# -- secret ballots -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Receipt:
    """Given to the voter, never stored: the code to look up on the bulletin board."""

    ballot_id: str
    tracking_code: str


@dataclass(frozen=True, slots=True)
class CastRecord:
    """One cast vote, as three pieces that go to three places and never meet.

    `voter` goes to the eligibility register, `sealed` to the ballot store, `receipt` to the
    voter. The storage layer writes the first two in one transaction (so a vote is never lost
    nor doubled) with random or natural keys only: no timestamp, no auto-increment id.
    """

    voter: str
    sealed: SealedBallot
    receipt: Receipt


class SecretBallotBox:
    """An open secret ballot. `voters` is the eligibility register loaded from storage."""

    def __init__(self, spec: BallotSpec, sealer: BallotSealer, voters: Iterable[str] = ()) -> None:
        self.spec = spec
        self._sealer = sealer
        self._voters = set(voters)

    @property
    def voter_count(self) -> int:
        return len(self._voters)

    def has_voted(self, country: str) -> bool:
        return country in self._voters

    def cast(self, country: str, choice: str) -> CastRecord:
        """Cast `country`'s vote. The caller has checked the voter's rights (rights.py)."""
        self.spec.check_choice(choice)
        if country in self._voters:
            raise RuleBroken(
                msg(ALREADY_VOTED, country=country, ballot=self.spec.ballot_id),
                code="already_voted",
            )
        code = new_tracking_code()
        self._voters.add(country)
        return CastRecord(
            voter=country,
            sealed=self._sealer.seal(self.spec, code, choice),
            receipt=Receipt(self.spec.ballot_id, code),
        )

    def close(self, sealed: Iterable[SealedBallot]) -> BulletinBoard:
        """Open the ballot store and publish it as a board ordered by tracking code.

        Refuses a store that is not exactly one authentic ballot per registered voter.
        """
        ballots = [self._sealer.open(self.spec, item) for item in sealed]
        codes = [code for code, _ in ballots]
        if len(set(codes)) != len(codes):
            raise RuleBroken(
                msg(
                    "the ballot store of %(ballot)s holds a ballot twice",
                    ballot=self.spec.ballot_id,
                ),
                code="duplicate_ballot",
            )
        if len(ballots) != len(self._voters):
            raise RuleBroken(
                msg(
                    "%(ballots)s ballots stored for %(voters)s voters on %(ballot)s",
                    ballots=len(ballots),
                    voters=len(self._voters),
                    ballot=self.spec.ballot_id,
                ),
                code="ballot_count_mismatch",
            )
        for _, choice in ballots:
            self.spec.check_choice(choice)
        return BulletinBoard.build(self.spec, sorted(ballots))


# -- bulletin board -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BoardEntry:
    position: int  # 1-based
    code: str
    choice: str
    hash: str  # hex SHA-256(previous hash || canonical(content))

    def content(self, ballot_id: str) -> dict[str, Any]:
        return _content(ballot_id, self.position, self.code, self.choice)


def _content(ballot_id: str, position: int, code: str, choice: str) -> dict[str, Any]:
    """What an entry's hash covers: everything on the entry, and the ballot it belongs to."""
    return {"ballot": ballot_id, "position": position, "code": code, "choice": choice}


def genesis_hash(spec: BallotSpec) -> str:
    """The chain's starting point, bound to the question and its options."""
    return hashlib.sha256(_BOARD_DOMAIN + canonical(spec.header())).hexdigest()


def _chain(previous: str, content: dict[str, Any]) -> str:
    return hashlib.sha256(bytes.fromhex(previous) + canonical(content)).hexdigest()


@dataclass(frozen=True, slots=True)
class BulletinBoard:
    spec: BallotSpec
    entries: tuple[BoardEntry, ...]

    @classmethod
    def build(cls, spec: BallotSpec, ballots: Iterable[tuple[str, str]]) -> BulletinBoard:
        entries: list[BoardEntry] = []
        previous = genesis_hash(spec)
        for position, (code, choice) in enumerate(ballots, start=1):
            previous = _chain(previous, _content(spec.ballot_id, position, code, choice))
            entries.append(BoardEntry(position, code, choice, previous))
        return cls(spec, tuple(entries))

    @property
    def head(self) -> str:
        return self.entries[-1].hash if self.entries else genesis_hash(self.spec)

    def tally(self) -> Tally:
        """Recomputed from the entries alone: what any observer can do with the board."""
        return Tally.of(self.spec, (entry.choice for entry in self.entries))

    def find(self, tracking_code: str) -> BoardEntry | None:
        return next((entry for entry in self.entries if entry.code == tracking_code), None)

    def to_dict(self) -> dict[str, Any]:
        """The published form (JSON-ready)."""
        return {
            **self.spec.header(),
            "head": self.head,
            "entries": [
                {"position": e.position, "code": e.code, "choice": e.choice, "hash": e.hash}
                for e in self.entries
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BulletinBoard:
        spec = BallotSpec(data["ballot"], data["question"], tuple(data["options"]))
        entries = tuple(
            BoardEntry(e["position"], e["code"], e["choice"], e["hash"]) for e in data["entries"]
        )
        return cls(spec, entries)


@dataclass(frozen=True, slots=True)
class BoardCheck:
    ok: bool
    position: int | None = None  # the first bad entry, when one can be named
    problem: str = ""


def verify_board(
    board: BulletinBoard, published_head: str, *, expected_ballots: int | None = None
) -> BoardCheck:
    """Check a published board against its published head; name the first bad entry.

    `expected_ballots` is the size of the eligibility register, when the checker has it.
    """
    previous = genesis_hash(board.spec)
    last_code = ""
    for index, entry in enumerate(board.entries, start=1):
        problem = _entry_problem(board.spec, entry, index, last_code, previous)
        if problem:
            return BoardCheck(False, index, problem)
        previous, last_code = entry.hash, entry.code
    if previous != published_head:
        return BoardCheck(
            False,
            None,
            "the board does not end at the published head: "
            "entries were added, removed or the chain was rewritten",
        )
    if expected_ballots is not None and expected_ballots != len(board.entries):
        return BoardCheck(
            False, None, f"{len(board.entries)} entries for {expected_ballots} registered voters"
        )
    return BoardCheck(True)


def _entry_problem(
    spec: BallotSpec, entry: BoardEntry, index: int, last_code: str, previous: str
) -> str:
    if entry.position != index:
        return f"position {entry.position} found where {index} was expected"
    if entry.code <= last_code:
        return "tracking codes are not in strictly increasing order"
    if entry.choice not in spec.choices:
        return f"{entry.choice!r} is not a choice on this ballot"
    if _chain(previous, entry.content(spec.ballot_id)) != entry.hash:
        return "hash does not match the entry and the previous hash"
    return ""
