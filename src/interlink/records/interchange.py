"""FollowTheMoney (FtM) JSON lines and CSV, to and from record shapes.

FtM mapping (each entity's id is the record's external id):

| Interlink                         | FtM                                                     |
|-----------------------------------|---------------------------------------------------------|
| PersonData.names / aliases        | Person `name` / `alias` (+ `weakAlias` on import)       |
| previous_names                    | Person `previousName`                                   |
| a name's given / family parts     | Person `firstName` / `lastName` (on import the first    |
|                                   | values, when the name contains them)                    |
| name_parts                        | the other values of `firstName`, `lastName`, and        |
|                                   | `title`, `secondName`, `middleName`, `fatherName`,      |
|                                   | `motherName`, `nameSuffix`                              |
| sex, birth_date, birth_place      | Person `gender`, `birthDate`, `birthPlace`              |
| nationalities                     | Person `nationality` (+ `citizenship` on import)        |
| physical_description              | Person `height`, `weight`, `eyeColor`, `hairColor`,     |
|                                   | `appearance`                                            |
| identity_documents                | Passport / Identification entities whose `holder` is    |
|                                   | the person (+ Person `passportNumber`, `idNumber`)      |
| TravelDocumentData                | Passport / Identification whose holder is not in the    |
|                                   | file: `country`, `type`, `number`, status in `summary`, |
|                                   | reporting date in `date`                                |
| VehicleData                       | Vehicle `registrationNumber`, `country`, `model`; FtM   |
|                                   | has no property for VIN, make, colour, status or        |
|                                   | reporting date: they travel as tagged `keywords`        |
|                                   | (`vin:…`, `make:…`, `colour:…`, `status:…`,             |
|                                   | `reported:…`)                                           |

Single-valued fields take the first FtM value. Photos are not exported (FtM lines carry no
files). On import, entity and property names are checked against FtM's model; the values
of mapped properties are checked by the record schemas, and valid FtM properties that have
no place in a record are ignored.

Document numbers (`number`, `passportNumber`, `idNumber`, and the CSV `number` column) often
carry a label or a remark in sanctions exports ("INN: 7707083893", "Passport 1084010
(Egypt)"): the record keeps the text as given in `number_as_given` and the number found in
it (`schemas.number_from_label`, normalised) in `number`, which is what screening matches;
exports write the text as given.

Bad lines: by default the first one raises `ImportLineError` and nothing is imported. A
caller that passes a `skipped` list gets the entities it can use, and every line it cannot
(an error each, with its line number) appended to the list; a document whose holder was
skipped is skipped with it.

CSV files are UTF-8 with a header row naming exactly these columns, in any order; an empty
cell is a missing value and `external_id` may be empty:

    travel documents: external_id, issuing_country, document_type, number, status, reported_on
    vehicles:         external_id, vin, registration_number, registration_country, make,
                      model, colour, status, reported_on

`document_type` is passport, id_card, visa, residence_permit or other; a document `status`
is stolen, lost, revoked or invalidated; a vehicle `status` is stolen, misappropriated or
recovered; dates are YYYY-MM-DD.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.schema import Schema
from pydantic import BaseModel, ValidationError

from interlink.core import validation
from interlink.core.i18n import msg
from interlink.records.schemas import (
    DocumentType,
    IdentityDocument,
    NameParts,
    PersonData,
    PersonName,
    TravelDocumentData,
    VehicleData,
    number_from_label,
)

Record = PersonData | TravelDocumentData | VehicleData


@dataclass(frozen=True, slots=True)
class ParsedEntity:
    line_number: int
    external_id: str | None
    record: Record


class ImportLineError(ValueError):
    """A line of an import file that cannot be imported; nothing of the file should be."""

    def __init__(self, line_number: int, message: str) -> None:
        super().__init__(f"line {line_number}: {message}")
        self.line_number = line_number
        self.message = message


def describe_validation_error(error: ValidationError) -> str:
    """Pydantic's errors as one line: `birth_date: '1980-13' is not a calendar date …` (in
    the operator's language where it is shown)."""
    return validation.described(error.errors(include_url=False))


