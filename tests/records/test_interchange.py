"""FtM JSON lines and CSV: import, export, round trips, and errors with line numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model

from interlink.records.interchange import (
    DOCUMENT_CSV_COLUMNS,
    VEHICLE_CSV_COLUMNS,
    ImportLineError,
    ParsedEntity,
    document_type_from_label,
    parse_documents_csv,
    parse_ftm_lines,
    parse_vehicles_csv,
    to_csv_lines,
    to_ftm,
    to_ftm_lines,
)
from interlink.records.schemas import (
    DocumentType,
    IdentityDocument,
    PartialDate,
    PersonData,
    TravelDocumentData,
    VehicleData,
    number_from_label,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_lines(name: str) -> list[str]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as file:
        return list(file)


def by_id(entities: list[ParsedEntity]) -> dict[str | None, ParsedEntity]:
    return {entity.external_id: entity for entity in entities}


def entity_line(entity_id: str, schema: str, **properties: list[str]) -> str:
    return json.dumps({"id": entity_id, "schema": schema, "properties": properties})


def person_line(entity_id: str = "p1", **properties: list[str]) -> str:
    return entity_line(entity_id, "Person", **{"name": ["Ana Test"], **properties})


# --- FtM import --------------------------------------------------------------------------------


def test_ftm_fixture_is_imported_with_ids_as_external_ids() -> None:
    entities = by_id(list(parse_ftm_lines(fixture_lines("persons.ftm.jsonl"))))
    assert set(entities) == {"syn-person-1", "syn-person-2", "syn-stolen-3", "syn-vehicle-4"}
    assert entities["syn-person-1"].line_number == 1
    assert entities["syn-stolen-3"].line_number == 6  # blank line 3 still counts


def test_ftm_person_fields_are_mapped() -> None:
    entities = by_id(list(parse_ftm_lines(fixture_lines("persons.ftm.jsonl"))))
    person = entities["syn-person-1"].record
    assert isinstance(person, PersonData)
    assert [(n.full_name, n.script) for n in person.names] == [
        ("Marta Quellenberg", "Latin"),
        ("Марта Квелленберг", "Cyrillic"),
    ]
    assert (person.names[0].given_name, person.names[0].family_name) == ("Marta", "Quellenberg")
    assert person.names[1].given_name is None
    assert [alias.full_name for alias in person.aliases] == ["Martha Q."]
    assert person.sex == "female"
    assert person.birth_date == PartialDate(1981, 4, 12)
    assert person.nationalities == ("FR", "RU")
    assert person.physical_description is not None
    assert person.physical_description.height_cm == 168
    assert person.physical_description.description == "Tattoo of a compass on the right wrist"


def test_passports_and_identifications_attach_to_their_holder() -> None:
    entities = by_id(list(parse_ftm_lines(fixture_lines("persons.ftm.jsonl"))))
    first, second = entities["syn-person-1"].record, entities["syn-person-2"].record
    assert isinstance(first, PersonData) and isinstance(second, PersonData)
    assert first.identity_documents == (
        IdentityDocument.model_validate(
            {
                "document_type": "passport",
                "number": "19FV02841",
                "issuing_country": "FR",
                "issued_on": "2019-06-01",
                "expires_on": "2029-05-31",
            }
        ),
    )
    # An Identification, then the Person's own passportNumber that it does not repeat.
    assert [(d.document_type, d.number) for d in second.identity_documents] == [
        (DocumentType.ID_CARD, "29001011234567"),
        (DocumentType.PASSPORT, "A0001234"),
    ]


def test_a_bare_document_number_repeated_by_a_passport_entity_is_kept_once() -> None:
    lines = [
        person_line(passportNumber=["X 123"]),
        entity_line("d1", "Passport", holder=["p1"], number=["X123"], country=["fr"]),
    ]
    (parsed,) = parse_ftm_lines(lines)
    assert isinstance(parsed.record, PersonData)
    assert [(d.number, d.issuing_country) for d in parsed.record.identity_documents] == [
        ("X123", "FR")
    ]


def test_a_document_whose_holder_is_not_in_the_file_is_a_travel_document() -> None:
    entities = by_id(list(parse_ftm_lines(fixture_lines("persons.ftm.jsonl"))))
    assert entities["syn-stolen-3"].record == TravelDocumentData.model_validate(
        {
            "issuing_country": "FR",
            "document_type": "passport",
            "number": "X7734019",
            "status": "stolen",
            "reported_on": "2024-02-14",
        }
    )


def test_ftm_vehicle_reads_its_tagged_keywords() -> None:
    entities = by_id(list(parse_ftm_lines(fixture_lines("persons.ftm.jsonl"))))
    vehicle = entities["syn-vehicle-4"].record
    assert isinstance(vehicle, VehicleData)
    assert (vehicle.vin, vehicle.registration_number, vehicle.make, vehicle.colour) == (
        "VF3LBHZRTAS000123",
        "GH512TX",
        "Peugeot",
        "grey",
    )
    assert vehicle.status == "stolen"


def test_valid_ftm_properties_without_a_place_in_records_are_ignored() -> None:
    (parsed,) = parse_ftm_lines([person_line(sourceUrl=["https://example.org/x"])])
    assert isinstance(parsed.record, PersonData)


def test_ftm_dates_with_a_time_keep_the_date() -> None:
    (parsed,) = parse_ftm_lines([person_line(birthDate=["1981-04-12T00:00:00"])])
    assert isinstance(parsed.record, PersonData)
    assert parsed.record.birth_date == PartialDate(1981, 4, 12)


@pytest.mark.parametrize(
    ("schema", "label", "expected"),
    [
        ("Passport", None, DocumentType.PASSPORT),
        ("Identification", "Passport", DocumentType.PASSPORT),
        ("Identification", "National ID card", DocumentType.ID_CARD),
        ("Identification", "Identity card", DocumentType.ID_CARD),
        ("Identification", "Schengen visa", DocumentType.VISA),
        ("Identification", "Residence permit", DocumentType.RESIDENCE_PERMIT),
        ("Identification", "Driving license", DocumentType.OTHER),
        ("Identification", "Valid identification", DocumentType.OTHER),
        ("Identification", None, DocumentType.OTHER),
    ],
)
def test_document_type_from_ftm(schema: str, label: str | None, expected: DocumentType) -> None:
    assert document_type_from_label(model.get(schema), label) is expected


# --- FtM import errors -------------------------------------------------------------------------

GOOD = person_line("p0")
BAD_LINES = [
    ("{not json", "invalid JSON"),
    ("[1, 2]", "expected a JSON object"),
    (json.dumps({"schema": "Person", "properties": {"name": ["A"]}}), "the entity has no id"),
    (entity_line("x", "Persona", name=["A"]), "unknown FtM schema 'Persona'"),
    (entity_line("x", "Company", name=["A"]), "schema Company is not imported"),
    (json.dumps({"id": "x", "schema": "Person", "properties": []}), "'properties' must be"),
    (person_line("x", eye_colour=["blue"]), "Person has no property 'eye_colour'"),
    (person_line("x", identification=["d1"]), "Person has no property 'identification'"),
    (person_line("x", birthDate="1980"), "property 'birthDate' must be a list of strings"),
    (person_line("x", birthDate=[1980]), "property 'birthDate' must be a list of strings"),
    (entity_line("x", "Person", gender=["male"]), "Person requires the property 'name'"),
    (entity_line("x", "Passport", holder=["p0"]), "Passport requires the property 'number'"),
    (person_line("x", birthDate=["1980-13"]), "birth_date: '1980-13' is not a calendar date"),
    (person_line("x", nationality=["zz"]), "'ZZ' is not an ISO 3166-1 alpha-2 country code"),
    (person_line("x", gender=["unknown"]), "sex"),
    (person_line("x", height=["tall"]), "height_cm"),
    (person_line("x", name=["1234"]), "the name '1234' has no letters"),
    (person_line("p0"), "entity id 'p0' already used on line 1"),
    (entity_line("x", "Passport", holder=["p0"], number=["AB#1"]), "Latin letters or digits"),
    (entity_line("x", "Passport", number=["AB1"], country=["fr"]), "needs its status in 'summary'"),
    (entity_line("x", "Passport", number=["AB1"], country=["fr"], summary=["found"],
                 date=["2024-01-01"]), "status"),
    (entity_line("x", "Vehicle", registrationNumber=["AB1"], country=["fr"]), "status"),
]  # fmt: skip


@pytest.mark.parametrize(("bad", "message"), BAD_LINES)
def test_a_bad_ftm_line_is_reported_with_its_number_before_anything_is_yielded(
    bad: str, message: str
) -> None:
    records = parse_ftm_lines([GOOD, "", bad, person_line("p9")])
    with pytest.raises(ImportLineError) as caught:
        next(records)
    assert caught.value.line_number == 3
    assert message in caught.value.message
    assert str(caught.value).startswith("line 3: ")


def test_the_first_bad_line_is_the_one_reported() -> None:
    lines = [GOOD, "{", "also not json"]
    with pytest.raises(ImportLineError) as caught:
        list(parse_ftm_lines(lines))
    assert caught.value.line_number == 2


@pytest.mark.parametrize(("country", "allowed"), [("FR", True), ("fr", True), ("DE", False)])
def test_only_the_issuing_country_may_import_travel_documents(country: str, allowed: bool) -> None:
    lines = fixture_lines("persons.ftm.jsonl")
    if allowed:
        assert len(list(parse_ftm_lines(lines, entering_country=country))) == 4
    else:
        with pytest.raises(
            ImportLineError, match="only the bureau of the issuing country"
        ) as caught:
            list(parse_ftm_lines(lines, entering_country=country))
        assert caught.value.line_number == 6


def test_identity_documents_of_persons_may_come_from_any_country() -> None:
    lines = [
        person_line(),
        entity_line("d1", "Passport", holder=["p1"], number=["X1"], country=["eg"]),
    ]
    assert len(list(parse_ftm_lines(lines, entering_country="FR"))) == 1


# --- FtM export and round trips ----------------------------------------------------------------

PERSON = PersonData.model_validate(
    {
        "names": [
            {"full_name": "Marta Quellenberg", "given_name": "Marta", "family_name": "Quellenberg"},
            {"full_name": "Марта Квелленберг"},
        ],
        "aliases": [{"full_name": "Martha Q."}],
        "sex": "female",
        "birth_date": "1981-04",
        "birth_place": "Villeneuve-sur-Test",
        "nationalities": ["FR", "RU"],
        "physical_description": {
            "height_cm": 168,
            "weight_kg": 60,
            "eye_colour": "green",
            "hair_colour": "red",
            "description": "Compass tattoo on the right wrist",
        },
        "identity_documents": [
            {
                "document_type": "passport",
                "number": "19FV02841",
                "issuing_country": "FR",
                "issued_on": "2019-06-01",
                "expires_on": "2029-05-31",
            },
            {"document_type": "residence_permit", "number": "RP7", "issuing_country": "DE"},
            {"document_type": "visa", "number": "V8"},
        ],
    }
)
TRAVEL_DOCUMENT = TravelDocumentData.model_validate(
    {
        "issuing_country": "FR",
        "document_type": "id_card",
        "number": "1234AB",
        "status": "invalidated",
        "reported_on": "2023-05-06",
    }
)
VEHICLE = VehicleData.model_validate(
    {
        "vin": "WVWZZZ1JZXW000001",
        "registration_number": "AB-123-CD",
        "registration_country": "FR",
        "make": "Volkswagen",
        "model": "Golf",
        "colour": "red",
        "status": "misappropriated",
        "reported_on": "2024-02-01",
    }
)
RECORDS: list[tuple[str, Any]] = [
    ("person-1", PERSON),
    ("sltd-2", TRAVEL_DOCUMENT),
    ("smv-3", VEHICLE),
]


def test_export_then_import_gives_back_the_same_records_and_ids() -> None:
    lines = list(to_ftm_lines(RECORDS))
    assert [(entity.external_id, entity.record) for entity in parse_ftm_lines(lines)] == RECORDS


def test_exported_entities_are_valid_for_followthemoney() -> None:
    for external_id, record in RECORDS:
        entities = to_ftm(external_id, record)
        assert entities[0]["id"] == external_id
        for data in entities:
            proxy = model.get_proxy(data, cleaned=False)  # re-cleans every value
            assert proxy.to_dict()["properties"] == data["properties"]
            proxy.schema.validate(data)


def test_person_export_links_documents_to_the_person() -> None:
    person, passport, permit, visa = to_ftm("person-1", PERSON)
    assert person["schema"] == "Person"
    assert [passport["schema"], permit["schema"], visa["schema"]] == [
        "Passport",
        "Identification",
        "Identification",
    ]
    assert {passport["properties"]["holder"][0], permit["properties"]["holder"][0]} == {"person-1"}
    assert len({passport["id"], permit["id"], visa["id"]}) == 3
    # The same person exported twice gives the same document ids.
    assert [entity["id"] for entity in to_ftm("person-1", PERSON)][1:] == [
        passport["id"],
        permit["id"],
        visa["id"],
    ]


def test_photos_are_not_exported() -> None:
    with_photo = PERSON.model_copy(update={"photo_ref": "photo-3f2a"})
    assert to_ftm("person-1", with_photo) == to_ftm("person-1", PERSON)


def test_export_lines_are_json_without_newlines() -> None:
    lines = list(to_ftm_lines(RECORDS))
    assert len(lines) == 6  # person + 3 documents, travel document, vehicle
    assert all("\n" not in line and json.loads(line)["id"] for line in lines)
    assert "Марта Квелленберг" in lines[0]  # readable, not \u-escaped


# --- CSV -------------------------------------------------------------------------------------


def test_documents_csv_fixture() -> None:
    entities = list(parse_documents_csv(fixture_lines("documents.csv")))
    assert [(e.line_number, e.external_id) for e in entities] == [
        (2, "fr-doc-1"),
        (3, "fr-doc-2"),
        (5, "fr-doc-3"),  # after a blank line
    ]
    second = entities[1].record
    assert isinstance(second, TravelDocumentData)
    assert (second.issuing_country, second.number, second.status) == ("FR", "123456789012", "lost")


def test_vehicles_csv_fixture() -> None:
    entities = list(parse_vehicles_csv(fixture_lines("vehicles.csv")))
    assert [e.external_id for e in entities] == ["veh-1", "veh-2", "veh-3"]
    no_vin, no_plate = entities[1].record, entities[2].record
    assert isinstance(no_vin, VehicleData) and isinstance(no_plate, VehicleData)
    assert (no_vin.vin, no_vin.registration_number) == (None, "KA01AB1234")
    assert (no_plate.registration_number, no_plate.vin) == (None, "1G1YY22G965100001")


def csv_text(header: tuple[str, ...], *rows: str) -> list[str]:
    return [",".join(header) + "\n", *(row + "\n" for row in rows)]


DOCUMENT_ROW = "d1,FR,passport,18AB12345,stolen,2024-01-15"


def test_csv_header_may_list_columns_in_any_order_and_start_with_a_bom() -> None:
    header = "\ufeffnumber,issuing_country,status,reported_on,document_type,external_id\n"
    (entity,) = parse_documents_csv([header, "18AB12345,FR,stolen,2024-01-15,passport,d1\n"])
    assert entity.external_id == "d1"


def test_csv_external_id_may_be_empty() -> None:
    (entity,) = parse_documents_csv(csv_text(DOCUMENT_CSV_COLUMNS, "," + DOCUMENT_ROW[3:]))
    assert entity.external_id is None


def test_csv_line_numbers_count_lines_inside_quoted_cells() -> None:
    lines = csv_text(
        VEHICLE_CSV_COLUMNS,
        'v1,,AB1,FR,"Volks\nwagen",Golf,red,stolen,2024-01-01',
        "v2,,AB2,FR,Fiat,Uno,red,stolen,2999-01-01",
    )
    lines = "".join(lines).splitlines(keepends=True)
    with pytest.raises(ImportLineError) as caught:
        list(parse_vehicles_csv(lines))
    assert caught.value.line_number == 4


@pytest.mark.parametrize(
    ("lines", "line_number", "message"),
    [
        ([], 1, "the file is empty"),
        (["external_id,issuing_country\n"], 1, "the header must name exactly these columns"),
        (csv_text((*DOCUMENT_CSV_COLUMNS, "holder")), 1, "exactly these columns"),
        (csv_text(DOCUMENT_CSV_COLUMNS, DOCUMENT_ROW, "d2,FR,passport"), 3, "expected 6 cells"),
        (csv_text(DOCUMENT_CSV_COLUMNS, "d1,FR,passport,X1,expired,2024-01-15"), 2, "status"),
        (csv_text(DOCUMENT_CSV_COLUMNS, "d1,XX,passport,X1,lost,2024-01-15"), 2,
         "issuing_country: 'XX' is not an ISO 3166-1 alpha-2 country code"),
        (csv_text(DOCUMENT_CSV_COLUMNS, "d1,FR,passport,,lost,2024-01-15"), 2, "number"),
        (csv_text(DOCUMENT_CSV_COLUMNS, DOCUMENT_ROW, DOCUMENT_ROW), 3,
         "external id 'd1' already used on line 2"),
    ],
)  # fmt: skip
def test_documents_csv_errors(lines: list[str], line_number: int, message: str) -> None:
    with pytest.raises(ImportLineError) as caught:
        list(parse_documents_csv(lines))
    assert caught.value.line_number == line_number
    assert message in caught.value.message


@pytest.mark.parametrize(("country", "allowed"), [("FR", True), ("DE", False)])
def test_documents_csv_only_from_the_issuing_country(country: str, allowed: bool) -> None:
    lines = csv_text(DOCUMENT_CSV_COLUMNS, DOCUMENT_ROW)
    if allowed:
        assert len(list(parse_documents_csv(lines, entering_country=country))) == 1
    else:
        with pytest.raises(ImportLineError, match="line 2: document 18AB12345 was issued by FR"):
            list(parse_documents_csv(lines, entering_country=country))


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("v1,,,,Fiat,Uno,red,stolen,2024-01-01", "a vehicle needs a VIN or a registration number"),
        ("v1,,AB1,,Fiat,Uno,red,stolen,2024-01-01", "needs its registration country"),
        ("v1,,AB1,FR,Fiat,Uno,red,burnt,2024-01-01", "status"),
    ],
)
def test_vehicles_csv_errors(row: str, message: str) -> None:
    with pytest.raises(ImportLineError) as caught:
        list(parse_vehicles_csv(csv_text(VEHICLE_CSV_COLUMNS, row)))
    assert caught.value.line_number == 2
    assert message in caught.value.message


def test_csv_rows_are_yielded_as_they_are_read() -> None:
    rows = parse_documents_csv(csv_text(DOCUMENT_CSV_COLUMNS, DOCUMENT_ROW, "broken"))
    assert next(rows).external_id == "d1"
    with pytest.raises(ImportLineError):
        next(rows)


# --- real sanctions data: labelled identifiers, name parts, entities that cannot be used ------
# ofac_2021.ftm.jsonl: OFAC SDN individuals as FtM lines (built by make_ofac_ftm.py); lines 10
# and 13 are Passport entities without a number ("Passport issued in Sarajevo").

OFAC = "ofac_2021.ftm.jsonl"
OFAC_UNUSABLE_LINES = [10, 13]


@pytest.mark.parametrize(("given", "number"), [
    ("INN: 7707083893", "7707083893"),
    ("Tax Id. No. 1234-5678", "1234-5678"),
    ("Cedula No. 16247821 (Colombia)", "16247821"),
    ("SSN 523-33-8386 (United States)", "523-33-8386"),
    ("Passport 702142921 (Germany) expires 03 Dec 2011", "702142921"),
    ("Tax ID No. RIF J-31069374-9 (Venezuela)", "J-31069374-9"),
    ("C.U.R.P. AIMM67125HCHRRG06 (Mexico) issued 1968", "AIMM67125HCHRRG06"),
    ("Passport No.: A123", "A123"),
    ("AB 123456", "AB 123456"),  # letters standing apart are part of the number
    ("L898902C3", "L898902C3"),
])  # fmt: skip
def test_the_number_is_found_in_a_labelled_identifier(given: str, number: str) -> None:
    assert number_from_label(given) == number


def test_a_labelled_number_is_stored_as_given_and_normalised_for_matching() -> None:
    lines = [
        person_line(idNumber=["INN: 7707083893"], passportNumber=["Tax Id. No. 1234-5678"]),
        entity_line(
            "d1",
            "Passport",
            number=["Passport No. 12 AB-345 (France)"],
            country=["fr"],
            summary=["stolen"],
            date=["2024-01-01"],
        ),
    ]
    person, document = (entity.record for entity in parse_ftm_lines(lines))
    assert isinstance(person, PersonData) and isinstance(document, TravelDocumentData)
    assert [(d.number, d.number_as_given) for d in person.identity_documents] == [
        ("12345678", "Tax Id. No. 1234-5678"),
        ("7707083893", "INN: 7707083893"),
    ]
    assert (document.number, document.number_as_given) == (
        "12AB345",
        "Passport No. 12 AB-345 (France)",
    )
    exported = [json.loads(line) for line in to_ftm_lines([("p1", person), ("d1", document)])]
    assert exported[0]["properties"].get("idNumber") is None  # documents travel as entities
    numbers = {e["properties"]["number"][0] for e in exported if e["schema"] != "Person"}
    assert numbers == {
        "INN: 7707083893",
        "Tax Id. No. 1234-5678",
        "Passport No. 12 AB-345 (France)",
    }


@pytest.mark.parametrize("given", ["INN: 77#07", "Tax ID No. ?", "Passport 12 AB-345 ££"])
def test_a_label_with_no_usable_number_is_still_refused(given: str) -> None:
    with pytest.raises(ImportLineError, match="Latin letters or digits") as caught:
        list(parse_ftm_lines([person_line(idNumber=[given])]))
    assert caught.value.line_number == 1


def test_every_ftm_name_part_survives_a_round_trip() -> None:
    parts = {
        "title": ["Dr."],
        "firstName": ["Ivan", "Iwan"],
        "secondName": ["Petrovich"],
        "middleName": ["Pyotr"],
        "fatherName": ["Pyotr"],
        "motherName": ["Anna"],
        "lastName": ["Sidorov"],
        "nameSuffix": ["Jr."],
        "previousName": ["Ivan Kuznetsov"],
    }
    line = entity_line("p1", "Person", name=["Ivan Petrovich Sidorov"], **parts)
    (parsed,) = parse_ftm_lines([line])
    assert isinstance(parsed.record, PersonData)
    assert parsed.record.names[0].given_name == "Ivan"
    assert parsed.record.all_full_names() == ["Ivan Petrovich Sidorov", "Ivan Kuznetsov"]
    (exported,) = to_ftm("p1", parsed.record)
    assert {name: exported["properties"].get(name) for name in parts} == parts
    (again,) = parse_ftm_lines([json.dumps(exported)])
    assert again.record == parsed.record


def test_name_parts_that_no_name_contains_are_kept_too() -> None:
    (parsed,) = parse_ftm_lines([person_line(firstName=["Jana"], lastName=["Novak"])])
    assert isinstance(parsed.record, PersonData)
    assert parsed.record.names[0].given_name is None  # "Ana Test" contains neither
    (exported,) = to_ftm("p1", parsed.record)
    assert (exported["properties"]["firstName"], exported["properties"]["lastName"]) == (
        ["Jana"],
        ["Novak"],
    )


def test_real_sanctions_data_is_all_or_nothing_by_default() -> None:
    with pytest.raises(ImportLineError) as caught:
        list(parse_ftm_lines(fixture_lines(OFAC)))
    assert caught.value.line_number == OFAC_UNUSABLE_LINES[0]
    assert "Passport requires the property 'number'" in str(caught.value)


def test_unusable_entities_of_real_data_are_skipped_and_reported_when_asked() -> None:
    skipped: list[ImportLineError] = []
    entities = by_id(list(parse_ftm_lines(fixture_lines(OFAC), skipped=skipped)))
    assert [error.line_number for error in skipped] == OFAC_UNUSABLE_LINES
    persons = [e.record for e in entities.values()]
    assert len(persons) == 29 and all(isinstance(p, PersonData) for p in persons)
    kojic = entities["ofac-8116"].record  # his numbered passport stays, the other is skipped
    assert isinstance(kojic, PersonData)
    assert [d.number for d in kojic.identity_documents] == ["3943074"]
    marzook = entities["ofac-3754"].record
    assert isinstance(marzook, PersonData)
    assert ("523338386", "SSN 523-33-8386 (United States)") in [
        (d.number, d.number_as_given) for d in marzook.identity_documents
    ]
    cortez = entities["ofac-4307"].record  # an "fka" of the list
    assert isinstance(cortez, PersonData)
    assert [n.full_name for n in cortez.previous_names] == ["Oliverio Abril CORTEZ"]


def test_real_sanctions_data_round_trips_through_export() -> None:
    entities = list(parse_ftm_lines(fixture_lines(OFAC), skipped=[]))
    pairs = [(entity.external_id or "", entity.record) for entity in entities]
    again = list(parse_ftm_lines(list(to_ftm_lines(pairs))))
    assert [(entity.external_id, entity.record) for entity in again] == pairs


def test_a_document_whose_holder_was_skipped_is_skipped_with_it() -> None:
    skipped: list[ImportLineError] = []
    lines = [
        person_line("p1", birthDate=["not a date"]),
        entity_line("d1", "Passport", holder=["p1"], number=["X1"]),
        GOOD,
    ]
    assert [e.external_id for e in parse_ftm_lines(lines, skipped=skipped)] == ["p0"]
    assert [(e.line_number, e.message) for e in skipped][1] == (
        2,
        "its holder 'p1' on line 1 was skipped",
    )


def test_a_repeated_id_is_skipped_and_the_first_entity_kept() -> None:
    skipped: list[ImportLineError] = []
    lines = [
        GOOD,
        person_line("p0", name=["Other Person"]),
        entity_line("d1", "Passport", holder=["p0"], number=["X1"]),
    ]
    (person,) = parse_ftm_lines(lines, skipped=skipped)
    assert isinstance(person.record, PersonData)
    assert [d.number for d in person.record.identity_documents] == ["X1"]
    assert [(e.line_number, e.message) for e in skipped] == [
        (2, "entity id 'p0' already used on line 1")
    ]


def test_csv_rows_that_cannot_be_used_are_skipped_when_asked() -> None:
    lines = [
        ",".join(DOCUMENT_CSV_COLUMNS),
        "a,FR,passport,X1,stolen,2024-01-01",
        "b,FR,passport,X2,sold,2024-01-01",
        "c,FR,passport",
        "d,FR,passport,Passport No. 12 AB-345,lost,2024-01-01",
    ]
    skipped: list[ImportLineError] = []
    parsed = list(parse_documents_csv(lines, skipped=skipped))
    assert [e.external_id for e in parsed] == ["a", "d"]
    assert [e.line_number for e in skipped] == [3, 4]
    document = parsed[1].record
    assert isinstance(document, TravelDocumentData)
    assert (document.number, document.number_as_given) == ("12AB345", "Passport No. 12 AB-345")
    csv_lines = list(to_csv_lines(DOCUMENT_CSV_COLUMNS, [("d", document)]))
    assert csv_lines[1] == "d,FR,passport,Passport No. 12 AB-345,lost,2024-01-01"
