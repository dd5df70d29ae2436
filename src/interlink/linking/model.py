"""The linking score: Fellegi-Sunter evidence that two person records describe one person.

Each feature of a pair falls in one level (the name: a band of the screening matcher's name
score; the birth date: exact, compatible, close, incompatible or missing; ...). A level
carries m, its probability among pairs of one person, and u, among pairs of two people; its
weight is log2(m / u). The match weight of a pair is the prior weight log2(λ / (1 - λ)) plus
the weight of each feature's level, and its probability 2^w / (1 + 2^w), as in Splink.

`compare(a, b)` is the one function that scores a pair: the linking runs, the "similar
records" view and screening's display all call it, so they agree. It orders the pair by
record id first, so compare(a, b) and compare(b, a) explain the same thing.

The m and u values are estimated from a labelled set (`estimate`, run by
scripts/train_linking_weights.py) and shipped in weights.json; docs/linking.md says why a
labelled set rather than EM.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from interlink.core.i18n import N_, Msg, Phrase, in_language, parts_data
from interlink.screening.names import ABJADS, NameAnalyzer, Token
from interlink.screening.person_matcher import (
    AGAINST,
    NOT_KNOWN,
    TRANSPOSED,
    Candidate,
    PartialDate,
    PersonMatcher,
    PreparedQuery,
    TokenMatch,
    _article_stripped,
    _needs_spellings,
    spelling_similarities,
)
from interlink.screening.person_matcher import (
    PersonQuery as MatcherQuery,
)

WEIGHTS_PATH = Path(__file__).with_name("weights.json")
FEATURES = ("name", "birth_date", "nationality", "sex", "identifier")
# Name levels: lower bounds of the matcher's name score, best first.
NAME_BANDS = (
    ("exact", 0.97),
    ("strong", 0.88),
    ("good", 0.78),
    ("fair", 0.66),
    ("weak", 0.5),
    ("other", -1.0),
)
LEVELS: dict[str, tuple[str, ...]] = {
    "name": tuple(name for name, _ in NAME_BANDS),
    "birth_date": ("exact", "compatible", "close", "incompatible", "missing"),
    "nationality": ("shared", "disjoint", "missing"),
    "sex": ("same", "different", "missing"),
    "identifier": ("shared", "different", "missing"),
}
MISSING = "missing"
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def normalise_identifier(number: str) -> str:
    """Document numbers compared as upper-case letters and digits ('ab-123 4' = 'AB1234')."""
    return _NOT_ALNUM.sub("", number.upper())


@dataclass(frozen=True, slots=True)
class Subject:
    """A person record as linking reads it."""

    record_id: int
    names: tuple[str, ...]  # primary first, then aliases
    birth_date: str | None = None  # "1980", "1980-05" or "1980-05-17"
    nationalities: tuple[str, ...] = ()
    sex: str | None = None  # "M" | "F"; anything else is unknown
    identifiers: frozenset[str] = frozenset()  # normalised document numbers
    owner_org_id: int = 0


@dataclass(frozen=True, slots=True)
class Contribution:
    feature: str  # "prior" or one of FEATURES
    level: str
    weight: float  # log2 Bayes factor (the prior: log2 of the prior odds)
    detail: Phrase | str  # what was found: a phrase, or data shown as it is ("FR", "M")

    @property
    def message(self) -> str:
        """The detail in English: a `Msg` (translated where it is shown), or the data."""
        return self.detail.message() if isinstance(self.detail, Phrase) else self.detail

    def as_dict(self) -> dict[str, Any]:
        """As stored with a link: the English `detail`, and its message in `detail_text`
        (`i18n.parts_data`), from which `shown_explanation` gives it in the reader's language."""
        message = self.message
        body: dict[str, Any] = {
            "feature": self.feature,
            "level": self.level,
            "weight": round(self.weight, 4),
            "detail": str(message),
        }
        if isinstance(message, Msg):
            body["detail_text"] = parts_data(message)
        return body


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why two records may be one person: the contributions add up to the match weight."""

    left_id: int
    right_id: int
    contributions: tuple[Contribution, ...]
    name_score: float
    tokens: tuple[TokenMatch, ...] = ()

    @property
    def match_weight(self) -> float:
        return math.fsum(c.weight for c in self.contributions)

    @property
    def probability(self) -> float:
        return probability_of(self.match_weight)

    def level(self, feature: str) -> str:
        return next(c.level for c in self.contributions if c.feature == feature)

    def as_dict(self) -> dict[str, Any]:
        return {
            "left_id": self.left_id,
            "right_id": self.right_id,
            "match_weight": round(self.match_weight, 4),
            "probability": round(self.probability, 6),
            "name_score": round(self.name_score, 4),
            "contributions": [c.as_dict() for c in self.contributions],
            "tokens": [
                {
                    "left": t.query,
                    "right": t.candidate,
                    "how": t.how,
                    "similarity": round(t.similarity, 4),
                }
                for t in self.tokens
            ],
        }


def shown_explanation(body: dict[str, Any]) -> dict[str, Any]:
    """An explanation as `Explanation.as_dict` gives it (or as a link stored it), with each
    contribution's detail in the reader's language, for the API and the pages. A detail
    stored without its message (links stored before messages were kept) or that is data is
    shown as stored."""
    shown = dict(body)
    shown["contributions"] = [
        {
            **{k: v for k, v in c.items() if k != "detail_text"},
            "detail": in_language(c["detail"], c.get("detail_text")),
        }
        for c in body.get("contributions", ())
    ]
    return shown


def probability_of(weight: float) -> float:
    if weight > 60:
        return 1.0
    odds = 2.0**weight
    return float(odds / (1.0 + odds))


@dataclass(frozen=True, slots=True)
class Weights:
    """m and u per feature level, the prior probability that two records match, and the
    match weight from which a pair is suggested as a link."""

    m: dict[str, dict[str, float]]
    u: dict[str, dict[str, float]]
    prior: float
    threshold: float
    source: str = ""

    def weight(self, feature: str, level: str) -> float:
        if level == MISSING:
            return 0.0  # unknown on a side says nothing either way
        return math.log2(self.m[feature][level] / self.u[feature][level])

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1.0 - self.prior))

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "prior": self.prior,
            "threshold": self.threshold,
            "m": self.m,
            "u": self.u,
        }

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> Weights:
        return cls(
            m=body["m"],
            u=body["u"],
            prior=float(body["prior"]),
            threshold=float(body["threshold"]),
            source=body.get("source", ""),
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_dict(), indent=1, sort_keys=True) + "\n")


@lru_cache(maxsize=4)
def load_weights(path: Path = WEIGHTS_PATH) -> Weights:
    return Weights.from_dict(json.loads(path.read_text()))


_TokenKey = tuple[str, bool]


def _token_pair(a: Token, b: Token) -> tuple[str, bool, str, bool]:
    """What makes a token: its text (which implies its script) and whether it is part of a
    Chinese name written unspaced (which reads it differently)."""
    return a.text, a.native_name, b.text, b.native_name


def _bulk_spelled(a: Token, b: Token) -> bool:
    """Whether `spelling_similarity` compares these tokens through `spelling_similarities`
    (so that one bulk call gives the very same number); two plain Latin tokens it compares
    directly, cheaply."""
    return a.script is not b.script or a.script in ABJADS or len(a.spellings) + len(b.spellings) > 2


class _RememberingAnalyzer(NameAnalyzer):
    """The analyser, remembering each whole name: a run reads a record's names in every
    pair it is in, and pairs come in no order that would keep a small cache warm. The
    blocking of a full run analyses every name first, so workers forked after it inherit
    them all."""

    NAME_LIMIT = 4_000_000  # names: a store of a million records holds ~1.5 million

    def __init__(self) -> None:
        super().__init__()
        self._names: dict[str, tuple[Token, ...]] = {}

    def analyze(self, name: str) -> tuple[Token, ...]:
        found = self._names.get(name)
        if found is None:
            if len(self._names) >= self.NAME_LIMIT:
                self._names.clear()
            found = self._names[name] = super().analyze(name)
        return found


class LinkMatcher(PersonMatcher):
    """The screening matcher with caches fit for scoring many pairs: each name is analysed
    and prepared once, and token similarities are shared by every pair (a run compares the
    same tokens again and again). Caches change speed, never a score."""

    CACHE_LIMIT = 500_000  # token pairs and pairs of name lists
    NAME_LIMIT = _RememberingAnalyzer.NAME_LIMIT  # names and lists of names

    def __init__(self) -> None:
        super().__init__(analyzer=_RememberingAnalyzer())
        self._shared: dict[tuple[str, bool, str, bool], TokenMatch] = {}
        self._prepared: dict[str, PreparedQuery] = {}
        self._names: dict[tuple[str, ...], list[tuple[Token, ...]]] = {}
        self._compared: dict[
            tuple[tuple[str, ...], tuple[str, ...]], tuple[float, tuple[TokenMatch, ...]]
        ] = {}

    def token_match(self, query: PreparedQuery, index: int, other: Token) -> TokenMatch:
        if _article_stripped(query.tokens, index, other) is not None:
            # after a split 'al' the token also meets the Latin one without its article: a
            # match of this name alone, not to be shared with names where no 'al' precedes
            return super().token_match(query, index, other)
        found = self._shared.get(_token_pair(query.tokens[index], other))
        if found is None:
            found = super().token_match(query, index, other)
            if len(self._shared) >= self.CACHE_LIMIT:
                self._shared.clear()
            self._shared[_token_pair(query.tokens[index], other)] = found
        return found

    def prime_names(self, pairs: Iterable[tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
        """Compute at once every token similarity that comparing these pairs of name lists
        will read (both ways round): one `spelling_similarities` call per distinct token,
        against every token it will meet. The matcher's own `_token_match` makes each
        result, so a primed comparison is the comparison."""
        todo: dict[_TokenKey, tuple[Token, dict[_TokenKey, Token]]] = {}
        for first, second in pairs:
            if (first, second) in self._compared:  # compared already: reads no token
                continue
            ours, theirs = self.name_tokens(first), self.name_tokens(second)
            readings = [(a, b) for a in ours for b in theirs]
            # `b` is read as the query too where the names have different numbers of parts
            readings += [
                (b, a) for b in theirs if any(len(a) != len(b) for a in ours) for a in ours
            ]
            for query_tokens, other_tokens in readings:
                for x in query_tokens:
                    for y in other_tokens:
                        key = _token_pair(x, y)
                        if (
                            key not in self._shared
                            and _needs_spellings(x, y)
                            and _bulk_spelled(x, y)
                        ):
                            todo.setdefault(key[:2], (x, {}))[1][key[2:]] = y
        if len(self._shared) + sum(len(o) for _, o in todo.values()) >= self.CACHE_LIMIT:
            self._shared.clear()
        for token, others in todo.values():
            found = list(others.values())
            for met, similarity in zip(found, spelling_similarities(token, found), strict=True):
                self._shared[_token_pair(token, met)] = self._token_match(token, met, similarity)

    def prepared(self, name: str) -> PreparedQuery:
        found = self._prepared.get(name)
        if found is None:
            if len(self._prepared) >= self.NAME_LIMIT:
                self._prepared.clear()
            found = self._prepared[name] = self.prepare(MatcherQuery(name))
        return found

    def name_tokens(self, names: tuple[str, ...]) -> list[tuple[Token, ...]]:
        found = self._names.get(names)
        if found is None:
            if len(self._names) >= self.NAME_LIMIT:
                self._names.clear()
            found = self._names[names] = [t for t in map(self.analyzer.analyze, names) if t]
        return found

    def prime_pairs(self, subject: Subject, others: Iterable[Subject]) -> None:
        """Compute at once (one rapidfuzz call per token kind) every token similarity that
        comparing `subject` with each of `others` will read."""
        candidates = [Candidate(tuple(self.name_tokens(o.names)), None, (), None) for o in others]
        for name in subject.names:
            prepared = self.prepared(name)
            if prepared.tokens:
                self.prime(prepared, candidates)


@lru_cache(maxsize=1)
def default_matcher() -> LinkMatcher:
    return LinkMatcher()


# --- features -------------------------------------------------------------------------------


def name_comparison(
    a: Subject, b: Subject, matcher: PersonMatcher | None = None
) -> tuple[float, tuple[TokenMatch, ...]]:
    """The matcher's best name score between any name of `a` (read as a query) and `b`'s
    names, with the token alignment that gave it. Where the two names have different numbers
    of parts, `b` is read as the query too and the better reading kept: the matcher charges
    a query's extra name parts more than a candidate's, so 'Youssef El Amrani' against
    'يوسف العمراني' is a fair match one way and a strong one the other."""
    matcher = matcher if isinstance(matcher, LinkMatcher) else default_matcher()
    if not a.names or not b.names:
        return 0.0, ()
    # the result depends on the two lists of names alone: names repeat across records, so
    # a run compares each distinct pair once
    key = (a.names, b.names)
    found = matcher._compared.get(key)
    if found is None:
        found = _name_comparison(a.names, b.names, matcher)
        if len(matcher._compared) >= matcher.CACHE_LIMIT:
            matcher._compared.clear()
        matcher._compared[key] = found
    return found


def _name_comparison(
    first: tuple[str, ...], second: tuple[str, ...], matcher: LinkMatcher
) -> tuple[float, tuple[TokenMatch, ...]]:
    best: float = 0.0
    tokens: tuple[TokenMatch, ...] = ()
    theirs, ours = matcher.name_tokens(second), matcher.name_tokens(first)
    for name in first:
        prepared = matcher.prepared(name)
        for names in theirs:
            found = matcher.name_score(prepared, names)
            if found.score > best:
                best, tokens = found.score, found.tokens
    for name in second:
        prepared = matcher.prepared(name)
        if not prepared.tokens or all(len(t) == len(prepared.tokens) for t in ours):
            continue
        for names in ours:
            found = matcher.name_score(prepared, names)
            if found.score > best:  # explained from a's side
                best = found.score
                tokens = tuple(
                    replace(t, query=t.candidate or "", candidate=t.query) for t in found.tokens
                )
    return best, tokens


def name_level(score: float) -> str:
    return next(level for level, floor in NAME_BANDS if score >= floor)


# What each feature found, in words: made into messages only when explained (with the
# screening matcher's NOT_KNOWN, TRANSPOSED and AGAINST).
_OTHER_MONTH_OR_DAY = Phrase(N_("same year, other month or day"), {})
_YEAR_APART = Phrase(N_("years one apart, same day"), {})
_NO_DOCUMENT = Phrase(N_("no document number on one side"), {})
_NO_DOCUMENT_SHARED = Phrase(N_("documents on both sides, none in common"), {})


def birth_level(a: str | None, b: str | None) -> tuple[str, Phrase]:
    first, second = PartialDate.parse(a), PartialDate.parse(b)
    if first is None or second is None:
        return MISSING, NOT_KNOWN
    if first == second and first.day:
        return "exact", Phrase(N_("both %(a)s"), {"a": a})
    known = [
        (x, y)
        for x, y in (
            (first.year, second.year),
            (first.month, second.month),
            (first.day, second.day),
        )
        if x and y
    ]
    if all(x == y for x, y in known):
        return "compatible", Phrase(
            N_("%(a)s and %(b)s agree as far as both are known"), {"a": a, "b": b}
        )
    if first.year == second.year:
        if (first.month, first.day) == (second.day, second.month):
            return "close", TRANSPOSED
        return "close", _OTHER_MONTH_OR_DAY
    if abs(first.year - second.year) == 1 and (first.month, first.day) == (
        second.month,
        second.day,
    ):
        return "close", _YEAR_APART
    return "incompatible", Phrase(AGAINST, {"a": a, "b": b})


def nationality_level(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, Phrase | str]:
    if not a or not b:
        return MISSING, NOT_KNOWN
    shared = sorted(set(a) & set(b))
    if shared:
        return "shared", ", ".join(shared)
    return "disjoint", Phrase(AGAINST, {"a": ", ".join(a), "b": ", ".join(b)})


def sex_level(a: str | None, b: str | None) -> tuple[str, Phrase | str]:
    if a not in ("M", "F") or b not in ("M", "F"):
        return MISSING, NOT_KNOWN
    return ("same", a) if a == b else ("different", Phrase(AGAINST, {"a": a, "b": b}))


def identifier_level(a: frozenset[str], b: frozenset[str]) -> tuple[str, Phrase]:
    if not a or not b:
        return MISSING, _NO_DOCUMENT
    shared = sorted(a & b)
    if shared:
        return "shared", Phrase(N_("document %(number)s on both"), {"number": shared[0]})
    return "different", _NO_DOCUMENT_SHARED


def levels_of(
    a: Subject, b: Subject, matcher: PersonMatcher | None = None
) -> tuple[dict[str, tuple[str, Phrase | str]], float, tuple[TokenMatch, ...]]:
    """Each feature's (level, detail), the name score and its token alignment."""
    score, tokens = name_comparison(a, b, matcher)
    agreed = sum(t.agreement >= 0.5 for t in tokens)
    levels = {
        "name": (
            name_level(score),
            Phrase(
                N_("name score %(score)s; %(agreed)s of %(parts)s name parts agree"),
                {"score": f"{score:.2f}", "agreed": agreed, "parts": len(tokens)},
            ),
        ),
        "birth_date": birth_level(a.birth_date, b.birth_date),
        "nationality": nationality_level(a.nationalities, b.nationalities),
        "sex": sex_level(a.sex, b.sex),
        "identifier": identifier_level(a.identifiers, b.identifiers),
    }
    return levels, score, tokens