M = TypeVar("M", bound=BaseModel)


def _validate(model_class: type[M], data: Mapping[str, Any], line_number: int) -> M:
    try:
        return model_class.model_validate(data)
    except ValidationError as error:
        raise ImportLineError(line_number, describe_validation_error(error)) from None


def _keep_or_raise(error: ImportLineError, skipped: list[ImportLineError] | None) -> None:
    """Raise the error (all or nothing), or note it when the caller skips bad lines."""
    if skipped is None:
        raise error
    skipped.append(error)


def labelled_number(text: str | None) -> dict[str, str | None]:
    """`number` and `number_as_given` for a document number that may carry a label; a
    number that is only spaced or punctuated differently keeps no `number_as_given` (every
    number is stored without separators, whatever its source)."""
    if text is None:
        return {"number": None}
    given = " ".join(text.split())
    number = number_from_label(given)
    return {"number": number, "number_as_given": None if number == given else given}


def _check_issuer(document: TravelDocumentData, entering_country: str | None, line: int) -> None:
    if entering_country is not None and not document.may_be_entered_by(entering_country):
        raise ImportLineError(
            line,
            msg(
                "document %(number)s was issued by %(issuer)s; only the bureau of the issuing "
                "country may enter it, not %(country)s",
                number=document.number,
                issuer=document.issuing_country,
                country=entering_country.upper(),
            ),
        )


# --- FtM import ---------------------------------------------------------------------------


def _schema(name: str) -> Schema:
    schema = model.get(name)
    if schema is None:
        raise LookupError(f"the installed followthemoney has no {name} schema")
    return schema


PERSON, PASSPORT, IDENTIFICATION, VEHICLE = (
    _schema(name) for name in ("Person", "Passport", "Identification", "Vehicle")
)
IMPORTED_SCHEMATA = frozenset(schema.name for schema in (PERSON, PASSPORT, IDENTIFICATION, VEHICLE))
# FtM requires a holder on identifications; here a document without one is a travel document.
_OPTIONAL_FTM_PROPERTIES = frozenset({"holder"})

Properties = dict[str, list[str]]


@dataclass(slots=True)
class _FtmEntity:
    line_number: int
    id: str
    schema: Schema
    properties: Properties

    def first(self, name: str) -> str | None:
        values = self.properties.get(name)
        return values[0] if values else None

    def all(self, *names: str) -> list[str]:
        return [value for name in names for value in self.properties.get(name, ())]


def _read_entity(text: str, line_number: int) -> _FtmEntity:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportLineError(
            line_number, msg("invalid JSON (%(problem)s)", problem=error.msg)
        ) from None
    if not isinstance(data, dict):
        raise ImportLineError(line_number, msg("expected a JSON object (an FtM entity)"))
    entity_id, schema_name = data.get("id"), data.get("schema")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise ImportLineError(line_number, msg("the entity has no id"))
    schema = model.get(schema_name) if isinstance(schema_name, str) else None
    if schema is None:
        raise ImportLineError(line_number, msg("unknown FtM schema %(schema)r", schema=schema_name))
    if schema.name not in IMPORTED_SCHEMATA:
        raise ImportLineError(
            line_number,
            msg(
                "schema %(schema)s is not imported; expected one of %(schemata)s",
                schema=schema.name,
                schemata=", ".join(sorted(IMPORTED_SCHEMATA)),
            ),
        )
    properties = _read_properties(data.get("properties", {}), schema, line_number)
    return _FtmEntity(line_number, entity_id.strip(), schema, properties)


def _read_properties(raw: Any, schema: Schema, line_number: int) -> Properties:
    if not isinstance(raw, dict):
        raise ImportLineError(line_number, msg("'properties' must be an object"))
    for name, values in raw.items():
        prop = schema.properties.get(name)
        if prop is None or prop.stub:
            raise ImportLineError(
                line_number,
                msg("%(schema)s has no property %(name)r", schema=schema.name, name=name),
            )
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise ImportLineError(
                line_number, msg("property %(name)r must be a list of strings", name=name)
            )
    for name in schema.required:
        if name not in _OPTIONAL_FTM_PROPERTIES and not raw.get(name):
            raise ImportLineError(
                line_number,
                msg("%(schema)s requires the property %(name)r", schema=schema.name, name=name),
            )
    return raw


