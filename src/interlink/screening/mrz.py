"""ICAO Doc 9303 machine-readable zones: parse every field, check every digit, read OCR slips.

Formats, told apart by line count and length (and the document code 'V' for visas):

    TD1    3 x 30   identity cards (Part 5)
    TD2    2 x 36   identity cards (Part 6)
    TD3    2 x 44   passports (Part 4)
    MRV-A  2 x 44   visas (Part 7), no composite check digit
    MRV-B  2 x 36   visas (Part 7), no composite check digit

OCR tolerance: the OCR-B pairs 0/O, 1/I, 5/S, 8/B and 2/Z are read by the field's kind (a
letter in a date is a digit, a digit in a name is a letter). Alphanumeric fields (document
number, TD3 personal number) cannot be read that way; when their check digit fails, the
smallest set of swaps that makes it valid (and the composite, where there is one) is applied
if it is the only one. Every change is reported as a `Correction`.
"""

from __future__ import annotations

import enum
import string
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from itertools import combinations
from typing import Any

import pycountry

DIGIT_TO_LETTER = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"}
LETTER_TO_DIGIT = {letter: digit for digit, letter in DIGIT_TO_LETTER.items()}
OCR_SWAPS = DIGIT_TO_LETTER | LETTER_TO_DIGIT
"""Each OCR-confusable character mapped to the one it is mistaken for (both directions)."""

FILLER = "<"
_MRZ_CHARS = frozenset(string.digits + string.ascii_uppercase + FILLER)
_CHAR_VALUES = {c: v for v, c in enumerate(string.digits + string.ascii_uppercase)} | {FILLER: 0}
_WEIGHTS = (7, 3, 1)
# Swaps tried on an alphanumeric field whose check digit fails: 2 keeps it to at most
# 1 + 9 + 36 trials for a 9-character number while catching the usual single slip.
_MAX_SWAPS = 2

# ICAO codes that are not ISO 3166 alpha-3 but name a country (Doc 9303 Part 3, 5).
_ICAO_TO_ALPHA2 = {
    "D": "DE",
    "GBD": "GB",
    "GBN": "GB",
    "GBO": "GB",
    "GBP": "GB",
    "GBS": "GB",
    "RKS": "XK",
}


class MrzError(ValueError):
    """The text is not a machine-readable zone at all (wrong shape or characters).

    `template` is a msgid and `params` its values (extracted by the catalogs, translated
    where it is shown), so that parsing a zone needs no catalog."""

    def __init__(self, template: str, **params: Any) -> None:
        super().__init__(template % params if params else template)
        self.template, self.params = template, params


class MrzFormat(enum.StrEnum):
    TD1 = "TD1"
    TD2 = "TD2"
    TD3 = "TD3"
    MRV_A = "MRV-A"
    MRV_B = "MRV-B"


def check_digit(data: str) -> str:
    """The Doc 9303 check digit of `data`: weights 7-3-1, '<' = 0, A = 10 ... Z = 35."""
    total = sum(_CHAR_VALUES[c] * _WEIGHTS[i % 3] for i, c in enumerate(data))
    return str(total % 10)


def icao_to_alpha2(code: str) -> str | None:
    """ISO 3166 alpha-2 for an ICAO state code ('UTO', 'D', 'FRA'), or None if there is none."""
    code = code.strip(FILLER)
    if code in _ICAO_TO_ALPHA2:
        return _ICAO_TO_ALPHA2[code]
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    return country.alpha_2 if country else None


@dataclass(frozen=True, slots=True)
class CheckDigit:
    name: str
    expected: str
    found: str
    valid: bool


@dataclass(frozen=True, slots=True)
class Correction:
    """One character changed; line and column count from 1, as printed on the document."""

    field: str
    line: int
    column: int
    found: str
    corrected: str
    reason: str


