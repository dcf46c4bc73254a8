"""Demo-pack benchmark: index throughput, CF training time, and turn latency by stage.

Prints, in one run: items/s to embed and to insert, EASE training time, and turn
latency p50/p95 over varied requests (each stage separately), next to a brute-force
numpy cosine search over the same vectors with the same constraints as reference,
and how many of the exact top-100 Chroma's HNSW search returned.

    python bench/turns.py [--requests 200] [--state-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

GENRES = ["sci-fi", "comedy", "horror", "drama", "thriller", "romance", "animated", "western", "crime",
          "documentary", "fantasy", "war", "musical", "action", "mystery"]
DECADES = ["", " from the 70s", " from the 80s", " from the 90s", " after 2005", " before 1990",
           " between 1985 and 2000", " 60s or 70s"]
MOODS = ["", "a funny ", "a scary ", "a dark ", "a feel-good ", "an exciting "]
EXCLUDES = ["", ", nothing with horror", ", no romance", ", anything but comedy", ", not into musicals"]
TOPICS = ["time travel", "a heist with a twist", "space exploration", "high school", "a road trip",
          "world war two", "artificial intelligence", "zombies", "a love triangle", "revenge"]
LIKES = ["Galaxy Quest", "The Matrix", "Toy Story", "Pulp Fiction", "Amelie", "Alien", "Fargo",
         "The Princess Bride", "Heat", "Groundhog Day", "Jurassic Park", "Office Space"]


def requests(n: int, seed: int = 7) -> list[str]:
    """n varied requests: genre/decade/mood/exclusion combinations, topics, and liked titles."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = i % 4
        if kind in (0, 1):
            out.append(f"{rng.choice(MOODS)}{rng.choice(GENRES)} movie{rng.choice(DECADES)}{rng.choice(EXCLUDES)}")
        elif kind == 2:
            out.append(f"movies about {rng.choice(TOPICS)}{rng.choice(DECADES)}")
        else:
            out.append(f"something like {rng.choice(LIKES)}{rng.choice(EXCLUDES)}")
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


class BruteForce:
    """The reference: exact cosine search over the index's own vectors, with metadata kept as numpy arrays,
    as a hand-written search would."""

    def __init__(self, catalog, ids: list[str], vectors: np.ndarray) -> None:
        self.ids, self.vectors = ids, vectors
        items = [catalog.get(i) for i in ids]
        self.years = np.array([it.year if it.year is not None else -1 for it in items])
        self.genre_cols = {g: j for j, g in enumerate(sorted(catalog.genres))}
        self.genres = np.zeros((len(items), len(self.genre_cols)), dtype=bool)
        for r, it in enumerate(items):
            for g in it.genre_keys:
                self.genres[r, self.genre_cols[g]] = True

    def mask(self, c) -> np.ndarray:
        mask = np.ones(len(self.ids), dtype=bool)
        for g in c.include_genres:
            mask &= self.genres[:, self.genre_cols[g]]
        for g in c.exclude_genres:
            mask &= ~self.genres[:, self.genre_cols[g]]
        if c.year_min is not None:
            mask &= self.years >= c.year_min
        if c.year_max is not None:
            mask &= (self.years <= c.year_max) & (self.years >= 0)
        return mask

    def top(self, q: np.ndarray, c, k: int = 100) -> set[str]:
        mask = self.mask(c)
        sims = self.vectors @ q
        sims[~mask] = -np.inf
        k = min(k, int(mask.sum()))
        return {self.ids[i] for i in np.argpartition(-sims, k - 1)[:k]} if k else set()


