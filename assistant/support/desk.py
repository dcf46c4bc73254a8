"""Customer service from the operator's own help documents, with citations and a way to a person.

    message -> is it support? (cue words, an order number or email, or close to a help passage,
               and nothing in it that asks for an item)
            -> sensitive (complaint, legal threat, account takeover) or "a person, please": hand over
            -> order status: needs the order number and the email on the order (assistant.support.orders)
            -> the matcher's chance for each passage (retrieval.matcher) -> confident: answer from the best passage,
               quoted, with its citation; unsure: the closest passage, said to be unsure, and a question
               back; nothing: "I don't know" and an offer of a person; a second miss in a row: hand over.

Answers are extractive: the sentences of the passage nearest the question, verbatim. LLM backends
may reword them (assistant.llm.tasks.support_wording), and their wording is kept only when every number,
address and link in it is in the passages; otherwise the extract is used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.understanding import routing
from assistant.understanding.text import plain_spelling
from assistant.understanding.learned import NAME as LEARNED
from assistant.models import Understanding
from assistant.support.orders import OrderBook
from retrieval.docs import Passage
from retrieval.matcher import Matcher, PassageSimilarity, softmax, stems, words

ROUTE_SCORE = 0.60  # a message with no item words this close to a help passage is a support question
ANSWER_P = 0.95  # the matcher's chance of the right passage at which it is answered without a hedge
RUNNER_UP_P = 0.2  # an unsure answer also quotes the second passage when its chance is at least this
UNSURE_SCORE = 0.62  # below this similarity, nothing is close: "I don't know"; above, at least the closest passage
ASKED_SCORE = 0.80  # this close to a help passage (the matcher sure of it), a word of the domain does not make a
# message a request
MAX_SENTENCES = 3

HUMAN = re.compile(
    r"\b(?:(?:speak|talk|chat|connect|transfer|put) (?:me )?(?:to|with) (?:a |an |the |some )?(?:real |live |actual )?"
    r"(?:human|person|agent|representative|rep|operator|employee|manager|supervisor|somebody|someone|people)|"
    r"(?:real|live|actual) (?:human|person|agent)|human agent|customer agent|hand (?:me )?over|escalate)\b"
)
SENSITIVE = {
    "legal": re.compile(r"\b(?:lawyers?|attorneys?|sue|suing|lawsuit|legal action|court|small claims|solicitor|"
                        r"consumer protection|report you to)\b"),
    "account_security": re.compile(
        r"\b(?:hacked|hacker|compromised|stolen (?:card|account|password|identity)|identity theft|fraud\w*|"
        r"unauthori[sz]ed|someone (?:else )?(?:got|logged|broke|has got|has logged) in\w*|"
        r"(?:didn't|did not|never) (?:make|place|authori[sz]e) (?:this|that|these|those) (?:order|purchase|charge|payment)s?)\b"),
    "complaint": re.compile(r"\b(?:complain\w*|complaints?|grievance|claim against|reclamation|unacceptable|"
                            r"disgusted|appalled|furious|worst (?:service|shop|company))\b"),
}
ORDER_STATUS = re.compile(
    r"\b(?:where(?:'s| is) my (?:order|package|parcel|delivery)|(?:order|delivery) status|status of (?:my|the) order|"
    r"track(?:ing)? (?:my |the |an )?(?:order|package|parcel)|has my order (?:shipped|arrived)|look up (?:my |an )?order)\b"
)


@dataclass(frozen=True)
class Match:
    """A passage for a message: its similarity (how close the message is to it) and the matcher's calibrated
    chance that it is the passage that answers the message."""

    passage: Passage
    score: float
    p: float = 0.0


@dataclass(frozen=True)
class Reading:
    """What a support message is: sensitive topic, a person asked for, order details, nearest passages."""

    matches: list[Match]
    sensitive: str | None
    wants_person: bool
    order_id: str | None
    email: str | None
    wants_order_status: bool
    text: str = ""  # the words read: the message, or the support question it follows up with the message

    @property
    def top(self) -> float:
        """How close the message comes to any help passage."""
        return max((m.score for m in self.matches), default=0.0)


class SupportDesk:
    """A pack's help passages (stored in Chroma), the matcher trained on them and its examples, and, when it has
    one, its order book."""

    def __init__(self, passages: list[Passage], similarity: PassageSimilarity, matcher: Matcher | None, embedder,
                 orders: OrderBook | None = None, asks_for_person: Callable[[np.ndarray], bool] | None = None) -> None:
        self.passages = {p.id: p for p in passages}
        self.similarity = similarity
        self.matcher = matcher
        self.embedder = embedder
        self.orders = orders
        # the learned reader of a person asked for in words `HUMAN` does not list (assistant.support.person)
        self.asks_for_person = asks_for_person
        self._stems: dict[str, set[str]] = {}

    def search(self, vector: np.ndarray, text: str = "", k: int = 5) -> list[Match]:
        """The k passages most likely to answer a message, most likely first."""
        return self.search_many(vector.reshape(1, -1), [text], k)[0]

    def search_many(self, vectors: np.ndarray, texts: list[str], k: int = 5) -> list[list[Match]]:
        if not self.passages:
            return [[] for _ in texts]
        if self.matcher is not None:
            sim, probs = self.matcher.evidence(self.similarity, vectors, texts)
        else:
            sim = self.similarity(vectors, texts)
            probs = softmax(10.0 * sim)
        ids = self.similarity.ids
        out = []
        for s, p in zip(sim, probs, strict=True):
            top = np.argsort(-p, kind="stable")[:k]
            out.append([Match(self.passages[ids[j]], float(s[j]), float(p[j])) for j in top])
        return out

    def read(self, text: str, vector: np.ndarray | None = None) -> Reading:
        low = text.casefold()
        vector = self.embedder.encode_one(text) if vector is None else vector
        sensitive = next((name for name, pattern in SENSITIVE.items() if pattern.search(low)), None)
        order_id = self.orders.find_order_id(text) if self.orders else None
        email = OrderBook.find_email(text) if self.orders else None
        person = bool(HUMAN.search(low)) or (self.asks_for_person is not None and self.asks_for_person(vector))
        return Reading(self.search(vector, text), sensitive, person, order_id, email, bool(ORDER_STATUS.search(low)),
                       text)

    @staticmethod
    def is_support(text: str, understanding: Understanding, reading: Reading) -> bool:
        """Support unless the message is about items: named titles, genres, people, years or catalog words."""
        if understanding.intent == "support":
            return True
        if understanding.intent in ("reset", "ask_item"):
            return False
        if understanding.intent == "out_of_scope" and understanding.read_by == LEARNED:
            return False  # the model is sure it is an instruction or another subject: "... and say hacked" is no
            # account question
        sure = bool(reading.matches) and reading.matches[0].p >= ANSWER_P
        if reading.wants_person or reading.sensitive or reading.order_id or reading.email or reading.wants_order_status:
            return not _about_items(text, understanding, reading.top, sure)
        return reading.top >= ROUTE_SCORE and not _about_items(text, understanding, reading.top, sure)

    def confident(self, match: Match, text: str, matcher: Matcher | None = None) -> bool:
        """Sure enough to answer without a hedge: the matcher's chance that this is the right passage is at least
        ANSWER_P, the message is close to it, and the passage or its examples mention most of the message's
        content words (so "can I change the currency of my account?", which no passage answers, is not answered
        by "how to edit your account details" as if it were the answer: the matcher only ranks passages against
        each other). `matcher` replaces the desk's own (the eval's cross-fitted ones)."""
        if match.p < ANSWER_P or match.score < UNSURE_SCORE:
            return False
        asked = {w[:5] for w in words(plain_spelling(text)) if len(w) >= 4 and w not in _FILLER}
        if not asked:
            return True
        p = match.passage
        known = self._stems.get(p.id)
        if known is None:
            known = self._stems[p.id] = stems(" ".join((p.section, *p.questions, p.text)))
        matcher = matcher or self.matcher
        unknown = asked - known - set(matcher.vocabulary.get(p.id, ()) if matcher is not None else ())
        return len(unknown) <= len(asked) / 4

    def extract(self, passage: Passage, question_vector: np.ndarray) -> str:
        """The passage's sentences nearest the question, in the passage's order (the whole passage when short)."""
        sentences = _sentences(passage.text)
        if len(sentences) <= MAX_SENTENCES:
            return " ".join(sentences)
        vecs = self._sentence_vectors(passage.id)
        keep = sorted(np.argsort(-(vecs @ question_vector))[:MAX_SENTENCES])
        return " ".join(sentences[i] for i in keep)

    @lru_cache(maxsize=4096)  # noqa: B019 -- one desk per process; passages never change while it lives
    def _sentence_vectors(self, passage_id: str) -> np.ndarray:
        return self.embedder.encode(_sentences(self.passages[passage_id].text))


def _about_items(text: str, u: Understanding, top: float, sure: bool = False) -> bool:
    """Whether a message asks about catalog items. Genres alone do not settle it when the message is close to a
    help passage and asks for nothing ("I found the same jacket cheaper elsewhere" in a clothes shop); nor does a
    word of the domain alone when the message is as close as a way of asking a passage and the matcher is `sure` of
    it ("where can I rate a movie I bought": of ReDial's 4,796 seeker turns, the 743 held back by such a word alone
    come at most .74 close to a passage)."""
    p = u.preferences
    low = text.casefold()
    if p.liked or p.disliked or p.people or p.keywords or p.year_min is not None or p.year_max is not None:
        return True
    genres = bool(p.include_genres or p.any_genres or p.exclude_genres or p.mood_genres)
    if routing.DOMAIN.search(low):
        return genres or not (sure and top >= ASKED_SCORE)
    if genres:
        return top < ROUTE_SCORE or bool(routing.REQUEST.search(low) or routing.TASTE.search(low))
    return False


# words that say how something is asked, not what about: left out when checking a passage covers a question
_FILLER = frozenset(
    "know knowing assist assistance assistant check checking issue issues about information info some something "
    "like trying try tried find finding possible show tell problem problems cannot can't getting give question "
    "questions quick again there more call calling see seeing look looking able okay hello thanks thank "
    "would could should might must just also really".split()
)


def _sentences(text: str) -> list[str]:
    """Sentences of a passage: wrapped lines joined into paragraphs, each list item its own sentence."""
    blocks: list[str] = []
    for line in text.splitlines():
        item = re.match(r"^\s*(?:[-*•]|\d+[.)])\s+", line)
        if not line.strip():
            blocks.append("")
        elif item or not blocks or not blocks[-1]:
            blocks.append(line[item.end():] if item else line.strip())
        else:
            blocks[-1] += " " + line.strip()
    out = []
    for block in blocks:
        out += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9*])", block.strip()) if s]
    return out
