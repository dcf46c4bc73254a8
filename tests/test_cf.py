"""EASE trained in torch on real ratings: it learns co-preference, saves, loads, and refuses stale data."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.cf import EaseModel
from retrieval.errors import IndexNotBuilt
from retrieval.pack import load_pack


@pytest.fixture(scope="module")
def small_pack(small_pack_dir):
    return load_pack(small_pack_dir)


@pytest.fixture(scope="module")
def model(small_pack):
    return EaseModel.fit(small_pack.interactions, small_pack.interactions_hash, progress=False)


def test_neighbours_are_items_the_same_people_liked(model, small_pack):
    catalog = small_pack.catalog()
    seed = "1"  # Toy Story
    top = [iid for iid, _ in model.top([seed], 10)]
    assert seed not in top
    co_top = np.mean([catalog.co_likers(seed, i) for i in top])
    co_all = np.mean([catalog.co_likers(seed, i) for i in model.item_ids if i != seed])
    popular = sorted((i for i in model.item_ids if i != seed), key=lambda i: -len(catalog.likers(i)))[:10]
    co_popular = np.mean([catalog.co_likers(seed, i) for i in popular])
    # per liker, its neighbours share Toy Story's audience more than the catalog's hits do
    lift = lambda ids: np.mean([catalog.co_likers(seed, i) / len(catalog.likers(i)) for i in ids])  # noqa: E731
    assert co_top > 2 * co_all
    assert lift(top) > lift(popular), (co_top, co_popular)
    assert "3114" in top  # Toy Story 2


def test_scores_rank_the_neighbours_first_and_ignore_unknown_items(model):
    top = [iid for iid, _ in model.top(["1"], 5)]
    cands = ["no-such-item", *top[::-1]]
    scores = model.score(["1"], cands)
    assert scores[0] == 0.0
    assert list(np.argsort(-scores[1:])) == list(range(len(top)))[::-1]
    assert not model.score([], cands).any()


def test_save_load_roundtrip_and_stale_models_are_refused(model, small_pack, tmp_path):
    path = tmp_path / "ease.pt"
    model.save(path)
    again = EaseModel.load(path, small_pack.interactions_hash)
    assert again.item_ids == model.item_ids
    assert np.allclose(again.score(["1"], model.item_ids[:50]), model.score(["1"], model.item_ids[:50]))
    with pytest.raises(IndexNotBuilt, match="crs train"):
        EaseModel.load(path, "some-other-hash")
    with pytest.raises(IndexNotBuilt, match="crs train"):
        EaseModel.load(tmp_path / "missing.pt")
