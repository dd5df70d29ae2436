"""Pydantic's validation messages in the reader's language (core/validation.py): the table says
what Pydantic says, covers every constraint the API's requests state, and leaves an error it
does not know as Pydantic wrote it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, Field, ValidationError
from pydantic_core._pydantic_core import list_all_errors

from interlink.core import i18n, validation
from interlink.records.schemas import PartialDate, PersonData
from tests.support import World


@pytest.fixture
def french() -> Iterator[None]:
    token = i18n.use_language("fr")
    yield
    i18n.reset_language(token)


def _errors(model: type[BaseModel], data: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return caught.value.errors()  # type: ignore[return-value]


def test_each_msgid_says_what_pydantic_says() -> None:
    """The msgid is Pydantic's own template, with one form for every count."""
    templates = {e["type"]: e["message_template_python"] for e in list_all_errors()}
    for kind, msgid in validation.PYDANTIC.items():
        english = re.sub(r"%\((\w+)\)s", r"{\1}", msgid).replace("(s)", "{expected_plural}")
        english = english.replace("The list", "{field_type}")
        assert templates[kind] == english, kind


def _constraints(schema: dict[str, Any], defs: dict[str, Any], seen: set[str]) -> Iterator[str]:
    """The Pydantic error types a JSON schema's constraints can produce."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            yield from _constraints(defs[name], defs, seen)
        return
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for part in schema.get(key, ()):
            yield from _constraints(part, defs, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _constraints(schema[key], defs, seen)
    for part in schema.get("properties", {}).values():
        yield from _constraints(part, defs, seen)
    by_type = {
        "string": ["string_type"],
        "integer": ["int_type", "int_parsing", "int_from_float"],
        "number": ["float_type", "float_parsing"],
        "boolean": ["bool_type", "bool_parsing"],
        "array": ["list_type"],
        "object": ["model_attributes_type", "dict_type"],
    }
    yield from by_type.get(schema.get("type", ""), [])
    by_key = {
        "required": "missing",
        "minLength": "string_too_short",
        "maxLength": "string_too_long",
        "pattern": "string_pattern_mismatch",
        "enum": "enum",
        "const": "literal_error",
        "minItems": "too_short",
        "maxItems": "too_long",
        "minimum": "greater_than_equal",
        "maximum": "less_than_equal",
        "exclusiveMinimum": "greater_than",
        "exclusiveMaximum": "less_than",
    }
    yield from (kind for key, kind in by_key.items() if key in schema)
    if schema.get("additionalProperties") is False:
        yield "extra_forbidden"
    formats = {"date": "date_parsing", "date-time": "datetime_parsing", "uuid": "uuid_parsing"}
    if schema.get("format") in formats:
        yield formats[schema["format"]]


def test_every_constraint_of_the_apis_requests_has_its_msgid(world: World) -> None:
    """Walks every request body and parameter of the OpenAPI document: each constraint stated
    there is a Pydantic error a client can cause, and must be translated."""
    document = world.app.openapi()
    defs = document["components"]["schemas"]
    wanted: set[str] = {"json_invalid"}
    seen: set[str] = set()
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", ()):
                if parameter.get("required"):
                    wanted.add("missing")
                wanted.update(_constraints(parameter.get("schema", {}), defs, seen))
            for content in operation.get("requestBody", {}).get("content", {}).values():
                wanted.add("missing")
                wanted.update(_constraints(content.get("schema", {}), defs, seen))
    assert {"missing", "string_too_short", "enum", "less_than_equal"} <= wanted  # the walk works
    assert sorted(wanted - set(validation.PYDANTIC)) == []


def test_pydantics_message_is_translated_by_its_type(french) -> None:
    [error] = _errors(PersonData, {"names": [{"full_name": "A"}], "sex": "m"})
    message = validation.message(error)
    assert message == "Input should be 'male', 'female' or 'other'"  # the English as it was
    assert i18n.translate(message) == "La valeur doit être 'male', 'female' ou 'other'"
    errors = _errors(PersonData, {"names": [{"full_name": ""}]})
    [error] = [e for e in errors if e["type"] == "string_too_short"]
    assert i18n.translate(validation.message(error)) == (
        "Le texte doit comporter au moins 1 caractère(s)"
    )


def test_our_validators_message_keeps_its_msgid(french) -> None:
    [error] = _errors(PersonData, {"names": [{"full_name": "A"}], "birth_date": "1984-13"})
    message = validation.message(error)
    assert message == "'1984-13' is not a calendar date (month must be in 1..12)"
    assert i18n.translate(message) == (
        "« 1984-13 » n'est pas une date valide du calendrier (le mois doit être compris "
        "entre 1 et 12)"
    )
    with pytest.raises(ValueError) as caught:
        PartialDate.parse("soon")
    assert str(caught.value) == "'soon' is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD"


def test_an_unknown_type_stays_as_pydantic_wrote_it(french) -> None:
    unknown = {"type": "a_future_type", "loc": ("x",), "msg": "Something new", "ctx": {}}
    assert i18n.translate(validation.message(unknown)) == "Something new"
    # a known type whose parameters are not the ones expected: as written, never a KeyError
    changed = {"type": "greater_than", "loc": ("x",), "msg": "Input is small", "ctx": {}}
    assert i18n.translate(validation.message(changed)) == "Input is small"
    # a plain ValueError of a library: Pydantic's English
    plain = {"type": "value_error", "msg": "Value error, odd", "ctx": {"error": ValueError("odd")}}
    assert i18n.translate(validation.message(plain)) == "Value error, odd"


def test_english_is_exactly_pydantics() -> None:
    class Model(BaseModel):
        tags: list[str] = Field(min_length=1)
        name: str = Field(min_length=1)

    token = i18n.use_language("en")
    try:
        for error in _errors(Model, {"tags": [], "name": ""}):
            assert i18n.translate(validation.message(error)) == error["msg"]
    finally:
        i18n.reset_language(token)
