"""Explanation faithfulness: is every claim in a recommendation true of the item or its ranking evidence?

Each claim is re-derived from the catalog (and its interaction statistics), and the
explanation text must be exactly what its claims render to, so nothing unclaimed slips in.
"""

from __future__ import annotations

from assistant.dialogue.explain import render, stated_lift
from assistant.models import (
    CoLikedClaim,
    GenreClaim,
    PeopleClaim,
    PopularityClaim,
    Preferences,
    PriceClaim,
    Recommendation,
    SeriesClaim,
    SharedClaim,
    TagClaim,
    YearClaim,
)
from retrieval.catalog import Catalog, words
from retrieval.constraints import implied_in, open_in, satisfying


def claim_problems(rec: Recommendation, catalog: Catalog) -> list[str]:
    """Every false statement in one recommendation; an empty list means fully grounded."""
    if rec.item_id not in catalog:
        return [f"{rec.item_id}: not in the catalog"]
    item = catalog.get(rec.item_id)
    problems = []
    if (rec.title, rec.year, tuple(rec.genres), rec.price) != (item.title, item.year, item.genres, item.price):
        problems.append(f"{item.id}: title/year/genres/price differ from the catalog")
    if rec.explanation != render(rec.claims):
        problems.append(f"{item.id}: the explanation says more or other than its claims")
    for c in rec.claims:
        if isinstance(c, GenreClaim):
            wrong = [g for g in c.genres if g not in item.genres]
            if wrong:
                problems.append(f"{item.id}: not of genre {wrong}")
        elif isinstance(c, YearClaim):
            if c.year != item.year:
                problems.append(f"{item.id}: year {c.year} claimed, catalog says {item.year}")
        elif isinstance(c, PriceClaim):
            if c.price != item.price:
                problems.append(f"{item.id}: price {c.price} claimed, catalog says {item.price}")
        elif isinstance(c, TagClaim):
            wrong = [t for t in c.tags if t not in item.tags]
            if wrong:
                problems.append(f"{item.id}: not tagged {wrong}")
        elif isinstance(c, CoLikedClaim):
            if c.seed_id not in catalog or catalog.get(c.seed_id).name != c.seed_title:
                problems.append(f"{item.id}: seed {c.seed_id} is not {c.seed_title!r}")
            elif catalog.co_likers(c.seed_id, item.id) != c.n_users:
                problems.append(
                    f"{item.id}: {c.n_users} co-likers of {c.seed_title} claimed, "
                    f"data says {catalog.co_likers(c.seed_id, item.id)}"
                )
            elif stated_lift(catalog.lift(c.seed_id, item.id)) != c.lift:
                problems.append(f"{item.id}: liked {c.lift} times as often with {c.seed_title} claimed, "
                                f"data says {catalog.lift(c.seed_id, item.id):.3f}")
        elif isinstance(c, SharedClaim):
            if c.seed_id not in catalog or catalog.get(c.seed_id).name != c.seed_title:
                problems.append(f"{item.id}: seed {c.seed_id} is not {c.seed_title!r}")
            else:
                other = catalog.get(c.seed_id)
                wrong = [g for g in c.genres if g not in item.genres or g not in other.genres]
                wrong += [t for t in c.tags if t not in item.tags or t.casefold() not in
                          {x.casefold() for x in other.tags}]
                if wrong:
                    problems.append(f"{item.id}: {wrong} not shared with {c.seed_title}")
        elif isinstance(c, SeriesClaim):
            if c.seed_id not in catalog or catalog.get(c.seed_id).name != c.seed_title:
                problems.append(f"{item.id}: seed {c.seed_id} is not {c.seed_title!r}")
            elif not catalog.series.same(c.seed_id, item.id):
                problems.append(f"{item.id}: not of the series of {c.seed_title}")
        elif isinstance(c, PeopleClaim):
            names = item.directors if c.role == "director" else item.cast
            said = catalog.credits.directed_by if c.role == "director" else catalog.credits.starring
            if c.said_as and c.said_as != said:
                problems.append(f"{item.id}: {c.role} said as {c.said_as!r}, the pack says {said!r}")
            wrong = [n for n in c.names if n not in names]
            if wrong:
                problems.append(f"{item.id}: {wrong} not among its {c.role}")
        elif isinstance(c, PopularityClaim):
            if len(catalog.likers(item.id)) != c.n_users:
                problems.append(f"{item.id}: {c.n_users} likers claimed, data says {len(catalog.likers(item.id))}")
    return problems


