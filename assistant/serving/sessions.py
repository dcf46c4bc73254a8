"""Conversations that survive restarts: each session (dialogue state, what was shown, transcript) is saved in
SQLite after every turn, before the reply is acknowledged.

The database is in WAL mode with full sync, so a saved turn survives a killed process. A write that fails
(disk full, database locked past the timeout) raises `StorageError`; what was saved before stays intact.
A known user's latest conversation can be picked up again by user id; a user can export and delete
everything stored about them.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from assistant.models import Session
from retrieval.errors import CrsError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    pack TEXT NOT NULL,
    user_id TEXT,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (pack, user_id, updated_at);
"""


class StorageError(CrsError):
    """The session store could not write; nothing already stored was lost."""


class SessionStore:
    """Sessions of one pack in one SQLite file; safe to share between threads of one process and between
    processes (app replicas) on one machine."""

    def __init__(self, path: str | Path, pack: str, timeout_s: float = 5.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.pack = pack
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=timeout_s)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def get(self, session_id: str) -> Session | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM sessions WHERE id = ? AND pack = ?",
                                   (session_id, self.pack)).fetchone()
        return Session.model_validate_json(row[0]) if row else None

    def latest_for_user(self, user_id: str) -> Session | None:
        """A known user's most recent conversation."""
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM sessions WHERE pack = ? AND user_id = ? ORDER BY updated_at DESC, rowid DESC LIMIT 1",
                (self.pack, user_id),
            ).fetchone()
        return Session.model_validate_json(row[0]) if row else None

    def save(self, session: Session) -> None:
        now = int(time.time())
        try:
            with self._lock:
                self._db.execute(
                    "INSERT INTO sessions (id, pack, user_id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, "
                    "updated_at = excluded.updated_at",
                    (session.id, self.pack, session.user_id, session.model_dump_json(), now, now),
                )
        except sqlite3.Error as e:
            raise StorageError(f"could not save the conversation ({type(e).__name__}: {e})") from e

    def delete(self, session_id: str) -> bool:
        try:
            with self._lock:
                cur = self._db.execute("DELETE FROM sessions WHERE id = ? AND pack = ?", (session_id, self.pack))
        except sqlite3.Error as e:
            raise StorageError(f"could not delete the conversation ({type(e).__name__}: {e})") from e
        return cur.rowcount > 0

    def for_user(self, user_id: str) -> list[Session]:
        with self._lock:
            rows = self._db.execute("SELECT data FROM sessions WHERE pack = ? AND user_id = ? ORDER BY created_at",
                                    (self.pack, user_id)).fetchall()
        return [Session.model_validate_json(r[0]) for r in rows]

    def each(self) -> Iterator[tuple[Session, int]]:
        """Every conversation of the pack with when it began (Unix time), oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT data, created_at FROM sessions WHERE pack = ? ORDER BY created_at, rowid",
                                    (self.pack,)).fetchall()
        for data, created_at in rows:
            yield Session.model_validate_json(data), created_at

    def delete_user(self, user_id: str) -> int:
        with self._lock:
            cur = self._db.execute("DELETE FROM sessions WHERE pack = ? AND user_id = ?", (self.pack, user_id))
        return cur.rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()
