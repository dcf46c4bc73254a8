"""The deterministic, catalog-aware parser: one message in, its intent and preferences out.

It needs no model: genres come from the catalog's own vocabulary plus synonyms, titles
from the catalog's titles (fuzzy), years from decade and range expressions, and
negation from the clause a mention sits in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.models import Preferences, Understanding
from assistant.titles import TitleIndex, TitleMatch
from retrieval.catalog import Catalog

# genre key -> ways people say it; only keys present in the catalog are used
GENRE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "sci-fi": ("sci-fi", "sci fi", "scifi", "science fiction", "science-fiction", "sf"),
    "comedy": ("comedy", "comedies", "comedic"),
    "horror": ("horror", "horrors", "slasher", "slashers"),
    "romance": ("romance", "romances", "romantic", "love story", "love stories"),
    "action": ("action",),
    "adventure": ("adventure", "adventures"),
    "animation": ("animation", "animated", "cartoon", "cartoons", "anime"),
    "children": ("children", "children's", "kids", "kid", "family"),
    "documentary": ("documentary", "documentaries", "docs", "docu"),
    "drama": ("drama", "dramas", "dramatic"),
    "thriller": ("thriller", "thrillers", "suspense"),
    "crime": ("crime", "gangster", "gangsters", "mafia", "mob"),
    "mystery": ("mystery", "mysteries", "whodunit", "whodunnit"),
    "fantasy": ("fantasy", "fantasies"),
    "war": ("war", "wartime"),
    "musical": ("musical", "musicals"),
    "western": ("western", "westerns", "cowboy", "cowboys"),
    "film-noir": ("film noir", "film-noir", "noir"),
    "imax": ("imax",),
}
# phrases that mean two genres at once
GENRE_COMBOS: dict[str, tuple[str, ...]] = {
    "rom-com": ("romance", "comedy"),
    "rom com": ("romance", "comedy"),
    "romcom": ("romance", "comedy"),
    "romantic comedy": ("romance", "comedy"),
    "romantic comedies": ("romance", "comedy"),
}
# moods: soft preferences that boost a genre without requiring it (and exclude it when negated)
MOOD_GENRES: dict[str, tuple[str, ...]] = {
    "funny": ("comedy",),
    "hilarious": ("comedy",),
    "lighthearted": ("comedy",),
    "light-hearted": ("comedy",),
    "laugh": ("comedy",),
    "feel-good": ("comedy",),
    "feel good": ("comedy",),
    "scary": ("horror",),
    "creepy": ("horror",),
    "frightening": ("horror",),
    "terrifying": ("horror",),
    "gory": ("horror",),
    "suspenseful": ("thriller",),
    "thrilling": ("thriller",),
    "tense": ("thriller",),
    "exciting": ("action",),
    "magical": ("fantasy",),
    "spooky": ("horror",),
}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "a couple of": 2, "a few": 3}
DECADE_WORDS = {"twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960,
                "seventies": 1970, "eighties": 1980, "nineties": 1990}

_NEGATION = re.compile(
    r"\b(?:no|not|nothing|none|without|except|excluding|exclude|avoid|never|skip|hate|hates|dislike|"
    r"neither|nor|minus|don'?t|doesn'?t|isn'?t|aren'?t|won'?t|can'?t|cannot|(?:anything|everything|all)\s+but)\b"
    r"|n't\b"
)
_BOUNDARY = re.compile(r"[,.;!?\n]|\b(?<!anything )(?<!everything )(?<!all )but\b|\bthough\b|\bhowever\b")
_RESET = re.compile(r"\b(?:start (?:over|again|afresh)|reset|forget (?:it|that|everything|all)|new search|clear (?:all|everything))\b")
_GREETING = re.compile(
    r"^(?:hi|hello|hey|hiya|howdy|yo|good (?:morning|afternoon|evening)|thanks|thank you|thx|cheers|ok|okay|bye|goodbye)"
    r"(?: there| again| so much| a lot)?[\s!.,?]*$"
)
_LIKE_CUE = re.compile(
    r"(?<!\bi'd )(?<!\bid )(?<!\bwould )(?<!\bfeel )(?<!\bi would )"
    r"\b(?P<neg>(?:didn'?t|did not|don'?t|do not|never|not)\s+(?:really\s+)?)?"
    r"(?P<cue>like|liked|likes|love|loved|loves|enjoyed|enjoy|adored|similar to|such as|fan of|reminds? me of|"
    r"hated|hate|disliked|can'?t stand)\s+",
    re.I,
)
_NEGATIVE_CUES = {"hated", "hate", "disliked", "can't stand", "cant stand"}
_YEAR = r"(1[89]\d\d|20[0-3]\d)"
_DECADE = re.compile(r"\b(?:the\s+)?(?:(?P<full>1[89]\d0|20[0-2]0)|'?(?P<short>\d)0)\s?'?s\b|\b(?P<word>" + "|".join(DECADE_WORDS) + r")\b")
_RANGE = re.compile(rf"\b(?:between|from)\s+{_YEAR}\s+(?:and|to|until|-|–)\s+{_YEAR}\b|\b{_YEAR}\s*[-–]\s*{_YEAR}\b")
_AFTER = re.compile(rf"\b(?P<op>after|since|newer than|later than|post|from)\s+(?:the\s+year\s+)?{_YEAR}(?P<on>\s+(?:on(?:wards?)?|or later|and later|and after))?\b")
_BEFORE = re.compile(rf"\b(?P<op>before|until|till|up to|older than|earlier than|pre|through|by)\s+(?:the\s+year\s+)?{_YEAR}\b")
_LATER = re.compile(rf"\b{_YEAR}\s+(?P<dir>or later|and later|onwards?|or newer|and up|or earlier|and earlier|or older|and before)\b")
_BARE_YEAR = re.compile(rf"\b{_YEAR}\b")
_COUNT = re.compile(
    r"\b(?:top\s+(?P<top>\d{1,2})|(?P<n>\d{1,2}|" + "|".join(NUMBER_WORDS) + r")\s+(?:more\s+|other\s+|good\s+|great\s+)?"
    r"(?:movies|films|books|items|titles|recommendations|suggestions|options|picks|ideas|shows))\b"
)
_FILLER = set(
    """i i'm im i'd id me my mine we us our you your want wanna would like looking look for a an the some
    something anything movie movies film films flick flicks book books item items show shows recommend
    recommendation recommendations suggest suggestion suggestions please pls can could you give find get watch
    watching to with from in of on at that this these those is are was be been it its it's and or but
    maybe any what which should see really very kind sort type types genre genres one ones there about also just
    so too else more other good great nice cool fun have has had do does did tonight today now let lets let's
    need how some year years era decade decades released release made came out new recent set something's
    thing things stuff watchable please thanks hey hi hello liked likes love loved loves enjoyed enjoy
    adored hated hate disliked similar such fan reminds remind actually instead rather okay ok well hmm yes
    yeah sure perhaps still again only even though already""".split()
)


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int


def _synonym_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    alts = sorted(set(phrases), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in alts) + r")(?![\w-])")


class RulesParser:
    """Parses one message against a catalog's genres and titles. Build once per catalog; parse is ~1 ms."""

    def __init__(self, catalog: Catalog, titles: TitleIndex) -> None:
        self.catalog = catalog
        self.titles = titles
        known = set(catalog.genres)
        self._phrase_genres: dict[str, tuple[tuple[str, ...], bool]] = {}
        for key in known:  # the catalog's own spelling always works
            self._phrase_genres[key] = ((key,), False)
        for key, phrases in GENRE_SYNONYMS.items():
            if key in known:
                for p in phrases:
                    self._phrase_genres[p] = ((key,), False)
        for phrase, keys in GENRE_COMBOS.items():
            if all(k in known for k in keys):
                self._phrase_genres[phrase] = (keys, False)
        for phrase, keys in MOOD_GENRES.items():
            if all(k in known for k in keys):
                self._phrase_genres.setdefault(phrase, (keys, True))
        self._genre_re = _synonym_pattern(self._phrase_genres)

    # -- public -----------------------------------------------------------------------------

    def parse(self, message: str) -> Understanding:
        """Intent and preferences of one (already cleaned) message."""
        text = message.strip()
        low = text.casefold()
        if _RESET.search(low):
            return Understanding(intent="reset")
        if _GREETING.match(low):
            return Understanding(intent="greeting")

        prefs = Preferences()
        consumed: list[_Span] = []
        for match, negative in self._titles(text):
            (prefs.disliked if negative else prefs.liked).append(match.item_id)
            consumed.append(_Span(match.start, match.end))
        masked = _mask(low, consumed)

        for m in self._genre_re.finditer(masked):
            keys, soft = self._phrase_genres[m.group(0)]
            negated = _negated(masked, m.start())
            for key in keys:
                if negated:
                    _add(prefs.exclude_genres, key)
                elif soft:
                    _add(prefs.mood_genres, key)
                else:
                    _add(prefs.include_genres, key)
            consumed.append(_Span(m.start(), m.end()))
        prefs.include_genres = [g for g in prefs.include_genres if g not in prefs.exclude_genres]
        prefs.mood_genres = [g for g in prefs.mood_genres if g not in prefs.exclude_genres + prefs.include_genres]

        year_spans = self._years(masked, prefs)
        consumed += year_spans
        count = _COUNT.search(masked)
        if count:
            raw = count.group("top") or count.group("n")
            n = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
            prefs.n = max(1, min(20, n))
            consumed.append(_Span(count.start(), count.end()))
        prefs.query = self._residual(_mask(low, consumed))
        return Understanding(intent="recommend", preferences=prefs)

    # -- parts ------------------------------------------------------------------------------

    def _titles(self, text: str) -> list[tuple[TitleMatch, bool]]:
        """Items named in the message, each with whether the user spoke against it."""
        found: list[tuple[TitleMatch, bool]] = []
        taken: list[_Span] = []
        for cue in _LIKE_CUE.finditer(text):
            negative = bool(cue.group("neg")) or cue.group("cue").casefold().replace("’", "'") in _NEGATIVE_CUES
            pos = cue.end()
            while pos < len(text):
                match = self._title_at(text, pos)
                if match is None:
                    break
                found.append((match, negative))
                taken.append(_Span(match.start, match.end))
                nxt = re.match(r"\s*(?:,|and|or|&|\bor\b)\s*", text[match.end :])
                if not nxt:
                    break
                pos = match.end + nxt.end()
        for match in self.titles.find_exact(text):
            if any(s.start < match.end and match.start < s.end for s in taken):
                continue
            found.append((match, _negated(text.casefold(), match.start)))
        return found

    def _title_at(self, text: str, pos: int) -> TitleMatch | None:
        """The longest run of words starting at `pos` (up to a clause end) that names a catalog title."""
        clause = re.match(r"[^,.;!?\n]*", text[pos:]).group(0)
        clause = re.split(r"\s+(?:but|because|since|which|that was|though)\s+", clause)[0]
        words = list(re.finditer(r"\S+", clause))[:12]
        for n in range(len(words), 0, -1):
            end = words[n - 1].end()
            span = clause[:end]
            # a year in parentheses or after the title belongs to it
            year = re.match(r"\s*\(?(1[89]\d\d|20[0-3]\d)\)?", clause[end:])
            if year:
                hit = self.titles.lookup(span + " " + year.group(1))
                if hit:
                    return TitleMatch(hit[0], pos, pos + end + year.end(), hit[1])
            if all(w.group(0).casefold().strip("'\"") in _FILLER for w in words[:n]):
                continue
            hit = self.titles.lookup(span)
            if hit:
                return TitleMatch(hit[0], pos, pos + end, hit[1])
        return None

    def _years(self, text: str, prefs: Preferences) -> list[_Span]:
        """Sets the year range from ranges, open bounds, decades or a single year; returns the spans used."""
        spans: list[_Span] = []
        lo: int | None = None
        hi: int | None = None
        for m in _RANGE.finditer(text):
            a, b = (int(g) for g in m.groups() if g)
            lo, hi = min(a, b), max(a, b)
            spans.append(_Span(m.start(), m.end()))
        if lo is None:
            for m in _LATER.finditer(text):
                y = int(m.group(1))
                if m.group("dir").endswith(("earlier", "older", "before")):
                    hi = y
                else:
                    lo = y
                spans.append(_Span(m.start(), m.end()))
            for m in _AFTER.finditer(text):
                if any(s.start <= m.start() < s.end for s in spans):
                    continue
                y = int(m.group(2))
                if m.group("op") == "from" and not m.group("on"):
                    continue  # "from 1995" is a single year, handled below
                lo = y + 1 if m.group("op") in {"after", "newer than", "later than", "post"} else y
                spans.append(_Span(m.start(), m.end()))
            for m in _BEFORE.finditer(text):
                y = int(m.group(2))
                hi = y - 1 if m.group("op") in {"before", "older than", "earlier than", "pre"} else y
                spans.append(_Span(m.start(), m.end()))
        if lo is None and hi is None:
            decades = []
            for m in _DECADE.finditer(text):
                if _negated(text, m.start()):
                    continue
                if m.group("full"):
                    d = int(m.group("full"))
                elif m.group("short"):
                    s = int(m.group("short"))
                    d = 2000 + 10 * s if s <= 2 else 1900 + 10 * s
                else:
                    d = DECADE_WORDS[m.group("word")]
                decades.append(d)
                spans.append(_Span(m.start(), m.end()))
            if decades:
                lo, hi = min(decades), max(decades) + 9
        if lo is None and hi is None:
            years = [m for m in _BARE_YEAR.finditer(text) if not _negated(text, m.start())]
            if years:
                ys = [int(m.group(1)) for m in years]
                lo, hi = min(ys), max(ys)
                spans += [_Span(m.start(), m.end()) for m in years]
        prefs.year_min, prefs.year_max = lo, hi
        return spans

    def _residual(self, masked: str) -> str:
        """The free-text description: what is left once titles, genres, years and negated clauses are out."""
        kept: list[str] = []
        for clause in re.split(r"[,.;!?\n]", masked):
            neg = _NEGATION.search(clause)
            if neg:  # a negated clause says what is not wanted: it must not pull the search towards it
                clause = clause[: neg.start()]
            for w in re.findall(r"[\w'-]+", clause):
                w = w.strip("'-")
                if w and w not in _FILLER and not w.isdigit():
                    kept.append(w)
        return " ".join(kept)


def _add(values: list[str], key: str) -> None:
    if key not in values:
        values.append(key)


def _mask(text: str, spans: Iterable[_Span]) -> str:
    """Blanks out spans already understood, keeping offsets."""
    chars = list(text)
    for s in spans:
        chars[s.start : s.end] = " " * (s.end - s.start)
    return "".join(chars)


def _negated(text: str, pos: int) -> bool:
    """Whether a negation word precedes `pos` in the same clause."""
    start = 0
    for b in _BOUNDARY.finditer(text, 0, pos):
        start = b.end()
    return bool(_NEGATION.search(text, start, pos))