def faithfulness(recs: list[Recommendation], catalog: Catalog) -> float:
    """Share of claims that are true, over all recommendations (1.0 when there are no claims)."""
    total = sum(len(r.claims) for r in recs)
    if total == 0:
        return 1.0
    bad = sum(min(len(claim_problems(r, catalog)), len(r.claims)) for r in recs)
    return 1.0 - bad / total


def constraint_violations(item_id: str, prefs: Preferences, catalog: Catalog) -> list[str]:
    """How a shown item breaks the user's active hard constraints (empty when it breaks none). In a field the
    catalog records too seldom for its absence to count (`open_in`), an item that lacks it breaks nothing: only
    what its entry records can break a constraint."""
    item = catalog.get(item_id)
    keys = set(item.genre_keys)
    implied = implied_in(catalog)
    unknown = open_in(catalog)
    genres_known = bool(keys) or "genres" not in unknown
    year_known = item.year is not None or "year" not in unknown
    out = []
    if genres_known and (lacking := sorted(g for g in prefs.include_genres if not satisfying(g, implied) & keys)):
        out.append(f"{item.name} lacks {lacking}")
    if genres_known and prefs.any_genres and not any(satisfying(g, implied) & keys for g in prefs.any_genres):
        out.append(f"{item.name} has none of {sorted(prefs.any_genres)}")
    if set(prefs.exclude_genres) & keys:
        out.append(f"{item.name} has excluded {sorted(set(prefs.exclude_genres) & keys)}")
    if ruled_out := sorted(k for k in prefs.exclude_keywords if k in {t.casefold() for t in item.tags}):
        out.append(f"{item.name} is tagged {ruled_out}, ruled out")
    if credited := sorted(p for p in prefs.exclude_people if item_id in catalog.items_with_person(p)):
        out.append(f"{item.name} credits {credited}, ruled out")
    if year_known and prefs.year_min is not None and (item.year is None or item.year < prefs.year_min):
        out.append(f"{item.name} is before {prefs.year_min}")
    if year_known and prefs.year_max is not None and (item.year is None or item.year > prefs.year_max):
        out.append(f"{item.name} is after {prefs.year_max}")
    if item.year is not None and (out_of := [f"{lo}-{hi}" for lo, hi in prefs.exclude_years if lo <= item.year <= hi]):
        out.append(f"{item.name} is from {item.year}, ruled out ({', '.join(out_of)})")
    if prefs.price_min is not None and (item.price is None or item.price < prefs.price_min):
        out.append(f"{item.name} costs less than {prefs.price_min} (or has no price)")
    if prefs.price_max is not None and (item.price is None or item.price > prefs.price_max):
        out.append(f"{item.name} costs more than {prefs.price_max} (or has no price)")
    if item.id in set(prefs.exclude_items) | set(prefs.disliked) | set(prefs.liked):
        out.append(f"{item.name} was excluded, disliked or already named")
    return out


ECHO_RUN = 3  # this many words of the message in a row, none of them known, is an echo


def content_words(assistant) -> frozenset[str]:
    """The words the operator's content carries: the catalog's titles, genres, tags and credits, and the help pages
    (a support answer quotes them). A reply may say these whatever the message was."""
    known = set(assistant.engine.catalog.vocabulary)
    desk = assistant.engine.support
    for passage in (desk.passages.values() if desk is not None else ()):
        known.update(words(f"{passage.doc_title} {passage.section} {passage.text}"))
    return frozenset(known)


def echoed(message: str, reply_text: str, known: frozenset[str] | set[str]) -> str | None:
    """A run of `ECHO_RUN` or more words of the message, none of them `known`, that the reply repeats in order; None
    when there is none. Words nobody placed, quoted back, let a sender put a sentence of their choosing in a reply."""
    said = words(message)
    reply = " " + " ".join(words(reply_text)) + " "
    run: list[str] = []
    for w in said + [""]:
        if w and w not in known:
            run.append(w)
            continue
        for size in range(len(run), ECHO_RUN - 1, -1):  # the longest repeated stretch of this unknown run
            for start in range(len(run) - size + 1):
                piece = run[start : start + size]
                if f" {' '.join(piece)} " in reply:
                    return " ".join(piece)
        run = []
    return None
