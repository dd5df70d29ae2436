"""The person index: search, visibility before scoring, updates."""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys

import numpy as np
import pytest

from interlink.core.access import Visibility, VisibilityMode
from interlink.screening.person_index import PersonEntry, PersonIndex, PersonQuery, _name_bounds
from interlink.screening.person_matcher import MatchResult, PersonMatcher

EVERYONE = Visibility()
ONLY_FR = Visibility(VisibilityMode.ONLY, frozenset({"FR"}))
NOT_DE = Visibility(VisibilityMode.EXCEPT, frozenset({"DE"}))


def person(
    record_id: int,
    *names: str,
    birth: str | None = None,
    sex: str | None = None,
    nationalities: tuple[str, ...] = (),
    visibility: Visibility = EVERYONE,
    owner: int = 7,
) -> PersonEntry:
    return PersonEntry(record_id, names, birth, nationalities, sex, visibility, owner)


class CountingMatcher(PersonMatcher):
    """Records which candidates reach exact scoring."""

    def __init__(self) -> None:
        super().__init__()
        self.scored: list[tuple[str, ...]] = []

    def score(self, query, candidate) -> MatchResult:  # type: ignore[no-untyped-def]
        self.scored.append(tuple(t.text for t in candidate.names[0]))
        return super().score(query, candidate)


@pytest.fixture(scope="module")
def shared_matcher() -> PersonMatcher:
    return PersonMatcher()


@pytest.fixture
def index(shared_matcher: PersonMatcher) -> PersonIndex:
    found = PersonIndex(shared_matcher)
    found.bulk_load(
        [
            person(1, "John Smith", birth="1970-01-01", nationalities=("GB",), sex="M"),
            person(2, "Jane Smith", birth="1985"),
            person(3, "Alexander Pushkin", "Aleksandr Sergeyevich Pushkin", birth="1799-06-06"),
            person(4, "Mohammed Ali", nationalities=("EG",)),
            person(5, "Yitzhak Rabin"),
            person(6, "Wang Xiaoming"),
            person(7, "Мария Иванова"),
            person(8, "Omar Hassan", visibility=ONLY_FR),
            person(9, "Omar Hassan", visibility=NOT_DE, owner=9),
        ]
    )
    return found


def ids(hits) -> list[int]:  # type: ignore[no-untyped-def]
    return [h.record_id for h in hits]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("John Smith", 1),
        ("Smith John", 1),
        ("Jonh Smiht", 1),
        ("J. Smith", 1),
        ("Aleksandr Pushkin", 3),
        ("Александр Пушкин", 3),
        ("Alexander S. Pushkin", 3),
        ("محمد علي", 4),
        ("Muhammad Ali", 4),
        ("יצחק רבין", 5),
        ("王小明", 6),
        ("Maria Ivanova", 7),
        ("Мария Иванова", 7),
    ],
)
def test_search_finds_the_person_first(index: PersonIndex, name: str, expected: int) -> None:
    hits = index.search(PersonQuery(name), None)
    assert hits and hits[0].record_id == expected
    assert hits[0].decision


def test_hits_carry_score_decision_owner_and_explanation(index: PersonIndex) -> None:
    hits = index.search(PersonQuery("John Smith", birth_date="1970"), None)
    top = hits[0]
    assert (top.record_id, top.owner_org_id, top.score, top.decision) == (1, 7, 1.0, True)
    features = {f["feature"]: f for f in top.explanation_dict()["features"]}
    assert features["birth_date"]["outcome"] == "agreed"
    assert features["name"]["tokens"][0]["candidate"] == "john"
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))


def test_threshold_sets_the_decision_not_the_results(index: PersonIndex) -> None:
    default = index.search(PersonQuery("Jon Smith"), None)
    strict = index.search(PersonQuery("Jon Smith"), None, threshold=0.99)
    assert ids(default) == ids(strict)
    assert default[0].decision and not strict[0].decision


