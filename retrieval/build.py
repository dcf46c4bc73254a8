"""Building and training a pack's state under a state folder: the item index, the help pages' index and the support
matcher, the CF and conversation models. Each is loaded when current (content hashes decide), else built and saved.

The assistant composes these into a running engine (assistant.engine.prepare); `crs index` and `crs train` call them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.catalog import Catalog, Interaction
from retrieval.cf import EaseModel
from retrieval.conversations import ConversationModel
from retrieval.docs import Passage, docs_hash, load_docs
from retrieval.embed import Embedder
from retrieval.errors import IndexNotBuilt, IndexUnreadable
from retrieval.matcher import Example, Matcher, PassageSimilarity, examples_hash, load_examples, page_examples
from retrieval.pack import Pack
from retrieval.recommenders import BprModel, ItemKnnModel, PopularityModel, Recommender, TrainingData
from retrieval.store import DocStore, ItemStore, make_client, set_aside

log = logging.getLogger(__name__)

# Every model `crs train` fits on a pack's interactions; the ranker uses RANKED (the others are for comparison,
# `crs eval cf`, or a learned blend that asks for them).
MODELS = {"ease": EaseModel, "bpr": BprModel, "itemknn": ItemKnnModel, "popularity": PopularityModel}
RANKED = ("ease", "popularity")
CONVERSATIONS = ConversationModel.name  # fitted on a pack's conversation logs, when it has them, and always ranked


def model_path(state_dir: Path, pack: Pack, name: str = "ease") -> Path:
    return Path(state_dir) / "models" / pack.name / f"{name}.pt"


def training_data(pack: Pack, catalog: Catalog, feedback: Sequence[Interaction] = ()) -> TrainingData:
    """The pack's interactions, plus `feedback` (what people said of items in the app), as the CF models train on."""
    spec = pack.manifest.interactions
    return TrainingData(
        item_ids=catalog.ids,
        interactions=[*pack.interactions, *feedback],
        data_hash=pack.interactions_hash,
        positive_min_rating=spec.positive_min_rating if spec else 4.0,
    )


def open_store(pack: Pack, state_dir: Path, chroma_host: str | None = None, chroma_port: int = 8000,
               repair: bool = False) -> ItemStore:
    """The pack's item store. An unreadable embedded store is an error naming the command that rebuilds it;
    with `repair` (that command) it is set aside and a fresh one made."""
    path = Path(state_dir) / "chroma"
    try:
        client = make_client(path, host=chroma_host, port=chroma_port)
    except IndexUnreadable as e:
        if not repair:
            raise IndexUnreadable(f"{e}; rebuild it with `crs index --force --pack {pack.root} --state-dir "
                                  f"{state_dir}` (the unreadable folder is kept aside)") from e
        log.warning("vector index unreadable; moved to %s and rebuilding", set_aside(path))
        client = make_client(path)
    return ItemStore(client, pack.name, hot_dir=Path(state_dir))


def build_index(pack: Pack, store: ItemStore, embedder: Embedder, force: bool = False, progress: bool = True) -> bool:
    """Indexes the pack's items unless the index already holds exactly them; returns whether it (re)built."""
    if not force and store.is_current(pack.items_hash, embedder.name, len(pack.items)):
        return False
    store.build(pack.items, embedder.encode, pack.items_hash, embedder.name, progress=progress,
                credits=pack.manifest.people)
    return True


@dataclass
class SupportIndex:
    """A pack's help pages, indexed: the passages, their similarity evidence and the trained matcher (None when
    not trained, as `crs index` leaves it)."""

    passages: list[Passage]
    similarity: PassageSimilarity | None
    matcher: Matcher | None


def build_support_index(pack: Pack, client, embedder: Embedder, state_dir: Path, build: bool = True,
                        force: bool = False, progress: bool = False, train: bool = True,
                        retrain: bool = False) -> SupportIndex:
    """The pack's help documents indexed in their own collection, and the matcher trained on them and on the pack's
    examples (loaded when current unless `retrain`; left out with `train=False`). The pack must have `[support]`."""
    spec = pack.manifest.support
    passages, issues = load_docs(pack.root / spec.docs)
    for issue in issues:
        log.warning("pack %s support docs: %s", pack.name, issue)
    if not passages:
        return SupportIndex([], None, None)
    store = DocStore(client, pack.name)
    key = docs_hash(passages)
    if force or not store.is_current(key, embedder.name):
        if not build:
            raise IndexNotBuilt(f"the support index of pack {pack.name} is missing or stale; "
                                f"run `crs index --pack {pack.root}`")
        store.build(passages, embedder.encode, key, embedder.name)
    questions, owners, bodies = store.vectors(passages)
    similarity = PassageSimilarity(passages, questions, owners, bodies)
    matcher = None
    if train:
        matcher = train_matcher(pack, passages, similarity, embedder, state_dir, key, build, force or retrain,
                                progress)
    return SupportIndex(passages, similarity, matcher)


