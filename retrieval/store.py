"""The item vector store: one Chroma collection per pack, with filterable year and genres.

Embedded `PersistentClient` by default; a Chroma server through `HttpClient` when a host
is given. This is the only module that talks to Chroma.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.catalog import Item, genre_key
from retrieval.errors import IndexNotBuilt

# Bump when item_text() or metadata() change, so existing indexes are rebuilt.
TEXT_RECIPE = "v1"
INSERT_BATCH = 256


def item_text(item: Item) -> str:
    """What gets embedded for an item: title, year, genres, tags and description."""
    parts = [item.name + "."]
    if item.genres:
        parts.append("Genres: " + ", ".join(item.genres) + ".")
    if item.directors:
        parts.append("Directed by " + ", ".join(item.directors) + ".")
    if item.cast:
        parts.append("Starring " + ", ".join(item.cast) + ".")
    if item.tags:
        parts.append("Tags: " + ", ".join(item.tags) + ".")
    if item.description:
        parts.append(item.description)
    return " ".join(parts)


def item_metadata(item: Item) -> dict:
    """Filterable metadata; Chroma rejects empty lists and None, so absent facts are left out."""
    meta: dict = {"title": item.title}
    if item.year is not None:
        meta["year"] = item.year
    if item.genres:
        meta["genres"] = [genre_key(g) for g in item.genres]
    return meta


def make_client(path: str | Path | None = None, host: str | None = None, port: int = 8000):
    """A Chroma client with telemetry off: embedded at `path`, or a server at `host:port`."""
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    if path is None:
        raise ValueError("a Chroma path or host is needed")
    Path(path).mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def _recreate(client, name: str):
    """An empty cosine collection `name` (replacing any), marked incomplete until its index key is written."""
    try:
        client.delete_collection(name)
    except Exception:  # noqa: BLE001, S110 -- absent: nothing to delete (the error type varies by client)
        pass
    return client.create_collection(name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
                                    metadata={"index_key": "incomplete"})


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

    def __init__(self, client, pack_name: str) -> None:
        self.client = client
        self.collection_name = f"items-{pack_name}"
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
    ) -> int:
        """Replaces the collection with `items`, embedding them in batches; returns how many were stored.

        The index key is written last, so an interrupted build is never taken for a current one.
        """
        from tqdm import tqdm

        col = _recreate(self.client, self.collection_name)
        bar = tqdm(total=len(items), desc="indexing items", unit="item", disable=not progress)
        for start in range(0, len(items), INSERT_BATCH):
            batch = items[start : start + INSERT_BATCH]
            vecs = encode([item_text(it) for it in batch])
            col.add(
                ids=[it.id for it in batch],
                embeddings=vecs,
                metadatas=[item_metadata(it) for it in batch],
            )
            bar.update(len(batch))
        bar.close()
        col.modify(metadata={"index_key": self.index_key(items_hash, embedder_name), "n_items": len(items)})
        self._col = col
        return len(items)

    # -- querying -------------------------------------------------------------------------

    @property
    def collection(self):
        if self._col is None:
            self._col = _open(self.client, self.collection_name, "vector index")
        return self._col

    def count(self) -> int:
        return self.collection.count()

    def search(self, query: np.ndarray, k: int, where: dict | None = None) -> list[Hit]:
        """Top-k items by cosine similarity to `query` (384,), restricted by a Chroma `where` filter."""
        return self.search_many([query], [k], where)[0]

    def search_many(self, queries: Sequence[np.ndarray], ks: Sequence[int], where: dict | None = None) -> list[list[Hit]]:
        """`search` for several queries under one filter, in one Chroma call (about half the time of one
        call each): the top `ks[i]` items for `queries[i]`."""
        wanted = [(q, k) for q, k in zip(queries, ks, strict=True) if k > 0]
        if not wanted:
            return [[] for _ in queries]
        res = self.collection.query(
            query_embeddings=np.stack([np.asarray(q, dtype=np.float32).reshape(-1) for q, _ in wanted]),
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

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of the given items (missing ids are left out)."""
        ids = list(dict.fromkeys(ids))  # chroma rejects repeated ids
        if not ids:
            return {}
        res = self.collection.get(ids=ids, include=["embeddings"])
        return {iid: np.asarray(v, dtype=np.float32) for iid, v in zip(res["ids"], res["embeddings"], strict=True)}

    def all_vectors(self) -> tuple[list[str], np.ndarray]:
        """Every stored id and vector: (n, 384) float32. For benchmarks and brute-force references."""
        res = self.collection.get(include=["embeddings"])
        return list(res["ids"]), np.asarray(res["embeddings"], dtype=np.float32)


@dataclass(frozen=True, slots=True)
class PassageHit:
    """How well a passage matches a query: its best alternative question and its body (cosine)."""

    passage_id: str
    question: float
    body: float


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

    def search(self, query: np.ndarray, k: int = 64) -> list[PassageHit]:
        """Passages near `query` (384,), each with its best question and body similarity; best first."""
        k = min(k, self.collection.count())
        if k <= 0:
            return []
        res = self.collection.query(query_embeddings=query.reshape(1, -1).astype(np.float32), n_results=k,
                                    include=["distances", "metadatas"])
        best: dict[str, list[float]] = {}
        for dist, meta in zip(res["distances"][0], res["metadatas"][0], strict=True):
            sims = best.setdefault(meta["passage"], [0.0, 0.0])
            slot = 0 if meta["kind"] == "question" else 1
            sims[slot] = max(sims[slot], 1.0 - float(dist))
        return [PassageHit(pid, q, b) for pid, (q, b) in best.items()]
