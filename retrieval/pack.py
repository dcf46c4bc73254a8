"""Packs: an operator's catalog folder (items, optional interactions, tags and FAQ docs, and `pack.toml`).

Loading validates every row, reports each bad one with file, line and reason, skips it,
and raises `PackError` only when nothing usable is left.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from retrieval.catalog import Catalog, Interaction, Item, ItemTable, display_title
from retrieval.conversations import LoggedTurn
from retrieval.errors import PackError
from retrieval.injection import VERSION as INJECTION_FILTER
from retrieval.injection import is_injection
from retrieval.manifest import (
    ConversationsSpec,
    MANIFEST,
    ItemsSpec,
    Manifest,
    RowIssue,
    TagsSpec,
    load_manifest,
    reason,
)

_TITLE_YEAR = re.compile(r"^(?P<title>.*\S)\s*\((?P<year>\d{4})(?:[-–]\d{0,4})?\)\s*$")
_NO_GENRE = {"(no genres listed)", ""}


class Pack(BaseModel):
    """A loaded pack: valid rows plus what was skipped."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    root: Path
    manifest: Manifest
    items: ItemTable
    interactions: list[Interaction]
    issues: list[RowIssue]
    items_hash: str
    interactions_hash: str
    conversations: list[LoggedTurn] = []
    conversations_hash: str = ""
    prior: dict[str, float] = {}  # the items' own popularity counts (`[items] popularity`), by id

    @property
    def name(self) -> str:
        return self.manifest.name

    def catalog(self) -> Catalog:
        """The in-memory catalog with interaction statistics."""
        spec = self.manifest.interactions
        return Catalog(self.items, self.interactions, spec.positive_min_rating if spec else 4.0,
                       credits=self.manifest.people, prior=self.prior, noun=self.manifest.item_noun)


def _read_rows(path: Path) -> Iterator[tuple[int, dict | str]]:
    """Yields (line number, row dict) from a CSV or JSONL file; a row that cannot be parsed comes as an error string."""
    suffix = path.suffix.lower()
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        if suffix in {".jsonl", ".ndjson"}:
            for n, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as e:
                    yield n, f"invalid JSON ({e.msg})"
                    continue
                yield n, row if isinstance(row, dict) else "a JSON object was expected"
        elif suffix in {".csv", ".tsv"}:
            reader = csv.DictReader(f, delimiter="\t" if suffix == ".tsv" else ",")
            if not reader.fieldnames:
                return
            for row in reader:
                if None in row:
                    yield reader.line_num, "more fields than the header has"
                    continue
                if any(v is None for v in row.values()):
                    yield reader.line_num, "fewer fields than the header has"
                    continue
                yield reader.line_num, row
        else:
            raise PackError(f"{path.name}: unsupported file type {suffix!r}; use .csv, .tsv or .jsonl")


def _file(root: Path, rel: str, what: str) -> Path:
    path = (root / rel).resolve()
    if not path.is_file():
        raise PackError(f"{root}: the {what} file {rel!r} named in {MANIFEST} does not exist")
    return path


