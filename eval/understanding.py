"""`crs eval understanding`: slot F1, exact match, intent and dialogue-state accuracy per backend.

Cases are data (eval/data/understanding.yaml); the metrics below say what they compare.
Utterances are understood with no prior conversation; dialogues run turn by turn through
the full assistant, so list references ("the second one") resolve against what it showed.
"""

from __future__ import annotations

import copy
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field

from assistant.models import Preferences, Session

DATA = Path(__file__).parent / "data" / "understanding.yaml"
SET_SLOTS = ("include_genres", "any_genres", "exclude_genres", "mood_genres", "people", "keywords", "liked", "disliked")
SCALAR_SLOTS = ("year_min", "year_max", "lean_year_min", "lean_year_max", "n")
SLOTS = SET_SLOTS + SCALAR_SLOTS
STATE_SLOTS = SLOTS + ("exclude_items",)


class UtteranceCase(BaseModel):
    """One labelled message; slots left out are expected empty."""

    model_config = ConfigDict(extra="forbid")
    text: str
    intent: str
    include_genres: list[str] = []
    any_genres: list[str] = []
    exclude_genres: list[str] = []
    mood_genres: list[str] = []
    people: list[str] = []
    keywords: list[str] = []
    liked: list[str] = []
    disliked: list[str] = []
    year_min: int | None = None
    year_max: int | None = None
    lean_year_min: int | None = None
    lean_year_max: int | None = None
    n: int | None = None
    target: str | None = None
    question: str | None = None


class DialogueTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str
    intent: str
    state: dict = Field(default_factory=dict)


class Dialogue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    turns: list[DialogueTurn]


class UnderstandingSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    utterances: list[UtteranceCase]
    dialogues: list[Dialogue]


def load_set(path: Path = DATA) -> UnderstandingSet:
    return UnderstandingSet.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


# how a set's messages may be typed again, to measure whether a reading depends on the capitals: every word
# capitalised (a phone keyboard's title case, "I Don't Like Horror") or all in capitals ("SCARY MOVIES NOW")
TYPINGS: dict[str, Callable[[str], str]] = {
    "as-written": lambda text: text,
    "title-case": lambda text: re.sub(r"(?:^|(?<=\s))([a-z])", lambda m: m.group(1).upper(), text),
    "capitals": str.upper,
    "lower-case": str.lower,
}


def retyped(cases: UnderstandingSet, typing: str) -> UnderstandingSet:
    """`cases` with every message typed as `typing` (a key of `TYPINGS`) says; the labels stay as they are."""
    retype = TYPINGS[typing]
    out = cases.model_copy(deep=True)
    for u in out.utterances:
        u.text = retype(u.text)
    for d in out.dialogues:
        for t in d.turns:
            t.user = retype(t.user)
    return out


def name_index(catalog) -> dict[str, str]:
    """Catalog name ('Title (Year)') -> item id."""
    return {it.name: it.id for it in catalog}


def _ids(names: Iterable[str], names_to_ids: dict[str, str]) -> set[str]:
    out = set()
    for n in names:
        if n not in names_to_ids:
            raise ValueError(f"labelled title {n!r} is not in the catalog")
        out.add(names_to_ids[n])
    return out


def _slot_values(prefs: Preferences | UtteranceCase, slot: str) -> set:
    value = getattr(prefs, slot)
    if slot in SCALAR_SLOTS:
        return set() if value is None else {value}
    return set(value)


class SlotScores:
    """Micro-averaged precision/recall/F1 over (slot, value) pairs, per slot and overall."""

    def __init__(self) -> None:
        self.tp: dict[str, int] = defaultdict(int)
        self.fp: dict[str, int] = defaultdict(int)
        self.fn: dict[str, int] = defaultdict(int)

    def add(self, slot: str, expected: set, got: set) -> None:
        self.tp[slot] += len(expected & got)
        self.fp[slot] += len(got - expected)
        self.fn[slot] += len(expected - got)

    @staticmethod
    def f1(tp: int, fp: int, fn: int) -> float:
        return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)

    def per_slot(self) -> dict[str, float]:
        return {s: self.f1(self.tp[s], self.fp[s], self.fn[s]) for s in SLOTS}

    def overall(self) -> float:
        return self.f1(sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values()))


