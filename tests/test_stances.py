"""The learned stance reader: whether a person has seen a title they name and how they took it, from
prompts/stances.toml on the real sentence model; reconciled with the rules, measured per reader on
eval/data/stances.yaml, and what a title not seen yet does to the next list."""

from __future__ import annotations

import pytest

from assistant.assistant import Assistant
from assistant.models import Session
from assistant.understanding.stances import DISLIKED, LIKED, UNSEEN, around, classes, examples
from eval.stances import read_stance, stance_report
from eval.understanding import DATA, load_set


def test_every_class_has_examples_and_no_title_is_left_in_them():
    pairs = examples()
    assert {c for _, c in pairs} == set(classes()) == {LIKED, DISLIKED, UNSEEN}
    assert len(pairs) == len(set(pairs))
    assert not any("{" in t for t, _ in pairs) and all(" it" in f" {t}" for t, _ in pairs)


@pytest.mark.parametrize(("text", "titles", "words"), [
    ("I liked Heat, not a fan of Alien", ["Heat", "Alien"], ["I liked it", "not a fan of it"]),
    ("I loved Heat and want to see Alien", ["Heat", "Alien"], ["I loved it", "want to see it"]),
    ("Heat was great. Alien was boring", ["Heat", "Alien"], ["it was great", "it was boring"]),
    ("I loved Heat, Alien and Up but hated Cars", ["Heat", "Alien", "Up", "Cars"],
     ["I loved it, it and it", "hated it"]),
    ("Mr. Smith was fun", ["Mr. Smith"], ["it was fun"]),  # a title's own "." ends nothing
])
def test_the_words_around_each_title_are_its_own(text, titles, words):
    spans = []
    for t in titles:
        start = text.index(t)
        spans.append((start, start + len(t)))
    found = around(text, spans)
    assert [w for _, w in found] == words
    assert sorted(k for run, _ in found for k in run) == list(range(len(titles)))


def _stance(engine, text: str) -> str:
    u = engine.parser.parse(text, Session())
    return read_stance(u, engine.parser.titles_in(text)[0])


@pytest.mark.parametrize(("message", "expected"), [  # none of these is a phrase it was trained on
    ("I plan on seeing Heat (1995) next week", UNSEEN),
    ("a coworker swears by Alien (1979), should I watch it?", UNSEEN),
    ("I haven't seen Jumanji (1995)", UNSEEN),  # the rules' "haven't seen", as before
    ("Titanic (1997) is so overrated", DISLIKED),
    ("I didn't like Heat (1995)", DISLIKED),  # the rules' negation
    ("Heat (1995) is one of the greatest films ever made", LIKED),
    ("Jumanji (1995) was a blast when I was a kid", LIKED),
])
def test_how_a_title_is_spoken_of(demo_engine, message, expected):
    assert _stance(demo_engine, message) == expected


def test_a_title_not_seen_yet_stays_open_and_is_put_forward(demo_engine):
    assistant = Assistant(demo_engine)
    session = Session()
    reply = assistant.respond(session, "I loved Heat (1995) but I still haven't watched Alien (1979)")
    heat, alien = (demo_engine.parser.titles_in(t)[0] for t in ("Heat (1995)", "Alien (1979)"))
    assert session.preferences.liked == [heat] and alien in session.proposed
    shown = [r.item_id for r in reply.recommendations]
    assert heat not in shown and alien in shown[:3]
    # once the person says they have seen it, it is theirs like any other: ruled out from then on
    assistant.respond(session, "actually I've seen Alien (1979) already, loved it")
    assert alien in session.preferences.liked
    assert alien not in [r.item_id for r in assistant.respond(session, "more please").recommendations]


def test_a_title_wanted_leads_a_list_of_its_kind(demo_engine):
    session = Session()
    assistant = Assistant(demo_engine)
    reply = assistant.respond(session, "I still need to see Mad Max: Fury Road (2015)")
    mad_max = demo_engine.parser.titles_in("Mad Max: Fury Road (2015)")[0]
    assert reply.intent == "recommend" and session.wanted == [mad_max] and session.preferences.liked == []
    assert reply.recommendations[0].item_id == mad_max
    # what the person wants to see says what they like: it seeds the ranking as a liked item does, and stays open
    ctx = assistant.ranking.context(session)
    assert ctx.liked == [mad_max] and mad_max in ctx.proposed
    assert mad_max not in assistant.ranking.constraints(session).exclude_ids
    # a fresh start forgets it with the rest
    assistant.respond(session, "start over")
    assert session.wanted == [] and assistant.ranking.context(session).liked == [] and session.proposed == []


def test_a_title_liked_before_is_not_put_forward_when_asked_about(demo_engine):
    assistant = Assistant(demo_engine)
    session = Session()
    assistant.respond(session, "I loved Alien (1979)")
    assistant.respond(session, "have you seen Alien (1979)?")
    assert session.proposed == []


def test_the_eval_reports_each_reader_on_the_written_set(demo_engine):
    report = stance_report(demo_engine.parser, load_set(DATA).utterances)
    assert report["n"] == 40
    # measured: the rules alone .375 (every title liked unless negated or "haven't seen"), the learned reader's class
    # alone .95, both .925; no liked title read as disliked, the costly mistake (it would steer away from its kind)
    assert report["both"] > report["rules"] and report["learned"] > report["rules"]
    assert report["both"] >= 0.9 and report["classes"][DISLIKED]["precision"] == 1.0
    # the threshold was chosen where the ReDial messages are read best, with the fewest titles taken wrongly
    dev = report["dev"]["at"]
    best = max(dev, key=lambda s: (dev[s]["right"], -dev[s]["false_unseen"] - dev[s]["false_disliked"]))
    assert best == report["sure_at"]


