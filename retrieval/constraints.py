"""Hard constraints on what may be recommended, as a Chroma `where` filter and as a check on an item.

Both forms come from this one class, so the vector store's filter and the ranker's
final check can never disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from retrieval.catalog import Item, genre_key

# Genres a catalog leaves out because another one says it: IMDb-style catalogs keep three genres per film, so
# an animated film rarely also carries "family", and a musical is tagged "music" about as often as "musical".
# A request for the first genre is met by the others. Exclusions stay literal ("no family films" keeps animated
# films for grown-ups), and an explanation only ever names the genres an item has.
IMPLIED_BY: dict[str, tuple[str, ...]] = {
    "family": ("animation",),
    "children": ("animation",),
    "musical": ("music",),
    "music": ("musical",),
}


ALL_IMPLIED: frozenset[tuple[str, str]] = frozenset((g, by) for g, bys in IMPLIED_BY.items() for by in bys)
# A catalog that gives the genre to at least this share of the implying genre's items tags it itself, on purpose.
IMPLIED_SHARE = 1 / 3


def implications(genre_sets: Iterable[Iterable[str]]) -> frozenset[tuple[str, str]]:
    """The (genre, implied by) pairs of `IMPLIED_BY` that hold in a catalog, given each item's genre keys.

    A pair holds where the catalog seldom gives the implying genre's items the genre itself: 16 % of the
    animated films in ReDial's IMDb genres carry "family". Where it often does (half of MovieLens's animated
    films carry "children"), the rest were left out on purpose (Akira, Ghost in the Shell), so an animated film
    does not pass for a children's film there."""
    having: Counter[tuple[str, str]] = Counter()
    both: Counter[tuple[str, str]] = Counter()
    for keys in genre_sets:
        keys = set(keys)
        for pair in ALL_IMPLIED:
            if pair[1] in keys:
                having[pair] += 1
                both[pair] += pair[0] in keys
    return frozenset(p for p in ALL_IMPLIED if having[p] and both[p] / having[p] < IMPLIED_SHARE)


def implied_in(catalog) -> frozenset[tuple[str, str]]:
    """`implications` of a catalog (anything iterating items with `genre_keys`), worked out once per catalog."""
    got = getattr(catalog, "_implied_genres", None)
    if got is None:
        got = implications(item.genre_keys for item in catalog)
        catalog._implied_genres = got
    return got


def satisfying(genre: str, implied: frozenset[tuple[str, str]] = ALL_IMPLIED) -> frozenset[str]:
    """The genres any of which meets a request for `genre`: itself and those that imply it."""
    return frozenset((genre, *(by for g, by in implied if g == genre)))


def _has_any(genres: frozenset[str]) -> dict:
    """The Chroma clause for "has at least one of these genres"."""
    ors = [{"genres": {"$contains": g}} for g in sorted(genres)]
    return ors[0] if len(ors) == 1 else {"$or": ors}


class Constraints(BaseModel):
    """Genres an item must all have, genres it needs at least one of, genres it must not have, an inclusive
    year range, an inclusive price range, ids never to show. A genre asked for is met by a genre that implies it in this catalog (`implied`:
    (genre, implied by) pairs, see `implications`; every pair of `IMPLIED_BY` when not given)."""

    model_config = ConfigDict(frozen=True)

    include_genres: frozenset[str] = frozenset()
    any_genres: frozenset[str] = frozenset()
    exclude_genres: frozenset[str] = frozenset()
    year_min: int | None = None
    year_max: int | None = None
    price_min: float | None = None
    price_max: float | None = None
    exclude_ids: frozenset[str] = frozenset()
    implied: frozenset[tuple[str, str]] = ALL_IMPLIED

    def satisfying(self, genre: str) -> frozenset[str]:
        return satisfying(genre, self.implied)

    def where(self) -> dict | None:
        """The Chroma metadata filter for these constraints (ids are filtered after the query)."""
        clauses: list[dict] = []
        clauses += [_has_any(self.satisfying(g)) for g in sorted(self.include_genres)]
        if self.any_genres:
            clauses.append(_has_any(frozenset().union(*(self.satisfying(g) for g in self.any_genres))))
        clauses += [{"genres": {"$not_contains": g}} for g in sorted(self.exclude_genres)]
        if self.year_min is not None:
            clauses.append({"year": {"$gte": self.year_min}})
        if self.year_max is not None:
            clauses.append({"year": {"$lte": self.year_max}})
        if self.price_min is not None:
            clauses.append({"price": {"$gte": float(self.price_min)}})
        if self.price_max is not None:
            clauses.append({"price": {"$lte": float(self.price_max)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def allows(self, item: Item) -> bool:
        """True when the item satisfies every constraint; an unknown year or price fails any bound on it."""
        if item.id in self.exclude_ids:
            return False
        keys = {genre_key(g) for g in item.genres}
        if self.exclude_genres & keys or not all(self.satisfying(g) & keys for g in self.include_genres):
            return False
        if self.any_genres and not any(self.satisfying(g) & keys for g in self.any_genres):
            return False
        if self.year_min is not None and (item.year is None or item.year < self.year_min):
            return False
        if self.year_max is not None and (item.year is None or item.year > self.year_max):
            return False
        if self.price_min is not None and (item.price is None or item.price < self.price_min):
            return False
        if self.price_max is not None and (item.price is None or item.price > self.price_max):
            return False
        return True
