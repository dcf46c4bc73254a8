"""Recommenders behind one interface: fit on a pack's data, save, load, score a candidate set.

Every model sees a request as a `Context` (what the conversation named, liked and said,
and a known user's history) and answers two questions: which items it would propose
(`candidates`) and how much it likes each of a given set (`features`, one or more named
scores per item). The hybrid ranker (`retrieval.ranker`) blends the features; adding a
model means adding a class here, never touching the assistant.

Models are saved with `torch.save` (tensors and plain containers only, loaded with
`weights_only=True`) together with the content hash of the data they were fitted on; a
model whose hash does not match the pack's current data is refused, never silently used.
"""

from __future__ import annotations

import time
import warnings
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

import numpy as np
import torch

from retrieval.catalog import Interaction
from retrieval.errors import IndexNotBuilt

warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")


@dataclass
class Context:
    """What a recommender may look at for one request. Item lists are oldest first."""

    text: str = ""  # the conversation so far, both sides
    query: np.ndarray | None = None  # the request as understood, embedded (384,), when there is one
    words: np.ndarray | None = None  # the person's own recent words embedded (384,), when there are any
    dialogue: np.ndarray | None = None  # everything the person said in the conversation, embedded (384,)
    avoid: np.ndarray | None = None  # the free words the request rules out ("not ww2 stuff"), embedded (384,)
    liked: Sequence[str] = ()
    disliked: Sequence[str] = ()
    mentioned: Sequence[str] = ()  # every item named in the conversation, liked or not
    recent: Sequence[str] = ()  # items named in the last user message
    history: Sequence[str] = ()  # a known user's stored positives (thumbs up, past likes)
    proposed: Sequence[str] = ()  # open suggestions of the assistant's side in an imported history (see Session.proposed)
    proposed_last: Sequence[str] = ()  # those its latest turn made
    at: float | None = None  # when the request is made, on the conversation logs' clock; None: now, after them all

    @property
    def seeds(self) -> list[str]:
        """Positive seeds for item-to-item models: this conversation's likes, then the stored history."""
        return list(dict.fromkeys([*self.liked, *self.history]))


@dataclass
class TrainingData:
    """What `crs train` fits models on."""

    item_ids: list[str]
    interactions: Sequence[Interaction] = ()
    conversations: Sequence = ()  # retrieval.conversations.LoggedTurn
    data_hash: str = ""
    positive_min_rating: float = 4.0

    def positives(self) -> list[tuple[str, str, int | None]]:
        """(user, item, timestamp) of interactions that count as liked, one per user and item."""
        seen: dict[tuple[str, str], int | None] = {}
        known = set(self.item_ids)
        for x in self.interactions:
            if x.item_id in known and (x.rating is None or x.rating >= self.positive_min_rating):
                seen[(x.user_id, x.item_id)] = x.timestamp
        return [(u, i, t) for (u, i), t in seen.items()]


@runtime_checkable
class Recommender(Protocol):
    """What the ranker needs of a model. Persistence is `Saved`'s: fit, save, load(path, data_hash)."""

    name: str

    def candidates(self, ctx: Context, n: int) -> list[str]: ...

    def features(self, ctx: Context, ids: Sequence[str]) -> dict[str, np.ndarray]: ...


def per_context(owner, ctx: Context, compute):
    """`compute(ctx)`, remembered on `owner` for the latest Context, so one request's candidates and features
    share it. One tuple, replaced atomically: safe for concurrent requests."""
    last = getattr(owner, "_last", None)
    if last is not None and last[0] is ctx:
        return last[1]
    value = compute(ctx)
    owner._last = (ctx, value)
    return value


