"""`crs eval ...`: the offline evaluations, each a command over the configured pack (or a benchmark's own).

Heavy libraries are imported inside the commands, as in `assistant.cli`, so `crs --help` stays instant.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.config import config_from_args as load_config
from retrieval.errors import CrsError


def _finish(args: argparse.Namespace, result: dict, show) -> None:
    """Prints an eval's results with `show`, and writes them to `--json` when asked."""
    show(result)
    if args.json:
        from eval.report import write_json

        write_json(result, args.json)
        print(f"wrote {args.json}")


def cmd_eval_understanding(args: argparse.Namespace) -> int:
    from assistant.assistant import Assistant
    from assistant.llm.backends import available_backends, get_backend
    from eval.understanding import (DATA, evaluate_backend, load_set, mood_report, print_moods, print_readers,
                                    print_refs, print_table, reader_report, ref_report, retyped)
    from eval.genre_stances import genre_stance_report, print_genre_stances
    from eval.stances import print_stances, stance_report

    from assistant.engine import build_assistant

    cfg = load_config(args)
    base = build_assistant(cfg)
    names = args.backends.split(",") if args.backends else available_backends(cfg)
    cases = retyped(load_set(args.data or DATA), args.typed)
    if args.typed != "as-written" and cases.utterances:
        print(f"every message typed {args.typed}, e.g. {cases.utterances[0].text!r}")
    results = {}
    for name in names:
        assistant = Assistant(base.engine, backend=get_backend(name, base.engine, cfg),
                              n_recommendations=cfg.n_recommendations)
        results[name] = evaluate_backend(assistant, cases)
    readers = reader_report(base.engine.parser, cases)
    moods = mood_report(base.engine.parser, base.engine.catalog, cases)
    refs = ref_report(base, cases)
    stances = stance_report(base.engine.parser, cases.utterances)
    kinds = genre_stance_report(base.engine.parser)
    print_table(results)
    print_readers(readers)
    print_moods(moods)
    print_refs(refs)
    print_stances(stances)
    print_genre_stances(kinds)
    _finish(args, {**results, "readers": readers, "moods": moods, "references": refs, "stances": stances,
                   "genre_stances": kinds},
            lambda _: None)
    return 0


def _bench_assistant(args: argparse.Namespace):
    """An assistant on a benchmark's own catalog (its `--drop` profile applied), with `--transfer`'s models, and what
    was dropped."""
    from assistant.assistant import Assistant
    from assistant.llm.backends import check_backend_name, get_backend
    from assistant.engine import prepare
    from eval.ablation import parse_drop
    from eval.benchmark import bench_pack
    from retrieval.transfer import MIN_SHARE

    cfg = load_config(args)
    check_backend_name(cfg.backend)
    bench = args.bench
    if not (bench / "cases.jsonl").is_file() or not (bench / "items.jsonl").is_file():
        raise CrsError(f"{bench}: a benchmark folder needs cases.jsonl and items.jsonl")
    drops = [parse_drop(d) for d in args.drop or []]
    pack_dir, dropped = bench_pack(bench, Path(cfg.state_dir), drops, seed=args.seed)
    # a benchmark's catalog has no interactions: it borrows as a new operator's would (`--transfer` names the pack
    # and borrows from it however little it matches; `--no-borrow` leaves the content alone)
    sources = [args.transfer] if args.transfer else [] if args.no_borrow else cfg.borrow_from
    engine = prepare(pack_dir, cfg.state_dir, candidate_pool=cfg.candidate_pool, borrow_from=sources,
                     borrow_share=0.0 if args.transfer else MIN_SHARE)
    if engine.borrowed:
        b = engine.borrowed
        print(f"borrowed the models of {b['from']}: {b['matched']:,} of {b['items']:,} items matched by title",
              file=sys.stderr)
    return Assistant(engine, backend=get_backend(cfg.backend, engine, cfg)), dropped


def cmd_eval_benchmark(args: argparse.Namespace) -> int:
    from eval.benchmark import run_benchmark
    from eval.report import html_report, print_comparison, write_json

    folds = 0 if args.zero_shot else args.folds
    if folds == 1 or folds < 0:
        raise CrsError("--folds must be 0 (zero-shot) or at least 2")
    assistant, dropped = _bench_assistant(args)
    result = run_benchmark(assistant, args.bench, sample=args.sample, seed=args.seed, folds=folds,
                           learn_blend=not args.default_blend, dev_folds=args.dev_folds)
    result["dropped"] = dropped
    result["borrowed"] = assistant.engine.borrowed
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


