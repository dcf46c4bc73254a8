"""Hard constraints on what may be recommended, as a Chroma `where` filter and as a check on an item.

Both forms come from this one class, so the vector store's filter and the ranker's
final check can never disagree.
"""

from __future__ import annotations

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


def satisfying(genre: str) -> frozenset[str]:
    """The genres any of which meets a request for `genre`: itself and those that imply it."""
    return frozenset((genre, *IMPLIED_BY.get(genre, ())))


def _has_any(genres: frozenset[str]) -> dict:
    """The Chroma clause for "has at least one of these genres"."""
    ors = [{"genres": {"$contains": g}} for g in sorted(genres)]
    return ors[0] if len(ors) == 1 else {"$or": ors}


class Constraints(BaseModel):
    """Genres an item must all have, genres it needs at least one of, genres it must not have, an inclusive
    year range, ids never to show. A genre asked for is met by a genre that implies it (`IMPLIED_BY`)."""

    model_config = ConfigDict(frozen=True)

    include_genres: frozenset[str] = frozenset()
    any_genres: frozenset[str] = frozenset()
    exclude_genres: frozenset[str] = frozenset()
    year_min: int | None = None
    year_max: int | None = None
    exclude_ids: frozenset[str] = frozenset()

    def where(self) -> dict | None:
        """The Chroma metadata filter for these constraints (ids are filtered after the query)."""
        clauses: list[dict] = []
        clauses += [_has_any(satisfying(g)) for g in sorted(self.include_genres)]
        if self.any_genres:
            clauses.append(_has_any(frozenset().union(*(satisfying(g) for g in self.any_genres))))
        clauses += [{"genres": {"$not_contains": g}} for g in sorted(self.exclude_genres)]
        if self.year_min is not None:
            clauses.append({"year": {"$gte": self.year_min}})
        if self.year_max is not None:
            clauses.append({"year": {"$lte": self.year_max}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def allows(self, item: Item) -> bool:
        """True when the item satisfies every constraint; an unknown year fails any year bound."""
        if item.id in self.exclude_ids:
            return False
        keys = {genre_key(g) for g in item.genres}
        if self.exclude_genres & keys or not all(satisfying(g) & keys for g in self.include_genres):
            return False
        if self.any_genres and not any(satisfying(g) & keys for g in self.any_genres):
            return False
        if self.year_min is not None and (item.year is None or item.year < self.year_min):
            return False
        if self.year_max is not None and (item.year is None or item.year > self.year_max):
            return False
        return True
