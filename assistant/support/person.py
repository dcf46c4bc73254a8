"""A learned reader of whether a message asks to be put through to a person.

The desk's pattern (`desk.HUMAN`) knows "talk to a human", "speak with an agent", "a real person"; people ask in more
ways than it lists ("I want an agent", "help me contact an agent", "transfer to me someone", "need assistance chatting
with somebody"), and each one it missed was answered from the help page about reaching a person, which says to ask
for one: the person had just done so. This reader is the same small torch classifier as the intent reader
(assistant.understanding.learned: one hidden layer over the message's sentence vector, which the desk has already
computed), trained on prompts/person.toml (ways of asking for a person, and messages that ask for anything else,
items about agents and people among them) plus every message of prompts/intents.toml that does not ask for a person.
A message it is sure of (`SURE`) asks for a person, as one the pattern finds does; a message about items still goes
to the recommender ("secret agent movies": the desk's `is_support`).

`SURE` was chosen on ReDial's seeker messages (no request for a film may ask for a person) and the other Bitext
intents; Bitext's contact_human_agent utterances, which no example was written from, measure it (README, "Customer
service").
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import ClassVar

import numpy as np

from assistant.understanding import learned
from assistant.understanding.learned import IntentModel, reader_model

PERSON = "person"
OTHER = "other"
CLASSES = (PERSON, OTHER)
SURE = 0.9


def examples_text() -> str:
    own = resources.files("prompts").joinpath("person.toml").read_text(encoding="utf-8")
    return own + "\n" + learned.examples_text()


def examples() -> list[tuple[str, str]]:
    """(message, class) pairs: prompts/person.toml as written and in lower case, and the intent reader's examples
    (slots filled as it fills them) as `other`, but for those that ask for a person."""
    from assistant.support.desk import HUMAN

    data = tomllib.loads(resources.files("prompts").joinpath("person.toml").read_text(encoding="utf-8"))
    out: list[tuple[str, str]] = []
    for label in CLASSES:
        for text in data[label]["examples"]:
            out += [(text, label), (text.casefold().rstrip("?!. "), label)]
    asking = {t.casefold() for t in data[PERSON]["examples"]}
    out += [(text, OTHER) for text, _ in learned.examples()
            if not HUMAN.search(text.casefold()) and text.casefold() not in asking]
    return list(dict.fromkeys(out))


class PersonModel(IntentModel):
    """Sentence vector -> the chance that the message asks for a person, and that it does not."""

    FORMAT: ClassVar[str] = "person-reader-v1"


def person_model(embedder, state_dir: str | Path, build: bool = True) -> PersonModel | None:
    """The person model of a state folder: loaded, or trained (a few seconds) and saved when missing or stale."""
    return reader_model(PersonModel, embedder, state_dir, "person-reader.pt", examples_text(), examples, CLASSES,
                        build)


@dataclass
class AsksForPerson:
    """The reader (see the module's docstring): called with a message's sentence vector."""

    model: PersonModel
    sure: float = SURE

    def chance(self, vector: np.ndarray) -> float:
        return float(self.model.chances(vector)[0, self.model.classes.index(PERSON)])

    def __call__(self, vector: np.ndarray) -> bool:
        return self.chance(vector) >= self.sure
