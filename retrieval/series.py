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

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from retrieval.catalog import Item, fold_text

_SUBTITLE = re.compile(r"\s*(?::|\s[-–—]\s|\()")  # where a series name ends and a part's own name begins
_NUMBERED = re.compile(r"\(([^()#]+?),?\s*#\s*\d+(?:\.\d+)?\)")  # "(The Hunger Games, #2)"
_PART = re.compile(r"(?:\s+(?:part|chapter|vol|volume|episode|book))?\s+(?:\d{1,3}|[ivx]{1,4})$")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+")


def series_names(title: str) -> tuple[frozenset[str], bool]:
    """The series names a title gives (folded, without a leading article) and whether it marks itself a part."""
    names: set[str] = set()
    marked = False
    for m in _NUMBERED.finditer(title):
        marked = True
        names.add(_ARTICLE.sub("", fold_text(m.group(1))))
    head = _SUBTITLE.split(title, maxsplit=1)[0]
    if head.strip() != title.strip():
        marked = True
    head = fold_text(head)
    if (m := _PART.search(head)) and m.start() > 0:
        marked = True
        head = head[: m.start()]
    head = _ARTICLE.sub("", head)
    if head:
        names.add(head)
    return frozenset(n for n in names if n), marked


class SeriesIndex:
    """Which items each series name gathers, and each item's names."""

    def __init__(self, items: Iterable[Item]) -> None:
        self._names: dict[str, frozenset[str]] = {}
        self._marked: dict[str, bool] = {}
        self._title: dict[str, str] = {}
        members: dict[str, list[str]] = defaultdict(list)
        for it in items:
            names, marked = series_names(it.title)
            self._names[it.id], self._marked[it.id], self._title[it.id] = names, marked, fold_text(it.title)
            for n in names:
                members[n].append(it.id)
        self._members = dict(members)

    def same(self, a: str, b: str) -> bool:
        """Whether two items are parts of one series (never an item and itself, nor two entries of one title)."""
        if a == b or a not in self._names or b not in self._names or self._title[a] == self._title[b]:
            return False
        return bool(self._names[a] & self._names[b]) and (self._marked[a] or self._marked[b])

    def parts(self, seeds: Sequence[str], n: int) -> list[str]:
        """Up to n items of the seeds' series, the seeds left out, in catalog order."""
        found: dict[str, None] = {}
        for seed in seeds:
            for name in self._names.get(seed, ()):
                for iid in self._members.get(name, ()):
                    if iid not in seeds and iid not in found and self.same(seed, iid):
                        found[iid] = None
        return list(found)[:n]

    def match(self, seeds: Sequence[str], item_id: str) -> float:
        """1.0 when the item is a part of a seed's series, else 0.0."""
        return 1.0 if any(self.same(s, item_id) for s in seeds) else 0.0
