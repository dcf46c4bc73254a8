"""Configuration: one pydantic model, layered.

Precedence, lowest to highest: the defaults below < a TOML file (`--config FILE`, or the
`CRS_CONFIG` environment variable) < environment variables `CRS_<FIELD>` (for example
`CRS_PORT=8080`, `CRS_STATE_DIR=/var/lib/crs`; `OPENAI_API_KEY` too) < command-line flags. Unknown keys are
rejected. Nothing is read at import time.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from retrieval.errors import CrsError

REPO_ROOT = Path(__file__).resolve().parents[1]
# No telemetry and no hub downloads, ever: set before gradio, chromadb or transformers load.
OFFLINE_ENV = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def apply_offline_env(force: bool = False) -> None:
    """Puts OFFLINE_ENV into the environment (`force` also overrides values already set)."""
    for key, value in OFFLINE_ENV.items():
        if force:
            os.environ[key] = value
        else:
            os.environ.setdefault(key, value)
DEMO_PACK = REPO_ROOT / "packs" / "movielens"
SHIPPED_PACKS = [REPO_ROOT / "packs" / "movielens", REPO_ROOT / "packs" / "books"]


class Config(BaseModel):
    """Everything an operator can set."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    pack: Path = Field(DEMO_PACK, description="the pack folder to serve (default: the bundled MovieLens demo)")
    state_dir: Path = Field(Path(".crs"), description="where the vector index and trained models live")
    borrow_from: list[Path] = Field(
        SHIPPED_PACKS, description="packs whose interaction models a pack with no interactions of its own borrows, for "
        "the items it shares with the one matching most of them by title and year (at least a tenth); [] for none")
    chroma_host: str | None = Field(None, description="use a Chroma server at this host instead of the embedded store")
    chroma_port: int = Field(8000, ge=1, le=65535)
    backend: str = Field("local", description="how messages are understood: rules | local | openai")
    local_model: str = Field("qwen2.5-coder-0.5b", description="the packaged GGUF model of the `local` backend")
    openai_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1")
    openai_model: str = "gpt-4o-mini"
    openai_api_key: SecretStr | None = Field(None, description="also read from OPENAI_API_KEY; never logged")
    openai_json_mode: Literal["schema", "json_schema", "json_object"] = Field(
        "json_object", description="how JSON is asked for: llama.cpp 'schema', OpenAI/vLLM 'json_schema', or plain"
    )
    llm_timeout_s: float = Field(20.0, gt=0, le=600)
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    n_recommendations: int = Field(5, ge=1, le=20)
    candidate_pool: int = Field(100, ge=10, le=2000, description="vector-store hits considered per turn")
    max_message_chars: int = Field(4000, ge=100, le=100_000)
    turns_per_minute_per_session: int = Field(20, ge=1, le=10_000, description="more from one conversation: 429")
    turns_per_minute_per_client: int = Field(120, ge=1, le=100_000, description="more from one address: 429")
    max_concurrent_turns: int = Field(8, ge=1, le=1_000, description="turns generated at once; the rest wait, then 503")
    log_format: Literal["json", "text"] = Field("json", description="served app's log lines; personal data redacted")
    widget_origins: list[str] = Field(
        ["*"], description="sites that may embed the chat widget (CSP frame-ancestors), e.g. ['https://shop.example']")
    operator_token: SecretStr | None = Field(None, description="bearer token for operator API calls (handoff release)")
    handoff_webhook_url: str | None = Field(
        None, pattern=r"^https?://", description="POSTed a JSON event with the transcript when a conversation is handed over")

    @field_validator("widget_origins", "borrow_from", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        """From the environment: a comma-separated list."""
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @classmethod
    def load(
        cls,
        file: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        overrides: Mapping[str, object] | None = None,
    ) -> Config:
        """Builds the config from the layers above; `overrides` are command-line values (None = not given)."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        file = file or env.get("CRS_CONFIG")
        if file:
            try:
                values.update(tomllib.loads(Path(file).read_text(encoding="utf-8")))
            except (OSError, tomllib.TOMLDecodeError) as e:
                raise CrsError(f"cannot read config file {file}: {e}") from e
        if env.get("OPENAI_API_KEY"):  # the variable every OpenAI client reads; CRS_OPENAI_API_KEY wins over it
            values["openai_api_key"] = env["OPENAI_API_KEY"]
        for name in cls.model_fields:
            key = f"CRS_{name.upper()}"
            if key in env:
                values[name] = env[key]
        values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as e:
            raise CrsError(f"invalid configuration: {e}") from e


def config_from_args(args: object) -> Config:
    """The config of a command line (an argparse namespace): its `--config` file's settings, with the flags it was
    given on top."""
    return Config.load(
        file=getattr(args, "config", None),
        overrides={
            "pack": getattr(args, "pack", None),
            "state_dir": getattr(args, "state_dir", None),
            "backend": getattr(args, "backend", None),
            "host": getattr(args, "host", None),
            "port": getattr(args, "port", None),
        },
    )
