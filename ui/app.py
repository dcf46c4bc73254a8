"""The browser chat: streaming replies, recommendation cards, example prompts, a new-conversation button."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from assistant.models import Session
from ui.render import cards_html, chat_markdown

if TYPE_CHECKING:
    import gradio as gr

    from assistant.assistant import Assistant

log = logging.getLogger(__name__)

EXAMPLES = [
    "a funny sci-fi movie from the 90s, nothing with horror",
    "something like Galaxy Quest",
    "animated movies for kids",
    "a dark crime thriller from the 70s",
    "movies about time travel",
]

CSS = """
.crs-cards { display: grid; gap: 0.6rem; }
.crs-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.6rem 0.8rem; }
.crs-card h3 { margin: 0 0 0.2rem 0; font-size: 1.05rem; font-weight: 600; font-synthesis: none; }
.crs-card p { margin: 0.15rem 0; }
.crs-genres { opacity: 0.8; font-size: 0.9rem; }
"""


def build_app(assistant: Assistant) -> gr.Blocks:
    """The chat app for an assistant. Launching is the caller's job (see `crs serve`)."""
    import gradio as gr

    pack = assistant.engine.pack
    title = pack.manifest.title or pack.name

    def chat(message: str, history: list | None, session: Session | None) -> Iterator[tuple]:
        session = session or Session()
        history = list(history or [])
        shown_user = message if len(message or "") <= 500 else (message or "")[:500] + "…"
        history += [{"role": "user", "content": chat_markdown(shown_user)}, {"role": "assistant", "content": ""}]
        try:
            for reply in assistant.stream(session, message or ""):
                cards = cards_html(reply)
                lines = reply.text.split("\n")
                if reply.intent in ("recommend", "refine") and len(lines) > 1 and not history[-1]["content"]:
                    # first sight of this reply: reveal it line by line
                    for k in range(1, len(lines)):
                        history[-1] = {"role": "assistant", "content": chat_markdown("\n".join(lines[:k]))}
                        yield history, cards, session, ""
                history[-1] = {"role": "assistant", "content": chat_markdown(reply.text)}
                yield history, cards, session, ""
        except Exception:  # a bug of ours: log it, tell the user, keep serving
            log.exception("turn failed")
            history[-1] = {"role": "assistant", "content": "Sorry, something went wrong on our side. Please try again."}
            yield history, "", session, ""

    def new_conversation() -> tuple:
        return [], "", Session(), ""

    with gr.Blocks(title=title, fill_height=True) as app:
        gr.Markdown(f"## {chat_markdown(title)}\nAsk for {chat_markdown(assistant.noun)}s in your own words.")
        session = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Conversation", height=460, sanitize_html=True)
                message = gr.Textbox(
                    label="Your message",
                    placeholder="e.g. a funny sci-fi movie from the 90s, nothing with horror",
                    max_lines=4,
                    autofocus=True,
                )
                with gr.Row():
                    send = gr.Button("Send", variant="primary")
                    new = gr.Button("New conversation")
                gr.Examples(EXAMPLES, inputs=message, label="Try")
            with gr.Column(scale=2):
                cards = gr.HTML(label="Recommendations", elem_id="crs-cards")
        outputs = [chatbot, cards, session, message]
        message.submit(chat, [message, chatbot, session], outputs, api_name="chat")
        send.click(chat, [message, chatbot, session], outputs, api_name=False)
        new.click(new_conversation, None, outputs, api_name="new_conversation")
    return app


def launch(app: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, block: bool = True):
    """Serves the app; with `block=False` returns (app, local_url) and keeps serving in the background."""
    app.queue(default_concurrency_limit=4)
    _, url, _ = app.launch(
        server_name=host,
        server_port=port,
        css=CSS,
        show_error=False,
        quiet=not block,
        prevent_thread_lock=not block,
        footer_links=["api"],
    )
    return app, url
