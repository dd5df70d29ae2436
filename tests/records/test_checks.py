"""Automated compliance checks: every check is shown both firing and not firing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from interlink.records.checks import (
    ARTICLE_3_KEYWORDS,
    EXCLUDED_CATEGORY_HINTS,
    EXCLUDED_OFFENCE_CATEGORIES,
    CheckCode,
    CheckOutcome,
    CheckResult,
    InMemoryRefugeeRegistry,
    KeywordMatcher,
    RefugeeStatus,
    blocks_publication,
    check_article_3,
    check_consistency,
    check_excluded_offence,
    check_red_penalty_threshold,
    check_refugee_status,
    check_required_data,
    fold_text,
    needs_attention,
    refugee_name_key,
    run_automated_checks,
)
from interlink.records.schemas import NoticeData, NoticeType, OffenceCategory, PartialDate

DOCS = Path(__file__).resolve().parents[2] / "docs" / "compliance-checks.md"
REQUESTING = "AR"  # a synthetic requesting country
NO_REFUGEES = InMemoryRefugeeRegistry()

SUBJECT = {
    "names": [{"full_name": "Tomás Quillabamba Ferreyra"}],
    "sex": "male",
    "birth_date": "1979-08-03",
    "nationalities": ["AR"],
}
JUDICIAL = {
    "offence_description": "Armed robbery of a bank branch, with two employees injured.",
    "offence_category": "robbery",
    "law_reference": "Criminal Code, art. 166",
    "maximum_penalty_months": 180,
    "purpose": "prosecution",
    "warrant_reference": "W-2023-0457",
    "warrant_date": "2023-03-14",
    "issuing_authority": "Federal Court No. 3",
    "extradition_countries": ["ES", "UY"],
}
FACTS = "On 2 March 2023 the subject and two accomplices robbed a bank branch at gunpoint."


def red(**changes: Any) -> NoticeData:
    """A Red notice request that passes every check; `changes` replace top-level fields."""
    data: dict[str, Any] = {
        "notice_type": "red",
        "subject": SUBJECT,
        "facts": FACTS,
        "judicial": JUDICIAL,
    }
    return NoticeData.model_validate({**data, **changes})


def red_with(subject: dict[str, Any] | None = None, **judicial: Any) -> NoticeData:
    """A Red notice whose subject and judicial data are changed field by field (None drops)."""
    subject_data = {k: v for k, v in {**SUBJECT, **(subject or {})}.items() if v is not None}
    judicial_data = {k: v for k, v in {**JUDICIAL, **judicial}.items() if v is not None}
    return red(subject=subject_data, judicial=judicial_data)


def result(results: list[CheckResult], code: CheckCode) -> CheckResult:
    (found,) = [item for item in results if item.code is code]
    return found


def run(notice: NoticeData, registry: Any = NO_REFUGEES) -> list[CheckResult]:
    return run_automated_checks(notice, requesting_country=REQUESTING, refugee_registry=registry)


# --- All checks together -----------------------------------------------------------------------


def test_a_complete_red_notice_passes_every_check_in_review_order() -> None:
    results = run(red())
    assert [item.code for item in results] == list(CheckCode)
    assert {item.outcome for item in results} == {CheckOutcome.PASS}
    assert not blocks_publication(results)
    assert not needs_attention(results)


def test_a_fail_blocks_publication_and_a_flag_only_asks_for_attention() -> None:
    flagged = run(red(facts=FACTS + " He is an opposition journalist."))
    assert needs_attention(flagged) and not blocks_publication(flagged)
    failed = run(red_with(maximum_penalty_months=12))
    assert blocks_publication(failed) and needs_attention(failed)


def test_every_reason_is_a_sentence() -> None:
    notice = red(facts="Opposition activist.", judicial={"purpose": "sentence"})
    for item in run(notice):
        assert re.match(r"^[A-Z0-9].*\.$", item.reason), item


def test_requesting_country_is_compared_without_case() -> None:
    notice = red_with(extradition_countries=["AR"])
    lower = run_automated_checks(notice, requesting_country="ar", refugee_registry=NO_REFUGEES)
    assert result(lower, CheckCode.CONSISTENT_DATA).outcome is CheckOutcome.FAIL


def test_every_check_code_is_documented() -> None:
    documented = DOCS.read_text(encoding="utf-8")
    for code in CheckCode:
        assert f"`{code.value}`" in documented, code


# --- Required data -----------------------------------------------------------------------------

PERSON_WITH_LIKENESS = {"physical_description": {"height_cm": 150, "description": "Scar on chin"}}
THREAT = "A parcel bomb hidden in a printer cartridge."

COMPLETE_BY_TYPE: dict[NoticeType, dict[str, Any]] = {
    NoticeType.RED: {"subject": SUBJECT, "facts": FACTS, "judicial": JUDICIAL},
    NoticeType.BLUE: {"subject": PERSON_WITH_LIKENESS, "facts": "Seen near a smuggling route."},
    NoticeType.GREEN: {"subject": SUBJECT, "facts": "Convicted three times of child abuse."},
    NoticeType.YELLOW: {"subject": {"names": [{"full_name": "Lía Test"}]}, "facts": "Missing."},
    NoticeType.BLACK: {"subject": PERSON_WITH_LIKENESS, "facts": "Body found on a beach."},
    NoticeType.ORANGE: {"object_description": THREAT, "facts": "Intercepted at an airport."},
    NoticeType.PURPLE: {"object_description": "Drugs in hollow fruit.", "facts": "Seizure."},
    NoticeType.SILVER: {
        "subject": SUBJECT,
        "object_description": "A villa and two bank accounts.",
        "facts": "Proceeds of drug trafficking.",
    },
    NoticeType.UN_SPECIAL: {
        "object_description": "A front company.",
        "facts": "Listed by the Security Council for arms embargo violations.",
    },
}


def notice_of(notice_type: NoticeType, **changes: Any) -> NoticeData:
    data = {"notice_type": notice_type, **COMPLETE_BY_TYPE[notice_type], **changes}
    return NoticeData.model_validate(data)


def required_outcomes(notice: NoticeData) -> dict[CheckCode, CheckOutcome]:
    return {item.code: item.outcome for item in check_required_data(notice)}


def test_required_data_table_covers_every_type() -> None:
    assert set(COMPLETE_BY_TYPE) == set(NoticeType)


@pytest.mark.parametrize("notice_type", list(NoticeType))
def test_complete_notice_of_each_type_has_its_required_data(notice_type: NoticeType) -> None:
    outcomes = required_outcomes(notice_of(notice_type))
    assert CheckOutcome.FAIL not in outcomes.values()


@pytest.mark.parametrize(
    ("notice_type", "changes", "code", "missing"),
    [
        (NoticeType.RED, {"subject": None}, CheckCode.REQUIRED_IDENTITY_DATA, "the subject's name"),
        (NoticeType.BLUE, {"subject": None}, CheckCode.REQUIRED_IDENTITY_DATA, "photo or physical"),
        (NoticeType.GREEN, {"subject": {"names": [{"full_name": "A B"}]}},
         CheckCode.REQUIRED_IDENTITY_DATA, "date of birth"),
        (NoticeType.YELLOW, {"subject": None}, CheckCode.REQUIRED_IDENTITY_DATA,
         "photo or physical"),
        (NoticeType.BLACK, {"subject": {"photo_ref": "photo-1"}},
         CheckCode.REQUIRED_IDENTITY_DATA, "a physical description of the body"),
        (NoticeType.ORANGE, {"object_description": None}, CheckCode.REQUIRED_CASE_DATA,
         "a description of the threat"),
        (NoticeType.PURPLE, {"object_description": None}, CheckCode.REQUIRED_CASE_DATA,
         "modus operandi"),
        (NoticeType.SILVER, {"object_description": None}, CheckCode.REQUIRED_CASE_DATA,
         "a description of the assets"),
        (NoticeType.SILVER, {"subject": None}, CheckCode.REQUIRED_IDENTITY_DATA, "subject's name"),
        (NoticeType.UN_SPECIAL, {"object_description": None}, CheckCode.REQUIRED_IDENTITY_DATA,
         "sanctioned person"),
        (NoticeType.BLUE, {"facts": None}, CheckCode.REQUIRED_CASE_DATA, "a summary of the facts"),
        (NoticeType.RED, {"judicial": None}, CheckCode.REQUIRED_JUDICIAL_DATA, "judicial data"),
    ],
)  # fmt: skip
def test_missing_required_data_fails_and_names_it(
    notice_type: NoticeType, changes: dict[str, Any], code: CheckCode, missing: str
) -> None:
    found = result(check_required_data(notice_of(notice_type, **changes)), code)
    assert found.outcome is CheckOutcome.FAIL
    assert missing in found.reason
    assert any(missing in item for item in found.details)


@pytest.mark.parametrize(
    ("subject", "missing"),
    [
        ({"names": None, "photo_ref": "photo-1"}, "the subject's name"),
        ({"sex": None}, "the subject's sex"),
        ({"birth_date": None}, "the subject's date of birth"),
        ({"nationalities": None}, "a further identifier of the subject"),
    ],
)
def test_red_notice_needs_each_identity_item(subject: dict[str, Any], missing: str) -> None:
    found = result(check_required_data(red_with(subject=subject)), CheckCode.REQUIRED_IDENTITY_DATA)
    assert found.outcome is CheckOutcome.FAIL
    assert len(found.details) == 1
    assert missing in found.details[0]


@pytest.mark.parametrize(
    ("field", "missing"),
    [
        ("offence_description", "a description of the offence"),
        ("offence_category", "the offence category"),
        ("law_reference", "the reference of the law"),
        ("purpose", "the purpose of the request"),
        ("maximum_penalty_months", "the maximum penalty"),
        ("warrant_reference", "the reference of the arrest warrant or judgment"),
        ("warrant_date", "the date of the arrest warrant or judgment"),
        ("issuing_authority", "the authority that issued"),
    ],
)
def test_red_notice_needs_each_judicial_item(field: str, missing: str) -> None:
    found = result(check_required_data(red_with(**{field: None})), CheckCode.REQUIRED_JUDICIAL_DATA)
    assert found.outcome is CheckOutcome.FAIL
    assert len(found.details) == 1
    assert missing in found.details[0]


def test_red_notice_for_a_sentence_needs_the_time_left_not_the_maximum_penalty() -> None:
    sentence = red_with(purpose="sentence", maximum_penalty_months=None, months_left_to_serve=30)
    assert required_outcomes(sentence)[CheckCode.REQUIRED_JUDICIAL_DATA] is CheckOutcome.PASS
    no_time_left = red_with(purpose="sentence", months_left_to_serve=None)
    found = result(check_required_data(no_time_left), CheckCode.REQUIRED_JUDICIAL_DATA)
    assert found.outcome is CheckOutcome.FAIL
    assert "time left to serve" in found.reason


def test_groups_a_type_does_not_need_are_not_applicable() -> None:
    outcomes = required_outcomes(notice_of(NoticeType.PURPLE))
    assert outcomes[CheckCode.REQUIRED_IDENTITY_DATA] is CheckOutcome.NOT_APPLICABLE
    assert outcomes[CheckCode.REQUIRED_JUDICIAL_DATA] is CheckOutcome.NOT_APPLICABLE
    reason = result(
        check_required_data(notice_of(NoticeType.ORANGE)), CheckCode.REQUIRED_IDENTITY_DATA
    )
    assert reason.reason == "The Orange notice does not require identity data."


def test_reasons_name_the_type_and_kind() -> None:
    diffusion = red(kind="diffusion", judicial=None)
    found = result(check_required_data(diffusion), CheckCode.REQUIRED_JUDICIAL_DATA)
    assert found.reason.startswith("The Red diffusion lacks judicial data")


# --- Consistency -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notice", "problem"),
    [
        (red_with(months_left_to_serve=10), "although the purpose is prosecution"),
        (red_with(purpose="sentence", maximum_penalty_months=24, months_left_to_serve=30),
         "the time left to serve (30 months) exceeds the maximum penalty (24 months)"),
        (red_with(warrant_date="2999-01-01"), "is in the future"),
        (red_with(subject={"birth_date": "2024"}, warrant_date="2023-03-14"),
         "predates the subject's birth (2024)"),
        (red_with(extradition_countries=["ES", REQUESTING]),
         f"the requesting country {REQUESTING} is listed"),
        (notice_of(NoticeType.UN_SPECIAL, kind="diffusion"), "never a diffusion"),
    ],
)  # fmt: skip
def test_inconsistent_data_fails(notice: NoticeData, problem: str) -> None:
    found = check_consistency(notice, REQUESTING)
    assert found.outcome is CheckOutcome.FAIL
    assert problem in found.reason


@pytest.mark.parametrize(
    "notice",
    [
        red(),
        red_with(purpose="sentence", maximum_penalty_months=60, months_left_to_serve=60),
        red_with(subject={"birth_date": "2023"}, warrant_date="2023-03-14"),
        notice_of(NoticeType.UN_SPECIAL),
        notice_of(NoticeType.YELLOW, kind="diffusion"),
    ],
)
def test_consistent_data_passes(notice: NoticeData) -> None:
    assert check_consistency(notice, REQUESTING).outcome is CheckOutcome.PASS


# --- Red penalty thresholds ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("judicial", "outcome", "words"),
    [
        ({"purpose": "prosecution", "maximum_penalty_months": 24}, CheckOutcome.PASS, "up to 24"),
        ({"purpose": "prosecution", "maximum_penalty_months": 23}, CheckOutcome.FAIL, "at most 23"),
        ({"purpose": "prosecution", "maximum_penalty_months": None}, CheckOutcome.FAIL,
         "maximum penalty of the offence is missing"),
        ({"purpose": "sentence", "months_left_to_serve": 6}, CheckOutcome.PASS, "6 months of"),
        ({"purpose": "sentence", "months_left_to_serve": 5}, CheckOutcome.FAIL, "Only 5 months"),
        ({"purpose": "sentence", "months_left_to_serve": None}, CheckOutcome.FAIL,
         "time left to serve is missing"),
        ({"purpose": None}, CheckOutcome.FAIL, "purpose of the request"),
    ],
)  # fmt: skip
def test_red_penalty_thresholds(
    judicial: dict[str, Any], outcome: CheckOutcome, words: str
) -> None:
    found = check_red_penalty_threshold(red_with(**judicial))
    assert found.outcome is outcome
    assert words in found.reason


def test_red_penalty_threshold_applies_to_red_diffusions_too() -> None:
    diffusion = red(kind="diffusion", judicial={**JUDICIAL, "maximum_penalty_months": 12})
    assert check_red_penalty_threshold(diffusion).outcome is CheckOutcome.FAIL


def test_red_penalty_threshold_does_not_apply_to_other_types() -> None:
    found = check_red_penalty_threshold(notice_of(NoticeType.GREEN))
    assert found.outcome is CheckOutcome.NOT_APPLICABLE


# --- Excluded offence categories ------------------------------------------------------------------


@pytest.mark.parametrize("category", list(EXCLUDED_OFFENCE_CATEGORIES))
def test_excluded_offence_category_fails(category: OffenceCategory) -> None:
    found = check_excluded_offence(red_with(offence_category=category))
    assert found.outcome is CheckOutcome.FAIL
    assert EXCLUDED_OFFENCE_CATEGORIES[category] in found.reason


def test_admissible_offence_category_passes() -> None:
    found = check_excluded_offence(red())
    assert found.outcome is CheckOutcome.PASS
    assert "'Robbery' is admissible" in found.reason


EXCLUDED_HINT_SENTENCES = [
    (OffenceCategory.BEHAVIOUR_OR_CULTURAL_NORMS, "en", "Charged with adultery.", "adultery"),
    (OffenceCategory.BEHAVIOUR_OR_CULTURAL_NORMS, "fr", "Accusé de sorcellerie.", "sorcellerie"),
    (OffenceCategory.BEHAVIOUR_OR_CULTURAL_NORMS, "es", "Acusado de brujería.", "brujería"),
    (OffenceCategory.BEHAVIOUR_OR_CULTURAL_NORMS, "ar", "متهم بالزنا", "بالزنا"),
    (OffenceCategory.BEHAVIOUR_OR_CULTURAL_NORMS, "ru", "Обвинён в мужеложстве.", "мужеложстве"),
    (OffenceCategory.FAMILY_OR_PRIVATE_MATTER, "en", "A child custody case.", "child custody"),
    (OffenceCategory.FAMILY_OR_PRIVATE_MATTER, "fr", "Impayé de pension alimentaire.",
     "pension alimentaire"),
    (OffenceCategory.FAMILY_OR_PRIVATE_MATTER, "es", "Tras su divorcio.", "divorcio"),
    (OffenceCategory.FAMILY_OR_PRIVATE_MATTER, "ar", "بعد الطلاق", "الطلاق"),
    (OffenceCategory.FAMILY_OR_PRIVATE_MATTER, "ru", "Неуплата алиментов.", "алиментов"),
    (OffenceCategory.ADMINISTRATIVE_OFFENCE, "en", "Unpaid parking fines.", "parking fines"),
    (OffenceCategory.ADMINISTRATIVE_OFFENCE, "fr", "Trois contraventions.", "contraventions"),
    (OffenceCategory.ADMINISTRATIVE_OFFENCE, "es", "Una infracción administrativa.",
     "infracción administrativa"),
    (OffenceCategory.ADMINISTRATIVE_OFFENCE, "ar", "مخالفة إدارية", "مخالفة إدارية"),
    (OffenceCategory.ADMINISTRATIVE_OFFENCE, "ru", "Административное правонарушение.",
     "Административное правонарушение"),
    (OffenceCategory.PRIVATE_DISPUTE, "en", "He wrote a bounced cheque.", "bounced cheque"),
    (OffenceCategory.PRIVATE_DISPUTE, "fr", "Un chèque sans provision.", "chèque sans provision"),
    (OffenceCategory.PRIVATE_DISPUTE, "es", "Una deuda impagada.", "deuda"),
    (OffenceCategory.PRIVATE_DISPUTE, "ar", "شيك بدون رصيد", "شيك بدون رصيد"),
    (OffenceCategory.PRIVATE_DISPUTE, "ru", "Он не вернул долг.", "долг"),
]  # fmt: skip


def test_hint_sentences_cover_every_excluded_category_and_language() -> None:
    covered = {(category, language) for category, language, _, _ in EXCLUDED_HINT_SENTENCES}
    expected = {
        (category, language)
        for category, keywords in EXCLUDED_CATEGORY_HINTS.items()
        for language in keywords
    }
    assert covered == expected


@pytest.mark.parametrize(("category", "language", "sentence", "word"), EXCLUDED_HINT_SENTENCES)
def test_excluded_category_hints_in_the_facts_flag(
    category: OffenceCategory, language: str, sentence: str, word: str
) -> None:
    found = check_excluded_offence(red(facts=f"{FACTS} {sentence}"))
    assert found.outcome is CheckOutcome.FLAG
    assert word in found.details
    assert EXCLUDED_OFFENCE_CATEGORIES[category] in found.reason


def test_excluded_category_hints_in_the_offence_description_flag() -> None:
    found = check_excluded_offence(red_with(offence_description="Fraud over an unpaid loan."))
    assert found.outcome is CheckOutcome.FLAG
    assert "the offence description mentions 'unpaid loan'" in found.reason


@pytest.mark.parametrize(
    "facts",
    [
        "He was taken into custody on 3 May.",  # detention, not a child custody matter
        "He used stolen credit cards.",  # 'credit' is not 'creditor'
    ],
)
def test_ordinary_words_near_hints_do_not_flag(facts: str) -> None:
    assert check_excluded_offence(red(facts=facts)).outcome is CheckOutcome.PASS


def test_excluded_hints_do_not_apply_without_an_offence() -> None:
    yellow = notice_of(
        NoticeType.YELLOW, facts="Taken abroad by her father during a custody dispute."
    )
    assert check_excluded_offence(yellow).outcome is CheckOutcome.NOT_APPLICABLE
    blue = notice_of(NoticeType.BLUE, facts="Sought over a custody dispute.")
    assert check_excluded_offence(blue).outcome is CheckOutcome.FLAG


# --- Article 3: political, military, religious, racial ------------------------------------------

ARTICLE_3_SENTENCES = [
    (CheckCode.POLITICAL_CONTEXT, "en", "He led the opposition rally.", "opposition"),
    (CheckCode.POLITICAL_CONTEXT, "fr", "Il a contesté les élections.", "élections"),
    (CheckCode.POLITICAL_CONTEXT, "es", "Un periodista crítico.", "periodista"),
    (CheckCode.POLITICAL_CONTEXT, "ar", "اعتُقل بسبب نشاطه السِّياسي", "السِّياسي"),
    (CheckCode.POLITICAL_CONTEXT, "ru", "Участник митингов оппозиции.", "оппозиции"),
    (CheckCode.MILITARY_CONTEXT, "en", "Charged with desertion.", "desertion"),
    (CheckCode.MILITARY_CONTEXT, "fr", "Condamné par une cour martiale.", "cour martiale"),
    (CheckCode.MILITARY_CONTEXT, "es", "Se negó al servicio militar.", "militar"),
    (CheckCode.MILITARY_CONTEXT, "ar", "حكمت عليه المحكمة العسكرية", "العسكرية"),
    (CheckCode.MILITARY_CONTEXT, "ru", "Обвинён в уклонении от призыва.", "уклонении от призыва"),
    (CheckCode.RELIGIOUS_CONTEXT, "en", "Accused of blasphemy.", "blasphemy"),
    (CheckCode.RELIGIOUS_CONTEXT, "fr", "Accusé d'apostasie.", "apostasie"),
    (CheckCode.RELIGIOUS_CONTEXT, "es", "Miembro de una secta.", "secta"),
    (CheckCode.RELIGIOUS_CONTEXT, "ar", "بتهمة ازدراء الأديان", "ازدراء"),
    (CheckCode.RELIGIOUS_CONTEXT, "ru", "Оскорбление чувств верующих.", "верующих"),
    (CheckCode.RACIAL_CONTEXT, "en", "An ethnic minority leader.", "ethnic"),
    (CheckCode.RACIAL_CONTEXT, "fr", "Des propos racistes.", "racistes"),
    (CheckCode.RACIAL_CONTEXT, "es", "Un conflicto étnico.", "étnico"),
    (CheckCode.RACIAL_CONTEXT, "ar", "نزاع عرقي", "عرقي"),
    (CheckCode.RACIAL_CONTEXT, "ru", "Межнациональная рознь.", "Межнациональная"),
]  # fmt: skip


def test_article_3_sentences_cover_every_character_and_language() -> None:
    covered = {(code, language) for code, language, _, _ in ARTICLE_3_SENTENCES}
    expected = {
        (code, language)
        for code, (_, keywords) in ARTICLE_3_KEYWORDS.items()
        for language in keywords
    }
    assert covered == expected
    assert {"en", "fr", "es", "ar", "ru"} <= {language for _, language, _, _ in ARTICLE_3_SENTENCES}


@pytest.mark.parametrize(("code", "language", "sentence", "word"), ARTICLE_3_SENTENCES)
def test_article_3_words_in_the_facts_flag_and_are_reported(
    code: CheckCode, language: str, sentence: str, word: str
) -> None:
    results = check_article_3(red(facts=f"{FACTS} {sentence}"))
    found = result(results, code)
    assert found.outcome is CheckOutcome.FLAG
    assert word in found.details
    assert f"'{word}'" in found.reason
    others = [item for item in results if item.code is not code]
    assert all(item.outcome is CheckOutcome.PASS for item in others), others


def test_article_3_reads_the_offence_and_object_descriptions() -> None:
    notice = red_with(offence_description="Insulted the president on television.")
    found = result(check_article_3(notice), CheckCode.POLITICAL_CONTEXT)
    assert "the offence description mentions 'Insulted the president'" in found.reason
    purple = notice_of(NoticeType.PURPLE, object_description="Weapons hidden in church pews.")
    assert result(check_article_3(purple), CheckCode.RELIGIOUS_CONTEXT).details == ("church",)


@pytest.mark.parametrize(
    "facts",
    [
        FACTS,
        "He made a proposition to the bank manager.",  # contains 'opposition'
        "He sold jewellery stolen from the sector office.",  # 'jew…', 'sect…'
        "The car was left in a deserted car park.",  # 'desert…'
        "Stolen paintings of a marathon race were recovered.",  # 'race' is not listed
        "Он изменил номер телефона.",  # 'измен…' only counts in 'государственная измена'
    ],
)
def test_article_3_passes_on_ordinary_facts(facts: str) -> None:
    results = check_article_3(red(facts=facts))
    assert all(item.outcome is CheckOutcome.PASS for item in results), results


def test_article_3_matches_whatever_the_case_accents_and_vowel_marks() -> None:
    matcher = KeywordMatcher(["election*", "سياس*", "государственн* измен*"])
    text = "ÉLECTIONS. وَالسِّيَاسَة. Обвинён в государственной  измене."
    assert matcher.find(text) == ["ÉLECTIONS", "وَالسِّيَاسَة", "государственной  измене"]


ALL_KEYWORDS = sorted(
    {
        keyword
        for table in (
            *(keywords for _, keywords in ARTICLE_3_KEYWORDS.values()),
            *EXCLUDED_CATEGORY_HINTS.values(),
        )
        for words in table.values()
        for keyword in words
    }
)


@pytest.mark.parametrize("keyword", ALL_KEYWORDS)
def test_every_keyword_matches_its_own_text(keyword: str) -> None:
    text = f"«{keyword.replace('*', '')}»"
    assert KeywordMatcher([keyword]).find(text), keyword


def test_fold_text_keeps_the_way_back_to_the_original() -> None:
    folded, origins = fold_text("Straße Ä")
    assert folded == "strasse a"
    assert origins == [0, 1, 2, 3, 4, 4, 5, 6, 7]


# --- Refugee status -----------------------------------------------------------------------------


def registry(**changes: Any) -> InMemoryRefugeeRegistry:
    status: dict[str, Any] = {
        "names": ("Tomás Quillabamba Ferreyra",),
        "birth_date": PartialDate.parse("1979-08-03"),
        "against_country": REQUESTING,
        "granted_by": "ES",
    }
    return InMemoryRefugeeRegistry([RefugeeStatus(**{**status, **changes})])


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"names": ("FERREYRA, Tomas Quillabamba",)},  # order, case and accents differ
        {"birth_date": PartialDate.parse("1979")},  # known only to the year
        {"birth_date": None},  # unknown: a missed refugee costs more than a second look
        {"against_country": REQUESTING.lower()},
    ],
)
def test_refugee_status_against_the_requesting_country_fails(changes: dict[str, Any]) -> None:
    found = check_refugee_status(red(), REQUESTING, registry(**changes))
    assert found.outcome is CheckOutcome.FAIL
    assert f"refugee status granted against {REQUESTING}" in found.reason


@pytest.mark.parametrize(
    "changes",
    [
        {"against_country": "VE"},  # refugee status against another country
        {"birth_date": PartialDate.parse("1981-08-03")},
        {"names": ("Tomás Quillabamba",)},
    ],
)
def test_no_refugee_status_against_the_requesting_country_passes(changes: dict[str, Any]) -> None:
    found = check_refugee_status(red(), REQUESTING, registry(**changes))
    assert found.outcome is CheckOutcome.PASS


def test_refugee_status_is_found_across_scripts() -> None:
    subject = {**SUBJECT, "names": [{"full_name": "Aleksandr Ivanov"}]}
    found = check_refugee_status(
        red(subject=subject), REQUESTING, registry(names=("Александр Иванов",))
    )
    assert found.outcome is CheckOutcome.FAIL


def test_refugee_status_is_found_through_an_alias() -> None:
    subject = {**SUBJECT, "aliases": [{"full_name": "Tito Ferreyra"}]}
    found = check_refugee_status(
        red(subject=subject), REQUESTING, registry(names=("Tito Ferreyra",))
    )
    assert found.outcome is CheckOutcome.FAIL


@pytest.mark.parametrize(
    "notice",
    [
        notice_of(NoticeType.PURPLE),
        notice_of(NoticeType.BLACK),
        notice_of(NoticeType.UN_SPECIAL, subject=SUBJECT),
    ],
)
def test_refugee_status_does_not_apply_without_a_named_subject_or_a_requesting_country(
    notice: NoticeData,
) -> None:
    found = check_refugee_status(notice, REQUESTING, registry())
    assert found.outcome is CheckOutcome.NOT_APPLICABLE


def test_refugee_name_key_ignores_order_case_accents_and_script() -> None:
    assert refugee_name_key("FERREYRA, Tomás") == refugee_name_key("tomas ferreyra")
    assert refugee_name_key("Александр Иванов") == refugee_name_key("Ivanov Aleksandr")
    assert refugee_name_key("Ana Test") != refugee_name_key("Ana Tess")


def test_run_automated_checks_uses_the_given_registry() -> None:
    found = result(run(red(), registry()), CheckCode.REFUGEE_STATUS)
    assert found.outcome is CheckOutcome.FAIL
