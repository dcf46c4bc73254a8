"""Sparse catalogs: a fact an item's entry lacks is unknown, not a mismatch; the benchmark runner takes any valid
case; metadata ablation. A real pack with genres and years removed from some items, a real Chroma, the real
embedding model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.ablation import Drop, ablate, parse_drop
from retrieval.catalog import Item
from retrieval.constraints import Constraints, coverage, open_in
from retrieval.errors import CrsError

SPARSE_MANIFEST = """name = "sparse-test"
title = "Sparse test catalog"
item_noun = "movie"
[items]
path = "items.jsonl"
id = "id"
title = "title"
year = "year"
genres = "genres"
"""


def _sparse_rows(small_pack_dir: Path) -> list[dict]:
    """The small pack's movies; every third without genres and every fourth without a year."""
    from retrieval.pack import load_pack

    rows = []
    for n, it in enumerate(load_pack(small_pack_dir).items):
        row = {"id": it.id, "name": it.name, "title": it.title, "year": it.year, "genres": list(it.genres)}
        if n % 3 == 0:
            row.pop("genres")
        if n % 4 == 1:
            row.pop("year")
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def sparse_engine(small_pack_dir, embedder, tmp_path_factory):
    from assistant.engine import prepare

    root = tmp_path_factory.mktemp("sparse-pack")
    (root / "pack.toml").write_text(SPARSE_MANIFEST)
    (root / "items.jsonl").write_text("".join(json.dumps(r) + "\n" for r in _sparse_rows(small_pack_dir)))
    return prepare(root, tmp_path_factory.mktemp("sparse-state"), embedder=embedder, progress=False)


def test_a_missing_fact_is_unknown_in_an_open_field_and_a_mismatch_in_a_closed_one():
    bare = Item(id="1", title="No facts")
    comedy_90s = Item(id="2", title="Known", year=1995, genres=("Comedy",))
    drama_80s = Item(id="3", title="Known other", year=1985, genres=("Drama",))
    ask = {"include_genres": frozenset({"comedy"}), "year_min": 1990, "year_max": 1999}
    closed, open_ = Constraints(**ask), Constraints(**ask, open_fields=frozenset({"genres", "year"}))
    assert closed.violations(bare) == ["no genres", "no year"] and not closed.allows(bare)
    assert open_.allows(bare) and open_.unknown(bare) == 2  # neither ruled out nor a match
    for c in (closed, open_):  # what the entry records is a hard rule either way
        assert c.allows(comedy_90s) and c.unknown(comedy_90s) == 0
        assert c.violations(drama_80s) == ["genre", "year"]
    # an exclusion is never broken by genres that are not recorded
    assert Constraints(exclude_genres=frozenset({"horror"})).allows(bare)
    # prices stay strict: an item without a price is not for sale at a price asked for
    assert Constraints(price_max=20.0, open_fields=frozenset({"genres", "year"})).violations(bare) == ["no price"]


def test_fields_are_open_only_where_the_catalog_seldom_records_them(sparse_engine, small_engine):
    share = coverage(sparse_engine.catalog)
    assert share["genres"] == pytest.approx(2 / 3, abs=0.01) and share["year"] == pytest.approx(3 / 4, abs=0.01)
    assert open_in(sparse_engine.catalog) == {"genres", "year"}
    assert open_in(small_engine.catalog) == frozenset()  # MovieLens rows: nearly every item has both


def test_the_store_filter_and_the_item_check_agree_on_a_sparse_catalog(sparse_engine, embedder):
    store, catalog = sparse_engine.store, sparse_engine.catalog
    query = embedder.encode_one("space adventure with aliens")
    hot = store.hot
    for open_fields in (frozenset(), frozenset({"genres", "year"}), frozenset({"year"})):
        for ask in ({"include_genres": frozenset({"sci-fi"}), "year_min": 1990, "year_max": 1999},
                    {"any_genres": frozenset({"comedy", "animation"}), "exclude_genres": frozenset({"horror"})},
                    {"year_max": 1985}):
            c = Constraints(**ask, open_fields=open_fields)
            allowed = {i for i in catalog.ids if c.allows(catalog.get(i))}
            assert {h.item_id for h in store.search(query, len(catalog), c.where())} == allowed, c
            store.hot = None  # Chroma's own filter on the same metadata
            try:
                assert {h.item_id for h in store.search(query, len(catalog), c.where())} == allowed, c
            finally:
                store.hot = hot
            unknown = {i for i in allowed if c.unknown(catalog.get(i))}
            reads = {"genres"} if "include_genres" in ask or "any_genres" in ask else set()
            reads |= {"year"} if "year_min" in ask or "year_max" in ask else set()
            assert bool(unknown) == bool(reads & open_fields), c


