"""Request bodies of the screening API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CountryCode = Field(default=None, pattern=r"^[A-Za-z]{2}$")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PersonCheck(_In):
    name: str = Field(min_length=1, max_length=300)
    birth_date: str | None = Field(default=None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    nationality: str | None = CountryCode
    sex: Literal["male", "female", "other"] | None = None
    limit: int = Field(default=10, ge=1, le=50)
    threshold: float = Field(default=0.7, ge=0.0, le=1.0)


class DocumentCheck(_In):
    number: str | None = Field(default=None, min_length=1, max_length=64)
    country: str | None = CountryCode
    doc_type: str | None = Field(default=None, max_length=24)
    mrz: str | None = Field(default=None, min_length=30, max_length=200)

    @model_validator(mode="after")
    def _something(self) -> DocumentCheck:
        if not (self.number or self.mrz):
            raise ValueError("give a document number or an MRZ")
        return self


class VehicleCheck(_In):
    vin: str | None = Field(default=None, min_length=5, max_length=17)
    plate: str | None = Field(default=None, min_length=1, max_length=20)
    country: str | None = CountryCode

    @model_validator(mode="after")
    def _something(self) -> VehicleCheck:
        if not (self.vin or self.plate):
            raise ValueError("give a VIN or a registration plate")
        return self


class BatchItem(_In):
    id: str = Field(min_length=1, max_length=100)
    person: PersonCheck | None = None
    document: DocumentCheck | None = None
    vehicle: VehicleCheck | None = None


class BatchCheck(_In):
    items: list[BatchItem] = Field(min_length=1, max_length=1000)


# --- answers ---------------------------------------------------------------------------------


class RequestOut(BaseModel):
    """A notice or diffusion in force on a hit's record, and what it asks of the officer."""

    reference: str
    kind: Literal["notice", "diffusion"]
    type: str = Field(
        description="red, blue, green, yellow, black, orange, purple, silver, un_special"
    )
    title: str = Field(description="e.g. 'Red notice', in the language of the answer")
    requesting_member: str | None = Field(description="ISO 3166 alpha-2 code of the bureau")
    requesting_bureau: str
    purpose: str = Field(description="What the type of request is for, in words")
    judicial_purpose: str | None = Field(
        default=None, description="prosecution or sentence (a Red request's purpose), a code"
    )
    action: str = Field(description="What the officer is asked to do, in words")
    actionable: bool = Field(
        description="False where the requesting bureau excluded action in your country"
    )
    valid_until: str | None
    handling: str
    warnings: list[str] = Field(default_factory=list)


class HitOut(BaseModel):
    record_id: int
    record_kind: Literal["person", "document", "vehicle"]
    score: float
    decision: bool = Field(description="At or above the decision threshold: act on it")
    match: str = Field(description="name, exact, ocr, vin, plate...")
    label: str | None = None
    hit_id: int | None = Field(
        default=None, description="Set when the hit was recorded and its owner alerted"
    )
    external_id: str | None = None
    status: str | None = Field(
        default=None,
        description="stolen, lost, revoked, invalidated (documents); stolen... (vehicles)",
    )
    action: str | None = Field(
        default=None, description="What a document or vehicle hit asks, in words"
    )
    requests: list[RequestOut] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    number: str | None = None
    country: str | None = None
    doc_type: str | None = None
    value: str | None = None
    plate_country: str | None = None
    explanation: dict[str, Any] = Field(default_factory=dict)


class ScreeningAnswer(BaseModel):
    """One check's answer. Partners get `hit` and `answer` only. Sentences (`answer`,
    `notes`, a request's `title`, `purpose`, `action`, `handling`, `warnings`) are in the
    language of the answer (Content-Language); codes beside them are as they are."""

    kind: Literal["person", "document", "vehicle"]
    hit: bool
    answer: str | None = Field(default=None, description="A partner's whole answer")
    hits: list[HitOut] | None = Field(default_factory=list, description="Absent for partners")
    notes: list[str] | None = Field(default=None, description="Warnings on the input")
    mrz: dict[str, Any] | None = Field(
        default=None, description="The parsed zone, when one was given"
    )


class BatchResult(ScreeningAnswer):
    id: str
    error: str | None = None


class BatchAnswer(BaseModel):
    results: list[BatchResult]


class CheckDigitOut(BaseModel):
    name: str
    expected: str
    found: str
    valid: bool


class CorrectionOut(BaseModel):
    field: str
    line: int
    column: int
    found: str
    corrected: str
    reason: str


class MrzOut(BaseModel):
    """An ICAO 9303 zone read field by field, with every check digit."""

    format: str
    valid: bool
    lines: list[str]
    document_code: str
    issuing_state: str
    issuing_country: str | None
    document_number: str
    surname: str
    given_names: str
    name_truncated: bool
    nationality: str
    nationality_country: str | None
    birth_date: str | None
    sex: str | None
    expiry_date: str | None
    optional_data: str
    optional_data_2: str | None = None
    check_digits: list[CheckDigitOut]
    corrections: list[CorrectionOut]
    problems: list[str]


class MrzIn(_In):
    mrz: str = Field(min_length=1, max_length=200)
