"""The composition root: a pack's moving parts built once and handed to the assistant as one `Engine`.

`prepare()` builds what is missing or stale (retrieval.build; content hashes decide) and loads the rest. The CLI,
the server and the evals all start here.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.support.desk import SupportDesk
from assistant.support.orders import OrderBook
from assistant.understanding.learned import NAME as LEARNED
from assistant.understanding.item_words import ItemWords, item_words_model
from assistant.understanding.learned import LearnedIntent, intent_model
from assistant.understanding.listing import ListReader, list_model
from assistant.understanding.moods import NAME as MOOD
from assistant.understanding.person_names import NAME as PERSON_NAMES
from assistant.understanding.person_names import LearnedPersonNames, PersonNames, person_names_model
from assistant.understanding.moods import LearnedMood, mood_model
from assistant.support.person import AsksForPerson, person_model
from assistant.understanding.parser import RulesParser
from assistant.understanding.readers import (read_reset, read_small_talk, read_support, with_reader,
                                              with_reader_after, with_reader_before)
from assistant.understanding.references import NAME as REFERENCE
from assistant.understanding.references import LearnedReference, ref_model
from assistant.understanding.genre_stances import NAME as GENRE_STANCE
from assistant.understanding.genre_stances import LearnedGenreStance, genre_stance_model
from assistant.understanding.stances import NAME as STANCE
from assistant.understanding.stances import VERDICT, LearnedStance, LearnedVerdict, stance_model
from assistant.understanding.titles import TitleIndex
from retrieval import build
from retrieval.build import CONVERSATIONS, build_index, build_support_index, load_models, open_store, train_models
from retrieval.catalog import Catalog, Interaction
from retrieval.embed import Embedder, shared_embedder
from retrieval.errors import CrsError, IndexNotBuilt
from retrieval.pack import Pack, load_pack
from retrieval.ranker import HybridRanker
from retrieval.recommenders import Context, PopularityModel, Recommender, TrainingData
from retrieval.store import ItemStore
from retrieval.transfer import MIN_SHARE, Source, TransferredModel, after_source, choose_source

if TYPE_CHECKING:
    from assistant.assistant import Assistant
    from assistant.config import Config

log = logging.getLogger(__name__)


@dataclass
class Engine:
    """Everything a turn needs, loaded once per process."""

    pack: Pack
    catalog: Catalog
    embedder: Embedder
    store: ItemStore
    models: dict[str, Recommender]
    parser: RulesParser
    ranker: HybridRanker
    support: SupportDesk | None = None
    borrowed: dict | None = None  # the pack whose models a catalog without interactions borrows (transfer.Source)

    @property
    def noun(self) -> str:
        return self.pack.manifest.item_noun


def feedback_path(state_dir: Path) -> Path:
    return Path(state_dir) / "feedback.sqlite3"


def sessions_path(state_dir: Path) -> Path:
    return Path(state_dir) / "sessions.sqlite3"


def handoffs_path(state_dir: Path) -> Path:
    return Path(state_dir) / "handoffs.sqlite3"


def app_feedback(pack: Pack, state_dir: Path | None) -> list[Interaction]:
    """The feedback people gave on the pack's items in the app (stored under `state_dir`), as interactions."""
    from assistant.dialogue.feedback import FeedbackStore

    if state_dir is None or not feedback_path(state_dir).is_file():
        return []
    store = FeedbackStore(feedback_path(state_dir))
    try:
        return store.interactions(pack.name)
    finally:
        store.close()


def training_data(pack: Pack, catalog: Catalog, state_dir: Path | None = None) -> TrainingData:
    """The pack's interactions plus the feedback people gave in the app (stored under `state_dir`)."""
    return build.training_data(pack, catalog, app_feedback(pack, state_dir))


def build_support(pack: Pack, client, embedder: Embedder, state_dir: Path, build: bool = True, force: bool = False,
                  progress: bool = False, train: bool = True, retrain: bool = False) -> SupportDesk | None:
    """The pack's support desk: its help pages indexed with the matcher trained on them (retrieval.build), and its
    orders database. None when the pack has no `[support]` section, or neither pages nor orders."""
    spec = pack.manifest.support
    if spec is None:
        return None
    index = build_support_index(pack, client, embedder, Path(state_dir), build, force, progress, train, retrain)
    orders = None
    if spec.orders:
        try:
            orders = OrderBook(pack.root / spec.orders, spec.order_id_pattern)
        except (OSError, sqlite3.Error) as e:
            log.warning("pack %s: no order lookup (%s)", pack.name, e)
    if not index.passages and orders is None:
        log.warning("pack %s: no support documents in %s; support questions get the contact details", pack.name,
                    pack.root / spec.docs)
        return None
    person = person_model(embedder, Path(state_dir), build=build)
    return SupportDesk(index.passages, index.similarity, index.matcher, embedder, orders,
                       AsksForPerson(person) if person is not None else None)


