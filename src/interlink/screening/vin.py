"""Vehicle identification numbers (ISO 3779): normalise, split, and test the check digit.

A VIN has 17 characters from [0-9A-Z] without I, O and Q (so an I, O or Q read from a label
is taken as 1, 0, 0, and reported). Position 9 is a check digit only where the law makes it
one: North America (WMI starting 1-5, 49 CFR 565). Elsewhere it is reported "not applicable".
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

VIN_LENGTH = 17
_MISREAD = {"I": "1", "O": "0", "Q": "0"}  # letters ISO 3779 leaves out, for their look-alikes
_CLEAN = re.compile("[0-9A-HJ-NPR-Z]*")
_TRANSLITERATION = (
    {str(d): d for d in range(10)}
    | dict(zip("ABCDEFGH", range(1, 9), strict=True))
    | dict(zip("JKLMN", range(1, 6), strict=True))
    | {"P": 7, "R": 9}
    | dict(zip("STUVWXYZ", range(2, 10), strict=True))
)
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_CHECK_POSITION = 8  # from 0
_NORTH_AMERICA = frozenset("12345")  # first WMI character: United States, Canada, Mexico


class VinError(ValueError):
    """Not a 17-character VIN."""


class VinCheck(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True, slots=True)
class VinCorrection:
    position: int  # from 1
    found: str
    corrected: str


@dataclass(frozen=True, slots=True)
class VinResult:
    vin: str
    wmi: str  # world manufacturer identifier, positions 1-3
    vds: str  # vehicle descriptor section, 4-9 (9 is the check digit where it applies)
    vis: str  # vehicle identifier section, 10-17
    check: VinCheck
    check_digit_expected: str
    check_digit_found: str
    corrections: tuple[VinCorrection, ...]

    def to_dict(self) -> dict[str, Any]:
        result = asdict(self)
        result["check"] = str(self.check)
        return result


def normalise_vin(text: str) -> str:
    """Upper-case letters and digits, with I, O, Q read as 1, 0, 0: ' 1hg-cm82 ' -> '1HGCM82'."""
    if _CLEAN.fullmatch(text):
        return text  # the common case, already clean
    cleaned = (c for c in unicodedata.normalize("NFKC", text).upper() if c.isalnum())
    return "".join(_MISREAD.get(c, c) for c in cleaned)


def vin_check_digit(vin: str) -> str:
    """The North American check digit of a 17-character VIN: weighted sum mod 11, 10 is 'X'."""
    total = sum(_TRANSLITERATION[c] * w for c, w in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def parse_vin(text: str) -> VinResult:
    """Split and check a VIN; raises VinError unless it has 17 valid characters."""
    cleaned = "".join(c for c in unicodedata.normalize("NFKC", text).upper() if c.isalnum())
    corrections = tuple(
        VinCorrection(i, c, _MISREAD[c]) for i, c in enumerate(cleaned, 1) if c in _MISREAD
    )
    vin = normalise_vin(cleaned)
    if len(vin) != VIN_LENGTH or any(c not in _TRANSLITERATION for c in vin):
        raise VinError(f"not a VIN: {text!r} (17 characters from 0-9 and A-Z without I, O, Q)")
    expected, found = vin_check_digit(vin), vin[_CHECK_POSITION]
    if vin[0] not in _NORTH_AMERICA:
        check = VinCheck.NOT_APPLICABLE
    else:
        check = VinCheck.VALID if expected == found else VinCheck.INVALID
    return VinResult(vin, vin[:3], vin[3:9], vin[9:], check, expected, found, corrections)
