"""Load test on loopback: N concurrent conversations of T turns each against `crs serve` (the whole app:
API, Gradio, widget) on the `rules` backend, started here in its own process.

Prints the error rate, turn latency p50/p95/p99 (and next to it, one conversation alone measured in
the same run before the load, as the baseline), throughput, and the server's memory over time.
Bounded in count (N x T requests) and in time (--max-s; what is unfinished then counts as errors).

Every conversation comes from 127.0.0.1, so the per-address limit is raised for the run (that is
what this measures: the server, not the limiter); the per-conversation limit stays as configured.

    python bench/load.py [--sessions 50] [--turns 20] [--pack DIR] [--state-dir DIR] [--max-s 600]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.turns import pct  # noqa: E402

OPENERS = ["a sci-fi comedy", "something scary from the 80s", "a feel-good movie for the family",
           "I loved The Matrix, what else?", "a crime drama, nothing older than 1990", "animated films for kids",
           "a romantic comedy", "a thriller with a twist", "war movies", "something like Toy Story"]
FOLLOWUPS = ["more like the second one", "not that, something else", "only from the 90s", "no horror please",
             "something lighter", "show me others", "anything with Tom Hanks?", "what about documentaries?",
             "older ones", "I've seen those", "tell me more about the first one", "something darker",
             "a comedy instead", "how do I return an order?", "thanks!", "one more like the third one",
             "no animation", "from after 2000", "a classic", "surprise me"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def start_server(pack: Path | None, state_dir: Path | None, port: int) -> subprocess.Popen:
    crs = Path(sys.executable).with_name("crs")
    args = [str(crs), "serve", "--backend", "rules", "--port", str(port)]
    if pack:
        args += ["--pack", str(pack)]
    if state_dir:
        args += ["--state-dir", str(state_dir)]
    env = {**os.environ, "CRS_TURNS_PER_MINUTE_PER_CLIENT": "100000", "CRS_LOG_FORMAT": "json"}
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


async def wait_ready(url: str, proc: subprocess.Popen, timeout_s: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=5) as http:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited: {proc.stderr.read()[-2000:] if proc.stderr else ''}")
            try:
                if (await http.get(f"{url}/metrics")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not come up in time")
            await asyncio.sleep(0.5)


async def conversation(http, url: str, turns: int, seed: int, latencies: list[float], errors: list[str]) -> None:
    rng = random.Random(seed)
    sid = None
    for t in range(turns):
        message = rng.choice(OPENERS) if t == 0 else rng.choice(FOLLOWUPS)
        t0 = time.perf_counter()
        try:
            r = await http.post(f"{url}/api/chat", json={"session_id": sid, "message": message})
        except Exception as e:  # noqa: BLE001 -- every failure is counted, by kind
            errors.append(type(e).__name__)
            continue
        latencies.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            errors.append(f"HTTP {r.status_code}")
            continue
        sid = r.json()["session_id"]


async def run(url: str, pid: int, sessions: int, turns: int, max_s: float) -> dict:
    import httpx

    limits = httpx.Limits(max_connections=sessions + 4, max_keepalive_connections=sessions + 4)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        alone: list[float] = []
        alone_errors: list[str] = []
        await conversation(http, url, turns, seed=10_000, latencies=alone, errors=alone_errors)

        latencies: list[float] = []
        errors: list[str] = []
        memory: list[tuple[float, float]] = []
        start = time.perf_counter()
        tasks = [asyncio.create_task(conversation(http, url, turns, seed=i, latencies=latencies, errors=errors))
                 for i in range(sessions)]

        async def sample() -> None:
            while True:
                memory.append((time.perf_counter() - start, rss_mb(pid)))
                await asyncio.sleep(1.0)

        sampler = asyncio.create_task(sample())
        done, pending = await asyncio.wait(tasks, timeout=max_s)
        for task in pending:
            task.cancel()
        wall = time.perf_counter() - start
        sampler.cancel()
        memory.append((wall, rss_mb(pid)))
    expected = sessions * turns
    unfinished = expected - len(latencies) - len(errors)
    return {"alone": alone, "alone_errors": alone_errors, "latencies": latencies, "errors": errors,
            "unfinished": max(0, unfinished), "expected": expected, "wall_s": wall, "memory": memory}


def report(res: dict, sessions: int, turns: int) -> None:
    lat, alone = res["latencies"], res["alone"]
    failed = len(res["errors"]) + res["unfinished"]
    print(f"\n{sessions} concurrent conversations x {turns} turns = {res['expected']:,} requests "
          f"in {res['wall_s']:.1f} s ({len(lat) / res['wall_s']:.1f} turns/s)")
    print(f"errors: {failed} ({failed / res['expected']:.2%})" + (
        f"  [{', '.join(sorted(set(res['errors'])))}{'; unfinished ' + str(res['unfinished']) if res['unfinished'] else ''}]"
        if failed else ""))
    print(f"\n{'turn latency, ms':<28}{'p50':>10}{'p95':>10}{'p99':>10}{'max':>10}")
    for label, xs in ((f"under load ({sessions} at once)", lat), ("baseline: one conversation alone", alone)):
        if xs:
            print(f"{label:<28}{pct(xs, 50):>10.0f}{pct(xs, 95):>10.0f}{pct(xs, 99):>10.0f}{max(xs):>10.0f}")
    print("\nserver memory over time (RSS, MB)")
    mem = res["memory"]
    step = max(1, len(mem) // 10)
    for t, mb in mem[::step] + ([mem[-1]] if (len(mem) - 1) % step else []):
        print(f"  {t:7.1f} s  {mb:8.0f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--turns", type=int, default=20)
    ap.add_argument("--pack", type=Path, help="default: the bundled demo pack")
    ap.add_argument("--state-dir", type=Path, help="default: .crs, as `make run`")
    ap.add_argument("--max-s", type=float, default=600, help="stop after this long; unfinished turns count as errors")
    ap.add_argument("--startup-s", type=float, default=600, help="how long the server may take to come up")
    args = ap.parse_args()
    if args.sessions < 1 or args.turns < 1:
        ap.error("--sessions and --turns must be at least 1")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(args.pack, args.state_dir, port)
    try:
        print(f"starting crs serve on {url} (rules backend) ...", file=sys.stderr)
        asyncio.run(wait_ready(url, proc, args.startup_s))
        print(f"server up (RSS {rss_mb(proc.pid):.0f} MB); {args.sessions} conversations x {args.turns} turns ...",
              file=sys.stderr)
        res = asyncio.run(run(url, proc.pid, args.sessions, args.turns, args.max_s))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    report(res, args.sessions, args.turns)
    failed = len(res["errors"]) + res["unfinished"] + len(res["alone_errors"])
    print(f"\n{args.sessions} concurrent sessions with 0 errors: {'met' if failed == 0 else 'NOT met'}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
