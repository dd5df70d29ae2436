"""Server side of the feed: listed domains, versions, full and partial updates, full hashes."""

from __future__ import annotations

import json

import pytest

from interlink.blocklist.canonical import full_hash, hash_prefix
from interlink.blocklist.feed import (
    ClientState,
    CorruptUpdate,
    Feed,
    FullHashes,
    HashedList,
    InvalidListedDomain,
    NoListPublished,
    Update,
    UpdateKind,
    diff_domains,
    domain_full_hash,
    full_update,
    listed_domain,
    partial_update,
    prefix_checksum,
)

# Two domains whose expressions share a 4-byte prefix (found by search; checked below).
COLLIDING = ("c34004.example", "c34609.example")


def test_the_colliding_pair_really_collides() -> None:
    first, second = (domain_full_hash(domain) for domain in COLLIDING)
    assert first != second
    assert hash_prefix(first) == hash_prefix(second)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Listed.Example", "listed.example"),
        ("  listed.example.  ", "listed.example"),
        ("b\u00fccher.example", "xn--bcher-kva.example"),
        ("a.b.c.d.example", "a.b.c.d.example"),  # five labels: the most that can be listed
        ("3279880203", "195.127.0.11"),
        ("[2001:DB8::1]", "[2001:db8::1]"),
    ],
)
def test_listed_domains_are_canonical(text: str, expected: str) -> None:
    assert listed_domain(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "...",
        "example",  # a top-level label alone is never checked
        "a.b.c.d.e.example",  # six labels: subdomains would slip through
        "http://listed.example/",
        "listed.example/path",
        "listed.example:8080",
        "user@listed.example",
        "listed .example",
        "w!eird.example",
    ],
)
def test_what_cannot_be_listed_is_refused(text: str) -> None:
    with pytest.raises(InvalidListedDomain):
        listed_domain(text)


def test_hashed_list_holds_sorted_distinct_prefixes_and_their_checksum() -> None:
    listed = HashedList(["b.example", "a.example", *COLLIDING])
    assert list(listed.prefixes) == sorted(listed.prefixes)
    assert len(listed.prefixes) == 3  # the colliding pair shares one prefix
    assert listed.checksum == prefix_checksum(sorted(listed.prefixes))


def test_full_hash_lookup_returns_every_hash_behind_a_prefix() -> None:
    listed = HashedList([*COLLIDING, "other.example"])
    prefix = hash_prefix(domain_full_hash(COLLIDING[0]))
    assert listed.full_hashes([prefix]) == {domain_full_hash(d) for d in COLLIDING}
    assert listed.full_hashes([b"\0\0\0\0"]) == frozenset()


def test_partial_update_removes_by_index_into_the_old_sorted_list() -> None:
    old = HashedList(f"d{number}.example" for number in range(20))
    new = HashedList([*(f"d{number}.example" for number in range(2, 20)), "new.example"])
    update = partial_update(old, new, version=2)
    assert update.kind is UpdateKind.PARTIAL
    removed_prefixes = {hash_prefix(domain_full_hash(f"d{n}.example")) for n in (0, 1)}
    assert {old.prefixes[index] for index in update.removals} == removed_prefixes
    assert list(update.removals) == sorted(update.removals)
    assert update.additions == (hash_prefix(domain_full_hash("new.example")),)
    assert update.checksum == new.checksum


def test_removing_one_of_two_colliding_domains_keeps_their_prefix() -> None:
    old = HashedList([*COLLIDING, "x.example"])
    new = HashedList([COLLIDING[1], "x.example"])
    update = partial_update(old, new, version=2)
    assert update.removals == ()
    assert update.additions == ()
    assert new.full_hashes(new.prefixes) == {
        domain_full_hash(COLLIDING[1]),
        domain_full_hash("x.example"),
    }


def test_a_change_as_large_as_the_list_is_sent_in_full() -> None:
    old = HashedList(["a.example", "b.example"])
    new = HashedList(["c.example", "d.example"])
    update = partial_update(old, new, version=2)
    assert update == full_update(new, version=2)


def test_feed_sends_a_full_update_to_a_new_or_unknown_client() -> None:
    feed = Feed()
    first = feed.publish(["a.example", "b.example"])
    for state in (ClientState(), ClientState(version=99)):
        update = feed.fetch_update(state)
        assert update.kind is UpdateKind.FULL
        assert update.version == first
        assert update.checksum == prefix_checksum(update.additions)


def test_feed_sends_an_empty_partial_update_to_a_client_in_step() -> None:
    feed = Feed()
    version = feed.publish(["a.example", "b.example"])
    update = feed.fetch_update(ClientState(version))
    assert (update.kind, update.removals, update.additions) == (UpdateKind.PARTIAL, (), ())


def test_feed_without_a_version_says_so() -> None:
    feed = Feed()
    with pytest.raises(NoListPublished):
        feed.fetch_update(ClientState())
    with pytest.raises(NoListPublished):
        feed.fetch_full_hashes([b"abcd"])


def test_full_hashes_answer_from_the_latest_version() -> None:
    feed = Feed(cache_seconds=60)
    feed.publish(["gone.example", "kept.example"])
    feed.publish(["kept.example"])
    prefixes = [hash_prefix(domain_full_hash(d)) for d in ("gone.example", "kept.example")]
    answer = feed.fetch_full_hashes(prefixes)
    assert answer == FullHashes(frozenset({domain_full_hash("kept.example")}), 60)


def test_version_diff_between_any_two_versions() -> None:
    feed = Feed()
    v1 = feed.publish(["a.example", "b.example"])
    v2 = feed.publish(["B.example", "c.example"])
    v3 = feed.publish(["c.example", "d.example"])
    assert feed.diff(v1, v3).added == ("c.example", "d.example")
    assert feed.diff(v1, v3).removed == ("a.example", "b.example")
    assert feed.diff(v3, v1) == diff_domains(feed.domains(v3), feed.domains(v1))
    assert feed.diff(v2, v2).added == feed.diff(v2, v2).removed == ()
    with pytest.raises(LookupError):
        feed.diff(v1, 42)


def test_update_survives_the_wire_as_json() -> None:
    feed = Feed()
    v1 = feed.publish(f"d{n}.example" for n in range(50))
    feed.publish(f"d{n}.example" for n in range(3, 60))
    update = feed.fetch_update(ClientState(v1))
    assert update.kind is UpdateKind.PARTIAL
    assert Update.from_wire(json.loads(json.dumps(update.to_wire()))) == update


def test_full_hashes_survive_the_wire_as_json() -> None:
    answer = FullHashes(frozenset({full_hash("a.example/"), full_hash("b.example/")}), 120)
    assert FullHashes.from_wire(json.loads(json.dumps(answer.to_wire()))) == answer


@pytest.mark.parametrize(
    "damage",
    [
        {"additions": "AAAAAAA="},  # 5 bytes: not whole prefixes
        {"additions": "not base64!"},
        {"removals": ["1"]},
        {"prefix_size": 8},
        {"type": "sideways"},
        {"checksum": None},
    ],
)
def test_malformed_wire_update_is_corrupt(damage: dict[str, object]) -> None:
    feed = Feed()
    feed.publish(["a.example"])
    wire = feed.fetch_update(ClientState()).to_wire() | damage
    with pytest.raises(CorruptUpdate):
        Update.from_wire(wire)
