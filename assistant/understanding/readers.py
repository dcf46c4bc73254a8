"""Understanding as a declared pipeline: one `Message` is normalised once, then the readers in `READERS` run in
that order over one shared `Reading`, each adding what it finds (titles, a question, genres, prices, years,
people, tags, a count, what to do with the items shown, the free text left). A reader may decide the message
outright (a reset, a support question, a question about an item, "I'll watch it", small talk) by returning its
`Understanding`; otherwise the intent comes from `INTENT_RULES` (assistant.understanding.intents), one ordered table.

The order is data: a reader sees the spans the readers before it consumed (masked out, offsets kept), so "$2000"
is read as a price before the years reader could take it for a year, and tags before genres mask "dark comedy".
A reader is any callable `(parser, reading) -> Understanding | None`; a learned one (say a classifier on the
message's sentence vector) replaces a rule reader by taking its place in the list. The readers of what a message
asks of the items (genres, years, people, a count...) live in assistant.understanding.wants.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.dialogue.state import resolve_refs
from assistant.models import Preferences, Session, Understanding
from assistant.understanding import clauses, described, routing
from assistant.understanding.language import foreign
from assistant.understanding.lexicon import ENGLISH, FILLER, GENRE_SYNONYMS, MOOD_GENRES, ORDINALS
from assistant.understanding.mentions import DISLIKED, LIKED, UNSEEN, cue_span, seen_on_screen, stance, wanted
from assistant.understanding.text import QUOTES, Span, mask, plain_spelling, uncased, without_emoji, without_markup
from assistant.understanding.wants import (read_ages, read_count, read_genres, read_lifted, read_occasion, read_people,
                                           read_popularity, read_prices_and_years, read_same_people, read_tags)
from retrieval.embed import wordlike

if TYPE_CHECKING:
    from assistant.understanding.parser import RulesParser

_REF_PHRASE = re.compile(
    r"\b(?:the\s+)?(?:" + "|".join(ORDINALS) + r")\s+(?:one|movie|film|book|item|pick|title)s?\b|#\d{1,2}\b|\bnumber\s+\d{1,2}\b"
)


@dataclass(frozen=True)
class Message:
    """One cleaned message, normalised once: `text` as written, with typographic quotes made plain and chat
    spellings written out ("whats" -> "what's", `plain_spelling`), and `low`, its casefolded form, with the same
    offsets. Its clauses are cut by the one splitter, assistant.understanding.clauses: boundaries found once per
    text (a mask keeps the offsets, so every reader's view of the message lines up), scoped per reading."""

    text: str
    low: str
    typed: str = ""  # as typed, before any English spelling was put right (another language is told from it)

    @classmethod
    def of(cls, message: str, correct: Callable[[str], str] | None = None, common: Container[str] = (),
           known: Callable[[str], bool] = lambda span: False) -> Message:
        """`correct` puts typing slips right (assistant.understanding.spelling), after the chat spellings; in a
        message whose capitals say nothing (`uncased`) the words the readers know (`common`) are lower-cased, the
        catalog's titles and people (`known`) kept as written."""
        typed = without_markup(message.strip().translate(QUOTES)).strip()
        text = plain_spelling(uncased(without_emoji(typed).strip(), common, known))
        text = correct(text) if correct is not None else text
        return cls(text, text.casefold(), typed)


@dataclass
class Reading:
    """What the readers have found in one message so far. `masked` is `low` with what was understood blanked out
    (offsets kept); `consumed` are the spans the free-text reader must not see."""

    message: Message
    session: Session
    questions: bool = True  # False: a question about an item is read for its preferences only
    titles: list = field(default_factory=list)  # (TitleMatch, negative) in the order they are written
    refs_masked: str = ""  # the text with "the second one" blanked, for finding titles
    masked: str = ""
    refs: list[int] = field(default_factory=list)
    learned_refs: list[int] | None = None  # a learned reader's positions, where it overrules the rules' ordinals
    learned_bare: bool = False  # and the message is nothing but its pointer ("and the middle one?")
    stances: dict[int, str] = field(default_factory=dict)  # a learned reader's sure stance of the title at an offset
    question: str | None = None
    prefs: Preferences = field(default_factory=Preferences)
    consumed: list[Span] = field(default_factory=list)
    genre_spans: list[Span] = field(default_factory=list)  # consumed once the tags are read
    # a learned reader's sure class ("in", "out") of the kind named at an offset, with the clause it was read in
    # (assistant.understanding.genre_stances); `genre_clauses`: the clauses of the kinds it moved, consumed as
    # `genre_spans` are ("westerns make me cringe": "cringe" is not searched)
    genre_stances: dict[int, tuple[str, Span]] = field(default_factory=dict)
    genre_clauses: list[Span] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)  # facts asked for that the catalog does not record
    unknown_people: list[str] = field(default_factory=list)  # names the catalog has no one by (person_names)
    asked_count: int | None = None
    lifted: list[str] = field(default_factory=list)  # preferences let go ("any decade is fine"): chip keys
    occasion: bool = False  # when or with whom it will be watched was said ("for date night"): the mood reader reads it
    action: str | None = None
    nothing_asked: bool = False  # no slot and no action: small talk, a bare request or something off topic
    bare: bool = False  # "recommend me a movie": no slot, and still a request
    avoid: str = ""  # free words ruled out ("not ww2 stuff"): kept by a request, never what makes one (see parse)
    # the free words no reader placed, before only those about items were kept as the query ("scared mind" of "I
    # want to be scared out of my mind"): what the learned readers read where the rules left only words
    unplaced: str = ""
    # a learned reader finds the message unlikely to be of another business: a question the rules place nothing in
    # is then not off topic for want of a word of the domain ("any with denzel washington?", "something in between?")
    on_topic: bool = False

    @property
    def has_shown(self) -> bool:
        return bool(self.session.shown)

    @property
    def points_at_all(self) -> list[int]:
        """Every shown position when no item is pointed at but the list is ("I've seen those", "how long are
        these?"); else none."""
        if self.refs or not self.has_shown or not routing.PLURAL.search(self.masked):
            return []
        return list(range(len(self.session.shown)))


