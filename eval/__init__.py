"""Offline evaluation: checks and metrics over the assistant's replies."""