@dataclass
class Saved(ABC):
    """Common save/load: a format tag, the data hash, and a dict of tensors and plain values."""

    FORMAT: ClassVar[str] = ""
    data_hash: str = ""
    meta: dict = field(default_factory=dict)

    @abstractmethod
    def state(self) -> dict:
        """The model's tensors and plain values, as `load` reads them back."""

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        torch.save({"format": self.FORMAT, "data_hash": self.data_hash, "meta": self.meta, "state": self.state()}, tmp)
        tmp.replace(path)  # atomic: a crash never leaves a half-written model behind

    @classmethod
    def read(cls, path: str | Path, data_hash: str | None) -> dict:
        path = Path(path)
        if not path.is_file():
            raise IndexNotBuilt(f"no model at {path}; train it with `crs train --pack DIR`")
        saved = torch.load(path, weights_only=True)
        if not isinstance(saved, dict) or saved.get("format") != cls.FORMAT:
            raise IndexNotBuilt(f"{path} is not a current {cls.FORMAT} model; retrain with `crs train --pack DIR`")
        if data_hash is not None and saved["data_hash"] != data_hash:
            raise IndexNotBuilt(f"{path} was trained on other data; retrain with `crs train --pack DIR`")
        return saved


def _scatter(ids: Sequence[str], row: dict[str, int], values: np.ndarray) -> np.ndarray:
    out = np.zeros(len(ids), dtype=np.float32)
    for k, iid in enumerate(ids):
        j = row.get(iid)
        if j is not None:
            out[k] = values[j]
    return out


def _top(values: np.ndarray, item_ids: list[str], n: int, exclude: Sequence[int] = ()) -> list[str]:
    values = values.copy()
    values[list(exclude)] = -np.inf
    n = min(n, len(values))
    if n <= 0:
        return []
    idx = np.argpartition(-values, n - 1)[:n]
    idx = idx[np.argsort(-values[idx], kind="stable")]
    return [item_ids[i] for i in idx if values[i] > 0]


@dataclass
class PopularityModel(Saved):
    """How many people liked each item, each like decayed by its age (half-life in days) when timestamps exist."""

    FORMAT: ClassVar[str] = "popularity-v1"
    name: str = "popularity"
    item_ids: list[str] = field(default_factory=list)
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    @classmethod
    def fit(cls, data: TrainingData, half_life_days: float = 365.0, progress: bool = False) -> PopularityModel:
        started = time.perf_counter()
        row = {iid: j for j, iid in enumerate(data.item_ids)}
        pos = data.positives()
        stamps = [t for _, _, t in pos if t is not None]
        now = max(stamps) if stamps else None
        counts = np.zeros(len(data.item_ids), dtype=np.float64)
        for _, iid, ts in pos:
            age_days = (now - ts) / 86400 if (now is not None and ts is not None) else 0.0
            counts[row[iid]] += 0.5 ** (age_days / half_life_days)
        meta = {"half_life_days": half_life_days, "n_positives": len(pos), "train_seconds": time.perf_counter() - started}
        return cls(data_hash=data.data_hash, meta=meta, item_ids=list(data.item_ids), counts=counts.astype(np.float32))

    @property
    def row(self) -> dict[str, int]:
        if not hasattr(self, "_row"):
            self._row = {iid: j for j, iid in enumerate(self.item_ids)}
        return self._row

    def scores(self) -> np.ndarray:
        """log-scaled decayed counts in [0, 1]."""
        top = float(np.log1p(self.counts.max())) if self.counts.size and self.counts.max() > 0 else 1.0
        return np.log1p(self.counts) / top

    def candidates(self, ctx: Context, n: int) -> list[str]:
        return _top(self.scores(), self.item_ids, n)

    def features(self, ctx: Context, ids: Sequence[str]) -> dict[str, np.ndarray]:
        return {self.name: _scatter(ids, self.row, self.scores())}

    def state(self) -> dict:
        return {"item_ids": self.item_ids, "counts": torch.from_numpy(self.counts)}

    @classmethod
    def load(cls, path: str | Path, data_hash: str | None = None) -> PopularityModel:
        s = cls.read(path, data_hash)
        return cls(data_hash=s["data_hash"], meta=s["meta"], item_ids=s["state"]["item_ids"],
                   counts=s["state"]["counts"].numpy())


