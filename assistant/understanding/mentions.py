"""Finding the items a message names: after a cue ("I loved X", "something like X, Y and Z"), written out in
full anywhere in it, or, once a list was shown, by a shown item's title alone ("I'll watch Alien"); and how the
person speaks of each (`stance`: liked, disliked, or not seen yet), which the learned stance reader informs
(assistant.understanding.stances)."""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from assistant.understanding import clauses, routing
from assistant.understanding.lexicon import BEFORE_COMPLAINT, DISCOURSE, ENGLISH, FILLER, NUMBER_WORDS, ORDINALS
from assistant.understanding.negation import is_negated, nearest_negation
from assistant.understanding.titles import (
    WORD,
    YEAR_AFTER,
    YEAR_ENDING,
    TitleIndex,
    TitleMatch,
    a_kind_not_a_title,
    everyday_phrase,
)
from retrieval.catalog import Catalog, fold_text, person_key
from retrieval.embed import in_vocabulary, rare_word

if TYPE_CHECKING:
    from assistant.understanding.readers import Reading

_LIKE_CUE = re.compile(
    r"(?<!\bi'd )(?<!\bid )(?<!\bwould )(?<!\bfeel )(?<!\bi would )"
    r"\b(?P<neg>(?:didn'?t|did not|don'?t|do not|never|not)\s+(?:really\s+|a\s+(?:big\s+|huge\s+)?)?)?"
    r"(?P<cue>like|liked|likes|love|loved|loves|enjoyed|enjoy|adored|similar to|such as|fan of|reminds? me of|"
    r"hated|hate|disliked|can'?t stand|is|was|about|of|not|no|except|besides|other than|anything but|"
    r"seen|saw|watched|rewatched|re-watched|same\s+(?:[a-z]+\s+){1,2}as)\s+",
    re.I,
)
_NEUTRAL_CUES = {"is", "was", "about", "of"}  # "what year is X from": names an item without liking it
_NEGATIVE_CUES = {"hated", "hate", "disliked", "can't stand", "cant stand"}
# "not john wick", "anything but the matrix": a title ruled out, written as typed (in lower case); exact titles of two
# words or more only, or cited with the year, since "not today" and "no way" are everyday phrases and titles too
_RULING_OUT_CUES = {"not", "no", "except", "besides", "other than", "anything but"}
# "have you seen john wick?", "i watched the notebook", "we saw frozen": a title after a word of viewing, exact, and of
# one word only as typed in lower case (`_one_word_seen`); how it is spoken of (seen and liked, not seen yet) is read
# as for any title (`stance`)
_REWATCHED = {"rewatched", "re-watched"}  # seen before, whoever asks ("have you seen X?" says nothing of it)
_VIEWING_CUES = {"seen", "saw", "watched", *_REWATCHED}
_VIEWING_BEFORE = re.compile(r"(?<![\w-])(?:" + "|".join(sorted(_VIEWING_CUES)) + r")\s+$", re.I)  # "we saw |frozen"
# "the godfather is too long", "X was way too slow": a title complained of, turned down whatever else is said
_COMPLAINED = "too"
_TOO_AFTER = re.compile(r"\s*(?:(?:a|so|really|" + "|".join(map(re.escape, BEFORE_COMPLAINT)) + r")\s+)*too\b", re.I)
_NOT_LIKING = _NEUTRAL_CUES | _NEGATIVE_CUES | _RULING_OUT_CUES | _VIEWING_CUES | {_COMPLAINED}  # say nothing of liking


_PRAISE = re.compile(r"\b(?:lov(?:e|ed|es)|liked|enjoyed|adored?|great|amazing|awesome|favou?rite|brilliant|fantastic)\b")
LIKED, DISLIKED, UNSEEN = "liked", "disliked", "unseen"  # how a person speaks of an item they name
LIST_GLUE = r"\s*(?:,|and|or|&)\s*"  # what joins the titles of a list: "X, Y and Z"
# "the godfather is too long", "spirited away was amazing": a title as the subject of what the person says of it
_SPOKEN_OF = re.compile(r"(?:\s+(?:is|was|were|are)|['’]s)\b", re.I)