def test_limit_and_min_score(index: PersonIndex) -> None:
    assert len(index.search(PersonQuery("Smith"), None, limit=1)) == 1
    assert index.search(PersonQuery("Completely Unrelated"), None) == []
    hits = index.search(PersonQuery("Smith"), None)
    assert hits and all(h.score >= index.min_score for h in hits)
    near = index.search(PersonQuery("Jon Smith"), None)
    decided = index.search(PersonQuery("Jon Smith"), None, min_score=0.7)
    assert [h.record_id for h in decided] == [h.record_id for h in near if h.score >= 0.7]
    assert len(decided) < len(near)


def test_qualifiers_order_people_with_the_same_name(index: PersonIndex) -> None:
    hits = index.search(PersonQuery("J Smith", birth_date="1985", sex="F"), None)
    assert ids(hits)[0] == 2


@pytest.mark.parametrize(
    ("viewer", "visible"),
    [
        (None, [8, 9]),  # the General Secretariat sees everything
        ("FR", [8, 9]),
        ("DE", []),  # excluded by 9, not listed by 8
        ("IT", [9]),
    ],
)
def test_visibility(index: PersonIndex, viewer: str | None, visible: list[int]) -> None:
    assert sorted(ids(index.search(PersonQuery("Omar Hassan"), viewer))) == visible


def test_owners_see_their_own_restricted_records(index: PersonIndex) -> None:
    assert ids(index.search(PersonQuery("Omar Hassan"), "DE", viewer_org_id=7)) == [8]
    assert ids(index.search(PersonQuery("Omar Hassan"), "DE", viewer_org_id=9)) == [9]
    assert ids(index.search(PersonQuery("Omar Hassan"), "DE", viewer_org_id=1)) == []


def test_hidden_records_are_never_scored() -> None:
    matcher = CountingMatcher()
    index = PersonIndex(matcher)
    index.bulk_load([person(i, "Omar Hassan", visibility=ONLY_FR) for i in range(1, 6)])
    index.upsert(person(6, "Omar Hassani"))
    hits = index.search(PersonQuery("Omar Hassan"), "DE")
    assert ids(hits) == [6]
    assert matcher.scored == [("omar", "hassani")]  # the five exact matches never reached it
    matcher.scored.clear()
    assert len(index.search(PersonQuery("Omar Hassan"), "FR")) == 6
    assert len(matcher.scored) == 6


def test_upsert_replaces_and_remove_forgets(index: PersonIndex) -> None:
    size = len(index)
    index.upsert(person(1, "Jean Dupont", visibility=EVERYONE))
    assert len(index) == size
    assert 1 not in ids(index.search(PersonQuery("John Smith"), None))
    assert ids(index.search(PersonQuery("Jean Dupont"), None)) == [1]
    index.remove(1)
    index.remove(1)  # unknown ids are ignored
    index.remove(12345)
    assert len(index) == size - 1
    assert index.search(PersonQuery("Jean Dupont"), None) == []


def test_updates_reuse_slots_without_stale_postings(shared_matcher: PersonMatcher) -> None:
    index = PersonIndex(shared_matcher)
    index.upsert(person(1, "Karl Marx"))
    index.remove(1)
    index.upsert(person(2, "Rosa Luxemburg"))  # takes the freed slot
    assert index.search(PersonQuery("Karl Marx"), None) == []
    assert ids(index.search(PersonQuery("Rosa Luxemburg"), None)) == [2]
    index.upsert(person(2, "Rosa Luxemburg", visibility=ONLY_FR))  # visibility change
    assert index.search(PersonQuery("Rosa Luxemburg"), "DE") == []