def _resolve_state(state: dict, shown: dict[int, list[str]], names_to_ids: dict[str, str]) -> dict[str, set]:
    """Expected state with titles as ids and '@tN[i]' references resolved against what turn N showed."""
    out: dict[str, set] = {}
    for slot in STATE_SLOTS:
        raw = state.get(slot)
        if slot in SCALAR_SLOTS:
            out[slot] = set() if raw is None else {raw}
            continue
        values: set = set()
        for v in raw or []:
            m = re.fullmatch(r"@t(\d+)\[(\*|-?\d+)\]", str(v))
            if m:
                listed = shown.get(int(m.group(1)), [])
                if m.group(2) == "*":
                    values |= set(listed)
                elif -len(listed) <= int(m.group(2)) < len(listed):
                    values.add(listed[int(m.group(2))])
                else:
                    values.add(f"<missing {v}>")
            elif slot in ("liked", "disliked", "exclude_items"):
                values |= _ids([v], names_to_ids)
            else:
                values.add(v)
        out[slot] = values
    return out


def evaluate_backend(assistant, cases: UnderstandingSet, progress: bool = True) -> dict:
    """All metrics for one assistant (its backend decides how messages are understood)."""
    from tqdm import tqdm

    catalog = assistant.engine.catalog
    names_to_ids = name_index(catalog)
    scores = SlotScores()
    exact = intent_ok = 0
    latencies: list[float] = []
    errors: list[dict] = []
    for case in tqdm(cases.utterances, desc=f"utterances [{assistant.backend.name}]", disable=not progress):
        t0 = time.perf_counter()
        u = assistant.backend.understand(case.text, Session())
        latencies.append((time.perf_counter() - t0) * 1000)
        expected = {s: _slot_values(case, s) for s in SLOTS}
        expected["liked"] = _ids(case.liked, names_to_ids)
        expected["disliked"] = _ids(case.disliked, names_to_ids)
        got = {s: _slot_values(u.preferences, s) for s in SLOTS}
        for s in SLOTS:
            scores.add(s, expected[s], got[s])
        target_ok = case.target is None or (u.target == names_to_ids.get(case.target) and u.question == case.question)
        intent_ok += u.intent == case.intent
        if u.intent == case.intent and expected == got and target_ok:
            exact += 1
        else:
            errors.append({"text": case.text, "intent": [case.intent, u.intent],
                           **{s: [sorted(map(str, expected[s])), sorted(map(str, got[s]))]
                              for s in SLOTS if expected[s] != got[s]}})

    state_ok = turns = turn_intent_ok = 0
    for dialogue in tqdm(cases.dialogues, desc=f"dialogues [{assistant.backend.name}]", disable=not progress):
        session = Session()
        shown: dict[int, list[str]] = {}
        for i, turn in enumerate(dialogue.turns, start=1):
            reply = assistant.respond(session, turn.user)
            shown[i] = [r.item_id for r in reply.recommendations] or shown.get(i - 1, [])
            expected = _resolve_state(turn.state, shown, names_to_ids)
            got = {s: _slot_values(session.preferences, s) if s != "exclude_items"
                   else set(session.preferences.exclude_items) for s in STATE_SLOTS}
            turns += 1
            turn_intent_ok += reply.intent == turn.intent
            if expected == got and reply.intent == turn.intent:
                state_ok += 1
            else:
                errors.append({"dialogue": dialogue.name, "turn": i, "user": turn.user,
                               "intent": [turn.intent, reply.intent],
                               **{s: [sorted(map(str, expected[s])), sorted(map(str, got[s]))]
                                  for s in STATE_SLOTS if expected[s] != got[s]}})
    n = len(cases.utterances)
    stats = dict(getattr(assistant.backend, "stats", {}))
    return {
        "model_calls": stats,
        "slot_f1": round(scores.overall(), 4),
        "per_slot_f1": {k: round(v, 4) for k, v in scores.per_slot().items()},
        "exact_match": _share(exact, n),
        "intent_accuracy": _share(intent_ok, n),
        "state_accuracy": _share(state_ok, turns),  # None: a set with no dialogues
        "dialogue_intent_accuracy": _share(turn_intent_ok, turns),
        "latency_p50_ms": round(float(np.percentile(latencies, 50)), 2) if latencies else None,
        "latency_p95_ms": round(float(np.percentile(latencies, 95)), 2) if latencies else None,
        "n_utterances": n,
        "n_dialogues": len(cases.dialogues),
        "n_turns": turns,
        "errors": errors,
    }


