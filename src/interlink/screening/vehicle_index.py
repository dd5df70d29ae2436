"""In-memory index of vehicles: exact look-up by VIN, and by registration plate and country.

Same layout as the document index (see document_index): numpy columns sorted by record id,
sorted 64-bit keys pointing at rows, and an overlay for recent writes and for values that do
not pack. A VIN of up to 17 characters packs exactly into a key (its last 12 characters) and
an int32 tail (its first 5); a plate of up to 12 characters into a key.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, islice

import numpy as np

from interlink.core.access import Viewer, Visibility
from interlink.screening.document_index import (
    CLEAN_KEY_TEXT,
    COMPACT_AFTER,
    KEY_WIDTH,
    GrowingColumns,
    IndexState,
    Interner,
    KeyIndex,
    LayeredIndex,
    Overlay,
    encode_key,
    encode_keys,
    packable,
    paused_gc,
    rows_except,
    sort_rows_by_first,
    sorted_contains,
    visible_to,
)
from interlink.screening.vin import VIN_LENGTH, normalise_vin

_VIN_TAIL_WIDTH = VIN_LENGTH - KEY_WIDTH  # 37**5 fits an int32
_BULK_CHUNK = 1 << 16  # small chunks: small temporaries, little heap left behind

# Plates in Cyrillic and Greek use only letters that look Latin (GOST R 50577, Greek plates),
# and are typed either way: fold them to the Latin letter they look like.
_PLATE_HOMOGLYPHS = str.maketrans(
    "АВЕКМНОРСТУХІΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "ABEKMHOPCTYXIABEZHIKMNOPTYX",
)


def normalise_plate(plate: str) -> str:
    """Upper case, look-alike Cyrillic/Greek letters as Latin, any script's digits as ASCII,
    spaces, hyphens and other separators dropped: 'ab-123 cd' -> 'AB123CD'."""
    if CLEAN_KEY_TEXT.fullmatch(plate):
        return plate  # the common case, already clean
    text = unicodedata.normalize("NFKC", plate).upper().translate(_PLATE_HOMOGLYPHS)
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text if c.isalnum())


class VehicleField(enum.StrEnum):
    VIN = "vin"
    PLATE = "plate"


@dataclass(frozen=True, slots=True)
class VehicleEntry:
    record_id: int
    vin: str | None
    plate: str | None
    plate_country: str | None  # registration country, ISO 3166 alpha-2
    visibility: Visibility
    owner_org_id: int
    status: str


@dataclass(frozen=True, slots=True)
class VehicleHit:
    record_id: int
    matched: VehicleField
    value: str  # the normalised VIN or plate that matched
    plate_country: str | None
    status: str
    owner_org_id: int


Keys = list[tuple[VehicleField, str]]  # an entry's normalised VIN and plate


def _vin_parts(vin: str) -> tuple[int, int] | None:
    """(key of the last 12 characters, tail of the rest), or None if the VIN does not pack."""
    head = encode_key(vin[-KEY_WIDTH:])
    tail = encode_key(vin[:-KEY_WIDTH], _VIN_TAIL_WIDTH)
    return None if head is None or tail is None else (head, tail)


def _keys_of(entry: VehicleEntry) -> Keys:
    keys = []
    if entry.vin and (vin := normalise_vin(entry.vin)):
        keys.append((VehicleField.VIN, vin))
    if entry.plate and (plate := normalise_plate(entry.plate)):
        keys.append((VehicleField.PLATE, plate))
    return keys


def _packs(keys: Keys) -> bool:
    """Whether every key of an entry fits the base arrays."""
    return all(
        packable(value[-KEY_WIDTH:]) and packable(value[:-KEY_WIDTH], _VIN_TAIL_WIDTH)
        if kind is VehicleField.VIN
        else packable(value)
        for kind, value in keys
    )


@dataclass(slots=True)
class _Codes:
    countries: Interner[str | None] = field(default_factory=lambda: Interner(np.uint16))
    visibilities: Interner[Visibility] = field(default_factory=lambda: Interner(np.uint32))
    statuses: Interner[str] = field(default_factory=lambda: Interner(np.uint8))


@dataclass(frozen=True, slots=True)
class _VehicleBase:
    """Immutable numpy columns, one row per vehicle, sorted by record id."""

    record_ids: np.ndarray  # int64
    countries: np.ndarray  # uint16 ids of the plate country
    visibilities: np.ndarray  # uint32 ids
    owners: np.ndarray  # int32
    statuses: np.ndarray  # uint8 ids
    vins: KeyIndex
    plates: KeyIndex

    def __len__(self) -> int:
        return len(self.record_ids)

    def contains(self, record_id: int) -> bool:
        return sorted_contains(self.record_ids, record_id)


_ROW_TYPES = (np.int64, np.uint16, np.uint32, np.int32, np.uint8)


class _Builder:
    """Row columns, and (row, key[, tail]) columns for VINs and plates, sorted at the end."""

    def __init__(self, codes: _Codes) -> None:
        self.codes = codes
        self.rows = GrowingColumns(_ROW_TYPES)
        self.vins = GrowingColumns((np.int64, np.int64, np.int32))  # row, key, tail
        self.plates = GrowingColumns((np.int64, np.int64))  # row, key

    def add_entries(self, entries: Sequence[VehicleEntry], keys: Sequence[Keys]) -> None:
        """Entries with their keys, which all pack (see `_packs`)."""
        c, n = self.codes, len(entries)
        self.rows.append(
            np.fromiter((e.record_id for e in entries), np.int64, n),
            np.fromiter((c.countries.id(e.plate_country) for e in entries), np.uint16, n),
            np.fromiter((c.visibilities.id(e.visibility) for e in entries), np.uint32, n),
            np.fromiter((e.owner_org_id for e in entries), np.int32, n),
            np.fromiter((c.statuses.id(e.status) for e in entries), np.uint8, n),
        )
        vin_rows, vins, plate_rows, plates = [], [], [], []
        for row, entry_keys in enumerate(keys, self.rows.size - n):
            for kind, value in entry_keys:
                if kind is VehicleField.VIN:
                    vin_rows.append(row)
                    vins.append(value)
                else:
                    plate_rows.append(row)
                    plates.append(value)
        self.vins.append(
            np.array(vin_rows, np.int64),
            encode_keys([vin[-KEY_WIDTH:] for vin in vins]),
            encode_keys([vin[:-KEY_WIDTH] for vin in vins], _VIN_TAIL_WIDTH),
        )
        self.plates.append(np.array(plate_rows, np.int64), encode_keys(plates))

    def start_with(self, base: _VehicleBase, rows: np.ndarray) -> None:
        """Begin with the given base rows and their keys (taken over, not copied twice)."""
        renumber = np.full(len(base), -1, dtype=np.int64)
        renumber[rows] = np.arange(len(rows))
        plain = (base.record_ids, base.countries, base.visibilities, base.owners, base.statuses)
        self.rows.start_with(*(column[rows] for column in plain))
        assert base.vins.tails is not None
        vin_rows = renumber[base.vins.rows]
        kept = vin_rows >= 0
        self.vins.start_with(vin_rows[kept], base.vins.keys[kept], base.vins.tails[kept])
        plate_rows = renumber[base.plates.rows]
        kept = plate_rows >= 0
        self.plates.start_with(plate_rows[kept], base.plates.keys[kept])

    def build(self) -> _VehicleBase:
        columns = self.rows.finish()
        order = sort_rows_by_first(columns)
        moved = None  # where each original row went, to repoint the VIN and plate keys
        if order is not None:
            moved = np.empty_like(order)
            moved[order] = np.arange(len(order))
        rows, keys, tails = self.vins.finish()
        vins = KeyIndex.build(keys, rows if moved is None else moved[rows], tails)
        rows, keys = self.plates.finish()
        plates = KeyIndex.build(keys, rows if moved is None else moved[rows])
        record_ids, countries, visibilities, owners, statuses = columns
        return _VehicleBase(record_ids, countries, visibilities, owners, statuses, vins, plates)


_State = IndexState[_VehicleBase, VehicleEntry, _Codes]


class VehicleIndex(LayeredIndex[_VehicleBase, VehicleEntry, _Codes]):
    """Vehicles by VIN, or by plate (and registration country), filtered by visibility."""

    def __init__(self, compact_after: int = COMPACT_AFTER) -> None:
        codes = _Codes()
        super().__init__(
            IndexState(_Builder(codes).build(), Overlay(_keys_of), codes), compact_after
        )

    def bulk_load(self, entries: Iterable[VehicleEntry]) -> None:
        """Replace the whole content (start-up), streaming `entries` in chunks into arrays."""
        codes = _Codes()
        builder = _Builder(codes)
        overlay: Overlay[VehicleEntry] = Overlay(_keys_of)
        iterator = iter(entries)
        with paused_gc():
            while chunk := list(islice(iterator, _BULK_CHUNK)):
                keys = [_keys_of(entry) for entry in chunk]
                packs = [_packs(entry_keys) for entry_keys in keys]
                if not all(packs):  # the rare VIN or plate that does not pack waits in the overlay
                    for entry in compress(chunk, (not ok for ok in packs)):
                        overlay.put(entry.record_id, entry)
                    chunk, keys = list(compress(chunk, packs)), list(compress(keys, packs))
                builder.add_entries(chunk, keys)
            base = builder.build()
        self._install(IndexState(base, overlay, codes))

    def lookup_vin(self, vin: str, viewer: Viewer | None = None) -> list[VehicleHit]:
        """Vehicles with this VIN (normalised: I, O, Q read as 1, 0, 0)."""
        value = normalise_vin(vin)
        if not value:
            return []
        state = self._state
        parts = _vin_parts(value)
        found = () if parts is None else state.base.vins.find([parts[0]], [parts[1]])
        rows = [row for _, row in found]
        return self._hits(state, VehicleField.VIN, value, rows, None, viewer)

    def lookup_plate(
        self, plate: str, country: str | None = None, viewer: Viewer | None = None
    ) -> list[VehicleHit]:
        """Vehicles with this registration plate (in `country`, if given)."""
        value = normalise_plate(plate)
        if not value:
            return []
        state = self._state
        key = encode_key(value)
        found = state.base.plates.find([key]) if key is not None else ()
        rows = [row for _, row in found]
        return self._hits(state, VehicleField.PLATE, value, rows, country, viewer)

    @staticmethod
    def _hits(
        state: _State,
        kind: VehicleField,
        value: str,
        rows: Iterable[int],
        country: str | None,
        viewer: Viewer | None,
    ) -> list[VehicleHit]:
        """Base rows and overlay entries for one value, visibility and country checked first."""
        base, codes = state.base, state.codes
        hits: dict[int, VehicleHit] = {}
        for row in rows:
            record_id = int(base.record_ids[row])
            visibility = codes.visibilities.values[base.visibilities[row]]
            plate_country = codes.countries.values[base.countries[row]]
            owner = int(base.owners[row])
            if record_id in state.overlay.hidden or not visible_to(viewer, visibility, owner):
                continue
            if country is None or plate_country == country:
                status = codes.statuses.values[base.statuses[row]]
                hits[record_id] = VehicleHit(record_id, kind, value, plate_country, status, owner)
        for entry in state.overlay.find((kind, value)):
            visible = visible_to(viewer, entry.visibility, entry.owner_org_id)
            if visible and country in (None, entry.plate_country):
                hits[entry.record_id] = VehicleHit(
                    entry.record_id,
                    kind,
                    value,
                    entry.plate_country,
                    entry.status,
                    entry.owner_org_id,
                )
        return sorted(hits.values(), key=lambda hit: hit.record_id)

    def _compacted(self, state: _State) -> _State:
        builder = _Builder(state.codes)
        builder.start_with(state.base, rows_except(state.base.record_ids, state.overlay.hidden))
        rest: Overlay[VehicleEntry] = Overlay(_keys_of)
        moving, moving_keys = [], []
        for entry in state.overlay.entries.values():
            keys = _keys_of(entry)
            if _packs(keys):
                moving.append(entry)
                moving_keys.append(keys)
            else:
                rest.put(entry.record_id, entry)
        builder.add_entries(moving, moving_keys)
        return IndexState(builder.build(), rest, state.codes)
