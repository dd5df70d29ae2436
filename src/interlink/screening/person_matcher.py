"""Score a screening query against one person: names across scripts, then birth date,
nationality and sex as qualifiers.

    score = name similarity (0..1) + qualifier effects, clipped to [0, 1]

The name similarity aligns query tokens one-to-one with the candidate's tokens in whatever
order gives the best total (given and family names swapped cost nothing), averages the token
similarities weighted by how much each token says (particles such as "al" or "van" weigh
less), and charges for tokens left over: a query token with no counterpart weighs more than
a candidate token the query did not mention (a missing middle name). Names split or merged
differently ("Abdul Rahman" / "Abdulrahman", "王小明" / "Wang Xiaoming") are also compared
joined up. A token similarity is an edit-distance similarity between Latin spellings, each
weighted by the spelling's confidence (see `names.Romanizer`).

Qualifiers follow the OpenSanctions logic-v2 shape: a conflict costs (a birth year 5 years
off, male against female), an agreement adds little (an identical full birth date adds most).
Every result carries an explanation: each feature agreed, disagreed or unknown, its effect on
the score, and which query token met which candidate token, how and how closely.
"""

from __future__ import annotations

import enum
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from interlink.core.access import Visibility
from interlink.core.i18n import N_, Phrase
from interlink.screening.names import (
    ABJADS,
    READING_CONFIDENCE,
    VOWELS,
    NameAnalyzer,
    Script,
    Token,
    consonants,
    skeleton,
)


@dataclass(frozen=True, slots=True)
class PersonEntry:
    """A person record as the index holds it; names: primary first, then aliases."""

    record_id: int
    names: tuple[str, ...]
    birth_date: str | None  # "1980", "1980-05" or "1980-05-17"
    nationalities: tuple[str, ...]  # ISO 3166 alpha-2
    sex: str | None  # "M", "F", "U"
    visibility: Visibility
    owner_org_id: int