@dataclass(frozen=True, slots=True)
class MrzResult:
    format: MrzFormat
    lines: tuple[str, ...]  # after corrections
    document_code: str
    issuing_state: str  # ICAO code as printed, e.g. "UTO", "D"
    issuing_country: str | None  # ISO alpha-2 where the code names a country
    document_number: str  # whole number, including a TD1/TD2 overflow
    surname: str
    given_names: str
    name_truncated: bool
    nationality: str
    nationality_country: str | None
    birth_date: date | None
    sex: str | None  # "F", "M", "X"; None when unspecified ('<')
    expiry_date: date | None
    optional_data: str
    optional_data_2: str  # TD1 only
    check_digits: tuple[CheckDigit, ...]
    corrections: tuple[Correction, ...]
    problems: tuple[str, ...]  # what makes the zone invalid besides failed check digits

    @property
    def valid(self) -> bool:
        return not self.problems and all(c.valid for c in self.check_digits)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able view, for the API and `interlink mrz parse --json`."""
        return {
            "format": str(self.format),
            "valid": self.valid,
            "lines": list(self.lines),
            "document_code": self.document_code,
            "issuing_state": self.issuing_state,
            "issuing_country": self.issuing_country,
            "document_number": self.document_number,
            "surname": self.surname,
            "given_names": self.given_names,
            "name_truncated": self.name_truncated,
            "nationality": self.nationality,
            "nationality_country": self.nationality_country,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex,
            "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
            "optional_data": self.optional_data,
            "optional_data_2": self.optional_data_2,
            "check_digits": [asdict(c) for c in self.check_digits],
            "corrections": [asdict(c) for c in self.corrections],
            "problems": list(self.problems),
        }


# --- layouts -----------------------------------------------------------------------------

Position = tuple[int, int]  # (line, column), both from 0


class _Kind(enum.Enum):
    ALPHA = "alphabetic"  # codes, names, sex: digits are OCR slips for letters
    NUMERIC = "numeric"  # dates: letters are OCR slips for digits
    ALNUM = "alphanumeric"  # numbers: only a check digit can tell


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    positions: tuple[Position, ...]
    kind: _Kind
    check_at: Position | None = None

    def text(self, grid: Sequence[Sequence[str]]) -> str:
        return "".join(grid[line][col] for line, col in self.positions)


def _positions(line: int, start: int, end: int) -> tuple[Position, ...]:
    return tuple((line, col) for col in range(start, end))


def _span(
    name: str, line: int, start: int, end: int, kind: _Kind, check_at: int | None = None
) -> _Field:
    check = None if check_at is None else (line, check_at)
    return _Field(name, _positions(line, start, end), kind, check)


@dataclass(frozen=True, slots=True)
class _Layout:
    format: MrzFormat
    fields: tuple[_Field, ...]
    composite: tuple[Position, ...] = ()  # characters covered by the composite check digit
    composite_at: Position | None = None
    number_overflows: bool = False  # TD1/TD2: numbers over 9 characters continue in optional data


def _two_line_layout(
    fmt: MrzFormat, length: int, optional_end: int, *, optional_checked: bool, composite: bool
) -> _Layout:
    """TD2, TD3 and both visas share their layout up to the expiry check digit (column 28)."""
    alpha, numeric, alnum = _Kind.ALPHA, _Kind.NUMERIC, _Kind.ALNUM
    fields = (
        _span("document_code", 0, 0, 2, alpha),
        _span("issuing_state", 0, 2, 5, alpha),
        _span("name", 0, 5, length, alpha),
        _span("document_number", 1, 0, 9, alnum, check_at=9),
        _span("nationality", 1, 10, 13, alpha),
        _span("birth_date", 1, 13, 19, numeric, check_at=19),
        _span("sex", 1, 20, 21, alpha),
        _span("expiry_date", 1, 21, 27, numeric, check_at=27),
        _span(
            "optional_data", 1, 28, optional_end, alnum, optional_end if optional_checked else None
        ),
    )
    if not composite:
        return _Layout(fmt, fields)
    covered = _positions(1, 0, 10) + _positions(1, 13, 20) + _positions(1, 21, length - 1)
    # Only TD2 lets a long document number continue in the optional data (Part 6).
    return _Layout(fmt, fields, covered, (1, length - 1), number_overflows=fmt is MrzFormat.TD2)


def _td1_layout() -> _Layout:
    alpha, numeric, alnum = _Kind.ALPHA, _Kind.NUMERIC, _Kind.ALNUM
    fields = (
        _span("document_code", 0, 0, 2, alpha),
        _span("issuing_state", 0, 2, 5, alpha),
        _span("document_number", 0, 5, 14, alnum, check_at=14),
        _span("optional_data", 0, 15, 30, alnum),
        _span("birth_date", 1, 0, 6, numeric, check_at=6),
        _span("sex", 1, 7, 8, alpha),
        _span("expiry_date", 1, 8, 14, numeric, check_at=14),
        _span("nationality", 1, 15, 18, alpha),
        _span("optional_data_2", 1, 18, 29, alnum),
        _span("name", 2, 0, 30, alpha),
    )
    covered = _positions(0, 5, 30) + _positions(1, 0, 7) + _positions(1, 8, 15)
    covered += _positions(1, 18, 29)
    return _Layout(MrzFormat.TD1, fields, covered, (1, 29), number_overflows=True)


# Keyed by (line count, line length, is a visa: a two-line zone whose document code is 'V').
_LAYOUTS = {
    (3, 30, False): _td1_layout(),
    (2, 36, False): _two_line_layout(MrzFormat.TD2, 36, 35, optional_checked=False, composite=True),
    (2, 36, True): _two_line_layout(
        MrzFormat.MRV_B, 36, 36, optional_checked=False, composite=False
    ),
    (2, 44, False): _two_line_layout(MrzFormat.TD3, 44, 42, optional_checked=True, composite=True),
    (2, 44, True): _two_line_layout(
        MrzFormat.MRV_A, 44, 44, optional_checked=False, composite=False
    ),
}
_SHAPES = {3 * 30: (3, 30), 2 * 36: (2, 36), 2 * 44: (2, 44)}


# --- parsing -------------------------------------------------------------------------------


def parse_mrz(text: str, *, today: date | None = None) -> MrzResult:
    """Parse an MRZ given as its lines (or as one run of 90, 72 or 88 characters).

    Raises MrzError when the text is not an MRZ. A zone with failed check digits is still
    parsed: see `MrzResult.valid`, `.check_digits` and `.problems`. `today` fixes the century
    of two-digit years (birth dates are never in the future).
    """
    lines = _read_lines(text)
    visa = len(lines) == 2 and lines[0].startswith("V")
    layout = _LAYOUTS[(len(lines), len(lines[0]), visa)]
    grid = [list(line) for line in lines]
    fields = _resolve_overflow(layout, grid)
    corrections = list(_correct_by_kind(layout, fields, grid))
    problems: list[str] = []
    for f in fields.values():
        if f.kind is _Kind.ALNUM and f.check_at is not None:
            corrections += _repair_by_swaps(f, layout, grid, problems)
    checks = _check_digits(layout, fields, grid)
    return _build_result(layout, fields, grid, checks, corrections, problems, today or date.today())


def _read_lines(text: str) -> list[str]:
    rows = ["".join(row.split()).upper() for row in text.strip().splitlines()]
    rows = [row for row in rows if row]
    if len(rows) == 1 and len(rows[0]) in _SHAPES:
        count, length = _SHAPES[len(rows[0])]
        rows = [rows[0][i * length : (i + 1) * length] for i in range(count)]
    shape = (len(rows), len(rows[0]) if rows else 0)
    if shape not in _SHAPES.values() or any(len(row) != shape[1] for row in rows):
        lengths = "+".join(str(len(row)) for row in rows) or "0"
        raise MrzError(
            "not a machine-readable zone: expected 3x30, 2x36 or 2x44 characters, got %(lengths)s",
            lengths=lengths,
        )
    for line_no, row in enumerate(rows, 1):
        for col, char in enumerate(row, 1):
            if char not in _MRZ_CHARS:
                raise MrzError(
                    "not a machine-readable zone: %(char)r at line %(line)s, column %(column)s",
                    char=char,
                    line=line_no,
                    column=col,
                )
    return rows


def _resolve_overflow(layout: _Layout, grid: list[list[str]]) -> dict[str, _Field]:
    """Fields by name, with a long TD1/TD2 document number joined to its continuation.

    Doc 9303 (Part 5 4.2.4, Part 6): a filler in the number's check digit position means the
    number continues in the optional data, followed by its check digit and a filler.
    """
    fields = {f.name: f for f in layout.fields}
    number, optional = fields["document_number"], fields["optional_data"]
    line, col = number.check_at or (0, 0)
    if not layout.number_overflows or grid[line][col] != FILLER:
        return fields
    run = []
    for pos in optional.positions:
        if grid[pos[0]][pos[1]] == FILLER:
            break
        run.append(pos)
    if len(run) < 2:  # a continuation needs at least one character and its check digit
        return fields
    fields["document_number"] = _Field(
        number.name, number.positions + tuple(run[:-1]), _Kind.ALNUM, run[-1]
    )
    rest = optional.positions[len(run) + 1 :]
    fields["optional_data"] = _Field(optional.name, rest, _Kind.ALNUM)
    return fields


def _correct_by_kind(
    layout: _Layout, fields: dict[str, _Field], grid: list[list[str]]
) -> Iterator[Correction]:
    """Apply the OCR pairs where the field's kind says which reading is right."""
    for f in fields.values():
        table = {_Kind.ALPHA: DIGIT_TO_LETTER, _Kind.NUMERIC: LETTER_TO_DIGIT}.get(f.kind)
        if table:
            yield from _replace(grid, f.name, f.positions, table, f"{f.kind.value} field")
        if f.check_at:
            yield from _replace(grid, f.name, (f.check_at,), LETTER_TO_DIGIT, "check digit")
    if layout.composite_at:
        yield from _replace(
            grid, "composite", (layout.composite_at,), LETTER_TO_DIGIT, "check digit"
        )


