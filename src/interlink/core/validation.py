"""Validation errors in the reader's language (docs/languages.md, "Adding a string").

Pydantic writes its messages in English; each error also carries a stable `type` code
(pydantic_core's `missing`, `int_parsing`, `too_short`...) and its parameters (`ctx`).
`PYDANTIC` maps the types our request models produce to msgids with the same parameters.
Our own validators raise `invalid(kind, msg(...))` or `ValueError(msg(...))`, so their
message keeps its msgid. `message(error)` gives a `Msg` that reads exactly as Pydantic wrote
it in English and translates by its msgid; an error of any other type stays as Pydantic
wrote it. The field location is an API path, not prose: it is never translated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic_core import PydanticCustomError

from interlink.core.i18n import N_, Listed, Msg, msg, worded

# Pydantic's English is kept as it wrote it ("at least 1 character"); these msgids are what
# translators see, one form for every count.
PYDANTIC: dict[str, str] = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "json_invalid": N_("Invalid JSON: %(error)s"),
    "json_type": N_("JSON input should be string, bytes or bytearray"),
    "model_type": N_("Input should be a valid dictionary or instance of %(class_name)s"),
    "model_attributes_type": N_(
        "Input should be a valid dictionary or object to extract fields from"
    ),
    "dict_type": N_("Input should be a valid dictionary"),
    "list_type": N_("Input should be a valid list"),
    "tuple_type": N_("Input should be a valid tuple"),
    "set_type": N_("Input should be a valid set"),
    "too_short": N_(
        "The list should have at least %(min_length)s item(s) after validation, "
        "not %(actual_length)s"
    ),
    "too_long": N_(
        "The list should have at most %(max_length)s item(s) after validation, "
        "not %(actual_length)s"
    ),
    "string_type": N_("Input should be a valid string"),
    "string_unicode": N_(
        "Input should be a valid string, unable to parse raw data as a unicode string"
    ),
    "string_too_short": N_("String should have at least %(min_length)s character(s)"),
    "string_too_long": N_("String should have at most %(max_length)s character(s)"),
    "string_pattern_mismatch": N_("String should match pattern '%(pattern)s'"),
    "enum": N_("Input should be %(expected)s"),
    "literal_error": N_("Input should be %(expected)s"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_parsing_size": N_("Unable to parse input string as an integer, exceeded maximum size"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "finite_number": N_("Input should be a finite number"),
    "greater_than": N_("Input should be greater than %(gt)s"),
    "greater_than_equal": N_("Input should be greater than or equal to %(ge)s"),
    "less_than": N_("Input should be less than %(lt)s"),
    "less_than_equal": N_("Input should be less than or equal to %(le)s"),
    "none_required": N_("Input should be None"),
    "date_type": N_("Input should be a valid date"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD, %(error)s"),
    "date_from_datetime_parsing": N_("Input should be a valid date or datetime, %(error)s"),
    "date_from_datetime_inexact": N_(
        "Datetimes provided to dates should have zero time - e.g. be exact dates"
    ),
    "datetime_type": N_("Input should be a valid datetime"),
    "datetime_parsing": N_("Input should be a valid datetime, %(error)s"),
    "datetime_from_date_parsing": N_("Input should be a valid datetime or date, %(error)s"),
    "timezone_aware": N_("Input should have timezone info"),
    "uuid_parsing": N_("Input should be a valid UUID, %(error)s"),
    "url_parsing": N_("Input should be a valid URL, %(error)s"),
}
# A ValueError raised by one of our validators: Pydantic puts "Value error, " before it.
VALUE_ERROR = N_("Value error, %(error)s")
# One problem of a list in a detail ("names.0.full_name: Field required").
AT_LOCATION = N_("%(location)s: %(message)s")

# Pydantic's `expected` of an enum or literal: "'male', 'female' or 'other'".
_ALTERNATIVES = re.compile(r"^(?P<head>.+) or (?P<last>[^,]+)$")


def invalid(kind: str, message: Msg) -> PydanticCustomError:
    """An error of our own validators: `kind` is its stable type, `message` a msgid with
    its parameters (Pydantic shows the English; `message()` finds the msgid again)."""
    return PydanticCustomError(kind, "{message}", {"message": message})


def _parameter(name: str, value: Any) -> Any:
    if isinstance(value, Msg):
        return value
    if name == "expected" and isinstance(value, str):
        found = _ALTERNATIVES.match(value)
        if found:  # joined with the language's "or"
            return Listed((*found["head"].split(", "), found["last"]), "or")
    return value if isinstance(value, int | float) else str(value)


def message(error: Mapping[str, Any]) -> str:
    """The message of one Pydantic error (an item of `errors()`): a `Msg` when it can be
    translated (its English exactly Pydantic's), else Pydantic's English as it is."""
    english = str(error.get("msg") or "")
    context = error.get("ctx") or {}
    own = context.get("message")
    if isinstance(own, Msg) and str(own) == english:
        return own
    kind = error.get("type")
    if kind == "value_error":
        cause = context.get("error")
        reason = cause.args[0] if isinstance(cause, Exception) and cause.args else None
        return worded(english, VALUE_ERROR, error=reason) if isinstance(reason, Msg) else english
    msgid = PYDANTIC.get(str(kind))
    if msgid is None:
        return english
    params = {name: _parameter(name, value) for name, value in context.items()}
    try:
        msgid % params  # every placeholder has its parameter
    except (KeyError, TypeError, ValueError):
        return english
    return worded(english, msgid, **params)


def location(error: Mapping[str, Any], default: str = "") -> str:
    return ".".join(str(part) for part in error.get("loc", ())) or default


def problems(errors: Iterable[Mapping[str, Any]], default: str = "") -> Listed:
    """'where: what; where: what' of a list of errors, each message translatable (the
    parameter of "invalid notice: %(problems)s"); an error of the whole model is 'what'."""
    return Listed(tuple(_at(location(e, default), message(e)) for e in errors), "semicolon")


def _at(where: str, what: str) -> str:
    return msg(AT_LOCATION, location=where, message=what) if where else what


def described(errors: Iterable[Mapping[str, Any]], default: str = "") -> Msg:
    """`problems` as one message ("where: what; ..."), in the reader's language where shown."""
    # a bare Msg, not a msgid: the list is joined in the language
    return Msg("%(problems)s", problems=problems(errors, default))