def _share(right: int, of: int) -> float | None:
    return round(right / of, 4) if of else None


def print_table(results: dict[str, dict]) -> None:
    """Backends side by side."""
    names = list(results)
    rows = [("slot F1", "slot_f1"), ("exact match", "exact_match"), ("intent accuracy", "intent_accuracy"),
            ("state accuracy", "state_accuracy"), ("latency p50 ms", "latency_p50_ms"),
            ("latency p95 ms", "latency_p95_ms")]
    print(f"{'':<22}" + "".join(f"{n:>12}" for n in names))
    for label, key in rows:
        print(f"{label:<22}" + "".join(f"{results[n][key]!s:>12}" for n in names))  # None: nothing to measure
    print("per-slot F1:")
    for slot in SLOTS:
        print(f"  {slot:<20}" + "".join(f"{results[n]['per_slot_f1'][slot]:>12}" for n in names))
    first = results[names[0]]
    print(f"({first['n_utterances']} utterances, {first['n_dialogues']} dialogues / {first['n_turns']} turns; "
          "targets: slot F1 >= 0.90, state accuracy >= 0.90)")


# the learned reader's classes for the set's intents
CLASS_OF = {"recommend": "request", "refine": "request", "ask_item": "ask_item", "accept": "accept",
            "support": "support", "handoff": "support", "chitchat": "small_talk", "out_of_scope": "off_topic",
            "reset": "reset"}


def reader_report(parser, cases: UnderstandingSet) -> dict:
    """Intent accuracy per reader over the set's single messages: the rules alone (the parser without its learned
    readers), the learned intent reader alone (its class for each message, mapped as `CLASS_OF`, and how often it
    is sure), and both as the parser reconciles them, with what the learned reader changed. Empty when the
    parser has no learned reader."""
    from assistant.understanding.learned import LearnedIntent
    from assistant.understanding.readers import READERS

    learned = next((r for _, r in parser.readers if isinstance(r, LearnedIntent)), None)
    if learned is None:
        return {}
    texts = [c.text for c in cases.utterances] + [t.user for d in cases.dialogues for t in d.turns]
    gold = [c.intent for c in cases.utterances] + [t.intent for d in cases.dialogues for t in d.turns]
    single = len(cases.utterances)
    mine = parser.readers
    try:
        parser.readers = READERS
        rules = [parser.parse(t, Session()).intent for t in texts[:single]]
    finally:
        parser.readers = mine
    both = [parser.parse(t, Session()).intent for t in texts[:single]]
    guesses = [learned.guess(t) for t in texts]
    sure = [(label, CLASS_OF[g]) for (label, chance), g in zip(guesses, gold, strict=True) if chance >= learned.sure]
    singles = list(zip(texts, gold, rules, both, strict=False))  # rules and both cover the single messages
    changed = [{"text": t, "gold": g, "rules": a, "reconciled": b} for t, g, a, b in singles if a != b]
    return {
        "rules_intent_accuracy": round(float(np.mean([a == g for a, g in zip(rules, gold, strict=False)])), 4),
        "reconciled_intent_accuracy": round(float(np.mean([b == g for b, g in zip(both, gold, strict=False)])), 4),
        "learned_class_accuracy": round(float(np.mean([label == CLASS_OF[g] for (label, _), g
                                                       in zip(guesses, gold, strict=True)])), 4),
        "learned_sure_share": round(len(sure) / len(texts), 4),
        "learned_sure_accuracy": round(float(np.mean([a == b for a, b in sure])), 4) if sure else None,
        "sure_at": learned.sure,
        "n_messages": len(texts),
        "changed": changed,
    }


