"""Which help passage answers a message, and how sure that is: a matcher that learns from labelled examples.

Three kinds of evidence for each passage of a pack, for a message's sentence vector:

- `asked`: the cosine of the message to the closest known way of asking the passage: its section heading and
  `Also asked` questions, and the pack's `[support] examples` file (utterance, passage), which operators fill
  from their own logs;
- `text`: how close the message is to the passage's text, and how many of its rare words the passage's
  questions share;
- `classifier`: a linear softmax over passages, trained in torch on the examples' sentence vectors and their
  words (a bag of word stems seen in two examples or more: a sentence vector can blur the one word that tells
  "cancel my order" from "a fee if I cancel my order").

They are mixed by positive weights fitted in torch for the log-likelihood of the right passage on out-of-fold
evidence (one for the closeness `asked + text`, one for the classifier: see `Matcher.fit`): the examples are
split into folds by paraphrase family (`family_key`), and each fold is scored by neighbours and a classifier that
never saw its family. The mix is therefore a calibrated chance that
the top passage is the right one among the pack's passages, on phrasings unlike the training ones; `crs eval
support` prints its reliability table. `asked + text` is how close the message comes to a passage at all (the
desk's floor for "I don't know"); the chance says nothing about questions no passage answers.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from retrieval.docs import Passage
from retrieval.manifest import RowIssue
from retrieval.recommenders import Saved

BODY_WEIGHT = 0.4  # similarity: best matching question + BODY_WEIGHT * body similarity
LEXICAL_WEIGHT = 0.1  # ... + LEXICAL_WEIGHT * the idf-weighted share of the message's words in its questions
FOLDS = 5
MIN_TERM_COUNT = 2  # a word feature needs this many examples
MIN_LEARNED = 100  # examples beyond the pages' own questions before the evidence is weighed freely
L2 = 1e-4  # the classifier's weight decay, per weight
MAX_EXAMPLES = 100_000
EVIDENCE = ("asked", "text", "classifier")

# Words that say how something is asked, not what about: a paraphrase family is what is left.
_FRAME = frozenset(
    "a an the i i'm im me my mine we our us you your u ur can could would will shall should may might must please "
    "pls plz kindly help want wanna need needs know dont don't do does did to of for in on at with about from into "
    "up there here this that it its how where what when which who why is are am be been being have has had get got "
    "some any tell show give let lets assist assistance assistant information info ask asking tried trying try see "
    "check find look looking way ways possible able like just really hey hi hello thanks thank also again "
    "there's what's where's how's don't doesn't didn't i'd i've i'll you're it's i'm problem problems issue issues "
    "question questions trouble".split()
)
_STOP = frozenset(
    "a an the i i'm im my me we our you your it its is are was be been do does did can could would should will to "
    "of and or in on for with at by from as this that these those how what where when which who why not no have has "
    "want need help please get".split()
)


def words(text: str) -> list[str]:
    """A message's words for matching: lower case, two letters or more, without the commonest function words."""
    return [w for w in re.findall(r"[a-z0-9]+", text.casefold()) if len(w) > 1 and w not in _STOP]


def stems(text: str) -> set[str]:
    """The five-letter stems of a text's words of four letters or more: what "the passage mentions it" compares."""
    return {w[:5] for w in words(text) if len(w) >= 4}


def terms(text: str) -> set[str]:
    """The classifier's word features: each word's first five letters, a plural's s dropped ("fees" -> "fee")."""
    out = set()
    for w in words(text):
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.add(w[:5])
    return out


class Terms:
    """A bag of word features over a fixed vocabulary: the terms seen in at least MIN_TERM_COUNT examples."""

    def __init__(self, vocabulary: Sequence[str]) -> None:
        self.vocabulary = list(vocabulary)
        self.column = {t: k for k, t in enumerate(self.vocabulary)}

    @classmethod
    def of(cls, texts: Sequence[str]) -> Terms:
        counts = Counter(t for text in texts for t in terms(text))
        return cls(sorted(t for t, n in counts.items() if n >= MIN_TERM_COUNT))

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """(n, vocabulary) float32: 1/sqrt(k) for each of a text's k known terms."""
        out = np.zeros((len(texts), len(self.vocabulary)), dtype=np.float32)
        for i, text in enumerate(texts):
            cols = [self.column[t] for t in terms(text) if t in self.column]
            if cols:
                out[i, cols] = 1.0 / math.sqrt(len(cols))
        return out


