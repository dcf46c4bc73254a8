"""The deterministic, catalog-aware parser: one message (and the session so far) in, an `Understanding` out,
read by the declared pipeline of assistant.understanding.readers; this module holds the catalog-aware parts
the readers use.

It needs no model: genres come from the catalog's vocabulary plus synonyms, titles from
the catalog's titles (fuzzy), keywords from the tags people put on items, people from
the catalog's directors and cast, years from decade and range expressions, negation
from the clause a mention sits in, and "the second one" from what was shown last.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cached_property

from rapidfuzz import fuzz, process

from assistant.understanding import clauses, routing
from assistant.understanding.lexicon import (
    AGE_LEANS,
    AUDIENCE,
    BEFORE_COMPLAINT,
    DISCOURSE,
    ENGLISH,
    FILLER,
    GENERIC_TAGS,
    GENRE_COMBOS,
    GENRE_OPPOSITES,
    GENRE_SYNONYMS,
    KIND_NOUNS,
    MOOD_GENRES,
    ORDINALS,
    PEOPLE_ROLES,
    READER_WORDS,
    SUBGENRES,
)
from assistant.understanding.mentions import Mentions, wanted
from assistant.understanding.names import CatalogNames
from assistant.models import Preferences, Session, Understanding
from assistant.understanding.negation import (HEDGE, LESS, NEGATION, is_hedged, is_negated, of_someone_else,
                                              sentences_marked)
from assistant.understanding.prices import CHEAP_SHARE, PRICE_TALK, read_prices
from assistant.understanding.intents import decide_intent
from assistant.understanding.genre_stances import OUT
from assistant.understanding.item_words import ItemWords
from assistant.understanding.readers import READERS, Message, Reading, Readers
from assistant.understanding.spelling import Spelling
from retrieval.embed import in_vocabulary
from assistant.understanding.text import Span, in_a_name, mask, phrase_pattern
from assistant.understanding.titles import TitleIndex
from assistant.understanding.years import read_excluded_years, read_years, said_in_passing
from retrieval.catalog import Catalog, fold_text, person_key

_PERSON_CUE = re.compile(
    r"\b(?:starring|featuring|directed by|director|with (?:the )?actor|with (?:the )?actress|by (?:the )?director|"
    r"movies? by|films? by|books? by|written by|with|by)\s+(?P<name>[^,.;!?\n]+)", re.I,
)
# "kind of action", "sort of a comedy" (not "what kind of musicals", "this kind of film")
_LOOSELY_BEFORE = re.compile(r"(?<!what )(?<!which )(?<!this )(?<!that )(?<!same )(?<!any )(?<!some )(?<!the )"
                             r"\b(?:kind of|sort of|somewhat|a bit|a little|a little bit|a tad)\s+(?:an?\s+|more\s+)?$")
# what a story is about: "a drama about family", "a movie about kids growing up" (an audience word after it is the
# subject, not who the item is for)
_SUBJECT_BEFORE = re.compile(r"\b(?:about|involving|centered on|focused on)\s+(?:a\s+|the\s+|some\s+)?$")
AUDIENCE_WORDS = frozenset(AUDIENCE)
# a genre holding this share of the catalog or more is too broad to rule out for a mood said by degree
BROAD_GENRE = 0.25
FUZZY_NAME = 90  # how close (rapidfuzz ratio) a typed name must be to one the catalog has to be that one
_DEGREE_BEFORE = re.compile(r"\b(?:too|so|overly|very|that|super)\s+$")
# a word said as a name, a maker's or a kind's: "something by nolan", "any spielberg", "ghibli ones", "hanks movies"
_NAMED = re.compile(r"\b(?:by|with|from|starring|any|more|some|no|not|without|fan of|love|like|about)\s+(?:the\s+)?$")
_CAPITALISED = re.compile(r"\b[A-Z][\w'-]*")
# the nouns items are called by, in the readers that read a word before one: "adam sandler movies", "horror films and
# comedies", "old books"
_ITEM_NOUNS = "movie|film|flick|book|novel"
_NAMED_AFTER = re.compile(rf"(?:'s)?\s+(?:(?:{_ITEM_NOUNS})s?|ones?|stuff|fan|type)\b")
STRONG_PERSON_CUES = ("starring", "featuring", "directed by", "director", "actor", "actress", "written by")


class RulesParser:
    """Parses messages against one catalog. Build once per catalog; a parse takes about a millisecond."""

    def __init__(self, catalog: Catalog, titles: TitleIndex) -> None:
        self.catalog = catalog
        self.titles = titles
        known = set(catalog.genres)
        self._phrase_genres: dict[str, tuple[tuple[str, ...], bool]] = {key: ((key,), False) for key in known}
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
        self._opposites = {phrase for phrase, key in GENRE_OPPOSITES.items() if key in known}
        for phrase in self._opposites:
            self._phrase_genres[phrase] = ((GENRE_OPPOSITES[phrase],), False)
        self._genre_re = phrase_pattern(self._phrase_genres)
        # keywords: tags several items share, that are neither filler nor a genre word
        self.keywords = {
            t for t, ids in catalog.by_tag.items()
            if len(set(ids)) >= 2 and len(t) >= 4 and t not in GENERIC_TAGS and t not in self._phrase_genres
            and re.fullmatch(r"[a-z][a-z' -]*[a-z]", t) and not all(w in FILLER for w in t.split())
        }
        self.mentions = Mentions(catalog, titles, self._phrase_genres, self.keywords)
        # the words a message typed in capitals has lower-cased (assistant.understanding.text.uncased): the readers'
        # own and the catalog's kinds; not its tags, which name people too ("tom hanks")
        self.common_words = READER_WORDS | {w for phrase in self._phrase_genres for w in phrase.split()}
        self.names = CatalogNames(catalog, self.keywords, self._phrase_genres)
        self._people = list(catalog.people)
        self.newest_year = catalog.newest_year
        years = sorted(it.year for it in catalog if it.year is not None)
        shares: dict[str, int] = {}
        for it in catalog:
            for g in it.genre_keys:
                shares[g] = shares.get(g, 0) + 1
        # how much of the catalog each genre holds: "not too sad" steers away from drama, half of a film catalog,
        # where "not too scary" can rule out horror, a tenth of it (`BROAD_GENRE`)
        self.genre_share = {g: n / len(catalog) for g, n in shares.items()} if len(catalog) else {}
        # the first and third quartile of the catalog's years: where "the older / newer the better" leans
        self.year_quartiles = (years[len(years) // 4], years[3 * len(years) // 4]) if years else None
        self.has_prices = bool(len(catalog.prices))
        self.readers: Readers = READERS  # in order; one may be replaced (readers.with_reader)
        # which free words say what an item is about (assistant.understanding.item_words); None searches them all
        self.item_words: ItemWords | None = None
        self.cheap_below = float(catalog.prices[int(len(catalog.prices) * CHEAP_SHARE)]) if self.has_prices else None

    # -- public -----------------------------------------------------------------------------

    def genre_key_of(self, word: str) -> str | None:
        """The catalog genre a word names ('Sci Fi', 'comedies' -> 'sci-fi', 'comedy'), or None."""
        entry = self._phrase_genres.get(" ".join(word.casefold().split()))
        return entry[0][0] if entry and len(entry[0]) == 1 else None

    def is_tag_word(self, word: str) -> bool:
        """Whether a word is, or is the plural of, a word of a tag the catalog's items share ("superheroes")."""
        words = self._tag_words
        return word in words or (word.endswith("s") and word[:-1] in words) or (word.endswith("es") and word[:-2] in words)

    @cached_property
    def _tag_words(self) -> frozenset[str]:
        return frozenset(w for tag in self.keywords for w in tag.split() if w not in ENGLISH)

    def is_placed(self, word: str) -> bool:
        """Whether a free word is one the catalog knows as a kind of thing: a word of its shared tags, a mood, or a
        credited person's surname."""
        return self.is_tag_word(word) or self.is_mood(word) or word in self.names.surnames

    def is_mood(self, phrase: str) -> bool:
        """Whether a phrase is a mood that leans to a genre ("scary", "sad"), not a genre's name."""
        entry = self._phrase_genres.get(" ".join(phrase.casefold().split()))
        return bool(entry and entry[1])

    def genres_in(self, text: str) -> list[str]:
        """The genre words and phrases of this catalog in a text, as written ("a scary comedy" -> ["comedy"])."""
        return [m.group(0) for m in self._genre_re.finditer(text.casefold())]

    def past_greeting(self, text: str) -> str:
        """What of a message is read: all of it but the greeting it opens with (routing.past_greeting: "hey there! how
        do i return an order"), unless a title of the catalog starts there ("Hello, Dolly! is on tonight")."""
        rest = routing.past_greeting(text)
        if rest != text and any(m.start == 0 for m, _ in self.mentions.find(text)):
            return text
        return rest

    def support_asked(self, text: str, session: Session, first: Understanding) -> tuple[str, Understanding]:
        """What the help pages are matched to, and the reading that routes it: the message past its greeting ("hey
        there! how do i return an order" was matched to the page on order status), read as support where the rest is
        ("yo my dvd came smashed": the greeting kept the intent reader from being sure); the recommender reads the
        whole message (`first`, its reading), a greeting and all."""
        asked = self.past_greeting(text)
        if asked == text or first.intent == "support":
            return asked, first
        rest = self.parse(asked, session)
        return asked, rest if rest.intent == "support" else first

    def titles_in(self, text: str) -> list[str]:
        """Catalog items a text names (cue phrases like 'watch X', written-out titles), in order."""
        return list(dict.fromkeys(m.item_id for m, _ in self.mentions.find(text)))

    def warm(self) -> None:
        """Builds what the first message would otherwise wait for: the catalog's words and the names they make
        (assistant.understanding.names)."""
        self.names.warm()
        _ = self.spelling

    @cached_property
    def spelling(self) -> Spelling:
        """Typing slips of the readers' own words put right (assistant.understanding.spelling): the filler and
        request words, the words a sentence opens with, and this catalog's genre words."""
        targets = FILLER | set(DISCOURSE) | {w for phrase in self._phrase_genres for w in phrase.split()}
        # a word of the embedding model's vocabulary is real: "decide" is not a slip of "decade"
        return Spelling(targets, self.names.knows, kinds=self._phrase_genres, real=in_vocabulary)

    @property
    def genre_list(self) -> str:
        return ", ".join(sorted(self.catalog.genres))

    def parse(self, message: str, session: Session | None = None, questions: bool = True) -> Understanding:
        """Intent, preferences, references and question of one (cleaned) message, read by `self.readers` in order
        (assistant.understanding.readers); with `questions` False a question about an item is read for its
        preferences only (the rest of a message that asked one)."""
        said = Message.of(message, self.spelling.correct, self.common_words, self._names_a_title_or_person)
        reading = Reading(said, session or Session(), questions)
        for name, reader in self.readers:
            decided = reader(self, reading)
            if decided is not None:
                decided.read_by = decided.read_by or name
                break
        else:
            decided = decide_intent(self, reading)
        decided.wanted = wanted(reading)
        # words ruled out steer a request away from them; they never decide the intent ("not yet, is it good?",
        # "I do not know how to leave a review" ask nothing of the ranking)
        if reading.avoid and decided.intent in ("recommend", "refine"):
            decided.preferences.avoid = [reading.avoid]
            if decided.action == "exclude_shown" and reading.bare:
                decided.action = None  # "no princess movies pls" over a list steers it; it does not turn it all down
        return decided

    def _names_a_title_or_person(self, span: str) -> bool:
        return self.titles.exact(fold_text(span)) or person_key(span) in self.catalog.people

    # -- parts ------------------------------------------------------------------------------

    def _genres(self, masked: str, prefs: Preferences, text: str, asked: Collection[str] = frozenset(),
                said: str | None = None, stances: dict[int, tuple[str, Span]] | None = None,
                moved: list[Span] | None = None) -> list[Span]:
        """Genres asked for, ruled out or leant to, written into `prefs`; `asked`: the genres the conversation
        already wants, inside which a kind ruled out ("not slashers" after horror) is only that kind; `said`: `masked`
        with the titles it names read as "it", for a kind said of a title ("Deadpool is good action", "my favorite
        action movie is Inception"): a lean, as a taste is. `stances`: a learned reader's sure class of the kind at
        an offset, with its clause (assistant.understanding.genre_stances): a kind it is sure is not wanted is ruled
        out where the rules read no negation, and its clause is added to `moved`."""
        spans = []
        marked = sentences_marked(masked, text)
        mood_excluded: set[str] = set()  # "not gory" rules out gore, not a horror film asked for elsewhere
        by_degree: set[str] = set()  # moods ruled out by degree ("not too sad"), steered away from by meaning
        mood_spans: dict[str, list[Span]] = {}  # where each mood ruled out was said
        # "mystery or action", "horror/thriller", "drama, thriller": alternatives, any one will do; "a sci-fi
        # comedy" (words side by side) asks for both
        alternatives: list[list[str]] = []
        combos_out: list[tuple[str, ...]] = []
        kinds_out: list[tuple[str, Span]] = []  # "no cartoons": a kind of a genre, ruled out
        tags = self.names.tags[1]
        in_tags = [t.span() for t in tags.finditer(masked) if " " in t.group(0)] if tags is not None else []
        last_hard: re.Match[str] | None = None
        for m in self._genre_re.finditer(masked):
            if in_a_name(text, m.start(), self._genre_re):
                continue
            keys, soft = self._phrase_genres[m.group(0)]
            if m.group(0) in AUDIENCE_WORDS and _SUBJECT_BEFORE.search(masked, max(0, m.start() - 16), m.start()):
                continue  # "a drama about family": what it is about, searched by meaning, not who it is for
            negated = is_negated(marked, m.start()) != (m.group(0) in self._opposites)  # "live action": no animation
            learned = (stances or {}).get(m.start())
            if learned is not None and learned[0] == OUT and not negated:  # "westerns make me cringe"
                negated = True
                if moved is not None and learned[1] not in moved:
                    moved.append(learned[1])
            if negated and any(a <= m.start() and m.end() <= b for a, b in in_tags):
                continue  # "no ww2 ones" (world war ii): a kind of war film ruled out, a tag's, not the genre
            if negated and m.group(0) in SUBGENRES:  # "not slashers": the kind (a tag, if the catalog has it), not horror
                if len(keys) > 1:  # "comedies but not romcoms": a kind made of two genres rules out the one it adds
                    combos_out.append(keys)
                    spans.append(Span(m.start(), m.end()))
                else:
                    kinds_out.append((keys[0], Span(m.start(), m.end())))
                continue
            soft = soft or routing.is_taste(masked, m.start(), said) or is_hedged(marked, m.start()) or of_someone_else(
                marked, m.start()) or bool(
                _LOOSELY_BEFORE.search(masked, max(0, m.start() - 16), m.start())  # "kind of action": a lean
                or (said is not None and routing.IS_A_TITLE.match(said, m.end()))
                or _TASTE_AFTER.match(masked, m.end())  # "horror comedy is also great"
                or _is_aspect(masked, m))  # "loved the music": what one film had
            for key in keys:
                target = prefs.exclude_genres if negated else prefs.mood_genres if soft else prefs.include_genres
                if key not in target:
                    target.append(key)
                if negated and soft:
                    mood_excluded.add(key)
                    mood_spans.setdefault(key, []).append(Span(m.start(), m.end()))
                    if _DEGREE_BEFORE.search(masked, max(0, m.start() - 12), m.start()) \
                            and self.genre_share.get(key, 0.0) >= BROAD_GENRE:
                        by_degree.add(key)  # "not too sad": less of it, not none of a genre this broad
            spans.append(Span(m.start(), m.end()))
            hard = not negated and not soft and len(keys) == 1
            gap = masked[last_hard.end() : m.start()] if hard and last_hard is not None else None
            if gap is not None and _GENRE_ALTERNATIVE.fullmatch(gap):
                alternatives[-1].append(keys[0])
            elif gap is not None and not gap.strip():  # "sci-fi comedy": a combination, never an alternative
                alternatives[-1] = []
            elif hard:
                alternatives.append([keys[0]])
            last_hard = m if hard else None
        for group in alternatives:  # one set of alternatives per message: two lists in one message are joined
            if len(group) >= 2 and all(g in prefs.include_genres for g in group):
                prefs.any_genres = list(dict.fromkeys(prefs.any_genres + group))
                prefs.include_genres = [g for g in prefs.include_genres if g not in group]
        wanted = set(prefs.include_genres) | set(prefs.any_genres) | set(prefs.mood_genres)
        for keys in combos_out:  # the genre the message asks for stays; else the first of the pair is the kind's own
            out = [k for k in keys if k not in wanted] if wanted & set(keys) else list(keys[:1])
            prefs.exclude_genres += [k for k in out if k not in prefs.exclude_genres]
        for key, span in kinds_out:  # inside a genre wanted, the kind is steered from by its words; else the genre goes
            if key not in wanted | set(asked) and key not in prefs.exclude_genres:
                prefs.exclude_genres.append(key)
                spans.append(span)
        soft_out = mood_excluded & (wanted | by_degree)
        prefs.exclude_genres = [g for g in prefs.exclude_genres if g not in soft_out]
        # a mood ruled out inside a genre asked for ("a horror movie but not too gory") or by degree ("not too sad")
        # is left to the words ruled out (`_avoided`), which steer away from it by meaning
        kept = {s for g in soft_out for s in mood_spans.get(g, [])}
        spans = [s for s in spans if s not in kept]
        prefs.include_genres = [g for g in prefs.include_genres if g not in prefs.exclude_genres]
        prefs.any_genres = [g for g in prefs.any_genres if g not in prefs.exclude_genres + prefs.include_genres]
        prefs.mood_genres = [g for g in prefs.mood_genres
                             if g not in prefs.exclude_genres + prefs.include_genres + prefs.any_genres]
        return spans

    @cached_property
    def credited(self) -> frozenset[str]:
        """The people fields ("directors", "cast") that at least one item of the catalog fills."""
        return frozenset(f for f in ("directors", "cast") if any(getattr(it, f) for it in self.catalog))

    def credited_as(self, name: str) -> tuple[str, str] | None:
        """A name typed ("scarlett johannson", "jim carey") as the catalog has it: ("people", the person it credits)
        or ("keywords", the tag people put on items) under a spelling close to it (`FUZZY_NAME`, as after a cue), or
        None."""
        key = person_key(name)
        for slot, known in (("people", self._people), ("keywords", self._name_tags)):
            if known and (best := process.extractOne(key, known, scorer=fuzz.ratio, score_cutoff=FUZZY_NAME)):
                return slot, best[0]
        return None

    @cached_property
    def _name_tags(self) -> list[str]:
        """The catalog's tags of two or three words, where a name a catalog knows only as a tag is ("adam sandler")."""
        return sorted(t for t in self.keywords if 2 <= len(t.split()) <= 3)

    def role_field(self, word: str) -> str | None:
        """The credits field ("directors", "cast") a role word names: a word of `PEOPLE_ROLES`, or the pack's own name
        for one of its two people fields ("author" in a bookshop); None for any other word ("same vibe")."""
        credits = self.catalog.credits
        own = {credits.directors.casefold(): "directors", credits.cast.casefold(): "cast"}
        own |= {f"{w}s": f for w, f in own.items()}
        return own.get(word) or PEOPLE_ROLES.get(word)

    def _people_in(self, text: str, masked: str, prefs: Preferences) -> list[Span]:
        """Directors and cast: catalog names after a cue, or a capitalised name after a strong cue."""
        spans = []
        for m in _PERSON_CUE.finditer(text):
            if masked[m.start() : m.start() + 1] == " " and not text[m.start()].isspace():
                continue  # inside a title
            cue = m.group(0)[: m.start("name") - m.start()].strip().casefold()
            words = m.group("name").split()[:4]
            name = None
            for n in range(len(words), 0, -1):
                candidate = person_key(" ".join(words[:n]))
                if self._people:
                    best = process.extractOne(candidate, self._people, scorer=fuzz.ratio, score_cutoff=FUZZY_NAME)
                    if best:
                        name = best[0]
                        break
                    if n == 1 and candidate in self.names.surnames:  # "something by tolkien": J.R.R. Tolkien
                        name = self.names.surnames[candidate]
                        break
                strong = any(c in cue for c in STRONG_PERSON_CUES)
                if all(w[:1].isupper() and w.isalpha() for w in words[:n]) and (n >= 2 or strong):
                    name = candidate
                    break
            if name and name not in prefs.people + prefs.exclude_people:
                # "nothing starring adam sandler": someone the catalog credits, ruled out
                out = name in self._people and is_negated(masked, m.start("name"))
                (prefs.exclude_people if out else prefs.people).append(name)
                start = m.start("name")
                spans.append(Span(m.start(), start + len(" ".join(words[: len(name.split())]))))
        return spans + self._full_names_in(text, masked, prefs, spans)

    @cached_property
    def _full_names(self) -> frozenset[str]:
        """The names of two or more words of the people the catalog credits, as `person_key` writes them."""
        return frozenset(p for p in self._people if " " in p)

    def _full_names_in(self, text: str, masked: str, prefs: Preferences, taken: list[Span]) -> list[Span]:
        """People named in full without a cue, in any case ("i love leonardo dicaprio movies", "Jack black was so
        hilarious"): a run of two or three words that is the whole name of someone the catalog credits. A name made
        only of everyday words (`ENGLISH`) counts only when written as a name; a name ruled out ("no adam sandler", "I
        hate adam sandler movies") is ruled out: no item crediting them is shown."""
        spans: list[Span] = []
        marked = sentences_marked(masked, text)  # "No, I haven't Was Bradley Cooper in that?" rules no one out
        words = list(re.finditer(r"\w[\w'-]*", masked))
        i = 0
        while i < len(words):
            for n in (3, 2):
                run = words[i : i + n]
                if len(run) < n or any(run[0].start() < s.end and s.start < run[-1].end() for s in taken):
                    continue  # past the message's end, or overlapping a name found after a cue
                key = person_key(" ".join(w.group(0) for w in run))
                if key not in self._full_names:
                    continue
                if all(w.group(0).casefold() in ENGLISH for w in run) and not all(
                        text[w.start()].isupper() for w in run):
                    continue
                into = prefs.exclude_people if is_negated(marked, run[0].start()) else prefs.people
                if key not in into:
                    into.append(key)
                spans.append(Span(run[0].start(), run[-1].end()))
                i += n - 1
                break
            i += 1
        return spans

    def _keywords_in(self, masked: str, prefs: Preferences, text: str = "") -> list[Span]:
        spans = []
        aliases, pattern = self.names.tags
        if pattern is None:
            return spans
        for m in pattern.finditer(masked):
            if m.group(0) in aliases and not (text[m.start() : m.start() + 1].isupper() or _NAMED.search(
                    masked, 0, m.start()) or _NAMED_AFTER.match(masked, m.end())):
                continue  # a tag's last word alone names it where it is written as a name or said as one
            target = prefs.exclude_keywords if is_negated(masked, m.start()) else prefs.keywords  # "no zombies"
            tag = aliases.get(m.group(0), m.group(0))
            if tag not in target:
                target.append(tag)
            spans.append(Span(m.start(), m.end()))
        return spans

    def _years(self, text: str, prefs: Preferences, session: Session, liked: list[str]) -> list[Span]:
        """Sets the year range the message asks for; returns the spans it used. "Newer" and "older" are relative to
        the items the message says it liked ("like Inception but older"), else to the list shown."""
        shown_years = [y for i in liked or session.shown if i in self.catalog and (y := self.catalog.get(i).year)]
        # "Frozen (2013)": a year in brackets cites a title's year; it does not ask for that year
        text = _CITED_YEAR.sub(lambda m: " " * len(m.group(0)), text)
        lo, hi, spans = read_years(text, is_negated, shown_years, self.newest_year)
        # years named in a statement of taste ("I enjoy 80s slasher movies", "90's movies are the best!") or a
        # bare "new" ("any new dramas?" is as often "new to me") lean towards them without ruling out the rest
        leaning = [(a, b) for a, b in spans
                   if text[a:b].strip() == "new" or routing.is_taste(text, a) or _TASTE_AFTER.match(text, b)
                   or said_in_passing(text, a)]
        if leaning and len(leaning) < len(spans):  # "I love 80s action, any from the 90s?": one of each
            asked = [s for s in spans if s not in leaning]
            prefs.lean_year_min, prefs.lean_year_max, _ = read_years(
                mask(text, [Span(a, b) for a, b in asked]), is_negated, shown_years, self.newest_year)
            lo, hi, _ = read_years(mask(text, [Span(a, b) for a, b in leaning]), is_negated, shown_years, self.newest_year)
        elif leaning:
            prefs.lean_year_min, prefs.lean_year_max = lo, hi
            lo = hi = None
        prefs.year_min, prefs.year_max = lo, hi
        excluded, ruled_out = read_excluded_years(text, is_negated)  # "dramas not from the 80s"
        # years asked for in the same message win: "an 80's horror film ... something not from the 80's is okay too"
        prefs.exclude_years = [(a, b) for a, b in excluded if (lo is not None and b < lo) or (hi is not None and a > hi)
                               or (lo is None and hi is None)]
        spans += ruled_out
        m = _THE_MORE_THE_BETTER.search(text) or _OLD_ONES.search(text)
        if m and self.year_quartiles and prefs.lean_year_min is None and prefs.lean_year_max is None \
                and not is_negated(text, m.start()):
            # "the older the better", "I love old movies": a lean to the catalog's oldest quarter
            if m.re is _OLD_ONES or AGE_LEANS[m.group("age") or m.group("age2")] == "old":
                prefs.lean_year_max = self.year_quartiles[0]
            else:
                prefs.lean_year_min = self.year_quartiles[1]
            # only "old" is read of "old black and white comedies": the words between are for the other readers
            spans.append(m.span("old") if m.re is _OLD_ONES and m.group("old") else m.span())
        return [Span(a, b) for a, b in spans]

    def _prices(self, masked: str, prefs: Preferences, session: Session) -> tuple[list[Span], bool]:
        """Reads the price range into prefs; (spans used, whether money was talked of in a catalog without prices)."""
        if not self.has_prices:  # "under $20": the whole phrase is set aside, not searched for as words
            spans = [Span(a, b) for a, b in read_prices(masked, [], None)[2]]
            spans += [Span(m.start(), m.end()) for m in PRICE_TALK.finditer(masked)]
            return spans, bool(spans)
        shown = [p for i in session.shown if i in self.catalog and (p := self.catalog.get(i).price) is not None]
        prefs.price_min, prefs.price_max, spans = read_prices(masked, shown, self.cheap_below)
        return [Span(a, b) for a, b in spans], False

    def unknown_names(self, text: str) -> set[str]:
        """Capitalised words inside a sentence that are neither everyday English nor words of the catalog, folded: names
        the catalog does not know ("no Uwe Boll stuff" -> {"uwe", "boll"}). A word opening a sentence and "I" are
        capitalised as any word is there, so they name nothing."""
        out = set()
        for m in _CAPITALISED.finditer(text):
            word = m.group(0).casefold()
            before = text[: m.start()].rstrip()
            if not before or before[-1] in ".!?" or word == "i" or word.startswith("i'"):
                continue
            if word not in ENGLISH and word not in self.catalog.vocabulary:
                out.add(word)
        return out

    def _avoided(self, masked: str, text: str) -> tuple[str, bool]:
        """The free words a negated clause rules out, once titles, genres, tags and years are out of `masked`: "not
        ww2 stuff" -> "ww2", "nothing about the ocean" -> "ocean"; and whether the message opens with the ruling
        out ("nah, nothing political", but not "I liked it, except the sequels"). Everyday words say nothing to
        steer away from ("I don't know", "not really"), and a name the catalog does not know ("no Uwe Boll stuff",
        capitalised in `text`) means nothing to the sentence model either: neither is kept."""
        names = self.unknown_names(text)
        out: list[str] = []
        leads = False
        for start, end in clauses.spans(masked, "words"):
            clause = masked[start:end]
            neg = _RULES_OUT.search(clause)
            if neg and not HEDGE.match(clause, neg.end()):
                ruled = [w for w in (x.strip("'-") for x in re.findall(r"[\w'-]+", clause[neg.end():]))
                         if len(w) > 1 and (w not in ENGLISH or w in self._phrase_genres) and w not in names
                         and not w.isdigit() and w not in ORDINALS]  # "not the 2nd one" points, it rules nothing out
                # a mood left here ("not too sad") is steered away from
                before = re.findall(r"[\w'-]+", masked[: start + neg.start()])
                leads = leads or bool(ruled) and all(w in DISCOURSE or w in FILLER for w in before)
                out += ruled
        return " ".join(dict.fromkeys(out)), leads

    def _residual(self, masked: str) -> str:
        """The free-text description: what is left once titles, genres, years and negated clauses are out."""
        kept: list[str] = []
        for clause in clauses.split(masked, "words"):
            neg = NEGATION.search(clause)
            if neg:  # a negated clause says what is not wanted: it must not pull the search towards it
                clause = clause[: neg.start()]
            opening = True  # "wait actually make it a drama": the words a clause opens with are not its subject
            # "eh too silly", "it was way too long": what the person had too much of is not searched for ("I loved
            # it too John Wayne is great": "too" as "also" leaves the next word alone)
            complaint, prev, said = False, "", False
            for w in re.findall(r"[\w'-]+", clause):
                w = w.strip("'-")
                if w == "too":
                    complaint = not said or prev in BEFORE_COMPLAINT
                    if complaint and kept and prev in BEFORE_COMPLAINT and kept[-1] == prev:
                        kept.pop()  # "way too long": the intensifier goes with what it intensifies
                said = said or w not in DISCOURSE
                opening = opening and (w in DISCOURSE or w in FILLER)
                if w and w not in FILLER and not w.isdigit() and not opening and not complaint:
                    kept.append(w)
                complaint = complaint and w in ("too", "much", "many")
                prev = w
        return " ".join(kept)


