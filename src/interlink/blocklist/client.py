"""Provider client: a local copy of the hashed list, kept in step, and the URL/host check.

An Internet access provider runs this next to its resolver or proxy. It holds only 4-byte
prefixes; when an address's expression matches one locally it asks the feed for the full
hashes behind that prefix and blocks only on an exact full-hash match. No address, and no
full hash of the provider's traffic, ever leaves the provider.

The transport is injected (`FeedSource`): the HTTP layer supplies an httpx implementation;
`interlink.blocklist.feed.Feed` is an in-process one.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Protocol

from interlink.blocklist.canonical import PREFIX_SIZE, canonicalize_url, host_expressions
from interlink.blocklist.feed import (
    ClientState,
    CorruptUpdate,
    FullHashes,
    Update,
    UpdateKind,
    prefix_checksum,
    split_prefixes,
)

STORE_FORMAT = "interlink-blocklist-prefixes/1"
EXIT_ALLOWED = 0
EXIT_BLOCKED = 1


class FeedSource(Protocol):
    """Where the client gets updates and full hashes from (HTTP, or in process)."""

    def fetch_update(self, state: ClientState) -> Update: ...

    def fetch_full_hashes(self, prefixes: Sequence[bytes]) -> FullHashes: ...


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Whether an address is blocked, and the listed expressions it matched."""

    blocked: bool
    matches: tuple[str, ...] = ()  # confirmed expressions, e.g. "listed.example/"

    @property
    def domains(self) -> tuple[str, ...]:
        """Listed domains behind the matches (the list holds ``domain/`` expressions)."""
        return tuple(match.removesuffix("/") for match in self.matches if match.endswith("/"))

    @property
    def exit_code(self) -> int:
        """For `interlink blocklist check`: 0 allowed, 1 blocked."""
        return EXIT_BLOCKED if self.blocked else EXIT_ALLOWED


ALLOWED = CheckResult(blocked=False)


@dataclass(frozen=True, slots=True)
class SyncResult:
    version: int
    kind: UpdateKind
    reloaded: bool  # the partial update or the local copy was corrupt: replaced in full
    prefixes: int


@dataclass(frozen=True, slots=True)
class PrefixList:
    """An immutable local copy: swapped whole, so checks in other threads never see a mix."""

    version: int | None
    prefixes: tuple[bytes, ...]  # sorted, the order removal indices refer to
    lookup: frozenset[bytes]

    @classmethod
    def empty(cls) -> PrefixList:
        return cls(version=None, prefixes=(), lookup=frozenset())

    @classmethod
    def of(cls, version: int | None, prefixes: Iterable[bytes]) -> PrefixList:
        ordered = tuple(sorted(prefixes))
        return cls(version=version, prefixes=ordered, lookup=frozenset(ordered))

    def apply(self, update: Update) -> PrefixList:
        """Removals first, then additions; raise CorruptUpdate unless the checksum matches."""
        kept: Sequence[bytes] = self.prefixes if update.kind is UpdateKind.PARTIAL else ()
        if update.removals:
            kept = _without_indices(kept, update.removals)
        result = PrefixList.of(update.version, [*kept, *update.additions])
        if prefix_checksum(result.prefixes) != update.checksum:
            raise CorruptUpdate(f"checksum mismatch after applying version {update.version}")
        return result


class PrefixStore:
    """The local copy on disk, written atomically (temporary file, fsync, rename)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def load(self) -> PrefixList | None:
        """The stored copy, or None when missing or damaged (a full reload repairs it)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data["format"] != STORE_FORMAT:
                return None
            prefixes = split_prefixes(base64.b64decode(data["prefixes"], validate=True))
            if prefix_checksum(prefixes) != bytes.fromhex(data["checksum"]):
                return None
            return PrefixList.of(int(data["version"]), prefixes)
        except (OSError, KeyError, TypeError, ValueError):
            return None

    def save(self, copy: PrefixList) -> None:
        document = {
            "format": STORE_FORMAT,
            "version": copy.version,
            "checksum": prefix_checksum(copy.prefixes).hex(),
            "prefixes": base64.b64encode(b"".join(copy.prefixes)).decode("ascii"),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=self.path.parent, prefix=".blocklist-", delete=False
        ) as handle:
            json.dump(document, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, self.path)


