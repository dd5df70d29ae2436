"""Train the romanisation model shipped in src/interlink/screening/model/romanizer.json.gz.

For each script, learn P(Latin chunk | native unit) from the Wikidata name pairs by
expectation-maximisation over all monotone alignments (a many-to-many aligner in the style
of m2m-aligner): a unit is one grapheme (or two, for alphabets, so Hangul final+initial
consonant pairs and Cyrillic digraphs can romanise together) and emits a Latin chunk of 0 to
`max_chunk` letters. Only the fixed 80 % training split (`in_training_split`) is read.

    .venv/bin/python scripts/train_name_model.py [--data /work/shared/data/names]
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from interlink.screening.model import MODEL_PATH, TRAIN_BUCKETS, in_training_split
from interlink.screening.names import (
    NameAnalyzer,
    Romanizer,
    Script,
    ScriptModel,
    graphemes,
    latin_form,
    token_script,
)
from interlink.screening.person_matcher import spelling_similarity

UNIT_JOIN = " "
Table = dict[str, dict[str, float]]


@dataclass(frozen=True)
class ScriptSpec:
    script: Script
    files: tuple[str, ...]  # dev sets whose rows in this script train it
    unit_length: int  # 1 for Han: two-character units would memorise whole names
    max_chunk: int  # longest Latin chunk one unit may emit
    # Share of the pairs left out of the last iterations as not transliterations of each
    # other (see `cleaned`). Measured on Hangul only, where Wikidata pairs many Japanese
    # family names with the Latin given name: +0.5 point rank-1 (held-out).
    clean_share: float = 0.0
    # Units always read aloud: the exported model keeps no silent reading for them.
    # Misaligned training rows (and, for Han, Japanese readings) taught the model to leave
    # common units silent: 王 '' at 90 % (so 王琴 read 'chen'), Hangul ㅠ '' first (유키
    # read 'ki'). Without them held-out rank-1 went from 92.5 to 94.35 % (Chinese), 97.7
    # to 97.85 % (Japanese) and 90.0 to 90.1 % (Korean).
    sounded: Callable[[str], bool] = lambda unit: False

    def keeps(self, unit: str, chunk: str) -> bool:
        """Whether the exported model may read `unit` as `chunk` (not silent if sounded)."""
        return bool(chunk) or not self.sounded(unit)


def every_unit(unit: str) -> bool:
    """Han: every character is a syllable."""
    return True


def hangul_vowel(unit: str) -> bool:
    """A Hangul vowel jamo, except ㅡ and ㅣ, which loanwords insert unread (스미스 'Smith',
    브리지 'bridge'). Initial ㅇ, and kana's ー, are silent by right."""
    return len(unit) == 1 and "\u1161" <= unit <= "\u1175" and unit not in "\u1173\u1175"


SPECS = (
    ScriptSpec(Script.ARABIC, ("arabic",), 2, 4),
    ScriptSpec(Script.CYRILLIC, ("russian",), 2, 4),
    ScriptSpec(Script.HEBREW, ("hebrew",), 2, 4),
    ScriptSpec(Script.HANGUL, ("korean",), 2, 4, clean_share=0.2, sounded=hangul_vowel),
    ScriptSpec(Script.KANA, ("japanese", "katakana"), 2, 5),
    ScriptSpec(Script.HAN, ("chinese", "japanese"), 1, 6, sounded=every_unit),
)
UNIT_PENALTY = 0.3  # prior weight of reading two graphemes as one unit
ITERATIONS = 6
# Some rows are not transliterations of each other (Wikidata swapped a Japanese given and
# family name, or paired a name with a title). Where a spec says so, after the first
# iterations the pairs the model explains worst per Latin letter leave, and three more
# iterations learn from the rest.
CLEAN_ITERATIONS = 3
PRUNE = 1e-4  # chunks below this probability leave the model during training
EXPORT_TOP, EXPORT_MIN_P = 8, 0.005  # what the shipped file keeps per unit
MIN_PAIR_UNIT_COUNT = 3.0  # two-grapheme units seen less often than this are dropped
CALIBRATION_PAIRS, RANDOM_PER_PAIR = 3000, 10
CEILING_QUANTILE = 0.5  # of true-pair similarities: where agreement becomes full
FLOOR_QUANTILE = 0.9  # of random-pair similarities: below it no agreement


