"""Name normalisation, scripts, romanisation and blocking keys."""

from __future__ import annotations

import pytest
from rapidfuzz.distance import OSA

from interlink.core.access import Visibility
from interlink.screening.names import (
    NameAnalyzer,
    Romanizer,
    Script,
    ScriptModel,
    Token,
    blocking_keys,
    consonants,
    deletions,
    graphemes,
    latin_form,
    skeleton,
    split_name,
    token_script,
)
from interlink.screening.person_index import PersonEntry, PersonIndex, PersonQuery
from interlink.screening.person_matcher import SOUND_WEIGHT, spelling_similarity


@pytest.fixture(scope="module")
def analyzer() -> NameAnalyzer:
    return NameAnalyzer()


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Mr. John  SMITH", ["john", "smith"]),
        ("Jean-Luc Picard", ["jean", "luc", "picard"]),
        ("Dr", ["dr"]),  # a title alone is kept: it is all there is
        ("约翰·威廉", ["约翰", "威廉"]),
        ("ジョン・スミス", ["ジョン", "スミス"]),
        ("O'Brien, Pat", ["o'brien", "pat"]),
        ("ג'ורג' בוש", ["ג'ורג'", "בוש"]),
        ("AL-HASSAN", ["al", "hassan"]),
    ],
)
def test_split_name(text: str, tokens: list[str]) -> None:
    assert split_name(text) == tokens


@pytest.mark.parametrize(
    ("token", "script"),
    [
        ("smith", Script.LATIN),
        ("đukić", Script.LATIN),
        ("александр", Script.CYRILLIC),
        ("محمد", Script.ARABIC),
        ("משה", Script.HEBREW),
        ("김정은", Script.HANGUL),
        ("スミス", Script.KANA),
        ("すずき", Script.KANA),
        ("山田はな", Script.KANA),
        ("王小明", Script.HAN),
        ("αλέξανδρος", Script.OTHER),
        ("123", Script.LATIN),
    ],
)
def test_token_script(token: str, script: Script) -> None:
    assert token_script(token) is script


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Đukić", "dukic"),
        ("Køppen", "koppen"),
        ("Straße", "strasse"),
        ("O'Brien", "obrien"),
        ("123", ""),
    ],
)
def test_latin_form(text: str, form: str) -> None:
    assert latin_form(text) == form


@pytest.mark.parametrize(
    ("token", "script", "units"),
    [
        ("김", Script.HANGUL, ["ᄀ", "ᅵ", "ᆷ"]),  # a syllable reads as its jamo
        ("すずき", Script.KANA, ["ス", "ズ", "キ"]),  # hiragana reads as katakana
        ("ティー", Script.KANA, ["ティー"]),  # small kana and the long mark join their letter
        ("てぃー", Script.KANA, ["ティー"]),
        ("約翰", Script.HAN, ["约", "翰"]),  # traditional reads as simplified
        ("ג'ורג'", Script.HEBREW, ["ג'", "ו", "ר", "ג'"]),  # geresh stays with its letter
        ("مُحَمَّد", Script.ARABIC, ["م", "ح", "م", "د"]),  # vowel marks dropped
    ],
)
def test_graphemes(token: str, script: Script, units: list[str]) -> None:
    assert graphemes(token, script) == units


def _tiny_model() -> Romanizer:
    units = {"а": (("a", -0.1), ("o", -2.5)), "б": (("b", -0.05),), "б а": (("ba", -1.0),)}
    return Romanizer({Script.CYRILLIC: ScriptModel(units, unit_length=2, unit_penalty=-1.2)})


def test_romanizer_ranks_spellings_by_probability() -> None:
    found = _tiny_model().spellings("баба", Script.CYRILLIC, limit=5)
    assert found[0] == ("baba", 1.0)
    assert "bobo" in [s for s, _ in found]
    confidences = [c for _, c in found]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.5 < c <= 1.0 for c in confidences)


def test_romanizer_falls_back_to_icu_for_unseen_letters_and_scripts() -> None:
    model = _tiny_model()
    assert model.spellings("бд", Script.CYRILLIC, limit=1)[0][0] == "bd"  # д never trained
    assert model.spellings("σοφία", Script.OTHER, limit=3) == [("sophia", 1.0)]
    assert model.spellings("Smith", Script.LATIN, limit=3) == [("smith", 1.0)]


