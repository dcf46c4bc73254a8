"""The list on screen taken as a whole: chosen among ("if you were me which one would you go for") or turned down
("none of them look interesting tbh").

A second sentence classifier of the learned intent reader's kind (assistant.understanding.learned), trained on the
ways of saying these two things (prompts/intents.toml `[choose]`, `[reject]`) against every example of the intent
classes and the hard negatives of `[list_other]`, all as one class `OTHER`. It is a model of its own so that the
intent model and its readings stay as they were: as two more of its classes they took a tenth off its chances of
the others (the ways of taking an item and of asking for support fell under `SURE`). The intent reader asks it
where the rules would only search free words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from assistant.models import Understanding
from assistant.understanding.learned import NAME, SURE, IntentModel, bare_request, examples, examples_text, reader_model

if TYPE_CHECKING:
    from assistant.understanding.parser import RulesParser
    from assistant.understanding.readers import Reading

ON_SHOWN = ("choose", "reject", "more")
OTHER = "other"
LIST_CLASSES = (*ON_SHOWN, OTHER)


def list_examples() -> list[tuple[str, str]]:
    """(message, class) pairs of the list model: the ways of choosing among the list and of turning it down, and every
    example of the intent classes and of `list_other` as `OTHER`."""
    others = examples() + examples(classes=("list_other",))
    return examples(classes=ON_SHOWN) + [(text, OTHER) for text, _ in others]


class ListModel(IntentModel):
    """Sentence vector -> a chance for each of `LIST_CLASSES`."""

    FORMAT: ClassVar[str] = "list-reader-v1"


def list_model(embedder, state_dir: str | Path, build: bool = True) -> ListModel | None:
    """The list model of a state folder: loaded, or trained and saved when missing or stale (unless `build` is False:
    then None)."""
    return reader_model(ListModel, embedder, state_dir, "list-reader.pt", examples_text(), list_examples,
                        LIST_CLASSES, build)


@dataclass
class ListReader:
    """`model` over the vectors `encode` gives (the turn's own, shared with the intent reader), taken where it is at
    least `sure`."""

    model: ListModel
    encode: object  # texts -> {text: vector}, e.g. Embedder.encode_turn
    sure: float = SURE

    def taken(self, text: str, parser: RulesParser | None = None) -> str | None:
        """What the message takes the list on screen for, where the model is sure: "choose", "reject", "more" or None.
        A message naming someone or something the catalog does not know ("no, I don't like Uwe Boll stuff") speaks of
        that, not of the list."""
        if parser is not None and parser.unknown_names(text):
            return None
        label, chance = self.model.best(self.encode([text])[text])
        return label if label in ON_SHOWN and chance >= self.sure else None

    @staticmethod
    def on_shown(parser: RulesParser, r: Reading, label: str, among: list[int] | None = None) -> Understanding | None:
        """The reading of a message `taken` as `label`: asked to choose ("which would you pick?"), the items are
        compared (`among`, or all of them) and the best liked named; turned down ("none of those appeal to me"), the
        same request shows others, its words not searched; asked for more ("keep them coming"), the same. With no
        list, "pick one for me" and "more please" are bare requests."""
        if not r.has_shown:
            return bare_request(parser, r) if label in ("choose", "more") else None
        if label == "choose":
            return Understanding(intent="ask_item", question="compare", refs=among or [], read_by=NAME)
        if label == "more":  # "keep them coming": the next ones of the same request
            return Understanding(intent="refine", action="exclude_shown", read_by=NAME)
        # what was ruled out stays where the catalog knows it as a tag or a mood ("not into superheroes"); other words
        # of it said how the list was taken ("not quite what I had in mind")
        r.avoid = " ".join(w for w in r.avoid.split() if parser.is_tag_word(w) or parser.is_mood(w))
        r.prefs.avoid = []
        return Understanding(intent="refine", action="exclude_shown", read_by=NAME)
