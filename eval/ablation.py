"""Metadata ablation: a benchmark's catalog with fields removed, to measure how the assistant does on a sparse
catalog (an operator's feed without descriptions or people, genres on some items only) with the data at hand.

`crs eval benchmark --drop description --drop genres:0.4 ...` removes a field from every item, or from a seeded
share of them, before the catalog is indexed; the derived items file lives in the state folder and is indexed
like any other pack. Which items lose a field depends only on the seed, the field and the item ids.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import CrsError

KEPT = ("id", "name", "title")  # what a case refers to an item by, and what an item cannot be without


@dataclass(frozen=True)
class Drop:
    """Remove `field` from a `share` (0 < share <= 1) of the items."""

    field: str
    share: float = 1.0

    def __str__(self) -> str:
        return self.field if self.share == 1.0 else f"{self.field}:{self.share:g}"


def parse_drop(spec: str) -> Drop:
    """'description' -> Drop('description', 1.0); 'genres:0.4' -> Drop('genres', 0.4); a clear error otherwise."""
    field, _, share = spec.partition(":")
    field = field.strip()
    if not field:
        raise CrsError(f"--drop {spec!r}: name a field, e.g. --drop description or --drop genres:0.4")
    if field in KEPT:
        raise CrsError(f"--drop {spec!r}: {field} is how cases name items and cannot be dropped")
    try:
        value = float(share) if share else 1.0
    except ValueError:
        raise CrsError(f"--drop {spec!r}: the share after ':' must be a number in (0, 1]") from None
    if not 0.0 < value <= 1.0:
        raise CrsError(f"--drop {spec!r}: the share after ':' must be in (0, 1]")
    return Drop(field, value)


def ablate(rows: list[dict], drops: list[Drop], seed: int = 0) -> tuple[list[dict], dict[str, int]]:
    """The rows with each drop applied (new dicts; the input is untouched), and how many items lost each field.

    For a share below 1, the items are a seeded sample of those that have the field, so `genres:0.4` takes genres
    from 40 % of the items that had genres."""
    out = [dict(r) for r in rows]
    lost: dict[str, int] = {}
    for d in drops:
        having = [i for i, r in enumerate(out) if r.get(d.field) not in (None, "", [])]
        if d.share < 1.0:
            rng = random.Random(f"{seed}:{d.field}")
            having = sorted(rng.sample(having, round(len(having) * d.share)))
        for i in having:
            out[i].pop(d.field, None)
        lost[str(d)] = len(having)
    return out, lost


def ablated_items(items: Path, drops: list[Drop], seed: int, cache: Path) -> tuple[Path, dict[str, int]]:
    """An items.jsonl under `cache` with the drops applied (written once per items file, drops and seed), and how
    many items lost each field."""
    raw = items.read_bytes()
    key = hashlib.sha256(raw + json.dumps([[str(d) for d in drops], seed]).encode()).hexdigest()[:12]
    root = cache / "ablated" / key
    path, report = root / "items.jsonl", root / "dropped.json"
    if path.is_file() and report.is_file():
        return path, json.loads(report.read_text(encoding="utf-8"))
    rows = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    rows, lost = ablate(rows, drops, seed)
    root.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    tmp.replace(path)
    report.write_text(json.dumps(lost), encoding="utf-8")
    return path, lost
