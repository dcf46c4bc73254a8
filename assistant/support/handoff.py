"""Handing a conversation over to a person.

A handoff is stored at once in SQLite (the reason and the transcript so far) and, when the operator
configured a webhook, posted to it as JSON in the background. From then on the assistant stays
quiet in that session: the person's further messages are added to the handoff's transcript until
someone releases it (`crs handoff release SESSION`, or the API). Nothing of it is logged.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
WEBHOOK_TIMEOUT_S = 5.0
MAX_TRANSCRIPT_TURNS = 200

_SCHEMA = """
CREATE TABLE IF NOT EXISTS handoffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pack TEXT NOT NULL,
    session_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    transcript TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    released_at INTEGER,
    webhook_status TEXT
);
CREATE INDEX IF NOT EXISTS handoffs_session ON handoffs (session_id, released_at);
"""


@dataclass(frozen=True)
class Handoff:
    id: int
    pack: str
    session_id: str
    reason: str
    transcript: list[dict]
    created_at: int
    released_at: int | None
    webhook_status: str | None

    @property
    def active(self) -> bool:
        return self.released_at is None


class HandoffStore:
    """Handoff events in one SQLite file; safe to share between threads of one process."""

    def __init__(self, path: str | Path, webhook_url: str | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.webhook_url = webhook_url
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def open(self, pack: str, session_id: str, reason: str, transcript: list[dict]) -> Handoff:
        """Hands the session over (or returns its handoff when one is already open) and notifies the webhook."""
        current = self.active(session_id)
        if current is not None:
            return current
        now = int(time.time())
        transcript = transcript[-MAX_TRANSCRIPT_TURNS:]
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO handoffs (pack, session_id, reason, transcript, created_at) VALUES (?, ?, ?, ?, ?)",
                (pack, session_id, reason, json.dumps(transcript), now),
            )
            handoff_id = cur.lastrowid
        handoff = Handoff(handoff_id, pack, session_id, reason, transcript, now, None, None)
        if self.webhook_url:
            threading.Thread(target=self._notify, args=(handoff,), daemon=True, name="handoff-webhook").start()
        return handoff

    def _notify(self, handoff: Handoff) -> None:
        body = json.dumps({
            "event": "handoff", "id": handoff.id, "pack": handoff.pack, "session_id": handoff.session_id,
            "reason": handoff.reason, "transcript": handoff.transcript, "created_at": handoff.created_at,
        }).encode()
        request = urllib.request.Request(self.webhook_url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:
                status = f"http {response.status}"
        except urllib.error.HTTPError as e:
            status = f"http {e.code}"
        except (urllib.error.URLError, OSError, ValueError) as e:
            status = f"failed: {type(e).__name__}"
        if not status.startswith("http 2"):
            log.warning("handoff webhook for handoff %d: %s", handoff.id, status)
        with self._lock:
            self._db.execute("UPDATE handoffs SET webhook_status = ? WHERE id = ?", (status, handoff.id))

    def active(self, session_id: str) -> Handoff | None:
        """The session's open handoff, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM handoffs WHERE session_id = ? AND released_at IS NULL ORDER BY id DESC LIMIT 1",
                (session_id,),
            ).fetchone()
        return _handoff(row) if row else None

    def add_turn(self, session_id: str, role: str, text: str) -> None:
        """Adds a message that arrived while the session is with a person to its transcript."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, transcript FROM handoffs WHERE session_id = ? AND released_at IS NULL ORDER BY id DESC",
                (session_id,),
            ).fetchone()
            if row is None:
                return
            transcript = [*json.loads(row[1]), {"role": role, "text": text}][-MAX_TRANSCRIPT_TURNS:]
            self._db.execute("UPDATE handoffs SET transcript = ? WHERE id = ?", (json.dumps(transcript), row[0]))

    def release(self, session_id: str) -> bool:
        """Gives the session back to the assistant; False when it was not handed over."""
        with self._lock:
            cur = self._db.execute(
                "UPDATE handoffs SET released_at = ? WHERE session_id = ? AND released_at IS NULL",
                (int(time.time()), session_id),
            )
        return cur.rowcount > 0

    def list(self, active_only: bool = True) -> list[Handoff]:
        query = "SELECT * FROM handoffs" + (" WHERE released_at IS NULL" if active_only else "") + " ORDER BY id"
        with self._lock:
            return [_handoff(row) for row in self._db.execute(query).fetchall()]

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _handoff(row: tuple) -> Handoff:
    return Handoff(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6], row[7])