class ItemToItem(Saved):
    """Shared by models that score candidates by summed item-item weights from the seeds (EASE, item-kNN, BPR)."""

    name: str = ""
    item_ids: list[str]
    row: dict[str, int]

    @abstractmethod
    def weights_from(self, seed_rows: list[int]) -> np.ndarray:
        """Summed item-item weights from the seed rows to every item: (n_items,) float32."""

    def _seed_rows(self, ctx: Context) -> list[int]:
        """The liked items; when nothing was liked yet, the items the conversation named (not disliked):
        people mostly name what they watched and have a view on."""
        seeds = ctx.seeds or [m for m in ctx.mentioned if m not in set(ctx.disliked)]
        return [self.row[s] for s in seeds if s in self.row]

    def score_all(self, ctx: Context) -> np.ndarray | None:
        """Scores of every item for the request; computed once per Context (candidates and features share it)."""
        return per_context(self, ctx, self._score_all)

    def _score_all(self, ctx: Context) -> np.ndarray | None:
        pos = self._seed_rows(ctx)
        neg = [self.row[s] for s in ctx.disliked if s in self.row]
        if not pos and not neg:
            return None
        out = self.weights_from(pos) if pos else np.zeros(len(self.item_ids), dtype=np.float32)
        if neg:
            out = out - 0.5 * self.weights_from(neg)
        return out

    def candidates(self, ctx: Context, n: int) -> list[str]:
        scores = self.score_all(ctx)
        return [] if scores is None else _top(scores, self.item_ids, n, exclude=self._seed_rows(ctx))

    def features(self, ctx: Context, ids: Sequence[str]) -> dict[str, np.ndarray]:
        scores = self.score_all(ctx)
        if scores is None:
            return {self.name: np.zeros(len(ids), dtype=np.float32)}
        return {self.name: _scatter(ids, self.row, scores)}


def _binary_matrix(data: TrainingData, min_item_positives: int) -> tuple[torch.Tensor, list[str], int]:
    """Users x items 0/1 (float32) over items liked by at least `min_item_positives` users."""
    pos = data.positives()
    counts: dict[str, int] = {}
    for _, iid, _ in pos:
        counts[iid] = counts.get(iid, 0) + 1
    item_ids = sorted(i for i, c in counts.items() if c >= min_item_positives)
    if not item_ids:
        raise ValueError("no item has enough positive interactions to train on")
    col = {iid: j for j, iid in enumerate(item_ids)}
    users = sorted({u for u, i, _ in pos if i in col})
    urow = {u: r for r, u in enumerate(users)}
    x = torch.zeros(len(users), len(item_ids), dtype=torch.float32)
    idx = [(urow[u], col[i]) for u, i, _ in pos if i in col]
    rows, cols = zip(*idx, strict=True)
    x[list(rows), list(cols)] = 1.0
    return x, item_ids, len(idx)


class ItemKnnModel(ItemToItem):
    """Item-item cosine similarity on who liked what, each item keeping its `k` nearest neighbours."""

    FORMAT: ClassVar[str] = "itemknn-v1"
    name = "itemknn"

    def __init__(self, item_ids: list[str], sim_t: torch.Tensor, data_hash: str, meta: dict) -> None:
        super().__init__(data_hash=data_hash, meta=meta)
        self.item_ids, self.sim_t = item_ids, sim_t.to_sparse_csr()  # transposed: row j holds who points at j
        self.row = {iid: j for j, iid in enumerate(item_ids)}

    @classmethod
    def fit(cls, data: TrainingData, k: int = 100, min_item_positives: int = 2, progress: bool = False) -> ItemKnnModel:
        started = time.perf_counter()
        x, item_ids, n_pos = _binary_matrix(data, min_item_positives)
        norms = x.sum(0).sqrt().clamp(min=1.0)
        sim = (x.T @ x) / norms.unsqueeze(0) / norms.unsqueeze(1)
        sim.fill_diagonal_(0.0)
        if k < sim.shape[1]:
            kth = torch.topk(sim, k, dim=1).values[:, -1:]
            sim = torch.where(sim >= kth, sim, torch.zeros((), dtype=sim.dtype))
        meta = {"k": k, "n_positives": n_pos, "train_seconds": time.perf_counter() - started}
        return cls(item_ids, sim.T.contiguous(), data.data_hash, meta)

    def weights_from(self, seed_rows: list[int]) -> np.ndarray:
        seeds = torch.zeros(len(self.item_ids))
        seeds[seed_rows] = 1.0
        return torch.mv(self.sim_t, seeds).numpy()

    def state(self) -> dict:
        return {"item_ids": self.item_ids, "sim_t": self.sim_t.to_sparse_coo().coalesce()}

    @classmethod
    def load(cls, path: str | Path, data_hash: str | None = None) -> ItemKnnModel:
        s = cls.read(path, data_hash)
        return cls(s["state"]["item_ids"], s["state"]["sim_t"].coalesce(), s["data_hash"], s["meta"])


