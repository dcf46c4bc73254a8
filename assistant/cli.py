"""`crs`: index and train a pack, ask one question, chat in the terminal, or serve the web app (the offline
evaluations, `crs eval ...`, are in `eval.commands`).

Heavy libraries are imported inside the commands, so `crs --help` is instant.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from retrieval.errors import CrsError

log = logging.getLogger("crs")


def _offline_env() -> None:
    """No telemetry and no hub downloads, ever; set before gradio, chromadb or transformers load."""
    from assistant.config import apply_offline_env

    apply_offline_env()


def load_config(args: argparse.Namespace):
    """The config file's settings with the command line's on top (see `assistant.config`)."""
    from assistant.config import config_from_args

    return config_from_args(args)


def make_assistant(args: argparse.Namespace, progress: bool = True):
    """The config, and the assistant the composition root builds for it (assistant.engine.build_assistant)."""
    from assistant.engine import build_assistant

    cfg = load_config(args)
    return cfg, build_assistant(cfg, progress=progress)


def _report_pack(pack) -> None:
    print(f"pack {pack.name}: {len(pack.items):,} items, {len(pack.interactions):,} interactions", file=sys.stderr)
    if pack.issues:
        print(f"skipped {len(pack.issues):,} bad rows:", file=sys.stderr)
        for issue in pack.issues[:10]:
            print(f"  {issue}", file=sys.stderr)
        if len(pack.issues) > 10:
            print(f"  ... and {len(pack.issues) - 10:,} more", file=sys.stderr)


def cmd_index(args: argparse.Namespace) -> int:
    from assistant.engine import build_support
    from retrieval.build import build_index, open_store
    from retrieval.embed import shared_embedder
    from retrieval.pack import load_pack

    cfg = load_config(args)
    pack = load_pack(cfg.pack)
    _report_pack(pack)
    store = open_store(pack, cfg.state_dir, cfg.chroma_host, cfg.chroma_port, repair=args.force)
    started = time.perf_counter()
    embedder = shared_embedder()
    t0 = time.perf_counter()
    if build_index(pack, store, embedder, force=args.force):
        took = time.perf_counter() - t0
        print(f"indexed {len(pack.items):,} items in {took:.1f} s ({len(pack.items) / took:.0f} items/s)")
    else:
        print(f"index is up to date ({store.count():,} items); nothing to do "
              f"({time.perf_counter() - started:.1f} s)")
    desk = build_support(pack, store.client, embedder, cfg.state_dir, force=args.force, train=False)
    if desk is not None:
        print(f"support: {len(desk.passages):,} help passages indexed"
              + (f", order lookup from {desk.orders.path.name}" if desk.orders else ""))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from assistant.engine import app_feedback
    from retrieval.build import CONVERSATIONS, MODELS, model_path, train_conversations, train_models
    from retrieval.embed import shared_embedder
    from retrieval.pack import load_pack

    cfg = load_config(args)
    pack = load_pack(cfg.pack)
    _report_pack(pack)
    _train_support(pack, cfg)
    if not pack.interactions and not pack.conversations:
        print("this pack has no interactions and no conversation logs: recommendations use content only")
        return 0
    catalog = pack.catalog()
    if not pack.interactions:
        print("this pack has no interactions: only its conversation logs are learned from")
    feedback = app_feedback(pack, cfg.state_dir) if pack.interactions else []
    for name in MODELS if pack.interactions else ():
        t0 = time.perf_counter()
        model = train_models(pack, catalog, cfg.state_dir, names=(name,), force=True, feedback=feedback)[name]
        print(f"trained {name} over {len(model.item_ids):,} items in {time.perf_counter() - t0:.1f} s "
              f"-> {model_path(cfg.state_dir, pack, name)}")
    if pack.conversations:
        t0 = time.perf_counter()
        model = train_conversations(pack, catalog, cfg.state_dir, force=True, embedder=shared_embedder())
        print(f"trained {CONVERSATIONS} on {model.meta['n_turns']:,} logged turns of {model.meta['n_conversations']:,} "
              f"conversations in {time.perf_counter() - t0:.1f} s -> {model_path(cfg.state_dir, pack, CONVERSATIONS)}")
    return 0


def _train_support(pack, cfg) -> None:
    """Trains the support matcher of a pack with help pages (their index is built first when missing)."""
    from assistant.engine import build_support
    from retrieval.build import model_path, open_store
    from retrieval.embed import shared_embedder

    if pack.manifest.support is None:
        return
    t0 = time.perf_counter()
    store = open_store(pack, cfg.state_dir, cfg.chroma_host, cfg.chroma_port)
    desk = build_support(pack, store.client, shared_embedder(), cfg.state_dir, retrain=True, progress=True)
    if desk is not None and desk.matcher is not None:
        print(f"trained the support matcher on {desk.matcher.meta['n_examples']:,} examples of "
              f"{len(desk.passages):,} help passages in {time.perf_counter() - t0:.1f} s "
              f"-> {model_path(cfg.state_dir, pack, 'matcher')}")


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.models import Session

    _, assistant = make_assistant(args, progress=not args.json)
    *_, reply = assistant.stream(Session(), args.message)
    if args.json:
        print(reply.model_dump_json(indent=2))
    else:
        print(shown(reply))
    return 0


def shown(reply) -> str:
    """A reply as a terminal shows it: the text, then each card's reason (the app and the widget show cards)."""
    why = [f"  {i}. {r.explanation}" for i, r in enumerate(reply.recommendations, start=1) if r.explanation]
    return reply.text + ("\nWhy:\n" + "\n".join(why) if why else "")