_CAPITALISED = re.compile(r"(?<![\w'’&-])[A-Z][a-z][\w'’]*(?![\w'’&-])")  # "Deadpool", not "DEADPOOL" or "X-Men"
_NAME_AFTER = re.compile(r"[ \t]+([A-Z][a-z]+)\b")  # the capitalised words around one, which may make a longer name
_NAME_BEFORE = re.compile(r"(?<![.!?]\s)\b([A-Z][a-z]*)[ \t]+$")
_OPENER = r"(?:" + "|".join(map(re.escape, DISCOURSE)) + r")"  # "oh", "yes", "lol ok" before what is said
_OPENERS = re.compile(rf"[\W_]*(?:{_OPENER}[\W_]+)*", re.I)  # a sentence's start up to its first word said
# what follows a title named as the kind wanted: "top gun type stuff", "shrek-style", "alien vibes"
_KIND_AFTER = re.compile(r"(?:\s+|-)(?:type|style|kind|sort|esque|vibes?)\b(?:\s+(?:of\s+)?(?:stuff|movies?|films?|"
                         r"books?|things?|ones?))?", re.I)
_OPENS = re.compile(rf"[\W_]*(?:(?:{_OPENER}|just|and|but|oh)[\W_]+)*", re.I)  # nothing said yet in the clause
# the whole message, a name with openers before it and end punctuation after ("what about pulp fiction?")
_ALONE = re.compile(rf"\W*(?:{_OPENER}\W+)*(?:(?:what|how) about\s+)?(?P<title>\w.*?)[\s?!.]*$", re.I)


def cue_span(text: str, match: TitleMatch) -> tuple[int, int]:
    """A title's span with the word of viewing it was found after ("we saw frozen": "saw frozen"), which is then
    no word to search for (Saw is a film too); "not seen X" keeps it, for what "not" says of it."""
    m = _VIEWING_BEFORE.search(text[: match.start])
    if match.cue in _VIEWING_CUES and m and nearest_negation(text.casefold(), m.start()) is None:
        return m.start(), match.end
    return match.start, match.end


def liked_by_cue(text: str, start: int) -> bool:
    """Whether a title at `start` comes right after a word of liking ("I loved X", "something like X", "I like the
    X movies"), not negated: the rules' firm reading, which no learned guess overrules."""
    before = re.sub(r"(?:\b(?:the|a|an)\s+)?$", "", text[max(0, start - 60) : start], flags=re.I)
    for cue in _LIKE_CUE.finditer(before):
        word = cue.group("cue").casefold().replace("’", "'")
        if cue.end() == len(before) and not cue.group("neg") and word not in _NOT_LIKING:
            return True
    return False


# words that go on with a capitalised name ("Phantom of the Opera", "Once Upon a Time"), not with a sentence
_NAME_GOES_ON = re.compile(r"\s*(?:[:\-\u2013]|(?:of|the|a|an|in|on|at|to|for|from|with|de|la|le)\b|[A-Z0-9])")


def _one_word_seen(text: str, match: TitleMatch) -> bool:
    """Whether a title after a word of viewing may be the one word it is ("we saw frozen and moana", "I watched Jaws
    last week"): not the start of a longer name, which a catalog without it would cut short ("avengers: infinity
    war" is not The Avengers; "Phantom of the Opera", "Once Upon a Time" are not Phantom or Once)."""
    span = text[match.start : match.end]
    if " " in span.strip():
        return True
    after = text[match.end :]
    if span.islower():
        return not re.match(r"\s*[:\-\u2013]", after)
    return span.strip()[:1].isupper() and not _NAME_GOES_ON.match(after)


def _plain(word: str) -> bool:
    """Whether a capitalised word is one of everyday English or chat ("Yes Moana is great", "Ok I will watch
    Stardust"), not a part of a name."""
    w = word.casefold()
    return w in FILLER or w in ENGLISH or w in DISCOURSE or w == "i"


def _goes_on_with(word: str) -> bool:
    """Whether a word after a span goes on with the same name: a plain word that is neither filler nor glue."""
    w = word.casefold().strip("'\"")
    return w.isalpha() and w not in FILLER and w not in ("and", "or", "&")


def _a_number(span: str) -> bool:
    """Whether a span is only a number, in digits or words ("10", "ten", "a dozen")."""
    words = span.casefold().strip(" '\"?!").split()
    return bool(words) and all(w.isdigit() or w in NUMBER_WORDS or w in ("a", "half", "dozen") for w in words)


