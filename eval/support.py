"""`crs eval support`: does the assistant tell support questions from recommendation requests, and does it
cite the right help passage?

Cases are labelled customer-service utterances (`utterances.csv` with `utterance` and `intent`, e.g.
../shared/data/support-bitext) and the user turns of a CRS benchmark (`cases.jsonl`, e.g. ReDial), which
are all recommendation conversation. Every text goes through the same parser, desk reading and routing
rule as a live turn (`SupportDesk.is_support`), with embeddings computed in batches first.

Reported: routing accuracy over both kinds, each side's own accuracy, top-1 accuracy of the first cited
passage against the utterance's intent (map: eval/data/support_intents.yaml), how many are answered
without a hedge ("I'm not sure I understood...") and how often those are right, the confusion between
intents, and the same figures on the half of the utterances not looked at while the demo pack's help
pages were written (crc32 of the text odd: `untuned_half`).
"""

from __future__ import annotations

import csv
import json
import random
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import yaml
from tqdm import tqdm

from assistant.engine import Engine
from assistant.models import Session
from assistant.support import SupportDesk

INTENTS = Path(__file__).parent / "data" / "support_intents.yaml"
REDIAL_CASES = Path(__file__).resolve().parents[2] / "shared" / "data" / "redial-crs" / "cases.jsonl"


def load_utterances(folder: Path) -> list[dict]:
    path = Path(folder) / "utterances.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = [{"text": r["utterance"].strip(), "intent": r["intent"].strip()} for r in csv.DictReader(f)]
    return [r for r in rows if r["text"]]


def load_user_turns(cases: Path) -> list[str]:
    turns: dict[str, None] = {}
    with Path(cases).open(encoding="utf-8") as f:
        for line in f:
            for turn in json.loads(line)["turns"]:
                if turn["role"] == "user" and turn["text"].strip():
                    turns[turn["text"].strip()] = None
    return list(turns)


def untuned(text: str) -> bool:
    return zlib.crc32(text.encode()) % 2 == 1


def evaluate_support(engine: Engine, data: Path, recommendation_turns: Path | None = None, intents: Path | None = None,
                     sample: int | None = None, seed: int = 0, progress: bool = True) -> dict:
    desk: SupportDesk = engine.support
    mapping = {k: set(v) for k, v in yaml.safe_load(Path(intents or INTENTS).read_text()).items()}
    utterances = load_utterances(data)
    unknown = sorted({u["intent"] for u in utterances} - set(mapping))
    if unknown:
        raise ValueError(f"no passage is mapped for intents: {', '.join(unknown)}")
    missing = sorted({p for ps in mapping.values() for p in ps} - set(desk.passages))
    if missing:
        raise ValueError(f"the intent map names passages the pack does not have: {', '.join(missing)}")
    cases = recommendation_turns or REDIAL_CASES
    requests = load_user_turns(cases) if Path(cases).is_file() else []
    rng = random.Random(seed)
    if sample:
        utterances = rng.sample(utterances, min(sample, len(utterances)))
        requests = rng.sample(requests, min(sample, len(requests)))

    texts = [u["text"] for u in utterances] + requests
    vectors = engine.embedder.encode(texts, progress=progress)
    routed, latencies = [], []
    top1: list[str | None] = []
    sure: list[bool] = []
    for text, vector in tqdm(zip(texts, vectors, strict=True), total=len(texts), desc="routing", unit="text",
                             disable=not progress):
        t0 = time.perf_counter()
        reading = desk.read(text, vector)
        routed.append(desk.is_support(text, engine.parser.parse(text, Session()), reading))
        latencies.append((time.perf_counter() - t0) * 1000)
        top1.append(reading.matches[0].passage.id if reading.matches else None)
        sure.append(bool(reading.matches) and desk.confident(reading.matches[0], text))

    n_sup = len(utterances)
    sup_routed = np.array(routed[:n_sup], dtype=bool)
    req_routed = np.array(routed[n_sup:], dtype=bool)
    correct = np.array([top1[i] in mapping[u["intent"]] for i, u in enumerate(utterances)], dtype=bool)
    confident = np.array(sure[:n_sup], dtype=bool)
    half = np.array([untuned(u["text"]) for u in utterances], dtype=bool)
    req_half = np.array([untuned(t) for t in requests], dtype=bool)
    passage_intent = {p: intent for intent, ps in mapping.items() for p in ps}
    confusion: dict[str, Counter] = defaultdict(Counter)
    for i, u in enumerate(utterances):
        confusion[u["intent"]][passage_intent.get(top1[i], top1[i] or "none")] += 1

    def figures(sup: np.ndarray, req: np.ndarray) -> dict:
        n = int(sup.sum() + req.sum())
        right = int(sup_routed[sup].sum() + (~req_routed[req]).sum())
        return {
            "routing_accuracy": round(right / n, 4) if n else None,
            "support_routed": round(float(sup_routed[sup].mean()), 4) if sup.any() else None,
            "recommendation_routed": round(float((~req_routed[req]).mean()), 4) if req.any() else None,
            "top1_accuracy": round(float(correct[sup].mean()), 4) if sup.any() else None,
            "end_to_end": round(float((correct & sup_routed)[sup].mean()), 4) if sup.any() else None,
            "answered_without_hedge": round(float(confident[sup].mean()), 4) if sup.any() else None,
            "precision_without_hedge": round(float(correct[sup & confident].mean()), 4) if (sup & confident).any() else None,
            "n": n, "n_support": int(sup.sum()), "n_recommendation": int(req.sum()),
        }

    everything = np.ones(n_sup, dtype=bool)
    result = figures(everything, np.ones(len(requests), dtype=bool))
    result.update({
        "untuned_half": figures(half, req_half),
        "by_intent": {i: round(float(correct[[u["intent"] == i for u in utterances]].mean()), 4)
                      for i in sorted(mapping) if any(u["intent"] == i for u in utterances)},
        "confusion": {i: dict(c.most_common()) for i, c in sorted(confusion.items())},
        "latency_p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "latency_p95_ms": round(float(np.percentile(latencies, 95)), 2),
        "pack": engine.pack.name,
        "data": str(data),
        "recommendation_turns": str(cases) if requests else None,
    })
    return result


def print_support(result: dict) -> None:
    half = result["untuned_half"]
    print(f"support eval on pack {result['pack']}: {result['n_support']:,} support utterances, "
          f"{result['n_recommendation']:,} recommendation turns")
    print(f"{'':28}{'all':>10}{'untuned half':>14}")
    for key in ("routing_accuracy", "support_routed", "recommendation_routed", "top1_accuracy", "end_to_end",
                "answered_without_hedge", "precision_without_hedge"):
        a, b = result[key], half[key]
        print(f"{key:28}{'-' if a is None else f'{a:.3f}':>10}{'-' if b is None else f'{b:.3f}':>14}")
    print(f"desk reading latency p50 {result['latency_p50_ms']:.1f} ms, p95 {result['latency_p95_ms']:.1f} ms")
    print("weakest intents (top-1):")
    for intent, acc in sorted(result["by_intent"].items(), key=lambda kv: kv[1])[:5]:
        wrong = [(k, v) for k, v in result["confusion"][intent].items() if k != intent][:2]
        print(f"  {intent:26}{acc:.3f}  mostly confused with: {', '.join(f'{k} ({v})' for k, v in wrong) or '-'}")