@dataclass(frozen=True, slots=True)
class PersonQuery:
    name: str
    birth_date: str | None = None
    nationality: str | None = None
    sex: str | None = None


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A birth date known to the year, the month or the day."""

    year: int
    month: int = 0  # 0: unknown
    day: int = 0

    @classmethod
    def parse(cls, text: str | None) -> PartialDate | None:
        """None for missing or malformed dates: a bad date must not block a name check."""
        found = _DATE.match(text.strip()) if text else None
        if found is None:
            return None
        year, month, day = (int(g) if g else 0 for g in found.groups())
        month = month if 1 <= month <= 12 else 0
        return cls(year, month, day if month and 1 <= day <= 31 else 0)

    def encode(self) -> int:
        """YYYYMMDD with zeros for unknown parts (compact storage in the index)."""
        return self.year * 10000 + self.month * 100 + self.day

    @classmethod
    def decode(cls, value: int) -> PartialDate | None:
        return cls(value // 10000, value // 100 % 100, value % 100) if value else None


class Outcome(enum.StrEnum):
    AGREED = "agreed"
    DISAGREED = "disagreed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """One query token and the candidate token it was aligned with (None: no counterpart)."""

    query: str
    candidate: str | None
    similarity: float  # of the spellings, 0..1
    agreement: float  # what the pair counts for in the name score (see MatchConfig)
    how: str  # exact | spelling | transliteration | script | initial | joined | missing
    weight: float = 1.0  # of the query token in the name score (particles, common names)


@dataclass(frozen=True, slots=True)
class Feature:
    name: str  # name | birth_date | nationality | sex
    outcome: Outcome
    effect: float  # added to the score (the name feature: the name similarity itself)
    # what was found: a phrase (a message only once explained: scoring stays as cheap), or
    # data shown as it is (a nationality, a sex code)
    detail: Phrase | str
    tokens: tuple[TokenMatch, ...] = ()

    @property
    def message(self) -> str:
        """The detail in English: a `Msg`, translated where the answer is given (screening's
        `answer_in_language`), or the data."""
        return self.detail.message() if isinstance(self.detail, Phrase) else self.detail

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "feature": self.name,
            "outcome": self.outcome.value,
            "effect": round(self.effect, 4),
            "detail": self.message,
        }
        if self.tokens:
            body["tokens"] = [
                {
                    "query": t.query,
                    "candidate": t.candidate,
                    "similarity": round(t.similarity, 4),
                    "agreement": round(t.agreement, 4),
                    "how": t.how,
                    "weight": round(t.weight, 4),
                }
                for t in self.tokens
            ]
        return body


@dataclass(frozen=True, slots=True)
class MatchResult:
    score: float
    matched_name: int  # index into the candidate's names (0: primary name)
    features: tuple[Feature, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "matched_name": self.matched_name,
            "features": [f.as_dict() for f in self.features],
        }


@dataclass(frozen=True, slots=True)
class MatchConfig:
    threshold: float = 0.7  # decision: score >= threshold
    token_agrees: float = 0.5  # a token pair with at least this agreement agrees
    # A token pair's agreement: 0 up to a floor, rising linearly to 1 at a ceiling. Without
    # a floor "Jane" and "John" (0.5 alike) would half agree; the ceiling lets a typo or a
    # usual spelling difference count fully. Between scripts each script has its own ramp,
    # learned with the model (floor: 90th percentile of random pairs, ceiling: median of
    # true pairs, on the training split); these apply to Latin pairs and unmodelled scripts.
    spelling_floor: float = 0.4
    spelling_ceiling: float = 0.85
    transliteration_floor: float = 0.45  # scripts without a learned ramp (ICU only)
    transliteration_ceiling: float = 0.8
    # A one-character native token (a Han character, a Hangul syllable) needs more: one
    # letter off its Latin counterpart counts for nothing.
    single_character_floor: float = 0.67
    # A single Han character more still: it is read in several languages (Mandarin,
    # Cantonese, Korean, Japanese), so some reading is one letter off most short syllables
    # (杨 'yang' / 'yong', 马 'ma' / 'man', 陈 'chen' / 'chun'). One letter off a four-letter
    # reading counts for nothing, and only a near-exact reading fully. Measured on 3,000
    # unlisted (Faker) names against OFAC, with no change in held-out rank-1.
    han_character_floor: float = 0.75
    han_character_ceiling: float = 0.9
    initial_similarity: float = 0.8  # "J" against "John"
    # A transliterated agreement (tokens in two scripts) counts this much of a written one,
    # so that a score means about the same risk of a false match whatever the script: at
    # 0.7, unlisted names written in Arabic, Persian or Chinese reached an OFAC entry five
    # times as often as Latin ones (1.03 % against 0.19 %); at 0.9, 0.32 %. Ranking is
    # unchanged; recall at the threshold falls (Chinese 75.5 to 64.5 %). 1.0 turns it off.
    transliteration_weight: float = 0.9
    # ... except for a Han, Hangul or Kana token of `transcription_length` characters or
    # more: such long tokens are foreign names written by sound (克里斯蒂 Christie), not
    # the short native names that agreed by chance with listed ones.
    transcription_length: int = 3
    transcription_weight: float = 1.0
    # A particle (al, bin, van, de) agreeing says little of who it is: half the Arabic names
    # hold 'al'. One left without counterpart weighs `missing_particle_weight` (times the
    # weight of an unmatched token): "Daniel Maurice" is no better a "Maurice de Daniel"
    # for the particle being cheap.
    particle_weight: float = 0.1
    missing_particle_weight: float = 0.5
    # A common name says less: with an index, each query token weighs by the share of the
    # indexed persons with a name part agreeing with it at least `common_agreement`, as in
    # Fellegi-Sunter term-frequency weights: 1 up to `rare_share`, then ln(1/share) /
    # ln(1/rare_share), never below `common_weight_floor`. An index of fewer than
    # `prior_persons` is read as that large: a name three of twenty persons hold is not
    # thereby common. 'David' or 'Ali', agreeing with many listed persons, then counts less
    # than the rare part of a name, and two common parts alone weigh less against the parts
    # of the candidate's name the query did not mention.
    common_agreement: float = 0.8
    rare_share: float = 0.001
    common_weight_floor: float = 0.3
    prior_persons: int = 1000
    # One Han character is common whatever the index holds: a hundred family names cover
    # most Chinese people (Zhang, Wang, Li ...), and one-character given names are shared
    # as widely. (Not Hangul: one syllable there is as often a foreign given name, 잭
    # 'Jack', 존 'John'; weighing those 0.5 cost Korean rank-1 0.1 point.)
    han_character_weight: float = 0.5
    extra_query_weight: float = 0.5  # a query token the candidate lacks
    # ... in a query of `long_name_tokens` names or more (particles not counted): a nasab
    # chain or a name with its patronymic, where lists often leave a generation out
    long_name_tokens: int = 4
    extra_query_weight_long: float = 0.3
    extra_candidate_weight: float = 0.3  # a candidate token the query lacks (middle name)
    # ... unless the query is written in Han or Hangul: such names have no middle names and
    # write every syllable, so 李宇 (Li Yu) is not 'LI, Cheng Yu' short of a middle name but
    # another given name (成宇, Chengyu).
    extra_syllable_weight: float = 0.5
    # Names run together are for the same letters split differently ('abdulrahman' /
    # 'abdul rahman': 1.0); being long, they are also alike by chance when they share a part
    # ('cole benjamin' / 'bol mel benjamin': 0.79), so the joined reading needs this much.
    joined_floor: float = 0.7
    joined_penalty: float = 0.95  # joined-up comparison ranks below an equal token alignment
    full_date_bonus: float = 0.05
    date_near_penalty: float = -0.10  # birth years one apart, or same year other month
    date_far_penalty: float = -0.25
    date_day_penalty: float = -0.05  # same month, other day
    nationality_bonus: float = 0.02
    nationality_penalty: float = -0.10
    sex_penalty: float = -0.20


@dataclass(slots=True)
class Candidate:
    """A person as the matcher reads it: names already analysed into tokens."""

    names: tuple[tuple[Token, ...], ...]
    birth: PartialDate | None
    nationalities: tuple[str, ...]
    sex: str | None


@dataclass(slots=True)
class PreparedQuery:
    """An analysed query with a cache of token similarities (tokens repeat across
    candidates: every "Smith" in the index is compared once)."""

    tokens: tuple[Token, ...]
    birth: PartialDate | None
    nationality: str | None
    sex: str | None
    weights: tuple[float, ...] = ()  # per token; set by `PersonMatcher.prepare` and `weigh`
    similarities: dict[tuple[int, str, Script], TokenMatch] = field(default_factory=dict)
    # the tokens' spellings run together (`PersonMatcher._joined`), made on first use
    joined: tuple[list[str], np.ndarray] | None = None


@dataclass(frozen=True, slots=True)
class _NameScore:
    score: float
    tokens: tuple[TokenMatch, ...]


class PersonMatcher:
    """Scores candidates for a query; thread-safe apart from the shared token cache, which
    only ever gains identical entries."""

    def __init__(
        self, config: MatchConfig | None = None, analyzer: NameAnalyzer | None = None
    ) -> None:
        self.config = config or MatchConfig()
        self.analyzer = analyzer or NameAnalyzer()

    # --- entry points ----------------------------------------------------------------------

    def prepare(self, query: PersonQuery) -> PreparedQuery:
        sex = query.sex.upper() if query.sex else None
        tokens = self.analyzer.analyze(query.name)
        return PreparedQuery(
            tokens,
            PartialDate.parse(query.birth_date),
            query.nationality.upper() if query.nationality else None,
            sex if sex in ("M", "F") else None,
            tuple(self._weight(t) for t in tokens),
        )

    def weigh(self, query: PreparedQuery, shared: Sequence[tuple[int, int] | None]) -> None:
        """Weigh each query token by how common it is: `shared` gives, per token, (persons
        with an agreeing name part, persons indexed), or None where unknown (an initial).
        Particles keep their own weight."""
        query.weights = tuple(
            self._weight(token)
            if counts is None or token.is_particle
            else min(self._weight(token), self.commonness_weight(*counts))
            for token, counts in zip(query.tokens, shared, strict=True)
        )

    def commonness_weight(self, sharing: int, persons: int) -> float:
        """A token's weight when `sharing` of `persons` indexed have an agreeing name part."""
        cfg = self.config
        share = sharing / max(persons, cfg.prior_persons)
        if share <= cfg.rare_share:
            return 1.0
        return max(cfg.common_weight_floor, math.log(min(1.0, share)) / math.log(cfg.rare_share))

    def candidate(self, entry: PersonEntry) -> Candidate:
        names = tuple(self.analyzer.analyze(n) for n in entry.names)
        return Candidate(
            names,
            PartialDate.parse(entry.birth_date),
            tuple(c.upper() for c in entry.nationalities),
            entry.sex.upper() if entry.sex else None,
        )

    def compare(self, query: PersonQuery, entry: PersonEntry) -> MatchResult:
        """Score one record against one query (no index involved)."""
        return self.score(self.prepare(query), self.candidate(entry))

    def score(self, query: PreparedQuery, candidate: Candidate) -> MatchResult:
        best_index, best = 0, _NameScore(0.0, ())
        for index, tokens in enumerate(candidate.names):
            found = self.name_score(query, tokens)
            if found.score > best.score:
                best_index, best = index, found
        features = (
            self._name_feature(best),
            self._birth_feature(query.birth, candidate.birth),
            self._nationality_feature(query.nationality, candidate.nationalities),
            self._sex_feature(query.sex, candidate.sex),
        )
        score = best.score + sum(f.effect for f in features[1:])
        return MatchResult(min(1.0, max(0.0, score)), best_index, features)

    # --- names -----------------------------------------------------------------------------

    def token_match(self, query: PreparedQuery, index: int, other: Token) -> TokenMatch:
        key = (index, other.text, other.script)
        found = query.similarities.get(key)
        if found is None:
            found = self._token_match(query.tokens[index], other)
            query.similarities[key] = self._with_article(query.tokens, index, other, found)
            found = query.similarities[key]
        return found

    def _with_article(
        self, tokens: Sequence[Token], index: int, other: Token, found: TokenMatch
    ) -> TokenMatch:
        """An Arabic name written with its article joined (المصري, split into 'al' + مصري)
        is often spelled with it joined in Latin too ('Elmasry'): the Latin token is also
        compared without its 'al'/'el' (the query's 'al' then goes without counterpart, at a
        particle's small cost)."""
        stripped = _article_stripped(tokens, index, other)
        if stripped is None:
            return found
        bare = self.analyzer.analyze(stripped)
        if len(bare) != 1:
            return found
        joined = self._token_match(tokens[index], bare[0])
        if joined.agreement <= found.agreement:
            return found
        return replace(joined, candidate=other.text)

    def prime(self, query: PreparedQuery, candidates: Iterable[Candidate]) -> None:
        """Fill the query's token cache for every token of these candidates at once: the
        spellings of each query token meet all the candidates' spellings in one rapidfuzz
        call per kind (a native token has 20 spellings: 400 pairs per token pair). The
        scores are the same as `score` alone would compute."""
        others = {(t.text, t.script): t for c in candidates for name in c.names for t in name}
        for index, token in enumerate(query.tokens):
            todo = [
                t
                for key, t in others.items()
                if (index, *key) not in query.similarities and _needs_spellings(token, t)
            ]
            if not todo:
                continue
            for other, similarity in zip(todo, spelling_similarities(token, todo), strict=True):
                query.similarities[(index, other.text, other.script)] = self._with_article(
                    query.tokens, index, other, self._token_match(token, other, similarity)
                )

    def _token_match(self, a: Token, b: Token, similarity: float | None = None) -> TokenMatch:
        """How two tokens agree (`similarity`: their spelling similarity, when known)."""
        cfg = self.config
        if a.script is b.script and a.text == b.text:
            return TokenMatch(a.text, b.text, 1.0, 1.0, "exact")
        across = 1.0
        if a.script is not b.script:
            long = self.is_long(b if a.script is Script.LATIN else a)
            across = cfg.transcription_weight if long else cfg.transliteration_weight
        if a.is_initial or b.is_initial:
            agree = cfg.initial_similarity if _initial_fits(a, b) else 0.0
            return TokenMatch(a.text, b.text, agree, across * agree, "initial")
        if similarity is None:
            similarity = spelling_similarity(a, b)
        how = "spelling" if a.script is b.script is Script.LATIN else "transliteration"
        floor, ceiling = self.ramp(a.script, b.script)
        if how == "transliteration" and (len(a.text) == 1 or len(b.text) == 1):
            # the best of the many spellings of one character (马: 'ma', 'man', 'mah') is
            # close to some short name by chance
            floor = max(floor, cfg.single_character_floor)
            if Script.HAN in (a.script, b.script):
                floor = max(floor, cfg.han_character_floor)
                ceiling = max(ceiling, cfg.han_character_ceiling)
        elif how == "transliteration" and (a.native_name or b.native_name):
            # a Chinese name's readings are exact: 桂英 'guiying' is not 'Cuiying'
            floor = max(floor, cfg.han_character_floor)
            ceiling = max(ceiling, cfg.han_character_ceiling)
        if a.script is b.script is not Script.LATIN:  # same native script: compare as written
            written = OSA.normalized_similarity(a.text, b.text)
            if written > similarity:
                similarity, how = written, "script"
        return TokenMatch(
            a.text, b.text, similarity, across * _ramp(similarity, floor, ceiling), how
        )

    def query_missing_weight(self, tokens: Sequence[Token]) -> float:
        """What a query token without counterpart weighs, times its weight."""
        cfg = self.config
        names = sum(not t.is_particle for t in tokens)
        return (
            cfg.extra_query_weight_long if names >= cfg.long_name_tokens else cfg.extra_query_weight
        )

    def is_long(self, token: Token) -> bool:
        """A Han, Hangul or Kana token of `transcription_length` characters or more."""
        return token.script in TRANSCRIBED and len(token.text) >= self.config.transcription_length

    def ramp(self, a: Script, b: Script) -> tuple[float, float]:
        """(floor, ceiling) turning a similarity between tokens of these scripts into an
        agreement: Latin pairs use the configured spelling ramp; otherwise the learned ramp
        of the non-Latin script (the first one's if both are non-Latin)."""
        if a is b is Script.LATIN:
            return self.config.spelling_floor, self.config.spelling_ceiling
        found = self.analyzer.romanizer.ramp(a if a is not Script.LATIN else b)
        return found or (self.config.transliteration_floor, self.config.transliteration_ceiling)

    def _weight(self, token: Token) -> float:
        """A token's weight before the index says how common it is."""
        if token.is_particle:
            return self.config.particle_weight
        if len(token.text) == 1 and token.script is Script.HAN:
            return self.config.han_character_weight
        return 1.0

    def _missing_weight(self, token: Token, weight: float, next_paired: bool) -> float:
        """What a token left without counterpart weighs (before the extra-token factor).
        'Abd' is no connecting particle: 'Abdul Hussein' is another name than 'Hussein', so
        it costs a name when the name it opens was paired (a whole 'Abdul Karim' left over
        costs one name, not two)."""
        if not token.is_particle:
            return weight
        if token.text in NAME_PARTICLES and next_paired:
            return 1.0
        return self.config.missing_particle_weight

    def name_score(self, query: PreparedQuery, other: Sequence[Token]) -> _NameScore:
        if not query.tokens or not other:
            return _NameScore(0.0, ())
        aligned = self._aligned(query, other)
        # Names split differently have different token counts; initials are never merged.
        if len(query.tokens) != len(other) and not any(
            t.is_initial for t in (*query.tokens, *other)
        ):
            joined = self._joined(query, other)
            if joined.score > aligned.score:
                return joined
        return aligned

    def _aligned(self, query: PreparedQuery, other: Sequence[Token]) -> _NameScore:
        """Best one-to-one alignment of query tokens with candidate tokens, in any order."""
        cfg, tokens, weights = self.config, query.tokens, query.weights
        pairs = [[self.token_match(query, i, o) for o in other] for i in range(len(tokens))]
        chosen = dict(
            _best_assignment(
                [[weights[i] * match.agreement for match in row] for i, row in enumerate(pairs)]
            )
        )
        # a particle is only ever a particle's counterpart: paired with a name at 0 it would
        # spare both the cost of a missing token ('Kim de Man' / 'KIM, Jong Man')
        chosen = {i: j for i, j in chosen.items() if _may_pair(tokens[i], other[j])}
        total = sum(weights[i] * pairs[i][j].agreement for i, j in chosen.items())
        mass = sum(weights[i] for i in chosen)
        mass += self.query_missing_weight(tokens) * sum(
            self._missing_weight(t, weights[i], i + 1 in chosen)
            for i, t in enumerate(tokens)
            if i not in chosen
        )
        used = set(chosen.values())
        syllabic = all(t.script in SYLLABIC for t in tokens)
        extra = cfg.extra_syllable_weight if syllabic else cfg.extra_candidate_weight
        mass += extra * sum(
            self._missing_weight(o, self._weight(o), j + 1 in used)
            for j, o in enumerate(other)
            if j not in used
        )
        explained = tuple(
            replace(pairs[i][chosen[i]], weight=weights[i])
            if i in chosen
            else TokenMatch(t.text, None, 0.0, 0.0, "missing", weights[i])
            for i, t in enumerate(tokens)
        )
        return _NameScore(total / mass if mass else 0.0, explained)

    def _joined(self, query: PreparedQuery, other: Sequence[Token]) -> _NameScore:
        """Both names run together (in the query's order or reversed), for names whose
        tokens are split differently. Uses the top two spellings of each query token."""
        tokens = query.tokens
        if len(tokens) > 4:
            return _NameScore(0.0, ())
        if query.joined is None:
            query.joined = self._joined_spellings(tokens)
        texts, weights = query.joined
        target = "".join(o.latin for o in other)
        best = 0.0
        if texts:  # one rapidfuzz call: the same similarities as one call per text
            similarities = process.cdist(
                [target], texts, scorer=OSA.normalized_similarity, dtype=np.float64
            )[0]
            best = max(best, float((weights * similarities).max()))
        if all(t.script is Script.LATIN for t in (*tokens, *other)):
            floor, ceiling = self.config.spelling_floor, self.config.spelling_ceiling
        else:
            floor, ceiling = self.ramp(tokens[0].script, other[0].script)
        agreement = _ramp(best, max(floor, self.config.joined_floor), ceiling)
        if any(t.script is not o.script for t in tokens for o in other):
            agreement *= self.config.transliteration_weight
        match = TokenMatch(
            " ".join(t.text for t in tokens),
            " ".join(o.text for o in other),
            best,
            agreement,
            "joined",
        )
        return _NameScore(agreement * self.config.joined_penalty, (match,))

    def _joined_spellings(self, tokens: Sequence[Token]) -> tuple[list[str], np.ndarray]:
        """The query's spellings run together, in its order and reversed, each text once
        with the best of its weights (the least confidence of the spellings joined)."""
        # the two likeliest spellings and the standard readings (kim + jongun: Kim Jong Un);
        # the parts of an unspaced Chinese name, the standard readings alone: the model
        # spells 郑 'yunho' (from foreign names), and 郑静 ran together met 'Yun Ho-Jin'
        choices = [
            [
                (s, c)
                for n, (s, c) in enumerate(zip(t.spellings, t.confidences, strict=True))
                if (s in standard if standard else n < 2 or c >= STANDARD_CONFIDENCE)
            ]
            for t in tokens
            for standard in [self._standard(t)]
        ]
        best: dict[str, float] = {}
        for order in (choices, choices[::-1]):
            for combo in itertools.product(*order):
                weight = min(c for _, c in combo)
                text = "".join(s for s, _ in combo)
                best[text] = max(best.get(text, 0.0), weight)
        return list(best), np.fromiter(best.values(), np.float64, len(best))

    def _standard(self, token: Token) -> frozenset[str]:
        """The standard spellings of the part of an unspaced Chinese name (empty for any
        other token, or when it has none)."""
        if not token.native_name:
            return frozenset()
        found = self.analyzer.romanizer.standard_spellings(token.text, token.script)
        return found & frozenset(token.spellings)

    def _name_feature(self, found: _NameScore) -> Feature:
        agreed = sum(t.agreement >= self.config.token_agrees for t in found.tokens)
        outcome = Outcome.AGREED if found.score >= self.config.threshold else Outcome.DISAGREED
        detail = Phrase(_PARTS_AGREE, {"agreed": agreed, "parts": len(found.tokens)})
        return Feature("name", outcome, found.score, detail, found.tokens)

    # --- qualifiers ------------------------------------------------------------------------

    def _birth_feature(self, query: PartialDate | None, other: PartialDate | None) -> Feature:
        cfg = self.config
        if query is None or other is None:
            return Feature("birth_date", Outcome.UNKNOWN, 0.0, NOT_KNOWN)
        if query.year != other.year:
            gap = abs(query.year - other.year)
            effect = cfg.date_near_penalty if gap == 1 else cfg.date_far_penalty
            return Feature(
                "birth_date", Outcome.DISAGREED, effect, Phrase(_YEARS_APART, {"gap": gap})
            )
        if query.month and other.month and query.month != other.month:
            if (query.month, query.day) == (other.day, other.month):
                return Feature("birth_date", Outcome.AGREED, 0.0, TRANSPOSED)
            return Feature("birth_date", Outcome.DISAGREED, cfg.date_near_penalty, _OTHER_MONTH)
        if query.day and other.day and query.day != other.day:
            return Feature("birth_date", Outcome.DISAGREED, cfg.date_day_penalty, _OTHER_DAY)
        if query.day and query == other:
            return Feature("birth_date", Outcome.AGREED, cfg.full_date_bonus, _SAME_DATE)
        known = _TO_THE_MONTH if query.month and other.month else _TO_THE_YEAR
        return Feature("birth_date", Outcome.AGREED, 0.0, known)

    def _nationality_feature(self, query: str | None, other: tuple[str, ...]) -> Feature:
        if query is None or not other:
            return Feature("nationality", Outcome.UNKNOWN, 0.0, NOT_KNOWN)
        if query in other:
            return Feature("nationality", Outcome.AGREED, self.config.nationality_bonus, query)
        return Feature(
            "nationality",
            Outcome.DISAGREED,
            self.config.nationality_penalty,
            Phrase(_NOT_AMONG, {"value": query, "values": ", ".join(other)}),
        )

    def _sex_feature(self, query: str | None, other: str | None) -> Feature:
        if query is None or other not in ("M", "F"):
            return Feature("sex", Outcome.UNKNOWN, 0.0, NOT_KNOWN)
        if query == other:
            return Feature("sex", Outcome.AGREED, 0.0, query)
        return Feature(
            "sex",
            Outcome.DISAGREED,
            self.config.sex_penalty,
            Phrase(AGAINST, {"a": query, "b": other}),
        )


