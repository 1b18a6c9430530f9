"""Per-user onboarding state, kept as Immich does in the `onboarding` user-metadata row."""

from __future__ import annotations

import uuid

from filmroll.db.engine import Database
from filmroll.repositories import user_metadata

KEY = "onboarding"


class OnboardingService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: uuid.UUID) -> bool:
        """False until the user says otherwise (no row, or a row without a boolean)."""
        value = await self.db.read(lambda c: user_metadata.get(c, user_id, KEY))
        return isinstance(value, dict) and value.get("isOnboarded") is True

    async def set(self, user_id: uuid.UUID, is_onboarded: bool) -> bool:
        value = {"isOnboarded": is_onboarded}
        await self.db.write(lambda c: user_metadata.put(c, user_id, KEY, value))
        return is_onboarded

    async def reset(self, user_id: uuid.UUID) -> None:
        """Forget the state; clients get `UserMetadataDeleteV1` when a row existed."""
        await self.db.write(lambda c: user_metadata.delete(c, user_id, KEY))
