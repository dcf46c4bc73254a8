"""Writes item_words.toml: the words the item-words model (assistant.understanding.item_words) learns to tell apart,
words that say what an item is about from words of chat.

- `items`: every word of a tag that people put on two or more films of the demo pack (packs/movielens/tags.csv,
  "time travel", "dark comedy", "based on a book"), and the genre names, their synonyms and the mood words of
  words.toml, less the everyday, filler and discourse words of words.toml ("and", "amazing", "good");
- `chat`: the everyday, filler and discourse words of words.toml, every word of the examples of small talk, support,
  off-topic, accepting and starting over (intents.toml), and every word used twice or more in the demo shop's
  support questions (packs/movielens/support-examples.csv, from Bitext: "cancel", "account", "refund"), less
  any word of `items`.

No benchmark's conversations or catalog are read. Rebuild with:
    .venv/bin/python prompts/make_item_words.py
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
TAGS = ROOT / "packs" / "movielens" / "tags.csv"
SUPPORT = ROOT / "packs" / "movielens" / "support-examples.csv"
CHAT_CLASSES = ("small_talk", "support", "off_topic", "accept", "reset")
MIN_ITEMS = 2  # a tag word put on one film only is often a name or a joke
MIN_SUPPORT = 2
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if len(w) > 1]


def everyday_words() -> set[str]:
    lexicon = tomllib.loads((HERE / "words.toml").read_text(encoding="utf-8"))
    return {w for key in ("english", "filler", "discourse") for entry in lexicon[key] for w in words(entry)}


def item_words() -> set[str]:
    films: dict[str, set[str]] = defaultdict(set)
    with TAGS.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for w in words(row["tag"]):
                films[w].add(row["movieId"])
    lexicon = tomllib.loads((HERE / "words.toml").read_text(encoding="utf-8"))
    named = [*lexicon["genre_synonyms"], *(w for ws in lexicon["genre_synonyms"].values() for w in ws),
             *lexicon["mood_genres"]]
    tagged = {w for w, s in films.items() if len(s) >= MIN_ITEMS} | {w for name in named for w in words(name)}
    return tagged - everyday_words()


def chat_words() -> set[str]:
    out = everyday_words()
    intents = tomllib.loads((HERE / "intents.toml").read_text(encoding="utf-8"))
    for label in CHAT_CLASSES:
        for example in intents[label]["examples"]:
            out |= set(words(re.sub(r"\{\w+\}", " ", example)))
    counts: Counter[str] = Counter()
    with SUPPORT.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            counts.update(words(row["utterance"]))
    return out | {w for w, n in counts.items() if n >= MIN_SUPPORT}


def main() -> None:
    items = item_words()
    chat = chat_words() - items
    head = __doc__.split("\n\n")[0].replace("Writes item_words.toml: t", "T")
    lines = [f"# {line}".rstrip() for line in head.splitlines()]
    lines += ["# Written by prompts/make_item_words.py (its docstring says from what); do not edit by hand.", ""]
    for key, group in (("items", items), ("chat", chat)):
        lines.append(f"{key} = [")
        row: list[str] = []
        for w in sorted(group):
            row.append(f'"{w}",')
            if sum(len(x) + 1 for x in row) > 110:
                lines.append("    " + " ".join(row))
                row = []
        if row:
            lines.append("    " + " ".join(row))
        lines.append("]")
    (HERE / "item_words.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"item_words.toml: {len(items)} item words, {len(chat)} chat words")


if __name__ == "__main__":
    main()