Reader = Callable[["RulesParser", Reading], Understanding | None]
Readers = tuple[tuple[str, Reader], ...]  # (name, reader), in the order they run


def read_reset(parser: RulesParser, r: Reading) -> Understanding | None:
    """"start over", "forget everything"; with what to start from, when the rest of the message asks for it
    ("scratch that, action", "start over: comedies from the 90s"), read as a request of a fresh conversation."""
    m = routing.RESET.search(r.message.low)
    if m is None:
        return None
    rest = mask(r.message.text, [Span(m.start(), m.end())]).strip(" ,.;:!-")
    fresh = parser.parse(rest, Session(), questions=False) if rest else None
    # something placed, not words alone: "I canno remember my key, want help to reset it" asks for no items
    if fresh is not None and fresh.intent == "recommend" and not fresh.preferences.model_copy(
            update={"query": "", "names": []}).is_empty():
        return Understanding(intent="reset", preferences=fresh.preferences, asked_count=fresh.asked_count)
    return Understanding(intent="reset")


def read_titles(parser: RulesParser, r: Reading) -> Understanding | None:
    """The catalog items the message names (not "the second one", which points at the list shown)."""
    text, low = r.message.text, r.message.low
    r.refs_masked = mask(text, [Span(m.start(), m.end()) for m in _REF_PHRASE.finditer(low)])
    r.titles = parser.mentions.find(r.refs_masked)
    r.masked = mask(low, [Span(*cue_span(low, m)) for m, _ in r.titles])
    return None


def read_described(parser: RulesParser, r: Reading) -> Understanding | None:
    """A shown item pointed at by what it is ("the newest one", "the animated one") reads as its number
    (assistant.understanding.described)."""
    r.masked = described.rewrite(r.masked, r.session.shown, parser.catalog)
    return None


def read_language(parser: RulesParser, r: Reading) -> Understanding | None:
    """A message in another language or script, or encoded text: not read as a request, never searched or quoted
    (assistant.understanding.language). The titles it names are blanked out first: "I loved La vita è bella"."""
    language = foreign(mask(r.message.text, [Span(m.start, m.end) for m, _ in r.titles]))
    # the English readers' corrections are no evidence of English: "quiero ver una comedia romántica" was read
    # with "comedic" put in
    language = language or (foreign(r.message.typed) if not r.titles else None)
    return Understanding(intent="out_of_scope", language=language) if language else None


def read_support(parser: RulesParser, r: Reading) -> Understanding | None:
    """A customer-service question that names no item."""
    return Understanding(intent="support") if routing.SUPPORT.search(r.masked) and not r.titles else None


