"""Typed catalog rows (items, interactions) and the in-memory catalog the assistant looks things up in."""

from __future__ import annotations

import functools
import marshal
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

_ARTICLE_SUFFIX = re.compile(r"^(?P<rest>.+), (?P<article>The|A|An|Les|La|Le|L'|Il|El|Das|Der|Die)$")


def genre_key(genre: str) -> str:
    """The canonical form of a genre used in filters and metadata: `Sci-Fi` -> `sci-fi`."""
    return " ".join(genre.casefold().split())


def person_key(name: str) -> str:
    """The canonical form of a person's name for matching: `Tom  Hanks` -> `tom hanks`."""
    return " ".join(name.casefold().split())


_PUNCT = re.compile(r"[^\w\s]|_")


def fold_text(text: str) -> str:
    """Casefolded, accent-free, punctuation-free, single-spaced, "&" as "and": how titles are compared, with each
    other (`retrieval.transfer`) and with what people type (`assistant.understanding.titles`)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold().replace("&", " and ")
    return " ".join(_PUNCT.sub(" ", text).split())


def display_title(raw: str) -> str:
    """Moves a trailing article to the front, as catalogs like MovieLens store it: `Matrix, The` -> `The Matrix`."""
    m = _ARTICLE_SUFFIX.match(raw.strip())
    if not m:
        return raw.strip()
    article = m.group("article")
    sep = "" if article.endswith("'") else " "
    return f"{article}{sep}{m.group('rest')}"


class Item(BaseModel):
    """One catalog item. Every fact an explanation may state about an item is a field here."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=500)
    year: int | None = Field(default=None, ge=1, le=2100)  # books go back to antiquity; before year 1 is no year
    genres: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    description: str = Field(default="", max_length=20_000)
    directors: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()
    price: float | None = Field(default=None, ge=0, le=1e9)

    @field_validator("id", "title", mode="before")
    @classmethod
    def _strip(cls, v: object) -> object:
        return v.strip() if isinstance(v, str) else v

    @property
    def name(self) -> str:
        """Title with year, as people refer to it: `Galaxy Quest (1999)`."""
        return f"{self.title} ({self.year})" if self.year else self.title

    @property
    def genre_keys(self) -> tuple[str, ...]:
        return tuple(genre_key(g) for g in self.genres)


_STORED = ("title", "year", "genres", "tags", "description", "directors", "cast", "price")  # every Item field but id
assert set(_STORED) | {"id"} == set(Item.model_fields)
CACHE_MAX = 65_536  # decoded items kept; a catalog this small is decoded once and then only looked up


