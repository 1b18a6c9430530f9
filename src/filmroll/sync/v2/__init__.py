"""Sync v2: the JSON-lines stream with per-session checkpoints and acks."""
