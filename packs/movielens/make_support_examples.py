"""Writes support-examples.csv: labelled questions the demo shop's support matcher learns from.

They are a seeded sample of the Bitext customer-service set (../shared/data/support-bitext, CDLA-Sharing 1.0:
see LICENSE-support-examples.txt), up to PER_INTENT per intent, each labelled with the help passage that answers
its intent (eval/data/support_intents.yaml). The rest of that set, and every set like it, is what
`crs eval support` scores. Rebuild with:
    .venv/bin/python packs/movielens/make_support_examples.py
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).parent
SOURCE = HERE.parents[1].parent / "shared" / "data" / "support-bitext" / "utterances.csv"
INTENTS = HERE.parents[1] / "eval" / "data" / "support_intents.yaml"
PER_INTENT = 150


def main() -> None:
    mapping = yaml.safe_load(INTENTS.read_text(encoding="utf-8"))
    by_intent: dict[str, list[str]] = defaultdict(list)
    with SOURCE.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if row["utterance"].strip():
                by_intent[row["intent"].strip()].append(row["utterance"].strip())
    rng = random.Random(0)
    rows = []
    for intent in sorted(by_intent):
        texts = sorted(set(by_intent[intent]))
        rows += [(t, mapping[intent][0]) for t in rng.sample(texts, min(PER_INTENT, len(texts)))]
    with (HERE / "support-examples.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["utterance", "passage"])
        writer.writerows(rows)
    print(f"wrote {len(rows):,} examples of {len(by_intent)} intents")


if __name__ == "__main__":
    main()
