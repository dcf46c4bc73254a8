"""Models trained on another pack, used on this catalog: how a MovieLens-trained EASE serves a catalog that has no
interactions of its own (a new operator's, or a benchmark's with `crs eval benchmark --zero-shot`).

Items are matched by normalised title and year (`match_by_title`); the model sees the request in its own
pack's ids and its scores come back in this catalog's (`TransferredModel`). Which pack to borrow from is chosen
by how much of the catalog it matches (`choose_source`): a catalog of another kind matches almost nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.catalog import fold_text
from retrieval.recommenders import Context


class TransferredModel:
    """A model trained on another pack, used on this catalog through items matched by title and year. Not saved
    itself: it is rebuilt when loaded from its source pack's saved model and the two catalogs.

    How a MovieLens-trained EASE serves a benchmark's catalog with no interactions of its own
    (zero-shot): seeds are translated to the source pack's ids, scores and candidates back."""

    def __init__(self, model, to_source: dict[str, str], unseen: frozenset[str] = frozenset()) -> None:
        """`unseen`: this catalog's items the source could not have known (`after_source`): the model's scores of
        them are unknown, not low, and the ranker treats them so (`retrieval.ranker`)."""
        self.model = model
        self.name = model.name
        self.data_hash = model.data_hash
        self.to_source = to_source
        self.to_target = {s: t for t, s in to_source.items()}
        self.unseen = unseen

    def _ctx(self, ctx: Context) -> Context:
        m = lambda ids: [self.to_source[i] for i in ids if i in self.to_source]  # noqa: E731
        return Context(text=ctx.text, query=None, liked=m(ctx.liked), disliked=m(ctx.disliked),
                       mentioned=m(ctx.mentioned), recent=m(ctx.recent), history=m(ctx.history))

    def candidates(self, ctx: Context, n: int) -> list[str]:
        return [self.to_target[i] for i in self.model.candidates(self._ctx(ctx), n) if i in self.to_target]

    def features(self, ctx: Context, ids: Sequence[str]) -> dict[str, np.ndarray]:
        source_ids = [self.to_source.get(i, "") for i in ids]
        return self.model.features(self._ctx(ctx), source_ids)


def after_source(items: Sequence, to_source: dict[str, str], newest_year: int | None) -> frozenset[str]:
    """The items that came out after the newest item of the source pack, which it therefore lacks for want of time,
    not of interest: a source pack's absence from the record says an item is obscure only for the years it covers
    (MovieLens ml-latest-small ends in 2018; a 2019 film it lacks may be the year's most watched). Items without a
    year, or matched, are not among them."""
    if newest_year is None:
        return frozenset()
    return frozenset(it.id for it in items
                     if it.id not in to_source and it.year is not None and it.year > newest_year)


_ARTICLES = r"the|a|an|les|la|le|l|il|el|der|die|das"
_SUBTITLE = re.compile(r"\s*(?::|\s[-\u2013\u2014]\s)\s*")  # "Borat: Cultural Learnings ...", "Infinity War - Part I"
_PAREN = re.compile(r"\s*\(([^)]*)\)")


def _norm(title: str) -> str:
    """Casefolded; accents, punctuation, spaces and a leading or trailing article dropped ("Godfather, The"); "Vol.
    2" as "2"; what is in parentheses is left to `_titles`."""
    text = re.sub(rf",\s*(?:{_ARTICLES})'?\s*$", "", _PAREN.sub(" ", title).strip(), flags=re.I)  # "Godfather, The"
    text = re.sub(rf"^(?:{_ARTICLES})\s+", "", fold_text(text))
    return re.sub(r"\b(?:vol|volume)\s+(?=\d)", "", text).replace(" ", "")  # "Chain Saw" is "Chainsaw"


def _titles(title: str) -> tuple[set[str], set[str]]:
    """The names an entry goes by (its title; what parentheses give as another: "Ringu (Ring)", "Twelve Monkeys
    (a.k.a. 12 Monkeys)") and its short names, the title before each subtitle ("Star Wars: Episode IV - A New
    Hope" is also "Star Wars" and "Star Wars: Episode IV")."""
    names = {_norm(title)}
    names |= {_norm(re.sub(r"^\s*a\.?k\.?a\.?\s*", "", a, flags=re.I)) for a in _PAREN.findall(title)}
    bare = _PAREN.sub(" ", title)
    shorts = {_norm(bare[: m.start()]) for m in _SUBTITLE.finditer(bare) if m.start() > 0}
    return names - {""}, shorts - {""} - names