def test_a_sparse_catalog_recommends_unknowns_without_claiming_the_missing_fact(sparse_engine):
    from assistant.assistant import Assistant
    from assistant.models import GenreClaim, Session, YearClaim
    from eval.faithfulness import claim_problems, constraint_violations

    assistant = Assistant(sparse_engine)
    catalog = sparse_engine.catalog
    session = Session()
    reply = assistant.respond(session, "a sci-fi movie from the 90s")
    assert reply.recommendations
    for rec in reply.recommendations:
        item = catalog.get(rec.item_id)
        assert not constraint_violations(rec.item_id, session.preferences, catalog)
        assert not claim_problems(rec, catalog)
        assert bool(item.genres) == any(isinstance(c, GenreClaim) for c in rec.claims)
        assert (item.year is not None) == any(isinstance(c, YearClaim) for c in rec.claims)
        if item.genres:
            assert "Sci-Fi" in item.genres
        if item.year is not None:
            assert 1990 <= item.year <= 1999
    # the whole ranking: a known match is never below an unknown one with nothing else going for it
    ranked = assistant.ranking.rank(session, 50).candidates
    known = [c for c in ranked if catalog.get(c.item_id).genres and catalog.get(c.item_id).year is not None]
    assert known and ranked[0].item_id == known[0].item_id


def test_the_heading_says_how_many_shown_items_lack_the_fact_asked_for(sparse_engine):
    from assistant.dialogue.state import describe
    from assistant.models import Preferences

    catalog = sparse_engine.catalog
    bare = [i for i in catalog.ids if not catalog.get(i).genres][:2]
    known = [i for i in catalog.ids if "Comedy" in catalog.get(i).genres][:3]
    prefs = Preferences(include_genres=["comedy"])
    assert "(2 of them with no genre on record)" in describe(prefs, catalog, "movie", shown=known + bare)
    assert "on record" not in describe(prefs, catalog, "movie", shown=known)
    # one item: "Here is 1 Comedy movie (no genre on record)", not "1 ... movies"
    assert describe(prefs, catalog, "movie", shown=bare[:1]) == "Comedy movie (no genre on record)"


def test_drop_specs_are_read_or_refused_with_a_clear_error():
    assert parse_drop("description") == Drop("description", 1.0)
    assert parse_drop("genres:0.4") == Drop("genres", 0.4)
    for bad in ("", "id", "name:0.5", "title", "genres:x", "genres:0", "genres:1.5"):
        with pytest.raises(CrsError):
            parse_drop(bad)


def test_ablation_is_seeded_and_takes_the_share_of_items_that_had_the_field():
    rows = [{"id": str(i), "name": f"M{i}", "title": f"M{i}", "genres": ["drama"], "year": 2000,
             "description": "x"} for i in range(100)] + [{"id": "x", "name": "X", "title": "X", "genres": []}]
    out, lost = ablate(rows, [Drop("description"), Drop("genres", 0.4)], seed=3)
    assert lost == {"description": 100, "genres:0.4": 40}
    assert not any("description" in r for r in out) and sum("genres" in r for r in out) == 61
    assert all("description" in r for r in rows[:100])  # the input is untouched
    again, _ = ablate(rows, [Drop("description"), Drop("genres", 0.4)], seed=3)
    other, _ = ablate(rows, [Drop("description"), Drop("genres", 0.4)], seed=4)
    assert again == out and other != out


