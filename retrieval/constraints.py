"""Hard constraints on what may be recommended, as a Chroma `where` filter and as a check on an item.

Both forms come from this one class, so the vector store's filter and the ranker's
final check can never disagree.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from retrieval.catalog import Item, genre_key


class Constraints(BaseModel):
    """Genres an item must all have, genres it needs at least one of, genres it must not have, an inclusive
    year range, ids never to show."""

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
        clauses += [{"genres": {"$contains": g}} for g in sorted(self.include_genres)]
        if len(self.any_genres) == 1:
            clauses.append({"genres": {"$contains": next(iter(self.any_genres))}})
        elif self.any_genres:
            clauses.append({"$or": [{"genres": {"$contains": g}} for g in sorted(self.any_genres)]})
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
        if not self.include_genres <= keys or self.exclude_genres & keys:
            return False
        if self.any_genres and not self.any_genres & keys:
            return False
        if self.year_min is not None and (item.year is None or item.year < self.year_min):
            return False
        if self.year_max is not None and (item.year is None or item.year > self.year_max):
            return False
        return True