# What each feature found, in words (a feature's `detail`): msgids, made into messages only
# when a hit is explained; the constants cost nothing while scoring. Linking's features
# say the same things with the same ones (NOT_KNOWN, TRANSPOSED, AGAINST).
_PARTS_AGREE = N_("%(agreed)s of %(parts)s name parts agree")
_YEARS_APART = N_("years %(gap)s apart")
_NOT_AMONG = N_("%(value)s not among %(values)s")
AGAINST = N_("%(a)s against %(b)s")
NOT_KNOWN = Phrase(N_("not known on both sides"), {})
TRANSPOSED = Phrase(N_("day and month transposed"), {})
_OTHER_MONTH = Phrase(N_("same year, different month"), {})
_OTHER_DAY = Phrase(N_("same month, different day"), {})
_SAME_DATE = Phrase(N_("same date"), {})
_TO_THE_MONTH = Phrase(N_("agrees to the month"), {})
_TO_THE_YEAR = Phrase(N_("agrees to the year"), {})


# Particles that are part of a name: cheap when they agree, a name's cost when they do not
NAME_PARTICLES = frozenset({"abd"})
# ICU's romanisation and the maintained readings (names.READING_CONFIDENCE): also tried
# when names are compared run together
STANDARD_CONFIDENCE = READING_CONFIDENCE
TRANSCRIBED = frozenset({Script.HAN, Script.HANGUL, Script.KANA})  # a character a syllable
SYLLABIC = frozenset({Script.HAN, Script.HANGUL})  # a token per syllable, no middle names
ABJAD_WEIGHT = 0.9  # consonant-only comparisons count a little less than full ones
MIN_CONSONANTS = 3  # shorter skeletons ('b' for Abu, Bo, Obi) say too little
# Across scripts a quarter of the similarity comes from the sound skeletons of the spellings
# (names.skeleton: b/p/f/v, k/g, l/r, ... folded, vowels dropped): a transliteration keeps
# the sounds, not the spelling (培根 'peigen' and 'bacon' are both BKM). Used alone it makes
# random pairs alike; mixed in, it lifted the true pair above 20 random ones from 90.3 % to
# 92.8 % of Han tokens (held-out), and Korean from 85.8 % to 86.5 %.
SOUND_WEIGHT = 0.25


