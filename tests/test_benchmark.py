"""Benchmark replay: metrics against hand-computed values, and a small benchmark in the ReDial format
built from demo-pack rows, run through `crs eval benchmark` with no code change."""

from __future__ import annotations

import json
import math
import re

import pytest

from eval.benchmark import Case, load_cases, replay, score
from eval.metrics import mean_ci, ndcg_at, rank_of, recall_at, reciprocal_rank
from tests.test_cli import crs


def test_metrics_match_hand_computed_values():
    ranked = ["a", "b", "c", "d"]
    assert rank_of(ranked, "c") == 3 and rank_of(ranked, "z") is None
    assert recall_at(3, 1) == 0.0 and recall_at(3, 3) == 1.0 and recall_at(None, 50) == 0.0
    assert ndcg_at(1, 10) == 1.0
    assert ndcg_at(3, 10) == pytest.approx(1 / math.log2(4)) == pytest.approx(0.5)
    assert ndcg_at(11, 10) == 0.0
    assert reciprocal_rank(4) == 0.25 and reciprocal_rank(None) == 0.0
    mean, half = mean_ci([1.0, 0.0, 0.0, 1.0])
    assert mean == 0.5 and half == pytest.approx(1.96 * math.sqrt((4 * 0.25 / 3) / 4))


def test_samples_are_case_target_pairs_with_and_without_mentioned_targets():
    cases = [
        Case(id="1", dialog_id="d", turns=[], target_ids=["a", "x"], mentioned_ids=["a"]),
        Case(id="2", dialog_id="d", turns=[], target_ids=["c"]),
    ]
    per = score(cases, {"1": ["a", "b"], "2": ["b", "c"]})
    assert per["recall@1"] == [1.0, 0.0, 0.0]          # a at 1, x absent, c at 2
    assert per["recall@5"] == [1.0, 0.0, 1.0]
    assert per["recall@1_excl_mentioned"] == [0.0, 0.0]  # "a" was already mentioned
    assert per["mrr"] == [1.0, 0.0, 0.5]


@pytest.fixture(scope="module")
def tiny_bench(tmp_path_factory, small_pack_dir):
    """A benchmark folder in the ReDial format whose items are the small pack's movies."""
    from retrieval.pack import load_pack

    pack = load_pack(small_pack_dir)
    root = tmp_path_factory.mktemp("bench") / "tiny-crs"
    root.mkdir()
    with (root / "items.jsonl").open("w") as f:
        for it in pack.items:
            f.write(json.dumps({"id": it.id, "name": it.name, "title": it.title, "year": it.year,
                                "genres": [g.lower() for g in it.genres]}) + "\n")
    by_name = {it.name: it.id for it in pack.items}
    cases = [
        ("1", [("user", "Hi! I love funny sci-fi like Galaxy Quest (1999)")], ["Men in Black (a.k.a. MIB) (1997)"]),
        ("2", [("user", "any good animated movies for kids?")], ["Toy Story (1995)", "Aladdin (1992)"]),
        ("3", [("user", "I like scary movies"), ("assistant", "Have you seen Alien (1979)?"),
               ("user", "Yes! more like that one please")], ["Aliens (1986)"]),
        ("4", [("user", "a crime thriller from the 90s")], ["Pulp Fiction (1994)"]),
    ]
    with (root / "cases.jsonl").open("w") as f:
        for cid, turns, targets in cases:
            mentioned = [n for n in by_name if any(n in t for _, t in turns)]
            f.write(json.dumps({
                "id": cid, "dialog_id": cid,
                "turns": [{"role": r, "text": t} for r, t in turns],
                "targets": targets, "target_ids": [by_name[t] for t in targets],
                "mentioned": mentioned, "mentioned_ids": [by_name[m] for m in mentioned],
                "response": f"You should watch {targets[0]}",
            }) + "\n")
    return root


def test_the_reference_response_never_reaches_the_system(tiny_bench, small_assistant):
    assert "response" not in Case.model_fields
    first = {c.id: replay(small_assistant, c).ranked for c in load_cases(tiny_bench)}
    lines = (tiny_bench / "cases.jsonl").read_text().splitlines()
    changed = tiny_bench.parent / "changed"
    changed.mkdir()
    (changed / "cases.jsonl").write_text(
        "\n".join(json.dumps({**json.loads(line), "response": "Watch Titanic (1997)!"}) for line in lines) + "\n"
    )
    again = {c.id: replay(small_assistant, c).ranked for c in load_cases(changed)}
    assert first == again


