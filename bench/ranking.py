"""Ranking benchmark: re-ranking 200 candidates (blend + MMR), and each model's training time and peak memory.

    python bench/ranking.py [--bench ../shared/data/redial-crs] [--state-dir DIR]

Re-ranking is timed on real candidate pools of the demo pack (requests from bench/turns.py,
each pool cut to 200), for the fixed blend and a learned one, next to the cheapest possible
re-rank measured in the same run: a plain sort by similarity. Training time and peak memory
(resident set growth, sampled every 5 ms) are measured for every model on ml-latest-small and,
when a benchmark folder is given, for the conversation model on its dialogues.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.turns import pct, requests  # noqa: E402

POOL = 200


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measured(fn):
    """(result, seconds, peak resident growth in MB) of fn()."""
    base = rss_mb()
    peak = [base]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.005)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    t0 = time.perf_counter()
    out = fn()
    secs = time.perf_counter() - t0
    done.set()
    t.join()
    return out, secs, max(peak[0], rss_mb()) - base


def time_training(engine, bench: Path | None) -> None:
    """Each interaction model's training time and peak memory, and the conversation model's on `bench`."""
    from assistant.engine import training_data
    from retrieval.build import MODELS

    print(f"\ntraining on {engine.pack.name} ({len(engine.pack.interactions):,} interactions):")
    data = training_data(engine.pack, engine.catalog)
    for name, cls in MODELS.items():
        model, secs, mb = measured(lambda cls=cls: cls.fit(data, progress=False))
        print(f"  {name:<14}{secs:>8.2f} s  peak +{mb:,.0f} MB  over {len(model.item_ids):,} items")
    if bench:
        from eval.benchmark import load_cases
        from eval.folds import logged_turns
        from retrieval.conversations import ConversationModel

        turns = logged_turns(load_cases(bench))
        lines = (bench / "items.jsonl").read_text(encoding="utf-8").splitlines()
        ids = [json.loads(line)["id"] for line in lines if line.strip()]
        model, secs, mb = measured(lambda: ConversationModel.fit(turns, ids))
        print(f"  {'conversations':<14}{secs:>8.2f} s  peak +{mb:,.0f} MB  over {len(turns):,} logged turns "
              f"from {bench.name}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, help="a benchmark folder (redial-crs format) to time the conversation model on")
    ap.add_argument("--state-dir", type=Path, help="reuse an index here (default: a fresh temp dir)")
    ap.add_argument("--requests", type=int, default=100)
    args = ap.parse_args()

    from tqdm import tqdm

    from assistant.assistant import Assistant
    from assistant.config import DEMO_PACK
    from assistant.dialogue.state import lean_years
    from assistant.engine import prepare
    from assistant.models import Session
    from retrieval.blend import Blend

    state = args.state_dir or Path(tempfile.mkdtemp(prefix="crs-bench-"))
    engine = prepare(DEMO_PACK, state, progress=True)
    assistant = Assistant(engine)
    ranker = engine.ranker
    time_training(engine, args.bench)

    pools = []
    feature_ms = []
    for message in tqdm(requests(args.requests), desc="candidate pools", unit="request"):
        session = Session()
        assistant.respond(session, message)
        prefs = session.preferences
        ranker.pool_size = POOL
        timings: dict[str, float] = {}
        cands = ranker.pool(assistant.ranking.context(session), assistant.ranking.constraints(session), prefs.mood_genres,
                            assistant.ranking.boosts(prefs), timings, lean_years(prefs))
        feature_ms.append(timings["features"])
        if len(cands) >= POOL:
            pools.append(cands[:POOL])
    names = ranker.feature_names
    rng = np.random.default_rng(0)
    examples = [(ranker.matrix(p, names), (rng.random(len(p)) < 0.02).astype(np.float32)) for p in pools]
    blends = {"fixed blend": Blend.default(names), "learned blend": Blend.fit(names, examples, epochs=2)}

    def rerank(cands, blend):
        scores = blend.score(ranker.matrix(cands, blend.names))
        for c, s in zip(cands, scores, strict=True):
            c.score = float(s)
        return ranker._diversify(cands, 10)

    def by_similarity(cands):
        return sorted(cands, key=lambda c: -c.similarity)[:10]

    print(f"\nre-ranking {POOL} candidates to a diversified top 10 ({len(pools)} real pools, "
          f"{len(names)} features):")
    print(f"{'':<28}{'p50 ms':>10}{'p95 ms':>10}")
    for label, fn in [*((k, lambda c, b=b: rerank(c, b)) for k, b in blends.items()),
                      ("sort by similarity (base)", by_similarity)]:
        for p in pools[:5]:
            fn(p)  # warm-up
        times = []
        for p in pools:
            t0 = time.perf_counter()
            fn(p)
            times.append((time.perf_counter() - t0) * 1000)
        print(f"{label:<28}{pct(times, 50):>10.2f}{pct(times, 95):>10.2f}")
    print(f"{'(features of the pool)':<28}{pct(feature_ms, 50):>10.2f}{pct(feature_ms, 95):>10.2f}"
          "   every model's scores, computed once per request before the blend")
    print("target: re-ranking 200 candidates p50 <= 10 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