def says_enough(consonant_form: str) -> bool:
    """Whether a consonant form (`names.consonants`) has MIN_CONSONANTS letters, not
    counting the mark of an initial vowel."""
    return len(consonant_form) - consonant_form.startswith("_") >= MIN_CONSONANTS


@dataclass(frozen=True, slots=True)
class SpellingForms:
    """A token's spellings ready for bulk comparison: the spellings with their confidences,
    and the distinct consonant forms (long enough to say something) and sound skeletons,
    each at the best confidence of the spellings that give it."""

    spellings: tuple[str, ...]
    confidences: tuple[float, ...]
    consonants: tuple[str, ...]
    consonant_confidences: tuple[float, ...]
    skeletons: tuple[str, ...]
    skeleton_confidences: tuple[float, ...]


def _best_confidence(
    pairs: Iterable[tuple[str, float]],
) -> tuple[tuple[str, ...], tuple[float, ...]]:
    best: dict[str, float] = {}
    for text, confidence in pairs:
        best[text] = max(best.get(text, 0.0), confidence)
    return tuple(best), tuple(best.values())


@lru_cache(maxsize=1 << 19)
def spelling_forms(token: Token) -> SpellingForms:
    """Computed once per token (queries and candidates repeat tokens a lot; a store of a
    million persons holds some 300,000 distinct tokens)."""
    pairs = list(zip(token.spellings, token.confidences, strict=True))
    kept = [(k, c) for s, c in pairs if says_enough(k := consonants(s))]
    return SpellingForms(
        token.spellings,
        token.confidences,
        *_best_confidence(kept),
        *_best_confidence((skeleton(s), c) for s, c in pairs),
    )