def test_a_random_stream_of_changes_matches_a_fresh_scan(shared_matcher: PersonMatcher) -> None:
    """After many upserts and removes the index answers like scoring every live record."""
    given = ["John", "Jane", "Ali", "Maria", "Ivan", "Chen", "Fatima", "Olga"]
    family = ["Smith", "Hassan", "Garcia", "Petrov", "Wang", "Okafor", "Novak", "Kim"]
    rng = random.Random(4)
    index, live = PersonIndex(shared_matcher), {}
    for _ in range(400):
        record_id = rng.randrange(60)
        if rng.random() < 0.3:
            index.remove(record_id)
            live.pop(record_id, None)
        else:
            entry = person(
                record_id,
                f"{rng.choice(given)} {rng.choice(family)}",
                visibility=rng.choice([EVERYONE, ONLY_FR, NOT_DE]),
            )
            index.upsert(entry)
            live[record_id] = entry
    assert len(index) == len(live)
    for g in given[:4]:
        for f in family[:4]:
            query = PersonQuery(f"{g} {f}")
            prepared = index.prepare(query)  # weighed by how common each token is here
            expected = sorted(
                (-s, r)
                for r, e in live.items()
                if e.visibility.admits("DE")
                and (s := shared_matcher.score(prepared, shared_matcher.candidate(e)).score)
                >= index.min_score
            )
            found = index.search(query, "DE", limit=100)
            assert [(-h.score, h.record_id) for h in found] == expected


def _reached_through_a_token(result: MatchResult) -> bool:
    """A match some query token agrees with on its own: not one made of initials only or
    of the names run together, which nominate nobody (docs/screening-names.md)."""
    return any(
        t.how not in ("initial", "joined", "missing") and t.agreement > 0
        for t in result.features[0].tokens
    )


@pytest.mark.parametrize("floor", [0.3, 0.55, 0.7, 0.9])
def test_candidate_generation_misses_nobody_who_reaches_the_floor(
    shared_matcher: PersonMatcher, floor: float
) -> None:
    """Nominating only through forms above per-token thresholds (a token as common as "Doe"
    may nominate nobody) must still find every person whose exact score reaches the floor,
    as scoring every record would; a query token missing from the person costs only half
    its weight ("Maria Doe Petrova" against "Maria Doe" is 0.8), which the bound allows.
    (Far lower floors also reach names sharing no blocking key: "Maria" and "Fatima".)"""
    rng = random.Random(7)
    given = ["John", "Jon", "Joan", "Maria", "Mario", "Ivan", "Iwan", "Fatima", "Amir", "Li"]
    rare = ["Okonkwo", "Okonkwu", "Petrov", "Petrova", "Nakamura", "Haddad", "Hadad", "Zhou"]
    entries = []
    for record_id in range(1, 301):
        family = "Doe" if rng.random() < 0.6 else rng.choice(rare)
        middle = f" {rng.choice(given)}" if rng.random() < 0.2 else ""
        entries.append(
            person(
                record_id,
                f"{rng.choice(given)}{middle} {family}",
                birth=rng.choice([None, "1970", "1985-03-02"]),
            )
        )
    index = PersonIndex(shared_matcher, candidates=10_000)
    index.bulk_load(entries)
    for name in [
        "John Doe",
        "Jon Okonkwo",
        "Maria Doe Petrova",
        "Amir Hadad",
        "Doe",
        "Iwan Petrov Doe",
        "J. Doe",
        "Li Zhou Doe",
    ]:
        query = PersonQuery(name, birth_date="1970")
        prepared = index.prepare(query)  # weighed by how common each token is here
        exact = {
            e.record_id: shared_matcher.score(prepared, shared_matcher.candidate(e))
            for e in entries
        }
        found = {
            h.record_id: h.score for h in index.search(query, None, limit=10_000, min_score=floor)
        }
        assert all(exact[r].score == score >= floor for r, score in found.items()), name
        expected = {
            r
            for r, result in exact.items()
            if result.score >= floor and _reached_through_a_token(result)
        }
        assert expected <= set(found), (name, expected - set(found))


