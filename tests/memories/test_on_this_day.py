"""The daily "on this day" job: one memory per earlier year and owner, shown on its day only,
generated once per day, and unsaved memories cleaned up after 30 days."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from filmroll.db import clock
from filmroll.db.engine import Database
from filmroll.db.schema import memories, memory_audit
from filmroll.jobs.daily import DailyMaintenance
from filmroll.services.memories import MemoryService
from filmroll.storage import LocalStorage
from filmroll.sync.v1.service import SyncV1Service
from filmroll.sync.v2.service import SyncV2Service
from tests.contract import assert_matches
from tests.support import LiveServer, fresh_database, live_server
from tests.sync.v1.builders import AssetBuilder

TODAY = date(2026, 6, 15)


@pytest.fixture
def quiet_server(backend: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A server on an empty database whose background jobs are off: only the test runs the
    daily job, so the day it was last run for is the test's own."""
    with live_server(fresh_database(backend, tmp_path), tmp_path / "data", jobs_enabled=False) as live:
        yield live


@pytest.fixture
def fresh_db(quiet_server: LiveServer) -> Iterator[Database]:
    database = Database(quiet_server.settings.resolved_database_url, pool_size=2)
    try:
        yield database
    finally:
        database.dispose()


def _photo(builder: AssetBuilder, owner: str, taken: datetime, **overrides: Any) -> uuid.UUID:
    values: dict[str, Any] = {"visibility": "timeline", "deleted_at": None, "preview_path": "thumbs/p.jpg"}
    values.update(overrides)
    return builder.insert(uuid.UUID(owner), local_date_time=taken, **values)


async def test_generates_one_memory_per_earlier_year(quiet_server: LiveServer, fresh_db: Database) -> None:
    owner, _e, token = quiet_server.new_user("otd-owner")
    other, _e2, other_token = quiet_server.new_user("otd-other")
    b = AssetBuilder(fresh_db, seed=11)
    y2021 = [_photo(b, owner, datetime(2021, 6, 15, h, 30)) for h in (8, 20)]
    y2020 = _photo(b, owner, datetime(2020, 6, 15, 23, 59))
    y2019_later_day = _photo(b, owner, datetime(2019, 6, 17, 12))
    many = [_photo(b, owner, datetime(2015, 6, 15, 0, minute)) for minute in range(22)]
    for excluded in (
        {"taken": datetime(2026, 6, 15, 9)},  # this year: not a memory yet
        {"taken": datetime(2018, 6, 15, 9), "deleted_at": datetime(2026, 1, 1)},
        {"taken": datetime(2018, 6, 15, 10), "visibility": "archive"},
        {"taken": datetime(2018, 6, 15, 11), "visibility": "locked"},
        {"taken": datetime(2018, 6, 15, 12), "preview_path": None},  # not processed yet
        {"taken": datetime(2018, 6, 11, 23, 59, 59)},  # outside today ± 3 days
    ):
        taken = excluded.pop("taken")
        assert isinstance(taken, datetime)
        _photo(b, owner, taken, **excluded)
    other_asset = _photo(b, other, datetime(2018, 6, 15, 7))
    day_before = _photo(b, owner, datetime(2017, 6, 14, 23, 59, 59))
    next_day = _photo(b, owner, datetime(2016, 6, 19, 8))

    service = MemoryService(fresh_db)
    # owner: 2021, 2020 and 2015 today, 2017 yesterday, 2019 on the 17th; other: 2018 today
    assert await service.generate(TODAY) == 6
    assert await service.generate(TODAY) == 0, "a day is generated once"
    assert await service.generate(TODAY + timedelta(days=1)) == 1, "only the 19th is new"

    with quiet_server.client(token) as c:
        listed = c.get("/api/memories").json()
        for m in listed:
            assert_matches("MemoryResponseDto", m)
        by_year = {m["data"]["year"]: m for m in listed}
        assert sorted(by_year) == [2015, 2016, 2017, 2019, 2020, 2021]
        assert [a["id"] for a in by_year[2017]["assets"]] == [str(day_before)]
        assert by_year[2017]["showAt"] == "2026-06-14T00:00:00.000Z"
        assert [a["id"] for a in by_year[2016]["assets"]] == [str(next_day)]
        assert by_year[2016]["memoryAt"] == "2016-06-19T00:00:00.000Z"
        m2021 = by_year[2021]
        assert m2021["type"] == "on_this_day" and m2021["isSaved"] is False
        assert m2021["memoryAt"] == "2021-06-15T00:00:00.000Z"
        assert m2021["showAt"] == "2026-06-15T00:00:00.000Z"
        assert m2021["hideAt"] == "2026-06-15T23:59:59.999Z"
        assert sorted(a["id"] for a in m2021["assets"]) == sorted(str(i) for i in y2021)
        assert [a["id"] for a in by_year[2020]["assets"]] == [str(y2020)]
        assert [a["id"] for a in by_year[2019]["assets"]] == [str(y2019_later_day)]
        assert by_year[2019]["showAt"] == "2026-06-17T00:00:00.000Z"
        assert len(by_year[2015]["assets"]) == 20, "at most 20 assets per memory"
        assert {a["id"] for a in by_year[2015]["assets"]} <= {str(i) for i in many}
        # what the app's memory lane asks for today: memories shown at today's midnight
        today = c.get("/api/memories", params={"for": "2026-06-15T00:00:00.000Z"}).json()
        assert sorted(m["data"]["year"] for m in today) == [2015, 2020, 2021]
    with quiet_server.client(other_token) as c:
        mine = c.get("/api/memories").json()
        assert [(m["data"]["year"], [a["id"] for a in m["assets"]]) for m in mine] == [
            (2018, [str(other_asset)])
        ]


