"""A learned reader for how a person speaks of a kind they name: not wanted ("horror is a no for me", "westerns make
me cringe", "ok horror isn't really my thing"), wanted, or named aside ("is it a comedy?").

The rules read a genre as ruled out only after a word of negation in its clause (assistant.understanding.negation),
so a dislike said any other way asked for the very kind: "westerns make me cringe" listed westerns. This reader is
the same small torch classifier as the title stance reader (assistant.understanding.stances), over the sentence
vector of the words of the kind's clause (the same splitter scopes them: a sentence, "but", a comma or "and" between
two kinds), with the kind and the noun after it written "it" ("it make me cringe"; the word "genre" in its place
read "a pretty genre guy" and "some super hero genre movies" as ruled out): so it learns how a stance is said, not
which kinds are liked. It is trained on prompts/genre_stances.toml.

It reads only a kind named by its genre's name (a mood, "funny", "scary", only parts the clauses: "drama pls,
nothing sad") that opens its clause, past words that open a sentence ("ok", "well"), in a clause of at least
`FEWEST_WORDS` words of its own and shared with no other kind: a kind named further in ("how about action like
X") is what the sentence asks for, and unsure of those the reader took a dozen of ReDial's for ruled out. Where it is sure (`SURE`) such a kind is not wanted and the rules read
no negation before it, `RulesParser._genres` rules it out and the clause's words are read as said
(`Reading.genre_clauses`: "cringe" is not searched for). A negation the rules read stands whatever the reader says:
the sentence model is weak on negation ("anything but horror please" reads as wanted, "please" outweighing "but"),
so "I can't get enough of westerns" stays the rules' mistake. Measured per reader on eval/data/genre_stances.yaml
(`crs eval understanding`, "genre stances"), its threshold checked on eval/data/genre_stances_dev.yaml.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from assistant.understanding.learned import IntentModel, reader_model
from assistant.understanding.lexicon import DISCOURSE
from assistant.understanding.stances import own_words, spoken_of
from assistant.understanding.text import Span, in_a_name

if TYPE_CHECKING:
    from assistant.models import Understanding
    from assistant.understanding.parser import RulesParser
    from assistant.understanding.readers import Reading

__all__ = ["ASIDE", "IN", "NAME", "OUT", "GenreStanceModel", "LearnedGenreStance", "classes", "examples",
           "genre_stance_model"]

NAME = "learned genre stance"
IN, OUT, ASIDE = "in", "out", "aside"
SAID_AS = "it"  # what the kind is written as for the model, as a title is for the title stance reader
# the noun after a kind is the kind's ("horror movies" is written "it", as "horror" is)
_NOUN_AFTER = re.compile(r"\s+(?:movie|film|flick|book|novel|show|series|one)s?\b", re.I)
# the fewest words of its own a kind's clause must hold to be read: "than horror", "anything comedy really" say
# nothing of it
FEWEST_WORDS = 3
# checked on eval/data/genre_stances_dev.yaml (ReDial messages; `crs eval understanding`, "genre stances"): from .5 to
# .9 they read alike (and of ReDial's 1,203 seeker messages naming a genre, none has a kind ruled out by the reader
# at any of them), so the surer end is kept: a phrase it is unsure of stays the rules'
SURE = 0.8


def examples_text() -> str:
    return resources.files("prompts").joinpath("genre_stances.toml").read_text(encoding="utf-8")


def classes() -> tuple[str, ...]:
    return tuple(k for k, v in tomllib.loads(examples_text()).items() if isinstance(v, dict))


def examples() -> list[tuple[str, str]]:
    """(words, class) pairs: every phrase of prompts/genre_stances.toml with "it" for its kind, as written and in
    lower case without end punctuation."""
    data = tomllib.loads(examples_text())
    out = []
    for label in classes():
        for text in data[label]["examples"]:
            said = re.sub(r"\{g\}(?:" + _NOUN_AFTER.pattern + ")?", SAID_AS, text)
            out += [(said, label), (said.casefold().rstrip("?!. "), label)]
    return list(dict.fromkeys(out))


class GenreStanceModel(IntentModel):
    """Sentence vector of the words around a kind -> a chance for each class of prompts/genre_stances.toml."""

    # the data hash changes with what the kind is written as
    FORMAT: ClassVar[str] = f"genre-stance-reader-v1:{SAID_AS}"


def genre_stance_model(embedder, state_dir: str | Path, build: bool = True) -> GenreStanceModel | None:
    """The genre-stance model of a state folder: loaded, or trained (a few seconds) and saved when missing or stale."""
    return reader_model(GenreStanceModel, embedder, state_dir, "genre-stance-reader.pt", examples_text(), examples,
                        classes(), build)


def _opens(before: str) -> bool:
    """Whether the words of a clause before its kind (`before`) leave the kind its subject: none, or only words that
    open a sentence ("ok", "well", "but"; not "how about action like X", "I like Marvel movies and action movies")."""
    return all(w in DISCOURSE for w in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", before.casefold()))


@dataclass
class LearnedGenreStance:
    """The reader (see the module's docstring): runs before the genres are read and leaves its sure classes, by the
    kind's start, in `Reading.genre_stances`, with the clause each was read in."""

    model: GenreStanceModel
    encode: object  # texts -> {text: vector}, e.g. Embedder.encode_turn (shares the turn's cache)
    sure: float = SURE

    def read(self, text: str, spans: list[tuple[int, int]], sure: float | None = None,
             unread: frozenset[int] = frozenset()) -> dict[int, tuple[str, Span]]:
        """The class the model is sure of (`sure`, default `self.sure`) for each kind of `text` (`spans`), by its
        start, with its clause; none where the words around it are only the kind ("comedies!"), nor for the kinds
        starting at `unread` (moods: they only part the clauses, "drama pls, nothing sad")."""
        sure = self.sure if sure is None else sure
        clauses = spoken_of(text, spans, SAID_AS)
        # a kind whose words another kind shares ("action movies without sci-fi": nothing parts them) is left to the
        # rules, which read the negation between the two
        found = [(run, words, bounds) for run, words, bounds in clauses if own_words(words) >= FEWEST_WORDS
                 and not any(spans[k][0] in unread for k in run)
                 and _opens(text[bounds.start : spans[run[0]][0]]) and not any(
            other is not bounds and other.start < bounds.end and bounds.start < other.end for _, _, other in clauses)]
        if not found:
            return {}
        vectors = self.encode(list(dict.fromkeys(words for _, words, _ in found)))
        out = {}
        for run, words, bounds in found:
            label, chance = self.model.best(vectors[words])
            if chance >= sure and label != ASIDE:
                out |= {spans[k][0]: (label, bounds) for k in run}
        return out

    @staticmethod
    def spans(parser: RulesParser, masked: str, text: str) -> tuple[list[tuple[int, int]], frozenset[int]]:
        """Where a message (`text`; `masked`: casefolded, what the readers before took blanked) names a kind, each
        with the noun after it, but a phrase whose negation is its meaning ("live action"); and the starts of those
        that are moods ("funny", "scary"), which are not read: an adjective, whose "too" or "pretty" the reader took
        for a verdict ("a pretty funny guy")."""
        pattern = parser._genre_re
        found = [m for m in pattern.finditer(masked)
                 if m.group(0) not in parser._opposites and not in_a_name(text, m.start(), pattern)]
        spans = [(m.start(), noun.end() if (noun := _NOUN_AFTER.match(masked, m.end())) else m.end()) for m in found]
        return spans, frozenset(m.start() for m in found if parser.is_mood(m.group(0)))

    def __call__(self, parser: RulesParser, r: Reading) -> Understanding | None:
        spans, moods = self.spans(parser, r.masked, r.message.text)
        if len(spans) > len(moods):
            r.genre_stances = self.read(r.message.text, spans, unread=moods)
        return None