def _date_part(value: str | None) -> str | None:
    # FtM dates may carry a time: 1984-05-17T00:00:00.
    return value[:10] if value else None


def _number(value: str | None) -> int | float | str | None:
    try:
        return round(float(value)) if value is not None else None
    except ValueError:
        return value  # the schema reports it as not a number


def _person_names(entity: _FtmEntity) -> tuple[list[dict[str, Any]], set[tuple[str, str]]]:
    """The names, the first that contains them carrying the first `firstName` and `lastName`
    as its given and family name; and those (property, value) pairs so placed."""
    names: list[dict[str, Any]] = [{"full_name": name} for name in entity.all("name")]
    given, family = entity.first("firstName"), entity.first("lastName")
    if given is None and family is None:
        return names, set()
    for name in names:
        folded = name["full_name"].casefold()
        if all(part is None or part.casefold() in folded for part in (given, family)):
            name.update(given_name=given, family_name=family)
            return names, {("firstName", given or ""), ("lastName", family or "")}
    return names, set()


# FtM's name-part properties and the NameParts field that keeps each.
NAME_PART_PROPERTIES = {
    "title": "titles",
    "firstName": "first_names",
    "secondName": "second_names",
    "middleName": "middle_names",
    "fatherName": "father_names",
    "motherName": "mother_names",
    "lastName": "last_names",
    "nameSuffix": "name_suffixes",
}


def _name_parts(entity: _FtmEntity, placed: set[tuple[str, str]]) -> dict[str, list[str]] | None:
    """Name parts that no name holds as its given or family name."""
    parts = {
        field: [value for value in entity.all(prop) if (prop, value) not in placed]
        for prop, field in NAME_PART_PROPERTIES.items()
    }
    return {field: values for field, values in parts.items() if values} or None


_PHYSICAL_PROPERTIES = frozenset({"height", "weight", "eyeColor", "hairColor", "appearance"})


def _physical_description(entity: _FtmEntity) -> dict[str, Any] | None:
    if _PHYSICAL_PROPERTIES.isdisjoint(entity.properties):
        return None
    return {
        "height_cm": _number(entity.first("height")),
        "weight_kg": _number(entity.first("weight")),
        "eye_colour": entity.first("eyeColor"),
        "hair_colour": entity.first("hairColor"),
        "description": entity.first("appearance"),
    }


def _person_data(entity: _FtmEntity) -> dict[str, Any]:
    names = entity.all("name")
    aliases = [
        alias for alias in dict.fromkeys(entity.all("alias", "weakAlias")) if alias not in names
    ]
    documents = [
        {"document_type": DocumentType.PASSPORT, **labelled_number(number)}
        for number in entity.all("passportNumber")
    ] + [
        {"document_type": DocumentType.OTHER, **labelled_number(number)}
        for number in entity.all("idNumber")
    ]
    full_names, placed = _person_names(entity)
    previous = [name for name in dict.fromkeys(entity.all("previousName")) if name not in names]
    return {
        "names": full_names,
        "aliases": [{"full_name": alias} for alias in aliases],
        "previous_names": [{"full_name": name} for name in previous],
        "name_parts": _name_parts(entity, placed),
        "sex": entity.first("gender"),
        "birth_date": _date_part(entity.first("birthDate")),
        "birth_place": entity.first("birthPlace"),
        "nationalities": entity.all("nationality", "citizenship"),
        "physical_description": _physical_description(entity),
        "identity_documents": documents,
    }


