"""Dialogue state: how one understood message changes what the conversation wants.

Rules, in order:
- "start over" clears everything, including what was shown.
- A list operation resolves against what was shown last: "more like the second one" adds
  it to the liked items; "I didn't like the first one" to the disliked; "not the third",
  "something else" and "I've seen it/those" exclude those items from now on.
- A new standalone request ("I want a horror movie from the 80s") starts a new topic: the
  wanted genres, moods, years, people, keywords, liked items and description are replaced;
  exclusions, disliked and excluded items, the price range (a budget is about the person, not
  the topic), the free words ruled out and the list length carry over.
- "X instead" replaces the wanted genres and moods with X.
- Alternatives ("a mystery or an action movie": any one of them will do) are one group; a
  message that names new alternatives replaces the group.
- Anything else refines: later beats earlier (asking for a genre removes an earlier
  exclusion of it and vice versa; a new year or price range replaces the old one, one new end narrows it; a new
  description replaces the old one); liked, disliked and excluded items accumulate, and
  liking an item takes it off the disliked list (and back).
"""

from __future__ import annotations

from assistant.dialogue.explain import money
from assistant.models import Preferences, Session, Understanding
from retrieval.catalog import item_words, words

AVOID_KEPT = 3  # the newest free-word exclusions a conversation keeps ("not ww2 stuff", "nothing about the ocean")
EXCLUDED_YEARS_KEPT = 3  # the newest year ranges ruled out a conversation keeps ("nothing from the 80s")

def _merge_lists(old: list[str], added: list[str], removed: list[str]) -> list[str]:
    out = [x for x in old if x not in removed]
    return list(dict.fromkeys(out + added))


def _merge_people(old: list[str], added: list[str]) -> list[str]:
    """People asked for before and now, each once however it was written ("agatha christie" typed, "Agatha
    Christie" from an item's credits)."""
    out: dict[str, str] = {}
    for name in old + added:
        out.setdefault(name.casefold(), name)
    return list(out.values())


def merge(state: Preferences, new: Preferences) -> Preferences:
    """The state after a refining message that said `new`."""
    # a lean on a genre already asked for keeps it asked for: "something funnier" after "romcoms" wants more comedy,
    # not comedy made optional
    include = _merge_lists(state.include_genres, new.include_genres, new.exclude_genres)
    alternatives = new.any_genres or [g for g in state.any_genres if g not in new.exclude_genres + new.mood_genres]
    exclude = _merge_lists(state.exclude_genres, new.exclude_genres, new.include_genres + new.any_genres + new.mood_genres)
    mood = [g for g in _merge_lists(state.mood_genres, new.mood_genres, new.exclude_genres) if g not in include]
    year_min, year_max = state.year_min, state.year_max
    if new.year_min is not None and new.year_max is not None:
        year_min, year_max = new.year_min, new.year_max
    elif new.year_min is not None:  # "after 1995": narrows the range asked for, unless it leaves it
        year_min = new.year_min
        year_max = year_max if year_max is not None and year_max >= year_min else None
    elif new.year_max is not None:
        year_max = new.year_max
        year_min = year_min if year_min is not None and year_min <= year_max else None
    price_min, price_max = _narrowed((state.price_min, state.price_max), (new.price_min, new.price_max))
    # years ruled out stay ruled out, unless a later message asks for years among them ("ok, the 80s after all")
    asked = (new.year_min, new.year_max) if new.year_min is not None or new.year_max is not None else None
    kept_out = [r for r in state.exclude_years if asked is None or not _overlap(r, asked)]
    if year_min is not None and year_max is not None and any(a <= year_min and year_max <= b for a, b in new.exclude_years):
        year_min = year_max = None  # "not the 80s after all" after "from the 80s": the range asked for is ruled out
    lean = (new.lean_year_min, new.lean_year_max)
    if lean == (None, None):
        lean = (state.lean_year_min, state.lean_year_max)
    return Preferences(
        query=new.query or state.query,
        include_genres=include,
        any_genres=[g for g in alternatives if g not in include],
        exclude_genres=exclude,
        mood_genres=mood,
        popular=new.popular if new.popular is not None else state.popular,
        year_min=year_min,
        year_max=year_max,
        exclude_years=list(dict.fromkeys(kept_out + new.exclude_years))[-EXCLUDED_YEARS_KEPT:],
        lean_year_min=lean[0],
        lean_year_max=lean[1],
        price_min=price_min,
        price_max=price_max,
        people=[p for p in _merge_people(state.people, new.people) if p.casefold() not in new.exclude_people],
        exclude_people=_merge_lists(state.exclude_people, new.exclude_people, [p.casefold() for p in new.people]),
        keywords=_merge_lists(state.keywords, new.keywords, new.exclude_keywords),
        names=_merge_lists(state.names, new.names, []),
        exclude_keywords=_merge_lists(state.exclude_keywords, new.exclude_keywords, new.keywords),
        avoid=_merge_lists(state.avoid, new.avoid, [])[-AVOID_KEPT:],
        liked=_merge_lists(state.liked, new.liked, new.disliked),
        disliked=_merge_lists(state.disliked, new.disliked, new.liked),
        exclude_items=_merge_lists(state.exclude_items, new.exclude_items, new.liked),
        n=new.n or state.n,
    )


