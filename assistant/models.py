"""The assistant's data: what the user wants (`Preferences`), a conversation (`Session`) and a turn's `Reply`."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Intent = Literal["recommend", "refine", "ask_item", "accept", "support", "handoff", "chitchat", "out_of_scope", "reset",
                 "feedback", "invalid"]
Question = Literal["compare", "which", "author", "director", "cast", "year", "price", "length", "suitability", "genre", "about", "rating",
                   "general", "other"]
Action = Literal["more_like", "dislike_refs", "exclude_shown", "exclude_refs", "seen_refs"]


class Preferences(BaseModel):
    """What the user wants, as understood so far. Genres are catalog genre keys (`sci-fi`), items catalog ids."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field("", description="free-text description left after constraints were taken out")
    include_genres: list[str] = Field([], description="every one required: 'a sci-fi comedy'")
    any_genres: list[str] = Field([], description="at least one required: 'a mystery or an action movie'")
    exclude_genres: list[str] = []
    mood_genres: list[str] = Field([], description="soft: 'funny' boosts comedy without requiring it")
    year_min: int | None = None
    year_max: int | None = None
    exclude_years: list[tuple[int, int]] = Field([], description="inclusive year ranges ruled out: 'nothing from the "
                                                 "80s' -> (1980, 1989)")
    lean_year_min: int | None = Field(None, description="soft: '90s movies are the best' prefers them, requires nothing")
    lean_year_max: int | None = None
    price_min: float | None = Field(None, ge=0, description="an inclusive price range: 'under $20', 'between 10 and 30 euros'")
    price_max: float | None = Field(None, ge=0)
    people: list[str] = Field([], description="directors or cast asked for, casefolded")
    exclude_people: list[str] = Field([], description="directors or cast ruled out ('nothing with adam sandler'), "
                                      "casefolded: no item the catalog credits them on is shown")
    keywords: list[str] = Field([], description="catalog tags the request names, e.g. 'time travel'")
    names: list[str] = Field([], description="people named whom the catalog neither credits nor tags ('anything with "
                             "tom cruise' in a catalog without cast): what the sentence model makes of the name steers "
                             "the search a little; nothing is claimed of them and they are never quoted")
    exclude_keywords: list[str] = Field([], description="catalog tags the request rules out: 'no zombies'")
    avoid: list[str] = Field([], description="free words a request rules out ('not ww2 stuff', 'nothing about the "
                             "ocean'): the ranking steers away from them by meaning, never searches for them")
    liked: list[str] = []
    disliked: list[str] = []
    exclude_items: list[str] = Field([], description="shown items the user moved past or has seen")
    n: int | None = Field(None, ge=1, le=20)
    popular: bool | None = Field(None, description="soft: 'what's popular', 'the best ever' lean towards what many "
                                 "liked; False: 'hidden gems', 'nothing too mainstream' take that lean away")

    def is_empty(self) -> bool:
        return self == Preferences()


class Understanding(BaseModel):
    """What one message says: its intent, the preferences it adds, and what it refers to.

    `refs` are 0-based positions in the last shown list ("the second one" -> [1], "the last one" -> [-1]);
    `action` says what to do with them; `question` is what an `ask_item` message wants to know.
    """

    intent: Intent
    preferences: Preferences = Preferences()
    refs: list[int] = []
    action: Action | None = None
    question: Question | None = None
    target: str | None = Field(None, description="an item named in an ask_item question")
    also: list[str] = Field([], description="the other items a comparison names: 'compare Heat and Toy Story'")
    picked_by: str | None = Field(None, description="what a 'which' question picks the shown items by: 'newest' "
                                  "('which one is the newest?'), a mood or genre word ('funny': 'which of these is "
                                  "the funniest?')")
    wanted: list[str] = Field([], description="items the message names that the person has not seen yet: 'I want to "
                              "watch Heat', 'is Alien any good?'; they stay open to recommend")
    replace_genres: bool = Field(False, description="'a western instead': the new genres replace the wanted ones")
    unrecorded: list[Literal["price", "length", "subtitles", "language", "directors", "cast"]] = Field(
        [], description="facts asked to go by that the catalog does not record: 'price' in a catalog without "
        "prices, 'directors' and 'cast' ('by the same director') in one that credits nobody in that role, 'length' "
        "('under 90 minutes', 'something short'), 'subtitles' ('no subtitles') and 'language' ('foreign films "
        "only') in any")
    unknown_people: list[str] = Field([], description="people named whom the catalog neither credits nor tags "
                                      "('anything with tom cruise' where no item credits him): said so, never quoted")
    asked_count: int | None = Field(None, description="how many were asked for, when that is more than one list holds")
    lifted: list[str] = Field([], description="the preferences let go ('any decade is fine', 'forget the comedy "
                              "part'), as keys of `preference_chips`")
    language: str | None = Field(None, description="a message in a language the assistant does not read: which one "
                                 "('Spanish'), or 'encoded' for base64 text; never searched")
    read_by: str | None = Field(None, description="the reader that decided the intent (a name in the parser's "
                                "readers), or None when the intent rules did")


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    text: str
    items: list[str] = Field([], description="the catalog items the turn named: what a message named, what a reply "
                             "recommended (for the conversation logs `crs logs` writes)")