def prepare(
    pack_dir: str | Path,
    state_dir: str | Path,
    *,
    build: bool = True,
    chroma_host: str | None = None,
    chroma_port: int = 8000,
    candidate_pool: int = 100,
    embedder: Embedder | None = None,
    progress: bool = True,
    borrow_from: Sequence[str | Path] = (),
    borrow_share: float = MIN_SHARE,
) -> Engine:
    """Loads a pack and its index and model, building them first when missing or stale (unless `build=False`).

    A pack with no interactions of its own borrows the models of the pack in `borrow_from` that matches the most of
    its items by title and year, when that is at least `borrow_share` of them (see `borrowed_models`)."""
    pack = load_pack(pack_dir)
    if pack.issues:
        log.warning("pack %s: %d rows with problems (first: %s)", pack.name, len(pack.issues), pack.issues[0])
    catalog = pack.catalog()
    embedder = embedder or shared_embedder()
    store = open_store(pack, Path(state_dir), chroma_host, chroma_port)
    if build:
        build_index(pack, store, embedder, progress=progress)
        models = train_models(pack, catalog, Path(state_dir), progress=progress, embedder=embedder,
                              feedback=app_feedback(pack, Path(state_dir)) if pack.interactions else ())
    else:
        if not store.is_current(pack.items_hash, embedder.name, len(pack.items)):
            raise IndexNotBuilt(f"the index of pack {pack.name} is missing or stale; "
                                f"run `crs index --pack {pack.root}`")
        models = load_models(pack, Path(state_dir))
    source = None
    if not pack.interactions and borrow_from:
        source, borrowed = borrowed_models(pack, borrow_from, Path(state_dir), build, progress, borrow_share)
        models |= borrowed
    store.warm(pack.items, pack.items_hash, embedder.name)
    support = build_support(pack, store.client, embedder, Path(state_dir), build=build, progress=progress)
    parser = RulesParser(catalog, TitleIndex(catalog, known=_known(catalog, models)))
    parser.warm()  # the catalog's words and tag names, once, before the first turn
    learned = intent_model(embedder, Path(state_dir), build=build)
    if learned is not None:
        # it reads last, where the rules would only search free words, and vets the readers that decide on a word
        # ("hacked": support; "reset": a fresh start)
        listing = list_model(embedder, Path(state_dir), build=build)
        reader = LearnedIntent(learned, embedder.encode_turn,
                               listing=ListReader(listing, embedder.encode_turn) if listing is not None else None)
        readers = with_reader(parser.readers, "support",
                              reader.vetting(read_support, "support", {"off_topic": "out_of_scope"}))
        readers = with_reader(readers, "reset", reader.vetting(read_reset, "reset", {"support": "support"}))
        # "I don't know how I can buy something" opens like small talk and is a support question
        readers = with_reader(readers, "small talk", reader.vetting(read_small_talk, "chitchat", {"support": "support"}))
        parser.readers = (*readers, (LEARNED, reader))
    refs = ref_model(embedder, Path(state_dir), build=build)
    if refs is not None:  # the shown item pointed at in words the rules' ordinals do not know, before the question
        parser.readers = with_reader_before(parser.readers, "question",
                                            (REFERENCE, LearnedReference(refs, embedder.encode_turn)))
    stances = stance_model(embedder, Path(state_dir), build=build)
    if stances is not None:  # how each title is spoken of (liked, disliked, not seen yet), before anything reads them
        stance = LearnedStance(stances, embedder.encode_turn)
        parser.readers = with_reader_before(parser.readers, "described", (STANCE, stance))
        # how shown items pointed at, not named, were taken ("yes, I liked both of those!"), where the rules read none
        parser.readers = with_reader_after(parser.readers, "free text", (VERDICT, LearnedVerdict(
            stance, takes=reader.takes if learned is not None else None)))
    kinds = genre_stance_model(embedder, Path(state_dir), build=build)
    if kinds is not None:  # how each kind named is spoken of (wanted, ruled out), before the genres are read
        parser.readers = with_reader_before(parser.readers, "genres",
                                            (GENRE_STANCE, LearnedGenreStance(kinds, embedder.encode_turn)))
    words = item_words_model(embedder, Path(state_dir), build=build)
    if words is not None:  # the free words searched are those that say what an item is about
        parser.item_words = ItemWords(words, embedder.encode_turn)
    people = person_names_model(embedder, Path(state_dir), build=build)
    if people is not None:  # names the readers before it left: a person asked for, or one the catalog has no one by
        parser.readers = with_reader_after(parser.readers, "tags", (PERSON_NAMES, LearnedPersonNames(
            PersonNames(people, embedder.encode_turn))))
    moods = mood_model(embedder, Path(state_dir), build=build)
    if moods is not None:  # the kind asked for without a genre word, read last: only what the rules left
        parser.readers = (*parser.readers, (MOOD, LearnedMood(moods, embedder.encode_turn)))
    return Engine(
        pack=pack,
        catalog=catalog,
        embedder=embedder,
        store=store,
        models=models,
        parser=parser,
        ranker=HybridRanker(catalog, store, list(models.values()), pool=candidate_pool),
        support=support,
        borrowed=source.describe() if source else None,
    )


