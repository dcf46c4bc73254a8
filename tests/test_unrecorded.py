"""Talk of facts no catalog records, how long an item is ("under 90 minutes", "something short", "on the shorter
side") and its subtitles ("she hates subtitles"): the reply says so instead of searching for the words ("short" used
to find Shortbus), on the demo pack."""

from __future__ import annotations

import pytest

from assistant.assistant import Assistant
from assistant.models import Session


@pytest.fixture(scope="module")
def demo(demo_engine):
    return Assistant(demo_engine)


def test_a_request_with_a_length_is_served_without_it_and_says_so(demo, demo_engine):
    s = Session()
    reply = demo.respond(s, "a comedy under 90 minutes")
    assert reply.text.startswith("This catalog does not record how long movies are, so I left length out.")
    assert reply.recommendations and s.preferences.query == ""
    assert all("comedy" in demo_engine.catalog.get(r.item_id).genre_keys for r in reply.recommendations)


@pytest.mark.parametrize("message", ["any of these on the shorter side?", "make it shorter", "not too long please",
                                     "max 2 hours"])
def test_length_alone_is_answered_and_the_list_kept(demo, message):
    s = Session()
    demo.respond(s, "romantic comedies")
    shown = list(s.shown)
    reply = demo.respond(s, message)
    assert reply.intent == "chitchat" and not reply.recommendations
    assert "does not record how long movies are, so I can't choose movies by length" in reply.text
    assert s.shown == shown and s.preferences.query == ""


def test_subtitles_are_not_recorded_either(demo):
    s = Session()
    demo.respond(s, "a feel good movie")
    reply = demo.respond(s, "she hates subtitles btw")
    assert reply.intent == "chitchat" and reply.text.startswith(
        "This catalog does not record subtitles or dubbing, so I can't choose movies by subtitles.")
    dubbed = demo.respond(Session(), "an action movie, dubbed please")
    assert dubbed.text.startswith("This catalog does not record subtitles or dubbing, so I left subtitles out.")
    assert dubbed.recommendations


def test_prices_and_lengths_together(demo):
    reply = demo.respond(Session(), "comedies under $10 and under 2 hours")
    assert reply.text.startswith("This catalog has no prices and does not record how long movies are, so I left "
                                 "price and length out.") and reply.recommendations


@pytest.mark.parametrize(("message", "length"), [
    ("short comedies", True),
    ("a thriller, at most 100 minutes long", True),
    ("Interstellar (2014) was way too long and boring", True),
    ("i have 2 hours, a comedy", True),
    ("I had a long day, something light", False),
    ("tried Blade Runner 2049 (2017) and turned it off after an hour", False),
    ("long time no see", False),
    ("I liked The Longest Yard", False),
])
def test_what_is_talk_of_length(demo_engine, message, length):
    u = demo_engine.parser.parse(message, Session())
    assert ("length" in u.unrecorded) is length
    if length:  # set aside, never searched
        assert not {"short", "long", "hours", "minutes", "hour"} & set(u.preferences.query.split())


@pytest.mark.parametrize("message", ["foreign films only", "something in french please", "non-english movies"])
def test_language_alone_is_answered_not_searched(demo, message):
    reply = demo.respond(Session(), message)
    assert reply.text.startswith("This catalog does not record the language movies are in, so I can't choose movies "
                                 "by language.") and not reply.recommendations


def test_a_request_with_a_language_is_served_without_it(demo, demo_engine):
    s = Session()
    reply = demo.respond(s, "a comedy, english-language")
    assert reply.text.startswith("This catalog does not record the language movies are in, so I left language out.")
    assert reply.recommendations and s.preferences.query == ""
    # "foreign" that says nothing of an item's language is not such talk
    assert demo_engine.parser.parse("a film about the foreign minister", Session()).unrecorded == []
