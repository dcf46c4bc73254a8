"""The person-name reader: a run of words found to be a person's name the catalog does not know is never searched as
words (it found The Cruise for "tom cruise"), and the reply says why; one the catalog credits or tags under a close
spelling is asked for as that person or tag. The model is learned from goodbooks' authors against other phrases
(prompts/person_names.toml), kept in the state folder."""

from __future__ import annotations

import importlib.util
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest

from assistant.assistant import Assistant
from assistant.models import Session
from assistant.understanding.person_names import (CLASSES, SURE, PersonNames, candidates, name_examples, names_text,
                                                  person_names_model)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def names(demo_engine) -> PersonNames:
    reader = dict(demo_engine.parser.readers).get("person names")
    assert reader is not None  # the engine wires it in, after the tags
    order = [n for n, _ in demo_engine.parser.readers]
    assert order.index("tags") < order.index("person names") < order.index("free text")
    return reader.names


def test_the_name_list_is_what_its_script_writes():
    spec = importlib.util.spec_from_file_location("make_person_names", ROOT / "prompts" / "make_person_names.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    people = make.people()
    data = tomllib.loads(names_text())
    assert set(data["people"]) == people and set(data["phrases"]) == make.phrases(people)
    assert not set(data["people"]) & set(data["phrases"]) and len(people) > 4000
    assert {c for _, c in name_examples()} == set(CLASSES)


def test_the_model_is_trained_once_and_loaded_from_the_state_folder(embedder, tmp_path):
    first = person_names_model(embedder, tmp_path)
    assert (tmp_path / "models" / "person-names.pt").is_file()
    again = person_names_model(embedder, tmp_path, build=False)
    assert again is not None and again.data_hash == first.data_hash
    v = embedder.encode(["tom hanks", "time travel"])
    assert np.allclose(first.chances(v), again.chances(v), atol=1e-6)
    elsewhere = person_names_model(embedder, tmp_path / "elsewhere", build=False)  # the shipped reader; nothing written
    assert elsewhere.data_hash == first.data_hash and not (tmp_path / "elsewhere").exists()


def test_names_and_phrases_it_was_not_trained_on_are_told_apart(names):
    data = tomllib.loads(names_text())
    seen = set(data["people"]) | set(data["phrases"])
    people = ["tom cruise", "keanu reeves", "emma stone", "bruce willis", "jim carrey", "scarlett johansson",
              "wes anderson", "tom hardy"]
    phrases = ["space pirates", "marvel movies", "zombie apocalypse", "heist thriller", "buddy cop", "boarding school",
               "sharks attack", "feel good"]
    assert not (set(people) | set(phrases)) & seen  # none of them is in its training lists
    p = names.chances(people + phrases)
    assert sum(p[x] >= SURE for x in people) >= 7, p
    assert sum(p[x] < SURE for x in phrases) >= 7, p


def test_only_runs_that_could_be_a_name_are_asked_about():
    said = "not harry potter or the good one with emma stone".split()
    runs = {" ".join(said[a:b]) for a, b in candidates(said)}
    assert "emma stone" in runs and "harry potter" in runs
    assert not {"not harry", "potter or", "the good", "good one", "with emma"} & runs
    assert candidates([]) == [] and candidates(["stone"]) == []


def test_a_name_the_catalog_does_not_know_is_not_searched_and_the_reply_says_so(demo_engine):
    demo = Assistant(demo_engine)
    reply = demo.respond(Session(), "anything w tom cruise")  # before: The Cruise, Tom Segura's stand-up
    assert not reply.recommendations
    assert "does not record who is in or who made each movie" in reply.text
    assert "genre, years, mood" in reply.text
    s = Session()
    reply = demo.respond(s, "a thriller starring denzel washington")
    assert reply.recommendations and "can't check these against that name" in reply.text
    assert s.preferences.include_genres == ["thriller"] and not s.preferences.query  # "starring" went with him
    assert s.preferences.names == ["denzel washington"]  # what the name means to the sentence model steers a little
    cards = " ".join(f"{r.title} {r.explanation}" for r in reply.recommendations).casefold()
    assert "denzel" not in cards and "washington" not in cards


def test_titles_the_catalog_lacks_or_holds_are_no_names_and_a_name_is_no_verdict_on_the_list(demo_engine):
    parser = demo_engine.parser
    # a year after it makes a title the catalog lacks; a run its titles hold is searched as their words
    for message, words in (("My son loved Peter Rabbit (2018) do you know any movies thats similar?", "peter rabbit"),
                           ("I liked the one with a young Indiana Jones in it", "indiana jones")):
        u = parser.parse(message, Session())
        assert not u.unknown_people and not u.preferences.names and words in u.preferences.query, (message, u)
    # "that guy ... is really funny" over a list speaks of him, not of the top item shown (it was liked)
    shown = parser.titles_in("Heat (1995)")[:1] + parser.titles_in("Alien (1979)")[:1]
    u = parser.parse("That guy Adan Sandlerr is really funny", Session(shown=shown, focus=shown[0]))
    assert not u.preferences.liked and u.action is None, u


def test_a_name_typed_close_to_a_tag_asks_for_the_tag(demo_engine):
    u = demo_engine.parser.parse("show me jim carey movies", Session())  # the demo pack tags "jim carrey"
    assert u.preferences.keywords == ["jim carrey"] and not u.unknown_people and not u.preferences.query


def test_in_a_catalog_that_credits_people_a_misspelled_name_is_the_person_and_an_unknown_one_is_said(
        books_engine):
    parser = books_engine.parser
    author = next(a for it in books_engine.catalog for a in it.directors if len(a.split()) == 2 and a.isascii()
                  and "." not in a and "suzanne" in a.casefold())  # Suzanne Collins, of the books' first rows
    typed = author.casefold().replace("collins", "colins")
    u = parser.parse(f"anything like {typed} writes?", Session())
    assert [p.casefold() for p in u.preferences.people] == [author.casefold()], u
    u = parser.parse("books by meryl streep", Session())
    assert u.unknown_people == ["meryl streep"] and not u.preferences.query and not u.preferences.people
    assert u.preferences.names == ["meryl streep"]
    reply = Assistant(books_engine).respond(Session(), "books by meryl streep")
    assert "among the people this catalog credits" in reply.text and not reply.recommendations


@pytest.fixture(scope="module")
def books_engine(embedder, tmp_path_factory):
    from assistant.engine import prepare

    dest = tmp_path_factory.mktemp("books-names") / "books"
    dest.mkdir()
    books = ROOT / "packs" / "books"
    lines = (books / "books.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (dest / "books.csv").write_text("".join(lines[:301]), encoding="utf-8")
    for name in ("pack.toml", "LICENSE"):
        shutil.copy(books / name, dest / name)
    return prepare(dest, tmp_path_factory.mktemp("books-names-state"), embedder=embedder, progress=False)
