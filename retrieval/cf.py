"""Collaborative filtering in torch: EASE (Steck, WWW 2019), a closed-form item-item model.

Trained on the pack's positive interactions; at chat time the items a user liked (in this
conversation, or stored for a known user) are the seeds, and each candidate is scored by
the learned item-item weights.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch

from retrieval.recommenders import ItemToItem, TrainingData, _binary_matrix


class EaseModel(ItemToItem):
    """Item-item weights B (n, n) float32 with a zero diagonal, over items that had enough positives."""

    FORMAT: ClassVar[str] = "ease-v2"
    name = "ease"

    def __init__(self, item_ids: list[str], weights: torch.Tensor, data_hash: str, meta: dict) -> None:
        super().__init__(data_hash=data_hash, meta=meta)
        self.item_ids = item_ids
        self.row = {iid: i for i, iid in enumerate(item_ids)}
        self.weights = weights

    @classmethod
    def fit(cls, data: TrainingData, l2: float = 250.0, min_item_positives: int = 2, progress: bool = True) -> EaseModel:
        """Fits EASE on binarised positives; items liked by fewer than `min_item_positives` users are left out."""
        from tqdm import tqdm

        started = time.perf_counter()
        bar = tqdm(total=3, desc="training EASE", unit="step", disable=not progress)
        x, item_ids, n_pos = _binary_matrix(data, min_item_positives)
        x = x.double()
        bar.update()
        gram = x.T @ x
        gram.diagonal().add_(l2)
        bar.update()
        p = torch.linalg.inv(gram)
        b = -p / p.diagonal().unsqueeze(0)
        b.diagonal().zero_()
        bar.update()
        bar.close()
        meta = {"l2": l2, "n_users": x.shape[0], "n_positives": n_pos, "train_seconds": time.perf_counter() - started}
        return cls(item_ids, b.to(torch.float32), data.data_hash, meta)

    def weights_from(self, seed_rows: list[int]) -> np.ndarray:
        return self.weights[seed_rows].sum(dim=0).numpy()

    def state(self) -> dict:
        return {"item_ids": self.item_ids, "weights": self.weights}

    @classmethod
    def load(cls, path: str | Path, data_hash: str | None = None) -> EaseModel:
        """Loads a saved model; with `data_hash`, refuses one trained on other data."""
        s = cls.read(path, data_hash)
        return cls(s["state"]["item_ids"], s["state"]["weights"], s["data_hash"], s["meta"])

    def score(self, seed_ids: Sequence[str], candidate_ids: Sequence[str]) -> np.ndarray:
        """CF scores of candidates given liked seeds: (len(candidate_ids),) float32, 0 where unknown."""
        from retrieval.recommenders import Context

        return self.features(Context(liked=list(seed_ids)), candidate_ids)[self.name]

    def top(self, seed_ids: Sequence[str], n: int) -> list[str]:
        """The n items with the highest positive CF score for the seeds (seeds themselves excluded)."""
        from retrieval.recommenders import Context

        return self.candidates(Context(liked=list(seed_ids)), n)