_DOCUMENT_TYPE_WORDS = (
    (re.compile(r"passport", re.I), DocumentType.PASSPORT),
    (re.compile(r"visa", re.I), DocumentType.VISA),
    (re.compile(r"residen", re.I), DocumentType.RESIDENCE_PERMIT),
    (re.compile(r"\bid\b|identity|national", re.I), DocumentType.ID_CARD),
)
_DOCUMENT_TYPE_LABELS = {
    DocumentType.PASSPORT: "Passport",
    DocumentType.ID_CARD: "Identity card",
    DocumentType.VISA: "Visa",
    DocumentType.RESIDENCE_PERMIT: "Residence permit",
    DocumentType.OTHER: "Other",
}


def document_type_from_label(schema: Schema, label: str | None) -> DocumentType:
    """The document type of an FtM identification: its schema, else words in its `type`."""
    if schema is PASSPORT:
        return DocumentType.PASSPORT
    for pattern, document_type in _DOCUMENT_TYPE_WORDS:
        if label and pattern.search(label):
            return document_type
    return DocumentType.OTHER


def _identity_document(entity: _FtmEntity) -> IdentityDocument:
    data = {
        "document_type": document_type_from_label(entity.schema, entity.first("type")),
        **labelled_number(entity.first("number")),
        "issuing_country": entity.first("country"),
        "issued_on": _date_part(entity.first("startDate")),
        "expires_on": _date_part(entity.first("endDate")),
    }
    return _validate(IdentityDocument, data, entity.line_number)


def _travel_document(entity: _FtmEntity, entering_country: str | None) -> TravelDocumentData:
    status, reported = entity.first("summary"), entity.first("date")
    if status is None or reported is None:
        raise ImportLineError(
            entity.line_number,
            msg(
                "%(schema)s %(entity)s has no holder in this file, so it is imported as a travel "
                "document and needs its status in 'summary' (stolen, lost, revoked or "
                "invalidated) and its reporting date in 'date'",
                schema=entity.schema.name,
                entity=entity.id,
            ),
        )
    data = {
        "issuing_country": entity.first("country"),
        "document_type": document_type_from_label(entity.schema, entity.first("type")),
        **labelled_number(entity.first("number")),
        "status": status.strip().casefold(),
        "reported_on": _date_part(reported),
    }
    document = _validate(TravelDocumentData, data, entity.line_number)
    _check_issuer(document, entering_country, entity.line_number)
    return document


_VEHICLE_TAGS = ("vin", "make", "colour", "status", "reported")


def _vehicle_tags(entity: _FtmEntity) -> dict[str, str]:
    tags: dict[str, str] = {}
    for keyword in entity.all("keywords"):
        tag, separator, value = keyword.partition(":")
        if separator and tag in _VEHICLE_TAGS:
            tags.setdefault(tag, value)
    return tags


def _vehicle(entity: _FtmEntity) -> VehicleData:
    tags = _vehicle_tags(entity)
    data = {
        "vin": tags.get("vin"),
        "registration_number": entity.first("registrationNumber"),
        "registration_country": entity.first("country"),
        "make": tags.get("make"),
        "model": entity.first("model"),
        "colour": tags.get("colour"),
        "status": tags.get("status"),
        "reported_on": tags.get("reported"),
    }
    return _validate(VehicleData, data, entity.line_number)


@dataclass(slots=True)
class _FtmFile:
    """Entities read so far, kept until every person's documents are known."""

    persons: dict[str, tuple[int, PersonData]] = field(default_factory=dict)
    documents: list[tuple[_FtmEntity, IdentityDocument]] = field(default_factory=list)
    vehicles: list[ParsedEntity] = field(default_factory=list)
    first_lines: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)  # skipped entity id -> line

    def add(self, entity: _FtmEntity, skipped: list[ImportLineError] | None) -> None:
        first_line = self.first_lines.setdefault(entity.id, entity.line_number)
        if first_line != entity.line_number:  # the id stays the first entity's
            message = msg(
                "entity id %(entity)r already used on line %(line)s",
                entity=entity.id,
                line=first_line,
            )
            _keep_or_raise(ImportLineError(entity.line_number, message), skipped)
            return
        try:
            self._add(entity)
        except ImportLineError as error:
            self.rejected[entity.id] = entity.line_number
            _keep_or_raise(error, skipped)

    def _add(self, entity: _FtmEntity) -> None:
        if entity.schema is PERSON:
            person = _validate(PersonData, _person_data(entity), entity.line_number)
            self.persons[entity.id] = (entity.line_number, person)
        elif entity.schema is VEHICLE:
            self.vehicles.append(ParsedEntity(entity.line_number, entity.id, _vehicle(entity)))
        else:
            self.documents.append((entity, _identity_document(entity)))


