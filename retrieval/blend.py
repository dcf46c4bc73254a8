"""The hybrid score: how the ranker turns each candidate's evidence into one number.

Features are first scaled within the request (each divided by its largest magnitude over
the candidate pool, so a model's raw scale never matters) and, for the learned blend,
joined by their reciprocal ranks. Two blends:

- `Blend.default()`: fixed linear weights, used when a pack has nothing to learn them from;
- `Blend.fit(...)`: a small learning-to-rank model in torch (linear part plus a one-hidden-
  layer MLP) trained with a listwise softmax loss on a dev split: each example is one
  request's candidate pool and which of its items the person actually took. Every item taken is
  one term of the loss, so a pool with three of them weighs three times one with one, as it
  does in per-item recall (ReDial R@1 +.0016 over six seeds, every seed up, against one term
  per pool). Eight such nets, trained from different seeds, are averaged: on a few thousand
  examples one net's ranking depends on its seed (ReDial R@10 moves by about .003), the
  average's much less, and it is better than the typical single net. Eight rather than three:
  ReDial R@1 .0507 -> .0518 over five seeds (lowest .0496 -> .0511), R@10 .2243 -> .2254;
  sixteen were no better (.0512 over three seeds).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch

from retrieval.recommenders import Saved

# What a feature means lives where it is computed: the similarities, genre_match, year_near and people_match (ranker),
# mood and boost (the request), ease/bpr/itemknn/popularity (retrieval.recommenders, retrieval.cf), conv_*
# (retrieval.conversations).
DEFAULT_WEIGHTS = {
    "similarity": 1.0,
    "text_similarity": 0.5,
    "dialogue_similarity": 1.0,
    "seed_similarity": 0.3,
    "mention_similarity": 0.3,
    "genre_match": 0.5,  # the named items' genres: "more like X" stays in its kind (crs eval likeness)
    "year_near": 0.1,
    "people_match": 0.5,
    "same_series": 0.5,  # a part of the series of an item they liked (retrieval.series)
    "ease": 0.3,
    "popularity": 0.5,
    "mood": 0.15,
    "year_lean": 0.15,
    "boost": 0.5,
    "unknown_fact": -0.3,
    "proposed": 0.3,
    "proposed_last": 1.0,
    "avoid_similarity": -1.0,  # "not ww2 stuff": what is nearest what was ruled out sinks
    "conv_co": 0.3,
    "conv_cos": 0.3,
    "conv_recent": 0.2,
    "conv_trans": 0.4,
    "conv_pop": 0.3,
    "conv_knn": 0.8,
    "conv_knn_dlg": 0.4,
    "conv_eknn": 0.8,
    "conv_trend": 0.3,
}


# Popularity is a prior: in full when nothing says what this person likes ("what should I watch tonight?"), and
# at .7 once they named something they liked, where in full it would outvote likeness to it (EASE's scores carry
# popularity too). .7 is the most that keeps "more like X" like X (`crs eval likeness`: the picks' popularity
# percentile 74.4, within 15 points of content similarity's 60.6; 1.0 gives 80.4). Over .4, on the sparse profile
# with the MovieLens transfer, it lifted R@10 on both halves of ReDial's dialogues, the even one it was chosen on
# (.076 / .067 -> .078 / .070) and the odd one (.081 / .068 -> .088 / .075) (README, "Judged on a catalog...").
PRIORS = ("popularity",)
PRIOR_WITH_TASTE = 0.7


def scale(features: np.ndarray) -> np.ndarray:
    """Each column divided by its largest magnitude over the pool (all-zero columns stay zero)."""
    top = np.abs(features).max(axis=0, keepdims=True) if len(features) else np.ones((1, features.shape[1]))
    return np.divide(features, top, out=np.zeros_like(features), where=top > 0)


def rank_features(features: np.ndarray) -> np.ndarray:
    """1 / log2(2 + rank) of each item within each column; 0 where the feature is 0."""
    order = np.argsort(-features, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(len(features))[:, None].repeat(features.shape[1], 1), axis=0)
    return np.where(features != 0, 1.0 / np.log2(2.0 + ranks), 0.0).astype(np.float32)


class _Net(torch.nn.Module):
    def __init__(self, n_in: int, hidden: int) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(n_in, 1)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(n_in, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.linear(x) + self.mlp(x)).squeeze(-1)


class _Ensemble(torch.nn.Module):
    def __init__(self, nets: Sequence[_Net]) -> None:
        super().__init__()
        self.nets = torch.nn.ModuleList(nets)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([net(x) for net in self.nets]).mean(0)


class Blend(Saved):
    """Scores a pool of candidates from a (n_candidates, n_features) matrix whose columns are `names`."""

    FORMAT: ClassVar[str] = "blend-v2"

    def __init__(self, names: Sequence[str], weights: dict[str, float] | None = None, net: _Ensemble | None = None,
                 hidden: int = 32, data_hash: str = "", meta: dict | None = None,
                 prior_with_taste: float = PRIOR_WITH_TASTE) -> None:
        super().__init__(data_hash=data_hash, meta=meta or {})
        self.prior_with_taste = prior_with_taste
        self.names = list(names)
        self.weights = np.array([(weights or {}).get(n, 0.0) for n in self.names], dtype=np.float32)
        self.net = net
        self.hidden = hidden

    @classmethod
    def default(cls, names: Sequence[str]) -> Blend:
        return cls(names, DEFAULT_WEIGHTS)

    @property
    def learned(self) -> bool:
        return self.net is not None

    def inputs(self, features: np.ndarray) -> np.ndarray:
        scaled = scale(features)
        return np.hstack([scaled, rank_features(features)]).astype(np.float32)

    def score(self, features: np.ndarray, taste: bool = False) -> np.ndarray:
        """Scores of a pool; `taste`: the person named items they liked, so the fixed weights' priors step back (a
        learned blend learns that for itself)."""
        if not len(features):
            return np.zeros(0, dtype=np.float32)
        if self.net is None:
            weights = self.weights
            if taste:
                weights = np.where(np.isin(self.names, PRIORS), weights * self.prior_with_taste, weights)
                weights = weights.astype(np.float32)
            return scale(features) @ weights
        with torch.no_grad():
            return self.net(torch.from_numpy(self.inputs(features))).numpy()

    @classmethod
    def fit(cls, names: Sequence[str], examples: Sequence[tuple[np.ndarray, np.ndarray]], epochs: int = 25,
            hidden: int = 32, seed: int = 0, data_hash: str = "", progress: bool = False, members: int = 8) -> Blend:
        """Learns `members` nets (seeds `seed`, `seed` + 1, ...) from (features of a pool, 0/1 labels of what was
        taken) examples; pools without a positive teach nothing and are skipped."""
        from tqdm import tqdm

        started = time.perf_counter()
        blend = cls(names, hidden=hidden, data_hash=data_hash)
        useful = [(f, y) for f, y in examples if len(f) and y.sum() > 0]
        if not useful:
            raise ValueError("no example has a positive item in its candidate pool; nothing to learn")
        width = max(len(f) for f, _ in useful)
        n_in = 2 * len(blend.names)
        x = torch.zeros(len(useful), width, n_in)
        y = torch.zeros(len(useful), width)
        mask = torch.zeros(len(useful), width, dtype=torch.bool)
        for k, (f, labels) in enumerate(useful):
            x[k, : len(f)] = torch.from_numpy(blend.inputs(f))
            y[k, : len(f)] = torch.from_numpy(labels.astype(np.float32))
            mask[k, : len(f)] = True
        nets = []
        bar = tqdm(total=epochs * members, desc="learning the blend", unit="epoch", disable=not progress)
        for member in range(members):
            torch.manual_seed(seed + member)
            net = _Net(n_in, hidden)
            opt = torch.optim.Adam(net.parameters(), lr=0.01, weight_decay=1e-4)
            gen = torch.Generator().manual_seed(seed + member)
            for _ in range(epochs):
                perm = torch.randperm(len(useful), generator=gen)
                for b in range(0, len(perm), 64):
                    j = perm[b : b + 64]
                    logits = net(x[j]).masked_fill(~mask[j], -1e9)
                    logp = torch.log_softmax(logits, dim=1)
                    loss = -(logp * y[j]).sum() / y[j].sum()  # per item taken, not per pool
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                bar.update()
            nets.append(net)
        bar.close()
        blend.net = _Ensemble(nets).eval()
        blend.meta = {"n_examples": len(useful), "epochs": epochs, "members": members,
                      "train_seconds": time.perf_counter() - started}
        return blend

    def state(self) -> dict:
        return {"names": self.names, "hidden": self.hidden,
                "members": len(self.net.nets) if self.net is not None else 0,
                "net": {k: v for k, v in self.net.state_dict().items()} if self.net is not None else {}}

    @classmethod
    def load(cls, path: str | Path, data_hash: str | None = None) -> Blend:
        saved = cls.read(path, data_hash)
        s = saved["state"]
        blend = cls(s["names"], hidden=int(s["hidden"]), data_hash=saved["data_hash"], meta=saved["meta"])
        if s["net"]:
            net = _Ensemble([_Net(2 * len(blend.names), blend.hidden) for _ in range(int(s["members"]))])
            net.load_state_dict(s["net"])
            blend.net = net.eval()
        return blend


def fit_weights(names: Sequence[str], examples: Sequence[tuple[np.ndarray, np.ndarray, bool]],
                prior: dict[str, float] | None = None, pull: float = 0.1, frozen: Sequence[str] = (),
                epochs: int = 60) -> dict[str, float]:
    """Fixed-blend weights learned from (features of a pool, 0/1 labels of what was taken, whether the person had
    named items they liked) examples, as `Blend.score` uses them: the listwise softmax loss of `Blend.fit` on the
    scaled features, the priors stepped back where `taste` says, a free temperature, and a pull of strength `pull`
    towards `prior` (the shipped weights by default). A feature that never varies in the examples, or is `frozen`,
    keeps its prior weight, so weights learned on one catalog do not forget what another catalog needs."""
    prior = DEFAULT_WEIGHTS if prior is None else prior
    useful = [(f, y, t) for f, y, t in examples if len(f) and y.sum() > 0]
    if not useful:
        raise ValueError("no example has a positive item in its candidate pool; nothing to learn")
    w0 = torch.tensor([prior.get(n, 0.0) for n in names], dtype=torch.float32)
    free = torch.tensor([n not in frozen for n in names], dtype=torch.float32)
    step_back = torch.tensor([PRIOR_WITH_TASTE if n in PRIORS else 1.0 for n in names], dtype=torch.float32)
    width = max(len(f) for f, _, _ in useful)
    x = torch.zeros(len(useful), width, len(names))
    y = torch.zeros(len(useful), width)
    mask = torch.zeros(len(useful), width, dtype=torch.bool)
    for k, (f, labels, taste) in enumerate(useful):
        x[k, : len(f)] = torch.from_numpy(scale(f)) * (step_back if taste else 1.0)
        y[k, : len(f)] = torch.from_numpy(labels.astype(np.float32))
        mask[k, : len(f)] = True
    delta = torch.zeros(len(names), requires_grad=True)
    log_temp = torch.tensor(float(np.log(5.0)), requires_grad=True)
    opt = torch.optim.Adam([delta, log_temp], lr=0.02)
    for _ in range(epochs):  # full batch: a few thousand pools of a few hundred candidates fit in memory
        w = w0 + delta * free
        logits = ((x @ w) * log_temp.exp()).masked_fill(~mask, -1e9)
        loss = -(torch.log_softmax(logits, dim=1) * y).sum() / y.sum() + pull * ((w - w0) ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    learned = (w0 + delta * free).detach().numpy()
    return {n: round(float(v), 3) for n, v in zip(names, learned, strict=True)}
