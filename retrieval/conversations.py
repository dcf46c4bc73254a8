"""Learning from past conversations: what people recommended, accepted and turned down.

A `LoggedTurn` is one moment in a past conversation where items were recommended: the
conversation so far, the items named before it, what was recommended, and which of those
the user accepted or rejected. An operator's logs (or our own sessions with their
feedback) become training data for `ConversationModel`, which learns four signals:

- co-mention: items named in the same conversation (a conversation counts once per pair), as raw
  counts and as cosine (the count over the geometric mean of the two items' conversations, so a
  pair of rarely named items that always come together outweighs two blockbusters that meet by chance);
- transitions: after item A was named, item B was recommended (accepted counts double,
  rejected counts against);
- recommended popularity: how often an item was recommended (and not turned down), overall and in the
  `TREND_WINDOW` logged conversations just before the request (the latest ones, when it is now): what is being
  recommended lately, which overall counts blur across months of logs;
- context neighbours: the past conversations whose words are closest vote for what was
  recommended at that moment, twice: by TF-IDF cosine over the whole conversation, and (when
  the model is fitted with an encoder) by sentence-embedding cosine over the person's own
  recent words, which also matches "something spooky" to "a scary one". The TF-IDF neighbours
  vote a second time (conv_knn_dlg) for everything recommended anywhere in their conversation,
  since a person's taste holds across a conversation.

Everything is sparse torch tensors, a TF-IDF vocabulary and one embedding per logged turn;
fitting takes seconds (plus embedding the turns, which callers may batch or cache).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict

from retrieval.recommenders import Context, Saved, _top, per_context
from retrieval.tfidf import TfidfEncoder

COS_DECAY = 0.8  # an item named one step earlier counts this much of a newer one in the cosine co-mention
SAID_CHARS = 400  # without `said`, the end of the conversation stands in for the person's own words
TREND_WINDOW = 30  # the conversations just before a request whose recommendations make `conv_trend`


class LoggedTurn(BaseModel):
    """One recommendation moment of a past conversation. Item lists hold catalog ids."""

    model_config = ConfigDict(extra="ignore")
    conversation_id: str
    text: str = ""  # the conversation up to this moment, both sides
    said: str = ""  # the person's own recent messages (as `Context.words` is made); the end of `text` if empty
    at: float | None = None  # when the conversation took place, on any clock that increases (a timestamp, a log number)
    mentioned: list[str] = []
    recommended: list[str] = []
    accepted: list[str] = []
    rejected: list[str] = []


def _sparse(rows: list[int], cols: list[int], vals: list[float], shape: tuple[int, int]) -> torch.Tensor:
    index = torch.tensor([rows, cols], dtype=torch.int64).reshape(2, -1)
    values = torch.tensor(vals, dtype=torch.float32)
    return torch.sparse_coo_tensor(index, values, shape, check_invariants=False).coalesce()


def _cosine(co: torch.Tensor, counts: torch.Tensor) -> torch.Tensor:
    """Co-mention counts over the geometric mean of the two items' conversation counts."""
    co = co.coalesce()
    (rows, cols), vals = co.indices(), co.values()
    return torch.sparse_coo_tensor(co.indices(), vals / torch.sqrt(counts[rows] * counts[cols]).clamp(min=1.0),
                                   co.shape, check_invariants=False).coalesce()