def parse_ftm_lines(
    lines: Iterable[str],
    *,
    entering_country: str | None = None,
    skipped: list[ImportLineError] | None = None,
) -> Iterator[ParsedEntity]:
    """Records from FtM JSON lines (Person, Passport, Identification, Vehicle).

    The whole input is validated before the first record is yielded, so a bad line raises
    `ImportLineError` before anything could be written (or, with a `skipped` list, is noted
    there and left out). Passports and identifications whose holder is a person of the file
    become that person's identity documents; the others are travel documents, which
    `entering_country` (when given) must have issued.
    """
    read = _FtmFile()
    for line_number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            entity = _read_entity(text, line_number)
        except ImportLineError as error:
            _keep_or_raise(error, skipped)
            continue
        read.add(entity, skipped)
    held: dict[str, list[IdentityDocument]] = {}
    travel_documents: list[ParsedEntity] = []
    for entity, document in read.documents:
        holder = entity.first("holder")
        if holder in read.persons:
            held.setdefault(holder, []).append(document)
        elif holder in read.rejected:
            _keep_or_raise(
                ImportLineError(
                    entity.line_number,
                    msg(
                        "its holder %(holder)r on line %(line)s was skipped",
                        holder=holder,
                        line=read.rejected[holder],
                    ),
                ),
                skipped,
            )
        else:
            try:
                record = _travel_document(entity, entering_country)
            except ImportLineError as error:
                _keep_or_raise(error, skipped)
                continue
            travel_documents.append(ParsedEntity(entity.line_number, entity.id, record))
    if skipped:
        skipped.sort(key=lambda error: error.line_number)
    for person_id, (line_number, person) in read.persons.items():
        if person_id in held:
            documents = _merge_documents(held[person_id], person.identity_documents)
            # Each document is already valid and a person's own rules involve no document.
            person = person.model_copy(update={"identity_documents": documents})
        yield ParsedEntity(line_number, person_id, person)
    yield from travel_documents
    yield from read.vehicles


def _merge_documents(
    held: list[IdentityDocument], bare: tuple[IdentityDocument, ...]
) -> tuple[IdentityDocument, ...]:
    """Documents naming the person as holder, then the Person's own document numbers
    (`passportNumber`, `idNumber`) that these documents do not repeat."""
    numbers = {document.number for document in held}
    return (*held, *(document for document in bare if document.number not in numbers))


# --- FtM export -------------------------------------------------------------------------------


def _entity(schema: str, entity_id: str, values: Mapping[str, Iterable[Any] | Any]) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for prop, value in values.items():
        if value is None:
            continue
        items = value if isinstance(value, (list, tuple)) else [value]
        proxy.add(prop, [str(item) for item in items if item is not None])
    return proxy


def _name_values(names: Iterable[PersonName]) -> list[str]:
    return [name.full_name for name in names]


def _name_part_values(person: PersonData) -> dict[str, list[str]]:
    """FtM name-part properties: the given and family names of the names, then `name_parts`."""
    parts = person.name_parts or NameParts()
    values = {prop: list(getattr(parts, field)) for prop, field in NAME_PART_PROPERTIES.items()}
    given = [name.given_name for name in person.names if name.given_name]
    family = [name.family_name for name in person.names if name.family_name]
    values["firstName"] = list(dict.fromkeys([*given, *values["firstName"]]))
    values["lastName"] = list(dict.fromkeys([*family, *values["lastName"]]))
    return values