_MATCHERS: dict[str, Matcher] = {}  # trained or loaded in this process, by data hash: packs sharing pages share one


def support_examples(pack: Pack, passages) -> list[Example]:
    """The pack's labelled support examples (`[support] examples`), rows that name no passage left out."""
    spec = pack.manifest.support
    if spec is None or not spec.examples:
        return []
    examples, issues = load_examples(pack.root / spec.examples, passages)
    for issue in issues[:5]:
        log.warning("pack %s support examples: %s", pack.name, issue)
    if len(issues) > 5:
        log.warning("pack %s support examples: %d more rows skipped", pack.name, len(issues) - 5)
    return examples


def train_matcher(pack: Pack, passages, similarity: PassageSimilarity, embedder: Embedder,
                  state_dir: Path, docs_key: str, build: bool = True, force: bool = False,
                  progress: bool = False) -> Matcher:
    """The support matcher of a pack's pages and examples: loaded when current, else trained and saved."""
    pages = page_examples(passages)
    extra = support_examples(pack, passages)
    data_hash = examples_hash(docs_key, [*pages, *extra], embedder.name)
    path = model_path(state_dir, pack, "matcher")
    if not force:
        try:
            return _MATCHERS.setdefault(data_hash, Matcher.load(path, data_hash))
        except IndexNotBuilt:
            if not build:
                raise
        if data_hash in _MATCHERS:
            _MATCHERS[data_hash].save(path)
            return _MATCHERS[data_hash]
    vectors = np.vstack([similarity.questions, embedder.encode([e.text for e in extra], progress=progress)])
    examples = [*pages, *extra]
    matcher = Matcher.fit(similarity, vectors, [e.text for e in examples], [e.passage for e in examples],
                          pages=len(pages), data_hash=data_hash, progress=progress)
    matcher.save(path)
    _MATCHERS[data_hash] = matcher
    return matcher


def train_models(pack: Pack, catalog: Catalog, state_dir: Path, names: tuple[str, ...] = RANKED, force: bool = False,
                 progress: bool = True, embedder: Embedder | None = None,
                 feedback: Sequence[Interaction] = ()) -> dict[str, Recommender]:
    """Trains (or loads, when current) the named models of a pack's interactions, none when it has none; and the
    conversation model when the pack has conversation logs (`embedder` adds its neighbours by meaning). `feedback`:
    what people said of items in the app, trained on with the pack's interactions."""
    out: dict[str, Recommender] = {}
    data = training_data(pack, catalog, feedback) if pack.interactions else None
    for name in names if data is not None else ():
        cls = MODELS[name]
        path = model_path(state_dir, pack, name)
        if not force:
            try:
                out[name] = cls.load(path, pack.interactions_hash)
                continue
            except IndexNotBuilt:
                pass
        model = cls.fit(data, progress=progress)
        model.save(path)
        out[name] = model
    if pack.conversations:
        out[CONVERSATIONS] = train_conversations(pack, catalog, state_dir, force, progress, embedder)
    return out


def train_conversations(pack: Pack, catalog: Catalog, state_dir: Path, force: bool = False, progress: bool = True,
                        embedder: Embedder | None = None) -> ConversationModel:
    """The conversation model of a pack's logs, loaded when current."""
    path = model_path(state_dir, pack, CONVERSATIONS)
    if not force:
        try:
            return ConversationModel.load(path, pack.conversations_hash)
        except IndexNotBuilt:
            pass
    model = ConversationModel.fit(pack.conversations, catalog.ids, data_hash=pack.conversations_hash, progress=progress,
                                  encode=embedder.encode if embedder is not None else None)
    model.save(path)
    return model


def load_models(pack: Pack, state_dir: Path, names: tuple[str, ...] = RANKED) -> dict[str, Recommender]:
    """Loads trained models, refusing stale ones (IndexNotBuilt says which and how to fix it)."""
    out: dict[str, Recommender] = {name: MODELS[name].load(model_path(state_dir, pack, name), pack.interactions_hash)
                                   for name in (names if pack.interactions else ())}
    if pack.conversations:
        out[CONVERSATIONS] = ConversationModel.load(model_path(state_dir, pack, CONVERSATIONS), pack.conversations_hash)
    return out
