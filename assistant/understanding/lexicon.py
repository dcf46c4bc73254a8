"""Words the deterministic parser knows: genre synonyms, moods, numbers, ordinals, decades, filler and tags too
generic to search for. They are package data (prompts/words.toml), read once at import; this module gives them
their Python shapes."""

from __future__ import annotations

import re
import tomllib
from importlib import resources


def _load() -> dict:
    return tomllib.loads(resources.files("prompts").joinpath("words.toml").read_text(encoding="utf-8"))


_WORDS = _load()

# genre key -> ways people say it; only keys present in the catalog are used
GENRE_SYNONYMS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _WORDS["genre_synonyms"].items()}
# phrases that mean two genres at once
GENRE_COMBOS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _WORDS["genre_combos"].items()}
# phrases that mean "not this genre" ("live action": not animation)
GENRE_OPPOSITES: dict[str, str] = dict(_WORDS["genre_opposites"])
# moods: soft preferences that boost a genre without requiring it (and exclude it when negated)
MOOD_GENRES: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _WORDS["mood_genres"].items()}
NUMBER_WORDS: dict[str, int] = dict(_WORDS["number_words"])
# the plural nouns of kinds a count or an age is said of ("ten westerns", "old comedies")
KIND_NOUNS = ("comedies", "dramas", "westerns", "thrillers", "musicals", "documentaries", "mysteries", "romances",
              "cartoons", "slashers", "horrors", "adventures", "classics")
ORDINALS: dict[str, int] = dict(_WORDS["ordinals"])
ORDINAL_NAMES: list[str] = list(_WORDS["ordinal_names"])
DECADE_WORDS: dict[str, int] = dict(_WORDS["decade_words"])
# who a request may be for, and what an ordinal counts when it is not a position ("last night")
AUDIENCE: tuple[str, ...] = tuple(_WORDS["audience"])
ORDINAL_TIMES: tuple[str, ...] = tuple(_WORDS["ordinal_times"])
# words that carry no preference: request phrasing, pronouns, discourse markers
FILLER: set[str] = set(_WORDS["filler"])
# how people type words the readers know -> the plain spelling ("whats" -> "what's", "w" -> "with")
CHAT_SPELLINGS: dict[str, str] = dict(_WORDS["chat_spellings"])
EMOJI_WORDS: dict[str, str] = dict(_WORDS["emoji"])
# what a sentence may open with before it asks or says something: "lol ok who directed the first one"
DISCOURSE: tuple[str, ...] = tuple(_WORDS["discourse"])
# the subjects a new clause opens with ("I", "we", "she"), where a run-on sentence may be parted
SUBJECTS: frozenset[str] = frozenset(_WORDS["subjects"])
# genre words naming a kind inside a genre: negated, they rule out the kind, not the genre ("not slashers")
SUBGENRES: frozenset[str] = frozenset(_WORDS["subgenres"])
# the words before a "too" that complains ("way too long"): what follows is not searched for
BEFORE_COMPLAINT: frozenset[str] = frozenset(_WORDS["before_complaint"])
# comparatives of age -> "old" or "new": "the older the better" leans to the catalog's oldest quarter
AGE_LEANS: dict[str, str] = dict(_WORDS["age_leans"])
# languages a request may name ("something in french"), which no pack records
LANGUAGES: tuple[str, ...] = tuple(_WORDS["languages"])
# everyday English words: enough of them make a message English (assistant/understanding/language.py)
ENGLISH: frozenset[str] = frozenset(FILLER | set(_WORDS["english"]))


def _words_of(value: object) -> set[str]:
    if isinstance(value, str):
        return set(re.findall(r"[a-z]+(?:'[a-z]+)*", value.casefold()))
    if isinstance(value, dict):
        return _words_of(list(value)) | _words_of(list(value.values()))
    return set().union(*map(_words_of, value)) if isinstance(value, list) and value else set()


# every word the readers know, keys and values alike: the common words of a message typed in capitals
# (assistant.understanding.text.uncased)
READER_WORDS: frozenset[str] = frozenset(ENGLISH | _words_of(_WORDS))
# tags that are too generic to be a keyword on their own
GENERIC_TAGS: set[str] = FILLER | set(_WORDS["generic_tags"])
# "the newest one" -> ("year", "max"): with a list shown, the shown item with the most or least of that field
DESCRIBED_REFS: dict[str, tuple[str, str]] = {k: tuple(v.split()) for k, v in _WORDS["described_refs"].items()}
# "the same director", "same actors": which credits field (directors, cast) a role word names
PEOPLE_ROLES: dict[str, str] = dict(_WORDS["people_roles"])