def cmd_eval_weights(args: argparse.Namespace) -> int:
    from eval.benchmark import load_cases
    from eval.weights import cross_fit, print_weights

    assistant, dropped = _bench_assistant(args)
    unknown = [f for f in args.freeze or [] if f not in assistant.engine.ranker.feature_names]
    if unknown:
        raise CrsError(f"--freeze: no feature {', '.join(unknown)}; the features are "
                       f"{', '.join(assistant.engine.ranker.feature_names)}")
    result = cross_fit(assistant, load_cases(args.bench), pull=args.pull, frozen=tuple(args.freeze or ()))
    result["dropped"] = dropped
    result["borrowed"] = assistant.engine.borrowed
    _finish(args, result, print_weights)
    return 0


def cmd_eval_cf(args: argparse.Namespace) -> int:
    from eval.cf import evaluate, print_table
    from retrieval.pack import load_pack

    cfg = load_config(args)
    pack = load_pack(cfg.pack)
    if not pack.interactions:
        raise CrsError(f"pack {pack.name} has no interactions to evaluate collaborative filtering on")
    results = evaluate(pack)
    _finish(args, results, print_table)
    return 0


def cmd_eval_support(args: argparse.Namespace) -> int:
    from assistant.engine import prepare
    from eval.support import evaluate_support, evaluate_typed, print_support, print_typed

    cfg = load_config(args)
    engine = prepare(cfg.pack, cfg.state_dir, candidate_pool=cfg.candidate_pool)
    if engine.support is None:
        raise CrsError(f"pack {engine.pack.name} has no [support] section with help documents")
    result = evaluate_support(engine, args.data, args.recommendation_turns, intents=args.intents,
                              sample=args.sample) if args.data else {}
    result["typed"] = evaluate_typed(engine, args.typed)
    _finish(args, result, lambda r: (print_support(r) if args.data else None, print_typed(r["typed"])))
    return 0


def cmd_eval_redteam(args: argparse.Namespace) -> int:
    from eval.redteam import evaluate_redteam, print_summary

    cfg = load_config(args)
    result = evaluate_redteam(cfg.state_dir, cfg.backend, cfg)
    _finish(args, result, print_summary)
    return 0 if result["pass_rate"] == 1.0 else 1


def _eval_assistant(args: argparse.Namespace, **kwargs):
    """The config, and an assistant on the configured pack and backend for an eval (nothing stored for real)."""
    from assistant.assistant import Assistant
    from assistant.llm.backends import check_backend_name, get_backend
    from assistant.engine import prepare

    cfg = load_config(args)
    check_backend_name(cfg.backend)
    engine = prepare(cfg.pack, cfg.state_dir, candidate_pool=cfg.candidate_pool)
    return cfg, Assistant(engine, backend=get_backend(cfg.backend, engine, cfg), **kwargs)


def cmd_eval_suite(args: argparse.Namespace) -> int:
    import tempfile

    from assistant.support.handoff import HandoffStore
    from eval.scripted import SUITES, load_suite, print_suite, run_suite

    suite = load_suite(args.suite or SUITES / "demo.yaml")
    with tempfile.TemporaryDirectory() as scratch:  # handoffs of the suite never reach the real store
        _, assistant = _eval_assistant(args, handoffs=HandoffStore(Path(scratch) / "handoffs.sqlite3"))
        result = run_suite(assistant, suite)
    _finish(args, result, print_suite)
    return 0 if not result["failures"] else 1


def cmd_eval_simulate(args: argparse.Namespace) -> int:
    from assistant.llm.backends import chat_model
    from eval.simulator import LLMUser, RuleUser, pick_targets, print_simulation, run_simulation

    cfg, assistant = _eval_assistant(args)
    engine = assistant.engine
    catalog = engine.catalog
    if args.simulator == "llm":
        chat = chat_model(args.simulator_backend, cfg)
        if chat is None:
            raise CrsError("--simulator llm needs an LLM backend for the user: --simulator-backend local or openai")
        make_user = lambda item: LLMUser(item, catalog, chat)  # noqa: E731
    else:
        make_user = lambda item: RuleUser(item, catalog)  # noqa: E731
    make_user.simulator_name = args.simulator
    targets = pick_targets(catalog, args.n, seed=args.seed)
    result = run_simulation(assistant, targets, make_user, max_turns=args.turns)
    _finish(args, result, print_simulation)
    return 0


def cmd_eval_likeness(args: argparse.Namespace) -> int:
    from eval.likeness import AssistantSystem, content_system, evaluate_likeness, pick_seeds, print_likeness, reweighed

    try:
        weights = {k.strip(): float(v) for k, v in (kv.split("=") for kv in args.baseline_weights.split(","))} \
            if args.baseline_weights else {}
    except ValueError:
        raise CrsError(f"--baseline-weights takes feature=weight pairs, e.g. ease=0.6,popularity=0.5; "
                       f"got {args.baseline_weights!r}") from None
    _, assistant = _eval_assistant(args)
    engine = assistant.engine
    ids, matrix = engine.store.all_vectors()
    vectors = dict(zip(ids, matrix, strict=True))
    seeds = pick_seeds(engine.catalog, args.n, seed=args.seed)
    systems = {"assistant": AssistantSystem(assistant)}
    if set(weights) & set(engine.ranker.feature_names) and not engine.ranker.blend.learned:  # else the same column
        systems[f"assistant, {args.baseline_weights}"] = AssistantSystem(
            reweighed(assistant, weights))
    systems["content similarity"] = content_system(engine.store)
    result = evaluate_likeness(systems, engine.catalog, vectors, seeds)
    result["pack"] = engine.pack.name
    _finish(args, result, print_likeness)
    return 0


