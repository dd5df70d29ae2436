"""Name-matching quality on real data: ours against the OpenSanctions matcher (nomenklatura
logic-v2) and a transliterate-then-edit-distance baseline (ICU Any-Latin + rapidfuzz
token_sort_ratio), side by side on the same queries. Prints tables; not a timed test.

Cross-script (Wikidata dev sets): a person is two random rows of one dev set, so their
Latin name is "latin1 latin2" and the query is "native1 native2". The watchlist holds the
Latin names of `--size` persons; each query must rank its own person first. Persons are
built twice: from rows outside the model's training split ("held-out") and from any row
("full dev").

OFAC 2021: the watchlist is every individual's primary name; each alias is a query that must
rank its own entity first. False matches: names made up by Faker (not listed) queried
against the same list.

Same threshold policy for every matcher: one numeric threshold (default 0.7, the yente and
Interlink default); "false/100" counts watchlist entries other than the true one at or above
it, per 100 queries; "recall@t" is the share of queries whose true entry reaches it. As two
matchers' scores are not on one scale, the OFAC table also shows ours at the threshold where
its alias recall equals logic-v2's, and where it flags as many Faker names as logic-v2.

    .venv/bin/python bench/names_quality.py [--size 2000] [--queries 200] [--quick]
    .venv/bin/python bench/names_quality.py --only ofac --queries 1000 --unlisted 3000 \
        --seeds 9 19 29 --quick [--no-peers]
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

import icu
import numpy as np
from faker import Faker
from followthemoney import model
from nomenklatura.matching import LogicV2, ScoringConfig
from rapidfuzz import fuzz, process
from rich.console import Console
from rich.table import Table

from interlink.core.access import Visibility
from interlink.screening.model import in_training_split
from interlink.screening.names import Script, latin_form, split_name, token_script
from interlink.screening.person_index import PersonEntry, PersonIndex, PersonQuery
from interlink.screening.person_matcher import PersonMatcher

DATA = Path("/work/shared/data")
DEV_SETS = ("arabic", "chinese", "hebrew", "japanese", "katakana", "korean", "russian")
FAKER_LOCALES = (
    "en_US",
    "en_GB",
    "de_DE",
    "fr_FR",
    "es_ES",
    "it_IT",
    "pt_BR",
    "pl_PL",
    "nl_NL",
    "tr_TR",
    "ar_AA",
    "ru_RU",
    "zh_CN",
    "fa_IR",
    "hi_IN",
    "id_ID",
)
ICU_LATIN = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII; Lower")
EVERYONE = Visibility()


@dataclass
class Scores:
    """Per query: the true entry's index and the (index, score) pairs a matcher reported."""

    truth: list[int]
    found: list[dict[int, float]]
    seconds: float

    def rank1(self) -> float:
        ok = [
            t in f and f[t] >= max(f.values()) for t, f in zip(self.truth, self.found, strict=True)
        ]
        return float(np.mean(ok))

    def recall_at(self, threshold: float) -> float:
        return float(
            np.mean(
                [f.get(t, 0.0) >= threshold for t, f in zip(self.truth, self.found, strict=True)]
            )
        )

    def false_per_100(self, threshold: float) -> float:
        false = [
            sum(s >= threshold for i, s in f.items() if i != t)
            for t, f in zip(self.truth, self.found, strict=True)
        ]
        return 100.0 * float(np.mean(false))

    def flagged(self, threshold: float) -> np.ndarray:
        """For queries without a true entry: whether any entry reaches the threshold."""
        return np.array([any(s >= threshold for s in f.values()) for f in self.found], bool)

    def threshold_for_flagged(self, count: int) -> float:
        """The lowest threshold at which at most `count` queries flag someone (for queries
        without a true entry)."""
        best = sorted((max(f.values(), default=0.0) for f in self.found), reverse=True)
        return float(np.nextafter(best[count], 2.0)) if count < len(best) else 0.0

    def threshold_for_recall(self, recall: float) -> float:
        """The highest threshold at which at least `recall` of the true entries pass."""
        true = sorted(
            (f.get(t, 0.0) for t, f in zip(self.truth, self.found, strict=True)), reverse=True
        )
        needed = max(1, math.ceil(recall * len(true)))
        return true[needed - 1]

    def rate(self) -> float:
        return len(self.found) / self.seconds if self.seconds else float("inf")


