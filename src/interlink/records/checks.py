"""Automated compliance checks run when a notice or diffusion is submitted.

Each check returns a `CheckResult` whose reason is a full sentence naming the data concerned:
one message with its parameters (docs/languages.md), stored in English with its data so that
each reader reads it in their language.
A `fail` blocks publication (the reviewer still sees the request); a `flag` asks for the
reviewer's attention; `not_applicable` says why the check did not apply. The codes and their
meaning are listed in docs/compliance-checks.md.

The checks follow the order of the review of a Red notice request: missing or inconsistent
data, the minimum criteria, then political context and refugee status.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from anyascii import anyascii
from pydantic import BaseModel, ConfigDict

from interlink.core.i18n import (
    N_,
    Listed,
    Msg,
    in_language,
    message_of,
    msg,
    parts_data,
    translate,
)
from interlink.records.schemas import (
    JudicialPurpose,
    NoticeData,
    NoticeKind,
    NoticeType,
    OffenceCategory,
    PartialDate,
)


class CheckCode(enum.StrEnum):
    REQUIRED_IDENTITY_DATA = "required_identity_data"
    REQUIRED_JUDICIAL_DATA = "required_judicial_data"
    REQUIRED_CASE_DATA = "required_case_data"
    CONSISTENT_DATA = "consistent_data"
    RED_PENALTY_THRESHOLD = "red_penalty_threshold"
    EXCLUDED_OFFENCE_CATEGORY = "excluded_offence_category"
    POLITICAL_CONTEXT = "political_context"
    MILITARY_CONTEXT = "military_context"
    RELIGIOUS_CONTEXT = "religious_context"
    RACIAL_CONTEXT = "racial_context"
    REFUGEE_STATUS = "refugee_status"


class CheckOutcome(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"  # blocks publication
    FLAG = "flag"  # needs the reviewer's attention
    NOT_APPLICABLE = "not_applicable"


class CheckResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: CheckCode
    outcome: CheckOutcome
    reason: str  # in English
    reason_text: list[dict[str, Any]] = []  # its message (i18n.parts_data)
    details: tuple[str, ...] = ()  # the missing items or the words found, for display

    @property
    def shown_reason(self) -> str:
        """The reason in the reader's language."""
        return in_language(self.reason, self.reason_text)


def _result(
    code: CheckCode, outcome: CheckOutcome, reason: Msg, details: tuple[str, ...] = ()
) -> CheckResult:
    return CheckResult(
        code=code,
        outcome=outcome,
        reason=str(reason),
        reason_text=parts_data(reason),
        details=details,
    )


def shown_details(details: Sequence[str], reason_text: Any) -> list[str]:
    """A result's details in the reader's language where they are its reason's own messages
    (the missing items, the inconsistencies); words quoted from the request stay as written."""
    try:
        reason = message_of(reason_text[0])
    except (KeyError, IndexError, TypeError, ValueError):
        return list(details)
    for value in reason.params.values():
        if (
            isinstance(value, Listed)
            and all(isinstance(item, Msg) for item in value.items)
            and [str(item) for item in value.items] == list(details)
        ):
            return [translate(item) for item in value.items]
    return list(details)


def blocks_publication(results: Iterable[CheckResult]) -> bool:
    return any(result.outcome is CheckOutcome.FAIL for result in results)


def needs_attention(results: Iterable[CheckResult]) -> bool:
    return any(result.outcome in (CheckOutcome.FAIL, CheckOutcome.FLAG) for result in results)


# --- Required data per notice type ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Requirement:
    """One piece of data a notice type needs; `label` (a msgid) completes "The request lacks
    ..."."""

    label: str
    is_met: Callable[[NoticeData], bool]


def _has_subject_field(field: str) -> Callable[[NoticeData], bool]:
    return lambda notice: bool(notice.subject and getattr(notice.subject, field))


def _has_judicial_field(field: str) -> Callable[[NoticeData], bool]:
    return lambda notice: bool(notice.judicial and getattr(notice.judicial, field) is not None)


def _has_further_identifier(notice: NoticeData) -> bool:
    subject = notice.subject
    return bool(
        subject
        and (
            subject.nationalities
            or subject.identity_documents
            or subject.photo_ref
            or subject.physical_description
        )
    )


def _has_name_or_likeness(notice: NoticeData) -> bool:
    subject = notice.subject
    return bool(subject and (subject.names or subject.physical_description or subject.photo_ref))


def _penalty_for_purpose(notice: NoticeData) -> bool:
    judicial = notice.judicial
    if judicial is None or judicial.purpose is None:
        return True  # the missing purpose is reported by its own requirement
    if judicial.purpose is JudicialPurpose.PROSECUTION:
        return judicial.maximum_penalty_months is not None
    return judicial.months_left_to_serve is not None


def _has_object_description(notice: NoticeData) -> bool:
    return notice.object_description is not None


