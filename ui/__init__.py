"""The Gradio chat app. Built apart from launching: `build_app(assistant)` returns the Blocks, `launch()` serves it."""

from ui.app import build_app, launch

__all__ = ["build_app", "launch"]
