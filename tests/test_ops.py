"""Running it in public: limits (per conversation, per address, concurrent turns) over real HTTP, Prometheus
metrics, JSON logs with request ids, and personal data kept out of logs."""

from __future__ import annotations

import io
import json
import logging
import re
import threading

import httpx
import pytest
from fastapi import FastAPI

from assistant.assistant import Assistant
from assistant.serving.limits import Limiter, LimitSettings, SlidingWindow
from assistant.serving.observability import JsonFormatter, redact
from assistant.serving.service import ChatService
from assistant.serving.sessions import SessionStore
from tests.conftest import free_port
from ui.api import add_api
from ui.server import Server


@pytest.fixture
def limited_api(small_engine, tmp_path):
    """The HTTP API alone (no Gradio) over the small pack, with tight limits; yields (url, limiter)."""
    limiter = Limiter(LimitSettings(turns_per_minute_per_session=3, turns_per_minute_per_client=6,
                                    max_concurrent_turns=1, queue_wait_s=0.2))
    service = ChatService(Assistant(small_engine), SessionStore(tmp_path / "sessions.sqlite3", small_engine.pack.name),
                          limiter)
    app = FastAPI()
    add_api(app, service, ["*"], None)
    server = Server(app, "127.0.0.1", free_port()).start()
    yield server.url, limiter
    server.stop()


def _metric(text: str, name: str, **labels: str) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{{want}}} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_limits_refuse_clearly_and_lose_nothing(limited_api):
    url, limiter = limited_api
    with httpx.Client(base_url=url, timeout=30) as http:
        before = http.get("/metrics").text
        sid = None
        for msg in ("a sci-fi comedy", "from the 90s", "something lighter"):
            r = http.post("/api/chat", json={"session_id": sid, "message": msg})
            assert r.status_code == 200, r.text
            sid = r.json()["session_id"]
        r = http.post("/api/chat", json={"session_id": sid, "message": "and one more"})
        assert r.status_code == 429 and r.json()["detail"]["limit"] == "session"
        assert 1 <= int(r.headers["Retry-After"]) <= 60 and "wait" in r.json()["error"]
        saved = http.get(f"/api/sessions/{sid}").json()["session"]
        assert [t["text"] for t in saved["turns"] if t["role"] == "user"] == [
            "a sci-fi comedy", "from the 90s", "something lighter"]  # the refused turn changed nothing

        # the same address, new conversations: 6 turns a minute in all, the refused one above not counted
        codes = [http.post("/api/chat", json={"message": "a thriller"}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert http.post("/api/chat", json={"message": "a thriller"}).json()["detail"]["limit"] == "client"

        # every concurrent-turn slot taken: the turn waits queue_wait_s, then 503 with Retry-After
        limiter._per_client = SlidingWindow(1000)
        with limiter.slot():
            r = http.post("/api/chat", json={"message": "a western"})
        assert r.status_code == 503 and r.json()["detail"]["limit"] == "busy" and r.headers["Retry-After"]
        assert http.post("/api/chat", json={"message": "a western"}).status_code == 200

        after = http.get("/metrics").text
    assert after.startswith("# HELP") or "crs_turn_seconds" in after
    assert _metric(after, "crs_turn_seconds_count", stage="total") - _metric(before, "crs_turn_seconds_count", stage="total") == 7
    assert _metric(after, "crs_turn_seconds_count", stage="retrieve") > _metric(before, "crs_turn_seconds_count", stage="retrieve")
    for limit in ("session", "client", "busy"):
        assert _metric(after, "crs_limited_total", limit=limit) > _metric(before, "crs_limited_total", limit=limit)
    assert _metric(after, "crs_http_requests_total", route="/api/chat", status="429") >= 3
    assert _metric(after, "crs_turns_total", intent="recommend") > _metric(before, "crs_turns_total", intent="recommend")


def test_concurrent_turns_beyond_the_slots_wait_for_one(small_engine, tmp_path):
    limiter = Limiter(LimitSettings(max_concurrent_turns=2, queue_wait_s=30))
    service = ChatService(Assistant(small_engine), SessionStore(tmp_path / "s.sqlite3", small_engine.pack.name), limiter)
    peak, running, lock = [0], [0], threading.Lock()
    original = service.assistant.stream

    def counting(session, message):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            yield from original(session, message)
        finally:
            with lock:
                running[0] -= 1

    service.assistant.stream = counting
    errors: list[Exception] = []

    def one(i: int) -> None:
        try:
            service.chat(None, f"a comedy number {i}", client=f"10.0.0.{i}")
        except Exception as e:  # noqa: BLE001 -- collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and peak[0] <= 2


def test_requests_carry_an_id_into_json_logs(limited_api):
    url, _ = limited_api
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    api_log = logging.getLogger("ui.api")
    api_log.addHandler(handler)
    old = api_log.level
    api_log.setLevel(logging.INFO)
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            r = http.post("/api/chat", json={"message": "mail me at jane@example.com a comedy"},
                          headers={"X-Request-ID": "req-42.test"})
            assert r.headers["X-Request-ID"] == "req-42.test"
            hostile = http.get("/api/sessions/nope", headers={"X-Request-ID": "<script>x</script>"})
            assert re.fullmatch(r"[0-9a-f]{16}", hostile.headers["X-Request-ID"])
    finally:
        api_log.removeHandler(handler)
        api_log.setLevel(old)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    mine = [x for x in lines if x["request_id"] == "req-42.test"]
    assert mine and mine[0]["route"] == "/api/chat" and mine[0]["status"] == 200 and mine[0]["event"] == "request"
    assert any(x["route"] == "/api/sessions/{session_id}" and x["status"] == 404 for x in lines)
    assert "jane@example.com" not in out.getvalue() and "nope" not in out.getvalue()  # no bodies, no ids from paths


def test_personal_data_is_redacted_from_log_lines():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("assistant.test_redaction")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("user wrote %s", "mail jane.doe+shop@example.co.uk or call +1 (555) 123-4567 / 0151 2345678, "
                    "card 4111 1111 1111 1111 or 5500-0000-0000-0004, order A-1234 of 2019, 20 turns, 3.5 stars")
    finally:
        log.removeHandler(handler)
    line = json.loads(out.getvalue())
    text = line["msg"]
    for secret in ("jane.doe", "example.co.uk", "555", "2345678", "4111", "5500"):
        assert secret not in text, text
    assert text.count("[email]") == 1 and text.count("[phone]") == 2 and text.count("[card]") == 2
    for kept in ("A-1234", "2019", "20 turns", "3.5 stars"):
        assert kept in text
    assert redact("nothing personal here") == "nothing personal here"
