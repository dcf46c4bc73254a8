"""Finding catalog items named in a message: exact and fuzzy title matching, with or without a year."""

from __future__ import annotations

import math
import re
from collections.abc import Container, Mapping
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from assistant.understanding.lexicon import ENGLISH
from retrieval.catalog import Catalog, fold_text

_ARTICLES = ("the ", "a ", "an ")
WORD = re.compile(r"[\w'’&]+")  # a word as titles are read: "Ocean's", "Fast & Furious"
_AKA = re.compile(r"\((?:a\.k\.a\.|aka)\s*([^)]*)\)", re.I)
_PAREN = re.compile(r"\([^)]*\)")
# words that alone or together never make a title worth matching without a cue
_COMMON = set(
    "a an the and or of in on to for with from movie movies film films something anything one some me my i you "
    "like love good great best new old funny scary it is this that more other".split()
)
_EVERYDAY = _COMMON | ENGLISH  # words that together make an everyday phrase, not a title, unless capitalised


def everyday_phrase(span: str) -> bool:
    """Whether a span written in lower case is made of everyday words only ("the first time"): such a span names
    a title only where it is written capitalised, cited with its year, or cued."""
    words = WORD.findall(span)
    return not all(w[:1].isupper() or w[:1].isdigit() for w in words) and all(
        w in _EVERYDAY or (w.endswith("s") and w[:-1] in _EVERYDAY) for w in fold_text(span).split())  # "others"


@dataclass(frozen=True, slots=True)
class TitleMatch:
    """An item named in a message: which item, where (character span in the message), how sure (0-100), and the word
    of liking or dislike it was found after ("loved" in "I loved X, Y and Z"), if any."""

    item_id: str
    start: int
    end: int
    score: float
    cue: str | None = None


FUZZY_CUTOFF = 88.0
# From this many title forms, a fuzzy lookup compares only forms that share the span's first or last
# character (a typo at both ends at once is rare); below it, every form of a fitting length.
BLOCKED_FROM = 200_000


