"""Ids of new rows: UUIDv7 (RFC 9562), time first.

Rows inserted together get neighbouring ids, so a walk in id order (a v1 full sync pages
assets by `id`) reads the table close to the order it was written in instead of jumping to a
random page per row, which is what makes a full sync on PostgreSQL cost about a sequential
read. Clients only see a UUID; Immich's apps accept any version.
"""

from __future__ import annotations

import os
import time
import uuid


def new_id(now_ms: int | None = None, random_bits: int | None = None) -> uuid.UUID:
    """A UUIDv7: 48 bits of Unix milliseconds, version 7, 74 random bits, RFC variant.

    `now_ms` and `random_bits` (80 bits, 74 used) exist for generated data that must be
    reproducible; the server passes neither."""
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    rand = int.from_bytes(os.urandom(10), "big") if random_bits is None else random_bits
    rand_a = rand >> 68  # 12 bits
    rand_b = rand & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return uuid.UUID(int=value)
