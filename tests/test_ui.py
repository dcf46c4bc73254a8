"""The Gradio app served for real on loopback and driven through gradio_client."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def served(served_app):
    return served_app


@pytest.fixture
def client(served):
    """A new browser-like client: its own server-side session."""
    from gradio_client import Client

    return Client(served, verbose=False)


def _text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content)
    return content


def test_chat_streams_a_reply_and_shows_cards(client):
    job = client.submit("a funny sci-fi movie from the 90s, nothing with horror", api_name="/chat")
    updates = list(job)
    assert len(updates) >= 2  # streamed: the intro first, then line by line
    history, cards, textbox, *_ = job.result()
    assert textbox == ""
    assert [m["role"] for m in history] == ["user", "assistant"]
    reply = _text(history[-1])
    assert reply.startswith("Here are 5 Sci-Fi movies from 1990")
    assert cards.count('class="crs-card"') == 5
    assert "Why:" in cards


def test_state_carries_over_turns_and_new_conversation_clears_it(client):
    history, *_ = client.predict("sci-fi from the 90s", api_name="/chat")
    # the dialogue state lives on the server, per client session; the history is the pane's content
    history, cards, _, prefs, *_ = client.predict("actually, no comedies", history, api_name="/chat")
    assert len(history) == 4
    assert "from 1990–1999, without Comedy" in _text(history[-1])
    assert set(prefs["value"]) == {"include_genres:sci-fi", "years:", "exclude_genres:comedy"}  # chips, by key
    history, cards, *_ = client.predict(api_name="/new_conversation")
    assert history == [] and cards == ""
    history, *_ = client.predict("no comedies", api_name="/chat")
    assert "Sci" not in _text(history[-1]).split(":")[0]  # the earlier sci-fi request is gone


def test_catalog_markup_is_shown_as_text_never_as_html(client):
    history, cards, *_ = client.predict("img src onerror alert sci-fi comedy from 1996", api_name="/chat")
    assert "&lt;img src=x onerror=alert(1)&gt;" in cards
    assert "<img" not in cards
    assert "<img" not in _text(history[-1])


@pytest.mark.parametrize("message", ["", "😀", "x" * 100_000])
def test_bad_input_gets_a_message_and_the_app_keeps_serving(client, message):
    history, cards, *_ = client.predict(message, api_name="/chat")
    assert history[-1]["role"] == "assistant" and _text(history[-1])
    assert cards == ""
    history, cards, *_ = client.predict("animated movies for kids", api_name="/chat")
    assert cards.count('class="crs-card"') == 5


def test_the_page_is_served_with_its_title(served):
    import urllib.request

    url = served
    html = urllib.request.urlopen(url, timeout=10).read().decode()
    assert "Demo movie shop" in html
