"""How well the person-name reader (assistant/understanding/person_names.py) tells names from other phrases it never
saw, and the chance it is used at (`SURE`).

Names: the directors and cast of a ReDial-format benchmark's catalog (two or three words each). Other phrases: runs
of two or three words of its seekers' messages that the reader would look at (`candidates`), written in lower case
and holding no word of any credited name (so "love tom" is not counted against it). Both are split in two halves by
a seeded shuffle: on the first the lowest chance at which at most `MAX_FALSE` of the phrases are taken for names is
chosen, and both halves are printed at it and at a few others, next to the shipped `SURE`.

    python bench/person_names.py --bench ../shared/data/redial-crs
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from assistant.understanding.person_names import SURE, PersonNames, candidates, person_names_model  # noqa: E402
from retrieval.embed import Embedder  # noqa: E402

MAX_FALSE = 0.02  # phrases taken for names, at most, at the chance chosen (1 in 50)
GRID = [round(x, 2) for x in np.arange(0.5, 0.96, 0.05)]


def names_and_phrases(bench: Path, n: int, seed: int) -> tuple[list[str], list[str]]:
    people, parts = set(), set()
    with (bench / "items.jsonl").open(encoding="utf-8") as f:
        for line in f:
            item = json.loads(line)
            for p in item.get("cast", []) + item.get("directors", []) + item.get("writers", []):
                parts.update(p.casefold().split())
                if 2 <= len(p.split()) <= 3 and all(re.fullmatch(r"[a-z][a-z'-]*", w) for w in p.casefold().split()):
                    people.add(p.casefold())
    phrases = set()
    with (bench / "cases.jsonl").open(encoding="utf-8") as f:
        for line in f:
            for t in json.loads(line)["turns"]:
                if t["role"] != "user":
                    continue
                words = re.findall(r"[A-Za-z][A-Za-z'-]*", re.sub(r"[^.]*\(\d{4}\)", " ", t["text"]))
                for a, b in candidates([w.casefold() for w in words]):
                    run = words[a:b]
                    if all(w.islower() and w not in parts for w in run):
                        phrases.add(" ".join(run))
    rnd = random.Random(seed)
    people_list, phrase_list = sorted(people), sorted(phrases)
    rnd.shuffle(people_list)
    rnd.shuffle(phrase_list)
    return people_list[:n], phrase_list[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", type=Path, required=True)
    ap.add_argument("--n", type=int, default=4000, help="names and phrases each, at most")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    embedder = Embedder()
    with tempfile.TemporaryDirectory() as state:
        reader = PersonNames(person_names_model(embedder, state), lambda ts: dict(zip(ts, embedder.encode(ts),
                                                                                      strict=True)))
        people, phrases = names_and_phrases(args.bench, args.n, args.seed)
        p_people, p_phrases = reader.chances(people), reader.chances(phrases)
    halves = {"first": (people[::2], phrases[::2]), "second": (people[1::2], phrases[1::2])}

    def rates(half: str, at: float) -> tuple[float, float]:
        names, others = halves[half]
        found = float(np.mean([p_people[x] >= at for x in names]))
        return found, float(np.mean([p_phrases[x] >= at for x in others]))

    chosen = next((at for at in GRID if rates("first", at)[1] <= MAX_FALSE), GRID[-1])
    print(f"{len(people)} names, {len(phrases)} phrases; chosen on the first half (phrases taken for names <= "
          f"{MAX_FALSE:.0%}): {chosen}; shipped SURE: {SURE}")
    print(f"{'chance':>8}{'half':>8}{'names found':>14}{'phrases taken':>16}")
    for at in sorted({*GRID, chosen, SURE}):
        for half in halves:
            found, taken = rates(half, at)
            print(f"{at:>8.2f}{half:>8}{found:>14.3f}{taken:>16.3f}")


if __name__ == "__main__":
    main()