def read_pairs(data: Path, spec: ScriptSpec) -> list[tuple[list[str], str]]:
    """(graphemes, Latin) for training-split rows of the spec's files in its script."""
    pairs = set()
    for name in spec.files:
        for line in (data / f"wikidata_{name}_dev.tsv").read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if len(fields) < 2 or not in_training_split(fields[0]):
                continue
            native = fields[1].replace(" ", "")
            if token_script(native) is not spec.script:
                continue
            units, latin = graphemes(native, spec.script), latin_form(fields[0])
            if units and latin and len(latin) <= len(units) * spec.max_chunk:
                pairs.add((tuple(units), latin))
    return [(list(units), latin) for units, latin in sorted(pairs)]


def units_at(graphs: list[str], i: int, spec: ScriptSpec) -> Iterator[tuple[int, str]]:
    for width in range(1, spec.unit_length + 1):
        if i + width <= len(graphs):
            yield width, UNIT_JOIN.join(graphs[i : i + width])


def chunks_at(latin: str, j: int, spec: ScriptSpec) -> Iterator[str]:
    for k in range(min(spec.max_chunk, len(latin) - j) + 1):
        yield latin[j : j + k]


def initial_table(pairs: Iterable[tuple[list[str], str]], spec: ScriptSpec) -> Table:
    """Every unit may emit every chunk of its words, longer units less so."""
    counts: Table = defaultdict(lambda: defaultdict(float))
    for graphs, latin in pairs:
        for i in range(len(graphs)):
            for width, unit in units_at(graphs, i, spec):
                for j in range(len(latin) + 1):
                    for chunk in chunks_at(latin, j, spec):
                        counts[unit][chunk] += 1.0 / width**3
    return normalise(counts, min_pair_count=0.0)


def normalise(counts: Table, min_pair_count: float) -> Table:
    table: Table = {}
    for unit, row in counts.items():
        total = sum(row.values())
        if UNIT_JOIN in unit and total < min_pair_count:
            continue
        table[unit] = {c: v / total for c, v in row.items() if v / total > PRUNE}
    return table


def lattice(
    graphs: list[str],
    latin: str,
    table: Table,
    spec: ScriptSpec,
) -> list[list[list[tuple[str, str, int, float]]]]:
    """edges[i][j]: (unit, chunk, next i, probability) leaving node (i, j)."""
    edges = [[[] for _ in range(len(latin) + 1)] for _ in range(len(graphs))]
    for i in range(len(graphs)):
        for width, unit in units_at(graphs, i, spec):
            row = table.get(unit)
            if not row:
                continue
            weight = UNIT_PENALTY ** (width - 1)
            for j in range(len(latin) + 1):
                for chunk in chunks_at(latin, j, spec):
                    p = row.get(chunk)
                    if p:
                        edges[i][j].append((unit, chunk, i + width, p * weight))
    return edges


def accumulate(
    graphs: list[str], latin: str, table: Table, spec: ScriptSpec, counts: Table
) -> float | None:
    """Forward-backward over one pair: adds expected unit->chunk counts, returns log Z."""
    n, m = len(graphs), len(latin)
    edges = lattice(graphs, latin, table, spec)
    alpha = [[0.0] * (m + 1) for _ in range(n + 1)]
    alpha[0][0] = 1.0
    for i in range(n):
        for j in range(m + 1):
            if alpha[i][j]:
                for _, chunk, nxt, p in edges[i][j]:
                    alpha[nxt][j + len(chunk)] += alpha[i][j] * p
    z = alpha[n][m]
    if z <= 0.0:
        return None
    beta = [[0.0] * (m + 1) for _ in range(n + 1)]
    beta[n][m] = 1.0
    for i in range(n - 1, -1, -1):
        for j in range(m + 1):
            for unit, chunk, nxt, p in edges[i][j]:
                flow = p * beta[nxt][j + len(chunk)]
                beta[i][j] += flow
                if alpha[i][j] and flow:
                    counts[unit][chunk] += alpha[i][j] * flow / z
    return math.log(z)


def train(pairs: list[tuple[list[str], str]], spec: ScriptSpec) -> Table:
    table = initial_table(pairs, spec)
    logs: list[float | None] = []
    for iteration in range(ITERATIONS + (CLEAN_ITERATIONS if spec.clean_share else 0)):
        if iteration == ITERATIONS:
            pairs = cleaned(pairs, logs, spec.clean_share)
        started = time.perf_counter()
        counts: Table = defaultdict(lambda: defaultdict(float))
        logs = [accumulate(g, lat, table, spec, counts) for g, lat in pairs]
        aligned = [x for x in logs if x is not None]
        table = normalise(counts, MIN_PAIR_UNIT_COUNT)
        print(
            f"  {spec.script:9} iteration {iteration + 1}: mean log-likelihood "
            f"{sum(aligned) / max(len(aligned), 1):7.3f}, aligned {len(aligned)}/{len(pairs)}"
            f", {time.perf_counter() - started:4.1f}s",
            flush=True,
        )
    return table


