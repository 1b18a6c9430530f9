"""The event bus against a real database: events leave only after their write commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db.engine import Database
from filmroll.db.schema import users
from filmroll.errors import BadRequest
from filmroll.services.events import CONFIG_UPDATE, Event, EventBus, Item
from tests.support import LiveServer


async def name_of(db: Database, user_id: uuid.UUID) -> str:
    query = sa.select(users.c.name).where(users.c.id == user_id)
    return str(await db.read(lambda c: c.execute(query).scalar_one()))


class Recorder:
    """A transport that notes, at delivery, what another connection sees of the user's name."""

    def __init__(self, db: Database, user_id: uuid.UUID) -> None:
        self.db = db
        self.user_id = user_id
        self.delivered: list[tuple[Item, str]] = []

    async def deliver(self, items: Sequence[Item]) -> None:
        name = await name_of(self.db, self.user_id)
        self.delivered += [(item, name) for item in items]


def rename(user_id: uuid.UUID, name: str) -> sa.Update:
    return sa.update(users).where(users.c.id == user_id).values(name=name)


async def test_events_are_delivered_after_commit_and_dropped_on_rollback(
    server: LiveServer, db: Database
) -> None:
    user_id = uuid.UUID(server.new_user("bus")[0])
    bus, recorder = EventBus(), Recorder(db, user_id)
    bus.attach(recorder)

    def commit(conn: Connection) -> None:
        conn.execute(rename(user_id, "committed"))
        outbox.send("on_asset_update", {"n": 1}, users=[user_id])

    async with bus.collect() as outbox:
        await db.write(commit)
    # delivered once, and by then another connection already sees the write
    assert recorder.delivered == [(Event("on_asset_update", {"n": 1}, (user_id,)), "committed")]

    def fail(conn: Connection) -> None:
        conn.execute(rename(user_id, "rolled back"))
        outbox.send("on_asset_update", {"n": 2}, users=[user_id])
        raise BadRequest("no")

    with pytest.raises(BadRequest):
        async with bus.collect() as outbox:
            await db.write(fail)
    assert len(recorder.delivered) == 1
    assert await name_of(db, user_id) == "committed"


async def test_config_update_goes_to_everyone(server: LiveServer, db: Database) -> None:
    bus, recorder = EventBus(), Recorder(db, uuid.UUID(server.new_user("config")[0]))
    bus.attach(recorder)
    await bus.config_updated()
    assert [item for item, _name in recorder.delivered] == [Event(CONFIG_UPDATE, None, everyone=True)]


async def test_a_failing_transport_does_not_fail_the_write(server: LiveServer, db: Database) -> None:
    class Broken:
        async def deliver(self, items: Sequence[Item]) -> None:
            raise ConnectionError("socket layer down")

    user_id = uuid.UUID(server.new_user("broken")[0])
    bus = EventBus()
    bus.attach(Broken())
    async with bus.collect() as outbox:
        await db.write(lambda c: c.execute(rename(user_id, "still saved")))
        outbox.send("on_asset_update", None, users=[user_id])
    assert await name_of(db, user_id) == "still saved"