def family_key(text: str) -> str:
    """What a message is about once politeness and the asking frame are gone: the sorted five-letter stems of
    its content words. "could you help me cancel my order please" and "cancel order" share a family."""
    stems = {w[:5] for w in re.findall(r"[a-z]+(?:'[a-z]+)?", text.casefold().replace("’", "'"))
             if len(w) > 2 and w not in _FRAME}
    return " ".join(sorted(stems))


def family_folds(texts: Sequence[str], k: int = FOLDS) -> np.ndarray:
    """A fold for each text, the same for every text of a paraphrase family."""
    return np.array([zlib.crc32(family_key(t).encode()) % k for t in texts], dtype=np.int64)


@dataclass(frozen=True)
class Example:
    text: str
    passage: str


def load_examples(path: Path, passages: Sequence[Passage]) -> tuple[list[Example], list[RowIssue]]:
    """Labelled examples from a CSV with columns `utterance` and `passage`: a passage id (`doc#section-slug`) or
    its section heading. Rows naming no passage of the pack are skipped and reported."""
    by_id = {p.id: p.id for p in passages}
    by_section = {p.section.casefold(): p.id for p in passages}
    examples: list[Example] = []
    issues: list[RowIssue] = []
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if not {"utterance", "passage"} <= set(reader.fieldnames or ()):
                return [], [RowIssue(file=Path(path).name, line=1, reason="needs columns utterance and passage")]
            for line, row in enumerate(reader, start=2):
                text, target = (row.get("utterance") or "").strip(), (row.get("passage") or "").strip()
                pid = by_id.get(target) or by_section.get(target.casefold())
                if not text or pid is None:
                    issues.append(RowIssue(file=Path(path).name, line=line,
                                           reason="empty utterance" if not text else f"no passage {target[:80]!r}"))
                elif len(examples) < MAX_EXAMPLES:
                    examples.append(Example(text[:1000], pid))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        issues.append(RowIssue(file=Path(path).name, line=0, reason=f"unreadable: {e}"))
    return examples, issues


def page_examples(passages: Sequence[Passage]) -> list[Example]:
    """The ways of asking each passage that its page gives: the heading and the `Also asked` questions."""
    return [Example(q, p.id) for p in passages for q in dict.fromkeys((p.section, *p.questions))]


def examples_hash(passages_hash: str, examples: Sequence[Example], embedder_name: str) -> str:
    h = hashlib.sha256(f"{Matcher.FORMAT}:{L2}:{MIN_TERM_COUNT}:{MIN_LEARNED}:{passages_hash}:{embedder_name}".encode())
    for e in examples:
        h.update(f"{e.passage}\t{e.text}\n".encode())
    return h.hexdigest()[:16]


