"""The browser chat: streaming replies, recommendation cards with thumbs up / thumbs down / "seen it", the
preferences as understood (each removable with one click), example prompts, a new-conversation button,
citations under support answers and a visible handoff state.

Every turn goes through `ChatService`, so the conversation is saved in SQLite after each turn; the
browser keeps only the session id (localStorage), and a reload or a server restart picks it up again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import gradio as gr  # at module level: Gradio reads the handlers' type hints (gr.Request) from these globals

from assistant.serving.limits import LimitExceeded
from assistant.models import Recommendation, Session
from assistant.serving.service import SESSION_ID, ChatService, UnknownSession
from assistant.serving.sessions import StorageError
from ui.render import card_html, cards_html, chat_markdown

log = logging.getLogger(__name__)

EXAMPLES = [
    "a funny sci-fi movie from the 90s, nothing with horror",
    "something like Galaxy Quest",
    "animated movies for kids",
    "a dark crime thriller from the 70s",
    "how do I return a damaged disc?",
]

CSS = """
.crs-cards { display: grid; gap: 0.6rem; }
.crs-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.6rem 0.8rem; }
.crs-card h3 { margin: 0 0 0.2rem 0; font-size: 1.05rem; font-weight: 600; font-synthesis: none; }
.crs-card p { margin: 0.15rem 0; }
.crs-genres { opacity: 0.8; font-size: 0.9rem; }
.crs-handoff { background: #fff4d6; border-radius: 6px; padding: 0.4rem 0.7rem; }
"""
SORRY = "Sorry, something went wrong on our side. Please try again."


def _history(session: Session) -> list[dict]:
    return [{"role": t.role, "content": chat_markdown(t.text)} for t in session.turns]


class _Events:
    """What the app's events do, over one chat service (the layout is build_app's)."""

    def __init__(self, service: ChatService) -> None:
        self.service = service

    def chips_update(self, session: Session | None):
        chips = self.service.chips(session) if session else []
        return gr.update(choices=[(label, key) for key, label in chips], value=[key for key, _ in chips])

    def handoff_update(self, session_id: str | None):
        active = bool(session_id) and self.service.handoff_active(session_id)
        return gr.update(visible=active)

    def chat(self, message: str, history: list | None, session_id: str | None, request: gr.Request) -> Iterator[tuple]:
        history = list(history or [])
        shown_user = message if len(message or "") <= 500 else (message or "")[:500] + "…"
        history += [{"role": "user", "content": chat_markdown(shown_user)}, {"role": "assistant", "content": ""}]
        session = None
        try:
            client = request.client.host if request is not None and request.client else None
            for session, reply in self.service.stream(session_id, message or "", client=client):
                cards = cards_html(reply)
                recs = [r.model_dump() for r in reply.recommendations]
                lines = reply.text.split("\n")
                if reply.intent in ("recommend", "refine") and len(lines) > 1 and not history[-1]["content"]:
                    for k in range(1, len(lines)):  # first sight of this reply: reveal it line by line
                        history[-1] = {"role": "assistant", "content": chat_markdown("\n".join(lines[:k]))}
                        yield (history, cards, session.id, "", self.chips_update(session),
                               self.handoff_update(session.id), recs, session.id)
                history[-1] = {"role": "assistant", "content": chat_markdown(reply.text)}
                yield (history, cards, session.id, "", self.chips_update(session), self.handoff_update(session.id),
                       recs if recs or reply.intent in ("recommend", "refine") else gr.skip(), session.id)
        except UnknownSession:  # deleted meanwhile: start afresh
            yield from self.chat(message, [], None, request)
        except LimitExceeded as e:  # the message stays in the box, to send again
            history[-1] = {"role": "assistant", "content": chat_markdown(str(e))}
            yield history, gr.skip(), session_id, message, gr.skip(), gr.skip(), gr.skip(), gr.skip()
        except StorageError:
            history[-1] = {"role": "assistant",
                           "content": "Sorry, I could not save our conversation. Please try again."}
            yield history, "", session_id, message, gr.skip(), gr.skip(), gr.skip(), gr.skip()
        except Exception:  # a bug of ours: log it, tell the user, keep serving
            log.exception("turn failed")
            history[-1] = {"role": "assistant", "content": SORRY}
            yield history, "", session_id, "", gr.skip(), gr.skip(), gr.skip(), gr.skip()

    def give_feedback(self, item_id: str, kind: str, history: list | None, session_id: str | None):
        history = list(history or [])
        if not session_id:
            return history, gr.skip()
        try:
            session, reply = self.service.feedback(session_id, item_id, kind)
        except (UnknownSession, StorageError) as e:
            log.warning("feedback failed: %s", type(e).__name__)
            sorry = {"role": "assistant", "content": "Sorry, I could not note that. Please try again."}
            return history + [sorry], gr.skip()
        return history + [{"role": "assistant", "content": chat_markdown(reply.text)}], self.chips_update(session)

    def remove_chips(self, kept: list[str] | None, session_id: str | None):
        if not session_id:
            return gr.skip()
        try:
            session = self.service.open(session_id)
            for key, _ in self.service.chips(session):
                if key not in (kept or []):
                    session = self.service.remove_preference(session_id, key)
        except (UnknownSession, StorageError):
            return gr.skip()
        return self.chips_update(session)

    def restore(self, saved: str | None):
        """On page load: the conversation the browser had, from the server's store."""
        if not saved or not SESSION_ID.match(saved):
            return [], None, self.chips_update(None), self.handoff_update(None)
        try:
            session = self.service.open(saved)
        except UnknownSession:
            return [], None, self.chips_update(None), self.handoff_update(None)
        return _history(session), session.id, self.chips_update(session), self.handoff_update(session.id)

    def new_conversation(self) -> tuple:
        return [], "", None, "", self.chips_update(None), self.handoff_update(None), [], None

    def forget(self, session_id: str | None) -> tuple:
        """Deletes this conversation and its feedback from the server, then starts afresh."""
        if session_id:
            try:
                self.service.delete(session_id)
            except StorageError:
                gr.Warning("Sorry, I could not delete the conversation. Please try again.")
                return tuple(gr.skip() for _ in range(8))
            gr.Info("This conversation and its feedback were deleted.")
        return self.new_conversation()


