"""Person names: tokens, scripts, Latin spellings and blocking keys.

A name is split into tokens and each token keeps its own script. Every token gets a short
list of Latin spellings, most likely first: itself for Latin, a learned n-best list for the
scripts the shipped model covers (Arabic, Cyrillic, Hebrew, Hangul, Kana, Han), and ICU's
transliteration for any other script. Matching then happens between spellings, so
"Александр" meets "Alexander" through "aleksandr", "alexandr", ...

Blocking keys are consonant skeletons of those spellings (vowels, doubled letters and
sound-alike consonants folded), so Mohammed and Muhammad share the key "MHMT".
"""

from __future__ import annotations

import enum
import gzip
import heapq
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

import icu  # type: ignore[import-untyped]  # PyICU ships no type information
from anyascii import anyascii
from rigour.text.scripts import text_scripts

from interlink.screening.model import MODEL_PATH
from interlink.screening.readings import EVERY_READING, Reading, readings


class Script(enum.StrEnum):
    LATIN = "latin"
    CYRILLIC = "cyrillic"
    ARABIC = "arabic"
    HEBREW = "hebrew"
    HANGUL = "hangul"
    KANA = "kana"
    HAN = "han"
    OTHER = "other"  # any other script: ICU transliteration, no learned model


_UNICODE_SCRIPTS = {
    "Latin": Script.LATIN,
    "Cyrillic": Script.CYRILLIC,
    "Arabic": Script.ARABIC,
    "Hebrew": Script.HEBREW,
    "Hangul": Script.HANGUL,
    "Katakana": Script.KANA,
    "Hiragana": Script.KANA,
    "Han": Script.HAN,
}
# Separators between name tokens. Apostrophes stay: in Hebrew a geresh changes the letter
# (ג = g, ג' = j); in Latin they are dropped inside the token (O'Brien -> obrien).
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.,;:/\\()\[\]{}\"“”«»|+&*#!?=·・،]+")
_TITLES = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "lord",
        "lady",
        "madam",
        "mme",
        "mlle",
        "herr",
        "frau",
        "sr",
        "sra",
        "srta",
    }
)
# Honorifics before a name (sheikh, hajji, al-sayyid): dropped while more than two tokens
# remain, as some are also given names ("Haji Bagcho").
_HONORIFICS = frozenset(
    {
        "sheikh",
        "shaikh",
        "sheik",
        "shaykh",
        "haji",
        "hajji",
        "hajj",
        "mullah",
        "mulla",
        "الشيخ",
        "شيخ",
        "الحاج",
        "حاج",
        "السيد",
        "الملا",
        "ملا",
        "الامام",
        "الإمام",
        "الأستاذ",
        "الاستاذ",
        "الدكتور",
        "دكتور",
    }
)
# Connecting particles carry little identity: they weigh less in a name comparison.
PARTICLES = frozenset(
    {
        "al",
        "bin",
        "bint",
        "abd",
        "de",
        "da",
        "das",
        "do",
        "dos",
        "del",
        "della",
        "di",
        "du",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "ter",
        "ten",
        "y",
        "zu",
        "ould",
        "ag",
    }
)
# One particle, many spellings and scripts: each is read as the Latin particle above, so
# that 'ibn' meets 'bin' and بن, 'el-' meets 'al-' and ال, 'Abdul' meets 'Abd' and عبد (the
# first part of the "abd al-" names) exactly.
PARTICLE_READINGS = {
    "bin": "bin",
    "ibn": "bin",
    "ben": "bin",
    "bn": "bin",
    "بن": "bin",
    "ابن": "bin",
    "إبن": "bin",
    "בן": "bin",
    "bint": "bint",
    "binti": "bint",
    "بنت": "bint",
    "al": "al",
    "el": "al",
    "ال": "al",
    "آل": "al",
    "abd": "abd",
    "abdul": "abd",
    "abdel": "abd",
    "abdal": "abd",
    "abdol": "abd",
    "abdu": "abd",
    "abdur": "abd",  # the article assimilated: Abdur Rahman, Abdus Salam
    "abdus": "abd",
    "abduz": "abd",
    "abdun": "abd",
    "عبد": "abd",
    **{
        p: p
        for p in (
            "de",
            "da",
            "das",
            "do",
            "dos",
            "del",
            "della",
            "di",
            "du",
            "van",
            "von",
            "der",
            "den",
            "la",
            "le",
            "ter",
            "ten",
            "y",
            "zu",
            "ould",
            "ag",
        )
    },
}
_ARABIC_ARTICLE = "ال"
_AYN_MARKS = "'’ʿ`"  # an ayin or hamza transliterated: 'Abd, 'Ali, Bin'ali
# Names that start with the letters of the article without having one (Ilyas, Elham).
_NOT_ARTICLE = frozenset({"الياس", "اليسا", "الهام", "الفت"})
_ABD_JOINED = ("abdul", "abdel", "abdal", "abdol")  # 'Abdulrahman' = abd + al + rahman
_NOT_ABD_JOINED = frozenset({"la", "lah", "llah", "lahi", "ah"})  # Abdullah, Abdulla
# A particle or 'Abu' run together with the next name ('Benali', 'Elhassan', 'Abubakar'):
# split off only when the rest is a common Arabic name part, as 'Benjamin', 'Elena' or
# 'Albert' hold the same letters and no particle. Split, both spellings meet token by token
# in the matcher and in the index alike ('Karim Benali' / 'Kareem Ben Ali'). After the
# article only names usually written with it ('Alomar' is a Catalan name, not al-Omar).
_GIVEN_PARTS = frozenset(
    {
        *("ali", "aly", "omar", "omer", "umar", "amar", "ammar", "amer", "amr"),
        *("hassan", "hasan", "hussein", "husain", "hussain", "houssein", "hossain"),
        *("ahmed", "ahmad", "hamed", "hamid", "hamza", "hamada"),
        *("mohamed", "mohammed", "muhammad", "mohammad", "mohamad", "mhamed"),
        *("salah", "saleh", "salih", "salem", "salim", "salama", "slimane", "sliman"),
        *("youssef", "yousef", "yusuf", "youcef", "yousif", "younes", "yunus", "younis"),
        *("moussa", "musa", "othman", "osman", "uthman", "khaled", "khalid", "khalil"),
        *("karim", "kareem", "amin", "amine", "amir", "aziz", "abbas", "said", "saeed"),
        *("sayed", "sayyid", "saad", "hadi", "habib", "hakim", "halim", "jaber", "jabir"),
        *("bakr", "bakar", "baker", "bakir", "talib", "taleb", "tayeb", "taib", "zaid"),
        *("zayed", "zeid", "rashid", "rachid", "rashed", "mansour", "mansur", "nasser"),
        *("nasir", "nacer", "idris", "driss", "ismail", "brahim", "ibrahim", "yahya"),
        *("yehia", "qasim", "kassem", "kacem", "mahdi", "mehdi", "mahmoud", "mahmud"),
        *("mustafa", "moustafa", "mostafa", "sharif", "cherif", "sherif"),
        *("علي", "عمر", "حسن", "حسين", "احمد", "محمد", "صالح", "سالم", "يوسف", "بكر"),
    }
)
_ARTICLE_PARTS = frozenset(
    {
        *("hassan", "hasan", "hussein", "husseini", "husaini", "amin", "amine", "sayed"),
        *("sayyid", "said", "hadi", "mahdi", "hakim", "rashid", "sharif", "bashir", "tayeb"),
        *("masri", "harbi", "otaibi", "qahtani", "ghamdi", "zahrani", "shehri", "dosari"),
        *("mutairi", "anzi", "shammari", "baghdadi", "hashimi", "hashemi", "tamimi"),
        *("shami", "jazairi", "maliki", "hakimi", "kuwaiti", "yemeni", "libi", "iraqi"),
        *("sudani", "zawahiri", "awlaki", "asad", "assad", "amri", "khatib", "najjar"),
    }
)
_JOINED_PREFIXES = {
    **dict.fromkeys(("ben", "bin", "ibn", "abu", "abou", "بن", "ابو", "أبو"), _GIVEN_PARTS),
    **dict.fromkeys(("el", "al"), _ARTICLE_PARTS),
}
# Marks that belong to the previous letter: small kana, the long-vowel mark, Hebrew geresh.
_ATTACHED = frozenset("ァィゥェォャュョヮヵヶーぁぃぅぇぉゃゅょゎ'׳’\"״")
_PERSIAN_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})
_HIRAGANA_TO_KATAKANA = str.maketrans({chr(c): chr(c + 0x60) for c in range(0x3041, 0x3097)})
_UNIT_JOIN = " "  # joins the graphemes of a multi-grapheme model unit

