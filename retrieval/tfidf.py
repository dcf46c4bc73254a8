"""A small TF-IDF encoder whose whole state is a vocabulary and an idf array (saved without pickle).

Sublinear tf, smoothed idf, unit-length rows, English stop words dropped: what context
nearest-neighbour search over past conversations needs, and nothing more.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import torch

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing don down during each few for from further had has have
    having he her here hers herself him himself his how i i'm i've if in into is it it's its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that that's the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom why
    will with would you you're your yours yourself yourselves""".split()
)


def tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.casefold()) if len(t) > 1 and t not in STOP_WORDS]


class TfidfEncoder:
    """Fit on a corpus, then `encode` texts to sparse (n, vocab) float32 tensors with unit-length rows."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float32)

    @classmethod
    def fit(cls, texts: Sequence[str], min_df: int = 2, max_features: int = 20000) -> TfidfEncoder:
        df: Counter[str] = Counter()
        for text in texts:
            df.update(set(tokens(text)))
        kept = sorted((t for t, c in df.items() if c >= min_df), key=lambda t: (-df[t], t))[:max_features]
        vocabulary = {t: j for j, t in enumerate(sorted(kept))}
        n = len(texts)
        idf = np.array([np.log((1 + n) / (1 + df[t])) + 1 for t in sorted(kept)], dtype=np.float32)
        return cls(vocabulary, idf)

    def encode(self, texts: Sequence[str]) -> torch.Tensor:
        rows, cols, vals = [], [], []
        for r, text in enumerate(texts):
            counts = Counter(self.vocabulary[t] for t in tokens(text) if t in self.vocabulary)
            if not counts:
                continue
            js = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            w = (1 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.idf[js]
            w /= np.linalg.norm(w)
            rows += [r] * len(js)
            cols += js.tolist()
            vals += w.tolist()
        index = torch.tensor([rows, cols], dtype=torch.int64).reshape(2, -1)
        return torch.sparse_coo_tensor(index, torch.tensor(vals, dtype=torch.float32),
                                       (len(texts), len(self.vocabulary)), check_invariants=False).coalesce()

    def state(self) -> dict:
        return {"vocabulary": self.vocabulary, "idf": torch.from_numpy(self.idf)}

    @classmethod
    def from_state(cls, state: dict) -> TfidfEncoder:
        return cls(dict(state["vocabulary"]), state["idf"].numpy())
