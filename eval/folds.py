"""K-fold replay of a benchmark by dialogue: what each fold's conversation model and learned blend may learn from
(`fold_plan`), and the replay itself (`run_folds`). No dialogue ever helps predict itself."""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass

import numpy as np

from eval.benchmark import Case, Replay, Request, replay, request_of


def pool_example(assistant, request: Request, case: Case, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """One learning-to-rank example: the features of the candidate pool for the case's request, and which
    candidates the human recommender suggested."""
    ranker = assistant.engine.ranker
    cands = ranker.pool(request.ctx, request.constraints, request.mood_genres, request.boosts,
                        lean_years=request.lean_years)
    targets = set(case.target_ids)
    return ranker.matrix(cands, names), np.array([c.item_id in targets for c in cands], dtype=np.float32)


def said_of(case: Case) -> str:
    """The person's own recent messages, as the assistant's `Context.words` is made."""
    from assistant.dialogue.ranking import WORDS_TURNS

    return " ".join([t.text for t in case.turns if t.role == "user"][-WORDS_TURNS:])


def logged_turns(cases: list[Case]) -> list:
    """The cases as conversation logs to learn from: the history, what was named, what was recommended."""
    from retrieval.conversations import LoggedTurn

    return [LoggedTurn(conversation_id=c.dialog_id, text=" ".join(t.text for t in c.turns), said=said_of(c),
                       mentioned=c.mentioned_ids, recommended=c.target_ids, at=c.time) for c in cases]


def fold_of(case: Case, folds: int) -> int:
    """Folds by dialogue (stable across runs and machines): no dialogue is ever split across folds."""
    return zlib.crc32(case.dialog_id.encode()) % folds


class MemoEncoder:
    """The embedder's `encode`, each distinct text embedded once however many folds ask for it."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.memo: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        new = list(dict.fromkeys(t for t in texts if t not in self.memo))
        if new:
            self.memo.update(zip(new, self.embedder.encode(new), strict=True))
        return np.stack([self.memo[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)


@dataclass(frozen=True)
class FoldPlan:
    """What one test fold is allowed to learn from: for each dev fold (whose cases teach the blend), the
    folds its conversation model is fitted on; and the folds the test fold's own model is fitted on."""

    test: int
    dev: list[tuple[int, list[int]]]
    train: list[int]


def fold_plan(folds: int, dev_folds: int) -> list[FoldPlan]:
    """The next `dev_folds` folds after f are f's dev folds; a dev fold's model sees neither it nor f."""
    plans = []
    for f in range(folds):
        devs = [(f + 1 + j) % folds for j in range(dev_folds)]
        plans.append(FoldPlan(f, [(d, [g for g in range(folds) if g not in (f, d)]) for d in devs],
                              [g for g in range(folds) if g != f]))
    return plans


def run_folds(assistant, cases: list[Case], all_cases: list[Case], folds: int, learn_blend: bool = True,
              progress: bool = True, dev_folds: int = 2) -> tuple[dict[str, Replay], dict]:
    """Replays `cases` fold by fold. For the cases of fold f, the conversation model is trained on the
    other folds' dialogues only. The blend for fold f is learned on `dev_folds` other folds: the examples
    of each dev fold d come from a conversation model trained without f and without d. No dialogue ever
    helps predict itself, and fold f's dialogues reach neither its blend nor the features it learned from."""
    from tqdm import tqdm

    from retrieval.blend import Blend
    from retrieval.conversations import ConversationModel

    ranker = assistant.engine.ranker
    base = [m for m in ranker.models if m.name != ConversationModel.name]
    item_ids = assistant.engine.catalog.ids
    encode = MemoEncoder(assistant.engine.embedder)
    by_fold = [[c for c in all_cases if fold_of(c, folds) == f] for f in range(folds)]
    dev_folds = max(1, min(dev_folds, folds - 2))
    replays: dict[str, Replay] = {}
    if learn_blend and folds < 3:
        learn_blend = False
        info: dict = {"folds": folds, "blend": "default (a learned blend needs 3 folds or more)"}
    else:
        info = {"folds": folds, "blend": f"learned on {dev_folds} dev folds" if learn_blend else "default"}
    info["train_seconds"] = 0.0
    fit = lambda cs: ConversationModel.fit(logged_turns(cs), item_ids, encode=encode)  # noqa: E731
    requests: dict[str, Request] = {}

    def request(case: Case) -> Request:
        if case.id not in requests:
            requests[case.id] = request_of(assistant, case)
        return requests[case.id]

    bar = tqdm(total=len(cases), desc="benchmark cases", unit="case", disable=not progress)
    try:
        for plan in fold_plan(folds, dev_folds if learn_blend else 0):
            f = plan.test
            test = [c for c in cases if fold_of(c, folds) == f]
            if not test:
                continue
            blend = None
            t0 = time.perf_counter()
            if plan.dev:
                examples = []
                for dev, seen in plan.dev:
                    ranker.set_models([*base, fit([c for g in seen for c in by_fold[g]])])
                    names = ranker.feature_names
                    examples += [pool_example(assistant, request(c), c, names) for c in
                                 tqdm(by_fold[dev], desc=f"fold {f}: dev fold {dev} examples", unit="case",
                                      leave=False, disable=not progress)]
                try:
                    blend = Blend.fit(names, examples)
                except ValueError:  # the dev folds gave nothing to learn from: keep the fixed weights
                    info["blend"] = "default (a dev fold had no usable examples)"
            ranker.set_models([*base, fit([c for g in plan.train for c in by_fold[g]])], blend)
            info["train_seconds"] += time.perf_counter() - t0
            for case in test:
                replays[case.id] = replay(assistant, case, request=request(case))
                bar.update()
    finally:
        bar.close()
        ranker.set_models(base)
    info["train_seconds"] = round(info["train_seconds"], 1)
    return replays, info
