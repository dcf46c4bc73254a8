"""Limits that keep one visitor from taking the service from everyone else: turns per minute per
conversation and per client address, and how many turns are generated at once.

Counting is in memory, per process: behind several replicas each enforces its own share (put the
per-address limit on the load balancer too when that matters).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import BaseModel, ConfigDict, Field

from assistant.serving.observability import GENERATING, LIMITED
from retrieval.errors import CrsError


class LimitExceeded(CrsError):
    """A request refused by a limit; `retry_after_s` says when trying again makes sense."""

    def __init__(self, limit: str, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.retry_after_s = retry_after_s


class LimitSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    turns_per_minute_per_session: int = Field(20, ge=1, le=10_000)
    turns_per_minute_per_client: int = Field(120, ge=1, le=100_000)
    max_concurrent_turns: int = Field(8, ge=1, le=1_000)
    queue_wait_s: float = Field(10.0, ge=0, le=300, description="how long a turn waits for a free slot before 503")


class SlidingWindow:
    """At most `n` events per `window_s` per key; keys idle for a window are forgotten."""

    def __init__(self, n: int, window_s: float = 60.0, max_keys: int = 100_000) -> None:
        self.n, self.window_s, self.max_keys = n, window_s, max_keys
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, key: str, now: float | None = None) -> float:
        """0 when one more event is allowed now, else the seconds until it would be."""
        now = time.monotonic() if now is None else now
        with self._lock:
            q = self._events.get(key)
            if q is None:
                return 0.0
            while q and q[0] <= now - self.window_s:
                q.popleft()
            return q[0] + self.window_s - now if len(q) >= self.n else 0.0

    def hit(self, key: str, now: float | None = None) -> None:
        """Counts an event."""
        now = time.monotonic() if now is None else now
        with self._lock:
            q = self._events.get(key)
            if q is None:
                if len(self._events) >= self.max_keys:
                    self._sweep(now)
                q = self._events[key] = deque()
            q.append(now)

    def _sweep(self, now: float) -> None:
        for key in [k for k, q in self._events.items() if not q or q[-1] <= now - self.window_s]:
            del self._events[key]
        if len(self._events) >= self.max_keys:  # still full of active keys: drop the oldest half
            for key in sorted(self._events, key=lambda k: self._events[k][-1])[: len(self._events) // 2]:
                del self._events[key]


class Limiter:
    def __init__(self, settings: LimitSettings | None = None) -> None:
        self.settings = s = settings or LimitSettings()
        self._per_session = SlidingWindow(s.turns_per_minute_per_session)
        self._per_client = SlidingWindow(s.turns_per_minute_per_client)
        self._slots = threading.BoundedSemaphore(s.max_concurrent_turns)
        self._lock = threading.Lock()

    def check(self, session_id: str | None, client: str | None) -> None:
        """Counts a turn against its conversation and its client address; LimitExceeded when over either (a
        refused turn counts against neither)."""
        with self._lock:
            wait = self._per_client.wait(client) if client else 0.0
            if wait:
                LIMITED.labels("client").inc()
                raise LimitExceeded("client", f"Too many messages from your address; please wait "
                                    f"{math.ceil(wait)} s.", math.ceil(wait))
            wait = self._per_session.wait(session_id) if session_id else 0.0
            if wait:
                LIMITED.labels("session").inc()
                raise LimitExceeded("session", f"You are sending messages faster than I can follow; please wait "
                                    f"{math.ceil(wait)} s.", math.ceil(wait))
            if client:
                self._per_client.hit(client)
            if session_id:
                self._per_session.hit(session_id)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One of the concurrent-turn slots, waited for up to `queue_wait_s`; LimitExceeded when none frees up."""
        if not self._slots.acquire(timeout=self.settings.queue_wait_s):
            LIMITED.labels("busy").inc()
            raise LimitExceeded("busy", "I am answering a lot of people right now; please try again in a moment.", 5)
        GENERATING.inc()
        try:
            yield
        finally:
            GENERATING.dec()
            self._slots.release()