def read_question(parser: RulesParser, r: Reading) -> Understanding | None:
    """A question about an item: named in the question's sentence, pointed at ("the second one", "it") or, for a
    comparison, every item named. The other sentences are read for what the person likes."""
    low, masked, session = r.message.low, r.masked, r.session
    # "which of these is the funniest?": a shown item picked by what the catalog says of it, answered, not searched
    if r.questions and r.has_shown and (m := routing.WHICH.search(low)) and (word := described.criterion(m.group("word"))):
        return Understanding(intent="ask_item", question="which", picked_by=word)
    r.refs = routing.ordinal_refs(masked) if r.learned_refs is None else r.learned_refs
    # nothing but a shown item pointed at: the question just asked, about it ("and the 2nd?"), or, with none asked,
    # what there is to say about it ("the 2nd", "what about the 4th one")
    bare = bool(r.refs and r.has_shown and (routing.is_ellipsis(masked) or r.learned_bare))
    elliptic = bool(session.asked and bare)
    # a title named stands where "it" would: "is the dark knight good?" asks what "is it good?" asks, at the title
    kind, asked_at = routing.question_kind(masked), routing.question_span(masked)
    # and so does one read only after a question's cue ("tell me about toy story"), unless a pronoun is what is asked
    # about ("is it a love story?")
    named_here = r.titles if kind is None else []
    if not r.titles and r.questions and not routing.PRONOUN.search(masked):
        named_here = parser.mentions.find(r.refs_masked, neutral=True)
    if named_here:
        said = re.sub(r"it\s+", "it ", mask(low, [Span(m.start, m.end) for m, _ in named_here], fill="it"))
        if (said_kind := routing.question_kind(said)) is not None or r.titles:
            kind, asked_at = said_kind, named_here[0][0].start
    r.question = question = kind or ((session.asked or "general") if bare else None)
    if not (r.questions and question and (question == "general" or elliptic or routing.is_question(low) or (
            question == "compare" and routing.COMPARE_ASKED.match(masked)) or routing.opens_clause(masked, asked_at))):
        return None
    # the item asked about is named in the question's sentence: "Is that one good? I've seen Heat" asks about "that"
    in_question = lambda found: [t for t in found if routing.same_sentence(low, t[0].start, asked_at)]  # noqa: E731
    sources = [in_question(r.titles), in_question(parser.mentions.find(r.refs_masked, neutral=True)),
               in_question([(m, False) for m in parser.titles.find_exact(
                   r.refs_masked, single_words=True, lower_pairs=not routing.PRONOUN.search(masked))])]
    named = next((found for found in sources if found), [])
    if question == "compare":  # every item the comparison names, in order: "compare Heat and Toy Story"
        by_id = {t[0].item_id: t for found in sources for t in found}
        named = sorted(by_id.values(), key=lambda t: t[0].start)
    pointing = routing.COMPARED.search(masked) if question == "compare" else \
        routing.PRONOUN.search(masked) or routing.POINTING.search(masked) or session.focus
    if not (named or (r.has_shown and (r.refs or pointing))):
        return None
    if not named and question != "compare":
        r.refs = r.refs or r.points_at_all  # "how long are these?": every item shown
    target = named[0][0].item_id if named else None
    # the other sentences still say what the person likes: "Is it any good? I loved Shrek (2001)"
    rest = routing.other_sentences(r.message.text, asked_at)
    said = parser.parse(rest, session, questions=False) if re.search(r"\w", rest) else None
    prefs = said.preferences.model_copy(update={"query": ""}) \
        if said is not None and said.intent in ("recommend", "refine") else Preferences()
    also = [m.item_id for m, _ in named[1:]] if question == "compare" else []
    return Understanding(intent="ask_item", refs=r.refs, question=question, target=target, also=also,
                         preferences=prefs)


def read_acceptance(parser: RulesParser, r: Reading) -> Understanding | None:
    """"I'll check it out", "the last one looks good", "I'll watch Heat": with something shown or in focus."""
    if not (r.has_shown or r.session.focus):
        return None
    low = r.message.low
    named = [(m.start, m.end, m.item_id) for m, _ in r.titles] or (
        [] if r.refs else parser.mentions.shown_named(low, r.session.shown))
    # "the newest one looks good": a shown item described reads as its number here too
    said = described.rewrite(mask(low, [Span(a, b) for a, b, _ in named], fill="it"), r.session.shown, parser.catalog)
    if routing.accepts(said):
        return Understanding(intent="accept", refs=r.refs, target=named[0][2] if named else None)
    return None


def read_small_talk(parser: RulesParser, r: Reading) -> Understanding | None:
    """"thanks", "hello", "ok": nothing to search for."""
    return Understanding(intent="chitchat") if routing.CHITCHAT.match(r.message.low) else None


