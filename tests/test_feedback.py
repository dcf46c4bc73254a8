"""Feedback changes the next turn at once, persists per user in SQLite, and becomes training data."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.assistant import Assistant
from assistant.dialogue.feedback import FeedbackStore, franchise_key, near_duplicates
from assistant.models import Session
from retrieval.recommenders import Context

EMPIRE, JEDI, NEW_HOPE = "1196", "1210", "260"  # Star Wars V, VI, IV
HOLY_GRAIL = "1136"


@pytest.fixture
def store(tmp_path):
    s = FeedbackStore(tmp_path / "feedback.sqlite3")
    yield s
    s.close()


@pytest.fixture
def assistant(small_engine, store):
    return Assistant(small_engine, feedback_store=store)


def shown(reply) -> list[str]:
    return [r.item_id for r in reply.recommendations]


def test_series_are_recognised_by_title(small_engine):
    assert franchise_key("Star Wars: Episode V - The Empire Strikes Back") == "star wars"
    assert franchise_key("Toy Story 2") == franchise_key("Toy Story") == "toy story"
    assert franchise_key("The Matrix Reloaded") == "matrix reloaded"
    assert {JEDI, NEW_HOPE} <= set(near_duplicates(EMPIRE, small_engine.catalog))
    assert "3114" in near_duplicates("1", small_engine.catalog)  # Toy Story -> Toy Story 2


def test_a_thumbs_down_item_and_its_series_do_not_come_back(assistant):
    s = Session()
    ask = "movies like Star Wars: Episode IV - A New Hope"
    first = assistant.respond(s, ask)
    assert {EMPIRE, JEDI} <= set(shown(first))  # without feedback the series shows

    reply = assistant.feedback(s, EMPIRE, "down")
    assert reply.intent == "feedback" and "Empire Strikes Back" in reply.text and "same series" in reply.text
    nxt = assistant.respond(s, ask)
    assert nxt.recommendations and not {EMPIRE, JEDI} & set(shown(nxt))
    assert not any(franchise_key(r.title) == "star wars" for r in nxt.recommendations)


def test_a_thumbs_up_measurably_shifts_the_next_list(assistant, small_engine):
    s = Session()
    before = shown(assistant.respond(s, "a comedy"))
    assistant.feedback(s, HOLY_GRAIL, "up")
    after = shown(assistant.respond(s, "a comedy"))
    assert HOLY_GRAIL not in after and before != after
    ease = small_engine.models["ease"]
    pull = lambda ids: float(np.mean(ease.features(Context(liked=[HOLY_GRAIL]), ids)["ease"]))  # noqa: E731
    assert pull(after) > pull(before)


def test_taking_a_suggestion_up_counts_as_a_thumbs_up_on_it(assistant, store, small_engine):
    s = Session(user_id="cy")
    first = shown(assistant.respond(s, "a comedy"))
    vague = assistant.respond(s, "I'll check it out")  # five shown, none pointed at: nothing to record
    assert vague.intent == "accept" and store.events(small_engine.pack.name, user_id="cy") == []
    taken = assistant.respond(s, "the second one sounds great, I'll watch it tonight")
    title = small_engine.catalog.get(first[1]).name
    assert taken.intent == "accept" and title in taken.text and not taken.recommendations
    assert [(e["item_id"], e["kind"]) for e in store.events(small_engine.pack.name, user_id="cy")] == [(first[1], "up")]
    assert s.preferences.liked == [first[1]] and assistant.ranking.history("cy") == [first[1]]
    assert first[1] not in shown(assistant.respond(s, "a comedy"))


def test_seen_items_are_not_suggested_again(assistant):
    s = Session()
    first = shown(assistant.respond(s, "a comedy"))
    assistant.feedback(s, first[0], "seen")
    assert first[0] not in shown(assistant.respond(s, "a comedy"))


def test_a_known_users_history_changes_their_results_in_a_new_conversation(assistant, store, small_engine):
    old = Session(user_id="ana")
    assistant.feedback(old, HOLY_GRAIL, "up")
    assistant.feedback(old, "2716", "up")  # Ghostbusters
    anonymous = shown(assistant.respond(Session(), "a comedy"))
    assistant.feedback(old, anonymous[0], "down")

    fresh = Session(user_id="ana")
    theirs = shown(assistant.respond(fresh, "a comedy"))
    assert theirs != anonymous and anonymous[0] not in theirs
    assert assistant.ranking.history("ana") == [HOLY_GRAIL, "2716"]
    # another user is unaffected
    assert shown(assistant.respond(Session(user_id="bo"), "a comedy")) == anonymous


def test_feedback_persists_and_becomes_training_data(small_engine, tmp_path):
    from assistant.engine import feedback_path, training_data

    path = feedback_path(tmp_path)
    first = FeedbackStore(path)
    a = Assistant(small_engine, feedback_store=first)
    s = Session(user_id="cy")
    a.feedback(s, HOLY_GRAIL, "up")
    a.feedback(Session(), "2716", "seen")
    a.feedback(s, EMPIRE, "down")
    first.close()

    reopened = FeedbackStore(path)  # a restart loses nothing
    assert reopened.latest(small_engine.pack.name, "cy") == {HOLY_GRAIL: "up", EMPIRE: "down"}
    rows = reopened.interactions(small_engine.pack.name)
    assert [(x.item_id, x.rating) for x in rows] == [(HOLY_GRAIL, 5.0), ("2716", None), (EMPIRE, 1.0)]
    assert rows[0].user_id == "feedback:cy" and rows[1].user_id.startswith("feedback:session:")
    assert reopened.interactions("another-pack") == []
    reopened.close()
    data = training_data(small_engine.pack, small_engine.catalog, tmp_path)
    assert len(data.interactions) == len(small_engine.pack.interactions) + 3


def test_bad_feedback_is_refused_and_stores_nothing(assistant, store, small_engine):
    s = Session(user_id="dee")
    reply = assistant.feedback(s, "no-such-item", "up")
    assert reply.intent == "invalid" and reply.notice == "unknown_item"
    with pytest.raises(ValueError, match="up, down, seen"):
        assistant.feedback(s, HOLY_GRAIL, "love")
    assert store.latest(small_engine.pack.name, "dee") == {} and s.preferences.liked == []


def test_a_new_item_without_interactions_can_be_recommended(tmp_path_factory, embedder):
    from assistant.engine import prepare
    from tests.conftest import make_small_pack

    new = {"movieId": "990001", "title": "Lighthouse Keepers of Saturn (2024)", "genres": "Sci-Fi|Drama"}
    pack = make_small_pack(tmp_path_factory.mktemp("new-item") / "p", n_popular=80, extra_movies=[new])
    engine = prepare(pack, tmp_path_factory.mktemp("new-item-state"), embedder=embedder, progress=False)
    assert not engine.catalog.likers("990001") and "990001" not in engine.models["ease"].row
    reply = Assistant(engine).respond(Session(), "a sci-fi drama about lighthouse keepers on saturn")
    assert "990001" in shown(reply)


def test_our_own_conversations_become_logs_the_next_training_learns_from(assistant, store, small_engine, tmp_path):
    """Each reply that recommended items is a logged turn: what came before, what was recommended, what the person
    took up and turned down; `crs logs` writes them and a pack loads them as they are."""
    import json

    from assistant.cli import main
    from assistant.engine import feedback_path, sessions_path
    from assistant.serving.logs import logged_turns
    from assistant.serving.sessions import SessionStore
    from retrieval.conversations import LoggedTurn

    s = Session()
    first = shown(assistant.respond(s, "something like Monty Python and the Holy Grail, mail me at bob@example.com"))
    assistant.feedback(s, first[0], "up")
    second = shown(assistant.respond(s, "the second one is boring"))
    assistant.respond(s, "thanks!")  # recommends nothing: no line
    lines = logged_turns(s, store.events(small_engine.pack.name, session_id=s.id), at=7.0)
    assert [x["recommended"] for x in lines] == [first, second]
    assert lines[0]["mentioned"] == [HOLY_GRAIL] and lines[0]["at"] == 7.0
    assert lines[0]["accepted"] == [first[0]] and lines[0]["rejected"] == [first[1]]
    assert set(lines[1]["mentioned"]) == {HOLY_GRAIL, *first}  # what the conversation named and was shown so far
    assert "bob@example.com" not in lines[0]["text"] and "Holy Grail" in lines[0]["said"]
    assert all(LoggedTurn.model_validate(x).conversation_id == s.id for x in lines)

    # through the command, from what the app stored
    state = tmp_path / "state"
    sessions = SessionStore(sessions_path(state), small_engine.pack.name)
    sessions.save(s)
    sessions.close()
    saved = FeedbackStore(feedback_path(state))
    saved.add(small_engine.pack.name, s.id, first[0], "up")
    saved.close()
    out = tmp_path / "conversations.jsonl"
    assert main(["logs", "--pack", str(small_engine.pack.root), "--state-dir", str(state), "--out", str(out)]) == 0
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [x["recommended"] for x in written] == [first, second] and written[0]["accepted"] == [first[0]]
