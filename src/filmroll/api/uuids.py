"""A UUID body field that accepts JSON strings under the strict DTO models."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BeforeValidator


def _parse(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError as exc:
            raise ValueError("must be a UUID") from exc
    return value


Uuid = Annotated[uuid.UUID, BeforeValidator(_parse)]