def read_liked_titles(parser: RulesParser, r: Reading) -> Understanding | None:
    """The items named are liked, or disliked when said with a negation; "I haven't seen Coco" is neither (see
    assistant.understanding.stances, which a learned reader may inform)."""
    for match, negative in r.titles:
        said = stance(r, match, negative)
        if said == LIKED and seen_on_screen(r, match):
            r.prefs.exclude_items.append(match.item_id)
        elif said != UNSEEN:
            said_of = r.prefs.disliked if said == DISLIKED else r.prefs.liked
            if match.item_id not in said_of:  # "I have seen Halloween. Halloween (1978)": one item, once
                said_of.append(match.item_id)
    r.consumed = [Span(m.start, m.end) for m, _ in r.titles]
    return None


def read_action(parser: RulesParser, r: Reading) -> Understanding | None:
    """What to do with the items shown: more like one, drop one, seen them all; a verdict per item when a
    message judges several ("the first one looks great, the second is boring")."""
    session, prefs = r.session, r.prefs
    r.masked = _about_titles_blanked(r.masked, [m.start for m, _ in r.titles])
    r.action = routing.action_of(r.masked, r.refs, r.has_shown or bool(session.focus))
    if not r.action and session.focus and not r.titles and routing.SIMILAR_ALONE.search(r.masked):
        r.action = "more_like"  # "recommend similar" after a question about an item: like that item
    if r.action:  # "I've seen those": every shown item
        r.refs = r.refs or r.points_at_all
    mixed = routing.mixed_verdicts(r.masked) \
        if r.action in ("dislike_refs", "more_like", "exclude_refs") and len(r.refs) > 1 else None
    if mixed:
        prefs.liked += [i for i in resolve_refs(mixed["liked"], session.shown) if i not in prefs.liked]
        if mixed["disliked"]:
            r.action, r.refs = "dislike_refs", mixed["disliked"]
            prefs.exclude_items += resolve_refs(mixed["excluded"], session.shown)
        elif mixed["excluded"]:
            r.action, r.refs = "exclude_refs", mixed["excluded"]
        else:  # "the 2nd is ok, the 3rd is great": more like the one praised
            r.action, r.refs = "more_like", mixed["liked"]
    elif r.action in ("seen_refs", "exclude_refs", "dislike_refs") and r.refs \
            and routing.EXCLUDE_SHOWN.search(r.masked):
        # "seen the 2nd one already. others?": what is said of the one item holds, and the list is moved past
        (prefs.disliked if r.action == "dislike_refs" else prefs.exclude_items).extend(
            i for i in resolve_refs(r.refs, session.shown) if i not in prefs.disliked + prefs.exclude_items)
        r.action, r.refs = "exclude_shown", []
    return None


# the mood words and the words of the genre names of prompts/words.toml (no everyday word), whatever genres a
# catalog has
LEXICON_KINDS = frozenset(m for m in MOOD_GENRES if " " not in m) | frozenset(
    w for phrase in [*GENRE_SYNONYMS, *(g for gs in GENRE_SYNONYMS.values() for g in gs)]
    for w in phrase.split() if w not in ENGLISH and w not in FILLER)


def _words_in(parser: RulesParser, words: str) -> str:
    """`words`, or nothing when none of them reads as a word ("asdkjh qwpoe", the "d d" of two ":D")."""
    return words if any(wordlike(w) or (len(w) >= 3 and parser.names.knows(w)) for w in words.split()) else ""


def read_free_text(parser: RulesParser, r: Reading) -> Understanding | None:
    """The words left once everything else is read: what the request is about, searched by meaning. Then whether
    anything at all was asked, and whether a bare "any suggestions?" over a list asks for others."""
    prefs = r.prefs
    prefs.query = parser._residual(mask(r.masked, r.consumed)) if not r.action else _beside_others(parser, r)
    avoid, leads = parser._avoided(mask(r.masked, r.consumed), r.message.text)
    r.avoid = avoid if any(wordlike(w) for w in avoid.split()) else ""
    prefs.query = r.unplaced = _words_in(parser, prefs.query)
    if parser.item_words is not None:  # only the words that say what an item is about are searched or steered from
        # and the words in the place of what an item is about ("movies about the stock market"), whatever the model
        about = routing.about_words(r.masked, parser.catalog.noun)
        # a mood or genre word the catalog has no genre for ("a funny book", "sci fi books" in a bookshop without
        # genres) is searched too
        prefs.query = _words_in(parser, parser.item_words.kept(
            prefs.query, lambda w: w in about or parser.is_placed(w) or w in LEXICON_KINDS))  # not the "d" of ":D"
        r.avoid = parser.item_words.kept(r.avoid, parser.is_placed)
    # "nah, nothing political" over a list: all it asks is to steer away; so does a mood by degree on its own
    # ("not too scary please")
    if r.avoid and leads and (r.has_shown or not r.session.preferences.is_empty() or any(
            parser.is_mood(w) for w in r.avoid.split())) \
            and not routing.is_question(r.message.low):
        prefs.avoid = [r.avoid]
    # a title not seen yet is asked about too: "I still need to see Mad Max" is about Mad Max
    r.nothing_asked = prefs.model_copy(update={"query": "", "names": []}).is_empty() and not r.action \
        and not wanted(r) \
        and not r.lifted
    r.bare = r.nothing_asked and not prefs.query and not prefs.names and bool(routing.BARE_REQUEST.search(r.masked))
    return None


