"""A user's avatar colour as Immich derives it, shared by the API and the sync encoders."""

from __future__ import annotations

from typing import Any, Literal

AvatarColor = Literal[
    "primary", "pink", "red", "yellow", "blue", "green", "purple", "orange", "gray", "amber"
]

_COLORS: tuple[AvatarColor, ...] = (
    "primary", "pink", "red", "yellow", "blue", "green", "purple", "orange", "gray", "amber",
)  # fmt: skip


def avatar_color(row: Any) -> AvatarColor:
    """Stored colour, or Immich's default: a colour derived from the user id."""
    if row.avatar_color:
        return row.avatar_color  # type: ignore[no-any-return]
    return _COLORS[int(str(row.id).replace("-", ""), 16) % len(_COLORS)]
