"""Our own conversations as logs to learn from.

Every reply that recommended items becomes one line of a pack's `[conversations]` file (see
`retrieval.conversations.LoggedTurn`): the conversation before it, the person's own recent words, the items named
so far, what was recommended, and which of those the person took up (liked, asked for more like, thumbs up) or
turned down (disliked, thumbs down). `crs logs --out FILE` writes them; pointing a pack's `[conversations]` at the
file (or adding its lines to the one there) lets the next `crs train` learn from them. Emails, card and phone
numbers are redacted from the text, which the model only matches against and never shows.
"""

from __future__ import annotations

from collections.abc import Iterable

from assistant.models import Session
from assistant.serving.observability import redact
from assistant.dialogue.ranking import WORDS_TURNS


def logged_turns(session: Session, feedback: Iterable[dict] = (), at: float | None = None) -> list[dict]:
    """One LoggedTurn-shaped dict per reply of the session that recommended items. `feedback` is the session's
    stored thumbs ({"item_id", "kind"}); `at` is when the conversation took place."""
    kinds: dict[str, str] = {}
    for event in feedback:  # the latest word on an item counts
        kinds[event["item_id"]] = event["kind"]
    prefs = session.preferences
    taken = set(prefs.liked) | {i for i, k in kinds.items() if k == "up"}
    turned_down = set(prefs.disliked) | {i for i, k in kinds.items() if k == "down"}
    out = []
    for j, turn in enumerate(session.turns):
        if turn.role != "assistant" or not turn.items:
            continue
        before = session.turns[:j]
        said = [t.text for t in before if t.role == "user"][-WORDS_TURNS:]
        out.append({
            "conversation_id": session.id,
            "at": at,
            "text": redact(" ".join(t.text for t in before)),
            "said": redact(" ".join(said)),
            "mentioned": list(dict.fromkeys(i for t in before for i in t.items)),
            "recommended": list(turn.items),
            "accepted": [i for i in turn.items if i in taken and i not in turned_down],
            "rejected": [i for i in turn.items if i in turned_down],
        })
    return out