def _replace(
    grid: list[list[str]],
    name: str,
    positions: Sequence[Position],
    table: dict[str, str],
    reason: str,
) -> Iterator[Correction]:
    for line, col in positions:
        found = grid[line][col]
        if found in table:
            grid[line][col] = table[found]
            yield Correction(name, line + 1, col + 1, found, table[found], reason)


def _repair_by_swaps(
    f: _Field, layout: _Layout, grid: list[list[str]], problems: list[str]
) -> list[Correction]:
    """Fix an alphanumeric field whose check digit fails with the fewest OCR swaps.

    Applied only when exactly one smallest set of swaps satisfies the field's check digit
    and the composite (where the format has one); otherwise the candidates are reported.
    """
    assert f.check_at is not None
    found = grid[f.check_at[0]][f.check_at[1]]
    if not found.isdigit() or check_digit(f.text(grid)) == found:
        return []
    swappable = [pos for pos in f.positions if grid[pos[0]][pos[1]] in OCR_SWAPS]
    for count in range(1, _MAX_SWAPS + 1):
        trials = ((combo, _with_swaps(grid, combo)) for combo in combinations(swappable, count))
        fits = [(combo, trial) for combo, trial in trials if _fits(trial, f, layout)]
        if len(fits) == 1:
            reason = f"makes the {f.name} check digit valid"
            return list(_replace(grid, f.name, fits[0][0], OCR_SWAPS, reason))
        if fits:
            readings = ", ".join(sorted(f.text(trial) for _, trial in fits))
            problems.append(f"{f.name}: several OCR readings fit the check digits: {readings}")
            return []
    return []