class ItemTable(Sequence[Item]):
    """Validated items in pack order, stored compactly: one marshalled tuple of field values per item,
    decoded into an `Item` on access (about 3 us) and cached.

    A million pydantic objects take 1.5 GB; this takes about a fifth of that. Rows are only ever written
    by `add`, from items already validated, and never read from disk, so decoding needs no checks.
    """

    def __init__(self, items: Iterable[Item] = ()) -> None:
        self.ids: list[str] = []
        self.row: dict[str, int] = {}
        self._rows: list[bytes] = []
        self._cache: dict[int, Item] = {}
        for it in items:
            self.add(it)

    def add(self, item: Item) -> bool:
        """Appends an item; False (and nothing added) when its id is already here."""
        if item.id in self.row:
            return False
        self.row[item.id] = len(self.ids)
        self.ids.append(item.id)
        self._rows.append(marshal.dumps(tuple(getattr(item, f) for f in _STORED)))
        return True

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self.at(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.at(index)

    def __iter__(self) -> Iterator[Item]:
        for i in range(len(self)):
            yield self.at(i)

    def __contains__(self, item: object) -> bool:
        return isinstance(item, Item) and item.id in self.row

    def at(self, i: int) -> Item:
        item = self._cache.get(i)
        if item is None:
            values = marshal.loads(self._rows[i])
            item = Item.model_construct(None, id=self.ids[i], **dict(zip(_STORED, values)))
            if len(self._cache) >= CACHE_MAX:
                self._cache.clear()
            self._cache[i] = item
        return item

    def by_id(self, item_id: str) -> Item:
        """The item with this id (KeyError when there is none)."""
        return self.at(self.row[item_id])


class Interaction(BaseModel):
    """A user's interaction with an item: a rating, a purchase, a view. `rating` is None for implicit data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str = Field(min_length=1, max_length=200)
    item_id: str = Field(min_length=1, max_length=200)
    rating: float | None = None
    timestamp: int | None = None


class Credits(BaseModel):
    """How a pack's two people fields are said (the defaults are a movie catalog's; a bookshop's `directors` are
    its authors: `directors = "author"`, `directed_by = "Written by"`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    directors: str = Field("director", min_length=1, max_length=40)
    directed_by: str = Field("Directed by", min_length=1, max_length=40)
    cast: str = Field("cast", min_length=1, max_length=40)
    starring: str = Field("Starring", min_length=1, max_length=40)


class Catalog:
    """Items by id plus the interaction statistics the ranker and the explainer need.

    `positive_min_rating` decides what counts as "liked": an interaction with no rating,
    or a rating at or above it.
    """

    def __init__(
        self,
        items: Iterable[Item],
        interactions: Iterable[Interaction] = (),
        positive_min_rating: float = 4.0,
        credits: Credits | None = None,
        prior: dict[str, float] | None = None,
        noun: str = "item",
    ) -> None:
        """`prior`: how popular each item is by a count the catalog itself carries (ratings, sales), used as the
        popularity of a catalog that has no interactions; `credits`: how its people fields are said; `noun`: what
        one item is called ("movie", "book")."""
        self.credits = credits or Credits()
        self.noun = noun
        self.items: ItemTable = items if isinstance(items, ItemTable) else ItemTable(items)
        self.ids: list[str] = self.items.ids
        self.row: dict[str, int] = self.items.row
        self.positive_min_rating = positive_min_rating
        n_ratings: Counter[str] = Counter()
        rating_sum: Counter[str] = Counter()
        n_rated: Counter[str] = Counter()
        likers: dict[str, set[str]] = defaultdict(set)
        for x in interactions:
            if x.item_id not in self.row:
                continue
            n_ratings[x.item_id] += 1
            if x.rating is not None:
                rating_sum[x.item_id] += x.rating
                n_rated[x.item_id] += 1
            if x.rating is None or x.rating >= positive_min_rating:
                likers[x.item_id].add(x.user_id)
        self.n_ratings = n_ratings
        self.mean_rating = {i: rating_sum[i] / n for i, n in n_rated.items()}
        self._likers = {iid: frozenset(users) for iid, users in likers.items()}
        self.n_likers = len(set().union(*self._likers.values())) if self._likers else 0  # who liked anything
        counts = np.array([len(self._likers.get(i, ())) for i in self.ids], dtype=np.float32)
        # popularity prior in [0, 1]: log-scaled count of people who liked the item
        top = float(np.log1p(counts.max())) if len(counts) and counts.max() > 0 else 1.0
        self.popularity: np.ndarray = np.log1p(counts) / top
        if not counts.any() and prior:  # nobody's likes to count: the catalog's own count stands in, as a percentile
            own = np.array([max(0.0, prior.get(i, 0.0)) for i in self.ids], dtype=np.float64)
            # a feed's counts start anywhere (goodbooks' least rated book has 2,716 ratings): rank, not scale
            ranks = np.argsort(np.argsort(own, kind="stable"), kind="stable").astype(np.float32)
            self.popularity = np.where(own > 0, (ranks + 1) / len(own), 0.0).astype(np.float32)
        self.genres: dict[str, str] = {}
        self.by_tag: dict[str, list[str]] = defaultdict(list)
        self.by_person: dict[str, list[str]] = defaultdict(list)
        self.people: dict[str, str] = {}
        self.newest_year: int | None = None
        prices: list[float] = []
        for it in self.items:
            if it.year is not None and (self.newest_year is None or it.year > self.newest_year):
                self.newest_year = it.year
            if it.price is not None:
                prices.append(it.price)
            for g in it.genres:
                self.genres.setdefault(genre_key(g), g)
            for t in it.tags:
                self.by_tag[t.casefold()].append(it.id)
            for name in it.directors + it.cast:
                key = person_key(name)
                self.people.setdefault(key, name)
                self.by_person[key].append(it.id)
        self.prices: np.ndarray = np.sort(np.array(prices, dtype=np.float64))  # every known price, ascending

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.row

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def get(self, item_id: str) -> Item:
        return self.items.by_id(item_id)

    def likers(self, item_id: str) -> frozenset[str]:
        """Users who liked the item (see `positive_min_rating`)."""
        return self._likers.get(item_id, frozenset())

    def items_with_person(self, name: str) -> list[str]:
        """Items whose directors or cast include the person, or that people tagged with the name."""
        key = person_key(name)
        return list(dict.fromkeys(self.by_person.get(key, []) + self.by_tag.get(key, [])))

    @functools.cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every word of every title, genre, tag and credit, casefolded: what a reply may quote of a request."""
        return frozenset(w for it in self.items for w in item_words(it))

    @functools.cached_property
    def series(self):
        """The series its titles name (`retrieval.series.SeriesIndex`), built on first use."""
        from retrieval.series import SeriesIndex

        return SeriesIndex(self)

    def co_likers(self, a: str, b: str) -> int:
        """How many users liked both items."""
        return len(self.likers(a) & self.likers(b))

    def lift(self, a: str, b: str) -> float:
        """How many times as often people who liked `a` liked `b` as people overall did: P(b | a) / P(b), over the
        people who liked anything (0.0 when either item has no likers). 1.0 is what popularity alone gives."""
        n_a, n_b = len(self.likers(a)), len(self.likers(b))
        if not n_a or not n_b:
            return 0.0
        return (self.co_likers(a, b) / n_a) / (n_b / self.n_likers)


_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The casefolded words of a text, in order ("What's up?" -> what, s, up): how catalog words are told."""
    return _WORD.findall(text.casefold())


def item_words(item: Item) -> set[str]:
    """The casefolded words of an item's title, genres, tags and credits."""
    return set(words(" ".join([item.title, *item.genres, *item.tags, *item.directors, *item.cast])))