class BprModel(ItemToItem):
    """Implicit matrix factorisation trained with the BPR loss (Rendle et al., UAI 2009) in torch.

    A conversation's user is new, so users are folded in through items: the item-item weight is
    the dot product of item factors, and candidates are scored from the seeds' factors.
    """

    FORMAT: ClassVar[str] = "bpr-v1"
    name = "bpr"

    def __init__(self, item_ids: list[str], factors: torch.Tensor, bias: torch.Tensor, data_hash: str,
                 meta: dict) -> None:
        super().__init__(data_hash=data_hash, meta=meta)
        self.item_ids, self.factors, self.bias = item_ids, factors, bias
        self.row = {iid: j for j, iid in enumerate(item_ids)}

    @classmethod
    def fit(cls, data: TrainingData, dim: int = 64, epochs: int = 30, lr: float = 0.01, reg: float = 1e-4,
            min_item_positives: int = 2, seed: int = 0, progress: bool = False) -> BprModel:
        from tqdm import tqdm

        started = time.perf_counter()
        gen = torch.Generator().manual_seed(seed)
        x, item_ids, n_pos = _binary_matrix(data, min_item_positives)
        users, items = x.nonzero(as_tuple=True)
        n_users, n_items = x.shape
        user_f = torch.nn.Parameter(torch.randn(n_users, dim, generator=gen) * 0.05)
        item_f = torch.nn.Parameter(torch.randn(n_items, dim, generator=gen) * 0.05)
        item_b = torch.nn.Parameter(torch.zeros(n_items))
        opt = torch.optim.Adam([user_f, item_f, item_b], lr=lr)
        batch = 4096
        for _ in tqdm(range(epochs), desc="training BPR", unit="epoch", disable=not progress):
            perm = torch.randperm(len(users), generator=gen)
            for b in range(0, len(perm), batch):
                j = perm[b : b + batch]
                u, i = users[j], items[j]
                neg = torch.randint(0, n_items, (len(j),), generator=gen)
                uf = user_f[u]
                diff = (uf * (item_f[i] - item_f[neg])).sum(1) + item_b[i] - item_b[neg]
                loss = -torch.nn.functional.logsigmoid(diff).mean() + reg * (
                    uf.pow(2).sum(1) + item_f[i].pow(2).sum(1) + item_f[neg].pow(2).sum(1)).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
        meta = {"dim": dim, "epochs": epochs, "n_positives": n_pos, "train_seconds": time.perf_counter() - started}
        return cls(item_ids, item_f.detach(), item_b.detach(), data.data_hash, meta)

    def weights_from(self, seed_rows: list[int]) -> np.ndarray:
        # the seeds' mean factor stands in for the new user's factor
        user = self.factors[seed_rows].mean(0)
        return (self.factors @ user + self.bias).numpy()

    def state(self) -> dict:
        return {"item_ids": self.item_ids, "factors": self.factors, "bias": self.bias}

    @classmethod
    def load(cls, path: str | Path, data_hash: str | None = None) -> BprModel:
        s = cls.read(path, data_hash)
        return cls(s["state"]["item_ids"], s["state"]["factors"], s["state"]["bias"], s["data_hash"], s["meta"])
