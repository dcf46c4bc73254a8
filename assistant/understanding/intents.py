"""The intent of a message no reader decided: `INTENT_RULES`, one ordered table over the `Reading` the readers of
assistant.understanding.readers left (off topic, small talk, a refinement of the request under way, a new
request), and the `Understanding` it makes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.models import Understanding
from assistant.understanding import clauses, routing
from assistant.understanding.lexicon import ENGLISH
from assistant.understanding.mentions import wanted

if TYPE_CHECKING:
    from assistant.understanding.parser import RulesParser
    from assistant.understanding.readers import Reading


def off_topic(masked: str, noun: str = "") -> bool:
    """Talk about the assistant's instructions, or a subject of another business than the shop's, unless that
    subject is what the items asked for are about: as a word before the item's noun ("a cooking movie", "monty
    python movies", "stock market films") or after it and "about" or the like ("movies about math", "a movie about a
    chef who loves cooking"). "What should I cook for movie night?" names the noun too, but not as what it is about."""
    if routing.INSTRUCTIONS.search(masked):
        return True
    about = routing.about_words(masked, noun)  # one reading of where an item's subject stands, as the search's
    return any(not set(m.group(0).split()) <= about for m in routing.OFF_TOPIC.finditer(masked))


def _off_topic(r: Reading, noun: str = "") -> bool:
    """Nothing asked and it is off topic, or a question about something else; or off topic and no kind or item
    asked for ("what's the weather like for a comedy?" still asks for a comedy)."""
    masked, low, prefs = r.masked, r.message.low, r.prefs
    if r.unrecorded or r.unknown_people:  # "any of these under 90 minutes?" asks of the catalog, even one that does
        return False  # not know
    if r.nothing_asked:
        # "ok what about something by spielberg" asks for it, as a question: while a request is under way, or for
        # "something"
        goes_on = any(w not in ENGLISH for w in [*prefs.query.split(), *prefs.names]) \
            and bool(routing.WHAT_ABOUT.match(low)) and (
            r.has_shown or not r.session.preferences.is_empty() or bool(re.search(r"\b(?:some|any)thing\b", low)))
        return off_topic(masked, noun) or (routing.is_question(low) and not routing.DOMAIN.search(masked)
                                           and not r.bare and not goes_on and not r.on_topic)
    return off_topic(masked, noun) and not routing.DOMAIN.search(masked) and not (
        prefs.include_genres or prefs.any_genres or prefs.liked or prefs.mood_genres or wanted(r))


def _goes_on(parser: RulesParser, r: Reading) -> bool:
    """Whether the message refines the request under way rather than starting a new one: something is under way,
    and the message acts on what was shown or does not switch topic. A new genre, a liked item of another kind,
    or a fresh request with its own subject switches; "they liked Frozen" after "my kids want a cartoon" goes on
    with the cartoons (an item of a genre or tag asked for), "I loved Heat" after comedies starts again from Heat."""
    session, prefs, masked = r.session, r.prefs, r.masked
    ongoing = r.has_shown or not session.preferences.is_empty()
    asked = session.preferences.include_genres + session.preferences.any_genres
    new_genres = [g for g in prefs.include_genres + prefs.any_genres if g not in asked]
    wanted = set(asked + session.preferences.mood_genres)
    tags = session.preferences.keywords  # "like ex machina" after films about artificial intelligence goes on with them
    by_tag = parser.catalog.by_tag
    in_kind = bool(wanted or tags) and all(
        wanted & set(parser.catalog.get(i).genre_keys) or any(i in by_tag.get(t, ()) for t in tags)
        for i in prefs.liked)
    new_moods = [g for g in prefs.mood_genres if g not in wanted]
    # a swap keeps the rest of the request: "change it to thrillers" after dramas from the 90s keeps the 90s
    topic_switch = not routing.REFINE.search(r.message.low) and not routing.INSTEAD.search(masked) and bool(
        new_genres or (prefs.liked and not in_kind)
        or (routing.REQUEST.search(masked)
            and (prefs.keywords or prefs.people or prefs.query or prefs.names or new_moods))
    )
    return ongoing and (bool(r.action) or not topic_switch)


# The intent of a message no reader decided, by the first rule that holds.
INTENT_RULES: tuple[tuple[str, Callable[[RulesParser, Reading], bool]], ...] = (
    ("out_of_scope", lambda parser, r: _off_topic(r, parser.catalog.noun)),
    # a shown item pointed at with words no reader placed ("lemme see more like the initial one", "the last film you
    # listed, is it long") is about that item, though none of the words is searched
    ("chitchat", lambda parser, r: r.nothing_asked and not r.prefs.query and not r.prefs.names and not r.bare
     and not (r.refs and r.unplaced)),
    ("refine", _goes_on),
    ("recommend", lambda parser, r: True),
)


def _asked_instead(r: Reading, new_genres: bool) -> bool:
    """A sentence that opens with "what about" / "how about" asks for a new kind in place of the kinds wanted so far:
    the message's first when it names a new kind ("what about a cartoon?" after documentaries), a later one when the
    kind is named in it ("Oh, I haven't seen that. I will add it to my list. How about a comedy suggestion?" after
    dramas); never one that adds ("what about comedies too")."""
    low = r.message.low
    for n, (a, b) in enumerate(clauses.spans(low, "sentence")):
        said = low[a:b]
        if not routing.WHAT_ABOUT.match(said) or routing.ADDS.search(said):  # "what about comedies too" adds
            continue
        if n == 0 and new_genres:
            return True
        if n and any(a <= g.start < b for g in r.genre_spans) and (
                r.session.preferences.include_genres or r.session.preferences.any_genres):
            return True
    return False


def decide_intent(parser: RulesParser, r: Reading) -> Understanding:
    """The Understanding of a message the readers left undecided, its intent from `INTENT_RULES`."""
    # "any suggestions?" with a list on screen asks for others
    if r.bare and r.has_shown and not _off_topic(r, parser.catalog.noun):
        r.action = "exclude_shown"
    intent = next(name for name, holds in INTENT_RULES if holds(parser, r))
    if intent == "out_of_scope":
        return Understanding(intent="out_of_scope")
    if intent == "chitchat":
        return Understanding(intent="chitchat", unrecorded=r.unrecorded, unknown_people=r.unknown_people)
    prefs = r.prefs
    # "a western instead", and "what about a cartoon?" after documentaries: the new genres replace the old
    instead = bool(prefs.include_genres or prefs.any_genres or prefs.mood_genres) and bool(
        routing.INSTEAD.search(r.masked))
    asked = r.session.preferences.include_genres + r.session.preferences.any_genres
    new_genres = [g for g in prefs.include_genres + prefs.any_genres if g not in asked]
    replace = instead or (bool(new_genres) and bool(routing.KEPT_ASPECT.search(r.message.low))) \
        or _asked_instead(r, bool(new_genres))
    return Understanding(intent=intent, preferences=prefs, refs=r.refs, action=r.action, replace_genres=replace,
                         unrecorded=r.unrecorded, unknown_people=r.unknown_people, asked_count=r.asked_count,
                         lifted=r.lifted)
