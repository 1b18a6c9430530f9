"""Client clock skew: a watermark ahead of the server clock never moves the change clock for
anyone, and a session whose clock runs ahead still receives every change."""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.db.schema import sync_clock
from filmroll.repositories import sessions as session_repo
from filmroll.sync.v1.service import SETTLE_AHEAD
from filmroll.timefmt import iso
from tests.assets.helpers import PHOTOS, upload, wait_for_jobs
from tests.support import LiveServer, login
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v1.helpers import delta, full_sync, now_iso, share

FAR_FUTURE = "2099-01-01T00:00:00.000Z"


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def _record(db: Database, token_session: uuid.UUID) -> datetime:
    found = db.read_sync(lambda c: session_repo.v1_synced_at(c, token_session))
    assert found is not None
    return found


def _session_of(server: LiveServer, token: str) -> uuid.UUID:
    with server.client(token) as client:
        resp = client.get("/api/sessions")
        assert resp.status_code == 200, resp.text
        current = [s for s in resp.json() if s["current"]]
    assert len(current) == 1
    return uuid.UUID(current[0]["id"])


def _iso(at: datetime) -> str:
    value = iso(at)
    assert value is not None
    return value


def test_future_watermark_moves_no_one_elses_clock(server: LiveServer) -> None:
    """User A asks for changes after 2099; user B's upload is still stamped with real time and
    B's full sync "as of now" from another session includes it."""
    a_id, _, a_token = server.new_user("skewed-a")
    _, b_email, b_token = server.new_user("skewed-b")
    with server.client(a_token) as client:
        answer = delta(client, FAR_FUTURE, [a_id])
    assert answer["needsFullSync"] is False and answer["upserted"] == []

    photo = PHOTOS / "exif-parser" / "starfish.jpg"
    before = utcnow()
    with server.client(b_token) as client:
        resp = upload(client, photo, content=photo.read_bytes() + secrets.token_bytes(16))
        assert resp.status_code == 201, resp.text
        asset_id = resp.json()["id"]
        shown = client.get(f"/api/assets/{asset_id}").json()
    after = utcnow()
    stamped = _parse(shown["updatedAt"])
    assert before - timedelta(seconds=1) <= stamped <= after + timedelta(seconds=1)
    # The metadata job re-stamps the asset; a full sync as of a moment before that job committed
    # rightly leaves it to the next delta sync, so let it finish on a slow machine.
    wait_for_jobs(server)

    with server.client() as anon:
        other_session = login(anon, b_email, "pw-123456")
    with server.client(other_session) as client:
        synced = {a["id"]: a for a in full_sync(client, updatedUntil=now_iso())}
    assert asset_id in synced
    assert _parse(synced[asset_id]["updatedAt"]) <= utcnow()


def test_session_clock_ahead_still_receives_a_change_made_in_between(
    server: LiveServer, db: Database, builder: AssetBuilder
) -> None:
    """The client can hold only what it was sent: a watermark past the session's record reads
    from the record, so a change committed after the last answer is not skipped."""
    user, _, token = server.new_user("ahead")
    session_id = _session_of(server, token)
    with server.client(token) as client:
        assert delta(client, now_iso(), [user])["needsFullSync"] is False
        remembered = _record(db, session_id)
        time.sleep(0.01)
        asset = builder.insert(uuid.UUID(user))
        ahead = _iso(remembered + timedelta(seconds=30))
        answer = delta(client, ahead, [user])
    assert [a["id"] for a in answer["upserted"]] == [str(asset)]
    assert _record(db, session_id) > remembered


def test_full_sync_bound_is_the_record_for_a_clock_far_ahead(
    server: LiveServer, db: Database, builder: AssetBuilder
) -> None:
    """A full sync "until 2099" is answered as of now and remembered; the same session's next
    delta "after 2099" then brings what changed since, and the change clock never moved."""
    user, _, token = server.new_user("far-ahead")
    oid = uuid.UUID(user)
    old = builder.insert(oid)
    session_id = _session_of(server, token)
    with server.client(token) as client:
        assert [a["id"] for a in full_sync(client, updatedUntil=FAR_FUTURE)] == [str(old)]
        assert _record(db, session_id) <= utcnow()
        time.sleep(0.01)
        new = builder.insert(oid)
        answer = delta(client, FAR_FUTURE, [user])
    assert [a["id"] for a in answer["upserted"]] == [str(new)]
    stamped = db.read_sync(lambda c: c.execute(sa.select(sync_clock.c.last_at)).scalar_one())
    assert stamped <= utcnow() + timedelta(seconds=1)


def test_full_syncs_of_one_pass_keep_the_earliest_bound(
    server: LiveServer, db: Database, builder: AssetBuilder
) -> None:
    """A client fully syncs its own library, then a partner's: a change to its own library made
    in between must still come with the next delta, whatever the client's clock says."""
    me, _, token = server.new_user("pass-me")
    partner, _, partner_token = server.new_user("pass-partner")
    with server.client(partner_token) as client:
        share(client, me)
    session_id = _session_of(server, token)
    with server.client(token) as client:
        assert full_sync(client, updatedUntil=FAR_FUTURE) == []
        first = _record(db, session_id)
        time.sleep(0.01)
        mine = builder.insert(uuid.UUID(me))
        time.sleep(0.01)
        assert full_sync(client, updatedUntil=FAR_FUTURE, userId=partner) == []
        assert _record(db, session_id) == first
        answer = delta(client, FAR_FUTURE, [me, partner])
    assert [a["id"] for a in answer["upserted"]] == [str(mine)]


def test_small_lead_without_a_record_is_waited_for(server: LiveServer) -> None:
    """An API key has no record: a watermark a little ahead is waited for by that request only,
    then every later change is stamped after it; one far ahead is read as now."""
    user, _, token = server.new_user("api-key")
    with server.client(token) as client:
        created = client.post("/api/api-keys", json={"name": "cli", "permissions": ["all"]})
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
    lead = timedelta(seconds=2)
    assert lead < SETTLE_AHEAD
    builder_db = Database(server.settings.resolved_database_url, pool_size=1)
    try:
        builder = AssetBuilder(builder_db)
        with server.client(**{"x-api-key": secret}) as client:
            watermark = now_iso(lead)
            started = time.monotonic()
            assert delta(client, watermark, [user])["upserted"] == []
            assert time.monotonic() - started >= lead.total_seconds() - 0.5
            asset = builder.insert(uuid.UUID(user))
            assert [a["id"] for a in delta(client, watermark, [user])["upserted"]] == [str(asset)]
            started = time.monotonic()
            assert delta(client, FAR_FUTURE, [user])["upserted"] == []
            assert time.monotonic() - started < 2
    finally:
        builder_db.dispose()
