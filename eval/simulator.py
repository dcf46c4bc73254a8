"""`crs eval simulate`: simulated users looking for a hidden target item, with a leak check.

Each episode picks a target (a seeded sample of items at least `min_ratings` people rated, so it is
findable) and a simulated user who knows only the target's attributes: its genres, its decade and the
tags people put on it. The user opens with a genre and a decade and, while the target is not among
the recommendations, reveals one more attribute per turn. The episode succeeds at the turn the target
is recommended.

Simulator evaluations are known to leak the target to the system (arXiv 2403.16416): a user that
says the title makes the task trivial. So every message the simulated user is about to send is
checked (`leaks`): the target's title, its title without the leading article, and its item id may not
appear. A leaking message is never sent; the episode ends there as a failure and is counted in
`leaks`. The deterministic user drops attributes that would leak (a tag "star wars" on Star Wars);
the LLM-driven user (`--simulator llm`) is checked the same way.
"""

from __future__ import annotations

import random
import re
import statistics
import unicodedata
from dataclasses import dataclass, field

from tqdm import tqdm

from assistant.models import Reply, Session
from retrieval.catalog import Item

_ARTICLE = re.compile(r"^(?:the|a|an)\s+")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def title_forms(item: Item) -> list[str]:
    """The ways a message could name the item, normalised: its title as written, with a trailing ', The' moved to
    the front, without its leading article, and any alternative title in parentheses ("Motorcycle Diaries,
    The (Diarios de motocicleta)"). Forms of one or two letters are too common words to check."""
    title = re.sub(r"\s*\(\d{4}(?:[-–]\d{0,4})?\)\s*$", "", item.title)
    names = [title, *re.findall(r"\(([^()]*)\)", title)]
    names.append(re.sub(r"\s*\([^()]*\)", "", title))
    forms = set()
    for name in names:
        name = name.strip()
        m = re.match(r"^(.*), (The|A|An|Les|La|Le|L'|Das|Der|Die|El|Il)$", name)
        if m:
            name = f"{m[2]} {m[1]}"
        forms |= {_norm(name), _ARTICLE.sub("", _norm(name))}
    return sorted(f for f in forms if len(f) >= 3)


def leaks(message: str, item: Item) -> list[str]:
    """What in `message` gives the target away: its title (whole words) or its item id. Empty when nothing."""
    text = f" {_norm(message)} "
    found = [f"title '{form}'" for form in title_forms(item) if f" {form} " in text]
    if re.search(rf"(?<![\w-]){re.escape(item.id)}(?![\w-])", message):
        found.append(f"item id {item.id}")
    return found


@dataclass
class Episode:
    target: str
    success_turn: int | None = None
    baseline_turn: int | None = None
    leaked: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


class RuleUser:
    """A deterministic simulated user: reveals the target's attributes one per turn, never its title."""

    name = "rules"

    def __init__(self, item: Item, catalog) -> None:
        self.item = item
        genres = list(item.genres)
        decade = f"{item.year // 10 * 10}s" if item.year else None
        facts: list[str] = []
        if len(genres) > 1:
            facts.append(f"it should be {genres[1].lower()} too")
        facts += [f"something about {tag}" for tag in item.tags[:3]]
        credits = getattr(catalog, "credits", None)
        by = "with" if credits is None or credits.directors == "director" else credits.directed_by.lower()
        facts += [f"{by} {name}" for name in item.directors[:1]] + [f"with {name}" for name in item.cast[:2]]
        facts += [f"also {g.lower()}" for g in genres[2:4]]
        self.opening = " ".join(x for x in (
            f"I'm looking for a {genres[0].lower()} {catalog_noun(catalog)}" if genres else
            f"I'm looking for a {catalog_noun(catalog)}",
            f"from the {decade}" if decade else "",
        ) if x)
        self.facts = [f for f in facts if not leaks(f, item)]  # an attribute that names the item is not used

    def first(self) -> str:
        return self.opening

    def next(self, reply: Reply, turn: int) -> str:
        return self.facts[turn - 2] if turn - 2 < len(self.facts) else "something else"


class LLMUser(RuleUser):
    """The same knowledge, worded by a language model (any OpenAI-compatible server or the local model)."""

    name = "llm"

    def __init__(self, item: Item, catalog, chat) -> None:
        super().__init__(item, catalog)
        self.chat = chat

    def _say(self, what: str) -> str:
        messages = [
            ("system", "You are a customer chatting with a shop's assistant to find a movie. Write one short, "
                       "casual message (at most 20 words) that says what you are told to say. Never mention "
                       "any movie title."),
            ("user", f"Say this in your own words: {what}"),
        ]
        try:
            return " ".join(self.chat.complete(messages, max_tokens=60).split())[:300] or what
        except Exception:  # noqa: BLE001 -- a model fault: say it plainly instead
            return what

    def first(self) -> str:
        return self._say(self.opening)

    def next(self, reply: Reply, turn: int) -> str:
        return self._say(super().next(reply, turn))