SUBJECT_NAME = Requirement(N_("the subject's name"), _has_subject_field("names"))
SUBJECT_SEX = Requirement(N_("the subject's sex"), _has_subject_field("sex"))
SUBJECT_BIRTH_DATE = Requirement(
    N_("the subject's date of birth (at least the year)"), _has_subject_field("birth_date")
)
SUBJECT_FURTHER_IDENTIFIER = Requirement(
    N_(
        "a further identifier of the subject (a nationality, an identity document, a photo "
        "or a physical description)"
    ),
    _has_further_identifier,
)
SUBJECT_NAME_OR_LIKENESS = Requirement(
    N_("the subject's name, or a photo or physical description of a person who cannot be named"),
    _has_name_or_likeness,
)
BODY_DESCRIPTION = Requirement(
    N_("a physical description of the body"), _has_subject_field("physical_description")
)
SANCTIONED_PARTY = Requirement(
    N_("the name of the sanctioned person, or a description of the sanctioned entity"),
    lambda notice: bool(notice.subject and notice.subject.names) or _has_object_description(notice),
)

JUDICIAL_DATA = Requirement(N_("judicial data"), lambda notice: notice.judicial is not None)
OFFENCE_DESCRIPTION = Requirement(
    N_("a description of the offence"), _has_judicial_field("offence_description")
)
OFFENCE_CATEGORY = Requirement(N_("the offence category"), _has_judicial_field("offence_category"))
LAW_REFERENCE = Requirement(
    N_("the reference of the law that makes the act an offence"),
    _has_judicial_field("law_reference"),
)
PURPOSE = Requirement(
    N_("the purpose of the request (prosecution or sentence)"), _has_judicial_field("purpose")
)
PENALTY = Requirement(
    N_("the maximum penalty (for prosecution) or the time left to serve (for a sentence)"),
    _penalty_for_purpose,
)
WARRANT_REFERENCE = Requirement(
    N_("the reference of the arrest warrant or judgment"), _has_judicial_field("warrant_reference")
)
WARRANT_DATE = Requirement(
    N_("the date of the arrest warrant or judgment"), _has_judicial_field("warrant_date")
)
ISSUING_AUTHORITY = Requirement(
    N_("the authority that issued the warrant or judgment"),
    _has_judicial_field("issuing_authority"),
)

FACTS = Requirement(N_("a summary of the facts"), lambda notice: notice.facts is not None)


def _object_description(label: str) -> Requirement:
    return Requirement(label, _has_object_description)


@dataclass(frozen=True, slots=True)
class RequiredData:
    identity: tuple[Requirement, ...] = ()
    judicial: tuple[Requirement, ...] = ()
    case: tuple[Requirement, ...] = (FACTS,)


_RED_JUDICIAL = (
    JUDICIAL_DATA,
    OFFENCE_DESCRIPTION,
    OFFENCE_CATEGORY,
    LAW_REFERENCE,
    PURPOSE,
    PENALTY,
    WARRANT_REFERENCE,
    WARRANT_DATE,
    ISSUING_AUTHORITY,
)

REQUIRED_DATA: Mapping[NoticeType, RequiredData] = {
    NoticeType.RED: RequiredData(
        identity=(SUBJECT_NAME, SUBJECT_SEX, SUBJECT_BIRTH_DATE, SUBJECT_FURTHER_IDENTIFIER),
        judicial=_RED_JUDICIAL,
    ),
    NoticeType.BLUE: RequiredData(identity=(SUBJECT_NAME_OR_LIKENESS,)),
    NoticeType.GREEN: RequiredData(identity=(SUBJECT_NAME, SUBJECT_BIRTH_DATE)),
    NoticeType.YELLOW: RequiredData(identity=(SUBJECT_NAME_OR_LIKENESS,)),
    NoticeType.BLACK: RequiredData(identity=(BODY_DESCRIPTION,)),
    NoticeType.ORANGE: RequiredData(
        case=(
            FACTS,
            _object_description(
                N_("a description of the threat (the event, person, object or process)")
            ),
        )
    ),
    NoticeType.PURPLE: RequiredData(
        case=(
            FACTS,
            _object_description(
                N_("a description of the modus operandi, objects, devices or concealment methods")
            ),
        )
    ),
    NoticeType.SILVER: RequiredData(
        identity=(SUBJECT_NAME,),
        case=(FACTS, _object_description(N_("a description of the assets"))),
    ),
    NoticeType.UN_SPECIAL: RequiredData(identity=(SANCTIONED_PARTY,)),
}
"""What each notice type needs, from the purpose of each type in the domain brief."""


def request_code(notice_type: NoticeType | str, kind: NoticeKind | str) -> str:
    """A request's type and kind as one code ("red_notice"), labelled "Red notice"
    (core/labels.py), where a sentence names the request."""
    return f"{NoticeType(notice_type).value}_{NoticeKind(kind).value}"


def _request(notice: NoticeData) -> str:
    return request_code(notice.notice_type, notice.kind)


