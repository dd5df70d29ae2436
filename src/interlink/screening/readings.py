"""Standard readings of native name tokens, from maintained dictionaries and schemes.

The learned romaniser guesses how a name written in another script is spelled in Latin from
pairs of names; it learned mostly foreign names written natively (克里斯蒂 "christie"). Names
of the script's own people are spelled by the standards that passports, lists and papers
print, so these readings join its n-best list:

- Han: Hanyu Pinyin and Wade-Giles from pypinyin (the usual reading of each character),
  and the Japanese readings of kanji from pykakasi (Hepburn and the passport form, long
  vowels written and not: 晋三 "shinzou", "shinzo");
- Kana: Hepburn and the passport form from pykakasi;
- Hangul: Revised Romanisation syllable by syllable (ICU), the same with the
  McCune-Reischauer vowels (어 "o", 으 "u": "jongun" for 정은) and unaspirated initials
  written k, t, p, ch as that system does, and the customary spellings of the common family
  names (김 "kim", 이 "lee", 박 "park");
- Cyrillic: ICAO Doc 9303 (what passports print), BGN/PCGN, the Russian passport schemes
  of 1997 and 2010 (MVD 310, GOST 52535) and Wikipedia's, from iuliia.

Arabic and Hebrew get none: their schemes spell consonants the learned model and the
consonant comparison already cover, and vowels no scheme can restore.
Every dictionary ships inside its wheel; nothing is downloaded.
"""

from __future__ import annotations

import enum
import itertools
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import icu  # type: ignore[import-untyped]  # PyICU ships no type information
import iuliia  # type: ignore[import-untyped]  # nor does iuliia
import pypinyin


class Reading(enum.StrEnum):
    """The readings that can be switched on (all are by default)."""

    PINYIN = "pinyin"
    WADE_GILES = "wade-giles"
    KANJI = "kanji"  # and kana: pykakasi
    KOREAN = "korean"
    CYRILLIC = "cyrillic"


EVERY_READING = frozenset(Reading)

_ICU_HANGUL = icu.Transliterator.createInstance("Hangul-Latin; Latin-ASCII")
_CYRILLIC_SCHEMES = (
    iuliia.ICAO_DOC_9303,
    iuliia.BGN_PCGN,
    iuliia.MVD_310,
    iuliia.GOST_52535,
    iuliia.WIKIPEDIA,
)
# Customary Latin spellings of the common Korean family names (beside the Revised
# Romanisation): Kim, Lee, Park, Choi ... as passports and lists write them.
KOREAN_FAMILY_NAMES = {
    "김": ("kim", "gim"),
    "이": ("lee", "yi", "rhee", "i"),
    "리": ("lee", "ri", "rhee"),
    "박": ("park", "pak", "bak"),
    "최": ("choi", "choe"),
    "정": ("jung", "chung", "jeong"),
    "강": ("kang", "gang"),
    "조": ("cho", "jo", "joh"),
    "윤": ("yoon", "yun"),
    "장": ("jang", "chang"),
    "임": ("lim", "im", "rim"),
    "림": ("lim", "rim"),
    "한": ("han",),
    "오": ("oh", "o"),
    "서": ("seo", "suh", "so"),
    "신": ("shin", "sin"),
    "권": ("kwon", "gwon"),
    "황": ("hwang",),
    "안": ("ahn", "an"),
    "송": ("song",),
    "전": ("jeon", "jun", "chun", "chon"),
    "홍": ("hong",),
    "유": ("yoo", "yu", "you"),
    "류": ("ryu", "yoo", "yu"),
    "고": ("ko", "koh", "go"),
    "문": ("moon", "mun"),
    "양": ("yang",),
    "손": ("son", "sohn"),
    "배": ("bae", "pae"),
    "백": ("baek", "paek", "paik"),
    "허": ("heo", "hur", "huh"),
    "노": ("noh", "roh", "no"),
    "남": ("nam",),
    "심": ("shim", "sim"),
    "하": ("ha",),
    "곽": ("kwak", "gwak"),
    "성": ("sung", "seong"),
    "차": ("cha",),
    "주": ("joo", "ju", "chu"),
    "우": ("woo", "u"),
    "구": ("koo", "ku", "gu"),
    "민": ("min",),
    "나": ("na", "ra"),
    "진": ("jin", "chin"),
    "지": ("ji", "chi"),
    "엄": ("um", "eom"),
    "채": ("chae",),
    "원": ("won",),
    "천": ("cheon", "chun"),
    "방": ("bang", "pang"),
    "공": ("kong", "gong"),
    "현": ("hyun", "hyeon"),
    "함": ("ham",),
    "변": ("byun", "byeon", "pyon"),
    "염": ("yeom", "yum"),
    "여": ("yeo", "yuh"),
    "추": ("choo", "chu"),
    "도": ("do", "doh"),
    "석": ("seok", "suk"),
    "선": ("sun", "seon"),
    "설": ("seol", "sul"),
    "마": ("ma",),
    "길": ("gil", "kil"),
    "연": ("yeon", "yun"),
    "위": ("wi", "wee"),
    "표": ("pyo",),
    "명": ("myung", "myeong"),
    "기": ("ki", "gi"),
    "반": ("ban", "pan"),
    "왕": ("wang",),
    "금": ("keum", "kum", "geum"),
    "옥": ("ok",),
    "육": ("yuk", "yook"),
    "인": ("in",),
    "맹": ("maeng",),
    "제": ("je",),
    "탁": ("tak",),
    "국": ("kook", "guk"),
    "은": ("eun",),
    "용": ("yong",),
    "예": ("ye",),
    "경": ("kyung", "gyeong"),
    "봉": ("bong",),
    "사": ("sa",),
    "부": ("boo", "bu"),
    "황보": ("hwangbo",),
    "남궁": ("namgung", "namkung"),
    "제갈": ("jegal",),
    "선우": ("sunwoo", "seonu"),
    "독고": ("dokgo",),
}
# McCune-Reischauer writes the plain initial stops unvoiced (김 "kim", 박 "pak"): the
# Revised Romanisation's g, d, b, j at the start of a syllable become k, t, p, ch.
_MR_INITIALS = {"g": "k", "d": "t", "b": "p", "j": "ch"}


