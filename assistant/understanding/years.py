"""Reading the years a message asks for: ranges, open bounds, decades, single years, and
"newer"/"older" relative to what was shown."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable

from assistant.understanding import clauses
from assistant.understanding.lexicon import DECADE_WORDS, NUMBER_WORDS

_YEAR = r"(1[89]\d\d|20[0-3]\d)"
# a decade, or a part of one: "the 80s", "eighties", "the 1800s", "early 2000s", "mid-90s", "the late eighties"
_DECADE = re.compile(r"\b(?:the\s+)?(?:(?P<part>early|mid|late)\s*-?\s*)?(?:(?:(?P<full>1[89]\d0|20[0-2]0)|'?(?P<short>\d)0)"
                     r"\s?'?s\b|(?P<word>" + "|".join(DECADE_WORDS) + r")\b)")
# the share of a decade (or century) each part names, generously: "the mid 90s" is 1993-1997
PARTS = {"early": (0.0, 0.5), "mid": (0.3, 0.8), "late": (0.6, 1.0)}
_RANGE = re.compile(rf"\b(?:between|from)\s+{_YEAR}\s+(?:and|to|until|-|–)\s+{_YEAR}\b|\b{_YEAR}\s*[-–]\s*{_YEAR}\b")
# what a comparison is made with: a year, or a decade ("nothing older than the 90s", "after the 2000s")
_POINT = (rf"(?:(?:the\s+year\s+)?(?P<year>{_YEAR})\b|(?:the\s+)?(?:(?P<dfull>1[89]\d0|20[0-2]0)|'?(?P<dshort>\d)0)\s?'?s\b"
          r"|(?:the\s+)?(?P<dword>" + "|".join(DECADE_WORDS) + r")\b)")
_AFTER = re.compile(rf"\b(?P<op>after|since|newer than|later than|post|from)(?:\s+|\s*-\s*){_POINT}(?P<on>\s+(?:on(?:wards?)?|or later|and later|and after))?")
_BEFORE = re.compile(rf"\b(?P<op>before|until|till|up to|older than|earlier than|pre|through|by)(?:\s+|\s*-\s*){_POINT}")
_LATER = re.compile(rf"\b{_YEAR}(?:\s+(?P<dir>or later|and later|onwards?|or newer|and up|or earlier|and earlier|or older"
                    r"|and before)\b|(?P<plus>\+)(?!\w))")  # "2010+": from 2010 on
_BARE_YEAR = re.compile(rf"\b{_YEAR}\b")
# a decade with a direction: "2000s+", "the 90s and up", "80s or earlier"
_DECADE_ON = re.compile(r"\b(?:the\s+)?(?:(?P<full>1[89]\d0|20[0-2]0)|'?(?P<short>\d)0)\s?'?s(?:(?P<plus>\+)(?!\w)|\s+"
                        r"(?P<dir>or later|and later|onwards?|or newer|and up|and after|or earlier|and earlier|or older"
                        r"|and before)\b)")
_RECENT = re.compile(r"\b(?:recent|new|newest|latest|brand new|current)\b")
# a complaint about the age of what was shown asks for the other way: "those are too old", "these look kinda dated",
# "all too new"
_DEGREE = r"(?:too|kinda|kind of|a bit|a little|pretty|quite|really|very|so|way too)"
_NEWER = re.compile(r"\b(?:newer|more recent|less old)\b"
                    rf"|(?P<complaint>\b{_DEGREE}\s+(?:old|dated)\b|\b(?:looks?|seems?)\s+(?:really\s+|so\s+|pretty\s+)?old\b|\b(?:outdated|dated)\b)")
_OLDER = re.compile(r"\b(?:older|less recent)\b"
                    rf"|(?P<complaint>\b{_DEGREE}\s+(?:new|recent|modern)\b)")
RECENT_YEARS = 5
# "from the last 10 years", "in the past decade", "the last few yrs": a window ending at the catalog's newest year
WINDOW = re.compile(
    r"\b(?:the\s+)?(?:last|past|previous)\s+(?:(?P<n>\d{1,2}|" + "|".join(NUMBER_WORDS) + r"|few|couple(?:\s+of)?)\s+)?"
    r"(?P<unit>years?|yrs?|decades?)\b"
)
# a year said of an item, not asked for: "it was actually released in 2018", "you said 2017"; a decade said of a person
_STATED_BEFORE = re.compile(
    r"(?:\b(?:it|that|this|which|they|one|its|it's|there's|there is)\s+(?:[\w']+\s+){0,3}?"
    r"(?:released|came out|comes out|coming(?: out)?|premiered|made)\s+(?:in\s+|on\s+)?(?:the\s+)?"
    r"|\byou\s+(?:said|meant)\s+(?:the\s+)?"
    # a decade that is someone's age: "she was in her 90s", "for people in their early 20s"
    r"|\bin\s+(?:my|his|her|their|your|our)\s+(?:early\s+|mid\s*-?\s*|late\s+)?)$"
)
# "newer", "older", "recent" said of people or of one version of a title, or of the films "recent or old": no range
# ("for older kids", "someone a little older", "the older Jumanji (1995)", "the more recent version", "is recent")
_NOT_A_RANGE_AFTER = re.compile(
    r"\s+(?:kids?|children|son|sons|daughters?|people|audiences?|viewers?|teens?|teenagers?|brothers?|sisters?"
    r"|siblings|boys?|girls?|crowd|folks|version|remake|sequel|or old(?:er)?|or classic)\b|\s{3,}\S"
)
_NOT_A_RANGE_BEFORE = re.compile(
    r"(?:\b(?:someone|somebody|kids?|children|son|daughter|he|she|they|i'm|im|i am|we're|is|was|are|were|it's|that's"
    r"|gets?|getting)\s+(?:a\s+(?:little|bit)\s+|slightly\s+|much\s+|bit\s+)?|\bold\s+or\s+)$"
)
# what someone has seen or likes best, said in passing: "the best one I've seen in recent years", "my favorite
# recent movie is ...": a lean towards those years, not a filter
_VIEWED = re.compile(
    r"\b(?:i|we)(?:'ve|\s+have|\s+had)?\s+(?:(?!not\b|never\b)\w+\s+){0,2}?(?:seen|saw|watched)\b|\bfavou?rites?\b"
)
_FOR_AUDIENCE = re.compile(rf"\s+for (?:{clauses.AUDIENCE})\b")
_COMPARED = re.compile(r"\b(?:older|newer|earlier|later|before|after|since|until|till|pre|post)(?:\s+than)?\s+$")
_EITHER = re.compile(r"\b(?:recent|new|newer)\s+or\s+old(?:er)?\b|\bold(?:er)?\s+or\s+(?:recent|new|newer)\b")

Span = tuple[int, int]


def read_years(
    text: str, negated: Callable[[str, int], bool], shown_years: list[int], newest_year: int | None
) -> tuple[int | None, int | None, list[Span]]:
    """(year_min, year_max, spans used) for a lower-cased message; `negated(text, pos)` tells negation scope."""
    spans: list[Span] = []
    lo: int | None = None
    hi: int | None = None
    for m in _RANGE.finditer(text):
        a, b = (int(g) for g in m.groups() if g)
        lo, hi = min(a, b), max(a, b)
        spans.append((m.start(), m.end()))
    if lo is None:
        for m in _LATER.finditer(text):
            y = int(m.group(1))
            if m.group("dir") and m.group("dir").endswith(("earlier", "older", "before")):
                hi = y
            else:
                lo = y
            spans.append((m.start(), m.end()))
        for m in _DECADE_ON.finditer(text):
            first, last = _decade(m.group("full"), m.group("short"), None)
            if m.group("dir") and m.group("dir").endswith(("earlier", "older", "before")):
                hi = last
            else:
                lo = first
            spans.append((m.start(), m.end()))
        for m in _AFTER.finditer(text):
            if any(a <= m.start() < b for a, b in spans):
                continue
            if m.group("op") == "from" and not m.group("on"):
                continue  # "from 1995", "from the 90s" name the years themselves, read below
            first, last = _point(m)
            strict = m.group("op") in {"after", "newer than", "later than", "post"}
            if negated(text, m.start()):  # "nothing after 2000" = up to 2000
                hi = last if strict else first - 1
            else:
                lo = last + 1 if strict else first
            spans.append((m.start(), m.end()))
        for m in _BEFORE.finditer(text):
            first, last = _point(m)
            strict = m.group("op") in {"before", "older than", "earlier than", "pre"}
            if negated(text, m.start()):  # "nothing before 1980" = from 1980 on; "nothing older than the 90s"
                lo = first if strict else last + 1
            else:
                hi = first - 1 if strict else last
            spans.append((m.start(), m.end()))
    if lo is None and hi is None and newest_year and (m := WINDOW.search(text)) and not _stated(text, m.start()):
        n = m.group("n") or "1"
        count = int(n) if n.isdigit() else RECENT_YEARS if n == "few" else 2 if n.startswith("couple") \
            else NUMBER_WORDS[n]
        span = count * (10 if m.group("unit").startswith("decade") else 1)
        if negated(text, m.start()):  # "nothing from the last 10 years": up to the year before them
            hi = newest_year - span
        else:
            lo = newest_year - span + 1
        spans.append((m.start(), m.end()))
    if lo is None and hi is None:
        decades = []  # (first, last) year of each decade named: "the 80s or 90s" is 1980-1999
        for m in _DECADE.finditer(text):
            if negated(text, m.start()) or _stated(text, m.start()):
                continue
            decades.append(_part(*_decade(m.group("full"), m.group("short"), m.group("word")), m.group("part")))
            spans.append((m.start(), m.end()))
        if decades:
            lo, hi = min(d[0] for d in decades), max(d[1] for d in decades)
    if lo is None and hi is None:
        years = [m for m in _BARE_YEAR.finditer(text) if not (negated(text, m.start()) or _stated(text, m.start()))]
        if years:
            ys = [int(m.group(1)) for m in years]
            lo, hi = min(ys), max(ys)
            spans += [(m.start(), m.end()) for m in years]
    if lo is None and hi is None:
        if (m := _relative(_NEWER, text)) and shown_years:
            lo = int(statistics.median(shown_years)) + 1
            spans.append((m.start(), m.end()))
        elif (m := _relative(_OLDER, text)) and shown_years:
            hi = int(statistics.median(shown_years)) - 1
            spans.append((m.start(), m.end()))
        elif (m := _relative(_RECENT, text)) and newest_year and not negated(text, m.start()):
            lo = newest_year - RECENT_YEARS
            spans.append((m.start(), m.end()))
    else:  # "something older, 70s or 80s": the years named say how much older; the word is read, not searched
        spans += [m.span() for pattern in (_NEWER, _OLDER) if (m := _relative(pattern, text))]
    return lo, hi, spans


def read_excluded_years(text: str, negated: Callable[[str, int], bool]) -> tuple[list[tuple[int, int]], list[Span]]:
    """The decades a lower-cased message rules out ("dramas not from the 80s", "no 90s stuff", "nothing from the
    80s or 90s": adjacent decades joined) and the spans read; a decade said of an item is no ruling out."""
    ranges: list[tuple[int, int]] = []
    spans: list[Span] = []
    for m in _DECADE.finditer(text):
        if not negated(text, m.start()) or _stated(text, m.start()) or _COMPARED.search(text, max(0, m.start() - 20),
                                                                                          m.start()):
            continue  # "nothing older than the 90s" asks for the 90s on, which no decade ruled out says
        lo, hi = _part(*_decade(m.group("full"), m.group("short"), m.group("word")), m.group("part"))
        if ranges and ranges[-1][1] + 1 == lo:
            ranges[-1] = (ranges[-1][0], hi)
        else:
            ranges.append((lo, hi))
        spans.append((m.start(), m.end()))
    return ranges, spans


def _part(lo: int, hi: int, part: str | None) -> tuple[int, int]:
    """The years of the part of a decade or century named (`PARTS`), all of it when none is."""
    if part is None:
        return lo, hi
    start, end = PARTS[part]
    n = hi - lo + 1
    return lo + round(start * n), lo + round(end * n) - 1


def _point(m: re.Match[str]) -> tuple[int, int]:
    """The first and last year of what a comparison is made with (`_POINT`): a year is itself, the 90s 1990-1999."""
    if m.group("year"):
        return int(m.group("year")), int(m.group("year"))
    lo, hi = _decade(m.group("dfull"), m.group("dshort"), m.group("dword"))
    return lo, hi


def _decade(full: str | None, short: str | None, word: str | None) -> tuple[int, int]:
    """The years of a decade as written: "1980s", "80s", "eighties"; "the 1800s" is the century."""
    if full:
        d = int(full)
        return (d, d + 99) if d % 100 == 0 and d < 2000 else (d, d + 9)
    if short:
        d = 2000 + 10 * int(short) if int(short) <= 2 else 1900 + 10 * int(short)
        return d, d + 9
    d = DECADE_WORDS[word]
    return d, d + 9


def said_in_passing(text: str, pos: int) -> bool:
    """Whether the years at `pos` of a lower-cased text are said of what someone has seen."""
    return bool(_VIEWED.search(clauses.clause_before(text, pos, "taste")))


def _stated(text: str, pos: int) -> bool:
    """Whether the year at `pos` is said of an item ("it came out in 1999") or is an age ("in her 90s") rather than
    asked for."""
    return bool(_STATED_BEFORE.search(text, max(0, pos - 60), pos))


def _relative(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first "newer"/"older"/"recent" in `text` that is said of the films wanted ("recent or old": none)."""
    if _EITHER.search(text):
        return None
    for m in pattern.finditer(text):
        if "complaint" in pattern.groupindex and m.group("complaint"):
            # "too old for my kids" is said of who it is for, not of the films' years
            if not _NOT_A_RANGE_AFTER.match(text, m.end()) and not _FOR_AUDIENCE.match(text, m.end()):
                return m
            continue
        before = _NOT_A_RANGE_BEFORE.search(text, max(0, m.start() - 40), m.start())
        if not before and not _NOT_A_RANGE_AFTER.match(text, m.end()):
            return m
    return None