def test_any_benchmark_folder_in_the_format_runs_through_the_cli(tiny_bench, tmp_path):
    out, report = tmp_path / "out.json", tmp_path / "report.html"
    run = crs("eval", "benchmark", "--bench", str(tiny_bench), "--state-dir", str(tmp_path / "state"),
              "--json", str(out), "--report", str(report))
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    for key in ("recall@1", "recall@10", "recall@50", "ndcg@10", "recall@10_excl_mentioned", "n_cases",
                "latency_p50_ms", "latency_p95_ms"):
        assert key in result, key
    assert result["n_cases"] == 4 and result["n_samples"] == 5
    assert 0.0 <= result["recall@1"] <= result["recall@10"] <= result["recall@50"] <= 1.0
    assert result["recall@50"] > 0  # the picks are not random: at least one target is found
    assert "ours (rules)" in run.stdout and "dense baseline (same run)" in run.stdout
    assert 0.0 <= result["baseline_dense"]["recall@10"] <= 1.0
    assert result["constraint_violation_rate"] == 0.0 and result["explanation_faithfulness"] == 1.0
    assert 0 < result["catalog_coverage@10"] <= 1 and 0 < result["intra_list_diversity@10"] <= 1
    page = report.read_text()
    assert page.startswith("<!doctype html>") and page.count("<svg") == 3 and "<script" not in page
    assert "Turn latency" in page and "coverage by genre" in page
    hist = result["latency_histogram_ms"]
    assert len(hist["edges"]) == len(hist["counts"]) + 1 and sum(hist["counts"]) > 0
    assert all(0 <= v <= 1 for v in result["coverage_by_genre@10"].values())
    # a second run compared with the first
    again = crs("eval", "benchmark", "--bench", str(tiny_bench), "--state-dir", str(tmp_path / "state"),
                "--report", str(report), "--previous", str(out))
    assert again.returncode == 0, again.stderr
    assert "Against the previous run" in report.read_text() and "previous run (rules)" in report.read_text()


def test_zero_shot_runs_on_models_transferred_from_another_pack_by_title(tiny_bench, small_pack_dir, tmp_path):
    out = tmp_path / "out.json"
    run = crs("eval", "benchmark", "--bench", str(tiny_bench), "--state-dir", str(tmp_path / "state"),
              "--zero-shot", "--transfer", str(small_pack_dir), "--json", str(out))
    assert run.returncode == 0, run.stderr
    n_items = len((tiny_bench / "items.jsonl").read_text().splitlines())
    matched = re.search(r"borrowed the models of \S+: ([\d,]+) of ([\d,]+) items matched by title", run.stderr)
    assert matched and int(matched[2].replace(",", "")) == n_items
    assert int(matched[1].replace(",", "")) > 0.9 * n_items  # the same movies, by title and year
    result = json.loads(out.read_text())
    assert result["n_cases"] == 4 and result["recall@50"] > 0
    assert result["borrowed"]["from"] == "movielens-test" and result["borrowed"]["items"] == n_items
    assert "models borrowed from movielens-test" in run.stdout


def test_a_catalog_without_interactions_borrows_by_default_unless_told_not_to(tiny_bench, small_pack_dir, tmp_path):
    env = {"CRS_BORROW_FROM": f"{tmp_path / 'no-such-pack'},{small_pack_dir}"}  # a broken source is passed over
    out = tmp_path / "out.json"
    run = crs("eval", "benchmark", "--bench", str(tiny_bench), "--state-dir", str(tmp_path / "state"),
              "--zero-shot", "--json", str(out), extra_env=env)
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text())["borrowed"]["from"] == "movielens-test"
    alone = crs("eval", "benchmark", "--bench", str(tiny_bench), "--state-dir", str(tmp_path / "state"),
                "--zero-shot", "--no-borrow", "--json", str(out), extra_env=env)
    assert alone.returncode == 0, alone.stderr
    assert json.loads(out.read_text())["borrowed"] is None and "no models borrowed" in alone.stdout


