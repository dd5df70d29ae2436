"""Name screening as the officer gets it: native-script names screened through the product
against Latin-spelled persons, with the peers measured on the same queries. Prints a table.

For each Wikidata dev set, `--size` persons with a two-token Latin name are imported with
`interlink records import` (FtM JSON lines, owned by MA, visible to all) into a fresh
SQLite data folder, then their native spellings, and `--unlisted` native names of persons
who were not imported, are screened with `interlink screen batch --as MA` (limit 5,
threshold 0.7; as the owner, since a person circulates to other members only under a
request in force). What is counted is what the answer shows:

- rank-1: the first hit returned (the service returns hits at 0.55 and above) is the true
  person; a true person ranked first at 0.40 is a miss, as it is for the officer;
- recall@0.7: the true person is among the hits at the decision threshold;
- false@0.7: unlisted queries (their person was not imported) with any hit at 0.7.

The peers (anyascii transliteration + rapidfuzz token_sort_ratio, and nomenklatura
logic-v2) score every candidate they are given, with no floor: their rank-1 is the
matcher-level figure, which favours them. "ours, every candidate" is the same figure for
our matcher (the index with no floor), a diagnostic only.

Split. Rows are linked into a graph (a Latin spelling and a native spelling are joined by
each row that pairs them; all seven sets together, as the Han and Kana models learn from
two sets each). A connected component any of whose Latin spellings the model was trained on
(`in_training_split`) is "seen" and never used. The others are split in halves by a hash of
the component: "tune" (for developing rules) and "test" (for reporting only); no form is on
both sides. Unlisted queries come from components that no listed person touches.

Long names: Arabic names of three to six tokens built from the same side's Arabic rows
(nasab chains with بن, "abd al-" compounds, the article ال, honorifics such as الشيخ, a
grandfather missing on one side) listed with the usual Latin variants (bin/ibn, al-/el-,
Abdul/Abd al-/Abdel, joined or not), and Russian three-token names (family, given,
patronymic) listed in Latin order.

    .venv/bin/python bench/names_product.py [--side test] [--size 4000] [--queries 500]
        [--unlisted 300] [--via cli|index] [--sets arabic korean ...] [--no-peers] [--reverse]

`--reverse`: the other direction, as common at a border: the persons are recorded in
their native script (a bureau writes its own names in its script) and screened by their
Latin spellings (what a passport prints and an officer types); unlisted queries are Latin.

`--via index` searches in process through the person index with the service's floor and
the batch's limit (the answers `screen batch` gives, minutes faster; ties between equal
scores may order differently): for developing rules. With it, `--without pinyin
kanji ...` leaves maintained readings out and `--set field=value ...` changes MatchConfig
fields, to measure each step; with PYTHONPATH pointing at another checkout's src/, the same
queries measure that code.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from anyascii import anyascii
from rapidfuzz import fuzz, process
from rich.console import Console
from rich.table import Table

from interlink.screening.model import in_training_split
from interlink.screening.names import NameAnalyzer, Romanizer
from interlink.screening.person_index import PersonEntry, PersonIndex, PersonQuery
from interlink.screening.person_matcher import MatchConfig, PersonMatcher

try:
    from interlink.screening.readings import EVERY_READING, Reading
except ImportError:  # an older checkout on PYTHONPATH, from before the maintained readings
    EVERY_READING, Reading = frozenset(), None  # type: ignore[assignment]

sys.path.insert(0, str(Path(__file__).parent))
from names_quality import (
    DEV_SETS,
    EVERYONE,
    Scores,
    candidates_for,
    dev_rows,
    run_nomenklatura,
    run_ours,
)

FLOOR = 0.55  # the service's reporting floor (PersonIndex.min_score)
THRESHOLD = 0.7  # the decision threshold
LIMIT = 5  # hits per row, as `interlink screen batch` by default
# Screened as the owning bureau: a person circulates to other members only under a request
# in force (records.circulation), so a fresh import is seen by its owner alone.
OWNER = VIEWER = "MA"
INTERLINK = Path(sys.executable).with_name("interlink")

Row = tuple[str, str, str]  # raw Latin, Latin form, native


# --- the split -----------------------------------------------------------------------------


class _Components:
    """Union-find over ("L", latin) and ("N", native) nodes."""

    def __init__(self) -> None:
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(self, node: tuple[str, str]) -> tuple[str, str]:
        parent = self.parent
        root = parent.setdefault(node, node)
        while root != parent[root]:
            parent[root] = parent[parent[root]]
            root = parent[root]
        return root

    def union(self, a: tuple[str, str], b: tuple[str, str]) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


def split_sides(sets: dict[str, list[Row]]) -> dict[str, dict[str, list[Row]]]:
    """Per side ("tune", "test"), per set, the rows of components the model never saw."""
    graph = _Components()
    for rows in sets.values():
        for _, latin, native in rows:
            graph.union(("L", latin), ("N", native))
    seen: set[tuple[str, str]] = set()
    smallest: dict[tuple[str, str], str] = {}
    for node in list(graph.parent):
        root = graph.find(node)
        text = f"{node[0]}:{node[1]}"
        smallest[root] = min(smallest.get(root, text), text)
    for rows in sets.values():
        for raw, latin, _ in rows:
            if in_training_split(raw):
                seen.add(graph.find(("L", latin)))
    sides: dict[str, dict[str, list[Row]]] = {"tune": {}, "test": {}}
    for name, rows in sets.items():
        for side in sides.values():
            side[name] = []
        for row in rows:
            root = graph.find(("L", row[1]))
            if root in seen:
                continue
            bucket = hashlib.blake2b(smallest[root].encode(), digest_size=4).digest()[0] % 2
            sides["test" if bucket else "tune"][name].append(row)
    return sides


def component_groups(rows: list[Row]) -> list[list[Row]]:
    """Rows grouped by the components of this set alone (for reserving unlisted names)."""
    graph = _Components()
    for _, latin, native in rows:
        graph.union(("L", latin), ("N", native))
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        groups[graph.find(("L", row[1]))].append(row)
    return sorted(groups.values(), key=lambda g: (g[0][1], g[0][2]))


# --- cases ---------------------------------------------------------------------------------


@dataclass
class Case:
    """A watchlist (Latin names), listed queries (index of the true person) and unlisted
    queries (no true person)."""

    name: str
    listed: list[str]
    queries: list[str]
    truth: list[int]
    unlisted: list[str] = field(default_factory=list)


def reserve_unlisted(
    rows: list[Row], wanted: int, rng: random.Random
) -> tuple[list[Row], list[Row]]:
    """(rows for listed persons, rows for unlisted ones): whole components, at most a
    fifth of the rows for the unlisted."""
    groups = component_groups(rows)
    rng.shuffle(groups)
    reserved: list[Row] = []
    cap = min(wanted, len(rows) // 5)
    while groups and len(reserved) < cap:
        reserved.extend(groups.pop())
    return [row for group in groups for row in group], reserved


def two_token_case(
    name: str,
    rows: list[Row],
    size: int,
    queries: int,
    unlisted: int,
    seed: int,
    *,
    reverse: bool = False,
) -> Case:
    rng = random.Random(seed)
    listed_rows, reserved = reserve_unlisted(rows, 2 * unlisted, rng)
    latin: list[str] = []
    native: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(latin) < size and attempts < 50 * size:
        attempts += 1
        a, b = rng.sample(listed_rows, 2)
        if a[1] == b[1] or f"{a[1]} {b[1]}" in seen:
            continue
        if reverse and f"{a[2]} {b[2]}" in seen:  # one listed person per native spelling
            continue
        seen.update((f"{a[1]} {b[1]}", f"{a[2]} {b[2]}") if reverse else (f"{a[1]} {b[1]}",))
        latin.append(f"{a[0]} {b[0]}")
        native.append(f"{a[2]} {b[2]}")
    picked = rng.sample(range(len(latin)), min(queries, len(latin)))
    rng.shuffle(reserved)
    side = 0 if reverse else 2
    free = [f"{a[side]} {b[side]}" for a, b in zip(reserved[::2], reserved[1::2], strict=False)]
    if reverse:
        return Case(name, native, [latin[i] for i in picked], picked, free[:unlisted])
    return Case(name, latin, [native[i] for i in picked], picked, free[:unlisted])


# Arabic particles and honorifics as written in the native script, with their usual Latin
# spellings on lists (chosen at random per person).
_BIN = ("بن", ("bin", "ibn", "ben"))
_AL = ("ال", ("al-", "al ", "el-", "Al-"))
_ABD = ("عبد ال", ("Abd al-", "Abdul ", "Abdel ", "Abdul"))
_HONORIFICS = ("الشيخ", "الحاج", "السيد")


def _arabic_long(rows: Sequence[Row], rng: random.Random) -> tuple[str, str]:
    """(Latin listed name, native query) for one made-up Arabic person of 4 to 7 tokens."""
    given, father, grandfather, family = rng.sample(list(rows), 4)
    bin_latin = rng.choice(_BIN[1])
    al_latin = rng.choice(_AL[1])
    fam_native, fam_latin = _AL[0] + family[2], f"{al_latin}{family[0]}"
    if family[2].startswith(_AL[0]):  # the row already has its article
        fam_native, fam_latin = family[2], family[0]
    shape = rng.randrange(6)
    if shape == 0:  # full nasab chain on both sides
        return (
            f"{given[0]} {bin_latin} {father[0]} {bin_latin} {grandfather[0]} {fam_latin}",
            f"{given[2]} {_BIN[0]} {father[2]} {_BIN[0]} {grandfather[2]} {fam_native}",
        )
    if shape == 1:  # chain without bin (passport style) on both sides
        return (
            f"{given[0]} {father[0]} {grandfather[0]} {fam_latin}",
            f"{given[2]} {father[2]} {grandfather[2]} {fam_native}",
        )
    if shape == 2:  # "abd al-" compound given name
        abd = rng.choice(_ABD[1])
        return (
            f"{abd}{given[0]} {father[0]} {fam_latin}",
            f"{_ABD[0]}{given[2]} {father[2]} {fam_native}",
        )
    if shape == 3:  # an honorific in the query only
        return (
            f"{given[0]} {bin_latin} {father[0]} {fam_latin}",
            f"{rng.choice(_HONORIFICS)} {given[2]} {_BIN[0]} {father[2]} {fam_native}",
        )
    if shape == 4:  # the query gives the grandfather, the list does not
        return (
            f"{given[0]} {bin_latin} {father[0]} {fam_latin}",
            f"{given[2]} {father[2]} {grandfather[2]} {fam_native}",
        )
    # the list gives the grandfather, the query does not
    return (
        f"{given[0]} {bin_latin} {father[0]} {bin_latin} {grandfather[0]} {fam_latin}",
        f"{given[2]} {_BIN[0]} {father[2]} {fam_native}",
    )


def _russian_long(rows: Sequence[Row], rng: random.Random) -> tuple[str, str]:
    """Family, given and patronymic in Cyrillic, listed as given patronymic family."""
    family, given, patronymic = rng.sample(list(rows), 3)
    return f"{given[0]} {patronymic[0]} {family[0]}", f"{family[2]} {given[2]} {patronymic[2]}"


def long_case(
    arabic: list[Row],
    russian: list[Row],
    size: int,
    queries: int,
    unlisted: int,
    seed: int,
    *,
    reverse: bool = False,
) -> Case:
    rng = random.Random(seed)
    arabic_listed, arabic_free = reserve_unlisted(arabic, 4 * unlisted, rng)
    russian_listed, russian_free = reserve_unlisted(russian, 3 * unlisted, rng)
    latin, native = [], []
    for number in range(size):
        make = _russian_long if number % 4 == 3 else _arabic_long
        pool = russian_listed if number % 4 == 3 else arabic_listed
        listed, query = make(pool, rng)
        latin.append(listed)
        native.append(query)
    picked = rng.sample(range(size), min(queries, size))
    free = [
        (_russian_long(russian_free, rng) if n % 4 == 3 else _arabic_long(arabic_free, rng))[
            0 if reverse else 1
        ]
        for n in range(unlisted)
    ]
    if reverse:
        return Case("long names", native, [latin[i] for i in picked], picked, free)
    return Case("long names", latin, [native[i] for i in picked], picked, free)


# --- ours, through the product ---------------------------------------------------------------


def _interlink(data_dir: Path, *args: str) -> None:
    subprocess.run(
        [str(INTERLINK), *args, "--data-dir", str(data_dir)],
        check=True,
        capture_output=True,
        text=True,
    )


def product_hits(case: Case) -> tuple[list[list[tuple[int, float]]], float]:
    """Per query (listed, then unlisted), the hits `interlink screen batch` returned, as
    (person index, score), and the seconds the batch command took."""
    with tempfile.TemporaryDirectory(prefix="names-product-") as folder:
        data_dir = Path(folder)
        _interlink(data_dir, "db", "upgrade")
        persons = data_dir / "persons.jsonl"
        persons.write_text(
            "".join(
                json.dumps(
                    {"id": f"p{i}", "schema": "Person", "properties": {"name": [name]}},
                    ensure_ascii=False,
                )
                + "\n"
                for i, name in enumerate(case.listed)
            ),
            encoding="utf-8",
        )
        _interlink(data_dir, "records", "import", str(persons), "--owner", OWNER)
        manifest = data_dir / "manifest.csv"
        with manifest.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                (
                    "id",
                    "name",
                    "birth_date",
                    "nationality",
                    "sex",
                    "document_number",
                    "document_country",
                )
            )
            for number, query in enumerate([*case.queries, *case.unlisted]):
                writer.writerow((f"q{number}", query, "", "", "", "", ""))
        out = data_dir / "answers.jsonl"
        started = time.perf_counter()
        _interlink(
            data_dir,
            "screen",
            "batch",
            str(manifest),
            "--as",
            VIEWER,
            "--out",
            str(out),
            "--limit",
            str(LIMIT),
            "--threshold",
            str(THRESHOLD),
        )
        seconds = time.perf_counter() - started
        answers = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        # a hit below the decision names only its record id: read the external ids back
        with sqlite3.connect(data_dir / "interlink.db") as db:
            external = dict(db.execute("SELECT id, external_id FROM records"))
    hits = []
    for answer in answers:
        if "error" in answer:
            raise SystemExit(f"the batch refused a query: {answer['error']}")
        hits.append(
            [
                (int(external[h["record_id"]][1:]), float(h["score"]))
                for h in answer["hits"]
                if h.get("record_kind", h.get("kind")) == "person"
            ]
        )
    return hits, seconds


def index_hits(case: Case, matcher: PersonMatcher) -> tuple[list[list[tuple[int, float]]], float]:
    """The answers of the in-process index searched as the service searches it (its floor,
    the batch's limit and threshold): what `screen batch` returns, without the process."""
    index = PersonIndex(matcher, min_score=FLOOR)
    index.bulk_load(
        PersonEntry(i, (n,), None, (), None, EVERYONE, 0) for i, n in enumerate(case.listed)
    )
    started = time.perf_counter()
    hits = [
        [(h.record_id, h.score) for h in index.search(PersonQuery(q), None, limit=LIMIT)]
        for q in [*case.queries, *case.unlisted]
    ]
    return hits, time.perf_counter() - started


@dataclass
class Officer:
    """What the answers gave: rank-1, recall at the threshold, unlisted flagged."""

    rank1: float
    recall: float
    flagged: int
    unlisted: int


def officer_view(case: Case, hits: list[list[tuple[int, float]]]) -> Officer:
    listed, free = hits[: len(case.queries)], hits[len(case.queries) :]
    rank1 = [
        bool(h) and h[0][0] == t and h[0][1] >= FLOOR
        for h, t in zip(listed, case.truth, strict=True)
    ]
    recall = [
        any(i == t and s >= THRESHOLD for i, s in h)
        for h, t in zip(listed, case.truth, strict=True)
    ]
    flagged = sum(any(s >= THRESHOLD for _, s in h) for h in free)
    return Officer(float(np.mean(rank1)), float(np.mean(recall)), flagged, len(free))


# --- peers ---------------------------------------------------------------------------------


def ascii_name(name: str) -> str:
    return " ".join(anyascii(token).lower().replace(" ", "") for token in name.split())


def run_anyascii(watchlist: Sequence[str], queries: Sequence[str], truth: list[int]) -> Scores:
    """anyascii transliteration, then rapidfuzz token_sort_ratio over every candidate."""
    started = time.perf_counter()
    matrix = (
        process.cdist(
            [ascii_name(q) for q in queries],
            [ascii_name(w) for w in watchlist],
            scorer=fuzz.token_sort_ratio,
            dtype=np.float32,
        )
        / 100.0
    )
    found = [
        {int(i): float(row[i]) for i in np.flatnonzero(row >= 0.3)}
        | ({t: float(row[t])} if t >= 0 else {})
        for row, t in zip(matrix, truth, strict=True)
    ]
    return Scores(truth, found, time.perf_counter() - started)


# --- report --------------------------------------------------------------------------------


def measure(
    case: Case, args: argparse.Namespace, matcher: PersonMatcher, console: Console
) -> list[str]:
    no_truth = [-1] * len(case.unlisted)
    diagnostic = run_ours(case.listed, case.queries, case.truth, matcher)
    diagnostic_free = run_ours(case.listed, case.unlisted, no_truth, matcher)
    if args.via == "cli":
        hits, seconds = product_hits(case)
    else:
        hits, seconds = index_hits(case, matcher)
    ours = officer_view(case, hits)
    peers: dict[str, tuple[Scores, Scores]] = {}
    if not args.no_peers:
        peers["anyascii"] = (
            run_anyascii(case.listed, case.queries, case.truth),
            run_anyascii(case.listed, case.unlisted, no_truth),
        )
        rapid, rapid_free = peers["anyascii"]
        peers["logic-v2"] = (
            run_nomenklatura(
                case.listed,
                case.queries,
                case.truth,
                args.workers,
                candidates_for(case.truth, diagnostic, rapid),
            ),
            run_nomenklatura(
                case.listed,
                case.unlisted,
                no_truth,
                args.workers,
                candidates_for(no_truth, diagnostic_free, rapid_free),
            ),
        )
    best_peer = max((scores.rank1() for scores, _ in peers.values()), default=float("nan"))
    console.print(
        f"  {case.name:11} ours rank-1 {ours.rank1:.3f} recall {ours.recall:.3f} "
        f"flagged {ours.flagged}/{ours.unlisted} ({seconds:.0f} s)",
        style="dim",
    )

    def peer(label: str) -> str:
        if label not in peers:
            return "-"
        listed, free = peers[label]
        return (
            f"{listed.rank1():.3f} / {listed.recall_at(THRESHOLD):.3f} / "
            f"{int(free.flagged(THRESHOLD).sum())}"
        )

    return [
        case.name,
        str(len(case.queries)),
        f"{ours.rank1:.3f}",
        f"{ours.recall:.3f}",
        f"{ours.flagged} / {ours.unlisted}",
        f"{diagnostic.rank1():.3f}",
        peer("anyascii"),
        peer("logic-v2"),
        f"{ours.rank1 - best_peer:+.3f}" if peers else "-",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=("tune", "test"), default="test")
    parser.add_argument("--size", type=int, default=4000, help="persons imported per set")
    parser.add_argument("--queries", type=int, default=500, help="listed queries per set")
    parser.add_argument("--unlisted", type=int, default=300, help="unlisted queries per set")
    parser.add_argument("--via", choices=("cli", "index"), default="cli")
    parser.add_argument("--sets", nargs="+", default=[*DEV_SETS, "long"])
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="processes for logic-v2")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument(
        "--reverse",
        action="store_true",
        help="persons recorded in their native script, screened by their Latin spellings",
    )
    parser.add_argument(
        "--without",
        nargs="+",
        default=[],
        choices=[r.value for r in Reading] if Reading else [],
        help="leave these maintained readings out (with --via index)",
    )
    parser.add_argument(
        "--set",
        nargs="+",
        default=[],
        metavar="FIELD=VALUE",
        help="MatchConfig fields changed (with --via index), to measure one step at a time",
    )
    args = parser.parse_args()
    if (args.without or args.set) and args.via != "index":
        parser.error("--without and --set need --via index (the product runs as configured)")
    console = Console(width=160)
    sides = split_sides({name: dev_rows(name) for name in DEV_SETS})
    rows = sides[args.side]
    config = MatchConfig()
    for change in args.set:
        field_name, value = change.split("=", 1)
        kind = type(getattr(config, field_name))
        config = replace(config, **{field_name: value == "true" if kind is bool else kind(value)})
    if args.without:
        readings = EVERY_READING - {Reading(r) for r in args.without}  # type: ignore[misc]
        matcher = PersonMatcher(config, NameAnalyzer(Romanizer.load(readings=readings)))
    else:
        matcher = PersonMatcher(config)
    stored = "native-script" if args.reverse else "Latin-spelled"
    table = Table(
        title=f"Names as the officer gets them ({args.side} side, via {args.via}; "
        f"{args.size} {stored} persons per set; hits at {FLOOR}+, "
        f"decision at {THRESHOLD})"
    )
    for column in (
        "set",
        "queries",
        "rank-1 (first hit)",
        f"recall@{THRESHOLD}",
        f"unlisted flagged @{THRESHOLD}",
        "ours, every candidate (diagnostic)",
        "anyascii + rapidfuzz: rank-1 / recall / flagged",
        "logic-v2: rank-1 / recall / flagged",
        "rank-1 - best peer",
    ):
        table.add_column(column, justify="left" if column == "set" else "right")
    for number, name in enumerate(args.sets):
        if name == "long":
            case = long_case(
                rows["arabic"],
                rows["russian"],
                args.size,
                args.queries,
                args.unlisted,
                args.seed + number,
                reverse=args.reverse,
            )
        else:
            case = two_token_case(
                name,
                rows[name],
                args.size,
                args.queries,
                args.unlisted,
                args.seed + number,
                reverse=args.reverse,
            )
        table.add_row(*measure(case, args, matcher, console))
    console.print(table)


if __name__ == "__main__":
    main()
