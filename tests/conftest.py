"""Shared fixtures: real packs built from real MovieLens rows, a real Chroma in a temp dir, the real
embedding model, and a guard that fails any test reaching beyond loopback."""

from __future__ import annotations

import csv
import ipaddress
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from assistant.config import DEMO_PACK, apply_offline_env

apply_offline_env(force=True)



# -- no network: only loopback and unix sockets --------------------------------------------------

class NetworkBlocked(RuntimeError):
    pass


def _allowed(address) -> bool:
    if not isinstance(address, tuple):
        return True  # AF_UNIX path
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _guarded_connect(self, address):
    if not _allowed(address):
        raise NetworkBlocked(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if not _allowed(address):
        raise NetworkBlocked(f"test tried to reach the network: {address!r}")
    return _real_connect_ex(self, address)


def pytest_configure(config):
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    # workers of `pytest -n N` share the cores: each takes its share for torch (and the processes it starts)
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    if workers > 1:
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))
    # the many fresh state folders of the suite (and the `crs` processes started on them) share trained readers,
    # which depend on nothing a test changes: each is trained once per run, not once per folder
    if "CRS_READER_CACHE" not in os.environ:
        os.environ["CRS_READER_CACHE"] = config._crs_reader_cache = tempfile.mkdtemp(prefix="crs-readers-")
    # a catalog without interactions borrows the shipped packs' models, trained once per state folder: the suite's
    # many such folders borrow nothing unless a test asks (tests/test_benchmark.py tests the borrowing)
    os.environ.setdefault("CRS_BORROW_FROM", "")
    if _whole_suite_on_workers(config) and PREBUILT_ENV not in os.environ:
        os.environ[PREBUILT_ENV] = config._crs_prebuilt = _prebuild(config)


