"""In-memory index of travel documents: exact look-up by number, plus OCR-confusion variants.

Layout, sized for tens of millions of documents in well under a gigabyte:

- a *base* of numpy columns, one row per document, sorted by record id, and a `KeyIndex`
  (sorted 64-bit keys with the row each belongs to). A normalised document number of up to
  12 characters from [0-9A-Z] packs *exactly* into a 64-bit key (base 37, so no collisions
  and no strings kept); country, type, status and visibility are interned into small ints;
- an *overlay* of plain entries: records upserted since the base was built, and the few
  whose numbers do not pack (longer, or other characters); and a set of base record ids
  that were removed or replaced. `compact()` folds the overlay into a new base.

Readers take one reference to the current state and never lock; writers hold a lock.
Visibility is checked on every candidate before it becomes a hit.

The first half of this module (keys, `KeyIndex`, `GrowingColumns`, `Overlay`,
`LayeredIndex`) is shared with the vehicle index.
"""

from __future__ import annotations

import enum
import gc
import re
import string
import threading
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations, compress, islice
from typing import Generic, Protocol, TypeVar

import numpy as np

from interlink.core.access import RecordPolicy, Viewer, Visibility, can_see
from interlink.screening.mrz import OCR_SWAPS

# --- shared with the vehicle index ------------------------------------------------------------

KEY_WIDTH = 12  # characters packed into one 64-bit key
# A value of n characters is n base-36 digits placed after the keys of all shorter values,
# so keys are one to one across lengths ("0A" is not "A"); 12 characters stay below 2**63.
_KEY_BASE = 36
_LENGTH_OFFSETS = np.array(
    [sum(_KEY_BASE**k for k in range(n)) for n in range(KEY_WIDTH + 1)], dtype=np.int64
)
_POWERS = _KEY_BASE ** np.arange(KEY_WIDTH + 1, dtype=np.int64)
_DIGIT_VALUES = np.zeros(256, dtype=np.int64)  # the padding byte 0 counts as digit 0
_DIGIT_VALUES[np.frombuffer((string.digits + string.ascii_uppercase).encode(), np.uint8)] = (
    np.arange(_KEY_BASE)
)
CLEAN_KEY_TEXT = re.compile("[0-9A-Z]*")  # what packs, and what needs no normalising

COMPACT_AFTER = 100_000  # overlay changes that trigger an automatic compaction


def packable(value: str, width: int = KEY_WIDTH) -> bool:
    """Whether `encode_key` accepts this value: up to `width` characters of [0-9A-Z]."""
    return len(value) <= width and CLEAN_KEY_TEXT.fullmatch(value) is not None


def encode_key(value: str, width: int = KEY_WIDTH) -> int | None:
    """The value's key, one to one; None if it does not pack."""
    if not packable(value, width):
        return None
    return int(_LENGTH_OFFSETS[len(value)]) + (int(value, _KEY_BASE) if value else 0)


def encode_keys(values: Sequence[str], width: int = KEY_WIDTH) -> np.ndarray:
    """`encode_key` for many packable values at once (int64 array)."""
    raw = np.array(values, dtype=f"S{width}").view(np.uint8).reshape(len(values), width)
    lengths = np.count_nonzero(raw, axis=1)  # the padding is at the end
    keys = np.zeros(len(values), dtype=np.int64)
    for column in range(width):  # in place, so a chunk needs no (n, width) int64 temporary
        keys *= _KEY_BASE
        keys += _DIGIT_VALUES[raw[:, column]]
    keys //= _POWERS[width - lengths]  # drop the padding digits
    keys += _LENGTH_OFFSETS[lengths]
    return keys


T = TypeVar("T", bound=Hashable)


class Interner(Generic[T]):
    """Small integer ids for the few distinct values of a column (countries, visibilities)."""

    def __init__(self, dtype: type[np.integer]) -> None:
        self.values: list[T] = []
        self._ids: dict[T, int] = {}
        self._limit = int(np.iinfo(dtype).max)

    def id(self, value: T) -> int:
        found = self._ids.get(value)
        if found is not None:
            return found
        if len(self.values) > self._limit:
            raise OverflowError(f"more than {self._limit + 1} distinct values")
        self._ids[value] = len(self.values)
        self.values.append(value)
        return len(self.values) - 1


