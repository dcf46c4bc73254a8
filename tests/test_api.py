"""The HTTP API served for real (uvicorn on loopback, the Gradio app mounted beside it), and a real `crs serve`
process killed with SIGKILL and started again."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.dialogue.feedback import FeedbackStore
from assistant.support.handoff import HandoffStore
from assistant.serving.service import ChatService
from assistant.serving.sessions import SessionStore
from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[1]



def call(url: str, method: str = "GET", body: object = None, raw: bytes | None = None,
         headers: dict | None = None) -> tuple[int, dict]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


@pytest.fixture(scope="module")
def api(small_engine, tmp_path_factory):
    from ui.server import Server, create_app

    state = tmp_path_factory.mktemp("api-state")
    assistant = Assistant(small_engine, feedback_store=FeedbackStore(state / "feedback.sqlite3"),
                          handoffs=HandoffStore(state / "handoffs.sqlite3"))
    service = ChatService(assistant, SessionStore(state / "sessions.sqlite3", small_engine.pack.name))
    server = Server(create_app(service, operator_token="s3cret-token"), "127.0.0.1", free_port()).start()
    yield server.url
    server.stop()


def test_chat_feedback_and_the_next_turn(api):
    status, first = call(f"{api}/api/chat", "POST", {"message": "sci-fi from the 90s"})
    assert status == 200 and first["intent"] == "recommend" and len(first["recommendations"]) == 5
    rec = first["recommendations"][0]
    assert {"item_id", "title", "year", "genres", "explanation", "claims"} <= set(rec)
    assert {c["key"] for c in first["chips"]} == {"include_genres:sci-fi", "years:"}
    sid = first["session_id"]
    status, fb = call(f"{api}/api/feedback", "POST", {"session_id": sid, "item_id": rec["item_id"], "kind": "down"})
    assert status == 200 and fb["intent"] == "feedback" and rec["item_id"] in fb["preferences"]["disliked"]
    status, again = call(f"{api}/api/chat", "POST", {"session_id": sid, "message": "sci-fi from the 90s"})
    assert status == 200 and rec["item_id"] not in [r["item_id"] for r in again["recommendations"]]
    status, support = call(f"{api}/api/chat", "POST", {"session_id": sid, "message": "how do I get a refund?"})
    assert support["intent"] == "support" and support["citations"][0]["passage_id"].startswith("refunds#")
    assert support["preferences"] == again["preferences"]


def test_export_and_delete_a_conversation(api):
    _, reply = call(f"{api}/api/chat", "POST", {"message": "a comedy from the 80s"})
    sid, item = reply["session_id"], reply["recommendations"][0]["item_id"]
    call(f"{api}/api/feedback", "POST", {"session_id": sid, "item_id": item, "kind": "up"})
    status, data = call(f"{api}/api/sessions/{sid}")
    assert status == 200 and data["session"]["id"] == sid
    assert [t["text"] for t in data["session"]["turns"] if t["role"] == "user"] == ["a comedy from the 80s"]
    assert data["feedback"][0]["item_id"] == item and data["feedback"][0]["kind"] == "up"
    assert call(f"{api}/api/sessions/{sid}", "DELETE") == (200, {"deleted": sid})
    assert call(f"{api}/api/sessions/{sid}")[0] == 404
    assert call(f"{api}/api/sessions/{sid}", "DELETE")[0] == 404
    assert call(f"{api}/api/chat", "POST", {"session_id": sid, "message": "more"})[0] == 404


def test_a_known_user_gets_their_conversation_back(api):
    _, first = call(f"{api}/api/chat", "POST", {"message": "westerns please", "user_id": "customer-42"})
    _, later = call(f"{api}/api/chat", "POST", {"message": "only from the 60s", "user_id": "customer-42"})
    assert later["session_id"] == first["session_id"]
    assert later["preferences"]["include_genres"] == ["western"] and later["preferences"]["year_min"] == 1960
    _, other = call(f"{api}/api/chat", "POST", {"message": "westerns please", "user_id": "customer-43"})
    assert other["session_id"] != first["session_id"]


@pytest.mark.parametrize("raw, status", [
    (b"{not json", 422),
    (b"[]", 422),
    (json.dumps({}).encode(), 422),
    (json.dumps({"message": 5}).encode(), 422),
    (json.dumps({"message": "hi", "session_id": "../../etc/passwd"}).encode(), 422),
    (json.dumps({"message": "hi", "extra": True}).encode(), 422),
    (json.dumps({"message": "x" * 1_000_000}).encode(), 413),
    (json.dumps({"message": "hi", "session_id": "f" * 32}).encode(), 404),
])
def test_bad_requests_get_a_4xx_json_error_and_the_server_keeps_serving(api, raw, status):
    got, body = call(f"{api}/api/chat", "POST", raw=raw)
    assert got == status and isinstance(body, dict) and body["error"]
    assert call(f"{api}/api/chat", "POST", {"message": "animated movies for kids"})[0] == 200


@pytest.mark.parametrize("body", [
    {"session_id": "f" * 32, "item_id": "1", "kind": "down"},
    {"item_id": "1", "kind": "down"},
    {"session_id": "f" * 32, "item_id": "1", "kind": "meh"},
])
def test_bad_feedback_gets_a_4xx_json_error(api, body):
    status, reply = call(f"{api}/api/feedback", "POST", body)
    assert 400 <= status < 500 and reply["error"]


def test_feedback_on_an_unknown_item_is_refused(api):
    _, reply = call(f"{api}/api/chat", "POST", {"message": "sci-fi"})
    status, body = call(f"{api}/api/feedback", "POST", {"session_id": reply["session_id"], "item_id": "no-such",
                                                         "kind": "up"})
    assert status == 404 and body["error"] == "unknown item"


def test_handoff_is_visible_and_only_the_operator_releases_it(api):
    from assistant.serving.observability import HANDOFFS

    before = HANDOFFS._value.get()
    _, reply = call(f"{api}/api/chat", "POST", {"message": "I want to talk to a human"})
    sid = reply["session_id"]
    assert reply["handoff"] and reply["intent"] == "handoff"
    metrics = urllib.request.urlopen(f"{api}/metrics", timeout=10).read().decode()
    assert float(re.search(r"^crs_handoffs_total (\S+)$", metrics, re.M).group(1)) == before + 1
    _, quiet = call(f"{api}/api/chat", "POST", {"session_id": sid, "message": "sci-fi from the 90s"})
    assert quiet["handoff"] and not quiet["recommendations"]
    assert HANDOFFS._value.get() == before + 1  # a turn while waiting for the person is not another handoff
    assert call(f"{api}/api/sessions/{sid}")[1]["handoff"]["active"]
    assert call(f"{api}/api/sessions/{sid}/release", "POST")[0] == 403
    assert call(f"{api}/api/sessions/{sid}/release", "POST", headers={"Authorization": "Bearer wrong"})[0] == 403
    ok = {"Authorization": "Bearer s3cret-token"}
    assert call(f"{api}/api/sessions/{sid}/release", "POST", headers=ok) == (200, {"released": sid})
    assert call(f"{api}/api/sessions/{sid}/release", "POST", headers=ok)[0] == 409
    _, back = call(f"{api}/api/chat", "POST", {"session_id": sid, "message": "sci-fi from the 90s"})
    assert not back["handoff"] and back["recommendations"]


def test_openapi_docs_widget_and_app_are_served(api):
    with urllib.request.urlopen(f"{api}/openapi.json", timeout=10) as r:
        paths = json.loads(r.read())["paths"]
    assert {"/api/chat", "/api/feedback", "/api/sessions/{session_id}"} <= set(paths)
    with urllib.request.urlopen(f"{api}/docs", timeout=10) as r:
        assert r.status == 200
    with urllib.request.urlopen(f"{api}/widget.js", timeout=10) as r:
        assert r.headers["Content-Type"].startswith("application/javascript") and b"crs-widget-bubble" in r.read()
    with urllib.request.urlopen(f"{api}/widget", timeout=10) as r:
        assert "frame-ancestors *" in r.headers["Content-Security-Policy"]
    with urllib.request.urlopen(f"{api}/", timeout=10) as r:
        assert b"gradio" in r.read().lower()


# -- a real process, killed and restarted ------------------------------------------------------------

def _start(state: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "CRS_BACKEND": "rules", "CRS_STATE_DIR": str(state), "CRS_PORT": str(port),
           "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--pack", str(state.parent / "pack")],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_up(url: str, proc: subprocess.Popen, timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"crs serve exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(f"{url}/openapi.json", timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("crs serve did not come up")


def test_history_and_feedback_survive_sigkill(lean_pack_dir, cli_state, tmp_path):
    import shutil

    shutil.copytree(lean_pack_dir, tmp_path / "pack")
    state, port = shutil.copytree(cli_state, tmp_path / "state"), free_port()  # indexed and trained already
    url = f"http://127.0.0.1:{port}"
    proc = _start(state, port)
    try:
        _wait_up(url, proc)
        _, first = call(f"{url}/api/chat", "POST", {"message": "sci-fi from the 90s"})
        sid, gone = first["session_id"], first["recommendations"][0]["item_id"]
        status, _ = call(f"{url}/api/feedback", "POST", {"session_id": sid, "item_id": gone, "kind": "down"})
        assert status == 200  # acknowledged: it must be on disk now
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc = _start(state, port)
        _wait_up(url, proc)
        status, data = call(f"{url}/api/sessions/{sid}")
        assert status == 200
        assert [t["text"] for t in data["session"]["turns"] if t["role"] == "user"] == ["sci-fi from the 90s"]
        assert data["feedback"] == [{"item_id": gone, "kind": "down", "at": data["feedback"][0]["at"]}]
        assert gone in data["session"]["preferences"]["disliked"]
        _, after = call(f"{url}/api/chat", "POST", {"session_id": sid, "message": "more like that"})
        assert after["preferences"]["include_genres"] == ["sci-fi"]
        assert gone not in [r["item_id"] for r in after["recommendations"]]
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_widget_embedding_is_limited_to_the_configured_origins(small_engine, tmp_path):
    from fastapi.testclient import TestClient

    from ui.server import create_app

    service = ChatService(Assistant(small_engine), SessionStore(tmp_path / "s.sqlite3", small_engine.pack.name))
    client = TestClient(create_app(service, widget_origins=["https://shop.example", "https://www.shop.example"]))
    policy = client.get("/widget").headers["Content-Security-Policy"]
    assert "frame-ancestors https://shop.example https://www.shop.example;" in policy


def test_each_preference_chip_removes_its_preference(small_engine, tmp_path):
    service = ChatService(Assistant(small_engine), SessionStore(tmp_path / "s.sqlite3", small_engine.pack.name))
    session, _ = service.chat(None, "a funny sci-fi movie from the 90s, no horror, like The Matrix")
    keys = [k for k, _ in service.chips(session)]
    assert {"include_genres:sci-fi", "mood_genres:comedy", "exclude_genres:horror", "years:"} <= set(keys)
    assert any(k.startswith("liked:") for k in keys)
    session = service.remove_preference(session.id, "exclude_genres:horror")
    session = service.remove_preference(session.id, "years:")
    prefs = service.open(session.id).preferences  # saved, not just changed in memory
    assert prefs.exclude_genres == [] and prefs.year_min is None and prefs.include_genres == ["sci-fi"]
    constraints = service.assistant.ranking.constraints(service.open(session.id))
    assert constraints.year_min is None and constraints.year_max is None and not constraints.exclude_genres


def test_years_said_as_taste_show_as_a_lean_and_can_be_removed(small_engine, tmp_path):
    service = ChatService(Assistant(small_engine), SessionStore(tmp_path / "s.sqlite3", small_engine.pack.name))
    session, reply = service.chat(None, "90's movies are the best! any sci-fi?")
    assert ("lean_years:", "leaning 1990–1999") in service.chips(session)
    assert "leaning towards 1990–1999" in reply.summary
    assert service.assistant.ranking.constraints(session).year_min is None  # a lean filters nothing
    session = service.remove_preference(session.id, "lean_years:")
    assert service.open(session.id).preferences.lean_year_min is None


def test_a_known_users_data_is_exported_and_deleted_by_the_operator_only(api):
    _, reply = call(f"{api}/api/chat", "POST", {"message": "horror from the 80s", "user_id": "customer-77"})
    item = reply["recommendations"][0]["item_id"]
    call(f"{api}/api/feedback", "POST", {"session_id": reply["session_id"], "item_id": item, "kind": "seen"})
    assert call(f"{api}/api/users/customer-77")[0] == 403
    ok = {"Authorization": "Bearer s3cret-token"}
    status, data = call(f"{api}/api/users/customer-77", headers=ok)
    assert status == 200 and [s["id"] for s in data["sessions"]] == [reply["session_id"]]
    assert data["feedback"][0]["item_id"] == item
    assert call(f"{api}/api/users/customer-77", "DELETE", headers=ok) == (200, {"deleted": "customer-77", "records": 2})
    assert call(f"{api}/api/users/customer-77", headers=ok)[1] == {"user_id": "customer-77", "sessions": [],
                                                                     "feedback": []}
    assert call(f"{api}/api/sessions/{reply['session_id']}")[0] == 404