def _overlap(years: tuple[int, int], asked: tuple[int | None, int | None]) -> bool:
    """Whether an inclusive range of years meets one asked for (either end of it open)."""
    lo, hi = asked
    return (lo is None or years[1] >= lo) and (hi is None or years[0] <= hi)


def _narrowed(old: tuple, new: tuple) -> tuple:
    """A range after a message said `new` (either end None): both ends replace it, one end narrows it unless it
    leaves it ("under $20" after "over $30" drops the "over")."""
    lo, hi = old
    if new[0] is not None and new[1] is not None:
        return new
    if new[0] is not None:
        return new[0], hi if hi is not None and hi >= new[0] else None
    if new[1] is not None:
        return (lo if lo is not None and lo <= new[1] else None), new[1]
    return old


def resolve_refs(refs: list[int], shown: list[str]) -> list[str]:
    """Shown item ids for 0-based positions (negative counts from the end); out-of-range positions are dropped."""
    out = []
    for r in refs:
        if -len(shown) <= r < len(shown):
            out.append(shown[r])
    return list(dict.fromkeys(out))


def referenced(u: Understanding, session: Session) -> list[str]:
    """The items a message points at: its references, else all shown for "something else",
    else 'it'/'that one' (the item in focus, or the top pick)."""
    if u.refs:
        return resolve_refs(u.refs, session.shown)
    if u.action == "exclude_shown":
        return list(session.shown)
    if not session.shown:
        return [session.focus] if session.focus else []
    return [session.focus] if session.focus in session.shown else session.shown[:1]


def apply(session: Session, u: Understanding) -> None:
    """Updates the session's preferences for one understood message (recommend, refine or reset; a question about
    an item that also says what the person likes refines)."""
    if u.intent == "reset":
        session.preferences, session.shown, session.focus = Preferences(), [], None
        # what the person said they want to see goes too: it would steer the fresh start ("start over")
        session.proposed = [i for i in session.proposed if i not in session.wanted]
        session.wanted = []
        if u.preferences.is_empty():
            return
        u = u.model_copy(update={"intent": "recommend"})  # "scratch that, action": the fresh start's request
    if u.intent == "ask_item" and not u.preferences.is_empty():
        u = u.model_copy(update={"intent": "refine", "refs": [], "action": None})
    if u.intent not in ("recommend", "refine"):
        return
    for key in u.lifted:  # "any decade is fine": let go before the rest is merged
        remove_preference(session.preferences, key)
    new = u.preferences.model_copy(deep=True)
    if u.action:
        items = referenced(u, session)
        if u.action == "more_like":
            new.liked += items
        elif u.action == "dislike_refs":
            new.disliked += items
        else:  # exclude_shown, exclude_refs, seen_refs
            new.exclude_items += items
    state = session.preferences
    if u.replace_genres:  # "a western instead": drop the genres wanted so far
        state = state.model_copy(update={"include_genres": [], "any_genres": [], "mood_genres": []})
    if u.intent == "recommend":
        state = Preferences(
            exclude_genres=[g for g in state.exclude_genres if g not in new.include_genres + new.any_genres + new.mood_genres],
            disliked=state.disliked,
            exclude_keywords=[k for k in state.exclude_keywords if k not in new.keywords],
            exclude_people=[p for p in state.exclude_people if p not in {q.casefold() for q in new.people}],
            avoid=state.avoid,
            exclude_items=state.exclude_items,
            price_min=state.price_min,
            price_max=state.price_max,
            n=state.n,
        )
    session.preferences = merge(state, new)