def catalog_noun(catalog) -> str:
    return getattr(catalog, "noun", None) or "movie"


def pick_targets(catalog, n: int, seed: int = 0, min_ratings: int = 20, top_share: float = 0.25) -> list[Item]:
    """A seeded sample of findable targets: items at least `min_ratings` people rated, or in a catalog without
    interactions the `top_share` most popular by its own count; with a genre, or else a year and a person, to
    reveal."""
    if catalog.n_ratings:
        rows = [catalog.row[i] for i in catalog.ids if catalog.n_ratings.get(i, 0) >= min_ratings]
    else:
        order = sorted(range(len(catalog.ids)), key=lambda r: -float(catalog.popularity[r]))
        rows = sorted(r for r in order[: int(len(order) * top_share)] if catalog.popularity[r] > 0)
    pool = [catalog.get(catalog.ids[r]) for r in rows]
    pool = [item for item in pool if item.genres or (item.year and (item.directors or item.cast))]
    return random.Random(seed).sample(pool, min(n, len(pool)))


def run_simulation(assistant, targets: list[Item], make_user, max_turns: int = 5, progress: bool = True) -> dict:
    """Plays one episode per target; returns success@turn, average turns to success and leaks."""
    episodes = []
    for item in tqdm(targets, desc="simulated users", unit="user", disable=not progress):
        user = make_user(item)
        ep = Episode(item.id)
        session = Session()
        reply = None
        for turn in range(1, max_turns + 1):
            message = user.first() if turn == 1 else user.next(reply, turn)
            found = leaks(message, item)
            if found:  # enforced: never sent, and the episode fails
                ep.leaked = found
                break
            ep.messages.append(message)
            if ep.baseline_turn is None and item.id in _dense_top(assistant, ep.messages, 5):
                ep.baseline_turn = turn
            *_, reply = assistant.stream(session, message)
            if item.id in [r.item_id for r in reply.recommendations]:
                ep.success_turn = turn
                if ep.baseline_turn is None:  # the reference gets the same number of turns
                    for extra in range(turn + 1, max_turns + 1):
                        ep.messages.append(user.next(reply, extra))
                        if item.id in _dense_top(assistant, ep.messages, 5):
                            ep.baseline_turn = extra
                            break
                break
        episodes.append(ep)
    result = summarize(episodes, max_turns)
    result.update({"simulator": getattr(make_user, "simulator_name", "rules"), "backend": assistant.backend.name})
    return result


def summarize(episodes: list[Episode], max_turns: int) -> dict:
    """success@turn (share of episodes whose target was recommended by then), average turns to success over the
    successes, the baseline's success@turn, and the leaks caught."""
    n = len(episodes)
    turns = [e.success_turn for e in episodes if e.success_turn]
    base = [e.baseline_turn for e in episodes if e.baseline_turn]
    leaked = [e for e in episodes if e.leaked]
    return {
        "n": n,
        "max_turns": max_turns,
        "success_rate": round(len(turns) / n, 4) if n else 0.0,
        "success@turn": {t: round(sum(1 for x in turns if x <= t) / n, 4) for t in range(1, max_turns + 1)} if n else {},
        "average_turns": round(statistics.mean(turns), 3) if turns else None,
        "baseline": "dense retrieval of the user's messages so far, top 5, no dialogue state (same messages)",
        "baseline_success@turn": {t: round(sum(1 for x in base if x <= t) / n, 4)
                                  for t in range(1, max_turns + 1)} if n else {},
        "leaks": len(leaked),
        "leak_rate": round(len(leaked) / n, 4) if n else 0.0,
        "leaked_examples": [{"target": e.target, "found": e.leaked} for e in leaked][:10],
    }


def _dense_top(assistant, messages: list[str], k: int) -> list[str]:
    vector = assistant.engine.embedder.encode_one(" ".join(messages))
    return [h.item_id for h in assistant.engine.store.search(vector, k)]


def print_simulation(result: dict) -> None:
    print(f"simulated users ({result['simulator']}) on {result['backend']}: {result['n']} targets, "
          f"up to {result['max_turns']} turns")
    print(f"{'success@turn':<34}" + "".join(f"{'@' + str(t):>8}" for t in result["success@turn"]))
    print(f"{'assistant':<34}" + "".join(f"{v:>8.3f}" for v in result["success@turn"].values()))
    print(f"{'dense baseline (same messages)':<34}" + "".join(f"{v:>8.3f}"
                                                             for v in result["baseline_success@turn"].values()))
    avg = result["average_turns"]
    print(f"success rate {result['success_rate']:.3f}, average turns to success "
          f"{'-' if avg is None else f'{avg:.2f}'}; leaks caught and not sent: {result['leaks']} "
          f"({result['leak_rate']:.1%})")