ABJADS = frozenset({Script.ARABIC, Script.HEBREW})  # scripts that mostly omit vowels
ICU_CONFIDENCE = 0.9  # ICU's standard romanisation joins the n-best list at this confidence
READING_CONFIDENCE = 0.9  # so do the readings of the maintained dictionaries (readings.py)

_ICU_LATIN = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
_ICU_SIMPLIFIED = icu.Transliterator.createInstance("Traditional-Simplified")


def split_name(text: str) -> list[str]:
    """Raw tokens of a name: NFKC, case-folded, split on separators, leading titles off."""
    text = unicodedata.normalize("NFKC", text).casefold()
    tokens = [t for t in _SEPARATORS.split(text) if t.strip("'’׳\"")]
    while (len(tokens) > 1 and tokens[0] in _TITLES) or (
        len(tokens) > 2 and tokens[0] in _HONORIFICS
    ):
        tokens.pop(0)
    return [part for token in tokens for part in _particle_split(token)]


def _particle_split(token: str) -> list[str]:
    """A particle written joined to its name, split off: the Arabic article (الحربي ->
    ال + حربي, عبدالرحمن -> عبد + ال + رحمن) and Latin "abd al-" names run together
    ('abdulrahman' -> abd + al + rahman), and bin/al/abu before a common Arabic name part
    ('benali' -> ben + ali). Names of two letters after the article stay whole."""
    if token.startswith("عبد" + _ARABIC_ARTICLE) and len(token) >= 8:
        return ["عبد", _ARABIC_ARTICLE, token[5:]]
    if token.startswith(_ARABIC_ARTICLE) and len(token) >= 5 and token not in _NOT_ARTICLE:
        return [_ARABIC_ARTICLE, *_particle_split(token[2:])]  # البنعمر: al + bin + omar
    for prefix in _ABD_JOINED:
        rest = token[len(prefix) :]
        if token.startswith(prefix) and len(rest) >= 3 and rest not in _NOT_ABD_JOINED:
            return ["abd", "al", rest]
    for prefix, parts in _JOINED_PREFIXES.items():
        rest = token[len(prefix) :].lstrip(_AYN_MARKS)  # al-Bin'ali
        if token.startswith(prefix) and rest in parts:
            return [prefix, rest]
    return [token]


