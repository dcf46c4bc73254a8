"""The books pack (goodbooks-10k): a catalog of another kind, without genres or interactions, served through the same
code. Its 600 most rated books (the file is in that order) under the pack's own manifest, a real Chroma, the real
embedding model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import REPO_ROOT
from assistant.models import Session

BOOKS = REPO_ROOT / "packs" / "books"


@pytest.fixture(scope="module")
def books_dir(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("books") / "books"
    dest.mkdir()
    lines = (BOOKS / "books.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (dest / "books.csv").write_text("".join(lines[:601]), encoding="utf-8")
    for name in ("pack.toml", "LICENSE"):
        shutil.copy(BOOKS / name, dest / name)
    return dest


@pytest.fixture(scope="module")
def books(books_dir, embedder, tmp_path_factory):
    from assistant.assistant import Assistant
    from assistant.engine import prepare

    return Assistant(prepare(books_dir, tmp_path_factory.mktemp("books-state"), embedder=embedder, progress=False))


def test_the_pack_ships_its_license_and_loads_every_book():
    from retrieval.pack import load_pack

    pack = load_pack(BOOKS)
    assert "Attribution-ShareAlike 4.0" in (BOOKS / pack.manifest.license_file).read_text()
    assert len(pack.items) == 10_000 and not pack.issues  # years before 1800 and before the common era included
    catalog = pack.catalog()
    hunger = catalog.get("1")
    assert hunger.directors == ("Suzanne Collins",) and hunger.year == 2008 and not hunger.genres
    odyssey = next(it for it in pack.items if it.title.startswith("The Odyssey"))
    assert odyssey.year is None  # -720 is no year
    assert catalog.noun == "book" and catalog.credits.directed_by == "Written by"
    # no interactions: the books' own ratings counts rank their popularity
    assert not catalog.n_ratings and catalog.popularity[catalog.row["1"]] > catalog.popularity[catalog.row["9000"]] > 0


def test_books_are_recommended_and_explained_as_books(books):
    from assistant.models import Session
    from eval.faithfulness import claim_problems, constraint_violations

    catalog = books.engine.catalog
    session = Session()
    reply = books.respond(session, "a book by Stephen King")
    assert reply.text.startswith("Here are 5 books") and len(reply.recommendations) == 5
    for rec in reply.recommendations:
        assert "Stephen King" in catalog.get(rec.item_id).directors
        assert "Written by Stephen King." in rec.explanation and "Directed" not in rec.explanation
        assert not claim_problems(rec, catalog) and not constraint_violations(rec.item_id, session.preferences, catalog)
    second = catalog.get(reply.recommendations[1].item_id)
    who = books.respond(session, "who wrote the second one?")
    assert who.intent == "ask_item" and who.text == f"{second.name} was written by Stephen King."
    old = books.respond(Session(), "books from the 1800s")  # a century, as people say it
    assert old.recommendations and all(1800 <= catalog.get(r.item_id).year <= 1899 for r in old.recommendations)


def test_a_movie_catalog_still_answers_who_wrote_it_honestly(demo_catalog):
    from assistant.dialogue.answers import answer

    assert answer("author", "1", demo_catalog) == "The catalog does not say who wrote Toy Story (1995)."


def test_the_books_suite_passes(books):
    from eval.scripted import SUITES, load_suite, run_suite

    result = run_suite(books, load_suite(SUITES / "books.yaml"), progress=False)
    assert result["failures"] == [] and result["turn_pass_rate"] == 1.0


def test_simulated_readers_find_books_by_what_they_know(books):
    from eval.simulator import RuleUser, pick_targets, run_simulation

    catalog = books.engine.catalog
    targets = pick_targets(catalog, 12, seed=0)
    assert len(targets) == 12 and all(t.year and t.directors for t in targets)
    user = RuleUser(targets[0], catalog)
    assert user.first().startswith("I'm looking for a book from the") and any("written by" in f for f in user.facts)
    result = run_simulation(books, targets, lambda item: RuleUser(item, catalog), max_turns=3, progress=False)
    assert result["leaks"] == 0 and result["success_rate"] > 0


@pytest.mark.parametrize("message, author", [
    ("somethin by tolkien?", "J.R.R. Tolkien"),
    ("anything by king", "Stephen King"),
    ("books by rowling", "J.K. Rowling"),
])
def test_an_author_is_named_by_their_last_name(books, message, author):
    from assistant.models import Session

    catalog = books.engine.catalog
    reply = books.respond(Session(), message)
    assert reply.intent == "recommend" and reply.recommendations
    assert all(author in catalog.get(r.item_id).directors for r in reply.recommendations)


def test_the_same_author_is_the_author_of_the_book_meant(books):
    from assistant.models import Session

    catalog = books.engine.catalog
    session = Session()
    reply = books.respond(session, "something by the same author as The Hunger Games")
    assert session.preferences.people == ["Suzanne Collins"]
    hers = {i for i in catalog.items_with_person("Suzanne Collins")} - set(session.preferences.liked)
    assert 0 < len(hers) < 5 and {r.item_id for r in reply.recommendations[:len(hers)]} == hers
    # the book asked about last is the one meant, and "more" are its others
    session = Session()
    first = books.respond(session, "a book by Stephen King")
    second = catalog.get(first.recommendations[1].item_id)
    books.respond(session, "tell me about the second one")
    more = books.respond(session, "any more by the same author?")
    assert more.recommendations and second.id not in {r.item_id for r in more.recommendations}
    assert all(set(second.directors[:3]) & set(catalog.get(r.item_id).directors) for r in more.recommendations)
    # the author of the book asked about, pointed at by "that", not "the same"
    for message in ("who wrote the first one?", "anything else by that author?"):
        reply = books.respond(session, message)
    first_book = catalog.get(more.recommendations[0].item_id)  # the first of the list on screen
    assert reply.intent in ("recommend", "refine") and reply.recommendations, reply.text
    assert first_book.id not in {r.item_id for r in reply.recommendations}
    assert all(set(first_book.directors[:3]) & set(catalog.get(r.item_id).directors) for r in reply.recommendations)
    # an author typed and then the same author from a book's credits are one person asked for, once
    session = Session()
    books.respond(session, "something by agatha christie")
    books.respond(session, "whats the first one about")
    books.respond(session, "anything else by that author")
    assert [p.casefold() for p in session.preferences.people] == ["agatha christie"]


def test_an_author_named_in_full_without_a_cue_is_asked_for_in_any_case(books):
    from assistant.models import Session

    catalog = books.engine.catalog
    for message in ("i really love suzanne collins", "Suzanne Collins is the best, more please"):
        session = Session()
        reply = books.respond(session, message)
        assert session.preferences.people == ["suzanne collins"] and not session.preferences.query, message
        assert reply.recommendations and "Suzanne Collins" in catalog.get(reply.recommendations[0].item_id).directors
    # ruled out, the name is not asked for
    assert books.engine.parser.parse("no suzanne collins please").preferences.people == []


@pytest.mark.parametrize(("message", "query"), [("a funny book", "funny"), ("a short funny read", "funny"),
                                                 ("a good read", ""), ("any good sci fi books?", "sci fi")])
def test_a_mood_with_no_genre_in_the_catalog_is_searched_and_a_read_is_a_book(books, message, query):
    """The books pack records no genres: "funny" leans to no genre there, and was dropped as a word of chat
    ("a short funny read" was greeted). It is what the request is about, searched by meaning."""
    u = books.engine.parser.parse(message, Session())
    assert (u.intent, u.preferences.query) == ("recommend", query), message


def test_more_by_her_is_more_by_the_author_of_the_book_meant(books):
    session = Session()
    shown = books.respond(session, "books by jane austen").recommendations
    assert shown
    books.respond(session, "the 2nd one, when was it written")
    reply = books.respond(session, "more by her")
    first = books.engine.catalog.get(shown[1].item_id).directors[0]
    assert [p.casefold() for p in session.preferences.people] == [first.casefold()] and reply.recommendations


def test_a_person_ruled_out_is_never_shown_and_may_be_asked_for_again(books):
    from assistant.models import Session

    catalog = books.engine.catalog
    by_king = lambda r: [i.item_id for i in r.recommendations  # noqa: E731
                         if "stephen king" in {p.casefold() for p in catalog.get(i.item_id).directors}]
    from eval.faithfulness import constraint_violations

    session = Session()
    kings = by_king(books.respond(session, "books by stephen king"))
    assert kings
    reply = books.respond(session, "actually no stephen king")
    assert (session.preferences.exclude_people, session.preferences.people) == (["stephen king"], [])
    assert reply.recommendations and not by_king(reply) and "nothing with Stephen King" in reply.text
    assert constraint_violations(kings[0], session.preferences, catalog)  # the eval's check sees such an item
    assert not by_king(books.respond(session, "something scary"))  # it stays ruled out
    books.respond(session, "ok, stephen king after all")
    assert (session.preferences.people, session.preferences.exclude_people) == (["stephen king"], [])
    # however it is said: a cue, no cue, a verb of dislike, a misspelling (the learned name reader)
    for message in ("something scary, nothing by stephen king", "I hate Stephen King", "no stephen king books please",
                    "anything without stephen kng"):
        p = books.engine.parser.parse(message).preferences if "kng" not in message else \
            books.backend.understand(message, Session()).preferences
        assert (p.exclude_people, p.people) == (["stephen king"], []), message
    # no one is ruled out by a "no" that answers, a negation that ends its sentence, or a verdict on a book of theirs
    for message in ("No any good Stephen King books?", "No, I haven't Was Stephen King in that?",
                    "Not one of Stephen King's better works"):
        assert books.backend.understand(message, Session()).preferences.exclude_people == [], message
