"""`crs eval understanding`, "genre stances": whether a message rules out or asks for a kind it names, per reader, on
eval/data/genre_stances.yaml (see assistant.understanding.genre_stances); the threshold's sweep on
eval/data/genre_stances_dev.yaml (ReDial messages)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from assistant.models import Session, Understanding
from assistant.understanding.genre_stances import ASIDE, IN, OUT, LearnedGenreStance
from eval.stances import print_classes, print_sweep
from eval.understanding import print_per_reader

GENRE_STANCES = Path(__file__).parent / "data" / "genre_stances.yaml"
GENRE_STANCES_DEV = Path(__file__).parent / "data" / "genre_stances_dev.yaml"
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: the reader never sure, the rules alone


class GenreStanceCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    genre: str  # the kind as the message writes it (its first place in the message)
    stance: str  # "in" or "out"


class GenreStanceSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cases: list[GenreStanceCase]


def load_cases(path: Path) -> list[GenreStanceCase]:
    return GenreStanceSet.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8"))).cases


def read_kind(u: Understanding, keys: tuple[str, ...]) -> str:
    """How a reading takes a kind (its genre keys): "out" where one is ruled out, "in" where one is asked for or
    leant to, else "-"."""
    p = u.preferences
    if any(k in p.exclude_genres for k in keys):
        return OUT
    return IN if any(k in p.include_genres + p.any_genres + p.mood_genres for k in keys) else "-"


def _kind_at(parser, text: str, genre: str) -> tuple[int, tuple[str, ...]] | None:
    """Where the labelled kind is named in `text` and the genre keys of the phrase found there."""
    start = text.casefold().find(genre.casefold())
    m = next((m for m in parser._genre_re.finditer(text.casefold()) if m.start() <= start < m.end()), None)
    return (m.start(), parser._phrase_genres[m.group(0)][0]) if m is not None else None


def _readings(parser, learned: LearnedGenreStance, cases: list[GenreStanceCase], sure: float,
              alone: bool = True) -> dict[str, list[str]]:
    """Each case read by both readers as the parser reconciles them (with the reader sure at `sure`), and with
    `alone` by the rules alone and the learned reader alone (its most likely class, however sure; "-" for aside)."""
    mine = parser.readers
    rules_only = tuple((n, r) for n, r in mine if not isinstance(r, LearnedGenreStance))
    found: dict[str, list[str]] = {"rules": [], "learned": [], "both": []} if alone else {"both": []}
    was = learned.sure
    try:
        learned.sure = sure
        for c in cases:
            at = _kind_at(parser, c.text, c.genre)
            if at is None:
                for got in found.values():
                    got.append("-")
                continue
            start, keys = at
            if alone:
                parser.readers = rules_only
                found["rules"].append(read_kind(parser.parse(c.text, Session()), keys))
                parser.readers = mine
                spans, moods = learned.spans(parser, c.text.casefold(), c.text)
                label = learned.read(c.text, spans, 0.0, unread=moods).get(start, (ASIDE, None))[0]
                found["learned"].append("-" if label == ASIDE else label)
            found["both"].append(read_kind(parser.parse(c.text, Session()), keys))
    finally:
        learned.sure = was
        parser.readers = mine
    return found


def _accuracy(got: list[str], gold: list[str]) -> float | None:
    return round(sum(g == w for g, w in zip(got, gold, strict=True)) / len(gold), 4) if gold else None


def genre_stance_report(parser, path: Path = GENRE_STANCES, dev: Path = GENRE_STANCES_DEV) -> dict:
    """Accuracy of the rules alone, the learned reader alone and both reconciled on `path`, with per-class precision
    and recall of the reconciled reading and the cases read wrong; and the threshold's sweep on `dev`. Empty when
    the parser has no learned genre-stance reader."""
    learned = next((r for _, r in parser.readers if isinstance(r, LearnedGenreStance)), None)
    if learned is None:
        return {}
    cases = load_cases(path)
    found = _readings(parser, learned, cases, learned.sure)
    gold = [c.stance for c in cases]
    out: dict = {"n": len(cases), "sure_at": learned.sure,
                 **{name: _accuracy(got, gold) for name, got in found.items()}, "classes": {}}
    for label in (IN, OUT):
        said = [w for g, w in zip(found["both"], gold, strict=True) if g == label]
        meant = [g for g, w in zip(found["both"], gold, strict=True) if w == label]
        out["classes"][label] = {"precision": round(said.count(label) / len(said), 3) if said else None,
                                 "recall": round(meant.count(label) / len(meant), 3) if meant else None,
                                 "n": len(meant)}
    out["wrong"] = [{"text": c.text, "genre": c.genre, "labelled": c.stance, "read": g}
                    for c, g in zip(cases, found["both"], strict=True) if g != c.stance]
    dev_cases = load_cases(dev)
    dev_gold = [c.stance for c in dev_cases]
    out["dev"] = {"n": len(dev_cases), "at": {}}
    for sure in THRESHOLDS:
        got = _readings(parser, learned, dev_cases, sure, alone=False)["both"]
        out["dev"]["at"][sure] = {"right": sum(g == w for g, w in zip(got, dev_gold, strict=True)),
                                  "false_out": sum(g == OUT != w for g, w in zip(got, dev_gold, strict=True))}
    return out


def print_genre_stances(report: dict) -> None:
    if not report:
        return
    print_per_reader(f"\ngenre stances: whether a message rules out or asks for the kind it names ({report['n']} "
                     "messages of eval/data/genre_stances.yaml):", report["rules"], report["learned"], report["both"],
                     learned_as="learned alone (its class)", both_as=f"rules + learned (>= {report['sure_at']})")
    print_classes(report, 4)
    for c in report["wrong"]:
        print(f"    {c['text'][:60]!r} ({c['genre']}): read {c['read']}, labelled {c['labelled']}")
    print_sweep(report["dev"], "checked on", "eval/data/genre_stances_dev.yaml",
                "taken wrongly for ruled out (1.01: the rules alone)", ("false_out",))
