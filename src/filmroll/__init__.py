"""filmroll: a self-hosted photo and video library server with fast, gap-free sync."""

from __future__ import annotations

__version__ = "0.1.0"

#: The Immich server release whose API filmroll answers (both sync v1 and sync v2 exist there).
IMMICH_API_VERSION = (2, 7, 5)
