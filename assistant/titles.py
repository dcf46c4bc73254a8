"""Finding catalog items named in a message: exact and fuzzy title matching, with or without a year."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from retrieval.catalog import Catalog

_ARTICLES = ("the ", "a ", "an ")
_AKA = re.compile(r"\((?:a\.k\.a\.|aka)\s*([^)]*)\)", re.I)
_PAREN = re.compile(r"\([^)]*\)")
# words that alone or together never make a title worth matching without a cue
_COMMON = set(
    "a an the and or of in on to for with from movie movies film films something anything one some me my i you "
    "like love good great best new old funny scary it is this that more other".split()
)


def normalize(text: str) -> str:
    """Casefolded, accent-free, punctuation-free, single-spaced."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ")
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


@dataclass(frozen=True, slots=True)
class TitleMatch:
    """An item named in a message: which item, where (character span in the message) and how sure (0-100)."""

    item_id: str
    start: int
    end: int
    score: float


class TitleIndex:
    """Every way a catalog title may be written, mapped to item ids (most popular first)."""

    def __init__(self, catalog: Catalog) -> None:
        variants: dict[str, list[str]] = {}
        order = sorted(catalog.ids, key=lambda i: -catalog.n_ratings.get(i, 0))
        for iid in order:
            title = catalog.get(iid).title
            forms = {title, _PAREN.sub(" ", title)} | {m.group(1) for m in _AKA.finditer(title)}
            for form in forms:
                norm = normalize(form)
                if not norm:
                    continue
                for v in {norm, *(norm[len(a) :] for a in _ARTICLES if norm.startswith(a))}:
                    if len(v) >= 2:
                        variants.setdefault(v, []).append(iid)
        self._catalog = catalog
        self._variants = variants
        self._keys = list(variants)
        # exact matching without a cue: titles of 2+ words that are not all common words
        self._exact = {
            v for v in variants if len(v.split()) >= 2 and not all(w in _COMMON for w in v.split()) and len(v) >= 6
        }
        self._common = _COMMON
        self._max_words = max((len(v.split()) for v in variants), default=1)

    def _pick(self, ids: list[str], year: int | None) -> str:
        if year is not None:
            for iid in ids:
                if self._catalog.get(iid).year == year:
                    return iid
        return ids[0]

    def lookup(self, span: str, min_score: float = 88.0) -> tuple[str, float] | None:
        """The item a span of text names, fuzzily; a trailing year ('Solaris 1972', '(2002)') picks among remakes."""
        year = None
        m = re.search(r"\(?\b(1[89]\d\d|20\d\d)\)?\s*$", span)
        if m and m.start() > 0:
            year = int(m.group(1))
            span = span[: m.start()]
        norm = normalize(span)
        if len(norm) < 2:
            return None
        if norm in self._variants:
            return self._pick(self._variants[norm], year), 100.0
        if len(norm) < 5:  # fuzzy matching on very short strings is mostly noise
            return None
        best = process.extractOne(norm, self._keys, scorer=fuzz.ratio, score_cutoff=min_score)
        if best is None:
            return None
        return self._pick(self._variants[best[0]], year), float(best[1])

    def find_exact(self, message: str, single_words: bool = False) -> list[TitleMatch]:
        """Titles written out in the message without a cue, longest first, not overlapping.

        Three or more words match in any case; two words only when written capitalised
        ("Galaxy Quest"), since pairs like "about time" are everyday phrases too. With
        `single_words` (questions about an item), one capitalised word that is not the
        message's first word matches a one-word title ("when did Titanic come out?").
        """
        words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[\w'’&]+", message)]
        found: list[TitleMatch] = []
        taken: set[int] = set()
        for n in range(min(self._max_words, len(words)), 0 if single_words else 1, -1):
            for i in range(len(words) - n + 1):
                if taken & set(range(i, i + n)):
                    continue
                start, end = words[i][1], words[i + n - 1][2]
                norm = normalize(message[start:end])
                if n == 2 and not all(w[0][:1].isupper() or w[0][:1].isdigit() for w in words[i : i + n]):
                    continue
                if n == 1:
                    w = words[i][0]
                    if i > 0 and w[:1].isupper() and len(w) >= 4 and norm in self._variants and norm not in self._common:
                        found.append(TitleMatch(self._pick(self._variants[norm], _year_after(message, end)), start, end, 100.0))
                        taken.add(i)
                    continue
                if norm in self._exact:
                    year = _year_after(message, end)
                    found.append(TitleMatch(self._pick(self._variants[norm], year), start, end, 100.0))
                    taken |= set(range(i, i + n))
        return found


def _year_after(message: str, end: int) -> int | None:
    m = re.match(r"\s*\(?(1[89]\d\d|20\d\d)\)?", message[end:])
    return int(m.group(1)) if m else None
