"""Data shapes of records, notices and diffusions.

These models check the shape of one piece of data (formats, codes, dates, cross-field
coherence inside a record). Whether a notice is complete and admissible is a separate
question answered by `records.checks`, so that an incomplete draft can still be saved and
the reviewer sees every problem with a reason.

Every model forbids unknown fields and is frozen. Pydantic's strict mode is not used: it
would refuse ISO date strings and enum values coming from Python dicts (CLI, CSV, forms).
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Self

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import core_schema
from rigour.text.scripts import codepoint_script, text_scripts

from interlink.core.i18n import N_, Msg, msg, worded
from interlink.core.validation import invalid

# --- Reusable field types -------------------------------------------------------------------

ISO_ALPHA2_CODES = frozenset(country.alpha_2 for country in pycountry.countries)


def _upper_stripped(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _check_country_code(code: str) -> str:
    if code not in ISO_ALPHA2_CODES:
        raise invalid(
            "country_code",
            msg(
                "'%(code)s' is not an ISO 3166-1 alpha-2 country code (two letters, e.g. FR)",
                code=code,
            ),
        )
    return code


CountryCode = Annotated[str, BeforeValidator(_upper_stripped), AfterValidator(_check_country_code)]
"""An ISO 3166-1 alpha-2 code, upper case (input is trimmed and upper-cased first)."""

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]


def _collapse_spaces(value: str) -> str:
    return " ".join(value.split())


NameText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(_collapse_spaces),
]
"""A name: runs of white space are collapsed to one space."""

Months = Annotated[int, Field(ge=0, le=1200)]  # 100 years; a life sentence is entered as 1200

_IDENTIFIER_SEPARATORS = re.compile(r"[\s\-./]+")
_IDENTIFIER = re.compile(r"[0-9A-Z]+")


def _identifier(what: str, min_length: int, max_length: int) -> AfterValidator:
    """Document numbers, VINs and plates are stored upper case without separators, so that
    `ab 123-45` and `AB12345` are the same number."""

    def normalise(value: str) -> str:
        normalised = _IDENTIFIER_SEPARATORS.sub("", value).upper()
        if not (min_length <= len(normalised) <= max_length and _IDENTIFIER.fullmatch(normalised)):
            raise invalid(
                "identifier",
                msg(
                    "%(what)s '%(value)s' must have %(min_length)s to %(max_length)s Latin "
                    "letters or digits (spaces, hyphens, dots and slashes are ignored)",
                    what=msg(what),
                    value=value,
                    min_length=min_length,
                    max_length=max_length,
                ),
            )
        return normalised

    return AfterValidator(normalise)


DocumentNumber = Annotated[str, _identifier(N_("the document number"), 1, 64)]

# Sanctions lists and their exports often write a number with a label or a remark:
# "INN: 7707083893", "Tax ID No. 1234-5678", "Passport 1084010 (Egypt) expires 2011".
_REMARK = re.compile(r"\([^()]*\)")
_NUMBER_MARKER = re.compile(r"^.*?(?::|\b(?:no|nr|nos|num|number)\b\.?|\bn[°º])\s*", re.I)
_WORD = re.compile(r"(?:[^\W\d_]\.?){3,}")  # "Passport", "expires", "C.U.R.P."


def number_from_label(text: str) -> str:
    """The number in a labelled identifier, as found (before `DocumentNumber` normalises it).

    Parenthesised remarks go, then the text up to the first colon or number marker (No.,
    Nr., Number, N°). The number is the run of parts around the first part with a digit,
    stopped by words of three or more letters on either side ("Passport 1084010 expires
    2011" -> "1084010", "RIF J-31069374-9" -> "J-31069374-9"); one or two letters standing
    apart stay ("AB 123456"). A text without a digit is returned as it is.
    """
    rest = " ".join(_REMARK.sub(" ", text).split())
    parts = _NUMBER_MARKER.sub("", rest, count=1).lstrip(":.- ").split(" ")
    first = next((i for i, part in enumerate(parts) if any(c.isdigit() for c in part)), None)
    if first is None:
        return " ".join(parts)
    start, end = first, first + 1
    while start > 0 and not _WORD.fullmatch(parts[start - 1]):
        start -= 1
    while end < len(parts) and not _WORD.fullmatch(parts[end]):
        end += 1
    return " ".join(parts[start:end])


RegistrationNumber = Annotated[str, _identifier(N_("the registration number"), 1, 20)]


def _check_vin(vin: str) -> str:
    # ISO 3779 VINs have 17 characters without I, O or Q; vehicles built before 1981
    # carry shorter manufacturer serials, which are accepted as they are.
    if len(vin) == 17 and re.search(r"[IOQ]", vin):
        raise invalid(
            "vin",
            msg("a 17-character VIN never contains the letters I, O or Q: '%(vin)s'", vin=vin),
        )
    return vin


Vin = Annotated[str, _identifier(N_("the VIN"), 5, 17), AfterValidator(_check_vin)]


class RecordModel(BaseModel):
    """Base of every record shape: unknown fields are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --- Partial dates ----------------------------------------------------------------------------

_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
# date()'s own reasons, shown in the reader's language (the English as Python wrote it).
_CALENDAR_REASONS = {
    "month must be in 1..12": N_("the month must be from 1 to 12"),
    "day is out of range for month": N_("the day is out of range for the month"),
}


def _calendar_reason(error: ValueError) -> str:
    reason = error.args[0] if error.args else str(error)
    if isinstance(reason, Msg):
        return reason
    msgid = _CALENDAR_REASONS.get(str(reason))
    return worded(str(reason), msgid) if msgid else str(reason)


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to the year, the month or the day: `1984`, `1984-05` or `1984-05-17`."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError(msg("a partial date with a day needs a month"))
        # date() checks the calendar: month 1-12, 30 February, leap years.
        date(self.year, self.month or 1, self.day or 1)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; raise ValueError with a readable message."""
        match = _PARTIAL_DATE.fullmatch(text.strip())
        if match is None:
            raise ValueError(
                msg("'%(text)s' is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD", text=text)
            )
        year, month, day = (int(part) if part else None for part in match.groups())
        try:
            return cls(year, month, day)  # type: ignore[arg-type]
        except ValueError as error:
            raise ValueError(
                msg(
                    "'%(text)s' is not a calendar date (%(reason)s)",
                    text=text,
                    reason=_calendar_reason(error),
                )
            ) from None

    @classmethod
    def from_date(cls, value: date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def earliest(self) -> date:
        """The first day this partial date may stand for."""
        return date(self.year, self.month or 1, self.day or 1)

    def is_compatible_with(self, other: PartialDate) -> bool:
        """True when both may be the same day: they agree on every part both know."""
        return (
            self.year == other.year
            and (self.month is None or other.month is None or self.month == other.month)
            and (self.day is None or other.day is None or self.day == other.day)
        )

    @classmethod
    def _validate(cls, value: Any) -> PartialDate:
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, date):
            return cls.from_date(value)
        if not isinstance(value, str):
            raise invalid(
                "partial_date_type", msg("a date must be text: YYYY, YYYY-MM or YYYY-MM-DD")
            )
        try:
            return cls.parse(value)
        except ValueError as error:
            raise invalid("partial_date", error.args[0]) from None  # parse's Msg

    @classmethod
    def __get_pydantic_core_schema__(
        cls, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            json_schema_input_schema=core_schema.str_schema(pattern=f"^{_PARTIAL_DATE.pattern}$"),
            serialization=core_schema.to_string_ser_schema(),
        )


def _not_in_future(value: PartialDate | date | None) -> Any:
    first_day = value.earliest() if isinstance(value, PartialDate) else value
    if first_day is not None and first_day > date.today():
        raise invalid("future_date", msg("the date %(value)s is in the future", value=str(value)))
    return value


PastPartialDate = Annotated[PartialDate, AfterValidator(_not_in_future)]
PastDate = Annotated[date, AfterValidator(_not_in_future)]


# --- Persons ----------------------------------------------------------------------------------


def detect_script(text: str) -> str | None:
    """The Unicode script (long name, e.g. `Latin`, `Cyrillic`, `Han`) of most letters in text.

    None when the text has no letters. Japanese names mixing Han and kana get the script of
    the majority of their characters.
    """
    scripts = text_scripts(text)
    if len(scripts) <= 1:
        return next(iter(scripts), None)
    counts = Counter(codepoint_script(ord(char)) for char in text if char.isalnum())
    return max(scripts, key=lambda script: counts[script])


class Sex(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"


class PersonName(RecordModel):
    """One name of a person, as written in one script."""

    full_name: NameText
    given_name: NameText | None = None
    family_name: NameText | None = None
    script: str = Field(
        default_factory=lambda data: detect_script(data.get("full_name", "")) or "",
        description="Unicode script of the name (e.g. Latin, Cyrillic); detected when not given.",
    )

    @model_validator(mode="after")
    def _script_matches_name(self) -> Self:
        scripts = text_scripts(self.full_name)
        if not scripts:
            raise invalid(
                "name_without_letters",
                msg("the name '%(name)s' has no letters", name=self.full_name),
            )
        if self.script not in scripts:
            raise invalid(
                "script_mismatch",
                msg(
                    "the script '%(script)s' does not match the name '%(name)s' (%(found)s)",
                    script=self.script,
                    name=self.full_name,
                    found=", ".join(sorted(scripts)),
                ),
            )
        return self


class PhysicalDescription(RecordModel):
    height_cm: Annotated[int, Field(ge=20, le=300)] | None = None
    weight_kg: Annotated[int, Field(ge=1, le=500)] | None = None
    eye_colour: ShortText | None = None
    hair_colour: ShortText | None = None
    description: LongText | None = Field(
        default=None, description="Build, scars, tattoos and other distinguishing marks."
    )


class DocumentType(enum.StrEnum):
    PASSPORT = "passport"
    ID_CARD = "id_card"
    VISA = "visa"
    RESIDENCE_PERMIT = "residence_permit"
    OTHER = "other"


NumberAsGiven = Annotated[
    str | None,
    Field(
        default=None,
        max_length=300,
        description="The number as the source wrote it, when it carries a label or a remark "
        "(e.g. 'INN: 7707083893'); `number` is what screening matches.",
    ),
]


class IdentityDocument(RecordModel):
    """A document a person holds, recorded as part of their identity."""

    document_type: DocumentType
    number: DocumentNumber
    number_as_given: NumberAsGiven = None
    issuing_country: CountryCode | None = None
    issued_on: date | None = None
    expires_on: date | None = None

    @model_validator(mode="after")
    def _expires_after_issue(self) -> Self:
        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            raise invalid(
                "expiry_before_issue",
                msg(
                    "document %(number)s expires (%(expires)s) before it was issued (%(issued)s)",
                    number=self.number,
                    expires=self.expires_on,
                    issued=self.issued_on,
                ),
            )
        return self


_UNSEARCHABLE = msg("a vehicle needs a VIN or a registration number")


class VehicleRef(RecordModel):
    """A vehicle a person is known to use: its VIN, or its plate and registration country.
    The subject page lists the vehicle records with these keys."""

    vin: Vin | None = None
    registration_number: RegistrationNumber | None = None
    registration_country: CountryCode | None = None

    @model_validator(mode="after")
    def _identifiable(self) -> Self:
        if self.vin is None and self.registration_number is None:
            raise invalid("vehicle_unsearchable", _UNSEARCHABLE)
        return self


PhotoRef = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^\S+$")
]


class NameParts(RecordModel):
    """The parts of a person's name as a source gave them (FollowTheMoney's `title`,
    `firstName`, `secondName`, `middleName`, `fatherName`, `motherName`, `lastName`,
    `nameSuffix`), kept so that an export gives them back; screening compares full names."""

    titles: tuple[NameText, ...] = ()
    first_names: tuple[NameText, ...] = ()
    second_names: tuple[NameText, ...] = ()
    middle_names: tuple[NameText, ...] = ()
    father_names: tuple[NameText, ...] = ()
    mother_names: tuple[NameText, ...] = ()
    last_names: tuple[NameText, ...] = ()
    name_suffixes: tuple[NameText, ...] = ()


class PersonData(RecordModel):
    """A person record. An unidentified person (Black, Yellow) may have no name at all."""

    names: tuple[PersonName, ...] = ()
    aliases: tuple[PersonName, ...] = ()
    previous_names: tuple[PersonName, ...] = Field(
        default=(), description="Names the person was known by before (screened like aliases)."
    )
    name_parts: NameParts | None = None
    sex: Sex | None = None
    birth_date: PastPartialDate | None = None
    birth_place: ShortText | None = None
    nationalities: tuple[CountryCode, ...] = ()
    physical_description: PhysicalDescription | None = None
    identity_documents: tuple[IdentityDocument, ...] = ()
    vehicles: tuple[VehicleRef, ...] = ()
    photo_ref: PhotoRef | None = Field(default=None, description="Key of the stored photo.")

    @field_validator("nationalities")
    @classmethod
    def _drop_repeated_nationalities(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(codes))

    @model_validator(mode="after")
    def _identifiable(self) -> Self:
        if not (self.names or self.physical_description or self.photo_ref):
            raise invalid(
                "person_unidentifiable",
                msg("a person needs at least a name, a physical description or a photo"),
            )
        return self

    def all_full_names(self) -> list[str]:
        """Names, aliases and previous names, names first."""
        return [name.full_name for name in (*self.names, *self.aliases, *self.previous_names)]


# --- Travel documents and vehicles ------------------------------------------------------------


class DocumentStatus(enum.StrEnum):
    STOLEN = "stolen"
    LOST = "lost"
    REVOKED = "revoked"
    INVALIDATED = "invalidated"


class TravelDocumentData(RecordModel):
    """A stolen, lost, revoked or invalidated travel document (SLTD record)."""

    issuing_country: CountryCode
    document_type: DocumentType
    number: DocumentNumber
    number_as_given: NumberAsGiven = None
    status: DocumentStatus
    reported_on: PastDate

    def may_be_entered_by(self, member_country: str) -> bool:
        """Only the issuing country's bureau may enter its documents."""
        return member_country.upper() == self.issuing_country


