"""The customer-service side of a conversation: cited answers from the help pages, order status, and handing
over to a person. The Assistant asks it first whether a message is a support question (`reading`) and, when
it is, for the reply (`answer`); the desk's retrieval and routing rules are in assistant.support.desk."""

from __future__ import annotations

import re

import prompts
from assistant.llm.chat import ChatModel
from assistant.llm.tasks import support_wording
from assistant.models import Citation, Reply, Session, Turn, Understanding
from assistant.serving.observability import HANDOFFS
from assistant.support.desk import ANSWER_P, RUNNER_UP_P, UNSURE_SCORE, Reading
from assistant.support.handoff import HandoffStore
from assistant.support.orders import MAX_FAILED_LOOKUPS, Order
from assistant.understanding import routing


# A message that follows a support answer and in which no reader found anything (small talk, or a question off topic
# for want of a word of the domain that points back at what was asked) is read with the question it follows; the
# question is kept up to this many characters
THREAD_CHARS = 300
_BACK = re.compile(r"^\W*(?:and|what if|but|so|then)\b|\b(?:it|that|this|they|them|those|these|ones?|same|there)\b")


class CustomerService:
    """Support turns for one pack: needs the engine's support desk for answers, a handoff store for handoffs."""

    def __init__(self, engine, model: ChatModel | None, handoffs: HandoffStore | None) -> None:
        self.engine = engine
        self.model = model  # rewords a confident answer from its passages, when there is one
        self.handoffs = handoffs

    def with_person(self, session: Session) -> bool:
        """Whether the conversation is handed over to a person right now."""
        return self.handoffs is not None and self.handoffs.active(session.id) is not None

    def reading(self, session: Session, text: str, understanding: Understanding) -> Reading | None:
        """The support desk's reading of a message that is a support question; None for anything else.
        `understanding` is the parser's reading of the message (whether it is about items)."""
        desk = self.engine.support
        if desk is None or understanding.language:  # another language or encoded text: not read at all
            return None
        reading = desk.read(text)
        pending = session.pending_order_id or session.pending_email
        if desk.is_support(text, understanding, reading) or (
            pending and (reading.order_id or reading.email)
        ):
            return reading
        low = text.casefold()
        if session.support_thread and understanding.read_by is None and not routing.only_openers(low + " ") and (
                understanding.intent == "chitchat" or (understanding.intent == "out_of_scope" and _BACK.search(low))):
            # "hmm ok" says nothing more; a question is a follow-up where it points back ("what if it was opened",
            # "and digital ones?"), not where it brings a subject of its own ("what's the capital of France?")
            # "its been 2 weeks" after "my order never showed up": no reader found anything in it, so it is read with
            # the question it follows ("thanks!", which a reader knows for small talk, is not)
            joined = f"{session.support_thread} {text}"
            followed = desk.read(joined)
            if desk.is_support(joined, understanding, followed):
                return followed
        return None

    def answer(self, session: Session, text: str, reading: Reading) -> Reply:
        desk = self.engine.support
        followed = bool(reading.text) and reading.text != text
        asked_before, said = session.support_thread, text
        text = reading.text or text
        session.support_thread = text[-THREAD_CHARS:]
        if reading.wants_person or reading.sensitive:
            return self.hand_over(session, "asked for a person" if reading.wants_person else reading.sensitive,
                                   reading)
        if desk.orders is not None and (reading.order_id or reading.email or reading.wants_order_status):
            return self.order_status(session, reading)
        top = reading.matches[0] if reading.matches else None
        if top is None or reading.top < UNSURE_SCORE:
            session.support_misses += 1
            if session.support_misses >= 2:
                return self.hand_over(session, "could not answer twice", reading)
            return Reply(text=prompts.render("replies", "support_unknown"), intent="support")
        vector = self.engine.embedder.encode_one(text)
        extract = desk.extract(top.passage, vector)
        if followed and top.passage.id == session.support_passage:
            # a follow-up the same passage answers: its sentences nearest the follow-up ("what if it was opened"),
            # where they are not those already given; else it has nothing more, and a person is offered
            embed = self.engine.embedder.encode_one
            extract = desk.extract(top.passage, embed(said))
            if extract == desk.extract(top.passage, embed(asked_before)):
                session.support_misses += 1
                return Reply(text=prompts.render("replies", "support_no_more", section=top.passage.section),
                             intent="support", citations=[_citation(top.passage)])
        session.support_passage = top.passage.id
        confident = desk.confident(top, text)
        worded = support_wording(self.model, text, [m.passage for m in reading.matches[:2]]) \
            if confident and self.model is not None else None
        answer = worded or extract
        citations = [_citation(top.passage)]
        if confident:
            session.support_misses = 0
            body = prompts.render("replies", "support_answer", answer=answer)
            return Reply(text=f"{body}\nSource: {citations[0].label}", intent="support", citations=citations)
        # unsure: the closest passage, and the next one too when the matcher gives it a fair chance
        second = next((m for m in reading.matches[1:2] if m.p >= RUNNER_UP_P and m.score >= UNSURE_SCORE), None)
        other = None
        if second is not None:
            citations.append(_citation(second.passage))
            other = {"section": second.passage.section, "answer": desk.extract(second.passage, vector)}
        body = prompts.render("replies", "support_unsure", answer=answer, other=other)
        sources = "; ".join(c.label for c in citations)
        return Reply(text=f"{body}\n{'Sources' if other else 'Source'}: {sources}", intent="support",
                     citations=citations)

    def hand_over(self, session: Session, reason: str, reading: Reading | None = None) -> Reply:
        citations = [_citation(m.passage) for m in (reading.matches[:1] if reading else [])
                     if m.p >= ANSWER_P and m.score >= UNSURE_SCORE]
        if self.handoffs is None:
            contact = self.engine.pack.manifest.support_contact
            return Reply(text=prompts.render("replies", "handoff_unavailable", contact=contact), intent="support",
                         citations=citations)
        transcript = [t.model_dump() for t in session.turns]
        self.handoffs.open(self.engine.pack.name, session.id, reason, transcript)
        HANDOFFS.inc()
        return Reply(text=prompts.render("replies", "handoff_started", reason=reason), intent="handoff",
                     handoff=True, citations=citations)

    def pass_on(self, session: Session, text: str) -> Reply:
        """The session is with a person: the message goes to them, and the assistant says only that."""
        self.handoffs.add_turn(session.id, "user", text)
        session.turns.append(Turn(role="user", text=text))
        reply = Reply(text=prompts.render("replies", "handoff_waiting"), intent="handoff", handoff=True,
                      preferences=session.preferences.model_copy(deep=True))
        session.turns.append(Turn(role="assistant", text=reply.text))
        return reply

    def release(self, session: Session) -> bool:
        """Gives a handed-over session back to the assistant."""
        session.support_misses = 0
        return self.handoffs is not None and self.handoffs.release(session.id)

    def order_status(self, session: Session, reading: Reading) -> Reply:
        """Order status for whoever knows both the order number and its email; the same answer for every miss."""
        orders = self.engine.support.orders
        contact = self.engine.pack.manifest.support_contact
        if session.failed_lookups >= MAX_FAILED_LOOKUPS:
            return Reply(text=prompts.render("replies", "order_limit", contact=contact), intent="support")
        order_id = reading.order_id or session.pending_order_id
        email = reading.email or session.pending_email
        example = orders.example()
        if not order_id and not email:
            return Reply(text=prompts.render("replies", "order_need_both", example=example), intent="support")
        if not email:
            session.pending_order_id = order_id
            return Reply(text=prompts.render("replies", "order_need_email"), intent="support")
        if not order_id:
            session.pending_email = email
            return Reply(text=prompts.render("replies", "order_need_id", example=example), intent="support")
        session.pending_order_id = session.pending_email = None
        order = orders.lookup(order_id, email)
        if order is None:
            session.failed_lookups += 1
            return Reply(text=prompts.render("replies", "order_not_found"), intent="support")
        return Reply(text=_order_text(order), intent="support")


def _citation(passage) -> Citation:
    return Citation(passage_id=passage.id, document=passage.doc_title, section=passage.section)


def _order_text(order: Order) -> str:
    status = {"received": "received, not packed yet", "packed": "packed, about to ship", "shipped": "on its way",
              "delivered": "delivered", "cancelled": "cancelled"}.get(order.status, order.status)
    items = "; ".join(f"{line.quantity} × {line.title} ({line.format})" for line in order.lines)
    return prompts.render("replies", "order_status", order=order, placed=order.placed_at[:10], status=status,
                          items=items)
