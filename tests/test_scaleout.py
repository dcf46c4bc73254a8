"""Scale-out: the vector store as a real Chroma server (`chroma run`, from the chromadb package) on loopback,
reached through `HttpClient`, and two app replicas sharing it and the session store."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.engine import prepare
from assistant.serving.service import ChatService
from assistant.serving.sessions import SessionStore
from retrieval.errors import IndexNotBuilt
from retrieval.store import make_client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """`chroma run` on 127.0.0.1 with its own data directory; yields its port."""
    chroma = Path(sys.executable).with_name("chroma")
    assert chroma.is_file(), "the chroma CLI comes with the chromadb package"
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data.parent / "chroma-server.log").open("wb")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            make_client(host="127.0.0.1", port=port).heartbeat()
            break
        except Exception:  # noqa: BLE001 -- not up yet
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"chroma run did not start: {(data.parent / 'chroma-server.log').read_text()[-2000:]}")
            time.sleep(0.2)
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_replicas_share_a_chroma_server_and_the_session_store(chroma_server, small_pack_dir, embedder, tmp_path):
    port = chroma_server
    # replicas share a state directory (models, sessions, feedback) and the Chroma server; the first builds
    # the index on the server, the second only loads
    state = tmp_path / "state"
    with pytest.raises(IndexNotBuilt, match="crs index"):
        prepare(small_pack_dir, state, build=False, chroma_host="127.0.0.1", chroma_port=port, embedder=embedder,
                progress=False)
    a = prepare(small_pack_dir, state, chroma_host="127.0.0.1", chroma_port=port, embedder=embedder, progress=False)
    b = prepare(small_pack_dir, state, build=False, chroma_host="127.0.0.1", chroma_port=port, embedder=embedder,
                progress=False)
    server = make_client(host="127.0.0.1", port=port)
    assert server.get_collection(a.store.collection_name).count() == len(a.catalog)
    assert not (state / "chroma").exists()  # nothing embedded on the replicas' side

    # a filter the hot copy cannot read goes to the server as it is
    galaxy = a.catalog.get("3175")
    hits = b.store.search(embedder.encode_one("comedy in space"), 3, {"title": {"$eq": galaxy.title}})
    assert [h.item_id for h in hits] == ["3175"]

    # one conversation, its turns served by either replica in turn: the shared session store carries it
    sessions = state / "sessions.sqlite3"
    replica_a = ChatService(Assistant(a), SessionStore(sessions, a.pack.name))
    replica_b = ChatService(Assistant(b), SessionStore(sessions, b.pack.name))
    session, first = replica_a.chat(None, "a sci-fi comedy from the 90s")
    assert first.recommendations
    for rec in first.recommendations:
        item = a.catalog.get(rec.item_id)
        assert "sci-fi" in item.genre_keys and "comedy" in item.genre_keys and 1990 <= item.year <= 1999
    session, second = replica_b.chat(session.id, "none of those, show me others")
    assert [t.role for t in session.turns] == ["user", "assistant"] * 2
    shown_first = {r.item_id for r in first.recommendations}
    assert second.recommendations and not shown_first & {r.item_id for r in second.recommendations}
    again = replica_a.open(session.id)
    assert [t.text for t in again.turns if t.role == "user"] == ["a sci-fi comedy from the 90s",
                                                                 "none of those, show me others"]