@dataclass(frozen=True, slots=True)
class KeyIndex:
    """Sorted 64-bit keys, each with the table row it belongs to.

    `tails` carries a second, int32 part for values longer than one key (a 17-character VIN
    is its last 12 characters in `keys` and its first 5 in `tails`).
    """

    keys: np.ndarray
    rows: np.ndarray
    tails: np.ndarray | None = None

    @classmethod
    def build(
        cls, keys: np.ndarray, rows: np.ndarray | None = None, tails: np.ndarray | None = None
    ) -> KeyIndex:
        """Sort `keys` (with their `rows`; None means key i is row i, and their `tails`)."""
        order = np.argsort(keys, kind="stable") if tails is None else np.lexsort((tails, keys))
        sorted_rows = (order if rows is None else rows[order]).astype(np.int32)
        sorted_tails = None if tails is None else tails[order]
        return cls(keys[order], sorted_rows, sorted_tails)

    @classmethod
    def empty(cls, with_tails: bool = False) -> KeyIndex:
        tails = np.empty(0, dtype=np.int32) if with_tails else None
        return cls(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32), tails)

    def find(
        self, keys: Sequence[int], tails: Sequence[int] | None = None
    ) -> Iterator[tuple[int, int]]:
        """(query number, row) for every stored key equal to one of `keys` (and its tail)."""
        stored, count = self.keys, len(self.keys)
        starts = np.searchsorted(stored, np.asarray(keys, dtype=np.int64)).tolist()
        for query, (key, position) in enumerate(zip(keys, starts, strict=True)):
            # usually no match or one: walking beats a second searchsorted for the ends
            while position < count and stored[position] == key:
                if tails is None or self.tails is None or self.tails[position] == tails[query]:
                    yield query, int(self.rows[position])
                position += 1

    @property
    def nbytes(self) -> int:
        return (
            self.keys.nbytes + self.rows.nbytes + (0 if self.tails is None else self.tails.nbytes)
        )


