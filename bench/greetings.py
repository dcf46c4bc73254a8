"""Customer-service questions that open with a greeting: routed to support, and the first help passage cited right.

A seeded sample of the Bitext support utterances, each with a greeting put before it ("hey there, ", "hi, how are
you? "), is matched to the demo pack's help pages twice in the same run: as typed (the baseline), and past the
greeting as a live turn is (RulesParser.support_asked). The passage is scored against eval/data/support_intents.yaml.

    python bench/greetings.py --bitext ../shared/data/support-bitext [--n 600]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml  # noqa: E402
from tqdm import tqdm  # noqa: E402

from assistant.config import DEMO_PACK, Config  # noqa: E402
from assistant.engine import prepare  # noqa: E402
from assistant.models import Session  # noqa: E402
from eval.support import INTENTS, load_utterances  # noqa: E402

GREETINGS = ("hi! ", "hey there, ", "hello :) ", "good morning, ", "yo ", "hiya ", "hey hey. ", "hello there! ",
             "hi, how are you? ")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bitext", type=Path, required=True, help="a folder with utterances.csv (utterance, intent)")
    ap.add_argument("--n", type=int, default=600, help="how many utterances (seeded sample)")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--state-dir", type=Path, default=Config().state_dir, help="as for crs (default: .crs)")
    a = ap.parse_args()
    engine = prepare(DEMO_PACK, a.state_dir, progress=False)
    desk, parser = engine.support, engine.parser
    mapping = yaml.safe_load(INTENTS.read_text(encoding="utf-8"))
    rng = random.Random(a.seed)
    sample = rng.sample(load_utterances(a.bitext), min(a.n, len(load_utterances(a.bitext))))
    found = {"as typed": [0, 0], "past the greeting": [0, 0]}
    for u in tqdm(sample, desc="utterances", unit="utt"):
        text = rng.choice(GREETINGS) + u["text"]
        session = Session()
        first = parser.parse(text, session)
        for name in found:
            asked, read = (text, first) if name == "as typed" else parser.support_asked(text, session, first)
            reading = desk.read(asked)
            routed = desk.is_support(asked, read, reading)
            found[name][0] += routed
            found[name][1] += routed and bool(reading.matches) and reading.matches[0].passage.id in mapping[u["intent"]]
    print(f"{len(sample)} Bitext utterances, each after a greeting (seed {a.seed}):")
    for name, (routed, right) in found.items():
        print(f"  {name:18} routed to support {routed / len(sample):.3f}, first passage right {right / len(sample):.3f}")


if __name__ == "__main__":
    main()
