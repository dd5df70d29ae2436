"""VIN normalisation and check digits (ISO 3779; North American check digit, 49 CFR 565)."""

import json

import pytest

from interlink.screening.vin import (
    VinCheck,
    VinCorrection,
    VinError,
    normalise_vin,
    parse_vin,
    vin_check_digit,
)


@pytest.mark.parametrize(
    ("vin", "digit"),
    [
        ("1M8GDM9AXKP042788", "X"),  # the classic example whose remainder is 10
        ("11111111111111111", "1"),
        ("1HGCM82633A004352", "3"),
        ("5YJ3E1EA7KF317000", "2"),
    ],
)
def test_check_digit(vin, digit):
    assert vin_check_digit(vin) == digit


@pytest.mark.parametrize("vin", ["1M8GDM9AXKP042788", "1HGCM82633A004352", "11111111111111111"])
def test_north_american_vins_with_a_good_check_digit_are_valid(vin):
    assert parse_vin(vin).check is VinCheck.VALID


def test_a_north_american_vin_with_a_bad_check_digit_is_invalid():
    result = parse_vin("1HGCM82643A004352")
    assert result.check is VinCheck.INVALID
    assert (result.check_digit_expected, result.check_digit_found) == ("3", "4")


@pytest.mark.parametrize("vin", ["WVWZZZ1JZXW000001", "JHMCM56557C404453", "VF1AB000000000000"])
def test_elsewhere_the_check_digit_does_not_apply(vin):
    assert parse_vin(vin).check is VinCheck.NOT_APPLICABLE


def test_sections():
    result = parse_vin("1HGCM82633A004352")
    assert (result.wmi, result.vds, result.vis) == ("1HG", "CM8263", "3A004352")


def test_letters_a_vin_never_has_are_read_as_digits_and_reported():
    result = parse_vin(" 1hgcm8263-3a0o4352 ")
    assert result.vin == "1HGCM82633A004352"
    assert result.check is VinCheck.VALID
    assert result.corrections == (VinCorrection(13, "O", "0"),)
    assert parse_vin("1HGCM82633A004352").corrections == ()


@pytest.mark.parametrize(
    ("text", "normalised"),
    [("1hg cm8-2633", "1HGCM82633"), ("IOQ", "100"), ("ＷＶＷ", "WVW")],
)
def test_normalise_vin(text, normalised):
    assert normalise_vin(text) == normalised


@pytest.mark.parametrize(
    "text", ["", "1HGCM82633A00435", "1HGCM82633A0043521", "1HGCM8263ÄA004352"]
)
def test_not_a_vin(text):
    with pytest.raises(VinError):
        parse_vin(text)


def test_to_dict_is_json():
    data = json.loads(json.dumps(parse_vin("1HGCM82633A0O4352").to_dict()))
    assert data["check"] == "valid"
    assert data["corrections"] == [{"position": 13, "found": "O", "corrected": "0"}]