def test_the_pack_borrowed_from_is_the_one_matching_most_of_the_catalog(tiny_bench, small_pack_dir, embedder,
                                                                          tmp_path):
    from assistant.config import REPO_ROOT
    from assistant.engine import prepare
    from eval.benchmark import bench_pack
    from retrieval.pack import load_pack
    from retrieval.transfer import MIN_SHARE, choose_source

    movies, books = load_pack(small_pack_dir), load_pack(REPO_ROOT / "packs" / "books")
    bench = load_pack(bench_pack(tiny_bench, tmp_path)[0])
    assert not bench.interactions
    chosen = choose_source(bench.items, [books, movies])
    assert chosen.pack.name == movies.name and chosen.share > 0.9
    # a catalog of another kind matches only namesakes, far below the share that borrows
    assert choose_source(books.items, [movies]) is None
    assert len(choose_source(books.items, [movies], min_share=0.0).mapping) < MIN_SHARE * len(books.items)

    engine = prepare(bench.root, tmp_path / "state", embedder=embedder, progress=False, borrow_from=[small_pack_dir])
    assert engine.borrowed["from"] == movies.name and {"ease", "popularity"} <= set(engine.ranker.feature_names)
    alone = prepare(bench.root, tmp_path / "state", embedder=embedder, progress=False)
    assert alone.borrowed is None and "ease" not in alone.ranker.feature_names
    # what people liked in the pack borrowed from now ranks an open request: its most liked come first
    from retrieval.constraints import Constraints
    from retrieval.recommenders import Context

    top = [c.item_id for c in engine.ranker.recommend(Context(text=""), Constraints(), 10).candidates]
    plain = [c.item_id for c in alone.ranker.recommend(Context(text=""), Constraints(), 10).candidates]
    liked = movies.catalog()
    by_likes = {movies_id: liked.popularity[liked.row[movies_id]] for movies_id in liked.ids}
    to_source = chosen.mapping
    score = lambda ids: sum(by_likes.get(to_source.get(i, ""), 0.0) for i in ids)  # noqa: E731
    assert top != plain and score(top) > score(plain)


def test_items_newer_than_the_pack_borrowed_from_are_unknown_to_its_models_not_unpopular(tiny_bench, small_pack_dir,
                                                                                       embedder, tmp_path):
    """A film the source pack lacks for want of time (released after its newest) gets the pool's typical score from
    each borrowed model; one it lacks from the years it covers keeps none (the record says it is obscure)."""
    import shutil

    from assistant.engine import prepare
    from eval.benchmark import bench_pack
    from retrieval.constraints import Constraints
    from retrieval.pack import load_pack
    from retrieval.recommenders import Context

    newest = max(it.year for it in load_pack(small_pack_dir).items if it.year is not None)
    root = tmp_path / "newer-crs"
    shutil.copytree(tiny_bench, root)
    with (root / "items.jsonl").open("a") as f:
        for iid, title, year in (("new", "Zorblax Returns", newest + 3), ("old", "Zorblax Begins", 1990)):
            f.write(json.dumps({"id": iid, "name": f"{title} ({year})", "title": title, "year": year,
                                "genres": ["sci-fi"]}) + "\n")
    engine = prepare(bench_pack(root, tmp_path)[0], tmp_path / "state", embedder=embedder, progress=False,
                     borrow_from=[small_pack_dir])
    borrowed = [m for m in engine.ranker.models if getattr(m, "unseen", None)]
    assert borrowed and all(m.unseen == {"new"} for m in borrowed)

    pool = engine.ranker.pool(Context(), Constraints(), boosts={"new": 1.0, "old": 1.0})  # the popular join them
    by_id = {c.item_id: c for c in pool}
    assert {"new", "old"} <= set(by_id) and len(pool) > 10
    others = [c.features["popularity"] for c in pool if c.item_id != "new"]
    assert by_id["old"].features["popularity"] == 0.0
    assert by_id["new"].features["popularity"] == pytest.approx(sum(others) / len(others)) and max(others) > 0