async def test_daily_maintenance_runs_the_job_and_cleans_up(
    quiet_server: LiveServer, fresh_db: Database, tmp_path: Path
) -> None:
    owner, _e, token = quiet_server.new_user("otd-daily")
    b = AssetBuilder(fresh_db, seed=12)
    today = datetime.now().date()
    _photo(b, owner, datetime(today.year - 3, today.month, min(today.day, 28), 9))
    with quiet_server.client(token) as c:
        saved = c.post(
            "/api/memories",
            json={
                "type": "on_this_day",
                "data": {"year": 2000},
                "memoryAt": "2000-01-01T00:00:00Z",
                "isSaved": True,
            },
        ).json()["id"]
        old = c.post(
            "/api/memories",
            json={"type": "on_this_day", "data": {"year": 2001}, "memoryAt": "2001-01-01T00:00:00Z"},
        ).json()["id"]

    def age(conn: sa.Connection) -> None:
        conn.execute(sa.update(memories).values(created_at=datetime(2020, 1, 1)))

    fresh_db.write_sync(age)
    maintenance = DailyMaintenance(
        fresh_db,
        SyncV1Service(fresh_db),
        SyncV2Service(fresh_db),
        LocalStorage(tmp_path),
        memories=MemoryService(fresh_db),
    )
    counts = await maintenance.run_once()
    assert counts["memoriesRemoved"] == 1
    created = 1 if today.day <= 28 or today.month != 2 else 0
    assert counts["memoriesCreated"] >= created
    with quiet_server.client(token) as c:
        ids = [m["id"] for m in c.get("/api/memories").json()]
    assert saved in ids and old not in ids
    tombstones = fresh_db.read_sync(
        lambda conn: conn.execute(sa.select(memory_audit.c.memory_id)).scalars().all()
    )
    assert [str(t) for t in tombstones] == [old]


async def test_a_day_without_memories_moves_no_cursor(quiet_server: LiveServer, fresh_db: Database) -> None:
    """The job runs at every start-up: with nothing to create it must not take clock values,
    or every app would see the change clock move for nothing."""
    quiet_server.new_user("otd-empty")
    before = fresh_db.read_sync(clock.current)
    assert await MemoryService(fresh_db).generate(TODAY) == 0
    assert fresh_db.read_sync(clock.current) == before
    assert await MemoryService(fresh_db).generate(TODAY + timedelta(days=30)) == 0
    assert fresh_db.read_sync(clock.current) == before


def test_admins_create_memories_on_demand(quiet_server: LiveServer, fresh_db: Database) -> None:
    """`POST /api/jobs {name: memory-create}` (the web app's admin job page) runs the job for
    today at once; jobs filmroll does not have answer 400 rather than pretending to run."""
    owner, _e, token = quiet_server.new_user("otd-manual")
    today = datetime.now(UTC).date()
    taken = datetime(today.year - 3, today.month, min(today.day, 28), 12)
    _photo(AssetBuilder(fresh_db, seed=5), owner, taken)
    with quiet_server.client(token) as c:
        assert c.get("/api/memories").json() == []
        refused = c.post("/api/jobs", json={"name": "memory-create"})
        assert refused.status_code == 403, refused.text
    with quiet_server.client(quiet_server.admin()) as admin:
        done = admin.post("/api/jobs", json={"name": "memory-create"})
        assert done.status_code == 204, done.text
        assert admin.post("/api/jobs", json={"name": "person-cleanup"}).status_code == 204
        for name in ("backup-database", "no-such-job"):
            assert admin.post("/api/jobs", json={"name": name}).status_code == 400, name
    with quiet_server.client(token) as c:
        assert [m["data"]["year"] for m in c.get("/api/memories").json()] == [today.year - 3]
