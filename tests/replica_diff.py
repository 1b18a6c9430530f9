"""Readable differences between client replicas, or between a replica and the server's key sets.

A failing convergence check should say which rows are missing, extra or stale per table
(and, for stale rows, which JSON fields differ), not print two large sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from filmroll.client.replica import Replica
from filmroll.client.verify import compare

Key = tuple[str, ...]
KeySets = Mapping[str, set[Key]]

#: Rows listed per table and kind before the rest are only counted.
SHOWN = 8


def _keys(label: str, keys: Iterable[Key]) -> list[str]:
    ordered = sorted(keys)
    if not ordered:
        return []
    shown = ["/".join(k) for k in ordered[:SHOWN]]
    more = f" (+{len(ordered) - SHOWN} more)" if len(ordered) > SHOWN else ""
    return [f"  {label} {len(ordered)}: {', '.join(shown)}{more}"]


def _fields(mine: str, theirs: str) -> dict[str, Any]:
    """Top-level JSON fields whose values differ, as `field: (held, expected)`."""
    held, expected = orjson.loads(mine), orjson.loads(theirs)
    names = sorted(set(held) | set(expected))
    return {n: (held.get(n), expected.get(n)) for n in names if held.get(n) != expected.get(n)}


def describe(held: Replica, expected: Replica) -> str:
    """Empty when both replicas hold the same rows; otherwise one block per differing table."""
    out: list[str] = []
    for table, diff in compare(held, expected).items():
        if diff.clean:
            continue
        out.append(f"{table}:")
        out += _keys("missing", diff.missing) + _keys("extra", diff.extra)
        if diff.stale:
            mine, theirs = held.rows(table), expected.rows(table)
            out.append(f"  stale {len(diff.stale)}:")
            out += [f"    {'/'.join(k)}: {_fields(mine[k], theirs[k])}" for k in diff.stale[:SHOWN]]
    return "\n".join(out)


def describe_keys(held: KeySets, expected: KeySets) -> str:
    """Empty when every table holds exactly the expected keys; otherwise missing/extra per table."""
    out: list[str] = []
    for table, keys in expected.items():
        missing, extra = keys - held[table], held[table] - keys
        if missing or extra:
            out += [f"{table}:", *_keys("missing", missing), *_keys("extra", extra)]
    return "\n".join(out)


def key_sets(replica: Replica, tables: Iterable[str]) -> dict[str, set[Key]]:
    return {table: set(replica.rows(table)) for table in tables}