class FullHashCache:
    """Full-hash answers per prefix, trusted until the feed's cache time runs out."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._entries: dict[bytes, tuple[float, frozenset[bytes]]] = {}

    def get(self, prefix: bytes) -> frozenset[bytes] | None:
        entry = self._entries.get(prefix)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def put(self, prefixes: Iterable[bytes], answer: FullHashes) -> None:
        expires = self._clock() + answer.cache_seconds
        for prefix in prefixes:
            confirmed = frozenset(h for h in answer.hashes if h[:PREFIX_SIZE] == prefix)
            self._entries[prefix] = (expires, confirmed)

    def clear(self) -> None:
        self._entries.clear()


class BlocklistClient:
    """Keeps the local copy in step with the feed and checks hosts and URLs against it."""

    def __init__(
        self,
        source: FeedSource,
        store: PrefixStore | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._store = store
        self._copy = (store.load() if store else None) or PrefixList.empty()
        self._cache = FullHashCache(clock)

    @property
    def version(self) -> int | None:
        return self._copy.version

    @property
    def prefix_count(self) -> int:
        return len(self._copy.prefixes)

    @property
    def checksum(self) -> bytes:
        """SHA-256 of the local sorted prefixes, comparable with the feed's."""
        return prefix_checksum(self._copy.prefixes)

    def sync(self) -> SyncResult:
        """Fetch and apply the next update; on any corruption, reload the whole list.

        A corrupt full update raises CorruptUpdate and leaves the current copy in use.
        """
        reloaded = False
        try:
            update = self._source.fetch_update(ClientState(self._copy.version))
            fresh = self._copy.apply(update)
        except CorruptUpdate:
            update = self._source.fetch_update(ClientState(version=None))
            fresh = PrefixList.empty().apply(update)
            reloaded = True
        self._install(fresh)
        return SyncResult(
            version=update.version,
            kind=update.kind,
            reloaded=reloaded,
            prefixes=len(fresh.prefixes),
        )

    def check_host(self, host: str) -> CheckResult:
        """Host-name check (resolver case): only ``suffix/`` expressions are tried."""
        return self._check(host_expressions(host))

    def check_url(self, url: str | bytes) -> CheckResult:
        """Full URL check: every host-suffix x path-prefix expression (raises InvalidURL)."""
        return self._check(canonicalize_url(url).expressions())

    def _check(self, expressions: list[str]) -> CheckResult:
        lookup = self._copy.lookup
        candidates: list[tuple[str, bytes]] | None = None  # most addresses match nothing
        for expression in expressions:
            digest = sha256(expression.encode("ascii")).digest()
            if digest[:PREFIX_SIZE] in lookup:
                if candidates is None:
                    candidates = []
                candidates.append((expression, digest))
        if candidates is None:
            return ALLOWED
        confirmed = self._confirmed_hashes({digest[:PREFIX_SIZE] for _, digest in candidates})
        matches = tuple(expression for expression, digest in candidates if digest in confirmed)
        return CheckResult(blocked=True, matches=matches) if matches else ALLOWED

    def _confirmed_hashes(self, prefixes: set[bytes]) -> frozenset[bytes]:
        """Listed full hashes for the prefixes, asking the feed only for uncached ones."""
        known: set[bytes] = set()
        unknown = []
        for prefix in prefixes:
            cached = self._cache.get(prefix)
            if cached is None:
                unknown.append(prefix)
            else:
                known |= cached
        if unknown:
            unknown.sort()
            answer = self._source.fetch_full_hashes(unknown)
            self._cache.put(unknown, answer)
            asked = set(unknown)
            known.update(digest for digest in answer.hashes if digest[:PREFIX_SIZE] in asked)
        return frozenset(known)

    def _install(self, fresh: PrefixList) -> None:
        if fresh.version != self._copy.version:
            self._cache.clear()  # a domain may have joined or left behind a cached prefix
        if self._store is not None:
            self._store.save(fresh)
        self._copy = fresh


def _without_indices(prefixes: Sequence[bytes], indices: Sequence[int]) -> list[bytes]:
    drop = set(indices)
    if len(drop) != len(indices) or min(drop) < 0 or max(drop) >= len(prefixes):
        raise CorruptUpdate("removal indices out of range or repeated")
    return [prefix for index, prefix in enumerate(prefixes) if index not in drop]
