"""Ranking metrics over (ranked list, target) samples. Higher is better for all of them.

One sample is one (case, target item) pair, as in the KBRD/UniCRS/iEvaLM evaluations of
ReDial: a turn whose human recommender suggested two movies gives two samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def rank_of(ranked: Sequence[str], target: str) -> int | None:
    """1-based position of the target in the list, or None when absent."""
    try:
        return ranked.index(target) + 1
    except ValueError:
        return None


def recall_at(rank: int | None, k: int) -> float:
    """1 when the target is in the top k."""
    return 1.0 if rank is not None and rank <= k else 0.0


def ndcg_at(rank: int | None, k: int) -> float:
    """Normalised DCG with one relevant item: 1 / log2(rank + 1) within the top k."""
    return 1.0 / math.log2(rank + 1) if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    """1 / rank, 0 when absent from the list (so MRR is MRR@len(list))."""
    return 1.0 / rank if rank is not None else 0.0


def mean_ci(values: Sequence[float], z: float = 1.96) -> tuple[float, float]:
    """Mean and the half-width of its normal-approximation 95% confidence interval."""
    n = len(values)
    if n == 0:
        return float("nan"), float("nan")
    mean = sum(values) / n
    if n == 1:
        return mean, float("nan")
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, z * math.sqrt(var / n)
