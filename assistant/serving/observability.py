"""What an operator watches: Prometheus metrics and JSON log lines that carry a request id, with personal
data (emails, phone numbers, card numbers) redacted from every line.

Metrics live in one registry of our own, served at `/metrics` by the app. The request id is a context
variable: the HTTP layer sets it per request (from `X-Request-ID` when the client sends a sane one), and
every log line written while the request runs carries it, threads included (Starlette copies the context
into the worker thread of a sync endpoint).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry()
TURN_SECONDS = Histogram(
    "crs_turn_seconds", "Time a turn spent in each stage (stage=total for the whole turn)", ["stage"],
    registry=REGISTRY, buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
TURNS = Counter("crs_turns", "Turns answered, by intent", ["intent"], registry=REGISTRY)
FALLBACKS = Counter("crs_fallbacks", "Model outputs replaced by the deterministic path, by what was replaced",
                    ["what"], registry=REGISTRY)
LLM_ERRORS = Counter("crs_llm_errors", "Failed or unusable calls to the LLM server, by call", ["call"], registry=REGISTRY)
HANDOFFS = Counter("crs_handoffs", "Conversations handed over to a person", registry=REGISTRY)
LIMITED = Counter("crs_limited", "Requests refused by a limit, by limit", ["limit"], registry=REGISTRY)
REQUESTS = Counter("crs_http_requests", "API requests, by route and status", ["route", "status"], registry=REGISTRY)
GENERATING = Gauge("crs_generations_in_flight", "Turns being generated right now", registry=REGISTRY)

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("crs_request_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def metrics_text() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def observe_turn(timings_ms: dict[str, float], intent: str) -> None:
    for stage, ms in timings_ms.items():
        TURN_SECONDS.labels(stage).observe(ms / 1000.0)
    TURNS.labels(intent or "unknown").inc()


def new_request_id(given: str | None = None) -> str:
    """The client's id when it is a sane token, else a fresh one."""
    return given if given and _SANE_ID.match(given) else uuid.uuid4().hex[:16]


# -- personal data out of logs ----------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
_PHONE = re.compile(r"(?<![\w.])\+?\d[\d ().-]{6,}\d(?![\w.])")


def redact(text: str) -> str:
    """Emails, card-like digit runs (13-19 digits) and phone-like numbers (8+ digits) replaced by a tag."""
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub("[card]", text)
    return _PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group(0)) >= 8 else m.group(0), text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (redacted), request id, and any `extra` fields
    named in `FIELDS`."""

    FIELDS = ("event", "method", "route", "status", "ms", "limit")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
            "request_id": REQUEST_ID.get(),
        }
        for key in self.FIELDS:
            if key in record.__dict__:
                value = record.__dict__[key]
                line[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            line["error"] = redact(self.formatException(record.exc_info).splitlines()[-1])
        return json.dumps(line, ensure_ascii=False)


class RedactingFormatter(logging.Formatter):
    """The plain text format, redacted the same way."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(level: int = logging.WARNING, fmt: str = "json", stream=None) -> logging.Handler:
    """Root logging for a served app: JSON lines (default) or text, both redacted. Returns the handler."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
