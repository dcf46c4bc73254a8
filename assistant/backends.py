"""Understanding backends by name: `rules` (deterministic), `local` (packaged GGUF model in-process)
and `openai` (any OpenAI-compatible server). Each turns a message and the session so far into an
`Understanding`; LLM backends also narrate the reply's opening sentence."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Protocol

from pydantic import ValidationError

import prompts
from assistant.config import Config
from assistant.engine import Engine
from assistant.models import Session, Understanding
from assistant.observability import FALLBACKS, LLM_ERRORS
from assistant.reconcile import PRICED_READING_SCHEMA, READING_SCHEMA, LLMReading, PricedReading, reconcile
from retrieval.docs import Passage
from retrieval.errors import LLMError, UnknownBackend

log = logging.getLogger(__name__)


class Backend(Protocol):
    """Understand a message in the context of a session: at once (`first_reading`), and, where `wants_model`,
    with a model (`read`), which `understand` does in one call."""

    name: str

    def understand(self, message: str, session: Session) -> Understanding: ...

    def first_reading(self, message: str, session: Session) -> Understanding: ...

    def wants_model(self, first: Understanding) -> bool: ...

    def read(self, message: str, session: Session, first: Understanding) -> Understanding: ...

    def narrate(self, description: str) -> Iterator[str]: ...

    def answer_support(self, question: str, passages: list[Passage], extract: str) -> str | None: ...


class RulesBackend:
    """Deterministic, catalog-aware and model-free: what tests and evals rely on, and the fallback of the others."""

    name = "rules"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.parser = engine.parser

    def understand(self, message: str, session: Session) -> Understanding:
        return self.parser.parse(message, session)

    def first_reading(self, message: str, session: Session) -> Understanding:
        """The reading a reply can be ranked from at once, before any model is asked (see `Assistant.stream`)."""
        return self.understand(message, session)

    def wants_model(self, first: Understanding) -> bool:
        """Whether a model would also read a message first read as `first` (never, without a model)."""
        return False

    def read(self, message: str, session: Session, first: Understanding) -> Understanding:
        return first

    def narrate(self, description: str) -> Iterator[str]:
        return iter(())

    def answer_support(self, question: str, passages: list[Passage], extract: str) -> str | None:
        """None: the assistant answers with the passage's own sentences."""
        return None


class LLMBackend(RulesBackend):
    """A chat model on top of the parser.

    The parser reads every message first. When it explains the whole message, its reading
    is used as is; when words are left it could not place, the model is asked for the
    `LLMReading` JSON, validated, asked once more with the validation error, and its
    reading reconciled with the parser's (see assistant.reconcile). Any model fault falls
    back to the parser's reading and is logged without the message text.
    """

    def __init__(self, engine: Engine, chat, name: str) -> None:
        super().__init__(engine)
        self.chat = chat
        self.name = name
        self.stats = {"parser_only": 0, "llm": 0, "fallback": 0}

    def understand(self, message: str, session: Session) -> Understanding:
        rules = self.parser.parse(message, session)
        if not self.wants_model(rules):
            self.stats["parser_only"] += 1
            return rules
        return self.read(message, session, rules)

    def first_reading(self, message: str, session: Session) -> Understanding:
        rules = self.parser.parse(message, session)
        if not self.wants_model(rules):
            self.stats["parser_only"] += 1  # the parser's reading is the whole reading
        return rules

    def wants_model(self, rules: Understanding) -> bool:
        """Only recommendation requests with words the parser could not place are worth the model's time."""
        return rules.intent in ("recommend", "refine") and bool(rules.preferences.query)

    def read(self, message: str, session: Session, rules: Understanding) -> Understanding:
        """The model's reading of a message, reconciled with the parser's `rules`; `rules` when it fails."""
        reading = self._extract(message, session)
        if reading is None:
            self.stats["fallback"] += 1
            FALLBACKS.labels("reading").inc()
            return rules
        self.stats["llm"] += 1
        return reconcile(rules, reading, message, self.parser)

    def _extract(self, message: str, session: Session) -> LLMReading | None:
        catalog = self.engine.catalog
        shown = "; ".join(f"{i}. {catalog.get(x).name}" for i, x in enumerate(session.shown[:10], 1))
        messages = [
            ("system", prompts.render("llm", "extract_system", noun=self.engine.noun, genres=self.parser.genre_list,
                                      prices=self.parser.has_prices)),
            ("user", prompts.render("llm", "extract_user", shown=shown, message=json.dumps(message))),
        ]
        priced = self.parser.has_prices
        reading, schema = (PricedReading, PRICED_READING_SCHEMA) if priced else (LLMReading, READING_SCHEMA)
        for attempt in (1, 2):
            try:
                text = self.chat.complete(messages, schema=schema)
            except LLMError as e:
                LLM_ERRORS.labels("extract").inc()
                log.warning("llm extraction failed (%s); using the parser's reading", e)
                return None
            try:
                return reading.model_validate_json(_json_part(text))
            except (ValidationError, ValueError) as e:
                error = _short_error(e)
                LLM_ERRORS.labels("extract_invalid").inc()
                log.warning("llm extraction attempt %d invalid (%s)", attempt, error)
                messages += [("assistant", text[:2000]), ("user", prompts.render("llm", "extract_retry", error=error))]
        log.warning("llm extraction invalid twice; using the parser's reading")
        return None

    def narrate(self, description: str) -> Iterator[str]:
        """The reply's opening sentence, token by token (raises LLMError on a fault)."""
        messages = [
            ("system", prompts.render("llm", "narrate_system", noun=self.engine.noun)),
            ("user", prompts.render("llm", "narrate_user", description=description)),
        ]
        return self.chat.stream(messages, max_tokens=60)


    def answer_support(self, question: str, passages: list[Passage], extract: str) -> str | None:
        """The model's answer written from the passages only, or None (then the extract is used) when it fails
        or says anything the passages do not: a number, an email address, a link or a phone number."""
        sources = "\n\n".join(f"[{i}] {p.citation}\n{p.text}" for i, p in enumerate(passages, start=1))
        messages = [
            ("system", prompts.render("llm", "support_system")),
            ("user", prompts.render("llm", "support_user", sources=sources, question=json.dumps(question))),
        ]
        try:
            text = " ".join(self.chat.complete(messages, max_tokens=160).split())
        except LLMError as e:
            LLM_ERRORS.labels("support").inc()
            FALLBACKS.labels("support_answer").inc()
            log.warning("llm support answer failed (%s); using the passage", e)
            return None
        if not grounded(text, [p.text for p in passages]):
            FALLBACKS.labels("support_answer").inc()
            log.warning("llm support answer not grounded in the passages; using the passage")
            return None
        return text


