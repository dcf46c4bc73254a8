"""A pack's manifest, `pack.toml`: its name, license, kind of item, and where each file is and which column holds
each field. Unknown keys are rejected; `load_manifest` says which key is wrong."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from retrieval.catalog import Credits
from retrieval.errors import PackError

MANIFEST = "pack.toml"


class ItemsSpec(BaseModel):
    """Where items are and which column or key holds each field."""

    model_config = ConfigDict(extra="forbid")
    path: str
    id: str = "id"
    title: str = "title"
    year: str | None = "year"
    genres: str | None = "genres"
    description: str | None = "description"
    directors: str | None = "directors"
    cast: str | None = "cast"
    price: str | None = Field("price", description="a number, optionally with a currency sign: 12.99, $12.99, 12,99 €")
    popularity: str | None = Field(None, description="a count of how many rated, bought or read it: the popularity "
                                                      "of a catalog without interactions")
    list_separator: str = "|"
    year_in_title: bool = Field(False, description="parse a trailing '(1995)' off the title when there is no year")


class InteractionsSpec(BaseModel):
    """Where interactions are; `rating` may be absent for implicit data (views, purchases)."""

    model_config = ConfigDict(extra="forbid")
    path: str
    user: str = "user_id"
    item: str = "item_id"
    rating: str | None = "rating"
    timestamp: str | None = "timestamp"
    positive_min_rating: float = 4.0


class TagsSpec(BaseModel):
    """Free-text tags people put on items; they become part of the item text and explanations."""

    model_config = ConfigDict(extra="forbid")
    path: str
    item: str = "item_id"
    tag: str = "tag"
    max_per_item: int = 12


class ConversationsSpec(BaseModel):
    """Logged conversations to learn from (retrieval/conversations.py): JSONL, one moment where items were
    recommended per line, with `conversation_id`, `text` (the conversation so far), optionally `said` (the person's
    own recent words), `mentioned`, `recommended`, `accepted`, `rejected` (lists of catalog ids) and `at` (when,
    on any clock that increases: a Unix time, a log number)."""

    model_config = ConfigDict(extra="forbid")
    path: str


class SupportSpec(BaseModel):
    """The customer-service side of a pack: help documents and, optionally, an orders database."""

    model_config = ConfigDict(extra="forbid")
    docs: str = Field("support", description="folder of Markdown, JSON or CSV help documents")
    orders: str | None = Field(None, description="SQLite database with `orders` and `order_items` tables")
    order_id_pattern: str = Field(r"[A-Z]{2,4}-\d{4,10}", description="what an order number looks like (regex)")
    examples: str | None = Field(None, description="CSV of labelled questions (utterance, passage) the matcher "
                                                   "learns from, e.g. from the shop's own logs")


class Manifest(BaseModel):
    """`pack.toml`: a pack's name, license, kind of item and where its files are."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,60}[a-zA-Z0-9]$")
    title: str = ""
    license_file: str | None = None
    item_noun: str = "item"
    currency: str = Field("$", min_length=1, max_length=3, description="how prices are written: $, €, £, EUR")
    support_contact: str = Field("Please contact the shop's customer service.", max_length=500)
    items: ItemsSpec
    people: Credits = Credits()
    interactions: InteractionsSpec | None = None
    tags: TagsSpec | None = None
    conversations: ConversationsSpec | None = None
    support: SupportSpec | None = None


class RowIssue(BaseModel):
    """One skipped row: where it was and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


def load_manifest(root: Path) -> Manifest:
    """Reads and validates `pack.toml`."""
    path = root / MANIFEST
    if not root.is_dir():
        raise PackError(f"{root}: no such pack folder")
    if not path.is_file():
        raise PackError(f"{root}: not a pack (no {MANIFEST})")
    try:
        return Manifest.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError, UnicodeDecodeError) as e:
        raise PackError(f"{path}: invalid manifest: {reason(e)}") from e


def reason(e: Exception) -> str:
    """What was wrong with a value, in one line: the field and the message."""
    if isinstance(e, ValidationError):
        err = e.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        return f"{loc}: {err['msg']}" if loc else err["msg"]
    return str(e)
