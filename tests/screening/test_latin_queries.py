"""A name typed in Latin letters (from a passport, at a border) against persons recorded in
their own script: the index must find whoever the matcher itself scores at the floor."""

from __future__ import annotations

import pytest

from interlink.screening.person_index import PersonIndex, PersonQuery
from interlink.screening.person_matcher import PersonMatcher
from tests.screening.test_person_index import _reached_through_a_token, person

# Persons recorded in Arabic, Hebrew and Cyrillic, with a Latin spelling of each that the
# best readings of the native form do not give ('humayda' is none of حميضة's first readings;
# 'mwinyi' shares a blocking key only with the fifth reading of مويني).
RECORDED = {
    1: ("جنى حميضة", "Jana Humayda"),
    2: ("مويني مازوكو", "Mwinyi Mazzucco"),
    3: ("فاجبايي دميتروف", "Vajpayee Dmitrović"),
    4: ("بنوان سينيني", "Benwan Cennini"),
    5: ("יוסף כהן", "Yosef Cohen"),
    6: ("Дмитрий Шостакович", "Dmitri Shostakovich"),
    7: ("محمد الفاسي", "Mohamed El Fassi"),
    8: ("ليلى بنعلي", "Leila Benali"),
}


@pytest.fixture(scope="module")
def matcher() -> PersonMatcher:
    return PersonMatcher()


@pytest.mark.parametrize("record_id", sorted(RECORDED))
def test_the_latin_spelling_finds_the_native_record_as_the_matcher_scores_it(
    matcher: PersonMatcher, record_id: int
) -> None:
    entries = [person(r, native) for r, (native, _) in RECORDED.items()]
    index = PersonIndex(matcher)
    index.bulk_load(entries)
    query = PersonQuery(RECORDED[record_id][1])
    prepared = index.prepare(query)
    exact = {e.record_id: matcher.score(prepared, matcher.candidate(e)) for e in entries}
    assert exact[record_id].score >= index.min_score  # the matcher's own verdict
    found = {h.record_id: h.score for h in index.search(query, None, limit=10)}
    expected = {
        r
        for r, result in exact.items()
        if result.score >= index.min_score and _reached_through_a_token(result)
    }
    assert expected <= set(found), expected - set(found)
    assert all(exact[r].score == score for r, score in found.items())
    assert max(found, key=lambda r: (found[r], -r)) == record_id
