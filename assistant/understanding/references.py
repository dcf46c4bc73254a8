"""A learned reader for which shown item a message points at, where the rules' ordinals find none: "who directed
the bottom one", "the one in the middle looks fun", "is the penultimate one any good", "more like your top pick".

The same small torch classifier as the intent reader (assistant.understanding.learned: one hidden layer over the
message's 384-d sentence vector, which the turn has already computed), trained on prompts/refs.toml: phrases that
point at a position (first to fifth, the last, the one before it, the middle) put into carrier sentences, and
messages that point at none (`none`: a pronoun, a title such as "The Last Samurai", a list size as in "top 10",
"the middle ages"). It reads only with a list on screen, when the rules found no position and the message names no
title, and only a position the list has. Its position is where the rules' would be (`Reading.learned_refs`, taken
by the question reader when the rules have none), so what follows reads as if the rules had found it: a question
about that item, "more like" it, taking it.

`SURE` was chosen on eval/data/references.yaml's messages written for the check (the rules' ordinals and the
templates were not written against them) and ReDial's and eval/data's messages with a list shown, where it may
point at nothing the rules did not (`crs eval understanding`, "references").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from assistant.understanding import routing
from assistant.understanding.learned import IntentModel, reader_model

if TYPE_CHECKING:
    from assistant.models import Understanding
    from assistant.understanding.parser import RulesParser
    from assistant.understanding.readers import Reading

NAME = "learned reference"
NONE = "none"
SURE = 0.8
SURE_NONE = 0.9  # how sure it must be that the ordinal the rules found points at nothing
# where each class points in a list of n items (0-based; negative from the end)
POSITION = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1, "second_last": -2}


def examples_text() -> str:
    return resources.files("prompts").joinpath("refs.toml").read_text(encoding="utf-8")


def classes() -> tuple[str, ...]:
    return tuple(k for k, v in tomllib.loads(examples_text()).items() if isinstance(v, dict))


def examples() -> list[tuple[str, str]]:
    """(message, class) pairs: every pointer of prompts/refs.toml in every carrier sentence, and each `none`
    message; each as written and in lower case without end punctuation."""
    data = tomllib.loads(examples_text())
    out = []
    for label in classes():
        table = data[label]
        texts = table.get("examples", []) + [c.replace("{p}", p) for p in table.get("pointers", [])
                                             for c in data["carriers"]]
        for text in texts:
            out += [(text, label), (text.casefold().rstrip("?!. "), label)]
    return list(dict.fromkeys(out))


def pointer_words() -> frozenset[str]:
    """Every word of the training phrases that point at a position ("the", "bottom", "one", "penultimate")."""
    data = tomllib.loads(examples_text())
    return frozenset(w for table in data.values() if isinstance(table, dict)
                     for p in table.get("pointers", []) for w in re.findall(r"[\w'-]+", p.casefold()))


class RefModel(IntentModel):
    """Sentence vector -> a chance for each class of prompts/refs.toml (`meta["classes"]`)."""

    FORMAT: ClassVar[str] = "reference-reader-v1"


def ref_model(embedder, state_dir: str | Path, build: bool = True) -> RefModel | None:
    """The reference model of a state folder: loaded, or trained (a few seconds) and saved when missing or stale."""
    return reader_model(RefModel, embedder, state_dir, "reference-reader.pt", examples_text(), examples, classes(),
                        build)


def position(label: str, n: int) -> int | None:
    """The 0-based position a class points at in a list of `n` items; None when the list has no such item."""
    if label == NONE or n <= 0:
        return None
    pos = n // 2 if label == "middle" else POSITION.get(label)
    if pos is None or (pos >= n if pos >= 0 else -pos > n) or (label == "middle" and n < 3):
        return None
    return pos


@dataclass
class LearnedReference:
    """The reader (see the module's docstring)."""

    model: RefModel
    encode: object  # texts -> {text: vector}, e.g. Embedder.encode_turn (shares the turn's cache)
    sure: float = SURE
    words: frozenset[str] = field(default_factory=pointer_words)

    def guess(self, text: str) -> tuple[str, float]:
        """The model's class for a message and its chance."""
        return self.model.best(self.encode([text])[text])

    def refs(self, text: str, n: int) -> list[int]:
        """The position the model is sure a message points at in a list of `n`, as a list (empty for none)."""
        label, chance = self.guess(text)
        pos = position(label, n) if chance >= self.sure else None
        return [] if pos is None else [pos]

    def __call__(self, parser: RulesParser, r: Reading) -> Understanding | None:
        if not r.has_shown or r.titles:
            return None
        n = len(r.session.shown)
        label, chance = self.guess(r.message.text)
        if chance < self.sure:
            return None
        pos = position(label, n)
        rules = {x % n for x in routing.ordinal_refs(r.masked) if -n <= x < n}
        if not rules and routing.orders_doings(r.masked):
            r.learned_refs = []  # "which one should I watch first?": the rules read its "first" as no position
        elif not rules:
            r.learned_refs = None if pos is None else [pos]
            # nothing but the pointer and openers ("and the middle one?"): the question just asked, about it
            r.learned_bare = pos is not None and routing.only_openers(
                re.sub(r"[\w'-]+", lambda m: " " if m.group(0) in self.words else m.group(0), r.masked))
        elif label == NONE and chance >= SURE_NONE and not routing.NUMBER_SAID.search(r.message.low):
            # "a movie about the first man on the moon" points at nothing; "option 3" always at the third
            r.learned_refs = []
        elif pos is not None and pos % n not in rules and not routing.ordinals_listed(r.masked):
            r.learned_refs = [pos]  # "the second-to-last one" is not the 2nd and the last; "the first and last" are
        return None