class VehicleStatus(enum.StrEnum):
    STOLEN = "stolen"
    MISAPPROPRIATED = "misappropriated"  # e.g. a leased or rented vehicle never returned
    RECOVERED = "recovered"


class VehicleData(RecordModel):
    vin: Vin | None = None
    registration_number: RegistrationNumber | None = None
    registration_country: CountryCode | None = None
    make: ShortText | None = None
    model: ShortText | None = None
    colour: ShortText | None = None
    status: VehicleStatus
    reported_on: PastDate

    @model_validator(mode="after")
    def _searchable(self) -> Self:
        if self.vin is None and self.registration_number is None:
            raise invalid("vehicle_unsearchable", _UNSEARCHABLE)
        if self.registration_number is not None and self.registration_country is None:
            raise invalid(
                "registration_without_country",
                msg(
                    "registration number %(plate)s needs its registration country",
                    plate=self.registration_number,
                ),
            )
        return self


# --- Notices and diffusions -------------------------------------------------------------------


class NoticeType(enum.StrEnum):
    RED = "red"
    BLUE = "blue"
    GREEN = "green"
    YELLOW = "yellow"
    BLACK = "black"
    ORANGE = "orange"
    PURPLE = "purple"
    SILVER = "silver"
    UN_SPECIAL = "un_special"