# what rules the words after it out: a word of exclusion, or a verb of liking denied ("I don't want anything gory");
# "I don't really care" and "I can't decide" rule nothing out
_RULES_OUT = re.compile(
    r"\b(?:no|(?<!\bdo )(?<!\bdoes )(?<!\bdid )(?<!\bam )(?<!\bare )(?<!\bis )(?<!\bwas )(?<!\bi'm )(?<!'s )(?<!\bbe )not|"
    r"nothing|none|without|except|excluding|exclude|avoid|skip|hate|hates|dislike|minus|other\s+than|"
    + LESS + r"|"  # "less silly": steered away from, as "not so silly" is
    r"(?:anything|everything)\s+but)\b(?!\s+(?:i|i'm|im|we|you|it|my|our)\b)"
    # what the item asked for is not, in a clause about it: "a horror movie that isn't too scary"
    r"|\b(?:that|which)\s+(?:isn'?t|aren'?t|(?:is|are)\s+not)\b"
    r"|\b(?:don'?t|doesn'?t|do\s+not|does\s+not|never|can'?t\s+stand)\s+(?:really\s+|even\s+)?"
    r"(?:like|want|love|enjoy|fancy|need|care\s+for)\b")
# "the older the better", "the more recent the better", "newer is better" (the comparatives are words.toml's age_leans)
_AGE = "|".join(re.escape(w) for w in sorted(AGE_LEANS, key=len, reverse=True))
_THE_MORE_THE_BETTER = re.compile(rf"\bthe (?P<age>{_AGE}) the better\b|\b(?P<age2>{_AGE}) (?:is|are) better\b")
# items liked for being old: "I love old movies", "old school films", "mostly old classics" (a taste, said in the plural)
# ... of a kind, a word or three between ("old comedies", "old black and white westerns"), and "oldies"
_KINDS = "|".join(KIND_NOUNS)
_OLD_ONES = re.compile(rf"\boldies\b|(?P<old>\bold(?:\s+school|\s+classic)?)(?:\s+(?!about\b|with\b|for\b|of\b)[\w'&-]+){{0,3}}?"
                       rf"\s+(?:(?:{_ITEM_NOUNS})s|ones|classics|stuff|{_KINDS})\b")