POPULARITY = PopularityModel.name


def _known(catalog: Catalog, models: dict[str, Recommender]) -> dict[str, float] | None:
    """How well known each item is, to tell items of one name apart when a title is typed without its year: the
    catalog's own ratings (None: TitleIndex's default), else the popularity a catalog without interactions borrows."""
    if catalog.n_ratings or POPULARITY not in models:
        return None
    scores = models[POPULARITY].features(Context(), catalog.ids)[POPULARITY]
    return {iid: float(x) for iid, x in zip(catalog.ids, scores, strict=True) if x > 0}


def borrowed_models(pack: Pack, sources: Sequence[str | Path], state_dir: Path, build: bool = True,
                    progress: bool = True, min_share: float = MIN_SHARE) -> tuple[Source | None, dict[str, Recommender]]:
    """What a catalog with no interactions of its own borrows: the interaction models (EASE, BPR, item-kNN,
    popularity; never a conversation model, which holds what people said) of the source pack matching the largest
    share of its items, seen through the matched items (retrieval.transfer). A source that cannot be loaded is
    skipped with a warning: the pack is served without it."""
    packs = []
    for path in sources:
        try:
            packs.append(load_pack(path))
        except (CrsError, OSError) as e:
            log.warning("cannot borrow from %s: %s", path, e)
    source = choose_source(pack.items, packs, min_share)
    if source is None:
        return None, {}
    feedback = app_feedback(source.pack, state_dir)
    try:
        if build:
            models = train_models(source.pack, source.pack.catalog(), state_dir, progress=progress, feedback=feedback)
        else:
            models = load_models(source.pack, state_dir)
    except IndexNotBuilt as e:
        log.warning("cannot borrow from %s: %s", source.pack.name, e)
        return None, {}
    models.pop(CONVERSATIONS, None)
    log.info("pack %s has no interactions: borrowing the models of %s for %d of its %d items", pack.name,
             source.pack.name, len(source.mapping), source.n_items)
    newest = max((it.year for it in source.pack.items if it.year is not None), default=None)
    unseen = after_source(pack.items, source.mapping, newest)
    return source, {name: TransferredModel(m, source.mapping, unseen) for name, m in models.items()}


def build_assistant(cfg: Config, progress: bool = True) -> Assistant:
    """The assistant a config describes: its pack prepared (`prepare`), its backend, and the feedback and handoff
    stores of its state folder. When the configured backend cannot start (a missing model), the rules backend
    answers instead and a warning says why: the app must come up."""
    from assistant.assistant import Assistant
    from assistant.dialogue.feedback import FeedbackStore
    from assistant.llm.backends import check_backend_name, get_backend
    from assistant.llm.errors import LLMError
    from assistant.support.handoff import HandoffStore

    check_backend_name(cfg.backend)
    engine = prepare(cfg.pack, cfg.state_dir, chroma_host=cfg.chroma_host, chroma_port=cfg.chroma_port,
                     candidate_pool=cfg.candidate_pool, progress=progress, borrow_from=cfg.borrow_from)
    try:
        backend = get_backend(cfg.backend, engine, cfg)
    except LLMError as e:
        print(f"warning: backend {cfg.backend!r} unavailable ({e}); using the rules backend", file=sys.stderr)
        backend = get_backend("rules", engine, cfg)
    return Assistant(
        engine,
        backend=backend,
        n_recommendations=cfg.n_recommendations,
        max_message_chars=cfg.max_message_chars,
        feedback_store=FeedbackStore(feedback_path(cfg.state_dir)),
        handoffs=HandoffStore(handoffs_path(cfg.state_dir), cfg.handoff_webhook_url),
    )
