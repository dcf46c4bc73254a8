"""Free words a request rules out ("not slashers", "nothing about ww2"): read as `Preferences.avoid`, carried by the
dialogue state, and a ranking feature that sinks what is nearest them by meaning; never searched for, never what
makes a message a request, and quoted back only where the catalog knows the words. On the demo pack."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.assistant import Assistant
from assistant.dialogue.state import remove_preference
from assistant.models import Session


@pytest.fixture(scope="module")
def demo(demo_engine):
    return Assistant(demo_engine)


@pytest.mark.parametrize(("message", "avoid"), [
    ("horror, not slashers", ["slashers"]),
    ("a comedy without sequels", ["sequels"]),
    ("a comedy, i don't want anything political", ["political"]),
    ("I don't really care", []),  # a denied verb that is not one of liking rules nothing out
    ("not yet, is it good?", []),  # not a request: nothing to steer
    ("I do not know how I could leave a review", []),
])
def test_what_is_ruled_out(demo_engine, message, avoid):
    u = demo_engine.parser.parse(message, Session())
    assert u.preferences.avoid == avoid
    assert not set(" ".join(avoid).split()) & set(u.preferences.query.split())  # never searched for


def test_ruled_out_words_sink_what_is_nearest_them_and_carry_over(demo, demo_engine):
    s = Session()
    demo.respond(s, "horror movies")
    vec = demo_engine.embedder.encode_turn(["slashers"])["slashers"]

    def nearness(reply) -> float:
        found = demo_engine.store.vectors([r.item_id for r in reply.recommendations])
        return float(np.mean([v @ vec for v in found.values()]))

    before = demo.respond(Session(), "horror movies")
    after = demo.respond(Session(), "horror movies, not slashers")
    assert after.recommendations and nearness(after) < nearness(before)
    assert "steering away from “slashers”" in after.text  # the catalog knows the word (a tag "slasher")
    later = demo.respond(s, "not slashers")
    assert s.preferences.avoid == ["slashers"]
    demo.respond(s, "from the 80s")
    assert s.preferences.avoid == ["slashers"] and later.recommendations
    assert remove_preference(s.preferences, "avoid:slashers") and s.preferences.avoid == []


def test_words_the_catalog_does_not_know_are_not_quoted(demo):
    reply = demo.respond(Session(), "war movies, nothing about qxzvbn hacked pwned")
    assert reply.recommendations and "qxzvbn" not in reply.text and "pwned" not in reply.text


def test_a_tag_ruled_out_also_sinks_the_untagged_items_nearest_it(demo, demo_engine):
    """People tag a few items of a kind: "nothing too violent" rules out those tagged "violent" and steers away from the
    rest by meaning (Fight Club is not tagged so)."""
    vec = demo_engine.embedder.encode_turn(["violent"])["violent"]
    tagged = set(demo_engine.catalog.by_tag["violent"])

    def nearness(reply) -> float:
        found = demo_engine.store.vectors([r.item_id for r in reply.recommendations])
        return float(np.mean([v @ vec for v in found.values()]))

    before = demo.respond(Session(), "a movie for date night")
    after = demo.respond(Session(), "a movie for date night, nothing too violent")
    assert after.preferences.exclude_keywords == ["violent"] and after.preferences.avoid == []  # the state says it once
    assert after.recommendations and not {r.item_id for r in after.recommendations} & tagged
    assert nearness(after) < nearness(before)
    assert "steering away" not in after.text  # the heading says "none tagged", once
