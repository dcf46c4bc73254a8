"""The learned mood reader: the kind asked for without a genre word, from prompts/moods.toml on the real sentence
model; a lean (never a filter), only where the rules placed no genre, only to genres the catalog has."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.assistant import Assistant
from assistant.models import Session
from assistant.understanding.moods import NONE, LearnedMood, MoodModel, classes, examples, mood_model


@pytest.fixture(scope="module")
def mood(demo_engine) -> LearnedMood:
    return next(r for _, r in demo_engine.parser.readers if isinstance(r, LearnedMood))


def test_every_class_has_examples_and_none_is_one_of_them():
    pairs = examples()
    assert {c for _, c in pairs} == set(classes()) and NONE in classes()
    assert len(pairs) == len(set(pairs))


def test_the_model_is_trained_once_and_loaded_from_the_state_folder(embedder, tmp_path):
    first = mood_model(embedder, tmp_path)
    again = mood_model(embedder, tmp_path, build=False)
    assert again is not None and again.classes == first.classes == classes()
    v = embedder.encode(["dragons and wizards"])
    assert np.allclose(first.chances(v), again.chances(v), atol=1e-6)
    assert MoodModel.load(tmp_path / "models" / "mood-reader.pt").FORMAT == "mood-reader-v1"
    elsewhere = mood_model(embedder, tmp_path / "elsewhere", build=False)  # the shipped reader; nothing written
    assert elsewhere.data_hash == first.data_hash and not (tmp_path / "elsewhere").exists()


@pytest.mark.parametrize(("message", "genre"), [  # none of these is an example it was trained on
    ("I want to be scared out of my mind", "horror"),
    ("a movie that keeps me on the edge of my seat", "thriller"),
    ("something with lots of explosions and car chases", "action"),
    ("people singing and dancing", "musical"),
])
def test_words_the_rules_cannot_place_lean_to_the_kind_they_describe(demo_engine, message, genre):
    u = demo_engine.parser.parse(message, Session())
    assert u.intent == "recommend" and u.preferences.mood_genres == [genre]
    assert u.preferences.include_genres == []  # a lean, not a filter


@pytest.mark.parametrize("message", ["something good for tonight", "what should I watch", "a movie about a dog"])
def test_a_request_that_implies_no_kind_gets_no_lean(demo_engine, message):
    assert demo_engine.parser.parse(message, Session()).preferences.mood_genres == []


def test_what_the_rules_placed_is_left_as_it_is(demo_engine, mood):
    p = demo_engine.parser
    assert mood.guess("a comedy with lots of explosions and car chases")[0] == "action"
    u = p.parse("a comedy with lots of explosions and car chases", Session())
    assert u.preferences.include_genres == ["comedy"] and u.preferences.mood_genres == []
    # a genre the conversation ruled out is not brought back as a lean
    s = Session()
    s.preferences.exclude_genres = ["horror"]
    assert p.parse("give me nightmares", s).preferences.mood_genres == []


def test_the_lean_orders_the_list_and_the_reply_says_it(demo_engine):
    reply = Assistant(demo_engine).respond(Session(), "something to keep me on the edge of my seat")
    assert "Thriller" in reply.text
    assert sum("Thriller" in r.genres for r in reply.recommendations) >= 3


def test_a_catalog_without_that_genre_gets_nothing(demo_engine, mood):
    p = demo_engine.parser
    assert mood.guess("people singing and dancing")[0] == "musical"
    saved = p._phrase_genres
    try:
        p._phrase_genres = {k: v for k, v in saved.items() if v[0] != ("musical",)}
        assert p.parse("people singing and dancing", Session()).preferences.mood_genres == []
    finally:
        p._phrase_genres = saved


def test_what_is_ruled_out_is_never_the_lean(demo_engine):
    p = demo_engine.parser
    u = p.parse("nothing scary, I want explosions and car chases", Session())
    assert u.preferences.exclude_genres == ["horror"] and u.preferences.mood_genres == ["action"]
    # "w/o" is "without": the negated words are not read for a kind
    assert p.parse("something w/o singing pls", Session()).preferences.mood_genres == []


@pytest.mark.parametrize(("message", "genre"), [  # the occasion is set aside as no topic, and still read for its kind
    ("what's a good movie for date night", "romance"),
    ("any ideas for date night?", "romance"),
])
def test_an_occasion_alone_is_read_for_the_kind_it_implies(demo_engine, message, genre):
    u = demo_engine.parser.parse(message, Session())
    assert u.intent == "recommend" and u.preferences.mood_genres == [genre] and u.preferences.query == ""


@pytest.mark.parametrize("message", ["something for a rainy sunday", "a movie for the weekend"])
def test_an_occasion_that_implies_no_kind_gets_no_lean(demo_engine, message):
    assert demo_engine.parser.parse(message, Session()).preferences.mood_genres == []


def test_the_tag_eval_reads_tags_as_words_a_catalog_without_them_would(demo_engine):
    """`crs eval understanding`'s mood figures: the demo pack's tags read as a catalog that does not carry them
    would. Once, the copy kept the catalog's tag names and every tag was read as a tag, so the reader read none."""
    from eval.understanding import load_set, mood_report

    report = mood_report(demo_engine.parser, demo_engine.catalog, load_set())
    assert report["rules"]["read"] == 0  # no rule reads a genre from "twist ending" or "will ferrell"
    assert report["with mood reader"]["read"] >= 20 and report["with mood reader"]["precision"] >= 0.7
    assert not report["changed"]
