"""The item vector store: one Chroma collection per pack, with filterable year and genres.

Embedded `PersistentClient` by default; a Chroma server through `HttpClient` when a host
is given. This is the only module that talks to Chroma.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.catalog import Credits, Item, ItemTable, genre_key
from retrieval.errors import IndexNotBuilt, IndexUnreadable, StoreUnreachable
from retrieval.hot import HotVectors, cache_path

# Bump when item_text() or metadata() change, so existing indexes are rebuilt.
TEXT_RECIPE = "v3"  # v2: price in the metadata; v3: has_genres / has_year / has_price flags
INSERT_BATCH = 256
EMBED_CHUNK = 1024  # texts per encode call: long enough for length-sorted batches to save padding
READ_PAGE = 5_000
# HNSW candidates per query (Chroma's default is 100). Measured on the 100k scale pack, share of the exact top
# 100 found by an unfiltered query: 0.79 at 100, 0.88 at 200, 0.94 at 400, 0.97 at 800; each doubling costs
# about a millisecond. Applies to collections built from now on (`crs index --force` rebuilds an older one).
EF_SEARCH = 400


def item_text(item: Item, credits: Credits | None = None) -> str:
    """What gets embedded for an item: title, year, genres, people (as the pack says them), tags and description."""
    credits = credits or Credits()
    parts = [item.name + "."]
    if item.genres:
        parts.append("Genres: " + ", ".join(item.genres) + ".")
    if item.directors:
        parts.append(f"{credits.directed_by} " + ", ".join(item.directors) + ".")
    if item.cast:
        parts.append(f"{credits.starring} " + ", ".join(item.cast) + ".")
    if item.tags:
        parts.append("Tags: " + ", ".join(item.tags) + ".")
    if item.description:
        parts.append(item.description)
    return " ".join(parts)


def item_metadata(item: Item) -> dict:
    """Filterable metadata; Chroma rejects empty lists and None, so absent facts are left out and flagged
    (`has_genres`, `has_year`, `has_price`: what a constraint on an unknown fact filters by, see Constraints)."""
    meta: dict = {"title": item.title, "has_genres": bool(item.genres), "has_year": item.year is not None,
                  "has_price": item.price is not None}
    if item.year is not None:
        meta["year"] = item.year
    if item.genres:
        meta["genres"] = [genre_key(g) for g in item.genres]
    if item.price is not None:
        meta["price"] = float(item.price)
    return meta


def make_client(path: str | Path | None = None, host: str | None = None, port: int = 8000):
    """A Chroma client with telemetry off: embedded at `path`, or a server at `host:port`."""
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if host:
        try:
            return chromadb.HttpClient(host=host, port=port, settings=settings)
        except Exception as e:  # noqa: BLE001 -- connection refused, DNS, TLS: all mean "not reachable"
            raise StoreUnreachable(f"cannot reach the Chroma server at {host}:{port} ({type(e).__name__}); "
                                   f"start it with `chroma run --host {host} --port {port} --path DIR`") from e
    if path is None:
        raise ValueError("a Chroma path or host is needed")
    Path(path).mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=settings)
    except Exception as e:  # noqa: BLE001 -- chromadb raises InternalError and others for unreadable files
        _forget_failed_system(str(path))
        raise IndexUnreadable(f"the vector index at {path} cannot be read ({type(e).__name__}: {str(e)[:200]})") from e


def _forget_failed_system(path: str) -> None:
    """chromadb keeps the system it failed to start for a path, and every later client for that path gets the
    broken one; drop it, so the path can be opened again once it is repaired."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(path, None)


def set_aside(path: str | Path) -> Path:
    """Renames an unreadable store folder out of the way (kept for inspection); returns where it went."""
    path = Path(path)
    aside = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
    path.rename(aside)
    return aside


def _insert(col, items: Sequence[Item], vecs: np.ndarray, bar) -> None:
    for start in range(0, len(items), INSERT_BATCH):
        batch = items[start : start + INSERT_BATCH]
        col.upsert(ids=[it.id for it in batch], embeddings=vecs[start : start + INSERT_BATCH],
                   metadatas=[item_metadata(it) for it in batch])
        bar.update(len(batch))