@pytest.mark.parametrize("count", [1, 2, 3, 5, 6])
@pytest.mark.parametrize("particles", [False, True])
def test_name_bound_is_the_best_choice_of_tokens_to_keep(count: int, particles: bool) -> None:
    """The sorting network's bound equals trying every set of kept tokens at least as large
    as each slot must keep (the matcher aligns as many tokens as the shorter name has);
    with particles, every set."""
    rng = random.Random(count)
    weights = [0.5 if particles and i % 2 else 1.0 for i in range(count)]
    agreements = [np.array([rng.random() for _ in range(200)], np.float32) for _ in range(count)]
    kept = np.array([rng.randint(1, count) for _ in range(200)])
    total = sum(weights)
    expected = np.zeros(200)
    for size in range(1, count + 1):
        for chosen in itertools.combinations(range(count), size):
            weight = sum(weights[i] for i in chosen)
            mass = weight + 0.5 * (total - weight)
            score = sum(weights[i] * agreements[i] for i in chosen) / mass
            # with particles the count is not enforced (the bound only gets looser)
            expected = np.maximum(expected, np.where(particles | (kept <= size), score, 0.0))
    assert np.allclose(_name_bounds(agreements, weights, 0.5, kept), expected, atol=1e-6)


def test_a_person_with_many_aliases_is_read_from_its_names(shared_matcher: PersonMatcher) -> None:
    """More distinct tokens than the per-person form columns hold: the coarse score is then
    read from the names themselves, and the person is found through any alias."""
    aliases = (
        "Omar Hassan",
        "Abu Bakr Siddiq",
        "Karim Nasser Farouk",
        "Yusuf Idris Malik",
        "Tariq Zaid",
    )
    index = PersonIndex(shared_matcher)
    index.bulk_load([person(1, *aliases), person(2, "Yusuf Idris"), person(3, "Tariq Ziad")])
    for alias in aliases:
        hits = index.search(PersonQuery(alias), None)
        assert hits and hits[0].record_id == 1 and hits[0].score == 1.0, alias
        assert (
            hits[0].score == shared_matcher.compare(PersonQuery(alias), person(1, *aliases)).score
        )


def test_name_parts_many_indexed_persons_share_count_less(shared_matcher: PersonMatcher) -> None:
    """'David Hernandez' against 'Jesus David Hernandez Grisales': a possible match where
    both names are rare among the indexed persons, not where hundreds share each."""
    target = person(1, "HERNANDEZ GRISALES, Jesus David")
    others = [person(i, f"Person{i:04d} Other{i:04d}") for i in range(2, 2002)]
    rare = PersonIndex(shared_matcher)
    rare.bulk_load([target, *others])
    common = PersonIndex(shared_matcher)
    common.bulk_load(
        [
            target,
            *(person(i, f"David Other{i:04d}") for i in range(2, 1002)),
            *(person(i, f"Person{i:04d} Hernandez") for i in range(1002, 2002)),
        ]
    )
    query = PersonQuery("David Hernandez")
    found_rare = {h.record_id: h for h in rare.search(query, None)}
    found_common = {h.record_id: h for h in common.search(query, None, min_score=0.0)}
    extra = 2 * shared_matcher.config.extra_candidate_weight  # 'jesus', 'grisales'
    assert found_rare[1].decision and found_rare[1].score == pytest.approx(2 / (2 + extra))
    assert not found_common[1].decision
    assert found_common[1].score < found_rare[1].score
    weights = [t["weight"] for t in found_common[1].explanation_dict()["features"][0]["tokens"]]
    assert all(w < 0.5 for w in weights)
    # the prepared query carries those weights, so a direct score equals the search's
    prepared = common.prepare(query)
    assert shared_matcher.score(prepared, shared_matcher.candidate(target)).score == pytest.approx(
        found_common[1].score
    )