@pytest.fixture(scope="module")
def odd_bench(tmp_path_factory, small_pack_dir):
    """A benchmark whose cases are valid but unusual, and one line that is no case at all."""
    from retrieval.pack import load_pack

    items = load_pack(small_pack_dir).items
    root = tmp_path_factory.mktemp("odd") / "odd-crs"
    root.mkdir()
    with (root / "items.jsonl").open("w") as f:
        for it in items:
            f.write(json.dumps({"id": it.id, "name": it.name, "title": it.title, "year": it.year,
                                "genres": list(it.genres)}) + "\n")
    cases = [
        {"id": "opens", "dialog_id": "1", "turns": [{"role": "assistant", "text": "Hi! What do you like to watch?"}],
         "target_ids": ["1"]},  # the recommender opens the dialogue: no user turn
        {"id": "empty", "dialog_id": "2", "turns": [], "target_ids": ["260"]},
        {"id": "unknown", "dialog_id": "3", "turns": [{"role": "user", "text": "something like Heat"}],
         "target_ids": ["no-such-item", "6"], "mentioned_ids": ["also-missing"]},
        {"id": "plain", "dialog_id": "4", "turns": [{"role": "user", "text": "a funny sci-fi movie"}],
         "target_ids": ["3175"]},
    ]
    lines = [json.dumps(c) for c in cases]
    lines.insert(2, '{"id": "broken", "turns": "not a list"}')
    (root / "cases.jsonl").write_text("\n".join(lines) + "\n")
    return root


def test_the_benchmark_runner_scores_any_valid_case_and_reports_the_rest(odd_bench, small_engine):
    from assistant.assistant import Assistant
    from eval.benchmark import run_benchmark

    result = run_benchmark(Assistant(small_engine), odd_bench, progress=False)
    assert result["n_cases"] == 4 and result["n_samples"] == 5
    assert len(result["cases_skipped"]) == 1 and result["cases_skipped"][0].startswith("line 3:")
    assert result["cases_without_user_turn"] == 2
    assert result["targets_not_in_catalog"] == 1 and result["mentions_not_in_catalog"] == 1
    assert result["targets_ruled_out"]["targets"] == 4  # the missing target is a miss, not a crash


def test_a_request_with_no_words_gets_what_an_open_request_gets(odd_bench, small_engine):
    from assistant.assistant import Assistant
    from assistant.models import Session
    from eval.benchmark import load_cases, replay

    assistant = Assistant(small_engine)
    opens = next(c for c in load_cases(odd_bench) if c.id == "opens")
    got = replay(assistant, opens).ranked
    open_request = assistant.ranking.rank(Session(), 50).candidates
    assert got and got == [c.item_id for c in open_request]


def test_crs_eval_benchmark_drops_fields_and_reports_what_constraints_ruled_out(odd_bench, tmp_path):
    from tests.test_cli import crs

    out = tmp_path / "r.json"
    r = crs("eval", "benchmark", "--bench", str(odd_bench), "--zero-shot", "--drop", "genres:0.5",
            "--drop", "description", "--json", str(out), "--state-dir", str(tmp_path / "state"))
    assert r.returncode == 0, r.stderr
    assert "fields dropped" in r.stdout and "targets ruled out by a constraint" in r.stdout
    result = json.loads(out.read_text())
    assert result["dropped"]["genres:0.5"] > 0 and result["dropped"]["description"] == 0  # none had one
    assert set(result["targets_ruled_out"]) == {"targets", "ruled_out", "share", "by_reason"}
    assert result["constraint_violation_rate"] == 0.0



def test_a_lean_on_a_field_an_item_does_not_record_is_the_pools_mean_not_a_mismatch(sparse_engine):
    from assistant.assistant import Assistant
    from assistant.models import Session

    catalog = sparse_engine.catalog
    seed = next(catalog.get(i) for i in catalog.ids
                if "Comedy" in catalog.get(i).genres and catalog.get(i).year is not None)
    assistant = Assistant(sparse_engine)
    session = Session()
    assistant.respond(session, f"something like {seed.name}")
    ranked = assistant.ranking.rank(session, 60).candidates
    for feature, missing in (("genre_match", lambda it: not it.genres), ("year_near", lambda it: it.year is None)):
        unknown = {c.features[feature] for c in ranked if missing(catalog.get(c.item_id))}
        known = [c.features[feature] for c in ranked if not missing(catalog.get(c.item_id))]
        assert len(unknown) == 1, feature  # one value: the mean over the pool's items that record the field
        assert 0 < unknown.pop() < max(known), feature
