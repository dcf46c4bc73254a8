"""The Chroma index: real collection in a temp dir, real embeddings, content-hash rebuilds, filters."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from retrieval.build import build_index, open_store
from retrieval.constraints import Constraints, implications
from retrieval.pack import load_pack
from retrieval.store import EF_SEARCH


def test_index_is_built_once_and_rebuilt_when_the_pack_changes(small_pack_dir, embedder, tmp_path):
    pack_dir = tmp_path / "pack"
    shutil.copytree(small_pack_dir, pack_dir)
    state = tmp_path / "state"
    pack = load_pack(pack_dir)
    store = open_store(pack, state)
    assert build_index(pack, store, embedder, progress=False) is True
    assert store.count() == len(pack.items)
    assert store.collection.configuration["hnsw"]["ef_search"] == EF_SEARCH
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
        Constraints(exclude_years=frozenset({(1980, 1989)})),  # "nothing from the 80s"
        Constraints(include_genres=frozenset({"sci-fi"}), exclude_years=frozenset({(1970, 1979), (1990, 1999)})),
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


def test_a_genre_asked_for_is_met_by_a_genre_that_implies_it_and_exclusions_stay_literal(small_engine, embedder):
    """IMDb-style catalogs cut genres: an animated film without the "children" tag still suits a request for one."""
    store, catalog = small_engine.store, small_engine.catalog
    keys = {i: set(catalog.get(i).genre_keys) for i in catalog.ids}
    untagged = {i for i, k in keys.items() if "animation" in k and "children" not in k}
    assert untagged, "the small pack needs an animated film without the children tag"
    query = embedder.encode_one("a cartoon for the whole family")
    for c in [Constraints(include_genres=frozenset({"children"})),
              Constraints(any_genres=frozenset({"children", "western"}))]:
        got = {h.item_id for h in store.search(query, len(catalog), c.where())}
        assert untagged <= got
        assert got == {i for i, k in keys.items() if k & {"children", "animation"} or (c.any_genres and "western" in k)}
    no_kids = Constraints(exclude_genres=frozenset({"children"}))
    got = {h.item_id for h in store.search(query, len(catalog), no_kids.where())}
    assert untagged <= got and not any("children" in keys[i] for i in got)


def test_a_genre_stands_in_for_another_only_where_the_catalog_leaves_that_one_out(small_engine, embedder):
    imdb_like = [{"animation", "adventure"}] * 5 + [{"animation", "family"}]  # 1 in 6 animated films say "family"
    tagged = [{"animation", "children"}] * 3 + [{"animation", "sci-fi"}] * 3  # half say "children": the rest are not
    assert {("family", "animation"), ("children", "animation")} <= implications(imdb_like)
    assert ("children", "animation") not in implications(tagged) and ("family", "animation") in implications(tagged)
    assert implications([{"drama"}]) == frozenset()  # nothing animated: nothing to stand in
    # without the pair, the store's filter and the item check agree on children-tagged films only
    store, catalog = small_engine.store, small_engine.catalog
    c = Constraints(include_genres=frozenset({"children"}), implied=frozenset())
    got = {h.item_id for h in store.search(embedder.encode_one("a cartoon"), len(catalog), c.where())}
    assert got and got == {i for i in catalog.ids if "children" in catalog.get(i).genre_keys}
    assert got == {i for i in catalog.ids if c.allows(catalog.get(i))}


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


def _exact_top(store, catalog, query, k, c):
    ids, vecs = store.all_vectors()
    order = np.argsort(-(vecs @ query), kind="stable")
    return [ids[i] for i in order if c.allows(catalog.get(ids[i]))][:k]


def test_hot_vectors_answer_filtered_searches_as_chroma_would(small_engine, embedder, monkeypatch):
    import random

    import retrieval.hot as hot
    from retrieval.store import ItemStore

    store, catalog = small_engine.store, small_engine.catalog
    assert store.hot is not None and len(store.hot) == len(catalog)
    cold = ItemStore(store.client, small_engine.pack.name)  # no hot copy: every filter goes to Chroma
    genres = sorted(catalog.genres)
    rng = random.Random(3)
    queries = embedder.encode(["space adventure with aliens", "a gentle romance in paris", "gangsters and heists"])
    cases = [Constraints(), Constraints(year_min=2000), Constraints(exclude_genres=frozenset({"drama"}))]
    for _ in range(12):
        cases.append(Constraints(
            include_genres=frozenset(rng.sample(genres, rng.choice([0, 0, 1]))),
            any_genres=frozenset(rng.sample(genres, rng.choice([0, 2, 3]))),
            exclude_genres=frozenset(rng.sample(genres, rng.choice([0, 1, 2]))),
            year_min=rng.choice([None, 1970, 1990]), year_max=rng.choice([None, 1999, 2010]),
            price_min=rng.choice([None, None, 9.5]), price_max=rng.choice([None, None, 12.0, 20.0]),
            exclude_years=frozenset(rng.choice([[], [], [(1980, 1989)], [(1990, 1999), (2000, 2009)]]))))
    for plan in ("exact", "hnsw"):  # few items pass: exact over them; most pass: HNSW over-fetched, post-filtered
        monkeypatch.setattr(hot, "EXACT_MAX_ROWS", 10**9 if plan == "exact" else 0)
        for c in cases:
            for q in queries:
                got = [h.item_id for h in store.search(q, 20, c.where())]
                assert all(c.allows(catalog.get(i)) for i in got), c
                exact = _exact_top(store, catalog, q, 20, c)
                chroma = [h.item_id for h in cold.search(q, 20, c.where())]
                assert len(got) == len(exact) == len(chroma), c
                if plan == "exact":
                    assert got == exact, c
                # HNSW is approximate, over-fetched or not: as close to exact as Chroma's own filtered search
                assert len(set(got) & set(exact)) >= len(set(chroma) & set(exact)) - 2, c
    # unfiltered, a catalog under EXACT_MAX_ROWS is searched exactly: the true neighbours, whatever the HNSW graph
    monkeypatch.undo()
    assert store.hot.plan(len(store.hot), 20, filtered=False) == ("exact", 0)
    assert store.hot.plan(hot.EXACT_MAX_ROWS + 1, 20, filtered=False) == ("hnsw", 20)  # no over-fetch without a filter
    assert [h.item_id for h in store.search(queries[0], 20, None)] == _exact_top(store, catalog, queries[0], 20, Constraints())
    # a filter the hot copy cannot read goes to Chroma as it is
    odd = {"title": {"$eq": catalog.get("3175").title}}
    assert store.hot.mask(odd) is None
    assert [h.item_id for h in store.search(queries[0], 5, odd)] == ["3175"]


def test_the_hot_copy_is_saved_with_its_index_and_a_stale_or_broken_one_is_rebuilt(small_pack_dir, embedder, tmp_path):
    from retrieval.hot import cache_path

    pack = load_pack(small_pack_dir)
    store = open_store(pack, tmp_path)
    build_index(pack, store, embedder, progress=False)
    store.warm(pack.items, pack.items_hash, embedder.name)
    path = cache_path(tmp_path, store.collection_name, store.index_key(pack.items_hash, embedder.name))
    assert path.is_file()
    again = open_store(pack, tmp_path)
    hot = again.warm(pack.items, pack.items_hash, embedder.name)
    assert hot.ids == store.hot.ids and np.array_equal(hot.vectors, store.hot.vectors)
    path.write_bytes(b"not an npz file")
    assert len(open_store(pack, tmp_path).warm(pack.items, pack.items_hash, embedder.name)) == len(pack.items)
    assert path.stat().st_size > 1000  # rewritten whole


_KILLED_BUILD = """
import sys, time
from pathlib import Path
from retrieval.build import open_store
from retrieval.embed import shared_embedder
from retrieval.pack import load_pack
pack, state, marker = load_pack(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
embedder = shared_embedder()
done = 0
def encode(texts):
    global done
    done += len(texts)
    marker.write_text(str(done))
    time.sleep(0.3)  # slow enough to be killed in the middle
    return embedder.encode(texts)
open_store(pack, state).build(pack.items, encode, pack.items_hash, embedder.name, progress=False, chunk=16)
"""


def test_an_index_build_killed_half_way_resumes_with_exactly_the_packs_items(small_pack_dir, embedder, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    pack = load_pack(small_pack_dir)
    n = len(pack.items)
    marker = tmp_path / "embedded"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_BUILD, str(small_pack_dir), str(tmp_path / "state"),
                             str(marker)], cwd=Path(__file__).resolve().parents[1])
    deadline = time.monotonic() + 120  # readiness wait, not a timing assertion
    while time.monotonic() < deadline and proc.poll() is None:
        if marker.is_file() and marker.read_text() and int(marker.read_text()) >= n // 2:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the build finished or failed before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    store = open_store(pack, tmp_path / "state")
    assert not store.is_current(pack.items_hash, embedder.name, n)  # an unfinished build is never taken as current
    before = set(store.client.get_collection(store.collection_name).get(include=[])["ids"])
    assert 0 < len(before) < n
    embedded: list[str] = []

    def counting(texts):
        embedded.extend(texts)
        return embedder.encode(texts)

    assert store.build(pack.items, counting, pack.items_hash, embedder.name, progress=False) == n - len(before)
    from retrieval.store import item_text

    assert sorted(embedded) == sorted(item_text(it) for it in pack.items if it.id not in before)  # none twice
    assert store.is_current(pack.items_hash, embedder.name, n)
    ids = store.client.get_collection(store.collection_name).get(include=[])["ids"]
    assert sorted(ids) == sorted(it.id for it in pack.items)
    assert build_index(pack, open_store(pack, tmp_path / "state"), embedder, progress=False) is False


def test_a_turns_texts_are_embedded_in_one_pass_and_recent_ones_reused(embedder):
    embedder.forget()
    texts = ["a scary movie from the 80s", "I loved Alien, anything like it?"]
    first = embedder.encode_turn(texts + texts[:1])
    assert set(first) == set(texts)
    for t in texts:  # batched with another text, a vector is still that text's own
        assert float(first[t] @ embedder.encode_one(t)) > 0.9999
    again = embedder.encode_turn(texts[:1])
    assert again[texts[0]] is first[texts[0]]  # reused, not re-embedded
    assert not again[texts[0]].flags.writeable  # shared between turns, so nobody may change it


def test_numpy_leaves_the_cores_to_torch_once_the_model_is_loaded(embedder):
    from threadpoolctl import threadpool_info

    # numpy's BLAS threads spinning next to torch's doubled a turn's time on 2 cores (retrieval/embed.py)
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "numpy's BLAS is not visible to threadpoolctl"
    assert all(pool["num_threads"] == 1 for pool in blas), blas


def test_large_hot_copies_keep_int8_vectors_that_rank_like_the_float_ones(small_pack_dir, embedder, tmp_path, monkeypatch):
    import retrieval.hot as hot_mod
    from retrieval.hot import HotVectors, cache_path

    pack = load_pack(small_pack_dir)
    store = open_store(pack, tmp_path)
    build_index(pack, store, embedder, progress=False)
    ids, vecs = store.all_vectors()
    full = HotVectors.of(pack.items, ids, vecs)
    monkeypatch.setattr(hot_mod, "QUANTIZED_FROM", 100)  # the small pack counts as large
    small = HotVectors.of(pack.items, ids, vecs)
    assert full.vectors.dtype == np.float32 and small.vectors.dtype == np.int8
    assert small.vectors.nbytes * 4 == full.vectors.nbytes
    rows = np.arange(len(full))
    queries = embedder.encode(["space adventure with aliens", "a gentle romance in paris", "gangsters and heists",
                               "animated film for kids", "a slow sad drama"])
    for q, want, got in zip(queries, full.exact(queries, 20, rows), small.exact(queries, 20, rows), strict=True):
        assert len({r for r, _ in want} & {r for r, _ in got}) >= 18
        sims = dict(want)
        assert all(abs(s - sims[r]) < 0.01 for r, s in got if r in sims)
        assert np.allclose(small.vector(got[0][0]), full.vector(got[0][0]), atol=0.01)
    # saved and read back as int8 with its scale; a float copy saved for a size now quantized is rebuilt
    key = store.index_key(pack.items_hash, embedder.name)
    path = cache_path(tmp_path, store.collection_name, key)
    monkeypatch.setattr(hot_mod, "QUANTIZED_FROM", 10**9)
    full.save(path, key)
    monkeypatch.setattr(hot_mod, "QUANTIZED_FROM", 100)
    assert HotVectors.load(path, key) is None
    small.save(path, key)
    back = HotVectors.load(path, key)
    assert back.vectors.dtype == np.int8 and np.array_equal(back.vectors, small.vectors)
    assert np.array_equal(back.scale, small.scale)
    warmed = open_store(pack, tmp_path).warm(pack.items, pack.items_hash, embedder.name)
    assert warmed.ids is pack.items.ids  # row-aligned with the catalog: its id list is shared, not copied