def test_latin_queries_find_native_script_persons_as_the_matcher_scores_them(
    shared_matcher: PersonMatcher,
) -> None:
    """Across scripts the matcher reads all twenty spellings of a native form, not only the
    best one ('Humaida' is far from 'hmida', the best reading of حميضة, and close to
    'hamida'), and an Arabic name written with its article joined (الزبيدي) is typed with it
    apart or dropped. The index must nominate whoever the matcher puts at the decision
    threshold, and the true person wherever the matcher puts it above the reporting floor."""
    natives = [
        "حميضة الزبيدي",
        "محمد العلي",
        "أحمد بن علي",
        "عبد الرحمن الحسن",
        "Александр Петров",
        "Иван Иванов",
        "王小明",
        "김민준",
        "יוסף כהן",
    ]
    entries = [person(i, name) for i, name in enumerate(natives, start=1)]
    index = PersonIndex(shared_matcher, candidates=10_000)
    index.bulk_load(entries)
    for name, true_id in [
        ("Humaida Zubaidi", 1),
        ("Humaida al-Zubaidi", 1),
        ("Muhammad al-Ali", 2),
        ("Mohammed Alali", 2),
        ("Ahmed Ben Ali", 3),
        ("Aleksandr Petrov", 5),
        ("Alexander Petrov", 5),
        ("Ivan Ivanov", 6),
        ("Wang Xiaoming", 7),
        ("Kim Minjun", 8),
        ("Yosef Cohen", 9),
    ]:
        prepared = index.prepare(PersonQuery(name))
        exact = {
            e.record_id: shared_matcher.score(prepared, shared_matcher.candidate(e))
            for e in entries
        }
        found = {h.record_id for h in index.search(PersonQuery(name), None, min_score=0.55)}
        expected = {
            r
            for r, result in exact.items()
            if (result.score >= 0.7 or (r == true_id and result.score >= 0.55))
            and _reached_through_a_token(result)
        }
        assert expected <= found, (name, expected - found)


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        ("Kareem Ben Ali", "Karim Benali"),
        ("Karim Benali", "Kareem Ben Ali"),
        ("Mohamed Elhassan", "Mohamed El Hassan"),
        ("Mohamed El Hassan", "Mohamed Elhassan"),
        ("Abubakar Mohammed", "Abu Bakr Mohammed"),
        ("Abu Bakr Mohammed", "Abubakar Mohammed"),
        ("Abdelrahman Hassan", "Abd al-Rahman Hassan"),
        ("Abd al-Rahman Hassan", "Abdelrahman Hassan"),
    ],
)
def test_a_particle_written_joined_is_found_written_apart(
    shared_matcher: PersonMatcher, typed: str, listed: str
) -> None:
    """Through the index, as the officer screens: the person is nominated and returned at
    the decision threshold, among others sharing a name part with it."""
    index = PersonIndex(shared_matcher)
    others = ["Karim Salah", "Ali Mansour", "Mohamed Ali", "Ahmed Hassan", "Omar Bakri"]
    index.bulk_load([person(1, listed), *(person(n, o) for n, o in enumerate(others, 2))])
    hits = index.search(PersonQuery(typed), None)
    assert hits and hits[0].record_id == 1 and hits[0].decision


def test_a_long_name_missing_a_generation_is_found_at_its_exact_score(
    shared_matcher: PersonMatcher,
) -> None:
    """A long query's missing tokens cost less (MatchConfig.extra_query_weight_long): the
    index's bound must use the same cost, or it prunes the person below the exact score."""
    listed = person(1, "Ahmed Khalid al-Harbi")
    index = PersonIndex(shared_matcher)
    index.bulk_load([listed, person(2, "Ahmed Saeed al-Otaibi"), person(3, "Khalid Mansour")])
    query = PersonQuery("احمد خالد منصور الحربي")
    exact = shared_matcher.score(index.prepare(query), shared_matcher.candidate(listed)).score
    assert exact >= shared_matcher.config.threshold
    hits = index.search(query, None, min_score=exact - 0.01)
    assert [h.record_id for h in hits][:1] == [1]
    assert hits[0].score == pytest.approx(exact)