class Mentions:
    """Reads item mentions against one catalog's titles; `phrase_genres` and `keywords` (the parser's) tell a kind
    of film ("I like comedy movies") from a title (The Comedy)."""

    def __init__(self, catalog: Catalog, titles: TitleIndex, phrase_genres: Mapping, keywords: set[str]) -> None:
        self.catalog = catalog
        self.titles = titles
        self.phrase_genres = phrase_genres
        self.keywords = keywords
        self._nouns = {"movie", "film", "book", "show", catalog.noun}
        self._tag_words = {w for tag in keywords for w in tag.split()} | {
            w for name in catalog.people for w in name.split()}  # words of the tags and names the catalog knows
        self._noun_before = re.compile(r"\bthe\s+(?:" + "|".join(sorted(self._nouns)) + r")s?\s+(?:called\s+)?$",
                                       re.I)

    def find(self, text: str, neutral: bool = False) -> list[tuple[TitleMatch, bool]]:
        """Items named in the message, each with whether the user spoke against it.

        `neutral` also reads 'is X', 'about X' (exact titles only): for questions about an item.
        """
        found: list[tuple[TitleMatch, bool]] = []
        taken: list[tuple[int, int]] = []
        for cue in _LIKE_CUE.finditer(text):
            if any(a <= cue.start() < b for a, b in taken):
                continue
            word = cue.group("cue").casefold().replace("’", "'")
            if word in _NEUTRAL_CUES and not neutral:
                continue
            negative = bool(cue.group("neg")) or word in _NEGATIVE_CUES | _RULING_OUT_CUES
            if word in _VIEWING_CUES:  # "I can't say that I have seen X": negated as a title found without a cue is
                negative = is_negated(text.casefold(), cue.end())
            pos = cue.end()
            while pos < len(text):
                strict = word in _NEUTRAL_CUES | _RULING_OUT_CUES | _VIEWING_CUES
                match = self._at(text, pos, strict=strict, min_words=2 if word in _RULING_OUT_CUES else 1)
                if match is None and word in _RULING_OUT_CUES and pos == cue.end() and _OPENS.fullmatch(
                        text[clauses.clause_start(text, cue.start(), "words") : cue.start()]):
                    match = self._one_word_ruled_out(text, pos)  # "but not jaws", not "he can do no wrong"
                if match is not None and word in _VIEWING_CUES and not _one_word_seen(text, match):
                    match = self._at(text, pos, strict=strict, min_words=2)
                loose = pos > cue.end() or word in _RULING_OUT_CUES | _VIEWING_CUES  # "not the super nerdy kind"
                if match is None or (loose and everyday_phrase(text[match.start : match.end])):
                    break  # "i loved the matrix, the first time i saw it": a list goes on with titles, not phrases
                found.append((dataclasses.replace(match, cue=word), negative))
                taken.append((match.start, match.end))
                nxt = re.match(LIST_GLUE, text[match.end :])
                if not nxt:
                    break
                pos = match.end + nxt.end()
        for match in [*self._subjects(text), *self._kind_of(text), *self._alone(text)]:
            if not any(a < match.end and match.start < b for a, b in taken):
                found.append((match, is_negated(text.casefold(), match.start)))
                taken.append((match.start, match.end))
        for match in [*self.titles.find_exact(text), *self._capitalised(text), *self._pairs(text)]:  # longer first
            if any(a < match.end and match.start < b for a, b in taken):
                continue
            found.append((match, is_negated(text.casefold(), match.start)))
            taken.append((match.start, match.end))
        return sorted(found, key=lambda f: f[0].start)  # in the order written

    def _kind_of(self, text: str) -> Iterable[TitleMatch]:
        """A title named as the kind of thing wanted, said after it: "top gun type stuff", "something shrek-style",
        "more alien vibes": liked, as "like X" is. Exact titles only."""
        for kind in _KIND_AFTER.finditer(text):
            start = clauses.clause_start(text, kind.start(), "title")
            for w in list(re.finditer(r"\S+", text[start : kind.start()]))[-6:]:
                at = start + w.start()
                match = self._at(text[: kind.start()], at, strict=True)
                said = text[at : match.end] if match is not None else ""
                if match is not None and match.end == kind.start() and not everyday_phrase(said) \
                        and not _KIND_AFTER.search(" " + said):  # "a good vibes kind of movie": no film Vibes
                    yield dataclasses.replace(match, end=kind.end(), cue="like")  # "type stuff" read with it
                    break

    def _one_word_ruled_out(self, text: str, pos: int) -> TitleMatch | None:
        """A title of one word ruled out in lower case, ending its clause: "not jaws", "no titanic pls". Only a word
        of no everyday use nor a kind the catalog knows ("not today", "no romance", "no gore" are none)."""
        m = re.match(r"([a-z][a-z'’-]{3,})(?=\s*(?:$|[,.!?;]|(\w+)))", text[pos:])
        if m is None or (m.group(2) and m.group(2).casefold() not in FILLER | set(DISCOURSE)):
            return None  # ends its clause, or only filler follows: "not jaws pls", "no titanic tho"
        w = m.group(1)
        if w in ENGLISH or w in FILLER or w in DISCOURSE or w in self.phrase_genres or w in self._tag_words:
            return None  # "not keanu" after keanu reeves movies: the tag's, not Keanu (2016)
        match = self._at(text[: pos + m.end()], pos, strict=True)
        return match if match is not None and match.end == pos + m.end() else None

    def _subjects(self, text: str) -> Iterable[TitleMatch]:
        """Titles written in lower case as the subject of a clause ("ok the godfather is too long", "spirited away
        was amazing"): the words before "is / was" that are an exact title of two words or more, not an everyday
        phrase ("the first one was great"). Without the verb after it a two-word title needs its capitals
        (`TitleIndex.find_exact`), since pairs like "about time" are everyday phrases too."""
        for verb in _SPOKEN_OF.finditer(text):
            start = clauses.clause_start(text, verb.start(), "title")
            words = list(re.finditer(r"\S+", text[start : verb.start()]))[-8:]
            for w in words:
                span = text[start + w.start() : verb.start()]
                if everyday_phrase(span):
                    continue
                match = self._at(text[: verb.start()], start + w.start(), strict=True, min_words=2)
                if match is not None and match.end == verb.start():
                    yield dataclasses.replace(match, cue=_COMPLAINED) if _TOO_AFTER.match(text, verb.end()) else match
                    break

    def _capitalised(self, text: str) -> Iterable[TitleMatch]:
        """A title of one word written capitalised, without a cue or a year, where the word itself is the evidence:
        a name the sentence model has no word for ("my all time favorite would be Goodfellas", "i like the movies
        Zombieland and Deadpool"), not first in its sentence; after the item's noun ("I really liked the movie
        Annabelle"); or the subject of what is said of it ("Snatch is pretty good", "Hitch was a good one"). Never a
        word of everyday English or chat, a kind of item or tag ("Horror is my favorite"), or a person the catalog
        credits ("Hitchcock is great": the person, as after a cue)."""
        listed = 0  # where a title found after the item's noun ends, for the list it may open
        ends = [b.end for b in clauses.breaks(text, "stance")]  # where clauses start, once for the whole message
        for m in _CAPITALISED.finditer(text):
            word = m.group(0)
            norm = fold_text(word)
            if len(norm) < 3 or " " in norm or norm in FILLER or norm in ENGLISH or norm in self.phrase_genres \
                    or norm in self.keywords or person_key(word) in self.catalog.people \
                    or not self.titles.ids(norm):
                continue
            k = bisect.bisect_right(ends, m.start())
            before = text[ends[k - 1] if k else 0 : m.start()]
            after, prior = _NAME_AFTER.match(text, m.end()), _NAME_BEFORE.search(before)
            if (after and not _plain(after.group(1))) or (prior and not _plain(prior.group(1))):
                continue  # a part of a longer name: "Goldie Hawn", "anything with Keanu Reeves", "Ryan Reynolds"
            first = _OPENERS.fullmatch(before) is not None  # first in its sentence, but for "oh", "yes"
            year = YEAR_AFTER.match(text, m.end())
            if year and self.titles.dated(norm, int(year.group(1))) is None:
                continue  # "Jumanji (2017)" in a catalog holding only the 1995 one: another film
            verb = _SPOKEN_OF.match(text, m.end()) if first else None
            # after the item's noun, and the titles listed after it: "I really liked the movies Cargo and Hush"
            named = self._noun_before.search(before) or (listed and re.fullmatch(LIST_GLUE, text[listed : m.start()]))
            if verb or named or (not first and not in_vocabulary(norm)):
                picked = self.titles.pick(norm, int(year.group(1)) if year else None)
                too = verb is not None and _TOO_AFTER.match(text, verb.end())  # "Titanic is too long"
                yield TitleMatch(picked, m.start(), m.end(), 100.0, cue=_COMPLAINED if too else None)
                listed = m.end() if named else 0

    def _pairs(self, text: str) -> Iterable[TitleMatch]:
        """A title of two words typed in lower case without a cue ("last movie i saw was black panther", "he was
        awesome in san andreas", "incredibles 2 should be good"), where the pair is no phrase of English: one of its
        words is rare (`retrieval.embed.rare_word`: "old school", "way back" stay words, and so, at this cost, do "top
        gun" and "toy story" without a cue or capitals), none but a leading article is a word of everyday English
        ("blown away") or the item's noun ("a superhero movie"), and none is a kind of item, a tag, a person's name
        or an occasion ("game night"). Capitalised pairs are `TitleIndex.find_exact`'s."""
        words = list(WORD.finditer(text))
        for a, b in zip(words, words[1:]):
            span = text[a.start() : b.end()]
            norm = fold_text(span)
            if not span.islower() or " " not in norm or not self.titles.exact(norm) or everyday_phrase(span) \
                    or text[a.end() : b.start()] != " " or _a_number(a.group(0)) \
                    or not any(w.isalpha() and rare_word(w) for w in norm.split()) \
                    or any(w in ENGLISH or w in FILLER or w.rstrip("s") in self._nouns
                           for w in TitleIndex.unarticled(norm).split()):
                continue  # "old school", "blown away", "a superhero movie": words of English, however rare
            if any(w in self.phrase_genres or w in self.keywords or person_key(w) in self.catalog.people
                   for w in (norm, *norm.split())) or routing.OCCASION.search(f"for {norm}"):
                continue  # "something for game night" is the occasion
            year = YEAR_AFTER.match(text, b.end())
            if year and self.titles.dated(norm, int(year.group(1))) is None:
                continue
            yield TitleMatch(self.titles.pick(norm, int(year.group(1)) if year else None), a.start(), b.end(), 100.0)

    def _alone(self, text: str) -> Iterable[TitleMatch]:
        """A title that is the whole message but for openers ("pulp fiction", "what about heat?", "hmm frozen"),
        written in any case: a person who types only a name means the item, unless it is an everyday phrase
        ("about time"), a kind of item or a tag ("romantic comedy", "date night")."""
        m = _ALONE.match(text)
        if m is None:
            return
        span = m.group("title")
        low = span.casefold()
        if everyday_phrase(span) or low in self.phrase_genres or low in self.keywords \
                or routing.OCCASION.search(low) or routing.OCCASION.search(f"for {low}") or routing.GREETING.match(low):
            return
        match = self._at(text, m.start("title"), strict=True)
        if match is not None and match.end == m.end("title"):
            yield match

    def shown_named(self, low: str, shown: Iterable[str]) -> list[tuple[int, int, str]]:
        """Shown items the text names by title alone, year or not ("I'll watch Alien" after Alien was shown): among
        a handful of shown titles a single word is safe to read as one, unless it is an everyday word ("It", "Up")."""
        found = []
        for iid in shown:
            words = fold_text(self.catalog.get(iid).title).split()
            if len(" ".join(words)) < 3 or all(w in FILLER for w in words):
                continue
            m = re.search(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b", low)
            if m:
                found.append((m.start(), m.end(), iid))
        return sorted(found)

    def _at(self, text: str, pos: int, strict: bool = False, min_words: int = 1) -> TitleMatch | None:
        """The longest run of words from `pos` (within the clause) naming a catalog title; `strict` = exact only;
        a run shorter than `min_words` only when the year follows it."""
        clause = text[pos : clauses.clause_end(text, pos, "title")]
        words = list(re.finditer(r"\S+", clause))[:12]
        for n in range(len(words), 0, -1):
            end = words[n - 1].end()
            span = clause[:end]
            if all(w.group(0).casefold().strip("'\"?") in FILLER or w.group(0).casefold() in ORDINALS for w in words[:n]):
                continue
            year = re.match(r"\s*\(?(1[89]\d\d|20[0-3]\d)\)?", clause[end:])
            if n < min_words and not year:
                continue
            if not year and a_kind_not_a_title(span, clause[end:], self.phrase_genres, self.keywords):
                continue
            if not year and _a_number(span):  # "give me like 10" asks for ten; the film 10 needs its year: "10 (1979)"
                continue
            if any(person_key(" ".join(w.group(0) for w in words[:k])) in self.catalog.people for k in (n, n + 1, n + 2)):
                continue  # "I like Bruce Willis", "Meg Ryan": a person, not The Bruce or The Meg
            if year:
                hit = self.titles.lookup(span + " " + year.group(1), min_score=100.0 if strict else 88.0)
                if hit and strict and self.catalog.get(hit[0]).year not in (None, int(year.group(1))):
                    continue  # exact means the film of that year: "Jumanji (2017)" is not Jumanji (1995); an entry
                    # without a year may be it (`TitleIndex.dated` picks one only where none has that year)
                if hit:
                    return TitleMatch(hit[0], pos, pos + end + year.end(), hit[1])
            hit = self.titles.lookup(span.rstrip("?"), min_score=100.0 if strict else 88.0)
            if hit and hit[1] < 100.0 and n > 1 and words[n - 1].group(0).casefold() in ("and", "or", "&"):
                continue  # "like pulp fiction or reservoir dogs": a near miss that ends on the list's "or" is the
                # shorter title and the glue; the list goes on after it
            if hit and hit[1] < 100.0 and n < len(words) and _goes_on_with(words[n].group(0)):
                continue  # "like breaking bad": a near miss of the first word (Breakin') that the name goes on past
            cited = YEAR_ENDING.search(span.rstrip("?"))
            if hit and strict and cited and self.catalog.get(hit[0]).year not in (None, int(cited.group(1))):
                continue  # as above, the year written inside the span
            if hit:
                return TitleMatch(hit[0], pos, pos + end, hit[1])
        return None


def stance(r: Reading, match: TitleMatch, negative: bool) -> str:
    """How the person speaks of one title the message names: the rules' "haven't seen", negation or word of liking
    where they found one, else the learned reader's sure class, else liked (the rules' default)."""
    return stance_at(r.message.low, r.stances, match.start, negative, cued_like(r.message.text, match),
                     ruled_out=match.cue in _RULING_OUT_CUES or match.cue == _COMPLAINED,
                     seen=match.cue in _REWATCHED)


def seen_on_screen(r: Reading, match: TitleMatch) -> bool:
    """Whether the message says the person has seen an item of the list shown ("i've seen back to the future",
    over a list that has it): moved past, as "I've seen the first one" is; not a liking, unless it says so."""
    return match.cue in _VIEWING_CUES and match.item_id in r.session.shown and not _PRAISE.search(r.message.low) \
        and not liked_by_cue(r.message.text, match.start)


def cued_like(text: str, match: TitleMatch) -> bool:
    """Whether the rules found a title right after a word of liking (`liked_by_cue`, or the start of a list after
    one: "I love X, Y and Z")."""
    return match.cue is not None and match.cue not in _NOT_LIKING or liked_by_cue(text, match.start)


def stance_at(low: str, stances: dict[int, str], start: int, negative: bool, liked: bool = False,
              ruled_out: bool = False, seen: bool = False) -> str:
    """`stance` of the title at `start` of the casefolded message `low`, the learned reader's sure classes given;
    `liked`: said right after a word of liking; `ruled_out`: after "not", "anything but" (disliked, whatever the
    words around it say); `seen`: right after a word of seeing it again ("I rewatched X"): not unseen unless negated."""
    if routing.UNSEEN_TITLE.search(low[max(0, start - 40) : start]):
        return UNSEEN
    if ruled_out:
        return DISLIKED
    learned = stances.get(start)
    if seen and not negative and learned == UNSEEN:  # "just rewatched Jaws and it holds up": seen, said of it
        learned = None
    if negative:  # "I didn't like X" is never liked; "I never got around to X" is a negation too, and not seen
        return UNSEEN if learned == UNSEEN else DISLIKED
    return LIKED if liked else learned or LIKED


def wanted(r: Reading) -> list[str]:
    """The items the message names that the person has not seen yet (see `stance`)."""
    return list(dict.fromkeys(m.item_id for m, negative in r.titles if stance(r, m, negative) == UNSEEN))