_TASTE_AFTER = re.compile(r"(?:\s+[\w'-]+){0,3}?\s+(?:are|were|is|was)\s+(?:also\s+|always\s+|really\s+|so\s+)?"
                          r"(?:the\s+)?(?:best|great|my favou?rite|awesome|amazing)\b")
# a kind after "the", with no item's noun after it, is what one film had: "loved the music", "the action was great"
_THE_BEFORE = re.compile(r"\bthe\s+$")
_NOUN_AFTER = re.compile(rf"(?:\s+|-)(?:(?:{_ITEM_NOUNS})s?|ones?|genres?|kinds?|types?|stuff|shows?|fans?)\b")


def _is_aspect(masked: str, m: re.Match[str]) -> bool:
    """A kind after "the" and before no noun: what one item has ("the music"), not who it is for ("the family")."""
    return m.group(0) not in AUDIENCE_WORDS and not _NOUN_AFTER.match(masked, m.end()) \
        and bool(_THE_BEFORE.search(masked, max(0, m.start() - 6), m.start()))


# "Frozen (2013)", "It (1990) from 1990", and a title that is a year: "2012 (2009)"
_CITED_YEAR = re.compile(r"(?:\b(?:1[89]\d\d|20[0-3]\d)\s*)?\(\s*(1[89]\d\d|20[0-3]\d)\s*\)(?:\s+(?:from|in)\s+\1\b)?")


# between two genres asked for, any one will do (a film that is both ranks first): "horror or thriller", "war and
# action movies", "drama, thriller", "horror films and comedies", "comedy & family"
# "family types or horror", "comedy tonight or romance", and one asked for in case the first is not at hand: "good
# sci-fi movies. if not, any good comedies?"
_GENRE_ALTERNATIVE = re.compile(rf"\s*(?:(?:(?:{_ITEM_NOUNS})s?|ones|stuff|shows?|types?|kinds?|sorts?|genres?)\s*)?"
                                r"(?:(?:tonight|today|now|then|instead)\s*)?"
                                r"(?:/|&|,?\s*\b(?:or|and|nd|n)\b|,"
                                r"|[.!?;,]*\s*(?:if not|otherwise|or else|failing that)[.!?;,]*\s*(?:any|some)?)"
                                r"\s*(?:maybe\s+|perhaps\s+|also\s+)?(?:(?:good|great|other)\s+)?(?:an?\s+)?")
