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
    TagClaim,
    YearClaim,
)
from retrieval.catalog import Catalog, genre_key, person_key
from retrieval.ranker import Candidate

MIN_CO_LIKERS = 2
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
    best = max(
        ((catalog.co_likers(seed, item.id), seed) for seed in prefs.liked if seed in catalog and seed != item.id),
        default=(0, ""),
    )
    if best[0] >= MIN_CO_LIKERS:
        claims.append(CoLikedClaim(seed_id=best[1], seed_title=catalog.get(best[1]).name, n_users=best[0]))
    else:
        likers = len(catalog.likers(item.id))
        if likers >= MIN_LIKERS:
            claims.append(PopularityClaim(n_users=likers))
    return claims


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
        elif isinstance(c, CoLikedClaim):
            parts.append(f"{c.n_users} people who liked {c.seed_title} also liked it.")
        elif isinstance(c, PopularityClaim):
            parts.append(f"{c.n_users} people liked it.")
        elif isinstance(c, PeopleClaim):
            said = c.said_as or ("Directed by" if c.role == "director" else "Starring")
            parts.append(f"{said} {_join(c.names)}.")
    return " ".join(parts)
