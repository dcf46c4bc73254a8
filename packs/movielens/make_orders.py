"""Writes orders.sqlite3: 400 synthetic orders of the demo shop (fictional people at example.com addresses).

Deterministic (seeded), so the committed file can be rebuilt byte-for-byte in content:
    .venv/bin/python packs/movielens/make_orders.py
"""

from __future__ import annotations

import csv
import random
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent
FIRST = "alex sam jordan casey riley morgan taylor jamie robin kim lee noor ana luis mei ravi olga tom zoe ivan".split()
LAST = "smith garcia chen okafor novak silva kowalski jensen haddad tanaka murphy rossi dubois khan lopez".split()
FORMATS = {"DVD": 999, "Blu-ray": 1599, "4K Blu-ray": 2499, "Digital": 1299}
CARRIERS = ["UPS", "USPS", "FedEx", "Canada Post"]
STATUSES = ["received", "packed", "shipped", "delivered", "delivered", "delivered", "cancelled"]
SCHEMA = """
CREATE TABLE orders (
    order_id TEXT PRIMARY KEY, email TEXT NOT NULL, placed_at TEXT NOT NULL, status TEXT NOT NULL,
    delivery TEXT NOT NULL, carrier TEXT, tracking TEXT, estimated_delivery TEXT, total_cents INTEGER NOT NULL);
CREATE TABLE order_items (
    order_id TEXT NOT NULL REFERENCES orders(order_id), item_id TEXT NOT NULL, title TEXT NOT NULL,
    format TEXT NOT NULL, quantity INTEGER NOT NULL, price_cents INTEGER NOT NULL);
"""


def main(n: int = 400, seed: int = 20261122) -> None:
    rng = random.Random(seed)
    with (HERE / "movies.csv").open(encoding="utf-8") as f:
        movies = [(r["movieId"], r["title"]) for r in csv.DictReader(f)][:3000]
    path = HERE / "orders.sqlite3"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    now = datetime(2026, 11, 20, 12, 0)
    ids = rng.sample(range(100000, 999999), n)
    for order_no in ids:
        name = f"{rng.choice(FIRST)}.{rng.choice(LAST)}{rng.randint(1, 99)}"
        placed = now - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1440))
        lines = []
        for _ in range(rng.randint(1, 4)):
            item_id, title = rng.choice(movies)
            fmt = rng.choice(list(FORMATS))
            lines.append((item_id, title, fmt, rng.randint(1, 2), FORMATS[fmt]))
        digital = all(line[2] == "Digital" for line in lines)
        status = "delivered" if digital else rng.choice(STATUSES)
        delivery = "digital" if digital else rng.choice(["standard", "express", "pick-up point"])
        shipped = status in ("shipped", "delivered") and not digital
        eta = (placed + timedelta(days={"standard": 5, "express": 2, "pick-up point": 4}.get(delivery, 0))).date()
        db.execute(
            "INSERT INTO orders VALUES (?,?,?,?,?,?,?,?,?)",
            (f"RC-{order_no}", f"{name}@example.com", placed.isoformat(timespec="minutes"), status, delivery,
             rng.choice(CARRIERS) if shipped else None, f"1Z{rng.randint(10**9, 10**10 - 1)}" if shipped else None,
             None if digital or status == "cancelled" else eta.isoformat(),
             sum(q * p for *_, q, p in lines) + (0 if digital or delivery == "standard" else 999)),
        )
        db.executemany("INSERT INTO order_items VALUES (?,?,?,?,?,?)", [(f"RC-{order_no}", *line) for line in lines])
    db.commit()
    db.execute("VACUUM")
    db.close()
    print(f"wrote {n} orders to {path}")


if __name__ == "__main__":
    main()