def grounded(answer: str, sources: list[str]) -> bool:
    """Whether an LLM's answer only repeats facts it was given: every number, email, link and phone-like string
    in it occurs in the sources; no markup; not empty and not long."""
    if not answer or len(answer) > 700 or re.search(r"[<>`{}|]|\]\(", answer):
        return False
    source = " ".join(sources).casefold()
    facts = re.findall(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\$?\d[\d,.:]*%?", answer.casefold())
    return all(fact.rstrip(".,;:") in source for fact in facts)


def _json_part(text: str) -> str:
    """The JSON object in a model's answer (some wrap it in prose or code fences)."""
    m = re.search(r"\{.*\}", text, re.S)
    if not m:
        raise ValueError("no JSON object in the answer")
    return m.group(0)


def _short_error(e: Exception) -> str:
    if isinstance(e, ValidationError):
        err = e.errors()[0]
        return f"{'.'.join(map(str, err['loc'])) or 'value'}: {err['msg']}"[:200]
    return str(e)[:200]


def _local(engine: Engine, cfg: Config) -> Backend:
    from assistant.llm import local_chat

    return LLMBackend(engine, local_chat(cfg.local_model, cfg.state_dir), "local")


def _openai(engine: Engine, cfg: Config) -> Backend:
    from assistant.llm import openai_chat

    if not cfg.openai_base_url and not (cfg.openai_api_key or _env_key()):
        raise UnknownBackend("the openai backend needs CRS_OPENAI_BASE_URL or an API key (OPENAI_API_KEY)")
    key = cfg.openai_api_key.get_secret_value() if cfg.openai_api_key else None
    chat = openai_chat(cfg.openai_base_url, cfg.openai_model, key, cfg.llm_timeout_s, cfg.openai_json_mode)
    return LLMBackend(engine, chat, "openai")


def _env_key() -> str | None:
    import os

    return os.environ.get("OPENAI_API_KEY")


BACKENDS: dict[str, Callable[[Engine, Config], Backend]] = {
    "rules": lambda engine, cfg: RulesBackend(engine),
    "local": _local,
    "openai": _openai,
}


def check_backend_name(name: str) -> None:
    """Fails fast, with the list of known backends, on a name that is not registered."""
    if name not in BACKENDS:
        raise UnknownBackend(f"unknown backend {name!r}; known backends: {', '.join(sorted(BACKENDS))}")


def get_backend(name: str, engine: Engine, config: Config | None = None) -> Backend:
    """The backend registered under `name`; an unknown name fails with the list of known ones."""
    check_backend_name(name)
    return BACKENDS[name](engine, config or Config())


def available_backends(config: Config) -> list[str]:
    """Backends that can run here: `rules` always; `local` when its model is installed; `openai` when configured."""
    from assistant.llm import local_model_available

    names = ["rules"]
    if local_model_available(config.local_model):
        names.append("local")
    if config.openai_base_url or config.openai_api_key or _env_key():
        names.append("openai")
    return names
