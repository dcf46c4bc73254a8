"""`crs eval understanding`, "stances": how a message speaks of a title it names (liked, disliked, not seen yet), per
reader, on eval/data/stances.yaml (see assistant.understanding.stances)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from assistant.models import Session, Understanding
from assistant.understanding.negation import is_negated
from assistant.understanding.mentions import DISLIKED, LIKED, UNSEEN, liked_by_cue, stance_at
from assistant.understanding.stances import LearnedStance
from eval.understanding import print_per_reader

STANCES = Path(__file__).parent / "data" / "stances.yaml"
STANCES_DEV = Path(__file__).parent / "data" / "stances_dev.yaml"  # ReDial messages the threshold was chosen on
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)


class StanceCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    title: str  # the title as the message names it, for the reader of the file
    stance: str


class StanceSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cases: list[StanceCase]


def read_stance(u: Understanding, item_id: str) -> str:
    """How a reading takes one item: liked, disliked, not seen yet, or "-" (not read as any)."""
    p = u.preferences
    if item_id in p.liked:
        return LIKED
    return DISLIKED if item_id in p.disliked else UNSEEN if item_id in u.wanted else "-"


def stance_report(parser, utterances: list, path: Path = STANCES) -> dict:
    """Accuracy of the rules alone (the parser without the learned stance reader), the learned reader alone (its most
    likely class, however sure) and both as the parser reconciles them, with per-class precision and recall of the
    reconciled reading; and the understanding set's messages whose reading the learned reader changed. Empty when the
    parser has no learned stance reader."""
    mine = parser.readers
    learned = next((r for _, r in mine if isinstance(r, LearnedStance)), None)
    if learned is None:
        return {}
    cases = StanceSet.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8"))).cases
    rules_only = tuple((name, r) for name, r in mine if not isinstance(r, LearnedStance))
    found: dict[str, list[str]] = {"rules": [], "learned": [], "both": []}
    changed = []
    try:
        for c in cases:
            matches = parser.mentions.find(c.text)
            if not matches:
                for got in found.values():
                    got.append("-")
                continue
            item = matches[0][0].item_id
            parser.readers = rules_only
            found["rules"].append(read_stance(parser.parse(c.text, Session()), item))
            start = matches[0][0].start  # its most likely class, however sure (liked where the words say nothing)
            found["learned"].append(learned.read(c.text, [(m.start, m.end) for m, _ in matches], 0.0).get(start, LIKED))
            parser.readers = mine
            found["both"].append(read_stance(parser.parse(c.text, Session()), item))
        for u in utterances:
            parser.readers = rules_only
            a = parser.parse(u.text, Session())
            parser.readers = mine
            b = parser.parse(u.text, Session())
            if (a.preferences.liked, a.preferences.disliked, a.wanted) != (b.preferences.liked, b.preferences.disliked,
                                                                           b.wanted):
                changed.append({"text": u.text, "rules": _said(a), "with": _said(b)})
    finally:
        parser.readers = mine
    gold = [c.stance for c in cases]
    out: dict = {"n": len(cases), "sure_at": learned.sure, "changed": changed}
    for name, got in found.items():
        out[name] = round(sum(g == w for g, w in zip(got, gold, strict=True)) / len(gold), 4) if gold else None
    out["classes"] = {}
    for label in (LIKED, DISLIKED, UNSEEN):
        said = [w for g, w in zip(found["both"], gold, strict=True) if g == label]
        meant = [g for g, w in zip(found["both"], gold, strict=True) if w == label]
        out["classes"][label] = {"precision": round(said.count(label) / len(said), 3) if said else None,
                                 "recall": round(meant.count(label) / len(meant), 3) if meant else None,
                                 "n": len(meant)}
    out["wrong"] = [{"text": c.text, "labelled": c.stance, "read": g}
                    for c, g in zip(cases, found["both"], strict=True) if g != c.stance]
    out["dev"] = dev_sweep(learned)
    return out


def dev_sweep(learned: LearnedStance, path: Path = STANCES_DEV) -> dict:
    """On the messages `SURE` was chosen on (their titles are not the pack's, so each is found by the labelled
    title's text, and the rules' part is their "haven't seen" and negation before it): how many are read right with
    the reader sure at each threshold, and how many titles it wrongly reads as not seen or disliked."""
    cases = StanceSet.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8"))).cases
    out = {"n": len(cases), "at": {}}
    for sure in THRESHOLDS:
        right = false_unseen = false_disliked = 0
        for c in cases:
            start = c.text.index(c.title)
            low = c.text.casefold()
            got = stance_at(low, learned.read(c.text, [(start, start + len(c.title))], sure), start,
                            is_negated(low, start), liked_by_cue(c.text, start))
            right += got == c.stance
            false_unseen += got == UNSEEN != c.stance
            false_disliked += got == DISLIKED != c.stance
        out["at"][sure] = {"right": right, "false_unseen": false_unseen, "false_disliked": false_disliked}
    return out


def _said(u: Understanding) -> dict:
    p = u.preferences
    return {k: v for k, v in (("liked", p.liked), ("disliked", p.disliked), ("wanted", u.wanted)) if v}


def print_stances(report: dict) -> None:
    if not report:
        return
    print_per_reader(f"\nstances: how a message speaks of the title it names ({report['n']} messages of "
                     "eval/data/stances.yaml; liked, disliked or not seen yet):", report["rules"], report["learned"],
                     report["both"], learned_as="learned alone (its class)",
                     both_as=f"rules + learned (>= {report['sure_at']})")
    print_classes(report, 9)
    for c in report["wrong"]:
        print(f"    {c['text'][:60]!r}: read {c['read']}, labelled {c['labelled']}")
    print_sweep(report["dev"], "chosen on", "eval/data/stances_dev.yaml",
                "taken wrongly for not seen / for disliked", ("false_unseen", "false_disliked"))
    print(f"  labelled messages whose reading the learned stance reader changed: {len(report['changed'])}")
    for c in report["changed"][:10]:
        print(f"    {c['text'][:60]!r}: {c['rules']} -> {c['with']}")


def print_classes(report: dict, width: int) -> None:
    """Per-class precision and recall of a reconciled reading (`report["classes"]`)."""
    for label, r in report["classes"].items():
        print(f"    {label:{width}} precision {r['precision']}, recall {r['recall']} ({r['n']} labelled)")


def print_sweep(dev: dict, how: str, path: str, wrongly: str, keys: tuple[str, ...]) -> None:
    """A threshold's sweep on ReDial messages: how many read right, and the mistakes counted under `keys`."""
    print(f"  the threshold, {how} {dev['n']} ReDial messages ({path}): read right / {wrongly}")
    for sure, r in dev["at"].items():
        print(f"    >= {sure}: " + " / ".join(str(r[k]) for k in ("right", *keys)))
