from __future__ import annotations

from typing import Any

import pytest

from .photos import MANIFEST


def _entry_id(entry: dict[str, Any]) -> str:
    return str(entry["path"])


@pytest.fixture(params=MANIFEST, ids=_entry_id)
def manifest_entry(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Each entry of the fixture manifest in turn, so every photo is checked."""
    entry: dict[str, Any] = request.param
    return entry
