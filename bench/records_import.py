"""Records import benchmark: FtM JSON lines and CSV parsed into record shapes.

    .venv/bin/python bench/records_import.py [--persons 100000]

Synthetic data only (Faker names in Latin, Cyrillic and Arabic script; half of the persons
hold a passport given as a separate Passport entity). Measures parsing and validation, the
part of an import that runs before the database; prints a Markdown table with wall-clock
and CPU seconds (CPU time is the fairer figure on a shared machine). One process.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import platform
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from faker import Faker

from interlink.records.interchange import (
    DOCUMENT_CSV_COLUMNS,
    VEHICLE_CSV_COLUMNS,
    parse_documents_csv,
    parse_ftm_lines,
    parse_vehicles_csv,
    to_ftm_lines,
)

COUNTRIES = ["FR", "DE", "RU", "EG", "ES", "GB", "MA", "BR", "NG", "IN"]
LOCALES = ["en_GB", "fr_FR", "ru_RU", "ar_AA", "es_ES"]
NAME_POOL = 5_000
PASSPORT_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Measure:
    label: str
    rows: int
    seconds: float  # wall clock
    cpu_seconds: float  # this process only, fairer on a busy machine


def _name_pool(rng: random.Random) -> list[str]:
    fake = Faker(LOCALES)
    fake.seed_instance(rng.randint(0, 2**32))
    return [fake.name() for _ in range(NAME_POOL)]


def _birth_date(rng: random.Random) -> str:
    year = rng.randint(1940, 2005)
    precision = rng.random()
    if precision < 0.1:
        return str(year)
    if precision < 0.2:
        return f"{year}-{rng.randint(1, 12):02d}"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def ftm_person_lines(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    names = _name_pool(rng)
    lines = []
    for index in range(count):
        person_id = f"person-{index}"
        properties = {
            "name": [rng.choice(names)],
            "alias": [rng.choice(names)] if rng.random() < 0.3 else [],
            "gender": [rng.choice(["male", "female"])],
            "birthDate": [_birth_date(rng)],
            "birthPlace": ["Springfield"],
            "nationality": [rng.choice(COUNTRIES).lower()],
        }
        lines.append(json.dumps({"id": person_id, "schema": "Person", "properties": properties}))
        if rng.random() < PASSPORT_SHARE:
            passport = {
                "holder": [person_id],
                "number": [f"P{index:08d}"],
                "country": [rng.choice(COUNTRIES).lower()],
            }
            lines.append(
                json.dumps({"id": f"pp-{index}", "schema": "Passport", "properties": passport})
            )
    return lines


def _csv_lines(header: Iterable[str], rows: Iterable[list[str]]) -> list[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().splitlines(keepends=True)


def document_csv_lines(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    rows = (
        [f"doc-{i}", "FR", "passport", f"{i:09d}", rng.choice(["stolen", "lost"]), "2024-03-01"]
        for i in range(count)
    )
    return _csv_lines(DOCUMENT_CSV_COLUMNS, rows)


def vehicle_csv_lines(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    rows = (
        [f"veh-{i}", f"WVWZZZ1JZ{i:08d}", f"AB{i:06d}", "FR", "Volkswagen", "Golf",
         rng.choice(["red", "blue"]), "stolen", "2024-03-01"]
        for i in range(count)
    )  # fmt: skip
    return _csv_lines(VEHICLE_CSV_COLUMNS, rows)


def _timed(label: str, run: Callable[[], Iterator[object]], *, pause_gc: bool = False) -> Measure:
    gc.collect()
    if pause_gc:
        gc.disable()
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        rows = sum(1 for _ in run())
    finally:
        gc.enable()
    return Measure(label, rows, time.perf_counter() - started, time.process_time() - cpu_started)


def measure_ftm(persons: int) -> list[Measure]:
    lines = ftm_person_lines(persons)
    measures = [
        _timed("FtM import: persons and passports", lambda: parse_ftm_lines(lines)),
        _timed("FtM import, GC paused", lambda: parse_ftm_lines(lines), pause_gc=True),
    ]
    exported = [(entity.external_id or "", entity.record) for entity in parse_ftm_lines(lines)]
    measures.append(_timed("FtM export: persons and passports", lambda: to_ftm_lines(exported)))
    return measures


def measure_csv(rows: int) -> list[Measure]:
    documents = document_csv_lines(rows)
    vehicles = vehicle_csv_lines(rows)
    return [
        _timed("CSV import: travel documents", lambda: parse_documents_csv(documents)),
        _timed("CSV import: vehicles", lambda: parse_vehicles_csv(vehicles)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    args = parser.parse_args()
    # Each group runs in its own function, so the heap holds only that group's data.
    measures = [*measure_ftm(args.persons), *measure_csv(args.persons)]
    print(f"Python {platform.python_version()} on {platform.machine()}, one process\n")
    print("| work | rows | seconds | CPU seconds | rows/s (CPU) |")
    print("|---|---:|---:|---:|---:|")
    for m in measures:
        rate = m.rows / m.cpu_seconds
        print(f"| {m.label} | {m.rows:,} | {m.seconds:.2f} | {m.cpu_seconds:.2f} | {rate:,.0f} |")


if __name__ == "__main__":
    main()
