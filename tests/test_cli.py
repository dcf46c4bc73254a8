"""The `crs` console script, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CRS = str(Path(sys.executable).with_name("crs"))


def crs(*args: str, timeout: int = 300, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CRS_BACKEND": "rules", **(extra_env or {})}
    env.pop("CRS_CONFIG", None)
    return subprocess.run([CRS, *args], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture
def state(cli_state):
    """The lean pack's state dir, indexed and trained through the CLI (conftest's `cli_state`)."""
    return cli_state


def test_help_is_instant_because_nothing_heavy_is_imported():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, assistant.cli; assistant.cli.parser(); "
         "print(sorted(m for m in ('torch', 'gradio', 'chromadb', 'transformers') if m in sys.modules))"],
        capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == "[]"
    assert crs("--help").returncode == 0


def test_reindexing_an_unchanged_pack_does_nothing(lean_pack_dir, state):
    again = crs("index", "--pack", str(lean_pack_dir), "--state-dir", str(state))
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout


def test_ask_json_prints_one_reply(lean_pack_dir, state):
    out = crs("ask", "a funny sci-fi movie from the 90s, nothing with horror", "--json",
              "--pack", str(lean_pack_dir), "--state-dir", str(state))
    assert out.returncode == 0, out.stderr
    reply = json.loads(out.stdout)
    assert reply["intent"] == "recommend"
    recs = reply["recommendations"]
    assert len(recs) == 5
    for r in recs:
        assert set(r) >= {"item_id", "title", "year", "genres", "explanation", "score"}
        assert "Sci-Fi" in r["genres"] and "Horror" not in r["genres"] and 1990 <= r["year"] <= 1999


def test_errors_are_one_clear_line_and_exit_2(tmp_path, lean_pack_dir, state):
    out = crs("index", "--pack", str(tmp_path / "nope"), "--state-dir", str(tmp_path))
    assert out.returncode == 2 and out.stderr.startswith("error:") and "no such pack folder" in out.stderr
    assert "Traceback" not in out.stderr
    out = crs("ask", "hi", "--backend", "gpt-17", "--pack", str(lean_pack_dir), "--state-dir", str(state))
    assert out.returncode == 2 and "unknown backend 'gpt-17'; known backends: local, openai, rules" in out.stderr
    assert "Loading" not in out.stderr  # refused before any model is loaded


def test_terminal_chat_keeps_state_between_lines(lean_pack_dir, state):
    out = subprocess.run(
        [CRS, "chat", "--pack", str(lean_pack_dir), "--state-dir", str(state)],
        env={**os.environ, "CRS_BACKEND": "rules"}, input="sci-fi from the 90s\nno comedies\n", capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    replies = [line for line in out.stdout.splitlines() if "assistant> " in line]
    assert len(replies) == 2
    assert "from 1990–1999, without Comedy" in replies[1]


def test_an_unavailable_local_model_falls_back_to_rules_and_says_why(lean_pack_dir, state):
    out = crs("ask", "sci-fi from the 90s", "--json", "--pack", str(lean_pack_dir), "--state-dir", str(state),
              extra_env={"CRS_BACKEND": "local", "CRS_LOCAL_MODEL": "no-such-model"})
    assert out.returncode == 0, out.stderr
    assert "backend 'local' unavailable" in out.stderr and "using the rules backend" in out.stderr
    assert len(json.loads(out.stdout)["recommendations"]) == 5


def test_the_assistant_and_retrieval_never_import_the_ui_or_the_evals():
    """`crs serve` and `crs eval` come in through the `crs.commands` entry points (assistant.cli.command_groups)."""
    import ast

    root = Path(__file__).resolve().parent.parent
    offenders = []
    for package in ("assistant", "retrieval"):
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                offenders += [f"{path.relative_to(root)}: {n}" for n in names if n.split(".")[0] in ("ui", "eval")]
    assert not offenders
    from assistant.cli import command_groups, parser

    assert {f.__module__ for f in command_groups()} == {"eval.commands", "ui.commands"}
    assert parser().parse_args(["serve", "--port", "9"]).port == 9
