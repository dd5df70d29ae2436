"""ICAO Doc 9303 MRZ parsing, against ICAO's published specimens (Utopia, 'UTO')."""

import json
from datetime import date

import pytest

from interlink.screening.mrz import (
    CheckDigit,
    MrzError,
    MrzFormat,
    check_digit,
    icao_to_alpha2,
    parse_mrz,
)

TODAY = date(2025, 11, 22)

# Doc 9303 Part 4 (TD3), Part 5 (TD1), Part 6 (TD2), Part 7 (MRV-A, MRV-B); the 12-character
# document number examples from Part 11 appendix D.2.
TD3 = "\n".join(
    ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
)
TD1 = "\n".join(
    [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ]
)
TD2 = "\n".join(["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"])
MRV_A = "\n".join(
    ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"]
)
MRV_B = "\n".join(["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"])
TD1_LONG = "\n".join(
    [
        "I<UTOD23145890<7349<<<<<<<<<<<",
        "3407127M9507122UTO<<<<<<<<<<<2",
        "STEVENSON<<PETER<JOHN<<<<<<<<<",
    ]
)
TD2_LONG = "\n".join(
    ["I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<", "D23145890<UTO3407127M95071227349<<<8"]
)


def td3(
    number: str = "L898902C3",
    state: str = "UTO",
    birth: str = "740812",
    expiry: str = "120415",
    personal: str = "ZE184226B",
    name: str = "ERIKSSON<<ANNA<MARIA",
    number_check: str | None = None,
) -> str:
    """A TD3 zone with correct check digits (but `number_check` if given)."""
    line1 = f"P<{state:<<3}{name}".ljust(44, "<")
    number, personal = number.ljust(9, "<"), personal.ljust(14, "<")
    body = (
        f"{number}{number_check or check_digit(number)}UTO{birth}{check_digit(birth)}F"
        f"{expiry}{check_digit(expiry)}{personal}{check_digit(personal)}"
    )
    return f"{line1}\n{body}{check_digit(body[0:10] + body[13:20] + body[21:43])}"


def parse(text: str):
    return parse_mrz(text, today=TODAY)


def test_the_test_builder_reproduces_the_icao_specimen():
    assert td3() == TD3


@pytest.mark.parametrize(
    ("data", "digit"),
    [("L898902C3", "6"), ("740812", "2"), ("120415", "9"), ("D23145890734", "9"), ("<<<<", "0")],
)
def test_check_digit_matches_icao_examples(data, digit):
    assert check_digit(data) == digit


@pytest.mark.parametrize(
    ("text", "fmt", "number", "checks"),
    [
        (TD3, MrzFormat.TD3, "L898902C3", 5),
        (TD1, MrzFormat.TD1, "D23145890", 4),
        (TD2, MrzFormat.TD2, "D23145890", 4),
        (MRV_A, MrzFormat.MRV_A, "L8988901C", 3),
        (MRV_B, MrzFormat.MRV_B, "L8988901C", 3),
        (TD1_LONG, MrzFormat.TD1, "D23145890734", 4),
        (TD2_LONG, MrzFormat.TD2, "D23145890734", 4),
    ],
)
def test_specimens_parse_and_every_check_digit_holds(text, fmt, number, checks):
    result = parse(text)
    assert result.format is fmt
    assert result.document_number == number
    assert len(result.check_digits) == checks
    assert all(check.valid for check in result.check_digits)
    assert result.valid
    assert result.corrections == ()