class NoticeKind(enum.StrEnum):
    NOTICE = "notice"  # published by the General Secretariat to all members, after review
    DIFFUSION = "diffusion"  # sent by a bureau to the members it chooses, reviewed afterwards


class JudicialPurpose(enum.StrEnum):
    PROSECUTION = "prosecution"
    SENTENCE = "sentence"


class OffenceCategory(enum.StrEnum):
    """Offence categories. The last four are excluded from notices (see records.checks)."""

    HOMICIDE = "homicide"
    ASSAULT = "assault"
    SEXUAL_OFFENCE = "sexual_offence"
    CHILD_SEXUAL_ABUSE = "child_sexual_abuse"
    KIDNAPPING = "kidnapping"
    TRAFFICKING_IN_HUMAN_BEINGS = "trafficking_in_human_beings"
    MIGRANT_SMUGGLING = "migrant_smuggling"
    DRUG_TRAFFICKING = "drug_trafficking"
    FIREARMS_TRAFFICKING = "firearms_trafficking"
    TERRORISM = "terrorism"
    ORGANISED_CRIME = "organised_crime"
    ROBBERY = "robbery"
    THEFT = "theft"
    FRAUD = "fraud"
    MONEY_LAUNDERING = "money_laundering"
    CORRUPTION = "corruption"
    CYBERCRIME = "cybercrime"
    COUNTERFEITING = "counterfeiting"
    ENVIRONMENTAL_CRIME = "environmental_crime"
    INTERNATIONAL_CRIME = "international_crime"  # genocide, war crimes, crimes against humanity
    OTHER_SERIOUS_CRIME = "other_serious_crime"
    BEHAVIOUR_OR_CULTURAL_NORMS = "behaviour_or_cultural_norms"
    FAMILY_OR_PRIVATE_MATTER = "family_or_private_matter"
    ADMINISTRATIVE_OFFENCE = "administrative_offence"
    PRIVATE_DISPUTE = "private_dispute"


