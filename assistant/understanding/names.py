"""What a catalog's own words tell the readers: whether a word stands as written (everyday English, or a word of the
catalog's titles, genres, tags and credits: `Catalog.vocabulary`), a tag named by its last word ("nolan" for
christopher nolan, "ghibli" for studio ghibli), and a person by the last word of their name ("by tolkien")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property

import numpy as np

from assistant.understanding.lexicon import ENGLISH
from assistant.understanding.text import phrase_pattern
from retrieval.catalog import Catalog, words

RECENCY = {"new", "current", "latest"}  # words of recency that may open a name


class CatalogNames:
    """Built once per catalog, each table on first use (`warm` builds them all: about a second on a million items).
    `keywords` are the tags the parser reads; `genre_phrases` its genre words and synonyms."""

    def __init__(self, catalog: Catalog, keywords: set[str], genre_phrases: Mapping) -> None:
        self.catalog = catalog
        self.keywords = keywords
        self.genre_phrases = genre_phrases

    def warm(self) -> None:
        _ = self.known, self.tags, self.surnames, self.recency_names, self._title_pairs

    @cached_property
    def known(self) -> frozenset[str]:
        """The catalog's words and its genre words and synonyms."""
        return self.catalog.vocabulary | {w for phrase in self.genre_phrases for w in phrase.split()}

    def knows(self, word: str) -> bool:
        """Whether a lower-case word is everyday English or one of the catalog's words (singular or plural)."""
        return word in ENGLISH or word in self.known or (word.endswith("s") and word[:-1] in self.known)

    @cached_property
    def tags(self) -> tuple[dict[str, str], re.Pattern[str] | None]:
        """A tag's last word that names it alone: the last word of exactly one multi-word tag, and no title's, genre's
        or everyday word; with the pattern finding the tags and these words (None without tags)."""
        titles = {w for it in self.catalog for w in words(it.title)}
        ends: dict[str, list[str]] = {}
        for tag in self.keywords:
            parts = tag.split()
            if len(parts) > 1 and len(parts[-1]) >= 4:
                ends.setdefault(parts[-1], []).append(tag)
        aliases = {w: tags[0] for w, tags in ends.items()
                   if len(tags) == 1 and w not in self.keywords and w not in titles and w not in ENGLISH
                   and w not in self.genre_phrases and w.isalpha()}
        return aliases, phrase_pattern(self.keywords | set(aliases)) if self.keywords else None

    @cached_property
    def _title_pairs(self) -> np.ndarray:
        """The sorted hashes of every two neighbouring words of the catalog's titles: 8 bytes a pair, not a string
        each (a million titles hold about four million pairs)."""
        pairs = (hash(f"{a} {b}") for it in self.catalog for ws in (words(it.title),) for a, b in zip(ws, ws[1:]))
        return np.unique(np.fromiter(pairs, dtype=np.int64))

    def in_a_title(self, pair: str) -> bool:
        """Whether two words stand side by side in one of the catalog's titles ("indiana jones", "jimmy carr"): a
        name held in a title is searched as the title's words, never set aside as a person's the catalog lacks."""
        known, h = self._title_pairs, hash(pair)
        i = int(np.searchsorted(known, h))
        return i < len(known) and int(known[i]) == h

    @cached_property
    def recency_names(self) -> re.Pattern[str] | None:
        """Names that open with a word of recency, from the catalog's titles ("new york" in two titles or more, its
        second word no everyday or genre word) and tags ("new orleans"): "set in new york" asks for no recent films."""
        seen: dict[str, int] = {}
        for it in self.catalog:
            ws = words(it.title)
            for a, b in {(a, b) for a, b in zip(ws, ws[1:], strict=False) if a in RECENCY}:
                if len(b) >= 3 and b.isalpha() and b not in ENGLISH and b not in self.genre_phrases:
                    seen[f"{a} {b}"] = seen.get(f"{a} {b}", 0) + 1
        names = {n for n, k in seen.items() if k >= 2} | {
            t for t in self.keywords if t.split()[0] in RECENCY and len(t.split()) > 1}  # a tag: "new orleans"
        return phrase_pattern(names) if names else None

    @cached_property
    def surnames(self) -> dict[str, str]:
        """A person named by the last word of their name after a cue ("by tolkien", "with hanks"): the one with most
        items of those who share it, when they have at least twice the next one's; no everyday word."""
        by_last: dict[str, list[tuple[int, str]]] = {}
        for key in self.catalog.people:
            last = key.split()[-1]
            if " " in key and len(last) >= 4 and last.isalpha() and last not in ENGLISH:
                by_last.setdefault(last, []).append((len(self.catalog.by_person.get(key, ())), key))
        out = {}
        for last, named in by_last.items():
            named.sort(reverse=True)
            if len(named) == 1 or named[0][0] >= 2 * named[1][0]:
                out[last] = named[0][1]
        return out
