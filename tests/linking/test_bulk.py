"""The bulk path of a full run decides and explains every pair exactly as `model.compare`."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from interlink.linking import blocking, bulk, labelled
from interlink.linking.model import (
    FEATURES,
    LEVELS,
    LinkMatcher,
    Subject,
    compare,
    load_weights,
)

NAMES = Path("/work/shared/data/names")

# The same people across scripts, with typos, swaps, initials, partial dates and documents,
# and strangers who share a name part or a birth date with them.
SUBJECTS = [
    Subject(1, ("Youssef El Amrani",), "1988-02-14", ("MA",), "M", frozenset({"AB123"})),
    Subject(2, ("يوسف العمراني",), "1988-02-14", ("MA",), "M"),
    Subject(3, ("Yusuf Amrani", "Y. El Amrani"), "1988", ("MA", "FR"), "M", frozenset({"AB123"})),
    Subject(4, ("Aleksandr Pushkin",), "1979-06-06", ("RU",), "M"),
    Subject(5, ("Пушкин Александр",), "1979", ("RU",), None, frozenset({"7701"})),
    Subject(6, ("Alexander Puschkin",), "1979-06-07", (), "M", frozenset({"7702"})),
    Subject(7, ("王小明",), "1990-03-04", ("CN",), "M"),
    Subject(8, ("Wang Xiaoming",), "1990-04-03", ("CN",), "M"),
    Subject(9, ("Xiaoming Wang",), "1991-03-04", ("CN", "HK"), "F"),
    Subject(10, ("김민준",), "1985-11-30", ("KR",), "M"),
    Subject(11, ("Kim Min-jun",), "1985-11-30", ("KR",), "M", frozenset({"M123"})),
    Subject(12, ("Minjun Kim",), "1985", (), None, frozenset({"M124"})),
    Subject(13, ("דוד לוי",), "1970-01-01", ("IL",), "M"),
    Subject(14, ("David Levy",), "1970-01-01", ("IL",), "M"),
    Subject(15, ("さとう ひろし",), "1965-07-20", ("JP",), "M"),
    Subject(16, ("Sato Hiroshi",), "1965-07-20", ("JP",), "M"),
    Subject(17, ("Satou Hiroshi",), "1966-07-20", ("JP",), "M"),
    Subject(18, ("Nadia Berrada",), "1990-06-01", ("FR",), "F", frozenset({"ZZ999"})),
    Subject(19, ("Nadia Berada",), "1990-06-01", ("FR", "MA"), "F", frozenset({"ZZ999"})),
    Subject(20, ("Berrada Nadia",), None, ("MA",), "F"),
    Subject(21, ("Mohammed Ali",), "1960-01-01", ("EG",), "M"),
    Subject(22, ("محمد علي",), "1960", ("EG",), "M"),
    Subject(23, ("Mohamed Aly",), "1975-05-05", ("SD",), "M"),
    Subject(24, ("Ali Hassan",), "1960-01-01", ("EG",), "M", frozenset({"AB123"})),
    Subject(25, ("Maria Garcia Lopez",), "1982-09-09", ("ES",), "F"),
    Subject(26, ("Maria Garcia",), "1982-09-09", ("ES",), "F"),
    Subject(27, ("M. Garcia Lopez",), "1982", ("ES",), "X"),
    Subject(28, ("John Smith",), "0000", (), "M"),
    Subject(29, ("Jon Smyth",), "1980-13-40", (), "M"),
    Subject(30, ("",), None, (), None),
    Subject(31, (), "1980", ("GB",), "M"),
]


def _all_pairs(count: int) -> np.ndarray:
    return np.asarray(list(itertools.combinations(range(count), 2)), np.int64)


def _reference(a: Subject, b: Subject) -> dict:
    """`compare` with a matcher that has seen nothing yet: no cache can have shaped it."""
    return compare(a, b, load_weights(), LinkMatcher()).as_dict()


def test_the_arrays_read_each_feature_as_compare_does() -> None:
    features = bulk.Features.of(SUBJECTS)
    pairs = _all_pairs(len(SUBJECTS))
    levels = features.levels(pairs[:, 0], pairs[:, 1])
    for n, (i, j) in enumerate(pairs.tolist()):
        explanation = compare(SUBJECTS[i], SUBJECTS[j])
        for feature in bulk.OTHER_FEATURES:
            assert LEVELS[feature][levels[feature][n]] == explanation.level(feature), (
                feature,
                SUBJECTS[i],
                SUBJECTS[j],
            )


@pytest.mark.parametrize("floor", [float("-inf"), -20.0, -5.0, None, 0.0, 10.0, 25.0])
def test_bulk_keeps_and_explains_exactly_the_pairs_compare_would(floor: float | None) -> None:
    weights = load_weights()
    floor = weights.threshold if floor is None else floor
    pairs = _all_pairs(len(SUBJECTS))
    expected = {}
    for i, j in pairs.tolist():
        body = _reference(SUBJECTS[i], SUBJECTS[j])
        if body["match_weight"] >= floor:
            expected[(i, j)] = body
    found = bulk.decide(SUBJECTS, bulk.Features.of(SUBJECTS), pairs, weights, floor, LinkMatcher())
    assert {(i, j): e.as_dict() for i, j, e in found} == expected
    if floor == weights.threshold:  # both sides of the threshold are represented
        assert 0 < len(expected) < len(pairs)


def test_caches_that_overflow_change_no_score() -> None:
    """Every cache of a run (names, prepared names, token pairs, pairs of name lists)
    emptied again and again while a run decides: the same pairs, the same explanations."""
    weights = load_weights()
    pairs = _all_pairs(len(SUBJECTS))
    matcher = LinkMatcher()
    matcher.CACHE_LIMIT = matcher.NAME_LIMIT = 3  # type: ignore[misc]
    matcher.analyzer.NAME_LIMIT = 2  # type: ignore[attr-defined]
    found = bulk.decide(SUBJECTS, bulk.Features.of(SUBJECTS), pairs, weights, -20.0, matcher)
    expected = {
        (i, j): body
        for i, j in pairs.tolist()
        if (body := _reference(SUBJECTS[i], SUBJECTS[j]))["match_weight"] >= -20.0
    }
    assert {(i, j): e.as_dict() for i, j, e in found} == expected
    assert len(matcher.analyzer._names) <= 2  # type: ignore[attr-defined]


def test_cross_script_pairs_reach_the_name_comparison() -> None:
    """The forbidden side of skipping: a pair the other features cannot decide is compared
    by name, across scripts, and links."""
    weights = load_weights()
    pairs = np.asarray([[0, 1], [3, 4], [6, 7], [9, 10], [12, 13], [14, 15]], np.int64)
    found = bulk.decide(
        SUBJECTS, bulk.Features.of(SUBJECTS), pairs, weights, weights.threshold, LinkMatcher()
    )
    levels = {(i, j): e.level("name") for i, j, e in found}
    assert levels.keys() >= {(0, 1), (3, 4), (12, 13)}
    assert levels[(0, 1)] != "other" and levels[(3, 4)] != "other"


@pytest.mark.skipif(not NAMES.is_dir(), reason="the shared Wikidata name pairs are not here")
def test_a_labelled_sample_scores_the_same_in_a_run_and_pair_by_pair() -> None:
    """Blocked pairs of the benchmark's labelled set (seven scripts and their Latin
    spellings), scored the way a full run scores them, in two processes."""
    weights = load_weights()
    records = labelled.build(NAMES, 150, seed=5, part=1)
    subjects = [r.subject for r in records]
    pairs = blocking.candidate_pairs(subjects)
    assert len(pairs) > 100
    scored = {
        (s.left, s.right): s.explanation.as_dict()
        for s in blocking.score_pairs(
            subjects, pairs, weights, float("-inf"), workers=2, chunk=len(pairs) // 3 + 1
        )
    }
    assert len(scored) == len(pairs)
    scripts = set()
    for (i, j), body in scored.items():
        assert body == _reference(subjects[i], subjects[j])
        scripts.add(
            frozenset(ch.isascii() for name in subjects[i].names + subjects[j].names for ch in name)
        )
    assert frozenset({True, False}) in scripts  # cross-script pairs were among them
    kept = {
        (s.left, s.right)
        for s in blocking.score_pairs(subjects, pairs, weights, weights.threshold, workers=1)
    }
    assert kept == {p for p, body in scored.items() if body["match_weight"] >= weights.threshold}
    assert set(FEATURES) <= {
        c["feature"] for body in scored.values() for c in body["contributions"]
    }


def test_a_large_block_pairs_only_within_a_birth_date() -> None:
    """Blocks of a common name part and year (or two common name parts) grow with the
    store; past SPLIT_BLOCK records they pair only records born on one date (or in one year).
    A small block pairs all its records."""
    many = blocking.SPLIT_BLOCK + 5
    subjects = [Subject(n, ("Mohammed Ali",), f"{1960 + n % 20}-01-01") for n in range(many)]
    pairs = {tuple(p) for p in blocking.candidate_pairs(subjects).tolist()}
    same_year = {(i, j) for i, j in itertools.combinations(range(many), 2) if i % 20 == j % 20}
    assert pairs == same_year  # the same two name parts, other years: split apart
    few = subjects[:6]
    assert len(blocking.candidate_pairs(few)) == 15  # all pairs of a small block


def test_pairs_come_block_by_block_each_once() -> None:
    """A run scores the pairs of one block together (their tokens repeat), whatever the
    records' positions in the store; a pair two blocks share comes once."""
    names = ("Nadia Berrada", "Youssef Amrani") * 6  # two blocks, positions interleaved
    subjects = [Subject(n, (name,), "1990-01-01") for n, name in enumerate(names)]
    pairs = [tuple(p) for p in blocking.candidate_pairs(subjects).tolist()]
    assert len(pairs) == len(set(pairs)) == 2 * 15 and all(i < j for i, j in pairs)
    parity = [i % 2 for i, _ in pairs]
    assert parity in ([0] * 15 + [1] * 15, [1] * 15 + [0] * 15)