class JudicialData(RecordModel):
    """The legal basis of a request. Fields are optional so a draft can be saved; the
    compliance checks say which ones a given notice type needs."""

    offence_description: LongText | None = None
    offence_category: OffenceCategory | None = None
    law_reference: ShortText | None = None
    maximum_penalty_months: Months | None = None
    purpose: JudicialPurpose | None = None
    months_left_to_serve: Months | None = None
    warrant_reference: ShortText | None = Field(
        default=None, description="Reference of the arrest warrant or of the judgment."
    )
    warrant_date: date | None = None
    issuing_authority: ShortText | None = None
    extradition_countries: tuple[CountryCode, ...] = ()


class NoticeData(RecordModel):
    """The content of a notice or diffusion request, as the requesting bureau enters it."""

    notice_type: NoticeType
    kind: NoticeKind = NoticeKind.NOTICE
    subject: PersonData | None = None
    object_description: LongText | None = Field(
        default=None,
        description="Threat (Orange), modus operandi (Purple), assets (Silver) or "
        "sanctioned entity (UN Special).",
    )
    facts: LongText | None = None
    judicial: JudicialData | None = None
    public_extract_consent: bool = False

    def narrative_texts(self) -> dict[str, str]:
        """The free texts a reviewer reads, by the name shown in check reasons."""
        texts = {
            "facts": self.facts,
            "offence description": self.judicial.offence_description if self.judicial else None,
            "object description": self.object_description,
        }
        return {label: text for label, text in texts.items() if text}
