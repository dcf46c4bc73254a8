"""A learned reader for how a person speaks of an item they name: seen and liked ("Heat was incredible"), seen and
not liked ("Titanic is overrated"), or not seen yet ("I've been meaning to watch Interstellar", "is Arrival worth
it?", "Dunkirk is on my list").

The rules read every named title as liked unless a negation ("I didn't like X") or "I haven't seen" comes before
it. That turned "I want to watch Jumanji" into a liked film, ruled out of every list after it, and "X was boring"
into one to find more of. This reader is the same small torch classifier as the intent reader
(assistant.understanding.learned), over the sentence vector of the words around the title, with each title written
"it" ("I want to watch it"): so it learns how a stance is said, not which titles are liked. It is trained on
prompts/stances.toml. A run of titles joined by "and" or commas ("I loved X, Y and Z") shares the words around it;
the one splitter's "stance" scope (assistant.understanding.clauses: a sentence's end, "but", a question after it)
ends them, and between two titles of one sentence a comma or "and" parts them ("I loved X and want to see Y").

Reconciled with the rules (assistant.understanding.mentions.stance): where the rules read "haven't seen", it stands;
a negation they read stays disliked unless the reader is sure the item was not seen ("I never got around to X"); a
title right after a word of liking ("I love X, what can you recommend?") stays liked; elsewhere the rules' "liked"
is a default, and the reader's class replaces it when `SURE`. An item not seen yet is `wanted`: it stays open (never
ruled out as known to the person) and is put forward like the assistant's own open suggestions (Session.proposed).
`SURE` was chosen on eval/data/stances_dev.yaml (ReDial messages) and the reader is measured on
eval/data/stances.yaml, written before the training phrases (`crs eval understanding`, "stances").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from assistant.understanding import clauses, routing
from assistant.understanding.learned import IntentModel, reader_model
from assistant.understanding.lexicon import SUBJECTS
from assistant.understanding.negation import NEGATION
from assistant.understanding.text import Span
from assistant.understanding.mentions import DISLIKED, LIST_GLUE, LIKED, UNSEEN, cued_like
from assistant.understanding.titles import YEAR_AFTER

if TYPE_CHECKING:
    from assistant.models import Understanding
    from assistant.understanding.parser import RulesParser
    from assistant.understanding.readers import Reading

__all__ = ["DISLIKED", "LIKED", "UNSEEN", "VERDICT", "LearnedStance", "LearnedVerdict", "StanceModel", "around",
           "classes", "examples", "spoken_of", "stance_model"]

NAME = "learned stance"
VERDICT = "learned verdict"  # the same model, on shown items pointed at (LearnedVerdict)
# chosen on eval/data/stances_dev.yaml (ReDial messages): the most read right there, the fewest taken wrongly for not
# seen or disliked
SURE = 0.6
_HOLE = "\x00"  # a title's characters while the words around it are cut, so a "." in "Mr. Smith" cuts nothing
_RUN = re.compile(rf"\s*(?:{LIST_GLUE})*")  # between two titles of one list ("X, Y and Z", "X Y"): one run
_BACK = re.compile(r"\b(?:it|that one|this one)\b", re.I)  # what points back at the title just named
_TO_YOU = re.compile(r"\byou\b|\byou'", re.I)  # "maybe you've seen it": said of the assistant, not the person


def examples_text() -> str:
    return resources.files("prompts").joinpath("stances.toml").read_text(encoding="utf-8")


def classes() -> tuple[str, ...]:
    return tuple(k for k, v in tomllib.loads(examples_text()).items() if isinstance(v, dict))


def examples() -> list[tuple[str, str]]:
    """(words, class) pairs: every phrase of prompts/stances.toml with "it" for its title, as written and in lower
    case without end punctuation."""
    data = tomllib.loads(examples_text())
    out = []
    for label in classes():
        for text in data[label]["examples"]:
            said = text.replace("{t}", "it")
            out += [(said, label), (said.casefold().rstrip("?!. "), label)]
    return list(dict.fromkeys(out))


class StanceModel(IntentModel):
    """Sentence vector of the words around a title -> a chance for each class of prompts/stances.toml."""

    FORMAT: ClassVar[str] = "stance-reader-v1"


def stance_model(embedder, state_dir: str | Path, build: bool = True) -> StanceModel | None:
    """The stance model of a state folder: loaded, or trained (a few seconds) and saved when missing or stale."""
    return reader_model(StanceModel, embedder, state_dir, "stance-reader.pt", examples_text(), examples, classes(),
                        build)


def around(text: str, spans: list[tuple[int, int]]) -> list[tuple[list[int], str]]:
    """The words that speak of each run of titles in `text` (`spans`, in any order): (indexes of the spans in the
    run, the run's words with each title written "it"). A run's words start at its sentence's start and end at its
    sentence's end; between two runs in one sentence the words are split at their first comma or "and" ("I liked X,
    not a fan of Y": "I liked it" and "not a fan of it"; "X was great and Y was boring"), and where there is
    neither, both runs get them."""
    return [(run, words) for run, words, _, _ in _around(text, spans)]


def spoken_of(text: str, spans: list[tuple[int, int]], said_as: str = "it") -> list[tuple[list[int], str, Span]]:
    """`around`, with each span written `said_as` and where the run's words lie in `text` (their clause): what a
    reader of how other things are spoken of (assistant.understanding.genre_stances: a kind named) reads."""
    return [(run, words, bounds) for run, words, _, bounds in _around(text, spans, said_as=said_as)]


def _around(text: str, spans: list[tuple[int, int]], cut_at: Callable[[list[tuple[str, str]]], int] | None = None,
            said_as: str = "it") -> list[tuple[list[int], str, str, Span]]:
    """`around`, with the words said of each run after them (`then`) as a third member ("" where none). `cut_at`
    parts two runs of one sentence with neither comma nor "and" between them ("Ok I will try X I can even watch
    cartoons too like Y"): given the two runs' words with the words between given to both (first) and for each
    place they could be cut (before a subject, where a new clause may start), it says which (LearnedStance: the one the model is surest of on both sides; "X sounds
    more interesting than Y" stays whole); without it both runs get them all."""
    if not spans:
        return []
    order = sorted(range(len(spans)), key=lambda k: spans[k])  # the titles as written, whatever order they came in
    # with the year written after it, "Heat (1995)", which a title found without it leaves out
    spans = [(a, year.end() if (year := YEAR_AFTER.match(text, b)) else b) for a, b in (spans[k] for k in order)]
    holed = list(text)
    for a, b in spans:
        holed[a:b] = _HOLE * (b - a)
    flat = "".join(holed)
    runs: list[list[int]] = [[0]]
    for k in range(1, len(spans)):
        gap = flat[spans[k - 1][1] : spans[k][0]]
        (runs[-1].append(k) if _RUN.fullmatch(gap) else runs.append([k]))
    breaks = [(b.start, b.end) for b in clauses.breaks(flat, "stance")]
    # where the words of each run begin and end: its sentence, cut between runs at a comma or "and"
    bounds = []
    for run in runs:
        first, last = spans[run[0]], spans[run[-1]]
        lo = max([0] + [e for _, e in breaks if e <= first[0]])
        hi = min([len(flat)] + [s for s, _ in breaks if s >= last[1]])
        bounds.append([lo, hi, first[0], last[1]])
    for left, right in zip(bounds, bounds[1:]):
        if right[0] >= left[1]:  # another sentence
            continue
        cut = next((b for b in clauses.breaks(flat, "verdict") if left[3] <= b.start and b.end <= right[2]), None)
        if cut is not None:
            left[1], right[0] = cut.start, cut.end
        else:  # both runs get the words between them, unless the model is surer of them parted
            whole = (_words(flat, left[0], right[2]), _words(flat, left[3], right[1]))
            places = _places(flat, left[3], right[2]) if cut_at is not None else []
            k = cut_at([whole, *((_words(flat, left[0], p), _words(flat, p, right[1])) for p in places)]) \
                if places else 0
            left[1], right[0] = (right[2], left[3]) if k == 0 else (places[k - 1], places[k - 1])
    return [([order[k] for k in run], _words(flat, lo, hi, said_as), _then(flat, hi, breaks), Span(lo, hi))
            for run, (lo, hi, _, _) in zip(runs, bounds)]


def _words(flat: str, lo: int, hi: int, said_as: str = "it") -> str:
    """The words of `flat[lo:hi]`, each title written "it" (or `said_as`)."""
    return re.sub(_HOLE + "+", said_as, flat[lo:hi]).strip(" ,")


# past this many words between two titles, the words are not cut (the model reads each whole); nor in a message
# naming more than `_MOST_CUT` titles: a turn's cost stays within some 60 texts to embed (about 0.1 s here)
_MOST_PLACES = 10
_MOST_CUT = 4


def _places(flat: str, start: int, end: int) -> list[int]:
    """Where the words between two titles (`flat[start:end]`) may be cut: where a new clause may start, before its
    subject (lexicon.SUBJECTS: "Ok I will try X | I can even watch cartoons too like Y"); none where they are too
    many words."""
    words = list(re.finditer(r"\S+", flat[start:end]))
    if len(words) > _MOST_PLACES:
        return []
    return [start + w.start() for w in words if w.group().casefold().replace("’", "'").strip(".,!?;:") in SUBJECTS]


def _then(flat: str, hi: int, breaks: list[tuple[int, int]]) -> str:
    """What the next clause after `hi` (where a run's words end) says of it: "Have you seen X? I thought it was
    great", "I've heard of X but never actually watched it". Only a statement that points back at it ("it", "that
    one"), names no other title and is not said to the assistant ("maybe you've seen it"), past a word or two that
    open it ("Honestly, I found it dull"); else ""."""
    start = next((e for s, e in breaks if s == hi), None)  # not where another title's words took over
    while start is not None:
        end = next((s for s, e in breaks if s >= start and e > start), len(flat))
        words = flat[start:end].strip(" ,")
        if _HOLE in words or flat[end:end + 1] == "?" or _TO_YOU.search(words):
            return ""
        if _BACK.search(words):
            return words
        if len(words.split()) > 2 or end == len(flat):
            return ""
        start = next((e for s, e in breaks if s == end), None)
    return ""


def own_words(words: str) -> int:
    """How many words the words around a title hold besides the "it" written for it and the glue of a list."""
    return len(re.findall(r"[^\W\d_]+", re.sub(r"\b(?:it|and|or)\b", " ", words, flags=re.I)))


def _says_something(words: str) -> bool:
    """Whether the words around a title hold any of their own: "Halloween (1978)" alone says nothing of how it was
    taken."""
    return own_words(words) > 0


@dataclass
class LearnedStance:
    """The reader (see the module's docstring): runs after the titles are found, before anything reads them, and
    leaves its sure classes in `Reading.stances` for `stance`."""

    model: StanceModel
    encode: object  # texts -> {text: vector}, e.g. Embedder.encode_turn (shares the turn's cache)
    sure: float = SURE

    def read(self, text: str, spans: list[tuple[int, int]], sure: float | None = None,
             liked: frozenset[int] = frozenset()) -> dict[int, str]:
        """The class the model is sure of (`sure`, default `self.sure`) for each title of `text`, by its start; none
        where the words around it are only the title ("Halloween (1978)"), nor for a run of titles one of which the
        rules found after a word of liking (`liked`, by start: "I love movies like X Y and Z")."""
        sure = self.sure if sure is None else sure
        cut_at = self._cut_at if len(spans) <= _MOST_CUT else None  # a long list of titles is read as before
        found = [(run, words, then) for run, words, then, _ in _around(text, spans, cut_at)
                 if not any(spans[k][0] in liked for k in run)]
        texts = [w for _, words, then in found for w in (words, then) if _says_something(w)]
        vectors = self.encode(list(dict.fromkeys(texts))) if texts else {}
        out = {}
        for run, words, then in found:
            label, chance = self.model.best(vectors[words]) if _says_something(words) else (None, 0.0)
            # the words around a title give way to what the next statement says of it where that is the surer of the
            # two: "I've heard of X but never actually watched it", "have you seen X? I thought it was great", "the
            # last movie I saw was X and I hated it" (a word of seeing alone reads as liked, a verdict after it wins)
            if _says_something(then):
                later, later_chance = self.model.best(vectors[then])
                if later_chance >= sure and (chance < sure or later_chance > chance):
                    label, chance = later, later_chance
            if chance >= sure:
                out |= {spans[k][0]: label for k in run}
        return out

    def _cut_at(self, choices: list[tuple[str, str]]) -> int:
        """Of the ways to read the words between two titles (both runs getting them all, or parted), the one the
        model is surest of on both sides."""
        # a side left a word or none besides the title ("Oh, it") says nothing to be sure of
        texts = list(dict.fromkeys(w for pair in choices for w in pair if own_words(w) >= 2))
        vectors = self.encode(texts) if texts else {}
        chance = lambda w: self.model.best(vectors[w])[1] if w in vectors else 0.0  # noqa: E731
        return max(range(len(choices)), key=lambda k: chance(choices[k][0]) + chance(choices[k][1]))

    def __call__(self, parser: RulesParser, r: Reading) -> Understanding | None:
        if r.titles:
            text = r.message.text
            r.stances = self.read(text, [(m.start, m.end) for m, _ in r.titles],
                                  liked=frozenset(m.start for m, _ in r.titles if cued_like(text, m)))
        return None


# What points at the shown items in a message that names none, written "it" for the model as a title is: "both of
# those", "them", "that one", "it"; not "that" before a subject ("I don't think that I have"), nor the "it" of "make
# it shorter" or "keep it light", which is the request. "both" points at every item shown only where two are; where
# more are, it is not said which ("those", "these", "them": `Reading.points_at_all`).
_POINTER = re.compile(r"\b(?:both(?: of)?(?: (?:those|these|them|the two))?|(?:all|each) of (?:those|these|them)|"
                      r"those|these|them|(?<!make )(?<!keep )it|"
                      r"(?:that|this)(?: one| movie| film| book| show|(?!\s+(?:i|we|you|he|she|they)\b)))\b", re.I)
_BOTH = re.compile(r"\bboth\b", re.I)
_ACTIONS = {LIKED: "more_like", DISLIKED: "dislike_refs"}


@dataclass
class LearnedVerdict:
    """How shown items pointed at, not named, were taken: "Yes, I liked both of those!", "those are both great
    movies", "the third one was awful". The rules read a verdict on a pointed item only in the words they know
    ("more like that", "I didn't like it"), and everything else of this kind was small talk, so a film the person
    just said they had seen and loved stayed on the list. The stance model reads it, with the pointer written "it"
    as a title is: liked is "more like" it (a liking, and the item is not shown again), disliked turns it down; not
    seen yet ("those look great") changes nothing. Runs after the free words are read, only where the rules found no
    action, no word to search ("I like it when films have twists" is about twists) and no fact the catalog does not
    record ("any of these under 2 hours"), over a list or an item in focus, with no title named, no question asked,
    no item taken up in the rules' words ("I'll check it out") and no swap ("swap it for a mystery": the kind asked).
    Not seen is said in many ways the model first took for liked ("I'll have to look it up"): prompts/stances.toml
    has a dozen more of them."""

    stance: LearnedStance
    takes: Callable[[str], bool] | None = None  # whether the intent reader is sure an item is taken up (LearnedIntent)

    def read(self, text: str) -> str | None:
        """The stance the model is sure of in a message that points at something, or None."""
        said = _POINTER.sub("it", text)
        label, chance = self.stance.model.best(self.stance.encode([said])[said])
        return label if chance >= self.stance.sure else None

    def __call__(self, parser: RulesParser, r: Reading) -> Understanding | None:
        low = r.message.low
        if r.action or r.titles or r.prefs.query or r.prefs.names or r.unrecorded \
                or not (r.has_shown or r.session.focus) \
                or routing.is_question(low) or routing.ACCEPT.search(low) or routing.INSTEAD.search(low) \
                or routing.PASSABLE.search(low) \
                or not (r.refs or _POINTER.search(r.message.text)):
            return None
        label = self.read(r.message.text)
        # the sentence model is weak on negation ("no, I've never heard of that" reads as liked): a message with one
        # is taken only as a dislike, as a title after a negation is (mentions.stance_at)
        if label == LIKED and (NEGATION.search(low) or (self.takes is not None and self.takes(r.message.text))):
            return None  # "perfect, the third one it is" picks it: the intent reader's to take up, not "more like"
        action = _ACTIONS.get(label or "")
        shown = len(r.session.shown)
        both = not r.refs and bool(_BOTH.search(low))
        if action is None or (both and shown != 2):  # "I liked both of those" over five: which two is not said
            return None
        r.action, r.nothing_asked, r.bare = action, False, False
        if both:
            r.refs = list(range(shown))
        r.refs = r.refs or r.points_at_all  # "I liked those": every item shown; "it", "that one": the one in focus
        return None
