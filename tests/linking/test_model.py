"""The linking score: contributions that add up, symmetry, levels, weights, clusters."""

from __future__ import annotations

import math

import pytest

from interlink.linking import service
from interlink.linking.model import (
    LEVELS,
    Subject,
    birth_level,
    compare,
    load_weights,
    probability_of,
    weight_of_levels,
)

YOUSSEF = Subject(1, ("Youssef El Amrani",), "1988-02-14", ("MA",), "M", frozenset({"AB123"}))
YOUSSEF_AR = Subject(2, ("يوسف العمراني",), "1988-02-14", ("MA",), "M", frozenset())
NADIA = Subject(3, ("Nadia Berrada",), "1990-06-01", ("FR",), "F", frozenset({"ZZ999"}))


def test_explanation_recomputes_its_score() -> None:
    explanation = compare(YOUSSEF, YOUSSEF_AR)
    weights = load_weights()
    total = math.fsum(c.weight for c in explanation.contributions)
    assert explanation.match_weight == pytest.approx(total)
    assert explanation.contributions[0].feature == "prior"
    assert explanation.contributions[0].weight == pytest.approx(weights.prior_weight)
    levels = {c.feature: c.level for c in explanation.contributions if c.feature != "prior"}
    assert weight_of_levels(weights, levels) == pytest.approx(explanation.match_weight)
    assert explanation.probability == pytest.approx(probability_of(explanation.match_weight))
    body = explanation.as_dict()
    assert sum(c["weight"] for c in body["contributions"]) == pytest.approx(
        body["match_weight"], abs=1e-3
    )


def test_same_person_across_scripts_links_and_strangers_do_not() -> None:
    weights = load_weights()
    same = compare(YOUSSEF, YOUSSEF_AR)
    other = compare(YOUSSEF, NADIA)
    assert same.match_weight >= weights.threshold > other.match_weight
    assert same.level("name") != "other"
    assert same.level("birth_date") == "exact"
    assert same.level("identifier") == "missing"
    assert other.level("sex") == "different" and other.level("identifier") == "different"


def test_cyrillic_and_latin_spellings_agree_strongly() -> None:
    latin = Subject(4, ("Aleksandr Pushkin",), "1979-06-06")
    cyrillic = Subject(5, ("Пушкин Александр",), "1979")
    explanation = compare(latin, cyrillic)
    assert explanation.level("name") in ("exact", "strong", "good")
    assert explanation.level("birth_date") == "compatible"
    assert explanation.probability > 0.5


def test_compare_is_symmetric() -> None:
    assert compare(YOUSSEF_AR, YOUSSEF).as_dict() == compare(YOUSSEF, YOUSSEF_AR).as_dict()


def test_missing_values_weigh_nothing() -> None:
    bare = Subject(9, ("Youssef El Amrani",))
    explanation = compare(YOUSSEF, bare)
    for feature in ("birth_date", "nationality", "sex", "identifier"):
        assert explanation.level(feature) == "missing"
        assert next(c.weight for c in explanation.contributions if c.feature == feature) == 0


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("1980-05-17", "1980-05-17", "exact"),
        ("1980", "1980-05-17", "compatible"),
        ("1980-05-17", "1980-05-18", "close"),
        ("1980-05-07", "1980-07-05", "close"),
        ("1980-05-17", "1981-05-17", "close"),
        ("1980-05-17", "1975-01-02", "incompatible"),
        (None, "1980", "missing"),
    ],
)
def test_birth_levels(a: str | None, b: str | None, level: str) -> None:
    assert birth_level(a, b)[0] == level


def test_weights_cover_every_level_and_disagreement_costs() -> None:
    weights = load_weights()
    for feature, levels in LEVELS.items():
        for level in levels:
            weights.weight(feature, level)
    assert weights.weight("birth_date", "incompatible") < 0 < weights.weight("birth_date", "exact")
    assert weights.weight("name", "other") < 0 < weights.weight("name", "exact")
    assert weights.weight("identifier", "shared") > 0 > weights.weight("identifier", "different")


def test_bridges_and_components() -> None:
    # two triangles joined by link 7 (a bridge); link 8 hangs off alone
    edges = [(1, 1, 2), (2, 2, 3), (3, 3, 1), (4, 4, 5), (5, 5, 6), (6, 6, 4), (7, 3, 4), (8, 6, 9)]
    assert service.bridges(edges) == {7, 8}
    assert service.components(range(1, 10), [e for e in edges if e[0] != 7]) == [
        [1, 2, 3],
        [4, 5, 6, 9],
        [7],
        [8],
    ]