@pytest.mark.parametrize(
    ("native", "latin"),
    [
        ("Александр", "alexander"),
        ("Пушкин", "pushkin"),
        ("محمد", "mohammed"),
        ("בנימין", "benjamin"),
        ("클레망", "clement"),
        ("クリスティ", "christie"),
        ("威廉", "william"),
    ],
)
def test_shipped_model_spells_native_names_closer_than_icu(
    analyzer: NameAnalyzer, native: str, latin: str
) -> None:
    own = analyzer.token(latin)
    learned = spelling_similarity(analyzer.token(native.casefold()), own)
    icu_only = spelling_similarity(NameAnalyzer(Romanizer({})).token(native.casefold()), own)
    assert learned >= max(icu_only, 0.65)


def test_analyze_reads_an_unspaced_chinese_name_as_family_and_given(analyzer: NameAnalyzer) -> None:
    tokens = analyzer.analyze("王小明")
    assert [t.text for t in tokens] == ["王", "小明"]
    assert [t.text for t in analyzer.analyze("王 小明 李")] == ["王", "小明", "李"]


def test_analyze_drops_tokens_without_letters(analyzer: NameAnalyzer) -> None:
    assert [t.text for t in analyzer.analyze("John 2nd Smith 1980")] == ["john", "nd", "smith"]


def test_token_flags(analyzer: NameAnalyzer) -> None:
    j, al, smith = analyzer.analyze("J. al Smith")
    assert j.is_initial and not smith.is_initial
    assert al.is_particle and not smith.is_particle


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("mohammed", "muhammad"),
        ("kristie", "cristy"),
        ("aleksandr", "alexander"),
        ("philip", "filip"),
        ("schmidt", "shmit"),
        ("lee", "li"),
    ],
)
def test_spelling_variants_share_a_skeleton(a: str, b: str) -> None:
    assert skeleton(a) == skeleton(b)


@pytest.mark.parametrize(("a", "b"), [("smith", "jones"), ("maria", "mark"), ("ali", "omar")])
def test_different_names_have_different_skeletons(a: str, b: str) -> None:
    assert skeleton(a) != skeleton(b)


def test_consonants_is_what_an_abjad_writes() -> None:
    assert [consonants(s) for s in ("mohammed", "muhammad", "osama", "netanyahu")] == [
        "mhmd",
        "mhmd",
        "_sm",
        "ntnh",
    ]
    # an initial vowel is written (alif, ayin), though not which one
    assert consonants("omar") == consonants("umar") == "_mr"
    assert consonants("ahmadian") == "_hmdn" != consonants("hamedani") == "hmdn"


def test_deletions_fuzz_only_long_keys() -> None:
    assert deletions("MLT") == set()
    assert deletions("KLST") == {"LST", "KST", "KLT", "KLS"}
    # one consonant more or less still meets: KLST (christie) and KLSTM (christiem)
    assert "KLST" in deletions("KLSTM")
    # a substituted consonant meets through a shared deletion
    assert deletions("KLST") & deletions("KLMT")


def test_blocking_keys_include_the_native_form(analyzer: NameAnalyzer) -> None:
    native = analyzer.token("александр")
    keys = blocking_keys(native, 3)
    assert "=александр" in keys and skeleton("aleksandr") in keys
    assert blocking_keys(analyzer.token("smith"), 3) == {"SMT"}


def _token(text: str, script: Script, spellings: tuple[str, ...]) -> Token:
    return Token.make(text, script, spellings, (1.0,) * len(spellings))


def test_sound_skeletons_count_a_quarter_across_scripts_only() -> None:
    # "peigen" and "bacon" are far apart as letters (OSA 0.17) but share the skeleton BKM
    native = _token("培根", Script.HAN, ("peigen",))
    latin = _token("bacon", Script.LATIN, ("bacon",))
    letters = OSA.normalized_similarity("peigen", "bacon")
    assert skeleton("peigen") == skeleton("bacon") == "BKM"
    assert spelling_similarity(native, latin) == pytest.approx(
        (1 - SOUND_WEIGHT) * letters + SOUND_WEIGHT * 1.0
    )
    # two Latin spellings are compared as letters only
    assert spelling_similarity(_token("peigen", Script.LATIN, ("peigen",)), latin) == pytest.approx(
        letters
    )