class PassageSimilarity:
    """How close messages are to every passage at once (numpy), from the pages alone: best question + text."""

    def __init__(self, passages: Sequence[Passage], question_vectors: np.ndarray, question_passages: Sequence[str],
                 body_vectors: np.ndarray) -> None:
        self.ids = [p.id for p in passages]
        index = {pid: j for j, pid in enumerate(self.ids)}
        self.questions = np.asarray(question_vectors, dtype=np.float32)
        self.question_of = np.array([index[pid] for pid in question_passages], dtype=np.int64)
        self.bodies = np.asarray(body_vectors, dtype=np.float32)
        vocab = [set(words(" ".join((p.section, *p.questions)))) for p in passages]
        df = Counter(w for ws in vocab for w in ws)
        self.idf = {w: math.log(1 + len(passages) / n) for w, n in df.items()}
        self.unseen_idf = math.log(1 + max(1, len(passages)))
        self.column = {w: k for k, w in enumerate(self.idf)}
        self.shared = np.zeros((len(self.ids), len(self.column)), dtype=np.float32)  # idf of word k if passage j has it
        for j, ws in enumerate(vocab):
            for w in ws:
                self.shared[j, self.column[w]] = self.idf[w]

    def __call__(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """(n, passages): the best of each passage's questions plus `text`."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.bodies.shape[1])
        return _max_by(vectors @ self.questions.T, self.question_of, len(self.ids), -1.0) + self.text(vectors, texts)

    def text(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """(n, passages): BODY_WEIGHT * similarity to the passage text + LEXICAL_WEIGHT * the idf-weighted share of
        the message's words found in the passage's questions."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.bodies.shape[1])
        lexical = np.zeros((len(vectors), len(self.ids)), dtype=np.float32)
        for i, text in enumerate(texts):
            ws = set(words(text))
            weight = sum(self.idf.get(w, self.unseen_idf) for w in ws)
            cols = [self.column[w] for w in ws if w in self.column]
            if weight and cols:
                lexical[i] = self.shared[:, cols].sum(axis=1) / weight
        return BODY_WEIGHT * (vectors @ self.bodies.T) + LEXICAL_WEIGHT * lexical


def _nearest(vectors: np.ndarray, examples: np.ndarray, labels: np.ndarray, n_passages: int) -> np.ndarray:
    """(n, passages): the cosine of each vector to the closest example of each passage (0 where it has none)."""
    return _max_by(vectors @ examples.T, labels, n_passages, 0.0)


def _max_by(values: np.ndarray, groups: np.ndarray, n_groups: int, empty: float) -> np.ndarray:
    """(n, n_groups): the largest of each row's values in each group of columns; `empty` for a group with none."""
    out = np.full((len(values), n_groups), empty, dtype=np.float32)
    if values.shape[1] == 0:
        return out
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    out[:, sorted_groups[starts]] = np.maximum.reduceat(values[:, order], starts, axis=1)
    return out


def _fit_classifier(inputs: np.ndarray, labels: np.ndarray, n_passages: int) -> tuple[np.ndarray, np.ndarray]:
    """A linear softmax over passages (full-batch L-BFGS; Adam if that ever leaves finite numbers): weight
    (P, d), bias (P,)."""
    x = torch.from_numpy(np.ascontiguousarray(inputs, dtype=np.float32))
    y = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    for optimiser in ("lbfgs", "adam"):
        torch.manual_seed(0)
        layer = torch.nn.Linear(x.shape[1], n_passages)

        def loss_of(layer=layer):
            return torch.nn.functional.cross_entropy(layer(x), y) + L2 * (layer.weight ** 2).sum()

        _minimise(list(layer.parameters()), loss_of, optimiser)
        weight, bias = layer.weight.detach().numpy().copy(), layer.bias.detach().numpy().copy()
        if np.isfinite(weight).all() and np.isfinite(bias).all():
            break
    return weight, bias


def _fit_mix(evidence: list[np.ndarray], labels: np.ndarray) -> np.ndarray:
    """The weights of the evidence kinds that maximise the likelihood of the right passage. Weights are kept
    positive: more likeness to a passage, or to its examples, never lowers its chance (with few examples,
    unconstrained weights turned the examples' evidence negative against the pages' own)."""
    feats = [torch.from_numpy(e.astype(np.float32)) for e in evidence]
    y = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    for optimiser in ("lbfgs", "adam"):
        log_w = torch.zeros(len(feats), requires_grad=True)

        def loss_of(log_w=log_w):
            w = log_w.clamp(-8.0, 8.0).exp()
            return torch.nn.functional.cross_entropy(sum(wi * f for wi, f in zip(w, feats, strict=True)), y)

        _minimise([log_w], loss_of, optimiser)
        mix = log_w.detach().clamp(-8.0, 8.0).exp().numpy().copy()
        if np.isfinite(mix).all():
            break
    return mix


def _minimise(params: list[torch.Tensor], loss_of, optimiser: str) -> None:
    if optimiser == "lbfgs":
        opt = torch.optim.LBFGS(params, max_iter=100, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = loss_of()
            loss.backward()
            return loss

        opt.step(closure)
        return
    with torch.no_grad():
        for p in params:
            p.zero_()
    opt = torch.optim.Adam(params, lr=0.05)
    for _ in range(300):
        opt.zero_grad()
        loss = loss_of()
        loss.backward()
        opt.step()


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class Matcher(Saved):
    """The trained parts: examples (vectors and passages), the classifier and the evidence weights."""

    FORMAT = "passage-matcher-v7"
    passage_ids: list[str] = field(default_factory=list)
    examples: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), dtype=np.float32))
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    weight: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), dtype=np.float32))
    bias: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    mix: np.ndarray = field(default_factory=lambda: np.ones(len(EVIDENCE), dtype=np.float32))
    vocabulary: dict[str, list[str]] = field(default_factory=dict)  # passage -> stems of its examples' words
    terms: list[str] = field(default_factory=list)  # the classifier's word features, after the sentence vector
    _bag: Terms | None = field(default=None, repr=False, compare=False)

    @classmethod
    def fit(cls, similarity: PassageSimilarity, vectors: np.ndarray, texts: Sequence[str], passages: Sequence[str],
            pages: int = 0, data_hash: str = "", progress: bool = False) -> Matcher:
        """Trains on labelled examples (their vectors, texts and passage ids), the first `pages` of them the pages'
        own questions. Each fold of paraphrase families is scored as unseen: by neighbours and a classifier trained
        without it. The classifier is weighed in only with at least MIN_LEARNED examples beyond the pages: the
        pages' questions are written to differ from each other, not as people ask, and weights fitted on them
        alone put everything on the passage text (top-1 .85 against .95 for the pages' similarity on the Bitext
        set). Below that, the pages' similarity keeps its shape and only its scale (the calibration) is fitted.

        Above it too the closeness (`asked + text`) keeps its shape, and only its scale and the classifier's weight
        are fitted: three free weights fitted to the examples' style (Bitext's templates: "I have a problem with
        ...") put 3.6 times the weight on the passage text as on the closest example, which held on that style
        (top-1 .999) and not on questions typed otherwise (eval/data/support_typed.yaml: .77 against .82 on
        the written development half, .83 against .84 on the other; Bitext .999 either way)."""
        ids = similarity.ids
        index = {pid: j for j, pid in enumerate(ids)}
        labels = np.array([index[p] for p in passages], dtype=np.int64)
        vectors = np.asarray(vectors, dtype=np.float32)
        text = similarity.text(vectors, texts)
        folds = family_folds(texts)
        asked = np.zeros_like(text)
        clf = np.zeros_like(text)
        steps = [f for f in range(FOLDS) if (folds == f).any() and (folds != f).any()]
        for f in tqdm(steps, desc="support matcher", unit="fold", disable=not progress):
            train, held = folds != f, folds == f
            bag = Terms.of([t for t, k in zip(texts, train, strict=True) if k])
            inputs = np.hstack([vectors, bag(texts)])
            weight, bias = _fit_classifier(inputs[train], labels[train], len(ids))
            clf[held] = inputs[held] @ weight.T + bias
            asked[held] = _nearest(vectors[held], vectors[train], labels[train], len(ids))
        scored = np.isin(folds, steps)
        if not scored.any():
            mix = np.array([10.0, 10.0, 0.0], dtype=np.float32)
        elif len(labels) - pages >= MIN_LEARNED:
            scale, learned = _fit_mix([asked[scored] + text[scored], clf[scored]], labels[scored])
            mix = np.array([scale, scale, learned], dtype=np.float32)
        else:
            scale = _fit_mix([asked[scored] + text[scored]], labels[scored])[0]
            mix = np.array([scale, scale, 0.0], dtype=np.float32)
        bag = Terms.of(texts)
        weight, bias = _fit_classifier(np.hstack([vectors, bag(texts)]), labels, len(ids))
        vocabulary: dict[str, set[str]] = {}
        for t, pid in zip(texts, passages, strict=True):
            vocabulary.setdefault(pid, set()).update(stems(t))
        return cls(data_hash=data_hash, meta={"n_examples": len(labels), "mix": [round(float(m), 3) for m in mix]},
                   passage_ids=list(ids), examples=vectors, labels=labels, weight=weight, bias=bias,
                   mix=mix.astype(np.float32), vocabulary={k: sorted(v) for k, v in vocabulary.items()},
                   terms=bag.vocabulary)

    def evidence(self, similarity: PassageSimilarity, vectors: np.ndarray, texts: Sequence[str]
                 ) -> tuple[np.ndarray, np.ndarray]:
        """(closeness, chance), each (n, passages): how close each message comes to each passage (its closest way
        of asking + its text), and the chance that the passage is the one that answers the message."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.examples.shape[1])
        asked = _nearest(vectors, self.examples, self.labels, len(self.passage_ids))
        text = similarity.text(vectors, texts)
        if self._bag is None:
            self._bag = Terms(self.terms)
        clf = np.hstack([vectors, self._bag(texts)]) @ self.weight.T + self.bias
        return asked + text, softmax(self.mix[0] * asked + self.mix[1] * text + self.mix[2] * clf)

    def state(self) -> dict:
        return {"passage_ids": self.passage_ids, "examples": torch.from_numpy(self.examples.astype(np.float32)),
                "labels": torch.from_numpy(self.labels), "weight": torch.from_numpy(self.weight),
                "bias": torch.from_numpy(self.bias), "mix": torch.from_numpy(self.mix), "vocabulary": self.vocabulary,
                "terms": self.terms}

    @classmethod
    def load(cls, path: str | Path, data_hash: str | None = None) -> Matcher:
        s = cls.read(path, data_hash)
        st = s["state"]
        return cls(data_hash=s["data_hash"], meta=s["meta"], passage_ids=list(st["passage_ids"]),
                   examples=st["examples"].numpy().astype(np.float32), labels=st["labels"].numpy(),
                   weight=st["weight"].numpy(), bias=st["bias"].numpy(), mix=st["mix"].numpy(),
                   vocabulary={k: list(v) for k, v in st["vocabulary"].items()}, terms=list(st["terms"]))