def cleaned(
    pairs: list[tuple[list[str], str]], logs: list[float | None], share: float
) -> list[tuple[list[str], str]]:
    """The pairs without the `share` the model explains worst per Latin letter (and
    without those it cannot align at all)."""
    scored = sorted(
        (log / len(latin), index)
        for index, ((_, latin), log) in enumerate(zip(pairs, logs, strict=True))
        if log is not None
    )
    kept = sorted(index for _, index in scored[int(share * len(scored)) :])
    return [pairs[i] for i in kept]


def export(table: Table, spec: ScriptSpec) -> dict[str, list[tuple[str, float]]]:
    out = {}
    for unit, row in sorted(table.items()):
        best = sorted(
            ((c, p) for c, p in row.items() if p >= EXPORT_MIN_P and spec.keeps(unit, c)),
            key=lambda x: (-x[1], x[0]),
        )[:EXPORT_TOP]
        if best:
            out[unit] = [(c, round(math.log(p), 3)) for c, p in best]
    return out


def calibrate(
    model: ScriptModel, spec: ScriptSpec, pairs: list[tuple[list[str], str]]
) -> tuple[float, float]:
    """The agreement ramp: floor at a high percentile of similarities between a native
    token and random Latin tokens, ceiling at the median similarity to its own spelling."""
    analyzer = NameAnalyzer(Romanizer({spec.script: model}))
    rng = random.Random(7)
    sample = rng.sample(pairs, min(CALIBRATION_PAIRS, len(pairs)))
    latins = [analyzer.token(latin) for _, latin in sample]
    true, other = [], []
    for (graphs, latin), own in zip(sample, latins, strict=True):
        native = analyzer.token("".join(graphs))
        true.append(spelling_similarity(native, own))
        other += [
            spelling_similarity(native, t)
            for t in rng.sample(latins, RANDOM_PER_PAIR)
            if t.text != latin
        ]
    floor = sorted(other)[int(FLOOR_QUANTILE * len(other))]
    ceiling = sorted(true)[int(CEILING_QUANTILE * len(true))]
    print(f"  {spec.script:9} agreement ramp {floor:.3f} -> {ceiling:.3f}")
    return round(floor, 3), round(ceiling, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/names"))
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument(
        "--only",
        nargs="+",
        choices=[s.script.value for s in SPECS],
        help="retrain these scripts; the others keep their units from "
        "--out and only have their agreement ramps recalibrated",
    )
    parser.add_argument(
        "--recalibrate",
        action="store_true",
        help="retrain nothing: keep every script's units from --out (less "
        "what the specs now exclude) and recalibrate the ramps",
    )
    args = parser.parse_args()
    args.only = [] if args.recalibrate else args.only
    kept = {}
    if args.recalibrate or args.only:
        with gzip.open(args.out, "rt", encoding="utf-8") as handle:
            kept = json.load(handle)["scripts"]
    scripts = {}
    for spec in SPECS:
        pairs = read_pairs(args.data, spec)
        print(f"{spec.script}: {len(pairs)} training pairs", flush=True)
        if spec.script.value in kept and spec.script.value not in args.only:
            units = {
                u: [(c, lp) for c, lp in opts if spec.keeps(u, c)]
                for u, opts in kept[spec.script.value]["units"].items()
            }
            units = {u: opts for u, opts in units.items() if opts}
        else:
            units = export(table := train(pairs, spec), spec)
            del table
        model = ScriptModel(
            {u: tuple((c, lp) for c, lp in opts) for u, opts in units.items()},
            spec.unit_length,
            round(math.log(UNIT_PENALTY), 4),
        )
        scripts[spec.script.value] = {
            "unit_length": model.unit_length,
            "unit_penalty": model.unit_penalty,
            "ramp": calibrate(model, spec, pairs),
            "units": units,
        }
    output = {
        "format": 1,
        "source": "Wikidata person-name pairs (Merhav & Ash 2018), CC0",
        "split": f"Latin spellings with blake2b-32 % 10 < {TRAIN_BUCKETS}",
        "scripts": scripts,
    }
    payload = json.dumps(output, ensure_ascii=False, separators=(",", ":")).encode()
    with args.out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(payload)  # mtime=0: the same data gives the same file
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
