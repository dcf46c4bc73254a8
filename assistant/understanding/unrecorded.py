"""Talk of facts no pack records, set aside like money in a catalog without prices: never searched for as words
("short" found Shortbus), and the reply says the catalog cannot choose by them.

- length: "under 90 minutes", "something short", "on the shorter side", "not too long", "less than 300 pages",
  "runtime" (no pack records running times or page counts);
- subtitles: "she hates subtitles", "dubbed please", "with captions" (a release's, never the catalog's);
- language: "foreign films only", "something in french", "an english-language one", "non-english" (no pack records
  the language an item is in; "french" alone is left to the search, where a title or description may carry it).

"Short" and "long" are length only where they describe the item: before an item word or "side" ("a short
movie", "the longer side"), after a degree or an open pronoun ("too long", "something short"), or ending the
message ("make it shorter"). "A long day", "long time no see", "so long" and "as long as" are not, nor a title
(titles are read first, and their spans are out of the masked text).
"""

from __future__ import annotations

import re

from assistant.understanding.lexicon import LANGUAGES
from assistant.understanding.text import Span

_ITEM = (r"(?:side|ones?|movies?|films?|flicks?|books?|novels?|reads?|titles?|shows?|episodes?|watch|things?|"
         r"please|pls)")
_SIZE = r"(?:short|long)(?:er|est)?"
_DEGREE = (r"(?:(?:way |much |far |a little |a bit |bit )?too|not too|not very|not that|not so|nothing too|fairly|pretty|really|very|quite|super|a bit|bit|"
           r"kinda|kind of|something|anything|one|ones|is|are|be|it)")
_NOT_LENGTH = r"(?:time|ago|story|stories|shot|way|term|run|list|day|week|weekend|night|while|flight|trip|drive|as)"
_UNIT = r"(?:min(?:ute)?s?|hrs?|hours?|pages?)"
_AMOUNT = r"(?:\d{1,4}(?:[.,]\d)?|an?|one|two|three|four|half an?|an hour and a half)"
_BOUND = r"(?:under|below|less than|no more than|not more than|at most|up to|max(?:imum)?|within|over|above|more than|at least|around|about|roughly)"
LENGTH_TALK = re.compile(
    rf"\b(?:{_BOUND}\s+)?{_AMOUNT}\s*-?\s*{_UNIT}\b"
    r"|\b(?:runtime|run time|running time|length|lengthy|page count)\b"
    rf"|\b{_SIZE}\s+{_ITEM}\b"
    rf"|\b{_DEGREE}\s+{_SIZE}\b(?!\s+{_NOT_LENGTH}\b)"
    rf"|(?<!\bso )(?<!\bas )\b{_SIZE}\s*[.!?]*\s*$"
)


# a time that says when, not how long: "turned it off after an hour", "in 2 hours", "every 10 minutes"
_WHEN = re.compile(r"\b(?:after|in|every|last|first|past|next|ago)\s+$")


SUBTITLE_TALK = re.compile(r"\b(?:subtitles?|subtitled|subs|dubbed|dubbing|dub|captions?|captioned|closed captioning)\b")
_LANGUAGES = "(?:" + "|".join(map(re.escape, LANGUAGES)) + ")"  # prompts/words.toml
LANGUAGE_TALK = re.compile(
    rf"\b(?:foreign|non[- ]english)(?:[- ]language)?(?=\s+{_ITEM}\b|\s+only\b|\s*[.!?]*$)"
    r"|\bin (?:a )?(?:foreign|another|other) languages?\b"
    rf"|\b(?:(?:in|spoken in)\s+{_LANGUAGES}|{_LANGUAGES}[- ](?:language|speaking|spoken))\b")


def unrecorded_spans(masked: str) -> dict[str, list[Span]]:
    """The facts `masked` (titles already blanked out) asks to go by that no catalog records, each with its spans:
    "length", "subtitles", "language"."""
    found = {
        "length": [Span(m.start(), m.end()) for m in LENGTH_TALK.finditer(masked)
                   if not _WHEN.search(masked, 0, m.start())],
        "subtitles": [Span(m.start(), m.end()) for m in SUBTITLE_TALK.finditer(masked)],
        "language": [Span(m.start(), m.end()) for m in LANGUAGE_TALK.finditer(masked)],
    }
    return {fact: spans for fact, spans in found.items() if spans}
