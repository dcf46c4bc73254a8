"""Feedback on recommended items: thumbs up, thumbs down, "I've seen it".

Each is stored at once in SQLite (one row per event, per pack), so it survives restarts and
serves three purposes:

- this conversation: the assistant applies it to the dialogue state before the next turn;
- a known user: their ups seed the models and their downs and seen items are never shown
  again, in every later conversation;
- the next training: `crs train` adds the events to the pack's interactions (up and seen
  count as liked, down as disliked).

Only ids and the kind of feedback are stored: no message text, nothing personal.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Literal

from assistant.models import Preferences
from retrieval.catalog import Catalog, Interaction, fold_text
from retrieval.series import series_key

Kind = Literal["up", "down", "seen"]
KINDS: tuple[str, ...] = ("up", "down", "seen")
RATING = {"up": 5.0, "down": 1.0, "seen": None}  # None: an implicit interaction, counted as liked

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pack TEXT NOT NULL,
    user_id TEXT,
    session_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('up', 'down', 'seen')),
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_user ON feedback (pack, user_id);
"""


class FeedbackStore:
    """Feedback events in one SQLite file; safe to share between threads of one process."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def add(self, pack: str, session_id: str, item_id: str, kind: str, user_id: str | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"feedback must be one of {', '.join(KINDS)}, not {kind!r}")
        with self._lock:
            self._db.execute(
                "INSERT INTO feedback (pack, user_id, session_id, item_id, kind, at) VALUES (?, ?, ?, ?, ?, ?)",
                (pack, user_id, session_id, item_id, kind, int(time.time())),
            )

    def latest(self, pack: str, user_id: str) -> dict[str, str]:
        """A known user's last word on each item: item id -> 'up' | 'down' | 'seen'."""
        with self._lock:
            rows = self._db.execute(
                "SELECT item_id, kind FROM feedback WHERE pack = ? AND user_id = ? ORDER BY id", (pack, user_id)
            ).fetchall()
        return {item: kind for item, kind in rows}

    def interactions(self, pack: str) -> list[Interaction]:
        """Every event as an interaction for training; anonymous sessions count as their own users."""
        with self._lock:
            rows = self._db.execute(
                "SELECT user_id, session_id, item_id, kind, at FROM feedback WHERE pack = ? ORDER BY id", (pack,)
            ).fetchall()
        return [
            Interaction(user_id=f"feedback:{user or 'session:' + session}", item_id=item, rating=RATING[kind],
                        timestamp=at)
            for user, session, item, kind, at in rows
        ]

    def events(self, pack: str, session_id: str | None = None, user_id: str | None = None) -> list[dict]:
        """A session's or a user's feedback, oldest first (for data export)."""
        column, value = ("session_id", session_id) if session_id is not None else ("user_id", user_id)
        with self._lock:
            rows = self._db.execute(f"SELECT item_id, kind, at FROM feedback WHERE pack = ? AND {column} = ? ORDER BY id",
                                    (pack, value)).fetchall()
        return [{"item_id": item, "kind": kind, "at": at} for item, kind, at in rows]

    def delete(self, pack: str, session_id: str | None = None, user_id: str | None = None) -> int:
        """Forgets a session's or a user's feedback; returns how many events went."""
        column, value = ("session_id", session_id) if session_id is not None else ("user_id", user_id)
        with self._lock:
            return self._db.execute(f"DELETE FROM feedback WHERE pack = ? AND {column} = ?", (pack, value)).rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()


def apply_feedback(prefs: Preferences, item_id: str, kind: str, catalog: Catalog) -> list[str]:
    """Applies one piece of feedback to the dialogue state; returns the series items a thumbs down also removed.

    up: a liked seed (and no longer disliked); down: disliked (CF pushes its neighbours down) and the rest of
    its series moved past; seen: moved past."""
    drop = lambda ids: [i for i in ids if i != item_id]  # noqa: E731
    if kind == "up":
        prefs.liked = [*drop(prefs.liked), item_id]
        prefs.disliked = drop(prefs.disliked)
        return []
    if kind == "down":
        prefs.disliked = [*drop(prefs.disliked), item_id]
        prefs.liked = drop(prefs.liked)
        related = [i for i in near_duplicates(item_id, catalog) if i not in prefs.exclude_items]
        prefs.exclude_items = [*prefs.exclude_items, *related]
        return related
    prefs.exclude_items = [*drop(prefs.exclude_items), item_id]
    return []


def franchise_key(title: str) -> str:
    """'The Matrix Reloaded' -> 'matrix reloaded', 'Toy Story 3' -> 'toy story', 'Alien: Resurrection' -> 'alien': the
    series name `retrieval.series` reads, or the whole title where that leaves nothing."""
    return series_key(title) or fold_text(title)


def near_duplicates(item_id: str, catalog: Catalog) -> list[str]:
    """Other items of the same franchise: the same title once sequel numbers and subtitles are dropped, or a
    title that starts with this one's ('Alien' -> 'Aliens', 'Alien 3')."""
    key = franchise_key(catalog.get(item_id).title)
    if len(key) < 3:
        return []
    out = []
    for other in _franchise_index(catalog).get(key[:3], ()):
        if other == item_id:
            continue
        other_key = franchise_key(catalog.get(other).title)
        if other_key == key or (other_key.startswith(key) and other_key[len(key):len(key) + 1] in ("", "s", " ")
                                and len(other_key) - len(key) <= 4):
            out.append(other)
    return out


def _franchise_index(catalog: Catalog) -> dict[str, list[str]]:
    """Items by the first three letters of their franchise key, built once per catalog."""
    index = getattr(catalog, "_franchise_index", None)
    if index is None:
        index = {}
        for item in catalog:
            index.setdefault(franchise_key(item.title)[:3], []).append(item.id)
        catalog._franchise_index = index
    return index
