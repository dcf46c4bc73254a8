"""The learned reference reader: which shown item a message points at where the rules' ordinals find none, from
prompts/refs.toml on the real sentence model; reconciled with the rules, and measured per reader on
eval/data/references.yaml."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.assistant import Assistant
from assistant.models import Session
from assistant.understanding.readers import READERS, with_reader_before
from assistant.understanding.references import (NONE, LearnedReference, RefModel, classes, examples, pointer_words,
                                                position, ref_model)
from eval.understanding import DATA, load_set, ref_report


@pytest.fixture(scope="module")
def listed(demo_engine) -> tuple[Assistant, Session]:
    assistant = Assistant(demo_engine)
    session = Session()
    assistant.respond(session, "comedies from the 90s")
    assert len(session.shown) == 5
    return assistant, session


def _parse(engine, text: str, session: Session):
    return engine.parser.parse(text, session.model_copy(deep=True))


def test_every_class_has_examples_and_none_is_one_of_them():
    pairs = examples()
    assert {c for _, c in pairs} == set(classes()) and NONE in classes()
    assert len(pairs) == len(set(pairs))
    assert {"bottom", "middle", "penultimate"} <= pointer_words()


def test_the_model_is_trained_once_and_loaded_from_the_state_folder(embedder, tmp_path):
    first = ref_model(embedder, tmp_path)
    again = ref_model(embedder, tmp_path, build=False)
    assert again is not None and again.classes == first.classes == classes()
    v = embedder.encode(["the bottom one"])
    assert np.allclose(first.chances(v), again.chances(v), atol=1e-6)
    assert RefModel.load(tmp_path / "models" / "reference-reader.pt").FORMAT == "reference-reader-v1"
    elsewhere = ref_model(embedder, tmp_path / "elsewhere", build=False)  # the shipped reader; nothing written
    assert elsewhere.data_hash == first.data_hash and not (tmp_path / "elsewhere").exists()


def test_positions_exist_only_in_a_list_that_has_them():
    assert position("middle", 5) == 2 and position("last", 5) == -1 and position("second_last", 5) == -2
    assert position("fifth", 3) is None and position("second_last", 1) is None and position("middle", 2) is None
    assert position(NONE, 5) is None and position("first", 0) is None


@pytest.mark.parametrize(("message", "refs", "question"), [  # none of these is a phrase it was trained on
    ("the middle one, how long is it", [2], "length"),
    ("is the penultimate one any good", [-2], "rating"),
])
def test_a_shown_item_pointed_at_in_other_words_is_asked_about(demo_engine, listed, message, refs, question):
    _, session = listed
    u = _parse(demo_engine, message, session)
    assert (u.intent, u.refs, u.question) == ("ask_item", refs, question)
    saved = demo_engine.parser.readers
    try:  # the rules alone do not see it
        demo_engine.parser.readers = READERS
        assert _parse(demo_engine, message, session).refs == []
    finally:
        demo_engine.parser.readers = saved


@pytest.mark.parametrize(("message", "intent", "refs", "question"), [
    ("what's option 4 about", "ask_item", [3], "about"),
    ("is the one at the bottom a comedy", "ask_item", [4], "genre"),
    ("the film at the bottom, who directed it", "ask_item", [4], "director"),
    ("second from the bottom, what is it about", "ask_item", [3], "about"),
    ("the 2nd from the end looks cool", "accept", [3], None),
    ("i will take number 5", "accept", [4], None),
    ("more like the one at the top", "refine", [0], None),
    ("who directed the top one", "ask_item", [0], "director"),
    ("tell me about the bottom one", "ask_item", [4], "general"),
])
def test_a_place_in_words_is_that_items_number_for_the_rules(demo_engine, listed, message, intent, refs, question):
    _, session = listed
    saved = demo_engine.parser.readers
    try:  # the rules alone, the learned reader left out
        demo_engine.parser.readers = READERS
        u = _parse(demo_engine, message, session)
    finally:
        demo_engine.parser.readers = saved
    assert (u.intent, u.refs, u.question) == (intent, refs, question)
    assert _parse(demo_engine, "option 3 sounds good", session).refs == [2]  # the learned reader does not undo it
    assert _parse(demo_engine, "the top one, I think", session).refs == [0]  # the reference model was unsure of it


def test_it_overrules_an_ordinal_that_points_elsewhere_and_keeps_those_it_agrees_with(demo_engine, listed):
    _, session = listed
    assert _parse(demo_engine, "what's the second-to-last one about", session).refs == [-2]  # rules: [1, -1]
    assert _parse(demo_engine, "not the final one", session).refs == [-1]
    assert _parse(demo_engine, "I like the first and third", session).refs == [0, 2]
    # positions listed with "and" or a comma stand, however sure it is of one position
    assert _parse(demo_engine, "more like the first and last", session).refs == [0, -1]
    assert _parse(demo_engine, "not the 1st, 3rd", session).refs == [0, 2]


@pytest.mark.parametrize("message", ["the last samurai", "top 10 comedies from the 90s", "the top movies of the 90s",
                                     "something set in the middle ages", "the bottom line is i want something funny",
                                     "I didn't like the ending"])
def test_words_that_point_at_nothing_point_at_nothing(demo_engine, listed, message):
    _, session = listed
    assert _parse(demo_engine, message, session).refs == []


def test_without_a_list_it_does_not_read(demo_engine):
    u = demo_engine.parser.parse("who directed the bottom one", Session())
    assert u.refs == [] and u.intent != "ask_item"


def test_a_bare_pointer_after_a_question_asks_it_again_of_that_item(demo_engine, listed):
    assistant, session = listed
    s = session.model_copy(deep=True)
    first = assistant.respond(s, "who directed the bottom one")
    again = assistant.respond(s, "and the middle one?")
    assert first.intent == again.intent == "ask_item"
    middle = demo_engine.catalog.get(session.shown[2]).title
    assert middle in again.text and s.shown == session.shown  # answered, the list kept as it was


def test_the_reader_can_be_left_out(demo_engine, listed):
    _, session = listed
    saved = demo_engine.parser.readers
    try:
        demo_engine.parser.readers = tuple((n, r) for n, r in saved if not isinstance(r, LearnedReference))
        assert _parse(demo_engine, "who directed the penultimate one", session).intent != "ask_item"
    finally:
        demo_engine.parser.readers = saved
    with pytest.raises(ValueError, match="no reader 'nope'"):
        with_reader_before(saved, "nope", ("x", lambda p, r: None))


def test_the_eval_reports_each_reader_on_the_written_set(demo_engine):
    report = ref_report(Assistant(demo_engine), load_set(DATA))
    assert report["n"] == 30
    # measured: the rules' ordinals alone .70 (.47 before places in words were read, .63 before "the top one": the
    # set's misses prompted them, so this is no longer an unseen figure), the learned reader alone .73, both .93; and
    # no labelled message read
    # with a list shown changes
    assert report["both"] > report["rules"] and report["learned"] > report["rules"]
    assert report["both"] >= 0.7 and report["changed"] == []


@pytest.fixture(scope="module")
def classics(demo_engine) -> Session:
    session = Session()
    session.shown = ["1", "2571", "356", "318", "296"]  # Toy Story, The Matrix, Forrest Gump, Shawshank, Pulp Fiction
    assert all(i in demo_engine.catalog for i in session.shown)
    return session


@pytest.mark.parametrize(("message", "intent", "refs", "question"), [
    ("tell me about the one with the toys", "ask_item", [0], "general"),  # its title, the plural folded
    ("who directed the matrix one", "ask_item", [1], "director"),
    ("the one about prison, what year is it", "ask_item", [3], "year"),  # a tag people put on it
    ("the pulp one sounds cool", "accept", [4], None),
])
def test_a_shown_item_pointed_at_by_what_is_in_it_is_that_item(demo_engine, classics, message, intent, refs,
                                                               question):
    u = _parse(demo_engine, message, classics)
    assert (u.intent, u.refs, u.question) == (intent, refs, question)


def test_what_is_in_several_shown_items_or_in_none_points_at_nothing(demo_engine, classics):
    from assistant.understanding.described import by_content

    catalog = demo_engine.catalog
    assert by_content("toys", classics.shown, catalog) == (0, 1)
    assert by_content("toys and stuff", classics.shown, catalog) == (0, 1)  # the words it took: "toys"
    assert by_content("toys", [*classics.shown, "3114"], catalog) is None  # and Toy Story 2
    assert catalog.get("3114").title == "Toy Story 2"
    assert by_content("dragons", classics.shown, catalog) is None
    assert by_content("best reviews", classics.shown, catalog) is None
    assert _parse(demo_engine, "the one with the toys", Session()).refs == []  # no list, nothing to point at
