"""Person-index speed on synthetic worlds: build time and memory, single-query latency (p50,
p99) and throughput in process, the time to screen a 100,000-name manifest (two worker
processes forked from the built index), and the cost of applying changes. Side by side: a
plain rapidfuzz scan over every name and nomenklatura logic-v2 (no index of its own, so its
per-query time is its per-pair time times the world size). Prints a table.

The world: names drawn from Faker's per-locale name lists (Latin and native scripts) with a
long tail of real Latin family names from the Wikidata dev sets (so the vocabulary is as
varied as a real register's), 20 % with an alias, birth dates, nationalities, sex and a mix
of visibility restrictions. Queries: known names with typos, swaps, dropped middle names and
initials, exact names, unknown names, and native-script spellings of Latin-indexed persons.

    .venv/bin/python bench/persons_speed.py [--size 100000 1000000] [--manifest 100000]
"""

from __future__ import annotations

import argparse
import gc
import importlib
import random
import time
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from followthemoney import model
from nomenklatura.matching import LogicV2, ScoringConfig
from rapidfuzz import fuzz, process
from rich.console import Console
from rich.table import Table

from interlink.core.access import Visibility, VisibilityMode
from interlink.screening.names import latin_form
from interlink.screening.person_index import PersonEntry, PersonIndex, PersonQuery

DATA = Path("/work/shared/data/names")
# (Faker locale, share of the world)
CULTURES = (
    ("en_US", 12),
    ("en_GB", 5),
    ("de_DE", 5),
    ("fr_FR", 5),
    ("es_ES", 4),
    ("es_MX", 4),
    ("it_IT", 4),
    ("pt_BR", 4),
    ("pl_PL", 3),
    ("nl_NL", 2),
    ("tr_TR", 4),
    ("ro_RO", 2),
    ("hu_HU", 1),
    ("cs_CZ", 1),
    ("sv_SE", 1),
    ("vi_VN", 2),
    ("id_ID", 3),
    ("yo_NG", 2),
    ("sw", 2),
    ("en_IN", 3),
    ("ru_RU", 6),
    ("uk_UA", 2),
    ("bg_BG", 1),
    ("ar_AA", 5),
    ("fa_IR", 2),
    ("he_IL", 1),
    ("zh_CN", 5),
    ("zh_TW", 1),
    ("ja_JP", 2),
    ("ko_KR", 2),
    ("el_GR", 1),
    ("hi_IN", 1),
    ("th_TH", 1),
    ("ka_GE", 1),
)
COUNTRIES = (
    "FR",
    "DE",
    "IT",
    "ES",
    "GB",
    "US",
    "TR",
    "RU",
    "CN",
    "EG",
    "NG",
    "BR",
    "IN",
    "ID",
    "PK",
    "IR",
    "IL",
    "JP",
    "KR",
    "VN",
    "PL",
    "NL",
    "UA",
    "MA",
    "DZ",
    "SA",
)
QUERY_MIX = (
    ("typo", 25),
    ("swap", 10),
    ("drop", 5),
    ("initial", 5),
    ("exact", 20),
    ("unknown", 20),
    ("native", 15),
)


@dataclass
class Pools:
    given: dict[str, list[str]]
    family: dict[str, list[str]]
    long_tail: list[str]
    pairs: list[tuple[str, str]]  # (Latin, native) tokens from the Wikidata dev sets


def _names(provider: type, *attrs: str) -> list[str]:
    found: list[str] = []
    for attr in attrs:
        found += list(getattr(provider, attr, ()) or ())
    return sorted({n for n in found if isinstance(n, str) and n.strip()})