def compare(
    a: Subject, b: Subject, weights: Weights | None = None, matcher: PersonMatcher | None = None
) -> Explanation:
    """The one score of a pair of person records, with its explanation."""
    weights = weights or load_weights()
    if b.record_id < a.record_id:
        a, b = b, a
    levels, score, tokens = levels_of(a, b, matcher)
    contributions = [
        Contribution(
            "prior",
            "prior",
            weights.prior_weight,
            Phrase(N_("prior probability %(prior)s of a match"), {"prior": f"{weights.prior:.2g}"}),
        )
    ]
    contributions += [
        Contribution(feature, level, weights.weight(feature, level), detail)
        for feature, (level, detail) in levels.items()
    ]
    return Explanation(a.record_id, b.record_id, tuple(contributions), score, tokens)


# --- estimation -----------------------------------------------------------------------------


@dataclass
class LevelCounts:
    """How often each level occurs among matching and non-matching labelled pairs."""

    matches: dict[str, Counter[str]] = field(
        default_factory=lambda: {f: Counter() for f in FEATURES}
    )
    non_matches: dict[str, Counter[str]] = field(
        default_factory=lambda: {f: Counter() for f in FEATURES}
    )

    def add(self, levels: dict[str, str], is_match: bool) -> None:
        side = self.matches if is_match else self.non_matches
        for feature, level in levels.items():
            side[feature][level] += 1


