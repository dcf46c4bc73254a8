"""The assistant: one message in, one grounded `Reply` out (`respond`), or the same reply as it
grows while an LLM streams its opening sentence (`stream`).

    respond(session, message)
      -> clean and check the message
      -> understand (backend) -> route by intent -> update the dialogue state
      -> embed the request -> retrieve with filters -> CF re-rank -> diversify (retrieval.ranker)
      -> explain each pick from its claims -> Reply
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Callable, Iterator

import prompts
from assistant.understanding import routing
from assistant.dialogue.answers import answer, answer_many, compare, which
from assistant.llm import tasks
from assistant.llm.backends import Backend, get_backend
from assistant.llm.errors import LLMError
from assistant.dialogue.state import apply, changes, describe, loosen_hint, resolve_refs
from assistant.engine import Engine
from assistant.dialogue.explain import claims_for, render
from assistant.dialogue.feedback import KINDS, FeedbackStore, apply_feedback
from assistant.support.handoff import HandoffStore
from assistant.understanding.lexicon import ORDINAL_NAMES
from assistant.models import Preferences, Recommendation, Reply, Session, Turn, Understanding
from assistant.serving.observability import FALLBACKS, LLM_ERRORS
from assistant.dialogue.ranking import SessionRanking
from assistant.support.service_desk import CustomerService

log = logging.getLogger(__name__)

_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


def clean_message(text: str) -> str:
    """NFKC-normalised text without terminal escapes, control or invisible characters, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", _ANSI.sub(" ", text))
    # zero-width and direction marks vanish ("i\u200bgnore" is "ignore"); other control characters part words
    text = "".join("" if unicodedata.category(c) == "Cf" else " " if unicodedata.category(c) in _INVISIBLE else c
                   for c in text)
    return " ".join(text.split())