def match_by_title(target_items, source_items) -> dict[str, str]:
    """Target item id -> source item id, for items two catalogs spell differently. Tried in turn, each only where
    it finds one source item:

    1. the same title (or a name in parentheses: "Ringu (Ring)") and year;
    2. the same title where the source has it once, without a year;
    3. the same title a year apart (databases disagree on release years: Black Hawk Down is 2001 or 2002);
    4. the title before the other's subtitle, in the same year ("Jumanji (2017)" is "Jumanji: Welcome to the
       Jungle (2017)", not "Jumanji (1995)"; "Avengers: Infinity War" is "... - Part I"). A year apart or without a
       year, a short name is too often another film of a series.

    An entry without a year takes the year its title has elsewhere in its own catalog (a catalog that lists a film
    twice, once with a year, maps both); without one anywhere, it needs the source's only item of that title. A
    source item without a year takes a title only where it has one year here."""
    by_name: dict[str, list] = {}
    by_short: dict[str, list] = {}
    for it in source_items:
        names, shorts = _titles(it.title)
        for n in names:
            by_name.setdefault(n, []).append(it)
        for s in shorts:
            by_short.setdefault(s, []).append(it)
    years: dict[str, set[int]] = {}
    for it in target_items:
        if it.year is not None:
            years.setdefault(_norm(it.title), set()).add(it.year)

    def only(found: list) -> str | None:
        return found[0].id if found and len({s.id for s in found}) == 1 else None

    def near(found: list, year: int, known: set[int]) -> str | None:
        """The one source item a year apart, unless another year of this title here is as near to it (two films
        a year either side of it: The Circle 2015 and 2017 against a 2016 entry)."""
        match = only([s for s in found if s.year is not None and abs(s.year - year) == 1])
        year_there = next((s.year for s in found if s.id == match), None)
        rivals = [y for y in known if y != year and y != year_there and year_there is not None
                  and abs(y - year_there) <= 1]
        return None if rivals else match

    out: dict[str, str] = {}
    for it in target_items:
        names, _ = _titles(it.title)
        same = [s for n in names for s in by_name.get(n, ())]
        short = [s for n in names for s in by_short.get(n, ())]
        known = years.get(_norm(it.title), set())
        year = it.year if it.year is not None else next(iter(known)) if len(known) == 1 else None
        if year is not None and (exact := [s for s in same if s.year == year]):
            match = exact[0].id
        elif year is None:  # no year here, or several for this title
            match = only(same) if not known else None
        else:
            undated = len(same) == 1 and same[0].year is None and len(known) == 1
            match = (same[0].id if undated else None) or near(same, year, known)
            if not match and all(s.year is not None and abs(s.year - year) > 1 for s in same):
                match = only([s for s in short if s.year == year])
        if match:
            out[it.id] = match
    return out


# The least share of a catalog's items a source pack must match for its models to be borrowed. Measured on the
# packs at hand: ReDial's movie catalog matches 62.6 % of its items in MovieLens; across kinds the matches are
# chance namesakes (ReDial in the books pack 2.2 %, the books in MovieLens 0.9 %). A tenth sits between the two.
MIN_SHARE = 0.1


@dataclass(frozen=True)
class Source:
    """A pack chosen to borrow from, and how this catalog's items map onto its ids."""

    pack: object  # retrieval.pack.Pack
    mapping: dict[str, str]
    n_items: int

    @property
    def share(self) -> float:
        return len(self.mapping) / self.n_items if self.n_items else 0.0

    def describe(self) -> dict:
        return {"from": self.pack.name, "matched": len(self.mapping), "items": self.n_items,
                "share": round(self.share, 4)}


def choose_source(items: Sequence, packs: Sequence, min_share: float = MIN_SHARE) -> Source | None:
    """Of packs with interactions, the one matching the largest share of `items` by title and year, if that share
    is at least `min_share`; None when none does (a catalog of another kind, or no pack to borrow from)."""
    best: Source | None = None
    for pack in packs:
        if not pack.interactions or not items:
            continue
        source = Source(pack, match_by_title(items, pack.items), len(items))
        if source.share >= min_share and (best is None or source.share > best.share):
            best = source
    return best