def spelling_similarity(a: Token, b: Token) -> float:
    """Best edit similarity between the tokens' Latin spellings, each pair weighted by both
    spellings' confidence. With an abjad (Arabic, Hebrew) on either side the consonants alone
    are compared too (when there are at least three), as the script leaves most vowels
    unwritten. Across scripts the best similarity of sound skeletons is mixed in
    (SOUND_WEIGHT)."""
    if (
        a.script is b.script
        and a.script not in ABJADS
        and len(a.spellings) == 1 == len(b.spellings)
    ):  # Latin against Latin, mostly
        return a.confidences[0] * b.confidences[0] * OSA.normalized_similarity(a.latin, b.latin)
    return spelling_similarities(a, (b,))[0]


ARTICLE_SPELLINGS = ("al", "el")
MIN_ARTICLE_STRIPPED = 3  # letters left after the article ('Alfadl' -> 'fadl')


def _article_stripped(tokens: Sequence[Token], index: int, other: Token) -> str | None:
    """The Latin token `other` without a joined article, when the query token at `index`
    is an Arabic name whose article the analyser split off (the token before it is 'al'),
    else None."""
    token = tokens[index]
    if (
        index == 0
        or token.script is not Script.ARABIC
        or other.script is not Script.LATIN
        or tokens[index - 1].text != "al"
        or other.is_particle
    ):
        return None
    text = other.latin
    if not text.startswith(ARTICLE_SPELLINGS) or len(text) - 2 < MIN_ARTICLE_STRIPPED:
        return None
    return text[2:]


