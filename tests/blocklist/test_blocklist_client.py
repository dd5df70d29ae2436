"""Provider client against the real feed, through the JSON wire format."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from interlink.blocklist.canonical import InvalidURL, hash_prefix
from interlink.blocklist.client import (
    EXIT_ALLOWED,
    EXIT_BLOCKED,
    BlocklistClient,
    PrefixStore,
)
from interlink.blocklist.feed import (
    ClientState,
    CorruptUpdate,
    Feed,
    FullHashes,
    HashedList,
    Update,
    UpdateKind,
    domain_full_hash,
)

COLLIDING = ("c34004.example", "c34609.example")  # same 4-byte prefix, see the feed tests
LISTED = [
    "listed.example",
    "abuse.host.example.co.uk",
    "195.127.0.11",
    COLLIDING[0],
    # enough others that a small change travels as a partial update
    *(f"filler{number}.example" for number in range(20)),
]

Damage = Callable[[dict[str, Any]], dict[str, Any]]


class WireSource:
    """The real feed behind a JSON round trip, recording what the provider sends.

    `damage` alters the next partial update on the wire, as a faulty network or server would.
    """

    def __init__(self, feed: Feed) -> None:
        self.feed = feed
        self.damage: Damage | None = None
        self.states: list[ClientState] = []
        self.prefix_requests: list[list[bytes]] = []

    def fetch_update(self, state: ClientState) -> Update:
        self.states.append(state)
        wire = json.loads(json.dumps(self.feed.fetch_update(state).to_wire()))
        if self.damage is not None and wire["type"] == UpdateKind.PARTIAL:
            wire, self.damage = self.damage(wire), None
        return Update.from_wire(wire)

    def fetch_full_hashes(self, prefixes: Sequence[bytes]) -> FullHashes:
        self.prefix_requests.append(list(prefixes))
        return FullHashes.from_wire(
            json.loads(json.dumps(self.feed.fetch_full_hashes(prefixes).to_wire()))
        )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def feed() -> Feed:
    feed = Feed(cache_seconds=60)
    feed.publish(LISTED)
    return feed


@pytest.fixture
def source(feed: Feed) -> WireSource:
    return WireSource(feed)


@pytest.fixture
def client(source: WireSource) -> BlocklistClient:
    client = BlocklistClient(source)
    client.sync()
    return client


def assert_in_step(client: BlocklistClient, feed: Feed) -> None:
    latest = feed.latest_version
    assert latest is not None
    assert client.version == latest
    assert client.checksum == HashedList(feed.domains(latest)).checksum


def test_checksum_matches_after_a_series_of_partial_updates(tmp_path: Path) -> None:
    rng = random.Random(7)
    domains = {f"site{n}.example" for n in range(2000)}
    feed = Feed()
    feed.publish(domains)
    source = WireSource(feed)
    client = BlocklistClient(source, PrefixStore(tmp_path / "list.json"))
    assert client.sync().kind is UpdateKind.FULL
    for round_number in range(25):
        domains -= set(rng.sample(sorted(domains), rng.randint(0, 40)))
        domains |= {f"new{round_number}-{n}.example" for n in range(rng.randint(0, 40))}
        feed.publish(domains)
        result = client.sync()
        assert (result.kind, result.reloaded) == (UpdateKind.PARTIAL, False)
        assert_in_step(client, feed)
    assert all(state.version is not None for state in source.states[1:])
    reopened = BlocklistClient(source, PrefixStore(tmp_path / "list.json"))
    assert (reopened.version, reopened.checksum) == (client.version, client.checksum)


def shift_first_removal(wire: dict[str, Any]) -> dict[str, Any]:
    return wire | {"removals": [wire["removals"][0] + 1, *wire["removals"][1:]]}


def drop_an_addition(wire: dict[str, Any]) -> dict[str, Any]:
    update = Update.from_wire(wire)
    return Update(
        update.kind, update.version, update.removals, update.additions[1:], update.checksum
    ).to_wire()


def remove_out_of_range(wire: dict[str, Any]) -> dict[str, Any]:
    return wire | {"removals": [10**6]}


def truncate_additions(wire: dict[str, Any]) -> dict[str, Any]:
    return wire | {"additions": "AAAAAAA="}


@pytest.mark.parametrize(
    "damage", [shift_first_removal, drop_an_addition, remove_out_of_range, truncate_additions]
)
def test_a_corrupt_update_is_repaired_by_a_full_reload(
    feed: Feed, source: WireSource, client: BlocklistClient, damage: Damage
) -> None:
    feed.publish([*LISTED[1:], "added.example", "another.example"])  # drops listed.example
    source.damage = damage
    result = client.sync()
    assert result.reloaded
    assert result.kind is UpdateKind.FULL
    assert source.states[-1] == ClientState(version=None)
    assert_in_step(client, feed)
    assert client.check_host("added.example").blocked
    assert not client.check_host("listed.example").blocked


def test_a_corrupt_full_reload_keeps_the_copy_in_use(
    feed: Feed, source: WireSource, client: BlocklistClient
) -> None:
    held = (client.version, client.checksum)
    feed.publish([*LISTED, "added.example"])
    bad_checksum = {"checksum": "A" * 43 + "="}
    source.fetch_update = lambda state: Update.from_wire(  # type: ignore[method-assign]
        feed.fetch_update(state).to_wire() | bad_checksum
    )
    with pytest.raises(CorruptUpdate):
        client.sync()
    assert (client.version, client.checksum) == held
    assert client.check_host("listed.example").blocked


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],
        lambda text: text.replace('"prefixes": "', '"prefixes": "AAAA'),
        lambda text: "",
        lambda text: json.dumps(json.loads(text) | {"format": "something-else"}),
    ],
)
def test_a_damaged_local_copy_is_replaced_in_full(
    tmp_path: Path, feed: Feed, source: WireSource, damage: Callable[[str], str]
) -> None:
    store = PrefixStore(tmp_path / "list.json")
    BlocklistClient(source, store).sync()
    store.path.write_text(damage(store.path.read_text()))
    client = BlocklistClient(source, store)
    assert client.version is None
    assert client.sync().kind is UpdateKind.FULL
    assert_in_step(client, feed)


def test_an_intact_local_copy_resumes_with_a_partial_update(
    tmp_path: Path, feed: Feed, source: WireSource
) -> None:
    store = PrefixStore(tmp_path / "list.json")
    BlocklistClient(source, store).sync()
    feed.publish([*LISTED, "added.example"])
    client = BlocklistClient(source, store)
    assert client.sync().kind is UpdateKind.PARTIAL
    assert_in_step(client, feed)


def test_the_store_is_replaced_atomically(tmp_path: Path, feed: Feed, source: WireSource) -> None:
    store = PrefixStore(tmp_path / "deep" / "list.json")
    client = BlocklistClient(source, store)
    client.sync()
    feed.publish(["other.example"])
    client.sync()
    assert [path.name for path in store.path.parent.iterdir()] == ["list.json"]
    assert json.loads(store.path.read_text())["version"] == feed.latest_version


@pytest.mark.parametrize(
    "host",
    [
        "listed.example",
        "LISTED.example.",
        "www.listed.example",
        "a.b.c.d.e.f.g.h.i.j.listed.example",
        "abuse.host.example.co.uk",
        "cdn.img.abuse.host.example.co.uk",
    ],
)
def test_a_listed_domain_and_its_subdomains_are_blocked(client: BlocklistClient, host: str) -> None:
    result = client.check_host(host)
    assert result.blocked
    assert result.exit_code == EXIT_BLOCKED


@pytest.mark.parametrize(
    "url",
    [
        "http://listed.example",
        "https://listed.example/any/path/at/all/page.html?q=1#top",
        "http://deep.sub.domain.of.listed.example/a/b/c/d/e/f/g",
        "HTTP://User:Pw@WWW.Listed.Example:8080/x",
        "http://%6cisted.example/",
        "http://listed%2Eexample/",
        "listed.example/no/scheme",
        "http://listed.example.../",
        "http://3279880203/blah",  # 195.127.0.11 in decimal
        "http://0303.0177.0.013/",  # and in octal
    ],
)
def test_any_path_of_a_listed_domain_is_blocked(client: BlocklistClient, url: str) -> None:
    assert client.check_url(url).blocked


@pytest.mark.parametrize(
    "address",
    [
        "notlisted.example",
        "listed.example.net",
        "listed.example.evil.example",
        "listed-example.com",
        "listedexample",
        "xlisted.example",
        "listed.examples",
        "l1sted.example",
        "host.example.co.uk",  # a parent of a listed domain is not listed
        "l\u0456sted.example",  # Cyrillic i: a homograph is another domain
        "195.127.0.12",
    ],
)
def test_look_alikes_are_not_blocked(client: BlocklistClient, address: str) -> None:
    assert client.check_host(address).exit_code == EXIT_ALLOWED
    assert not client.check_url(f"https://{address}/listed.example/?u=listed.example").blocked


def test_a_blocked_result_names_the_listed_domain(client: BlocklistClient) -> None:
    result = client.check_url("https://www.listed.example/x/y.html")
    assert result.matches == ("listed.example/",)
    assert result.domains == ("listed.example",)


def test_a_prefix_match_is_confirmed_by_full_hash(
    source: WireSource, client: BlocklistClient
) -> None:
    listed, unlisted_twin = COLLIDING
    assert client.check_host(listed).blocked
    assert not client.check_host(unlisted_twin).blocked  # same prefix, different full hash
    assert source.prefix_requests == [[hash_prefix(domain_full_hash(listed))]]


def test_the_provider_sends_only_prefixes_of_local_matches(
    source: WireSource, client: BlocklistClient
) -> None:
    for number in range(300):
        client.check_url(f"https://unlisted{number}.example/private/page?token={number}")
    assert source.prefix_requests == []
    client.check_url("https://www.listed.example/private/page?token=secret")
    assert source.prefix_requests == [[hash_prefix(domain_full_hash("listed.example"))]]


def test_full_hashes_are_cached_until_they_expire(source: WireSource, feed: Feed) -> None:
    clock = Clock()
    client = BlocklistClient(source, clock=clock)
    client.sync()
    for _ in range(3):
        assert client.check_host("listed.example").blocked
    assert len(source.prefix_requests) == 1
    clock.now += 59
    client.check_host("www.listed.example")
    assert len(source.prefix_requests) == 1
    clock.now += 2
    client.check_host("listed.example")
    assert len(source.prefix_requests) == 2


def test_a_new_version_drops_cached_answers(
    feed: Feed, source: WireSource, client: BlocklistClient
) -> None:
    twin = COLLIDING[1]
    assert not client.check_host(twin).blocked  # cached: the prefix holds no hash of twin
    feed.publish([*LISTED, twin])  # the twin joins behind the same prefix
    result = client.sync()
    assert (result.kind, result.reloaded) == (UpdateKind.PARTIAL, False)
    assert client.check_host(twin).blocked


def test_a_removed_domain_is_no_longer_blocked(feed: Feed, client: BlocklistClient) -> None:
    assert client.check_host("listed.example").blocked
    feed.publish(domain for domain in LISTED if domain != "listed.example")
    client.sync()
    assert not client.check_host("listed.example").blocked


def test_an_invalid_url_is_an_error_not_a_verdict(client: BlocklistClient) -> None:
    with pytest.raises(InvalidURL):
        client.check_url("mailto:someone@listed.example")
