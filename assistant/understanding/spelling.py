"""Typing slips in the words the readers key on, put right before they read ("hiii can you reccomend me a good
thriler" -> "hi can you recommend me a good thriller").

Only the readers' own words are targets (the filler and request words, the catalog's genre words), and only a word
nobody could mean as written is corrected: one the catalog does not know (a title, tag or name word), that is not
everyday English, written in lower case. Two kinds of slip are put right, each only where one target fits:
- letters doubled or held down ("reccomend", "hiii", "pleaseee"), or a double typed once ("horor", "thriler"): the
  same word once runs of a letter are single;
- one letter wrong, missing, extra or swapped, in words of six letters or more ("documentry", "comdey",
  "recomend"): shorter words have too many real neighbours ("crime" / "prime") to guess.
A kind said loosely ("more action-y", "something noir-ish", "dramaish") is written as the hedge it is ("kind of
action"), which the genre reader takes as a lean.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from rapidfuzz.distance import DamerauLevenshtein

MIN_EDITED = 6  # the shortest word one edit away from a target that is read as that target
_WORD = re.compile(r"(?<![\w'’-])[a-z]+(?![\w'’-])")
_RUN = re.compile(r"(\w)\1+")
_LOOSE = re.compile(r"(?<![\w'’-])([a-z][a-z-]*?)(?:-y|-ish|ish|y)(?![\w'’-])")  # "action-y", "noir-ish"


def squeeze(word: str) -> str:
    """A word with each run of one letter made single ("reccomend" -> "recomend", "hiii" -> "hi")."""
    return _RUN.sub(r"\1", word)


class Spelling:
    """Corrects slips towards `targets`; `known(word)` tells a word that stands as written (the catalog's words,
    everyday English), `real(word)` one that is a word of its own, corrected only into an inflection of itself."""

    def __init__(self, targets: Iterable[str], known: Callable[[str], bool], kinds: Iterable[str] = (),
                 real: Callable[[str], bool] = lambda word: False) -> None:
        self._targets = frozenset(t for t in targets if t.isalpha() and t.islower())
        self._known = known
        self._real = real
        self._kinds = frozenset(k for k in kinds if " " not in k)
        squeezed: dict[str, set[str]] = {}
        for t in self._targets:
            squeezed.setdefault(squeeze(t), set()).add(t)
        self._squeezed = {s: next(iter(ts)) for s, ts in squeezed.items() if len(ts) == 1}
        self._by_length: dict[int, list[str]] = {}
        for t in self._targets:
            if len(t) >= MIN_EDITED:
                self._by_length.setdefault(len(t), []).append(t)

    def correct(self, text: str) -> str:
        """`text` with its slips put right; the rest as written (offsets may move, as with chat spellings)."""
        if self._kinds:
            text = _LOOSE.sub(lambda m: f"kind of {m.group(1)}" if m.group(1) in self._kinds else m.group(0), text)
        return _WORD.sub(lambda m: self.fix(m.group(0)) or m.group(0), text)

    def fix(self, word: str) -> str | None:
        """The target a lower-case word is a slip of, or None."""
        if len(word) < 3 or word in self._targets or self._known(word):
            return None
        short = squeeze(word)
        if (hit := self._squeezed.get(short)) is not None:  # doubled ("reccomend") or a double typed once ("horor")
            return hit
        if len(word) < MIN_EDITED:
            return None
        near = {t for n in (len(word) - 1, len(word), len(word) + 1) for t in self._by_length.get(n, ())
                if DamerauLevenshtein.distance(word, t, score_cutoff=1) <= 1}
        if len(near) != 1:
            return None
        target = near.pop()
        # a real word stands as written ("decide" is no slip of "decade"), unless it is the target with an ending
        # ("recommends", "options": the readers' word, inflected)
        if self._real(word) and not (word.startswith(target) or target.startswith(word)):
            return None
        return target