# Per group of data: (its code, the reason when the type requires none of it, the reason when
# nothing is missing). One msgid per sentence, so that each language words it its own way.
_GROUPS: Mapping[str, tuple[CheckCode, str, str]] = {
    "identity": (
        CheckCode.REQUIRED_IDENTITY_DATA,
        N_("The %(request)s does not require identity data."),
        N_("The %(request)s has all the identity data its type requires."),
    ),
    "judicial": (
        CheckCode.REQUIRED_JUDICIAL_DATA,
        N_("The %(request)s does not require judicial data."),
        N_("The %(request)s has all the judicial data its type requires."),
    ),
    "case": (
        CheckCode.REQUIRED_CASE_DATA,
        N_("The %(request)s does not require case data."),
        N_("The %(request)s has all the case data its type requires."),
    ),
}
_REQUEST = ("request",)  # the parameter that is coded: the request's type and kind


def _requirement_check(
    group: str, notice: NoticeData, requirements: tuple[Requirement, ...]
) -> CheckResult:
    code, not_required, complete = _GROUPS[group]
    request = _request(notice)
    if not requirements:
        return _result(
            code, CheckOutcome.NOT_APPLICABLE, msg(not_required, _REQUEST, request=request)
        )
    missing = [req.label for req in requirements if not req.is_met(notice)]
    if missing:
        return _result(
            code,
            CheckOutcome.FAIL,
            msg(
                "The %(request)s lacks %(missing)s.",
                _REQUEST,
                request=request,
                missing=Listed(tuple(msg(label) for label in missing)),
            ),
            tuple(missing),
        )
    return _result(code, CheckOutcome.PASS, msg(complete, _REQUEST, request=request))


def check_required_data(notice: NoticeData) -> list[CheckResult]:
    required = REQUIRED_DATA[notice.notice_type]
    return [
        _requirement_check("identity", notice, required.identity),
        _requirement_check("judicial", notice, required.judicial),
        _requirement_check("case", notice, required.case),
    ]


# --- Consistency ------------------------------------------------------------------------------


def _inconsistencies(notice: NoticeData, requesting_country: str) -> list[Msg]:
    problems: list[Msg] = []
    judicial = notice.judicial
    if notice.notice_type is NoticeType.UN_SPECIAL and notice.kind is NoticeKind.DIFFUSION:
        problems.append(
            msg(
                "a UN Special request is always a notice published by the General "
                "Secretariat, never a diffusion"
            )
        )
    if judicial is None:
        return problems
    if (
        judicial.purpose is JudicialPurpose.PROSECUTION
        and judicial.months_left_to_serve is not None
    ):
        problems.append(msg("the time left to serve is given although the purpose is prosecution"))
    if (
        judicial.months_left_to_serve is not None
        and judicial.maximum_penalty_months is not None
        and judicial.months_left_to_serve > judicial.maximum_penalty_months
    ):
        problems.append(
            msg(
                "the time left to serve (%(left)s months) exceeds the maximum penalty "
                "(%(maximum)s months)",
                left=judicial.months_left_to_serve,
                maximum=judicial.maximum_penalty_months,
            )
        )
    if judicial.warrant_date is not None:
        if judicial.warrant_date > date.today():
            problems.append(
                msg(
                    "the warrant or judgment date %(date)s is in the future",
                    date=str(judicial.warrant_date),
                )
            )
        birth_date = notice.subject.birth_date if notice.subject else None
        if birth_date is not None and birth_date.earliest() > judicial.warrant_date:
            problems.append(
                msg(
                    "the warrant or judgment (%(date)s) predates the subject's birth (%(birth)s)",
                    date=str(judicial.warrant_date),
                    birth=str(birth_date),
                )
            )
    if requesting_country in judicial.extradition_countries:
        problems.append(
            msg(
                "the requesting country %(country)s is listed among the countries from which "
                "extradition will be sought",
                country=requesting_country,
            )
        )
    return problems


def check_consistency(notice: NoticeData, requesting_country: str) -> CheckResult:
    problems = _inconsistencies(notice, requesting_country)
    request = _request(notice)
    if problems:
        return _result(
            CheckCode.CONSISTENT_DATA,
            CheckOutcome.FAIL,
            msg(
                "The %(request)s is inconsistent: %(problems)s.",
                _REQUEST,
                request=request,
                problems=Listed(tuple(problems), "semicolon"),
            ),
            tuple(str(problem) for problem in problems),
        )
    return _result(
        CheckCode.CONSISTENT_DATA,
        CheckOutcome.PASS,
        msg("No inconsistency was found in the %(request)s.", _REQUEST, request=request),
    )


# --- Red notice penalty thresholds ------------------------------------------------------------

PROSECUTION_MIN_PENALTY_MONTHS = 24
SENTENCE_MIN_MONTHS_LEFT = 6


def _penalty_result(outcome: CheckOutcome, reason: Msg) -> CheckResult:
    return _result(CheckCode.RED_PENALTY_THRESHOLD, outcome, reason)


