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


# A field recorded by fewer than this share of a catalog's items is open: an item without it passes the constraints
# on it instead of failing them (see `Constraints`). Chosen by measurement, see `open_in`.
OPEN_BELOW = 0.95


def coverage(catalog) -> dict[str, float]:
    """The share of a catalog's items (anything iterating items) that record each constrainable field."""
    n = 0
    has = {"genres": 0, "year": 0, "price": 0}
    for item in catalog:
        n += 1
        has["genres"] += bool(item.genres)
        has["year"] += item.year is not None
        has["price"] += item.price is not None
    return {f: (c / n if n else 0.0) for f, c in has.items()}


def open_in(catalog, below: float | None = None) -> frozenset[str]:
    """The fields of a catalog whose absence is unknown rather than a mismatch: genres and year where the catalog
    records them for fewer than `below` of its items (a sparse catalog: an operator's feed, a benchmark's 61 %
    genres), worked out once per catalog. Where nearly every item records a field (MovieLens: 99.7 % genres), one
    that does not is an outlier that a request for the field should not surface. Prices stay strict: an item
    without a price is not for sale at any price asked for."""
    got = getattr(catalog, "_open_fields", None)
    if got is None:
        share = coverage(catalog)
        below = OPEN_BELOW if below is None else below
        got = frozenset(f for f in ("genres", "year") if share[f] < below)
        catalog._open_fields = got
    return got


def satisfying(genre: str, implied: frozenset[tuple[str, str]] = ALL_IMPLIED) -> frozenset[str]:
    """The genres any of which meets a request for `genre`: itself and those that imply it."""
    return frozenset((genre, *(by for g, by in implied if g == genre)))


def _has_any(genres: frozenset[str]) -> dict:
    """The Chroma clause for "has at least one of these genres"."""
    ors = [{"genres": {"$contains": g}} for g in sorted(genres)]
    return ors[0] if len(ors) == 1 else {"$or": ors}


# What each constraint reads, and the metadata flag that says whether an item records it (retrieval.store).
KNOWN_FLAG = {"genres": "has_genres", "year": "has_year", "price": "has_price"}


class Constraints(BaseModel):
    """Genres an item must all have, genres it needs at least one of, genres it must not have, an inclusive
    year range and year ranges ruled out, an inclusive price range, ids never to show. A genre asked for is met by a genre that implies it in
    this catalog (`implied`: (genre, implied by) pairs, see `implications`; every pair of `IMPLIED_BY` when not given).

    What an item's entry records is always a hard rule. What it leaves out is unknown: for a field in `open_fields`
    ("genres", "year", "price") an item without it passes the constraints on that field (it is neither ruled out nor
    said to match; the ranker's `unknown_fact` feature marks it); for any other field it fails them. Exclusions
    ("no horror") never rule out an item whose genres are unknown: nothing recorded breaks them."""

    model_config = ConfigDict(frozen=True)

    include_genres: frozenset[str] = frozenset()
    any_genres: frozenset[str] = frozenset()
    exclude_genres: frozenset[str] = frozenset()
    year_min: int | None = None
    year_max: int | None = None
    exclude_years: frozenset[tuple[int, int]] = frozenset()
    price_min: float | None = None
    price_max: float | None = None
    exclude_ids: frozenset[str] = frozenset()
    implied: frozenset[tuple[str, str]] = ALL_IMPLIED
    open_fields: frozenset[str] = frozenset()

    def satisfying(self, genre: str) -> frozenset[str]:
        return satisfying(genre, self.implied)

    def where(self) -> dict | None:
        """The Chroma metadata filter for these constraints (ids are filtered after the query)."""
        clauses: list[dict] = []
        wanted = [_has_any(self.satisfying(g)) for g in sorted(self.include_genres)]
        if self.any_genres:
            wanted.append(_has_any(frozenset().union(*(self.satisfying(g) for g in self.any_genres))))
        clauses += self._or_unknown("genres", wanted)
        clauses += [{"genres": {"$not_contains": g}} for g in sorted(self.exclude_genres)]
        clauses += self._or_unknown("year", [{"year": {op: y}} for op, y in (("$gte", self.year_min),
                                                                               ("$lte", self.year_max)) if y is not None])
        # a decade ruled out ("nothing from the 80s"): as with genres ruled out, nothing unrecorded breaks it
        clauses += [{"$or": [{"has_year": {"$eq": False}}, {"year": {"$lt": lo}}, {"year": {"$gt": hi}}]}
                    for lo, hi in sorted(self.exclude_years)]
        clauses += self._or_unknown("price", [{"price": {op: float(p)}} for op, p in (
            ("$gte", self.price_min), ("$lte", self.price_max)) if p is not None])
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def _or_unknown(self, field: str, clauses: list[dict]) -> list[dict]:
        """The clauses on one field, each also met by an item that does not record the field when it is open."""
        if not clauses or field not in self.open_fields:
            return clauses
        both = clauses[0] if len(clauses) == 1 else {"$and": clauses}
        return [{"$or": [{KNOWN_FLAG[field]: {"$eq": False}}, both]}]

    def allows(self, item: Item) -> bool:
        """True when the item satisfies every constraint (see `violations`)."""
        return not self.violations(item)

    def violations(self, item: Item) -> list[str]:
        """Why the item may not be shown, one reason per broken constraint: "named" (an id never to show),
        "genre", "year", "price" (what its entry records breaks the constraint) or "no genres", "no year",
        "no price" (it does not record what a constraint reads, and that field is not open). Empty: allowed."""
        out = ["named"] if item.id in self.exclude_ids else []
        keys = {genre_key(g) for g in item.genres}
        if self.include_genres or self.any_genres:
            if not keys:
                if "genres" not in self.open_fields:
                    out.append("no genres")
            elif not all(self.satisfying(g) & keys for g in self.include_genres) or (
                    self.any_genres and not any(self.satisfying(g) & keys for g in self.any_genres)):
                out.append("genre")
        if self.exclude_genres & keys and "genre" not in out:
            out.append("genre")
        if item.year is not None and any(lo <= item.year <= hi for lo, hi in self.exclude_years):
            out.append("year")
        for field, value, lo, hi in (("year", item.year, self.year_min, self.year_max),
                                     ("price", item.price, self.price_min, self.price_max)):
            if lo is None and hi is None:
                continue
            if value is None:
                if field not in self.open_fields:
                    out.append(f"no {field}")
            elif (lo is not None and value < lo) or (hi is not None and value > hi):
                out.append(field)
        return out

    def unknown(self, item: Item) -> int:
        """How many constrained fields the item passes only because it does not record them (0 for a known match)."""
        asked = {"genres": bool(self.include_genres or self.any_genres) and not item.genres,
                 "year": (self.year_min is not None or self.year_max is not None) and item.year is None,
                 "price": (self.price_min is not None or self.price_max is not None) and item.price is None}
        return sum(missing and field in self.open_fields for field, missing in asked.items())
