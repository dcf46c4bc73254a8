"""The widget and the app in real headless Chromium (Debian's), driven by Playwright, against 127.0.0.1.

A plain page on another origin embeds the one-line widget snippet. Screenshots are saved under
tests/artifacts/ (or $CRS_TEST_ARTIFACTS) for a person to look at."""

from __future__ import annotations

import os
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import HOSTILE_TITLE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("CRS_TEST_ARTIFACTS", Path(__file__).parent / "artifacts"))
TIMEOUT_MS = 30_000



@pytest.fixture(scope="module")
def app_url(served_app):
    return served_app


@pytest.fixture(scope="module")
def host_page(app_url, tmp_path_factory):
    """Someone else's website (another origin) with the widget snippet on it."""
    root = tmp_path_factory.mktemp("site")
    (root / "index.html").write_text(
        "<!doctype html><html><head><meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>A shop</title></head><body><h1>A shop that embeds the assistant</h1>"
        f"<script src='{app_url}/widget.js' data-title='Reel Corner help' data-color='#aa3355' "
        "data-position='right' data-greeting='Hi! Ask me for a movie.'></script></body></html>",
        encoding="utf-8")
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for the browser tests: `make test` installs it (apt-get)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _widget_send(frame, text: str, n_cards: int) -> None:
    frame.locator("#message").fill(text)
    frame.locator("#message").press("Enter")
    frame.locator("article.card").nth(n_cards - 1).wait_for()


def test_widget_on_a_page_recommends_and_a_thumbs_down_changes_the_next_turn(page, host_page):
    page.goto(host_page, wait_until="load")
    bubble = page.locator("#crs-widget-bubble")
    assert bubble.get_attribute("aria-expanded") == "false"
    bubble.click()
    assert bubble.get_attribute("aria-expanded") == "true"
    frame = page.frame_locator("#crs-widget-frame")
    frame.locator(".msg.assistant").first.wait_for()
    assert frame.locator("#title").inner_text() == "Reel Corner help"
    assert frame.locator(".msg.assistant").first.inner_text() == "Hi! Ask me for a movie."
    _widget_send(frame, "sci-fi from the 90s", 5)
    first = frame.locator("article.card")
    titles = [first.nth(i).locator("h2").inner_text() for i in range(5)]
    assert all(t.split(". ", 1)[1] for t in titles)
    _shot(page, "widget-cards")
    first.nth(0).locator("button.fb-down").click()
    frame.get_by_text("I won't suggest").first.wait_for()
    _widget_send(frame, "sci-fi from the 90s", 10)
    again = [frame.locator("article.card").nth(i).locator("h2").inner_text().split(". ", 1)[1] for i in range(5, 10)]
    assert titles[0].split(". ", 1)[1] not in again
    _shot(page, "widget-after-thumbs-down")
    # a reload keeps the conversation (the session id is in the widget's storage, the turns on the server)
    page.reload(wait_until="load")
    page.locator("#crs-widget-bubble").click()
    page.frame_locator("#crs-widget-frame").get_by_text("sci-fi from the 90s").first.wait_for()
    assert not page.dialogs


def test_widget_keyboard_and_phone_viewport(browser, host_page):
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(host_page, wait_until="load")
        page.keyboard.press("Tab")  # the bubble is the page's only focusable control
        assert page.evaluate("document.activeElement.id") == "crs-widget-bubble"
        page.keyboard.press("Enter")
        frame_el = page.locator("#crs-widget-frame")
        frame_el.wait_for(state="visible")
        box = frame_el.bounding_box()
        assert box["width"] >= 370 and box["height"] >= 600  # full screen on a phone
        frame = page.frame_locator("#crs-widget-frame")
        _widget_send(frame, "animated movies for kids", 5)
        labels = frame.locator("article.card").first.locator("button").evaluate_all(
            "bs => bs.map(b => b.getAttribute('aria-label'))")
        assert labels[0].startswith("I like ") and labels[1].startswith("Not for me: ")
        _shot(page, "widget-phone")
        frame.locator("#message").press("Escape")
        frame_el.wait_for(state="hidden")
        assert page.locator("#crs-widget-bubble").get_attribute("aria-expanded") == "false"
    finally:
        context.close()