def person_to_ftm(external_id: str, person: PersonData) -> list[dict[str, Any]]:
    """A Person entity, then one Passport or Identification entity per identity document."""
    physical = person.physical_description
    entity = _entity(
        "Person",
        external_id,
        {
            "name": _name_values(person.names),
            "alias": _name_values(person.aliases),
            "previousName": _name_values(person.previous_names),
            **_name_part_values(person),
            "gender": person.sex,
            "birthDate": person.birth_date,
            "birthPlace": person.birth_place,
            "nationality": list(person.nationalities),
            "height": physical.height_cm if physical else None,
            "weight": physical.weight_kg if physical else None,
            "eyeColor": physical.eye_colour if physical else None,
            "hairColor": physical.hair_colour if physical else None,
            "appearance": physical.description if physical else None,
        },
    )
    documents = [
        _identity_document_entity(external_id, document) for document in person.identity_documents
    ]
    return [entity.to_dict(), *(document.to_dict() for document in documents)]


def _document_schema(document_type: DocumentType) -> str:
    return "Passport" if document_type is DocumentType.PASSPORT else "Identification"


def _identity_document_entity(holder_id: str, document: IdentityDocument) -> EntityProxy:
    # A digest of what identifies the document, so that each export gives the same id.
    digest = hashlib.sha1(f"{document.document_type}:{document.number}".encode()).hexdigest()
    return _entity(
        _document_schema(document.document_type),
        f"{holder_id}-doc-{digest[:16]}",
        {
            "holder": holder_id,
            "number": document.number_as_given or document.number,
            "type": _DOCUMENT_TYPE_LABELS[document.document_type],
            "country": document.issuing_country,
            "startDate": document.issued_on,
            "endDate": document.expires_on,
        },
    )


def travel_document_to_ftm(external_id: str, document: TravelDocumentData) -> list[dict[str, Any]]:
    """A Passport or Identification entity without holder (FtM would require one)."""
    entity = _entity(
        _document_schema(document.document_type),
        external_id,
        {
            "number": document.number_as_given or document.number,
            "type": _DOCUMENT_TYPE_LABELS[document.document_type],
            "country": document.issuing_country,
            "summary": document.status,
            "date": document.reported_on,
        },
    )
    return [entity.to_dict()]


def vehicle_to_ftm(external_id: str, vehicle: VehicleData) -> list[dict[str, Any]]:
    tags = {
        "vin": vehicle.vin,
        "make": vehicle.make,
        "colour": vehicle.colour,
        "status": vehicle.status,
        "reported": vehicle.reported_on,
    }
    caption = " ".join(part for part in (vehicle.make, vehicle.model) if part)
    entity = _entity(
        "Vehicle",
        external_id,
        {
            "name": caption or vehicle.registration_number or vehicle.vin,
            "registrationNumber": vehicle.registration_number,
            "country": vehicle.registration_country,
            "model": vehicle.model,
            "keywords": [f"{tag}:{value}" for tag, value in tags.items() if value is not None],
        },
    )
    return [entity.to_dict()]


_EXPORTERS: Mapping[type, Callable[[str, Any], list[dict[str, Any]]]] = {
    PersonData: person_to_ftm,
    TravelDocumentData: travel_document_to_ftm,
    VehicleData: vehicle_to_ftm,
}


def to_ftm(external_id: str, record: Record) -> list[dict[str, Any]]:
    """FtM entities (as dicts) for one record; the first one's id is `external_id`."""
    return _EXPORTERS[type(record)](external_id, record)


def to_ftm_lines(records: Iterable[tuple[str, Record]]) -> Iterator[str]:
    """JSON lines (without newline) for (external id, record) pairs."""
    for external_id, record in records:
        for entity in to_ftm(external_id, record):
            yield json.dumps(entity, ensure_ascii=False, sort_keys=True)


# --- CSV import -----------------------------------------------------------------------------

DOCUMENT_CSV_COLUMNS = (
    "external_id",
    "issuing_country",
    "document_type",
    "number",
    "status",
    "reported_on",
)
VEHICLE_CSV_COLUMNS = (
    "external_id",
    "vin",
    "registration_number",
    "registration_country",
    "make",
    "model",
    "colour",
    "status",
    "reported_on",
)


