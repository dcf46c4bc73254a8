"""`crs eval cf`: the interaction models compared offline, leave-last-out per user by timestamp.

For every user with at least `min_history` earlier positives, their last positive interaction
(by timestamp) is held out, together with anything they did at or after it; every model is
trained on what is left, then asked to rank the whole catalog for that user from their
earlier positives (the way the assistant seeds a known user). Items the user already
interacted with are not ranked. Recall@20 and NDCG@20 per model, with training time, all
measured in one run.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np

from eval.metrics import mean_ci, ndcg_at, rank_of, recall_at
from retrieval.catalog import Interaction
from retrieval.recommenders import Context, TrainingData

K = 20


def split_last(interactions: list[Interaction], positive_min_rating: float, min_history: int = 2):
    """(training interactions, {user: held-out item}, {user: earlier positives}, {user: every earlier item})."""
    by_user: dict[str, list[Interaction]] = defaultdict(list)
    for x in interactions:
        by_user[x.user_id].append(x)
    train: list[Interaction] = []
    held: dict[str, str] = {}
    seeds: dict[str, list[str]] = {}
    seen: dict[str, set[str]] = {}
    liked = lambda x: x.rating is None or x.rating >= positive_min_rating  # noqa: E731
    for user, xs in by_user.items():
        xs = sorted(xs, key=lambda x: (x.timestamp or 0, x.item_id))
        positives = [x for x in xs if liked(x)]
        if len(positives) <= min_history:
            train += xs
            continue
        last = positives[-1]
        before = [x for x in xs if (x.timestamp or 0) < (last.timestamp or 0)]
        earlier_pos = [x.item_id for x in before if liked(x)]
        if len(earlier_pos) < min_history:
            train += xs
            continue
        train += before
        held[user] = last.item_id
        seeds[user] = earlier_pos
        seen[user] = {x.item_id for x in before}
    return train, held, seeds, seen


def evaluate(pack, progress: bool = True) -> dict[str, dict]:
    """Every model of `retrieval.build.MODELS` fitted on the training split and scored; one dict per model."""
    from tqdm import tqdm

    from retrieval.build import MODELS

    spec = pack.manifest.interactions
    positive = spec.positive_min_rating if spec else 4.0
    catalog = pack.catalog()
    train, held, seeds, seen = split_last(pack.interactions, positive)
    data = TrainingData(item_ids=catalog.ids, interactions=train, data_hash="leave-last-out",
                        positive_min_rating=positive)
    users = sorted(held)
    results: dict[str, dict] = {}
    for name, cls in MODELS.items():
        t0 = time.perf_counter()
        model = cls.fit(data, progress=False)
        fit_s = time.perf_counter() - t0
        recalls, ndcgs = [], []
        t1 = time.perf_counter()
        for user in tqdm(users, desc=f"scoring {name}", unit="user", disable=not progress):
            ctx = Context(history=seeds[user])
            scores = model.features(ctx, catalog.ids)[name].astype(np.float64)
            scores[[catalog.row[i] for i in seen[user] if i in catalog.row]] = -np.inf
            top = np.argpartition(-scores, K)[:K]
            ranked = [catalog.ids[i] for i in top[np.argsort(-scores[top], kind="stable")]]
            r = rank_of(ranked, held[user])
            recalls.append(recall_at(r, K))
            ndcgs.append(ndcg_at(r, K))
        results[name] = {
            f"recall@{K}": round(mean_ci(recalls)[0], 4),
            f"recall@{K}_ci95": round(mean_ci(recalls)[1], 4),
            f"ndcg@{K}": round(mean_ci(ndcgs)[0], 4),
            "train_seconds": round(fit_s, 2),
            "score_ms_per_user": round((time.perf_counter() - t1) * 1000 / max(1, len(users)), 2),
        }
    results["_split"] = {"n_users_evaluated": len(users), "n_train_interactions": len(train),
                         "positive_min_rating": positive}
    return results


def print_table(results: dict) -> None:
    print(f"{'model':<14}{'recall@20':>11}{'± 95%':>8}{'ndcg@20':>10}{'train s':>10}{'ms/user':>10}")
    for name, r in results.items():
        if name.startswith("_"):
            continue
        print(f"{name:<14}{r['recall@20']:>11.4f}{r['recall@20_ci95']:>8.3f}{r['ndcg@20']:>10.4f}"
              f"{r['train_seconds']:>10.2f}{r['score_ms_per_user']:>10.2f}")
    split = results["_split"]
    print(f"(leave-last-out by timestamp: {split['n_users_evaluated']} users, "
          f"{split['n_train_interactions']:,} training interactions; popularity and item-kNN are the baselines)")
