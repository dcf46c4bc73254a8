"""Understanding backends by name, from one registry: `rules` (the parser alone, deterministic), `local` (the
packaged GGUF model in-process) and `openai` (any OpenAI-compatible server). A backend is the parser plus, for the
model backends, a `ChatModel` (assistant.llm.chat) that the assistant's model tasks (assistant.llm.tasks) use."""

from __future__ import annotations

import logging
from collections.abc import Callable

from assistant.config import Config
from assistant.engine import Engine
from assistant.llm.chat import ChatModel
from assistant.llm.errors import UnknownBackend
from assistant.llm.tasks import read_message
from assistant.models import Session, Understanding
from assistant.serving.observability import FALLBACKS
from assistant.understanding.reconcile import reconcile

log = logging.getLogger(__name__)


class Backend:
    """How messages are understood. The parser reads every message first (`first_reading`); when there is a model
    and the parser left words of a request it could not place (`wants_model`), the model reads it too (`read`):
    its reading is validated, and reconciled with the parser's (assistant.understanding.reconcile). Any model
    fault falls back to the parser's reading, logged without the message. `understand` does it all in one call."""

    def __init__(self, engine: Engine, model: ChatModel | None = None, name: str = "rules") -> None:
        self.engine = engine
        self.parser = engine.parser
        self.model = model
        self.name = name
        self.stats = {"parser_only": 0, "llm": 0, "fallback": 0}

    def understand(self, message: str, session: Session) -> Understanding:
        first = self.first_reading(message, session)
        return self.read(message, session, first) if self.wants_model(first) else first

    def first_reading(self, message: str, session: Session) -> Understanding:
        """The reading a reply can be ranked from at once, before any model is asked (see `Assistant.stream`)."""
        first = self.parser.parse(message, session)
        if not self.wants_model(first):
            self.stats["parser_only"] += 1  # the parser's reading is the whole reading
        return first

    def wants_model(self, first: Understanding) -> bool:
        """Only recommendation requests with words the parser could not place are worth a model's time."""
        return self.model is not None and first.intent in ("recommend", "refine") and bool(first.preferences.query)

    def read(self, message: str, session: Session, first: Understanding) -> Understanding:
        """The model's reading of a message, reconciled with the parser's `first`; `first` when it fails."""
        if self.model is None:
            return first
        catalog = self.engine.catalog
        reading = read_message(self.model, message, noun=self.engine.noun, genres=self.parser.genre_list,
                               priced=self.parser.has_prices, shown=[catalog.get(i).name for i in session.shown])
        if reading is None:
            self.stats["fallback"] += 1
            FALLBACKS.labels("reading").inc()
            return first
        self.stats["llm"] += 1
        return reconcile(first, reading, message, self.parser)


def _local(cfg: Config) -> ChatModel:
    from assistant.llm.packaged import local_model

    return local_model(cfg.local_model, cfg.state_dir)


def _openai(cfg: Config) -> ChatModel:
    from assistant.llm.chat import OpenAIModel

    if not cfg.openai_base_url and not cfg.openai_api_key:
        raise UnknownBackend("the openai backend needs CRS_OPENAI_BASE_URL or an API key (OPENAI_API_KEY)")
    key = cfg.openai_api_key.get_secret_value() if cfg.openai_api_key else None
    return OpenAIModel(cfg.openai_base_url, cfg.openai_model, key, cfg.llm_timeout_s, cfg.openai_json_mode)


# name -> the chat model it reads with (None: the parser alone)
BACKENDS: dict[str, Callable[[Config], ChatModel | None]] = {
    "rules": lambda cfg: None,
    "local": _local,
    "openai": _openai,
}


def check_backend_name(name: str) -> None:
    """Fails fast, with the list of known backends, on a name that is not registered."""
    if name not in BACKENDS:
        raise UnknownBackend(f"unknown backend {name!r}; known backends: {', '.join(sorted(BACKENDS))}")


def chat_model(name: str, config: Config | None = None) -> ChatModel | None:
    """The chat model of the backend registered under `name` (None for `rules`)."""
    check_backend_name(name)
    return BACKENDS[name](config or Config())


def get_backend(name: str, engine: Engine, config: Config | None = None) -> Backend:
    """The backend registered under `name`; an unknown name fails with the list of known ones."""
    return Backend(engine, chat_model(name, config), name)


def available_backends(config: Config) -> list[str]:
    """Backends that can run here: `rules` always; `local` when its model is installed; `openai` when configured."""
    from assistant.llm.packaged import local_model_available

    names = ["rules"]
    if local_model_available(config.local_model):
        names.append("local")
    if config.openai_base_url or config.openai_api_key:
        names.append("openai")
    return names