def preference_chips(prefs: Preferences, catalog, currency: str = "$") -> list[tuple[str, str]]:
    """The preferences as understood, one (key, label) per removable piece, e.g. ("include_genres:sci-fi", "Sci-Fi")."""
    genres = catalog.genres
    name = lambda i: catalog.get(i).name if i in catalog else i  # noqa: E731
    chips = [(f"include_genres:{g}", genres.get(g, g)) for g in prefs.include_genres]
    if prefs.any_genres:
        chips.append(("any_genres:", " or ".join(genres.get(g, g) for g in prefs.any_genres)))
    chips += [(f"mood_genres:{g}", f"leaning {genres.get(g, g)}") for g in prefs.mood_genres]
    if prefs.popular is not None:
        chips.append(("popular:", "popular ones" if prefs.popular else "lesser-known ones"))
    chips += [(f"exclude_genres:{g}", f"no {genres.get(g, g)}") for g in prefs.exclude_genres]
    if prefs.year_min is not None or prefs.year_max is not None:
        chips.append(("years:", years_label(prefs.year_min, prefs.year_max)))
    chips += [(f"exclude_years:{lo}-{hi}", f"not {years_label(lo, hi)}") for lo, hi in prefs.exclude_years]
    if prefs.lean_year_min is not None or prefs.lean_year_max is not None:
        chips.append(("lean_years:", f"leaning {years_label(prefs.lean_year_min, prefs.lean_year_max)}"))
    if prefs.price_min is not None or prefs.price_max is not None:
        chips.append(("price:", price_label(prefs.price_min, prefs.price_max, currency)))
    chips += [(f"people:{p}", p.title()) for p in prefs.people]
    chips += [(f"exclude_people:{p}", f"nothing with {p.title()}") for p in prefs.exclude_people]
    chips += [(f"keywords:{k}", f"about {k}") for k in prefs.keywords]
    chips += [(f"exclude_keywords:{k}", f"nothing tagged “{k}”") for k in prefs.exclude_keywords]
    for a in prefs.avoid:  # quoted as the query is: only the words the catalog knows
        known = known_words(a, catalog.vocabulary)
        chips.append((f"avoid:{a}", f"not “{' '.join(known)}”" if known else "not what you ruled out"))
    chips += [(f"liked:{i}", f"like {name(i)}") for i in prefs.liked]
    chips += [(f"disliked:{i}", f"not {name(i)}") for i in prefs.disliked]
    if prefs.query:  # only the words the catalog knows are quoted (see `known_words`)
        known = known_words(prefs.query, catalog.vocabulary)
        chips.append(("query:", f"“{' '.join(known)}”" if known else "your description"))
    if prefs.exclude_items:
        chips.append(("exclude_items:", f"{len(prefs.exclude_items)} moved past"))
    return chips


def changes(before: Preferences, after: Preferences, catalog, currency: str = "$") -> str:
    """What a later turn kept of the earlier preferences and what it changed, in one sentence ("Kept from before:
    no Comedy and like Galaxy Quest (1999); new: 1990–1999 and like The Matrix (1999)."), in the words of the
    preference chips. Empty for a first request, or one that kept nothing of before (its heading says it all)."""
    old = dict(preference_chips(before, catalog, currency))
    new = dict(preference_chips(after, catalog, currency))
    kept = [label for key, label in new.items() if old.get(key) == label]
    if not kept:
        return ""
    added = [label for key, label in new.items() if old.get(key) != label]
    dropped = [label for key, label in old.items() if key not in new]
    parts = ["Kept from before: " + _and(kept)]
    if added:
        parts.append("new: " + _and(added))
    if dropped:
        parts.append("no longer: " + _and(dropped))
    return "; ".join(parts) + "."


