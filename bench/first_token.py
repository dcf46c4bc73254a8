"""Time to the first recommendation card and to the first LLM token, on the demo pack.

Streams each request through `Assistant.stream`, as the chat UI does: the first reply yielded
carries the recommendation cards (ranked before any prose), the next ones the model's opening
sentence token by token. Prints p50/p95 for the default local model next to the `rules` backend
(no model at all) measured in the same run, split by whether the parser understood the message
alone or the model was asked to read it too.

    python bench/first_token.py [--turns 40] [--backend local] [--state-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.turns import pct, requests  # noqa: E402

FREE_TEXT = ["something cozy for a rainy sunday", "a film that makes me think about life", "what should I watch "
             "with my grandmother", "I need a good cry tonight", "a movie with a killer soundtrack",
             "mind-bending stuff please", "something to watch after a long day at work", "a crowd pleaser for a party"]


def measure(assistant, msgs: list[str]) -> dict[str, list[float]]:
    from assistant.models import Session

    out: dict[str, list[float]] = {"card": [], "token": [], "card_llm_read": [], "card_parser_only": [],
                                   "token_llm_read": [], "token_parser_only": []}
    for m in msgs:
        assistant.engine.embedder.forget()
        stats = dict(getattr(assistant.backend, "stats", {}))
        t0 = time.perf_counter()
        times, replies = [], []
        for reply in assistant.stream(Session(), m):
            times.append((time.perf_counter() - t0) * 1000)
            replies.append(reply)
        first_card = times[0] if replies[0].recommendations else None
        # the replies between the first and the last are the model's: replaced cards, then its tokens
        tokens = [t for t, a, b in zip(times[1:-1], replies[:-2], replies[1:-1], strict=True)
                  if a.recommendations == b.recommendations]
        first_token = tokens[0] if tokens else None
        if first_card is None:
            continue
        out["card"].append(first_card)
        read = getattr(assistant.backend, "stats", {}).get("llm", 0) > stats.get("llm", 0)
        out["card_llm_read" if read else "card_parser_only"].append(first_card)
        if first_token is not None:
            out["token"].append(first_token)
            out["token_llm_read" if read else "token_parser_only"].append(first_token)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--turns", type=int, default=40)
    ap.add_argument("--backend", default="local")
    ap.add_argument("--state-dir", type=Path, default=Path(".crs"))
    args = ap.parse_args()

    from tqdm import tqdm

    from assistant.assistant import Assistant
    from assistant.llm.backends import get_backend
    from assistant.config import DEMO_PACK, Config
    from assistant.engine import prepare

    engine = prepare(DEMO_PACK, args.state_dir, progress=True)
    cfg = Config(state_dir=args.state_dir)
    rng = random.Random(5)
    msgs = [m if i % 2 else rng.choice(FREE_TEXT) for i, m in enumerate(requests(args.turns, seed=13))]
    results = {}
    for name in ("rules", args.backend):
        t = time.perf_counter()
        assistant = Assistant(engine, backend=get_backend(name, engine, cfg))
        load_s = time.perf_counter() - t
        assistant.respond(__import__("assistant.models", fromlist=["Session"]).Session(), "a comedy")  # warm-up
        results[name] = measure(assistant, tqdm(msgs, desc=f"{name} turns", unit="turn"))
        results[name]["load_s"] = load_s

    print()
    print(f"{len(msgs)} requests on the demo pack, half parser-friendly, half free text; ms, p50 / p95")
    print(f"{'':<36}" + "".join(f"{n:>20}" for n in results))
    rows = [("first recommendation card", "card"), ("  parser understood alone", "card_parser_only"),
            ("  model asked to read it", "card_llm_read"), ("first LLM token", "token"),
            ("  parser understood alone", "token_parser_only"), ("  model asked to read it", "token_llm_read")]
    for label, key in rows:
        cells = []
        for r in results.values():
            v = r[key]
            cells.append(f"{pct(v, 50):.0f} / {pct(v, 95):.0f} (n={len(v)})" if v else "–")
        print(f"{label:<36}" + "".join(f"{c:>20}" for c in cells))
    local = results[args.backend]
    card, token = pct(local["card"], 50), pct(local["token"], 50)
    print(f"\n{args.backend}: first card p50 {card:.0f} ms (target <= 300), first token p50 {token:.0f} ms (target <= 1500): "
          f"{'met' if card <= 300 and token <= 1500 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
