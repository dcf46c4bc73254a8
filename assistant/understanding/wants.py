"""What a message asks of the items, read into its `Reading`'s preferences: preferences let go, genres, who the
items are for (ages, company, occasion), prices and years, people (named, or "the same director"), tags, a lean to
the popular or the classic, and how many to list. Each is a reader of `assistant.understanding.readers.READERS`
(`(parser, reading) -> None`): none decides the message alone; the intent comes from what they found."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.models import Preferences, Understanding
from assistant.understanding import routing
from assistant.understanding.lexicon import FILLER, KIND_NOUNS, NUMBER_WORDS
from assistant.understanding.negation import is_negated
from assistant.understanding.text import Span, mask
from assistant.understanding.unrecorded import unrecorded_spans

if TYPE_CHECKING:
    from assistant.understanding.parser import RulesParser
    from assistant.understanding.readers import Reading

MAX_LIST = 20  # the most items one reply lists ("recommend 100 westerns" gets 20, and is told so)
_COUNT = re.compile(
    r"\b(?:top\s+(?P<top>\d{1,3})|(?P<n>\d{1,3}|" + "|".join(NUMBER_WORDS) + r")\s+(?:[\w'-]+\s+){0,3}?"
    r"(?:movies|films|books|items|titles|recommendations|suggestions|options|picks|ideas|shows|" + "|".join(KIND_NOUNS)
    + r")"
    r"|(?:give me|show me|just|only|make it|make that|cut it to|down to)\s+(?:like\s+|about\s+|around\s+|maybe\s+)?"
    r"(?P<bare>\d{1,2}|" + "|".join(NUMBER_WORDS) + r")(?![\w'])(?!\s*(?:s\b|%|years?\b))"
    # "3 is enough", "five will do": the list's size said after it
    r"|(?P<enough>\d{1,2}|" + "|".join(NUMBER_WORDS) + r")\s+(?:is|are|will|would be)\s+(?:enough|plenty|do|fine)"
    r"|(?P<more>\d{1,2}|" + "|".join(NUMBER_WORDS) + r")\s+more\b)\b"
)


def read_lifted(parser: RulesParser, r: Reading) -> Understanding | None:
    """Preferences the person lets go: "any decade is fine", "forget the comedy part", "a bit sad is fine actually",
    "I don't care about the year". What is let go must be one of the preferences held (a genre, the years, a word
    ruled out, a person, a tag); its words are then read for nothing else ("gore is fine" is not a search for gore)."""
    held = r.session.preferences
    if held.is_empty():
        return None
    for m in routing.LIFT.finditer(r.masked):
        what = routing.lifted_phrase(m)
        keys = _held_keys(parser, held, what)
        if keys:
            r.lifted += [k for k in keys if k not in r.lifted]
            r.consumed.append(Span(m.start(), m.end()))
            r.masked = mask(r.masked, [r.consumed[-1]])
    return None


def _held_keys(parser: RulesParser, held: Preferences, what: str) -> list[str]:
    """The chip keys (dialogue.state.preference_chips) of the held preferences a phrase names."""
    if what in routing.YEAR_WORDS:
        keys = ["years:"] if held.year_min is not None or held.year_max is not None else []
        keys += ["lean_years:"] if held.lean_year_min is not None or held.lean_year_max is not None else []
        return keys + [f"exclude_years:{lo}-{hi}" for lo, hi in held.exclude_years]
    genres, mood = parser._phrase_genres.get(what, ((), False))
    # a mood word lets go of what a mood word held ("a bit sad is fine" after "drama, nothing sad" keeps the drama);
    # a genre ruled out and then said to be fine is asked for again, as the genre reader reads it ("ok, comedy is
    # fine after all", eval/data)
    fields = ("mood_genres",) if mood else ("include_genres", "mood_genres")
    keys = [f"{field}:{g}" for g in genres for field in fields if g in getattr(held, field)]
    keys += ["any_genres:"] if any(g in held.any_genres for g in genres) else []
    stems = {_stem(w) for w in what.split()}
    keys += [f"avoid:{a}" for a in held.avoid if stems & {_stem(w) for w in a.split()}]
    keys += [f"{field}:{v}" for field in ("people", "keywords", "exclude_keywords") for v in getattr(held, field)
             if v.casefold() == what]
    # a tag ruled out, by some of its words: "ghibli is ok" after "not ghibli" (tagged "studio ghibli")
    keys += [f"exclude_keywords:{v}" for v in held.exclude_keywords
             if v.casefold() != what and what and set(what.split()) <= set(v.casefold().split()) - FILLER]
    return keys


def _stem(word: str) -> str:
    """Enough of a word to tell "gore" and "gory", "sad" and "sadness" for the same."""
    return word[:4] if len(word) > 4 else word[:3]


def read_genres(parser: RulesParser, r: Reading) -> Understanding | None:
    """Genres asked for, ruled out, or wanted softly (a mood), with alternatives ("horror or thriller")."""
    held = r.session.preferences
    said = mask(r.masked, [Span(m.start, m.end) for m, _ in r.titles], fill="it")  # "Heat is good action"
    r.genre_spans = parser._genres(r.masked, r.prefs, r.message.text,
                                   asked={*held.include_genres, *held.any_genres, *held.mood_genres}, said=said,
                                   stances=r.genre_stances, moved=r.genre_clauses)
    return None


def read_ages(parser: RulesParser, r: Reading) -> Understanding | None:
    """An age limit after who it is for ("for kids under 10", "children aged 6 to 9"): before the prices, whose
    "under 10" it is not; a young child leans towards children's items, as "for my 5 year old" does."""
    for m in routing.AGE_LIMIT.finditer(r.masked):
        r.consumed.append(Span(m.start("limit"), m.end("limit")))
        r.masked = mask(r.masked, [r.consumed[-1]])  # the prices reader reads `masked`: "under 10" is not for it
        age = m.group("age")
        young = not m.group("limit").startswith("over") and (int(age) if age.isdigit() else NUMBER_WORDS[age]) <= 12
        _lean_to_children(parser, r.prefs, young)
    for m in (*routing.AGED.finditer(r.masked), *routing.AGE_SAID.finditer(r.masked)):  # "my 8 year old", "she's 70"
        r.consumed.append(Span(m.start(), m.end()))
        _lean_to_children(parser, r.prefs, routing.for_a_child(m))
    return None


