"""Published versions in storage, and the provider feed built from them.

A version is stored as membership intervals (see models.VersionMembership): publishing writes
rows only for the domains that joined or left, and any version's domain set is one query.
Each version also keeps its checksum, so a version read back from storage is checked before
it is served: a damaged base version is never used for a partial update (the provider gets a
full one), a damaged latest version is refused until the GS publishes again.

`FeedCache` keeps, per process, the hashed form of the versions providers ask about and the
updates already computed; versions never change once published, so entries are keyed by
version number and stored checksum and never go stale.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Collection, Hashable, Iterable
from typing import Generic, TypeVar

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interlink.blocklist.feed import (
    FullHashes,
    HashedList,
    NoListPublished,
    Update,
    full_update,
    partial_update,
)
from interlink.blocklist.models import BlocklistDomain, ListVersion, VersionMembership
from interlink.core.db import utcnow
from interlink.core.errors import Conflict
from interlink.core.i18n import msg

log = logging.getLogger(__name__)

_CHUNK = 5_000  # ids per IN list: far below SQLite's limit on bound variables

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class StoredVersionCorrupt(Exception):
    """A stored version does not hash to the checksum recorded when it was published."""

    def __init__(self, number: int) -> None:
        super().__init__(f"stored blocklist version {number} does not match its checksum")
        self.number = number


class _Lru(Generic[K, V]):
    """A small thread-safe LRU map (requests are served from a thread pool)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class FeedCache:
    """Hashed versions and computed updates of this process.

    A hashed version of 100,000 domains takes about 25 MB, so only the latest and one other
    are kept; the updates computed from older versions (a few KB each) are kept instead.
    """

    def __init__(self, *, versions: int = 2, updates: int = 256) -> None:
        self._lists: _Lru[tuple[int, str], HashedList] = _Lru(versions)
        self._updates: _Lru[tuple[int, str, int, str], Update] = _Lru(updates)

    def hashed(self, session: Session, version: ListVersion) -> HashedList:
        """The version's hashed list, checked against its stored checksum."""
        key = (version.number, version.checksum)
        hashed = self._lists.get(key)
        if hashed is None:
            hashed = HashedList(domains_of(session, version.number))
            if hashed.checksum.hex() != version.checksum:
                raise StoredVersionCorrupt(version.number)
            self._lists.put(key, hashed)
        return hashed

    def update(self, session: Session, client_version: int | None) -> Update:
        """Partial update from the provider's version, or full when that is unknown or
        damaged; raise NoListPublished, or StoredVersionCorrupt for the latest version."""
        latest = latest_version(session)
        if latest is None:
            raise NoListPublished("no version of the blocklist has been published")
        newest = self.hashed(session, latest)
        base = session.get(ListVersion, client_version) if client_version is not None else None
        if base is None:
            return full_update(newest, latest.number)
        key = (base.number, base.checksum, latest.number, latest.checksum)
        cached = self._updates.get(key)
        if cached is not None:
            return cached
        try:
            held = self.hashed(session, base)
        except StoredVersionCorrupt as damaged:
            log.warning("%s; serving a full update instead", damaged)
            return full_update(newest, latest.number)
        computed = partial_update(held, newest, latest.number)
        self._updates.put(key, computed)
        return computed

    def full_hashes(
        self, session: Session, prefixes: Collection[bytes], cache_seconds: int
    ) -> FullHashes:
        latest = latest_version(session)
        if latest is None:
            raise NoListPublished("no version of the blocklist has been published")
        return FullHashes(self.hashed(session, latest).full_hashes(prefixes), cache_seconds)


def latest_version(session: Session) -> ListVersion | None:
    return session.scalars(select(ListVersion).order_by(ListVersion.number.desc()).limit(1)).first()


def domains_of(session: Session, number: int) -> frozenset[str]:
    """The domain set of a published version."""
    stmt = (
        select(BlocklistDomain.domain)
        .join(VersionMembership, VersionMembership.domain_id == BlocklistDomain.id)
        .where(
            VersionMembership.added_in <= number,
            or_(VersionMembership.removed_in.is_(None), VersionMembership.removed_in > number),
        )
    )
    return frozenset(session.scalars(stmt))


def current_members(session: Session) -> dict[int, int]:
    """Domain id -> membership row id, for the domains of the latest version."""
    stmt = select(VersionMembership.domain_id, VersionMembership.id).where(
        VersionMembership.removed_in.is_(None)
    )
    return dict(session.execute(stmt).all())


def write_version(
    session: Session,
    wanted: dict[int, str],
    *,
    published_by_label: str,
    published_by_user_id: int | None,
) -> ListVersion:
    """Store the next version holding exactly `wanted` (domain id -> canonical name).

    Writes one row per domain that joins or leaves. Raise Conflict when nothing changed or
    when another publication took the same number first.
    """
    latest = latest_version(session)
    number = (latest.number if latest else 0) + 1
    members = current_members(session)
    added = frozenset(wanted.keys() - members.keys())
    removed = frozenset(members.keys() - wanted.keys())
    if not added and not removed:
        raise Conflict(
            msg("nothing to publish: the list has not changed since the last version")
            if latest
            else msg("nothing to publish: no domain is confirmed yet")
        )
    version = ListVersion(
        number=number,
        published_at=utcnow(),
        published_by_label=published_by_label,
        published_by_user_id=published_by_user_id,
        domain_count=len(wanted),
        added=len(added),
        removed=len(removed),
        checksum=HashedList(wanted.values()).checksum.hex(),
    )
    session.add(version)
    try:
        session.flush()
    except IntegrityError as clash:
        raise Conflict(
            msg(
                "version %(number)s was just published by someone else; reload and try again",
                number=number,
            )
        ) from clash
    for chunk in _chunks(sorted(members[domain_id] for domain_id in removed)):
        session.execute(
            update(VersionMembership)
            .where(VersionMembership.id.in_(chunk))
            .values(removed_in=number)
        )
    if added:
        session.execute(
            insert(VersionMembership),
            [{"domain_id": domain_id, "added_in": number} for domain_id in added],
        )
    return version


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]