def add_eval_commands(sub, common: argparse.ArgumentParser) -> None:
    """Registers `crs eval <suite>` under the top-level subcommands, each with the common options."""
    ev = sub.add_parser("eval", help="offline evaluations").add_subparsers(dest="suite", required=True)
    s = ev.add_parser("understanding", parents=[common], help="slot F1, exact match, state accuracy per backend")
    s.add_argument("--backends", help="comma-separated backends (default: every available one)")
    s.add_argument("--data", type=Path, help="a labelled set in the format of eval/data/understanding.yaml")
    s.add_argument("--typed", choices=("as-written", "title-case", "capitals", "lower-case"), default="as-written",
                   help="type every message again this way (labels unchanged): does a reading depend on capitals?")
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
    s.add_argument("--folds", type=int, default=10,
                   help="learn from the benchmark's own dialogues K-fold by dialogue (default 10)")
    s.add_argument("--zero-shot", action="store_true",
                   help="learn nothing from the benchmark's dialogues (same as --folds 0)")
    s.add_argument("--default-blend", action="store_true", help="fixed blend weights instead of learned ones")
    s.add_argument("--dev-folds", type=int, default=2,
                   help="how many other folds each fold's blend is learned on (default 2; more is slower)")
    s.add_argument("--transfer", type=Path, metavar="PACK",
                   help="borrow the interaction models of this pack (e.g. packs/movielens), items matched by title, "
                        "however few match (by default the catalog borrows as any pack without interactions does)")
    s.add_argument("--no-borrow", action="store_true",
                   help="borrow no other pack's models: the catalog's own content alone")
    s.add_argument("--drop", action="append", metavar="FIELD[:SHARE]",
                   help="remove a field from every item, or from a seeded share of them, before indexing "
                        "(repeatable; e.g. --drop description --drop genres:0.4)")
    s.set_defaults(func=cmd_eval_benchmark, backend="rules")
    s = ev.add_parser("weights", parents=[common],
                      help="fixed blend weights learned on half a benchmark's dialogues, scored on the other half")
    s.add_argument("--bench", type=Path, required=True, help="folder with cases.jsonl and items.jsonl")
    s.add_argument("--seed", type=int, default=0, help="seeds --drop")
    s.add_argument("--transfer", type=Path, metavar="PACK", help="as for `crs eval benchmark`")
    s.add_argument("--no-borrow", action="store_true", help="as for `crs eval benchmark`")
    s.add_argument("--drop", action="append", metavar="FIELD[:SHARE]", help="as for `crs eval benchmark`")
    s.add_argument("--pull", type=float, default=0.1, help="strength of the pull towards the shipped weights (0.1)")
    s.add_argument("--freeze", action="append", metavar="FEATURE",
                   help="keep this feature's shipped weight (repeatable)")
    s.add_argument("--json", type=Path, help="write the results here")
    s.set_defaults(func=cmd_eval_weights, backend="rules")
    s = ev.add_parser("cf", parents=[common],
                      help="the interaction models side by side: leave-last-out Recall@20 and NDCG@20")
    s.add_argument("--json", type=Path, help="write the results here")
    s.set_defaults(func=cmd_eval_cf)
    s = ev.add_parser("support", parents=[common],
                      help="support routing and cited-section accuracy on labelled customer-service utterances")
    s.add_argument("--data", type=Path, help="folder with utterances.csv (utterance, intent columns); without it, "
                   "only the typed questions are scored")
    s.add_argument("--typed", type=Path, default=Path(__file__).parent / "data" / "support_typed.yaml",
                   help="support questions typed as people type, by passage (default: eval/data/support_typed.yaml)")
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

    s = ev.add_parser("likeness", parents=[common],
                      help='"more like X": genre share, tag and text likeness and popularity of the top 5')
    s.add_argument("--n", type=int, default=200, help="how many seed items (a seeded sample)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--baseline-weights", default="ease=0.6,popularity=0.5",
                   help="a column of the fixed blend with these weights changed and popularity in full whatever "
                        "the person liked (default: as before likeness was measured); empty for none")
    s.add_argument("--json", type=Path, help="write the results here")
    s.set_defaults(func=cmd_eval_likeness, backend="rules")