# --- matchers ------------------------------------------------------------------------------


def run_ours(
    watchlist: Sequence[str], queries: Sequence[str], truth: list[int], matcher: PersonMatcher
) -> Scores:
    """Through the index as deployed, but returning every candidate it scores (min_score 0)
    so that its ranking is measured like the others'."""
    index = PersonIndex(matcher, min_score=0.0)
    index.bulk_load(
        PersonEntry(i, (n,), None, (), None, EVERYONE, 0) for i, n in enumerate(watchlist)
    )
    started = time.perf_counter()
    found = [
        {h.record_id: h.score for h in index.search(PersonQuery(q), None, limit=50)}
        for q in queries
    ]
    return Scores(truth, found, time.perf_counter() - started)


def run_ours_exhaustive(
    watchlist: Sequence[str], queries: Sequence[str], truth: list[int], matcher: PersonMatcher
) -> Scores:
    """Every pair scored by the matcher: what the index would give with perfect blocking."""
    candidates = [
        matcher.candidate(PersonEntry(i, (n,), None, (), None, EVERYONE, 0))
        for i, n in enumerate(watchlist)
    ]
    started = time.perf_counter()
    found = []
    for q in queries:
        prepared = matcher.prepare(PersonQuery(q))
        scores = [matcher.score(prepared, c).score for c in candidates]
        found.append({i: s for i, s in enumerate(scores) if s > 0.0})
    return Scores(truth, found, time.perf_counter() - started)


def icu_name(name: str) -> str:
    """ICU transliteration token by token (ICU spaces out Han syllables: 克里斯蒂 ->
    'ke li si di'; the baseline keeps one Latin token per native token)."""
    return " ".join(ICU_LATIN.transliterate(token).replace(" ", "") for token in name.split())


def run_rapidfuzz(watchlist: Sequence[str], queries: Sequence[str], truth: list[int]) -> Scores:
    started = time.perf_counter()
    latin_queries = [icu_name(q) for q in queries]
    latin_list = [icu_name(w) for w in watchlist]
    matrix = (
        process.cdist(latin_queries, latin_list, scorer=fuzz.token_sort_ratio, dtype=np.float32)
        / 100.0
    )
    found = [
        {int(i): float(row[i]) for i in np.flatnonzero(row >= 0.3)} | {t: float(row[t])}
        for row, t in zip(matrix, truth, strict=True)
    ]
    return Scores(truth, found, time.perf_counter() - started)


_NK: dict[str, object] = {}


def _nk_entity(key: str, name: str):  # type: ignore[no-untyped-def]
    entity = model.make_entity("Person")
    entity.id = key
    entity.add("name", name)
    return entity


def _nk_init(watchlist: Sequence[str]) -> None:
    _NK["list"] = [_nk_entity(f"w{i}", n) for i, n in enumerate(watchlist)]
    _NK["config"] = ScoringConfig.defaults()


def _nk_query(args: tuple[int, str, list[int]]) -> dict[int, float]:
    number, query, candidates = args
    entity = _nk_entity(f"q{number}", query)
    out = {}
    for i in candidates:
        other = _NK["list"][i]  # type: ignore[index]
        score = LogicV2.compare(entity, other, _NK["config"]).score  # type: ignore[arg-type]
        if score > 0.0:
            out[i] = score
    return out


def candidates_for(truth: list[int], *others: Scores, top: int = 50) -> list[list[int]]:
    """What logic-v2 scores per query: the true entry and the `top` best of each other
    matcher. yente also scores only what its search index nominates; comparing every pair
    would take hours here. Its false matches are therefore counted among these candidates
    only, a lower bound, which favours it."""
    out = []
    for number, true in enumerate(truth):
        picked = {true} if true >= 0 else set()
        for scores in others:
            found = scores.found[number]
            picked.update(sorted(found, key=found.__getitem__, reverse=True)[:top])
        out.append(sorted(picked))
    return out


