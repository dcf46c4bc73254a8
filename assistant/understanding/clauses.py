"""Where a clause ends: the one splitter every reader uses. A message's boundaries are found once, each with its
kind (a full stop, a comma, "but", a request opening...), and `SCOPES` says, as data, which kinds end a clause for
each reading: a negation reaches to the next comma ("no horror, a comedy"), a verdict on a shown item to the next
"and" ("the first is great and the second is boring"), a title to the next "because".

Every text the readers pass here has the message's offsets (a mask keeps them), so a position found in one text is
good in the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.understanding import lexicon

# a request after a comma starts a new clause: "I love 80s films, any from the 90s?"
_ASK_AFTER_COMMA = r"so|can|could|show|give|find|recommend|suggest|any|anything|something|what|how"
# where people skip the full stop: a capitalised word after a lower-case one ("I have not It looks funny"); only
# in the message as written
_SENTENCE_OPENERS = r"I|It|It's|Its|That|This|They|We|He|She|My|What|Which|The|Plus|Also|And|But|So|Yes|No|Oh|Maybe|Anyway"
# a question opening right after a negation that answers alone: "No, I haven't Was Bradley Cooper in that?"
_ASKED_AFTER = rf"{_SENTENCE_OPENERS}|Was|Is|Are|Were|Do|Does|Did|Have|Has|Can|Could|Would|Will|Who|How|Where|When|Why"

# who a request may be for (prompts/words.toml): "for kids", "for my daughter", "for an 8 year old", "for the whole
# family"
AUDIENCE = (r"(?:(?:my|our|the|a|an) )?(?:[a-z-]+ )?(?:" + "|".join(map(re.escape, lexicon.AUDIENCE))
            + r"|\d+[- ]?(?:year|yr)[- ]?olds?)")

_BOUNDARY = re.compile(
    r"(?P<sentence>[.!?]\s+)"
    r"|(?P<stop>[.!?;])"
    r"|(?P<newline>\n)"
    rf"|(?P<comma_ask>,(?=\s*(?:{_ASK_AFTER_COMMA})\b))"
    r"|(?P<comma>,)"
    r"|(?P<but>\b(?<!anything )(?<!everything )(?<!all )but\b)"  # "anything but horror" is a negation, not a break
    r"|(?P<though>\b(?:though|although|however)\b)"
    # "no horror just comedy", "nothing scary, only something funny": what is wanted instead ("not just comedies" and
    # "don't only" keep it)
    r"|(?P<only>(?<!\bnot )(?<!\bno )(?<!n't )(?<!\bdont )\b(?:just|only)\b)"
    r"|(?P<while>\b(?:while|whereas)\b)"
    r"|(?P<and>\band\b)"
    r"|(?P<reason>\b(?:because|since|which|that was|from the|in the)\b)"
    # a request opening ends what came before and belongs to what follows: zero width
    r"|(?P<ask>(?=\b(?:what'?s|what about|how about|do you have|can you|could you|give me|recommend)\b))"
    rf"|(?P<capital>(?<=[a-z0-9)])\s+(?=(?:{_SENTENCE_OPENERS})\b)|(?<=n't)\s+(?=(?:{_ASKED_AFTER})\b))"
    # "not too scary for kids": what the degree is measured for is not ruled out with it
    r"|(?P<degree>(?<=\btoo )[a-z]+ (?=for\b))"
    # "no horror for kids", "nothing gory for my 8 year old": who it is for is not ruled out with what is, unless the
    # negation is of them ("not for kids", "nothing for children")
    rf"|(?P<audience>(?<=[a-z] )(?<!\bnot )(?<!\bno )(?<!\bnothing )(?<!n't )(?<!\bwithout )(?=for (?:{AUDIENCE})\b))"
)

_STOPS = frozenset({"sentence", "stop"})
SCOPES: dict[str, frozenset[str]] = {
    # how far a negation reaches back: "no horror, a comedy", "not horror but a thriller", "skip it. give me ..."
    "negation": _STOPS | {"newline", "comma", "comma_ask", "but", "though", "only", "ask", "degree", "audience"},
    # a statement of taste ("I like comedies") or of what someone has seen, before a genre or years
    "taste": _STOPS | {"but", "comma_ask"},
    # one verdict on shown items: "I loved the first one but the second is boring", "the first, not the third"
    "verdict": _STOPS | {"comma", "comma_ask", "but", "though", "while", "and"},
    # the words a request is about, once the rest is read
    "words": _STOPS | {"newline", "comma", "comma_ask"},
    # how far a title can run: "Heat because ...", "Alien, and"
    "title": _STOPS | {"newline", "comma", "comma_ask", "but", "though", "reason"},
    # the words that speak of a title a message names (liked, not seen yet): its sentence, a turn ("but"), a
    # question after it ("Heat is my favorite What would you recommend?")
    "stance": _STOPS | {"newline", "comma_ask", "but", "though", "while", "ask", "capital"},
    # a sentence, for the question asked in it
    "sentence": frozenset({"sentence"}),
    # a sentence start without a full stop, only in the message as written
    "capital": frozenset({"capital"}),
}


@dataclass(frozen=True, slots=True)
class Boundary:
    start: int
    end: int
    kind: str


@lru_cache(maxsize=512)
def boundaries(text: str) -> tuple[Boundary, ...]:
    """Every boundary in `text`, in order (computed once per text)."""
    return tuple(Boundary(m.start(), m.end(), m.lastgroup or "") for m in _BOUNDARY.finditer(text))


def breaks(text: str, scope: str) -> list[Boundary]:
    """The boundaries in `text` that end a clause for `scope`."""
    kinds = SCOPES[scope]
    return [b for b in boundaries(text) if b.kind in kinds]


def clause_start(text: str, pos: int, scope: str) -> int:
    """Where the clause holding `pos` starts (the end of the last boundary before it)."""
    start = 0
    for b in breaks(text, scope):
        if b.end > pos:
            break
        start = b.end
    return start


def clause_end(text: str, pos: int, scope: str) -> int:
    """Where the clause that starts at or holds `pos` ends (the start of the next boundary after it)."""
    return next((b.start for b in breaks(text, scope) if b.start > pos), len(text))


def clause_before(text: str, pos: int, scope: str) -> str:
    """The clause up to `pos`."""
    return text[clause_start(text, pos, scope) : pos]


def split(text: str, scope: str) -> list[str]:
    """The clauses of `text`, boundaries left out."""
    out, start = [], 0
    for b in breaks(text, scope):
        out.append(text[start : b.start])
        start = b.end
    return [*out, text[start:]]


def spans(text: str, scope: str) -> list[tuple[int, int]]:
    """The clauses of `text` as (start, end) offsets."""
    out, start = [], 0
    for b in breaks(text, scope):
        out.append((start, b.start))
        start = b.end
    return [*out, (start, len(text))]


def same_clause(text: str, a: int, b: int, scope: str) -> bool:
    """Whether offsets a and b fall in the same clause."""
    lo, hi = sorted((a, b))
    return not any(lo <= bd.start and bd.end <= hi for bd in breaks(text, scope))