def test_a_sample_is_seeded_and_carries_confidence_intervals(tiny_bench, small_assistant):
    from eval.benchmark import run_benchmark

    a = run_benchmark(small_assistant, tiny_bench, sample=3, seed=1, progress=False)
    b = run_benchmark(small_assistant, tiny_bench, sample=3, seed=1, progress=False)
    def without_timings(result: dict) -> dict:  # timings vary run to run; everything else must not
        return {k: v for k, v in result.items() if not k.startswith("latency")}

    assert a["n_cases"] == 3 and a["sampled"]
    assert without_timings(a) == without_timings(b)
    assert "recall@10_ci95" in a


def test_a_folder_without_cases_is_a_clear_error(tmp_path):
    run = crs("eval", "benchmark", "--bench", str(tmp_path), "--state-dir", str(tmp_path / "s"))
    assert run.returncode == 2 and "needs cases.jsonl and items.jsonl" in run.stderr


def test_latency_histogram_and_coverage_by_genre_match_hand_computed_values():
    from eval.benchmark import coverage_by_genre, latency_histogram
    from retrieval.catalog import Catalog, Item

    hist = latency_histogram([1.0, 2.0, 4.0, 8.0], bins=3)  # log-spaced edges 1, 2, 4, 8
    assert hist["edges"] == [1.0, 2.0, 4.0, 8.0] and hist["counts"] == [1, 1, 2]
    assert latency_histogram([]) == {"edges": [], "counts": []}
    catalog = Catalog([Item(id="a", title="A", genres=("Drama",)), Item(id="b", title="B", genres=("Drama", "Comedy")),
                       Item(id="c", title="C", genres=("Comedy",)), Item(id="d", title="D", genres=("Drama",))], [])
    assert coverage_by_genre(catalog, [["a", "b"], ["b"]]) == {"Drama": round(2 / 3, 4), "Comedy": 0.5}


@pytest.mark.parametrize(("folds", "dev_folds"), [(5, 2), (5, 3), (4, 2), (3, 1), (2, 0)])
def test_no_fold_learns_from_its_own_dialogues(folds, dev_folds):
    from eval.folds import fold_plan

    plans = fold_plan(folds, dev_folds)
    assert [p.test for p in plans] == list(range(folds))
    for p in plans:
        assert p.train == [g for g in range(folds) if g != p.test]
        assert len({d for d, _ in p.dev}) == len(p.dev) == dev_folds
        for dev, seen in p.dev:
            assert dev != p.test and p.test not in seen and dev not in seen
            assert len(seen) == folds - 2  # everything else is used


def test_a_dialogue_s_time_is_its_own_or_its_number(small_assistant):
    from eval.benchmark import request_of
    from eval.folds import logged_turns

    turn = [{"role": "user", "text": "hi"}]
    assert Case(id="1", dialog_id="20417", turns=turn, target_ids=[]).time == 20417.0  # numbered as logged
    assert Case(id="1", dialog_id="d-7", turns=turn, target_ids=[]).time is None
    assert Case(id="1", dialog_id="d-7", turns=turn, target_ids=[], at=1716200000).time == 1716200000
    case = Case(id="1", dialog_id="31", turns=turn, target_ids=["x"])
    assert logged_turns([case])[0].at == 31.0
    assert request_of(small_assistant, case).ctx.at == 31.0  # the request is made at the dialogue's time


def test_weights_learned_on_half_the_dialogues_are_scored_on_the_other_half(tiny_bench, tmp_path):
    out = tmp_path / "weights.json"
    run = crs("eval", "weights", "--bench", str(tiny_bench), "--state-dir", str(tmp_path / "state"),
              "--freeze", "genre_match", "--json", str(out))
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    halves = result["halves"]
    assert len(halves) == 2 and sum(h["n_cases"] for h in halves) == 4  # dialogues 1-3 in one half, 4 in the other
    for h in halves:
        for system in ("shipped", "learned on the other half", "dense"):
            assert 0.0 <= h[system]["recall@1"] <= h[system]["recall@10"] <= h[system]["recall@50"] <= 1.0
        assert h["weights"]["genre_match"] == result["prior"]["genre_match"]
    assert "learned on the other half" in run.stdout and "dense" in run.stdout
    bad = crs("eval", "weights", "--bench", str(tiny_bench), "--state-dir", str(tmp_path / "state"),
              "--freeze", "nonsense")
    assert bad.returncode != 0 and "no feature nonsense" in bad.stderr