def run_nomenklatura(
    watchlist: Sequence[str],
    queries: Sequence[str],
    truth: list[int],
    workers: int,
    candidates: list[list[int]],
) -> Scores:
    started = time.perf_counter()
    with Pool(workers, initializer=_nk_init, initargs=(list(watchlist),)) as pool:
        found = pool.map(
            _nk_query, [(n, q, candidates[n]) for n, q in enumerate(queries)], chunksize=4
        )
    # per-core queries/s, comparable with the single-process figures of the others
    return Scores(truth, found, (time.perf_counter() - started) * workers)


# --- data ----------------------------------------------------------------------------------


def dev_rows(name: str) -> list[tuple[str, str, str]]:
    """(raw Latin, Latin form, native) rows of one Wikidata dev set."""
    rows = []
    path = DATA / "names" / f"wikidata_{name}_dev.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) >= 2 and (latin := latin_form(fields[0])):
            rows.append((fields[0], latin, fields[1].replace(" ", "")))
    return rows


def two_token_persons(
    rows: list[tuple[str, str, str]], size: int, seed: int
) -> tuple[list[str], list[str]]:
    """`size` persons with distinct Latin names: (Latin names, native names)."""
    rng = random.Random(seed)
    latin, native, seen = [], [], set()
    while len(latin) < size:
        a, b = rng.sample(rows, 2)
        name = f"{a[1]} {b[1]}"
        if name not in seen:
            seen.add(name)
            latin.append(name)
            native.append(f"{a[2]} {b[2]}")
    return latin, native


def ofac_individuals() -> tuple[list[str], list[str], list[int]]:
    """(primary names, alias queries, index of each alias's entity)."""
    folder = DATA / "ofac"
    primary: dict[str, int] = {}
    names = []
    with (folder / "ofac_2021_sdn.csv").open(encoding="latin-1") as handle:
        for row in csv.reader(handle):
            if len(row) > 2 and row[2].strip() == "individual":
                primary[row[0]] = len(names)
                names.append(row[1].strip())
    aliases, truth = [], []
    with (folder / "ofac_2021_alt.csv").open(encoding="latin-1") as handle:
        for row in csv.reader(handle):
            if len(row) > 3 and row[0] in primary and row[3].strip() not in ("", "-0-"):
                aliases.append(row[3].strip())
                truth.append(primary[row[0]])
    return names, aliases, truth


def faker_names(count: int, seed: int) -> list[str]:
    fakes = {loc: Faker(loc) for loc in FAKER_LOCALES}
    for i, fake in enumerate(fakes.values()):
        fake.seed_instance(seed + i)
    locales = list(fakes)
    rng = random.Random(seed)
    return [fakes[rng.choice(locales)].name() for _ in range(count)]


# --- report --------------------------------------------------------------------------------


def quality_table(
    title: str, rows: list[tuple[str, str, Scores, Scores | None]], threshold: float
) -> Table:
    table = Table(title=title)
    for column in (
        "set",
        "matcher",
        "rank-1 held-out",
        "rank-1 full dev",
        f"recall@{threshold}",
        f"false/100 q @{threshold}",
        "queries/s",
    ):
        table.add_column(column, justify="right" if column not in ("set", "matcher") else "left")
    for group, label, held, full in rows:
        table.add_row(
            group,
            label,
            f"{held.rank1():.1%}",
            f"{full.rank1():.1%}" if full else "-",
            f"{held.recall_at(threshold):.1%}",
            f"{held.false_per_100(threshold):.1f}",
            f"{held.rate():,.0f}",
        )
    return table


