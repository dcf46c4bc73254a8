"""Price ranges end to end: read from the message, kept across turns, enforced by the store's filter and the
ranker's check, stated truthfully in explanations, and said to be unavailable where a catalog has no prices.

The small pack carries a shop's prices (tests/conftest.py: fixed per id, every tenth item without one)."""

from __future__ import annotations

import statistics

import pytest

from assistant.assistant import Assistant
from assistant.dialogue.state import remove_preference
from assistant.models import Session
from eval.faithfulness import claim_problems, constraint_violations


@pytest.fixture(scope="module")
def shop(small_engine):
    return Assistant(small_engine)


def prices(reply, catalog) -> list[float | None]:
    return [catalog.get(r.item_id).price for r in reply.recommendations]


@pytest.mark.parametrize(
    ("message", "low", "high"),
    [
        ("a comedy under $10", None, 10.0),
        ("something between 8 and 12 dollars", 8.0, 12.0),
        ("sci-fi, $15 or less", None, 15.0),
        ("a drama over €20", 20.0, None),
        ("a thriller around $20", 15.0, 25.0),
        ("my budget is 12", None, 12.0),
        ("something priced over $50", 50.0, None),  # a price word before a lower bound: still a lower bound
        ("a book that costs more than 20 dollars", 20.0, None),
        ("a comedy from 2000", None, None),  # a year, not a price
        ("movies under 90 minutes", None, None),
        ("a comedy under $2000", None, 2000.0),  # a price, not a year
        # a denied bound turns round: these are all upper bounds, and "not under" a lower one
        ("I don't want to spend more than 25 dollars", None, 25.0),
        ("nothing over $30 please", None, 30.0),
        ("I can't afford more than $15", None, 15.0),
        ("a thriller, not under 10 dollars", 10.0, None),
        ("I don't mind paying over $20", 20.0, None),  # not a denial
        ("my limit is $40", None, 40.0),
        ("less than or equal to $9", None, 9.0),
    ],
)
def test_price_ranges_are_read_from_what_people_say(small_engine, message, low, high):
    p = small_engine.parser.parse(message, Session()).preferences
    assert (p.price_min, p.price_max) == (low, high)
    if low is not None or high is not None:  # the phrase is understood, not searched for as words
        assert "$" not in p.query and not {"under", "over", "around", "budget"} & set(p.query.split())
    if message.endswith("$2000"):
        assert (p.year_min, p.year_max) == (None, None)


def test_a_price_range_filters_explains_and_carries_over(shop, small_engine):
    catalog = small_engine.catalog
    s = Session()
    first = shop.respond(s, "a comedy under $10")
    assert first.recommendations and all(p is not None and p <= 10 for p in prices(first, catalog))
    assert "up to $10" in first.text
    for rec in first.recommendations:
        assert claim_problems(rec, catalog) == [] and constraint_violations(rec.item_id, s.preferences, catalog) == []
        price = catalog.get(rec.item_id).price
        assert f", ${price:.2f}." in rec.explanation and rec.price == price
    # a new topic keeps the budget: it is about the person
    other = shop.respond(s, "I want a horror movie")
    assert other.recommendations and all(p is not None and p <= 10 for p in prices(other, catalog))
    assert remove_preference(s.preferences, "price:") and s.preferences.price_max is None


def test_cheaper_is_cheaper_than_what_was_shown(shop, small_engine):
    catalog = small_engine.catalog
    s = Session()
    first = shop.respond(s, "an action movie")
    shown = [p for p in prices(first, catalog) if p is not None]
    cheaper = shop.respond(s, "cheaper please")
    assert cheaper.intent == "refine" and cheaper.recommendations
    assert all(p is not None and p < statistics.median(shown) for p in prices(cheaper, catalog))


def test_a_price_filter_never_lets_an_item_without_a_price_through(small_engine):
    from retrieval.constraints import Constraints

    catalog = small_engine.catalog
    unpriced = [i for i in catalog if i.price is None]
    assert unpriced and not Constraints(price_max=1e6).allows(unpriced[0]) and Constraints().allows(unpriced[0])
    query = small_engine.embedder.encode([unpriced[0].name])[0]
    hits = small_engine.store.search(query, 50, Constraints(price_max=1e6).where())
    assert hits and all(catalog.get(h.item_id).price is not None for h in hits)


def test_the_price_of_a_shown_item_can_be_asked(shop, small_engine):
    s = Session()
    first = shop.respond(s, "a comedy")
    item = small_engine.catalog.get(first.recommendations[1].item_id)
    reply = shop.respond(s, "how much is the second one?")
    expected = f"{item.name} costs ${item.price:.2f}." if item.price is not None else f"no price for {item.name}"
    assert reply.intent == "ask_item" and expected in reply.text


def test_a_catalog_without_prices_says_so_instead_of_searching_for_the_words(demo_engine):
    demo = Assistant(demo_engine)
    s = Session()
    first = demo.respond(s, "a comedy under $20")
    assert first.text.startswith("This catalog has no prices") and first.recommendations
    assert s.preferences.query == "" and s.preferences.price_max is None
    cheaper = demo.respond(s, "cheaper please")
    assert cheaper.intent == "chitchat" and "no prices" in cheaper.text and not cheaper.recommendations
    assert demo.respond(s, "how much is the first one?").text.startswith("The catalog has no price for")
