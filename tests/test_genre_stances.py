"""The learned genre-stance reader: whether a person rules out a kind they name in words the negation rules lack
("horror is a no for me"), from prompts/genre_stances.toml on the real sentence model; reconciled with the rules,
measured per reader on eval/data/genre_stances.yaml, with its threshold chosen on ReDial messages."""

from __future__ import annotations

import pytest

from assistant.assistant import Assistant
from assistant.models import Session
from assistant.understanding.genre_stances import ASIDE, IN, OUT, SAID_AS, classes, examples
from eval.genre_stances import genre_stance_report, load_cases, GENRE_STANCES


def test_every_class_has_examples_and_no_kind_is_left_in_them():
    pairs = examples()
    assert {c for _, c in pairs} == set(classes()) == {IN, OUT, ASIDE}
    assert len(pairs) == len(set(pairs))
    assert not any("{" in t for t, _ in pairs) and all(SAID_AS in t.casefold() for t, _ in pairs)


def test_no_written_case_is_a_training_phrase():
    trained = {t.casefold() for t, _ in examples()}
    for case in load_cases(GENRE_STANCES):
        said = case.text.casefold().replace(case.genre.casefold(), SAID_AS).rstrip("?!. ")
        assert said not in trained, case.text


def _prefs(engine, text: str):
    return engine.parser.parse(text, Session()).preferences


@pytest.mark.parametrize(("message", "out", "wanted"), [  # none of these is a phrase it was trained on
    ("horror is a no for me", ["horror"], []),
    ("westerns make me cringe", ["western"], []),
    ("ok horror isn't really my thing", ["horror"], []),
    ("musicals are the absolute worst", ["musical"], []),
    # a kind named further in is what the sentence asks for or is about: the rules' alone
    ("how about action like Heat (1995)", [], ["action"]),
    # a negation the rules read stands, though the reader takes "please" for a wish
    ("anything but horror please", ["horror"], []),
    # two kinds sharing their words are the rules' to part
    ("action movies without sci-fi", ["sci-fi"], ["action"]),
    ("comedies please", [], ["comedy"]),
    ("I love horror", [], ["horror"]),
    ("a horror movie that doesn't suck please", [], ["horror"]),  # the negation after it is not of the kind
])
def test_a_kind_ruled_out_in_words_the_rules_lack(demo_engine, message, out, wanted):
    p = _prefs(demo_engine, message)
    assert p.exclude_genres == out
    assert sorted(p.include_genres + p.mood_genres) == wanted


def test_the_words_of_a_kind_ruled_out_are_not_searched(demo_engine):
    p = _prefs(demo_engine, "westerns make me cringe, something with spaceships")
    assert p.exclude_genres == ["western"]
    assert "cringe" not in (p.query or "") and "spaceships" in (p.query or "")


def test_a_kind_ruled_out_leaves_the_list(demo_engine):
    assistant = Assistant(demo_engine)
    session = Session()
    *_, first = assistant.stream(session, "something fun tonight")
    *_, reply = assistant.stream(session, "horror is a no for me")
    assert session.preferences.exclude_genres == ["horror"]
    assert reply.recommendations and not any("Horror" in r.genres for r in reply.recommendations)


def test_the_eval_reports_each_reader_on_the_written_set(demo_engine):
    report = genre_stance_report(demo_engine.parser)
    assert report["n"] == 60
    # measured: the rules alone .43 (a kind is ruled out only after a word of negation), both .60; the reader reads
    # only a kind that opens its clause (alone .23); the misses left are the reader's ("documentaries put me to sleep"
    # reads as wanted) and the rules' ("I can't get enough of westerns")
    assert report["both"] >= report["rules"] + 0.1
    assert report["classes"][OUT]["precision"] >= 0.65
    # on the ReDial messages the reconciled reading is never worse than the rules alone, at any threshold
    dev = report["dev"]["at"]
    assert all(dev[s]["right"] >= dev[1.01]["right"] and dev[s]["false_out"] <= dev[1.01]["false_out"] for s in dev)
