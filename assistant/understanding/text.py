"""Text helpers the parser's readers share: spans of a message already understood and masked out (offsets kept),
phrase patterns, typographic quotes made plain, and whether a word sits inside a proper name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.understanding.lexicon import CHAT_SPELLINGS


@dataclass(frozen=True, slots=True)
class Span:
    """Character offsets [start, end) of a part of a message."""

    start: int
    end: int


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """Any of `phrases` as a whole word or words, the longest first."""
    alts = sorted(set(phrases), key=len, reverse=True)
    if not alts:  # a catalog without genres (a bookshop's feed): a pattern that never matches, not one matching ""
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in alts) + r")(?![\w-])")


def mask(text: str, spans: Iterable[Span], fill: str = "") -> str:
    """Blanks out spans already understood, keeping offsets (`fill` starts each blank: "it" for a title)."""
    chars = list(text)
    for s in spans:
        chars[s.start : s.end] = (fill + " " * (s.end - s.start))[: s.end - s.start]
    return "".join(chars)


_SPELLED = re.compile(r"(?<![\w'/-])(?:" + "|".join(re.escape(w) for w in sorted(CHAT_SPELLINGS, key=len, reverse=True))
                      + r")(?![\w'/-])")


def plain_spelling(text: str) -> str:
    """Chat spellings of words the readers know written out, lower-case ones only ("whats the 3rd one about" ->
    "what's the 3rd one about", "something w ghosts" -> "something with ghosts"); a capitalised word may be a title
    and is left as it is."""
    return _SPELLED.sub(lambda m: CHAT_SPELLINGS[m.group(0)], text)


QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
CAPITALISED = re.compile(r"([A-Z][\w'-]*)\s+$")


def in_a_name(text: str, pos: int, genre_re: re.Pattern[str]) -> bool:
    """Whether the genre word at `pos` is part of a proper name: capitalised right after another capitalised word
    that is not itself a genre ("Infinity War", "Civil War", "Dark Comedy Club"; not "Action Comedy")."""
    if len(text) <= pos or not text[pos].isupper():
        return False
    before = CAPITALISED.search(text, 0, pos)
    return bool(before) and before.group(1) != "I" and not genre_re.fullmatch(before.group(1).casefold())
