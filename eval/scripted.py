"""`crs eval suite`: scripted multi-turn conversations with an expectation on every turn, runnable on any backend.

A suite is YAML (see eval/data/suites/demo.yaml):

    name: demo shop
    conversations:
      - name: refine a request
        turns:
          - say: sci-fi from the 90s
            intent: recommend              # the reply's intent (or a list of allowed ones)
            count: 5                       # at least this many recommendations
            genres_all: [Sci-Fi]           # every recommendation has each of these genres
            years: [1990, 1999]            # every recommendation is from this range
          - say: actually, no comedies
            genres_none: [Comedy]          # no recommendation has any of these
            must_exclude: [Galaxy Quest]   # titles that must not be recommended (substring, case-insensitive)
          - feedback: {item: 1, kind: down}  # on the last list's first item
          - say: sci-fi from the 90s
            must_exclude: ["@down"]        # "@down" / "@up" / "@seen": the items given that feedback so far
                                           # ("@shown": the last list shown)
          - say: how do I get a refund?
            intent: support
            cites: refunds#                # the first citation's passage id starts with this
            text_contains: [Return or refund]
          - say: let me talk to a person
            handoff: true

Every failed expectation is reported with the turn and the reason; nothing stops at the first failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from tqdm import tqdm

from assistant.models import Reply, Session
from eval.faithfulness import echoed, content_words

SUITES = Path(__file__).parent / "data" / "suites"
KNOWN_KEYS = {"say", "feedback", "intent", "count", "genres_all", "genres_none", "years", "must_include",
              "must_exclude", "cites", "handoff", "text_contains", "note"}


@dataclass
class TurnResult:
    conversation: str
    turn: int
    said: str
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def load_suite(path: Path) -> dict:
    suite = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(suite, dict) or not isinstance(suite.get("conversations"), list):
        raise ValueError(f"{path}: a suite needs a list of conversations")
    for conv in suite["conversations"]:
        for n, turn in enumerate(conv.get("turns", []), start=1):
            unknown = set(turn) - KNOWN_KEYS
            if unknown:
                raise ValueError(f"{path}: {conv.get('name')} turn {n}: unknown keys {sorted(unknown)}")
            if ("say" in turn) == ("feedback" in turn):
                raise ValueError(f"{path}: {conv.get('name')} turn {n}: needs exactly one of say or feedback")
    return suite


def check(turn: dict, reply: Reply, catalog, given: dict[str, list[str]], known: frozenset[str] = frozenset()) -> list[str]:
    """What is wrong with `reply` against the turn's expectations (empty when all hold); on every turn, that it
    repeats no run of the message's words that neither the catalog nor the help pages carry (`known`)."""
    problems = []
    if "say" in turn and (run := echoed(turn["say"], reply.text, known)):
        problems.append(f"echoed {run!r}")
    recs = reply.recommendations
    if "intent" in turn:
        allowed = turn["intent"] if isinstance(turn["intent"], list) else [turn["intent"]]
        if reply.intent not in allowed:
            problems.append(f"intent {reply.intent}, expected {' or '.join(allowed)}")
    if "count" in turn and len(recs) < turn["count"]:
        problems.append(f"{len(recs)} recommendations, expected at least {turn['count']}")
    for rec in recs:
        missing = [g for g in turn.get("genres_all", []) if g not in rec.genres]
        if missing:
            problems.append(f"{rec.title} lacks {', '.join(missing)}")
        unwanted = [g for g in turn.get("genres_none", []) if g in rec.genres]
        if unwanted:
            problems.append(f"{rec.title} is {', '.join(unwanted)}")
        if "years" in turn:
            lo, hi = turn["years"]
            if rec.year is None or not lo <= rec.year <= hi:
                problems.append(f"{rec.title} is from {rec.year}, outside {lo}-{hi}")
    titles = [r.title.casefold() for r in recs]
    for want in turn.get("must_include", []):
        if not any(want.casefold() in t for t in titles):
            problems.append(f"{want} was not recommended")
    for unwanted in turn.get("must_exclude", []):
        if unwanted.startswith("@"):
            ids = set(given.get(unwanted[1:], []))
            hit = [r.title for r in recs if r.item_id in ids]
            if hit:
                problems.append(f"recommended again after {unwanted[1:]}: {', '.join(hit)}")
        elif any(unwanted.casefold() in t for t in titles):
            problems.append(f"{unwanted} was recommended")
    if "cites" in turn:
        cited = reply.citations[0].passage_id if reply.citations else None
        if not cited or not cited.startswith(turn["cites"]):
            problems.append(f"cited {cited}, expected {turn['cites']}…")
    if "handoff" in turn and reply.handoff != turn["handoff"]:
        problems.append(f"handoff {reply.handoff}, expected {turn['handoff']}")
    seen = " ".join([reply.text, *(r.explanation for r in reply.recommendations)]).casefold()  # text and cards
    for text in turn.get("text_contains", []):
        if text.casefold() not in seen:
            problems.append(f"reply lacks {text!r}")
    return problems


def run_suite(assistant, suite: dict, progress: bool = True) -> dict:
    """Plays every conversation of the suite in a fresh session; returns pass rates and every failure."""
    results: list[TurnResult] = []
    catalog = assistant.engine.catalog
    known = content_words(assistant)
    conversations = suite["conversations"]
    for conv in tqdm(conversations, desc="conversations", unit="conv", disable=not progress):
        session = Session(user_id=conv.get("user_id"))
        given: dict[str, list[str]] = {"up": [], "down": [], "seen": []}
        last: Reply | None = None
        for n, turn in enumerate(conv.get("turns", []), start=1):
            if "feedback" in turn:
                fb = turn["feedback"]
                shown = last.recommendations if last else []
                if not 1 <= fb["item"] <= len(shown):
                    results.append(TurnResult(conv["name"], n, f"feedback {fb}", ["no such item in the last list"]))
                    continue
                item = shown[fb["item"] - 1].item_id
                given[fb["kind"]].append(item)
                reply = assistant.feedback(session, item, fb["kind"])
                said = f"[{fb['kind']} on {shown[fb['item'] - 1].title}]"
            else:
                given["shown"] = [r.item_id for r in last.recommendations] if last else []
                *_, reply = assistant.stream(session, turn["say"])
                said = turn["say"]
                if reply.recommendations:
                    last = reply
            results.append(TurnResult(conv["name"], n, said, check(turn, reply, catalog, given, known)))
    failed = [r for r in results if not r.passed]
    by_conv: dict[str, bool] = {}
    for r in results:
        by_conv[r.conversation] = by_conv.get(r.conversation, True) and r.passed
    return {
        "suite": suite.get("name", ""),
        "backend": assistant.backend.name,
        "turns": len(results),
        "turns_passed": len(results) - len(failed),
        "turn_pass_rate": round((len(results) - len(failed)) / len(results), 4) if results else 1.0,
        "conversations": len(by_conv),
        "conversations_passed": sum(by_conv.values()),
        "failures": [{"conversation": r.conversation, "turn": r.turn, "said": r.said, "problems": r.problems}
                     for r in failed],
    }


def print_suite(result: dict) -> None:
    print(f"suite {result['suite']!r} on {result['backend']}: {result['conversations_passed']}/"
          f"{result['conversations']} conversations, {result['turns_passed']}/{result['turns']} turns passed")
    for f in result["failures"]:
        print(f"  FAIL {f['conversation']} turn {f['turn']} ({f['said']}): {'; '.join(f['problems'])}")
