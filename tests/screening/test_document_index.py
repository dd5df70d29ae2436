"""The travel-document index: exact look-up, OCR variants, visibility, writes and compaction."""

import gc
import itertools

import pytest

from interlink.core.access import Viewer, Visibility, VisibilityMode
from interlink.core.auth import OrgKind
from interlink.screening.document_index import (
    DocumentEntry,
    DocumentIndex,
    MatchKind,
    encode_key,
    encode_keys,
    normalise_document_number,
    ocr_variants,
    packable,
    paused_gc,
)

EVERYONE = Visibility()
ONLY_FR = Visibility(VisibilityMode.ONLY, frozenset({"FR"}))
NOT_RU = Visibility(VisibilityMode.EXCEPT, frozenset({"RU"}))


def entry(record_id, number, country="FR", doc_type="passport", visibility=EVERYONE, **kw):
    return DocumentEntry(
        record_id=record_id,
        country=country,
        doc_type=doc_type,
        number=number,
        visibility=visibility,
        owner_org_id=kw.get("owner", 7),
        status=kw.get("status", "stolen"),
    )


def index_of(*entries, way="bulk"):
    """An index bulk-loaded with `entries`, or filled by upserts ("overlay"), then compacted."""
    index = DocumentIndex()
    if way == "bulk":
        index.bulk_load(entries)
        return index
    for item in entries:
        index.upsert(item)
    if way == "compacted":
        index.compact()
    return index


# Every behaviour below must hold whether a record sits in the arrays or in the overlay.
WAYS = pytest.mark.parametrize("way", ["bulk", "overlay", "compacted"])


def ids(hits):
    return [hit.record_id for hit in hits]


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("l898902c3", "L898902C3"),
        (" L898 902-C3<<", "L898902C3"),
        ("ＡＢ１２", "AB12"),  # full-width, as pasted from some scanners
        ("12345", "12345"),
        ("--<", ""),
    ],
)
def test_normalise_document_number(raw, normalised):
    assert normalise_document_number(raw) == normalised


def test_keys_are_one_to_one_and_match_the_vectorised_encoder():
    short = ["", *("".join(p) for n in (1, 2, 3) for p in itertools.product("0AZ9", repeat=n))]
    values = [*short, "Z" * 12, "0" * 12, "ZZZZZZZZZZZY", "L898902C3"]
    keys = [encode_key(v) for v in values]
    assert len(set(keys)) == len(values)
    assert list(encode_keys(values)) == keys
    assert max(keys) < 2**63
    assert encode_key("ZZZZZ", 5) < 2**31  # a VIN's 5-character tail fits an int32


@pytest.mark.parametrize(
    ("value", "fits"), [("A" * 12, True), ("A" * 13, False), ("a1", False), ("É1", False)]
)
def test_packable(value, fits):
    assert packable(value) is fits
    assert (encode_key(value) is not None) is fits


def test_ocr_variants_are_bounded_and_fewest_swaps_first():
    variants = list(ocr_variants("A8123456"))  # 8, 1, 2, 5 are confusable
    assert len(variants) == 4 + 6
    assert variants[0] == ("AB123456", (1,))
    assert all(len(swapped) == 1 for _, swapped in variants[:4])
    assert ("ABI23456", (1, 2)) in variants


@WAYS
def test_exact_lookup_by_number_country_and_type(way):
    index = index_of(
        entry(1, "L898902C3"),
        entry(2, "L898902C3", country="DE"),
        entry(3, "L898902C3", doc_type="id_card"),
        entry(4, "X1234567"),
        way=way,
    )
    assert ids(index.lookup("l898 902c3")) == [1, 2, 3]
    assert ids(index.lookup("L898902C3", country="FR")) == [1, 3]
    assert ids(index.lookup("L898902C3", country="FR", doc_type="passport")) == [1]
    assert index.lookup("L898902C3", country="IT") == []
    assert index.lookup("L898902C4") == []
    [hit] = index.lookup("L898902C3", country="DE")
    assert (hit.kind, hit.score, hit.swaps, hit.number) == (MatchKind.EXACT, 1.0, (), "L898902C3")
    assert (hit.country, hit.doc_type, hit.status, hit.owner_org_id) == (
        "DE",
        "passport",
        "stolen",
        7,
    )


@WAYS
def test_ocr_variants_are_found_flagged_and_ranked_below_exact(way):
    index = index_of(entry(1, "AB123456"), entry(2, "A8123456"), way=way)
    exact, variant = index.lookup("A8123456")
    assert (exact.record_id, exact.kind, exact.score) == (2, MatchKind.EXACT, 1.0)
    assert (variant.record_id, variant.kind) == (1, MatchKind.OCR_VARIANT)
    assert variant.number == "AB123456"
    assert variant.swaps == ((2, "8", "B"),)
    assert variant.score == pytest.approx(0.9)
    assert ids(index.lookup("A8123456", with_ocr_variants=False)) == [2]


@WAYS
def test_two_swaps_are_found_three_are_not(way):
    index = index_of(entry(1, "OISB"), way=way)
    assert index.lookup("01SB")[0].score == pytest.approx(0.8)
    assert index.lookup("015B") == []


def member(country, org_id=100):
    return Viewer(org_id=org_id, org_kind=OrgKind.NCB, country=country)


