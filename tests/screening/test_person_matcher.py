"""Person matching: names across scripts and spellings, qualifiers, explanations."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from rapidfuzz.distance import OSA

from interlink.core.access import Visibility
from interlink.screening.names import ABJADS, consonants, skeleton
from interlink.screening.person_matcher import (
    ABJAD_WEIGHT,
    MIN_CONSONANTS,
    SOUND_WEIGHT,
    MatchConfig,
    MatchResult,
    Outcome,
    PartialDate,
    PersonEntry,
    PersonMatcher,
    PersonQuery,
    spelling_similarities,
    spelling_similarity,
)


@pytest.fixture(scope="module")
def matcher() -> PersonMatcher:
    return PersonMatcher()


def entry(
    *names: str,
    birth: str | None = None,
    nationalities: tuple[str, ...] = (),
    sex: str | None = None,
) -> PersonEntry:
    return PersonEntry(
        record_id=1,
        names=names,
        birth_date=birth,
        nationalities=nationalities,
        sex=sex,
        visibility=Visibility(),
        owner_org_id=1,
    )


def compare(matcher: PersonMatcher, query: str, *names: str, **facts: str | None) -> MatchResult:
    query_facts = {k: v for k, v in facts.items() if k in ("birth_date", "nationality", "sex")}
    return matcher.compare(
        PersonQuery(query, **query_facts),
        entry(
            *names,
            birth=facts.get("birth"),
            sex=facts.get("their_sex"),
            nationalities=tuple(filter(None, [facts.get("their_nat")])),
        ),
    )


def feature(result: MatchResult, name: str):
    return next(f for f in result.features if f.name == name)


def test_identical_names_score_one(matcher: PersonMatcher) -> None:
    assert compare(matcher, "John Smith", "John Smith").score == 1.0
    assert compare(matcher, "JOHN  smith", "John Smith").score == 1.0


def test_swapped_given_and_family_names_cost_nothing(matcher: PersonMatcher) -> None:
    assert compare(matcher, "Smith, John", "John Smith").score == 1.0
    assert compare(matcher, "Пушкин Александр", "Александр Пушкин").score == 1.0


@pytest.mark.parametrize(
    ("query", "candidate"),
    [
        ("John Smith", "John Michael Smith"),  # the query leaves out the middle name
        ("John Michael Smith", "John Smith"),  # the record lacks it
        ("Omar al Bashir", "Omar Bashir"),
    ],
)
def test_missing_middle_names_still_match(
    matcher: PersonMatcher, query: str, candidate: str
) -> None:
    score = compare(matcher, query, candidate).score
    assert matcher.config.threshold <= score < 1.0


def test_a_missing_record_token_costs_less_than_a_missing_query_token(
    matcher: PersonMatcher,
) -> None:
    assert (
        compare(matcher, "John Smith", "John Michael Smith").score
        > compare(matcher, "John Michael Smith", "John Smith").score
    )


def test_initials(matcher: PersonMatcher) -> None:
    result = compare(matcher, "J. Smith", "John Smith")
    assert result.score >= 0.85
    assert [t.how for t in feature(result, "name").tokens] == ["initial", "exact"]
    assert compare(matcher, "K. Smith", "John Smith").score < matcher.config.threshold
    assert compare(matcher, "John Smith", "J. R. Smith").score >= matcher.config.threshold


def test_a_vowel_initial_does_not_stand_for_an_abjad_token(matcher: PersonMatcher) -> None:
    """Arabic and Hebrew leave the first vowel unwritten: 'A.' could be Ahmad, Ibrahim or
    al-..., so it is no reading of الجاعوني (a real false match against OFAC before)."""
    token = matcher.analyzer.token
    prepared = matcher.prepare(PersonQuery("الجاعوني"))  # al + جاعوني
    assert [matcher.token_match(prepared, i, token("A")).agreement for i in (0, 1)] == [0, 0]
    assert matcher.token_match(matcher.prepare(PersonQuery("Ahmed")), 0, token("A")).agreement > 0
    assert compare(matcher, "شهب الجاعوني", "Fahad Shabib A.").score < matcher.config.threshold
    # a consonant initial still stands for the abjad token, and a vowel one for Cyrillic
    consonant = compare(matcher, "محمد علي", "M. Ali")
    assert [t.agreement for t in feature(consonant, "name").tokens if t.how == "initial"] == [
        pytest.approx(matcher.config.initial_similarity * matcher.config.transliteration_weight)
    ]
    assert consonant.score >= matcher.config.threshold
    assert compare(matcher, "Александр Пушкин", "A. Pushkin").score >= matcher.config.threshold


@pytest.mark.parametrize(
    ("query", "candidate"),
    [
        ("马静", "Kim Jong Man"),  # 马 'ma' is one letter off 'man'
        ("柳瑞", "Li Hong Ri"),  # 柳 'liu' against 'li'
        ("陈丽丽", "Ri Chun Song"),  # 陈 'chen' against 'chun'
    ],
)
def test_one_han_character_needs_a_near_exact_reading(
    matcher: PersonMatcher, query: str, candidate: str
) -> None:
    assert compare(matcher, query, candidate).score < matcher.config.threshold


@pytest.mark.parametrize(
    ("query", "candidate"),
    [
        ("李鑫", "Li Xin"),
        ("马静", "Ma Jing"),
        ("陈丽丽", "Chen Lili"),
        ("姜荣", "Jiang Rong"),
    ],
)
def test_one_han_character_matches_its_reading(
    matcher: PersonMatcher, query: str, candidate: str
) -> None:
    assert compare(matcher, query, candidate).score >= matcher.config.threshold


def test_names_run_together_need_more_than_a_shared_part(matcher: PersonMatcher) -> None:
    assert compare(matcher, "Benjamin Cole", "Bol Mel Benjamin").score < matcher.config.threshold
    joined = compare(matcher, "Abdulrahman Ali", "Abdul Rahman Ali")
    assert joined.score >= matcher.config.threshold


@pytest.mark.parametrize(
    ("query", "candidate"),
    [
        ("Jonh Smith", "John Smith"),  # transposed letters
        ("John Smtih", "John Smith"),
        ("Jon Smith", "John Smith"),  # a letter missing
        ("John Smiht", "John Smith"),
        ("Alexandr Pushkin", "Alexander Pushkin"),
        ("Müller Jürgen", "Juergen Mueller"),  # umlaut spelled out
        ("José Martínez", "Jose Martinez"),
        ("Abdulrahman Ali", "Abdul Rahman Ali"),  # split differently
    ],
)
def test_typos_and_spelling_variants_match(
    matcher: PersonMatcher, query: str, candidate: str
) -> None:
    assert compare(matcher, query, candidate).score >= matcher.config.threshold


@pytest.mark.parametrize(
    ("query", "candidate"),
    [
        ("Jane Smith", "John Smith"),  # one shared family name is not enough
        ("John Brown", "John Smith"),
        ("Ali Hassan", "Omar Hassan"),
        ("Peter Parker", "John Smith"),
        ("Xiaoming", "John Smith"),
    ],
)
def test_different_people_stay_below_the_threshold(
    matcher: PersonMatcher, query: str, candidate: str
) -> None:
    assert compare(matcher, query, candidate).score < matcher.config.threshold


@pytest.mark.parametrize(
    ("native", "latin"),
    [
        ("Александр Пушкин", "Alexander Pushkin"),
        ("محمد علي", "Mohammed Ali"),
        ("יצחק רבין", "Yitzhak Rabin"),
        ("ジョン・スミス", "John Smith"),
        ("威廉 克林顿", "William Clinton"),
        ("도널드 트럼프", "Donald Trump"),
        ("王小明", "Wang Xiaoming"),
        ("习近平", "Xi Jinping"),  # ICU's pinyin joins the learned spellings
    ],
)
def test_native_scripts_match_latin_spellings_both_ways(
    matcher: PersonMatcher, native: str, latin: str
) -> None:
    threshold = matcher.config.threshold
    forward = compare(matcher, native, latin)
    assert forward.score >= threshold
    assert compare(matcher, latin, native).score >= threshold
    assert {t.how for t in feature(forward, "name").tokens} <= {"transliteration", "joined"}


@pytest.mark.parametrize(
    ("native", "latin"),
    [
        ("Александр Пушкин", "Boris Yeltsin"),
        ("محمد علي", "Hassan Nasrallah"),
        ("ジョン・スミス", "Peter Parker"),
        ("威廉 克林顿", "George Bush"),
    ],
)
def test_native_scripts_do_not_match_other_people(
    matcher: PersonMatcher, native: str, latin: str
) -> None:
    assert compare(matcher, native, latin).score < matcher.config.threshold


def test_the_best_of_several_names_counts(matcher: PersonMatcher) -> None:
    result = compare(matcher, "John Smith", "Xavier Quinn", "Johnny Smith", "John Smith")
    assert (result.score, result.matched_name) == (1.0, 2)
    # a name without letters still holds its place in the record's list
    assert compare(matcher, "John Smith", "1234", "John Smith").matched_name == 1


@pytest.mark.parametrize(
    ("query", "record", "outcome", "effect", "detail"),
    [
        ("1980-05-17", "1980-05-17", Outcome.AGREED, 0.05, "same date"),
        ("1980", "1980-05-17", Outcome.AGREED, 0.0, "agrees to the year"),
        ("1980-05", "1980-05-17", Outcome.AGREED, 0.0, "agrees to the month"),
        ("1980-05-17", "1980-17-05", Outcome.AGREED, 0.0, "agrees to the year"),  # invalid month
        ("1980-05-07", "1980-07-05", Outcome.AGREED, 0.0, "day and month transposed"),
        ("1980-05-17", "1980-05-18", Outcome.DISAGREED, -0.05, "same month, different day"),
        ("1980-05-17", "1980-06-17", Outcome.DISAGREED, -0.10, "same year, different month"),
        ("1980", "1981", Outcome.DISAGREED, -0.10, "years 1 apart"),
        ("1980", "1975-01-01", Outcome.DISAGREED, -0.25, "years 5 apart"),
        (None, "1975-01-01", Outcome.UNKNOWN, 0.0, "not known on both sides"),
        ("1980", None, Outcome.UNKNOWN, 0.0, "not known on both sides"),
    ],
)
def test_birth_date_feature(
    matcher: PersonMatcher,
    query: str | None,
    record: str | None,
    outcome: Outcome,
    effect: float,
    detail: str,
) -> None:
    result = compare(matcher, "John Smith", "John Smith", birth_date=query, birth=record)
    found = feature(result, "birth_date")
    assert (found.outcome, found.effect, found.message) == (outcome, pytest.approx(effect), detail)
    assert result.score == pytest.approx(min(1.0, 1.0 + effect))


@pytest.mark.parametrize(
    ("query", "record", "outcome", "effect"),
    [
        ("FR", "FR", Outcome.AGREED, 0.02),
        ("fr", "FR", Outcome.AGREED, 0.02),
        ("FR", "DE", Outcome.DISAGREED, -0.10),
        (None, "DE", Outcome.UNKNOWN, 0.0),
        ("FR", None, Outcome.UNKNOWN, 0.0),
    ],
)
def test_nationality_feature(
    matcher: PersonMatcher, query: str | None, record: str | None, outcome: Outcome, effect: float
) -> None:
    found = feature(
        compare(matcher, "John Smith", "John Smith", nationality=query, their_nat=record),
        "nationality",
    )
    assert (found.outcome, found.effect) == (outcome, pytest.approx(effect))


@pytest.mark.parametrize(
    ("query", "record", "outcome", "effect"),
    [
        ("M", "M", Outcome.AGREED, 0.0),
        ("m", "F", Outcome.DISAGREED, -0.20),
        ("F", "U", Outcome.UNKNOWN, 0.0),
        ("U", "F", Outcome.UNKNOWN, 0.0),
        (None, "F", Outcome.UNKNOWN, 0.0),
    ],
)
def test_sex_feature(
    matcher: PersonMatcher, query: str | None, record: str | None, outcome: Outcome, effect: float
) -> None:
    result = compare(matcher, "John Smith", "John Smith", sex=query, their_sex=record)
    found = feature(result, "sex")
    assert (found.outcome, found.effect) == (outcome, pytest.approx(effect))
    assert result.score == pytest.approx(1.0 + min(effect, 0.0))


def test_qualifiers_can_pull_a_name_match_below_the_threshold(matcher: PersonMatcher) -> None:
    plain = compare(matcher, "Jon Smith", "John Smith")
    conflicting = compare(
        matcher, "Jon Smith", "John Smith", birth_date="1950", birth="1990", sex="F", their_sex="M"
    )
    assert plain.score >= matcher.config.threshold > conflicting.score


def test_the_threshold_is_configurable() -> None:
    strict = PersonMatcher(MatchConfig(threshold=0.95))
    result = compare(strict, "Jon Smith", "John Smith")
    assert feature(result, "name").outcome is Outcome.DISAGREED
    assert (
        feature(compare(PersonMatcher(), "Jon Smith", "John Smith"), "name").outcome
        is Outcome.AGREED
    )


def test_explanation_says_which_token_met_which(matcher: PersonMatcher) -> None:
    result = compare(matcher, "Smith Jonh Q", "John Smith", birth_date="1970", birth="1970")
    tokens = {t.query: t for t in feature(result, "name").tokens}
    assert tokens["smith"].candidate == "smith" and tokens["smith"].how == "exact"
    assert tokens["jonh"].candidate == "john" and tokens["jonh"].how == "spelling"
    assert 0.0 < tokens["jonh"].agreement < 1.0 and tokens["jonh"].similarity < 1.0
    assert tokens["q"].candidate is None and tokens["q"].how == "missing"
    body = result.as_dict()
    json.dumps(body)  # plain data, ready for the API
    assert [f["feature"] for f in body["features"]] == ["name", "birth_date", "nationality", "sex"]
    assert body["features"][1]["outcome"] == "agreed"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("1980", PartialDate(1980)),
        ("1980-05", PartialDate(1980, 5)),
        ("1980-05-17", PartialDate(1980, 5, 17)),
        (" 1980-05-17 ", PartialDate(1980, 5, 17)),
        ("1980-13-01", PartialDate(1980)),
        ("17/05/1980", None),
        ("", None),
        (None, None),
    ],
)
def test_partial_date_parse(text: str | None, parsed: PartialDate | None) -> None:
    assert PartialDate.parse(text) == parsed


def test_partial_date_round_trips_through_its_code() -> None:
    for date in (PartialDate(1980), PartialDate(1980, 5), PartialDate(1980, 5, 17)):
        assert PartialDate.decode(date.encode()) == date
    assert PartialDate.decode(0) is None


def test_priming_in_bulk_gives_the_same_scores_as_one_pair_at_a_time(
    matcher: PersonMatcher,
) -> None:
    """The index primes the token cache for all its candidates in one rapidfuzz call per
    query token; the scores and explanations must be those of scoring pair by pair."""
    people = [
        entry(n)
        for n in (
            "Mohammed Ali",
            "محمد علي",
            "Aleksandr Pushkin",
            "Александр Пушкин",
            "Wang Xiaoming",
            "王小明",
            "יצחק רבין",
            "Yitzhak Rabin",
            "김정은",
            "Kim Jong Un",
            "J. Smith",
            "クリスティ スミス",
            "Abdul Rahman al Hassan",
        )
    ]
    candidates = [matcher.candidate(p) for p in people]
    for name in (
        "محمد علي",
        "Muhammad Aly",
        "Александр Пушкин",
        "王 小明",
        "יצחק רבין",
        "Kim Jong-un",
        "John Smith",
        "Abdulrahman Hassan",
    ):
        query = PersonQuery(name)
        one_by_one = [matcher.score(matcher.prepare(query), c) for c in candidates]
        primed = matcher.prepare(query)
        matcher.prime(primed, candidates)
        assert primed.similarities  # the cache was filled in bulk
        assert [matcher.score(primed, c) for c in candidates] == one_by_one


def _reference_similarity(a, b) -> float:  # type: ignore[no-untyped-def]
    """spelling_similarity as its docstring states it, pair by pair in plain Python."""
    abjad = a.script in ABJADS or b.script in ABJADS
    best = sound = 0.0
    for sa, ca in zip(a.spellings, a.confidences, strict=True):
        for sb, cb in zip(b.spellings, b.confidences, strict=True):
            best = max(best, ca * cb * OSA.normalized_similarity(sa, sb))
            ka, kb = consonants(sa), consonants(sb)
            # the mark of an initial vowel ('_') is no consonant
            if abjad and min(len(ka.lstrip("_")), len(kb.lstrip("_"))) >= MIN_CONSONANTS:
                best = max(best, ABJAD_WEIGHT * ca * cb * OSA.normalized_similarity(ka, kb))
            sound = max(sound, ca * cb * OSA.normalized_similarity(skeleton(sa), skeleton(sb)))
    return best if a.script is b.script else (1 - SOUND_WEIGHT) * best + SOUND_WEIGHT * sound


def test_bulk_spelling_similarity_equals_the_pair_by_pair_definition(
    matcher: PersonMatcher,
) -> None:
    words = [
        "Александр",
        "Alexander",
        "محمد",
        "Mohammed",
        "בנימין",
        "Benjamin",
        "클레망",
        "Clement",
        "クリスティ",
        "Christie",
        "威廉",
        "William",
        "王",
        "Wang",
        "Smith",
        "Smyth",
        "عبد الرحمن",
        "Abdulrahman",
        "Пушкин",
        "Pushkin",
    ]
    tokens = [t for w in words for t in matcher.analyzer.analyze(w)]
    for a in tokens:
        bulk = spelling_similarities(a, tokens)
        for b, found in zip(tokens, bulk, strict=True):
            assert found == pytest.approx(_reference_similarity(a, b), abs=1e-12)
            assert spelling_similarity(a, b) == pytest.approx(found, abs=1e-12)


def test_a_han_or_hangul_query_leaves_no_syllable_unmentioned(matcher: PersonMatcher) -> None:
    # Latin: a candidate's middle name the query left out costs little
    extra = matcher.config.extra_candidate_weight
    assert compare(matcher, "Li Yu", "Li Cheng Yu").score == pytest.approx(2 / (2 + extra))
    # Han: 李宇 (one-syllable given name) is not 'LI, Cheng Yu' (成宇) short of a middle name
    written = compare(matcher, "李宇", "LI, Cheng Yu")
    one = matcher.config.han_character_weight  # each of 李 and 宇
    across = matcher.config.transliteration_weight
    assert written.score == pytest.approx(2 * one * across / (2 * one + 0.5))  # 'cheng': 0.5
    assert written.score < matcher.config.threshold
    assert compare(matcher, "李宇", "Li Yu").score == pytest.approx(across)
    two = compare(matcher, "김민", "Kim Min").score  # 김 reads 'gim' first: not exact
    assert compare(matcher, "김민", "KIM, Min Jun").score == pytest.approx(two * 2 / 2.5)


def test_commonness_weight_falls_with_the_share_of_persons_sharing_a_token() -> None:
    cfg = MatchConfig()
    matcher = PersonMatcher(cfg)
    assert matcher.commonness_weight(1, 1) == 1.0  # a small index is read as prior_persons
    assert matcher.commonness_weight(1_000, 1_000_000) == 1.0  # at rare_share
    weights = [matcher.commonness_weight(n, 1_000_000) for n in (2_000, 30_000, 300_000)]
    assert 1.0 > weights[0] > weights[1] > weights[2] == cfg.common_weight_floor
    assert weights[1] == pytest.approx(0.5, abs=0.01)  # ln(0.03) / ln(0.001)


def test_weighing_a_query_keeps_particles_and_unknown_tokens(matcher: PersonMatcher) -> None:
    prepared = matcher.prepare(PersonQuery("Omar al Hassan J"))
    assert prepared.weights == (1.0, matcher.config.particle_weight, 1.0, 1.0)
    matcher.weigh(prepared, [(300_000, 1_000_000), (300_000, 1_000_000), (10, 1_000_000), None])
    assert prepared.weights == (
        matcher.config.common_weight_floor,
        matcher.config.particle_weight,
        1.0,
        1.0,
    )


def test_a_common_token_weighs_less_in_the_score_and_says_so(matcher: PersonMatcher) -> None:
    prepared = matcher.prepare(PersonQuery("David Hernandez"))
    candidate = matcher.candidate(entry("HERNANDEZ GRISALES, Jesus David"))
    rare = matcher.score(prepared, candidate)
    extra = 2 * matcher.config.extra_candidate_weight  # 'jesus' and 'grisales' unmentioned
    assert rare.score == pytest.approx(2 / (2 + extra))
    assert rare.score >= matcher.config.threshold
    matcher.weigh(prepared, [(300_000, 1_000_000), (300_000, 1_000_000)])
    common = matcher.score(prepared, candidate)
    floor = matcher.config.common_weight_floor
    assert common.score == pytest.approx(2 * floor / (2 * floor + extra))
    assert common.score < matcher.config.threshold
    tokens = common.as_dict()["features"][0]["tokens"]
    assert [t["weight"] for t in tokens] == [floor, floor]
    # a full match stays a full match, however common its parts
    assert matcher.score(prepared, matcher.candidate(entry("Hernandez, David"))).score == 1.0


def test_an_abjad_writes_that_a_name_opens_with_a_vowel(matcher: PersonMatcher) -> None:
    # احمدیان (Ahmadian) opens with alif; همدانی (Hamedani) does not: 'hmdn' alike as
    # consonants, they are not the same name
    across = matcher.config.transliteration_weight
    assert compare(matcher, "همدانی", "Hamedani").score == pytest.approx(across)
    assert compare(matcher, "همدانی", "Ahmadian").score < matcher.config.threshold
    assert compare(matcher, "إبراهيم", "Ibrahim").score == pytest.approx(across)


def test_one_han_character_weighs_half(matcher: PersonMatcher) -> None:
    # 张 (Zhang) agreeing says little; the given name has to agree
    assert matcher.prepare(PersonQuery("张建国")).weights == (0.5, 1.0)
    assert compare(matcher, "张建国", "Zhang Jianguo").score == pytest.approx(
        matcher.config.transliteration_weight
    )
    assert compare(matcher, "张建国", "ZHANG, Jian").score < matcher.config.threshold
    # not for Hangul: one syllable is as often a foreign given name (잭 'Jack')
    assert matcher.prepare(PersonQuery("잭 런던")).weights == (1.0, 1.0)


def test_a_transliterated_agreement_counts_less_than_a_written_one(matcher: PersonMatcher) -> None:
    """So that 0.7 means about the same risk of a false match in every script."""
    across = matcher.config.transliteration_weight
    assert across < 1.0
    assert compare(matcher, "محمد علي", "Mohammed Ali").score == pytest.approx(across)
    assert compare(matcher, "محمد علي", "محمد علي").score == 1.0  # as written
    assert compare(matcher, "Mohammed Ali", "Mohammed Ali").score == 1.0
    whole = PersonMatcher(MatchConfig(transliteration_weight=1.0))
    assert compare(whole, "محمد علي", "Mohammed Ali").score == 1.0
    # the ranking is the same: every cross-script agreement counts the same share less
    names = ["Mohammed Ali", "Mohamed Aly", "Ali Hassan", "Mahmoud Ali"]
    ours = [compare(matcher, "محمد علي", n).score for n in names]
    theirs = [compare(whole, "محمد علي", n).score for n in names]
    assert ours == pytest.approx([across * t for t in theirs])


@pytest.mark.parametrize(
    ("native", "latin"),
    [
        ("محمد بن سلمان بن عبدالعزيز آل سعود", "Mohammed bin Salman bin Abdulaziz Al Saud"),
        ("الشيخ احمد بن خالد الحربي", "Ahmed ibn Khalid al-Harbi"),
        ("عبد الرحمن خالد العتيبي", "Abdul Rahman Khalid Al-Otaibi"),
        ("عبد الرحمن خالد العتيبي", "Abdulrahman Khalid el-Otaibi"),
    ],
)
def test_a_long_native_name_agreeing_token_by_token_reaches_the_threshold(
    matcher: PersonMatcher, native: str, latin: str
) -> None:
    assert compare(matcher, native, latin).score >= matcher.config.threshold


@pytest.mark.parametrize(
    ("native", "latin"),
    [
        ("احمد بن خالد الحربي", "Yusuf bin Khalid al-Harbi"),
        ("احمد بن خالد الحربي", "Ahmed bin Mansour al-Otaibi"),
        ("عبد الرحمن خالد العتيبي", "Abdul Karim Saleh Al-Otaibi"),
    ],
)
def test_agreeing_particles_do_not_carry_a_disagreeing_name(
    matcher: PersonMatcher, native: str, latin: str
) -> None:
    assert compare(matcher, native, latin).score < matcher.config.threshold


def test_a_missing_patronymic_costs_less_than_a_disagreeing_name(matcher: PersonMatcher) -> None:
    listed = "Ahmed bin Khalid bin Mansour al-Harbi"
    missing = compare(matcher, "احمد بن خالد الحربي", listed).score
    disagreeing = compare(matcher, "احمد بن سعيد بن منصور الحربي", listed).score
    full = compare(matcher, "احمد بن خالد بن منصور الحربي", listed).score
    assert full > missing > disagreeing
    assert missing >= matcher.config.threshold


def test_particles_agree_across_spellings_and_scripts(matcher: PersonMatcher) -> None:
    result = compare(matcher, "Ahmed ibn Khalid el-Harbi", "Ahmed bin Khalid al-Harbi")
    assert result.score == 1.0
    particles = [t for t in feature(result, "name").tokens if t.query in ("bin", "al")]
    assert [t.how for t in particles] == ["exact", "exact"]


@pytest.mark.parametrize(
    ("native", "latin"),
    [
        ("安倍晋三", "Shinzo Abe"),  # kanji read by pykakasi
        ("김정은", "Kim Jong Un"),  # customary surname, McCune-Reischauer given name
        ("박근혜", "Park Geun-hye"),
        ("毛泽东", "Mao Tse-tung"),  # Wade-Giles
        ("Юлия Тимошенко", "Iuliia Timoshenko"),  # ICAO 9303
    ],
)
def test_maintained_readings_find_names_as_their_people_spell_them(
    matcher: PersonMatcher, native: str, latin: str
) -> None:
    assert compare(matcher, native, latin).score >= matcher.config.threshold


@pytest.mark.parametrize(
    ("native", "latin"),
    [
        ("安倍晋三", "Taro Aso"),
        ("김정은", "Kim Jong Nam"),
        ("박근혜", "Park Chung-hee"),
    ],
)
def test_maintained_readings_do_not_match_other_people(
    matcher: PersonMatcher, native: str, latin: str
) -> None:
    assert compare(matcher, native, latin).score < matcher.config.threshold


def test_a_particle_is_no_counterpart_for_a_name(matcher: PersonMatcher) -> None:
    """Paired with a name at 0, a particle would spare both the cost of a missing token."""
    result = compare(matcher, "Kim de Man", "KIM, Jong Man")
    assert result.score < compare(matcher, "Kim Man", "KIM, Jong Man").score
    tokens = {t.query: t for t in feature(result, "name").tokens}
    assert tokens["de"].how == "missing" and tokens["de"].candidate is None
    assert compare(matcher, "Kim de Man", "Kim de Man").score == 1.0


# A particle (or 'Abu') written joined to the next name, against the same name written
# apart: the same person, whichever side is listed and whichever is typed.
JOINED_AND_APART = [
    ("Kareem Ben Ali", "Karim Benali"),
    ("Abdelrahman Hassan", "Abd al-Rahman Hassan"),
    ("Abdulrahman Khalid", "Abdul Rahman Khalid"),
    ("Mohamed Elhassan", "Mohamed El Hassan"),
    ("Ahmed Alharbi", "Ahmed al-Harbi"),
    ("Abu Bakr Mohammed", "Abubakar Mohammed"),
    ("Ali Benali", "Ali Ben Ali"),
    ("كريم بنعلي", "Karim Ben Ali"),
]


@pytest.mark.parametrize(("one", "other"), JOINED_AND_APART)
def test_a_particle_written_joined_meets_it_written_apart(
    matcher: PersonMatcher, one: str, other: str
) -> None:
    assert compare(matcher, one, other).score >= matcher.config.threshold
    assert compare(matcher, other, one).score >= matcher.config.threshold


# Different people whose names share their particles (and one name): the particles agreeing
# must not carry the disagreeing name over the threshold, joined or apart.
SHARING_PARTICLES = [
    ("Ben Ali Karim", "Ben Salah Karim"),
    ("Benali Karim", "Bensalah Karim"),
    ("Ahmed Ben Ali", "Ahmed Ben Salah"),
    ("Karim El Hassan", "Karim El Masri"),
    ("Mohamed Elhassan", "Mohamed Elmasri"),
    ("Abdel Karim Hassan", "Abdel Rahman Hassan"),
    ("Abdelkarim Hassan", "Abdelrahman Hassan"),
    ("Abu Bakr Hassan", "Abu Omar Hassan"),
    ("Ahmed bin Khalid al-Harbi", "Ahmed bin Salem al-Harbi"),
]


@pytest.mark.parametrize(("one", "other"), SHARING_PARTICLES)
def test_different_people_sharing_particles_stay_below_the_threshold(
    matcher: PersonMatcher, one: str, other: str
) -> None:
    assert compare(matcher, one, other).score < matcher.config.threshold
    assert compare(matcher, other, one).score < matcher.config.threshold


def test_an_unspaced_chinese_name_needs_its_exact_reading(matcher: PersonMatcher) -> None:
    """刘桂英 is Liu Guiying (pinyin) or Liu Kuei-ying (Wade-Giles); Liu Cuiying (翠英) is
    one letter off that reading and another person (a real OFAC false match before)."""
    threshold = matcher.config.threshold
    assert compare(matcher, "刘桂英", "LIU, Guiying").score >= threshold
    assert compare(matcher, "刘桂英", "Liu Kuei-ying").score >= threshold
    assert compare(matcher, "刘桂英", "LIU, Cuiying").score < threshold
    assert compare(matcher, "张建华", "ZHANG, Jian").score < threshold


def test_a_long_transcription_counts_like_a_written_agreement(matcher: PersonMatcher) -> None:
    """A foreign name written by sound in three or more Han characters agrees by chance far
    less often than a short native name: its agreement is not discounted."""
    cfg = matcher.config
    discounted = PersonMatcher(replace(cfg, transcription_weight=cfg.transliteration_weight))
    assert compare(matcher, "克里斯蒂 莱莫斯", "Christie Lemos").score >= cfg.threshold
    ours, theirs = (
        feature(compare(m, "克里斯蒂 莱莫斯", "Christie Lemos"), "name").tokens[0]
        for m in (matcher, discounted)
    )
    assert ours.how == "transliteration" and ours.agreement > 0.5
    assert theirs.agreement == pytest.approx(cfg.transliteration_weight * ours.agreement)
    # a two-character token is discounted as before
    short = [
        feature(compare(m, "王 小明", "Wang Xiaoming"), "name").tokens[1]
        for m in (matcher, discounted)
    ]
    assert short[0].agreement == short[1].agreement > 0.0


def test_a_generation_left_out_of_a_long_name_costs_less(matcher: PersonMatcher) -> None:
    threshold = matcher.config.threshold
    # the query names the grandfather, the list does not
    assert compare(matcher, "احمد خالد منصور الحربي", "Ahmed Khalid al-Harbi").score >= threshold
    # ... but a father who disagrees is another person
    assert compare(matcher, "احمد خالد منصور الحربي", "Ahmed Saeed al-Harbi").score < threshold


def test_abd_left_over_costs_a_name(matcher: PersonMatcher) -> None:
    """'Abdul Hussein' is another name than Hussein: 'abd' agreeing says little, but left
    without counterpart before a paired name it costs a name, not a particle."""
    threshold = matcher.config.threshold
    assert compare(matcher, "عباس الحسيني", "ABBAS, Hussein").score >= threshold
    assert compare(matcher, "عباس الحسيني", "ABBAS, Abdul Hussein").score < threshold


@pytest.mark.parametrize(
    ("query", "listed"),
    [("احمد المصري", "Ahmed Elmasry"), ("كريم الفضل", "Karim Alfadl")],
)
def test_an_arabic_name_with_its_article_meets_it_joined_in_latin(
    matcher: PersonMatcher, query: str, listed: str
) -> None:
    """المصري is split into 'al' + مصري; 'Elmasry' keeps its article joined (masry is no
    listed name part to split before): its letters after 'el' are compared too."""
    result = compare(matcher, query, listed)
    assert result.score >= matcher.config.threshold
    assert any(t.candidate in ("elmasry", "alfadl") for t in result.features[0].tokens)


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("احمد مصري", "Ahmed Elmasry"),  # no article written: 'el' stays part of the name
        ("احمد المصري", "Ahmed Albert"),
        ("احمد المصري", "Ahmed Almansour"),
        ("كريم الفضل", "Karim Elfassi"),
    ],
)
def test_an_article_stripped_from_latin_does_not_make_other_names_agree(
    matcher: PersonMatcher, query: str, listed: str
) -> None:
    assert compare(matcher, query, listed).score < matcher.config.threshold


@pytest.mark.parametrize(
    ("query", "listed"),
    [("王小明", "Wang Xiao Ming"), ("习近平", "Xi Jin Ping"), ("刘桂英", "Liu Gui Ying")],
)
def test_an_unspaced_chinese_name_meets_its_syllables_spelled_apart(
    matcher: PersonMatcher, query: str, listed: str
) -> None:
    assert compare(matcher, query, listed).score >= matcher.config.threshold


def test_an_unspaced_chinese_name_run_together_uses_its_standard_readings(
    matcher: PersonMatcher,
) -> None:
    """The learned model spells 郑 'yunho' (it learned from foreign names written in Han):
    run together with 静 'jing', that met 'YUN, Ho-Jin' at 0.86 (an OFAC entry, for an
    unlisted Faker name). Parts of an unspaced Chinese name run together by their standard
    readings only."""
    assert compare(matcher, "郑静", "YUN, Ho-Jin").score < matcher.config.threshold
    assert compare(matcher, "郑静", "Zheng Jing").score >= matcher.config.threshold