def cross_script(args: argparse.Namespace, matcher: PersonMatcher, console: Console) -> None:
    rows: list[tuple[str, str, Scores, Scores | None]] = []
    equal_recall: list[tuple[str, Scores, Scores]] = []
    for number, name in enumerate(DEV_SETS):
        all_rows = dev_rows(name)
        held_rows = [r for r in all_rows if not in_training_split(r[0])]
        held_latin, held_native = two_token_persons(held_rows, args.size, seed=11 + number)
        full_latin, full_native = two_token_persons(all_rows, args.size, seed=31 + number)
        truth = list(range(args.size))
        sub = args.queries
        shared: dict[str, Scores] = {}
        matchers: list[tuple[str, Callable[[list[str], list[str], list[int]], Scores]]] = [
            ("ours", lambda w, q, t: run_ours(w, q, t, matcher)),
            ("rapidfuzz", run_rapidfuzz),
            (
                "logic-v2",
                lambda w, q, t, shared=shared: run_nomenklatura(
                    w, q, t, args.workers, candidates_for(t, shared["ours"], shared["rapidfuzz"])
                ),
            ),
        ]
        if args.every_pair:  # slow: every pair through the matcher, in Python
            matchers.insert(
                1, ("ours, every pair", lambda w, q, t: run_ours_exhaustive(w, q, t, matcher))
            )
        for label, run in matchers:
            held = shared[label] = run(held_latin, held_native[:sub], truth[:sub])
            full = None if label == "logic-v2" else run(full_latin, full_native[:sub], truth[:sub])
            rows.append((name, label, held, full))
            console.print(f"  {name:9} {label:16} rank-1 {held.rank1():.1%}", style="dim")
        equal_recall.append((name, shared["logic-v2"], shared["ours"]))
        if not args.quick:  # ours and the baseline on every query, not only the shared ones
            for label, run in (matchers[0], matchers[1]):
                held = run(held_latin, held_native, truth)
                full = run(full_latin, full_native, truth)
                rows.append((name, f"{label}, all queries", held, full))
    console.print(
        quality_table(
            f"Cross-script: native full name against {args.size} Latin names "
            f"({args.queries} shared queries per set)",
            rows,
            args.threshold,
        )
    )
    console.print(equal_recall_table(equal_recall, args.threshold))


def equal_recall_table(found: list[tuple[str, Scores, Scores]], threshold: float) -> Table:
    """Our false matches where our recall equals logic-v2's at the threshold (held-out)."""
    table = Table(title=f"False matches at equal recall (logic-v2 at {threshold})")
    for column in (
        "set",
        "logic-v2 recall",
        "logic-v2 false/100 q",
        "ours: threshold",
        "ours: false/100 q",
    ):
        table.add_column(column, justify="left" if column == "set" else "right")
    for name, theirs, ours in found:
        recall = theirs.recall_at(threshold)
        ours_threshold = ours.threshold_for_recall(recall)
        table.add_row(
            name,
            f"{recall:.1%}",
            f"{theirs.false_per_100(threshold):.1f}",
            f"{ours_threshold:.2f}",
            f"{ours.false_per_100(ours_threshold):.1f}",
        )
    return table


