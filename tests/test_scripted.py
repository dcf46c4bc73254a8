"""Scripted conversation suites (eval/scripted.py) on the demo pack, and the checker failing when it should."""

from __future__ import annotations

import pytest

from assistant.assistant import Assistant
from assistant.support.handoff import HandoffStore
from eval.scripted import SUITES, load_suite, run_suite


@pytest.fixture
def demo(demo_engine, tmp_path):
    return Assistant(demo_engine, handoffs=HandoffStore(tmp_path / "handoffs.sqlite3"))


def test_the_demo_suite_passes_on_the_rules_backend(demo):
    result = run_suite(demo, load_suite(SUITES / "demo.yaml"), progress=False)
    assert result["failures"] == []
    assert result["conversations"] >= 10 and result["turns"] >= 30 and result["turn_pass_rate"] == 1.0


def test_the_messy_typing_suite_passes_and_no_reply_echoes_the_message(demo):
    """Swaps, counts, fillers before questions, sub-genres, other languages (eval/data/suites/messy.yaml); the
    suite's echo check runs on every turn."""
    result = run_suite(demo, load_suite(SUITES / "messy.yaml"), progress=False)
    assert result["failures"] == [] and result["turns"] >= 18


def test_wrong_expectations_are_reported_with_their_reasons(demo, tmp_path):
    suite = tmp_path / "wrong.yaml"
    suite.write_text("""
name: expectations that cannot hold
conversations:
  - name: all wrong
    turns:
      - say: sci-fi from the 90s
        intent: support
        count: 50
        genres_all: [Western]
        years: [1950, 1959]
        must_include: [No Such Movie]
      - feedback: {item: 1, kind: down}
      - say: how do I get a refund?
        cites: payments#
        handoff: true
        text_contains: [bananas]
      - feedback: {item: 9, kind: up}
""")
    result = run_suite(demo, load_suite(suite), progress=False)
    assert result["conversations_passed"] == 0 and result["turns"] == 4
    problems = {f["turn"]: " | ".join(f["problems"]) for f in result["failures"]}
    assert set(problems) == {1, 3, 4}
    for expected in ("intent recommend, expected support", "expected at least 50", "lacks Western",
                     "outside 1950-1959", "No Such Movie was not recommended"):
        assert expected in problems[1]
    for expected in ("expected payments#", "handoff False, expected True", "lacks 'bananas'"):
        assert expected in problems[3]
    assert "no such item" in problems[4]


@pytest.mark.parametrize("text, error", [
    ("name: x\n", "list of conversations"),
    ("conversations:\n  - name: a\n    turns:\n      - say: hi\n        colour: red\n", "unknown keys"),
    ("conversations:\n  - name: a\n    turns:\n      - intent: recommend\n", "exactly one of say or feedback"),
])
def test_malformed_suites_are_refused_with_the_reason(tmp_path, text, error):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=error):
        load_suite(path)
