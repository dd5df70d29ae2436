"""The vehicle index: VIN and plate look-ups, visibility, writes and compaction."""

import pytest

from interlink.core.access import Viewer, Visibility, VisibilityMode
from interlink.core.auth import OrgKind
from interlink.screening.vehicle_index import (
    VehicleEntry,
    VehicleField,
    VehicleIndex,
    normalise_plate,
)

EVERYONE = Visibility()
ONLY_FR = Visibility(VisibilityMode.ONLY, frozenset({"FR"}))
HONDA = "1HGCM82633A004352"


def vehicle(record_id, vin=None, plate=None, country="FR", visibility=EVERYONE):
    return VehicleEntry(record_id, vin, plate, country, visibility, 7, "stolen")


def index_of(*entries, way="bulk"):
    """An index bulk-loaded with `entries`, or filled by upserts ("overlay"), then compacted."""
    index = VehicleIndex()
    if way == "bulk":
        index.bulk_load(entries)
        return index
    for item in entries:
        index.upsert(item)
    if way == "compacted":
        index.compact()
    return index


WAYS = pytest.mark.parametrize("way", ["bulk", "overlay", "compacted"])


def ids(hits):
    return [hit.record_id for hit in hits]


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("ab-123 cd", "AB123CD"),
        ("AB·123·CD", "AB123CD"),
        ("А123ВС 77", "A123BC77"),  # Cyrillic letters chosen to look Latin
        ("ΙΚΧ 1234", "IKX1234"),  # Greek likewise
        ("١٢٣ أ ب", "123أب"),  # Arabic-Indic digits become ASCII, Arabic letters stay
    ],
)
def test_normalise_plate(raw, normalised):
    assert normalise_plate(raw) == normalised


@WAYS
def test_lookup_by_vin_tolerates_case_separators_and_misread_letters(way):
    index = index_of(vehicle(1, vin=HONDA), vehicle(2, vin="WVWZZZ1JZXW000001"), way=way)
    [hit] = index.lookup_vin("1hgcm8263-3a0o4352")
    assert (hit.record_id, hit.matched, hit.value) == (1, VehicleField.VIN, HONDA)
    assert (hit.status, hit.owner_org_id, hit.plate_country) == ("stolen", 7, "FR")
    assert index.lookup_vin("1HGCM82633A004353") == []


@WAYS
def test_vins_sharing_their_last_12_characters_are_told_apart(way):
    index = index_of(vehicle(1, vin="AAAAA" + HONDA[5:]), vehicle(2, vin=HONDA), way=way)
    assert ids(index.lookup_vin(HONDA)) == [2]
    assert ids(index.lookup_vin("AAAAA" + HONDA[5:])) == [1]


@WAYS
@pytest.mark.parametrize("vin", ["AB12345", "WDB1234561A123456X", "ЖЖ1234567"])
def test_short_long_and_odd_chassis_numbers_are_found(way, vin):
    index = index_of(vehicle(1, vin=vin), vehicle(2, vin=HONDA), way=way)
    assert ids(index.lookup_vin(vin)) == [1]


@WAYS
def test_lookup_by_plate_with_and_without_country(way):
    index = index_of(
        vehicle(1, plate="AB-123-CD", country="FR"),
        vehicle(2, plate="AB 123 CD", country="BE"),
        vehicle(3, vin=HONDA),
        way=way,
    )
    assert ids(index.lookup_plate("ab123cd")) == [1, 2]
    assert ids(index.lookup_plate("AB-123-CD", country="BE")) == [2]
    assert index.lookup_plate("AB-123-CD", country="DE") == []
    [hit] = index.lookup_plate("AB123CD", country="FR")
    assert (hit.matched, hit.value, hit.plate_country) == (VehicleField.PLATE, "AB123CD", "FR")


@WAYS
def test_a_vehicle_is_found_by_either_key(way):
    index = index_of(vehicle(1, vin=HONDA, plate="А123ВС77", country="RU"), way=way)
    assert ids(index.lookup_vin(HONDA)) == [1]
    assert ids(index.lookup_plate("A123BC77", country="RU")) == [1]
    assert index.lookup_plate(HONDA) == []


@WAYS
@pytest.mark.parametrize(
    ("viewer", "seen"),
    [
        (Viewer(100, OrgKind.NCB, "FR"), True),
        (Viewer(100, OrgKind.NCB, "DE"), False),
        (Viewer(7, OrgKind.NCB, "DE"), True),  # the owner
        (Viewer(1, OrgKind.GENERAL_SECRETARIAT, None), True),
        (None, True),
    ],
)
def test_visibility_is_applied(way, viewer, seen):
    index = index_of(vehicle(1, vin=HONDA, plate="P1", visibility=ONLY_FR), way=way)
    assert ids(index.lookup_vin(HONDA, viewer=viewer)) == ([1] if seen else [])
    assert ids(index.lookup_plate("P1", viewer=viewer)) == ([1] if seen else [])


def test_upsert_remove_and_compact():
    index = index_of(vehicle(1, vin=HONDA, plate="OLD1"), vehicle(2, plate="KEEP"))
    index.upsert(vehicle(1, vin=HONDA, plate="NEW1"))
    assert (index.lookup_plate("OLD1"), ids(index.lookup_plate("NEW1"))) == ([], [1])
    assert len(index) == 2
    assert index.remove(2)
    assert not index.remove(2)
    assert len(index) == 1
    index.compact()
    assert len(index) == 1
    assert index.lookup_plate("KEEP") == []
    assert ids(index.lookup_plate("NEW1")) == ids(index.lookup_vin(HONDA)) == [1]


def test_compaction_happens_by_itself_after_enough_writes():
    index = VehicleIndex(compact_after=3)
    for record_id in range(10):
        index.upsert(vehicle(record_id, plate=f"P{record_id}"))
    assert all(ids(index.lookup_plate(f"P{i}")) == [i] for i in range(10))
    assert len(index) == 10


def test_bulk_load_in_any_record_order():
    entries = [vehicle(i, vin=f"VIN{i:014d}", plate=f"P{i}") for i in range(50)]
    index = index_of(*reversed(entries))
    assert all(ids(index.lookup_vin(f"VIN{i:014d}")) == [i] for i in range(50))
    assert all(ids(index.lookup_plate(f"P{i}")) == [i] for i in range(50))


def test_bulk_load_refuses_duplicate_record_ids():
    with pytest.raises(ValueError, match="duplicate"):
        VehicleIndex().bulk_load([vehicle(1, plate="A"), vehicle(1, plate="B")])


def test_empty_queries():
    index = index_of(vehicle(1, vin=HONDA, plate="P1"))
    assert index.lookup_vin(" - ") == []
    assert index.lookup_plate("") == []