def _csv_rows(
    lines: Iterable[str], columns: tuple[str, ...], skipped: list[ImportLineError] | None
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(line number, row) pairs; empty cells become None. The header must name `columns`."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise ImportLineError(1, msg("the file is empty; expected a header row"))
    header = [name.strip().lstrip("\ufeff") for name in header]
    if sorted(header) != sorted(columns):
        raise ImportLineError(
            1,
            msg(
                "the header must name exactly these columns: %(columns)s",
                columns=", ".join(columns),
            ),
        )
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            error = msg(
                "expected %(expected)s cells, found %(found)s",
                expected=len(header),
                found=len(cells),
            )
            _keep_or_raise(ImportLineError(reader.line_num, error), skipped)
            continue
        yield (
            reader.line_num,
            {name: cell.strip() or None for name, cell in zip(header, cells, strict=True)},
        )


def _parse_csv(
    lines: Iterable[str],
    columns: tuple[str, ...],
    read_row: Callable[[int, dict[str, str | None]], Record],
    skipped: list[ImportLineError] | None,
) -> Iterator[ParsedEntity]:
    first_lines: dict[str, int] = {}
    for line_number, row in _csv_rows(lines, columns, skipped):
        external_id = row.pop("external_id")
        try:
            if external_id is not None:
                first_line = first_lines.setdefault(external_id, line_number)
                if first_line != line_number:
                    raise ImportLineError(
                        line_number,
                        msg(
                            "external id %(external)r already used on line %(line)s",
                            external=external_id,
                            line=first_line,
                        ),
                    )
            record = read_row(line_number, row)
        except ImportLineError as error:
            _keep_or_raise(error, skipped)
            continue
        yield ParsedEntity(line_number, external_id, record)


def parse_documents_csv(
    lines: Iterable[str],
    *,
    entering_country: str | None = None,
    skipped: list[ImportLineError] | None = None,
) -> Iterator[ParsedEntity]:
    """Travel documents from CSV with the header `DOCUMENT_CSV_COLUMNS` (any order).

    Rows are yielded as they are read, so the caller imports them in one transaction and
    rolls it back on `ImportLineError` (or, with a `skipped` list, bad rows are noted there
    and left out).
    """

    def read_row(line_number: int, row: dict[str, str | None]) -> TravelDocumentData:
        document = _validate(
            TravelDocumentData, {**row, **labelled_number(row["number"])}, line_number
        )
        _check_issuer(document, entering_country, line_number)
        return document

    yield from _parse_csv(lines, DOCUMENT_CSV_COLUMNS, read_row, skipped)


def parse_vehicles_csv(
    lines: Iterable[str], *, skipped: list[ImportLineError] | None = None
) -> Iterator[ParsedEntity]:
    """Vehicles from CSV with the header `VEHICLE_CSV_COLUMNS` (any order); see
    `parse_documents_csv` about transactions and skipped rows."""

    def read_row(line_number: int, row: dict[str, str | None]) -> VehicleData:
        return _validate(VehicleData, row, line_number)

    yield from _parse_csv(lines, VEHICLE_CSV_COLUMNS, read_row, skipped)


# --- CSV export -------------------------------------------------------------------------------


def _csv_cells(columns: tuple[str, ...], external_id: str, record: Record) -> list[str]:
    values = {**record.model_dump(mode="json"), "external_id": external_id}
    if isinstance(record, TravelDocumentData):
        values["number"] = record.number_as_given or record.number
    return ["" if values.get(column) is None else str(values[column]) for column in columns]


def to_csv_lines(columns: tuple[str, ...], records: Iterable[tuple[str, Record]]) -> Iterator[str]:
    """CSV lines (without newline), the header first, in the layout the CSV import reads."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="")
    writer.writerow(columns)
    yield buffer.getvalue()
    for external_id, record in records:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(_csv_cells(columns, external_id, record))
        yield buffer.getvalue()
