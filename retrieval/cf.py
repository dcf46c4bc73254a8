"""Collaborative filtering in torch: EASE (Steck, WWW 2019), a closed-form item-item model.

Trained on the pack's positive interactions; at chat time the items a user said they
liked are the seeds, and each candidate is scored by the learned item-item weights.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import torch

from retrieval.catalog import Interaction
from retrieval.errors import IndexNotBuilt

FORMAT = "ease-v1"


class EaseModel:
    """Item-item weights B (n, n) float32 with a zero diagonal, over items that had enough positives."""

    def __init__(self, item_ids: list[str], weights: torch.Tensor, data_hash: str, meta: dict) -> None:
        self.item_ids = item_ids
        self.row = {iid: i for i, iid in enumerate(item_ids)}
        self.weights = weights
        self.data_hash = data_hash
        self.meta = meta

    @classmethod
    def fit(
        cls,
        interactions: Iterable[Interaction],
        data_hash: str,
        positive_min_rating: float = 4.0,
        l2: float = 250.0,
        min_item_positives: int = 2,
        progress: bool = True,
    ) -> EaseModel:
        """Fits EASE on binarised positives; items liked by fewer than `min_item_positives` users are left out."""
        from tqdm import tqdm

        started = time.perf_counter()
        bar = tqdm(total=3, desc="training EASE", unit="step", disable=not progress)
        pairs = {
            (x.user_id, x.item_id)
            for x in interactions
            if x.rating is None or x.rating >= positive_min_rating
        }
        counts: dict[str, int] = {}
        for _, iid in pairs:
            counts[iid] = counts.get(iid, 0) + 1
        item_ids = sorted(i for i, c in counts.items() if c >= min_item_positives)
        if not item_ids:
            raise ValueError("no item has enough positive interactions to train on")
        col = {iid: j for j, iid in enumerate(item_ids)}
        users = sorted({u for u, i in pairs if i in col})
        urow = {u: r for r, u in enumerate(users)}
        idx = [(urow[u], col[i]) for u, i in pairs if i in col]
        x = torch.zeros(len(users), len(item_ids), dtype=torch.float64)
        rows, cols = zip(*idx, strict=True)
        x[list(rows), list(cols)] = 1.0
        bar.update()
        gram = x.T @ x
        gram.diagonal().add_(l2)
        bar.update()
        p = torch.linalg.inv(gram)
        b = -p / p.diagonal().unsqueeze(0)
        b.diagonal().zero_()
        bar.update()
        bar.close()
        meta = {
            "format": FORMAT,
            "l2": l2,
            "positive_min_rating": positive_min_rating,
            "n_users": len(users),
            "n_positives": len(idx),
            "train_seconds": time.perf_counter() - started,
        }
        return cls(item_ids, b.to(torch.float32), data_hash, meta)

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        torch.save({"item_ids": self.item_ids, "weights": self.weights, "data_hash": self.data_hash, "meta": self.meta}, tmp)
        tmp.replace(path)  # atomic: a crash never leaves a half-written model behind

    @classmethod
    def load(cls, path: str | Path, data_hash: str | None = None) -> EaseModel:
        """Loads a saved model; with `data_hash`, refuses one trained on other data."""
        path = Path(path)
        if not path.is_file():
            raise IndexNotBuilt(f"no CF model at {path}; train it with `crs train --pack DIR`")
        state = torch.load(path, weights_only=True)
        if state.get("meta", {}).get("format") != FORMAT:
            raise IndexNotBuilt(f"{path} is in an old format; retrain with `crs train --pack DIR`")
        if data_hash is not None and state["data_hash"] != data_hash:
            raise IndexNotBuilt(f"{path} was trained on other interactions; retrain with `crs train --pack DIR`")
        return cls(state["item_ids"], state["weights"], state["data_hash"], state["meta"])

    def score(self, seed_ids: Sequence[str], candidate_ids: Sequence[str]) -> np.ndarray:
        """CF scores of candidates given liked seeds: (len(candidate_ids),) float32, 0 where unknown."""
        seeds = [self.row[s] for s in seed_ids if s in self.row]
        out = np.zeros(len(candidate_ids), dtype=np.float32)
        if not seeds:
            return out
        pos = [(k, self.row[c]) for k, c in enumerate(candidate_ids) if c in self.row]
        if not pos:
            return out
        ks, cols = zip(*pos, strict=True)
        vals = self.weights[seeds][:, list(cols)].sum(dim=0)
        out[list(ks)] = vals.numpy()
        return out

    def top(self, seed_ids: Sequence[str], n: int) -> list[tuple[str, float]]:
        """The n items with the highest CF score for the seeds (seeds themselves excluded)."""
        seeds = [self.row[s] for s in seed_ids if s in self.row]
        if not seeds or n <= 0:
            return []
        scores = self.weights[seeds].sum(dim=0)
        scores[seeds] = float("-inf")
        vals, idx = torch.topk(scores, min(n, len(self.item_ids)))
        return [(self.item_ids[i], float(v)) for i, v in zip(idx.tolist(), vals.tolist(), strict=True) if v > 0]