class GrowingColumns:
    """Parallel numpy columns filled chunk by chunk, grown in place (realloc) by a quarter.

    One growing array per column, rather than a list of chunk arrays joined at the end,
    matters at scale: hundreds of chunk-sized arrays fragment the C heap, which then keeps
    the process hundreds of MB larger than the index long after they are freed.
    """

    def __init__(self, dtypes: Sequence[type[np.generic]], capacity: int = 1 << 16) -> None:
        self._columns = [np.empty(capacity, dtype) for dtype in dtypes]
        self.size = 0

    def start_with(self, *columns: np.ndarray) -> None:
        """Take these fresh arrays (nothing else may reference them) as the columns so far,
        instead of copying them: a compaction keeps one copy of the base, not two."""
        if self.size:
            raise ValueError("start_with needs an empty builder")
        self._columns = list(columns)
        self.size = len(columns[0])

    def append(self, *parts: np.ndarray) -> None:
        end = self.size + len(parts[0])
        if end > len(self._columns[0]):
            capacity = max(end, len(self._columns[0]) * 5 // 4)  # resize zero-fills the growth
            for column in self._columns:
                column.resize(capacity, refcheck=False)  # no views of these exist
        for column, part in zip(self._columns, parts, strict=True):
            column[self.size : end] = part
        self.size = end

    def finish(self) -> list[np.ndarray]:
        """The columns, trimmed to size; the builder is spent afterwards."""
        columns, self._columns = self._columns, []
        for column in columns:
            column.resize(self.size, refcheck=False)
        return columns


def sort_rows_by_first(columns: list[np.ndarray]) -> np.ndarray | None:
    """Reorder all columns (in the list) by the first, the record ids; refuse duplicates.

    Returns the permutation applied, or None when the rows were already in order (a load
    streamed with ORDER BY id costs one pass, no sort).
    """
    if bool(np.all(columns[0][1:] > columns[0][:-1])):
        return None
    order = np.argsort(columns[0], kind="stable")
    for i in range(len(columns)):
        columns[i] = columns[i][order]  # one at a time: at most one extra column alive
    ids = columns[0]
    if bool(np.any(ids[1:] == ids[:-1])):
        raise ValueError("duplicate record ids")
    return order


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector around a bulk load.

    A load creates millions of short-lived, cycle-free objects; the collector would rescan
    the survivors again and again (measured: 30 % of a document load, 50 % of a vehicle
    load). Reference counting still frees everything; the previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def visible_to(viewer: Viewer | None, visibility: Visibility, owner_org_id: int) -> bool:
    """The one policy, `core.access.can_see`, on what an index row knows. None is a caller
    that sees everything (internal jobs; partner screening, whose answers the service
    reduces to "possible match"). The index holds circulated, unexpired, unblocked records:
    the service removes the others."""
    return viewer is None or can_see(viewer, RecordPolicy(owner_org_id, visibility))


def sorted_contains(values: np.ndarray, value: int) -> bool:
    i = int(np.searchsorted(values, value))
    return i < len(values) and int(values[i]) == value


def rows_except(record_ids: np.ndarray, hidden: set[int]) -> np.ndarray:
    """Row numbers of the record ids not in `hidden`."""
    return np.flatnonzero(~np.isin(record_ids, np.fromiter(hidden, np.int64, len(hidden))))


E = TypeVar("E")


class Overlay(Generic[E]):
    """Entries written since the base was built, found by key; and base records hidden.

    A record present here shadows its base row: the base row's id is in `hidden`, so the
    base version is skipped even before a compaction removes it. Writes keep a record
    findable throughout (new keys are added before stale ones go), and `find` returns only
    entries that still carry the key, so lock-free readers see the old or the new version.
    """

    def __init__(self, keys_of: Callable[[E], Iterable[Hashable]]) -> None:
        self.entries: dict[int, E] = {}
        self.hidden: set[int] = set()
        self._by_key: dict[Hashable, set[int]] = {}
        self._keys_of = keys_of

    def put(self, record_id: int, entry: E) -> None:
        old = self.entries.get(record_id)
        keys = set(self._keys_of(entry))
        for key in keys:
            self._by_key.setdefault(key, set()).add(record_id)
        self.entries[record_id] = entry
        if old is not None:
            self._unlink(record_id, set(self._keys_of(old)) - keys)

    def drop(self, record_id: int) -> E | None:
        entry = self.entries.pop(record_id, None)
        if entry is not None:
            self._unlink(record_id, self._keys_of(entry))
        return entry

    def find(self, key: Hashable) -> list[E]:
        ids = self._by_key.get(key)
        if not ids:
            return []
        # copy first: a writer may change the set while a reader walks it
        found = (self.entries.get(i) for i in list(ids))
        return [entry for entry in found if entry is not None and key in self._keys_of(entry)]

    def _unlink(self, record_id: int, keys: Iterable[Hashable]) -> None:
        for key in keys:
            ids = self._by_key[key]
            ids.discard(record_id)
            if not ids:
                del self._by_key[key]


class Keyed(Protocol):
    @property
    def record_id(self) -> int: ...


class BaseArrays(Protocol):
    def __len__(self) -> int: ...

    def contains(self, record_id: int) -> bool: ...


B = TypeVar("B", bound=BaseArrays)
K = TypeVar("K", bound=Keyed)
C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class IndexState(Generic[B, K, C]):
    """What a reader needs, swapped as one reference: base arrays, overlay, interners."""

    base: B
    overlay: Overlay[K]
    codes: C


class LayeredIndex(Generic[B, K, C]):
    """Writes shared by the document and vehicle indexes: upserts and removals go to the
    overlay under a lock; once it holds `compact_after` changes it is folded into new arrays
    (`_compacted`, per index), and the new state replaces the old in one assignment."""

    def __init__(self, state: IndexState[B, K, C], compact_after: int) -> None:
        self._state = state
        self._compact_after = compact_after
        self._write_lock = threading.Lock()

    def __len__(self) -> int:
        state = self._state
        return len(state.base) - len(state.overlay.hidden) + len(state.overlay.entries)

    def upsert(self, entry: K) -> None:
        with self._write_lock:
            state = self._state
            state.overlay.put(entry.record_id, entry)  # visible before its old row is hidden
            if state.base.contains(entry.record_id):
                state.overlay.hidden.add(entry.record_id)
            self._compact_if_due(state)

    def remove(self, record_id: int) -> bool:
        """Forget a record; False if it was not indexed."""
        with self._write_lock:
            state = self._state
            dropped = state.overlay.drop(record_id) is not None
            in_base = state.base.contains(record_id) and record_id not in state.overlay.hidden
            if in_base:
                state.overlay.hidden.add(record_id)
            self._compact_if_due(state)
            return dropped or in_base

    def compact(self) -> None:
        """Fold the overlay into new arrays; readers keep the old state until the swap."""
        with self._write_lock:
            self._state = self._compacted(self._state)

    def _compact_if_due(self, state: IndexState[B, K, C]) -> None:
        if len(state.overlay.entries) + len(state.overlay.hidden) >= self._compact_after:
            self._state = self._compacted(state)

    def _install(self, state: IndexState[B, K, C]) -> None:
        """Replace everything with a freshly loaded state."""
        if any(state.base.contains(record_id) for record_id in state.overlay.entries):
            raise ValueError("duplicate record ids")
        with self._write_lock:
            self._state = state

    def _compacted(self, state: IndexState[B, K, C]) -> IndexState[B, K, C]:
        raise NotImplementedError


# --- documents ------------------------------------------------------------------------------

EXACT_SCORE = 1.0
OCR_SWAP_PENALTY = 0.1  # per swapped character: one swap scores 0.9, two 0.8
MAX_OCR_SWAPS = 2  # a query of n confusable characters tries 1 + n + n(n-1)/2 numbers
_BULK_CHUNK = 1 << 16  # small chunks: small temporaries, little heap left behind


def normalise_document_number(number: str) -> str:
    """Upper-case letters and digits only: 'l898 902-c<' -> 'L898902C'."""
    if CLEAN_KEY_TEXT.fullmatch(number):
        return number  # the common case, already clean
    return "".join(c for c in unicodedata.normalize("NFKC", number).upper() if c.isalnum())


class MatchKind(enum.StrEnum):
    EXACT = "exact"
    OCR_VARIANT = "ocr_variant"


@dataclass(frozen=True, slots=True)
class DocumentEntry:
    record_id: int
    country: str  # issuing country, ISO 3166 alpha-2
    doc_type: str
    number: str
    visibility: Visibility
    owner_org_id: int
    status: str


@dataclass(frozen=True, slots=True)
class DocumentHit:
    record_id: int
    kind: MatchKind
    number: str  # the indexed number, normalised
    swaps: tuple[tuple[int, str, str], ...]  # (position from 1, query char, indexed char)
    score: float
    country: str
    doc_type: str
    status: str
    owner_org_id: int


Variant = tuple[str, tuple[int, ...]]  # a reading of the query, and the positions swapped


def ocr_variants(number: str, max_swaps: int = MAX_OCR_SWAPS) -> Iterator[Variant]:
    """Readings of `number` with 1..max_swaps OCR-confusable characters swapped, fewest first."""
    confusable = [i for i, char in enumerate(number) if char in OCR_SWAPS]
    for count in range(1, max_swaps + 1):
        for positions in combinations(confusable, count):
            chars = list(number)
            for i in positions:
                chars[i] = OCR_SWAPS[chars[i]]
            yield "".join(chars), positions


@dataclass(slots=True)
class _Codes:
    """Interners behind the id columns; append-only, so older bases stay readable."""

    countries: Interner[str] = field(default_factory=lambda: Interner(np.uint16))
    doc_types: Interner[str] = field(default_factory=lambda: Interner(np.uint8))
    visibilities: Interner[Visibility] = field(default_factory=lambda: Interner(np.uint32))
    statuses: Interner[str] = field(default_factory=lambda: Interner(np.uint8))


# Base columns in order: record id, country, type, visibility, owner, status, number key.
_COLUMN_TYPES = (np.int64, np.uint16, np.uint8, np.uint32, np.int32, np.uint8, np.int64)


@dataclass(frozen=True, slots=True)
class _DocumentBase:
    """Immutable numpy columns, one row per document, sorted by record id."""

    record_ids: np.ndarray
    countries: np.ndarray
    doc_types: np.ndarray
    visibilities: np.ndarray
    owners: np.ndarray
    statuses: np.ndarray
    numbers: KeyIndex

    def __len__(self) -> int:
        return len(self.record_ids)

    def contains(self, record_id: int) -> bool:
        return sorted_contains(self.record_ids, record_id)

    def columns(self, rows: np.ndarray) -> tuple[np.ndarray, ...]:
        """The given rows as build columns (the inverse of `_Builder.build`)."""
        keys = np.empty(len(self), dtype=np.int64)
        keys[self.numbers.rows] = self.numbers.keys
        plain = (self.record_ids, self.countries, self.doc_types, self.visibilities)
        return tuple(c[rows] for c in (*plain, self.owners, self.statuses, keys))

    @property
    def nbytes(self) -> int:
        plain = (self.record_ids, self.countries, self.doc_types, self.visibilities)
        return sum(c.nbytes for c in (*plain, self.owners, self.statuses)) + self.numbers.nbytes


class _Builder:
    """Gathers columns chunk by chunk, then sorts them into a `_DocumentBase`."""

    def __init__(self, codes: _Codes) -> None:
        self.codes = codes
        self.columns = GrowingColumns(_COLUMN_TYPES)

    def add_entries(self, entries: Sequence[DocumentEntry], numbers: Sequence[str]) -> None:
        """Entries with their normalised, packable numbers."""
        c, n = self.codes, len(entries)
        self.columns.append(
            np.fromiter((e.record_id for e in entries), np.int64, n),
            np.fromiter((c.countries.id(e.country) for e in entries), np.uint16, n),
            np.fromiter((c.doc_types.id(e.doc_type) for e in entries), np.uint8, n),
            np.fromiter((c.visibilities.id(e.visibility) for e in entries), np.uint32, n),
            np.fromiter((e.owner_org_id for e in entries), np.int32, n),
            np.fromiter((c.statuses.id(e.status) for e in entries), np.uint8, n),
            encode_keys(numbers),
        )

    def start_with(self, columns: tuple[np.ndarray, ...]) -> None:
        self.columns.start_with(*columns)

    def build(self) -> _DocumentBase:
        columns = self.columns.finish()
        sort_rows_by_first(columns)
        record_ids, countries, doc_types, visibilities, owners, statuses, keys = columns
        return _DocumentBase(
            record_ids, countries, doc_types, visibilities, owners, statuses, KeyIndex.build(keys)
        )


def _number_keys(entry: DocumentEntry) -> tuple[str]:
    return (normalise_document_number(entry.number),)


_State = IndexState[_DocumentBase, DocumentEntry, _Codes]


@dataclass(frozen=True, slots=True)
class _Filter:
    """What a look-up asks for, tested on overlay entries and on base rows alike."""

    country: str | None
    doc_type: str | None
    viewer: Viewer | None
    codes: _Codes

    def admits_entry(self, entry: DocumentEntry) -> bool:
        return (
            visible_to(self.viewer, entry.visibility, entry.owner_org_id)
            and self.country in (None, entry.country)
            and self.doc_type in (None, entry.doc_type)
        )

    def admits_row(self, base: _DocumentBase, row: int) -> bool:
        codes = self.codes
        visibility = codes.visibilities.values[base.visibilities[row]]
        visible = visible_to(self.viewer, visibility, int(base.owners[row]))
        return (
            visible
            and self.country in (None, codes.countries.values[base.countries[row]])
            and self.doc_type in (None, codes.doc_types.values[base.doc_types[row]])
        )


def _hit(
    query: str, variant: Variant, record_id: int, values: tuple[str, str, str, int]
) -> DocumentHit:
    number, swapped = variant
    country, doc_type, status, owner = values
    return DocumentHit(
        record_id=record_id,
        kind=MatchKind.OCR_VARIANT if swapped else MatchKind.EXACT,
        number=number,
        swaps=tuple((i + 1, query[i], number[i]) for i in swapped),
        score=round(EXACT_SCORE - OCR_SWAP_PENALTY * len(swapped), 6),
        country=country,
        doc_type=doc_type,
        status=status,
        owner_org_id=owner,
    )


class DocumentIndex(LayeredIndex[_DocumentBase, DocumentEntry, _Codes]):
    """Travel documents by number (and issuing country, type), filtered by visibility.

    Writes: `bulk_load` at start-up, then `upsert` and `remove` (from the change feed).
    """

    def __init__(self, compact_after: int = COMPACT_AFTER) -> None:
        codes = _Codes()
        super().__init__(
            IndexState(_Builder(codes).build(), Overlay(_number_keys), codes), compact_after
        )

    @property
    def nbytes(self) -> int:
        """Bytes held by the base's arrays (the overlay and interners are small)."""
        return self._state.base.nbytes

    def bulk_load(self, entries: Iterable[DocumentEntry]) -> None:
        """Replace the whole content (start-up), streaming `entries` in chunks into arrays."""
        codes = _Codes()
        builder = _Builder(codes)
        overlay: Overlay[DocumentEntry] = Overlay(_number_keys)
        iterator = iter(entries)
        with paused_gc():
            while chunk := list(islice(iterator, _BULK_CHUNK)):
                numbers = [normalise_document_number(e.number) for e in chunk]
                fits = [packable(number) for number in numbers]
                if not all(fits):  # the rare number that does not pack waits in the overlay
                    for entry in compress(chunk, (not ok for ok in fits)):
                        overlay.put(entry.record_id, entry)
                    chunk, numbers = list(compress(chunk, fits)), list(compress(numbers, fits))
                builder.add_entries(chunk, numbers)
            base = builder.build()
        self._install(IndexState(base, overlay, codes))

    def lookup(
        self,
        number: str,
        country: str | None = None,
        doc_type: str | None = None,
        viewer: Viewer | None = None,
        *,
        with_ocr_variants: bool = True,
    ) -> list[DocumentHit]:
        """Documents with this number (and issuing country, type), best first.

        Exact matches score 1.0. With `with_ocr_variants`, documents whose number differs by
        up to MAX_OCR_SWAPS OCR-confusable characters are hits too, flagged and scored lower.
        A record `viewer` may not see (`visible_to`) is dropped before it can become a hit;
        `viewer` None sees everything.
        """
        query = normalise_document_number(number)
        if not query:
            return []
        variants: list[Variant] = [(query, ())]
        if with_ocr_variants:
            variants += ocr_variants(query)
        state = self._state  # one consistent view, whatever writers do meanwhile
        wanted = _Filter(country, doc_type, viewer, state.codes)
        hits = {hit.record_id: hit for hit in self._base_hits(state, query, variants, wanted)}
        for variant in variants:
            for entry in state.overlay.find(variant[0]):
                if wanted.admits_entry(entry):
                    values = (entry.country, entry.doc_type, entry.status, entry.owner_org_id)
                    hits[entry.record_id] = _hit(query, variant, entry.record_id, values)
        return sorted(hits.values(), key=lambda hit: (-hit.score, hit.record_id))

    @staticmethod
    def _base_hits(
        state: _State, query: str, variants: list[Variant], wanted: _Filter
    ) -> Iterator[DocumentHit]:
        base, values = state.base, state.codes
        packed = [variant for variant in variants if packable(variant[0])]
        # every packed number has a key: `packable` is what encode_key checks
        keys = [key for number, _ in packed if (key := encode_key(number)) is not None]
        for i, row in base.numbers.find(keys):
            record_id = int(base.record_ids[row])
            if record_id in state.overlay.hidden or not wanted.admits_row(base, row):
                continue
            row_values = (
                values.countries.values[base.countries[row]],
                values.doc_types.values[base.doc_types[row]],
                values.statuses.values[base.statuses[row]],
                int(base.owners[row]),
            )
            yield _hit(query, packed[i], record_id, row_values)

    def _compacted(self, state: _State) -> _State:
        base, overlay = state.base, state.overlay
        builder = _Builder(state.codes)
        builder.start_with(base.columns(rows_except(base.record_ids, overlay.hidden)))
        rest: Overlay[DocumentEntry] = Overlay(_number_keys)
        moving, numbers = [], []
        for entry in overlay.entries.values():
            number = normalise_document_number(entry.number)
            if packable(number):
                moving.append(entry)
                numbers.append(number)
            else:
                rest.put(entry.record_id, entry)
        if moving:
            builder.add_entries(moving, numbers)
        return IndexState(builder.build(), rest, state.codes)