def token_script(token: str) -> Script:
    """The script a token is written in; mixed Han and Kana count as Kana (Japanese)."""
    found = {_UNICODE_SCRIPTS.get(s, Script.OTHER) for s in text_scripts(token)}
    if len(found) == 1:
        return found.pop()
    if Script.KANA in found and found <= {Script.KANA, Script.HAN}:
        return Script.KANA
    return Script.OTHER if found else Script.LATIN


def latin_form(text: str) -> str:
    """ASCII lower-case letters only: 'Đukić' -> 'dukic', 'Straße' -> 'strasse'."""
    return re.sub(r"[^a-z]", "", anyascii(text).lower())


def icu_latin(text: str) -> str:
    """ICU's generic transliteration to ASCII letters (the fallback for unmodelled text)."""
    return latin_form(_ICU_LATIN.transliterate(text))


@lru_cache(maxsize=16384)
def _simplified(char: str) -> str:
    return str(_ICU_SIMPLIFIED.transliterate(char))


def _grapheme(char: str, script: Script) -> list[str]:
    """One character as the model's graphemes: Hangul syllables split into jamo,
    traditional Han characters read as simplified ones."""
    if script is Script.HANGUL and "\uac00" <= char <= "\ud7a3":
        return list(unicodedata.normalize("NFD", char))
    if script is Script.HAN:
        return [_simplified(char)]
    if script is Script.ARABIC:
        return [char.translate(_PERSIAN_LETTERS)]
    return [char]


