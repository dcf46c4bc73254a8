"""Prompt and reply templates, kept as package data and rendered strictly (a missing variable is an error)."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

import jinja2

_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)


@cache
def _templates(collection: str) -> dict[str, jinja2.Template]:
    text = resources.files(__package__).joinpath(f"{collection}.toml").read_text(encoding="utf-8")
    return {name: _ENV.from_string(src.strip()) for name, src in tomllib.loads(text).items()}


def render(collection: str, name: str, **variables: object) -> str:
    """Renders template `name` of `prompts/<collection>.toml`; raises on an unknown name or a missing variable."""
    templates = _templates(collection)
    if name not in templates:
        raise KeyError(f"no template {name!r} in prompts/{collection}.toml (known: {', '.join(sorted(templates))})")
    return templates[name].render(**variables)


SHINGLE_WORDS = 6


def shingles(text: str, n: int = SHINGLE_WORDS) -> set[str]:
    """Every run of `n` consecutive words of a text, lowercased."""
    words = re.findall(r"[a-z']+", text.casefold())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


@cache
def instruction_shingles() -> frozenset[str]:
    """Runs of words from what the model is told (prompts/llm.toml), its quoted example outputs left out: text
    that repeats one of them is repeating our instructions."""
    text = resources.files(__package__).joinpath("llm.toml").read_text(encoding="utf-8")
    out: set[str] = set()
    for src in tomllib.loads(text).values():
        out |= shingles(re.sub(r'"[^"\n]*"', " | ", src))
    return frozenset(out)
