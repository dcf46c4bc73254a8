"""People's names a catalog does not know: "anything with tom cruise", "meryl streep movies", "a thriller starring
denzel washington".

A name the catalog credits or tags is read as such (assistant.understanding.wants.read_people, read_tags). Any other
name was left to the free words and searched by meaning, where it matched titles that share its letters: "tom cruise"
found The Cruise and Tom Segura's stand-up, "jim carrey" Jimmy Carr's. Whether a run of words is a person's name is
not a property of one catalog, so it is learned once: a classifier of the learned readers' kind
(assistant.understanding.learned) over the sentence model's vector of the run alone, trained on the names of
goodbooks-10k's authors against phrases of everything else (prompts/person_names.toml; prompts/make_person_names.py
says from what). On names it never saw, the directors and cast of ReDial's catalog, against runs of the words of
ReDial's seekers that hold no name, it is measured by bench/person_names.py.

A run found to be a name (at least `SURE`) is set aside from the words searched and quoted ("matching “tom
cruise”"), and the reply says the catalog does not record who is in or made its items, or, where it credits people,
that it credits no one of that name; a request of nothing but such names gets that alone, no list. What the
sentence model makes of the name still steers the search a little (`Preferences.names`, embedded with the request's
words): on ReDial's catalog with its credits dropped, "Love Ryan Reynolds" found Deadpool that way, and setting the
name aside altogether lost 5 of 308 targets of the dialogues that name someone (README, "This stop"). A run the
catalog's titles hold ("indiana jones", "jimmy carr"), with a year after it ("Peter Rabbit (2018)": a title the
catalog lacks) or ruled out ("no uwe boll stuff") is left to the words, as a name the catalog credits is.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import ClassVar

from assistant.understanding.learned import IntentModel, KeptChances, reader_model
from assistant.understanding.lexicon import ENGLISH, FILLER, PEOPLE_ROLES, SUBJECTS
from assistant.understanding.negation import is_negated, sentences_marked
from assistant.understanding.parser import STRONG_PERSON_CUES
from assistant.understanding.text import Span, mask
from assistant.understanding.titles import YEAR_AFTER

PERSON, PHRASE = "person", "phrase"
CLASSES = (PERSON, PHRASE)
# the chance from which a run is a name: the lowest at which at most 1 in 50 of the phrases of ReDial's seekers were
# taken for names, on one half of them and of its catalog's people (bench/person_names.py; the other half: names
# found .987, phrases taken .007; at the model's own boundary, .5, they were .992 and .037)
SURE = 0.7
_NAME_WORD = re.compile(r"[a-z][a-z'-]*")


def names_text() -> str:
    return resources.files("prompts").joinpath("person_names.toml").read_text(encoding="utf-8")


def name_examples() -> list[tuple[str, str]]:
    """(run of words, class) pairs: prompts/person_names.toml's `people` as PERSON, its `phrases` as PHRASE."""
    data = tomllib.loads(names_text())
    return [(w, PERSON) for w in data["people"]] + [(w, PHRASE) for w in data["phrases"]]


class PersonNamesModel(IntentModel):
    """A run of words' vector -> the chances that it is a person's name and that it is not."""

    FORMAT: ClassVar[str] = "person-names-v1"


def person_names_model(embedder, state_dir: str | Path, build: bool = True) -> PersonNamesModel | None:
    """The person-name model of a state folder: loaded, or trained and saved when missing or stale (unless `build` is
    False: then None, and names are searched as words)."""
    return reader_model(PersonNamesModel, embedder, state_dir, "person-names.pt", names_text(), name_examples,
                        CLASSES, build)


# the short everyday words ("not", "or", "the", "of", "she") and the other words that rule out, join or point: a name
# holds none of them ("not harry" is no name)
_NEVER_IN_NAME = frozenset(w for w in ENGLISH if len(w) <= 3) | frozenset(SUBJECTS) | frozenset(PEOPLE_ROLES) | {
    "without", "never", "nothing", "except", "neither", "nor", "instead", "than", "like", "with", "from", "about",
    "name", "names", "actors", "actresses", "famous"}