def _and(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def lean_years(prefs: Preferences) -> tuple[int | None, int | None] | None:
    """The years the user leans towards without requiring them, or None."""
    lean = (prefs.lean_year_min, prefs.lean_year_max)
    return None if lean == (None, None) else lean


def years_label(lo: int | None, hi: int | None) -> str:
    """'1990–1999', 'from 2014', 'up to 1980' or '2001'."""
    if lo is not None and hi is not None:
        return str(lo) if lo == hi else f"{lo}–{hi}"
    return f"from {lo}" if lo is not None else f"up to {hi}"


def price_label(lo: float | None, hi: float | None, currency: str = "$") -> str:
    """'$10–$30', 'under $20', 'from $50'."""
    if lo is not None and hi is not None:
        return f"{money(lo, currency)}–{money(hi, currency)}"
    return f"from {money(lo, currency)}" if lo is not None else f"up to {money(hi, currency)}"


def remove_preference(prefs: Preferences, key: str) -> bool:
    """Removes one chip's preference (see `preference_chips`); False when there was no such preference."""
    field, _, value = key.partition(":")
    if field == "price":
        found = prefs.price_min is not None or prefs.price_max is not None
        prefs.price_min = prefs.price_max = None
        return found
    if field == "years":
        found = prefs.year_min is not None or prefs.year_max is not None
        prefs.year_min = prefs.year_max = None
        return found
    if field == "exclude_years":
        kept = [r for r in prefs.exclude_years if f"{r[0]}-{r[1]}" != value]
        found, prefs.exclude_years = len(kept) < len(prefs.exclude_years), kept
        return found
    if field == "lean_years":
        found = prefs.lean_year_min is not None or prefs.lean_year_max is not None
        prefs.lean_year_min = prefs.lean_year_max = None
        return found
    if field == "query":
        found, prefs.query = bool(prefs.query), ""
        return found
    if field == "popular":
        found, prefs.popular = prefs.popular is not None, None
        return found
    if field == "any_genres":
        found, prefs.any_genres = bool(prefs.any_genres), []
        return found
    if field == "exclude_items":
        found, prefs.exclude_items = bool(prefs.exclude_items), []
        return found
    if field in ("include_genres", "mood_genres", "exclude_genres", "people", "exclude_people", "keywords",
                 "exclude_keywords", "avoid", "liked", "disliked"):
        values = getattr(prefs, field)
        if value in values:
            setattr(prefs, field, [v for v in values if v != value])
            return True
    return False


def describe(prefs: Preferences, catalog, noun: str, currency: str = "$", shown: list[str] | None = None) -> str:
    """A plain-words summary of the preferences, e.g. 'Sci-Fi movies from 1990-1999, without Horror'; with the `shown`
    list, how many of it have the people and tags asked for ("2 of them with Tom Hanks")."""
    genres = catalog.genres
    names = [genres.get(g, g) for g in prefs.include_genres]
    either = " or ".join(genres.get(g, g) for g in prefs.any_genres)
    if either and names:
        either = f"({either})"
    names = ({True: ["popular"], False: ["lesser-known"]}.get(prefs.popular, [])) + names
    one = shown is not None and len(shown) == 1  # "Here is 1 popular movie"
    head = " ".join(names + [either] if either else names) + (" " if names or either else "") + noun + ("" if one else "s")
    parts = [head]
    if prefs.year_min is not None and prefs.year_max is not None:
        parts.append(f"from {prefs.year_min}" if prefs.year_min == prefs.year_max else f"from {prefs.year_min}–{prefs.year_max}")
    elif prefs.year_min is not None:
        parts.append(f"from {prefs.year_min} on")
    elif prefs.year_max is not None:
        parts.append(f"up to {prefs.year_max}")
    if prefs.price_min is not None or prefs.price_max is not None:
        parts.append(price_label(prefs.price_min, prefs.price_max, currency))
    out = " ".join(parts)
    if shown:  # an item passes a constraint on a fact its entry lacks (a sparse catalog): the heading says so
        items = [catalog.get(i) for i in shown if i in catalog]
        for asked, lacks, what in ((prefs.include_genres or prefs.any_genres, lambda it: not it.genres, "genre"),
                                   (prefs.year_min is not None or prefs.year_max is not None,
                                    lambda it: it.year is None, "year")):
            n = sum(lacks(it) for it in items) if asked else 0
            if n:
                out += f" (no {what} on record)" if one else \
                    f" ({'none' if n == len(items) else f'{n} of them'} with no {what} on record)"
    leans = [genres.get(g, g) for g in prefs.mood_genres]
    if prefs.lean_year_min is not None or prefs.lean_year_max is not None:
        leans.append(years_label(prefs.lean_year_min, prefs.lean_year_max))
    if leans:
        out += ", leaning towards " + " and ".join(leans)
    if prefs.exclude_genres:
        out += ", without " + " or ".join(genres.get(g, g) for g in prefs.exclude_genres)
    if prefs.exclude_years:
        out += ", not from " + " or ".join(years_label(lo, hi) for lo, hi in prefs.exclude_years)
    if prefs.exclude_keywords:
        out += ", none tagged " + " or ".join(f"“{k}”" for k in prefs.exclude_keywords)
    if prefs.exclude_people:  # a name the catalog credits, as it credits it
        out += ", nothing with " + " or ".join(p.title() for p in prefs.exclude_people)
    avoided = [w for a in prefs.avoid for w in known_words(a, catalog.vocabulary)]
    if avoided:
        out += ", steering away from " + " or ".join(f"“{w}”" for w in dict.fromkeys(avoided))
    # people and tags lift the items they name without ruling the rest out: with the list in hand, say how many have them
    for asked, word, items_of in ((prefs.people, "with", catalog.items_with_person),
                                  (prefs.keywords, "about", lambda kw: catalog.by_tag.get(kw, []))):
        for name in asked:
            label = name.title() if word == "with" else name
            having = len(set(items_of(name)) & set(shown)) if shown is not None else None
            if having is None or having == len(shown):
                out += f", {word} {label}"
            else:  # what is known of the rest is only that they lack the tag or credit
                known = f"with {label}" if word == "with" else f"tagged “{label}”"
                out += f", {('not' if one else 'none of them') if having == 0 else f'{having} of them'} {known}"
    if prefs.liked:
        out += ", for someone who liked " + " and ".join(catalog.get(i).name for i in prefs.liked[-3:])
    if prefs.exclude_items:
        out += f", leaving out {len(prefs.exclude_items)} you moved past"
    carried = {w for i in shown or () if i in catalog for w in item_words(catalog.get(i))}
    known = known_words(prefs.query, carried) if prefs.query else []
    if known:
        out += f', matching “{" ".join(known)}”'
    return out


def known_words(query: str, carried: set[str] | frozenset[str]) -> list[str]:
    """The words of the free-text request among the words `carried` by catalog entries (`item_words`) in a title,
    genre, tag or credit
    ("elephants" of "purple elephants dancing in zurich", with Water for Elephants shown), in the request's
    order. Only these are quoted back: words no reader placed and no item carries are never echoed, so a reply
    cannot be made to say a sentence of the sender's choosing."""
    wanted = list(dict.fromkeys(w for w in words(query) if len(w) > 1))
    if not wanted:
        return []
    return [w for w in wanted if w in carried or (w.endswith("s") and w[:-1] in carried)]


def loosen_hint(prefs: Preferences) -> str:
    """What to relax when nothing passes the constraints."""
    hints = []
    if prefs.year_min is not None or prefs.year_max is not None:
        hints.append("a wider range of years")
    if prefs.price_min is not None or prefs.price_max is not None:
        hints.append("a wider price range")
    if prefs.include_genres or prefs.any_genres:
        hints.append("fewer required genres")
    if prefs.exclude_genres:
        hints.append("fewer excluded genres")
    if prefs.exclude_keywords:
        hints.append("fewer excluded tags")
    if prefs.exclude_people:
        hints.append("fewer people ruled out")
    if prefs.exclude_years:
        hints.append("fewer years ruled out")
    return ", or ".join(hints) or "describe it in other words"
