"""`crs eval likeness`: is "more like X" visibly like X, or just popular?

For a seeded sample of seed items (rated by enough people to have neighbours), each system's top 5 for
"something like X" and "more like X" is scored on:

- `genre_share`: the share of the top 5 that shares at least one genre with X;
- `tag_overlap`: the mean Jaccard overlap of the top 5's tags with X's (where both have tags);
- `text_similarity`: the mean cosine of the top 5's item vectors with X's;
- `title_share`: the share of the top 5 whose title shares a word of 4 letters or more with X's (sequels, but
  also "Red Heat" for Heat: likeness by title words, which item vectors carry);
- `popularity_pct`: the mean popularity percentile of the top 5 in the catalog (0 = least liked, 100 = most;
  the catalog's own mean is 50), next to X's own and to X's neighbourhood in plain content similarity.

Systems, in the same run: the assistant as shipped (the whole turn: parsing, constraints, the ranker),
the same with the fixed blend's weights of before likeness was measured (`--baseline-weights`), and
plain content similarity (the 5 nearest item vectors). Seeds whose title the parser does not read as the item are
counted and left out of the assistant's columns (a reading failure, not a likeness one).
"""

from __future__ import annotations

import copy
import dataclasses
import random
from collections.abc import Callable

import numpy as np
from tqdm import tqdm

from assistant.assistant import Assistant
from assistant.models import Session
from eval.faithfulness import claim_problems
from retrieval.blend import DEFAULT_WEIGHTS, Blend
from retrieval.catalog import Catalog, Item, words

PHRASINGS = ("something like {title}", "more like {title}")
TOP = 5