def _may_pair(a: Token, b: Token) -> bool:
    """A particle pairs only with the same particle (paired at 0, 'al' and 'abd' would
    spare both the cost of a missing token), but an initial with anything it may stand for
    ('Y.' is an initial and the Spanish 'y'; 'A. Rahman' is 'Abd al-Rahman')."""
    if a.is_initial or b.is_initial:
        return True
    return a.text == b.text if a.is_particle or b.is_particle else True


def _initial_fits(a: Token, b: Token) -> bool:
    """Whether one token (an initial) can stand for the other: the same first letter, but
    never a vowel for a token written in an abjad, whose first vowel is a reader's guess
    (alif or ayin can open Ahmad, Ibrahim, Omar or al-...: 'A.' is no reading of الجاعوني)."""
    initial, other = (a, b) if a.is_initial else (b, a)
    if other.is_particle and other.text != "abd":  # 'A.' is no 'al', but may be 'Abd'
        return False
    if other.script in ABJADS and initial.latin[0] in VOWELS:
        return False
    return a.latin[0] == b.latin[0]


def _needs_spellings(a: Token, b: Token) -> bool:
    """Whether `_token_match` compares the tokens' spellings (not equal, no initial)."""
    return not (a.script is b.script and a.text == b.text) and not a.is_initial and not b.is_initial


