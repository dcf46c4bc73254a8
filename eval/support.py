"""`crs eval support`: does the assistant tell support questions from recommendation requests, and does it
cite the right help passage?

Cases are labelled customer-service utterances (`utterances.csv` with `utterance` and `intent`, e.g.
../shared/data/support-bitext) and the user turns of a CRS benchmark (`cases.jsonl`, e.g. ReDial), which
are all recommendation conversation. Every text goes through the same parser, desk reading and routing
rule as a live turn (`SupportDesk.is_support`), with embeddings computed in batches first.

Reported: routing accuracy over both kinds and each side's own accuracy; then, in four columns, top-1 accuracy
of the first cited passage against the utterance's intent (map: eval/data/support_intents.yaml), how many are
answered without a hedge ("I'm not sure I understood...") and how often those are right:

- before: the passages' similarity alone, as the desk answered without a matcher (a baseline, same run);
- as shipped: the pack's trained matcher, in-sample for any utterance among the pack's examples (counted);
- k-fold: matchers trained without each fold (the pack's examples in that fold left out too);
- paraphrase split: the same, with folds by paraphrase family (`retrieval.matcher.family_key`), so that
  "cancel my order" and "could you please help me cancel my order" never straddle training and test.

The k-fold matcher's reliability table (predicted chance of the top passage against how often it was right),
its confusion between intents, and its accuracy by intent are reported too.
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
from retrieval.errors import CrsError

from retrieval.build import support_examples
from assistant.models import Session
from assistant.support.desk import HUMAN, Match, SupportDesk
from retrieval.matcher import FOLDS, Example, Matcher, family_folds, page_examples

INTENTS = Path(__file__).parent / "data" / "support_intents.yaml"
OLD_ANSWER_SCORE = 0.70  # the desk before the matcher answered without a hedge at this similarity
# Bitext's intent of asking for a person, and of asking how to reach customer service (by mail or phone, or a person:
# a handover is no mistake there, and is counted apart)
ASKS_FOR_PERSON = "contact_human_agent"
CONTACT_INFO = "contact_customer_service"
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


def _load(desk: SupportDesk, data: Path, recommendation_turns: Path | None, intents: Path | None,
          sample: int | None, seed: int) -> tuple[dict[str, list[str]], list[dict], Path | str, list[str]]:
    """The intent -> passages map, the labelled utterances and the recommendation requests (seeded sample)."""
    mapping = {k: list(v) for k, v in yaml.safe_load(Path(intents or INTENTS).read_text()).items()}
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

    return mapping, utterances, cases, requests


def evaluate_support(engine: Engine, data: Path, recommendation_turns: Path | None = None, intents: Path | None = None,
                     sample: int | None = None, seed: int = 0, progress: bool = True, folds: int = FOLDS) -> dict:
    desk: SupportDesk = engine.support
    mapping, utterances, cases, requests = _load(desk, data, recommendation_turns, intents, sample, seed)
    texts = [u["text"] for u in utterances] + requests
    vectors = engine.embedder.encode(texts, progress=progress)
    routed, latencies, shipped, person, pattern = [], [], [], [], []
    for text, vector in tqdm(zip(texts, vectors, strict=True), total=len(texts), desc="routing", unit="text",
                             disable=not progress):
        t0 = time.perf_counter()
        session = Session()  # as a live turn is matched and routed (Assistant.respond)
        asked, read = engine.parser.support_asked(text, session, engine.parser.parse(text, session))
        reading = desk.read(asked, vector if asked == text else None)
        routed.append(desk.is_support(asked, read, reading))
        latencies.append((time.perf_counter() - t0) * 1000)
        shipped.append(reading.matches[0] if reading.matches else None)
        person.append(routed[-1] and reading.wants_person)  # handed to a person
        pattern.append(routed[-1] and bool(HUMAN.search(text.casefold())))  # ... by the desk's pattern alone

    n_sup = len(utterances)
    sup_texts, sup_vectors = texts[:n_sup], vectors[:n_sup]
    sup_routed = np.array(routed[:n_sup], dtype=bool)
    req_routed = np.array(routed[n_sup:], dtype=bool)
    right = [set(mapping[u["intent"]]) for u in utterances]
    sim = desk.similarity(sup_vectors, sup_texts) if n_sup else np.zeros((0, len(desk.passages)))
    ids = desk.similarity.ids if desk.similarity is not None else []

    def scored(matches: list[Match | None], matchers: list | None = None) -> dict:
        """Top-1, end-to-end, answered without a hedge and right when so, over the support utterances."""
        correct = np.array([m is not None and m.passage.id in r for m, r in zip(matches, right, strict=True)], bool)
        sure = np.array([m is not None and desk.confident(m, t, matchers[i] if matchers else None)
                         for i, (m, t) in enumerate(zip(matches, sup_texts, strict=True))], bool)
        return {"top1_accuracy": _rate(correct), "end_to_end": _rate(correct & sup_routed),
                "answered_without_hedge": _rate(sure), "precision_without_hedge": _rate(correct[sure]),
                "_correct": correct}

    def top_matches(probs: np.ndarray, close: np.ndarray) -> list[Match]:
        best = probs.argmax(axis=1) if len(probs) else []
        return [Match(desk.passages[ids[j]], float(close[i, j]), float(probs[i, j])) for i, j in enumerate(best)]

    before = [Match(desk.passages[ids[j]], float(sim[i, j]), 1.0 if sim[i, j] >= OLD_ANSWER_SCORE else 0.0)
              for i, j in enumerate(sim.argmax(axis=1))] if n_sup else []
    labels = [mapping[u["intent"]][0] for u in utterances]
    pack_examples = support_examples(engine.pack, list(desk.passages.values()))
    example_vectors = _example_vectors(engine, pack_examples, progress)
    kfold, kfold_close, kfold_by = cross_fitted(
        desk, sup_texts, sup_vectors, labels, pack_examples, example_vectors,
        lambda ts: np.array([zlib.crc32(t.encode()) % folds for t in ts]), folds, progress, "k-fold")
    paraphrase, paraphrase_close, paraphrase_by = cross_fitted(
        desk, sup_texts, sup_vectors, labels, pack_examples, example_vectors,
        lambda ts: family_folds(ts, folds), folds, progress, "paraphrase folds")
    columns = {"shipped": scored(shipped[:n_sup]), "similarity_only": scored(before, [Matcher()] * n_sup),
               "kfold": scored(top_matches(kfold, kfold_close), kfold_by),
               "paraphrase": scored(top_matches(paraphrase, paraphrase_close), paraphrase_by)}
    correct = columns["kfold"]["_correct"]
    top1 = [ids[j] for j in kfold.argmax(axis=1)] if n_sup else []
    passage_intent = {p: intent for intent, ps in mapping.items() for p in ps}
    confusion: dict[str, Counter] = defaultdict(Counter)
    for i, u in enumerate(utterances):
        confusion[u["intent"]][passage_intent.get(top1[i], top1[i])] += 1
    n = n_sup + len(requests)
    in_examples = {e.text.casefold() for e in pack_examples}
    intent = np.array([u["intent"] for u in utterances] + [""] * len(requests))
    handed, by_pattern = np.array(person, dtype=bool), np.array(pattern, dtype=bool)
    asks = intent == ASKS_FOR_PERSON
    unasked = (intent != ASKS_FOR_PERSON) & (intent != CONTACT_INFO)
    handoff = {  # a person asked for, handed over: the desk's pattern alone, and with the learned reader
        "asked": int(asks.sum()), "pattern": _rate(by_pattern[asks]), "with_reader": _rate(handed[asks]),
        "contact_info": _rate(handed[intent == CONTACT_INFO]),  # "how do I contact customer service?"
        "unasked_support": int((handed & unasked)[:n_sup].sum()), "n_unasked_support": int(unasked[:n_sup].sum()),
        "recommendation": int(handed[n_sup:].sum()),
    }
    result = {
        "routing_accuracy": round((int(sup_routed.sum()) + int((~req_routed).sum())) / n, 4) if n else None,
        "support_routed": _rate(sup_routed),
        "recommendation_routed": _rate(~req_routed),
        **{k: v for k, v in columns["shipped"].items() if not k.startswith("_")},
        "columns": {name: {k: v for k, v in c.items() if not k.startswith("_")} for name, c in columns.items()},
        "reliability": reliability(kfold.max(axis=1) if n_sup else np.zeros(0), correct),
        "in_pack_examples": sum(t.casefold() in in_examples for t in sup_texts),
        "n": n, "n_support": n_sup, "n_recommendation": len(requests), "folds": folds,
        "by_intent": {i: round(float(correct[[u["intent"] == i for u in utterances]].mean()), 4)
                      for i in sorted(mapping) if any(u["intent"] == i for u in utterances)},
        "confusion": {i: dict(c.most_common()) for i, c in sorted(confusion.items())},
        "handoff": handoff,
        "latency_p50_ms": round(float(np.percentile(latencies, 50)), 2) if latencies else None,
        "latency_p95_ms": round(float(np.percentile(latencies, 95)), 2) if latencies else None,
        "pack": engine.pack.name,
        "data": str(data),
        "recommendation_turns": str(cases) if requests else None,
    }
    return result


def _example_vectors(engine: Engine, pack_examples: list[Example], progress: bool) -> np.ndarray:
    """The pack's support examples' vectors: the shipped matcher's where it holds them (in the file's order)."""
    desk = engine.support
    n_pages = len(page_examples(list(desk.passages.values())))
    if desk.matcher is not None and len(desk.matcher.examples) == n_pages + len(pack_examples):
        return desk.matcher.examples[n_pages:]
    return engine.embedder.encode([e.text for e in pack_examples], progress=progress)


def cross_fitted(desk: SupportDesk, texts: list[str], vectors: np.ndarray, labels: list[str],
                 pack_examples: list[Example], example_vectors: np.ndarray, fold_of, folds: int, progress: bool,
                 desc: str) -> tuple[np.ndarray, np.ndarray, list[Matcher | None]]:
    """Each utterance's passage chances and closeness, (n, passages) each, from a matcher trained without its
    fold: the pack's pages, plus the pack's examples and the other utterances whose fold (`fold_of` of their
    texts) differs; and the matcher that scored each utterance."""
    pages = page_examples(list(desk.passages.values()))
    probs = np.zeros((len(texts), len(desk.passages)), dtype=np.float32)
    close = np.zeros_like(probs)
    by: list[Matcher | None] = [None] * len(texts)
    if not texts:
        return probs, close, by
    fold_u, fold_x = fold_of(texts), fold_of([e.text for e in pack_examples])
    for f in tqdm(range(folds), desc=desc, unit="fold", disable=not progress):
        held = fold_u == f
        if not held.any():
            continue
        keep_x, keep_u = fold_x != f, ~held
        train_texts = [e.text for e in pages] + [e.text for e, k in zip(pack_examples, keep_x, strict=True) if k] \
            + [t for t, k in zip(texts, keep_u, strict=True) if k]
        train_labels = [e.passage for e in pages] + [e.passage for e, k in zip(pack_examples, keep_x, strict=True)
                                                     if k] + [lb for lb, k in zip(labels, keep_u, strict=True) if k]
        train_vectors = np.vstack([desk.similarity.questions, example_vectors[keep_x], vectors[keep_u]])
        matcher = Matcher.fit(desk.similarity, train_vectors, train_texts, train_labels, pages=len(pages))
        close[held], probs[held] = matcher.evidence(desk.similarity, vectors[held],
                                                    [t for t, h in zip(texts, held, strict=True) if h])
        for i in np.flatnonzero(held):
            by[i] = matcher
    return probs, close, by


BINS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0)


def reliability(predicted: np.ndarray, correct: np.ndarray) -> list[dict]:
    """Predicted chance of the top passage against how often it was right, by bin."""
    rows = []
    for lo, hi in zip(BINS, BINS[1:], strict=False):
        inside = (predicted >= lo) & ((predicted < hi) if hi < 1.0 else (predicted <= hi))
        if inside.any():
            rows.append({"bin": f"{lo:.2f}-{hi:.2f}", "n": int(inside.sum()),
                         "predicted": round(float(predicted[inside].mean()), 4),
                         "observed": round(float(correct[inside].mean()), 4)})
    return rows


def _rate(mask: np.ndarray) -> float | None:
    return round(float(np.mean(mask)), 4) if len(mask) else None


COLUMNS = (("similarity_only", "before"), ("shipped", "as shipped"), ("kfold", "k-fold"),
           ("paraphrase", "paraphrase split"))


def print_support(result: dict) -> None:
    print(f"support eval on pack {result['pack']}: {result['n_support']:,} support utterances "
          f"({result['in_pack_examples']:,} of them among the pack's examples), "
          f"{result['n_recommendation']:,} recommendation turns")
    for key in ("routing_accuracy", "support_routed", "recommendation_routed"):
        value = result[key]
        print(f"{key:28}{'-' if value is None else f'{value:.3f}':>10}")
    print(f"{'':28}" + "".join(f"{label:>18}" for _, label in COLUMNS))
    for key in ("top1_accuracy", "end_to_end", "answered_without_hedge", "precision_without_hedge"):
        cells = [result["columns"][name][key] for name, _ in COLUMNS]
        print(f"{key:28}" + "".join(f"{'-' if c is None else f'{c:.3f}':>18}" for c in cells))
    print("  before: the passages' similarity alone, answered at similarity >= .70 (the desk without a matcher);")
    print("  as shipped: the pack's trained matcher (in-sample for utterances among its examples);")
    print(f"  k-fold / paraphrase split: {result['folds']} folds, the matcher trained without the fold "
          "(by text / by paraphrase family)")
    print("reliability of the k-fold matcher (chance of the top passage, predicted vs observed):")
    for row in result["reliability"]:
        print(f"  {row['bin']:>10}  n {row['n']:>6,}  predicted {row['predicted']:.3f}  observed {row['observed']:.3f}")
    h = result.get("handoff")
    if h and h["asked"]:
        print(f"asked for a person ({h['asked']:,} {ASKS_FOR_PERSON} utterances), handed over: the desk's pattern "
              f"alone {h['pattern']:.3f}, with the learned reader {h['with_reader']:.3f}; asking how to contact "
              f"customer service ({CONTACT_INFO}) {'-' if h['contact_info'] is None else format(h['contact_info'], '.3f')}")
        print(f"  handed over unasked: {h['unasked_support']:,} of {h['n_unasked_support']:,} other support "
              f"utterances, {h['recommendation']:,} of {result['n_recommendation']:,} recommendation turns")
    if result["latency_p50_ms"] is not None:
        print(f"desk reading latency p50 {result['latency_p50_ms']:.1f} ms, p95 {result['latency_p95_ms']:.1f} ms")
    print("weakest intents (k-fold top-1):")
    for intent, acc in sorted(result["by_intent"].items(), key=lambda kv: kv[1])[:5]:
        wrong = [(k, v) for k, v in result["confusion"][intent].items() if k != intent][:2]
        print(f"  {intent:26}{acc:.3f}  mostly confused with: {', '.join(f'{k} ({v})' for k, v in wrong) or '-'}")


TYPED = Path(__file__).parent / "data" / "support_typed.yaml"


def _hedges() -> tuple[str, ...]:
    """How the desk's unsure answer opens, and its "I don't know", as prompts/replies.toml words them."""
    import prompts

    return (prompts.render("replies", "support_unsure", answer="\x00", other=None).split("\x00")[0],
            prompts.render("replies", "support_unknown"))


