"""Negation scope in a message: whether a word is ruled out ("no horror"), only loosened ("it doesn't have to be
a comedy"), or neither. Shared by genres, titles, people and years. The checks read lower-case text;
`sentences_marked` also needs the message as written (same offsets): a sentence start shows only in its capitals."""

from __future__ import annotations

import re

from assistant.understanding import clauses

# "less violent" rules out; "less than 2 hours", "less known", "more or less", "no less" do not
LESS = r"(?<!more or )(?<!no )less(?!\s+(?:than|known|popular|famous|mainstream)\b)"
# had enough of a kind: "sick of action movies", "enough with the comedies", "i'm so over superhero movies"
FED_UP = (r"(?:sick|tired)\s+of|bored\s+(?:of|with)|fed\s+up\s+with|done\s+with|enough\s+(?:of|with)"
          r"|(?:i'?m|im|i\s+am)\s+(?:so\s+|really\s+|kinda\s+)?over(?!\s+(?:\d|it\b|that\b|the\s+moon\b))")
NEGATION = re.compile(
    r"\b(?:no|not|nothing|none|without|except|excluding|exclude|avoid|never|skip|hate|hates|dislike|" + FED_UP + "|"
    r"neither|nor|minus|instead\s+of|rather\s+than|" + LESS + r"|other\s+than|don'?t|doesn'?t|isn'?t|aren'?t|won'?t|can'?t|cannot|didnt|havent|hasnt|wasnt|werent|"
    r"(?:anything|everything|all)\s+but(?!\s+(?:i|i'm|im|we|you|it|my|our|this|that|the|they)\b))\b"
    r"|n't\b"
)
# words that look negative but do not rule anything out: "can't wait", "not only"
_NOT_A_NEGATION = re.compile(r"\s*(?:wait|help|only|just|matter)\b")
# "no" that answers what was said before, followed by the person's own words: "no i want a comedy", "No any good Tom
# Cruise movies?", "no thanks", "no, I haven't" (not "no horror", "no more westerns")
_ANSWER_AFTER_NO = re.compile(r"[\s,.!]*(?:i|i'?m|i'?ve|i'?d|we|you|it|that|this|thanks|thank|any|anything|what|how|do|"
                              r"does|did|can|could|would|will|is|was|are|were|have|has|but|maybe|problem|worries|idea)\b")
# a question asked by inversion: "don't you have any comedies?", "isn't there a newer one?"
_INVERTED = re.compile(r"\s+(?:you|u|there|it|they|we)\b")
_AUXILIARY = re.compile(r"(?:n'?t|dont|cant|wont)$")
# a swap rules out what it names before "for", "with" or "to": "swap the romance for action", "replace comedy with
# drama"; "switch to comedies" and "switch user" rule nothing out
_SWAP = re.compile(r"\b(?:swap|switch|trade|replace)(?:\s+out)?\b")
_SWAPPED_FOR = re.compile(r"\b(?:for|with|to|into)\b")
_RATHER = re.compile(r"\b(?:rather|sooner)\b")
_THAN = re.compile(r"\bthan\b")
# a negation said of the person spoken to, or of anyone, is no wish of the person's: "even if you don't like musicals
# it's good", "you don't like horror?", "if someone doesn't like gore"
_SOMEONE_ELSES = re.compile(r"\b(?:(?:you|u)\s+(?:really\s+|just\s+|even\s+|probably\s+)?"
                            r"|if\s+(?:someone|anyone|people|one)\s+)$")
# negations that leave what follows possible, so a genre there is a lean, not a rule: "it doesn't have to
# be a comedy", "I haven't seen a lot of horror", "I did not see the horror one" (facts about the viewer),
# "I don't mind romance", "not enough horror", "I wouldn't call that horror", and a verdict on how good one item is:
# "not a real great comedy though" (not "not a great fan of horror")
HEDGE = re.compile(
    r"\s*(?:(?:really\s+|necessarily\s+)?(?:have|need)\s+to\b|necessarily\b|(?:really\s+)?mind\b|enough\b"
    r"|(?:call|consider)\b|(?:a|an)\s+(?:(?:very|real|really|great|good|particularly|typical|true)\s+)+(?!fan|lover)"
    r"|(?:think\s+)?(?:i'?ve\s+|i\s+have\s+)?(?:ever\s+|really\s+|yet\s+|actually\s+|even\s+)*"
    r"(?:seen|see|watched|watch|heard)\b)"
)


def sentences_marked(masked: str, text: str) -> str:
    """`masked` with a full stop where `text` (same offsets) starts a sentence without one."""
    if len(text) != len(masked):
        return masked
    chars = list(masked)
    for b in clauses.breaks(text, "capital"):
        chars[b.start] = "."
    return "".join(chars)


def nearest_negation(text: str, pos: int) -> re.Match[str] | None:
    """The last negation word before `pos` in its clause; the nearest one governs ("but not Minions (2015) Plus
    it doesn't have to be animated": the hedge, not the "not")."""
    start = clauses.clause_start(text, pos, "negation")
    found = [m for m in NEGATION.finditer(text, start, pos) if not _NOT_A_NEGATION.match(text, m.end())
             and not (m.group(0) == "no" and _ANSWER_AFTER_NO.match(text, m.end()))
             and not (_AUXILIARY.search(m.group(0)) and _INVERTED.match(text, m.end()))
             and not said_of_someone_else(text, m, start)]
    found += [m for m in _SWAP.finditer(text, start, pos) if _swapped(text, m.end(), pos)]
    # "rather X than Y", "sooner X than Y": what follows "than" is ruled out
    found += [m for m in _THAN.finditer(text, start, pos) if _RATHER.search(text, start, m.start())]
    return max(found, key=lambda m: m.start()) if found else None


def _swapped(text: str, after: int, pos: int) -> bool:
    """Whether `pos`, after a verb of swapping that ends at `after`, is what is swapped out: before the "for" / "with"
    / "to" that names what it is swapped for, which must follow in the clause ("switch user" swaps nothing out)."""
    end = clauses.clause_end(text, pos, "negation")
    return not _SWAPPED_FOR.search(text, after, pos) and bool(_SWAPPED_FOR.search(text, pos, end))


def said_of_someone_else(text: str, negation: re.Match[str], start: int = 0) -> bool:
    """Whether a negation found in `text` is said of the person spoken to or of anyone (`_SOMEONE_ELSES`)."""
    return bool(_SOMEONE_ELSES.search(text, max(start, negation.start() - 24), negation.start()))


def of_someone_else(text: str, pos: int) -> bool:
    """Whether `pos` follows, in its clause, a negation said of someone else: "even if you don't like musicals" neither
    asks for musicals nor rules them out."""
    start = clauses.clause_start(text, pos, "negation")
    return any(said_of_someone_else(text, m, start) for m in NEGATION.finditer(text, start, pos))


def is_negated(text: str, pos: int) -> bool:
    """Whether a negation word that rules something out precedes `pos` in the same clause."""
    m = nearest_negation(text, pos)
    return m is not None and not HEDGE.match(text, m.end())


def is_hedged(text: str, pos: int) -> bool:
    """Whether `pos` follows a hedging negation in its clause ("doesn't have to be", "I haven't watched")."""
    m = nearest_negation(text, pos)
    return m is not None and bool(HEDGE.match(text, m.end()))