def column_best(
    ours: Sequence[str], weights: Sequence[float], theirs: Sequence[str], dtype: type = np.float64
) -> np.ndarray:
    """For each of `theirs`, the best weighted edit similarity with one of `ours`."""
    matrix = process.cdist(ours, theirs, scorer=OSA.normalized_similarity, dtype=dtype)
    best: np.ndarray = (matrix * np.asarray(weights, dtype)[:, None]).max(axis=0)
    return best


def segment_best(
    ours: tuple[str, ...],
    our_weights: tuple[float, ...],
    groups: Sequence[tuple[tuple[str, ...], tuple[float, ...]]],
) -> np.ndarray:
    """Per group, the best of weight * weight * edit similarity over the pairs of `ours`
    and the group's texts (0 for an empty side), in one rapidfuzz call."""
    sizes = np.fromiter((len(texts) for texts, _ in groups), np.int64, len(groups))
    found = np.zeros(len(groups))
    if not ours or not sizes.sum():
        return found
    theirs = [text for texts, _ in groups for text in texts]
    their_weights = [weight for _, weights in groups for weight in weights]
    columns = column_best(ours, our_weights, theirs) * np.asarray(their_weights)
    filled = sizes > 0
    starts = np.cumsum(sizes) - sizes
    found[filled] = np.maximum.reduceat(columns, starts[filled])
    return found