def pytest_unconfigure(config):
    folder = getattr(config, "_crs_reader_cache", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop("CRS_READER_CACHE", None)
    folder = getattr(config, "_crs_prebuilt", None)
    if folder:
        config._crs_prebuild.kill()
        config._crs_prebuild.wait()
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(PREBUILT_ENV, None)


# -- the small and demo packs' state, built once for all workers -----------------------------------
# Each worker of `pytest -n N` would build the same two state folders (the demo pack's index, models and support
# desk: about two minutes on one core each). The whole suite on workers builds them once, in a process of its own
# started before the workers and running beside them (every file closed when it ends); a worker that needs one waits
# for it, copies it and loads. The files that need the demo pack's run last (`pytest_collection_modifyitems`), and
# the build embeds on one more core for each worker left waiting on it.

PREBUILT_ENV = "CRS_TEST_PREBUILT"
_PREBUILD = """
import sys
from pathlib import Path
from assistant.config import DEMO_PACK
from assistant.engine import prepare
from retrieval.embed import shared_embedder
from tests.conftest import make_small_pack
root = Path(sys.argv[1])
try:
    embedder = shared_embedder()
    encode = embedder.encode

    def encode_on_idle_cores(texts, progress=False):
        # one core's share beside the two workers, and one more core for each worker waiting on this build
        import os, torch
        torch.set_num_threads(min(os.cpu_count() or 1, 1 + len(list(root.glob("waiting-*")))))
        return encode(texts, progress)

    embedder.encode = encode_on_idle_cores
    prepare(make_small_pack(root / "small-pack"), root / "small-state", embedder=embedder, progress=False)
    (root / "small-pack.done").touch()
    (root / "small-state.done").touch()
    prepare(DEMO_PACK, root / "demo-state", embedder=embedder, progress=False)
    (root / "demo-state.done").touch()
except BaseException:
    (root / "failed").touch()
    raise
"""
PREBUILD_WAIT_S = 900


def _whole_suite_on_workers(config) -> bool:
    """The controller of a `pytest -n N` run (N > 1) of the whole suite (no files or tests named)."""
    return (not hasattr(config, "workerinput") and (getattr(config.option, "numprocesses", None) or 0) > 1
            and config.args_source == pytest.Config.ArgsSource.TESTPATHS)


def _prebuild(config) -> str:
    import subprocess
    import sys

    root = tempfile.mkdtemp(prefix="crs-prebuilt-")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # beside the workers, one core's share like each of them
    config._crs_prebuild = subprocess.Popen([sys.executable, "-c", _PREBUILD, root], env=env,
                                            cwd=Path(__file__).parent.parent, stdout=subprocess.DEVNULL,
                                            stderr=open(Path(root) / "stderr.txt", "w"))
    return root


def _prebuilt(name: str) -> Path | None:
    """The prebuilt folder `name`, once the build is done; None where there is none (each worker builds its own)."""
    import time

    root = os.environ.get(PREBUILT_ENV)
    if not root:
        return None
    deadline = time.monotonic() + PREBUILD_WAIT_S
    waiting = Path(root) / f"waiting-{os.getpid()}"  # the build takes this worker's core while it waits
    try:
        while not (Path(root) / f"{name}.done").is_file():
            if (Path(root) / "failed").is_file() or not Path(root).is_dir() or time.monotonic() > deadline:
                return None
            waiting.touch()
            time.sleep(0.5)
    finally:
        waiting.unlink(missing_ok=True)
    return Path(root) / name if (Path(root) / name).is_dir() else None


def _state(name: str, tmp_path_factory) -> Path:
    """A fresh state folder for a session fixture: a copy of the prebuilt one where there is one."""
    state = tmp_path_factory.mktemp(name)
    prebuilt = _prebuilt(name)
    if prebuilt is not None:
        shutil.copytree(prebuilt, state, dirs_exist_ok=True)
    return state


def free_port() -> int:
    """A free TCP port on loopback, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pytest_collection_modifyitems(session, config, items):
    """The files that use the demo pack's engine run last, so that while it is prebuilt beside them the workers run
    the others rather than wait (the order within a file is kept)."""
    demo_files = {item.path for item in items if "demo_engine" in getattr(item, "fixturenames", ())}
    items.sort(key=lambda item: item.path in demo_files)


# -- packs ----------------------------------------------------------------------------------------

def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)


def make_small_pack(dest: Path, n_popular: int = 220, extra_movies: list[dict] | None = None,
                    support_examples: bool = True) -> Path:
    """A real pack made of demo-pack rows: the most-rated movies plus every 1990s sci-fi film,
    with their ratings and tags, under the demo pack's own manifest. Without `support_examples` its support
    matcher learns from the help pages alone (seconds less to train in every process that builds it)."""
    dest.mkdir(parents=True, exist_ok=True)
    m_head, movies = _rows(DEMO_PACK / "movies.csv")
    r_head, ratings = _rows(DEMO_PACK / "ratings.csv")
    t_head, tags = _rows(DEMO_PACK / "tags.csv")
    counts: dict[str, int] = {}
    for r in ratings:
        counts[r["movieId"]] = counts.get(r["movieId"], 0) + 1
    keep = set(sorted(counts, key=lambda m: -counts[m])[:n_popular])
    for m in movies:
        if "Sci-Fi" in m["genres"] and any(f"({y})" in m["title"] for y in range(1990, 2000)):
            keep.add(m["movieId"])
    chosen = [m for m in movies if m["movieId"] in keep] + (extra_movies or [])
    # a shop's prices (a fixture's, fixed per id); every tenth item has none
    chosen = [{**m, "price": "" if int(m["movieId"]) % 10 == 0 else f"{4.99 + int(m['movieId']) * 7919 % 25:.2f}"}
              for m in chosen]
    _write(dest / "movies.csv", [*m_head, "price"], chosen)
    _write(dest / "ratings.csv", r_head, [r for r in ratings if r["movieId"] in keep])
    _write(dest / "tags.csv", t_head, [t for t in tags if t["movieId"] in keep])
    manifest = (DEMO_PACK / "pack.toml").read_text(encoding="utf-8").replace(
        'name = "movielens-small"', 'name = "movielens-test"'
    )
    if not support_examples:
        manifest = re.sub(r"(?m)^examples = .*$", "", manifest)
    (dest / "pack.toml").write_text(manifest, encoding="utf-8")
    shutil.copy(DEMO_PACK / "README.txt", dest / "README.txt")
    shutil.copytree(DEMO_PACK / "support", dest / "support", dirs_exist_ok=True)
    shutil.copy(DEMO_PACK / "orders.sqlite3", dest / "orders.sqlite3")
    if support_examples:
        shutil.copy(DEMO_PACK / "support-examples.csv", dest / "support-examples.csv")
    return dest


@pytest.fixture(scope="session")
def embedder():
    from retrieval.embed import shared_embedder

    return shared_embedder()


@pytest.fixture(scope="session")
def small_pack_dir(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("packs") / "small"
    prebuilt = _prebuilt("small-pack")
    return Path(shutil.copytree(prebuilt, dest)) if prebuilt is not None else make_small_pack(dest)


@pytest.fixture(scope="session")
def lean_pack_dir(tmp_path_factory) -> Path:
    """The small pack without support examples, for tests that start the CLI or a server in a new process."""
    return make_small_pack(tmp_path_factory.mktemp("packs") / "lean", support_examples=False)


@pytest.fixture(scope="session")
def cli_state(lean_pack_dir, tmp_path_factory) -> Path:
    """The lean pack's state dir, indexed and trained through the CLI as a user would; tests that break or delete
    part of it work on a copy (`shutil.copytree`)."""
    from tests.test_cli import crs

    state = tmp_path_factory.mktemp("cli-state")
    first = crs("index", "--pack", str(lean_pack_dir), "--state-dir", str(state))
    assert first.returncode == 0, first.stderr
    assert "indexed" in first.stdout and "items/s" in first.stdout
    trained = crs("train", "--pack", str(lean_pack_dir), "--state-dir", str(state))
    assert trained.returncode == 0, trained.stderr
    assert all(f"trained {m}" in trained.stdout for m in ("ease", "bpr", "itemknn", "popularity"))
    assert "trained the support matcher on" in trained.stdout  # from the help pages alone: no examples file
    return state


@pytest.fixture(scope="session")
def small_engine(small_pack_dir, embedder, tmp_path_factory):
    from assistant.engine import prepare

    return prepare(small_pack_dir, _state("small-state", tmp_path_factory), embedder=embedder, progress=False)


@pytest.fixture(scope="session")
def demo_engine(embedder, tmp_path_factory):
    """The full demo pack, indexed and trained from scratch in this run (see `_prebuild`), as `make run` does on
    first use."""
    from assistant.engine import prepare

    return prepare(DEMO_PACK, _state("demo-state", tmp_path_factory), embedder=embedder, progress=False)


@pytest.fixture
def small_assistant(small_engine):
    from assistant.assistant import Assistant

    return Assistant(small_engine)


@pytest.fixture(scope="session")
def demo_catalog():
    from retrieval.pack import load_pack

    return load_pack(DEMO_PACK).catalog()


HOSTILE_TITLE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def served_app(tmp_path_factory, embedder):
    """The whole server (Gradio app, API, widget) on loopback over a small pack with one hostile title,
    sessions and feedback stored in a temp dir. Yields its base URL."""
    from assistant.assistant import Assistant
    from assistant.engine import prepare
    from assistant.dialogue.feedback import FeedbackStore
    from assistant.serving.service import ChatService
    from assistant.serving.sessions import SessionStore
    from ui.server import Server, create_app

    hostile = {"movieId": "999001", "title": f"{HOSTILE_TITLE} (1996)", "genres": "Sci-Fi|Comedy"}
    pack = make_small_pack(tmp_path_factory.mktemp("served-pack") / "p", n_popular=80, extra_movies=[hostile])
    state = tmp_path_factory.mktemp("served-state")
    engine = prepare(pack, state, embedder=embedder, progress=False)
    assistant = Assistant(engine, feedback_store=FeedbackStore(state / "feedback.sqlite3"))
    service = ChatService(assistant, SessionStore(state / "sessions.sqlite3", engine.pack.name))
    server = Server(create_app(service), "127.0.0.1", free_port()).start()
    yield server.url
    server.stop()
