"""Candidate generation, hybrid re-ranking and diversification.

Candidates come from the vector store (filtered by the constraints: near the request, near
the person's own words, near the items the conversation named), from the items sharing
directors or cast with the named ones, from the other parts of a liked item's series
(retrieval.series), from every trained model (CF neighbours of the liked items, what past
conversations recommended, popular items) and from direct boosts; every one is checked against
the same `Constraints`, gets its features (query, words, seed and mentioned-item similarity, how
well its genres, year and people match the items named, whether it is a part of a liked item's
series, mood, boost, and each model's scores), is scored by the pack's blend (`retrieval.blend`),
and the top k are picked with MMR so the list is not five near-copies.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from retrieval.blend import Blend
from retrieval.catalog import Catalog, genre_key, person_key
from retrieval.constraints import Constraints
from retrieval.recommenders import Context, Recommender
from retrieval.store import ItemStore

BASE_FEATURES = ("similarity", "text_similarity", "dialogue_similarity", "seed_similarity", "mention_similarity", "genre_match", "year_near",
                 "people_match", "same_series", "mood", "year_lean", "boost", "unknown_fact",
                 "proposed", "proposed_last", "avoid_similarity")
MENTIONED_RECENT = 8  # the newest items named in the conversation that "what we talked about" is made of
PERSON_ITEMS_MAX = 500  # a person credited on more items than this (a studio, a tag) proposes none of them
YEAR_SCALE = 5.0  # years apart at which year_near halves


@dataclass(slots=True)
class Candidate:
    """An item being considered, with the evidence its score is made of. Shared by ranker and explainer."""

    item_id: str
    vector: np.ndarray
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    sources: set[str] = field(default_factory=set)

    @property
    def similarity(self) -> float:
        return self.features.get("similarity", 0.0)


@dataclass(slots=True)
class Ranking:
    """The chosen candidates, best first, how many passed the constraints, and time per stage (ms)."""

    candidates: list[Candidate]
    n_considered: int
    timings_ms: dict[str, float]


@dataclass(slots=True)
class _Signals:
    """What a pool's candidates are compared with: the person's words, the items named, the soft leans."""
    words: np.ndarray | None
    dialogue: np.ndarray | None  # all they said, only where it says more than `words`
    seed: np.ndarray | None
    seeds: list[str]
    talked: np.ndarray | None
    mentioned: list[str]
    named_people: dict[str, int]
    moods: set[str]
    boosts: Mapping[str, float]
    lean_years: tuple[int | None, int | None] | None


class HybridRanker:
    """Retrieves, scores and diversifies over one pack's store, catalog and trained models."""

    def __init__(
        self,
        catalog: Catalog,
        store: ItemStore,
        models: Sequence[Recommender] = (),
        blend: Blend | None = None,
        pool: int = 100,
        mmr_lambda: float = 0.9,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.models = list(models)
        self.pool_size = pool
        self.mmr_lambda = mmr_lambda
        self.blend = blend or Blend.default(self.feature_names)
        # with no interactions there is no popularity to propose by
        has_popularity = bool(len(catalog.popularity)) and float(catalog.popularity.max()) > 0
        self._by_popularity = [catalog.ids[i] for i in np.argsort(-catalog.popularity, kind="stable")] \
            if has_popularity else []

    @property
    def feature_names(self) -> list[str]:
        names = list(BASE_FEATURES)
        for m in self.models:
            names += list(getattr(m, "FEATURES", (m.name,)))
        return names

    def set_models(self, models: Sequence[Recommender], blend: Blend | None = None) -> None:
        """Swaps the trained models (and their blend) in one step; the default blend when none is given."""
        self.models = list(models)
        self.blend = blend or Blend.default(self.feature_names)

    def pool(
        self,
        ctx: Context,
        constraints: Constraints,
        mood_genres: Sequence[str] = (),
        boosts: Mapping[str, float] | None = None,
        timings: dict[str, float] | None = None,
        lean_years: tuple[int | None, int | None] | None = None,
    ) -> list[Candidate]:
        """Every candidate that passes the constraints, with its features (not yet scored).

        `mood_genres` and `lean_years` (an inclusive range, either end open) are soft: they score, never filter."""
        boosts = boosts or {}
        timings = {} if timings is None else timings
        t0 = time.perf_counter()
        query, words = ctx.query, ctx.words
        mentioned = [m for m in ctx.mentioned if m in self.catalog][-MENTIONED_RECENT:]
        vectors = self.store.vectors(mentioned + [s for s in ctx.seeds if s in self.catalog])
        mention_vecs = [vectors[m] for m in mentioned if m in vectors]
        talked = np.mean(mention_vecs, axis=0) if mention_vecs else None
        # all they said counts only where it says more than the recent words (a short conversation's words hold it)
        dialogue = ctx.dialogue if ctx.dialogue is not None else words
        said_more = dialogue is not None and (words is None or not np.array_equal(dialogue, words))
        pool = self._search(query, words, dialogue if said_more else None, talked, constraints)
        t1 = time.perf_counter()
        timings["retrieve"] = (t1 - t0) * 1000

        named_people = self._people_of(mentioned)
        cands = self._join(pool, ctx, constraints, named_people, mentioned, boosts, vectors)
        t2 = time.perf_counter()
        timings["candidates"] = (t2 - t1) * 1000

        seed_vecs = [vectors[s] for s in ctx.seeds if s in vectors]
        self._describe(cands, ctx, constraints, _Signals(
            words=words, dialogue=dialogue if said_more else None,
            seed=np.mean(seed_vecs, axis=0) if seed_vecs else None,
            seeds=[s for s in ctx.seeds if s in self.catalog], talked=talked, mentioned=mentioned,
            named_people=named_people, moods={genre_key(g) for g in mood_genres}, boosts=boosts,
            lean_years=lean_years))
        timings["features"] = (time.perf_counter() - t2) * 1000
        return cands

    def _search(self, query: np.ndarray | None, words: np.ndarray | None, dialogue: np.ndarray | None,
                talked: np.ndarray | None, constraints: Constraints) -> dict[str, Candidate]:
        """Near the request, near the person's own recent words and all they said (plain dense retrieval, so the
        pool always holds what it would find), near the items the conversation named: one call."""
        pool: dict[str, Candidate] = {}
        half = self.pool_size // 2
        searches = [(v, k, src) for v, k, src in ((query, self.pool_size, "vector"), (words, half, "words"),
                                                   (dialogue, half, "dialogue"), (talked, half, "mentioned"))
                    if v is not None]
        found = self.store.search_many([v for v, _, _ in searches], [k for _, k, _ in searches], constraints.where())
        for (_, _, source), hits in zip(searches, found, strict=True):
            for hit in hits:
                if hit.item_id in pool:
                    pool[hit.item_id].sources.add(source)
                else:
                    sim = hit.similarity if source == "vector" else \
                        float(hit.vector @ query) if query is not None else 0.0
                    pool[hit.item_id] = Candidate(hit.item_id, hit.vector, {"similarity": sim}, sources={source})
        return pool

    def _join(self, pool: dict[str, Candidate], ctx: Context, constraints: Constraints,
              named_people: dict[str, int], mentioned: list[str], boosts: Mapping[str, float],
              vectors: dict[str, np.ndarray]) -> list[Candidate]:
        """The searched pool joined by the other sources (shared people, each model, open proposals, boosts,
        the popular), each kept only where the constraints allow it. Fills `vectors` with the joiners'."""
        query = ctx.query
        extra: list[tuple[str, str]] = []
        extra += [(iid, "people") for iid in self._sharing_people(named_people, set(mentioned), self.pool_size // 2)]
        for model in self.models:
            extra += [(iid, model.name) for iid in model.candidates(ctx, self.pool_size)]
        extra += [(iid, "proposed") for iid in ctx.proposed]
        seeds = [s for s in ctx.seeds if s in self.catalog]
        extra += [(iid, "series") for iid in self.catalog.series.parts(seeds, self.pool_size // 4)] if seeds else []
        top_boosted = sorted((i for i in boosts if boosts[i] > 0), key=lambda i: -boosts[i])[: self.pool_size]
        extra += [(iid, "boost") for iid in top_boosted]
        n_pop = 0
        for iid in self._by_popularity:
            if n_pop >= self.pool_size // 2:
                break
            if constraints.allows(self.catalog.get(iid)):
                extra.append((iid, "popular"))
                n_pop += 1
        extra = [(iid, src) for iid, src in extra if iid in self.catalog]
        # one place decides what may be shown: the same constraints the store filtered on
        allowed = {iid for iid, _ in extra if iid not in pool and constraints.allows(self.catalog.get(iid))}
        vectors |= self.store.vectors([i for i in allowed if i not in vectors])
        for iid, source in extra:
            if iid in pool:
                pool[iid].sources.add(source)
            elif iid in allowed and iid in vectors:
                vec = vectors[iid]
                sim = float(vec @ query) if query is not None else 0.0
                pool[iid] = Candidate(iid, vec, {"similarity": sim}, sources={source})
        return [c for c in pool.values() if constraints.allows(self.catalog.get(c.item_id))]

    def _describe(self, cands: list[Candidate], ctx: Context, constraints: Constraints, sig: _Signals) -> None:
        """Each candidate's features: its likeness to what was said and named, and each model's score."""
        talked_genres: dict[str, float] = {}
        talked_years = [y for y in (self.catalog.get(m).year for m in sig.mentioned) if y is not None]
        for m in sig.mentioned:
            for g in self.catalog.get(m).genre_keys:
                talked_genres[g] = talked_genres.get(g, 0.0) + 1.0 / len(sig.mentioned)
        talked_year = float(np.median(talked_years)) if talked_years else None
        proposed, proposed_last = set(ctx.proposed), set(ctx.proposed_last)
        for c in cands:
            item = self.catalog.get(c.item_id)
            c.features["text_similarity"] = float(c.vector @ sig.words) if sig.words is not None else 0.0
            c.features["dialogue_similarity"] = float(c.vector @ sig.dialogue) if sig.dialogue is not None else 0.0
            c.features["seed_similarity"] = float(c.vector @ sig.seed) if sig.seed is not None else 0.0
            c.features["mention_similarity"] = float(c.vector @ sig.talked) if sig.talked is not None else 0.0
            keys = item.genre_keys
            c.features["genre_match"] = sum(talked_genres.get(g, 0.0) for g in keys) / len(keys) if keys else 0.0
            c.features["year_near"] = 1.0 / (1.0 + abs(item.year - talked_year) / YEAR_SCALE) \
                if talked_year is not None and item.year is not None else 0.0
            c.features["people_match"] = float(sum(sig.named_people.get(p, 0) for p in _people(item)))
            c.features["same_series"] = self.catalog.series.match(sig.seeds, c.item_id) if sig.seeds else 0.0
            c.features["mood"] = 1.0 if sig.moods & set(keys) else 0.0
            c.features["year_lean"] = 1.0 if sig.lean_years and _within(item.year, *sig.lean_years) else 0.0
            c.features["boost"] = float(sig.boosts.get(c.item_id, 0.0))
            # passes a constraint only because its entry does not record the field (see Constraints.open_fields)
            c.features["unknown_fact"] = float(constraints.unknown(item))
            c.features["proposed"] = float(c.item_id in proposed)
            c.features["proposed_last"] = float(c.item_id in proposed_last)
        # what an entry does not record is unknown, not a mismatch: an item without genres (a year) gets the mean of
        # the genre (year) leans over the pool's items that record them, so a missing field neither sinks nor lifts it
        _impute(cands, [not self.catalog.get(c.item_id).genre_keys for c in cands], ("genre_match", "mood"))
        _impute(cands, [self.catalog.get(c.item_id).year is None for c in cands], ("year_near", "year_lean"))
        if ctx.avoid is not None and cands:  # how much nearer than the pool's typical item to what was ruled out
            near = np.array([float(c.vector @ ctx.avoid) for c in cands])
            for c, v in zip(cands, np.maximum(near - np.median(near), 0.0), strict=True):
                c.features["avoid_similarity"] = float(v)
        ids = [c.item_id for c in cands]
        for model in self.models:
            features = model.features(ctx, ids)
            for name, values in features.items():
                for c, v in zip(cands, values, strict=True):
                    c.features[name] = float(v)
            # a borrowed model's scores of items newer than its source are unknown (retrieval.transfer.after_source)
            unseen = getattr(model, "unseen", frozenset())
            if unseen:
                _impute(cands, [c.item_id in unseen for c in cands], tuple(features))

    def _people_of(self, ids: Sequence[str]) -> dict[str, int]:
        """How many of these items credit each person (director or cast)."""
        counts: dict[str, int] = {}
        for iid in ids:
            for p in _people(self.catalog.get(iid)):
                counts[p] = counts.get(p, 0) + 1
        return counts

    def _sharing_people(self, people: Mapping[str, int], named: set[str], n: int) -> list[str]:
        """Up to n items crediting the most of these people (the items they come from left out): the
        director's other films, the cast's. Constraints are applied by the caller."""
        shared: dict[str, int] = {}
        for p, w in people.items():
            items = self.catalog.by_person.get(p, ())
            if len(items) > PERSON_ITEMS_MAX:
                continue
            for iid in items:
                if iid not in named:
                    shared[iid] = shared.get(iid, 0) + w
        # ties go in catalog order: `people` comes from sets, whose order changes with every process's hash seed
        return sorted(shared, key=lambda i: (-shared[i], self.catalog.row[i]))[:n]

    def matrix(self, cands: Sequence[Candidate], names: Sequence[str]) -> np.ndarray:
        return np.array([[c.features.get(n, 0.0) for n in names] for c in cands], dtype=np.float32).reshape(
            len(cands), len(names))

    def recommend(
        self,
        ctx: Context,
        constraints: Constraints,
        k: int,
        mood_genres: Sequence[str] = (),
        boosts: Mapping[str, float] | None = None,
        lean_years: tuple[int | None, int | None] | None = None,
    ) -> Ranking:
        """The top-k items for a request under hard constraints: pool, blend, then MMR.

        `boosts` are items the request points at directly (a person's films, a tag, the most liked), with a weight:
        a positive one joins the candidates and adds to their score, a negative one ("hidden gems") only lowers it.
        """
        timings: dict[str, float] = {}
        cands = self.pool(ctx, constraints, mood_genres, boosts, timings, lean_years)
        t0 = time.perf_counter()
        scores = self.blend.score(self.matrix(cands, self.blend.names), taste=bool(ctx.seeds))
        for c, s in zip(cands, scores, strict=True):
            c.score = float(s)
        chosen = self._diversify(cands, k)
        timings["rerank"] = (time.perf_counter() - t0) * 1000
        return Ranking(chosen, len(cands), timings)

    def _diversify(self, cands: list[Candidate], k: int) -> list[Candidate]:
        """Maximal marginal relevance over item vectors; identical names are never both shown."""
        if not cands or k <= 0:
            return []
        cands = sorted(cands, key=lambda c: -c.score)[: max(k * 10, 50)]
        scores = np.array([c.score for c in cands], dtype=np.float32)
        span = float(scores.max() - scores.min())
        rel = (scores - scores.min()) / span if span > 0 else np.ones_like(scores)
        vecs = np.stack([c.vector for c in cands])
        lam = self.mmr_lambda
        chosen: list[int] = []
        names: set[str] = set()
        max_sim = np.full(len(cands), -np.inf, dtype=np.float32)
        remaining = set(range(len(cands)))
        while remaining and len(chosen) < k:
            best = max(remaining, key=lambda i: lam * rel[i] - (1 - lam) * (max_sim[i] if chosen else 0.0))
            remaining.discard(best)
            name = self.catalog.get(cands[best].item_id).name.casefold()
            if name in names:
                continue
            names.add(name)
            chosen.append(best)
            max_sim = np.maximum(max_sim, vecs @ vecs[best])
        return [cands[i] for i in chosen]


def _impute(cands: Sequence[Candidate], missing: Sequence[bool], names: Sequence[str]) -> None:
    """Sets each feature of `names` of the candidates `missing` a field to its mean over those that have it."""
    known = [c for c, m in zip(cands, missing, strict=True) if not m]
    if not known or len(known) == len(cands):
        return
    for name in names:
        mean = float(np.mean([c.features.get(name, 0.0) for c in known]))
        for c, m in zip(cands, missing, strict=True):
            if m:
                c.features[name] = mean


def _people(item) -> set[str]:
    return {person_key(p) for p in (*item.directors, *item.cast)}


def _within(year: int | None, lo: int | None, hi: int | None) -> bool:
    return year is not None and (lo is None or year >= lo) and (hi is None or year <= hi)
