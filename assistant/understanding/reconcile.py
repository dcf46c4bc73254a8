"""Reconciling an LLM's reading of a message with the parser's, against the catalog's vocabulary.

The parser is precise on what it recognises; a small model is not (it invents titles,
copies example years, lists every genre). So the parser's reading stands, and the model
may only add what the catalog and the message both confirm: a title that exists and is
written in the message, a person or catalog tag named in the message, years only when the
message speaks of time, a count written in it, a price range whose amounts it writes (in a
catalog with prices), and an intent the parser could not place.
Genres come from the parser alone: measured on eval/data/understanding.yaml, the packaged
0.5B model's genre guesses for messages without genre words were wrong ("a stephen king
adaptation" -> adventure), and a wrong hard constraint hides good items.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator
from rapidfuzz import fuzz

from assistant.models import Understanding
from assistant.understanding.learned import INTENT_OF
from assistant.understanding.learned import NAME as LEARNED
from retrieval.catalog import fold_text
from assistant.understanding.parser import RulesParser
from retrieval.catalog import person_key

_TIME_WORDS = re.compile(r"\d|\b(?:recent|new|newer|latest|old|older|classic|modern|decade|century|twenties|thirties|"
                         r"forties|fifties|sixties|seventies|eighties|nineties)\b")
_INTENTS = {"recommend", "refine", "ask_item", "support", "chitchat", "out_of_scope", "reset"}


class LLMReading(BaseModel):
    """What the model is asked to fill in; lenient on extra keys, strict on types."""

    model_config = ConfigDict(extra="ignore")
    intent: str | None = None
    liked_titles: list[str] = Field([], max_length=10)
    disliked_titles: list[str] = Field([], max_length=10)
    include_genres: list[str] = Field([], max_length=20)
    exclude_genres: list[str] = Field([], max_length=20)
    year_min: int | None = Field(None, ge=1800, le=2100)
    year_max: int | None = Field(None, ge=1800, le=2100)
    people: list[str] = Field([], max_length=10)
    keywords: list[str] = Field([], max_length=10)
    count: int | None = Field(None, ge=1, le=50)

    @field_validator("liked_titles", "disliked_titles", "include_genres", "exclude_genres", "people", "keywords",
                     mode="before")
    @classmethod
    def _none_is_empty(cls, v: object) -> object:
        return [] if v is None else v


class PricedReading(LLMReading):
    """The reading asked of the model in a catalog with prices (one without is never asked about money)."""

    price_min: float | None = Field(None, ge=0, le=1e7)
    price_max: float | None = Field(None, ge=0, le=1e7)


READING_SCHEMA = LLMReading.model_json_schema()
PRICED_READING_SCHEMA = PricedReading.model_json_schema()


def _written(value: float, low: str) -> bool:
    """Whether the number `value` is written in the message (20 as "20", "20.00" or "$20"; 12.5 as "12.50")."""
    forms = {f"{value:g}", f"{value:.2f}"} | ({str(int(value))} if value == int(value) else set())
    return any(re.search(rf"(?<![\d.,]){re.escape(f)}(?![\d]|[.,]\d)", low) for f in forms)


def reconcile(rules: Understanding, reading: LLMReading, message: str, parser: RulesParser) -> Understanding:
    """The parser's understanding plus what the model found and the catalog and message confirm."""
    u = rules.model_copy(deep=True)
    p = u.preferences
    low = message.casefold()
    norm_message = fold_text(message)
    added: list[str] = []

    if u.intent in ("recommend", "refine"):
        for titles, target, other in ((reading.liked_titles, p.liked, p.disliked),
                                      (reading.disliked_titles, p.disliked, p.liked)):
            for t in titles:
                hit = parser.titles.lookup(t)
                if hit and hit[0] not in target + other and fuzz.partial_ratio(fold_text(t), norm_message) >= 90:
                    target.append(hit[0])
                    added.append(t)
        # years the rules read as ruled out ("not from the 80s") are not the model's to turn into years asked for
        if p.year_min is None and p.year_max is None and not p.exclude_years and _TIME_WORDS.search(low):
            lo, hi = reading.year_min, reading.year_max
            newest = (parser.newest_year or 2100) + 1
            if (lo is None or 1880 <= lo <= newest) and (hi is None or 1880 <= hi <= newest) and (
                lo is None or hi is None or lo <= hi
            ):
                p.year_min, p.year_max = lo, hi
        for name in reading.people:
            key = person_key(name)
            # a name the person-name reader found the catalog has no one by stays set aside, said so, not searched
            if key and key in low and key not in p.people and len(key.split()) >= 2 and key not in u.unknown_people:
                p.people.append(key)
                added.append(name)
        for kw in reading.keywords:
            k = kw.casefold().strip()
            if k in parser.keywords and k in low and k not in p.keywords:
                p.keywords.append(k)
                added.append(kw)
        if p.n is None and reading.count and str(reading.count) in low:
            p.n = reading.count
        lo, hi = getattr(reading, "price_min", None), getattr(reading, "price_max", None)
        if parser.has_prices and p.price_min is None and p.price_max is None and (lo is not None or hi is not None) \
                and all(v is None or _written(v, low) for v in (lo, hi)) and (lo is None or hi is None or lo <= hi):
            p.price_min, p.price_max = lo, hi  # only amounts the message writes: "I've got 25 to spend"
            added += [f"{v:g}" for v in (lo, hi) if v is not None]
        for phrase in added:  # what the model explained no longer counts as free text
            p.query = " ".join(w for w in p.query.split() if w not in fold_text(phrase).split())

    slots = p.model_copy(update={"query": ""})
    if u.intent in ("recommend", "refine") and slots.is_empty() and reading.intent in (
        "support", "out_of_scope"
    ) and _learned_agrees(reading.intent, message, parser):
        return Understanding(intent=reading.intent)
    return u


def _learned_agrees(intent: str, message: str, parser: RulesParser) -> bool:
    """Whether the learned intent reader, where the parser has one, reads the message as the model does. A small
    model calls "nah not feeling it. darker pls" off topic; the reader's best class for it is not, so the parser's
    refinement stands. Without the reader the model's reading is taken, as before it existed."""
    reader = dict(parser.readers).get(LEARNED)
    return reader is None or INTENT_OF.get(reader.guess(message)[0]) == intent
