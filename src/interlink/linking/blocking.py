"""Candidate pairs for a full run over the store, and scoring them (in worker processes).

A full run cannot search the screening index once per record (a thousand searches a second
at best: a quarter of an hour per million records), so it blocks instead, as Splink does,
with keys made from the matcher's own token spellings (their sound skeletons, which bridge
scripts: 'Aleksandr' and 'Александр' share one), under three rules:

- two name parts in common (any two tokens of one name, as a sorted pair of keys);
- one name part and the birth year in common;
- a rare name part in common (one held by at most MAX_RARE_BLOCK records);
- a document number in common.

Blocks grow with the store: a common name part and a year, or two common name parts, gather
hundreds of records at a million, nearly all of them strangers. A block of the first two
rules holding more than SPLIT_BLOCK records therefore pairs only records born on one date
(name part and year) or in one year (two name parts); a part still holding more than
`max_block` records is skipped, as is a single name part held by more than MAX_RARE_BLOCK.
The incremental path (a new record) uses the screening index's candidate generation
instead; both score with `model.compare` (a run through `bulk.decide`).
"""

from __future__ import annotations

import itertools
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np

from interlink.linking import bulk
from interlink.linking.model import (
    Explanation,
    Subject,
    Weights,
    default_matcher,
)
from interlink.screening.names import skeleton

MAX_BLOCK = 400
MAX_RARE_BLOCK = 40  # a single name part is a key only while this rare
SPLIT_BLOCK = MAX_RARE_BLOCK  # larger blocks pair only records of one birth date or year
RARE_KEY_LENGTH = 3
KEY_SPELLINGS = 2  # spellings of a token giving blocking keys


def _token_keys(token: object) -> frozenset[str]:
    spellings = token.spellings[:KEY_SPELLINGS]  # type: ignore[attr-defined]
    return frozenset(k for k in (skeleton(s) for s in spellings) if k)


def subject_keys(subject: Subject) -> set[str]:
    """The blocking keys of one record under the three rules."""
    analyze = default_matcher().analyzer.analyze
    keys: set[str] = set()
    year = subject.birth_date[:4] if subject.birth_date else None
    for name in subject.names:
        tokens = [_token_keys(t) for t in analyze(name) if not t.is_initial]
        for first, second in itertools.combinations(tokens, 2):
            keys.update("2:" + "|".join(sorted((x, y))) for x in first for y in second if x != y)
        if year:
            keys.update(f"y:{year}:{k}" for t in tokens for k in t)
        keys.update(f"1:{k}" for t in tokens for k in t if len(k) >= RARE_KEY_LENGTH)
    keys.update("i:" + number for number in subject.identifiers)
    return keys


def candidate_pairs(
    subjects: Sequence[Subject],
    max_block: int = MAX_BLOCK,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Distinct (i, j) positions into `subjects`, i < j, as an (n, 2) array, in the order
    of the blocks that first give them: the records of a block share name parts, so pairs
    scored together meet the same tokens again (the caches of a run stay warm)."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for position, subject in enumerate(subjects):
        for key in subject_keys(subject):
            blocks[key].append(position)
        if progress and position % 10_000 == 0:
            progress(position)
    chunks: list[np.ndarray] = []
    for key, members in blocks.items():
        for group in _groups(key, members, subjects, max_block):
            first, second = np.triu_indices(len(group), 1)
            chunks.append(group[first] * len(subjects) + group[second])
    if not chunks:
        return np.zeros((0, 2), np.int64)
    codes, first = np.unique(np.concatenate(chunks), return_index=True)
    codes = codes[np.argsort(first, kind="stable")]
    return np.stack([codes // len(subjects), codes % len(subjects)], axis=1)


def _groups(
    key: str, members: list[int], subjects: Sequence[Subject], max_block: int
) -> Iterator[np.ndarray]:
    """The groups of records a block pairs: all of it while small; a large block of a name
    part and a year (or of two name parts) only within one birth date (or birth year), which
    keeps the pairs a record brings from growing with the store."""
    if len(members) < 2:
        return
    if key.startswith(("1:", "i:")):
        # a single name part is a key only while rare; a document number while not absurd
        limit = MAX_RARE_BLOCK if key.startswith("1:") else max_block
        if len(members) <= limit:
            yield np.asarray(members, np.int64)
        return
    if len(members) <= SPLIT_BLOCK:
        yield np.asarray(members, np.int64)
        return
    width = 10 if key.startswith("y:") else 4
    parts: dict[str, list[int]] = defaultdict(list)
    for position in members:
        date = subjects[position].birth_date or ""
        if len(date) >= width:
            parts[date[:width]].append(position)
    for part in parts.values():
        if 2 <= len(part) <= max_block:
            yield np.asarray(part, np.int64)


@dataclass(frozen=True, slots=True)
class Scored:
    left: int  # positions into the subjects
    right: int
    explanation: Explanation


_SUBJECTS: Sequence[Subject] = ()
_WEIGHTS: Weights | None = None
_FEATURES: bulk.Features | None = None


def _score_chunk(bounds: tuple[np.ndarray, float]) -> list[tuple[int, int, Explanation]]:
    """One chunk of pairs decided in bulk (`bulk.decide`)."""
    pairs, floor = bounds
    assert _WEIGHTS is not None and _FEATURES is not None  # set before the chunks are scored
    return bulk.decide(_SUBJECTS, _FEATURES, pairs, _WEIGHTS, floor, default_matcher())


def score_pairs(
    subjects: Sequence[Subject],
    pairs: np.ndarray,
    weights: Weights,
    floor: float,
    workers: int = 1,
    chunk: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Scored]:
    """Every pair's explanation reaching `floor` (a match weight), scored in `workers`
    processes forked from this one (they share `subjects` without copying)."""
    global _SUBJECTS, _WEIGHTS, _FEATURES
    _SUBJECTS, _WEIGHTS, _FEATURES = subjects, weights, bulk.Features.of(subjects)
    chunks = [(pairs[i : i + chunk], floor) for i in range(0, len(pairs), chunk)]
    done = 0
    if workers <= 1 or len(chunks) <= 1:
        results: Iterable[list[tuple[int, int, Explanation]]] = map(_score_chunk, chunks)
    else:
        pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"))
        results = pool.map(_score_chunk, chunks)
    try:
        for found, (part, _) in zip(results, chunks, strict=True):
            done += len(part)
            if progress:
                progress(done)
            for left, right, explanation in found:
                yield Scored(left, right, explanation)
    finally:
        if workers > 1 and len(chunks) > 1:
            pool.shutdown()


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))
