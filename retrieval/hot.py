"""Hot vectors: every item's vector and filterable facts in memory, so a filtered search need not pay
Chroma's metadata-filter cost.

Chroma's HNSW query is flat in the catalog size (about 4 ms at 100k items), but the same query with
a `where` filter grows with it (25 ms at 10k, 150 ms at 100k: see ../shared/STACK-NOTES.md). With
the vectors and a column per filterable fact in memory, a filter becomes a boolean mask, and a
search picks whichever is cheaper for how selective the mask is:

- few items pass: exact cosine over just those rows (numpy);
- most pass: Chroma's unfiltered HNSW, over-fetched by the share that fails, then post-filtered;
  a query left short after that is answered exactly.

The mask is read from the same `where` document Chroma would get (see `Constraints.where`), so the
two can never disagree; a `where` using anything else goes to Chroma unchanged.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from retrieval.catalog import Item, genre_key

NO_YEAR = -32768
QUANTIZED_FROM = 250_000  # rows from which vectors are kept as int8, scaled per dimension (a quarter of float32)
KNOWN = ("has_genres", "has_year", "has_price")  # metadata flags: whether an item records a fact (retrieval.store)
EXACT_MAX_ROWS = 20_000  # at most this many passing rows: exact search over them beats HNSW
OVERFETCH_SLACK = 1.5  # fetch this much more than the passing share predicts
OVERFETCH_MAX = 2_000  # more than this from HNSW: exact search instead
CENTROID_CHUNK = 65_536  # rows summed at a time for a genre's centroid


class HotVectors:
    """Row-aligned ids, vectors (n, d), years, prices (NaN where unknown) and one boolean column per genre key.

    From QUANTIZED_FROM rows the vectors are int8 with one scale per dimension (`scale`): a million
    384-dim vectors take 0.4 GB instead of 1.5, and the top 100 by cosine stay 99% the same (measured
    on the scale benchmark's near-duplicate-heavy catalog, where scores are closest). Below that they
    are float32 and `scale` is None.
    """

    def __init__(self, ids: Sequence[str], vectors: np.ndarray, years: np.ndarray, genres: dict[str, np.ndarray],
                 scale: np.ndarray | None = None, prices: np.ndarray | None = None) -> None:
        self.ids = list(ids)
        self.row = {iid: i for i, iid in enumerate(self.ids)}
        if scale is None and len(self.ids) >= QUANTIZED_FROM:
            vectors, scale = quantize(vectors)
        self.scale = None if scale is None else np.asarray(scale, dtype=np.float32)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32 if self.scale is None else np.int8)
        self.years = years.astype(np.int16, copy=False)
        self.prices = np.full(len(self.ids), np.nan, dtype=np.float64) if prices is None else \
            np.asarray(prices, dtype=np.float64)
        self.genres = genres
        self._all = np.ones(len(self.ids), dtype=bool)
        self._has_genres: np.ndarray | None = None
        self._centroids: dict[str, np.ndarray | None] = {}

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(cls, items: Sequence[Item], ids: Sequence[str], matrix: np.ndarray) -> HotVectors:
        """From the items and their stored vectors (`ids` with an (n, d) array); items without a stored vector
        are left out."""
        where = {iid: i for i, iid in enumerate(ids)}
        kept = [it for it in items if it.id in where]
        vecs = matrix[[where[it.id] for it in kept]] if kept else np.zeros((0, matrix.shape[1]), dtype=np.float32)
        years = np.array([it.year if it.year is not None else NO_YEAR for it in kept], dtype=np.int16)
        genres: dict[str, np.ndarray] = {}
        for i, it in enumerate(kept):
            for g in {genre_key(g) for g in it.genres}:
                if g not in genres:
                    genres[g] = np.zeros(len(kept), dtype=bool)
                genres[g][i] = True
        prices = np.array([np.nan if it.price is None else it.price for it in kept], dtype=np.float64)
        return cls([it.id for it in kept], vecs, years, genres, prices=prices)

    def centroid(self, genre: str) -> np.ndarray | None:
        """The mean vector of the items of a genre key, unit length (computed once): what the catalog's items of
        that genre have in common, a direction to search for the genre that no title's words can match (the
        genre's name embedded finds Romance (1999) and Hood of Horror first). None when no item has the genre."""
        if genre not in self._centroids:
            rows = self.genres.get(genre)
            if rows is None or not rows.any():
                self._centroids[genre] = None
            else:
                idx = np.flatnonzero(rows)  # summed in chunks: a big genre of a million int8 rows never widens whole
                total = np.zeros(self.vectors.shape[1], dtype=np.float64)
                for at in range(0, len(idx), CENTROID_CHUNK):
                    total += self.vectors[idx[at : at + CENTROID_CHUNK]].sum(axis=0, dtype=np.float64)
                mean = (total / len(idx)).astype(np.float32)
                if self.scale is not None:
                    mean = mean * self.scale
                norm = float(np.linalg.norm(mean))
                self._centroids[genre] = mean / norm if norm > 0 else None
        return self._centroids[genre]

    # -- files ------------------------------------------------------------------------------

    def save(self, path: Path, key: str) -> None:
        """One .npz file, written whole then renamed; `key` says which index it mirrors."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        names = sorted(self.genres)
        extra = {} if self.scale is None else {"scale": self.scale}
        np.savez(tmp, key=np.array(key), ids=np.array(self.ids, dtype=object).astype(str), vectors=self.vectors, **extra,
                 years=self.years, prices=self.prices, genre_names=np.array(names, dtype=str),
                 genres=np.stack([self.genres[g] for g in names]) if names else np.zeros((0, len(self)), dtype=bool))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, key: str) -> HotVectors | None:
        """The saved copy when it mirrors index `key`; None when missing, stale or unreadable."""
        try:
            with np.load(path, allow_pickle=False) as f:
                if str(f["key"]) != key:
                    return None
                names = [str(g) for g in f["genre_names"]]
                genres = {g: f["genres"][i].copy() for i, g in enumerate(names)}
                scale = f["scale"] if "scale" in f.files else None
                quantized = len(f["years"]) >= QUANTIZED_FROM
                if f["vectors"].dtype != (np.int8 if quantized else np.float32) or quantized != (scale is not None) \
                        or "prices" not in f.files:
                    return None  # written in another format (an older version): rebuilt
                return cls([str(i) for i in f["ids"]], f["vectors"], f["years"], genres, scale, f["prices"])
        except (OSError, ValueError, KeyError):
            return None

    # -- filtering ----------------------------------------------------------------------------

    def mask(self, where: dict | None) -> np.ndarray | None:
        """The rows a Chroma `where` document lets through; None when it uses anything this cannot read."""
        if where is None:
            return self._all
        try:
            return self._eval(where)
        except _Unreadable:
            return None

    def _eval(self, doc: dict) -> np.ndarray:
        if len(doc) != 1:
            raise _Unreadable
        (field, cond), = doc.items()
        if field in ("$and", "$or"):
            parts = [self._eval(d) for d in cond]
            if not parts:
                raise _Unreadable
            out = parts[0].copy()
            for p in parts[1:]:
                out = (out & p) if field == "$and" else (out | p)
            return out
        if not isinstance(cond, dict) or len(cond) != 1:
            raise _Unreadable
        (op, value), = cond.items()
        if field == "genres" and op in ("$contains", "$not_contains") and isinstance(value, str):
            col = self.genres.get(value)
            has = col if col is not None else np.zeros(len(self), dtype=bool)
            return has.copy() if op == "$contains" else ~has
        if field in KNOWN and op == "$eq" and isinstance(value, bool):
            return self.known(field) == value
        if field == "year" and isinstance(value, int) and not isinstance(value, bool):
            known = self.years != NO_YEAR
            compare = {"$gte": np.greater_equal, "$lte": np.less_equal, "$gt": np.greater, "$lt": np.less,
                       "$eq": np.equal}.get(op)
            if compare is None:
                raise _Unreadable
            return known & compare(self.years.astype(np.int32), value)
        if field == "price" and isinstance(value, (int, float)) and not isinstance(value, bool):
            compare = {"$gte": np.greater_equal, "$lte": np.less_equal, "$gt": np.greater, "$lt": np.less}.get(op)
            if compare is None:
                raise _Unreadable
            with np.errstate(invalid="ignore"):
                return compare(self.prices, float(value))  # NaN (no price) compares False: fails any bound
        raise _Unreadable

    def known(self, flag: str) -> np.ndarray:
        """The rows that record a fact: `flag` is a metadata flag of retrieval.store (has_genres, has_year, has_price)."""
        if flag == "has_year":
            return self.years != NO_YEAR
        if flag == "has_price":
            return ~np.isnan(self.prices)
        if self._has_genres is None:
            self._has_genres = np.zeros(len(self), dtype=bool)
            for col in self.genres.values():
                self._has_genres |= col
        return self._has_genres

    # -- searching ----------------------------------------------------------------------------

    def exact(self, queries: np.ndarray, k: int, rows: np.ndarray) -> list[list[tuple[int, float]]]:
        """Exact top-k (row, cosine) among `rows` for each query (q, d)."""
        if k <= 0 or len(rows) == 0:
            return [[] for _ in range(len(queries))]
        if self.scale is not None:  # int8 rows: scale the queries instead of every row
            queries = queries * self.scale
        every = len(rows) == len(self.vectors)  # all rows: no copy of the whole matrix (rows are sorted, unique)
        matrix = torch.from_numpy(self.vectors if every else self.vectors[rows])
        # the product in torch: 3-6x numpy's on this CPU from 100k rows (3.9 vs 13 ms), on the threads the
        # embedding model already holds (numpy's own BLAS threads fought them; see retrieval/embed.py)
        sims = (matrix.float() @ torch.tensor(queries, dtype=torch.float32).T).numpy()  # (rows, q)
        k = min(k, len(rows))
        out = []
        for j in range(queries.shape[0]):
            col = sims[:, j]
            top = np.argpartition(-col, k - 1)[:k] if k < len(col) else np.arange(len(col))
            top = top[np.argsort(-col[top], kind="stable")]
            out.append([(int(rows[t]), float(col[t])) for t in top])
        return out

    def plan(self, n_pass: int, k: int, filtered: bool = True) -> tuple[str, int]:
        """('exact', 0) or ('hnsw', how many to fetch) for a filter that `n_pass` rows pass. Unfiltered searches of
        a catalog this small are exact too: as fast, the true neighbours, and the same whatever order the HNSW
        graph was built in (a rebuilt index used to move a benchmark's R@1 by .001)."""
        if n_pass <= EXACT_MAX_ROWS:
            return "exact", 0
        if not filtered:
            return "hnsw", k
        fetch = math.ceil(k * len(self) / n_pass * OVERFETCH_SLACK) + 10
        if fetch > OVERFETCH_MAX:
            return "exact", 0
        return "hnsw", min(fetch, len(self))

    def vector(self, row: int) -> np.ndarray:
        v = np.asarray(self.vectors[row], dtype=np.float32)
        return v if self.scale is None else v * self.scale


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 vectors and the per-dimension scale that maps them back (symmetric, max-abs)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    scale = np.abs(vectors).max(axis=0) / 127.0 if len(vectors) else np.ones(vectors.shape[1], dtype=np.float32)
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    return np.clip(np.rint(vectors / scale), -127, 127).astype(np.int8), scale


class _Unreadable(Exception):
    pass


def cache_path(state_dir: Path, collection: str, key: str) -> Path:
    digest = hashlib.sha256(json.dumps([collection, key]).encode()).hexdigest()[:16]
    return Path(state_dir) / "hot" / f"{collection}-{digest}.npz"
