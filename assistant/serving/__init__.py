"""Serving conversations: the chat service, saved sessions, limits, logs and metrics."""
