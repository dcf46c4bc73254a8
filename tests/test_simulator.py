"""Simulated users (eval/simulator.py): the leak check, enforced and reported, and real episodes on the demo pack."""

from __future__ import annotations

import pytest

from assistant.assistant import Assistant
from eval.simulator import LLMUser, RuleUser, leaks, pick_targets, run_simulation, title_forms
from retrieval.catalog import Item


def test_leaks_find_the_title_in_its_forms_and_the_item_id():
    item = Item(id="2571", title="Matrix, The (1999)", genres=("Action", "Sci-Fi"), tags=("virtual reality",))
    assert title_forms(item) == ["matrix", "the matrix"]
    assert leaks("have you got THE MATRIX?", item) == ["title 'matrix'", "title 'the matrix'"]
    assert leaks("something like the Matrix!", item)
    assert leaks("item 2571 please", item) == ["item id 2571"]
    assert leaks("a sci-fi movie about virtual reality from the 90s", item) == []
    assert leaks("matrixes of numbers", item) == []  # whole words only
    assert leaks("item 25710", item) == []


def test_the_rule_user_never_uses_an_attribute_that_names_the_target(demo_catalog):
    star_wars = next(demo_catalog.get(i) for i in demo_catalog.ids
                     if demo_catalog.get(i).title.startswith("Star Wars: Episode IV"))
    user = RuleUser(star_wars, demo_catalog)
    assert any("star wars" in t.casefold() for t in star_wars.tags)  # people tagged it with its own title
    said = [user.first(), *user.facts]
    assert all(not leaks(m, star_wars) for m in said)


@pytest.fixture(scope="module")
def demo(demo_engine):
    return Assistant(demo_engine)


def test_simulated_users_find_targets_without_leaks(demo, demo_catalog):
    targets = pick_targets(demo_catalog, 20, seed=0)
    result = run_simulation(demo, targets, lambda item: RuleUser(item, demo_catalog), max_turns=5, progress=False)
    assert result["n"] == 20 and result["leaks"] == 0
    curve = list(result["success@turn"].values())
    assert curve == sorted(curve) and curve[-1] == result["success_rate"]
    assert result["success_rate"] >= 0.5
    assert result["average_turns"] is not None and 1 <= result["average_turns"] <= 5
    assert list(result["baseline_success@turn"].values()) == sorted(result["baseline_success@turn"].values())


class LeakyUser(RuleUser):
    """A simulator that gives the answer away on its second turn."""

    def next(self, reply, turn):
        return f"honestly I just want {self.item.title}"


class TitleSayingModel:
    """Stands in for a language model that ignores its instructions and names the title."""

    def __init__(self, item):
        self.item = item

    def complete(self, messages, max_tokens=60):
        return f"oh, I mean {self.item.title.split(' (')[0]}"


def test_a_leaking_simulator_is_caught_before_the_message_is_sent(demo, demo_catalog):
    targets = pick_targets(demo_catalog, 6, seed=1)
    sent: list[str] = []
    real_stream = demo.stream

    def spy(session, message):  # what actually reaches the assistant
        sent.append(message)
        return real_stream(session, message)

    demo.stream = spy
    try:
        leaky = run_simulation(demo, targets, lambda item: LeakyUser(item, demo_catalog), max_turns=3,
                               progress=False)
        llm = run_simulation(demo, targets, lambda item: LLMUser(item, demo_catalog, TitleSayingModel(item)),
                             max_turns=3, progress=False)
    finally:
        del demo.stream
    found_on_turn_1 = round(leaky["success@turn"][1] * len(targets))
    assert leaky["leaks"] == len(targets) - found_on_turn_1 > 0  # every other episode is caught on turn 2
    assert leaky["success_rate"] == leaky["success@turn"][1]  # a caught episode is a failure
    assert leaky["leak_rate"] == round(leaky["leaks"] / len(targets), 4)
    assert llm["leaks"] == len(targets) and llm["success_rate"] == 0.0
    assert all("title" in " ".join(e["found"]) for e in llm["leaked_examples"])
    for item in targets:
        assert not any(leaks(m, item) for m in sent if item.title.split(" (")[0].casefold() in m.casefold())


def test_simulation_figures_match_hand_computed_values():
    from eval.simulator import Episode, summarize

    episodes = [Episode("a", success_turn=1, baseline_turn=3), Episode("b", success_turn=3),
                Episode("c", leaked=["title 'c'"]), Episode("d")]
    result = summarize(episodes, max_turns=3)
    assert result["success@turn"] == {1: 0.25, 2: 0.25, 3: 0.5}
    assert result["success_rate"] == 0.5 and result["average_turns"] == 2.0
    assert result["baseline_success@turn"] == {1: 0.0, 2: 0.0, 3: 0.25}
    assert result["leaks"] == 1 and result["leak_rate"] == 0.25
    assert result["leaked_examples"] == [{"target": "c", "found": ["title 'c'"]}]
    assert summarize([], 3)["success_rate"] == 0.0
