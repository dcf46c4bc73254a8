"""Prompt and reply templates, kept as package data and rendered strictly (a missing variable is an error)."""

from __future__ import annotations

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
