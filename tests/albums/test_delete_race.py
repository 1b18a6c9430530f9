"""An album deleted while a member is being added: the new member gets its tombstone.

PostgreSQL only, by construction: two writers interleave there (SQLite has one writer at a
time, so the delete cannot start before the add commits)."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from filmroll.db.schema import album_audit
from filmroll.repositories import albums as album_repo
from filmroll.repositories import users as user_repo
from tests.support import fresh_database


def test_a_member_added_during_the_delete_gets_a_tombstone(tmp_path: Path) -> None:
    url = fresh_database("postgres", tmp_path).replace("postgresql://", "postgresql+psycopg://")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            owner = user_repo.insert(conn, {"email": "o@example.com", "name": "o", "is_admin": False}).id
            joiner = user_repo.insert(conn, {"email": "j@example.com", "name": "j", "is_admin": False}).id
            album = album_repo.insert(conn, owner, {"name": "a"}).id
        adding = engine.connect()
        adding.begin()
        album_repo.add_members(adding, album, [(joiner, "viewer")])  # not committed yet
        done = threading.Event()

        def delete() -> None:
            with engine.begin() as conn:
                album_repo.delete(conn, album)
            done.set()

        deleting = threading.Thread(target=delete)
        deleting.start()
        time.sleep(0.5)
        assert not done.is_set(), "the delete should wait for the writer adding a member"
        adding.commit()
        adding.close()
        deleting.join(10)
        assert done.is_set()
        with engine.connect() as conn:
            told = set(
                conn.execute(
                    sa.select(album_audit.c.user_id).where(album_audit.c.album_id == album)
                ).scalars()
            )
        assert {uuid.UUID(str(u)) for u in told} == {owner, joiner}
    finally:
        engine.dispose()