def spelling_similarities(a: Token, others: Sequence[Token]) -> list[float]:
    """`spelling_similarity(a, b)` for every b of `others`, in one rapidfuzz call per kind
    (letters, consonants, sound skeletons): a native token has 20 spellings, so 400 pairs
    per token pair."""
    return forms_similarities(
        spelling_forms(a), a.script, [spelling_forms(b) for b in others], [b.script for b in others]
    )


def forms_similarities(
    fa: SpellingForms, script: Script, forms: Sequence[SpellingForms], scripts: Sequence[Script]
) -> list[float]:
    """`spelling_similarities` from the tokens' spelling forms and scripts (the person index
    keeps its forms' spelling forms by form id)."""
    best = segment_best(fa.spellings, fa.confidences, [(f.spellings, f.confidences) for f in forms])
    abjad = np.fromiter(
        ((script in ABJADS or other in ABJADS) for other in scripts), bool, len(scripts)
    )
    if abjad.any():
        consonant = ABJAD_WEIGHT * segment_best(
            fa.consonants,
            fa.consonant_confidences,
            [(f.consonants, f.consonant_confidences) for f in forms],
        )
        best = np.where(abjad, np.maximum(best, consonant), best)
    across = np.fromiter((other is not script for other in scripts), bool, len(scripts))
    if across.any():
        sound = segment_best(
            fa.skeletons,
            fa.skeleton_confidences,
            [(f.skeletons, f.skeleton_confidences) for f in forms],
        )
        best = np.where(across, (1.0 - SOUND_WEIGHT) * best + SOUND_WEIGHT * sound, best)
    scores: list[float] = best.tolist()
    return scores


def _ramp(similarity: float, floor: float, ceiling: float) -> float:
    """0 at or below the floor, rising linearly to 1 at the ceiling."""
    return min(1.0, max(0.0, (similarity - floor) / (ceiling - floor)))


def _best_assignment(gains: list[list[float]]) -> list[tuple[int, int]]:
    """(row, col) pairs, one-to-one, maximising the total of `gains[row][col]`. Names rarely
    have more than five tokens, so small cases are solved exactly and larger ones greedily."""
    rows, cols = len(gains), len(gains[0])
    if max(rows, cols) <= 6:
        # each option's total summed in the same order, the first best kept: ties resolve
        # as they always did
        if rows <= cols:
            best = max(
                itertools.permutations(range(cols), rows),
                key=lambda p: sum(map(list.__getitem__, gains, p)),
            )
            return list(enumerate(best))
        by_column = [list(column) for column in zip(*gains, strict=True)]
        best = max(
            itertools.permutations(range(rows), cols),
            key=lambda p: sum(map(list.__getitem__, by_column, p)),
        )
        return [(i, j) for j, i in enumerate(best)]
    ranked = sorted(
        ((gain, i, j) for i, row in enumerate(gains) for j, gain in enumerate(row)), reverse=True
    )
    pairs, rows_used, cols_used = [], set(), set()
    for _, i, j in ranked:
        if i not in rows_used and j not in cols_used:
            pairs.append((i, j))
            rows_used.add(i)
            cols_used.add(j)
    return pairs