def test_a_native_query_finds_a_person_whose_spelling_shares_no_blocking_key(
    shared_matcher: PersonMatcher,
) -> None:
    """邁蒙尼德 ('Maimonides' written in Chinese) reads 'maimengnide' and the like: no
    reading shares a sound skeleton with 'maimonides', so blocking compares it with other
    forms only, and the person agrees through 'Lauda' alone, like every other Lauda. The
    candidates' own forms are then compared in full: the true person comes first at the
    decision threshold, and the other Laudas stay below it."""
    query = PersonQuery("邁蒙尼德 勞達")
    true = person(1, "Maimonides Lauda")
    # names the blocking keys do bring, a little alike: they outrank a person agreeing
    # through one token among the few candidates scored exactly
    others = ["Hamdi Lauda", "Makani Lauda", "Magnin Lauda", "Merneith Lauda", "Mcmann Lauda"]
    index = PersonIndex(shared_matcher, candidates=3)
    index.bulk_load([true, *(person(n, o) for n, o in enumerate(others, 2))])
    maimonides = index._form_ids["maimonides"]
    assert maimonides not in index._similar_to(index.prepare(query).tokens[0]).forms.tolist()
    exact = shared_matcher.score(index.prepare(query), shared_matcher.candidate(true)).score
    assert exact >= shared_matcher.config.threshold
    hits = index.search(query, None, limit=1)
    assert hits[0].record_id == 1 and hits[0].score == pytest.approx(exact)
    everyone = PersonIndex(shared_matcher, candidates=100)
    everyone.bulk_load([true, *(person(n, o) for n, o in enumerate(others, 2))])
    assert [h.record_id for h in everyone.search(query, None) if h.decision] == [1]


# A world of Chinese names, half written in pinyin, where ties at the cut of candidates
# are common (single-character names read alike). Built the same way in each process.
_SEEDED_SEARCH = """
import json, random, sys
import pypinyin
from interlink.core.access import Visibility
from interlink.screening.person_index import PersonEntry, PersonIndex, PersonQuery

rng = random.Random(11)
names = []
for _ in range(600):
    given = "".join(
        rng.choice("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国红梅志")
        for _ in range(rng.choice((1, 2)))
    )
    name = rng.choice("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗") + given
    if rng.random() < 0.5:
        name = " ".join(pypinyin.lazy_pinyin(name[1:]) + pypinyin.lazy_pinyin(name[0])).title()
    names.append(name)
index = PersonIndex()
index.bulk_load(PersonEntry(i, (n,), None, (), None, Visibility(), 1) for i, n in enumerate(names))
print(json.dumps([
    [(h.record_id, h.score) for h in index.search(PersonQuery(q), None, limit=5)]
    for q in sys.argv[1:]
]))
"""


def test_answers_do_not_depend_on_the_hash_seed() -> None:
    """The same query against the same store gives the same hits, whatever PYTHONHASHSEED
    the process runs with. Until 2026-12-08 the blocking keys of a query token were read in
    a set's order, which decided the order of forms agreeing alike and so which persons tied
    at the cut of candidates went on: under seeds 0, 1 and 2 these two queries gave three
    different answers (周杰, held exactly by person 110, was missed under seed 0)."""
    queries = ["周杰", "黄洋", "张伟", "Zhou Jie"]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _SEEDED_SEARCH, *queries],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in (0, 1, 2)
    ]
    answers = []
    for run in runs:
        out, _ = run.communicate(timeout=120)
        assert run.returncode == 0
        answers.append(json.loads(out))
    assert answers[0] == answers[1] == answers[2]
    assert [110, 1.0] in answers[0][0]  # 周杰 itself
