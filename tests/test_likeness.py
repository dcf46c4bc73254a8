"""`crs eval likeness` (eval/likeness.py): its figures on hand-made lists, and a real run on the demo pack."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.assistant import Assistant
from eval.likeness import (
    Scorer,
    AssistantSystem,
    content_system,
    evaluate_likeness,
    percentiles,
    pick_seeds,
    reweighed,
)
from retrieval.catalog import Catalog, Interaction, Item


def _catalog() -> Catalog:
    items = [Item(id="a", title="Alpha", genres=("Sci-Fi",), tags=("space", "robots")),
             Item(id="b", title="Beta", genres=("Sci-Fi", "Comedy"), tags=("space",)),
             Item(id="c", title="Gamma", genres=("Romance",), tags=("paris",)),
             Item(id="d", title="Delta", genres=("Drama",))]
    likes = {"a": 3, "b": 1, "c": 1, "d": 0}  # a liked by three people, d by none
    interactions = [Interaction(user_id=f"u{k}", item_id=i, rating=5.0) for i, n in likes.items() for k in range(n)]
    return Catalog(items, interactions)


def test_percentiles_rank_by_likes_with_ties_sharing_their_mean_rank():
    pct = percentiles(_catalog())
    assert pct["a"] == 100.0 and pct["d"] == 0.0
    assert pct["b"] == pct["c"] == 50.0  # ranks 1 and 2 of 0..3, tied: 1.5 / 3


def test_the_scorer_counts_shared_genres_tags_and_popularity():
    catalog = _catalog()
    vectors = {i: v for i, v in zip("abcd", np.eye(4, dtype=np.float32), strict=True)}
    vectors["b"] = np.array([0.6, 0.8, 0, 0], dtype=np.float32)
    s = Scorer(catalog, vectors).score(catalog.get("a"), ["b", "c"])
    assert s["genre_share"] == 0.5  # b shares Sci-Fi, c shares nothing
    assert s["tag_overlap"] == pytest.approx((1 / 2 + 0) / 2)  # {space} of {space, robots}; {paris}: none
    assert s["text_similarity"] == pytest.approx((0.6 + 0.0) / 2)
    assert s["popularity_pct"] == pytest.approx(50.0)


def test_likeness_on_the_demo_pack(demo_engine):
    """A real run: the assistant reads the seeds, and its lists and plain content similarity's are scored."""
    catalog = demo_engine.catalog
    seeds = pick_seeds(catalog, 8, seed=1)
    assert len(seeds) == 8 and all(len(catalog.likers(s.id)) >= 20 and s.genres for s in seeds)
    ids, matrix = demo_engine.store.all_vectors()
    assistant = Assistant(demo_engine)
    systems = {"assistant": AssistantSystem(assistant), "content": content_system(demo_engine.store),
               "popularity counted twice": AssistantSystem(reweighed(assistant, {"ease": 0.6, "popularity": 0.5}))}
    result = evaluate_likeness(systems, catalog, dict(zip(ids, matrix, strict=True)), seeds, progress=False)
    a, c = result["systems"]["assistant"], result["systems"]["content"]
    # the weights of before pull the lists towards what everyone likes (README: Conversation)
    assert result["systems"]["popularity counted twice"]["popularity_pct"] > a["popularity_pct"]
    assert c["n"] == 16 and c["unread"] == 0
    assert a["n"] + a["unread"] == 16 and a["n"] >= 12  # most titles are read as the item itself
    # the nearest vectors are the most similar by construction; the assistant weighs more than text
    assert c["text_similarity"] >= a["text_similarity"] > 0.3
    assert 0.0 <= a["genre_share"] <= 1.0 and 0.0 <= a["popularity_pct"] <= 100.0
    assert result["seed_popularity_pct"] > 80  # seeds are liked by 20 or more of 610 people
    assert result["faithfulness"]["assistant"] == 1.0  # the lift and what a pick shares, re-derived


def test_malformed_baseline_weights_are_named_before_anything_loads(tmp_path):
    from tests.test_cli import crs

    out = crs("eval", "likeness", "--state-dir", str(tmp_path / "state"), "--baseline-weights", "ease")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "--baseline-weights takes feature=weight pairs" in out.stderr
    assert not (tmp_path / "state").exists()  # nothing was built for a command that could not run