def _lean_to_children(parser: RulesParser, prefs: Preferences, young: bool) -> None:
    if young and _children_unsaid(parser, prefs):
        prefs.mood_genres.append("children")


def _children_unsaid(parser: RulesParser, prefs: Preferences) -> bool:
    """Whether the catalog has children's items and the message said nothing of them yet (asked, leant to, ruled
    out): who the items are for may then say it."""
    return "children" in parser.catalog.genres and "children" not in (
        prefs.include_genres + prefs.any_genres + prefs.mood_genres + prefs.exclude_genres)


def read_prices_and_years(parser: RulesParser, r: Reading) -> Understanding | None:
    """A price range, talk of facts no catalog records (length, subtitles), then the years (after them: "$2000" and
    "90 minutes" are not years)."""
    price_spans, no_prices = parser._prices(r.masked, r.prefs, r.session)
    unrecorded = unrecorded_spans(mask(r.masked, price_spans + r.genre_spans))  # "short comedies"
    r.unrecorded = ["price"] * no_prices + list(unrecorded)
    set_aside = price_spans + [s for spans in unrecorded.values() for s in spans]
    r.consumed += set_aside
    names = parser.names.recency_names  # "set in new york": a name, not "new" films
    named = [Span(*m.span()) for m in names.finditer(r.masked)] if names is not None else []
    r.consumed += parser._years(mask(r.masked, set_aside + named), r.prefs, r.session, r.prefs.liked)
    return None


def read_people(parser: RulesParser, r: Reading) -> Understanding | None:
    """Directors and cast asked for."""
    r.consumed += parser._people_in(r.message.text, r.masked, r.prefs)
    return None


SAME_PEOPLE_MAX = 3  # the most people of one item asked for by "the same cast" (its first-billed)


def read_same_people(parser: RulesParser, r: Reading) -> Understanding | None:
    """"from the same decade" (that item's years, `routing.same_years`); "by the same director", "same actors as
    Titanic", "anything with the same cast as the second one", "more by her": the people the pack credits in that
    role on the item meant, asked for as people. The item is the one named or pointed at
    in the message, else the one talked about last, else the last one liked; with none, nothing is asked."""
    for m in routing.SAME_YEARS.finditer(r.masked):
        item = _item_meant(parser, r)
        if item is None or item.year is None or r.prefs.year_min is not None or r.prefs.year_max is not None:
            continue
        r.consumed.append(Span(m.start(), m.end()))
        r.prefs.year_min, r.prefs.year_max = routing.same_years(item.year, m.group("a") or m.group("b"))
        if item.id not in r.prefs.liked and item.id not in r.session.preferences.liked:
            r.prefs.exclude_items.append(item.id)  # its others, not it again
    for m in routing.SAME_ROLE.finditer(r.masked):
        role = m.group("role") or m.group("that_role")
        field = parser.role_field(role) if role else "directors"  # "more by her": who made it
        if field is None:
            continue  # "the same vibe as X": a title liked, read as such
        r.consumed.append(Span(m.start(), m.end()))
        if field not in parser.credited:  # the demo pack credits nobody: said so, not searched for "director"
            r.unrecorded.append(field)
            continue
        item = _item_meant(parser, r)
        if item is None:
            continue
        asked = {p.casefold() for p in r.prefs.people}
        one = m.group("pronoun") in ("him", "her")  # "more by her": the first credited, not the editor beside her
        for name in getattr(item, field)[: 1 if one else SAME_PEOPLE_MAX]:
            if name.casefold() not in asked:
                r.prefs.people.append(name)
        if item.id not in r.prefs.liked:  # "more by the same author" after asking about one: its others
            r.prefs.exclude_items.append(item.id)
    return None


