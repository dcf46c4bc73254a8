"""Beyond-accuracy metrics over the lists a system showed: coverage, diversity, novelty,
popularity bias, constraint violations. Each function says what it needs; all are in [0, 1]
except novelty (bits)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np


def catalog_coverage(lists: Iterable[Sequence[str]], catalog_size: int) -> float:
    """Share of the catalog that appeared in at least one list. Higher: more of the catalog gets shown."""
    shown = {i for lst in lists for i in lst}
    return len(shown) / catalog_size if catalog_size else 0.0


def intra_list_diversity(vectors: np.ndarray) -> float:
    """Mean pairwise cosine distance within one list of unit vectors (n, d); 0 for fewer than two."""
    n = len(vectors)
    if n < 2:
        return 0.0
    sims = vectors @ vectors.T
    return float((n * n - sims.sum()) / (n * (n - 1)))  # mean of (1 - cos) over ordered pairs i != j


def novelty(lists: Iterable[Sequence[str]], popularity: Mapping[str, float]) -> float:
    """Mean self-information -log2(p) of shown items, p = the item's share of all interactions (bits).
    Items never interacted with count as seen once, so they are the most novel but finite."""
    total = sum(popularity.values()) or 1.0
    bits = [-math.log2(max(popularity.get(i, 0.0), 1.0) / total) for lst in lists for i in lst]
    return float(np.mean(bits)) if bits else 0.0


def gini(counts: Sequence[float]) -> float:
    """Gini coefficient of exposure counts over all items: 0 = every item shown equally, 1 = one item only."""
    x = np.sort(np.asarray(counts, dtype=float))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return 0.0
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * x.sum()))


def long_tail_share(lists: Iterable[Sequence[str]], popularity: Mapping[str, float], head_share: float = 0.2) -> float:
    """Share of shown slots that went to items outside the most popular `head_share` of the catalog."""
    ranked = sorted(popularity, key=lambda i: -popularity[i])
    head = set(ranked[: max(1, int(len(ranked) * head_share))])
    slots = [i for lst in lists for i in lst]
    return sum(i not in head for i in slots) / len(slots) if slots else 0.0


def exposure_counts(lists: Iterable[Sequence[str]], catalog_ids: Sequence[str]) -> list[int]:
    shown = Counter(i for lst in lists for i in lst)
    return [shown.get(i, 0) for i in catalog_ids]