def _probabilities(counts: Counter[str], feature: str) -> dict[str, float]:
    """Observed level shares among known values, with add-one smoothing (a level never seen
    in training must not weigh infinitely)."""
    known = [level for level in LEVELS[feature] if level != MISSING]
    total = sum(counts[level] for level in known) + len(known)
    return {level: (counts[level] + 1) / total for level in known}


def estimate(counts: LevelCounts, prior: float, threshold: float, source: str) -> Weights:
    return Weights(
        m={f: _probabilities(counts.matches[f], f) for f in FEATURES},
        u={f: _probabilities(counts.non_matches[f], f) for f in FEATURES},
        prior=prior,
        threshold=threshold,
        source=source,
    )


def weight_of_levels(weights: Weights, levels: dict[str, str]) -> float:
    return weights.prior_weight + math.fsum(weights.weight(f, lv) for f, lv in levels.items())


def best_threshold(scored: Iterable[tuple[float, bool]]) -> float:
    """The match weight maximising pairwise F1 over labelled scored pairs."""
    ranked = sorted(scored, key=lambda pair: -pair[0])
    positives = sum(is_match for _, is_match in ranked)
    best, cut, found = -1.0, 0.0, 0
    for rank, (weight, is_match) in enumerate(ranked, start=1):
        found += is_match
        f1 = 2 * found / (rank + positives) if positives else 0.0
        if f1 > best:
            best, cut = f1, weight
    return cut
