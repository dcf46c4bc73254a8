"""Grounded explanations: each recommendation's explanation is rendered from claims, and every claim
is a checkable fact about the item in the catalog or about the ranking evidence (see eval.faithfulness)."""

from __future__ import annotations

import re

from assistant.models import (
    Claim,
    CoLikedClaim,
    GenreClaim,
    PeopleClaim,
    PopularityClaim,
    Preferences,
    PriceClaim,
    SeriesClaim,
    SharedClaim,
    TagClaim,
    YearClaim,
)
from retrieval.catalog import Catalog, genre_key, person_key
from retrieval.ranker import Candidate

MIN_CO_LIKERS = 3  # fewer people who liked both is an anecdote, not evidence
MIN_LIFT = 1.5  # below this, liking both is mostly how popular the item is: not said as a reason
MIN_LIKERS = 5
MAX_GENRES = 3
MAX_TAGS = 2


def claims_for(candidate: Candidate, prefs: Preferences, catalog: Catalog, currency: str = "$") -> list[Claim]:
    """The facts worth saying about one candidate, given what the user asked for."""
    item = catalog.get(candidate.item_id)
    claims: list[Claim] = []
    # asked-for genres first, then moods, then the rest in catalog order
    rank = {g: 1 for g in prefs.mood_genres} | {g: 0 for g in prefs.include_genres + prefs.any_genres}
    genres = sorted(item.genres, key=lambda g: rank.get(genre_key(g), 2))[:MAX_GENRES]
    if genres:
        claims.append(GenreClaim(genres=genres))
    if item.year is not None:
        claims.append(YearClaim(year=item.year))
    if item.price is not None:
        claims.append(PriceClaim(price=item.price, currency=currency))
    asked = " ".join([prefs.query, *prefs.keywords, *prefs.people]).casefold()
    words = {w for w in re.findall(r"\w+", asked) if len(w) >= 3}
    tags = [t for t in item.tags if words & set(re.findall(r"\w+", t))][:MAX_TAGS]
    if tags:
        claims.append(TagClaim(tags=tags))
    # people asked for by name, and people the items they liked credit too (the ranker's people_match)
    wanted = set(prefs.people) | {person_key(n) for seed in prefs.liked if seed in catalog and seed != item.id
                                  for n in (*catalog.get(seed).directors, *catalog.get(seed).cast)}
    credits = catalog.credits
    for role, names, said in (("director", item.directors, credits.directed_by), ("cast", item.cast, credits.starring)):
        matched = [n for n in names if person_key(n) in wanted]
        if matched:
            claims.append(PeopleClaim(role=role, names=matched, said_as=said))
    series = next((s for s in reversed(prefs.liked) if s in catalog and catalog.series.same(s, item.id)), None)
    if series is not None:
        claims.append(SeriesClaim(seed_id=series, seed_title=catalog.get(series).name))
    shared = _shared(item, prefs, catalog, said_tags=set(tags))
    if shared is not None:
        claims.append(shared)
    evidence = [(stated_lift(catalog.lift(seed, item.id)), catalog.co_likers(seed, item.id), seed)
                for seed in prefs.liked if seed in catalog and seed != item.id]
    evidence = [e for e in evidence if e[1] >= MIN_CO_LIKERS and e[0] >= MIN_LIFT]
    if evidence:
        lift, co, seed = max(evidence)
        claims.append(CoLikedClaim(seed_id=seed, seed_title=catalog.get(seed).name, n_users=co, lift=lift))
    else:
        likers = len(catalog.likers(item.id))
        if likers >= MIN_LIKERS:
            claims.append(PopularityClaim(n_users=likers))
    return claims


def stated_lift(lift: float) -> float:
    """A lift as it is said: one decimal under 10 ("2.4 times"), whole above."""
    return round(lift, 1) if lift < 10 else float(round(lift))


def _shared(item, prefs: Preferences, catalog: Catalog, said_tags: set[str]) -> SharedClaim | None:
    """The genres and tags the item has in common with the liked item it shares most with (the latest on ties);
    tags already said as matching the request are not said twice."""
    best: tuple[int, SharedClaim] | None = None
    for seed in reversed(prefs.liked):
        if seed not in catalog or seed == item.id:
            continue
        other = catalog.get(seed)
        theirs = set(other.genres)
        genres = [g for g in item.genres if g in theirs][:MAX_GENRES]
        their_tags = {t.casefold() for t in other.tags}
        tags = [t for t in item.tags if t.casefold() in their_tags and t not in said_tags][:MAX_TAGS]
        n = len(genres) + 2 * len(tags)  # a tag people put on both says more than a broad genre
        if n and (best is None or n > best[0]):
            best = (n, SharedClaim(seed_id=seed, seed_title=other.name, genres=genres, tags=tags))
    return best[1] if best else None


def _times(lift: float) -> str:
    return f"{lift:.0f}" if lift >= 10 else f"{lift:.1f}"


def money(amount: float, currency: str = "$") -> str:
    """12.99 -> '$12.99', 20 -> '$20'; a currency written as a code or word goes after: '20 EUR'."""
    text = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{currency}{text}" if len(currency) <= 1 else f"{text} {currency}"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def render(claims: list[Claim]) -> str:
    """The explanation text: one short sentence per kind of claim, nothing else."""
    parts: list[str] = []
    genres = next((c for c in claims if isinstance(c, GenreClaim)), None)
    year = next((c for c in claims if isinstance(c, YearClaim)), None)
    price = next((c for c in claims if isinstance(c, PriceClaim)), None)
    # what the item is, in one sentence: "Comedy and Drama, from 2014, $12.99."
    facts = ([_join(genres.genres)] if genres else []) + ([f"from {year.year}"] if year else []) + (
        [money(price.price, price.currency)] if price else [])
    if facts:
        sentence = ", ".join(facts)
        parts.append((sentence if genres else sentence[0].upper() + sentence[1:]) + ".")
    for c in claims:
        if isinstance(c, TagClaim):
            parts.append("Tagged " + _join([f"“{t}”" for t in c.tags]) + ".")
        elif isinstance(c, SharedClaim):
            what = ([_join(c.genres)] if c.genres else []) + (
                [("the tag " if len(c.tags) == 1 else "the tags ") + _join([f"“{t}”" for t in c.tags])] if c.tags else [])
            parts.append(f"Shares {' and '.join(what)} with {c.seed_title}.")
        elif isinstance(c, SeriesClaim):
            parts.append(f"From the same series as {c.seed_title}.")
        elif isinstance(c, CoLikedClaim):
            parts.append(f"People who liked {c.seed_title} liked it {_times(c.lift)} times as often as people overall "
                         f"({c.n_users} liked both).")
        elif isinstance(c, PopularityClaim):
            parts.append(f"{c.n_users} people liked it.")
        elif isinstance(c, PeopleClaim):
            said = c.said_as or ("Directed by" if c.role == "director" else "Starring")
            parts.append(f"{said} {_join(c.names)}.")
    return " ".join(parts)
