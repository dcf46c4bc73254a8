"""Text helpers the parser's readers share: spans of a message already understood and masked out (offsets kept),
phrase patterns, typographic quotes made plain, and whether a word sits inside a proper name."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass

from assistant.understanding.lexicon import CHAT_SPELLINGS, EMOJI_WORDS


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


# markup in a message is code, not words: the content of a script or style element and every tag ("<b>horror</b>"
# reads "horror"; "<style>body{display:none}</style> a comedy" ruled comedy out, "<script>alert(document.cookie)
# </script>" searched "script cookie"), and a chat template's tokens ("<|im_start|>")
_MARKUP = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)|<!--.*?(?:-->|$)|</?[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?>"
                     r"|<\|[\w-]*\|>", re.IGNORECASE | re.DOTALL)


def without_markup(text: str) -> str:
    """`text` with its markup (`_MARKUP`) blanked out, offsets kept."""
    return _MARKUP.sub(lambda m: " " * len(m.group(0)), text)


def _is_emoji(ch: str) -> bool:
    """A pictograph or symbol of a chat (arrows, stars, dingbats, emoji), or a joiner, variation selector or skin tone
    that builds one; never a letter, digit or punctuation mark ("°", "©" and "$" are below U+2190)."""
    code = ord(ch)
    return (code >= 0x2190 and unicodedata.category(ch) == "So") or code in (0x200D, 0xFE0F) or \
        0x1F000 <= code <= 0x1FAFF


_EMOJI_RUN = re.compile("[" + "".join(chr(c) for c in range(0x2190, 0x2C00) if _is_emoji(chr(c)))
                        + "\u200d\ufe0f\U0001F000-\U0001FAFF]+")


def without_emoji(text: str) -> str:
    """`text` with each run of emoji read as the word it says (`EMOJI_WORDS`: "👎" -> "no"), or a space."""
    def word(m: re.Match[str]) -> str:
        said = [EMOJI_WORDS[ch] for ch in m.group(0) if ch in EMOJI_WORDS]
        return f" {said[0]} " if said else " "

    return _EMOJI_RUN.sub(word, text)


_SPELLED = re.compile(r"(?<![\w'/-])(?:" + "|".join(re.escape(w) for w in sorted(CHAT_SPELLINGS, key=len, reverse=True))
                      + r")(?![\w'/-])")


def plain_spelling(text: str) -> str:
    """Chat spellings of words the readers know written out, lower-case ones only ("whats the 3rd one about" ->
    "what's the 3rd one about", "something w ghosts" -> "something with ghosts"); a capitalised word may be a title
    and is left as it is."""
    return _SPELLED.sub(lambda m: CHAT_SPELLINGS[m.group(0)], text)


_WORD = re.compile(r"(?<![\w'-])[^\W\d_]+(?:['-][^\W\d_]+)*(?![\w'-])")


def uncased(text: str, common: Container[str], known: Callable[[str], bool] = lambda span: False,
            longest: int = 8) -> str:
    """`text` with the capitals that say nothing taken back. The readers take a capital for the start of a title or
    a name; in a message typed in capitals ("SCARY MOVIES NOW") or with every word capitalised ("I Don't Like
    Horror") every word would be one. There a run of two to `longest` words that `known` says the catalog names (a
    title, a person) keeps its capitals ("The Dark Knight", "Toy Story"), the other words the readers know (`common`,
    lower-case) are lower-cased and the rest capitalised once ("INCEPTION" -> "Inception"), as the message would be
    typed in sentence case; offsets are kept. Any other text is returned as it is: a capital there is the writer's."""
    words = [m.group(0) for m in _WORD.finditer(text) if m.group(0) != "I"]
    shouted = sum(len(w) > 1 for w in words) >= 2 and all(w.isupper() for w in words)
    titled = len(words) >= 2 and all(w[0].isupper() for w in words) and (
        len(words) >= 3 or all(w.lower() in common for w in words))  # "No Horror"; not "Star Wars", "Will Smith"
    if not shouted and not titled:
        return text
    runs = [m.span() for m in _RUN.finditer(text)]
    named: list[tuple[int, int]] = []  # spans of the runs the catalog names, longest first, not overlapping
    taken: set[int] = set()
    for n in range(min(longest, len(runs)), 1, -1):
        for i in range(len(runs) - n + 1):
            if taken.isdisjoint(range(i, i + n)) and known(text[runs[i][0] : runs[i + n - 1][1]]):
                named.append((runs[i][0], runs[i + n - 1][1]))
                taken.update(range(i, i + n))

    def case(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if word == "I" or len(low) != len(word):
            return word
        if low in common and not any(a <= m.start() < b for a, b in named):
            return low
        return word[0] + low[1:]

    return _WORD.sub(case, text)


_RUN = re.compile(r"[^\s,;:!?.()\"]+")


QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
CAPITALISED = re.compile(r"([A-Z][\w'-]*)\s+$")


def in_a_name(text: str, pos: int, genre_re: re.Pattern[str]) -> bool:
    """Whether the genre word at `pos` is part of a proper name: capitalised right after another capitalised word
    that is not itself a genre ("Infinity War", "Civil War", "Dark Comedy Club"; not "Action Comedy")."""
    if len(text) <= pos or not text[pos].isupper():
        return False
    before = CAPITALISED.search(text, 0, pos)
    return bool(before) and before.group(1) != "I" and not genre_re.fullmatch(before.group(1).casefold())