def test_hostile_title_is_text_in_the_widget(page, host_page):
    page.goto(host_page, wait_until="load")
    page.locator("#crs-widget-bubble").click()
    frame = page.frame_locator("#crs-widget-frame")
    frame.locator("#message").fill("img src onerror alert sci-fi comedy from 1996")
    frame.locator("#message").press("Enter")
    frame.get_by_text(HOSTILE_TITLE).first.wait_for()
    assert frame.locator("img").count() == 0
    page.wait_for_timeout(300)
    assert not page.dialogs
    _shot(page, "widget-hostile-title")


def test_hostile_title_is_text_in_the_app_and_its_buttons_give_feedback(page, app_url):
    page.goto(app_url, wait_until="load")
    box = page.get_by_label("Your message")
    box.fill("img src onerror alert sci-fi comedy from 1996")
    box.press("Enter")
    cards = page.locator("article.crs-card")
    cards.first.wait_for()
    page.get_by_text(HOSTILE_TITLE).first.wait_for()
    assert page.locator("article.crs-card img, .message img[src='x']").count() == 0
    page.wait_for_timeout(300)
    assert not page.dialogs
    _shot(page, "app-hostile-title")
    first_title = cards.first.locator("h3").inner_text().split(". ", 1)[1]
    page.locator("button.crs-fb-down").first.click()
    page.get_by_text("I won't suggest").first.wait_for()
    box.fill("img src onerror alert sci-fi comedy from 1996")
    box.press("Enter")
    page.get_by_text("I won't suggest").first.wait_for()
    page.wait_for_function(
        "t => { const h = [...document.querySelectorAll('article.crs-card h3')].map(e => e.innerText);"
        " return h.length > 0 && !h.some(x => x.endsWith(t)); }", arg=first_title)
    _shot(page, "app-after-thumbs-down")


def test_app_conversation_survives_a_reload(page, app_url):
    page.goto(app_url, wait_until="load")
    box = page.get_by_label("Your message")
    box.fill("sci-fi movies from the 90s")
    box.press("Enter")
    # reload as soon as the reply's first words show: the session id reaches the browser's storage with them
    page.wait_for_function("() => [...document.querySelectorAll('.bot-row')].some(e => e.innerText.trim())")
    page.reload(wait_until="load")
    page.get_by_text("sci-fi movies from the 90s").first.wait_for()  # restored from the server's session store
    chips = page.locator("#crs-prefs")
    chips.get_by_text("1990–1999").wait_for()
    _shot(page, "app-after-reload")


def test_app_more_like_the_second_one_follows_the_first_list(page, app_url):
    """Two turns as a new user types them: the second list keeps what was ruled out, takes the year range, and
    its explanations say how each pick relates to the films named."""
    page.goto(app_url, wait_until="load")
    box = page.get_by_label("Your message")
    box.fill("something like Galaxy Quest but not a comedy")
    box.press("Enter")
    cards = page.locator("article.crs-card")
    cards.nth(4).wait_for()
    first = [cards.nth(i).locator("h3").inner_text().split(". ", 1)[1] for i in range(5)]
    whys = [cards.nth(i).locator(".crs-why").inner_text() for i in range(5)]
    assert sum("Galaxy Quest (1999)" in w for w in whys) >= 4, whys  # shared genres or tags, or who liked both
    _shot(page, "app-likeness-first")
    second_title = first[1]
    box.fill("more like the second one, from the 90s")
    box.press("Enter")
    page.wait_for_function(
        "t => { const h = [...document.querySelectorAll('article.crs-card h3')].map(e => e.innerText);"
        " return h.length === 5 && h.join('|') !== t; }", arg="|".join(f"{i}. {t}" for i, t in enumerate(first, 1)))
    again = [cards.nth(i).locator("h3").inner_text().split(". ", 1)[1] for i in range(5)]
    whys = [cards.nth(i).locator(".crs-why").inner_text() for i in range(5)]
    assert second_title not in again and "Galaxy Quest (1999)" not in again
    assert all(t.rstrip(")").endswith(tuple(f"({y}" for y in range(1990, 2000))) for t in again), again
    assert not any("Comedy" in w.split(".")[0] for w in whys), whys  # the first sentence lists the genres
    assert sum(second_title in w for w in whys) >= 3, (second_title, whys)
    page.get_by_text(f"and {second_title}").first.wait_for()  # the reply says whom the picks are for
    _shot(page, "app-likeness-second")
