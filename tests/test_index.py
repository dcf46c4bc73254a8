"""The Chroma index: real collection in a temp dir, real embeddings, content-hash rebuilds, filters."""

from __future__ import annotations

import shutil

import numpy as np

from assistant.engine import build_index, open_store
from retrieval.constraints import Constraints
from retrieval.pack import load_pack


def test_index_is_built_once_and_rebuilt_when_the_pack_changes(small_pack_dir, embedder, tmp_path):
    pack_dir = tmp_path / "pack"
    shutil.copytree(small_pack_dir, pack_dir)
    state = tmp_path / "state"
    pack = load_pack(pack_dir)
    store = open_store(pack, state)
    assert build_index(pack, store, embedder, progress=False) is True
    assert store.count() == len(pack.items)
    # unchanged pack: nothing to do, even through a fresh client on the same directory
    assert build_index(pack, open_store(pack, state), embedder, progress=False) is False

    movies = pack_dir / "movies.csv"
    movies.write_text(movies.read_text().replace("Toy Story (1995)", "Toy Story Redux (1995)"))
    changed = load_pack(pack_dir)
    store = open_store(changed, state)
    assert build_index(changed, store, embedder, progress=False) is True
    hits = store.search(embedder.encode_one("Toy Story Redux"), 1)
    assert hits[0].item_id == "1"


def test_filtered_search_honours_every_constraint(small_engine, embedder):
    store, catalog = small_engine.store, small_engine.catalog
    query = embedder.encode_one("space adventure with aliens")
    for c in [
        Constraints(include_genres=frozenset({"sci-fi"}), year_min=1990, year_max=1999),
        Constraints(exclude_genres=frozenset({"comedy", "sci-fi"})),
        Constraints(include_genres=frozenset({"sci-fi", "comedy"}), exclude_genres=frozenset({"horror"})),
        Constraints(year_max=1979),
        Constraints(any_genres=frozenset({"sci-fi", "animation"}), exclude_genres=frozenset({"comedy"})),
        Constraints(include_genres=frozenset({"adventure"}), any_genres=frozenset({"sci-fi", "children"}), year_min=1980),
    ]:
        hits = store.search(query, 30, c.where())
        assert hits, c
        assert all(c.allows(catalog.get(h.item_id)) for h in hits), c
        sims = [h.similarity for h in hits]
        assert sims == sorted(sims, reverse=True)
        # the store's filter and the python check agree on the whole catalog
        allowed = {i for i in catalog.ids if c.allows(catalog.get(i))}
        got = {h.item_id for h in store.search(query, len(catalog), c.where())}
        assert got == allowed, c


def test_stored_vectors_are_the_embeddings_of_the_item_text(small_engine, embedder):
    from retrieval.store import item_text

    item = small_engine.catalog.get("3175")  # Galaxy Quest
    stored = small_engine.store.vectors(["3175"])["3175"]
    fresh = embedder.encode_one(item_text(item))
    assert float(np.dot(stored, fresh)) > 0.999


def test_several_searches_in_one_call_find_what_each_search_finds(small_engine, embedder):
    store = small_engine.store
    q1, q2 = embedder.encode(["space adventure with aliens", "a gentle romance in paris"])
    where = Constraints(exclude_genres=frozenset({"horror"})).where()
    one, none, two = store.search_many([q1, q1, q2], [12, 0, 5], where)
    assert none == []
    assert [h.item_id for h in one] == [h.item_id for h in store.search(q1, 12, where)]
    assert [h.item_id for h in two] == [h.item_id for h in store.search(q2, 5, where)]
    assert len(one) == 12 and len(two) == 5
