"""Faults of the parts underneath: an unreadable vector index, an unreachable Chroma server, and a session
database that is locked or full on write. Each gets a clear error, and nothing saved before is lost.
(A dead, slow or garbage-talking LLM server: tests/test_llm.py.)"""

from __future__ import annotations

import shutil
import sqlite3

import httpx
import pytest
from fastapi import FastAPI

from assistant.assistant import Assistant
from retrieval.build import open_store
from assistant.dialogue.feedback import FeedbackStore
from assistant.serving.service import ChatService
from assistant.serving.sessions import SessionStore
from retrieval.errors import StoreUnreachable
from retrieval.pack import load_pack
from tests.conftest import free_port
from tests.test_cli import crs
from ui.api import add_api
from ui.server import Server


def test_an_unreadable_vector_index_names_the_command_that_rebuilds_it(lean_pack_dir, cli_state, tmp_path):
    state = shutil.copytree(cli_state, tmp_path / "state")
    args = ("--pack", str(lean_pack_dir), "--state-dir", str(state))
    db = state / "chroma" / "chroma.sqlite3"
    db.write_bytes(b"this is not a database " * 500)
    out = crs("ask", "a sci-fi comedy", *args)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "cannot be read" in out.stderr and f"crs index --force --pack {lean_pack_dir}" in out.stderr
    # the command it names sets the broken folder aside and rebuilds; then the assistant answers again
    fixed = crs("index", "--force", *args)
    assert fixed.returncode == 0 and "indexed" in fixed.stdout, fixed.stderr
    assert [p.name for p in state.iterdir() if p.name.startswith("chroma.broken-")]
    again = crs("ask", "a sci-fi comedy", *args)
    assert again.returncode == 0 and "1." in again.stdout and "Sci-Fi" in again.stdout


def test_an_unreachable_chroma_server_is_named(lean_pack_dir, tmp_path):
    port = free_port()  # nothing listens there
    with pytest.raises(StoreUnreachable, match=f"127.0.0.1:{port}.*chroma run"):
        open_store(load_pack(lean_pack_dir), tmp_path, chroma_host="127.0.0.1", chroma_port=port)


@pytest.fixture
def api_on_temp_state(small_engine, tmp_path):
    """The API alone over the small pack with sessions and feedback in a temp dir; yields (url, sessions path)."""
    path = tmp_path / "sessions.sqlite3"
    sessions = SessionStore(path, small_engine.pack.name, timeout_s=0.3)
    service = ChatService(Assistant(small_engine, feedback_store=FeedbackStore(tmp_path / "feedback.sqlite3")),
                          sessions)
    app = FastAPI()
    add_api(app, service, ["*"], None)
    server = Server(app, "127.0.0.1", free_port()).start()
    yield server.url, path, sessions
    server.stop()


def _user_turns(http: httpx.Client, sid: str) -> list[str]:
    return [t["text"] for t in http.get(f"/api/sessions/{sid}").json()["session"]["turns"] if t["role"] == "user"]


def test_a_locked_session_database_gets_a_clear_error_and_keeps_what_was_saved(api_on_temp_state):
    url, path, _ = api_on_temp_state
    with httpx.Client(base_url=url, timeout=30) as http:
        sid = http.post("/api/chat", json={"message": "a sci-fi comedy"}).json()["session_id"]
        other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock past the store's timeout
        try:
            r = http.post("/api/chat", json={"session_id": sid, "message": "from the 90s"})
            assert r.status_code == 503 and "could not be saved" in r.json()["error"]
            assert "locked" in r.json()["detail"]
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert _user_turns(http, sid) == ["a sci-fi comedy"]  # the earlier turn is intact, the failed one absent
        r = http.post("/api/chat", json={"session_id": sid, "message": "from the 90s"})
        assert r.status_code == 200 and _user_turns(http, sid) == ["a sci-fi comedy", "from the 90s"]
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_full_disk_on_write_gets_a_clear_error_and_keeps_what_was_saved(api_on_temp_state):
    url, path, sessions = api_on_temp_state
    with httpx.Client(base_url=url, timeout=30) as http:
        sid = http.post("/api/chat", json={"message": "a sci-fi comedy"}).json()["session_id"]
        # SQLite's own disk-full path (SQLITE_FULL): the file may not grow by a single page
        pages = sessions._db.execute("PRAGMA page_count").fetchone()[0]
        sessions._db.execute(f"PRAGMA max_page_count = {pages}")
        try:
            codes = []
            for i in range(12):  # each turn's transcript grows the row until a page more is needed
                r = http.post("/api/chat", json={"session_id": sid, "message": f"more like the first one {i} " + "x" * 300})
                codes.append(r.status_code)
                if r.status_code != 200:
                    assert r.status_code == 503 and "could not be saved" in r.json()["error"]
                    assert "full" in r.json()["detail"]
                    break
            assert codes[-1] == 503
            saved = _user_turns(http, sid)
            assert len(saved) == len(codes)  # the first turn and every acknowledged one, not the failed one
        finally:
            sessions._db.execute("PRAGMA max_page_count = 1073741823")
        r = http.post("/api/chat", json={"session_id": sid, "message": "something lighter"})
        assert r.status_code == 200 and _user_turns(http, sid) == [*saved, "something lighter"]
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_deleted_state_dir_is_rebuilt_on_start(lean_pack_dir, cli_state, tmp_path):
    """`make run` on a machine whose index folder went missing: built again on first use, not an error."""
    state = shutil.copytree(cli_state, tmp_path / "state")
    args = ("--pack", str(lean_pack_dir), "--state-dir", str(state))
    shutil.rmtree(state / "chroma")
    out = crs("ask", "a sci-fi comedy", *args)
    assert out.returncode == 0 and "1." in out.stdout