def test_td3_fields():
    result = parse(TD3)
    assert (result.document_code, result.issuing_state, result.nationality) == ("P", "UTO", "UTO")
    assert (result.surname, result.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert (result.birth_date, result.expiry_date) == (date(1974, 8, 12), date(2012, 4, 15))
    assert result.sex == "F"
    assert result.optional_data == "ZE184226B"
    assert [c.name for c in result.check_digits] == [
        "document_number",
        "birth_date",
        "expiry_date",
        "optional_data",
        "composite",
    ]
    assert result.issuing_country is None  # Utopia is not a country


def test_visas_have_no_composite_check_digit():
    for text in (MRV_A, MRV_B):
        assert "composite" not in {c.name for c in parse(text).check_digits}
    assert parse(MRV_A).optional_data == "6ZE184226B"
    assert parse(MRV_A).nationality == "XXX"


def test_only_two_line_zones_are_visas():
    assert parse(TD1.replace("I<UTO", "V<UTO")).format is MrzFormat.TD1


def test_long_td1_number_leaves_the_rest_of_the_optional_data():
    result = parse(TD1_LONG)
    assert (result.surname, result.given_names, result.sex) == ("STEVENSON", "PETER JOHN", "M")
    assert result.optional_data == ""
    assert result.check_digits[0] == CheckDigit("document_number", "9", "9", True)


@pytest.mark.parametrize("code", ["D", "DEU"])
def test_icao_state_codes_map_to_iso_alpha2(code):
    assert icao_to_alpha2(code) == "DE"
    assert parse(td3(state=code)).issuing_country == "DE"


def test_a_failed_check_digit_makes_the_zone_invalid_and_says_which():
    text = TD3.replace("7408122F", "7408123F")
    result = parse(text)
    assert not result.valid
    failed = [c for c in result.check_digits if not c.valid]
    # the composite covers the birth date check digit too
    assert [(c.name, c.expected, c.found) for c in failed] == [
        ("birth_date", "2", "3"),
        ("composite", "3", "0"),
    ]


def test_letters_in_numeric_fields_are_read_as_digits_and_named():
    text = TD3.replace("7408122F1204159", "74O8122F12O4I59")
    result = parse(text)
    assert result.valid
    assert result.lines == tuple(TD3.splitlines())
    assert {(c.field, c.line, c.column, c.found, c.corrected) for c in result.corrections} == {
        ("birth_date", 2, 16, "O", "0"),
        ("expiry_date", 2, 24, "O", "0"),
        ("expiry_date", 2, 26, "I", "1"),
    }


def test_digits_in_alphabetic_fields_are_read_as_letters():
    text = TD3.replace("P<UTOERIKSSON", "P<UT0ER1KSS0N")
    result = parse(text)
    assert result.valid
    assert (result.issuing_state, result.surname) == ("UTO", "ERIKSSON")
    assert {(c.field, c.found) for c in result.corrections} == {
        ("issuing_state", "0"),
        ("name", "1"),
        ("name", "0"),
    }


def test_a_digit_in_the_document_code_is_read_as_a_letter():
    result = parse(TD1.replace("I<UTO", "1<UTO"))
    assert (result.valid, result.document_code) == (True, "I")
    assert [(c.field, c.found, c.corrected) for c in result.corrections] == [
        ("document_code", "1", "I")
    ]


def test_the_document_number_is_repaired_by_the_swap_its_check_digit_asks_for():
    text = TD3.replace("L898902C3", "L8989O2C3")  # the 0 read as O
    result = parse(text)
    assert result.valid
    assert result.document_number == "L898902C3"
    [correction] = result.corrections
    assert (correction.field, correction.column, correction.found, correction.corrected) == (
        "document_number",
        6,
        "O",
        "0",
    )
    assert "check digit" in correction.reason


def test_an_ambiguous_repair_is_reported_not_applied():
    # '8' -> 'B' and '5' -> 'S' at two weight-7 positions change every check sum alike, so
    # when BAA5AAAAA is read as 8AA5AAAAA, the reading 8AASAAAAA fits the check digits too.
    result = parse(td3(number="BAA5AAAAA").replace("BAA5AAAAA", "8AA5AAAAA"))
    assert not result.valid
    assert result.document_number == "8AA5AAAAA"
    assert not any(c.field == "document_number" for c in result.corrections)
    [problem] = result.problems
    assert "BAA5AAAAA" in problem and "8AASAAAAA" in problem


def test_a_number_with_no_confusable_character_stays_invalid():
    wrong = str((int(check_digit("ACDEFGHJK")) + 1) % 10)
    result = parse(td3(number="ACDEFGHJK", number_check=wrong))
    assert not result.valid
    assert result.corrections == ()
    assert result.problems == ()  # nothing to report beyond the failed check digits


def test_an_unused_personal_number_may_carry_a_filler_check_digit():
    text = td3(personal="")
    line1, line2 = text.splitlines()
    filler = f"{line2[:42]}<{line2[43]}"
    assert parse(f"{line1}\n{filler}").valid
    used = td3(personal="AB")
    line1, line2 = used.splitlines()
    assert not parse(f"{line1}\n{line2[:42]}<{line2[43]}").valid


@pytest.mark.parametrize(
    ("birth", "expiry", "birth_date", "expiry_date"),
    [
        ("740812", "300101", date(1974, 8, 12), date(2030, 1, 1)),
        ("250101", "990101", date(2025, 1, 1), date(1999, 1, 1)),
        ("251231", "600101", date(1925, 12, 31), date(2060, 1, 1)),  # birth never after today
    ],
)
def test_two_digit_years_take_the_sensible_century(birth, expiry, birth_date, expiry_date):
    result = parse(td3(birth=birth, expiry=expiry))
    assert (result.birth_date, result.expiry_date) == (birth_date, expiry_date)


def test_a_date_that_is_not_a_date_is_a_problem():
    result = parse(td3(birth="741312"))
    assert result.birth_date is None
    assert not result.valid
    assert any("birth_date" in problem for problem in result.problems)


def test_an_unknown_birth_date_is_not_a_problem():
    result = parse(td3(birth="74<<<<"))
    assert result.birth_date is None
    assert result.valid


def test_a_full_name_field_may_be_truncated():
    assert not parse(TD3).name_truncated
    assert parse(td3(name="A" * 20 + "<<" + "B" * 17)).name_truncated


@pytest.mark.parametrize(
    "text",
    [
        TD3.replace("\n", ""),
        TD3.lower(),
        "\n  " + TD3.replace("\n", "\n   ").replace("<<<<<10", "<< <<<10") + "\n",
    ],
)
def test_input_layout_is_forgiving(text):
    assert parse(text).lines == tuple(TD3.splitlines())


@pytest.mark.parametrize(
    "text",
    ["", "hello", TD3 + "<", TD3.replace("P<UTO", "P#UTO"), "\n".join(TD3.splitlines()[:1] * 3)],
)
def test_text_that_is_not_an_mrz_raises(text):
    with pytest.raises(MrzError):
        parse(text)


def test_to_dict_is_json():
    result = parse(TD3.replace("74081", "74O81"))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["format"] == "TD3"
    assert data["valid"] is True
    assert data["birth_date"] == "1974-08-12"
    assert data["check_digits"][0] == {
        "name": "document_number",
        "expected": "6",
        "found": "6",
        "valid": True,
    }
    assert data["corrections"][0]["found"] == "O"


# --- long document numbers continued in the optional data (Doc 9303 Part 5, 4.2.4) ---------


def icao_check_digit(data: str) -> str:
    """The 7-3-1 check digit, computed here independently of the module under test."""
    values = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")} | {"<": 0}
    return str(sum(values[c] * (7, 3, 1)[i % 3] for i, c in enumerate(data)) % 10)


def belgian_td1(number: str, continuation_check: str | None = None) -> str:
    """A TD1 zone as Belgian identity cards write a number over nine characters: nine in the
    number field, '<' for its check digit, the rest and the whole number's check digit
    starting the optional data. The composite is computed over what is written."""
    check = continuation_check or icao_check_digit(number)
    line1 = f"IDBEL{number[:9]}<{number[9:]}{check}".ljust(30, "<")
    line2 = "8501019F3101012BEL".ljust(29, "<")
    line2 += icao_check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    return "\n".join([line1, line2, "DUPONT<<MARIE<LOUISE".ljust(30, "<")])


@pytest.mark.parametrize("number", ["5921234567", "592123456789", "B92123456789AZ"])
def test_a_long_number_continued_in_the_optional_data_validates(number: str) -> None:
    result = parse(belgian_td1(number))
    assert result.valid, (result.check_digits, result.problems)
    assert result.document_number == number
    assert result.optional_data == ""
    assert result.issuing_country == "BE"
    assert result.check_digits[0] == CheckDigit(
        "document_number", icao_check_digit(number), icao_check_digit(number), True
    )


def test_a_wrong_check_digit_in_the_continuation_fails_validation() -> None:
    number = "592123456789"
    wrong = str((int(icao_check_digit(number)) + 1) % 10)
    result = parse(belgian_td1(number, continuation_check=wrong))
    assert not result.valid
    failed = [c.name for c in result.check_digits if not c.valid]
    assert failed == ["document_number"]  # the composite was computed over the wrong digit
    assert result.document_number == number
