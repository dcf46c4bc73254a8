"""The web front ends: the Gradio chat (ui.app), the HTTP API and widget (ui.api), one server (ui.server)."""
