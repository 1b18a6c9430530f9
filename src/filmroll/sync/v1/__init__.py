"""Sync v1: the "efficient full app sync" endpoints (full-sync and delta-sync)."""
