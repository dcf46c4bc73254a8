"""The assistant's data: what the user wants (`Preferences`), a conversation (`Session`) and a turn's `Reply`."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Intent = Literal["recommend", "greeting", "reset", "invalid"]


class Preferences(BaseModel):
    """What the user wants, as understood so far. Genres are catalog genre keys (`sci-fi`), items catalog ids."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field("", description="free-text description left after constraints were taken out")
    include_genres: list[str] = []
    exclude_genres: list[str] = []
    mood_genres: list[str] = Field([], description="soft: 'funny' boosts comedy without requiring it")
    year_min: int | None = None
    year_max: int | None = None
    liked: list[str] = []
    disliked: list[str] = []
    n: int | None = Field(None, ge=1, le=20)

    def is_empty(self) -> bool:
        return self == Preferences()


class Understanding(BaseModel):
    """What one message says: its intent and the preferences it adds."""

    intent: Intent
    preferences: Preferences = Preferences()


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    text: str


class Session(BaseModel):
    """One conversation: its dialogue state, what was shown last, and the transcript."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    preferences: Preferences = Preferences()
    shown: list[str] = []
    turns: list[Turn] = []


class GenreClaim(BaseModel):
    kind: Literal["genres"] = "genres"
    genres: list[str]


class YearClaim(BaseModel):
    kind: Literal["year"] = "year"
    year: int


class TagClaim(BaseModel):
    kind: Literal["tags"] = "tags"
    tags: list[str]


class CoLikedClaim(BaseModel):
    kind: Literal["co_liked"] = "co_liked"
    seed_id: str
    seed_title: str
    n_users: int


class PopularityClaim(BaseModel):
    kind: Literal["popular"] = "popular"
    n_users: int


Claim = Annotated[GenreClaim | YearClaim | TagClaim | CoLikedClaim | PopularityClaim, Field(discriminator="kind")]


class Recommendation(BaseModel):
    """One recommended item with the claims its explanation is made of."""

    item_id: str
    title: str
    year: int | None
    genres: list[str]
    explanation: str
    score: float
    claims: list[Claim]


class Reply(BaseModel):
    """The assistant's answer to one message."""

    text: str
    intent: Intent
    recommendations: list[Recommendation] = []
    preferences: Preferences = Preferences()
    notice: str | None = Field(None, description="machine-readable reason when the message could not be used")
    timings_ms: dict[str, float] = Field({}, description="time per stage of this turn, for benchmarks and debugging")