def test_a_token_after_the_arabic_article_is_not_shared_with_one_without() -> None:
    """'مصري' after the split article meets 'Elmasry' without its 'el'; the same token
    with no article before it does not. Whichever a run meets first, each pair scores as
    it does alone."""
    subjects = [
        Subject(1, ("محمد المصري",), "1970-01-01", ("EG",), "M"),
        Subject(2, ("Mohamed Elmasry",), "1970-01-01", ("EG",), "M"),
        Subject(3, ("مصري حسن",), "1971-02-02", ("EG",), "M"),
        Subject(4, ("Elmasry Hassan",), "1971-02-02", ("EG",), "M"),
    ]
    weights = load_weights()
    for order in ([[0, 1], [2, 3]], [[2, 3], [0, 1]]):
        pairs = np.asarray(order, np.int64)
        matcher = LinkMatcher()
        found = bulk.decide(subjects, bulk.Features.of(subjects), pairs, weights, -99.0, matcher)
        for i, j, explanation in found:
            assert explanation.as_dict() == _reference(subjects[i], subjects[j]), order


def test_a_pair_exactly_at_the_floor_is_kept_and_one_just_under_it_is_not() -> None:
    """The bound decides a pair without its names only where even the best name level
    leaves it under the floor. Each pair at a floor equal to its own match weight must be
    kept (a bound made unsound, e.g. with the second best name level, or without the
    rounding margin, drops some), and at the next float above it dropped."""
    weights = load_weights()
    features = bulk.Features.of(SUBJECTS)
    levels = set()
    for i, j in _all_pairs(len(SUBJECTS)).tolist():
        body = _reference(SUBJECTS[i], SUBJECTS[j])
        weight = compare(SUBJECTS[i], SUBJECTS[j], weights, LinkMatcher()).match_weight
        pair = np.asarray([[i, j]], np.int64)
        kept = bulk.decide(SUBJECTS, features, pair, weights, weight, LinkMatcher())
        assert [(a, b, e.as_dict()) for a, b, e in kept] == [(i, j, body)], (i, j)
        above = bulk.decide(
            SUBJECTS, features, pair, weights, np.nextafter(weight, np.inf), LinkMatcher()
        )
        assert above == [], (i, j)
        levels.add(body["contributions"][1]["level"])
    assert {"exact", "other"} <= levels  # the best and the worst name level were tried


@pytest.mark.skipif(not NAMES.is_dir(), reason="the shared Wikidata name pairs are not here")
def test_the_bound_changes_no_decision_on_a_labelled_sample() -> None:
    """At the threshold, the run keeps and explains exactly the pairs whose `compare`
    reaches it, and the bound decided some of the others without their names."""
    weights = load_weights()
    records = labelled.build(NAMES, 300, seed=11, part=1)
    subjects = [r.subject for r in records]
    pairs = blocking.candidate_pairs(subjects)
    features = bulk.Features.of(subjects)
    _, open_ = bulk.name_needed(features, weights, pairs, weights.threshold)
    assert 0 < int(open_.sum()) < len(pairs)  # some pairs decided by the bound alone
    found = bulk.decide(subjects, features, pairs, weights, weights.threshold, LinkMatcher())
    expected = {
        (i, j): body
        for i, j in pairs.tolist()
        if (body := _reference(subjects[i], subjects[j]))["match_weight"] >= weights.threshold
    }
    assert {(i, j): e.as_dict() for i, j, e in found} == expected
    assert expected