class ConversationModel(Saved):
    """Conversation-log CF: co-mention, transitions, recommended popularity and context neighbours."""

    FORMAT: ClassVar[str] = "conversations-v4"
    name = "conversations"
    FEATURES = ("conv_co", "conv_cos", "conv_recent", "conv_trans", "conv_pop", "conv_knn", "conv_knn_dlg", "conv_eknn",
                "conv_trend")

    def __init__(self, item_ids: list[str], co: torch.Tensor, cos: torch.Tensor, trans_t: torch.Tensor,
                 pop: torch.Tensor, encoder: TfidfEncoder, contexts: torch.Tensor, targets: torch.Tensor,
                 dialogues: torch.Tensor, data_hash: str, meta: dict, knn_k: int = 200, knn_power: float = 3.0,
                 said: torch.Tensor | None = None, times: torch.Tensor | None = None,
                 recommended_t: torch.Tensor | None = None) -> None:
        super().__init__(data_hash=data_hash, meta=meta)
        self.item_ids = item_ids
        self.row = {iid: j for j, iid in enumerate(item_ids)}
        self.co = co.to_sparse_csr()
        self.cos = cos.to_sparse_csr()
        self.trans_t = trans_t.to_sparse_csr()  # transposed: row b holds the items after which b was recommended
        self.pop = pop
        self.encoder = encoder
        self.contexts = contexts.to_sparse_csr()  # (turns, vocab), unit rows
        self.targets_t = targets.t().coalesce().to_sparse_csr()  # (items, turns)
        self.dialogues_t = dialogues.t().coalesce().to_sparse_csr()  # (items, turns): all its conversation recommended
        self.knn_k, self.knn_power = knn_k, knn_power
        self.said = said  # (turns, dim) unit rows: the embedded `said` of each logged turn, or None
        # conversations with a time, oldest first: when each took place, and (items, conversations) 1 where it
        # recommended the item (and did not have it turned down)
        self.times = times if times is not None else torch.zeros(0, dtype=torch.float64)
        self.recommended_t = (recommended_t if recommended_t is not None
                              else torch.zeros(len(item_ids), 0).to_sparse()).coalesce().to_sparse_csr()

    @classmethod
    def fit(cls, turns: Sequence[LoggedTurn], item_ids: Sequence[str], data_hash: str = "",
            progress: bool = False, encode: Callable[[list[str]], np.ndarray] | None = None) -> ConversationModel:
        """`encode` (texts -> unit-length rows, e.g. `Embedder.encode`) adds the embedding neighbours."""
        from tqdm import tqdm

        started = time.perf_counter()
        item_ids = list(item_ids)
        row = {iid: j for j, iid in enumerate(item_ids)}
        n = len(item_ids)
        by_conv: dict[str, set[int]] = {}
        tr_r, tr_c, tr_v = [], [], []
        pop = torch.zeros(n)
        t_r, t_c, t_v = [], [], []
        in_conversation: dict[str, dict[int, float]] = {}  # what each conversation recommended, weights summed
        for k, t in enumerate(tqdm(turns, desc="learning from conversations", unit="turn", disable=not progress)):
            named = [row[i] for i in dict.fromkeys(t.mentioned) if i in row]
            rejected = {row[i] for i in t.rejected if i in row}
            accepted = {row[i] for i in t.accepted if i in row}
            recs = [row[i] for i in dict.fromkeys(t.recommended + t.accepted) if i in row]
            by_conv.setdefault(t.conversation_id, set()).update(named + [r for r in recs if r not in rejected])
            recommended = in_conversation.setdefault(t.conversation_id, {})
            for r in recs:
                w = -1.0 if r in rejected else 2.0 if r in accepted else 1.0
                recommended[r] = recommended.get(r, 0.0) + w
                pop[r] += w
                t_r.append(k)
                t_c.append(r)
                t_v.append(w)
                for a in named:
                    if a != r:
                        tr_r.append(a)
                        tr_c.append(r)
                        tr_v.append(w)
        co_r, co_c = [], []
        for items in by_conv.values():
            s = sorted(items)
            for a in s:
                for b in s:
                    if a != b:
                        co_r.append(a)
                        co_c.append(b)
        co = _sparse(co_r, co_c, [1.0] * len(co_r), (n, n))
        in_conversations = torch.zeros(n)
        for items in by_conv.values():
            in_conversations[list(items)] += 1.0
        trans_t = _sparse(tr_c, tr_r, tr_v, (n, n))
        encoder = TfidfEncoder.fit([t.text for t in turns])
        contexts = encoder.encode([t.text for t in turns])
        targets = _sparse(t_r, t_c, t_v, (len(turns), n))
        d_r, d_c, d_v = [], [], []
        for k, t in enumerate(turns):
            totals = in_conversation[t.conversation_id]
            d_r += [k] * len(totals)
            d_c += list(totals)
            d_v += list(totals.values())
        dialogues = _sparse(d_r, d_c, d_v, (len(turns), n))
        said = None
        if encode is not None and turns:
            said = torch.from_numpy(np.asarray(encode([t.said or t.text[-SAID_CHARS:] for t in turns]), dtype=np.float32))
        when: dict[str, float] = {}
        for t in turns:
            if t.at is not None:
                when[t.conversation_id] = min(when.get(t.conversation_id, t.at), t.at)
        timed = sorted(when, key=lambda c: (when[c], c))
        r_r, r_c = [], []
        for k, cid in enumerate(timed):
            items = [r for r, w in in_conversation[cid].items() if w > 0]
            r_r += items
            r_c += [k] * len(items)
        meta = {"n_turns": len(turns), "n_conversations": len(by_conv), "vocabulary": len(encoder.vocabulary),
                "embedded": said is not None, "timed_conversations": len(timed),
                "train_seconds": time.perf_counter() - started}
        return cls(item_ids, co, _cosine(co, in_conversations), trans_t, pop, encoder, contexts, targets, dialogues,
                   data_hash, meta, said=said, times=torch.tensor([when[c] for c in timed], dtype=torch.float64),
                   recommended_t=_sparse(r_r, r_c, [1.0] * len(r_r), (n, len(timed))))

    # -- scoring ----------------------------------------------------------------------------

    def _from(self, matrix: torch.Tensor, ids: Sequence[str], decay: float = 1.0) -> np.ndarray:
        """Row sums of `matrix` over the given items, the newest weighted 1 and older ones by `decay`^age."""
        rows = [self.row[i] for i in ids if i in self.row]
        if not rows:
            return np.zeros(len(self.item_ids), dtype=np.float32)
        seeds = torch.zeros(len(self.item_ids))
        for age, r in enumerate(reversed(rows)):
            seeds[r] += decay**age
        return torch.mv(matrix, seeds).numpy()

    def knn(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Votes of the `knn_k` past conversations closest in words, each weighted by similarity^power: for what
        was recommended at that moment, and for what was recommended anywhere in that conversation."""
        q = self.encoder.encode([text]).to_dense()[0]
        n_turns = self.contexts.shape[0]
        if not text.strip() or float(q.abs().sum()) == 0.0 or n_turns == 0:
            zeros = np.zeros(len(self.item_ids), dtype=np.float32)
            return zeros, zeros
        weights = self._weights(torch.mv(self.contexts, q))
        return torch.mv(self.targets_t, weights).numpy(), torch.mv(self.dialogues_t, weights).numpy()

    def eknn(self, words: np.ndarray | None) -> np.ndarray:
        """Votes of the `knn_k` past turns whose embedded own words are closest to this person's."""
        if words is None or self.said is None or self.said.shape[0] == 0:
            return np.zeros(len(self.item_ids), dtype=np.float32)
        weights = self._weights(torch.mv(self.said, torch.from_numpy(np.array(words, dtype=np.float32))))
        return torch.mv(self.targets_t, weights).numpy()

    def trend(self, at: float | None) -> np.ndarray:
        """In how many of the `TREND_WINDOW` timed conversations that took place before `at` (the latest ones when
        `at` is None) each item was recommended. Only the past: a deployment has no other."""
        end = self.times.shape[0] if at is None else int(torch.searchsorted(
            self.times, torch.tensor([at], dtype=torch.float64)))
        if end == 0:
            return np.zeros(len(self.item_ids), dtype=np.float32)
        weights = torch.zeros(self.times.shape[0])
        weights[max(0, end - TREND_WINDOW) : end] = 1.0
        return torch.mv(self.recommended_t, weights).numpy()

    def _weights(self, sims: torch.Tensor) -> torch.Tensor:
        """similarity^power for the `knn_k` most similar logged turns, 0 for the rest."""
        n_turns = sims.shape[0]
        top = torch.topk(sims, min(self.knn_k, n_turns))
        weights = torch.zeros(n_turns)
        weights[top.indices] = top.values.clamp(min=0) ** self.knn_power
        return weights

    def all_features(self, ctx: Context) -> dict[str, np.ndarray]:
        """Every feature for every item; computed once per Context (candidates and features share it)."""
        return per_context(self, ctx, self._all_features)

    def _all_features(self, ctx: Context) -> dict[str, np.ndarray]:
        mentioned = list(dict.fromkeys([*ctx.mentioned, *ctx.liked]))
        knn, knn_dialogue = self.knn(ctx.text)
        return {
            "conv_co": np.log1p(np.maximum(self._from(self.co, mentioned), 0)),
            "conv_cos": self._from(self.cos, mentioned, decay=COS_DECAY),
            "conv_recent": np.log1p(np.maximum(self._from(self.co, ctx.recent), 0)),
            "conv_trans": np.log1p(np.maximum(self._from(self.trans_t, mentioned, decay=0.7), 0)),
            "conv_pop": np.log1p(np.maximum(self.pop.numpy(), 0)),
            "conv_knn": knn,
            "conv_knn_dlg": knn_dialogue,
            "conv_eknn": self.eknn(ctx.words),
            "conv_trend": np.log1p(self.trend(ctx.at)),
        }

    def candidates(self, ctx: Context, n: int) -> list[str]:
        f = self.all_features(ctx)
        out: list[str] = []
        for key in ("conv_knn", "conv_knn_dlg", "conv_eknn", "conv_trans", "conv_co", "conv_cos", "conv_pop", "conv_trend"):
            out += _top(f[key], self.item_ids, n)
        return list(dict.fromkeys(out))

    def features(self, ctx: Context, ids: Sequence[str]) -> dict[str, np.ndarray]:
        f = self.all_features(ctx)
        pos = np.array([self.row.get(i, -1) for i in ids], dtype=np.int64)
        known = pos >= 0
        out = {}
        for key, values in f.items():
            col = np.zeros(len(ids), dtype=np.float32)
            col[known] = values[pos[known]]
            out[key] = col
        return out

    # -- persistence ------------------------------------------------------------------------

    def state(self) -> dict:
        return {
            "item_ids": self.item_ids,
            "co": self.co.to_sparse_coo().coalesce(),
            "cos": self.cos.to_sparse_coo().coalesce(),
            "trans_t": self.trans_t.to_sparse_coo().coalesce(),
            "pop": self.pop,
            "encoder": self.encoder.state(),
            "contexts": self.contexts.to_sparse_coo().coalesce(),
            "targets_t": self.targets_t.to_sparse_coo().coalesce(),
            "dialogues_t": self.dialogues_t.to_sparse_coo().coalesce(),
            "knn": [self.knn_k, self.knn_power],
            "said": self.said if self.said is not None else torch.zeros(0),
            "times": self.times,
            "recommended_t": self.recommended_t.to_sparse_coo().coalesce(),
        }

    @classmethod
    def load(cls, path: str | Path, data_hash: str | None = None) -> ConversationModel:
        saved = cls.read(path, data_hash)
        s = saved["state"]
        return cls(s["item_ids"], s["co"], s["cos"], s["trans_t"], s["pop"], TfidfEncoder.from_state(s["encoder"]),
                   s["contexts"], s["targets_t"].t(), s["dialogues_t"].t(), saved["data_hash"], saved["meta"],
                   knn_k=int(s["knn"][0]), knn_power=float(s["knn"][1]),
                   said=s["said"] if s["said"].numel() else None, times=s["times"], recommended_t=s["recommended_t"])
