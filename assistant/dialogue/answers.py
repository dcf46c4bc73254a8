"""Answers to questions about an item, made of catalog facts only; a fact the catalog lacks is said to be missing."""

from __future__ import annotations

from assistant.dialogue.explain import money
from assistant.models import Question
from assistant.understanding.lexicon import DESCRIBED_REFS, MOOD_GENRES
from retrieval.catalog import Catalog, Credits, genre_key


def _join(words: list[str] | tuple[str, ...]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _rating(item_id: str, catalog: Catalog) -> str:
    n = catalog.n_ratings.get(item_id, 0)
    if not n:
        return "Nobody has rated it in our data yet."
    likers = len(catalog.likers(item_id))
    mean = catalog.mean_rating.get(item_id)
    avg = f", averaging {mean:.1f} out of 5" if mean is not None else ""
    return f"{n} {'person' if n == 1 else 'people'} rated it{avg}; {likers} liked it."


def compare(item_ids: list[str], catalog: Catalog, currency: str = "$") -> str:
    """Two or more items side by side: what each is listed as, who made it, what it costs, how liked it is, and the
    genres they share. Only catalog facts; no verdict on which is better."""
    items = [catalog.get(i) for i in item_ids]
    lines = []
    for item in items:
        line = f"{item.name} is " + (f"listed as {_join(item.genres)}" if item.genres else "listed with no genre")
        if item.directors:
            line += f", {catalog.credits.directed_by.lower()} {_join(item.directors)}"
        if item.price is not None:
            line += f", at {money(item.price, currency)}"
        likers = len(catalog.likers(item.id))
        line += f"; {likers} {'person' if likers == 1 else 'people'} liked it." if catalog.n_ratings.get(item.id) \
            else "; nobody has rated it in our data yet."
        lines.append(line)
    liked = {it.id: len(catalog.likers(it.id)) for it in items}
    top = max(liked.values())
    if top and list(liked.values()).count(top) == 1:  # the one ranking fact the data holds, not a verdict
        lines.append(f"{catalog.get(max(liked, key=liked.get)).name} is the most liked of these in our data.")
    shared = [g for g in items[0].genres if all(g in it.genres for it in items[1:])]
    both = "Both" if len(items) == 2 else "All of them"
    lines.append(f"{both} are listed as {_join(shared)}." if shared else "They share no genre.")
    return " ".join(lines)


_MOST = {("year", "max"): "newest", ("year", "min"): "oldest", ("price", "min"): "cheapest",
         ("price", "max"): "most expensive"}


def which(word: str, shown: list[str], catalog: Catalog, currency: str = "$") -> tuple[str, str | None]:
    """"Which of these is the newest / the funniest / animated?" over the shown items, from catalog facts: the one
    item that is it (and its id), or those that are, or that the catalog cannot tell. `word` is what the parser
    placed (`described.criterion`), never the person's own words."""
    items = [catalog.get(i) for i in shown if i in catalog]
    if not items:
        return "There is nothing shown to pick from yet.", None
    if word in DESCRIBED_REFS:
        field, end = DESCRIBED_REFS[word]
        known = [it for it in items if getattr(it, field) is not None]
        if len(items) == 1:
            return f"{items[0].name} is the only one shown.", items[0].id
        if len(known) < 2:
            return _missing(field, [it.name for it in items if getattr(it, field) is None], catalog), None
        best = (max if end == "max" else min)(getattr(it, field) for it in known)
        top = [it for it in known if getattr(it, field) == best]
        most = _MOST[(field, end)]
        value = str(best) if field == "year" else money(best, currency)
        if len(top) > 1:
            return f"{_join([it.name for it in top])} are the {most} of these, {'all from' if field == 'year' else 'all at'} {value}.", None
        return f"Of these, {top[0].name} is the {most}" + (f", at {value}." if field == "price" else "."), top[0].id
    from assistant.understanding.described import _genres_of

    genres = _genres_of(word)
    having = [it for it in items if genres & set(it.genre_keys)]
    label = next((g for it in having for g in it.genres if genre_key(g) in genres), None) or \
        next((catalog.genres[g] for g in sorted(genres) if g in catalog.genres), word)
    degree = f"The catalog does not say how {word} each one is. " if word in MOOD_GENRES else ""
    if not having:
        return f"{degree}None of these is listed as {label}.", None
    if len(having) == 1:
        return f"{degree}Of these, only {having[0].name} is listed as {label}.", having[0].id
    return f"{degree}Of these, {_join([it.name for it in having])} are listed as {label}.", None


# What the catalog says when it lacks the fact a question asks for, about one item or several at once: which field
# answers it (None: no pack format carries it yet, running times and page counts) and the sentence.
_MISSING: dict[str, tuple[str | None, str]] = {
    "author": (None, "The catalog does not say who wrote {names}."),
    "director": ("directors", "The catalog does not say who directed {names}."),
    "cast": ("cast", "The catalog does not list the cast of {names}."),
    "year": ("year", "The catalog does not give a year for {names}."),
    "price": ("price", "The catalog has no price for {names}."),
    "length": (None, "The catalog does not say how long {names} {be}."),
    "genre": ("genres", "The catalog lists no genre for {names}."),
}


WRITERS = ("author", "writer")  # a pack whose `directors` are these answers "who wrote it?" from that field


def _asked(question: Question, catalog: Catalog) -> Question:
    """The question the catalog can answer: "who wrote it?" is about the `directors` field in a pack that says its
    people there are authors; elsewhere it stays a question the catalog has no field for."""
    return "director" if question == "author" and catalog.credits.directors in WRITERS else question


def _lacks(question: Question, item) -> bool:
    if question not in _MISSING:
        return False
    field = _MISSING[question][0]
    return field is None or getattr(item, field) in (None, (), [], "")


def _missing(question: Question, names: list[str], catalog: Catalog) -> str:
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    if question == "length" and len(names) > 1:
        joined = _join(names)
    default = Credits()
    if question in ("director", "cast") and catalog.credits != default:  # a pack that names its people otherwise
        role = catalog.credits.directors if question == "director" else catalog.credits.cast
        return f"The catalog does not name the {role} of {joined}."
    return _MISSING[question][1].format(names=joined, be="is" if len(names) == 1 else "are")


def answer_many(question: Question, item_ids: list[str], catalog: Catalog, currency: str = "$") -> str:
    """The same question about several items ("who directed the first three?"): each item the catalog answers for in
    turn, then those it does not in one sentence instead of the same one again and again."""
    question = _asked(question, catalog)
    if question == "other":  # a kind of fact no catalog field holds: one sentence, the words asked not repeated
        names = [catalog.get(i).name for i in item_ids]
        return f"The catalog does not say that about {_join(names)}."
    lacking = [i for i in item_ids if _lacks(question, catalog.get(i))]
    known = [answer(question, i, catalog, currency) for i in item_ids if i not in lacking]
    return " ".join(known + ([_missing(question, [catalog.get(i).name for i in lacking], catalog)] if lacking else []))


def answer(question: Question, item_id: str, catalog: Catalog, currency: str = "$") -> str:
    """One short answer about the item, true of the catalog."""
    question = _asked(question, catalog)
    item = catalog.get(item_id)
    name = item.name
    credits = catalog.credits
    if _lacks(question, item):
        return _missing(question, [name], catalog)
    if question == "director":
        return f"{name} was {credits.directed_by.lower()} {_join(item.directors)}."
    if question == "cast":
        return f"{name}: {credits.starring.lower()} {_join(item.cast)}." if credits.starring != "Starring" \
            else f"{name} stars {_join(item.cast)}."
    if question == "year":
        return f"{name} is from {item.year}."
    if question == "price":
        return f"{name} costs {money(item.price, currency)}."
    if question == "suitability":  # nor age ratings: say what is known, and no more
        listed = f" It is listed as {_join(item.genres)}." if item.genres else ""
        return f"The catalog has no age rating for {name}.{listed}"
    if question == "genre":
        return f"{name} is listed as {_join(item.genres)}."
    if question == "about":
        if item.description:
            return f"{name}: {item.description}"
        if item.tags:
            return f"The catalog has no synopsis of {name}; people tagged it " + _join([f"“{t}”" for t in item.tags[:5]]) + "."
        return f"The catalog has no synopsis of {name}."
    if question == "rating":
        return f"{name}: {_rating(item_id, catalog)}"
    # a question the catalog has no field for ("has it got subtitles?"): say so, then what it does say (the words
    # asked are never repeated: they are the person's, not the catalog's)
    parts = [f"The catalog does not say that about {name}. It is" + (f" listed as {_join(item.genres)}." if item.genres
                                                                     else " in the catalog.")] \
        if question == "other" else [f"{name}" + (f" is listed as {_join(item.genres)}." if item.genres else ".")]
    if item.directors:
        parts.append(f"{credits.directed_by} {_join(item.directors)}.")
    if item.cast:
        parts.append(f"{credits.starring} {_join(item.cast)}.")
    if item.price is not None:
        parts.append(f"It costs {money(item.price, currency)}.")
    if item.description:
        parts.append(item.description)
    elif item.tags:
        parts.append("People tagged it " + _join([f"“{t}”" for t in item.tags[:5]]) + ".")
    parts.append(_rating(item_id, catalog))
    return " ".join(parts)
