"""One server for everything: the HTTP API and the widget (ui.api) and the Gradio app mounted at "/".

    crs serve [--host H] [--port P] [--backend NAME]
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from fastapi import FastAPI

from ui.api import add_api
from ui.app import CSS, build_app

if TYPE_CHECKING:
    from assistant.serving.service import ChatService


def create_app(service: ChatService, widget_origins: list[str] | None = None,
               operator_token: str | None = None) -> FastAPI:
    import gradio as gr

    pack = service.assistant.engine.pack
    api = FastAPI(title=f"{pack.manifest.title or pack.name}: assistant API", docs_url="/docs",
                  description="Chat, feedback and conversation data of the recommender assistant.")
    add_api(api, service, widget_origins if widget_origins is not None else ["*"], operator_token)
    blocks = build_app(service)
    blocks.queue(default_concurrency_limit=4)
    return gr.mount_gradio_app(api, blocks, path="/", css=CSS, show_error=False, footer_links=["api"])


class Server:
    """A uvicorn server in a background thread (tests, notebooks); `serve()` runs one in the foreground."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 7860) -> None:
        import uvicorn

        self.url = f"http://{host}:{port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="crs-server")

    def start(self, timeout_s: float = 30.0) -> Server:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the server did not start on {self.url}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def serve(app: FastAPI, host: str = "127.0.0.1", port: int = 7860) -> None:
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning")
