"""A shown item pointed at by what the catalog says of it, not by its place: "the newest one", "the cheapest of
them", "the animated one", "the scary one". With a list shown, such a phrase is the item it describes when exactly
one shown item is it (the most or least of a field, or the only one of a genre), and the readers then see it as that
item's number: the phrase is rewritten "#2" in the masked text, offsets kept, so every reading of a shown item
("who directed the newest one", "more like the animated one", "not the scary one") works on it unchanged. The words
are package data (prompts/words.toml `described_refs`, the genre words and moods); the facts are the catalog's."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.understanding.lexicon import DESCRIBED_REFS, FILLER, GENRE_SYNONYMS, MOOD_GENRES, ORDINALS
from assistant.understanding.routing import EDGE, FROM_END, NUMBERED
from assistant.understanding.text import Span, mask
from retrieval.catalog import Catalog, Item, fold_text

_ONE = r"(?:one|movie|film|book|item|pick|title|of (?:them|those|these|the (?:two|three|four|five|lot|list)))"
# a shown item pointed at by what is in it: "the one with the spider", "the one about a shark", "the one starring
# tom hanks", "the spider one"; the words after it are tried longest first (`by_content`)
_THE_ONE_WITH = re.compile(
    r"\bthe\s+(?:one|movie|film|book|item)\s+(?:with|about|where|starring|featuring|by|that has|that's about)\s+"
    r"(?:(?:the|a|an|that|this|those|some|his|her|their)\s+)?(?P<words>[a-z0-9'-]+(?:\s+[a-z0-9'-]+){0,3})")
_THE_X_ONE = re.compile(r"\bthe\s+(?P<words>[a-z0-9'-]+(?:\s+[a-z0-9'-]+)?)\s+(?:one|movie|film|book)\b")


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    words = sorted({*DESCRIBED_REFS, *(w for ws in GENRE_SYNONYMS.values() for w in ws), *MOOD_GENRES},
                   key=len, reverse=True)
    return re.compile(r"\bthe\s+(?P<word>" + "|".join(map(re.escape, words)) + r")\s+" + _ONE + r"\b")


def _genres_of(word: str) -> set[str]:
    return {k for k, ws in GENRE_SYNONYMS.items() if word in ws} | set(MOOD_GENRES.get(word, ()))


def described(word: str, shown: list[str], catalog: Catalog) -> int | None:
    """The position of the one shown item `word` describes, or None when none or several are it."""
    items = [catalog.get(i) if i in catalog else None for i in shown]
    if word in DESCRIBED_REFS:
        field, end = DESCRIBED_REFS[word]
        values = [getattr(it, field) if it is not None else None for it in items]
        known = [(v, k) for k, v in enumerate(values) if v is not None]
        if len(known) < 2:
            return None
        best = max(v for v, _ in known) if end == "max" else min(v for v, _ in known)
        at = [k for v, k in known if v == best]
        return at[0] if len(at) == 1 else None
    genres = _genres_of(word)
    at = [k for k, it in enumerate(items) if it is not None and genres & set(it.genre_keys)]
    return at[0] if len(at) == 1 else None


def _facts(item: Item) -> tuple[set[str], set[str]]:
    """What the catalog says an item is made of: the words of its title and people's names, and its tags whole."""
    words = {w for text in (item.title, *item.directors, *item.cast) for w in fold_text(text).split()}
    return words, {fold_text(t) for t in item.tags}


def by_content(words: str, shown: list[str], catalog: Catalog) -> tuple[int, int] | None:
    """(position, how many of `words` it took) of the one shown item whose title or people hold the words, or that
    has them as a tag (the longest run of them that picks one), or None where none or several do. Filler, ordinals,
    short words and the words `described` reads ("the newest one", "the scary one") point at nothing here."""
    items = [catalog.get(i) if i in catalog else None for i in shown]
    facts = [_facts(it) if it is not None else (set(), set()) for it in items]
    said = words.split()
    for n in range(len(said), 0, -1):
        if said[n - 1] in FILLER:
            continue
        content = [w for w in said[:n] if w not in FILLER and w not in ORDINALS and len(w) >= 3
                   and w not in DESCRIBED_REFS and w not in MOOD_GENRES and not _genres_of(w)]
        if not content:
            continue
        at = [k for k, (named, tags) in enumerate(facts)
              if all(w in named or w.endswith("s") and w[:-1] in named for w in content) or " ".join(content) in tags]
        if len(at) == 1:
            return at[0], n
    return None


def criterion(word: str) -> str | None:
    """What "which of these is the X?" picks by, as `described` reads it: a field's most or least ("newest",
    "cheapest"), or a genre or mood word, said as it is ("animated") or as a superlative ("funniest", "scariest",
    "saddest", "most romantic"); None for anything else ("best" is a comparison, `compare`)."""
    word = " ".join(word.casefold().split())
    if word in DESCRIBED_REFS:
        return word
    bare = word.removeprefix("most ")
    stems = [bare]
    if bare == word and bare.endswith("iest"):
        stems.append(bare[:-4] + "y")  # funniest, scariest, creepiest
    elif bare == word and bare.endswith("est"):
        stems += [bare[:-3], bare[:-4], bare[:-3] + "e"]  # darkest, saddest, cutest
    return next((w for w in stems if w in MOOD_GENRES or _genres_of(w)), None)


def placed(m: re.Match[str], n: int) -> int | None:
    """The 0-based position in a list of `n` that a match of routing's EDGE, FROM_END or NUMBERED names, if the list
    has it: "the one at the bottom" is the last, "second from the bottom" the one before, "option 3" the third."""
    groups = m.groupdict()
    if groups.get("num"):
        pos = int(groups["num"]) - 1
    elif groups.get("ord"):
        back = ORDINALS[groups["ord"]]
        pos = n - 1 - back if back >= 0 else None  # "last from the bottom" names nothing
    else:
        pos = 0 if (groups.get("edge") or groups.get("edge2") or groups.get("edge3")) == "top" else n - 1
    return pos if pos is not None and 0 <= pos < n else None


def rewrite(masked: str, shown: list[str], catalog: Catalog) -> str:
    """`masked` with each phrase that points at one shown item written as its number: by what it is ("the newest
    one" -> "#3") or by its place in words ("the one at the bottom", "second from the bottom", "option 3")."""
    if not shown:
        return masked
    out = masked
    for m in _pattern().finditer(masked):
        position = described(m.group("word"), shown, catalog)
        if position is not None:
            out = mask(out, [Span(m.start(), m.end())], fill=f"#{position + 1}")
    for pattern in (_THE_ONE_WITH, _THE_X_ONE):
        for m in pattern.finditer(out):
            if "#" in m.group(0):
                continue
            found = by_content(m.group("words"), shown, catalog)
            if found is not None:
                position, n = found
                end = m.start("words") + list(re.finditer(r"\S+", m.group("words")))[n - 1].end()
                out = mask(out, [Span(m.start(), end)], fill=f"#{position + 1}")
    for pattern in (FROM_END, EDGE, NUMBERED):
        for m in pattern.finditer(out):
            position = placed(m, len(shown))
            if position is not None:
                out = mask(out, [Span(m.start(), m.end())], fill=f"#{position + 1}")
    return out
