"""What the ranker is asked for a session: the search vector, the context its models see, the hard constraints
and the boosts, read off the dialogue state and the known user's stored feedback; and the ranking it gives back."""

from __future__ import annotations

import functools
import time

import numpy as np

from assistant.dialogue.state import lean_years
from assistant.engine import Engine
from assistant.dialogue.feedback import FeedbackStore
from assistant.models import Preferences, Session
from retrieval.catalog import fold_text
from retrieval.constraints import Constraints, implied_in, open_in
from retrieval.ranker import Ranking
from retrieval.recommenders import Context

POPULAR_BOOSTED = 300  # "what's popular" boosts this many of the most liked items
WELL_KNOWN_MAX = 5_000  # "hidden gems" lowers the best-known quarter of the liked items, at most this many
SERIES_WORDS = (1, 2, 3, 4)  # how many leading words of a title may name a series ("batman", "lord of the rings")
WORDS_TURNS = 4  # how many recent user messages make up "the person's own words" for text similarity


class SessionRanking:
    """Turns a session into a ranking request and ranks it; one per assistant, shared by its sessions."""

    def __init__(self, engine: Engine, feedback_store: FeedbackStore | None = None) -> None:
        self.engine = engine
        self.feedback_store = feedback_store
        # which genres stand in for one the catalog leaves out ("children" <- "animation"), read off the catalog once
        self.implied_genres = implied_in(engine.catalog)
        # which facts the catalog records too seldom for their absence to rule an item out (retrieval.constraints)
        self.open_fields = open_in(engine.catalog)

    def query_text(self, prefs: Preferences) -> str:
        """The words of the search vector: the description, keywords, people and names the catalog lacks (their
        meaning to the sentence model), and the wanted genres' names where
        the catalog's items give no centroid for them (`genre_vector`)."""
        genres = self.engine.catalog.genres
        wanted = [] if self.genre_vector(prefs) is not None else \
            [genres.get(g, g) for g in prefs.include_genres + prefs.any_genres + prefs.mood_genres]
        words = [prefs.query, *prefs.keywords, *prefs.people, *prefs.names, *wanted]
        return " ".join(w for w in words if w).strip()

    def genre_vector(self, prefs: Preferences) -> np.ndarray | None:
        """The wanted genres as a search direction when nothing but genres describes the request ("romance movies",
        "a horror movie but not too gory"): the mean of their items' centroids (retrieval.hot), unit length. The
        genre's name embedded alone finds the titles that carry the word (Romance (1999), Hood of Horror) first;
        beside other words ("a documentary about food", "keep me on the edge of my seat" leaning Thriller) the
        names are embedded with them, which those words need. None then, or when no genre is wanted, or when the
        store keeps no copy in memory, or in a catalog that records genres too seldom to close them."""
        keys = list(dict.fromkeys(prefs.include_genres + prefs.any_genres + prefs.mood_genres))
        hot = self.engine.store.hot
        if not keys or hot is None or any([prefs.query, *prefs.keywords, *prefs.people, *prefs.names]) \
                or "genres" in self.open_fields:
            return None  # a catalog that leaves genres open (retrieval.constraints.open_in): the genre's items are not
            # the genre, and the ones without the field would be searched away
        centroids = [c for g in keys if (c := hot.centroid(g)) is not None]
        if len(centroids) < len(keys):
            return None
        mean = np.mean(centroids, axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 0 else None

    def query_vector(self, prefs: Preferences, encoded: dict[str, np.ndarray] | None = None,
                     wanted: list[str] | None = None) -> np.ndarray | None:
        """The search vector (384,): `query_text` embedded (or taken from `encoded`), pulled towards the liked
        items and those the person wants to see (`wanted`); None when nothing describes the request (then
        popularity ranks)."""
        text = self.query_text(prefs)
        parts = []
        if text:
            parts.append(encoded[text] if encoded and text in encoded else self.engine.embedder.encode_turn([text])[text])
        if (genres := self.genre_vector(prefs)) is not None:
            parts.append(genres)
        seeds = list(dict.fromkeys([*prefs.liked, *(wanted or [])]))
        if seeds:
            liked = self.engine.store.vectors(seeds)
            if liked:
                parts.append(np.mean(list(liked.values()), axis=0))
        if not parts:
            return None
        q = np.sum(parts, axis=0)
        norm = float(np.linalg.norm(q))
        return q / norm if norm > 0 else None

    def context(self, session: Session, prefs: Preferences | None = None) -> Context:
        """What the ranker's models see: the conversation's words and named items, likes, and the
        known user's stored history."""
        prefs = prefs or session.preferences
        stored = self._latest(session.user_id)
        own = [t.text for t in session.turns if t.role == "user"]
        told = set(prefs.liked + prefs.disliked + prefs.exclude_items)
        # what the person wants to see says what they like, as what they liked does; it stays open
        wanted = [i for i in session.wanted if i not in told and i in self.engine.catalog]
        said, everything = " ".join(own[-WORDS_TURNS:]), " ".join(own)
        # a tag ruled out ("nothing too violent", "no zombies") rules out the items tagged with it (`constraints`) and
        # steers away from the rest by meaning: people tag a few items of a kind, not all (Fight Club lacks "violent");
        # so does a person ruled out, whose name is in the person's own words ("I hate Stephen King" is no search for
        # The Pale King)
        avoid = " ".join(dict.fromkeys([*prefs.avoid, *prefs.exclude_keywords, *prefs.exclude_people]))
        encoded = self.engine.embedder.encode_turn(list(dict.fromkeys(
            t for t in (self.query_text(prefs), said, everything, avoid) if t)))
        return Context(
            text=" ".join(t.text for t in session.turns),
            query=self.query_vector(prefs, encoded, wanted),
            words=encoded.get(said) if said else None,
            dialogue=encoded.get(everything) if everything else None,
            avoid=encoded.get(avoid) if avoid else None,
            liked=list(dict.fromkeys([*prefs.liked, *wanted])),
            disliked=list(dict.fromkeys([*prefs.disliked, *(i for i, k in stored.items() if k == "down")])),
            mentioned=list(session.mentioned),
            recent=list(session.recent),
            proposed=[i for i in session.proposed if i not in told],
            # the open suggestions under discussion now: the latest list's, and those the latest message named
            proposed_last=[i for i in dict.fromkeys([*session.shown, *session.recent])
                           if i in session.proposed and i not in told],
            history=self._ups(stored),
        )

    def history(self, user_id: str | None) -> list[str]:
        """A known user's stored positives: items they gave a thumbs up (none for anonymous sessions)."""
        return self._ups(self._latest(user_id))

    def _ups(self, stored: dict[str, str]) -> list[str]:
        return [i for i, kind in stored.items() if kind == "up" and i in self.engine.catalog]

    def _latest(self, user_id: str | None) -> dict[str, str]:
        if user_id is None or self.feedback_store is None:
            return {}
        return self.feedback_store.latest(self.engine.pack.name, user_id)

    def rank(self, session: Session, k: int, timings: dict[str, float] | None = None) -> Ranking:
        """The top-k candidates for the session: constraints, people/tag boosts, context, then the ranker."""
        timings = {} if timings is None else timings
        prefs = session.preferences
        t0 = time.perf_counter()
        ctx = self.context(session)
        timings["embed"] = (time.perf_counter() - t0) * 1000
        ranking = self.engine.ranker.recommend(ctx, self.constraints(session), k, mood_genres=prefs.mood_genres,
                                               boosts=self.boosts(prefs), lean_years=lean_years(prefs))
        timings.update(ranking.timings_ms)
        return ranking

    def constraints(self, session: Session) -> Constraints:
        """Hard constraints: asked-for genres and years; nothing liked, turned down, moved past, named by the person
        or tagged with what the person ruled out ("no zombies"), nor any crediting a person ruled out."""
        prefs = session.preferences
        tagged = [i for kw in prefs.exclude_keywords for i in self.engine.catalog.by_tag.get(kw, ())]
        tagged += [i for p in prefs.exclude_people for i in self.engine.catalog.items_with_person(p)]
        tagged += self.series_ruled_out(prefs)
        # what the person named is known to them; what the assistant's side proposed stays open, as the assistant's
        # own picks do live, until the person turns it down, has seen it or moves past it
        told = [i for i in session.mentioned if i not in session.proposed]
        return Constraints(
            include_genres=frozenset(prefs.include_genres),
            any_genres=frozenset(prefs.any_genres),
            exclude_genres=frozenset(prefs.exclude_genres),
            year_min=prefs.year_min,
            year_max=prefs.year_max,
            exclude_years=frozenset(prefs.exclude_years),
            price_min=prefs.price_min,
            price_max=prefs.price_max,
            exclude_ids=frozenset(prefs.liked + prefs.disliked + prefs.exclude_items + told + tagged
                                  + [i for i, kind in self._latest(session.user_id).items() if kind in ("down", "seen")]),
            implied=self.implied_genres,
            open_fields=self.open_fields,
        )

    def series_ruled_out(self, prefs: Preferences) -> list[str]:
        """The items of a series the person ruled out: words ruled out that open two or more titles ("not harry
        potter": every Harry Potter film; "no star wars", a tag, also every title it opens; "not batman ones"), and
        the titles that go on from a film turned down ("not lord of the rings" names The Lord of the Rings (1978);
        its series goes with it). A film turned down names its series by two words or more, so turning down Alien
        leaves Alien Nation alone. The openings are indexed once, on the first turn that rules something out."""
        heads = [fold_text(w) for w in prefs.avoid + prefs.exclude_keywords]
        heads += [h for i in prefs.disliked if i in self.engine.catalog
                  and len((h := _head(self.engine.catalog.get(i).title)).split()) >= 2]
        return [i for h in heads if h for i in self._series.get(h, ())]

    @functools.cached_property
    def _series(self) -> dict[str, tuple[str, ...]]:
        """Title openings of SERIES_WORDS words shared by two or more items -> those items."""
        found: dict[str, list[str]] = {}
        for item in self.engine.catalog:
            words = _head(item.title).split()
            for n in SERIES_WORDS:
                if len(words) >= n:
                    found.setdefault(" ".join(words[:n]), []).append(item.id)
        return {h: tuple(ids) for h, ids in found.items() if len(ids) >= 2}

    def boosts(self, prefs: Preferences) -> dict[str, float]:
        """Items the request points at directly: a named person's work, a tag's items."""
        catalog = self.engine.catalog
        boosts: dict[str, float] = {}
        for name in prefs.people:
            for iid in catalog.items_with_person(name):
                boosts[iid] = boosts.get(iid, 0.0) + 1.0
        for kw in prefs.keywords:
            for iid in catalog.by_tag.get(kw, ()):
                boosts[iid] = boosts.get(iid, 0.0) + 0.5
        if prefs.popular is not None:  # "what's popular" lifts the most liked items by how liked; "hidden gems" lowers
            # the best-known quarter, so a film just past the most liked (The Grand Budapest Hotel) is no gem either
            sign = 1.0 if prefs.popular else -1.0
            for row in self._most_liked if prefs.popular else self._well_known:
                iid = catalog.ids[row]
                boosts[iid] = boosts.get(iid, 0.0) + sign * float(catalog.popularity[row])
        return boosts

    @functools.cached_property
    def _well_known(self) -> np.ndarray:
        pop = self.engine.catalog.popularity
        liked = int((pop > 0).sum())
        return np.argsort(-pop, kind="stable")[: min(WELL_KNOWN_MAX, max(POPULAR_BOOSTED, liked // 4))]

    @functools.cached_property
    def _most_liked(self) -> np.ndarray:
        pop = self.engine.catalog.popularity
        return np.argsort(-pop, kind="stable")[: min(POPULAR_BOOSTED, int((pop > 0).sum()))]


def _head(title: str) -> str:
    """A title normalised for series: no year or other brackets, no leading article ("The Lord of the Rings (1978)"
    -> "lord of the rings")."""
    words = fold_text(title.split(" (")[0]).split()
    return " ".join(words[1:] if words[:1] in (["the"], ["a"], ["an"]) else words)