@WAYS
@pytest.mark.parametrize(
    ("visibility", "viewer", "seen"),
    [
        (EVERYONE, member("RU"), True),
        (ONLY_FR, member("FR"), True),
        (ONLY_FR, member("DE"), False),
        (NOT_RU, member("DE"), True),
        (NOT_RU, member("RU"), False),
        (ONLY_FR, member("DE", org_id=7), True),  # the owner always sees its own records
        (ONLY_FR, Viewer(200, OrgKind.INTERNATIONAL, None), False),  # no country: not in "only"
        (NOT_RU, Viewer(200, OrgKind.INTERNATIONAL, None), True),
        (ONLY_FR, Viewer(1, OrgKind.GENERAL_SECRETARIAT, None), True),
        (ONLY_FR, Viewer(2, OrgKind.OVERSIGHT, None), True),
        (EVERYONE, Viewer(300, OrgKind.PARTNER, "FR"), False),  # partners see no record
        (ONLY_FR, None, True),  # None: an internal caller that sees everything
    ],
)
def test_visibility_is_applied_to_exact_and_variant_hits(way, visibility, viewer, seen):
    index = index_of(entry(1, "AB123456", visibility=visibility), way=way)
    for query in ("AB123456", "A8123456"):
        assert ids(index.lookup(query, viewer=viewer)) == ([1] if seen else [])


def test_hidden_records_do_not_crowd_out_visible_ones():
    index = index_of(entry(1, "P123", visibility=ONLY_FR), entry(2, "P123"), way="bulk")
    assert ids(index.lookup("P123", viewer=member("DE"))) == [2]


@pytest.mark.parametrize("number", ["X" * 20, "Ж12345", "AB-12/ЯЯ"])
def test_numbers_that_do_not_pack_are_still_found(number):
    index = index_of(entry(1, number), entry(2, "PLAIN1"), way="bulk")
    index.compact()
    assert ids(index.lookup(number)) == [1]
    assert len(index) == 2


def test_upsert_replaces_a_loaded_record_and_remove_forgets_it():
    index = index_of(entry(1, "OLD1"), entry(2, "KEEP2"), way="bulk")
    index.upsert(entry(1, "NEW1"))
    assert len(index) == 2
    assert index.lookup("OLD1") == []
    assert ids(index.lookup("NEW1")) == [1]
    assert index.remove(1)
    assert not index.remove(1)
    assert not index.remove(99)
    assert index.lookup("NEW1") == []
    assert len(index) == 1
    index.compact()
    assert len(index) == 1
    assert (index.lookup("NEW1"), ids(index.lookup("KEEP2"))) == ([], [2])


def test_an_upsert_can_change_visibility():
    index = index_of(entry(1, "P1"), way="bulk")
    index.upsert(entry(1, "P1", visibility=ONLY_FR))
    assert index.lookup("P1", viewer=member("DE")) == []
    index.compact()
    assert index.lookup("P1", viewer=member("DE")) == []
    assert ids(index.lookup("P1", viewer=member("FR"))) == [1]


def test_compaction_happens_by_itself_after_enough_writes():
    index = DocumentIndex(compact_after=3)
    for record_id in range(10):
        index.upsert(entry(record_id, f"N{record_id}"))
    assert index.nbytes > 0  # arrays were built
    assert all(ids(index.lookup(f"N{i}")) == [i] for i in range(10))


def test_bulk_load_replaces_everything():
    index = index_of(entry(1, "A1"), way="overlay")
    index.bulk_load([entry(2, "B2")])
    assert (index.lookup("A1"), ids(index.lookup("B2")), len(index)) == ([], [2], 1)


def test_bulk_load_in_any_record_order():
    countries = ("FR", "DE")
    entries = [entry(i, f"N{i}", country=countries[i % 2]) for i in range(50)]
    index = index_of(*reversed(entries))
    for i in range(50):
        [hit] = index.lookup(f"N{i}")
        assert (hit.record_id, hit.country) == (i, countries[i % 2])


@pytest.mark.parametrize("second", ["A2", "Ж2"])
def test_bulk_load_refuses_duplicate_record_ids(second):
    with pytest.raises(ValueError, match="duplicate"):
        DocumentIndex().bulk_load([entry(1, "A1"), entry(1, second)])


@pytest.mark.parametrize("enabled", [True, False])
def test_paused_gc_restores_the_collector_state(enabled):
    (gc.enable if enabled else gc.disable)()
    try:
        with paused_gc():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


def test_empty_queries_and_empty_index():
    index = DocumentIndex()
    assert len(index) == 0
    assert index.lookup("AB1") == []
    index.upsert(entry(1, "AB1"))
    assert index.lookup("<<- ") == []


# Long numbers: a Belgian identity card's 12 digits (packed in a key), and longer ones (kept
# in the overlay); the first nine characters, all an MRZ number field holds, are not them.
@WAYS
@pytest.mark.parametrize("number", ["592123456789", "B92123456789AZ", "1234567890123456789"])
def test_a_long_number_is_indexed_whole(number: str, way: str) -> None:
    index = index_of(
        entry(1, number, country="BE", doc_type="id_card"), entry(2, "L898902C3"), way=way
    )
    assert ids(index.lookup(number)) == [1]
    assert index.lookup(number)[0].number == number
    assert ids(index.lookup(number, "BE", "id_card", with_ocr_variants=False)) == [1]
    assert index.lookup(number[:9], with_ocr_variants=False) == []
    assert index.lookup(number + "0", with_ocr_variants=False) == []
