"""The item-words model: which free words say what an item is about, learned from tag words against chat words
(prompts/item_words.toml), kept in the state folder, and used so that words of chat are never searched."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import numpy as np
import pytest

from assistant.assistant import Assistant
from assistant.models import Session
from assistant.understanding.item_words import CLASSES, ITEM, ItemWords, item_words_model, word_examples, words_text

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def trained_words(demo_engine) -> ItemWords:
    assert demo_engine.parser.item_words is not None  # the engine wires it in
    return demo_engine.parser.item_words


def test_the_word_list_is_what_its_script_writes(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_item_words", ROOT / "prompts" / "make_item_words.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    items, chat = make.item_words(), make.chat_words() - make.item_words()
    data = tomllib.loads(words_text())
    assert set(data["items"]) == items and set(data["chat"]) == chat
    assert not items & chat and len(items) > 500 and len(chat) > 500
    pairs = word_examples()
    assert {c for _, c in pairs} == set(CLASSES)


def test_the_model_is_trained_once_and_loaded_from_the_state_folder(embedder, tmp_path):
    first = item_words_model(embedder, tmp_path)
    assert (tmp_path / "models" / "item-words.pt").is_file()
    again = item_words_model(embedder, tmp_path, build=False)
    assert again is not None and again.data_hash == first.data_hash
    v = embedder.encode(["zombies", "especially"])
    assert np.allclose(first.chances(v), again.chances(v), atol=1e-6)
    elsewhere = item_words_model(embedder, tmp_path / "elsewhere", build=False)  # the shipped reader; nothing written
    assert elsewhere.data_hash == first.data_hash and not (tmp_path / "elsewhere").exists()


def test_words_it_was_not_trained_on_are_told_apart(trained_words):
    data = tomllib.loads(words_text())
    seen = set(data["items"]) | set(data["chat"])
    about = ["pirates", "werewolves", "spaceship", "gladiators", "mermaids", "volcano", "hackers", "ninjas"]
    chat = ["especially", "hopefully", "wondering", "whenever", "yesterday", "totally", "meanwhile", "apparently"]
    assert not (set(about) | set(chat)) & seen  # none of them is in its training list
    p = trained_words.chances(about + chat)
    assert sum(p[w] >= 0.5 for w in about) >= 7, p
    assert sum(p[w] < 0.5 for w in chat) >= 7, p
    assert trained_words.kept("hopefully werewolves apparently") == "werewolves"
    assert trained_words.kept("") == ""
    assert trained_words.kept("hopefully", keep_anyway=lambda w: w == "hopefully") == "hopefully"


def test_words_of_chat_are_not_searched_but_what_the_request_is_about_is(demo_engine):
    parser = demo_engine.parser
    for message, wanted in (("Hope you're having a great day! Something about pirates please", "pirates"),
                            ("I especially want something about werewolves", "werewolves"),
                            ("I'm open to anything, maybe gladiators", "gladiators")):
        u = parser.parse(message, Session())
        p = u.preferences
        assert u.intent == "recommend" and wanted in [*p.query.split(), *p.keywords], (message, u)
        assert set(p.query.split()) <= {wanted}, (message, u)  # no "day", "hope", "especially" or "open"
    # a word of chat said alone over a conversation does not stay as its search
    u = parser.parse("Long time no see! How are you doing?", Session())
    assert not u.preferences.query


def test_a_conversation_steered_by_a_word_of_chat_is_not(demo_engine):
    demo = Assistant(demo_engine)
    s = Session()
    demo.respond(s, "Hi! I'm mostly up for anything tonight")
    reply = demo.respond(s, "a comedy from the 90s")
    assert reply.recommendations and not s.preferences.query
    assert all(r.year and 1990 <= r.year <= 1999 for r in reply.recommendations)
