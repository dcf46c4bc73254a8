"""Loading packs: real rows in, bad rows reported with file, line and reason, clear failure when nothing is usable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import DEMO_PACK
from retrieval.catalog import display_title
from retrieval.errors import PackError
from retrieval.pack import load_pack

JSONL_MANIFEST = """
name = "tiny-books"
title = "Tiny bookshop"
item_noun = "book"
[items]
path = "items.jsonl"
[interactions]
path = "interactions.csv"
"""


def test_demo_pack_loads_every_movie_and_rating():
    pack = load_pack(DEMO_PACK)
    assert len(pack.items) == 9742
    assert len(pack.interactions) == 100836
    assert (DEMO_PACK / "README.txt").read_text().count("Usage License") == 1
    toy = next(i for i in pack.items if i.id == "1")
    assert (toy.title, toy.year, toy.genres[0]) == ("Toy Story", 1995, "Adventure")
    assert "pixar" in toy.tags
    # the only skipped rows are two tags longer than a tag can be, named precisely
    assert {(i.file, i.line) for i in pack.issues} == {("tags.csv", 487), ("tags.csv", 589)}


def test_titles_with_trailing_articles_read_naturally():
    assert display_title("Matrix, The") == "The Matrix"
    assert display_title("American President, The") == "The American President"
    assert display_title("Misérables, Les") == "Les Misérables"
    assert display_title("Dark Knight") == "Dark Knight"


def _jsonl_pack(tmp_path: Path, lines: list[str], interactions: str = "user_id,item_id,rating\n") -> Path:
    (tmp_path / "pack.toml").write_text(JSONL_MANIFEST)
    (tmp_path / "items.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "interactions.csv").write_text(interactions)
    return tmp_path


def test_malformed_rows_are_skipped_and_reported_with_file_line_and_reason(tmp_path):
    good = {"id": "b1", "title": "Dune", "year": 1965, "genres": ["sci-fi", "classic"]}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"id": "b2"}),  # no title
        json.dumps({"id": "b3", "title": "Too New", "year": 3024}),  # 1066 is fine: books go back that far
        json.dumps(good),  # duplicate id
        json.dumps(["a", "list"]),
        json.dumps({"id": "b4", "title": "Neuromancer", "year": "1984", "genres": "sci-fi|cyberpunk"}),
    ]
    interactions = "user_id,item_id,rating\nu1,b1,5\nu1,nope,4\nu2,b4,abc\nu2,b4,4,extra\nu3,b4,4.5\n"
    pack = load_pack(_jsonl_pack(tmp_path, lines, interactions))
    assert [i.id for i in pack.items] == ["b1", "b4"]
    assert pack.items[1].year == 1984 and pack.items[1].genres == ("sci-fi", "cyberpunk")
    assert [(x.user_id, x.item_id, x.rating) for x in pack.interactions] == [("u1", "b1", 5.0), ("u3", "b4", 4.5)]
    where = {(i.file, i.line): i.reason for i in pack.issues}
    assert set(where) == {
        ("items.jsonl", 2), ("items.jsonl", 3), ("items.jsonl", 4), ("items.jsonl", 5), ("items.jsonl", 6),
        ("interactions.csv", 3), ("interactions.csv", 4), ("interactions.csv", 5),
    }
    assert "invalid JSON" in where[("items.jsonl", 2)]
    assert "title" in where[("items.jsonl", 3)]
    assert "year" in where[("items.jsonl", 4)]
    assert "duplicate id" in where[("items.jsonl", 5)]
    assert "unknown item id 'nope'" in where[("interactions.csv", 3)]
    assert "more fields" in where[("interactions.csv", 5)]


def test_a_pack_with_no_usable_items_fails_clearly(tmp_path):
    with pytest.raises(PackError, match="no usable items.*items.jsonl:1"):
        load_pack(_jsonl_pack(tmp_path, ["{broken", json.dumps({"id": "x"})]))


def test_missing_files_and_manifests_are_named(tmp_path):
    with pytest.raises(PackError, match="no such pack folder"):
        load_pack(tmp_path / "absent")
    with pytest.raises(PackError, match="no pack.toml"):
        load_pack(tmp_path)
    (tmp_path / "pack.toml").write_text(JSONL_MANIFEST)
    with pytest.raises(PackError, match="items file 'items.jsonl'.*does not exist"):
        load_pack(tmp_path)
    (tmp_path / "pack.toml").write_text('name = "x y"\n[items]\npath = "a.csv"\n')
    with pytest.raises(PackError, match="invalid manifest"):
        load_pack(tmp_path)
    (tmp_path / "pack.toml").write_text('name = "okay"\nsurprise = 1\n[items]\npath = "a.csv"\n')
    with pytest.raises(PackError, match="invalid manifest.*surprise"):
        load_pack(tmp_path)


def test_content_hashes_follow_the_files(tmp_path):
    root = _jsonl_pack(tmp_path, [json.dumps({"id": "b1", "title": "Dune"})], "user_id,item_id,rating\nu1,b1,5\n")
    first = load_pack(root)
    assert load_pack(root).items_hash == first.items_hash
    (root / "items.jsonl").write_text(json.dumps({"id": "b1", "title": "Dune Messiah"}) + "\n")
    second = load_pack(root)
    assert second.items_hash != first.items_hash
    assert second.interactions_hash == first.interactions_hash


def test_the_compact_item_table_gives_back_every_validated_field(monkeypatch):
    import retrieval.catalog as catalog_mod
    from retrieval.catalog import Item, ItemTable

    pack = load_pack(DEMO_PACK)
    fresh = [Item.model_validate(it.model_dump()) for it in list(pack.items)[:300]]
    monkeypatch.setattr(catalog_mod, "CACHE_MAX", 50)  # decoded items are dropped and decoded again
    table = ItemTable(fresh)
    assert len(table) == 300 and table.ids == [it.id for it in fresh]
    for _ in range(2):
        assert list(table) == fresh
    assert table[-1] == fresh[-1] and table[10:13] == fresh[10:13]
    assert table.by_id(fresh[7].id) == fresh[7] and fresh[7] in table
    assert table.add(fresh[0]) is False and len(table) == 300  # one row per id
    with pytest.raises(IndexError):
        table[300]
    with pytest.raises(KeyError):
        table.by_id("no such id")
    # a catalog made from the table shares it rather than copying it
    cat = pack.catalog()
    assert cat.items is pack.items and cat.get(fresh[7].id) == fresh[7]
    assert cat.newest_year == max(it.year for it in pack.items if it.year)


def test_prices_are_read_as_shops_write_them_and_a_bad_one_is_reported(tmp_path):
    rows = [{"id": "b1", "title": "Dune", "price": "$12.99"}, {"id": "b2", "title": "Emma", "price": "8,50 €"},
            {"id": "b3", "title": "Ulysses", "price": "USD 1,299.00"}, {"id": "b4", "title": "Beloved", "price": 7},
            {"id": "b5", "title": "Kindred"}, {"id": "b6", "title": "Hamlet", "price": "call us"},
            {"id": "b7", "title": "Walden", "price": -3}]
    pack = load_pack(_jsonl_pack(tmp_path, [json.dumps(r) for r in rows], "user_id,item_id,rating\nu1,b1,5\n"))
    assert [(i.id, i.price) for i in pack.items] == [("b1", 12.99), ("b2", 8.5), ("b3", 1299.0), ("b4", 7.0),
                                                      ("b5", None)]
    where = {i.line: i.reason for i in pack.issues if i.file == "items.jsonl"}
    assert set(where) == {6, 7} and "price 'call us' is not a number" in where[6] and "price" in where[7]
