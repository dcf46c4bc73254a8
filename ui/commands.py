"""`crs serve`: the web app (Gradio chat, HTTP API, widget) over the configured pack, added to the command line
through the `crs.commands` entry point (see assistant.cli.command_groups)."""

from __future__ import annotations

import argparse
import logging
import sys


def add_serve_command(sub, common: argparse.ArgumentParser) -> None:
    s = sub.add_parser("serve", parents=[common], help="serve the web app")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.add_argument("--backend")
    s.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from assistant.engine import sessions_path
    from assistant.serving.limits import Limiter, LimitSettings
    from assistant.serving.observability import configure_logging
    from assistant.serving.service import ChatService
    from assistant.serving.sessions import SessionStore
    from assistant.cli import make_assistant
    from ui.server import create_app, serve

    cfg, assistant = make_assistant(args)
    from assistant.understanding.language import identifier

    identifier()  # loaded now, not on the first message someone sends
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
