"""Writes person_names.toml: the phrases the person-name model (assistant.understanding.person_names) learns to tell
apart, people's names from phrases of everything else.

- `people`: the names of the authors of goodbooks-10k (packs/books/books.csv, CC BY-SA 4.0: the books pack's
  LICENSE), two or three words each ("suzanne collins", "j.k. rowling" is left out for its initials);
- `phrases`: the runs of two and three words of the readers' own example messages (intents.toml, moods.toml,
  refs.toml, stances.toml), of the lexicon's entries (words.toml), of the demo pack's titles and tags made of
  everyday words ("time travel", "based on a book", "the good the bad"), and pairs of the words people tag films
  with (item_words.toml's `items`, "claustrophobic heist", "inspirational lawyer") that no tag writes with a capital
  (a name's words are: "Keanu Reeves") and that are no part of a name above, and such a word beside an everyday
  word that is none either ("older mother", "deaf girl"); less any phrase that is a name above.

No benchmark's conversations or catalog are read. Rebuild with:
    .venv/bin/python prompts/make_person_names.py
"""

from __future__ import annotations

import csv
import random
import re
import tomllib
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
BOOKS = ROOT / "packs" / "books" / "books.csv"
MOVIES = ROOT / "packs" / "movielens" / "movies.csv"
TAGS = ROOT / "packs" / "movielens" / "tags.csv"
EXAMPLES = ("intents.toml", "moods.toml", "refs.toml", "stances.toml")
PAIRS = 3000  # pairs of tag words: two words of a kind of item are no name, whatever the words
SEED = 0
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def runs(text: str) -> set[str]:
    """Every run of two and three words of a text."""
    ws = words(re.sub(r"\{\w+\}", " | ", text))
    return {" ".join(ws[i: i + n]) for n in (2, 3) for i in range(len(ws) - n + 1)}


def people() -> set[str]:
    out = set()
    with BOOKS.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for name in row["authors"].split(","):
                parts = name.strip().casefold().split()
                if 2 <= len(parts) <= 3 and all(p.isalpha() for p in parts):
                    out.add(" ".join(parts))
    return out


def _strings(value) -> list[str]:
    """Every string in a parsed toml value, however nested."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def phrases(names: set[str]) -> set[str]:
    lexicon = tomllib.loads((HERE / "words.toml").read_text(encoding="utf-8"))
    everyday = {w for key in ("english", "filler", "discourse") for entry in lexicon[key] for w in words(entry)}
    out: set[str] = set()
    for file in EXAMPLES:
        for text in _strings(tomllib.loads((HERE / file).read_text(encoding="utf-8"))):
            out |= runs(text)
    for text in _strings(lexicon):
        out |= runs(text)
    with MOVIES.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out |= {r for r in runs(re.sub(r"\(\d{4}\)", " ", row["title"])) if all(w in everyday for w in r.split())}
    with TAGS.open(encoding="utf-8") as f:
        out |= {t for row in csv.DictReader(f) if 2 <= len(words(t := " ".join(words(row["tag"])))) <= 3
                and all(w in everyday for w in t.split())}
    parts = {p for name in names for p in name.split()}
    capitalised = set()
    with TAGS.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            capitalised |= {w.casefold() for w in re.findall(r"[A-Za-z][A-Za-z'-]*", row["tag"]) if w[0].isupper()}
    tag_words = sorted(w for w in tomllib.loads((HERE / "item_words.toml").read_text(encoding="utf-8"))["items"]
                       if w not in parts and w not in capitalised and w.isalpha())
    plain = sorted(w for w in everyday if w not in parts and w.isalpha())
    rnd = random.Random(SEED)
    out |= {f"{rnd.choice(tag_words)} {rnd.choice(tag_words)}" for _ in range(PAIRS)}
    out |= {f"{rnd.choice(plain)} {rnd.choice(tag_words)}" for _ in range(PAIRS)}
    out |= {f"{rnd.choice(tag_words)} {rnd.choice(plain)}" for _ in range(PAIRS)}
    return {p for p in out if p not in names and len(p.split()) >= 2}


def _listed(key: str, group: set[str]) -> list[str]:
    lines = [f"{key} = ["]
    row: list[str] = []
    for w in sorted(group):
        row.append(f'"{w}",')
        if sum(len(x) + 1 for x in row) > 110:
            lines.append("    " + " ".join(row))
            row = []
    if row:
        lines.append("    " + " ".join(row))
    return [*lines, "]"]


def main() -> None:
    names = people()
    others = phrases(names)
    head = __doc__.split("\n\n")[0].replace("Writes person_names.toml: t", "T")
    lines = [f"# {line}".rstrip() for line in head.splitlines()]
    lines += ["# The names are goodbooks-10k's authors (CC BY-SA 4.0, packs/books/LICENSE): this file is under it too.",
              "# Written by prompts/make_person_names.py (its docstring says from what); do not edit by hand.", ""]
    lines += _listed("people", names) + _listed("phrases", others)
    (HERE / "person_names.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"person_names.toml: {len(names)} names, {len(others)} other phrases")


if __name__ == "__main__":
    main()