def _hash(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()[:32]


def _as_list(value: object, sep: str) -> tuple[str, ...]:
    if value is None:
        return ()
    raw = value if isinstance(value, list) else str(value).split(sep)
    return tuple(dict.fromkeys(s.strip() for s in map(str, raw) if s.strip() not in _NO_GENRE))


def _item_fields(row: dict, spec: ItemsSpec, tags: dict[str, list[str]]) -> dict:
    iid = row.get(spec.id)
    title = row.get(spec.title)
    if iid is None or str(iid).strip() == "":
        raise ValueError(f"missing id field {spec.id!r}")
    if title is None or not isinstance(title, str) or not title.strip():
        raise ValueError(f"missing title field {spec.title!r}")
    year = row.get(spec.year) if spec.year else None
    year = None if year in ("", None) else year
    title = title.strip()
    if spec.year_in_title:
        m = _TITLE_YEAR.match(title)
        if m:
            title = m.group("title")
            year = year if year is not None else int(m.group("year"))
    if isinstance(year, str):
        year = int(float(year))  # "1995" or "1995.0"; anything else is a bad row
    if isinstance(year, (int, float)) and year < 1:  # before the common era (the Odyssey, -720): said as no year
        year = None
    iid = str(iid).strip()
    return {
        "id": iid,
        "title": display_title(title),
        "year": year,
        "genres": _as_list(row.get(spec.genres) if spec.genres else None, spec.list_separator),
        "tags": tuple(tags.get(iid, ())),
        "description": str(row.get(spec.description) or "") if spec.description else "",
        "directors": _as_list(row.get(spec.directors) if spec.directors else None, spec.list_separator),
        "cast": _as_list(row.get(spec.cast) if spec.cast else None, spec.list_separator),
        "price": _price(row.get(spec.price) if spec.price else None),
    }


_PRICE = re.compile(r"^\s*(?:[$€£¥]|[A-Z]{3})?\s*(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d{1,9}(?:[.,]\d{1,2})?)\s*"
                    r"(?:[$€£¥]|[A-Z]{3})?\s*$")


def _price(value: object) -> float | None:
    """12.99, "12.99", "$12.99", "12,99 €", "USD 1,299.00" -> a number; empty -> None; anything else is a bad row."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    m = _PRICE.match(str(value))
    if not m:
        raise ValueError(f"price {str(value)[:40]!r} is not a number")
    n = m.group("n")
    return float(n.replace(",", "") if re.search(r",\d{3}", n) else n.replace(",", "."))


def _drop_injections(fields: dict) -> str:
    """Keeps text addressed to the assistant (retrieval/injection.py) out of the catalog. In the item's own
    fields (title, description, people) it makes the row unusable (ValueError): an item that tries to steer
    the assistant is not recommended at all. Tags come from users, not from the item, so only such tags go;
    says how many did, or "" when none."""
    own = [fields["title"], fields["description"], *fields["directors"], *fields["cast"], *fields["genres"]]
    if any(is_injection(text) for text in own):
        raise ValueError("text addressed to the assistant in the item's fields (possible prompt injection); "
                         "the item is left out until the row is fixed")
    tags = tuple(t for t in fields["tags"] if not is_injection(t))
    dropped = len(fields["tags"]) - len(tags)
    fields["tags"] = tags
    return f"{dropped} tag{'s' if dropped > 1 else ''}" if dropped else ""


def _load_tags(root: Path, spec: TagsSpec, issues: list[RowIssue]) -> tuple[dict[str, list[str]], bytes]:
    path = _file(root, spec.path, "tags")
    tags: dict[str, dict[str, int]] = defaultdict(dict)
    for n, row in _read_rows(path):
        if isinstance(row, str):
            issues.append(RowIssue(file=path.name, line=n, reason=row))
            continue
        iid, tag = str(row.get(spec.item) or "").strip(), " ".join(str(row.get(spec.tag) or "").split())
        if not iid or not tag or len(tag) > 60:
            issues.append(RowIssue(file=path.name, line=n, reason="missing item or tag, or a tag over 60 characters"))
            continue
        key = tag.casefold()
        counts = tags[iid]
        counts[key] = counts.get(key, 0) + 1
    # most-applied tags first, so the cap keeps what people agree on
    top = {
        iid: [t for t, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[: spec.max_per_item]]
        for iid, c in tags.items()
    }
    return top, path.read_bytes()


def _load_conversations(root: Path, spec: ConversationsSpec, known: dict[str, int],
                        issues: list[RowIssue]) -> tuple[list[LoggedTurn], bytes]:
    """The logged turns of a pack; ids the catalog lacks are dropped from their lists (and reported), and a turn left
    with no item at all is skipped."""
    path = _file(root, spec.path, "conversations")
    if path.suffix.lower() not in {".jsonl", ".ndjson"}:
        raise PackError(f"{path.name}: conversation logs must be JSONL (one JSON object per line)")
    turns: list[LoggedTurn] = []
    for n, row in _read_rows(path):
        if isinstance(row, str):
            issues.append(RowIssue(file=path.name, line=n, reason=row))
            continue
        lists = ("mentioned", "recommended", "accepted", "rejected")
        # ids written as numbers (12, not "12") are still ids
        row = {k: str(v) if k == "conversation_id" and isinstance(v, int | float) and not isinstance(v, bool)
               else [str(x) for x in v] if k in lists and isinstance(v, list) else v for k, v in row.items()}
        try:
            turn = LoggedTurn.model_validate(row)
        except ValidationError as e:
            issues.append(RowIssue(file=path.name, line=n, reason=reason(e)))
            continue
        unknown = sum(i not in known for f in lists for i in getattr(turn, f))
        turn = turn.model_copy(update={f: [i for i in getattr(turn, f) if i in known] for f in lists})
        if not (turn.recommended or turn.accepted or turn.rejected):
            issues.append(RowIssue(file=path.name, line=n, reason="no recommended item the catalog holds"))
            continue
        if unknown:
            issues.append(RowIssue(file=path.name, line=n, reason=f"kept, without {unknown} unknown item id"
                                   + ("s" if unknown > 1 else "")))
        turns.append(turn)
    return turns, path.read_bytes()


def load_pack(root: str | Path) -> Pack:
    """Loads a pack folder; bad rows are skipped and listed in `Pack.issues`."""
    root = Path(root).resolve()
    manifest = load_manifest(root)
    issues: list[RowIssue] = []
    tags, tag_bytes = _load_tags(root, manifest.tags, issues) if manifest.tags else ({}, b"")

    items_path = _file(root, manifest.items.path, "items")
    items = ItemTable()
    prior: dict[str, float] = {}
    sanitized = 0
    for n, row in _read_rows(items_path):
        if isinstance(row, str):
            issues.append(RowIssue(file=items_path.name, line=n, reason=row))
            continue
        try:
            fields = _item_fields(row, manifest.items, tags)
            dropped = _drop_injections(fields)
            item = Item.model_validate(fields)
        except (ValueError, TypeError, ValidationError) as e:
            issues.append(RowIssue(file=items_path.name, line=n, reason=reason(e)))
            continue
        if dropped:
            sanitized += 1
            issues.append(RowIssue(file=items_path.name, line=n, reason=f"kept, without {dropped}: text addressed "
                                   "to the assistant (possible prompt injection)"))
        if not items.add(item):
            issues.append(RowIssue(file=items_path.name, line=n, reason=f"duplicate id {item.id!r}"))
        elif manifest.items.popularity:
            count = _count(row.get(manifest.items.popularity))
            if count is None:
                issues.append(RowIssue(file=items_path.name, line=n, reason=f"kept, without a popularity count: "
                                       f"{manifest.items.popularity!r} is not a number"))
            else:
                prior[item.id] = count
    if not items:
        shown = "; ".join(map(str, issues[:3]))
        raise PackError(f"{items_path}: no usable items" + (f" ({shown})" if shown else ""))

    interactions: list[Interaction] = []
    inter_bytes = b""
    spec = manifest.interactions
    if spec:
        path = _file(root, spec.path, "interactions")
        inter_bytes = path.read_bytes()
        for n, row in _read_rows(path):
            if isinstance(row, str):
                issues.append(RowIssue(file=path.name, line=n, reason=row))
                continue
            try:
                x = Interaction(
                    user_id=str(row.get(spec.user) or "").strip(),
                    item_id=str(row.get(spec.item) or "").strip(),
                    rating=float(row[spec.rating]) if spec.rating and row.get(spec.rating) not in (None, "") else None,
                    timestamp=int(float(row[spec.timestamp])) if spec.timestamp and row.get(spec.timestamp) not in (None, "") else None,
                )
            except (ValueError, TypeError, ValidationError) as e:
                issues.append(RowIssue(file=path.name, line=n, reason=reason(e)))
                continue
            if x.item_id not in items.row:
                issues.append(RowIssue(file=path.name, line=n, reason=f"unknown item id {x.item_id!r}"))
                continue
            interactions.append(x)

    conversations, conv_bytes = _load_conversations(root, manifest.conversations, items.row, issues) \
        if manifest.conversations else ([], b"")
    manifest_bytes = (root / MANIFEST).read_bytes()
    return Pack(
        root=root,
        manifest=manifest,
        items=items,
        interactions=interactions,
        issues=issues,
        items_hash=_hash(manifest_bytes, items_path.read_bytes(), tag_bytes,
                         *([f"injection-filter:{INJECTION_FILTER}".encode()] if sanitized else [])),
        interactions_hash=_hash(manifest_bytes, inter_bytes),
        conversations=conversations,
        conversations_hash=_hash(manifest_bytes, conv_bytes) if conversations else "",
        prior=prior,
    )


def _count(value: object) -> float | None:
    """A popularity count: 4780653, "4780653", "4,780,653", "12.5"; empty is 0; anything else None."""
    if value in (None, ""):
        return 0.0
    try:
        return max(0.0, float(str(value).replace(",", "")))
    except ValueError:
        return None
