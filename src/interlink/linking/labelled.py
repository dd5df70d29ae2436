"""A labelled duplicate set for estimating weights and measuring linking, built like Splink's
synthetic benchmarks from real name pairs: persons with a Zipf-distributed number of records
each, the records carrying typos, missing fields, swapped names, and native-script or
transliterated spellings (Wikidata pairs give both spellings of a name part).

The pairs file layout is that of /work/shared/data/names/wikidata_<script>_dev.tsv:
`latin <TAB> native cells separated by spaces <TAB> frequency`. `part` 0 or 1 keeps every
other line, so weights are trained on one half and measured on the other.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, replace
from pathlib import Path

from interlink.linking.model import Subject

NATIONALITIES = {
    "arabic": ("EG", "MA", "SA", "DZ", "IQ"),
    "chinese": ("CN", "TW"),
    "hebrew": ("IL",),
    "japanese": ("JP",),
    "katakana": ("JP",),
    "korean": ("KR",),
    "russian": ("RU", "UA", "BY", "KZ"),
}
OTHER_COUNTRIES = ("FR", "DE", "US", "GB", "ES", "IT", "TR", "NG", "BR", "IN")


@dataclass(frozen=True, slots=True)
class Part:
    latin: str
    native: str
    weight: float


@dataclass(frozen=True, slots=True)
class LabelledRecord:
    subject: Subject
    entity: int
    given: str  # as written in this record (for Splink's columns)
    family: str


def load_parts(folder: Path, part: int) -> dict[str, list[Part]]:
    pools: dict[str, list[Part]] = {}
    for script in NATIONALITIES:
        path = folder / f"wikidata_{script}_dev.tsv"
        if not path.exists():
            continue
        rows = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            fields = line.split("\t")
            if number % 2 != part or len(fields) < 2 or not fields[0].isalpha():
                continue
            count = float(fields[2]) if len(fields) > 2 and fields[2].isdigit() else 1.0
            rows.append(Part(fields[0].capitalize(), fields[1].replace(" ", ""), count))
        pools[script] = rows
    return pools


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeiourstnl") + text[i + 1 :]


def _birth(rng: random.Random) -> str | None:
    roll = rng.random()
    year = rng.randrange(1945, 2006)
    if roll < 0.85:
        return f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    return str(year) if roll < 0.95 else None


def _garble_date(rng: random.Random, date: str) -> str:
    if len(date) != 10:
        return date
    year, month, day = int(date[:4]), int(date[5:7]), int(date[8:])
    roll = rng.random()
    if roll < 0.4 and day <= 12:
        month, day = day, month
    elif roll < 0.7:
        day = rng.randrange(1, 29)
    else:
        year += rng.choice((-1, 1))
    return f"{year}-{month:02d}-{day:02d}"


def _records_per_person(rng: random.Random) -> int:
    """Zipf-like: most persons once, a long tail recorded by many bureaus."""
    return min(12, int(rng.paretovariate(1.3)))


def build(folder: Path, persons: int, seed: int, part: int = 1) -> list[LabelledRecord]:
    rng = random.Random(seed)
    pools = load_parts(folder, part)
    scripts = sorted(pools)
    cumulative = {
        script: list(itertools.accumulate(p.weight for p in pool)) for script, pool in pools.items()
    }
    records: list[LabelledRecord] = []
    next_id = 1
    previous: list[tuple[str, Part, Part, str | None, str, str]] = []
    for entity in range(persons):
        script = rng.choice(scripts)
        pool = pools[script]
        if previous and rng.random() < 0.1:  # a relative: same family name and country
            script, _, family, _, nationality, _ = rng.choice(previous)
            pool = pools[script]
            given = rng.choice(pool)
        else:
            given, family = rng.choices(pool, cum_weights=cumulative[script], k=2)
            nationality = rng.choice(
                NATIONALITIES[script] if rng.random() < 0.8 else OTHER_COUNTRIES
            )
        birth = _birth(rng)
        sex = rng.choice("MF")
        document = f"{nationality}{rng.randrange(10**7, 10**8)}" if rng.random() < 0.4 else ""
        previous.append((script, given, family, birth, nationality, sex))
        for copy in range(_records_per_person(rng)):
            native = (copy > 0 and rng.random() < 0.35) or (copy == 0 and rng.random() < 0.15)
            first = given.native if native else given.latin
            last = family.native if native else family.latin
            if not native and copy > 0 and rng.random() < 0.5:
                if rng.random() < 0.5:
                    first = _typo(rng, first)
                else:
                    last = _typo(rng, last)
            swapped = copy > 0 and rng.random() < 0.2
            name = f"{last} {first}" if swapped else f"{first} {last}"
            aliases: tuple[str, ...] = ()
            if copy > 0 and rng.random() < 0.1:
                aliases = (
                    f"{given.latin} {family.latin}"
                    if native
                    else f"{given.native} {family.native}",
                )
            date = birth
            if copy > 0 and date and rng.random() < 0.1:
                date = _garble_date(rng, date)
            # Bureaus disagree now and then: another nationality (dual nationals), a sex
            # recorded wrongly, a newer passport.
            nationalities = (nationality,)
            if copy > 0 and rng.random() < 0.05:
                nationalities = (rng.choice(OTHER_COUNTRIES),)
            recorded_sex = sex
            if copy > 0 and rng.random() < 0.02:
                recorded_sex = "F" if sex == "M" else "M"
            identifiers = frozenset({document}) if document and rng.random() < 0.5 else frozenset()
            if copy > 0 and identifiers and rng.random() < 0.15:
                identifiers = frozenset({f"{nationality}{rng.randrange(10**7, 10**8)}"})
            subject = Subject(
                record_id=next_id,
                names=(name, *aliases),
                birth_date=None if copy > 0 and rng.random() < 0.2 else date,
                nationalities=() if copy > 0 and rng.random() < 0.3 else nationalities,
                sex=None if copy > 0 and rng.random() < 0.2 else recorded_sex,
                identifiers=identifiers,
                owner_org_id=1 + copy,
            )
            next_id += 1
            records.append(LabelledRecord(subject, entity, first, last))
    rng.shuffle(records)
    return [replace(r, subject=replace(r.subject, record_id=i + 1)) for i, r in enumerate(records)]


def true_pairs(records: list[LabelledRecord]) -> set[tuple[int, int]]:
    """(i, j) positions, i < j, of the records of one person."""
    by_entity: dict[int, list[int]] = {}
    for position, record in enumerate(records):
        by_entity.setdefault(record.entity, []).append(position)
    return {
        (a, b)
        for members in by_entity.values()
        for i, a in enumerate(members)
        for b in members[i + 1 :]
    }
