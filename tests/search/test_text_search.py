"""Substring search on file names and descriptions: the same answers on both databases whether
a filter matches a few assets (read through PostgreSQL's trigram indexes or SQLite's FTS5
trigram index) or more than the search reads up front; the databases really plan those reads
on the indexes, and SQLite's index follows every write."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db.engine import Database
from filmroll.db.schema import SQLITE_SEARCH_TRIGGERS, asset_exif, assets
from filmroll.repositories.search import PROBE, holds
from tests.assets.helpers import PHOTOS, upload, wait_for_jobs
from tests.search.helpers import put_many, search, share_into_timeline
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import new_client

PARIS = {"city": "Paris", "state": "Ile-de-France", "country": "France"}
BERLIN = {"city": "Berlin", "state": "Berlin", "country": "Germany"}


def _day(n: int) -> datetime:
    return datetime(2021, 1, 1) + timedelta(hours=n)


def test_text_filters_find_rare_and_common_matches(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    share_into_timeline(bob.http, alice.http, bob.user_id, alice.user_id)
    common = PROBE + 50
    rows: list[tuple[datetime, dict[str, Any], dict[str, Any]]] = [
        (_day(i), {**(PARIS if i % 2 else BERLIN), "description": f"common walk {i}"},
         {"original_file_name": f"IMG_{i:05d}.JPG"})
        for i in range(common)
    ]  # fmt: skip
    rare = [
        (_day(common + 1), {**PARIS, "description": "Sunset over the HARBOUR"},
         {"original_file_name": "a.jpg"}),
        (_day(common + 2), {**BERLIN, "description": "harbour at night"},
         {"original_file_name": "holiday_1.JPG"}),
        (_day(common + 3), {**PARIS, "description": "100% harbour"}, {"original_file_name": "Holiday_2.jpg"}),
    ]  # fmt: skip
    trashed = (_day(common + 4), {**PARIS, "description": "harbour, trashed"},
               {"original_file_name": "holiday_3.jpg", "deleted_at": _day(9000)})  # fmt: skip
    put_many(builder, alice.user_id, [*rows, *rare])
    put_many(builder, alice.user_id, [trashed])  # one batch writes the columns of its first row
    put_many(builder, bob.user_id, [(_day(common + 5), {"description": "bob's harbour"}, {})])
    resp = alice.http.post("/api/search/metadata", json={"description": "HARBOUR", "withExif": True})
    descriptions = [a["exifInfo"]["description"] for a in resp.json()["assets"]["items"]]
    assert descriptions == ["bob's harbour", "100% harbour", "harbour at night", "Sunset over the HARBOUR"]

    assert len(search(alice.http, originalFileName="HOLIDAY")) == 2
    # Both text filters together, and with a place: every filter still applies.
    assert len(search(alice.http, originalFileName="holiday", description="night")) == 1
    assert len(search(alice.http, description="harbour", city="Paris")) == 2
    assert search(alice.http, description="night", originalFileName="a.jpg") == []
    # `%` and `_` are text, never wildcards.
    assert len(search(alice.http, description="100%")) == 1
    assert search(alice.http, originalFileName="a_j") == []
    # Text too short for a trigram, and a filter matching more than the search reads up front.
    assert len(search(alice.http, description="wa", size=1000)) == 1000
    assert alice.http.post("/api/search/statistics", json={"description": "wa"}).json() == {"total": common}
    page = search(alice.http, description="common walk", city="Paris", size=3)
    assert len(page) == 3
    stats = alice.http.post("/api/search/statistics", json={"description": "common walk"})
    assert stats.json() == {"total": common}
    stats = alice.http.post("/api/search/statistics", json={"description": "walk 1", "city": "Paris"})
    assert stats.json() == {"total": len([i for i in range(common) if i % 2 and str(i).startswith("1")])}
    assert search(alice.http, description="no such words") == []
    assert len(search(alice.http, description="harbour", withDeleted=True)) == 5


def _sql(conn: Connection, query: sa.Select[Any]) -> str:
    """The query as the search sends it, values inline (a plan of literal text)."""
    return str(query.compile(conn, compile_kwargs={"literal_binds": True}))


def _plan(conn: Connection, sql: str) -> str:
    return "\n".join(str(line) for line in conn.exec_driver_sql("EXPLAIN " + sql).scalars())


def test_databases_plan_substring_filters_on_trigram_indexes(db: Database) -> None:
    """The trigram indexes exist on PostgreSQL only, and the planner reads a substring filter
    through them (sequential scans are discouraged so that the test database's few rows do not
    decide the plan; without the index the plan would still be a sequential scan)."""

    def indexes(conn: Connection) -> set[str]:
        inspector = sa.inspect(conn)
        return {i["name"] for t in ("assets", "asset_exif") for i in inspector.get_indexes(t) if i["name"]}

    names = db.read_sync(indexes)
    trigram = {"ix_assets_original_file_name_trgm", "ix_asset_exif_description_trgm"}
    if db.is_sqlite:
        assert not names & trigram
        return _sqlite_plans_substring_filters_on_fts(db)
    assert trigram <= names

    def plans(conn: Connection) -> list[str]:
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        by_name = sa.select(assets.c.id).where(holds(assets.c.original_file_name, "zq-holiday"))
        by_description = sa.select(asset_exif.c.asset_id).where(holds(asset_exif.c.description, "zq-harbour"))
        return [_plan(conn, _sql(conn, q.limit(9))) for q in (by_name, by_description)]

    by_name, by_description = db.read_sync(plans)
    assert "ix_assets_original_file_name_trgm" in by_name
    assert "ix_asset_exif_description_trgm" in by_description


def _sqlite_plans_substring_filters_on_fts(db: Database) -> None:
    """Every trigger exists (a later migration that rebuilds `assets` or `asset_exif` in batch
    mode drops their triggers, and search would silently miss new text), and a phrase query
    is read through the FTS5 index."""

    def read(conn: Connection) -> tuple[set[str], str]:
        triggers = set(
            conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars()
        )
        sql = (
            "SELECT s.asset_id FROM asset_search_fts f JOIN asset_search_text s ON s.id = f.rowid"
            " WHERE asset_search_fts MATCH 'file_name : \"zq-holiday\"'"
        )
        plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        return triggers, plan

    triggers, plan = db.read_sync(read)
    assert set(SQLITE_SEARCH_TRIGGERS) <= triggers
    assert "SCAN f VIRTUAL TABLE INDEX" in plan and ":M" in plan  # the MATCH is the index's


def test_text_search_follows_uploads_edits_and_deletes(server: LiveServer) -> None:
    """Whatever writes the text, search finds the current file name and description and not
    the old ones (on SQLite the FTS5 index is kept by triggers, so this covers them)."""
    alice = new_client(server, "alice")
    photo = next(PHOTOS.glob("*/*.jpg"))
    resp = upload(alice.http, photo, photo.read_bytes() + b"zq", filename="Zq-Fjord-Trip.JPG")
    assert resp.status_code == 201, resp.text
    asset_id = resp.json()["id"]
    wait_for_jobs(server)  # metadata extraction writes the file's own description first
    assert search(alice.http, originalFileName="fjord-trip") == [asset_id]
    assert search(alice.http, description="glacier") == []

    def describe(text: str) -> None:
        resp = alice.http.put(f"/api/assets/{asset_id}", json={"description": text})
        assert resp.status_code == 200, resp.text

    describe("Blue Glacier at dawn")
    assert search(alice.http, description="GLACIER") == [asset_id]
    describe("Red canyon")
    assert search(alice.http, description="glacier") == []
    assert search(alice.http, description="canyon", originalFileName="zq-fjord") == [asset_id]
    resp = alice.http.request("DELETE", "/api/assets", json={"ids": [asset_id], "force": True})
    assert resp.status_code == 204, resp.text
    assert search(alice.http, originalFileName="fjord-trip", withDeleted=True) == []
    assert search(alice.http, description="canyon", withDeleted=True) == []


def test_text_filters_ignore_accents_as_immich_does(server: LiveServer) -> None:
    """Immich compares file names, paths and descriptions through `f_unaccent`: "cafe" finds
    "Café", and "Café" finds "CAFE", on both databases, through the indexes and without."""
    alice = new_client(server, "alice")
    photos = iter(sorted(PHOTOS.glob("*/*.jpg")))
    made = {}
    for name, description in (("Café-Été.JPG", "Crème brûlée by the Øresund"), ("CAFE_2.jpg", "Straße")):
        photo = next(photos)
        resp = upload(alice.http, photo, photo.read_bytes() + name.encode(), filename=name)
        assert resp.status_code == 201, resp.text
        made[name] = resp.json()["id"]
        wait_for_jobs(server)
        resp = alice.http.put(f"/api/assets/{made[name]}", json={"description": description})
        assert resp.status_code == 200, resp.text
    accented, plain = made["Café-Été.JPG"], made["CAFE_2.jpg"]
    assert search(alice.http, originalFileName="cafe-ete") == [accented]
    assert sorted(search(alice.http, originalFileName="Café")) == sorted([accented, plain])
    assert search(alice.http, description="CREME BRULEE") == [accented]
    assert search(alice.http, description="oresund") == [accented]
    assert search(alice.http, description="strasse") == [plain]
    assert search(alice.http, description="Ü") == [accented]  # too short for an index: each row
