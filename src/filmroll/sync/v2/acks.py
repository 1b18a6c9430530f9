"""Ack strings of the v2 stream: `Type|<change id>` and backfill `Type|<create id>|<row id|complete>`.

Every id is a `clock.seq_to_uuid` value, so parsing yields clock sequence numbers; anything
else is rejected up front so a stored checkpoint can never break a later stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from filmroll.db.clock import seq_to_uuid, uuid_to_seq
from filmroll.sync.v2.types import ACK_TYPE_SET

COMPLETE = "complete"
RESET_ACK = "SyncResetV1|reset"


@dataclass(frozen=True, slots=True)
class Ack:
    """A parsed ack: the entity type, its sequence, and for backfill the row sequence or completion."""

    type: str
    seq: int
    extra: int | None = None
    complete: bool = False


class InvalidAck(ValueError):
    """A client-supplied ack that cannot be parsed."""


def ack(entity_type: str, seq: int, at: datetime | None = None) -> str:
    return f"{entity_type}|{seq_to_uuid(seq, at)}"


def backfill_ack(entity_type: str, create_seq: int, row_seq: int | None) -> str:
    tail = COMPLETE if row_seq is None else seq_to_uuid(row_seq)
    return f"{entity_type}|{seq_to_uuid(create_seq)}|{tail}"


def parse(value: str) -> Ack:
    """Parse an ack string; raises InvalidAck for unknown types or malformed ids."""
    parts = value.split("|")
    entity_type = parts[0]
    if entity_type not in ACK_TYPE_SET:
        raise InvalidAck(f"Invalid ack type: {entity_type}")
    if entity_type == "SyncResetV1":
        return Ack(entity_type, 0)
    if len(parts) not in (2, 3):
        raise InvalidAck(f"Invalid ack: {value}")
    try:
        seq = uuid_to_seq(parts[1])
        if len(parts) == 2:
            return Ack(entity_type, seq)
        if parts[2] == COMPLETE:
            return Ack(entity_type, seq, complete=True)
        return Ack(entity_type, seq, extra=uuid_to_seq(parts[2]))
    except ValueError as exc:
        raise InvalidAck(f"Invalid ack: {value}") from exc