def pick_seeds(catalog: Catalog, n: int, seed: int = 0, min_likers: int = 20) -> list[Item]:
    """A seeded sample of items liked by at least `min_likers` people (or, without interactions, the most popular
    quarter by the catalog's own count), each with a genre where the catalog has genres."""
    if catalog.n_likers:
        pool = [i for i in catalog.ids if len(catalog.likers(i)) >= min_likers]
    else:
        order = np.argsort(-catalog.popularity, kind="stable")
        pool = [catalog.ids[r] for r in order[: len(order) // 4] if catalog.popularity[r] > 0]
    items = [catalog.get(i) for i in pool]
    items = [it for it in items if it.genres or not catalog.genres]
    return random.Random(seed).sample(items, min(n, len(items)))


def percentiles(catalog: Catalog) -> dict[str, float]:
    """Each item's popularity percentile in the catalog (ties share their mean rank): 0 least, 100 most liked."""
    pop = np.asarray(catalog.popularity, dtype=np.float64)
    order = np.argsort(pop, kind="stable")
    ranks = np.empty(len(pop))
    ranks[order] = np.arange(len(pop))
    # ties: the mean rank of the tied group
    _, inverse, counts = np.unique(pop, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    mean_rank = sums[inverse] / counts[inverse]
    scale = max(len(pop) - 1, 1)
    return {iid: float(100.0 * mean_rank[r] / scale) for r, iid in enumerate(catalog.ids)}


def _jaccard(a: set[str], b: set[str]) -> float | None:
    return len(a & b) / len(a | b) if a and b else None


class Scorer:
    """The likeness figures of one list against its seed."""

    def __init__(self, catalog: Catalog, vectors: dict[str, np.ndarray]) -> None:
        self.catalog = catalog
        self.vectors = vectors
        self.pct = percentiles(catalog)

    def score(self, seed: Item, ids: list[str]) -> dict[str, float | None]:
        items = [self.catalog.get(i) for i in ids]
        genres = set(seed.genre_keys)
        tags = {t.casefold() for t in seed.tags}
        overlaps = [j for j in (_jaccard(tags, {t.casefold() for t in it.tags}) for it in items) if j is not None]
        title = {w for w in words(seed.title) if len(w) >= 4}
        sv = self.vectors.get(seed.id)
        sims = [float(sv @ self.vectors[i]) for i in ids if sv is not None and i in self.vectors]
        return {
            "genre_share": float(np.mean([bool(genres & set(it.genre_keys)) for it in items]))
            if items and genres else None,  # a seed without genres (a catalog without them) shares none to count
            "tag_overlap": float(np.mean(overlaps)) if overlaps else None,
            "text_similarity": float(np.mean(sims)) if sims else None,
            "title_share": float(np.mean([bool(title & set(words(it.title))) for it in items]))
            if items and title else None,
            "popularity_pct": float(np.mean([self.pct[i] for i in ids])) if ids else None,
        }


def _mean(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r.get(key) is not None]
    return round(float(np.mean(values)), 4) if values else None


def evaluate_likeness(systems: dict[str, Callable[[Item, str], list[str] | None]], catalog: Catalog,
                      vectors: dict[str, np.ndarray], seeds: list[Item], progress: bool = True) -> dict:
    """Scores each system's top 5 for every seed and phrasing. A system returns None where it did not read the
    seed (counted as `unread`), else its list."""
    scorer = Scorer(catalog, vectors)
    rows: dict[str, list[dict]] = {name: [] for name in systems}
    unread: dict[str, int] = {name: 0 for name in systems}
    examples: list[dict] = []
    for item in tqdm(seeds, desc="likeness seeds", unit="seed", disable=not progress):
        for phrasing in PHRASINGS:
            message = phrasing.format(title=item.title)
            for name, system in systems.items():
                ids = system(item, message)
                if ids is None:
                    unread[name] += 1
                    continue
                rows[name].append(scorer.score(item, ids[:TOP]))
                if len(examples) < 6 and phrasing == PHRASINGS[0]:
                    examples.append({"system": name, "seed": item.name,
                                     "top": [catalog.get(i).name for i in ids[:TOP]]})
    seed_pct = float(np.mean([scorer.pct[s.id] for s in seeds])) if seeds else None
    return {
        "faithfulness": {name: round(system.faithfulness, 4) for name, system in systems.items()
                         if hasattr(system, "faithfulness")},
        "n_seeds": len(seeds),
        "phrasings": list(PHRASINGS),
        "seed_popularity_pct": round(seed_pct, 2) if seed_pct is not None else None,
        "catalog_popularity_pct": 50.0,
        "systems": {name: {"n": len(r), "unread": unread[name],
                           **{k: _mean(r, k) for k in ("genre_share", "tag_overlap", "text_similarity",
                                                       "title_share", "popularity_pct")}}
                    for name, r in rows.items()},
        "examples": examples,
    }


def content_system(store, k: int = TOP) -> Callable[[Item, str], list[str]]:
    """Plain content similarity: the k nearest item vectors to the seed's, the seed left out."""

    def run(item: Item, _message: str) -> list[str]:
        vec = store.vectors([item.id]).get(item.id)
        if vec is None:
            return []
        return [h.item_id for h in store.search(vec, k + 1) if h.item_id != item.id][:k]

    return run


class AssistantSystem:
    """The assistant's whole turn on the message in a fresh conversation; None when it did not read the seed.
    Every card's claims are re-derived on the way (eval.faithfulness): `claims` and `false_claims` count them."""

    def __init__(self, assistant) -> None:
        self.assistant = assistant
        self.claims = self.false_claims = 0

    def __call__(self, item: Item, message: str) -> list[str] | None:
        session = Session()
        reply = self.assistant.respond(session, message)
        for r in reply.recommendations:
            self.claims += len(r.claims)
            self.false_claims += min(len(claim_problems(r, self.assistant.engine.catalog)), len(r.claims))
        if item.id not in session.preferences.liked:
            return None
        return [r.item_id for r in reply.recommendations]

    @property
    def faithfulness(self) -> float:
        return 1.0 - self.false_claims / self.claims if self.claims else 1.0


def reweighed(assistant, weights: dict[str, float], prior_with_taste: float = 1.0):
    """The same assistant over a copy of its ranker whose fixed blend has `weights` changed and popularity counted
    in full even when the person named what they liked (`prior_with_taste`): a same-run column of before."""
    ranker = copy.copy(assistant.engine.ranker)
    ranker.blend = Blend(ranker.feature_names, {**DEFAULT_WEIGHTS, **weights}, prior_with_taste=prior_with_taste)
    return Assistant(dataclasses.replace(assistant.engine, ranker=ranker))


def print_likeness(result: dict) -> None:
    print(f"\nlikeness over {result['n_seeds']} seed items x {len(result['phrasings'])} phrasings "
          f"({' / '.join(result['phrasings'])}), top {TOP}")
    print(f"popularity percentile: the seeds {result['seed_popularity_pct']}, the catalog "
          f"{result['catalog_popularity_pct']}")
    head = (f"{'system':<34}{'n':>6}{'unread':>8}{'genre share':>13}{'tag overlap':>13}{'text sim':>10}"
            f"{'same title':>12}{'pop pct':>9}")
    print(head)
    print("-" * len(head))

    def fmt(v: float | None, width: int, digits: int = 3) -> str:
        return f"{v:>{width}.{digits}f}" if v is not None else f"{'-':>{width}}"

    for name, s in result["systems"].items():
        print(f"{name:<34}{s['n']:>6}{s['unread']:>8}{fmt(s['genre_share'], 13)}{fmt(s['tag_overlap'], 13)}"
              f"{fmt(s['text_similarity'], 10)}{fmt(s['title_share'], 12)}{fmt(s['popularity_pct'], 9, 1)}")
    for name, value in result.get("faithfulness", {}).items():
        print(f"explanation faithfulness, {name}: {value} (every claim of every card re-derived from the catalog)")
    for ex in result["examples"]:
        print(f"  {ex['system']}: like {ex['seed']}: {'; '.join(ex['top'])}")