def _recreate(client, name: str, marker: str = "incomplete"):
    """An empty cosine collection `name` (replacing any), marked unfinished until its index key is written."""
    try:
        client.delete_collection(name)
    except Exception:  # noqa: BLE001, S110 -- absent: nothing to delete (the error type varies by client)
        pass
    return client.create_collection(name, embedding_function=None,
                                    configuration={"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}},
                                    metadata={"index_key": marker})


def _open(client, name: str, what: str):
    try:
        return client.get_collection(name)
    except Exception as e:  # noqa: BLE001 -- chroma raises NotFoundError / ValueError depending on the client
        raise IndexNotBuilt(f"no {what} for this pack ({name}); build it with `crs index --pack DIR`") from e


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: item id, cosine similarity in [-1, 1] and the item's vector (384,)."""

    item_id: str
    similarity: float
    vector: np.ndarray


class ItemStore:
    """A pack's item collection. `search()` is the one query method; `build()` (re)indexes."""

    def __init__(self, client, pack_name: str, hot_dir: Path | None = None) -> None:
        self.client = client
        self.collection_name = f"items-{pack_name}"
        self.hot_dir = hot_dir
        self.hot: HotVectors | None = None
        self._col = None

    # -- indexing -------------------------------------------------------------------------

    def index_key(self, items_hash: str, embedder_name: str) -> str:
        return f"{items_hash}:{embedder_name}:{TEXT_RECIPE}"

    def is_current(self, items_hash: str, embedder_name: str, n_items: int) -> bool:
        """True when the collection holds exactly this pack's items, embedded the current way."""
        try:
            col = self.client.get_collection(self.collection_name)
        except Exception:  # chroma raises NotFoundError / ValueError depending on the client
            return False
        meta = col.metadata or {}
        return meta.get("index_key") == self.index_key(items_hash, embedder_name) and col.count() == n_items

    def build(
        self,
        items: Sequence[Item],
        encode: Callable[[list[str]], np.ndarray],
        items_hash: str,
        embedder_name: str,
        progress: bool = True,
        chunk: int = EMBED_CHUNK,
        credits: Credits | None = None,
    ) -> int:
        """Indexes `items`, embedding them in chunks while the previous chunk is inserted; returns how many it
        embedded.

        Resumable: a build of the same items that was interrupted (killed, crashed, disk full) is picked up
        where it stopped, embedding only the items not stored yet. The index key is written last, so an
        unfinished build is never taken for a current one.
        """
        from tqdm import tqdm

        key = self.index_key(items_hash, embedder_name)
        col, stored = self._resume(key)
        todo = [it for it in items if it.id not in stored]
        bar = tqdm(total=len(items), initial=len(items) - len(todo), desc="indexing items", unit="item",
                   disable=not progress)
        with ThreadPoolExecutor(max_workers=1) as inserter:  # embedding (torch, both cores) overlaps the insert
            pending = None
            for start in range(0, len(todo), chunk):
                batch = todo[start : start + chunk]
                vecs = encode([item_text(it, credits) for it in batch])
                if pending is not None:
                    pending.result()  # one insert in flight; its errors surface here
                pending = inserter.submit(_insert, col, batch, vecs, bar)
            if pending is not None:
                pending.result()
        bar.close()
        col.modify(metadata={"index_key": key, "n_items": len(items)})
        self._col = col
        return len(todo)

    def _resume(self, key: str):
        """The collection to build into and the ids it already holds: those of an unfinished build of the same
        items, or a fresh empty collection."""
        partial = f"partial:{key}"
        try:
            col = self.client.get_collection(self.collection_name)
        except Exception:  # noqa: BLE001 -- not there (chroma raises NotFoundError / ValueError by client)
            col = None
        if col is not None and (col.metadata or {}).get("index_key") == partial:
            stored: set[str] = set()
            for offset in range(0, col.count(), READ_PAGE):
                stored.update(col.get(include=[], limit=READ_PAGE, offset=offset)["ids"])
            return col, stored
        return _recreate(self.client, self.collection_name, partial), set()

    # -- querying -------------------------------------------------------------------------

    @property
    def collection(self):
        if self._col is None:
            self._col = _open(self.client, self.collection_name, "vector index")
        return self._col

    def count(self) -> int:
        return self.collection.count()

    def warm(self, items: Sequence[Item], items_hash: str, embedder_name: str) -> HotVectors:
        """Holds every vector and filterable fact in memory (see retrieval/hot.py) for fast filtered search:
        read from the saved copy that mirrors this index when there is one, else from the store (and saved)."""
        key = self.index_key(items_hash, embedder_name)
        path = cache_path(self.hot_dir, self.collection_name, key) if self.hot_dir else None
        hot = HotVectors.load(path, key) if path else None
        if hot is None or len(hot) != len(items):
            hot = HotVectors.of(items, *self.all_vectors())
            if path:
                hot.save(path, key)
        if isinstance(items, ItemTable) and hot.ids == items.ids:  # row-aligned: one id list and map, not two
            hot.ids, hot.row = items.ids, items.row
        self.hot = hot
        return hot

    def search(self, query: np.ndarray, k: int, where: dict | None = None) -> list[Hit]:
        """Top-k items by cosine similarity to `query` (384,), restricted by a Chroma `where` filter."""
        return self.search_many([query], [k], where)[0]

    def search_many(self, queries: Sequence[np.ndarray], ks: Sequence[int], where: dict | None = None) -> list[list[Hit]]:
        """`search` for several queries under one filter, in one Chroma call (about half the time of one
        call each): the top `ks[i]` items for `queries[i]`."""
        wanted = [(q, k) for q, k in zip(queries, ks, strict=True) if k > 0]
        if not wanted:
            return [[] for _ in queries]
        matrix = np.stack([np.asarray(q, dtype=np.float32).reshape(-1) for q, _ in wanted])
        mask = self.hot.mask(where) if self.hot is not None else None
        if mask is not None:
            found = self._search_hot(matrix, [k for _, k in wanted], where, mask)
            if found is not None:
                it = iter(found)
                return [next(it) if k > 0 else [] for k in ks]
        res = self.collection.query(
            query_embeddings=matrix,
            n_results=max(k for _, k in wanted),
            where=where,
            include=["distances", "embeddings"],
        )
        found = iter(range(len(wanted)))
        out = []
        for k in ks:
            if k <= 0:
                out.append([])
                continue
            j = next(found)
            out.append([Hit(iid, 1.0 - float(d), np.asarray(v, dtype=np.float32)) for iid, d, v in
                        zip(res["ids"][j][:k], res["distances"][j][:k], res["embeddings"][j][:k], strict=True)])
        return out

    def _search_hot(self, queries: np.ndarray, ks: list[int], where: dict | None, mask: np.ndarray) -> list[list[Hit]] | None:
        """`search_many` from the hot vectors (see retrieval/hot.py); None when Chroma must answer instead."""
        hot = self.hot
        kmax = max(ks)
        n_pass = int(mask.sum()) if where is not None else len(hot)
        if n_pass == 0:
            return [[] for _ in ks]
        how, fetch = hot.plan(n_pass, kmax, filtered=where is not None)
        rows_of: list[list[tuple[int, float]]] = []
        if how == "hnsw":
            res = self.collection.query(query_embeddings=queries, n_results=min(fetch, len(hot)), include=["distances"])
            for j, k in enumerate(ks):
                got = []
                for iid, d in zip(res["ids"][j], res["distances"][j], strict=True):
                    row = hot.row.get(iid)
                    if row is None:
                        return None  # the store holds an item the hot copy does not: ask Chroma
                    if mask[row]:
                        got.append((row, 1.0 - float(d)))
                        if len(got) == k:
                            break
                if len(got) < min(k, n_pass):  # the over-fetch fell short: answer this one exactly
                    got = hot.exact(queries[j : j + 1], k, np.flatnonzero(mask))[0]
                rows_of.append(got)
        else:
            rows_of = hot.exact(queries, kmax, np.flatnonzero(mask))
            rows_of = [r[:k] for r, k in zip(rows_of, ks, strict=True)]
        return [[Hit(hot.ids[row], sim, hot.vector(row)) for row, sim in rows] for rows in rows_of]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of the given items (missing ids are left out)."""
        ids = list(dict.fromkeys(ids))  # chroma rejects repeated ids
        if not ids:
            return {}
        if self.hot is not None:
            out = {iid: self.hot.vector(row) for iid in ids if (row := self.hot.row.get(iid)) is not None}
            ids = [iid for iid in ids if iid not in out]
            if not ids:
                return out
        else:
            out = {}
        res = self.collection.get(ids=ids, include=["embeddings"])
        return out | {iid: np.asarray(v, dtype=np.float32) for iid, v in zip(res["ids"], res["embeddings"], strict=True)}

    def all_vectors(self) -> tuple[list[str], np.ndarray]:
        """Every stored id and vector: (n, 384) float32, read in pages. For the hot copy and brute-force references."""
        ids: list[str] = []
        parts: list[np.ndarray] = []
        total = self.collection.count()
        for offset in range(0, total, READ_PAGE):
            res = self.collection.get(include=["embeddings"], limit=READ_PAGE, offset=offset)
            ids += list(res["ids"])
            parts.append(np.asarray(res["embeddings"], dtype=np.float32).reshape(len(res["ids"]), -1))
        return ids, np.concatenate(parts) if parts else np.zeros((0, 384), dtype=np.float32)


class DocStore:
    """A pack's support passages in their own collection: one vector per passage body and one per way of asking it
    (section heading and `Also asked` questions), so a short question can match a short question."""

    def __init__(self, client, pack_name: str) -> None:
        self._client = client
        self.collection_name = f"support-{pack_name}"
        self._col = None

    def index_key(self, docs_hash: str, embedder_name: str) -> str:
        return f"{docs_hash}:{embedder_name}:{TEXT_RECIPE}"

    def is_current(self, docs_hash: str, embedder_name: str) -> bool:
        try:
            col = self._client.get_collection(self.collection_name)
        except Exception:  # chroma raises NotFoundError / ValueError depending on the client
            return False
        return (col.metadata or {}).get("index_key") == self.index_key(docs_hash, embedder_name)

    def build(self, passages, encode: Callable[[list[str]], np.ndarray], docs_hash: str, embedder_name: str) -> int:
        """Replaces the collection with the passages' vectors; the index key is written last."""
        col = _recreate(self._client, self.collection_name)
        ids, texts, metas = [], [], []
        for p in passages:
            for n, q in enumerate(dict.fromkeys((p.section, *p.questions))):
                ids.append(f"{p.id}|q{n}")
                texts.append(q)
                metas.append({"passage": p.id, "kind": "question"})
            ids.append(f"{p.id}|body")
            texts.append(p.body)
            metas.append({"passage": p.id, "kind": "body"})
        for start in range(0, len(ids), INSERT_BATCH):
            end = start + INSERT_BATCH
            col.add(ids=ids[start:end], embeddings=encode(texts[start:end]), metadatas=metas[start:end])
        col.modify(metadata={"index_key": self.index_key(docs_hash, embedder_name), "n_vectors": len(ids)})
        self._col = col
        return len(ids)

    @property
    def collection(self):
        if self._col is None:
            self._col = _open(self._client, self.collection_name, "support index")
        return self._col

    def vectors(self, passages) -> tuple[np.ndarray, list[str], np.ndarray]:
        """The stored vectors, read back once: question vectors (m, d) with the passage of each, in the order of
        `retrieval.matcher.page_examples`, and body vectors in the order of `passages`."""
        got = self.collection.get(include=["embeddings", "metadatas"])
        by_id = {i: np.asarray(e, dtype=np.float32) for i, e in zip(got["ids"], got["embeddings"], strict=True)}
        questions, owners = [], []
        for p in passages:
            for n, _ in enumerate(dict.fromkeys((p.section, *p.questions))):
                questions.append(by_id[f"{p.id}|q{n}"])
                owners.append(p.id)
        bodies = np.stack([by_id[f"{p.id}|body"] for p in passages]) if passages else np.zeros((0, 384), np.float32)
        q = np.stack(questions) if questions else np.zeros((0, bodies.shape[1]), dtype=np.float32)
        return q, owners, bodies