def readings(
    token: str, script: str, enabled: frozenset[Reading] = EVERY_READING
) -> tuple[str, ...]:
    """Standard Latin readings of a token written in `script` (a `names.Script` value), as
    printed (the caller folds them to ASCII); empty for scripts without one."""
    return _readings(token, script, enabled)


@lru_cache(maxsize=65536)
def _readings(token: str, script: str, enabled: frozenset[Reading]) -> tuple[str, ...]:
    found: Iterable[str] = ()
    if script == "han":
        found = itertools.chain(
            _pinyin(token, pypinyin.Style.NORMAL) if Reading.PINYIN in enabled else (),
            _pinyin(token, pypinyin.Style.WADEGILES) if Reading.WADE_GILES in enabled else (),
            _japanese(token) if Reading.KANJI in enabled else (),
        )
    elif script == "kana" and Reading.KANJI in enabled:
        found = _japanese(token)
    elif script == "hangul" and Reading.KOREAN in enabled:
        found = _korean(token)
    elif script == "cyrillic" and Reading.CYRILLIC in enabled:
        found = (schema.translate(token) for schema in _CYRILLIC_SCHEMES)
    return tuple(dict.fromkeys(text for text in found if text))


def _pinyin(token: str, style: pypinyin.Style) -> list[str]:
    """The usual reading of each character: the rare ones of characters with several (宁
    ning, zhu) made 陈宁 meet "CHEN, Zhu" on OFAC."""
    options = pypinyin.lazy_pinyin(token, style=style, errors="ignore")
    return ["".join(options)] if len(options) == len(token) else []


@lru_cache(maxsize=1)
def _kakasi():  # type: ignore[no-untyped-def]
    import pykakasi  # its dictionaries take seconds to open: only when a name needs them

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]  # pykakasi is untyped


def _japanese(token: str) -> list[str]:
    """Hepburn and passport readings, with long vowels written (satou) and not (sato);
    none when a character has no Japanese reading (a character only Chinese uses)."""
    parts = _kakasi().convert(token)
    if not parts or any(not p["hepburn"] for p in parts):
        return []
    hepburn = "".join(p["hepburn"] for p in parts)
    passport = "".join(p["passport"] for p in parts)
    short = re.sub(r"ou|oo", "o", re.sub(r"uu", "u", hepburn))
    return [hepburn, passport, short]


def _korean(token: str) -> list[str]:
    """Revised Romanisation per syllable, its McCune-Reischauer-like forms, and for a
    family name its customary spellings."""
    syllables = [_ICU_HANGUL.transliterate(char) for char in token if "\uac00" <= char <= "\ud7a3"]
    if not syllables:
        return []
    revised = "".join(syllables)
    mccune = [re.sub(r"eo", "o", re.sub(r"eu", "u", s)) for s in syllables]
    unvoiced = [_MR_INITIALS[s[:1]] + s[1:] if s[:1] in _MR_INITIALS else s for s in mccune]
    found = [revised, "".join(mccune), "".join(unvoiced)]
    found.extend(KOREAN_FAMILY_NAMES.get(unicodedata.normalize("NFC", token), ()))
    return found