def graphemes(token: str, script: Script) -> list[str]:
    """The units the romanisation model reads, in order; marks and punctuation dropped.
    Hiragana is read as Katakana."""
    if script is Script.KANA:
        token = token.translate(_HIRAGANA_TO_KATAKANA)
    out: list[str] = []
    for char in token:
        if char in _ATTACHED:
            if out:
                out[-1] += char
        elif unicodedata.category(char)[0] in "LN":
            out.extend(_grapheme(char, script))
    return out


@dataclass(frozen=True, slots=True)
class ScriptModel:
    """Learned P(Latin chunk | unit) for one script, as log-probabilities, best first.

    A unit is one grapheme, or two joined by a space when `unit_length` is 2 (Hangul jamo
    pairs such as a final and an initial consonant romanise together)."""

    units: Mapping[str, tuple[tuple[str, float], ...]]
    unit_length: int
    unit_penalty: float  # log-penalty for reading two graphemes as one unit
    # How similar a Latin spelling must be to count as no agreement (floor) and as full
    # agreement (ceiling), calibrated on the training split (see the training script).
    ramp: tuple[float, float] | None = None


class Romanizer:
    """Latin spellings of a token, n-best, from the shipped model (or ICU as a fallback)."""

    def __init__(
        self,
        models: Mapping[Script, ScriptModel],
        *,
        beam: int = 16,
        readings: frozenset[Reading] = EVERY_READING,
    ) -> None:
        self.models = dict(models)
        self.beam = beam
        self.readings = readings
        self._fallback: dict[str, tuple[tuple[str, float], ...]] = {}

    @classmethod
    def load(
        cls, path: Path = MODEL_PATH, *, readings: frozenset[Reading] = EVERY_READING
    ) -> Romanizer:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        models = {
            Script(name): ScriptModel(
                units={
                    u: tuple((c, float(lp)) for c, lp in opts) for u, opts in spec["units"].items()
                },
                unit_length=spec["unit_length"],
                unit_penalty=spec["unit_penalty"],
                ramp=tuple(spec["ramp"]) if spec.get("ramp") else None,
            )
            for name, spec in data["scripts"].items()
        }
        return cls(models, readings=readings)

    def ramp(self, script: Script) -> tuple[float, float] | None:
        model = self.models.get(script)
        return model.ramp if model else None

    def spellings(self, token: str, script: Script, limit: int) -> list[tuple[str, float]]:
        """Up to `limit` (spelling, confidence) pairs, best first; confidence in (0.5, 1]
        falls with the spelling's probability relative to the best one, per grapheme."""
        if script is Script.LATIN:
            return [(latin_form(token), 1.0)]
        model = self.models.get(script)
        units = graphemes(token, script)
        if model is None or not units:
            return [(icu_latin(token), 1.0)]
        best = self._decode(model, units, limit)
        standard = icu_latin(token)
        if not best:
            return [(standard, 1.0)]
        top = best[0][1]
        found = [(text, 0.5 + 0.5 * math.exp((lp - top) / len(units))) for text, lp in best]
        # ICU's romanisation is the standard one for native names (pinyin for 习近平), and
        # the maintained dictionaries' readings are how the script's own people are spelled
        # (a reading the model also guessed takes the higher confidence)
        known = dict(found)
        for text, confidence in (
            (standard, ICU_CONFIDENCE),
            *(
                (latin_form(r), READING_CONFIDENCE)
                for r in readings(token, script.value, self.readings)
            ),
        ):
            if text and known.get(text, 0.0) < confidence:
                known[text] = confidence
        return sorted(known.items(), key=lambda pair: -pair[1])

    def standard_spellings(self, token: str, script: Script) -> frozenset[str]:
        """ICU's romanisation and the maintained readings of a token, as `spellings` folds
        them (the learned model's guesses left out)."""
        found = {
            icu_latin(token),
            *(latin_form(r) for r in readings(token, script.value, self.readings)),
        }
        return frozenset(text for text in found if text)

    def _options(self, model: ScriptModel, unit: str) -> tuple[tuple[str, float], ...]:
        found = model.units.get(unit)
        if found is not None or _UNIT_JOIN in unit:
            return found or ()
        if unit not in self._fallback:  # a grapheme never seen in training: ask ICU
            self._fallback[unit] = ((icu_latin(unit), 0.0),)
        return self._fallback[unit]

    def _decode(self, model: ScriptModel, units: list[str], limit: int) -> list[tuple[str, float]]:
        """Beam search over unit segmentations; keeps the best log-probability per string."""
        states: list[dict[str, float]] = [{} for _ in range(len(units) + 1)]
        states[0][""] = 0.0
        for i in range(len(units)):
            current = states[i]
            if len(current) > self.beam:
                current = dict(heapq.nlargest(self.beam, current.items(), key=itemgetter(1)))
            for width in range(1, model.unit_length + 1):
                if i + width > len(units):
                    break
                options = self._options(model, _UNIT_JOIN.join(units[i : i + width]))
                penalty = model.unit_penalty * (width - 1)
                following = states[i + width]
                for prefix, lp in current.items():
                    for chunk, lq in options:
                        text, score = prefix + chunk, lp + lq + penalty
                        if score > following.get(text, -math.inf):
                            following[text] = score
        done = states[-1]
        done.pop("", None)
        return heapq.nlargest(limit, done.items(), key=itemgetter(1))


