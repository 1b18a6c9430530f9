"""The real fixture photos in tests/fixtures/photos and their manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PHOTOS = Path(__file__).resolve().parents[1] / "fixtures" / "photos"


def _load_manifest() -> list[dict[str, Any]]:
    manifest = PHOTOS / "manifest.json"
    assert manifest.is_file(), f"fixture photos missing at {PHOTOS}"
    entries: list[dict[str, Any]] = json.loads(manifest.read_text(encoding="utf-8"))
    return entries


MANIFEST = _load_manifest()


def fixture_path(entry: dict[str, Any]) -> Path:
    return PHOTOS / str(entry["path"])


def photo(path: str) -> Path:
    return PHOTOS / path
