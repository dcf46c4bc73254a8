"""Negation scope in a message: whether a word is ruled out ("no horror"), only loosened ("it doesn't have to be
a comedy"), or neither. Shared by genres, titles, people and years. The checks read lower-case text;
`sentences_marked` also needs the message as written (same offsets): a sentence start shows only in its capitals."""

from __future__ import annotations

import re

NEGATION = re.compile(
    r"\b(?:no|not|nothing|none|without|except|excluding|exclude|avoid|never|skip|hate|hates|dislike|"
    r"neither|nor|minus|instead\s+of|rather\s+than|other\s+than|don'?t|doesn'?t|isn'?t|aren'?t|won'?t|can'?t|cannot|didnt|havent|hasnt|wasnt|werent|"
    r"(?:anything|everything|all)\s+but(?!\s+(?:i|i'm|im|we|you|it|my|our|this|that|the|they)\b))\b"
    r"|n't\b"
)
# words that look negative but do not rule anything out: "can't wait", "not only"
_NOT_A_NEGATION = re.compile(r"\s*(?:wait|help|only|just|matter)\b")
# negations that leave what follows possible, so a genre there is a lean, not a rule: "it doesn't have to
# be a comedy", "I haven't seen a lot of horror", "I did not see the horror one" (facts about the viewer),
# "I don't mind romance", "not enough horror", "I wouldn't call that horror"
HEDGE = re.compile(
    r"\s*(?:(?:really\s+|necessarily\s+)?(?:have|need)\s+to\b|necessarily\b|(?:really\s+)?mind\b|enough\b"
    r"|(?:call|consider)\b"
    r"|(?:think\s+)?(?:i'?ve\s+|i\s+have\s+)?(?:ever\s+|really\s+|yet\s+|actually\s+|even\s+)*"
    r"(?:seen|see|watched|watch|heard)\b)"
)
BOUNDARY = re.compile(
    r"[,.;!?\n]|\b(?<!anything )(?<!everything )(?<!all )but\b|\bthough\b|\bhowever\b"
    r"|\b(?:what'?s|what about|how about|do you have|can you|could you|give me|recommend)\b"
)
# a capitalised word after a lower-case one starts a new sentence where people skip the full stop ("I have not
# It looks funny"); a negation does not reach past it
SENTENCE_START = re.compile(
    r"(?<=[a-z0-9)])\s+(?=(?:I|It|It's|Its|That|This|They|We|He|She|My|What|Which|The|Plus|Also|And|But|So|Yes|No|Oh"
    r"|Maybe|Anyway)\b)"
)


def sentences_marked(masked: str, text: str) -> str:
    """`masked` with a full stop where `text` (same offsets) starts a sentence without one."""
    if len(text) != len(masked):
        return masked
    chars = list(masked)
    for m in SENTENCE_START.finditer(text):
        chars[m.start()] = "."
    return "".join(chars)


def nearest_negation(text: str, pos: int) -> re.Match[str] | None:
    """The last negation word before `pos` in its clause; the nearest one governs ("but not Minions (2015) Plus
    it doesn't have to be animated": the hedge, not the "not")."""
    start = 0
    for b in BOUNDARY.finditer(text, 0, pos):
        start = b.end()
    found = [m for m in NEGATION.finditer(text, start, pos) if not _NOT_A_NEGATION.match(text, m.end())]
    return found[-1] if found else None


def is_negated(text: str, pos: int) -> bool:
    """Whether a negation word that rules something out precedes `pos` in the same clause."""
    m = nearest_negation(text, pos)
    return m is not None and not HEDGE.match(text, m.end())


def is_hedged(text: str, pos: int) -> bool:
    """Whether `pos` follows a hedging negation in its clause ("doesn't have to be", "I haven't watched")."""
    m = nearest_negation(text, pos)
    return m is not None and bool(HEDGE.match(text, m.end()))