def _with_swaps(grid: list[list[str]], combo: Sequence[Position]) -> list[list[str]]:
    trial = [row[:] for row in grid]
    for line, col in combo:
        trial[line][col] = OCR_SWAPS[trial[line][col]]
    return trial


def _fits(trial: list[list[str]], f: _Field, layout: _Layout) -> bool:
    """Do the field's check digit and the composite (if any) hold in `trial`?"""
    assert f.check_at is not None
    if check_digit(f.text(trial)) != trial[f.check_at[0]][f.check_at[1]]:
        return False
    if layout.composite_at is None:
        return True
    composite = "".join(trial[line][col] for line, col in layout.composite)
    return check_digit(composite) == trial[layout.composite_at[0]][layout.composite_at[1]]


def _check_digits(
    layout: _Layout, fields: dict[str, _Field], grid: list[list[str]]
) -> tuple[CheckDigit, ...]:
    checks = [
        _check(f.name, f.text(grid), grid[f.check_at[0]][f.check_at[1]])
        for f in fields.values()
        if f.check_at is not None
    ]
    if layout.composite_at:
        composite = "".join(grid[line][col] for line, col in layout.composite)
        line, col = layout.composite_at
        checks.append(_check("composite", composite, grid[line][col]))
    return tuple(checks)