def load_pools() -> Pools:
    given, family = {}, {}
    for locale, _ in CULTURES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        given[locale] = _names(provider, "first_names", "first_names_male", "first_names_female")
        family[locale] = _names(provider, "last_names") or given[locale]
    long_tail, pairs = set(), []
    for path in sorted(DATA.glob("wikidata_*_dev.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if len(fields) >= 2 and (latin := latin_form(fields[0])):
                long_tail.add(latin.capitalize())
                pairs.append((latin.capitalize(), fields[1].replace(" ", "")))
    return Pools(given, family, sorted(long_tail), pairs)


def typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeiourstnl") + text[i + 1 :]


def visibility(rng: random.Random) -> Visibility:
    roll = rng.random()
    if roll < 0.8:
        return Visibility()
    mode = VisibilityMode.EXCEPT if roll < 0.95 else VisibilityMode.ONLY
    return Visibility(
        mode, frozenset(rng.sample(COUNTRIES, 2 if mode is VisibilityMode.EXCEPT else 3))
    )


def birth_date(rng: random.Random) -> str | None:
    roll = rng.random()
    year = rng.randrange(1940, 2006)
    if roll < 0.85:
        return f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    return str(year) if roll < 0.95 else None


def world(size: int, pools: Pools, seed: int) -> tuple[list[PersonEntry], dict[int, str]]:
    """The persons, and the native spelling of those built from Wikidata pairs."""
    rng = random.Random(seed)
    locales = [c for c, _ in CULTURES]
    weights = [w for _, w in CULTURES]
    entries, natives = [], {}
    for record_id in range(1, size + 1):
        if record_id % 50 == 0:  # a person whose native spelling the queries will use
            (given, given_native), (family, family_native) = rng.sample(pools.pairs, 2)
            names: tuple[str, ...] = (f"{given} {family}",)
            natives[record_id] = f"{given_native} {family_native}"
        else:
            locale = rng.choices(locales, weights)[0]
            given = rng.choice(pools.given[locale])
            tail = locale in ("en_US", "en_GB", "de_DE", "fr_FR") and rng.random() < 0.3
            family = rng.choice(pools.long_tail if tail else pools.family[locale])
            middle = f" {rng.choice(pools.given[locale])}" if rng.random() < 0.15 else ""
            names = (f"{given}{middle} {family}",)
            if rng.random() < 0.2:
                names += (f"{family} {typo(rng, given)}",)
        entries.append(
            PersonEntry(
                record_id,
                names,
                birth_date(rng),
                tuple(rng.sample(COUNTRIES, rng.choice((1, 1, 1, 2)))),
                rng.choice(("M", "F", "M", "F", "U")),
                visibility(rng),
                rng.randrange(1, 197),
            )
        )
    return entries, natives


def queries(
    count: int, entries: list[PersonEntry], natives: dict[int, str], pools: Pools, seed: int
) -> list[PersonQuery]:
    rng = random.Random(seed)
    kinds = rng.choices([k for k, _ in QUERY_MIX], [w for _, w in QUERY_MIX], k=count)
    native_ids = sorted(natives)
    locales = [c for c, _ in CULTURES]
    out = []
    for kind in kinds:
        entry = rng.choice(entries)
        tokens = entry.names[0].split()
        if kind == "typo":
            i = rng.randrange(len(tokens))
            tokens[i] = typo(rng, tokens[i])
        elif kind == "swap":
            tokens = tokens[::-1]
        elif kind == "drop" and len(tokens) > 2:
            tokens = [tokens[0], tokens[-1]]
        elif kind == "initial":
            tokens[0] = tokens[0][0] + "."
        elif kind == "unknown":
            locale = rng.choice(locales)
            tokens = [rng.choice(pools.given[locale]), rng.choice(pools.long_tail)]
        elif kind == "native":
            entry = entries[rng.choice(native_ids) - 1]
            tokens = natives[entry.record_id].split()
        birth = entry.birth_date[:4] if entry.birth_date and rng.random() < 0.5 else None
        out.append(PersonQuery(" ".join(t for t in tokens if t), birth_date=birth))
    return out


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- manifest workers (forked: they share the built index copy-on-write) ---------------------

_INDEX: PersonIndex | None = None


def _screen(batch: list[PersonQuery]) -> int:
    """Hits at the decision threshold (a manifest wants decisions, not near misses)."""
    assert _INDEX is not None
    threshold = _INDEX.matcher.config.threshold
    return sum(bool(_INDEX.search(q, "FR", limit=5, min_score=threshold)) for q in batch)


def screen_manifest(index: PersonIndex, manifest: list[PersonQuery], workers: int) -> float:
    global _INDEX
    _INDEX = index
    gc.freeze()  # keep the collector from touching (and so copying) the shared index
    started = time.perf_counter()
    batches = [manifest[i : i + 500] for i in range(0, len(manifest), 500)]
    with get_context("fork").Pool(workers) as pool:
        sum(pool.imap_unordered(_screen, batches))
    elapsed = time.perf_counter() - started
    gc.unfreeze()
    return elapsed


def baselines(entries: list[PersonEntry], sample: list[PersonQuery]) -> tuple[float, float]:
    """Per-query seconds: rapidfuzz scanning every name; logic-v2 per pair times the size."""
    names = [e.names[0] for e in entries]
    started = time.perf_counter()
    for q in sample[:10]:
        process.extract(q.name, names, scorer=fuzz.token_sort_ratio, limit=10, score_cutoff=70)
    rapid = (time.perf_counter() - started) / 10
    config = ScoringConfig.defaults()
    left, right = model.make_entity("Person"), []
    left.id = "q"
    left.add("name", sample[0].name)
    for i, e in enumerate(entries[:1000]):
        entity = model.make_entity("Person")
        entity.id = f"e{i}"
        entity.add("name", e.names[0])
        right.append(entity)
    for entity in right[:100]:  # warm its caches
        LogicV2.compare(left, entity, config)
    started = time.perf_counter()
    for entity in right[100:]:
        LogicV2.compare(left, entity, config)
    per_pair = (time.perf_counter() - started) / (len(right) - 100)
    return rapid, per_pair * len(entries)


def measure(size: int, pools: Pools, args: argparse.Namespace, console: Console) -> list[str]:
    entries, natives = world(size, pools, seed=size)
    gc.collect()
    before = rss_mb()
    index = PersonIndex()
    started = time.perf_counter()
    index.bulk_load(entries)
    build = time.perf_counter() - started
    gc.collect()
    memory, total = rss_mb() - before, rss_mb()
    console.print(
        f"  {size:,}: built in {build:.1f}s, index +{memory:,.0f} MB, "
        f"process {total:,.0f} MB (with the generated entries)"
    )
    sample = queries(args.queries, entries, natives, pools, seed=1)
    for q in sample[:50]:  # warm the token caches as a running service would be
        index.search(q, "FR")
    latencies = []
    for q in sample:
        started = time.perf_counter()
        index.search(q, "FR", limit=10)
        latencies.append(time.perf_counter() - started)
    lat = np.array(latencies) * 1000
    console.print(
        f"  {size:,}: p50 {np.percentile(lat, 50):.2f} ms, "
        f"p99 {np.percentile(lat, 99):.2f} ms, max {lat.max():.1f} ms"
    )
    manifest = queries(args.manifest, entries, natives, pools, seed=2)
    manifest_seconds = screen_manifest(index, manifest, args.workers)
    console.print(f"  {size:,}: manifest of {args.manifest:,} in {manifest_seconds:.1f}s")
    rng = random.Random(3)
    changes = [entries[rng.randrange(size)] for _ in range(5000)]
    started = time.perf_counter()
    for entry in changes:
        index.upsert(
            PersonEntry(
                entry.record_id,
                (entry.names[0] + " Jr",),
                entry.birth_date,
                entry.nationalities,
                entry.sex,
                entry.visibility,
                entry.owner_org_id,
            )
        )
    for entry in changes[:2500]:
        index.remove(entry.record_id)
    change_us = (time.perf_counter() - started) / 7500 * 1e6
    rapid, nk = baselines(entries, sample)
    return [
        f"{size:,}",
        f"{build:.1f}",
        f"{memory:,.0f}",
        f"{total:,.0f}",
        f"{np.percentile(lat, 50):.2f}",
        f"{np.percentile(lat, 99):.2f}",
        f"{len(lat) / (lat.sum() / 1000):,.0f}",
        f"{manifest_seconds:.1f}",
        f"{change_us:.0f}",
        f"{rapid * 1000:,.0f}",
        f"{nk:,.0f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=2000, help="single-query sample")
    parser.add_argument("--manifest", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    console = Console(width=170)
    pools = load_pools()
    table = Table(title="Person index, in process (viewer FR: visibility filtered first)")
    for column in (
        "persons",
        "build s",
        "index MB",
        "process MB",
        "p50 ms",
        "p99 ms",
        "queries/s",
        f"manifest {args.manifest:,} s ({args.workers} procs)",
        "upsert/remove µs",
        "rapidfuzz scan ms/q",
        "logic-v2 scan s/q",
    ):
        table.add_column(column, justify="right")
    for size in args.size:
        table.add_row(*measure(size, pools, args, console))
    console.print(table)


if __name__ == "__main__":
    main()
