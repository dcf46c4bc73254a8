"""Configuration layering: defaults < file < environment < command line; unknown keys rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import DEMO_PACK, Config
from retrieval.errors import CrsError


def test_layers_in_order(tmp_path):
    assert Config.load(env={}).port == 7860 and Config.load(env={}).pack == DEMO_PACK
    f = tmp_path / "crs.toml"
    f.write_text('port = 8001\nstate_dir = "/srv/crs"\n')
    assert Config.load(file=f, env={}).port == 8001
    assert Config.load(file=f, env={"CRS_PORT": "8002"}).port == 8002
    cfg = Config.load(file=f, env={"CRS_PORT": "8002"}, overrides={"port": 8003, "host": None})
    assert (cfg.port, cfg.host, cfg.state_dir) == (8003, "127.0.0.1", Path("/srv/crs"))
    assert Config.load(env={"CRS_CONFIG": str(f)}).port == 8001


def test_bad_values_and_unknown_keys_are_rejected(tmp_path):
    f = tmp_path / "crs.toml"
    f.write_text("prot = 8001\n")
    with pytest.raises(CrsError, match="prot"):
        Config.load(file=f, env={})
    with pytest.raises(CrsError, match="port"):
        Config.load(env={"CRS_PORT": "seventy"})
    with pytest.raises(CrsError, match="cannot read config file"):
        Config.load(file=tmp_path / "absent.toml", env={})