def check_red_penalty_threshold(notice: NoticeData) -> CheckResult:
    if notice.notice_type is not NoticeType.RED:
        return _penalty_result(
            CheckOutcome.NOT_APPLICABLE,
            msg(
                "Penalty thresholds apply to Red requests only, not to this %(request)s.",
                _REQUEST,
                request=_request(notice),
            ),
        )
    judicial = notice.judicial
    if judicial is None or judicial.purpose is None:
        return _penalty_result(
            CheckOutcome.FAIL,
            msg(
                "The penalty threshold cannot be checked: the purpose of the request "
                "(prosecution or sentence) is missing."
            ),
        )
    if judicial.purpose is JudicialPurpose.PROSECUTION:
        return _prosecution_threshold(judicial.maximum_penalty_months)
    return _sentence_threshold(judicial.months_left_to_serve)


def _prosecution_threshold(maximum_penalty_months: int | None) -> CheckResult:
    if maximum_penalty_months is None:
        return _penalty_result(
            CheckOutcome.FAIL,
            msg(
                "The penalty threshold cannot be checked: the maximum penalty of the offence "
                "is missing."
            ),
        )
    if maximum_penalty_months < PROSECUTION_MIN_PENALTY_MONTHS:
        return _penalty_result(
            CheckOutcome.FAIL,
            msg(
                "The offence is punishable by at most %(months)s months; a Red request for "
                "prosecution needs an offence punishable by at least 2 years (%(minimum)s "
                "months).",
                months=maximum_penalty_months,
                minimum=PROSECUTION_MIN_PENALTY_MONTHS,
            ),
        )
    return _penalty_result(
        CheckOutcome.PASS,
        msg(
            "The offence is punishable by up to %(months)s months, at least the %(minimum)s "
            "months required for prosecution.",
            months=maximum_penalty_months,
            minimum=PROSECUTION_MIN_PENALTY_MONTHS,
        ),
    )


def _sentence_threshold(months_left_to_serve: int | None) -> CheckResult:
    if months_left_to_serve is None:
        return _penalty_result(
            CheckOutcome.FAIL,
            msg("The penalty threshold cannot be checked: the time left to serve is missing."),
        )
    if months_left_to_serve < SENTENCE_MIN_MONTHS_LEFT:
        return _penalty_result(
            CheckOutcome.FAIL,
            msg(
                "Only %(months)s months of the sentence are left to serve; a Red request to "
                "serve a sentence needs at least %(minimum)s months.",
                months=months_left_to_serve,
                minimum=SENTENCE_MIN_MONTHS_LEFT,
            ),
        )
    return _penalty_result(
        CheckOutcome.PASS,
        msg(
            "%(months)s months of the sentence are left to serve, at least the %(minimum)s "
            "months required.",
            months=months_left_to_serve,
            minimum=SENTENCE_MIN_MONTHS_LEFT,
        ),
    )


# --- Keyword matching on normalised text -------------------------------------------------------

_ARABIC_FOLD = str.maketrans({"ى": "ي", "ی": "ي", "ک": "ك", "ـ": None})
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
# Conjunctions, prepositions and the article that Arabic writes attached to the next word.
_ARABIC_PROCLITICS = "(?:[وف]?(?:بال|كال|لل|ال|[بلك])?)"


def _fold_char(char: str) -> str:
    """Case, accents and Arabic vowel marks removed, so keywords match however written."""
    decomposed = unicodedata.normalize("NFKD", char)
    bare = "".join(part for part in decomposed if unicodedata.category(part) != "Mn")
    return bare.casefold().translate(_ARABIC_FOLD)