@dataclass(frozen=True, slots=True)
class Token:
    """One name token: its normalised text, script and Latin spellings (best first)."""

    text: str
    script: Script
    spellings: tuple[str, ...]
    confidences: tuple[float, ...]
    latin: str  # the best spelling (kept apart: read in every comparison)
    is_initial: bool
    is_particle: bool
    # part of a Han name written unspaced (刘桂英 -> 刘, 桂英): a Chinese name, which the
    # maintained readings spell exactly, not a foreign name written by sound
    native_name: bool = False

    @classmethod
    def make(
        cls, text: str, script: Script, spellings: tuple[str, ...], confidences: tuple[float, ...]
    ) -> Token:
        latin = spellings[0]
        latin_script = script is Script.LATIN
        return cls(
            text,
            script,
            spellings,
            confidences,
            latin,
            latin_script and len(latin) == 1,
            latin_script and latin in PARTICLES,
        )


class NameAnalyzer:
    """Turns name strings into tokens with spellings; caches tokens, which repeat a lot."""

    CACHE_LIMIT = 500_000

    def __init__(self, romanizer: Romanizer | None = None, *, spellings: int = 20) -> None:
        self.romanizer = romanizer if romanizer is not None else default_romanizer()
        self.limit = spellings
        self._cache: dict[str, Token] = {}

    def token(self, raw: str) -> Token:
        found = self._cache.get(raw)
        if found is None:
            found = self._make_token(raw)
            if len(self._cache) >= self.CACHE_LIMIT:
                self._cache.clear()
            self._cache[raw] = found
        return found

    def _make_token(self, raw: str) -> Token:
        particle = PARTICLE_READINGS.get(raw.strip(_AYN_MARKS))
        if particle is not None:
            return Token.make(particle, Script.LATIN, (particle,), (1.0,))
        script = token_script(raw)
        text = latin_form(raw) if script is Script.LATIN else raw
        pairs = self.romanizer.spellings(raw, script, self.limit)
        spellings = tuple(s for s, _ in pairs if s) or ("",)
        confidences = tuple(c for s, c in pairs if s) or (1.0,)
        return Token.make(text, script, spellings, confidences)

    def analyze(self, name: str) -> tuple[Token, ...]:
        """Tokens of a name. A Han or Hangul name written as one word of 2 to 4 characters
        is read as family name + given name (王小明 -> 王, 小明; four characters as two and two:
        欧阳小明, 安倍晋三), as it is usually romanised; Han parts are marked `native_name`."""
        raw = split_name(name)
        if (
            len(raw) == 1
            and 2 <= len(raw[0]) <= 4
            and token_script(raw[0]) in (Script.HAN, Script.HANGUL)
        ):
            family = 2 if len(raw[0]) == 4 else 1  # 欧阳, 安倍, 남궁: two-character names
            parts: tuple[Token, ...] = (self.token(raw[0][:family]), self.token(raw[0][family:]))
            if parts[0].script is Script.HAN:
                parts = tuple(replace(t, native_name=True) for t in parts)
            return tuple(t for t in parts if t.text and t.latin)
        tokens = (self.token(t) for t in raw)
        return tuple(t for t in tokens if t.text and t.latin)