def ofac(args: argparse.Namespace, matcher: PersonMatcher, console: Console) -> None:
    names, aliases, truth = ofac_individuals()
    rng = random.Random(5)
    picked = sorted(rng.sample(range(len(aliases)), min(args.queries, len(aliases))))
    sub_aliases, sub_truth = [aliases[i] for i in picked], [truth[i] for i in picked]
    per_sample = args.unlisted or args.queries
    fakes = [name for seed in args.seeds for name in faker_names(per_sample, seed=seed)]
    samples = [slice(n * per_sample, (n + 1) * per_sample) for n in range(len(args.seeds))]
    no_truth = [-1] * len(fakes)
    native = np.array(
        [any(token_script(t) is not Script.LATIN for t in split_name(f)) for f in fakes]
    )
    table = Table(
        title=f"OFAC 2021: {len(names)} individuals, {len(aliases)} aliases; "
        f"{len(sub_aliases)} aliases and {len(fakes)} Faker names "
        f"({native.sum()} in a native script; seeds "
        f"{', '.join(map(str, args.seeds))}) per matcher"
    )
    for column in (
        "matcher",
        "alias rank-1",
        "alias recall",
        "Faker names flagged",
        "Latin / native script (count)",
        "per Faker seed",
        "false/100 Faker q",
        "queries/s",
    ):
        table.add_column(column, justify="left" if column == "matcher" else "right")

    def flagged(scores: Scores, threshold: float) -> tuple[str, str, str]:
        hit = scores.flagged(threshold)
        return (
            f"{hit.mean():.2%} ({hit.sum()})",
            f"{hit[~native].mean():.2%} / {hit[native].mean():.2%} "
            f"({hit[~native].sum()} / {hit[native].sum()})",
            " / ".join(str(hit[part].sum()) for part in samples),
        )

    results: dict[str, tuple[Scores, Scores]] = {}
    for label in ("ours",) if args.no_peers else ("ours", "rapidfuzz", "logic-v2"):
        if label == "ours":
            alias_scores = run_ours(names, sub_aliases, sub_truth, matcher)
            fake_scores = run_ours(names, fakes, no_truth, matcher)
        elif label == "rapidfuzz":
            alias_scores = run_rapidfuzz(names, sub_aliases, sub_truth)
            fake_scores = run_rapidfuzz(names, fakes, no_truth)
        else:  # the candidates the other two nominate (see candidates_for)
            alias_scores = run_nomenklatura(
                names,
                sub_aliases,
                sub_truth,
                args.workers,
                candidates_for(sub_truth, *(r[0] for r in results.values())),
            )
            fake_scores = run_nomenklatura(
                names,
                fakes,
                no_truth,
                args.workers,
                candidates_for(no_truth, *(r[1] for r in results.values())),
            )
        results[label] = alias_scores, fake_scores
        table.add_row(
            f"{label} @{args.threshold}",
            f"{alias_scores.rank1():.1%}",
            f"{alias_scores.recall_at(args.threshold):.1%}",
            *flagged(fake_scores, args.threshold),
            f"{fake_scores.false_per_100(args.threshold):.2f}",
            f"{alias_scores.rate():,.0f}",
        )
        console.print(f"  ofac {label:16} alias rank-1 {alias_scores.rank1():.1%}", style="dim")
    if args.no_peers:
        console.print(table)
        return
    # The same threshold policy, two ways of reading it: ours at the threshold where its
    # alias recall equals logic-v2's at the threshold, and where it flags as many names.
    (ours_alias, ours_fake), (theirs_alias, theirs_fake) = results["ours"], results["logic-v2"]
    level = ours_alias.threshold_for_recall(theirs_alias.recall_at(args.threshold))
    table.add_row(
        f"ours @{level:.3f} (logic-v2's recall)",
        "-",
        f"{ours_alias.recall_at(level):.1%}",
        *flagged(ours_fake, level),
        f"{ours_fake.false_per_100(level):.2f}",
        "-",
    )
    level = ours_fake.threshold_for_flagged(int(theirs_fake.flagged(args.threshold).sum()))
    table.add_row(
        f"ours @{level:.3f} (logic-v2's flag count)",
        "-",
        f"{ours_alias.recall_at(level):.1%}",
        *flagged(ours_fake, level),
        f"{ours_fake.false_per_100(level):.2f}",
        "-",
    )
    if not args.quick:
        everything = run_ours(names, aliases, truth, matcher)
        table.add_row(
            f"ours, all {len(aliases)} aliases",
            f"{everything.rank1():.1%}",
            f"{everything.recall_at(args.threshold):.1%}",
            "-",
            "-",
            "-",
            "-",
            f"{everything.rate():,.0f}",
        )
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000, help="watchlist size per dev set")
    parser.add_argument(
        "--queries",
        type=int,
        default=200,
        help="queries shared by all matchers (nomenklatura is slow)",
    )
    parser.add_argument(
        "--unlisted",
        type=int,
        default=0,
        help="Faker names per seed for the OFAC false matches (default: --queries)",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=[9],
        help="Faker seeds: one sample of --unlisted names each",
    )
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--workers", type=int, default=2, help="processes for nomenklatura")
    parser.add_argument("--quick", action="store_true", help="shared queries only")
    parser.add_argument(
        "--every-pair",
        action="store_true",
        help="also score every pair with our matcher (no index; slow)",
    )
    parser.add_argument("--only", choices=("cross-script", "ofac"))
    parser.add_argument(
        "--no-peers", action="store_true", help="OFAC: ours only (for comparing our versions)"
    )
    args = parser.parse_args()
    console = Console(width=150)
    matcher = PersonMatcher()
    if args.only != "ofac":
        cross_script(args, matcher, console)
    if args.only != "cross-script":
        ofac(args, matcher, console)


if __name__ == "__main__":
    main()