def cmd_chat(args: argparse.Namespace) -> int:
    from assistant.models import Session

    _, assistant = make_assistant(args)
    session = Session()
    print(f"Chatting about {assistant.noun}s. Type 'start over' to reset, Ctrl-D to quit.")
    while True:
        try:
            message = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        *_, reply = assistant.stream(session, message)
        print(f"assistant> {shown(reply)}\n")


def cmd_handoff(args: argparse.Namespace) -> int:
    from assistant.engine import handoffs_path
    from assistant.support.handoff import HandoffStore

    cfg = load_config(args)
    store = HandoffStore(handoffs_path(cfg.state_dir))
    if args.action == "release":
        if not args.session:
            raise CrsError("crs handoff release needs the session id")
        if not store.release(args.session):
            raise CrsError(f"session {args.session} is not handed over to a person")
        print(f"released {args.session}: the assistant answers it again")
        return 0
    handoffs = store.list(active_only=args.action == "list")
    for h in handoffs:
        state = "open" if h.active else "released"
        print(f"{h.session_id}  {state:8}  {time.strftime('%Y-%m-%d %H:%M', time.gmtime(h.created_at))} UTC  "
              f"{h.reason}  ({len(h.transcript)} turns, webhook: {h.webhook_status or '-'})")
    if not handoffs:
        print("no conversations are handed over" if args.action == "list" else "no handoffs yet")
    return 0


def cmd_logs(args: argparse.Namespace) -> int:
    from assistant.engine import feedback_path, sessions_path
    from assistant.dialogue.feedback import FeedbackStore
    from assistant.serving.logs import logged_turns
    from assistant.serving.sessions import SessionStore
    from retrieval.manifest import load_manifest

    cfg = load_config(args)
    pack = load_manifest(Path(cfg.pack)).name
    if not sessions_path(cfg.state_dir).is_file():
        raise CrsError(f"no conversations are stored under {cfg.state_dir}")
    sessions = SessionStore(sessions_path(cfg.state_dir), pack)
    feedback = FeedbackStore(feedback_path(cfg.state_dir)) if feedback_path(cfg.state_dir).is_file() else None
    n_lines = n_conversations = 0
    try:
        with args.out.open("w", encoding="utf-8") as f:
            for session, created_at in sessions.each():
                events = feedback.events(pack, session_id=session.id) if feedback is not None else []
                lines = logged_turns(session, events, at=float(created_at))
                f.writelines(json.dumps(line) + "\n" for line in lines)
                n_lines += len(lines)
                n_conversations += bool(lines)
    finally:
        sessions.close()
        if feedback is not None:
            feedback.close()
    print(f"wrote {n_lines:,} logged turns from {n_conversations:,} conversations to {args.out}; point the pack's "
          "[conversations] path at it (or add its lines to the file there) and run `crs train`")
    return 0


def command_groups() -> list:
    """The commands other packages add to `crs`, as `(subparsers, common parser) -> None` functions: the evals
    (`eval.commands`) and the web app (`ui.commands`). They are declared in pyproject.toml's `crs.commands`
    entry points, so the assistant never imports the UI or the evals: the installed package composes them."""
    from importlib.metadata import entry_points

    return [ep.load() for ep in sorted(entry_points(group="crs.commands"), key=lambda ep: ep.name)]


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--pack", type=Path, help="pack folder (default: the bundled MovieLens demo)")
    common.add_argument("--state-dir", type=Path, help="where indexes and models are kept (default: .crs)")
    common.add_argument("--config", type=Path, help="a TOML config file (see assistant/config.py)")
    common.add_argument("-v", "--verbose", action="store_true", help="log more")

    p = argparse.ArgumentParser(prog="crs", description="A conversational recommender assistant.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("index", parents=[common], help="embed a pack's items into the vector store")
    s.add_argument("--force", action="store_true", help="rebuild even when the index is current")
    s.set_defaults(func=cmd_index)
    s = sub.add_parser("train", parents=[common], help="train the pack's collaborative-filtering model")
    s.add_argument("--force", action="store_true", help="accepted for symmetry; train always retrains")
    s.set_defaults(func=cmd_train)
    s = sub.add_parser("ask", parents=[common], help="answer one message")
    s.add_argument("message")
    s.add_argument("--json", action="store_true", help="print the whole reply as JSON")
    s.add_argument("--backend", help="understanding backend (default: rules)")
    s.set_defaults(func=cmd_ask)
    s = sub.add_parser("chat", parents=[common], help="chat in the terminal")
    s.add_argument("--backend")
    s.set_defaults(func=cmd_chat)
    for add_commands in command_groups():  # `crs eval ...` and `crs serve` (see `command_groups`)
        add_commands(sub, common)

    s = sub.add_parser("handoff", parents=[common], help="conversations handed over to a person")
    s.add_argument("action", choices=["list", "history", "release"],
                   help="list open handoffs, all of them (history), or give SESSION back to the assistant")
    s.add_argument("session", nargs="?")
    s.set_defaults(func=cmd_handoff)

    s = sub.add_parser("logs", parents=[common], help="write the stored conversations as logs to learn from (JSONL)")
    s.add_argument("--out", type=Path, required=True, help="the JSONL file to write")
    s.set_defaults(func=cmd_logs)

    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _offline_env()
    from assistant.serving.observability import configure_logging

    configure_logging(logging.INFO if args.verbose else logging.WARNING, "text", sys.stderr)  # redacted, as served
    try:
        return args.func(args)
    except CrsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
