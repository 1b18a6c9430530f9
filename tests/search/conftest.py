"""Fixtures for search tests: assets are written straight into the running server's database."""

from __future__ import annotations

from tests.sync.v2.conftest import builder

__all__ = ["builder"]
