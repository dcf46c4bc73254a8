"""Parts of one series, read from their titles: "Iron Man" and "Iron Man 2", "Highlander" and "Highlander:
Endgame", "The Incredibles" and "Incredibles 2", "The Hunger Games (The Hunger Games, #1)" and "Catching Fire (The
Hunger Games, #2)", a shop's "Pixel 7" and "Pixel 8".

Item vectors carry a title among everything else an entry says, so on a rich catalog "Iron Man 2" is one more
superhero film near "Iron Man", and on one that records little else it is near whatever has similar words; people
who liked one part ask for the next more than for anything else like it. A title's series name is what comes before
a subtitle (":", " - ", "(") or a part number ("2", "III", "Part 2"), without a leading article, and a series of the
form "(Name, #2)" names it too. Two titles are parts of one series when they share a series name and one of them is
marked as a part (a number, a subtitle): "Heat" and "The Heat" share the name "heat" but neither is marked, so
they are namesakes, not a series; nor are two entries of the same title (a catalog's duplicates, or one film).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Sequence

from retrieval.catalog import Catalog, fold_text

_SUBTITLE = re.compile(r"\s*(?::|\s[-–—]\s|\()")  # where a series name ends and a part's own name begins
_NUMBERED = re.compile(r"\(([^()#]+?),?\s*#\s*\d+(?:\.\d+)?\)")  # "(The Hunger Games, #2)"
_PART = re.compile(r"(?:\s+(?:part|chapter|vol|volume|episode|book))?\s+(?:\d{1,3}|[ivx]{1,4})$")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+")


def _head(title: str) -> tuple[str, bool]:
    """The name before a subtitle or part number (folded, without a leading article), and whether there was one."""
    head = _SUBTITLE.split(title, maxsplit=1)[0]
    marked = head.strip() != title.strip()
    head = fold_text(head)
    if (m := _PART.search(head)) and m.start() > 0:
        marked = True
        head = head[: m.start()]
    return _ARTICLE.sub("", head), marked


def series_key(title: str) -> str:
    """A title's series name: 'Toy Story 2' -> 'toy story', 'Star Wars: Episode V - ...' -> 'star wars'."""
    return _head(title)[0]


def series_names(title: str) -> tuple[frozenset[str], bool]:
    """The series names a title gives (folded, without a leading article) and whether it marks itself a part."""
    head, marked = _head(title)
    names = {head} if head else set()
    for m in _NUMBERED.finditer(title):
        marked = True
        names.add(_ARTICLE.sub("", fold_text(m.group(1))))
    return frozenset(n for n in names if n), marked


@functools.lru_cache(maxsize=65_536)
def _read(title: str) -> tuple[frozenset[str], bool, str]:
    names, marked = series_names(title)
    return names, marked, fold_text(title)


class SeriesIndex:
    """Which items each series name shared by two or more titles gathers (a catalog's titles are read once; only
    the names of a series are kept, so a million titles cost the memory of their series, not of their words)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        members: dict[str, list[str]] = defaultdict(list)
        for it in catalog:
            for name in series_names(it.title)[0]:
                members[name].append(it.id)
        self._members = {name: ids for name, ids in members.items() if len(ids) > 1}

    def same(self, a: str, b: str) -> bool:
        """Whether two items are parts of one series (never an item and itself, nor two entries of one title)."""
        if a == b or a not in self.catalog or b not in self.catalog:
            return False
        names_a, marked_a, title_a = _read(self.catalog.get(a).title)
        names_b, marked_b, title_b = _read(self.catalog.get(b).title)
        return title_a != title_b and bool(names_a & names_b) and (marked_a or marked_b)

    def parts(self, seeds: Sequence[str], n: int) -> list[str]:
        """Up to n items of the seeds' series, the seeds left out, in catalog order of each series."""
        found: dict[str, None] = {}
        for seed in seeds:
            if seed not in self.catalog:
                continue
            for name in _read(self.catalog.get(seed).title)[0]:
                for iid in self._members.get(name, ()):
                    if iid not in seeds and iid not in found and self.same(seed, iid):
                        found[iid] = None
        return list(found)[:n]

    def match(self, seeds: Sequence[str], item_id: str) -> float:
        """1.0 when the item is a part of a seed's series, else 0.0."""
        return 1.0 if any(self.same(s, item_id) for s in seeds) else 0.0
