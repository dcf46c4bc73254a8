"""The one seam to language models: `ChatModel.complete(messages, *, schema=None, stream=False, max_tokens=256)`.

Three implementations:
- `LlamaCppModel`: a GGUF model in-process through llama.cpp, called directly (assistant.llm.packaged loads
  the one shipped inside PyPI packages);
- `OpenAIModel`: any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp's server) through langchain-openai;
- `FunctionModel`: a Python function receives the messages and returns the reply. Tests and evals use it where
  the server itself is not under test; it is also how an operator plugs in anything else.

Every failure (connection, timeout, HTTP error, an exception in the function, an empty answer) becomes `LLMError`;
what the answer must say is checked by the task that asked (assistant.llm.tasks).
"""

from __future__ import annotations

import json
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, Protocol, overload

from assistant.llm.errors import LLMError

Message = tuple[str, str]  # (role, text), role in system | user | assistant
JsonMode = Literal["schema", "json_schema", "json_object"]


class ChatModel(Protocol):
    """A chat model: the whole answer to `messages`, or (`stream=True`) its pieces as they come. With `schema`
    (a JSON schema) the model is asked for JSON in that shape; whether it complied is the caller's check."""

    name: str

    @overload
    def complete(self, messages: Sequence[Message], *, schema: dict | None = None, stream: Literal[False] = False,
                 max_tokens: int = 256) -> str: ...

    @overload
    def complete(self, messages: Sequence[Message], *, schema: dict | None = None, stream: Literal[True],
                 max_tokens: int = 256) -> Iterator[str]: ...


class _Model(ABC):
    """What every implementation shares: errors become LLMError, an empty answer is one. Subclasses give
    `_answer` (the whole text) and `_pieces` (the text as it streams)."""

    name: str = "model"

    def complete(self, messages: Sequence[Message], *, schema: dict | None = None, stream: bool = False,
                 max_tokens: int = 256) -> Any:
        if stream:
            return self._streamed(messages, max_tokens)
        try:
            text = self._answer(messages, schema, max_tokens)
        except LLMError:
            raise
        except Exception as e:  # every client error is a fault of the model service, handled by the caller
            raise LLMError(f"{self.name}: {type(e).__name__}") from e
        if not isinstance(text, str) or not text.strip():
            raise LLMError(f"{self.name}: empty answer")
        return text

    def _streamed(self, messages: Sequence[Message], max_tokens: int) -> Iterator[str]:
        try:
            for piece in self._pieces(messages, max_tokens):
                if piece:
                    yield piece
        except LLMError:
            raise
        except Exception as e:
            raise LLMError(f"{self.name}: {type(e).__name__}") from e

    @abstractmethod
    def _answer(self, messages: Sequence[Message], schema: dict | None, max_tokens: int) -> str:
        """The whole answer, as the model gave it."""

    @abstractmethod
    def _pieces(self, messages: Sequence[Message], max_tokens: int) -> Iterator[str]:
        """The answer as it streams, piece by piece."""


def _dicts(messages: Sequence[Message]) -> list[dict]:
    return [{"role": role, "content": text} for role, text in messages]


class LlamaCppModel(_Model):
    """A llama.cpp `Llama` in this process, greedy decoding; one generation at a time. A schema is enforced by
    llama.cpp's grammar (`json_object` with the schema)."""

    def __init__(self, llama: Any, name: str) -> None:
        self.llama = llama
        self.name = name
        self._lock = threading.Lock()

    def _call(self, messages: Sequence[Message], schema: dict | None, max_tokens: int, stream: bool) -> Any:
        return self.llama.create_chat_completion(
            messages=_dicts(messages), temperature=0.0, max_tokens=max_tokens, stream=stream,
            response_format={"type": "json_object", "schema": schema} if schema is not None else None)

    def _answer(self, messages: Sequence[Message], schema: dict | None, max_tokens: int) -> str:
        with self._lock:
            out = self._call(messages, schema, max_tokens, stream=False)
        return out["choices"][0]["message"].get("content") or ""

    def _pieces(self, messages: Sequence[Message], max_tokens: int) -> Iterator[str]:
        with self._lock:
            for chunk in self._call(messages, None, max_tokens, stream=True):
                yield chunk["choices"][0].get("delta", {}).get("content") or ""


class OpenAIModel(_Model):
    """An OpenAI-compatible server through langchain-openai, greedy, with no retries of its own (callers fall back
    instead). `json_mode` says how a schema is asked for: "schema" (llama.cpp's server: json_object with the
    schema), "json_schema" (OpenAI, vLLM) or "json_object" (any server; the schema is then only in the prompt)."""

    def __init__(self, base_url: str | None, model: str, api_key: str | None, timeout_s: float,
                 json_mode: JsonMode = "json_object") -> None:
        from langchain_openai import ChatOpenAI

        self.chat = ChatOpenAI(base_url=base_url, model=model, api_key=api_key or "not-needed", timeout=timeout_s,
                               max_retries=0, temperature=0)
        self.name = f"openai:{model}"
        self.json_mode = json_mode

    def _format(self, schema: dict) -> dict:
        if self.json_mode == "schema":
            return {"type": "json_object", "schema": schema}
        if self.json_mode == "json_schema":
            return {"type": "json_schema", "json_schema": {"name": "reading", "schema": schema}}
        return {"type": "json_object"}

    def _answer(self, messages: Sequence[Message], schema: dict | None, max_tokens: int) -> str:
        kwargs: dict[str, Any] = {"max_tokens": max_tokens}
        if schema is not None:
            kwargs["response_format"] = self._format(schema)
        out = self.chat.invoke(list(messages), **kwargs)
        return out.content if isinstance(out.content, str) else json.dumps(out.content)

    def _pieces(self, messages: Sequence[Message], max_tokens: int) -> Iterator[str]:
        for chunk in self.chat.stream(list(messages), max_tokens=max_tokens):
            if isinstance(chunk.content, str):
                yield chunk.content


Reply = Callable[[list[Message], dict | None], str]


class FunctionModel(_Model):
    """A Python function as the model: `function(messages, schema)` returns the reply (raise to act as a fault).
    Streamed, the reply comes word by word."""

    def __init__(self, function: Reply, name: str = "function") -> None:
        self.function = function
        self.name = name

    def _answer(self, messages: Sequence[Message], schema: dict | None, max_tokens: int) -> str:
        return self.function(list(messages), schema)

    def _pieces(self, messages: Sequence[Message], max_tokens: int) -> Iterator[str]:
        yield from re.findall(r"\s*\S+", self.function(list(messages), None))