class Session(BaseModel):
    """One conversation: its dialogue state, what was shown last, and the transcript."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    preferences: Preferences = Preferences()
    shown: list[str] = []
    focus: str | None = Field(None, description="the item last talked about, for 'it' and 'that one'")
    asked: Question | None = Field(None, description="what the last question about an item asked ('and the 2nd?')")
    turns: list[Turn] = []
    mentioned: list[str] = Field([], description="every catalog item named in the conversation's words, oldest first")
    proposed: list[str] = Field([], description="items the assistant's side named first in an imported history (its "
                                "recommender turns), and items the person named as not seen yet ('I want to watch "
                                "Heat'): open suggestions until the person likes, turns down, has seen or moves past "
                                "them")
    wanted: list[str] = Field([], description="items the person named as not seen yet ('I want to watch Heat'): open "
                              "suggestions (in `proposed` too) and a sign of their taste, like the items they liked")
    recent: list[str] = Field([], description="the items named in the last user message")
    user_id: str | None = Field(None, description="a known user: their stored feedback personalises the results")
    pending_order_id: str | None = Field(None, description="an order number given without its email, until the email comes")
    pending_email: str | None = Field(None, description="an email given without its order number, until the number comes")
    failed_lookups: int = Field(0, description="order lookups that matched nothing; a few are allowed per session")
    support_misses: int = Field(0, description="support questions in a row the help pages could not answer")
    support_thread: str = Field("", description="the words of the support question last answered, while the "
                                "conversation stays on it: a follow-up ('its been 2 weeks') is read with them")
    support_passage: str | None = Field(None, description="the help passage that answered `support_thread`")


class GenreClaim(BaseModel):
    kind: Literal["genres"] = "genres"
    genres: list[str]


class YearClaim(BaseModel):
    kind: Literal["year"] = "year"
    year: int


class PriceClaim(BaseModel):
    kind: Literal["price"] = "price"
    price: float
    currency: str


class TagClaim(BaseModel):
    kind: Literal["tags"] = "tags"
    tags: list[str]


class CoLikedClaim(BaseModel):
    """People who liked the seed liked this item `lift` times as often as people overall (`n_users` liked both):
    co-occurrence over what the item's popularity alone would give (Catalog.lift), as stated (rounded)."""

    kind: Literal["co_liked"] = "co_liked"
    seed_id: str
    seed_title: str
    n_users: int
    lift: float


class SharedClaim(BaseModel):
    """Genres and tags the item has in common with an item the person liked."""

    kind: Literal["shared"] = "shared"
    seed_id: str
    seed_title: str
    genres: list[str] = []
    tags: list[str] = []


class SeriesClaim(BaseModel):
    """The item is a part of the same series as an item the person liked (retrieval.series: read from the titles)."""

    kind: Literal["series"] = "series"
    seed_id: str
    seed_title: str


class PopularityClaim(BaseModel):
    kind: Literal["popular"] = "popular"
    n_users: int


class PeopleClaim(BaseModel):
    kind: Literal["people"] = "people"
    role: Literal["director", "cast"]  # the item's `directors` or `cast` field
    names: list[str]
    said_as: str = ""  # how the pack says the role before the names ("Written by"); "" for a movie catalog's


Claim = Annotated[
    GenreClaim | YearClaim | PriceClaim | TagClaim | CoLikedClaim | SharedClaim | SeriesClaim | PopularityClaim
    | PeopleClaim,
    Field(discriminator="kind"),
]


class Recommendation(BaseModel):
    """One recommended item with the claims its explanation is made of."""

    item_id: str
    title: str
    year: int | None
    genres: list[str]
    price: float | None = None
    explanation: str
    score: float
    claims: list[Claim]


class Citation(BaseModel):
    """The help passage a support answer comes from."""

    passage_id: str
    document: str
    section: str

    @property
    def label(self) -> str:
        return f"{self.document} › {self.section}"


class Reply(BaseModel):
    """The assistant's answer to one message."""

    text: str
    intent: Intent
    recommendations: list[Recommendation] = []
    about_item: str | None = Field(None, description="the item an ask_item answer is about")
    summary: str | None = Field(None, description="the request as understood, in plain words")
    preferences: Preferences = Preferences()
    notice: str | None = Field(None, description="machine-readable reason when the message could not be used")
    citations: list[Citation] = Field([], description="help passages a support answer is taken from, best first")
    handoff: bool = Field(False, description="the conversation is with a person now; the assistant stays quiet")
    timings_ms: dict[str, float] = Field({}, description="time per stage of this turn, for benchmarks and debugging")
