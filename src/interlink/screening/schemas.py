"""Request bodies of the screening API."""

from __future__ import annotations

from typing import Literal

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
