"""Values the owner sets by hand survive metadata extraction, whether it runs after the edit
(the upload's own job) or again on request (`POST /api/assets/jobs`), as Immich's locked
properties do; what the owner did not set is read from the file again."""

from __future__ import annotations

import asyncio
import threading
import uuid

import httpx
import sqlalchemy as sa

from filmroll.app import build_storage
from filmroll.db.engine import Database
from filmroll.db.schema import asset_exif
from filmroll.jobs.assets import AssetJobs
from filmroll.repositories import assets as assets_repo
from tests.assets.helpers import PHOTOS, engine, upload, validate_schema, wait_for_jobs
from tests.support import LiveServer

STARFISH = PHOTOS / "exif-parser" / "starfish.jpg"  # Nokia Lumia 820, GPS, 2013-05-10
EDIT = {
    "description": "Starfish on the beach",
    "dateTimeOriginal": "2020-02-03T04:05:06.000Z",
    "latitude": 48.85,
    "longitude": 2.35,
    "rating": 4,
}


def _scribble(server: LiveServer, ids: list[str]) -> None:
    """Overwrite the extracted camera behind the server's back, as a stale extraction would."""
    eng = engine(server)
    try:
        with eng.begin() as conn:
            where = asset_exif.c.asset_id.in_([uuid.UUID(i) for i in ids])
            conn.execute(sa.update(asset_exif).where(where).values(make="X", model="Y"))
    finally:
        eng.dispose()


def _jobs(client: httpx.Client, ids: list[str], name: str) -> httpx.Response:
    return client.post("/api/assets/jobs", json={"assetIds": ids, "name": name})


def _upload(client: httpx.Client, tag: bytes) -> str:
    resp = upload(client, STARFISH, STARFISH.read_bytes() + tag)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def test_hand_set_values_survive_extraction_and_the_rest_is_read_again(server: LiveServer) -> None:
    _user_id, _email, token = server.new_user("locks")
    with server.client(token) as user:
        edited = _upload(user, b"edited")
        # The edit lands before the upload's extraction has run: the extraction must keep it.
        resp = user.put(f"/api/assets/{edited}", json=EDIT)
        assert resp.status_code == 200, resp.text
        plain = _upload(user, b"plain")
        wait_for_jobs(server)
        _scribble(server, [edited, plain])
        assert _jobs(user, [edited, plain], "refresh-metadata").status_code == 204
        wait_for_jobs(server)
        got = user.get(f"/api/assets/{edited}").json()
        validate_schema(got, "AssetResponseDto")
        exif = got["exifInfo"]
        assert exif["description"] == EDIT["description"]
        assert exif["dateTimeOriginal"].startswith("2020-02-03T04:05:06")
        assert got["fileCreatedAt"].startswith("2020-02-03T04:05:06")
        assert (exif["latitude"], exif["longitude"], exif["rating"]) == (48.85, 2.35, 4)
        assert (exif["make"], exif["model"]) == ("Nokia", "Lumia 820")  # not set by hand: read again
        other = user.get(f"/api/assets/{plain}").json()["exifInfo"]
        assert (other["make"], other["model"]) == ("Nokia", "Lumia 820")
        assert other["dateTimeOriginal"].startswith("2013-05-10")
        assert round(other["latitude"], 4) == 55.0388


def test_asset_jobs_need_edit_rights_and_a_known_job(server: LiveServer) -> None:
    _owner_id, _email, owner_token = server.new_user("jobs-owner")
    _other_id, _email, other_token = server.new_user("jobs-other")
    with server.client(owner_token) as owner, server.client(other_token) as other:
        asset = _upload(owner, b"jobs")
        wait_for_jobs(server)
        assert _jobs(owner, [asset], "regenerate-thumbnail").status_code == 204
        assert _jobs(owner, [asset], "refresh-faces").status_code == 204
        resp = _jobs(owner, [asset], "transcode-video")
        assert resp.status_code == 400 and "not supported" in resp.json()["message"]
        assert _jobs(owner, [asset], "no-such-job").status_code == 400
        assert _jobs(owner, ["not-a-uuid"], "refresh-metadata").status_code == 400
        resp = _jobs(other, [asset], "refresh-metadata")
        assert resp.status_code == 400 and resp.json()["statusCode"] == 400
        wait_for_jobs(server)
        assert owner.get(f"/api/assets/{asset}/thumbnail").status_code == 200


def test_an_edit_committing_during_extraction_is_kept(server: LiveServer) -> None:
    """Extraction that runs while an edit is being written waits for it and keeps its values
    (on PostgreSQL it read the locks before the edit committed, then overwrote the edit)."""
    user_id, _email, token = server.new_user("locks-race")
    with server.client(token) as user:
        asset = uuid.UUID(_upload(user, b"race"))
    wait_for_jobs(server)
    url = server.settings.resolved_database_url
    jobs = AssetJobs(Database(url), build_storage(server.settings))
    edit = Database(url)
    done = threading.Event()

    def extract() -> None:
        asyncio.run(jobs.extract_metadata({"assetId": str(asset)}))
        done.set()

    try:
        with edit.writer.connect() as conn, conn.begin():
            targets = [(asset, uuid.UUID(user_id))]
            assets_repo.upsert_exifs(conn, targets, {"description": "mine"}, lock=True)
            thread = threading.Thread(target=extract)
            thread.start()
            assert not done.wait(1.0), "extraction wrote while the edit was uncommitted"
        thread.join(30)
        assert done.is_set()
    finally:
        edit.dispose()
        jobs.db.dispose()
    with server.client(token) as user:
        assert user.get(f"/api/assets/{asset}").json()["exifInfo"]["description"] == "mine"
