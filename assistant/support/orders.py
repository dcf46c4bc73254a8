"""Order status for the person who placed the order, and nobody else.

A lookup needs both the order number and the email address on the order. Every failed lookup
(no such order, wrong email, malformed number) gets the same answer, so the tool never says
whether an order exists; and a session gets a few failed lookups only, so order numbers cannot be
enumerated through the chat. The database is opened read-only.
"""

from __future__ import annotations

import hmac
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

EMAIL = re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+\b")
MAX_FAILED_LOOKUPS = 3


@dataclass(frozen=True)
class OrderLine:
    title: str
    format: str
    quantity: int


@dataclass(frozen=True)
class Order:
    order_id: str
    placed_at: str
    status: str
    delivery: str
    carrier: str | None
    tracking: str | None
    estimated_delivery: str | None
    total_cents: int
    lines: tuple[OrderLine, ...]


def _norm_email(email: str) -> bytes:
    return email.strip().casefold().encode()


class OrderBook:
    """Read-only access to a pack's orders database."""

    def __init__(self, path: str | Path, order_id_pattern: str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"orders database not found: {self.path}")
        self.pattern = order_id_pattern
        self.order_id = re.compile(rf"\b(?:{order_id_pattern})\b", re.I)
        self._db = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True, check_same_thread=False)
        self._db.execute("SELECT order_id, email, placed_at, status, delivery, carrier, tracking, estimated_delivery, "
                         "total_cents FROM orders LIMIT 1")  # the schema is right, or sqlite3.Error now
        self._lock = threading.Lock()

    def find_order_id(self, text: str) -> str | None:
        m = self.order_id.search(text)
        return m.group(0).upper() if m else None

    def example(self) -> str:
        """A made-up order number in the pack's format, for "like RC-123456"; empty when the pattern is too unusual."""
        guess = re.sub(r"\\d\{(\d+)(?:,\d*)?\}", lambda m: "123456789012"[: int(m[1])], self.pattern)
        guess = re.sub(r"\\d\+?", "12345", guess)
        return guess if re.fullmatch(r"[\w-]+", guess) and self.order_id.fullmatch(guess) else ""

    @staticmethod
    def find_email(text: str) -> str | None:
        m = EMAIL.search(text)
        return m.group(0) if m else None

    def lookup(self, order_id: str, email: str) -> Order | None:
        """The order when `email` is the one on it; None otherwise (no difference between absent and mismatched)."""
        if not order_id or not email or not self.order_id.fullmatch(order_id.strip()):
            hmac.compare_digest(b"x", b"y")  # same work on every failing path
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT order_id, email, placed_at, status, delivery, carrier, tracking, estimated_delivery, total_cents "
                "FROM orders WHERE order_id = ?", (order_id.strip().upper(),)).fetchone()
            lines = self._db.execute("SELECT title, format, quantity FROM order_items WHERE order_id = ?",
                                     (order_id.strip().upper(),)).fetchall() if row else []
        stored = _norm_email(row[1]) if row else b"\0" * 32
        if not hmac.compare_digest(stored, _norm_email(email)) or row is None:
            return None
        return Order(row[0], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                     tuple(OrderLine(*line) for line in lines))

    def close(self) -> None:
        self._db.close()