def _check(name: str, data: str, found: str) -> CheckDigit:
    expected = check_digit(data)
    # An unused TD3 personal number may carry a filler as its check digit (Part 4, 4.2.2).
    unused = found == FILLER and set(data) == {FILLER}
    return CheckDigit(name, expected, found, found == expected or unused)


def _build_result(
    layout: _Layout,
    fields: dict[str, _Field],
    grid: list[list[str]],
    checks: tuple[CheckDigit, ...],
    corrections: list[Correction],
    problems: list[str],
    today: date,
) -> MrzResult:
    def text(name: str) -> str:
        return fields[name].text(grid).replace(FILLER, " ").strip() if name in fields else ""

    raw_name = fields["name"].text(grid)
    surname, _, given = raw_name.partition(FILLER * 2)
    birth = _read_date(fields["birth_date"].text(grid), "birth_date", problems, today, birth=True)
    expiry = _read_date(
        fields["expiry_date"].text(grid), "expiry_date", problems, today, birth=False
    )
    sex = fields["sex"].text(grid)
    if sex not in "FMX<":
        problems.append(f"sex: {sex!r} is not F, M, X or <")
    state, nationality = text("issuing_state"), text("nationality")
    return MrzResult(
        format=layout.format,
        lines=tuple("".join(row) for row in grid),
        document_code=text("document_code").replace(" ", ""),
        issuing_state=state,
        issuing_country=icao_to_alpha2(state),
        document_number=fields["document_number"].text(grid).replace(FILLER, ""),
        surname=surname.replace(FILLER, " ").strip(),
        given_names=given.replace(FILLER, " ").strip(),
        name_truncated=not raw_name.endswith(FILLER),
        nationality=nationality,
        nationality_country=icao_to_alpha2(nationality),
        birth_date=birth,
        sex=sex if sex in "FMX" else None,
        expiry_date=expiry,
        optional_data=text("optional_data"),
        optional_data_2=text("optional_data_2"),
        check_digits=checks,
        corrections=tuple(corrections),
        problems=tuple(problems),
    )


def _read_date(
    raw: str, name: str, problems: list[str], today: date, *, birth: bool
) -> date | None:
    """YYMMDD to a date: a birth date takes the latest century not after today, any other
    date the century nearest today. Fillers (an unknown date) give None without a problem."""
    if FILLER in raw:
        return None
    candidates = []
    for century in (today.year // 100 - 1, today.year // 100, today.year // 100 + 1):
        try:
            candidates.append(date(century * 100 + int(raw[:2]), int(raw[2:4]), int(raw[4:])))
        except ValueError:  # not digits, no such month or day, or 29 February in that century
            continue
    if birth:
        candidates = [d for d in candidates if d <= today]
    if not candidates:
        problems.append(f"{name}: {raw!r} is not a date")
        return None
    return max(candidates) if birth else min(candidates, key=lambda d: abs(d - today))