def fold_text(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, its position in the original text."""
    folded: list[str] = []
    origins: list[int] = []
    for position, char in enumerate(text):
        for piece in _fold_char(char):
            folded.append(piece)
            origins.append(position)
    return "".join(folded), origins


def _word_pattern(word: str) -> str:
    stem = word.endswith("*")
    folded = "".join(_fold_char(char) for char in word.rstrip("*"))
    pattern = re.escape(folded) + (r"\w*" if stem else "")
    if _ARABIC_LETTER.search(folded):
        pattern = _ARABIC_PROCLITICS + pattern
    return pattern


def _keyword_pattern(keyword: str) -> str:
    """Words of a keyword match across any run of spaces or punctuation; `*` ends a stem."""
    return r"\W+".join(_word_pattern(word) for word in re.split(r"[^\w*]+", keyword) if word)


class KeywordMatcher:
    """Finds keywords (words, phrases or stems ending in `*`) as whole words in any text."""

    def __init__(self, keywords: Iterable[str]) -> None:
        alternatives = "|".join(_keyword_pattern(keyword) for keyword in keywords)
        self._regex = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")

    def find(self, text: str) -> list[str]:
        """The distinct matches, as written in the original text, in order of appearance."""
        folded, origins = fold_text(text)
        found: dict[str, None] = {}
        for match in self._regex.finditer(folded):
            end = origins[match.end()] if match.end() < len(origins) else len(text)
            found[text[origins[match.start()] : end].strip()] = None
        return list(found)


# --- Article 3: political, military, religious or racial character ------------------------------

Keywords = Mapping[str, tuple[str, ...]]  # language code -> keywords

POLITICAL_KEYWORDS: Keywords = {
    "en": ("politic*", "opposition", "opponent*", "dissident*", "activist*", "journalist*",
           "blogger*", "protester*", "protestor*", "demonstrator*", "election*", "electoral",
           "regime", "coup", "coup d'etat", "sedition", "seditious", "treason", "lese majeste",
           "insult* the president", "separatist*", "separatism", "human rights defender*"),
    "fr": ("politique*", "opposant*", "opposition", "dissident*", "activiste*", "journaliste*",
           "manifestant*", "manifestation*", "election*", "electora*", "regime", "coup d'etat",
           "sedition", "trahison", "lese majeste", "offense au chef de l'etat", "separatis*"),
    "es": ("politic*", "opositor*", "oposicion", "disidente*", "activista*", "periodista*",
           "manifestante*", "manifestacion*", "eleccion*", "electoral*", "regimen",
           "golpe de estado", "sedicion", "traicion", "lesa majestad", "separatis*"),
    "ar": ("سياس*", "معارض*", "ناشط*", "صحفي*", "صحافي*", "مدون*", "متظاهر*", "مظاهرة",
           "مظاهرات", "احتجاج*", "انتخاب*", "انقلاب", "خيانة", "انفصالي*", "اهانة الرئيس"),
    "ru": ("политическ*", "политик*", "оппозиц*", "диссидент*", "активист*", "журналист*",
           "блогер*", "протестующ*", "митинг*", "демонстрац*", "выборы", "выборов", "выборах",
           "избирательн*", "переворот*", "государственн* измен*", "мятеж*", "сепаратис*",
           "сепаратизм*", "оскорблени* президента"),
}  # fmt: skip

MILITARY_KEYWORDS: Keywords = {
    "en": ("military", "army", "soldier*", "armed forces", "desertion", "deserter*",
           "draft evasion", "draft dodg*", "conscript*", "conscientious objector*", "mutiny",
           "mutineer*", "court martial", "military service"),
    "fr": ("militaire*", "armee", "soldat*", "forces armees", "desertion", "deserteur*",
           "insoumission", "conscription", "conscrit*", "objecteur de conscience", "mutinerie",
           "cour martiale"),
    "es": ("militar*", "ejercito", "soldado*", "fuerzas armadas", "desercion", "desertor*",
           "conscripcion", "recluta*", "objetor de conciencia", "motin", "amotinad*",
           "consejo de guerra"),
    "ar": ("عسكري*", "جيش", "جنود", "جندي*", "القوات المسلحة", "تجنيد", "تمرد", "فرار من الخدمة"),
    "ru": ("военн*", "армия", "армии", "армией", "солдат*", "вооруженн* сил*", "дезертир*",
           "дезертирств*", "уклонени* от призыва", "призывник*", "воинск*"),
}  # fmt: skip

RELIGIOUS_KEYWORDS: Keywords = {
    "en": ("religio*", "blasphem*", "apostas*", "apostate*", "heresy", "heretic*", "sect",
           "sects", "sectarian", "proselyti*", "islam*", "muslim*", "christian*", "jewish",
           "judaism", "hindu*", "buddhis*", "sikh*", "atheis*", "baha'i", "falun gong",
           "jehovah*", "church", "mosque", "synagogue"),
    "fr": ("religi*", "blasphem*", "apostasie", "apostat*", "heresie", "heretique*", "secte*",
           "sectaire*", "proselytisme", "islam*", "musulman*", "chretien*", "juif*", "juive*",
           "judaisme", "hindou*", "bouddhis*", "athee*", "eglise*", "mosquee*", "synagogue*"),
    "es": ("religi*", "blasfemi*", "apostasia", "apostata*", "herejia", "herej*", "secta",
           "sectas", "sectari*", "proselitismo", "islam*", "musulman*", "cristian*", "judio*",
           "judia*", "judaismo", "hindu*", "budis*", "ateo*", "atea*", "iglesia*", "mezquita*",
           "sinagoga*"),
    "ar": ("ديني*", "اديان", "ازدراء", "تجديف", "ردة", "مرتد*", "طائفي*", "اسلام*", "مسلم*",
           "مسيحي*", "يهود*", "كنيس*", "مسجد*", "ملحد*", "بهائي*"),
    "ru": ("религи*", "богохульств*", "кощунств*", "вероотступни*", "ерес*", "еретик*",
           "секта", "секты", "сектант*", "прозелитизм*", "ислам*", "мусульман*", "христиан*",
           "иудаизм*", "иудей*", "еврей*", "евреи", "буддизм*", "буддист*", "атеист*",
           "атеизм*", "церк*", "мечет*", "синагог*", "верующ*", "иегов*"),
}  # fmt: skip

RACIAL_KEYWORDS: Keywords = {
    "en": ("racial*", "racis*", "ethnic*", "tribal", "tribe", "tribes", "xenophob*",
           "apartheid", "skin colour", "skin color"),
    "fr": ("racial*", "raciale*", "raciste*", "racisme", "ethni*", "tribal*", "tribu", "tribus",
           "xenophob*", "couleur de peau"),
    "es": ("racial*", "racis*", "etni*", "tribal*", "tribu", "tribus", "xenofob*",
           "color de piel"),
    "ar": ("عرقي*", "عنصري*", "اثني*", "قبيلة", "قبائل", "لون البشرة"),
    "ru": ("расов*", "расизм*", "расист*", "этническ*", "межнациональн*", "племен*",
           "ксенофоб*", "цвет кожи"),
}  # fmt: skip

ARTICLE_3_KEYWORDS: Mapping[CheckCode, tuple[str, Keywords]] = {
    CheckCode.POLITICAL_CONTEXT: ("political", POLITICAL_KEYWORDS),
    CheckCode.MILITARY_CONTEXT: ("military", MILITARY_KEYWORDS),
    CheckCode.RELIGIOUS_CONTEXT: ("religious", RELIGIOUS_KEYWORDS),
    CheckCode.RACIAL_CONTEXT: ("racial", RACIAL_KEYWORDS),
}

# Per character: the reason when words were found, and when none was.
_ARTICLE_3_REASONS: Mapping[CheckCode, tuple[str, str]] = {
    CheckCode.POLITICAL_CONTEXT: (
        N_(
            "Possible political character: %(found)s. A reviewer must confirm the matter is "
            "an ordinary-law crime."
        ),
        N_("No word suggesting a political character was found in the facts or the descriptions."),
    ),
    CheckCode.MILITARY_CONTEXT: (
        N_(
            "Possible military character: %(found)s. A reviewer must confirm the matter is "
            "an ordinary-law crime."
        ),
        N_("No word suggesting a military character was found in the facts or the descriptions."),
    ),
    CheckCode.RELIGIOUS_CONTEXT: (
        N_(
            "Possible religious character: %(found)s. A reviewer must confirm the matter is "
            "an ordinary-law crime."
        ),
        N_("No word suggesting a religious character was found in the facts or the descriptions."),
    ),
    CheckCode.RACIAL_CONTEXT: (
        N_(
            "Possible racial character: %(found)s. A reviewer must confirm the matter is an "
            "ordinary-law crime."
        ),
        N_("No word suggesting a racial character was found in the facts or the descriptions."),
    ),
}

# What a free text mentions, by its name in NoticeData.narrative_texts.
_MENTIONS: Mapping[str, str] = {
    "facts": N_("the facts mention %(words)s"),
    "offence description": N_("the offence description mentions %(words)s"),
    "object description": N_("the object description mentions %(words)s"),
}


def _matcher(keywords: Keywords) -> KeywordMatcher:
    return KeywordMatcher(word for words in keywords.values() for word in words)


_ARTICLE_3_MATCHERS = {
    code: (character, _matcher(keywords))
    for code, (character, keywords) in ARTICLE_3_KEYWORDS.items()
}


def _words_by_text(matcher: KeywordMatcher, notice: NoticeData) -> dict[str, list[str]]:
    found = {label: matcher.find(text) for label, text in notice.narrative_texts().items()}
    return {label: words for label, words in found.items() if words}


def _quoted(words: Iterable[str]) -> Listed:
    """The words as written in the request, each quoted as its language quotes."""
    return Listed(tuple(msg("'%(word)s'", word=word) for word in words))


def _describe_found(found: Mapping[str, list[str]]) -> Listed:
    return Listed(
        tuple(msg(_MENTIONS[label], words=_quoted(words)) for label, words in found.items()),
        "semicolon",
    )


def _all_words(found: Mapping[str, list[str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(word for words in found.values() for word in words))


def check_article_3(notice: NoticeData) -> list[CheckResult]:
    """Flags words suggesting a political, military, religious or racial character."""
    results = []
    for code, (_character, matcher) in _ARTICLE_3_MATCHERS.items():
        flagged, clear = _ARTICLE_3_REASONS[code]
        found = _words_by_text(matcher, notice)
        if found:
            reason = msg(flagged, found=_describe_found(found))
            results.append(_result(code, CheckOutcome.FLAG, reason, _all_words(found)))
        else:
            results.append(_result(code, CheckOutcome.PASS, msg(clear)))
    return results


# --- Excluded offence categories --------------------------------------------------------------

EXCLUDED_OFFENCE_CATEGORIES: Mapping[OffenceCategory, str] = {
    OffenceCategory.BEHAVIOUR_OR_CULTURAL_NORMS: N_("offences against behaviour or cultural norms"),
    OffenceCategory.FAMILY_OR_PRIVATE_MATTER: N_("family and private matters"),
    OffenceCategory.ADMINISTRATIVE_OFFENCE: N_("purely administrative offences"),
    OffenceCategory.PRIVATE_DISPUTE: N_("private disputes"),
}

EXCLUDED_CATEGORY_HINTS: Mapping[OffenceCategory, Keywords] = {
    OffenceCategory.BEHAVIOUR_OR_CULTURAL_NORMS: {
        "en": ("adultery", "adulterous", "homosexual*", "sodomy", "same sex", "lgbt*",
               "indecent dress", "immodest dress", "dress code", "witchcraft", "sorcery",
               "drinking alcohol", "consumption of alcohol", "extramarital"),
        "fr": ("adultere", "homosexuel*", "sodomie", "meme sexe", "sorcellerie",
               "tenue indecente", "consommation d'alcool", "relations hors mariage"),
        "es": ("adulterio", "homosexual*", "sodomia", "mismo sexo", "brujeria", "hechiceria",
               "vestimenta indecente", "consumo de alcohol"),
        "ar": ("زنا", "لواط", "مثلي*", "شذوذ", "شعوذة", "شرب الخمر"),
        "ru": ("прелюбодеяни*", "гомосексуал*", "мужеложств*", "однопол*", "лгбт*",
               "колдовств*"),
    },
    OffenceCategory.FAMILY_OR_PRIVATE_MATTER: {
        "en": ("divorce*", "child custody", "custody dispute", "alimony", "child support",
               "maintenance payments", "dowry", "inheritance", "family dispute",
               "marital dispute", "parental authority", "visitation rights"),
        "fr": ("divorce*", "garde d'enfant*", "droit de garde", "pension alimentaire",
               "conflit familial", "autorite parentale", "droit de visite"),
        "es": ("divorcio*", "pension alimenticia", "pension alimentaria", "dote", "herencia",
               "disputa familiar", "patria potestad", "regimen de visitas"),
        "ar": ("طلاق", "حضانة", "مهر", "ميراث", "نزاع عائلي", "خلاف عائلي"),
        "ru": ("развод*", "алимент*", "приданое", "наследств*", "семейн* спор*",
               "семейн* конфликт*"),
    },
    OffenceCategory.ADMINISTRATIVE_OFFENCE: {
        "en": ("administrative offence*", "administrative offense*",
               "administrative violation*", "parking fine*", "parking ticket*", "traffic fine*",
               "traffic violation*", "overstay*", "unpaid fine*"),
        "fr": ("infraction* administrative*", "contravention*", "amende* impayee*",
               "amende* de stationnement"),
        "es": ("infraccion administrativa", "infracciones administrativas", "contravencion*",
               "multa* de transito", "multa* impagada*"),
        "ar": ("مخالفة ادارية", "مخالفات ادارية", "مخالفة مرورية", "مخالفات مرورية",
               "غرامة مرورية", "تجاوز مدة الاقامة"),
        "ru": ("административн* правонарушени*", "административн* штраф*", "неуплат* штраф*"),
    },
    OffenceCategory.PRIVATE_DISPUTE: {
        "en": ("debt", "debts", "debtor*", "creditor*", "unpaid loan*", "bounced cheque*",
               "bounced check*", "dishonoured cheque*", "breach of contract",
               "commercial dispute*", "civil dispute*", "business dispute*", "unpaid rent"),
        "fr": ("dette*", "debiteur*", "creancier*", "pret impaye", "cheque* sans provision",
               "rupture de contrat", "litige commercial", "litige civil", "differend commercial",
               "loyer* impaye*"),
        "es": ("deuda*", "deudor*", "acreedor*", "prestamo impagado", "cheque* sin fondos",
               "incumplimiento de contrato", "disputa comercial", "litigio civil",
               "alquiler impagado"),
        "ar": ("ديون", "دائن*", "شيك بدون رصيد", "شيكات بدون رصيد", "اخلال بالعقد",
               "نزاع تجاري", "نزاع مدني", "قرض غير مسدد"),
        "ru": ("долг", "долги", "долгов", "должник*", "кредитор*", "невозврат* кредит*",
               "нарушени* договор*", "коммерческ* спор*", "хозяйственн* спор*",
               "гражданско правов* спор*"),
    },
}  # fmt: skip

_EXCLUDED_HINT_MATCHERS = {
    category: _matcher(keywords) for category, keywords in EXCLUDED_CATEGORY_HINTS.items()
}

# Types whose subject is pursued for an offence; facts of other types (a missing child in a
# custody dispute, a body) legitimately mention family or private matters.
_OFFENCE_TYPES = frozenset({NoticeType.RED, NoticeType.BLUE, NoticeType.GREEN, NoticeType.SILVER})


def _excluded_result(
    outcome: CheckOutcome, reason: Msg, details: tuple[str, ...] = ()
) -> CheckResult:
    return _result(CheckCode.EXCLUDED_OFFENCE_CATEGORY, outcome, reason, details)


def check_excluded_offence(notice: NoticeData) -> CheckResult:
    category = notice.judicial.offence_category if notice.judicial else None
    if category is not None and category in EXCLUDED_OFFENCE_CATEGORIES:
        return _excluded_result(
            CheckOutcome.FAIL,
            msg(
                "The offence category '%(category)s' falls under %(excluded)s, which are "
                "excluded from notices and diffusions.",
                ("category",),
                category=category.value,
                excluded=msg(EXCLUDED_OFFENCE_CATEGORIES[category]),
            ),
            (str(category),),
        )
    if notice.judicial is None and notice.notice_type not in _OFFENCE_TYPES:
        return _excluded_result(
            CheckOutcome.NOT_APPLICABLE,
            msg(
                "The %(request)s has no judicial data, so it concerns no offence.",
                _REQUEST,
                request=_request(notice),
            ),
        )
    hints = {
        hinted: found
        for hinted, matcher in _EXCLUDED_HINT_MATCHERS.items()
        if (found := _words_by_text(matcher, notice))
    }
    if hints:
        described = Listed(
            tuple(
                msg(
                    "%(found)s, suggesting %(excluded)s",
                    found=_describe_found(found),
                    excluded=msg(EXCLUDED_OFFENCE_CATEGORIES[hinted]),
                )
                for hinted, found in hints.items()
            ),
            "semicolon",
        )
        words = tuple(dict.fromkeys(word for found in hints.values() for word in _all_words(found)))
        return _excluded_result(
            CheckOutcome.FLAG,
            msg("The offence may fall in an excluded category: %(hints)s.", hints=described),
            words,
        )
    if category:
        return _excluded_result(
            CheckOutcome.PASS,
            msg(
                "The offence category '%(category)s' is admissible, and no word in the facts "
                "or descriptions suggests an excluded category.",
                ("category",),
                category=category.value,
            ),
        )
    return _excluded_result(
        CheckOutcome.PASS,
        msg(
            "No offence category is given, and no word in the facts or descriptions suggests "
            "an excluded category."
        ),
    )


# --- Refugee status ---------------------------------------------------------------------------


class RefugeeRegistry(Protocol):
    """Where refugee statuses granted to persons are known."""

    def has_refugee_status_against(
        self, names: Sequence[str], birth_date: PartialDate | None, country: str
    ) -> bool:
        """True when a person with one of these names and a compatible birth date has refugee
        status granted against `country` (ISO alpha-2), the country they fled."""
        ...


def refugee_name_key(name: str) -> str:
    """Case, accents, script and word order removed: `IVANOV, Aleksandr` = `Александр Иванов`."""
    words = re.findall(r"\w+", anyascii(fold_text(name)[0]).casefold())
    return " ".join(sorted(words))


@dataclass(frozen=True, slots=True)
class RefugeeStatus:
    names: tuple[str, ...]
    birth_date: PartialDate | None
    against_country: str  # the country the person fled
    granted_by: str  # the country that granted the status


class InMemoryRefugeeRegistry:
    """A registry held in memory, indexed by country and name key.

    Names match after `refugee_name_key`; an unknown birth date on either side does not
    prevent a match, because a missed refugee costs more than a reviewer's second look.
    """

    def __init__(self, statuses: Iterable[RefugeeStatus] = ()) -> None:
        self._birth_dates: dict[tuple[str, str], list[PartialDate | None]] = {}
        for status in statuses:
            self.add(status)

    def add(self, status: RefugeeStatus) -> None:
        for name in status.names:
            key = (status.against_country.upper(), refugee_name_key(name))
            self._birth_dates.setdefault(key, []).append(status.birth_date)

    def has_refugee_status_against(
        self, names: Sequence[str], birth_date: PartialDate | None, country: str
    ) -> bool:
        for name in names:
            for known in self._birth_dates.get((country.upper(), refugee_name_key(name)), ()):
                if known is None or birth_date is None or known.is_compatible_with(birth_date):
                    return True
        return False


def _refugee_result(outcome: CheckOutcome, reason: Msg) -> CheckResult:
    return _result(CheckCode.REFUGEE_STATUS, outcome, reason)


def check_refugee_status(
    notice: NoticeData, requesting_country: str, registry: RefugeeRegistry
) -> CheckResult:
    if notice.notice_type is NoticeType.UN_SPECIAL:
        return _refugee_result(
            CheckOutcome.NOT_APPLICABLE,
            msg("A UN Special notice is requested by the UN Security Council, not by a country."),
        )
    subject = notice.subject
    if subject is None or not subject.names:
        return _refugee_result(
            CheckOutcome.NOT_APPLICABLE,
            msg("Refugee status cannot be checked without a named subject."),
        )
    names = subject.all_full_names()
    if registry.has_refugee_status_against(names, subject.birth_date, requesting_country):
        if subject.birth_date is None:
            reason = msg(
                "The subject (%(name)s, born on an unknown date) has refugee status granted "
                "against %(country)s, the requesting country.",
                name=names[0],
                country=requesting_country,
            )
        else:
            reason = msg(
                "The subject (%(name)s, born %(birth)s) has refugee status granted against "
                "%(country)s, the requesting country.",
                name=names[0],
                birth=str(subject.birth_date),
                country=requesting_country,
            )
        return _refugee_result(CheckOutcome.FAIL, reason)
    return _refugee_result(
        CheckOutcome.PASS,
        msg(
            "No refugee status against %(country)s is known for the subject (%(name)s).",
            country=requesting_country,
            name=names[0],
        ),
    )


# --- All checks -------------------------------------------------------------------------------


def run_automated_checks(
    notice: NoticeData, *, requesting_country: str, refugee_registry: RefugeeRegistry
) -> list[CheckResult]:
    """Every automated check, in review order; one result per `CheckCode`."""
    country = requesting_country.upper()
    return [
        *check_required_data(notice),
        check_consistency(notice, country),
        check_red_penalty_threshold(notice),
        check_excluded_offence(notice),
        *check_article_3(notice),
        check_refugee_status(notice, country, refugee_registry),
    ]