@pytest.mark.parametrize(("message", "expected"), [
    # a question about the title says nothing of having seen it; what the next statement says of "it" does
    ("have you seen Heat (1995)? i thought it was great", LIKED),
    ("Have you seen Titanic (1997)? Honestly I found it dull", DISLIKED),
    ("I've heard of Alien (1979) but never actually watched it", UNSEEN),
    # a word of seeing alone reads as liked; the verdict after it, the surer, wins (found in ReDial's messages)
    ("The last movie I saw was Get Out (2017) and I hated it", DISLIKED),
    ("I saw Clerks (1994) but did not like it", DISLIKED),
    ("I watched Titanic (1997) and loved it", LIKED),
    # ... and no more than that: a sure reading of its own stands, a question after it adds nothing
    ("I loved Heat (1995). It was way too long though", LIKED),
    ("have you seen Alien (1979)? is it any good?", UNSEEN),
    # another title between them takes the words: "it" is the second one
    ("I want to see Jumanji (1995), but Titanic (1997) was boring. It was too long", UNSEEN),
])
def test_what_is_said_of_it_after_the_sentence_naming_it(demo_engine, message, expected):
    assert _stance(demo_engine, message) == expected


@pytest.mark.parametrize(("message", "stances"), [
    # two titles in one run-on sentence: the words between are parted where the model is surest of both sides (found
    # in ReDial's messages; each was read as two likings)
    ("Ok I will try Spaceballs (1987) I can even watch cartoons too like The Little Mermaid (1989)", [UNSEEN, LIKED]),
    ("I havent seen it, Top Gun (1986) of course its a classic Thanks i will try Risky Business (1983)",
     [LIKED, UNSEEN]),
    # ... and left whole where one clause speaks of both
    ("Oh, Heat (1995) was good so was Alien (1979)", [LIKED, LIKED]),
])
def test_two_titles_of_one_run_on_sentence_are_each_read_by_their_own_words(demo_engine, message, stances):
    titles = demo_engine.parser.titles_in(message)
    u = demo_engine.parser.parse(message, Session())
    assert [LIKED if t in u.preferences.liked else UNSEEN if t in u.wanted else DISLIKED
            if t in u.preferences.disliked else "-" for t in titles] == stances


def test_a_long_run_on_list_of_titles_is_read_without_parting_it(demo_engine):
    """Parting costs a batch of texts to embed per pair of titles; a message naming many is read as before, in one
    batch (a 4,000-character message naming 200 titles took two minutes)."""
    from assistant.understanding.stances import LearnedStance

    stance = next(r for _, r in demo_engine.parser.readers if isinstance(r, LearnedStance))
    batches = []
    counted = LearnedStance(stance.model, lambda texts: batches.append(len(texts)) or stance.encode(texts))
    text = "I loved Heat (1995) I hated Alien (1979) " * 50
    spans = [(m.start, m.end) for m, _ in demo_engine.parser.mentions.find(text)]
    assert len(spans) == 100
    counted.read(text, spans)
    assert len(batches) == 1
    few = "Ok I will try Spaceballs (1987) I can even watch cartoons too like The Little Mermaid (1989)"
    counted.read(few, [(m.start, m.end) for m, _ in demo_engine.parser.mentions.find(few)])
    assert len(batches) == 3  # the two titles parted: one batch to choose where, one to read


def test_the_words_said_of_a_title_after_it_are_only_a_statement_pointing_back():
    from assistant.understanding.stances import _around

    def then(text, title):
        start = text.index(title)
        return _around(text, [(start, start + len(title))])[0][2]

    assert then("have you seen Heat? i thought it was great. anything similar?", "Heat") == "i thought it was great"
    assert then("have you seen Heat? is it any good?", "Heat") == ""  # a question
    assert then("have you seen Heat? i want a comedy", "Heat") == ""  # nothing points back


@pytest.mark.parametrize(("message", "action", "refs"), [  # none of these is a phrase it was trained on, and the
    ("Yes, I liked both of those!", "more_like", [0, 1]),  # rules alone read each as small talk
    ("yep those are both great movies", "more_like", [0, 1]),
    ("both absolutely wonderful", "more_like", [0, 1]),
    ("that one was fantastic", "more_like", []),  # the one in focus, or the top pick (state.referenced)
    ("honestly it was just okay to me", "dislike_refs", []),
])
def test_a_verdict_on_shown_items_pointed_at_not_named(demo_engine, message, action, refs):
    session = Session(shown=[demo_engine.parser.titles_in(t)[0] for t in ("Heat (1995)", "Alien (1979)")])
    u = demo_engine.parser.parse(message, session)
    assert (u.intent, u.action, u.refs) == ("refine", action, refs)


@pytest.mark.parametrize("message", [
    "those look great, I'll check them out",  # not seen yet: taken up, not liked
    "no, I've never heard of either of those",  # a negation: the model alone would read it as liked
    "I'll have to look that one up",
    "ok cool thanks",  # points at nothing
])
def test_nothing_is_liked_or_turned_down_where_it_was_not_seen_or_not_pointed_at(demo_engine, message):
    session = Session(shown=[demo_engine.parser.titles_in(t)[0] for t in ("Heat (1995)", "Alien (1979)")])
    assert demo_engine.parser.parse(message, session).action is None


def test_items_liked_by_pointing_are_not_shown_again_and_lead_the_next_list(demo_engine):
    assistant = Assistant(demo_engine)
    session = Session()
    first = assistant.respond(session, "a sci-fi movie from the 80s")
    liked = [r.item_id for r in first.recommendations[:2]]
    session.shown = liked  # two suggested, as a person recommending would
    reply = assistant.respond(session, "Yes, I liked both of those!")
    assert session.preferences.liked == liked
    assert not set(liked) & {r.item_id for r in reply.recommendations}
