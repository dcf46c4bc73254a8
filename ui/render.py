"""Turning replies into safe markup: every catalog or user string is escaped, never interpreted."""

from __future__ import annotations

import html
import re

from assistant.models import Recommendation, Reply

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|!~])")


def chat_markdown(text: str) -> str:
    """Reply text for the chat pane (rendered as Markdown): HTML escaped and Markdown syntax neutralised,
    so a title like `<img onerror=...>` or `[x](javascript:...)` shows as the text it is."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False)) if text else ""


def card_html(rec: Recommendation, index: int) -> str:
    """One recommendation card; all values escaped."""
    e = lambda s: html.escape(str(s), quote=True)  # noqa: E731
    year = f" ({e(rec.year)})" if rec.year else ""
    genres = ", ".join(rec.genres)
    return (
        f'<article class="crs-card" data-item-id="{e(rec.item_id)}" aria-label="Recommendation {index}">'
        f'<h3 class="crs-title">{index}. {e(rec.title)}{year}</h3>'
        + (f'<p class="crs-genres">{e(genres)}</p>' if genres else "")
        + f'<p class="crs-why"><strong>Why:</strong> {e(rec.explanation)}</p>'
        "</article>"
    )


def cards_html(reply: Reply) -> str:
    """The recommendation panel for a reply (empty when it recommends nothing)."""
    if not reply.recommendations:
        return ""
    cards = "".join(card_html(r, i) for i, r in enumerate(reply.recommendations, start=1))
    return f'<section class="crs-cards" aria-label="Recommendations">{cards}</section>'
