"""Record shapes: each rule accepts good data and rejects bad data with a readable message."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from interlink.records.schemas import (
    DocumentStatus,
    IdentityDocument,
    NoticeData,
    NoticeType,
    PartialDate,
    PersonData,
    PersonName,
    TravelDocumentData,
    VehicleData,
    detect_script,
)

TOMORROW = date.today() + timedelta(days=1)


def error_message(model: type[BaseModel], data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return str(caught.value)


# --- PartialDate ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1984", PartialDate(1984)),
        ("1984-05", PartialDate(1984, 5)),
        ("1984-05-17", PartialDate(1984, 5, 17)),
        ("2000-02-29", PartialDate(2000, 2, 29)),
        (" 1984-05 ", PartialDate(1984, 5)),
    ],
)
def test_partial_date_parses_each_precision(text: str, expected: PartialDate) -> None:
    assert PartialDate.parse(text) == expected
    assert str(expected) == text.strip()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("84", "expected YYYY, YYYY-MM or YYYY-MM-DD"),
        ("1984-5", "expected YYYY, YYYY-MM or YYYY-MM-DD"),
        ("1984/05/17", "expected YYYY, YYYY-MM or YYYY-MM-DD"),
        ("", "expected YYYY, YYYY-MM or YYYY-MM-DD"),
        ("١٩٨٤", "expected YYYY, YYYY-MM or YYYY-MM-DD"),
        ("1984-13", "not a calendar date"),
        ("1984-02-30", "not a calendar date"),
        ("1900-02-29", "not a calendar date"),
    ],
)
def test_partial_date_rejects_malformed_text(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PartialDate.parse(text)


def test_partial_date_needs_a_month_for_a_day() -> None:
    with pytest.raises(ValueError, match="needs a month"):
        PartialDate(1984, None, 3)


@pytest.mark.parametrize(
    ("left", "right", "compatible"),
    [
        ("1984", "1984-05-17", True),
        ("1984-05", "1984-05-17", True),
        ("1984-05-17", "1984-05-17", True),
        ("1984", "1985", False),
        ("1984-05", "1984-06-01", False),
        ("1984-05-17", "1984-05-18", False),
    ],
)
def test_partial_dates_are_compatible_when_known_parts_agree(
    left: str, right: str, compatible: bool
) -> None:
    a, b = PartialDate.parse(left), PartialDate.parse(right)
    assert a.is_compatible_with(b) is compatible
    assert b.is_compatible_with(a) is compatible


def test_partial_date_earliest_day() -> None:
    assert PartialDate.parse("1984").earliest() == date(1984, 1, 1)
    assert PartialDate.parse("1984-05").earliest() == date(1984, 5, 1)


def test_partial_date_in_a_model_accepts_text_and_dates_and_serialises_as_text() -> None:
    person = PersonData.model_validate(
        {"names": [{"full_name": "Ana Test"}], "birth_date": "1984-05"}
    )
    assert person.birth_date == PartialDate(1984, 5)
    assert person.model_dump(mode="json")["birth_date"] == "1984-05"
    assert PersonData.model_validate_json(person.model_dump_json()) == person
    from_date = PersonData(names=(PersonName(full_name="Ana Test"),), birth_date=date(1984, 5, 17))
    assert from_date.birth_date == PartialDate(1984, 5, 17)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1984, "a date must be text"),
        ("1984-13", "'1984-13' is not a calendar date"),
        (str(TOMORROW.year + 1), "is in the future"),
        (TOMORROW.isoformat(), "is in the future"),
    ],
)
def test_birth_date_errors_name_the_problem(value: Any, message: str) -> None:
    data = {"names": [{"full_name": "Ana Test"}], "birth_date": value}
    text = error_message(PersonData, data)
    assert "birth_date" in text
    assert message in text


def test_birth_date_this_year_is_not_in_the_future() -> None:
    person = PersonData.model_validate(
        {"names": [{"full_name": "Ana Test"}], "birth_date": str(date.today().year)}
    )
    assert person.birth_date == PartialDate(date.today().year)


# --- Names and scripts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "script"),
    [
        ("Marta Quellenberg", "Latin"),
        ("Éloïse N'Diaye-Ørsted", "Latin"),
        ("Марта Квелленберг", "Cyrillic"),
        ("يوسف الحداد", "Arabic"),
        ("דוד לוי", "Hebrew"),
        ("王小明", "Han"),
        ("김민준", "Hangul"),
        ("ヤマダ タロウ", "Katakana"),
        ("Ιωάννης Παππάς", "Greek"),
        ("Марта Quellenbergova", "Latin"),  # mixed: the script of most letters
        ("1234 - 56", None),
    ],
)
def test_detect_script(name: str, script: str | None) -> None:
    assert detect_script(name) == script


def test_person_name_records_its_detected_script_and_tidies_spaces() -> None:
    name = PersonName(full_name="  Марта   Квелленберг ")
    assert name.full_name == "Марта Квелленберг"
    assert name.script == "Cyrillic"


def test_person_name_accepts_a_given_script_that_matches() -> None:
    assert PersonName(full_name="Марта Quellenbergova", script="Cyrillic").script == "Cyrillic"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"full_name": "Marta", "script": "Cyrillic"}, "does not match the name 'Marta' (Latin)"),
        ({"full_name": "1234"}, "the name '1234' has no letters"),
        ({"full_name": "   "}, "full_name"),
        ({"given_name": "Marta"}, "full_name"),
    ],
)
def test_person_name_rejects(data: dict[str, Any], message: str) -> None:
    assert message in error_message(PersonName, data)


# --- Persons -------------------------------------------------------------------------------


def test_person_normalises_codes_and_drops_repeated_nationalities() -> None:
    person = PersonData.model_validate(
        {"names": [{"full_name": "Ana Test"}], "nationalities": ["fr", " FR", "ru"]}
    )
    assert person.nationalities == ("FR", "RU")


@pytest.mark.parametrize("code", ["XX", "FRA", "", "F1"])
def test_person_rejects_unknown_country_codes(code: str) -> None:
    text = error_message(PersonData, {"names": [{"full_name": "Ana"}], "nationalities": [code]})
    assert "nationalities.0" in text


def test_country_error_message_is_readable() -> None:
    text = error_message(PersonData, {"names": [{"full_name": "Ana"}], "nationalities": ["XX"]})
    assert "'XX' is not an ISO 3166-1 alpha-2 country code" in text


@pytest.mark.parametrize(
    "data",
    [
        {"physical_description": {"height_cm": 170}},
        {"photo_ref": "photo-3f2a"},
        {"names": [{"full_name": "Ana Test"}]},
    ],
)
def test_person_may_be_identified_by_name_description_or_photo(data: dict[str, Any]) -> None:
    PersonData.model_validate(data)


def test_person_without_any_identifier_is_rejected() -> None:
    text = error_message(PersonData, {"sex": "male", "birth_date": "1980"})
    assert "a person needs at least a name, a physical description or a photo" in text


def test_person_rejects_unknown_fields_and_is_immutable() -> None:
    assert "Extra inputs are not permitted" in error_message(
        PersonData, {"names": [{"full_name": "Ana"}], "eye_color": "blue"}
    )
    person = PersonData(names=(PersonName(full_name="Ana"),))
    with pytest.raises(ValidationError):
        person.sex = "female"  # type: ignore[misc,assignment]


@pytest.mark.parametrize(
    ("height", "accepted"), [(20, True), (300, True), (19, False), (301, False)]
)
def test_physical_description_height_bounds(height: int, accepted: bool) -> None:
    data = {"physical_description": {"height_cm": height}}
    if accepted:
        PersonData.model_validate(data)
    else:
        assert "height_cm" in error_message(PersonData, data)


# --- Identifiers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "stored"),
    [("ab 123-45", "AB12345"), ("19FV02841", "19FV02841"), ("12.34/56", "123456")],
)
def test_document_numbers_are_stored_without_case_or_separators(number: str, stored: str) -> None:
    document = IdentityDocument(document_type="passport", number=number)
    assert document.number == stored


@pytest.mark.parametrize("number", ["AB#123", "АВ123", " - ", "9" * 65])
def test_document_numbers_with_other_characters_are_rejected(number: str) -> None:
    text = error_message(IdentityDocument, {"document_type": "passport", "number": number})
    assert "Latin letters or digits" in text


def test_identity_document_cannot_expire_before_issue() -> None:
    data = {
        "document_type": "passport",
        "number": "X1",
        "issued_on": "2020-01-02",
        "expires_on": "2020-01-01",
    }
    assert "expires (2020-01-01) before it was issued (2020-01-02)" in error_message(
        IdentityDocument, data
    )
    IdentityDocument.model_validate({**data, "expires_on": "2030-01-01"})


# --- Travel documents ------------------------------------------------------------------------

STOLEN_PASSPORT = {
    "issuing_country": "FR",
    "document_type": "passport",
    "number": "18AB12345",
    "status": "stolen",
    "reported_on": "2024-01-15",
}


def test_travel_document_statuses_are_those_of_the_domain() -> None:
    assert {status.value for status in DocumentStatus} == {
        "stolen",
        "lost",
        "revoked",
        "invalidated",
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("status", "expired", "status"),
        ("document_type", "driving_licence", "document_type"),
        ("issuing_country", "XX", "issuing_country"),
        ("reported_on", TOMORROW.isoformat(), "is in the future"),
        ("reported_on", None, "reported_on"),
    ],
)
def test_travel_document_rejects(field: str, value: Any, message: str) -> None:
    assert message in error_message(TravelDocumentData, {**STOLEN_PASSPORT, field: value})


@pytest.mark.parametrize(("country", "allowed"), [("FR", True), ("fr", True), ("DE", False)])
def test_only_the_issuing_country_may_enter_its_documents(country: str, allowed: bool) -> None:
    document = TravelDocumentData.model_validate(STOLEN_PASSPORT)
    assert document.may_be_entered_by(country) is allowed


# --- Vehicles ------------------------------------------------------------------------------

VEHICLE = {"status": "stolen", "reported_on": "2024-02-01"}


@pytest.mark.parametrize(
    "identifiers",
    [
        {"vin": "WVWZZZ1JZXW000001"},
        {"vin": "wvw zzz 1jz xw000001"},
        {"vin": "124377B100001"},  # a pre-1981 serial: shorter than 17
        {"registration_number": "AB-123-CD", "registration_country": "FR"},
    ],
)
def test_vehicle_is_searchable_by_vin_or_registration(identifiers: dict[str, str]) -> None:
    VehicleData.model_validate({**VEHICLE, **identifiers})


@pytest.mark.parametrize(
    ("identifiers", "message"),
    [
        ({}, "a vehicle needs a VIN or a registration number"),
        ({"registration_number": "AB123CD"}, "needs its registration country"),
        ({"vin": "WVWZZZ1JZOW000001"}, "never contains the letters I, O or Q"),
        ({"vin": "WVW1"}, "the VIN 'WVW1' must have 5 to 17"),
        ({"vin": "WVWZZZ1JZXW0000012"}, "must have 5 to 17"),
    ],
)
def test_vehicle_rejects(identifiers: dict[str, str], message: str) -> None:
    assert message in error_message(VehicleData, {**VEHICLE, **identifiers})


# --- Notices ---------------------------------------------------------------------------------


def test_every_notice_type_of_the_domain_exists() -> None:
    assert {notice_type.value for notice_type in NoticeType} == {
        "red",
        "blue",
        "green",
        "yellow",
        "black",
        "orange",
        "purple",
        "silver",
        "un_special",
    }


def test_notice_round_trips_through_json() -> None:
    notice = NoticeData.model_validate(
        {
            "notice_type": "red",
            "kind": "diffusion",
            "subject": {"names": [{"full_name": "Ana Test"}], "birth_date": "1980-02"},
            "facts": "Armed robbery of a bank.",
            "judicial": {"maximum_penalty_months": 120, "purpose": "prosecution"},
        }
    )
    assert NoticeData.model_validate_json(notice.model_dump_json()) == notice


@pytest.mark.parametrize(
    ("judicial", "field"),
    [
        ({"maximum_penalty_months": -1}, "maximum_penalty_months"),
        ({"months_left_to_serve": 1201}, "months_left_to_serve"),
        ({"purpose": "revenge"}, "purpose"),
        ({"offence_category": "jaywalking"}, "offence_category"),
        ({"extradition_countries": ["XX"]}, "extradition_countries"),
    ],
)
def test_judicial_data_rejects(judicial: dict[str, Any], field: str) -> None:
    text = error_message(NoticeData, {"notice_type": "red", "judicial": judicial})
    assert f"judicial.{field}" in text