def build(pack, state: Path, embedder) -> tuple[float | None, float, dict]:
    """Indexes the pack (when its index is not current) and trains every model, timed.
    Returns the build's seconds (None when reused), the embedding's share of them, and each model's time."""
    from assistant.engine import training_data
    from retrieval.build import MODELS, model_path, open_store

    store = open_store(pack, state)
    embed_s = 0.0

    def timed_encode(texts):
        nonlocal embed_s
        t0 = time.perf_counter()
        out = embedder.encode(texts)
        embed_s += time.perf_counter() - t0
        return out

    build_s = None
    if not store.is_current(pack.items_hash, embedder.name, len(pack.items)):
        t = time.perf_counter()
        store.build(pack.items, timed_encode, pack.items_hash, embedder.name, progress=True)
        build_s = time.perf_counter() - t
    data = training_data(pack, pack.catalog())
    trained = {}
    for name, cls in MODELS.items():
        t = time.perf_counter()
        model = cls.fit(data, progress=True)
        trained[name] = (time.perf_counter() - t, model)
        model.save(model_path(state, pack, name))
    return build_s, embed_s, trained


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--state-dir", type=Path, help="reuse an index here (default: a fresh temp dir, measured)")
    args = ap.parse_args()

    from tqdm import tqdm

    from assistant.assistant import Assistant
    from assistant.config import DEMO_PACK
    from assistant.engine import prepare
    from assistant.models import Session
    from retrieval.constraints import Constraints
    from retrieval.embed import shared_embedder
    from retrieval.pack import load_pack

    state = args.state_dir or Path(tempfile.mkdtemp(prefix="crs-bench-"))
    t = time.perf_counter()
    embedder = shared_embedder()
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    pack = load_pack(DEMO_PACK)
    pack_s = time.perf_counter() - t
    build_s, embed_s, trained = build(pack, state, embedder)

    engine = prepare(DEMO_PACK, state, embedder=embedder, progress=False)
    assistant = Assistant(engine)
    reference = BruteForce(engine.catalog, *engine.store.all_vectors())

    msgs = requests(args.requests)
    for m in msgs[:5]:  # warm-up: first queries pay one-off costs
        assistant.respond(Session(), m)
    stages: dict[str, list[float]] = {}
    brute: list[float] = []
    overlap: list[float] = []
    n_recs = []
    for m in tqdm(msgs, desc="turns", unit="turn"):
        session = Session()
        reply = assistant.respond(session, m)
        n_recs.append(len(reply.recommendations))
        for k, v in reply.timings_ms.items():
            stages.setdefault(k, []).append(v)
        # reference: exact cosine top-100 over the same vectors with the same constraints
        p = session.preferences
        c = Constraints(include_genres=frozenset(p.include_genres), exclude_genres=frozenset(p.exclude_genres),
                        year_min=p.year_min, year_max=p.year_max)
        q = assistant.ranking.query_vector(p)
        if q is None:
            continue
        t = time.perf_counter()
        exact = reference.top(q, c)
        brute.append((time.perf_counter() - t) * 1000)
        if exact:
            got = {h.item_id for h in engine.store.search(q, 100, c.where())}
            overlap.append(len(exact & got) / len(exact))

    print()
    print(f"demo pack: {len(pack.items):,} items, {len(pack.interactions):,} ratings; model load {load_s:.1f} s, "
          f"pack load {pack_s:.2f} s")
    if build_s is not None:
        print(f"index build: {len(pack.items) / build_s:,.0f} items/s end to end "
              f"(embedding {len(pack.items) / embed_s:,.0f} items/s, "
              f"insert {len(pack.items) / (build_s - embed_s):,.0f} items/s)")
    else:
        print("index build: reused an existing index (run without --state-dir to measure)")
    for name, (secs, model) in trained.items():
        print(f"training {name}: {secs:.1f} s over {len(model.item_ids):,} items")
    print(f"turns: {len(msgs)} varied requests, {sum(n_recs) / len(n_recs):.2f} recommendations on average")
    report(stages, brute, overlap)
    return 0


def report(stages: dict[str, list[float]], brute: list[float], overlap: list[float]) -> None:
    print()
    print(f"{'stage':<22}{'p50 ms':>10}{'p95 ms':>10}")
    order = ["understand", "embed", "retrieve", "candidates", "rerank", "explain", "total"]
    for k in order + sorted(set(stages) - set(order)):
        if k in stages:
            print(f"{k:<22}{pct(stages[k], 50):>10.1f}{pct(stages[k], 95):>10.1f}")
    print(f"{'numpy brute force':<22}{pct(brute, 50):>10.1f}{pct(brute, 95):>10.1f}   (reference for 'retrieve')")
    print()
    print(f"Chroma HNSW vs exact top-100 (same filter): {np.mean(overlap):.3f} mean overlap")
    target = "met" if pct(stages["total"], 50) <= 150 and pct(stages["total"], 95) <= 300 else "NOT met"
    print(f"target turn p50 <= 150 ms, p95 <= 300 ms: {target}")


if __name__ == "__main__":
    sys.exit(main())
