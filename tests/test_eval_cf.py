"""`crs eval cf`: leave-last-out by timestamp without leaks, every model side by side with the baselines."""

from __future__ import annotations

import json

from eval.cf import split_last
from retrieval.catalog import Interaction
from retrieval.pack import load_pack
from tests.test_cli import crs


def x(user, item, rating, ts):
    return Interaction(user_id=user, item_id=item, rating=rating, timestamp=ts)


def test_the_last_positive_is_held_out_with_everything_after_it():
    rows = [x("u", "a", 5, 1), x("u", "b", 4, 2), x("u", "c", 2, 3), x("u", "d", 5, 4), x("u", "e", 1, 5),
            x("v", "a", 5, 1), x("v", "b", 5, 2)]  # v has too little history to evaluate
    train, held, seeds, seen = split_last(rows, positive_min_rating=4.0)
    assert held == {"u": "d"} and seeds == {"u": ["a", "b"]} and seen == {"u": {"a", "b", "c"}}
    assert {(r.user_id, r.item_id) for r in train} == {("u", "a"), ("u", "b"), ("u", "c"), ("v", "a"), ("v", "b")}


def test_eval_cf_prints_every_model_next_to_the_baselines(small_pack_dir, tmp_path):
    out = tmp_path / "cf.json"
    run = crs("eval", "cf", "--pack", str(small_pack_dir), "--state-dir", str(tmp_path), "--json", str(out))
    assert run.returncode == 0, run.stderr
    results = json.loads(out.read_text())
    assert set(results) == {"ease", "bpr", "itemknn", "popularity", "_split"}
    for name in ("ease", "bpr", "itemknn", "popularity"):
        assert name in run.stdout and 0.0 <= results[name]["ndcg@20"] <= results[name]["recall@20"] <= 1.0
    assert results["ease"]["recall@20"] > results["popularity"]["recall@20"]
    n_users = len({i.user_id for i in load_pack(small_pack_dir).interactions})
    assert 0 < results["_split"]["n_users_evaluated"] <= n_users
