"""What the learned intent reader changes on messages no reader was written against.

Every distinct seeker message of a ReDial-format benchmark (mostly requests and greetings) and every utterance
of the Bitext support set (all customer-service questions) is read by the demo pack's parser twice in the same
run, once by the rules alone and once with the learned reader (assistant/understanding/learned.py), each in a
fresh conversation. Prints how many readings changed, from which intent to which, and examples of each.

    python bench/readers.py --redial ../shared/data/redial-crs --bitext ../shared/data/support-bitext
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tqdm import tqdm  # noqa: E402

from assistant.config import DEMO_PACK, Config  # noqa: E402
from assistant.engine import prepare  # noqa: E402
from assistant.models import Session  # noqa: E402
from assistant.understanding.readers import READERS  # noqa: E402


def seeker_messages(bench: Path) -> list[str]:
    out = []
    with (bench / "cases.jsonl").open(encoding="utf-8") as f:
        for line in f:
            out += [t["text"] for t in json.loads(line)["turns"] if t["role"] == "user"]
    return list(dict.fromkeys(out))


def utterances(folder: Path) -> list[str]:
    with (folder / "utterances.csv").open(encoding="utf-8-sig") as f:
        return list(dict.fromkeys(row["utterance"] for row in csv.DictReader(f)))


def compare(parser, messages: list[str], name: str, examples: int) -> None:
    learned = parser.readers
    changes: Counter = Counter()
    seen: dict = defaultdict(list)
    intents: Counter = Counter()
    for m in tqdm(messages, desc=name, unit="msg"):
        parser.readers = READERS
        before = parser.parse(m, Session()).intent
        parser.readers = learned
        after = parser.parse(m, Session()).intent
        intents[after] += 1
        if before != after:
            changes[(before, after)] += 1
            seen[(before, after)].append(m)
    parser.readers = learned
    print(f"\n{name}: {len(messages)} messages, {sum(changes.values())} readings changed by the learned reader "
          f"({sum(changes.values()) / max(len(messages), 1):.1%})")
    for (before, after), n in changes.most_common():
        print(f"  {before:>12} -> {after:<12} {n:5d}   e.g. " + " | ".join(repr(m[:60]) for m in seen[(before, after)][:examples]))
    print("  intents with the learned reader: " + ", ".join(f"{k} {v}" for k, v in intents.most_common()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--redial", type=Path, help="a ReDial-format benchmark folder (cases.jsonl)")
    ap.add_argument("--bitext", type=Path, help="the Bitext support folder (utterances.csv)")
    ap.add_argument("--state-dir", type=Path, default=Config().state_dir, help="as for crs (default: .crs)")
    ap.add_argument("--examples", type=int, default=3)
    a = ap.parse_args()
    engine = prepare(DEMO_PACK, a.state_dir, progress=False)
    if a.redial:
        compare(engine.parser, seeker_messages(a.redial), "ReDial seeker messages", a.examples)
    if a.bitext:
        compare(engine.parser, utterances(a.bitext), "Bitext support utterances", a.examples)


if __name__ == "__main__":
    main()
