"""Stack rules: an owner groups their own assets (`services.access`); the first asset is the primary.

Stacking assets that already belong to stacks merges those stacks into the new one (as
Immich does). Locked members are shown (and may become the primary) only in a PIN-unlocked
session, and a stack led by a locked asset is out of sight otherwise, as that asset is.
Membership changes go through `repositories.assets.update`, so every affected asset is
re-sent by every sync form.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from filmroll.db.engine import Database
from filmroll.errors import BadRequest
from filmroll.repositories import assets as asset_repo
from filmroll.repositories import stacks as repo
from filmroll.services import events
from filmroll.services.access import require_assets, unlocked
from filmroll.services.auth import AuthContext


@dataclass(frozen=True, slots=True)
class StackView:
    stack: Row[Any]
    assets: Sequence[Row[Any]]


class StackService:
    def __init__(self, db: Database, bus: events.EventBus | None = None) -> None:
        self.db = db
        self.events = bus or events.EventBus()

    async def create(self, auth: AuthContext, asset_ids: Sequence[uuid.UUID]) -> StackView:
        ids = list(dict.fromkeys(asset_ids))
        if len(ids) < 2:
            raise BadRequest(["assetIds must contain at least 2 elements"])

        def create(conn: Connection) -> StackView:
            rows = require_assets(conn, auth, ids, "update")
            old = {r.stack_id for r in rows if r.stack_id is not None}
            members = list(ids)
            for stack_id in old:
                members += [i for i in repo.asset_ids(conn, stack_id) if i not in members]
            stack = repo.insert(conn, auth.user_id, ids[0])
            asset_repo.update(conn, members, {"stack_id": stack.id})
            repo.delete(conn, [s for s in (repo.get(conn, i) for i in old) if s is not None])
            outbox.send(events.STACK_UPDATE, users=[auth.user_id])
            return StackView(stack, repo.assets_of(conn, stack.id, auth.user_id, unlocked=unlocked(auth)))

        async with self.events.collect() as outbox:
            return await self.db.write(create)

    async def search(self, auth: AuthContext, primary_asset_id: uuid.UUID | None) -> list[StackView]:
        def load(conn: Connection) -> list[StackView]:
            may_unlock = unlocked(auth)
            rows = repo.list_for_owner(conn, auth.user_id, primary_asset_id, unlocked=may_unlock)
            return [StackView(r, repo.assets_of(conn, r.id, auth.user_id, unlocked=may_unlock)) for r in rows]

        return await self.db.read(load)

    async def get(self, auth: AuthContext, stack_id: uuid.UUID) -> StackView:
        def load(conn: Connection) -> StackView:
            stack = self._owned(conn, auth, stack_id, "stack.read")
            if not repo.shows(conn, stack_id, auth.user_id, unlocked=unlocked(auth)):
                # Led by a locked asset: refused as that asset is, alike whether it exists.
                raise BadRequest("Not found or no stack.read access")
            return StackView(stack, repo.assets_of(conn, stack_id, auth.user_id, unlocked=unlocked(auth)))

        return await self.db.read(load)

    async def update(
        self, auth: AuthContext, stack_id: uuid.UUID, primary_asset_id: uuid.UUID | None
    ) -> StackView:
        def update(conn: Connection) -> StackView:
            self._owned(conn, auth, stack_id, "stack.update")
            may_unlock = unlocked(auth)
            if primary_asset_id is not None:
                # A locked member counts only for an unlocked session, as for every other change.
                members = repo.assets_of(conn, stack_id, auth.user_id, unlocked=may_unlock)
                if primary_asset_id not in {m.id for m in members}:
                    raise BadRequest("Primary asset must be in the stack")
                repo.set_primary(conn, stack_id, primary_asset_id)
            stack = repo.get(conn, stack_id)
            assert stack is not None
            outbox.send(events.STACK_UPDATE, users=[auth.user_id])
            return StackView(stack, repo.assets_of(conn, stack_id, auth.user_id, unlocked=may_unlock))

        async with self.events.collect() as outbox:
            return await self.db.write(update)

    async def delete(self, auth: AuthContext, stack_ids: Sequence[uuid.UUID]) -> None:
        """Unstack: detach every asset (bumping it), then drop the stacks with tombstones."""

        def delete(conn: Connection) -> None:
            rows = [self._owned(conn, auth, i, "stack.delete") for i in dict.fromkeys(stack_ids)]
            for row in rows:
                asset_repo.update(conn, repo.asset_ids(conn, row.id), {"stack_id": None})
            repo.delete(conn, rows)
            if rows:
                outbox.send(events.STACK_UPDATE, users=[auth.user_id])

        async with self.events.collect() as outbox:
            await self.db.write(delete)

    @staticmethod
    def _owned(conn: Connection, auth: AuthContext, stack_id: uuid.UUID, action: str) -> Row[Any]:
        stack = repo.get(conn, stack_id)
        if stack is None or stack.owner_id != auth.user_id:
            raise BadRequest(f"Not found or no {action} access")
        return stack