def evaluate_typed(engine: Engine, path: Path = TYPED, progress: bool = True) -> dict | None:
    """Support questions typed as people type them, each through the assistant's whole turn (a fresh session, the
    rules backend): per half of the file, how many reach the desk (an answer or a handover), how often the first
    cited passage is the labelled one, how many are answered without a hedge and how often those are right; and of
    the questions no page answers, how many are answered without a hedge anyway. None where the file labels
    passages this pack lacks (it is written for the demo pack)."""
    from assistant.assistant import Assistant

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise CrsError(f"cannot read the typed support questions {path}: {e}") from None
    if not isinstance(data, dict):
        raise CrsError(f"{path}: expected halves of passage id -> questions (and `unanswered`), as {TYPED.name}")
    halves = {k: v for k, v in data.items() if isinstance(v, dict)}
    if any(pid not in engine.support.passages for half in halves.values() for pid in half):
        return None
    assistant = Assistant(engine)
    rows = [(name, text, pid) for name, half in halves.items() for pid, texts in half.items() for text in texts]
    rows += [("unanswered", text, None) for text in data.get("unanswered", [])]
    hedges = _hedges()
    scored: dict[str, list[tuple[bool, bool, bool]]] = defaultdict(list)  # (routed, right, sure) per question
    missed: list[dict] = []
    for name, text, pid in tqdm(rows, desc="typed support questions", unit="question", disable=not progress):
        reply = assistant.respond(Session(), text)
        cited = [c.passage_id for c in reply.citations or []]
        routed = reply.intent in ("support", "handoff")
        right = bool(cited) and cited[0] == pid
        scored[name].append((routed, right, routed and bool(cited) and not any(h in reply.text for h in hedges)))
        if pid is not None and not right:
            missed.append({"half": name, "text": text, "passage": pid, "intent": reply.intent, "cited": cited[:2]})
    out = {}
    for name, marks in scored.items():
        routed, right, sure = np.array(marks, dtype=bool).reshape(-1, 3).T
        out[name] = {"n": len(marks), "answered_without_hedge": int(sure.sum())} if name == "unanswered" else {
            "n": len(marks), "routed": _rate(routed), "first_passage_right": _rate(right),
            "answered_without_hedge": _rate(sure), "precision_without_hedge": _rate(right[sure])}
    return {"halves": out, "missed": missed, "data": str(path)}


def print_typed(typed: dict | None) -> None:
    if typed is None:
        print("typed support questions: skipped (the file labels passages this pack lacks)")
        return
    print(f"typed support questions ({typed['data']}), each a whole turn:")
    keys = ("routed", "first_passage_right", "answered_without_hedge", "precision_without_hedge")
    print(f"  {'':14}{'n':>5}" + "".join(f"{k:>26}" for k in keys))
    for name, h in typed["halves"].items():
        if name == "unanswered":
            continue
        print(f"  {name:14}{h['n']:>5}" + "".join(f"{'-' if h[k] is None else format(h[k], '.3f'):>26}" for k in keys))
    u = typed["halves"].get("unanswered")
    if u:
        print(f"  questions no page answers, answered without a hedge anyway: {u['answered_without_hedge']} of {u['n']}")
