"""Deciding many candidate pairs at once, with the score of `model.compare` and nothing else.

A full run decides millions of pairs, most of them under the threshold. Per pair, in
Python, even the cheap features cost more than Splink spends on a whole pair in DuckDB. So:

- the birth date, nationality, sex and identifier levels of every pair are read from
  arrays made once per store (`Features`), in numpy, with the rules of `model.birth_level`,
  `nationality_level`, `sex_level` and `identifier_level`;
- a pair whose other features keep it under the floor even with the best name level is
  decided there, without its names;
- the others need their name level: the matcher's own comparison (`model.name_comparison`),
  computed once per distinct pair of names and shared by every pair of records that carry
  them (`LinkMatcher` keeps the results);
- a pair still under the floor with its name level is decided; a pair at or above it is
  explained by `model.compare`, whose match weight is the one that counts.

The arrays only ever decide a pair clearly under the floor (by a margin far above rounding),
so the pairs kept and their explanations are exactly those of calling `compare` on every
pair (tests/linking/test_bulk.py checks both).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from interlink.linking.model import (
    LEVELS,
    MISSING,
    Explanation,
    LinkMatcher,
    Subject,
    Weights,
    compare,
    name_comparison,
    name_level,
)
from interlink.screening.person_matcher import PartialDate

# Rounding between numpy's sum and `math.fsum` is ~1e-15; a pair within this of the floor
# is left to `compare`.
MARGIN = 1e-9
OTHER_FEATURES = ("birth_date", "nationality", "sex", "identifier")


def _padded(sets: Sequence[Sequence[str]]) -> np.ndarray:
    """Strings as small integers, one row per record, -1 where a record has fewer."""
    codes: dict[str, int] = {}
    width = max((len(s) for s in sets), default=0) or 1
    table = np.full((len(sets), width), -1, np.int32)
    for row, values in enumerate(sets):
        for column, value in enumerate(dict.fromkeys(values)):
            table[row, column] = codes.setdefault(value, len(codes))
    return table


def _any_shared(table: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    a, b = table[left], table[right]
    shared = np.zeros(len(left), bool)
    for column in range(table.shape[1]):
        shared |= ((a[:, column, None] == b) & (b >= 0)).any(axis=1) & (a[:, column] >= 0)
    return shared


@dataclass(frozen=True, slots=True)
class Features:
    """The non-name features of a store's records, as arrays (made once per run)."""

    year: np.ndarray
    month: np.ndarray
    day: np.ndarray
    dated: np.ndarray  # bool: a birth date that parses
    nationalities: np.ndarray  # (records, most nationalities of a record), -1 padded
    sex: np.ndarray  # 0 unknown, 1 M, 2 F
    identifiers: np.ndarray  # like nationalities
    ids: np.ndarray  # record ids (`compare` reads the lower one as the query)

    @classmethod
    def of(cls, subjects: Sequence[Subject]) -> Features:
        # parsed once per distinct date: dates repeat across records
        parsed = {d: PartialDate.parse(d) for d in {s.birth_date for s in subjects}}
        dates = [parsed[s.birth_date] for s in subjects]
        return cls(
            np.fromiter((d.year if d else 0 for d in dates), np.int32, len(dates)),
            np.fromiter((d.month if d else 0 for d in dates), np.int32, len(dates)),
            np.fromiter((d.day if d else 0 for d in dates), np.int32, len(dates)),
            np.fromiter((d is not None for d in dates), bool, len(dates)),
            _padded([s.nationalities for s in subjects]),
            np.fromiter(({"M": 1, "F": 2}.get(s.sex or "", 0) for s in subjects), np.int8),
            _padded([sorted(s.identifiers) for s in subjects]),
            np.fromiter((s.record_id for s in subjects), np.int64, len(subjects)),
        )

    def levels(self, left: np.ndarray, right: np.ndarray) -> dict[str, np.ndarray]:
        """Each other feature's level per pair, as an index into `LEVELS[feature]`."""
        return {
            "birth_date": self._birth(left, right),
            "nationality": self._sets(self.nationalities, left, right, "nationality"),
            "sex": self._sex(left, right),
            "identifier": self._sets(self.identifiers, left, right, "identifier"),
        }

    def _birth(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """`model.birth_level`, pair by pair."""
        ya, yb = self.year[left], self.year[right]
        ma, mb = self.month[left], self.month[right]
        da, db = self.day[left], self.day[right]
        same_day = (ma == mb) & (da == db)
        exact = (ya == yb) & same_day & (da != 0)
        compatible = np.ones(len(left), bool)
        for x, y in ((ya, yb), (ma, mb), (da, db)):
            compatible &= (x == 0) | (y == 0) | (x == y)
        close = (ya == yb) | ((np.abs(ya - yb) == 1) & same_day)
        names = LEVELS["birth_date"]
        level = np.full(len(left), names.index("incompatible"), np.int8)
        level[close] = names.index("close")
        level[compatible] = names.index("compatible")
        level[exact] = names.index("exact")
        level[~(self.dated[left] & self.dated[right])] = names.index(MISSING)
        return level

    def _sex(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        a, b = self.sex[left], self.sex[right]
        names = LEVELS["sex"]
        level = np.where(a == b, names.index("same"), names.index("different")).astype(np.int8)
        level[(a == 0) | (b == 0)] = names.index(MISSING)
        return level

    @staticmethod
    def _sets(table: np.ndarray, left: np.ndarray, right: np.ndarray, feature: str) -> np.ndarray:
        """'shared' where a value is common to both, 'missing' where a side has none."""
        names = LEVELS[feature]
        shared = _any_shared(table, left, right)
        level = np.where(shared, names.index(LEVELS[feature][0]), names.index(LEVELS[feature][1]))
        level = level.astype(np.int8)
        level[(table[left, 0] < 0) | (table[right, 0] < 0)] = names.index(MISSING)
        return level


def level_weights(weights: Weights, feature: str) -> np.ndarray:
    return np.asarray([weights.weight(feature, level) for level in LEVELS[feature]])


def other_weight(
    features: Features, weights: Weights, left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """The prior weight plus the four non-name features' weights, per pair."""
    total = np.full(len(left), weights.prior_weight)
    for feature, level in features.levels(left, right).items():
        total += level_weights(weights, feature)[level]
    return total


def name_needed(
    features: Features, weights: Weights, pairs: np.ndarray, floor: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, the name weight it needs to reach `floor` (less MARGIN), and whether any
    name level gives that much: a pair for which none does is decided, whatever its names,
    without them (an exact bound: the best name level is added, not guessed)."""
    left, right = pairs[:, 0], pairs[:, 1]
    needed = floor - other_weight(features, weights, left, right) - MARGIN
    return needed, level_weights(weights, "name").max() >= needed


def decide(
    subjects: Sequence[Subject],
    features: Features,
    pairs: np.ndarray,
    weights: Weights,
    floor: float,
    matcher: LinkMatcher,
) -> list[tuple[int, int, Explanation]]:
    """The pairs (positions into `subjects`) whose match weight reaches `floor`, explained:
    exactly those for which `compare(subjects[i], subjects[j])` reaches it."""
    if not len(pairs):
        return []
    needed, open_ = name_needed(features, weights, pairs, floor)
    todo = np.flatnonzero(open_)
    left, right = pairs[todo, 0], pairs[todo, 1]
    # `compare` reads the lower record id as the query
    swap = features.ids[right] < features.ids[left]
    first, second = np.where(swap, right, left).tolist(), np.where(swap, left, right).tolist()
    matcher.prime_names(
        {
            (names, other)
            for i, j in zip(first, second, strict=True)
            if (names := subjects[i].names) and (other := subjects[j].names)
        }
    )
    name_weights = {level: weights.weight("name", level) for level in LEVELS["name"]}
    found = []
    for position, i, j in zip(todo.tolist(), first, second, strict=True):
        a, b = subjects[i], subjects[j]
        score, _ = name_comparison(a, b, matcher)
        if name_weights[name_level(score)] < needed[position]:
            continue
        explanation = compare(a, b, weights, matcher)
        if explanation.match_weight >= floor:
            found.append((int(pairs[position, 0]), int(pairs[position, 1]), explanation))
    return found
