"""User rules: self-service profile, admin management with soft delete and restore."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection, Row

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.errors import BadRequest, Forbidden
from filmroll.repositories import sessions, users
from filmroll.security import hash_password
from filmroll.services import events, locked
from filmroll.services.auth import AuthContext

_ADMIN_FIELDS = {
    "name": "name",
    "email": "email",
    "avatarColor": "avatar_color",
    "isAdmin": "is_admin",
    "shouldChangePassword": "should_change_password",
    "storageLabel": "storage_label",
    "quotaSizeInBytes": "quota_size_in_bytes",
}


class UserService:
    def __init__(self, db: Database, bus: events.EventBus | None = None) -> None:
        self.db = db
        self.events = bus or events.EventBus()

    async def get(self, user_id: uuid.UUID) -> Row[Any]:
        row = await self.db.read(lambda c: users.get(c, user_id))
        if row is None:
            raise BadRequest("User not found")
        return row

    async def get_any(self, user_id: uuid.UUID) -> Row[Any]:
        row = await self.db.read(lambda c: users.get(c, user_id, with_deleted=True))
        if row is None:
            raise BadRequest("User not found")
        return row

    async def list(self, *, with_deleted: bool = False) -> Sequence[Row[Any]]:
        return await self.db.read(lambda c: users.list_all(c, with_deleted=with_deleted))

    async def create(self, fields: dict[str, Any]) -> Row[Any]:
        """Create a user from DTO field names (`password` is hashed, email lower-cased)."""
        values = self._columns(fields)
        values["password_hash"] = hash_password(str(fields["password"]))
        values["email"] = str(fields["email"]).lower()
        values.setdefault("is_admin", False)
        values.setdefault("should_change_password", False)

        def create(conn: Connection) -> Row[Any]:
            if users.get_by_email(conn, values["email"], with_deleted=True) is not None:
                raise BadRequest("User exists")
            return users.insert(conn, values)

        return await self.db.write(create)

    async def update(self, user_id: uuid.UUID, fields: dict[str, Any], *, by_admin: bool) -> Row[Any]:
        allowed = (
            _ADMIN_FIELDS if by_admin else {k: _ADMIN_FIELDS[k] for k in ("name", "email", "avatarColor")}
        )
        values = {allowed[k]: v for k, v in fields.items() if k in allowed}
        if "email" in values:
            values["email"] = str(values["email"]).lower()
        if fields.get("password"):
            values["password_hash"] = hash_password(str(fields["password"]))
        if by_admin and "pinCode" in fields:
            values["pin_code"] = locked.admin_pin_value(fields["pinCode"])

        def update(conn: Connection) -> Row[Any]:
            if "email" in values:
                other = users.get_by_email(conn, values["email"], with_deleted=True)
                if other is not None and other.id != user_id:
                    raise BadRequest("Email already in use by another account")
            if users.get(conn, user_id, with_deleted=by_admin) is None:
                raise BadRequest("User not found")
            row = (
                users.update(conn, user_id, values) if values else users.get(conn, user_id, with_deleted=True)
            )
            if "pin_code" in values:
                locked.lock_all(conn, user_id)
            assert row is not None
            return row

        return await self.db.write(update)

    async def delete(self, auth: AuthContext, user_id: uuid.UUID, *, force: bool) -> Row[Any]:
        """Soft delete (restorable) or, with `force`, remove the user and everything they own."""
        if user_id == auth.user_id:
            raise Forbidden("Cannot delete your own account")

        def delete(conn: Connection) -> Row[Any]:
            row = users.get(conn, user_id, with_deleted=True)
            if row is None:
                raise BadRequest("User not found")
            sessions.delete_for_user(conn, user_id)
            outbox.close(users=[user_id])  # sessions and API keys alike stop hearing events
            if force:
                users.hard_delete(conn, user_id)
                outbox.broadcast(events.USER_DELETE, str(user_id))
                return row
            deleted = users.soft_delete(conn, user_id, utcnow())
            assert deleted is not None
            return deleted

        async with self.events.collect() as outbox:
            return await self.db.write(delete)

    async def restore(self, user_id: uuid.UUID) -> Row[Any]:
        def restore(conn: Connection) -> Row[Any]:
            if users.get(conn, user_id, with_deleted=True) is None:
                raise BadRequest("User not found")
            row = users.update(conn, user_id, {"deleted_at": None})
            assert row is not None
            return row

        return await self.db.write(restore)

    @staticmethod
    def _columns(fields: dict[str, Any]) -> dict[str, Any]:
        return {col: fields[key] for key, col in _ADMIN_FIELDS.items() if fields.get(key) is not None}
