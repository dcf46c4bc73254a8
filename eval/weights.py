"""`crs eval weights`: what the fixed blend's weights would be if a benchmark's dialogues chose them, and what that
would be worth on dialogues that did not choose them.

The cases are split in two halves by dialogue (as `--folds 2` splits them). For each half, weights are learned on
the other half's candidate pools (`retrieval.blend.fit_weights`: pulled towards the shipped weights, `frozen` ones
kept) and both the shipped and the learned weights rank the held-out half, next to dense retrieval of the same run.
Nothing here changes the shipped weights: it prints the weights learned on all the cases for a person to judge,
with `crs eval likeness` (a benchmark's recommenders have their own taste, e.g. for popular items).
"""

from __future__ import annotations

import numpy as np

from eval.benchmark import DEPTH, Case, dense_baseline, request_of, score
from eval.folds import fold_of, pool_example

KEYS = ("recall@1", "recall@10", "recall@50", "recall@10_excl_mentioned")


def _rank(ranker, request, blend) -> list[str]:
    ranker.blend = blend
    return [c.item_id for c in ranker.recommend(request.ctx, request.constraints, DEPTH, request.mood_genres,
                                                request.boosts, request.lean_years).candidates]


def cross_fit(assistant, cases: list[Case], pull: float = 0.1, frozen: tuple[str, ...] = (),
              progress: bool = True) -> dict:
    """Per half: recall of the shipped weights, of the weights learned on the other half, and of dense retrieval;
    the weights learned on each half and on all cases."""
    from tqdm import tqdm

    from retrieval.blend import DEFAULT_WEIGHTS, Blend, fit_weights

    ranker = assistant.engine.ranker
    shipped = ranker.blend
    names = ranker.feature_names
    requests = {c.id: request_of(assistant, c) for c in tqdm(cases, desc="requests", unit="case", disable=not progress)}
    examples = {}
    for c in tqdm(cases, desc="candidate pools", unit="case", disable=not progress):
        features, labels = pool_example(assistant, requests[c.id], c, names)
        examples[c.id] = (features, labels, bool(requests[c.id].ctx.seeds))
    dense = dense_baseline(assistant, cases)
    prior = {n: float(shipped.weights[i]) for i, n in enumerate(shipped.names)} if not shipped.learned \
        else DEFAULT_WEIGHTS
    out: dict = {"n_cases": len(cases), "pull": pull, "frozen": list(frozen), "halves": []}
    try:
        for half in (0, 1):
            test = [c for c in cases if fold_of(c, 2) == half]
            train = [examples[c.id] for c in cases if fold_of(c, 2) != half]
            if not test or not train:
                continue
            row: dict = {"half": half, "n_cases": len(test)}
            try:
                weights = fit_weights(names, train, prior, pull, frozen)
            except ValueError:  # no target of the other half is in its candidate pools: the shipped weights stand
                weights, row["note"] = dict(prior), "nothing to learn from the other half"
            row["weights"] = weights
            learned = Blend(names, weights)
            for system, blend in (("shipped", shipped), ("learned on the other half", learned)):
                per = score(test, {c.id: _rank(ranker, requests[c.id], blend) for c in test})
                row[system] = {k: round(float(np.mean(per[k])), 4) for k in KEYS if per.get(k)}
            per = score(test, {c.id: dense[c.id] for c in test})
            row["dense"] = {k: round(float(np.mean(per[k])), 4) for k in KEYS if per.get(k)}
            out["halves"].append(row)
        try:
            out["weights_all"] = fit_weights(names, list(examples.values()), prior, pull, frozen)
        except ValueError:
            out["note"] = "no target is in any candidate pool: nothing to learn"
    finally:
        ranker.blend = shipped
    out["prior"] = {n: prior.get(n, 0.0) for n in names}
    return out


def print_weights(result: dict) -> None:
    print(f"{'half (cases)':<14}{'system':<28}" + "".join(f"{k.replace('_mentioned', ''):>17}" for k in KEYS))
    for row in result["halves"]:
        for system in ("shipped", "learned on the other half", "dense"):
            print(f"{row['half']} ({row['n_cases']}){'':<6}"[:14] + f"{system:<28}"
                  + "".join(f"{row[system].get(k, float('nan')):>17.4f}" for k in KEYS))
    if "weights_all" in result:
        changed = {n: v for n, v in result["weights_all"].items() if abs(v - result["prior"].get(n, 0.0)) >= 0.01}
        print(f"weights learned on all {result['n_cases']} cases (pull {result['pull']}; frozen: "
              f"{', '.join(result['frozen']) or 'none'}), where they differ from the shipped ones:")
        print("  " + (", ".join(f"{n} {result['prior'].get(n, 0.0):g} -> {v:g}" for n, v in changed.items()) or "none"))
