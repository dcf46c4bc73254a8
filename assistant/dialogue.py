"""Dialogue state: how one message's preferences merge into what the conversation wants so far.

Later beats earlier: asking for a genre removes an earlier exclusion of it and vice versa;
a new year range replaces the old one; a new description replaces the old one; liked and
disliked items accumulate, and liking an item takes it off the disliked list (and back).
"""

from __future__ import annotations

from assistant.models import Preferences


def _merge_lists(old: list[str], added: list[str], removed: list[str]) -> list[str]:
    out = [x for x in old if x not in removed]
    return out + [x for x in added if x not in out]


def merge(state: Preferences, new: Preferences) -> Preferences:
    """The state after a message that said `new`."""
    include = _merge_lists(state.include_genres, new.include_genres, new.exclude_genres + new.mood_genres)
    exclude = _merge_lists(state.exclude_genres, new.exclude_genres, new.include_genres + new.mood_genres)
    mood = _merge_lists(state.mood_genres, new.mood_genres, new.exclude_genres + new.include_genres)
    ranged = new.year_min is not None or new.year_max is not None
    return Preferences(
        query=new.query or state.query,
        include_genres=include,
        exclude_genres=exclude,
        mood_genres=mood,
        year_min=new.year_min if ranged else state.year_min,
        year_max=new.year_max if ranged else state.year_max,
        liked=_merge_lists(state.liked, new.liked, new.disliked),
        disliked=_merge_lists(state.disliked, new.disliked, new.liked),
        n=new.n or state.n,
    )
