"""Models trained on another pack, used on this catalog: how a MovieLens-trained EASE serves a catalog that has no
interactions of its own (a new operator's, or a benchmark's with `crs eval benchmark --zero-shot`).

Items are matched by normalised title and year (`match_by_title`); the model sees the request in its own
pack's ids and its scores come back in this catalog's (`TransferredModel`). Which pack to borrow from is chosen
by how much of the catalog it matches (`choose_source`): a catalog of another kind matches almost nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.recommenders import Context


class TransferredModel:
    """A model trained on another pack, used on this catalog through items matched by title and year. Not saved
    itself: it is rebuilt when loaded from its source pack's saved model and the two catalogs.

    How a MovieLens-trained EASE serves a benchmark's catalog with no interactions of its own
    (zero-shot): seeds are translated to the source pack's ids, scores and candidates back."""

    def __init__(self, model, to_source: dict[str, str]) -> None:
        self.model = model
        self.name = model.name
        self.data_hash = model.data_hash
        self.to_source = to_source
        self.to_target = {s: t for t, s in to_source.items()}

    def _ctx(self, ctx: Context) -> Context:
        m = lambda ids: [self.to_source[i] for i in ids if i in self.to_source]  # noqa: E731
        return Context(text=ctx.text, query=None, liked=m(ctx.liked), disliked=m(ctx.disliked),
                       mentioned=m(ctx.mentioned), recent=m(ctx.recent), history=m(ctx.history))

    def candidates(self, ctx: Context, n: int) -> list[str]:
        return [self.to_target[i] for i in self.model.candidates(self._ctx(ctx), n) if i in self.to_target]

    def features(self, ctx: Context, ids: Sequence[str]) -> dict[str, np.ndarray]:
        source_ids = [self.to_source.get(i, "") for i in ids]
        return self.model.features(self._ctx(ctx), source_ids)


def match_by_title(target_items, source_items) -> dict[str, str]:
    """Target item id -> source item id for items with the same normalised title and year (or the same
    title where the title is unique on both sides and one side lacks the year)."""

    def norm(title: str) -> str:
        text = unicodedata.normalize("NFKD", title)
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("&", " and ")
        text = re.sub(r"\s*\([^)]*\)", " ", text)  # "(a.k.a. ...)", "(1995)"
        text = re.sub(r"^(?:the|a|an)\s+", "", " ".join(re.sub(r"[^\w\s]|_", " ", text).split()))
        return text

    by_key: dict[tuple[str, int | None], list[str]] = {}
    by_title: dict[str, list[str]] = {}
    source_year: dict[str, int | None] = {}
    for it in source_items:
        source_year[it.id] = it.year
        key = norm(it.title)
        by_key.setdefault((key, it.year), []).append(it.id)
        by_title.setdefault(key, []).append(it.id)
    target_titles: dict[str, int] = {}
    for it in target_items:
        target_titles[norm(it.title)] = target_titles.get(norm(it.title), 0) + 1
    out: dict[str, str] = {}
    for it in target_items:
        key = norm(it.title)
        exact = by_key.get((key, it.year))
        if exact and it.year is not None:
            out[it.id] = exact[0]
        elif (len(by_title.get(key, ())) == 1 and target_titles[key] == 1
              and (it.year is None or source_year[by_title[key][0]] is None)):
            out[it.id] = by_title[key][0]
    return out


# The least share of a catalog's items a source pack must match for its models to be borrowed. Measured on the
# packs at hand: ReDial's movie catalog matches 58.7 % of its items in MovieLens; across kinds the matches are
# chance namesakes (ReDial in the books pack 1.1 %, the books in MovieLens 0.3 %). A tenth sits between the two.
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
