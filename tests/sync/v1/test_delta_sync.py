"""Delta sync: Immich's needsFullSync rules, upserts, permanent deletes and lost access."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from tests.contract import assert_matches
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v1.helpers import delta, now_iso, share

FULL = {"needsFullSync": True, "upserted": [], "deleted": []}


def test_too_old_watermark_needs_full_sync(server: LiveServer) -> None:
    user, _, token = server.new_user("old")
    with server.client(token) as client:
        assert delta(client, "2000-01-01T00:00:00.000Z", [user]) == FULL
        assert delta(client, now_iso(-timedelta(days=101)), [user]) == FULL
        assert delta(client, now_iso(-timedelta(days=99)), [user])["needsFullSync"] is False


def test_partner_set_mismatch_needs_full_sync(server: LiveServer) -> None:
    user, _, token = server.new_user("me")
    sharer, _, sharer_token = server.new_user("sharer")
    stranger, _, _ = server.new_user("stranger")
    after = now_iso(-timedelta(minutes=1))
    with server.client(sharer_token) as client:
        share(client, user)
    with server.client(token) as client:
        assert delta(client, after, [user]) == FULL
        assert delta(client, after, [user, sharer, stranger]) == FULL
        assert delta(client, after, [sharer]) == FULL
        assert delta(client, after, [sharer, user])["needsFullSync"] is False
    with server.client(sharer_token) as client:
        assert client.delete(f"/api/partners/{user}").status_code == 204
    with server.client(token) as client:
        assert delta(client, after, [user, sharer]) == FULL
        assert delta(client, after, [user])["needsFullSync"] is False


def test_ten_thousand_changes_need_full_sync(server: LiveServer, builder: AssetBuilder) -> None:
    user, _, token = server.new_user("busy")
    after = now_iso()
    time.sleep(0.002)
    builder.insert_many(uuid.UUID(user), 9_999)
    with server.client(token) as client:
        assert len(delta(client, after, [user])["upserted"]) == 9_999
        builder.insert(uuid.UUID(user))
        assert delta(client, after, [user]) == FULL


def test_changes_deletes_and_lost_access(server: LiveServer, builder: AssetBuilder) -> None:
    owner, _, owner_token = server.new_user("owner")
    viewer, _, viewer_token = server.new_user("viewer")
    oid = uuid.UUID(owner)
    with server.client(owner_token) as client:
        share(client, viewer)
    kept, edited, gone, to_archive, to_lock, to_hide, to_trash = (builder.insert(oid) for _ in range(7))
    stacked = [builder.insert(oid), builder.insert(oid)]
    stack_id = builder.stack(oid, stacked)
    time.sleep(0.002)
    after = now_iso()
    time.sleep(0.002)
    new = builder.insert(oid, exif=True)
    builder.update([edited], is_favorite=True)
    builder.delete([gone])
    builder.update([to_archive], visibility="archive")
    builder.update([to_lock], visibility="locked")
    builder.update([to_hide], visibility="hidden")
    builder.update([to_trash], deleted_at=utcnow())
    builder.update(stacked, is_offline=True)

    with server.client(owner_token) as client:
        mine = delta(client, after, [owner])
    upserted = {a["id"]: a for a in mine["upserted"]}
    assert mine["needsFullSync"] is False
    assert set(upserted) == {str(i) for i in (new, edited, to_archive, to_trash, *stacked)}
    assert str(kept) not in upserted
    assert set(mine["deleted"]) == {str(gone), str(to_lock), str(to_hide)}
    assert upserted[str(edited)]["isFavorite"] is True
    assert upserted[str(to_trash)]["isTrashed"] is True
    assert upserted[str(new)]["exifInfo"]["city"] == "Berlin"
    assert upserted[str(stacked[0])]["stack"]["id"] == str(stack_id)
    for asset in mine["upserted"]:
        assert_matches("AssetResponseDto", asset)
    assert_matches("AssetDeltaSyncResponseDto", mine)

    with server.client(viewer_token) as client:
        theirs = delta(client, after, [viewer, owner])
    upserted = {a["id"]: a for a in theirs["upserted"]}
    assert set(upserted) == {str(i) for i in (new, edited, to_trash, *stacked)}
    assert set(theirs["deleted"]) == {str(gone), str(to_archive), str(to_lock), str(to_hide)}
    assert upserted[str(edited)]["isFavorite"] is False
    assert all("stack" not in a for a in theirs["upserted"])
    assert_matches("AssetDeltaSyncResponseDto", theirs)


def test_get_form_with_repeated_user_ids(server: LiveServer, builder: AssetBuilder) -> None:
    owner, _, owner_token = server.new_user("owner")
    viewer, _, viewer_token = server.new_user("viewer")
    with server.client(owner_token) as client:
        share(client, viewer)
    after = now_iso()
    time.sleep(0.002)
    asset = builder.insert(uuid.UUID(owner))
    with server.client(viewer_token) as client:
        resp = client.get(
            "/api/sync/delta-sync", params=[("updatedAfter", after), ("userIds", viewer), ("userIds", owner)]
        )
        assert resp.status_code == 200, resp.text
        assert [a["id"] for a in resp.json()["upserted"]] == [str(asset)]
        resp = client.get("/api/sync/delta-sync", params={"updatedAfter": after, "userIds": viewer})
        assert resp.json() == FULL


def test_client_clock_ahead_of_server_loses_nothing(fresh_server: LiveServer) -> None:
    """A watermark from a clock running ahead pushes the change clock past it (on a server of
    its own: later stamps on that server lie in the future)."""
    user, _, token = fresh_server.new_user("skewed")
    database = Database(fresh_server.settings.resolved_database_url, pool_size=2)
    builder = AssetBuilder(database)
    ahead = now_iso(timedelta(minutes=2))
    try:
        with fresh_server.client(token) as client:
            assert delta(client, ahead, [user])["upserted"] == []
            asset = builder.insert(uuid.UUID(user))
            assert [a["id"] for a in delta(client, ahead, [user])["upserted"]] == [str(asset)]
            assert delta(client, now_iso(timedelta(hours=1)), [user])["needsFullSync"] is False
    finally:
        database.dispose()


def test_deleting_a_stack_member_updates_the_others(server: LiveServer, builder: AssetBuilder) -> None:
    """The other members' `stack.assetCount` changed, so delta sync must send them again."""
    user, _, token = server.new_user("stacker")
    members = [builder.insert(uuid.UUID(user)) for _ in range(3)]
    builder.stack(uuid.UUID(user), members)
    after = now_iso()
    time.sleep(0.01)
    builder.delete([members[0]])
    with server.client(token) as client:
        result = delta(client, after, [user])
    assert result["deleted"] == [str(members[0])]
    counts = {a["id"]: a["stack"]["assetCount"] for a in result["upserted"]}
    assert counts == {str(members[1]): 2, str(members[2]): 2}
