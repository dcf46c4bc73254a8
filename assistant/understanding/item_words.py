"""Which of the words left over say what an item is about: "something about space pirates" searches "space pirates";
"I'm open to anything", "hope you're having a great day", "all time favorite", "keep it in mind" search nothing.

The words no reader placed are searched by meaning (`read_free_text`), and a query stays until another replaces it,
so a word of chat ("open", "day", "especially") steered every later list of the conversation. Which words are of
which kind is not a property of one catalog, so it is learned once: a classifier of the learned readers' kind
(assistant.understanding.learned) over the sentence model's vector of the word alone, trained on the words people
tag films with against the words of chat (prompts/item_words.toml; prompts/make_item_words.py says from what). On
goodbooks-10k's shelf names, a catalog and a kind of item it never saw, it takes 78 % of 3,324 words for item words,
and those it does not are mostly shelf keeping ("shelved", "returned", "inventory"). A word is kept where the model
finds it at least as likely an item word as not (its classes weigh the same in training); a name the catalog
credits is always kept.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import ClassVar

from assistant.understanding.learned import IntentModel, KeptChances, reader_model

ITEM, CHAT = "item", "chat"
CLASSES = (ITEM, CHAT)
KEEP = 0.5  # the chance of ITEM from which a word is searched: the model's own boundary, not tuned on a benchmark


def words_text() -> str:
    return resources.files("prompts").joinpath("item_words.toml").read_text(encoding="utf-8")


def word_examples() -> list[tuple[str, str]]:
    """(word, class) pairs: prompts/item_words.toml's `items` as ITEM, its `chat` as CHAT."""
    data = tomllib.loads(words_text())
    return [(w, ITEM) for w in data["items"]] + [(w, CHAT) for w in data["chat"]]


class ItemWordsModel(IntentModel):
    """A word's vector -> the chances that it is an item word and a word of chat."""

    FORMAT: ClassVar[str] = "item-words-v1"


def item_words_model(embedder, state_dir: str | Path, build: bool = True) -> ItemWordsModel | None:
    """The item-words model of a state folder: loaded, or trained and saved when missing or stale (unless `build` is
    False: then None, and every free word is searched)."""
    return reader_model(ItemWordsModel, embedder, state_dir, "item-words.pt", words_text(), word_examples, CLASSES,
                        build)


@dataclass
class ItemWords:
    """`model` over the vectors `encode` gives (texts -> {text: vector}), each word's chance kept once asked."""

    model: ItemWordsModel
    encode: object
    keep: float = KEEP
    _kept: KeptChances = field(init=False)

    def __post_init__(self) -> None:
        self._kept = KeptChances(self.model, self.encode, ITEM)

    def chances(self, words: list[str]) -> dict[str, float]:
        """word -> the model's chance that it says what an item is about; the words not asked before are encoded
        in one pass."""
        return self._kept(words)

    def kept(self, text: str, keep_anyway=lambda w: False) -> str:
        """The words of `text` that say what an item is about, in order; `keep_anyway(word)` keeps a word whatever
        the model says (a name the catalog credits)."""
        said = text.split()
        if not said:
            return text
        p = self.chances(said)
        return " ".join(w for w in said if p[w] >= self.keep or keep_anyway(w))
