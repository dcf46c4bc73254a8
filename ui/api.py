"""The HTTP API and the embeddable widget, on the FastAPI app that Gradio mounts on.

    POST   /api/chat                      {"session_id": null | "...", "message": "...", "user_id": null | "..."}
    POST   /api/feedback                  {"session_id": "...", "item_id": "...", "kind": "up" | "down" | "seen"}
    GET    /api/sessions/{id}             the conversation, its feedback and handoff state (data export)
    DELETE /api/sessions/{id}             forget it
    POST   /api/sessions/{id}/release     give a handed-over conversation back to the assistant (operator token)
    GET    /api/users/{user_id}           a known user's conversations and feedback (operator token)
    DELETE /api/users/{user_id}           forget a known user (operator token)
    GET    /widget.js                     the one-line embed script
    GET    /widget                        the compact chat the script opens in an iframe

Every error is JSON: {"error": "...", "detail": ...}, with a 4xx status for what the client got wrong.
"""

from __future__ import annotations

import hmac
import logging
import time
from importlib import resources
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.serving.limits import LimitExceeded
from assistant.models import Citation, Preferences, Recommendation, Reply, Session
from assistant.serving.observability import REQUEST_ID, REQUESTS, metrics_text, new_request_id
from assistant.serving.service import SESSION_ID, USER_ID, ChatService, UnknownSession
from assistant.serving.sessions import StorageError

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64_000
DRAIN_BYTES = 4_000_000  # a too-large body up to this size is read and discarded before the 413 goes out


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: str | None = Field(None, pattern=SESSION_ID.pattern, description="omit to start a conversation")
    message: str = Field(..., max_length=20_000)
    user_id: str | None = Field(None, pattern=USER_ID.pattern,
                                description="a known user: without a session id, their latest conversation goes on")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: str = Field(..., pattern=SESSION_ID.pattern)
    item_id: str = Field(..., min_length=1, max_length=200)
    kind: Literal["up", "down", "seen"]


class Chip(BaseModel):
    key: str
    label: str


class ChatResponse(BaseModel):
    session_id: str
    text: str
    intent: str
    recommendations: list[Recommendation]
    citations: list[Citation]
    handoff: bool
    preferences: Preferences
    chips: list[Chip]
    notice: str | None = None


def _response(service: ChatService, session: Session, reply: Reply) -> ChatResponse:
    return ChatResponse(
        session_id=session.id, text=reply.text, intent=reply.intent, recommendations=reply.recommendations,
        citations=reply.citations, handoff=reply.handoff or service.handoff_active(session.id),
        preferences=reply.preferences, chips=[Chip(key=k, label=v) for k, v in service.chips(session)],
        notice=reply.notice,
    )


def _error(status: int, error: str, detail: object = None) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status)


def _static(name: str) -> str:
    return resources.files("ui").joinpath("static", name).read_text(encoding="utf-8")


def add_api(app: FastAPI, service: ChatService, widget_origins: list[str], operator_token: str | None) -> None:
    """Adds the API, the widget and JSON error handling to `app`."""
    _add_middleware(app)
    _add_errors(app)
    _add_chat_routes(app, service)
    _add_operator_routes(app, service, operator_token)
    _add_widget(app, widget_origins)


def _add_middleware(app: FastAPI) -> None:
    """The body-size limit and request ids (with an access line for API calls)."""

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        if request.url.path.startswith("/api/"):
            length = request.headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
                if length.isdigit() and int(length) <= DRAIN_BYTES:
                    await request.body()  # read it, so the client is not cut off mid-send and gets the answer
                return _error(413, f"request body too large (limit {MAX_BODY_BYTES:,} bytes)")
        return await call_next(request)

    @app.middleware("http")
    async def request_id(request: Request, call_next):
        """Every request gets an id (the client's X-Request-ID when sane): on each log line written meanwhile,
        on the response, and an access line for API calls (route and status, never the body)."""
        rid = new_request_id(request.headers.get("x-request-id"))
        token = REQUEST_ID.set(rid)
        start = time.perf_counter()
        try:
            response = await call_next(request)
            response.headers["X-Request-ID"] = rid
            if request.url.path.startswith("/api/"):
                name = getattr(request.scope.get("route"), "path", "other")  # the route template, not the ids in it
                REQUESTS.labels(name, str(response.status_code)).inc()
                log.info("%s %s %d", request.method, name, response.status_code, extra={
                    "event": "request", "method": request.method, "route": name, "status": response.status_code,
                    "ms": round((time.perf_counter() - start) * 1000, 1)})
            return response
        finally:
            REQUEST_ID.reset(token)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        """Prometheus metrics: turn latency by stage, turns by intent, fallbacks, LLM errors, handoffs, limits."""
        body, content_type = metrics_text()
        return Response(body, media_type=content_type)