def print_per_reader(heading: str, rules, learned, both, learned_as: str = "learned alone",
                     both_as: str = "rules + learned") -> None:
    """A reader's figures side by side: the rules alone, the learned reader alone, both as the parser reconciles
    them."""
    print(heading)
    for label, value in (("rules alone", rules), (learned_as, learned), (both_as, both)):
        print(f"  {label:27} {value}")


def print_readers(report: dict) -> None:
    if not report:
        return
    print_per_reader(
        f"\nper reader, intent ({report['n_messages']} messages; the learned reader alone on all, rules and "
        "reconciled on the single messages):", report["rules_intent_accuracy"],
        f"{report['learned_class_accuracy']}; sure (>= {report['sure_at']}) on {report['learned_sure_share']:.0%}, "
        f"right there {report['learned_sure_accuracy']}",
        f"{report['reconciled_intent_accuracy']} ({len(report['changed'])} readings changed by the learned reader)",
        learned_as="learned alone (its classes)")
    for c in report["changed"][:10]:
        print(f"    {c['text'][:60]!r}: {c['rules']} -> {c['reconciled']} (labelled {c['gold']})")


def tag_moods(parser, catalog, min_items: int = 3, share: float = 0.5, lift: float = 2.0) -> list[tuple[str, set[str]]]:
    """Requests nobody here wrote, for the mood reader: the tags people put on a catalog's items (each on at least
    `min_items` items, and naming no genre the parser reads), each with the genres it implies: those held by at
    least `share` of its items and `lift` times as often as in the whole catalog ("twist ending": Thriller and
    Mystery; "will ferrell": Comedy). Tags that imply none are left out."""
    n = len(catalog)
    overall = Counter(g for item in catalog for g in item.genre_keys)
    cases = []
    for tag, ids in sorted(catalog.by_tag.items()):
        ids = set(ids)
        if len(ids) < min_items or parser.genres_in(tag):
            continue
        counts = Counter(g for i in ids for g in catalog.get(i).genre_keys)
        implied = {g for g, c in counts.items() if c / len(ids) >= share and (c / len(ids)) / (overall[g] / n) >= lift}
        if implied:
            cases.append((tag, implied))
    return cases


def mood_report(parser, catalog, cases: UnderstandingSet) -> dict:
    """The learned mood reader, measured where it reads: genres read from the tags people put on the catalog's
    items (`tag_moods`; a genre read is right when the tag implies it), by the rules alone and with the reader;
    and the labelled set's single messages whose reading the reader changed (it must change none it should not).
    Empty when the parser has no mood reader."""
    from assistant.understanding.moods import LearnedMood
    from assistant.understanding.names import CatalogNames

    mine = parser.readers
    if not any(isinstance(r, LearnedMood) for _, r in mine):
        return {}
    rules_only = tuple((n, r) for n, r in mine if not isinstance(r, LearnedMood))
    tags = tag_moods(parser, catalog)
    # the tags read as a catalog that does not carry them would: as words, not as the catalog's keywords
    untagged = copy.copy(parser)
    untagged.keywords = set()
    untagged.names = CatalogNames(catalog, set(), parser._phrase_genres)  # its tag names read as words too
    untagged.__dict__["_tag_words"] = frozenset()
    out: dict = {"n_tags": len(tags)}
    readings: dict[str, list] = {}
    try:
        for name, readers in (("rules", rules_only), ("with mood reader", mine)):
            parser.readers = untagged.readers = readers
            tp = fp = fn = 0
            for tag, implied in tags:
                p = untagged.parse(tag, Session()).preferences
                read = set(p.include_genres + p.any_genres + p.mood_genres)
                tp, fp, fn = tp + len(read & implied), fp + len(read - implied), fn + (not read & implied)
            out[name] = {"precision": round(tp / (tp + fp), 3) if tp + fp else None,
                         "recall": round((len(tags) - fn) / len(tags), 3) if tags else None, "read": tp + fp}
            readings[name] = [parser.parse(c.text, Session()) for c in cases.utterances]
    finally:
        parser.readers = mine
    out["changed"] = [{"text": c.text, "rules": a.preferences.mood_genres, "with": b.preferences.mood_genres}
                      for c, a, b in zip(cases.utterances, readings["rules"], readings["with mood reader"], strict=True)
                      if a != b]
    return out