@lru_cache(maxsize=1)
def default_romanizer() -> Romanizer:
    return Romanizer.load()


@lru_cache(maxsize=262144)
def consonants(spelling: str) -> str:
    """A Latin spelling without vowels (nor w, y after the first letter) and without
    doubled letters: what an abjad writes. 'mohammed' -> 'mhmd', 'netanyahu' -> 'ntnh'.
    An initial vowel is written (alif, ayin, aleph), though not which one: it becomes '_'
    ('omar' and 'umar' -> '_mr'), so 'ahmadian' ('_hmdn') is not 'hamedani' ('hmdn')."""
    first = "_" if spelling[:1] in VOWELS else spelling[:1]
    return re.sub(r"(.)\1+", r"\1", first + re.sub(r"[aeiouwy]", "", spelling[1:]))


# --- blocking keys -----------------------------------------------------------------------

_DIGRAPHS = (
    ("sch", "S"),
    ("tch", "S"),
    ("ch", "S"),
    ("sh", "S"),
    ("zh", "J"),
    ("ph", "B"),
    ("kh", "K"),
    ("gh", "K"),
    ("th", "T"),
    ("ts", "S"),
    ("tz", "S"),
    ("dz", "S"),
    ("ck", "K"),
    ("x", "KS"),
)
_CONSONANT_CLASS = {
    **dict.fromkeys("bpfvw", "B"),
    **dict.fromkeys("ckqg", "K"),
    **dict.fromkeys("sz", "S"),
    "j": "J",
    **dict.fromkeys("td", "T"),
    **dict.fromkeys("lr", "L"),
    **dict.fromkeys("mn", "M"),
}
VOWELS = frozenset("aeiouy")


@lru_cache(maxsize=262144)
def skeleton(spelling: str) -> str:
    """Consonant skeleton of a Latin spelling: sound-alike consonants share a class
    (b/p/f/v/w, c/k/q/g, s/z, t/d, l/r, m/n), vowels and h vanish, repeats collapse, and a
    leading vowel becomes 'A'. 'christie', 'kristy' and 'kurisuti' all give 'KLST'."""
    for digraph, cls in _DIGRAPHS:
        spelling = spelling.replace(digraph, cls)
    out: list[str] = []
    for i, char in enumerate(spelling):
        kind = char if char.isupper() else _CONSONANT_CLASS.get(char)
        if kind is None and i == 0 and char in VOWELS:
            kind = "A"
        if kind is not None and (not out or out[-1] != kind):
            out.append(kind)
    return "".join(out)


MIN_DELETION_KEY = 4  # shorter skeletons are not fuzzed: their neighbourhoods are too big


def deletions(key: str) -> set[str]:
    """One-deletion variants of a key long enough to be selective: two keys within one edit
    of each other share one (SymSpell's trick), e.g. KLST (christie) and KLSTM."""
    if len(key) < MIN_DELETION_KEY:
        return set()
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


def blocking_keys(token: Token, spellings: int) -> set[str]:
    """Exact keys for a token: skeletons of its best spellings, plus its native text for
    same-script lookups (marked '=')."""
    keys = {skeleton(s) for s in token.spellings[:spellings]}
    if token.script is not Script.LATIN:
        keys.add("=" + token.text)
    if token.text.startswith(ARABIC_ARTICLE):
        # Written joined (الزبيدي) but often typed apart or without it ("al-Zubaidi",
        # "Zubaidi"): the article is keyed away too, so the name alone finds it.
        keys |= {skeleton(s[2:]) for s in token.spellings[:spellings] if s[:2] in ("al", "el")}
    keys.discard("")
    return keys


ARABIC_ARTICLE = "ال"