def build_app(service: ChatService) -> gr.Blocks:
    """The chat app over a chat service. Serving is the caller's job (see ui.server)."""
    assistant = service.assistant
    pack = assistant.engine.pack
    title = pack.manifest.title or pack.name
    events = _Events(service)

    with gr.Blocks(title=title, fill_height=True) as app:
        gr.Markdown(f"## {chat_markdown(title)}\nAsk for {chat_markdown(assistant.noun)}s in your own words, "
                    "or ask about orders, delivery, returns and your account.")
        session_id = gr.State(None)
        saved_id = gr.BrowserState(None, storage_key="crs-session")
        recs_state = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                handoff = gr.Markdown("**A person from our team has this conversation** and will reply here; "
                                      "the assistant stays quiet until they hand it back.",
                                      visible=False, elem_classes="crs-handoff", elem_id="crs-handoff")
                chatbot = gr.Chatbot(label="Conversation", height=460, sanitize_html=True)
                message = gr.Textbox(label="Your message", placeholder=EXAMPLES[0], max_lines=4, autofocus=True)
                with gr.Row():
                    send = gr.Button("Send", variant="primary")
                    new = gr.Button("New conversation")
                    forget_button = gr.Button("Delete this conversation", variant="stop")
                gr.Examples(EXAMPLES, inputs=message, label="Try")
            with gr.Column(scale=2):
                prefs = gr.Dropdown(label="What I understood (remove any with its ×)", multiselect=True,
                                    choices=[], value=[], interactive=True, elem_id="crs-prefs")
                cards = gr.HTML(visible=False, elem_id="crs-cards")  # the cards as one block, for API clients

                @gr.render(inputs=[recs_state])
                def show_cards(recs: list[dict]) -> None:
                    for i, data in enumerate(recs, start=1):
                        rec = Recommendation.model_validate(data)
                        with gr.Group():
                            gr.HTML(card_html(rec, i))
                            with gr.Row():
                                for kind, label in (("up", "More like this"), ("down", "Not for me"),
                                                    ("seen", "Seen it")):
                                    button = gr.Button(label, size="sm", min_width=60, elem_classes=f"crs-fb-{kind}")
                                    button.click(
                                        lambda h, s, item=rec.item_id, k=kind: events.give_feedback(item, k, h, s),
                                        [chatbot, session_id], [chatbot, prefs], api_name=False)

        # the browser's copy of the session id is written with the reply itself, so a reload right after it
        # restores this conversation (in a follow-up event it would lag the reply)
        outputs = [chatbot, cards, session_id, message, prefs, handoff, recs_state, saved_id]
        message.submit(events.chat, [message, chatbot, session_id], outputs, api_name="chat")
        send.click(events.chat, [message, chatbot, session_id], outputs, api_name=False)
        new.click(events.new_conversation, None, outputs, api_name="new_conversation")
        forget_button.click(events.forget, session_id, outputs, api_name="forget")
        prefs.input(events.remove_chips, [prefs, session_id], prefs, api_name=False)
        app.load(events.restore, saved_id, [chatbot, session_id, prefs, handoff], api_name=False)
    return app