def print_moods(report: dict) -> None:
    if not report:
        return
    print(f"\nmoods: genres read from {report['n_tags']} tags people put on the catalog's items, read as words (right "
          "when at least half the items so tagged have it, twice as often as the catalog):")
    for name in ("rules", "with mood reader"):
        r = report[name]
        print(f"  {name:18} precision {r['precision']}, recall {r['recall']} ({r['read']} genres read)")
    print(f"  labelled messages the mood reader changed: {len(report['changed'])}")
    for c in report["changed"][:10]:
        print(f"    {c['text'][:60]!r}: leaning {c['rules']} -> {c['with']}")


REFERENCES = Path(__file__).parent / "data" / "references.yaml"


class RefCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    refs: list[int]  # 1-based positions in the list shown; empty: none


class RefSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    shown: str  # the request that puts the list on screen
    cases: list[RefCase]


def ref_report(assistant, cases: UnderstandingSet, path: Path = REFERENCES) -> dict:
    """Which shown item a message points at, per reader, on eval/data/references.yaml: the rules' ordinals alone
    (the parser without the learned reference reader), the learned reader alone (its position when sure, else
    none) and both as the parser reconciles them; a reading is right when its positions are the labelled ones.
    Also the understanding set's single messages, read with a list shown, whose positions the learned reader
    changed. Empty when the parser has no learned reference reader."""
    from assistant.understanding.references import LearnedReference

    parser = assistant.engine.parser
    mine = parser.readers
    learned = next((r for _, r in mine if isinstance(r, LearnedReference)), None)
    if learned is None:
        return {}
    refs = RefSet.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    session = Session()
    for _ in assistant.stream(session, refs.shown):
        pass
    n = len(session.shown)

    def positions(found: Iterable[int]) -> list[int]:
        return sorted({x % n + 1 for x in found if -n <= x < n})

    def read(readers, text: str) -> list[int]:
        parser.readers = readers
        return positions(parser.parse(text, session.model_copy(deep=True)).refs)

    rules_only = tuple((name, r) for name, r in mine if not isinstance(r, LearnedReference))
    texts = [c.text for c in refs.cases]
    try:
        found = {"rules": [read(rules_only, t) for t in texts],
                 "learned": [positions(learned.refs(t, n)) for t in texts],
                 "both": [read(mine, t) for t in texts]}
        changed = []
        for c in cases.utterances:
            a, b = read(rules_only, c.text), read(mine, c.text)
            if a != b:
                changed.append({"text": c.text, "rules": a, "with": b})
    finally:
        parser.readers = mine
    gold = [sorted(c.refs) for c in refs.cases]
    out: dict = {"n": len(texts), "sure_at": learned.sure, "changed": changed}
    for name, got in found.items():
        out[name] = round(float(np.mean([g == w for g, w in zip(got, gold, strict=True)])), 4)
    out["wrong"] = [{"text": t, "labelled": w, "read": g} for t, g, w in zip(texts, found["both"], gold, strict=True)
                    if g != w]
    return out


def print_refs(report: dict) -> None:
    if not report:
        return
    print_per_reader(f"\nreferences: which shown item a message points at ({report['n']} messages of "
                     "eval/data/references.yaml; right when the positions are the labelled ones):",
                     report["rules"], report["learned"], report["both"],
                     learned_as=f"learned alone (>= {report['sure_at']})")
    for c in report["wrong"]:
        print(f"    {c['text'][:60]!r}: read {c['read']}, labelled {c['labelled']}")
    print("  labelled messages, with a list shown, whose positions the learned reader changed: "
          f"{len(report['changed'])}")
    for c in report["changed"][:10]:
        print(f"    {c['text'][:60]!r}: {c['rules']} -> {c['with']}")