class Assistant:
    """Answers messages for one pack. Thread-safe for reads; each session is one caller's."""

    def __init__(self, engine: Engine, backend: str | Backend = "rules", n_recommendations: int = 5,
                 max_message_chars: int = 4000, feedback_store: FeedbackStore | None = None,
                 handoffs: HandoffStore | None = None) -> None:
        self.engine = engine
        self.feedback_store = feedback_store
        self.handoffs = handoffs
        self.backend = get_backend(backend, engine) if isinstance(backend, str) else backend
        self.desk = CustomerService(engine, self.backend.model, handoffs)
        self.n_recommendations = n_recommendations
        self.max_message_chars = max_message_chars
        self.ranking = SessionRanking(engine, feedback_store)

    @property
    def noun(self) -> str:
        return self.engine.noun

    @property
    def currency(self) -> str:
        return self.engine.pack.manifest.currency

    def stream(self, session: Session, message: str) -> Iterator[Reply]:
        """The reply as it grows: first complete with the recommendations and a template opening,
        then (LLM backends) with the model's opening sentence streamed in token by token. The
        model's sentence is kept only if it passes `opening_is_safe`; otherwise the template stays.

        Rank first, then read: when the model would read the message too (words the parser could not
        place), the cards of the parser's reading and their opening come at once; the model's reading
        follows, and replaces the cards (with a new opening) only if it asks for something else."""
        before = session.model_copy(deep=True)
        parsed: list[Understanding] = []

        def first(_text: str, _s: Session, reading: Understanding) -> Understanding:
            parsed.append(reading)  # rank from the parser's reading at once
            return reading

        reply = self.respond(session, message, read=first)
        model_reads = bool(parsed) and self.backend.wants_model(parsed[0])
        yield reply
        reply = yield from self._narrate(session, reply)
        if not model_reads:
            return
        better = self.backend.read(clean_message(message), before.model_copy(deep=True), parsed[0])
        if better == parsed[0]:
            return
        for name in Session.model_fields:  # the turn again, from where it started, as the model read it
            setattr(session, name, getattr(before, name))
        reply = self.respond(session, message, read=lambda _text, _s, _first: better, first=parsed[0])
        yield reply
        yield from self._narrate(session, reply)

    def _narrate(self, session: Session, reply: Reply) -> Iterator[Reply]:
        """Streams the model's opening sentence over a recommendation reply; returns the reply as it stays."""
        model = self.backend.model
        if model is None or reply.intent not in ("recommend", "refine") or not reply.recommendations \
                or not reply.summary:
            return reply
        template, _, rest = reply.text.partition("\n")
        tokens: list[str] = []
        try:
            for token in tasks.opening(model, reply.summary, noun=self.noun):
                tokens.append(token)
                partial = " ".join("".join(tokens).split())
                if len(partial) > tasks.MAX_OPENING_CHARS:
                    break
                yield reply.model_copy(update={"text": partial + "\n" + rest})
        except LLMError as e:
            LLM_ERRORS.labels("narrate").inc()
            FALLBACKS.labels("narration").inc()
            log.warning("narration failed (%s); keeping the template opening", e)
            tokens = []
        if not tokens:
            return reply
        sentence = " ".join("".join(tokens).split())
        safe = self.opening_is_safe(sentence, reply) and self.opening_keeps(sentence, session)
        if not safe:
            FALLBACKS.labels("narration").inc()
            log.warning("narration rejected by the safety check; keeping the template opening")
        # what the template says before its list line ("I can list up to 20 movies at a time.") stays said
        intro = prompts.render("replies", "intro", n=len(reply.recommendations), description=reply.summary)
        notices = template[: template.find(intro)] if intro in template else ""
        reply.text = (notices + sentence if safe else template) + "\n" + rest
        if session.turns and session.turns[-1].role == "assistant":
            session.turns[-1].text = reply.text
        yield reply
        return reply

    def opening_keeps(self, sentence: str, session: Session) -> bool:
        """Whether a model's opening says back what was understood: read by the parser, it names every genre the
        request asks for or leaves out, and its years. "Here are a few picks I think you'll enjoy." over 90s
        comedies says nothing of them, and the template's "Here are 5 movies from 1990–1999, leaning towards
        Comedy:" stays."""
        want = session.preferences
        said = self.engine.parser.parse(sentence, Session()).preferences
        wanted = set(want.include_genres + want.any_genres + want.mood_genres)
        if not wanted <= set(said.include_genres + said.any_genres + said.mood_genres):
            return False
        if not set(want.exclude_genres) <= set(said.exclude_genres):
            return False
        years = (want.year_min, want.year_max)
        return years == (None, None) or years == (said.year_min, said.year_max)

    def opening_is_safe(self, sentence: str, reply: Reply) -> bool:
        """Whether a model's opening sentence over `reply` may be shown (assistant.llm.tasks.opening_is_safe)."""
        titles = [self.engine.catalog.get(r.item_id).title for r in reply.recommendations]
        return tasks.opening_is_safe(sentence, reply.summary or "", titles,
                                     lambda text: bool(self.engine.parser.titles.find_exact(text)))

    def respond(self, session: Session, message: str,
                read: Callable[[str, Session, Understanding], Understanding] | None = None,
                first: Understanding | None = None) -> Reply:
        """Answers one message and updates the session. Bad input gets a helpful reply and changes nothing.

        The message is parsed once (`first`, when the caller already has the parser's reading): the support desk
        and the recommender read the same parse. `read` turns the cleaned message and that parse into the
        reading to act on, instead of the backend (see `stream`)."""
        started = time.perf_counter()
        if not isinstance(message, str):
            message = ""
        if len(message) > self.max_message_chars:
            return self._refuse(session, "message_too_long", "too_long", length=len(message), limit=self.max_message_chars)
        if not message.strip():
            return self._refuse(session, "empty_message", "empty_message", noun=self.noun)
        text = clean_message(message)
        if not re.search(r"\w", text):
            return self._refuse(session, "no_words", "no_words", noun=self.noun)

        if self.desk.with_person(session):
            return self.desk.pass_on(session, text)
        t0 = time.perf_counter()
        first = first if first is not None else self.backend.first_reading(text, session)
        asked, routed = self.engine.parser.support_asked(text, session, first)
        reading = self.desk.reading(session, asked, routed)
        if reading is None:
            understanding = (read or self._model_reading)(text, session, first)
            self._note_mentions(session, text, understanding)
        timings = {"understand": (time.perf_counter() - t0) * 1000}
        session.turns.append(Turn(role="user", text=text, items=list(session.recent) if reading is None else []))
        if reading is not None:
            reply = self.desk.answer(session, asked, reading)
        else:
            session.support_thread = ""  # the conversation moved on from the support question
            reply = self._route(session, understanding, text, timings)
        reply.preferences = session.preferences.model_copy(deep=True)
        session.turns.append(Turn(role="assistant", text=reply.text, items=[r.item_id for r in reply.recommendations]))
        reply.timings_ms = {**timings, "total": (time.perf_counter() - started) * 1000}
        return reply

    def feedback(self, session: Session, item_id: str, kind: str) -> Reply:
        """Thumbs up, thumbs down or "I've seen it" on an item; the next turn reflects it at once, and it is
        stored (for the known user, and as an interaction for the next training).

        down: never shown again, nor the rest of its series, and its CF neighbours are pushed down;
        up: a positive seed for the next lists; seen: never shown again."""
        if kind not in KINDS:
            raise ValueError(f"feedback must be one of {', '.join(KINDS)}, not {kind!r}")
        catalog = self.engine.catalog
        if not isinstance(item_id, str) or item_id not in catalog:
            return self._refuse(session, "unknown_item", "unknown_item", noun=self.noun)
        prefs = session.preferences
        related = apply_feedback(prefs, item_id, kind, catalog)
        if self.feedback_store is not None:
            self.feedback_store.add(self.engine.pack.name, session.id, item_id, kind, session.user_id)
        text = prompts.render("replies", f"feedback_{kind}", title=catalog.get(item_id).name, noun=self.noun,
                              n_related=len(related))
        session.turns.append(Turn(role="assistant", text=text))
        return Reply(text=text, intent="feedback", about_item=item_id, preferences=prefs.model_copy(deep=True))

    def _model_reading(self, text: str, session: Session, first: Understanding) -> Understanding:
        """The parser's reading `first`, or the model's reconciled with it when the backend wants the model."""
        return self.backend.read(text, session, first) if self.backend.wants_model(first) else first

    def observe(self, session: Session, role: str, text: str) -> None:
        """Takes in one turn of an earlier conversation without answering it: a user turn updates the
        dialogue state as `respond` would; an assistant turn registers the items it named (so "that one"
        and the conversation models see them). For importing history and for benchmark replay."""
        text = clean_message(text if isinstance(text, str) else "")[: self.max_message_chars]
        if role == "assistant":
            named = self.engine.parser.titles_in(text)
            if named:
                session.shown = named
                told = set(session.mentioned) - set(session.proposed)  # named by the person before
                session.proposed = list(dict.fromkeys([*session.proposed, *(i for i in named if i not in told)]))
                session.mentioned = list(dict.fromkeys([*session.mentioned, *named]))
            session.turns.append(Turn(role="assistant", text=text))
            return
        if not re.search(r"\w", text):
            return
        understanding = self.backend.understand(text, session)
        self._note_mentions(session, text, understanding)
        session.turns.append(Turn(role="user", text=text))
        if understanding.intent in ("recommend", "refine", "reset", "ask_item"):
            apply(session, understanding)

    def _note_mentions(self, session: Session, text: str, understanding: Understanding | None = None) -> None:
        """The items a user message names; those it says the person has not seen yet and that they had not named
        before (`Understanding.wanted`: "I want to watch Heat") stay open, as the assistant's own suggestions do."""
        session.recent = self.engine.parser.titles_in(text)
        if understanding is not None and understanding.wanted:
            known = set(session.mentioned) - set(session.proposed)
            new = [i for i in understanding.wanted if i in session.recent and i not in known]
            session.proposed = list(dict.fromkeys([*session.proposed, *new]))
            session.wanted = list(dict.fromkeys([*session.wanted, *new]))
        session.mentioned = list(dict.fromkeys([*session.mentioned, *session.recent]))

    def release(self, session: Session) -> bool:
        """Gives a handed-over session back to the assistant."""
        return self.desk.release(session)

    # -- steps ------------------------------------------------------------------------------

    def _route(self, session: Session, u: Understanding, text: str, timings: dict[str, float]) -> Reply:
        """One reply per intent; only recommend, refine, reset and what a question about an item says besides
        change the dialogue state."""
        low = text.casefold()
        before = session.preferences.model_copy(deep=True)
        session.asked = u.question if u.intent == "ask_item" and u.question not in ("compare", "which") else None
        if u.intent in ("recommend", "refine", "reset", "ask_item"):
            apply(session, u)
        if u.intent == "reset" and u.preferences.is_empty():
            return Reply(text=prompts.render("replies", "reset"), intent="reset")
        if u.intent == "reset":  # "scratch that, action": a fresh start from what the rest of the message asks
            reply = self._recommend(session, timings, before)
            reply.text = prompts.render("replies", "reset_with_request") + " " + reply.text
            return reply
        if u.intent in ("recommend", "refine"):
            if u.unknown_people and session.preferences.model_copy(update={"names": []}).is_empty():
                # nothing asked but people the catalog has no one by: what their names' letters would find is no list
                return Reply(text=self._unknown_people(u.unknown_people, alone=True), intent=u.intent)
            reply = self._recommend(session, timings, before)
            reply.intent = u.intent
            if u.unrecorded:
                reply.text = prompts.render("replies", "unrecorded_left_out", facts=u.unrecorded,
                                            noun=self.noun) + " " + reply.text
            if u.unknown_people:
                reply.text = self._unknown_people(u.unknown_people) + " " + reply.text
            if u.asked_count and reply.recommendations:
                reply.text = prompts.render("replies", "list_capped", noun=self.noun, n=session.preferences.n) + " " + reply.text
            return reply
        if u.intent == "ask_item":
            return self._answer(session, u)
        if u.intent == "accept":
            return self._accept(session, u)
        if u.intent == "support":
            contact = self.engine.pack.manifest.support_contact
            return Reply(text=prompts.render("replies", "support_unavailable", contact=contact), intent="support")
        if u.intent == "out_of_scope" and u.language:
            return Reply(text=prompts.render("replies", "other_language", language=u.language, noun=self.noun,
                                                support=self.engine.support is not None),
                         intent="out_of_scope")
        if u.intent == "out_of_scope":
            return Reply(text=prompts.render("replies", "out_of_scope", noun=self.noun,
                                                support=self.engine.support is not None), intent="out_of_scope")
        if u.unrecorded:
            return Reply(text=prompts.render("replies", "unrecorded", facts=u.unrecorded, noun=self.noun),
                         intent="chitchat")
        if u.unknown_people:
            return Reply(text=self._unknown_people(u.unknown_people, alone=True), intent="chitchat")
        return Reply(text=self._chitchat(low, under_way=bool(session.shown) or not session.preferences.is_empty()),
                     intent="chitchat")

    def _unknown_people(self, names: list[str], alone: bool = False) -> str:
        """What is said of people named whom the catalog has no one by (assistant.understanding.person_names)."""
        return prompts.render("replies", "unknown_people", names=[n.title() for n in names], noun=self.noun,
                              credits=bool(self.engine.catalog.people), alone=alone)

    def _chitchat(self, low: str, under_way: bool = False) -> str:
        n_items = f"{len(self.engine.catalog):,}"
        if re.search(r"\b(?:bye|goodbye|see you|see ya)\b", low):  # "ok thanks, bye" is a goodbye
            return prompts.render("replies", "goodbye")
        if re.search(r"\b(?:thanks|thank you|thx|ty|cheers)\b", low):
            return prompts.render("replies", "thanks", noun=self.noun)
        if re.search(r"\b(?:who|what) are you\b|\bwhat can you do\b|\bwhat do you do\b|\bbot\b|\bhuman\b", low):
            return prompts.render("replies", "capabilities", noun=self.noun, n_items=n_items,
                                  people=bool(self.engine.catalog.people))
        if under_way and not routing.CHITCHAT.match(low.strip()):
            return prompts.render("replies", "not_understood", noun=self.noun, people=bool(self.engine.catalog.people))
        if under_way and not routing.GREETING.search(low):  # "ok", "cool" after a list: not a fresh start
            return prompts.render("replies", "acknowledged", noun=self.noun)
        return prompts.render("replies", "greeting", noun=self.noun, n_items=n_items)

    def _answer(self, session: Session, u: Understanding) -> Reply:
        """Answers a question about one item (or compares the shown items pointed at) from catalog facts; asks back
        when it is unclear which item."""
        several = resolve_refs(u.refs, session.shown)
        if u.question == "which" and u.picked_by and session.shown:  # "which of these is the newest?"
            text, picked = which(u.picked_by, session.shown, self.engine.catalog, self.currency)
            session.focus = picked or session.focus
            return Reply(text=text, intent="ask_item", about_item=picked)
        if u.question == "compare":  # "what's the difference between the first two?", "which one is better?"
            named = [u.target, *u.also] if u.target else []
            # the items pointed at, with those named; without either, everything shown ("which one is better?")
            pointed = several if u.refs else [] if named else session.shown
            ids = list(dict.fromkeys(named + pointed))[:5]
            if len(ids) < 2:
                return Reply(text=prompts.render("replies", "which_to_compare", noun=self.noun), intent="ask_item")
            return Reply(text=compare(ids, self.engine.catalog, self.currency), intent="ask_item")
        several = several if not u.target else []
        if len(several) > 1:  # "who directed the first two?"
            text = answer_many(u.question or "general", several[:5], self.engine.catalog, self.currency)
            return Reply(text=text, intent="ask_item")
        if u.target:
            item_id = u.target
        elif u.refs:
            ids = resolve_refs(u.refs[:1], session.shown)
            if not ids:
                n = len(session.shown)
                last = ORDINAL_NAMES[min(n, len(ORDINAL_NAMES)) - 1] if n else "first"
                text = prompts.render("replies", "no_such_item", n_shown=n, noun=self.noun, last=last)
                return Reply(text=text, intent="ask_item")
            item_id = ids[0]
        elif session.focus:
            item_id = session.focus
        elif len(session.shown) == 1:
            item_id = session.shown[0]
        else:
            return Reply(text=prompts.render("replies", "which_item", noun=self.noun), intent="ask_item")
        session.focus = item_id
        return Reply(text=answer(u.question or "general", item_id, self.engine.catalog, self.currency), intent="ask_item", about_item=item_id)

    def _accept(self, session: Session, u: Understanding) -> Reply:
        """"I'll check it out": the item taken up (named, pointed at, in focus, or the only one shown) counts as a
        thumbs up, stored like one; with several shown and none pointed at, nothing is recorded."""
        ids = [u.target] if u.target else resolve_refs(u.refs, session.shown) if u.refs else \
            [session.focus] if session.focus else session.shown[:1] if len(session.shown) == 1 else []
        if not ids:
            return Reply(text=prompts.render("replies", "accepted", noun=self.noun, titles=[]), intent="accept")
        for item_id in ids:
            apply_feedback(session.preferences, item_id, "up", self.engine.catalog)
            if self.feedback_store is not None:
                self.feedback_store.add(self.engine.pack.name, session.id, item_id, "up", session.user_id)
        session.focus = ids[-1]
        titles = [self.engine.catalog.get(i).name for i in ids]
        return Reply(text=prompts.render("replies", "accepted", noun=self.noun, titles=titles), intent="accept",
                     about_item=ids[0])

    def _refuse(self, session: Session, notice: str, template: str, **variables: object) -> Reply:
        return Reply(
            text=prompts.render("replies", template, **variables),
            intent="invalid",
            notice=notice,
            preferences=session.preferences.model_copy(deep=True),
        )

    def _recommend(self, session: Session, timings: dict[str, float], before: Preferences | None = None) -> Reply:
        """The picks, and a reply that frames them: what was understood, what a later turn kept and changed, and
        the titles by number (each card says why; `crs ask` and `crs chat` print the cards under the text)."""
        prefs = session.preferences
        catalog = self.engine.catalog
        ranking = self.ranking.rank(session, prefs.n or self.n_recommendations, timings)

        t1 = time.perf_counter()
        recs = []
        for cand in ranking.candidates:
            item = catalog.get(cand.item_id)
            claims = claims_for(cand, prefs, catalog, self.currency)
            recs.append(
                Recommendation(
                    item_id=item.id,
                    title=item.title,
                    year=item.year,
                    genres=list(item.genres),
                    price=item.price,
                    explanation=render(claims),
                    score=round(cand.score, 4),
                    claims=claims,
                )
            )
        session.shown = [r.item_id for r in recs]
        session.focus = None
        description = describe(prefs, self.engine.catalog, self.noun, self.currency, shown=session.shown)
        if recs:
            lines = [prompts.render("replies", "intro", n=len(recs), description=description)]
            changed = changes(before, prefs, catalog, self.currency) if before is not None else ""
            if changed:
                lines.append(changed)
            lines += [f"{i}. {catalog.get(r.item_id).name}" for i, r in enumerate(recs, start=1)]
            if prefs.is_empty():  # "recommend me a movie": well-liked picks, and how to get closer
                lines.append(prompts.render("replies", "narrow_hint", noun=self.noun))
            text = "\n".join(lines)
        else:
            text = prompts.render("replies", "none_found", description=description, hint=loosen_hint(prefs))
        timings["explain"] = (time.perf_counter() - t1) * 1000
        return Reply(text=text, intent="recommend", recommendations=recs, summary=description)
