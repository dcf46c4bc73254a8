"""Conversations as a service: load the session, answer, save it before acknowledging. Used by the HTTP API,
the widget and the Gradio app alike, so every way in keeps the same state.

One turn at a time per session (a lock per session id); different sessions run in parallel, up to the
limiter's number of concurrent turns. Every finished turn is counted in the metrics (assistant/serving/observability.py).
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterator
from contextlib import nullcontext

from assistant.assistant import Assistant
from assistant.dialogue.state import preference_chips, remove_preference
from assistant.serving.limits import Limiter
from assistant.models import Reply, Session
from assistant.serving.observability import observe_turn
from assistant.serving.sessions import SessionStore

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
USER_ID = re.compile(r"^[A-Za-z0-9_.@:-]{1,128}$")


class UnknownSession(LookupError):
    """No conversation with that id (never started, or deleted)."""


class ChatService:
    def __init__(self, assistant: Assistant, sessions: SessionStore, limiter: Limiter | None = None) -> None:
        self.assistant = assistant
        self.sessions = sessions
        self.limiter = limiter
        self._locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
        self._guard = threading.Lock()

    def _lock(self, session_id: str) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(session_id)
            if lock is None:
                lock = threading.Lock()
                self._locks[session_id] = lock
            return lock

    def open(self, session_id: str | None = None, user_id: str | None = None) -> Session:
        """The session with this id; else the known user's latest one; else a new one. An unknown id is an error."""
        if session_id:
            session = self.sessions.get(session_id) if SESSION_ID.match(session_id) else None
            if session is None:
                raise UnknownSession(session_id)
            return session
        if user_id:
            latest = self.sessions.latest_for_user(user_id)
            if latest is not None:
                return latest
        return Session(user_id=user_id or None)

    def chat(self, session_id: str | None, message: str, user_id: str | None = None,
             client: str | None = None) -> tuple[Session, Reply]:
        *_, last = self.stream(session_id, message, user_id, client)
        return last

    def stream(self, session_id: str | None, message: str, user_id: str | None = None,
               client: str | None = None) -> Iterator[tuple[Session, Reply]]:
        """The reply as it grows; the session is saved before the final reply is yielded. `client` (the caller's
        address) is what the per-client limit counts; LimitExceeded when a limit refuses the turn."""
        session = self.open(session_id, user_id)
        if self.limiter is not None:
            self.limiter.check(session.id, client)
        with self._slot(), self._lock(session.id):
            session = self.sessions.get(session.id) or session  # another turn may have finished meanwhile
            replies = self.assistant.stream(session, message)
            last = next(replies)
            for reply in replies:
                yield session, last
                last = reply
            if session.turns:
                self.sessions.save(session)
            observe_turn(last.timings_ms, last.intent)
            yield session, last

    def _slot(self):
        return self.limiter.slot() if self.limiter is not None else nullcontext()

    def feedback(self, session_id: str, item_id: str, kind: str) -> tuple[Session, Reply]:
        session = self.open(session_id)
        with self._lock(session.id):
            session = self.sessions.get(session.id) or session
            reply = self.assistant.feedback(session, item_id, kind)
            self.sessions.save(session)
        return session, reply

    def remove_preference(self, session_id: str, key: str) -> Session:
        session = self.open(session_id)
        with self._lock(session.id):
            session = self.sessions.get(session.id) or session
            if remove_preference(session.preferences, key):
                self.sessions.save(session)
        return session

    def chips(self, session: Session) -> list[tuple[str, str]]:
        return preference_chips(session.preferences, self.assistant.engine.catalog, self.assistant.currency)

    def handoff_active(self, session_id: str) -> bool:
        handoffs = self.assistant.handoffs
        return handoffs is not None and handoffs.active(session_id) is not None

    def release(self, session_id: str) -> bool:
        session = self.open(session_id)
        with self._lock(session.id):
            released = self.assistant.release(session)
            self.sessions.save(session)
        return released

    def export(self, session_id: str) -> dict:
        """Everything stored about a conversation: its state and transcript, its feedback, its handoff."""
        session = self.open(session_id)
        store = self.assistant.feedback_store
        pack = self.assistant.engine.pack.name
        handoffs = self.assistant.handoffs
        active = handoffs.active(session.id) if handoffs else None
        return {
            "session": session.model_dump(mode="json"),
            "feedback": store.events(pack, session_id=session.id) if store else [],
            "handoff": {"active": active is not None, "reason": active.reason if active else None},
        }

    def export_user(self, user_id: str) -> dict:
        """Everything stored about a known user: their conversations and their feedback."""
        store = self.assistant.feedback_store
        return {
            "user_id": user_id,
            "sessions": [s.model_dump(mode="json") for s in self.sessions.for_user(user_id)],
            "feedback": store.events(self.assistant.engine.pack.name, user_id=user_id) if store else [],
        }

    def delete_user(self, user_id: str) -> int:
        """Forgets a known user: their conversations and feedback. Returns how many records went."""
        n = self.sessions.delete_user(user_id)
        store = self.assistant.feedback_store
        if store is not None:
            n += store.delete(self.assistant.engine.pack.name, user_id=user_id)
        return n

    def delete(self, session_id: str) -> bool:
        """Forgets a conversation and the feedback given in it."""
        if not SESSION_ID.match(session_id or ""):
            return False
        with self._lock(session_id):
            found = self.sessions.delete(session_id)
            store = self.assistant.feedback_store
            if store is not None:
                found = store.delete(self.assistant.engine.pack.name, session_id=session_id) > 0 or found
        return found
