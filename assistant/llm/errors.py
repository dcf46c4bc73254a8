"""What can go wrong with language models, as the rest of the assistant sees it."""

from retrieval.errors import CrsError


class LLMError(CrsError):
    """A model could not answer: server down, timeout, HTTP error, empty answer. Callers fall back, never crash."""


class UnknownBackend(CrsError):
    """A backend name that is not registered, or one that is missing its settings."""