READERS: Readers = (
    ("reset", read_reset),
    ("titles", read_titles),
    ("described", read_described),
    ("language", read_language),
    ("support", read_support),
    ("question", read_question),
    ("acceptance", read_acceptance),
    ("small talk", read_small_talk),
    ("liked titles", read_liked_titles),
    ("let go", read_lifted),
    ("genres", read_genres),
    ("ages", read_ages),
    ("prices and years", read_prices_and_years),
    ("people", read_people),
    ("same people", read_same_people),
    ("tags", read_tags),
    ("popularity", read_popularity),
    ("occasion", read_occasion),
    ("count", read_count),
    ("action", read_action),
    ("free text", read_free_text),
)


SHORT_ASIDE = 6  # the most words in a message whose words beside "something else" say what else ("something else, darker")


def _beside_others(parser: RulesParser, r: Reading) -> str:
    """The free words of a short message that moves past the list or one of it ("something else, darker", "others,
    w dragons", "not the second one, something darker"): what else is wanted. In a longer one the words around it are chat ("I've seen that one. Any others? I think my
    kids would like it"), so none are kept."""
    if r.action not in ("exclude_shown", "exclude_refs") or len(r.message.low.split()) > SHORT_ASIDE:
        return ""
    said = (routing.EXCLUDE_SHOWN,) if r.action == "exclude_shown" else (routing.EXCLUDE_REF, routing.NOT_THAT_ONE)
    found = sorted((Span(m.start(), m.end()) for pattern in said for m in pattern.finditer(r.masked)),
                   key=lambda span: span.start)
    if not found:
        return ""
    # only its own sentence: in "That sounds great! Anything else?" the first says nothing of what else
    sentence = next((a, b) for a, b in clauses.spans(r.message.low, "sentence") if a <= found[0].start <= b)
    elsewhere = [Span(0, sentence[0]), Span(sentence[1], len(r.masked))]
    return parser._residual(mask(mask(r.masked, r.consumed), found + elsewhere))


def _about_titles_blanked(masked: str, title_starts: Iterable[int]) -> str:
    """The masked message without the "I've seen" whose object is a title it names: "I've seen Heat" says nothing
    about the items shown."""
    starts = set(title_starts)
    spans = []
    for m in routing.SEEN.finditer(masked):
        if any(start >= m.end() and not masked[m.end() : start].strip() for start in starts):
            spans.append(Span(m.start(), m.end()))
    return mask(masked, spans)


def with_reader_before(readers: Readers, name: str, added: tuple[str, Reader]) -> Readers:
    """`readers` with `added` (a (name, reader) pair) run just before the one called `name`."""
    return _with_added(readers, name, added, after=False)


def with_reader_after(readers: Readers, name: str, added: tuple[str, Reader]) -> Readers:
    """`readers` with `added` (a (name, reader) pair) run just after the one called `name`."""
    return _with_added(readers, name, added, after=True)


def _with_added(readers: Readers, name: str, added: tuple[str, Reader], after: bool) -> Readers:
    if name not in dict(readers):
        raise ValueError(f"no reader {name!r}; readers: {', '.join(n for n, _ in readers)}")
    out: list[tuple[str, Reader]] = []
    for pair in readers:
        out += ([pair, added] if after else [added, pair]) if pair[0] == name else [pair]
    return tuple(out)


def with_reader(readers: Readers, name: str, reader: Reader | None) -> Readers:
    """`readers` with the one called `name` replaced by `reader` (or left out, with None); the others as they
    were, in the same order. An unknown name is an error naming the known ones."""
    if name not in dict(readers):
        raise ValueError(f"no reader {name!r}; readers: {', '.join(n for n, _ in readers)}")
    return tuple((n, reader if n == name else r) for n, r in readers if n != name or reader is not None)
