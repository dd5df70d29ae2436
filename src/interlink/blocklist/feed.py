"""Server side of the provider feed: hashed versions, full and partial updates, full hashes.

Modelled on the Safe Browsing v4 update protocol. Each published version of the list is a
set of canonical domains; providers never see them. A provider holds the sorted, distinct
4-byte prefixes of SHA-256("<domain>/"); an update tells it which indices of its current
sorted list to remove, which prefixes to add, and the SHA-256 of the resulting list (the
checksum) so it can prove it is in step. A prefix that matches locally is confirmed by asking
for the full hashes that start with it.

Everything here is pure: the service layer stores the domain sets per version and calls
these functions; `Feed` keeps versions in memory for tests, benchmarks and in-process use.
"""

from __future__ import annotations

import base64
import bisect
import enum
import hashlib
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from interlink.blocklist.canonical import (
    MAX_HOST_LABELS,
    PREFIX_SIZE,
    InvalidURL,
    canonical_host,
    canonicalize_url,
    full_hash,
    hash_prefix,
)

DEFAULT_CACHE_SECONDS = 300  # how long a provider may trust a full-hash answer

_DNS_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)+")
_IPV4 = re.compile(r"\d+\.\d+\.\d+\.\d+")
_NOT_A_DOMAIN = re.compile(r"[/?#@\s]")


class InvalidListedDomain(ValueError):
    """The text cannot be listed as a domain."""


class CorruptUpdate(ValueError):
    """An update cannot be applied, or does not lead to its checksum: reload in full."""


class NoListPublished(LookupError):
    """No version of the list exists yet."""


class UpdateKind(enum.StrEnum):
    FULL = "full"  # clear the local list, then add
    PARTIAL = "partial"  # remove by index from the current sorted list, then add


@dataclass(frozen=True, slots=True)
class ClientState:
    """What a provider tells the feed about its copy: the version it holds, if any."""

    version: int | None = None