class TitleIndex:
    """Every way a catalog title may be written, mapped to item ids (most popular first).

    A form naming one item maps to its id, one naming several to a tuple of ids (most items have one
    form and one id, and a million one-element lists would cost 60 MB). Fuzzy lookup compares a span
    only with forms whose length allows the score cutoff at all (fuzz.ratio >= 88 needs the shorter
    to be at least 0.786 of the longer), grouped by length so that is a slice, not a scan.
    """

    def __init__(self, catalog: Catalog, known: Mapping[str, float] | None = None) -> None:
        """`known`: how well known each item is (the catalog's own ratings by default; a catalog without any may
        give the popularity it borrows), to tell items of one name apart: the best known first, and between two
        as well known, the one whose title is the form itself ("Black Panther" before "The Black Panther")."""
        variants: dict[str, str | tuple[str, ...]] = {}
        rated = catalog.n_ratings if known is None else known
        order = sorted(catalog.ids, key=lambda i: -rated.get(i, 0)) if rated else catalog.ids
        indirect: set[tuple[str, str]] = set()  # (form, item) reached only by dropping an article
        for iid in order:
            title = catalog.get(iid).title
            forms = {title}
            if "(" in title:
                forms.add(_PAREN.sub(" ", title))
                forms |= {m.group(1) for m in _AKA.finditer(title)}
            own = {fold_text(f) for f in forms}
            for form in forms:
                norm = fold_text(form)
                if not norm:
                    continue
                for v in {norm, *(norm[len(a) :] for a in _ARTICLES if norm.startswith(a))}:
                    if len(v) >= 2:
                        if v not in own:
                            indirect.add((v, iid))
                        had = variants.get(v)
                        if had is None:
                            variants[v] = iid
                        elif isinstance(had, str):
                            if had != iid:
                                variants[v] = (had, iid)
                        elif iid not in had:
                            variants[v] = (*had, iid)
        for v, had in variants.items():
            if isinstance(had, tuple) and any((v, i) in indirect for i in had):
                variants[v] = tuple(sorted(had, key=lambda i: (-rated.get(i, 0), (v, i) in indirect)))
        self._catalog = catalog
        self._variants = variants
        # forms by length for fuzzy lookup; _rank[i] is where keys[i] was added (forms of popular items first)
        added = list(variants)
        lengths = np.fromiter((len(k) for k in added), dtype=np.int32, count=len(added))
        self._rank = np.argsort(lengths, kind="stable").astype(np.int32)
        keys = [added[i] for i in self._rank]
        del added
        self._keys = keys
        self._lengths = lengths[self._rank]
        self._blocks: dict[str, np.ndarray] | None = None
        if len(keys) >= BLOCKED_FROM:
            firsts: dict[str, list[int]] = {}
            lasts: dict[str, list[int]] = {}
            for i, k in enumerate(keys):
                firsts.setdefault(k[0], []).append(i)
                lasts.setdefault(k[-1], []).append(i)
            self._blocks = {f"<{c}": np.array(v, dtype=np.int32) for c, v in firsts.items()}
            self._blocks |= {f">{c}": np.array(v, dtype=np.int32) for c, v in lasts.items()}
        self._common = _COMMON
        self._max_words = max((v.count(" ") + 1 for v in variants), default=1)

    def __len__(self) -> int:
        """How many title forms the index holds."""
        return len(self._variants)

    def ids(self, form: str) -> tuple[str, ...]:
        """Items a normalized form names, most popular first."""
        had = self._variants.get(form)
        return () if had is None else (had,) if isinstance(had, str) else had

    def dated(self, form: str, year: int) -> str | None:
        """The item a form names from `year`; else, the most popular one whose entry records no year (its year is
        unknown, not another: a sparse catalog's "Taken" is the "Taken (2008)" a person cites); else None."""
        ids = self.ids(form)
        return next((i for i in ids if self._catalog.get(i).year == year), None) \
            or next((i for i in ids if self._catalog.get(i).year is None), None)

    @staticmethod
    def unarticled(norm: str) -> str:
        """A normalized form without its leading article ("the martian" -> "martian")."""
        return next((norm[len(a) :] for a in _ARTICLES if norm.startswith(a)), norm)

    def pick(self, form: str, year: int | None) -> str:
        """The item a form names: of `year` where one is (`dated`), else the best known."""
        return (self.dated(form, year) if year is not None else None) or self.ids(form)[0]

    def exact(self, norm: str) -> bool:
        """Whether a form matches without a cue: 2+ words, 6+ characters, not all common words."""
        words = norm.split()
        return len(words) >= 2 and len(norm) >= 6 and norm in self._variants and not all(w in _COMMON for w in words)

    def lookup(self, span: str, min_score: float = FUZZY_CUTOFF) -> tuple[str, float] | None:
        """The item a span of text names, fuzzily; a trailing year ('Solaris 1972', '(2002)') picks among remakes."""
        year = None
        m = YEAR_ENDING.search(span)
        if m and m.start() > 0:
            year = int(m.group(1))
            span = span[: m.start()]
        norm = fold_text(span)
        if len(norm) < 2:
            return None
        if norm in self._variants:
            return self.pick(norm, year), 100.0
        if len(norm) < 5:  # fuzzy matching on very short strings is mostly noise
            return None
        best = self._fuzzy(norm, min_score)
        if best is None:
            return None
        return self.pick(best[0], year), best[1]

    def _fuzzy(self, norm: str, min_score: float) -> tuple[str, float] | None:
        share = min_score / (200.0 - min_score)  # the length ratio a score of min_score needs at least
        lo = int(np.searchsorted(self._lengths, math.ceil(len(norm) * share - 1e-9), "left"))
        hi = int(np.searchsorted(self._lengths, math.floor(len(norm) / share + 1e-9), "right"))
        if self._blocks is None:
            picked = np.arange(lo, hi)
        else:
            rows = [b[(b >= lo) & (b < hi)] for key in (f"<{norm[0]}", f">{norm[-1]}")
                    if (b := self._blocks.get(key)) is not None]
            picked = np.unique(np.concatenate(rows)) if rows else np.zeros(0, dtype=np.int32)
        choices = self._keys[lo:hi] if self._blocks is None else [self._keys[i] for i in picked]
        best = process.extractOne(norm, choices, scorer=fuzz.ratio, score_cutoff=min_score)
        if best is None:
            return None
        # among forms scoring the same, the one added first (forms of more popular items come first)
        # (rapidfuzz misses a cutoff equal to the score itself; distinct scores differ by far more than 0.01)
        ties = process.extract(norm, choices, scorer=fuzz.ratio, score_cutoff=best[1] - 0.01, limit=None)
        first = min((int(picked[t[2]]) for t in ties if t[1] >= best[1] - 1e-9), key=lambda i: self._rank[i],
                    default=int(picked[best[2]]))
        return self._keys[first], float(best[1])

    def find_exact(self, message: str, single_words: bool = False, lower_pairs: bool = False) -> list[TitleMatch]:
        """Titles written out in the message without a cue, longest first, not overlapping.

        Three or more words match in any case, unless every one is an everyday word ("the first time");
        two words only when written capitalised ("Galaxy Quest"), since pairs like "about time" are everyday
        phrases too. With
        `single_words` (questions about an item), one capitalised word that is not the message's first word matches
        a one-word title ("when did Titanic come out?"); with `lower_pairs` (a question about no pronoun), two words
        match in lower case too ("who directed toy story?"). Any title
        cited with its year in brackets matches when the catalog has it from that year ("Coco (2017)"), or has it
        without a year (`dated`).
        """
        words = [(m.group(0), m.start(), m.end()) for m in WORD.finditer(message)]
        found: list[TitleMatch] = []
        taken: set[int] = set()
        for n in range(min(self._max_words, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                if taken & set(range(i, i + n)):
                    continue
                start, end = words[i][1], words[i + n - 1][2]
                norm = fold_text(message[start:end])
                cited = _cited_year(message, end)
                if cited is not None and norm in self._variants:
                    picked = self.dated(norm, cited)
                    if picked is not None:  # "Deadpool (2016)", "It (2017)": cited with its year (or one not recorded)
                        found.append(TitleMatch(picked, start, end, 100.0))
                        taken |= set(range(i, i + n))
                        continue
                if n == 2 and not lower_pairs and not all(w[0][:1].isupper() or w[0][:1].isdigit()
                                                          for w in words[i : i + n]):
                    continue
                if everyday_phrase(message[start:end]):
                    continue  # "the first time i saw it", "the last time": an everyday phrase needs its capitals
                if n == 1:
                    w = words[i][0]
                    # asked about, one word names a title capitalised, or in lower case where it is no everyday
                    # word ("who directed jaws?", "what's inception about")
                    capitalised = i > 0 and w[:1].isupper() and len(w) >= 4
                    if single_words and (capitalised or (len(w) >= 4 and w.islower() and w not in ENGLISH)) \
                            and norm in self._variants and norm not in self._common:
                        found.append(TitleMatch(self.pick(norm, _year_after(message, end)), start, end, 100.0))
                        taken.add(i)
                    continue
                if self.exact(norm):
                    year = _year_after(message, end)
                    found.append(TitleMatch(self.pick(norm, year), start, end, 100.0))
                    taken |= set(range(i, i + n))
        return found


_CITED = re.compile(r"\s?\((1[89]\d\d|20\d\d)\)")
_PRONOUNS = {"her", "him", "them", "us", "it", "they", "she", "he", "those", "these", "this", "that", "you", "me"}
_KIND_AFTER = re.compile(r"\s+(?:movies|films|flicks|ones|stuff|type|kind|genre|shows)\b")


def a_kind_not_a_title(span: str, after: str, genres: Container[str], keywords: Container[str]) -> bool:
    """Whether words after "I like" name a kind of film, not a title: a genre or mood ("I like comedy",
    "something like a scary movie", not The Comedy or Scary Movie), or in lower case a pronoun or a word
    before "movies" ("I like her movies", "war movies", "superhero movies")."""
    written = span.strip("?!'\"").split()
    words = [w.casefold() for w in written]
    while words and words[0] in ("a", "an", "the", "some"):
        words = words[1:]
    while words and words[-1] in ("movie", "movies", "film", "films", "one", "ones"):
        words = words[:-1]
    kind = " ".join(words)
    if kind in genres or (kind in keywords and span.islower()):
        return len(words) == len(written) or not written[-1][:1].isupper()  # "Scary Movie" is a title
    if not words:
        return True
    return span.islower() and (
        (len(words) == 1 and words[0] in _PRONOUNS) or bool(_KIND_AFTER.match(after))
        or written[-1] in ("movies", "films"))  # "superhero movies"


def _cited_year(message: str, end: int) -> int | None:
    """The year in brackets right after `end` ("Coco (2017)"), or None."""
    m = _CITED.match(message, end)
    return int(m.group(1)) if m else None


YEAR_AFTER = re.compile(r"\s*\(?(1[89]\d\d|20\d\d)\)?")  # the year written after a title: "Heat (1995)", "Heat 1995"
YEAR_ENDING = re.compile(r"\(?\b(1[89]\d\d|20\d\d)\)?\s*$")  # a span that ends with its year: "Solaris 1972"


def _year_after(message: str, end: int) -> int | None:
    m = YEAR_AFTER.match(message, end)
    return int(m.group(1)) if m else None
