"""Understanding backends by name. Each one turns a message (and the session so far) into an `Understanding`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from assistant.config import Config
from assistant.engine import Engine
from assistant.models import Session, Understanding
from retrieval.errors import UnknownBackend


class Backend(Protocol):
    """The one required method: understand a message in the context of a session."""

    name: str

    def understand(self, message: str, session: Session) -> Understanding: ...


class RulesBackend:
    """Deterministic, catalog-aware and model-free: the default, and what tests and evals rely on."""

    name = "rules"

    def __init__(self, engine: Engine) -> None:
        self._parser = engine.parser

    def understand(self, message: str, session: Session) -> Understanding:
        return self._parser.parse(message, session)


BACKENDS: dict[str, Callable[[Engine, Config], Backend]] = {"rules": lambda engine, cfg: RulesBackend(engine)}


def get_backend(name: str, engine: Engine, config: Config | None = None) -> Backend:
    """The backend registered under `name`; an unknown name fails with the list of known ones."""
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise UnknownBackend(f"unknown backend {name!r}; known backends: {', '.join(sorted(BACKENDS))}") from None
    return factory(engine, config or Config())


def available_backends(config: Config) -> list[str]:
    """Backends that can run here: `rules` always; the others when their model or server is configured."""
    return ["rules"]