@dataclass(frozen=True, slots=True)
class Update:
    """An update to a provider's sorted prefix list."""

    kind: UpdateKind
    version: int
    removals: tuple[int, ...]  # ascending indices into the provider's current sorted list
    additions: tuple[bytes, ...]  # ascending prefixes
    checksum: bytes  # SHA-256 of the resulting sorted prefixes, concatenated

    def to_wire(self) -> dict[str, Any]:
        """JSON-ready form (the HTTP layer's response body)."""
        return {
            "type": self.kind.value,
            "version": self.version,
            "prefix_size": PREFIX_SIZE,
            "removals": list(self.removals),
            "additions": _b64(b"".join(self.additions)),
            "checksum": _b64(self.checksum),
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Update:
        """Parse `to_wire` output; raise CorruptUpdate on anything malformed."""
        try:
            if data["prefix_size"] != PREFIX_SIZE:
                raise CorruptUpdate(f"unsupported prefix size {data['prefix_size']}")
            removals = tuple(data["removals"])
            if not all(type(index) is int for index in removals):
                raise CorruptUpdate("removal indices must be integers")
            return cls(
                kind=UpdateKind(data["type"]),
                version=int(data["version"]),
                removals=removals,
                additions=split_prefixes(_unb64(data["additions"])),
                checksum=_unb64(data["checksum"]),
            )
        except CorruptUpdate:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise CorruptUpdate(f"malformed update: {error}") from error


@dataclass(frozen=True, slots=True)
class FullHashes:
    """The full hashes that start with the prefixes a provider asked about."""

    hashes: frozenset[bytes]
    cache_seconds: int = DEFAULT_CACHE_SECONDS

    def to_wire(self) -> dict[str, Any]:
        return {
            "full_hashes": [_b64(digest) for digest in sorted(self.hashes)],
            "cache_seconds": self.cache_seconds,
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> FullHashes:
        return cls(
            hashes=frozenset(_unb64(text) for text in data["full_hashes"]),
            cache_seconds=int(data["cache_seconds"]),
        )


@dataclass(frozen=True, slots=True)
class VersionDiff:
    """Domains added and removed going from one version to another."""

    added: tuple[str, ...]
    removed: tuple[str, ...]


class HashedList:
    """One version of the list, hashed as providers see it."""

    __slots__ = ("_by_prefix", "checksum", "domains", "prefixes")

    def __init__(self, domains: Iterable[str]) -> None:
        self.domains = frozenset(domains)
        by_prefix: dict[bytes, list[bytes]] = {}
        for domain in self.domains:
            digest = domain_full_hash(domain)
            by_prefix.setdefault(hash_prefix(digest), []).append(digest)
        self._by_prefix = {prefix: tuple(hashes) for prefix, hashes in by_prefix.items()}
        self.prefixes: tuple[bytes, ...] = tuple(sorted(by_prefix))
        self.checksum = prefix_checksum(self.prefixes)

    def full_hashes(self, prefixes: Iterable[bytes]) -> frozenset[bytes]:
        """Every listed full hash starting with one of `prefixes`."""
        return frozenset(
            digest for prefix in prefixes for digest in self._by_prefix.get(prefix, ())
        )


def listed_domain(text: str) -> str:
    """Canonical form of a domain to list; raise InvalidListedDomain if it cannot be listed.

    Accepts a host name or an IP address, nothing else (no scheme, path or port). A domain
    of more than MAX_HOST_LABELS labels is refused: providers try host suffixes of at most
    that many labels, so its subdomains would not be blocked; list its parent instead.
    """
    text = text.strip()
    if not text or _NOT_A_DOMAIN.search(text) or (":" in text and not text.startswith("[")):
        raise InvalidListedDomain(f"not a bare domain: {text!r}")
    try:
        domain = canonical_host(text)
    except InvalidURL as error:
        raise InvalidListedDomain(f"not a domain: {text!r}") from error
    if domain.startswith("[") or _IPV4.fullmatch(domain):
        return domain
    if not _DNS_NAME.fullmatch(domain):
        raise InvalidListedDomain(f"not a DNS name: {text!r}")
    if domain.count(".") + 1 > MAX_HOST_LABELS:
        raise InvalidListedDomain(
            f"{domain} has more than {MAX_HOST_LABELS} labels: providers would not block "
            "its subdomains; list a parent domain"
        )
    return domain


def domain_in_pasted_text(text: str) -> str | None:
    """The domain of a whole web address pasted where a domain is expected
    ("https://www.site.example/a/b?c" -> "www.site.example"); None when the text is already
    a bare domain or holds no host at all."""
    stripped = text.strip()
    try:
        listed_domain(stripped)
        return None
    except InvalidListedDomain:
        pass
    try:
        host = listed_domain(canonicalize_url(stripped).host)
    except (InvalidURL, InvalidListedDomain):
        return None
    return host if "." in host and host != stripped.lower() else None


def domain_full_hash(domain: str) -> bytes:
    """Full hash of a canonical domain's host expression ``domain/``."""
    return full_hash(domain + "/")


def prefix_checksum(prefixes: Iterable[bytes]) -> bytes:
    """SHA-256 of the sorted prefixes, concatenated: what both sides must agree on."""
    return hashlib.sha256(b"".join(prefixes)).digest()


def split_prefixes(blob: bytes) -> tuple[bytes, ...]:
    """Cut concatenated prefixes apart; raise CorruptUpdate if the length is not a multiple."""
    if len(blob) % PREFIX_SIZE:
        raise CorruptUpdate(f"{len(blob)} bytes is not a whole number of prefixes")
    return tuple(blob[start : start + PREFIX_SIZE] for start in range(0, len(blob), PREFIX_SIZE))


def full_update(listed: HashedList, version: int) -> Update:
    return Update(
        kind=UpdateKind.FULL,
        version=version,
        removals=(),
        additions=listed.prefixes,
        checksum=listed.checksum,
    )


def partial_update(old: HashedList, new: HashedList, version: int) -> Update:
    """Update from `old` to `new`; a full update when that would be no larger.

    Its size depends on the number of prefixes that changed, not on the list's size.
    """
    old_set, new_set = frozenset(old.prefixes), frozenset(new.prefixes)
    removed = old_set - new_set
    added = new_set - old_set
    if len(removed) + len(added) >= len(new.prefixes):
        return full_update(new, version)
    return Update(
        kind=UpdateKind.PARTIAL,
        version=version,
        removals=tuple(sorted(bisect.bisect_left(old.prefixes, prefix) for prefix in removed)),
        additions=tuple(sorted(added)),
        checksum=new.checksum,
    )


def diff_domains(old: Collection[str], new: Collection[str]) -> VersionDiff:
    old_set, new_set = frozenset(old), frozenset(new)
    return VersionDiff(
        added=tuple(sorted(new_set - old_set)), removed=tuple(sorted(old_set - new_set))
    )


class Feed:
    """Numbered versions of the list in memory, answering providers like the HTTP feed will.

    It satisfies the client's `FeedSource` protocol, so a client can sync from it in process.
    """

    def __init__(self, *, cache_seconds: int = DEFAULT_CACHE_SECONDS) -> None:
        self.cache_seconds = cache_seconds
        self._versions: dict[int, HashedList] = {}

    @property
    def latest_version(self) -> int | None:
        return max(self._versions, default=None)

    def publish(self, domains: Iterable[str]) -> int:
        """Publish a new version holding exactly `domains`; return its number."""
        version = (self.latest_version or 0) + 1
        self._versions[version] = HashedList(listed_domain(domain) for domain in domains)
        return version

    def domains(self, version: int) -> frozenset[str]:
        return self._version(version).domains

    def diff(self, old_version: int, new_version: int) -> VersionDiff:
        return diff_domains(self.domains(old_version), self.domains(new_version))

    def fetch_update(self, state: ClientState) -> Update:
        """Partial update from the provider's version, or full if that version is unknown."""
        latest = self.latest_version
        if latest is None:
            raise NoListPublished("no version of the blocklist has been published")
        newest = self._versions[latest]
        held = self._versions.get(state.version) if state.version is not None else None
        if held is None:
            return full_update(newest, latest)
        return partial_update(held, newest, latest)

    def fetch_full_hashes(self, prefixes: Collection[bytes]) -> FullHashes:
        """Full hashes of the latest version that start with the given prefixes."""
        latest = self.latest_version
        if latest is None:
            raise NoListPublished("no version of the blocklist has been published")
        return FullHashes(self._versions[latest].full_hashes(prefixes), self.cache_seconds)

    def _version(self, version: int) -> HashedList:
        try:
            return self._versions[version]
        except KeyError:
            raise LookupError(f"no blocklist version {version}") from None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