def test_index_bounds_scores_with_the_sound_skeletons_like_the_matcher() -> None:
    # 培根 agrees with "Bacon" only through the skeleton share. The index's bulk agreements
    # must mix it in as the matcher does: its coarse score has to reach the exact score, or
    # a search with min_score just under the exact score drops the person.
    record = PersonEntry(1, ("Bacon Lonsdale",), None, (), None, Visibility(), 1)
    query = PersonQuery("培根 朗斯代尔")
    index = PersonIndex()
    index.bulk_load([record])
    direct = index.matcher.score(index.prepare(query), index.matcher.candidate(record))
    bacon = direct.features[0].tokens[0]
    assert (bacon.query, bacon.candidate) == ("培根", "bacon") and bacon.agreement > 0.0
    hits = index.search(query, None, min_score=direct.score - 0.01)
    assert [h.record_id for h in hits] == [1]
    assert hits[0].score == pytest.approx(direct.score)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        # the Arabic article and "abd al-" written joined are split off
        ("الحربي", ["ال", "حربي"]),
        ("عبدالرحمن", ["عبد", "ال", "رحمن"]),
        ("Abdulrahman", ["abd", "al", "rahman"]),
        ("abdelkader", ["abd", "al", "kader"]),
        # ... but not from names that only look so
        ("الياس", ["الياس"]),
        ("Abdullah", ["abdullah"]),
        ("Abdulla", ["abdulla"]),
        ("الله", ["الله"]),
        ("Albert", ["albert"]),
    ],
)
def test_particles_written_joined_are_split_off(text: str, tokens: list[str]) -> None:
    assert split_name(text) == tokens


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("الشيخ محمد الحربي", ["محمد", "ال", "حربي"]),
        ("Sheikh Ahmed Yassin", ["ahmed", "yassin"]),
        ("Haji Bagcho", ["haji", "bagcho"]),  # two tokens: Haji may be the name
    ],
)
def test_honorifics_are_dropped_only_before_two_more_tokens(text: str, tokens: list[str]) -> None:
    assert split_name(text) == tokens


def test_particles_of_any_script_and_spelling_read_as_one(analyzer: NameAnalyzer) -> None:
    one = analyzer.analyze("محمد بن سلمان آل سعود")
    other = analyzer.analyze("Mohammed ibn Salman el-Saud")
    assert [t.text for t in one if t.is_particle] == ["bin", "al"]
    assert [t.text for t in other if t.is_particle] == ["bin", "al"]
    assert next(t.text for t in analyzer.analyze("Abdul Karim")) == "abd"
    assert not analyzer.token("binyamin").is_particle


def test_a_four_character_han_or_hangul_name_splits_two_and_two(analyzer: NameAnalyzer) -> None:
    assert [t.text for t in analyzer.analyze("安倍晋三")] == ["安倍", "晋三"]
    assert [t.text for t in analyzer.analyze("남궁민수")] == ["남궁", "민수"]
    assert [t.text for t in analyzer.analyze("王小明")] == ["王", "小明"]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Karim Benali", ["karim", "ben", "ali"]),
        ("Elhassan", ["el", "hassan"]),
        ("Abubakar", ["abu", "bakar"]),
        ("Alharbi", ["al", "harbi"]),
        ("بنعلي", ["بن", "علي"]),
        # the same letters, no particle: the rest is no Arabic name part
        ("Benjamin Bennett", ["benjamin", "bennett"]),
        ("Elena Albert", ["elena", "albert"]),
        ("Alexander Elissa", ["alexander", "elissa"]),
        # after the article only names usually written with it: Alomar is Catalan
        ("Roberto Alomar", ["roberto", "alomar"]),
    ],
)
def test_a_particle_run_into_an_arabic_name_is_split_off(text: str, tokens: list[str]) -> None:
    assert split_name(text) == tokens
