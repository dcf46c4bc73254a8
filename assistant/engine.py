"""Loading a pack's moving parts once: catalog, vector index, CF model, parser and recommender.

`prepare()` builds what is missing or stale (content hashes decide) and loads the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from assistant.titles import TitleIndex
from assistant.understand import RulesParser
from retrieval.catalog import Catalog
from retrieval.cf import EaseModel
from retrieval.embed import Embedder, shared_embedder
from retrieval.errors import IndexNotBuilt
from retrieval.pack import Pack, load_pack
from retrieval.ranker import Recommender
from retrieval.store import ItemStore, make_client

log = logging.getLogger(__name__)


@dataclass
class Engine:
    """Everything a turn needs, loaded once per process."""

    pack: Pack
    catalog: Catalog
    embedder: Embedder
    store: ItemStore
    cf: EaseModel | None
    parser: RulesParser
    recommender: Recommender

    @property
    def noun(self) -> str:
        return self.pack.manifest.item_noun


def model_path(state_dir: Path, pack: Pack) -> Path:
    return Path(state_dir) / "models" / pack.name / "ease.pt"


def open_store(pack: Pack, state_dir: Path, chroma_host: str | None = None, chroma_port: int = 8000) -> ItemStore:
    client = make_client(Path(state_dir) / "chroma", host=chroma_host, port=chroma_port)
    return ItemStore(client, pack.name)


def build_index(pack: Pack, store: ItemStore, embedder: Embedder, force: bool = False, progress: bool = True) -> bool:
    """Indexes the pack's items unless the index already holds exactly them; returns whether it (re)built."""
    if not force and store.is_current(pack.items_hash, embedder.name, len(pack.items)):
        return False
    store.build(pack.items, embedder.encode, pack.items_hash, embedder.name, progress=progress)
    return True


def train_cf(pack: Pack, state_dir: Path, force: bool = False, progress: bool = True) -> EaseModel | None:
    """Trains (or loads, when current) the pack's CF model; None when the pack has no interactions."""
    if not pack.interactions:
        return None
    path = model_path(state_dir, pack)
    if not force:
        try:
            return EaseModel.load(path, pack.interactions_hash)
        except IndexNotBuilt:
            pass
    spec = pack.manifest.interactions
    model = EaseModel.fit(
        pack.interactions,
        pack.interactions_hash,
        positive_min_rating=spec.positive_min_rating if spec else 4.0,
        progress=progress,
    )
    model.save(path)
    return model


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
) -> Engine:
    """Loads a pack and its index and model, building them first when missing or stale (unless `build=False`)."""
    pack = load_pack(pack_dir)
    if pack.issues:
        log.warning("pack %s: skipped %d bad rows (first: %s)", pack.name, len(pack.issues), pack.issues[0])
    catalog = pack.catalog()
    embedder = embedder or shared_embedder()
    store = open_store(pack, Path(state_dir), chroma_host, chroma_port)
    if build:
        build_index(pack, store, embedder, progress=progress)
        cf = train_cf(pack, Path(state_dir), progress=progress)
    else:
        if not store.is_current(pack.items_hash, embedder.name, len(pack.items)):
            raise IndexNotBuilt(f"the index of pack {pack.name} is missing or stale; run `crs index --pack {pack.root}`")
        cf = EaseModel.load(model_path(Path(state_dir), pack), pack.interactions_hash) if pack.interactions else None
    titles = TitleIndex(catalog)
    return Engine(
        pack=pack,
        catalog=catalog,
        embedder=embedder,
        store=store,
        cf=cf,
        parser=RulesParser(catalog, titles),
        recommender=Recommender(catalog, store, cf, pool=candidate_pool),
    )
