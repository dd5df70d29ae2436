"""The in-memory person index: candidate generation over name tokens, then exact scoring.

Layout. Every distinct token ("form": 'smith', 'александр', '小明') is stored once, with its
best Latin spelling, a posting list of the persons using it, and blocking keys: the
consonant skeletons of its best spellings (exact keys) and their one-deletion variants
(fuzzy keys). Persons live in slots: numpy columns for birth date, sex, visibility class,
owner and their distinct forms, plus their names as tuples of form ids. A removed person
frees its slot and leaves every posting list at once, so updates stay cheap (the service
applies the database change stream through `upsert` and `remove`).

Search. For each query token, the exact keys of all its spellings give candidate forms,
compared in bulk with the token (rapidfuzz, the matcher's similarity and ramps); only when
none is close do the fuzzy keys add more. Each person gets an optimistic coarse score: the
best name score the matcher could give if every query token agreed with the person as much
as its best agreement with any of the person's forms, plus the most the qualifiers can add.
Persons are nominated only through forms agreeing enough that a person below all of them
could not reach `min_score` (prefix filtering, with thresholds chosen per query token by the
number of persons they nominate), first for a high goal and then for the worst of the
`candidates` best found. Persons the caller may not see are dropped there, before any
scoring; the best `candidates` reaching `min_score` are scored exactly by `PersonMatcher`,
with an explanation. The coarse score bounds the exact one from above for Latin-script
records; for a record written in another script it reads the form's best few spellings of
the twenty the matcher tries (MORE_SPELLINGS), and names matched only when run together or
through initials alone are not nominated.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from interlink.core.access import Visibility
from interlink.screening.names import (
    ABJADS,
    Script,
    Token,
    blocking_keys,
    consonants,
    deletions,
    skeleton,
)
from interlink.screening.person_matcher import (
    ABJAD_WEIGHT,
    SOUND_WEIGHT,
    Candidate,
    MatchConfig,
    MatchResult,
    PartialDate,
    PersonEntry,
    PersonMatcher,
    PersonQuery,
    PreparedQuery,
    SpellingForms,
    column_best,
    forms_similarities,
    says_enough,
    spelling_forms,
)

__all__ = ["PersonEntry", "PersonHit", "PersonIndex", "PersonQuery"]

_FREE = 0  # visibility class of an empty slot: admitted to nobody
_SEX_CODES = {"M": 1, "F": 2}
_SEX_NAMES = {1: "M", 2: "F"}
_SCRIPTS = list(Script)
_ABJAD_CODES = np.array([_SCRIPTS.index(script) for script in ABJADS], np.int8)
_EMPTY = (np.zeros(0, np.int64), np.zeros(0, np.float32))
SIMILAR_CACHE = 100_000
# Across scripts, how many spellings of a native form after its best one the candidate bound
# reads (the matcher reads twenty; docs/benchmarks.md has the cost of each choice).
MORE_SPELLINGS = 6
# and how many of the query token's spellings (best first) are compared with those
MORE_QUERY_SPELLINGS = 5
SLOT_FORMS = 8  # distinct name tokens kept per person in a column (more: rare)
# Pads a slot's form row; as an index it reads the last entry of an agreement table, which
# is one longer than the form capacity and so always 0.
_NO_FORM = -1
_NOBODY = float("inf")  # the threshold of a token that nominates nobody
FIRST_GOAL = 0.75  # name bound asked of the first round of candidate generation
FIRST_ROUND_BELOW = 0.6  # done for goals below this only: a higher one prunes enough alone
REFINED = 4  # times the candidates, re-read in full across scripts (`_refined`)
_PLANNED_TOKENS = 5  # longer queries let every token nominate


@dataclass(frozen=True, slots=True)
class PersonHit:
    record_id: int
    owner_org_id: int
    score: float
    decision: bool  # score >= threshold
    explanation: MatchResult

    def explanation_dict(self) -> dict[str, Any]:
        return self.explanation.as_dict()


@dataclass(frozen=True, slots=True)
class _Similar:
    """Stored forms agreeing with a query token (more than 0), best first."""

    forms: np.ndarray
    agreements: np.ndarray
    volumes: np.ndarray  # persons holding the forms up to each one (when looked up)

    def count(self, least: float) -> int:
        """How many of the forms agree at least `least`."""
        return len(self.agreements) - int(np.searchsorted(self.agreements[::-1], least))

    def volume(self, least: float) -> int:
        count = self.count(least)
        return int(self.volumes[count - 1]) if count else 0


def _name_bounds(
    agreements: list[np.ndarray], weights: list[float], missing_weight: float, kept: np.ndarray
) -> np.ndarray:
    """Per slot, given each query token's best agreement (one array per token), the most
    `PersonMatcher` can score the name: its weighted mean over the tokens it aligns, where
    a token left without counterpart weighs only `missing_weight` of its weight (so leaving
    out the least agreeing tokens can raise the score: "John Michael Smith" against "John
    Smith" is 0.8, not 2/3). The best tokens to keep are always the most agreeing ones, so
    the tokens are sorted per slot (a sorting network over whole columns: numpy sorts short
    rows slowly) and every prefix tried. The matcher aligns as many tokens as the name has,
    so when every token weighs the same, prefixes shorter than `kept` (per slot: the
    query's or the person's shortest name's token count) are not tried; with particles
    the top tokens by agreement need not be the best ones of a given count, so all are."""
    values = [a.copy() for a in agreements]
    equal_weights = len(set(weights)) == 1
    if equal_weights:  # the weights need not travel with the values
        sizes: list[np.ndarray | float] = list(weights)
        for i in range(len(values)):
            for j in range(len(values) - 1, i, -1):
                low = np.minimum(values[j - 1], values[j])
                np.maximum(values[j - 1], values[j], out=values[j - 1])
                values[j] = low
    else:
        sizes = [np.full(len(values[0]), w, np.float32) for w in weights]
        for i in range(len(values)):
            for j in range(len(values) - 1, i, -1):
                swap = values[j] > values[j - 1]
                values[j - 1], values[j] = (
                    np.where(swap, values[j], values[j - 1]),
                    np.where(swap, values[j - 1], values[j]),
                )
                sizes[j - 1], sizes[j] = (
                    np.where(swap, sizes[j], sizes[j - 1]),
                    np.where(swap, sizes[j - 1], sizes[j]),
                )
    total = sum(weights)
    kept_sum = np.zeros(len(values[0]), np.float32)
    kept_weight: np.ndarray | float = 0.0
    best = np.zeros(len(values[0]), np.float32)
    for count, (value, size) in enumerate(zip(values, sizes, strict=True), start=1):
        kept_sum += value * size
        kept_weight = kept_weight + size
        score = kept_sum / (kept_weight + missing_weight * (total - kept_weight))
        if equal_weights:  # see above
            score[kept > count] = 0.0
        np.maximum(best, score, out=best)
    return best


def _nominating_thresholds(
    similar: list[_Similar | None],
    weights: list[float],
    cfg: MatchConfig,
    goal: float,
    missing: float,
) -> list[float]:
    """Per query token, how much a form must agree with it to nominate its persons, such
    that a person below every threshold has a name bound (`_name_bounds`) under `goal`.

    Some tokens may nominate nobody ("silent", as a token as common as "Doe" should): they
    then count as agreeing fully, and the others share the rest evenly. With e the weight
    of a missing token, a set S of the tokens kept scores sum(w a)/(e W + (1 - e) w(S)), so
    it stays under the goal g when sum over S of w (a - g (1 - e)) <= g e W: the silent
    tokens and initials use up D = sum w max(0, a - g (1 - e)) of that (a silent split is
    allowed while D <= g e W), and the nominating tokens P then need
    t = (g e W + g (1 - e) w(P) - D) / w(P). Of the allowed splits, the one nominating the
    fewest persons."""
    total = sum(weights)
    price = goal * (1.0 - missing)  # what a kept token must agree to pay for its weight
    searched = [i for i, found in enumerate(similar) if found is not None]
    initials = sum(
        max(0.0, w * (cfg.initial_similarity - price))
        for w, found in zip(weights, similar, strict=True)
        if found is None
    )
    everyone = 2 ** len(searched) - 1
    masks = range(1, everyone + 1) if len(searched) <= _PLANNED_TOKENS else [everyone]
    best: tuple[int, list[float]] | None = None
    for mask in masks:
        nominating = [i for j, i in enumerate(searched) if mask >> j & 1]
        used = initials + sum(
            max(0.0, weights[i] * (1.0 - price))
            for j, i in enumerate(searched)
            if not mask >> j & 1
        )
        if mask != everyone and used > goal * missing * total:
            continue  # the silent tokens alone could reach the goal
        weight = sum(weights[i] for i in nominating)
        least = (goal * missing * total + price * weight - used) / weight
        # nominating tokens are searched ones: their `similar` is never None
        volume = sum(found.volume(least) for i in nominating if (found := similar[i]) is not None)
        if best is None or volume < best[0]:
            best = volume, [least if i in nominating else _NOBODY for i in range(len(similar))]
    assert best is not None
    return best[1]


class _Columns:
    """Per-slot numpy columns, grown by doubling."""

    def __init__(self, capacity: int) -> None:
        self.record_ids = np.zeros(capacity, np.int64)
        self.owners = np.zeros(capacity, np.int32)
        self.births = np.zeros(capacity, np.int32)  # PartialDate.encode(), 0: unknown
        self.sexes = np.zeros(capacity, np.int8)
        self.classes = np.zeros(capacity, np.int32)  # visibility class, _FREE: empty slot
        self.shortest = np.zeros(capacity, np.int8)  # tokens in the person's shortest name
        # the distinct forms of all the slot's names, padded with _NO_FORM, one row per
        # position (numpy reduces across rows far faster than along short ones); a slot with
        # more than SLOT_FORMS ("crowded", rare) keeps none here: it is read from its names
        self.forms = np.full((SLOT_FORMS, capacity), _NO_FORM, np.int32)

    def grow(self) -> None:
        for name, column in vars(self).items():
            capacity = column.shape[-1]
            grown = np.full(
                (*column.shape[:-1], capacity * 2), _NO_FORM if name == "forms" else 0, column.dtype
            )
            grown[..., :capacity] = column
            setattr(self, name, grown)


class PersonIndex:
    """Persons by name, filtered by the caller's visibility before anything is scored.

    `index_spellings`: how many spellings of each stored token get blocking keys (and
    fuzzy keys); `native_index_spellings`: how many readings of a token in another script
    than Latin get exact keys; `whole_native_readings`: a query token of one spelling is
    compared with native forms as the matcher compares them (all readings), not through
    their best ones;
    `fuzzy_below`: when no stored token is at least this similar to a query token, the
    fuzzy keys are probed too; `candidates`: at most this many persons (or twice the limit)
    are scored exactly per search; `min_score`: results below it are not returned."""

    def __init__(
        self,
        matcher: PersonMatcher | None = None,
        *,
        index_spellings: int = 3,
        native_index_spellings: int = 20,
        whole_native_readings: bool = True,
        fuzzy_below: float = 0.75,
        candidates: int = 20,
        min_score: float = 0.55,
    ) -> None:
        self.matcher = matcher or PersonMatcher()
        self.index_spellings = index_spellings
        self.native_index_spellings = native_index_spellings
        self.whole_native_readings = whole_native_readings
        self.fuzzy_below = fuzzy_below
        self.candidates = candidates
        self.min_score = min_score
        self._lock = threading.RLock()
        # token forms
        self._forms: list[Token] = []
        self._form_ids: dict[str, int] = {}
        self._best_spellings = np.empty(1024, object)  # forms' best spellings, for bulk use
        # and the next few of a native form, read across scripts: per form a run of
        # entries (`_more_starts`, `_more_counts`) in two flat columns, the spellings as ids
        # into _more_texts (forms share readings: each distinct one is compared once) and
        # their confidences
        self._more_texts = np.empty(1024, object)
        self._more_text_ids: dict[str, int] = {}
        self._more_ids = np.zeros(1024, np.int32)
        self._more_confidences = np.zeros(1024, np.float64)
        self._more_used = 0
        self._more_starts = np.zeros(1024, np.int64)
        self._more_counts = np.zeros(1024, np.int32)
        self._more_marks = np.zeros(0, np.int64)  # scratch for `_distinct` over the texts
        # and their sound skeletons, as ids into _skeletons: far fewer, compared once each
        self._best_skeletons = np.zeros(1024, np.int32)
        self._skeletons: list[str] = []
        self._skeleton_ids: dict[str, int] = {}
        self._skeleton_marks = np.zeros(0, np.int64)  # scratch for `_distinct` over them
        self._best_consonants = np.empty(1024, object)  # and consonants (abjad comparisons)
        self._consonants_say_enough = np.zeros(1024, bool)  # `says_enough` of those
        self._form_scripts = np.zeros(1024, np.int8)  # index into _SCRIPTS
        self._form_persons = np.zeros(1024, np.int32)  # persons holding each form
        self._whole_forms: dict[int, SpellingForms] = {}  # read whole (`_spelling_forms_of`)
        self._postings: list[array[int]] = []
        self._keys: dict[str, array[int]] = {}
        self._fuzzy_keys: dict[str, array[int]] = {}
        # person slots
        self._slot_of: dict[int, int] = {}
        self._free: list[int] = []
        self._names: list[tuple[tuple[int, ...], ...]] = []
        self._nationalities: list[tuple[str, ...]] = []
        self._interned: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._columns = _Columns(1024)
        self._scratch: list[np.ndarray] = []  # per query token: agreement per form
        self._slot_marks = np.zeros(0, np.int64)  # scratch for `_distinct` over slots
        self._form_marks = np.zeros(0, np.int64)  # and over forms
        self._form_flags = np.zeros(0, bool)  # scratch: some forms marked (`_refined`)
        self._ramps: dict[Script, np.ndarray] = {}  # query script -> (floor, ceiling) by script
        # query token -> similar forms and their agreements (see _similar_to)
        self._similar: dict[tuple[str, Script], _Similar] = {}
        # visibility classes (interned Visibility values) and per-country admission masks
        self._visibilities: list[Visibility | None] = [None]
        self._class_of: dict[Visibility, int] = {}
        self._admitted: dict[str | None, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._slot_of)

    # --- writes ----------------------------------------------------------------------------

    def bulk_load(self, entries: Iterable[PersonEntry]) -> None:
        for entry in entries:
            self.upsert(entry)

    def upsert(self, entry: PersonEntry) -> None:
        """Add or replace a record."""
        analyze = self.matcher.analyzer.analyze
        with self._lock:
            names = tuple(tuple(self._form_id(t) for t in analyze(n)) for n in entry.names)
            self.remove(entry.record_id)
            slot = self._take_slot()
            self._slot_of[entry.record_id] = slot
            self._names[slot] = names
            nationalities = tuple(sorted({c.upper() for c in entry.nationalities}))
            self._nationalities[slot] = self._interned.setdefault(nationalities, nationalities)
            birth = PartialDate.parse(entry.birth_date)
            columns = self._columns
            columns.record_ids[slot] = entry.record_id
            columns.owners[slot] = entry.owner_org_id
            columns.births[slot] = birth.encode() if birth else 0
            columns.sexes[slot] = _SEX_CODES.get((entry.sex or "").upper(), 0)
            columns.classes[slot] = self._visibility_class(entry.visibility)
            columns.shortest[slot] = min((len(n) for n in names if n), default=0)
            forms = sorted({f for name in names for f in name})
            if len(forms) <= SLOT_FORMS:
                columns.forms[: len(forms), slot] = forms
            for form in forms:
                self._postings[form].append(slot)
            self._form_persons[forms] += 1

    def remove(self, record_id: int) -> None:
        """Drop a record; unknown ids are ignored (the change stream may repeat itself)."""
        with self._lock:
            slot = self._slot_of.pop(record_id, None)
            if slot is None:
                return
            self._columns.classes[slot] = _FREE
            self._columns.forms[:, slot] = _NO_FORM
            forms = list({f for name in self._names[slot] for f in name})
            for form in forms:
                self._postings[form].remove(slot)
            self._form_persons[forms] -= 1
            self._names[slot] = ()
            self._nationalities[slot] = ()
            self._free.append(slot)

    def _take_slot(self) -> int:
        if self._free:
            return self._free.pop()
        slot = len(self._names)
        if slot == len(self._columns.record_ids):
            self._columns.grow()
        self._names.append(())
        self._nationalities.append(())
        return slot

    def _form_id(self, token: Token) -> int:
        found = self._form_ids.get(token.text)
        if found is not None:
            return found
        form = self._form_ids[token.text] = len(self._forms)
        self._forms.append(token)
        self._similar.clear()
        self._postings.append(array("i"))
        if form == len(self._best_spellings):
            self._best_spellings = np.concatenate([self._best_spellings, np.empty(form, object)])
            self._best_skeletons = np.concatenate([self._best_skeletons, np.zeros(form, np.int32)])
            self._best_consonants = np.concatenate([self._best_consonants, np.empty(form, object)])
            self._consonants_say_enough = np.concatenate(
                [self._consonants_say_enough, np.zeros(form, bool)]
            )
            self._form_scripts = np.concatenate([self._form_scripts, np.zeros(form, np.int8)])
            self._form_persons = np.concatenate([self._form_persons, np.zeros(form, np.int32)])
            self._more_starts = np.concatenate([self._more_starts, np.zeros(form, np.int64)])
            self._more_counts = np.concatenate([self._more_counts, np.zeros(form, np.int32)])
        self._best_spellings[form] = token.latin
        self._add_more_spellings(
            form, token.spellings[1 : MORE_SPELLINGS + 1], token.confidences[1 : MORE_SPELLINGS + 1]
        )
        sound = skeleton(token.latin)
        if sound not in self._skeleton_ids:
            self._skeleton_ids[sound] = len(self._skeletons)
            self._skeletons.append(sound)
        self._best_skeletons[form] = self._skeleton_ids[sound]
        self._best_consonants[form] = consonants(token.latin)
        self._consonants_say_enough[form] = says_enough(self._best_consonants[form])
        self._form_scripts[form] = _SCRIPTS.index(token.script)
        # Exact keys of a native form from more of its readings: a Latin query meets it
        # through any of them, as a native query meets Latin forms through all of its own
        # ('mwinyi' is the fifth reading of مويني). Fuzzy keys from the best readings only.
        best = blocking_keys(token, self.index_spellings)
        native = token.script is not Script.LATIN
        for key in blocking_keys(token, self.native_index_spellings) if native else best:
            self._keys.setdefault(key, array("i")).append(form)
        for key in best:
            for variant in deletions(key):
                self._fuzzy_keys.setdefault(variant, array("i")).append(form)
        return form

    def _add_more_spellings(
        self, form: int, spellings: tuple[str, ...], confidences: tuple[float, ...]
    ) -> None:
        start, end = self._more_used, self._more_used + len(spellings)
        while end > len(self._more_ids):
            grown = len(self._more_ids)
            self._more_ids = np.concatenate([self._more_ids, np.zeros(grown, np.int32)])
            self._more_confidences = np.concatenate(
                [self._more_confidences, np.zeros(grown, np.float64)]
            )
        for position, text in enumerate(spellings, start):
            found = self._more_text_ids.get(text)
            if found is None:
                found = self._more_text_ids[text] = len(self._more_text_ids)
                if found == len(self._more_texts):
                    self._more_texts = np.concatenate([self._more_texts, np.empty(found, object)])
                self._more_texts[found] = text
            self._more_ids[position] = found
        self._more_confidences[start:end] = confidences
        self._more_starts[form], self._more_counts[form] = start, len(spellings)
        self._more_used = end

    def _visibility_class(self, visibility: Visibility) -> int:
        found = self._class_of.get(visibility)
        if found is None:
            found = self._class_of[visibility] = len(self._visibilities)
            self._visibilities.append(visibility)
            self._admitted.clear()
        return found

    def _admission(self, country: str | None) -> np.ndarray:
        """Per visibility class: may a viewer of `country` (None: sees all) see it?"""
        mask = self._admitted.get(country)
        if mask is None:
            mask = np.array(
                [
                    v is not None and (country is None or v.admits(country))
                    for v in self._visibilities
                ],
                dtype=bool,
            )
            self._admitted[country] = mask
        return mask

    # --- search ----------------------------------------------------------------------------

    def search(
        self,
        query: PersonQuery,
        viewer_country: str | None,
        *,
        limit: int = 10,
        threshold: float | None = None,
        viewer_org_id: int | None = None,
        min_score: float | None = None,
    ) -> list[PersonHit]:
        """Best matches the viewer may see, best first, scored at least `min_score` (the
        index's by default; a manifest that only wants decisions passes the threshold, which
        prunes much more). `viewer_country` None sees every record (General Secretariat); a
        viewer always sees the records its own organisation owns (`viewer_org_id`)."""
        prepared = self.matcher.prepare(query)
        if not prepared.tokens:
            return []
        cut = self.matcher.config.threshold if threshold is None else threshold
        floor = self.min_score if min_score is None else min_score
        budget = max(self.candidates, 2 * limit)
        with self._lock:
            slots, coarse = self._candidates(prepared, viewer_country, viewer_org_id, floor, budget)
            slots, coarse = self._refined(prepared, slots, coarse, budget)
            promising = coarse >= floor
            slots, coarse = slots[promising], coarse[promising]
            if len(slots) > budget:
                slots = slots[self._best(prepared, slots, coarse, budget)]
            columns = self._columns
            found = [
                (int(columns.record_ids[slot]), int(columns.owners[slot]), self._candidate(slot))
                for slot in slots.tolist()
            ]
        # scored outside the lock: the candidates are snapshots
        self.matcher.prime(prepared, [candidate for _, _, candidate in found])
        hits = []
        for record_id, owner, candidate in found:
            result = self.matcher.score(prepared, candidate)
            if result.score >= floor:
                hits.append(PersonHit(record_id, owner, result.score, result.score >= cut, result))
        hits.sort(key=lambda h: (-h.score, h.record_id))
        return hits[:limit]

    def _best(
        self, prepared: PreparedQuery, slots: np.ndarray, coarse: np.ndarray, count: int
    ) -> np.ndarray:
        """Positions of the `count` best coarse scores. Persons tied at the cut (common: every
        form reading alike agrees fully) go on by how many of the query's own tokens they
        hold, then by slot, never by the order they were found in: so an exact holder is not
        cut for namesakes spelled otherwise, and the answer does not follow the hash seed."""
        kth = float(np.partition(coarse, len(coarse) - count)[len(coarse) - count])
        above = np.flatnonzero(coarse > kth)
        tied = np.flatnonzero(coarse == kth)
        wanted = count - len(above)
        if len(tied) > wanted:
            tied_slots = slots[tied].astype(np.int64)
            rows = self._columns.forms[:, tied_slots]  # a crowded slot's (none) holds none
            order = tied_slots.copy()  # by slot, less 2**40 per own token held
            for token in prepared.tokens:
                form = self._form_ids.get(token.text)
                if form is not None:
                    order -= (rows == form).any(axis=0).astype(np.int64) << 40
            tied = tied[np.argpartition(order, wanted - 1)[:wanted]]
        return np.concatenate([above, tied])

    def _candidate(self, slot: int) -> Candidate:
        forms, columns = self._forms, self._columns
        return Candidate(
            names=tuple(tuple(forms[f] for f in name) for name in self._names[slot]),
            birth=PartialDate.decode(int(columns.births[slot])),
            nationalities=self._nationalities[slot],
            sex=_SEX_NAMES.get(int(columns.sexes[slot])),
        )

    def _candidates(
        self,
        prepared: PreparedQuery,
        viewer_country: str | None,
        viewer_org_id: int | None,
        floor: float,
        budget: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Visible slots that may reach `floor`, with an optimistic coarse score: the best
        name score the matcher could give the person if each query token agreed as much as
        its best agreement with any of the person's tokens (`_name_bounds`), plus the most
        the qualifiers can add. Every slot among the `budget` best is returned.

        Prefix filtering: only forms agreeing at least their token's threshold nominate
        persons, with thresholds so chosen that a person below all of them cannot reach the
        goal (`_nominating_thresholds`). The nominees are then scored against every similar
        form of every token, read from their rows of form ids.

        Only the `budget` best coarse scores go on to exact scoring, so for a low floor a
        first round asks for persons reaching FIRST_GOAL (few nominate); when `budget` of
        them are found, the worst of those is the goal of the second round, often above the
        floor by far, and when it is at least FIRST_GOAL the first round already holds every
        such person."""
        cfg = self.matcher.config
        similar = self._similar_of(prepared)
        if all(s is None for s in similar):
            return _EMPTY
        self._weigh(prepared, similar)
        weights = list(prepared.weights)
        missing = self.matcher.query_missing_weight(prepared.tokens)
        most = self._qualifier_most(prepared)

        def nominees(goal: float) -> tuple[np.ndarray, np.ndarray]:
            thresholds = _nominating_thresholds(similar, weights, cfg, goal, missing)
            slots = self._nominees(similar, thresholds, viewer_country, viewer_org_id)
            kept = np.minimum(self._columns.shortest[slots], len(weights))
            bounds = _name_bounds(self._best_agreements(slots, similar), weights, missing, kept)
            return slots, bounds + self._qualifier_bound(prepared, slots)

        goal = floor - most
        if goal < FIRST_ROUND_BELOW:
            slots, coarse = nominees(FIRST_GOAL)
            if len(coarse) >= budget:
                worst_kept = float(np.partition(coarse, len(coarse) - budget)[-budget])
                if worst_kept - most >= FIRST_GOAL:
                    return slots, coarse
                goal = max(goal, worst_kept - most)
        return nominees(goal)

    def _refined(
        self, prepared: PreparedQuery, slots: np.ndarray, coarse: np.ndarray, budget: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The REFINED * `budget` best candidates, their coarse scores recomputed with every
        form they hold compared to each query token. Blocking only compares the forms that
        share a key with a token: across scripts a true spelling often shares none
        ('sandford' and the readings of 桑福德), and the person, agreeing through one token
        only, falls behind twenty persons agreeing partly through two. The bound stays a
        bound: the forms added get their real agreement instead of none. A Latin query
        token (one spelling) reads these persons' native forms whole, as the matcher does:
        their best readings alone can put a person the matcher scores 0.74 under the floor
        ('mwinyi' and مويني)."""
        if not len(slots):
            return slots, coarse
        if len(slots) > REFINED * budget:
            top = self._best(prepared, slots, coarse, REFINED * budget)
            slots, coarse = slots[top], coarse[top]
        similar = self._similar_of(prepared)
        rows = self._columns.forms[:, slots]
        held = np.unique(rows[rows != _NO_FORM])
        crowded = [int(s) for s in slots[rows[0] == _NO_FORM].tolist()]
        if crowded:
            held = np.union1d(held, [f for s in crowded for n in self._names[s] for f in n])
        extended: list[_Similar | None] = []
        added = False
        if len(self._form_flags) < len(self._forms):
            self._form_flags = np.zeros(len(self._best_spellings), bool)
        flags = self._form_flags
        for token, found in zip(prepared.tokens, similar, strict=True):
            if found is None or token.is_particle:
                extended.append(found)
                continue
            # across scripts only: within one, blocking keys miss only what does not agree
            across = held[self._form_scripts[held] != _SCRIPTS.index(token.script)]
            # a query token of one spelling reads them all again, whole (`_agreements`);
            # otherwise only those blocking did not find are added
            whole = self.whole_native_readings and len(token.spellings) == 1
            if whole:
                new = across
                keep = ~np.isin(found.forms, across)
                found = _Similar(found.forms[keep], found.agreements[keep], found.volumes)
            else:
                flags[found.forms] = True
                new = across[~flags[across]]
                flags[found.forms] = False
            added |= bool(len(new))
            agreements, _ = self._agreements(
                token, new, self._form_ids.get(token.text), whole=whole
            )
            extended.append(
                _Similar(
                    np.concatenate([found.forms, new]),
                    np.concatenate([found.agreements, agreements]),
                    found.volumes,
                )
            )
        if not added:
            return slots, coarse
        weights = list(prepared.weights)
        missing = self.matcher.query_missing_weight(prepared.tokens)
        kept = np.minimum(self._columns.shortest[slots], len(weights))
        bounds = _name_bounds(self._best_agreements(slots, extended), weights, missing, kept)
        return slots, np.maximum(coarse, bounds + self._qualifier_bound(prepared, slots))

    def _nominees(
        self,
        similar: list[_Similar | None],
        thresholds: list[float],
        viewer_country: str | None,
        viewer_org_id: int | None,
    ) -> np.ndarray:
        """Visible slots holding a form that agrees at least its token's threshold."""
        touched = [
            self._postings_of(found, least)
            for found, least in zip(similar, thresholds, strict=True)
            if found is not None and least != _NOBODY
        ]
        if len(self._slot_marks) < len(self._names):
            self._slot_marks = np.zeros(len(self._columns.record_ids), np.int64)
        slots = _distinct(np.concatenate(touched), self._slot_marks)
        visible = self._admission(viewer_country)[self._columns.classes[slots]]
        if viewer_org_id is not None:
            visible |= self._columns.owners[slots] == viewer_org_id
        seen: np.ndarray = slots[visible]
        return seen

    def _best_agreements(
        self, slots: np.ndarray, similar: list[_Similar | None]
    ) -> list[np.ndarray]:
        """Per query token, per slot: the token's best agreement with any of the person's
        forms (an initial's assumed agreement for initials)."""
        rows = self._columns.forms[:, slots]
        crowded = np.flatnonzero(rows[0] == _NO_FORM).tolist()  # live slots have forms
        found = []
        for position, forms in enumerate(similar):
            if forms is None:
                found.append(
                    np.full(len(slots), self.matcher.config.initial_similarity, np.float32)
                )
                continue
            table = self._agreement_table(position, forms)
            best = table.take(rows[0])
            for row in rows[1:]:
                np.maximum(best, table.take(row), out=best)
            for i in crowded:
                best[i] = table[[f for name in self._names[slots[i]] for f in name]].max()
            table[forms.forms] = 0.0  # back to zeros for the next search
            found.append(best)
        return found

    def _similar_to(self, token: Token) -> _Similar:
        """Stored forms agreeing with the token; kept until a new form appears (tokens
        repeat a lot, within a manifest above all). The volumes are not kept up to date:
        they only guide the choice of thresholds."""
        key = (token.text, token.script)
        found = self._similar.get(key)
        if found is None:
            if len(self._similar) >= SIMILAR_CACHE:
                self._similar.clear()
            forms, agreements = self._similar_forms(token)
            found = self._similar[key] = _Similar(
                forms, agreements, np.cumsum(self._form_persons[forms], dtype=np.int64)
            )
        return found

    def prepare(self, query: PersonQuery) -> PreparedQuery:
        """The query as `search` scores it: analysed, and each token weighed by how common
        it is among the indexed persons (`PersonMatcher.weigh`). With it,
        `matcher.score(index.prepare(query), candidate)` is the score a search reports."""
        prepared = self.matcher.prepare(query)
        with self._lock:
            self._weigh(prepared, self._similar_of(prepared))
        return prepared

    def _similar_of(self, prepared: PreparedQuery) -> list[_Similar | None]:
        """Per query token, the stored forms agreeing with it; None for an initial, which
        nominates nobody (it is assumed to agree, and checked when scoring)."""
        return [None if t.is_initial else self._similar_to(t) for t in prepared.tokens]

    def _weigh(self, prepared: PreparedQuery, similar: list[_Similar | None]) -> None:
        self.matcher.weigh(
            prepared, [None if s is None else (self._sharing(s), len(self)) for s in similar]
        )

    def _sharing(self, similar: _Similar) -> int:
        """Persons holding a form that agrees with the token at least `common_agreement`
        (one holding two such forms counts twice: a bound for a weight, not a census)."""
        forms = similar.forms[: similar.count(self.matcher.config.common_agreement)]
        return int(self._form_persons[forms].sum())

    def _postings_of(self, similar: _Similar, least: float) -> np.ndarray:
        """The slots holding one of the forms that agree at least `least`."""
        postings = [self._postings[f] for f in similar.forms[: similar.count(least)].tolist()]
        # one bytes join beats a numpy view per form (most forms have few persons)
        joined = b"".join([p.tobytes() for p in postings if p])
        return np.frombuffer(joined, np.int32).astype(np.int64)

    def _agreement_table(self, position: int, similar: _Similar) -> np.ndarray:
        """Scratch table of agreement per form id for the query token at `position`; its
        last entry (read for _NO_FORM) stays 0. The caller zeroes what it set."""
        while len(self._scratch) <= position:
            self._scratch.append(np.zeros(0, np.float32))
        table = self._scratch[position]
        if len(table) <= len(self._forms):
            table = self._scratch[position] = np.zeros(len(self._best_spellings) + 1, np.float32)
        table[similar.forms] = similar.agreements
        return table

    def _similar_forms(self, token: Token) -> tuple[np.ndarray, np.ndarray]:
        """Stored forms sharing a blocking key with the token, with their agreement (by the
        matcher's ramps; forms that would not agree at all are left out). Particles only
        meet themselves: 'al' or 'de' is shared too widely to nominate anyone else."""
        exact = self._form_ids.get(token.text)
        if token.is_particle:
            return (
                _EMPTY if exact is None else (np.array([exact], np.int64), np.ones(1, np.float32))
            )
        if len(self._form_marks) < len(self._forms):
            self._form_marks = np.zeros(len(self._best_spellings), np.int64)
        # keys in sorted order, not a set's: the order of forms agreeing alike, and so which
        # of the persons tied at a cut of candidates go on, must not follow the hash seed
        keys = blocking_keys(token, len(token.spellings))
        forms = self._lookup([self._keys.get(k) for k in sorted(keys)])
        agreements, similarities = self._agreements(token, forms, exact)
        if not len(similarities) or similarities.max() < self.fuzzy_below:
            # one-deletion probes from the best spellings only: 20 spellings' worth of
            # probes would visit most short keys of the index
            keys = blocking_keys(token, self.index_spellings)
            probes = set().union(*(deletions(k) for k in keys))
            more = self._lookup(
                [self._keys.get(k) for k in sorted(probes)]
                + [self._fuzzy_keys.get(k) for k in sorted(keys | probes)]
            )
            more = more[~np.isin(more, forms, assume_unique=True)]
            extra, _ = self._agreements(token, more, exact)
            forms = np.concatenate([forms, more])
            agreements = np.concatenate([agreements, extra])
        order = np.argsort(-agreements, kind="stable")
        order = order[agreements[order] > 0.0]
        return forms[order], agreements[order]

    def _lookup(self, found: list[array[int] | None]) -> np.ndarray:
        """Distinct form ids listed under some keys."""
        joined = b"".join([a.tobytes() for a in found if a])
        return _distinct(np.frombuffer(joined, np.int32).astype(np.int64), self._form_marks)

    def _agreements(
        self, token: Token, forms: np.ndarray, exact: int | None, *, whole: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """(agreement, similarity) of each form with the token, from the forms' best
        spellings: the matcher's ramp for the pair of scripts turns one into the other.
        `whole`: forms in another script are compared exactly as the matcher compares them
        (all their readings, consonants and sound skeletons), for a query token of one
        spelling: twenty comparisons a form (`_refined` asks it for its few candidates)."""
        if not len(forms):
            return np.zeros(0, np.float32), np.zeros(0, np.float32)
        query = spelling_forms(token)
        similarity = column_best(
            query.spellings, query.confidences, self._best_spellings[forms].tolist(), np.float32
        )
        across = self._form_scripts[forms] != _SCRIPTS.index(token.script)
        read_whole = whole and across.any()
        approximated = ~across if read_whole else np.ones(len(forms), bool)
        if across.any() and not read_whole:
            self._read_more_spellings(
                query.spellings[:MORE_QUERY_SPELLINGS],
                query.confidences[:MORE_QUERY_SPELLINGS],
                forms,
                across,
                similarity,
            )
        if query.consonants:  # as in `spelling_similarity`: an abjad on either side
            # forms whose consonants say too little count 0: not compared
            enough = self._consonants_say_enough[forms] & approximated
            if token.script not in ABJADS:
                enough &= np.isin(self._form_scripts[forms], _ABJAD_CODES)
            consonant = np.zeros(len(forms), np.float32)
            if enough.any():
                consonant[enough] = column_best(
                    query.consonants,
                    query.consonant_confidences,
                    self._best_consonants[forms[enough]].tolist(),
                    np.float32,
                )
            similarity = np.maximum(similarity, ABJAD_WEIGHT * consonant)
        if read_whole:
            ids = forms[across].tolist()
            similarity[across] = forms_similarities(
                query,
                token.script,
                [self._spelling_forms_of(f) for f in ids],
                [_SCRIPTS[c] for c in self._form_scripts[ids].tolist()],
            )
        elif across.any():  # the sound-skeleton share of `spelling_similarity`
            ids = self._best_skeletons[forms].astype(np.int64)
            if len(self._skeleton_marks) < len(self._skeletons):
                self._skeleton_marks = np.zeros(2 * len(self._skeletons), np.int64)
            distinct = _distinct(ids, self._skeleton_marks)
            sound = column_best(
                query.skeletons,
                query.skeleton_confidences,
                [self._skeletons[i] for i in distinct.tolist()],
                np.float32,
            )
            self._skeleton_marks[distinct] = np.arange(len(distinct))  # id -> position
            sound = sound[self._skeleton_marks[ids]]
            similarity = np.where(
                across, (1.0 - SOUND_WEIGHT) * similarity + SOUND_WEIGHT * sound, similarity
            )
        if exact is not None:
            similarity[forms == exact] = 1.0
        ramps = self._ramps.get(token.script)
        if ramps is None:
            ramps = self._ramps[token.script] = np.array(
                [self.matcher.ramp(token.script, s) for s in _SCRIPTS], np.float32
            )
        floor, ceiling = ramps[self._form_scripts[forms]].T
        agreement = np.clip((similarity - floor) / (ceiling - floor), 0.0, 1.0)
        # Transliterated agreements are left whole here (the matcher counts them at
        # `transliteration_weight`): still a bound, and the share of persons agreeing with a
        # token does not depend on the script they are written in.
        return agreement, similarity

    def _spelling_forms_of(self, form: int) -> SpellingForms:
        """A stored form's spelling forms, kept by form id (a token's hash, taken by
        `spelling_forms`' cache, reads its twenty spellings each time)."""
        found = self._whole_forms.get(form)
        if found is None:
            found = self._whole_forms[form] = spelling_forms(self._forms[form])
        return found

    def _read_more_spellings(
        self,
        spellings: tuple[str, ...],
        confidences: tuple[float, ...],
        forms: np.ndarray,
        across: np.ndarray,
        similarity: np.ndarray,
    ) -> None:
        """Across scripts the matcher reads twenty spellings of a native form, not only the
        best: 'Humaida' is far from 'hmida', the best reading of حميضة, and close to
        'hamida', the next. The letters of the next MORE_SPELLINGS count here too (all
        twenty would cost more than the whole search), raising `similarity` in place: per
        form the best of its confidence times `column_best` (as `segment_best` gives it,
        with each distinct spelling compared once)."""
        positions = np.flatnonzero(across)
        positions = positions[self._more_counts[forms[positions]] > 0]
        if not len(positions):
            return
        held = forms[positions]
        counts = self._more_counts[held].astype(np.int64)
        ends = np.cumsum(counts)
        firsts = ends - counts
        entries = np.repeat(self._more_starts[held] - firsts, counts) + np.arange(ends[-1])
        ids = self._more_ids[entries].astype(np.int64)
        if len(self._more_marks) < len(self._more_text_ids):
            self._more_marks = np.zeros(len(self._more_texts), np.int64)
        distinct = _distinct(ids, self._more_marks)
        best = column_best(spellings, confidences, self._more_texts[distinct].tolist())
        self._more_marks[distinct] = np.arange(len(distinct))  # id -> position
        values = best[self._more_marks[ids]] * self._more_confidences[entries]
        similarity[positions] = np.maximum(
            similarity[positions], np.maximum.reduceat(values, firsts)
        )

    def _qualifier_most(self, prepared: PreparedQuery) -> float:
        """The most the qualifiers can add to any person's score for this query."""
        cfg = self.matcher.config
        return (cfg.full_date_bonus if prepared.birth is not None else 0.0) + (
            cfg.nationality_bonus if prepared.nationality is not None else 0.0
        )

    def _qualifier_bound(self, prepared: PreparedQuery, slots: np.ndarray) -> np.ndarray:
        """The most the qualifiers can add per slot (birth year and sex vectorised from
        `PersonMatcher`'s effects; the small agreement bonuses assumed)."""
        cfg = self.matcher.config
        bound = np.zeros(len(slots), np.float32)
        if prepared.birth is not None:
            years = self._columns.births[slots] // 10000
            gap = np.abs(years - prepared.birth.year)
            bound += np.where(
                years == 0,
                0.0,
                np.where(
                    gap == 0,
                    cfg.full_date_bonus,
                    np.where(gap == 1, cfg.date_near_penalty, cfg.date_far_penalty),
                ),
            )
        if prepared.sex is not None:
            sexes = self._columns.sexes[slots]
            bound += np.where(
                (sexes != 0) & (sexes != _SEX_CODES[prepared.sex]), cfg.sex_penalty, 0.0
            )
        if prepared.nationality is not None:
            bound += cfg.nationality_bonus
        return bound


def _distinct(values: np.ndarray, marks: np.ndarray) -> np.ndarray:
    """The distinct values, in no particular order, in linear time: each value's mark is
    overwritten with one of its positions, and exactly that position keeps it. `marks` is
    scratch space indexable by every value; stale content does no harm."""
    positions = np.arange(len(values))
    marks[values] = positions
    distinct: np.ndarray = values[marks[values] == positions]
    return distinct