def _item_meant(parser: RulesParser, r: Reading):
    """The catalog item a message about "the same" people means (see `read_same_people`), or None."""
    shown, held = r.session.shown, r.session.preferences
    candidates = [m.item_id for m, negative in r.titles if not negative]
    candidates += [shown[i] for i in r.refs if -len(shown) <= i < len(shown)]
    candidates += [r.session.focus] if r.session.focus else []
    candidates += [*reversed(r.prefs.liked), *reversed(held.liked)]
    return next((parser.catalog.get(i) for i in candidates if i in parser.catalog), None)


def read_tags(parser: RulesParser, r: Reading) -> Understanding | None:
    """Catalog tags asked for or ruled out; before the genres are masked, since a tag may hold a genre word
    ("dark comedy", "courtroom drama")."""
    keyword_spans = parser._keywords_in(mask(r.masked, r.consumed), r.prefs, r.message.text)
    r.consumed += r.genre_spans + keyword_spans + r.genre_clauses
    return None


def read_popularity(parser: RulesParser, r: Reading) -> Understanding | None:
    """"what's popular", "the best comedies ever": a lean, not a filter; "hidden gems" takes it away. "A classic"
    is old and acclaimed: a lean to what many liked and to the catalog's oldest quarter, never a search for the
    word (it found Everybody Wants Some (2016))."""
    prefs = r.prefs
    for m in routing.UNPOPULAR.finditer(r.masked):
        r.consumed.append(Span(m.start(), m.end()))
        prefs.popular = False
    for m in routing.POPULAR.finditer(mask(r.masked, r.consumed)):
        r.consumed.append(Span(m.start(), m.end()))
        prefs.popular = prefs.popular if prefs.popular is False else not is_negated(r.masked, m.start())
    for m in routing.CLASSIC.finditer(mask(r.masked, r.consumed)):
        r.consumed.append(Span(m.start(), m.end()))
        if is_negated(r.masked, m.start()) or not routing.asks_for_classics(r.masked, m):
            continue
        prefs.popular = True if prefs.popular is None else prefs.popular
        if parser.year_quartiles and prefs.lean_year_min is None and prefs.lean_year_max is None \
                and prefs.year_min is None and prefs.year_max is None:
            prefs.lean_year_max = parser.year_quartiles[0]
    return None


def read_occasion(parser: RulesParser, r: Reading) -> Understanding | None:
    """When and with whom: "for a rainy sunday", "with my wife", "for my 5 year old" (a child leans towards
    children's items). Who it is for is not a topic to search."""
    prefs = r.prefs
    occasions = [Span(m.start(), m.end()) for m in routing.OCCASION.finditer(r.masked)]
    r.consumed += occasions
    r.occasion = bool(occasions)
    for m in routing.COMPANY.finditer(r.masked):
        r.consumed.append(Span(m.start(), m.end()))
        _lean_to_children(parser, prefs, routing.for_a_child(m))
    for m in routing.GROWN_UPS.finditer(r.masked):  # made for grown-ups: no children's items
        r.consumed.append(Span(m.start(), m.end()))
        if _children_unsaid(parser, prefs):
            prefs.exclude_genres.append("children")
    return None


def read_count(parser: RulesParser, r: Reading) -> Understanding | None:
    """How many to list: "top 10", "three comedies", "just 5"; more than a list holds is capped and noted."""
    count = _COUNT.search(r.masked)
    if count:
        raw = count.group("top") or count.group("n") or count.group("bare") or count.group("enough") \
            or count.group("more")
        asked = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
        r.prefs.n = max(1, min(MAX_LIST, asked))
        r.asked_count = asked if asked > MAX_LIST else None
        # "two more": the number is the count; "more" stays for what moves past the list
        r.consumed.append(Span(count.start("more"), count.end("more")) if count.group("more")
                          else Span(count.start(), count.end()))
    return None
