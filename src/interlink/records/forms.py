"""Turning HTML form fields into record and notice data (the API takes JSON directly)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from interlink.core.access import HandlingCode, VisibilityMode
from interlink.core.errors import InvalidInput
from interlink.core.i18n import msg
from interlink.records.restrictions import Restrictions


def text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def codes(form: FormData, name: str) -> list[str]:
    raw = text(form, name) or ""
    return [c for c in raw.replace(";", ",").replace(" ", ",").upper().split(",") if c]


def integer(form: FormData, name: str) -> int | None:
    raw = text(form, name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(
            msg("%(value)s must be a whole number", value=name.replace("_", " "))
        ) from None


def restrictions(form: FormData) -> Restrictions:
    try:
        return Restrictions(
            visibility=VisibilityMode(text(form, "visibility") or "all"),
            countries=codes(form, "countries"),
            not_actionable_in=codes(form, "not_actionable_in"),
            handling=HandlingCode(text(form, "handling") or "H0"),
        )
    except ValueError as exc:
        raise InvalidInput(str(exc).splitlines()[-1] if "\n" in str(exc) else str(exc)) from None


def person(form: FormData, prefix: str = "") -> dict[str, Any] | None:
    name = text(form, f"{prefix}name")
    if name is None:
        return None
    data: dict[str, Any] = {"names": [{"full_name": name}]}
    aliases = [a.strip() for a in (text(form, f"{prefix}aliases") or "").split(";") if a.strip()]
    if aliases:
        data["aliases"] = [{"full_name": a} for a in aliases]
    for key in ("sex", "birth_date", "birth_place"):
        if value := text(form, f"{prefix}{key}"):
            data[key] = value
    if nationalities := codes(form, f"{prefix}nationalities"):
        data["nationalities"] = nationalities
    if description := text(form, f"{prefix}description"):
        data["physical_description"] = {"description": description}
    return data


def notice(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {
        "notice_type": text(form, "notice_type") or "red",
        "kind": text(form, "kind") or "notice",
    }
    if subject := person(form, "subject_"):
        data["subject"] = subject
    for key in ("facts", "object_description"):
        if value := text(form, key):
            data[key] = value
    judicial: dict[str, str | int | list[str] | None] = {
        "offence_description": text(form, "offence_description"),
        "offence_category": text(form, "offence_category"),
        "law_reference": text(form, "law_reference"),
        "maximum_penalty_months": integer(form, "maximum_penalty_months"),
        "purpose": text(form, "purpose"),
        "months_left_to_serve": integer(form, "months_left_to_serve"),
        "warrant_reference": text(form, "warrant_reference"),
        "warrant_date": text(form, "warrant_date"),
        "issuing_authority": text(form, "issuing_authority"),
    }
    judicial = {k: v for k, v in judicial.items() if v is not None}
    if extradition := codes(form, "extradition_countries"):
        judicial["extradition_countries"] = extradition
    if judicial:
        data["judicial"] = judicial
    data["public_extract_consent"] = text(form, "public_extract_consent") == "yes"
    return data


def _join(values: Any) -> str:
    return ", ".join(values or ())


def person_fields(data: dict[str, Any] | None, prefix: str = "") -> dict[str, str]:
    """A person's data as the form's fields (the reverse of `person`), to edit it."""
    if not data:
        return {}
    names = [n["full_name"] for n in data.get("names", ())]
    fields = {
        "name": names[0] if names else "",
        "aliases": "; ".join(n["full_name"] for n in data.get("aliases", ())),
        "sex": data.get("sex") or "",
        "birth_date": data.get("birth_date") or "",
        "birth_place": data.get("birth_place") or "",
        "nationalities": _join(data.get("nationalities")),
        "description": (data.get("physical_description") or {}).get("description", ""),
    }
    return {f"{prefix}{k}": v for k, v in fields.items()}


def notice_fields(
    data: dict[str, Any], subject: dict[str, Any] | None, restrictions: Restrictions
) -> dict[str, str]:
    """A request, its subject and its sharing rules as the form's fields, to edit a draft."""
    judicial = data.get("judicial") or {}
    fields = {
        "kind": data.get("kind", "notice"),
        "notice_type": data.get("notice_type", ""),
        "facts": data.get("facts", ""),
        "object_description": data.get("object_description", ""),
        "extradition_countries": _join(judicial.get("extradition_countries")),
        "public_extract_consent": "yes" if data.get("public_extract_consent") else "",
        "visibility": restrictions.visibility.value,
        "countries": _join(restrictions.countries),
        "not_actionable_in": _join(restrictions.not_actionable_in),
        "handling": restrictions.handling.value,
        **{
            key: "" if judicial.get(key) is None else str(judicial[key])
            for key in (
                "offence_description",
                "offence_category",
                "law_reference",
                "maximum_penalty_months",
                "purpose",
                "months_left_to_serve",
                "warrant_reference",
                "warrant_date",
                "issuing_authority",
            )
        },
    }
    fields.update(person_fields(subject, "subject_"))
    return fields