def candidates(words: list[str]) -> list[tuple[int, int]]:
    """(start, end) word positions of the runs of two or three words that could be a name: each word written as a
    name is ("o'brien"), no filler word and no word that rules out, joins or points (`_NEVER_IN_NAME`), and one of
    them at least no everyday word ("emma stone", not "the good one")."""
    out = []
    for n in (2, 3):
        for i in range(len(words) - n + 1):
            run = words[i: i + n]
            if all(_NAME_WORD.fullmatch(w) and w not in FILLER and w not in _NEVER_IN_NAME for w in run) \
                    and any(w not in ENGLISH for w in run):
                out.append((i, i + n))
    return out


@dataclass
class PersonNames:
    """`model` over the vectors `encode` gives (texts -> {text: vector}), each run's chance kept once asked."""

    model: PersonNamesModel
    encode: object
    sure: float = SURE
    _kept: KeptChances = field(init=False)

    def __post_init__(self) -> None:
        self._kept = KeptChances(self.model, self.encode, PERSON)

    def chances(self, runs: list[str]) -> dict[str, float]:
        """run -> the model's chance that it is a person's name; the runs not asked before are encoded in one pass."""
        return self._kept(runs)

    def found(self, words: list[str]) -> list[tuple[int, int]]:
        """The runs of `words` (lower case) that are names, as (start, end) word positions, none overlapping: the
        likeliest first, a longer run before a shorter one it holds."""
        spans = candidates(words)
        if not spans:
            return []
        p = self.chances([" ".join(words[a:b]) for a, b in spans])
        sure = [(a, b) for a, b in spans if p[" ".join(words[a:b])] >= self.sure]
        sure.sort(key=lambda s: (-p[" ".join(words[s[0]:s[1]])], s[0] - s[1]))
        taken: list[tuple[int, int]] = []
        for a, b in sure:
            if all(b <= x or a >= y for x, y in taken):
                taken.append((a, b))
        return sorted(taken)


NAME = "person names"
_RUN = re.compile(r"[a-z][a-z'-]*(?: [a-z][a-z'-]*)*")  # words one space apart: no punctuation or masked span between
# the cue that goes with a name after it ("starring denzel washington"): the parser's strong person cues
_CUE_BEFORE = re.compile(r"\b(?:" + "|".join(map(re.escape, STRONG_PERSON_CUES)) + r")\s+$")


@dataclass
class LearnedPersonNames:
    """The reader (see the module's docstring): runs of the words no reader placed that `names` finds to be a name.
    One the catalog credits or tags under a spelling close to it ("scarlett johannson", "jim carey") is asked for as
    that person or tag; any other is said in `Reading.unknown_people` and kept in `Preferences.names`."""

    names: PersonNames

    def __call__(self, parser, r):
        text = mask(r.masked, r.consumed)
        for run in _RUN.finditer(text):
            found = list(_NAME_WORD.finditer(run.group(0)))
            words = [w.group(0) for w in found]
            for a, b in self.names.found(words):
                start, end = run.start() + found[a].start(), run.start() + found[b - 1].end()
                name = " ".join(words[a:b])
                # a title holding any longer run holds its pairs too
                if YEAR_AFTER.match(r.message.low, end) \
                        or any(parser.names.in_a_title(f"{x} {y}") for x, y in zip(words[a:b], words[a + 1:b])):
                    continue  # a title the catalog lacks ("Peter Rabbit (2018)"), a name its titles hold ("young
                    # indiana jones")
                if is_negated(sentences_marked(r.masked, r.message.text), start):  # "nothing with adam sandlar": someone credited is ruled out; a name
                    # the catalog lacks is left to the words ruled out, and so is one owning what is judged ("not one
                    # of Jim Carrey's better works" is said of a film)
                    known = None if name.endswith(("'s", "s'")) else parser.credited_as(name)
                    if known is not None and known[0] == "people" and known[1] not in r.prefs.exclude_people:
                        r.prefs.exclude_people.append(known[1])
                        r.consumed.append(Span(start, end))
                    continue
                if cue := _CUE_BEFORE.search(text, 0, start):  # "starring denzel washington": the cue goes with him
                    start = cue.start()
                r.consumed.append(Span(start, end))
                known = parser.credited_as(name)
                if known is not None:
                    asked = getattr(r.prefs, known[0])
                    if known[1] not in asked:
                        asked.append(known[1])
                elif name not in r.unknown_people:
                    r.unknown_people.append(name)
                    r.prefs.names.append(name)
        return None