def _add_errors(app: FastAPI) -> None:
    """Every error on /api/ is JSON: {"error": ..., "detail": ...}."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return _error(422, "invalid request", detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if not request.url.path.startswith("/api/"):
            return Response(str(exc.detail), status_code=exc.status_code)
        return _error(exc.status_code, str(exc.detail))


def _add_chat_routes(app: FastAPI, service: ChatService) -> None:
    """Chat, feedback, and a conversation's export and deletion."""

    def turn(call, *args) -> ChatResponse | JSONResponse:
        """Runs a service call that answers with (session, reply); its failures become JSON errors."""
        try:
            session, reply = call(*args)
        except LimitExceeded as e:
            status = 503 if e.limit == "busy" else 429
            response = _error(status, str(e), {"limit": e.limit, "retry_after_s": e.retry_after_s})
            response.headers["Retry-After"] = str(e.retry_after_s)
            return response
        except UnknownSession:
            return _error(404, "unknown session: start a new conversation without a session_id")
        except StorageError as e:
            return _error(503, "the conversation could not be saved; please try again", str(e))
        if reply.notice == "unknown_item":
            return _error(404, "unknown item", reply.text)
        return _response(service, session, reply)

    @app.post("/api/chat", response_model=ChatResponse, tags=["chat"])
    def chat(body: ChatRequest, request: Request) -> ChatResponse | JSONResponse:
        """One message in, the assistant's reply out (recommendations, explanations, citations, handoff state).
        429 with Retry-After when a conversation or an address sends too fast, 503 when the server is full."""
        client = request.client.host if request.client else None
        return turn(service.chat, body.session_id, body.message, body.user_id, client)

    @app.post("/api/feedback", response_model=ChatResponse, tags=["chat"])
    def feedback(body: FeedbackRequest) -> ChatResponse | JSONResponse:
        """Thumbs up, thumbs down or "seen it" on an item; the next turn reflects it."""
        return turn(service.feedback, body.session_id, body.item_id, body.kind)

    @app.get("/api/sessions/{session_id}", tags=["sessions"])
    def get_session(session_id: str) -> JSONResponse:
        """Everything stored about a conversation (a user's data export)."""
        try:
            return JSONResponse(service.export(session_id))
        except UnknownSession:
            return _error(404, "unknown session")

    @app.delete("/api/sessions/{session_id}", tags=["sessions"])
    def delete_session(session_id: str) -> JSONResponse:
        """Forgets a conversation and the feedback given in it."""
        if not service.delete(session_id):
            return _error(404, "unknown session")
        return JSONResponse({"deleted": session_id})


def _add_operator_routes(app: FastAPI, service: ChatService, operator_token: str | None) -> None:
    """Known users' data and handoff release: only with the operator token."""

    def operator(request: Request) -> bool:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return bool(operator_token) and hmac.compare_digest(given.encode(), operator_token.encode())

    @app.get("/api/users/{user_id}", tags=["users"])
    def export_user(user_id: str, request: Request) -> JSONResponse:
        """Everything stored about a known user (their data export). Needs the operator token."""
        if not operator(request):
            return _error(403, "user data needs the operator token (config operator_token)")
        if not USER_ID.match(user_id):
            return _error(422, "invalid user id")
        return JSONResponse(service.export_user(user_id))

    @app.delete("/api/users/{user_id}", tags=["users"])
    def delete_user(user_id: str, request: Request) -> JSONResponse:
        """Forgets a known user: their conversations and feedback. Needs the operator token."""
        if not operator(request):
            return _error(403, "user data needs the operator token (config operator_token)")
        if not USER_ID.match(user_id):
            return _error(422, "invalid user id")
        return JSONResponse({"deleted": user_id, "records": service.delete_user(user_id)})

    @app.post("/api/sessions/{session_id}/release", tags=["sessions"])
    def release(session_id: str, request: Request) -> JSONResponse:
        """Gives a conversation handed over to a person back to the assistant. Needs the operator token."""
        if not operator(request):
            return _error(403, "releasing a handoff needs the operator token (config operator_token)")
        try:
            released = service.release(session_id)
        except UnknownSession:
            return _error(404, "unknown session")
        if not released:
            return _error(409, "this conversation is not handed over to a person")
        return JSONResponse({"released": session_id})


def _add_widget(app: FastAPI, widget_origins: list[str]) -> None:
    """The embed script and the compact chat page, framed only by the configured origins."""

    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> Response:
        return Response(_static("widget.js"), media_type="application/javascript",
                        headers={"Cache-Control": "no-cache"})

    ancestors = " ".join(widget_origins) if widget_origins else "'self'"

    @app.get("/widget", include_in_schema=False)
    def widget_page() -> Response:
        return Response(_static("widget.html"), media_type="text/html", headers={
            "Content-Security-Policy": f"frame-ancestors {ancestors}; default-src 'self'; "
                                       "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'",
            "Cache-Control": "no-cache",
        })
