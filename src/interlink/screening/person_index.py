"""The in-memory person index: candidate generation over name tokens, then exact scoring.

Layout. Every distinct token ("form": 'smith', 'александр', '小明') is stored once, with its
Latin spellings, a posting list of the persons using it, and blocking keys: the consonant
skeletons of its best spellings (exact keys) and their one-deletion variants (fuzzy keys).
Persons live in slots: numpy columns for birth date, sex, visibility class and owner, plus
their names as tuples of form ids. A removed person frees its slot and leaves every posting
list at once, so updates stay cheap (the service applies the database change stream through
`upsert` and `remove`).

Search. For each query token, the exact keys of all its spellings give candidate forms,
compared in bulk with the token (rapidfuzz, the matcher's similarity and ramps); only when
none is close do the fuzzy keys add more. The forms' postings give candidate persons with an
optimistic coarse score: the mean best token agreement, plus the most the qualifiers can add.
Persons the caller may not see are dropped here, before any scoring; those whose coarse score
reaches `min_score` are scored exactly by `PersonMatcher` (the best `candidates` of them),
with an explanation. The coarse score bounds the exact one from above for Latin-script
records; for a record written in another script it reads only that token's best spelling
(the matcher tries ten), and names matched only when run together are not nominated.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

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
    MIN_CONSONANTS,
    SOUND_WEIGHT,
    Candidate,
    MatchResult,
    PartialDate,
    PersonEntry,
    PersonMatcher,
    PersonQuery,
    PreparedQuery,
)

__all__ = ["PersonEntry", "PersonHit", "PersonIndex", "PersonQuery"]

_FREE = 0  # visibility class of an empty slot: admitted to nobody
_SEX_CODES = {"M": 1, "F": 2}
_SEX_NAMES = {1: "M", 2: "F"}
_SCRIPTS = list(Script)
_EMPTY = (np.zeros(0, np.int64), np.zeros(0, np.float32))
SIMILAR_CACHE = 100_000


@dataclass(frozen=True, slots=True)
class PersonHit:
    record_id: int
    owner_org_id: int
    score: float
    decision: bool  # score >= threshold
    explanation: MatchResult

    def explanation_dict(self) -> dict:
        return self.explanation.as_dict()


class _Columns:
    """Per-slot numpy columns, grown by doubling."""

    def __init__(self, capacity: int) -> None:
        self.record_ids = np.zeros(capacity, np.int64)
        self.owners = np.zeros(capacity, np.int32)
        self.births = np.zeros(capacity, np.int32)  # PartialDate.encode(), 0: unknown
        self.sexes = np.zeros(capacity, np.int8)
        self.classes = np.zeros(capacity, np.int32)  # visibility class, _FREE: empty slot

    def grow(self) -> None:
        for name, column in vars(self).items():
            grown = np.zeros(len(column) * 2, column.dtype)
            grown[:len(column)] = column
            setattr(self, name, grown)


class PersonIndex:
    """Persons by name, filtered by the caller's visibility before anything is scored.

    `index_spellings`: how many spellings of each stored token get blocking keys;
    `fuzzy_below`: when no stored token is at least this similar to a query token, the
    fuzzy keys are probed too; `candidates`: at most this many persons (or twice the limit)
    are scored exactly per search; `min_score`: results below it are not returned."""

    def __init__(self, matcher: PersonMatcher | None = None, *, index_spellings: int = 3,
                 fuzzy_below: float = 0.75, candidates: int = 20,
                 min_score: float = 0.55) -> None:
        self.matcher = matcher or PersonMatcher()
        self.index_spellings = index_spellings
        self.fuzzy_below = fuzzy_below
        self.candidates = candidates
        self.min_score = min_score
        self._lock = threading.RLock()
        # token forms
        self._forms: list[Token] = []
        self._form_ids: dict[str, int] = {}
        self._best_spellings = np.empty(1024, object)  # forms' best spellings, for bulk use
        self._best_skeletons = np.empty(1024, object)  # and their sound skeletons
        self._form_scripts = np.zeros(1024, np.int8)  # index into _SCRIPTS
        self._postings: list[array] = []
        self._keys: dict[str, array] = {}
        self._fuzzy_keys: dict[str, array] = {}
        # person slots
        self._slot_of: dict[int, int] = {}
        self._free: list[int] = []
        self._names: list[tuple[tuple[int, ...], ...]] = []
        self._nationalities: list[tuple[str, ...]] = []
        self._interned: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._columns = _Columns(1024)
        self._scratch: list[np.ndarray] = []  # per query token: best agreement per slot
        self._slot_marks = np.zeros(0, np.int64)  # scratch for `_distinct` over slots
        self._form_marks = np.zeros(0, np.int64)  # and over forms
        self._ramps: dict[Script, np.ndarray] = {}  # query script -> (floor, ceiling) by script
        # query token -> similar forms: valid until a new form appears (tokens repeat a lot,
        # within a manifest above all)
        self._similar: dict[tuple[str, Script], tuple[list[int], np.ndarray]] = {}
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
            for form in {f for name in names for f in name}:
                self._postings[form].append(slot)

    def remove(self, record_id: int) -> None:
        """Drop a record; unknown ids are ignored (the change stream may repeat itself)."""
        with self._lock:
            slot = self._slot_of.pop(record_id, None)
            if slot is None:
                return
            self._columns.classes[slot] = _FREE
            for form in {f for name in self._names[slot] for f in name}:
                self._postings[form].remove(slot)
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
            self._best_spellings = np.concatenate([self._best_spellings,
                                                   np.empty(form, object)])
            self._best_skeletons = np.concatenate([self._best_skeletons,
                                                   np.empty(form, object)])
            self._form_scripts = np.concatenate([self._form_scripts, np.zeros(form, np.int8)])
        self._best_spellings[form] = token.latin
        self._best_skeletons[form] = skeleton(token.latin)
        self._form_scripts[form] = _SCRIPTS.index(token.script)
        for key in blocking_keys(token, self.index_spellings):
            self._keys.setdefault(key, array("i")).append(form)
            for variant in deletions(key):
                self._fuzzy_keys.setdefault(variant, array("i")).append(form)
        return form

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
            mask = np.array([v is not None and (country is None or v.admits(country))
                             for v in self._visibilities], dtype=bool)
            self._admitted[country] = mask
        return mask

    # --- search ----------------------------------------------------------------------------

    def search(self, query: PersonQuery, viewer_country: str | None, *, limit: int = 10,
               threshold: float | None = None, viewer_org_id: int | None = None,
               min_score: float | None = None) -> list[PersonHit]:
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
            slots, coarse = self._candidates(prepared, viewer_country, viewer_org_id, floor)
            promising = coarse >= floor
            slots, coarse = slots[promising], coarse[promising]
            if len(slots) > budget:
                slots = slots[np.argpartition(-coarse, budget)[:budget]]
            hits = [self._hit(prepared, int(slot), cut) for slot in slots]
        hits = [h for h in hits if h.score >= floor]
        hits.sort(key=lambda h: (-h.score, h.record_id))
        return hits[:limit]

    def _hit(self, prepared: PreparedQuery, slot: int, threshold: float) -> PersonHit:
        forms, columns = self._forms, self._columns
        candidate = Candidate(
            names=tuple(tuple(forms[f] for f in name) for name in self._names[slot]),
            birth=PartialDate.decode(int(columns.births[slot])),
            nationalities=self._nationalities[slot],
            sex=_SEX_NAMES.get(int(columns.sexes[slot])))
        result = self.matcher.score(prepared, candidate)
        return PersonHit(int(columns.record_ids[slot]), int(columns.owners[slot]),
                         result.score, result.score >= threshold, result)

    def _candidates(self, prepared: PreparedQuery, viewer_country: str | None,
                    viewer_org_id: int | None, floor: float) -> tuple[np.ndarray, np.ndarray]:
        """Visible slots sharing a similar token with the query, with an optimistic coarse
        score: the weighted mean of each query token's best agreement in the person, plus
        the most the qualifiers can add. A token only nominates through forms agreeing
        enough that the person could still reach `floor` if every other token agreed."""
        cfg = self.matcher.config
        capacity = len(self._names)
        while len(self._scratch) < len(prepared.tokens):
            self._scratch.append(np.zeros(0, np.float32))
        weights = [cfg.particle_weight if t.is_particle else 1.0 for t in prepared.tokens]
        mass = sum(weights)
        reachable = (floor - self._qualifier_most(prepared)) * mass
        touched: list[np.ndarray] = []
        bests = []
        assumed = 0.0
        for i, (token, weight) in enumerate(zip(prepared.tokens, weights, strict=True)):
            if token.is_initial:  # nominates nobody; assumed to agree (checked when scoring)
                assumed += weight * cfg.initial_similarity
                continue
            if len(self._scratch[i]) < capacity:
                self._scratch[i] = np.zeros(len(self._columns.record_ids), np.float32)
            best = self._scratch[i]
            slots, agreements = self._token_postings(token, (reachable - mass + weight) / weight)
            np.maximum.at(best, slots, agreements)
            touched.append(slots)
            bests.append((weight, best, slots))
        if not touched:
            return _EMPTY
        if len(self._slot_marks) < capacity:
            self._slot_marks = np.zeros(len(self._columns.record_ids), np.int64)
        slots = _distinct(np.concatenate(touched), self._slot_marks)
        visible = self._admission(viewer_country)[self._columns.classes[slots]]
        if viewer_org_id is not None:
            visible |= self._columns.owners[slots] == viewer_org_id
        slots = slots[visible]
        coarse = (assumed + sum(w * best[slots] for w, best, _ in bests)) / mass
        for _, best, used in bests:
            best[used] = 0.0  # scratch back to zeros for the next search
        return slots, coarse + self._qualifier_bound(prepared, slots)

    def _token_postings(self, token: Token, least: float) -> tuple[np.ndarray, np.ndarray]:
        """(slot, agreement) for every person holding a stored form that agrees with
        `token` at least `least` (and more than 0)."""
        key = (token.text, token.script)
        found = self._similar.get(key)
        if found is None:
            if len(self._similar) >= SIMILAR_CACHE:
                self._similar.clear()
            found = self._similar[key] = self._similar_forms(token)
        forms, agreements = found  # best first
        enough = len(agreements) - int(np.searchsorted(agreements[::-1], least))
        forms, agreements = forms[:enough], agreements[:enough]
        postings = list(map(self._postings.__getitem__, forms))
        sizes = np.fromiter(map(len, postings), np.int64, len(postings))
        if not sizes.sum():
            return _EMPTY
        # one bytes join beats a numpy view per form (most forms have few persons)
        slots = np.frombuffer(b"".join([p.tobytes() for p in postings]), np.int32)
        return slots.astype(np.int64), np.repeat(agreements, sizes)

    def _similar_forms(self, token: Token) -> tuple[list[int], np.ndarray]:
        """Stored forms sharing a blocking key with the token, with their agreement (by the
        matcher's ramps; forms that would not agree at all are left out). Particles only
        meet themselves: 'al' or 'de' is shared too widely to nominate anyone else."""
        exact = self._form_ids.get(token.text)
        if token.is_particle:
            return ([], np.zeros(0, np.float32)) if exact is None else \
                ([exact], np.ones(1, np.float32))
        if len(self._form_marks) < len(self._forms):
            self._form_marks = np.zeros(len(self._best_spellings), np.int64)
        keys = blocking_keys(token, len(token.spellings))
        forms = self._lookup([self._keys.get(k) for k in keys])
        agreements, similarities = self._agreements(token, forms, exact)
        if not len(similarities) or similarities.max() < self.fuzzy_below:
            # one-deletion probes from the best spellings only: 20 spellings' worth of
            # probes would visit most short keys of the index
            keys = blocking_keys(token, self.index_spellings)
            probes = set().union(*(deletions(k) for k in keys))
            more = self._lookup([self._keys.get(k) for k in probes]
                                + [self._fuzzy_keys.get(k) for k in keys | probes])
            more = more[~np.isin(more, forms, assume_unique=True)]
            extra, _ = self._agreements(token, more, exact)
            forms = np.concatenate([forms, more])
            agreements = np.concatenate([agreements, extra])
        order = np.argsort(-agreements, kind="stable")
        order = order[agreements[order] > 0.0]
        return forms[order].tolist(), agreements[order]

    def _lookup(self, found: list[array | None]) -> np.ndarray:
        """Distinct form ids listed under some keys."""
        joined = b"".join([a.tobytes() for a in found if a])
        return _distinct(np.frombuffer(joined, np.int32).astype(np.int64), self._form_marks)

    def _agreements(self, token: Token, forms: np.ndarray,
                    exact: int | None) -> tuple[np.ndarray, np.ndarray]:
        """(agreement, similarity) of each form with the token, from the forms' best
        spellings: the matcher's ramp for the pair of scripts turns one into the other."""
        if not len(forms):
            return np.zeros(0, np.float32), np.zeros(0, np.float32)
        spellings = self._best_spellings[forms].tolist()
        confidences = np.asarray(token.confidences, np.float32)[:, None]
        matrix = process.cdist(token.spellings, spellings, scorer=OSA.normalized_similarity,
                               dtype=np.float32)
        similarity = (matrix * confidences).max(axis=0)
        if token.script in ABJADS:  # the consonant comparison of `spelling_similarity`
            ours = [consonants(s) for s in token.spellings]
            theirs = [consonants(s) for s in spellings]
            matrix = process.cdist(ours, theirs, scorer=OSA.normalized_similarity,
                                   dtype=np.float32)
            long_enough = np.outer([len(c) >= MIN_CONSONANTS for c in ours],
                                   [len(c) >= MIN_CONSONANTS for c in theirs])
            matrix *= ABJAD_WEIGHT * long_enough
            similarity = np.maximum(similarity, (matrix * confidences).max(axis=0))
        across = self._form_scripts[forms] != _SCRIPTS.index(token.script)
        if across.any():  # the sound-skeleton share of `spelling_similarity`
            # many spellings share a skeleton ('pegen', 'peigen', 'pgan': BKM): each distinct
            # one is compared once, at the best confidence of its spellings
            ours: dict[str, float] = {}
            for spelling, confidence in zip(token.spellings, token.confidences, strict=True):
                key = skeleton(spelling)
                ours[key] = max(ours.get(key, 0.0), confidence)
            matrix = process.cdist(list(ours), self._best_skeletons[forms].tolist(),
                                   scorer=OSA.normalized_similarity, dtype=np.float32)
            sound = (matrix * np.asarray(list(ours.values()), np.float32)[:, None]).max(axis=0)
            similarity = np.where(across, (1.0 - SOUND_WEIGHT) * similarity
                                  + SOUND_WEIGHT * sound, similarity)
        if exact is not None:
            similarity[forms == exact] = 1.0
        ramps = self._ramps.get(token.script)
        if ramps is None:
            ramps = self._ramps[token.script] = np.array(
                [self.matcher.ramp(token.script, s) for s in _SCRIPTS], np.float32)
        floor, ceiling = ramps[self._form_scripts[forms]].T
        agreement = np.clip((similarity - floor) / (ceiling - floor), 0.0, 1.0)
        return agreement, similarity

    def _qualifier_most(self, prepared: PreparedQuery) -> float:
        """The most the qualifiers can add to any person's score for this query."""
        cfg = self.matcher.config
        return (cfg.full_date_bonus if prepared.birth is not None else 0.0) + \
            (cfg.nationality_bonus if prepared.nationality is not None else 0.0)

    def _qualifier_bound(self, prepared: PreparedQuery, slots: np.ndarray) -> np.ndarray:
        """The most the qualifiers can add per slot (birth year and sex vectorised from
        `PersonMatcher`'s effects; the small agreement bonuses assumed)."""
        cfg = self.matcher.config
        bound = np.zeros(len(slots), np.float32)
        if prepared.birth is not None:
            years = self._columns.births[slots] // 10000
            gap = np.abs(years - prepared.birth.year)
            bound += np.where(years == 0, 0.0, np.where(
                gap == 0, cfg.full_date_bonus,
                np.where(gap == 1, cfg.date_near_penalty, cfg.date_far_penalty)))
        if prepared.sex is not None:
            sexes = self._columns.sexes[slots]
            bound += np.where((sexes != 0) & (sexes != _SEX_CODES[prepared.sex]),
                              cfg.sex_penalty, 0.0)
        if prepared.nationality is not None:
            bound += cfg.nationality_bonus
        return bound


def _distinct(values: np.ndarray, marks: np.ndarray) -> np.ndarray:
    """The distinct values, in no particular order, in linear time: each value's mark is
    overwritten with one of its positions, and exactly that position keeps it. `marks` is
    scratch space indexable by every value; stale content does no harm."""
    positions = np.arange(len(values))
    marks[values] = positions
    return values[marks[values] == positions]
