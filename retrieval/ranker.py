"""Candidate generation, hybrid re-ranking and diversification.

Candidates come from the vector store (filtered by the constraints), from CF neighbours
of the items the user liked, and from the most-liked items; every one is checked
against the same `Constraints`, scored by a blend of query similarity, CF, popularity
and mood, and the top k are picked with MMR so the list is not five near-copies.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel

from retrieval.catalog import Catalog, genre_key
from retrieval.cf import EaseModel
from retrieval.constraints import Constraints
from retrieval.store import ItemStore


class RankingWeights(BaseModel):
    """Blend weights of the hybrid score, and MMR's relevance/diversity trade-off (1 = no diversification)."""

    similarity: float = 1.0
    cf: float = 0.6
    popularity: float = 0.5
    mood: float = 0.15
    boost: float = 0.5
    disliked_cf: float = 0.5
    mmr_lambda: float = 0.8


@dataclass(slots=True)
class Candidate:
    """An item being considered, with the evidence its score is made of. Shared by ranker and explainer."""

    item_id: str
    vector: np.ndarray
    similarity: float = 0.0
    cf: float = 0.0
    popularity: float = 0.0
    mood: float = 0.0
    boost: float = 0.0
    score: float = 0.0
    sources: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Ranking:
    """The chosen candidates, best first, how many passed the constraints, and time per stage (ms)."""

    candidates: list[Candidate]
    n_considered: int
    timings_ms: dict[str, float]


class Recommender:
    """Retrieves, re-ranks and diversifies over one pack's store, CF model and catalog."""

    def __init__(
        self,
        catalog: Catalog,
        store: ItemStore,
        cf: EaseModel | None,
        weights: RankingWeights | None = None,
        pool: int = 100,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.cf = cf
        self.weights = weights or RankingWeights()
        self.pool = pool
        self._by_popularity = [catalog.ids[i] for i in np.argsort(-catalog.popularity, kind="stable")]

    def recommend(
        self,
        query: np.ndarray | None,
        constraints: Constraints,
        k: int,
        liked: Sequence[str] = (),
        disliked: Sequence[str] = (),
        mood_genres: Sequence[str] = (),
        boosts: Mapping[str, float] | None = None,
    ) -> Ranking:
        """The top-k items for a query vector (384,) or None, under hard constraints, seeded by liked items.

        `boosts` are items the request points at directly (a person's films, a tag), with a weight in [0, 1+]:
        they join the candidates and add to their score.
        """
        boosts = boosts or {}
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        pool: dict[str, Candidate] = {}
        if query is not None:
            for hit in self.store.search(query, self.pool, constraints.where()):
                pool[hit.item_id] = Candidate(hit.item_id, hit.vector, similarity=hit.similarity, sources={"vector"})
        t1 = time.perf_counter()
        timings["retrieve"] = (t1 - t0) * 1000

        extra: list[tuple[str, str]] = []
        if self.cf is not None and liked:
            extra += [(iid, "cf") for iid, _ in self.cf.top(liked, self.pool)]
        top_boosted = sorted(boosts, key=lambda i: -boosts[i])[: self.pool]
        extra += [(iid, "boost") for iid in top_boosted if iid in self.catalog]
        n_pop = 0
        for iid in self._by_popularity:
            if n_pop >= self.pool // 2:
                break
            if constraints.allows(self.catalog.get(iid)):
                extra.append((iid, "popular"))
                n_pop += 1
        missing = [iid for iid, _ in extra if iid not in pool]
        vectors = self.store.vectors(list(dict.fromkeys(missing)))
        for iid, source in extra:
            if iid in pool:
                pool[iid].sources.add(source)
            elif iid in vectors:
                vec = vectors[iid]
                sim = float(vec @ query) if query is not None else 0.0
                pool[iid] = Candidate(iid, vec, similarity=sim, sources={source})

        # one place decides what may be shown: the same constraints the store filtered on
        cands = [c for c in pool.values() if constraints.allows(self.catalog.get(c.item_id))]
        t2 = time.perf_counter()
        timings["candidates"] = (t2 - t1) * 1000

        for c in cands:
            c.boost = float(boosts.get(c.item_id, 0.0))
        self._score(cands, liked, disliked, mood_genres, has_query=query is not None)
        chosen = self._diversify(cands, k)
        timings["rerank"] = (time.perf_counter() - t2) * 1000
        return Ranking(chosen, len(cands), timings)

    def _score(
        self,
        cands: list[Candidate],
        liked: Sequence[str],
        disliked: Sequence[str],
        mood_genres: Sequence[str],
        has_query: bool,
    ) -> None:
        if not cands:
            return
        w = self.weights
        ids = [c.item_id for c in cands]
        cf = np.zeros(len(cands), dtype=np.float32)
        if self.cf is not None and liked:
            cf = self.cf.score(liked, ids)
        if self.cf is not None and disliked:
            cf = cf - w.disliked_cf * self.cf.score(disliked, ids)
        top = float(np.abs(cf).max()) if len(cf) else 0.0
        cf_norm = cf / top if top > 0 else cf
        moods = {genre_key(g) for g in mood_genres}
        for c, raw, norm in zip(cands, cf, cf_norm, strict=True):
            item = self.catalog.get(c.item_id)
            c.cf = float(raw)
            c.popularity = float(self.catalog.popularity[self.catalog.row[c.item_id]])
            c.mood = 1.0 if moods & set(item.genre_keys) else 0.0
            c.score = (
                (w.similarity * c.similarity if has_query else 0.0)
                + w.cf * float(norm)
                + w.popularity * c.popularity
                + w.mood * c.mood
                + w.boost * c.boost
            )

    def _diversify(self, cands: list[Candidate], k: int) -> list[Candidate]:
        """Maximal marginal relevance over item vectors; identical names are never both shown."""
        if not cands or k <= 0:
            return []
        cands = sorted(cands, key=lambda c: -c.score)[: max(k * 10, 50)]
        scores = np.array([c.score for c in cands], dtype=np.float32)
        span = float(scores.max() - scores.min())
        rel = (scores - scores.min()) / span if span > 0 else np.ones_like(scores)
        vecs = np.stack([c.vector for c in cands])
        lam = self.weights.mmr_lambda
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
