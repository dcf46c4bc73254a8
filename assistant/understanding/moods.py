"""A learned reader for the kind of item asked for without a genre word: "something to keep me on the edge of my
seat" leans to thrillers, "dragons and wizards" to fantasy, "give me nightmares" to horror.

The same small torch classifier as the intent reader (assistant.understanding.learned: one hidden layer over the
message's 384-d sentence vector, which the turn has already computed), trained on prompts/moods.toml: ways of
asking for each generic genre, and requests that imply none (`none`). It reads only what the rules left: a
request with free words (words the rules could not place; a catalog tag is placed) or an occasion ("for date
night", "for a rainy sunday", which the rules set aside as no topic to search) and no genre named or leaned
to ("nothing scary, I want explosions and car chases" is read: Action, never Horror). When it is sure (`SURE`) and
the pack's catalog has that genre, the genre becomes a lean (`mood_genres`): it scores, never filters, and the
reply says "leaning Thriller", so a wrong guess costs a little order and is visible. A genre the conversation
already asked for or ruled out is left as the person set it. A catalog without genres (the books pack) gets
nothing from it.

`SURE` was chosen on eval/data's understanding sets (no reading there may change) and ReDial's seeker messages;
it is measured on the tags people put on the demo pack's films (`crs eval understanding`, "moods").
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from assistant.understanding.learned import IntentModel, reader_model
from assistant.models import Understanding
from assistant.understanding.negation import NEGATION

if TYPE_CHECKING:
    from assistant.understanding.parser import RulesParser
    from assistant.understanding.readers import Reading

NAME = "learned mood"
NONE = "none"
SURE = 0.6


def examples_text() -> str:
    return resources.files("prompts").joinpath("moods.toml").read_text(encoding="utf-8")


def classes() -> tuple[str, ...]:
    return tuple(tomllib.loads(examples_text()))


def examples() -> list[tuple[str, str]]:
    """(message, class) pairs: each example of prompts/moods.toml as written and in lower case."""
    out = []
    for label, table in tomllib.loads(examples_text()).items():
        for text in table["examples"]:
            out += [(text, label), (text.casefold().rstrip("?!. "), label)]
    return list(dict.fromkeys(out))


class MoodModel(IntentModel):
    """Sentence vector -> a chance for each class of prompts/moods.toml (`meta["classes"]`)."""

    FORMAT: ClassVar[str] = "mood-reader-v1"


def mood_model(embedder, state_dir: str | Path, build: bool = True) -> MoodModel | None:
    """The mood model of a state folder: loaded, or trained (a few seconds) and saved when missing or stale."""
    return reader_model(MoodModel, embedder, state_dir, "mood-reader.pt", examples_text(), examples, classes(), build)


@dataclass
class LearnedMood:
    """The reader (see the module's docstring)."""

    model: MoodModel
    encode: object  # texts -> {text: vector}, e.g. Embedder.encode_turn (shares the turn's cache)
    sure: float = SURE

    def guess(self, text: str) -> tuple[str, float]:
        """The model's class for a message and its chance."""
        return self.model.best(self.encode([text])[text])

    def __call__(self, parser: RulesParser, r: Reading) -> Understanding | None:
        prefs, asked = r.prefs, r.session.preferences
        if r.titles or r.refs or r.action or not (r.unplaced or r.occasion):
            return None  # an occasion alone is read too: "a movie for date night" leans to romance
        if prefs.include_genres or prefs.any_genres or prefs.mood_genres:  # a genre ruled out still leaves the kind open
            return None
        # what a negation rules out is not a kind to lean to: "something w/o singing", "nothing scary, with
        # explosions"; then only the words left unnegated are read
        label, chance = self.guess(r.unplaced if NEGATION.search(r.message.low) else r.message.text)
        key = parser.genre_key_of(label) if label != NONE and chance >= self.sure else None
        if key and key not in (asked.include_genres + asked.any_genres + asked.exclude_genres + asked.mood_genres
                               + prefs.exclude_genres):
            prefs.mood_genres.append(key)
            r.nothing_asked = r.bare = False  # "a good movie for date night" over a list asks for romance, not others
        return None
