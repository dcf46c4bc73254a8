"""`crs`: index and train a pack, ask one question, chat in the terminal, or serve the web app.

Heavy libraries are imported inside the commands, so `crs --help` is instant.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from retrieval.errors import CrsError, LLMError

log = logging.getLogger("crs")


def _offline_env() -> None:
    """No telemetry and no hub downloads, ever; set before gradio, chromadb or transformers load."""
    from assistant.config import apply_offline_env

    apply_offline_env()


def _config(args: argparse.Namespace):
    from assistant.config import Config

    return Config.load(
        file=args.config,
        overrides={
            "pack": args.pack,
            "state_dir": args.state_dir,
            "backend": getattr(args, "backend", None),
            "host": getattr(args, "host", None),
            "port": getattr(args, "port", None),
        },
    )


def _assistant(args: argparse.Namespace, progress: bool = True):
    from assistant.assistant import Assistant
    from assistant.backends import check_backend_name, get_backend
    from assistant.engine import prepare

    cfg = _config(args)
    check_backend_name(cfg.backend)
    engine = prepare(
        cfg.pack,
        cfg.state_dir,
        chroma_host=cfg.chroma_host,
        chroma_port=cfg.chroma_port,
        candidate_pool=cfg.candidate_pool,
        progress=progress,
    )
    try:
        backend = get_backend(cfg.backend, engine, cfg)
    except LLMError as e:
        # the app must come up: answer with the deterministic backend and say why
        print(f"warning: backend {cfg.backend!r} unavailable ({e}); using the rules backend", file=sys.stderr)
        backend = get_backend("rules", engine, cfg)
    from assistant.engine import feedback_path, handoffs_path
    from assistant.feedback import FeedbackStore
    from assistant.handoff import HandoffStore

    assistant = Assistant(
        engine,
        backend=backend,
        n_recommendations=cfg.n_recommendations,
        max_message_chars=cfg.max_message_chars,
        feedback_store=FeedbackStore(feedback_path(cfg.state_dir)),
        handoffs=HandoffStore(handoffs_path(cfg.state_dir), cfg.handoff_webhook_url),
    )
    return cfg, assistant


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    print(f"wrote {path}")


def _report_pack(pack) -> None:
    print(f"pack {pack.name}: {len(pack.items):,} items, {len(pack.interactions):,} interactions", file=sys.stderr)
    if pack.issues:
        print(f"skipped {len(pack.issues):,} bad rows:", file=sys.stderr)
        for issue in pack.issues[:10]:
            print(f"  {issue}", file=sys.stderr)
        if len(pack.issues) > 10:
            print(f"  ... and {len(pack.issues) - 10:,} more", file=sys.stderr)


def cmd_index(args: argparse.Namespace) -> int:
    from assistant.engine import build_index, build_support, open_store
    from retrieval.embed import shared_embedder
    from retrieval.pack import load_pack

    cfg = _config(args)
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
    desk = build_support(pack, store.client, embedder, force=args.force)
    if desk is not None:
        print(f"support: {len(desk.passages):,} help passages indexed"
              + (f", order lookup from {desk.orders.path.name}" if desk.orders else ""))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from assistant.engine import CONVERSATIONS, MODELS, model_path, train_conversations, train_models
    from retrieval.embed import shared_embedder
    from retrieval.pack import load_pack

    cfg = _config(args)
    pack = load_pack(cfg.pack)
    _report_pack(pack)
    if not pack.interactions and not pack.conversations:
        print("this pack has no interactions and no conversation logs: recommendations use content only")
        return 0
    catalog = pack.catalog()
    if not pack.interactions:
        print("this pack has no interactions: only its conversation logs are learned from")
    for name in MODELS if pack.interactions else ():
        t0 = time.perf_counter()
        model = train_models(pack, catalog, cfg.state_dir, names=(name,), force=True)[name]
        print(f"trained {name} over {len(model.item_ids):,} items in {time.perf_counter() - t0:.1f} s "
              f"-> {model_path(cfg.state_dir, pack, name)}")
    if pack.conversations:
        t0 = time.perf_counter()
        model = train_conversations(pack, catalog, cfg.state_dir, force=True, embedder=shared_embedder())
        print(f"trained {CONVERSATIONS} on {model.meta['n_turns']:,} logged turns of {model.meta['n_conversations']:,} "
              f"conversations in {time.perf_counter() - t0:.1f} s -> {model_path(cfg.state_dir, pack, CONVERSATIONS)}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.models import Session

    _, assistant = _assistant(args, progress=not args.json)
    *_, reply = assistant.stream(Session(), args.message)
    if args.json:
        print(reply.model_dump_json(indent=2))
    else:
        print(reply.text)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from assistant.models import Session

    _, assistant = _assistant(args)
    session = Session()
    print(f"Chatting about {assistant.noun}s. Type 'start over' to reset, Ctrl-D to quit.")
    while True:
        try:
            message = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        *_, reply = assistant.stream(session, message)
        print(f"assistant> {reply.text}\n")


def cmd_serve(args: argparse.Namespace) -> int:
    from assistant.engine import sessions_path
    from assistant.limits import Limiter, LimitSettings
    from assistant.observability import configure_logging
    from assistant.service import ChatService
    from assistant.sessions import SessionStore
    from ui.server import create_app, serve

    cfg, assistant = _assistant(args)
    configure_logging(logging.INFO if args.verbose else logging.WARNING, cfg.log_format)
    sessions = SessionStore(sessions_path(cfg.state_dir), assistant.engine.pack.name)
    limiter = Limiter(LimitSettings(turns_per_minute_per_session=cfg.turns_per_minute_per_session,
                                    turns_per_minute_per_client=cfg.turns_per_minute_per_client,
                                    max_concurrent_turns=cfg.max_concurrent_turns))
    app = create_app(ChatService(assistant, sessions, limiter), cfg.widget_origins,
                     cfg.operator_token.get_secret_value() if cfg.operator_token else None)
    print(f"serving {assistant.engine.pack.name} on http://{cfg.host}:{cfg.port} "
          f"(API docs /docs, widget /widget.js)", file=sys.stderr)
    serve(app, cfg.host, cfg.port)
    return 0


def cmd_eval_understanding(args: argparse.Namespace) -> int:
    from assistant.assistant import Assistant
    from assistant.backends import available_backends, get_backend
    from eval.understanding import DATA, evaluate_backend, load_set, print_table

    cfg, base = _assistant(args)
    names = args.backends.split(",") if args.backends else available_backends(cfg)
    cases = load_set(args.data or DATA)
    results = {}
    for name in names:
        assistant = Assistant(base.engine, backend=get_backend(name, base.engine, cfg),
                              n_recommendations=cfg.n_recommendations)
        results[name] = evaluate_backend(assistant, cases)
    print_table(results)
    if args.json:
        _write_json(args.json, results)
    return 0


def cmd_eval_benchmark(args: argparse.Namespace) -> int:
    from assistant.assistant import Assistant
    from assistant.backends import check_backend_name, get_backend
    from assistant.engine import prepare
    from eval.benchmark import bench_pack, run_benchmark
    from eval.report import html_report, print_comparison, write_json

    cfg = _config(args)
    check_backend_name(cfg.backend)
    bench = args.bench
    if not (bench / "cases.jsonl").is_file() or not (bench / "items.jsonl").is_file():
        raise CrsError(f"{bench}: a benchmark folder needs cases.jsonl and items.jsonl")
    engine = prepare(bench_pack(bench, Path(cfg.state_dir)), cfg.state_dir, candidate_pool=cfg.candidate_pool)
    if args.transfer:
        from assistant.engine import CONVERSATIONS, train_models
        from retrieval.pack import load_pack
        from retrieval.recommenders import TransferredModel, match_by_title

        source = load_pack(args.transfer)
        # what people rated, not what they said: a source pack's conversation logs stay out of a transfer
        models = train_models(source, source.catalog(), Path(cfg.state_dir))
        models.pop(CONVERSATIONS, None)
        mapping = match_by_title(engine.pack.items, source.items)
        print(f"transfer from {source.name}: {len(mapping):,} of {len(engine.pack.items):,} items matched by title",
              file=sys.stderr)
        engine.ranker.set_models([*engine.ranker.models, *(TransferredModel(m, mapping) for m in models.values())])
    assistant = Assistant(engine, backend=get_backend(cfg.backend, engine, cfg))
    folds = 0 if args.zero_shot else args.folds
    if folds == 1 or folds < 0:
        raise CrsError("--folds must be 0 (zero-shot) or at least 2")
    result = run_benchmark(assistant, bench, sample=args.sample, seed=args.seed, folds=folds,
                           learn_blend=not args.default_blend, dev_folds=args.dev_folds)
    print_comparison(result)
    if args.json:
        write_json(result, args.json)
        print(f"wrote {args.json}")
    if args.report:
        previous = None
        if args.previous:
            try:
                previous = json.loads(args.previous.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise CrsError(f"cannot read the previous run {args.previous}: {e}") from e
        html_report(result, args.report, previous)
        print(f"wrote {args.report}")
    return 0


def cmd_eval_cf(args: argparse.Namespace) -> int:
    from eval.cf import evaluate, print_table
    from retrieval.pack import load_pack

    cfg = _config(args)
    pack = load_pack(cfg.pack)
    if not pack.interactions:
        raise CrsError(f"pack {pack.name} has no interactions to evaluate collaborative filtering on")
    results = evaluate(pack)
    print_table(results)
    if args.json:
        _write_json(args.json, results)
    return 0


def cmd_handoff(args: argparse.Namespace) -> int:
    from assistant.engine import handoffs_path
    from assistant.handoff import HandoffStore

    cfg = _config(args)
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
    from assistant.feedback import FeedbackStore
    from assistant.logs import logged_turns
    from assistant.sessions import SessionStore
    from retrieval.pack import load_manifest

    cfg = _config(args)
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


def cmd_eval_support(args: argparse.Namespace) -> int:
    from assistant.engine import prepare
    from eval.support import evaluate_support, print_support

    cfg = _config(args)
    engine = prepare(cfg.pack, cfg.state_dir, candidate_pool=cfg.candidate_pool)
    if engine.support is None:
        raise CrsError(f"pack {engine.pack.name} has no [support] section with help documents")
    result = evaluate_support(engine, args.data, args.recommendation_turns, intents=args.intents, sample=args.sample)
    print_support(result)
    if args.json:
        _write_json(args.json, result)
    return 0


def cmd_eval_redteam(args: argparse.Namespace) -> int:
    from eval.redteam import evaluate_redteam, print_summary

    cfg = _config(args)
    result = evaluate_redteam(cfg.state_dir, cfg.backend, cfg)
    print_summary(result)
    if args.json:
        _write_json(args.json, result)
    return 0 if result["pass_rate"] == 1.0 else 1


def _eval_assistant(args: argparse.Namespace, **kwargs):
    """The config, and an assistant on the configured pack and backend for an eval (nothing stored for real)."""
    from assistant.assistant import Assistant
    from assistant.backends import check_backend_name, get_backend
    from assistant.engine import prepare

    cfg = _config(args)
    check_backend_name(cfg.backend)
    engine = prepare(cfg.pack, cfg.state_dir, candidate_pool=cfg.candidate_pool)
    return cfg, Assistant(engine, backend=get_backend(cfg.backend, engine, cfg), **kwargs)


def cmd_eval_suite(args: argparse.Namespace) -> int:
    import tempfile

    from assistant.handoff import HandoffStore
    from eval.scripted import SUITES, load_suite, print_suite, run_suite

    suite = load_suite(args.suite or SUITES / "demo.yaml")
    with tempfile.TemporaryDirectory() as scratch:  # handoffs of the suite never reach the real store
        _, assistant = _eval_assistant(args, handoffs=HandoffStore(Path(scratch) / "handoffs.sqlite3"))
        result = run_suite(assistant, suite)
    print_suite(result)
    if args.json:
        _write_json(args.json, result)
    return 0 if not result["failures"] else 1


def cmd_eval_simulate(args: argparse.Namespace) -> int:
    from assistant.backends import get_backend
    from eval.simulator import LLMUser, RuleUser, pick_targets, print_simulation, run_simulation

    cfg, assistant = _eval_assistant(args)
    engine = assistant.engine
    catalog = engine.catalog
    if args.simulator == "llm":
        chat = getattr(get_backend(args.simulator_backend, engine, cfg), "chat", None)
        if chat is None:
            raise CrsError("--simulator llm needs an LLM backend for the user: --simulator-backend local or openai")
        make_user = lambda item: LLMUser(item, catalog, chat)  # noqa: E731
    else:
        make_user = lambda item: RuleUser(item, catalog)  # noqa: E731
    make_user.simulator_name = args.simulator
    targets = pick_targets(catalog, args.n, seed=args.seed)
    result = run_simulation(assistant, targets, make_user, max_turns=args.turns)
    print_simulation(result)
    if args.json:
        _write_json(args.json, result)
    return 0


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
    ev = sub.add_parser("eval", help="offline evaluations").add_subparsers(dest="suite", required=True)
    s = ev.add_parser("understanding", parents=[common], help="slot F1, exact match, state accuracy per backend")
    s.add_argument("--backends", help="comma-separated backends (default: every available one)")
    s.add_argument("--data", type=Path, help="a labelled set in the format of eval/data/understanding.yaml")
    s.add_argument("--json", type=Path, help="write the results here")
    s.set_defaults(func=cmd_eval_understanding)
    s = ev.add_parser("benchmark", parents=[common], help="replay a CRS benchmark (ReDial format) and score it")
    s.add_argument("--bench", type=Path, required=True, help="folder with cases.jsonl and items.jsonl")
    s.add_argument("--backend", help="understanding backend (default: rules here; LLMs are slow per case)")
    s.add_argument("--sample", type=int, help="score a seeded random subset of N cases (95%% CIs reported)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--json", type=Path, help="write the metrics here")
    s.add_argument("--report", type=Path, help="write a self-contained HTML report here")
    s.add_argument("--previous", type=Path, help="a previous run's --json, compared in the report")
    s.add_argument("--folds", type=int, default=5,
                   help="learn from the benchmark's own dialogues K-fold by dialogue (default 5)")
    s.add_argument("--zero-shot", action="store_true",
                   help="learn nothing from the benchmark's dialogues (same as --folds 0)")
    s.add_argument("--default-blend", action="store_true", help="fixed blend weights instead of learned ones")
    s.add_argument("--dev-folds", type=int, default=2,
                   help="how many other folds each fold's blend is learned on (default 2; more is slower)")
    s.add_argument("--transfer", type=Path, metavar="PACK",
                   help="also use the interaction models of this pack (e.g. packs/movielens), items matched by title")
    s.set_defaults(func=cmd_eval_benchmark, backend="rules")
    s = ev.add_parser("cf", parents=[common],
                      help="the interaction models side by side: leave-last-out Recall@20 and NDCG@20")
    s.add_argument("--json", type=Path, help="write the results here")
    s.set_defaults(func=cmd_eval_cf)
    s = ev.add_parser("support", parents=[common],
                      help="support routing and cited-section accuracy on labelled customer-service utterances")
    s.add_argument("--data", type=Path, required=True, help="folder with utterances.csv (utterance, intent columns)")
    s.add_argument("--recommendation-turns", type=Path,
                   help="cases.jsonl whose user turns are recommendation requests (default: ../shared ReDial)")
    s.add_argument("--intents", type=Path, help="intent -> passage ids map (default: eval/data/support_intents.yaml)")
    s.add_argument("--sample", type=int, help="score a seeded subset of N utterances of each kind")
    s.add_argument("--json", type=Path, help="write the results here")
    s.set_defaults(func=cmd_eval_support)

    s = ev.add_parser("redteam", parents=[common],
                      help="prompt injection, leaks, planted items, markup and giant inputs (eval/data/redteam.yaml)")
    s.add_argument("--backend", help="understanding backend (default: rules)")
    s.add_argument("--json", type=Path, help="write the results here (pass_rate, n, by_category, failures)")
    s.set_defaults(func=cmd_eval_redteam, backend="rules")

    s = ev.add_parser("suite", parents=[common], help="scripted conversations with per-turn expectations (YAML)")
    s.add_argument("--suite", type=Path, help="a suite file (default: eval/data/suites/demo.yaml)")
    s.add_argument("--backend", help="understanding backend (default: rules)")
    s.add_argument("--json", type=Path, help="write the results here")
    s.set_defaults(func=cmd_eval_suite, backend="rules")

    s = ev.add_parser("simulate", parents=[common],
                      help="simulated users with a hidden target: success@turn, average turns, leak check")
    s.add_argument("--n", type=int, default=100, help="how many targets (a seeded sample)")
    s.add_argument("--turns", type=int, default=5, help="turns per episode")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--simulator", choices=["rules", "llm"], default="rules",
                   help="rules: deterministic; llm: a model words the user's messages (leak-checked the same way)")
    s.add_argument("--simulator-backend", default="local", help="the model for --simulator llm: local | openai")
    s.add_argument("--backend", help="the assistant's understanding backend (default: rules)")
    s.add_argument("--json", type=Path, help="write the results here")
    s.set_defaults(func=cmd_eval_simulate, backend="rules")

    s = sub.add_parser("handoff", parents=[common], help="conversations handed over to a person")
    s.add_argument("action", choices=["list", "history", "release"],
                   help="list open handoffs, all of them (history), or give SESSION back to the assistant")
    s.add_argument("session", nargs="?")
    s.set_defaults(func=cmd_handoff)

    s = sub.add_parser("logs", parents=[common], help="write the stored conversations as logs to learn from (JSONL)")
    s.add_argument("--out", type=Path, required=True, help="the JSONL file to write")
    s.set_defaults(func=cmd_logs)

    s = sub.add_parser("serve", parents=[common], help="serve the web app")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.add_argument("--backend")
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _offline_env()
    from assistant.observability import configure_logging

    configure_logging(logging.INFO if args.verbose else logging.WARNING, "text", sys.stderr)  # redacted, as served
    try:
        return args.func(args)
    except CrsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
