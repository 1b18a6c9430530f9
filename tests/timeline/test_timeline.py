"""Timeline buckets over HTTP: Immich's shapes, filters, access rule and errors, on both databases."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

import httpx
import orjson
import pytest

from filmroll.db.engine import Database
from filmroll.errors import BadRequest
from filmroll.repositories import users as users_repo
from filmroll.services.auth import AuthContext, LinkGrant
from filmroll.services.download import DownloadService
from filmroll.services.timeline import TimelineRequest, TimelineService
from filmroll.storage.local import LocalStorage
from tests.assets.helpers import PHOTOS, upload
from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import SyncClient, new_client


def buckets(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    resp = client.get("/api/timeline/buckets", params=params)
    assert resp.status_code == 200, resp.text
    body: list[dict[str, Any]] = resp.json()
    for item in body:
        assert_matches("TimeBucketsResponseDto", item)
    return body


def bucket(client: httpx.Client, time_bucket: str, **params: Any) -> dict[str, Any]:
    resp = client.get("/api/timeline/bucket", params={"timeBucket": time_bucket, **params})
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    assert_matches("TimeBucketAssetResponseDto", body)
    assert len({len(v) for v in body.values()}) <= 1, "columns of different lengths"
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return list(body["id"])


def share(owner: SyncClient, viewer: SyncClient, *, in_timeline: bool = True) -> None:
    """`owner` shares its library with `viewer`, who may show it in its timeline."""
    resp = owner.http.post("/api/partners", json={"sharedWithId": viewer.user_id})
    assert resp.status_code == 201, resp.text
    if in_timeline:
        resp = viewer.http.put(f"/api/partners/{owner.user_id}", json={"inTimeline": True})
        assert resp.status_code == 200, resp.text


def unlock(client: SyncClient) -> None:
    """Set a PIN and unlock the session with it, as the app's locked folder does."""
    assert client.http.post("/api/auth/pin-code", json={"pinCode": "123456"}).status_code == 204
    assert client.http.post("/api/auth/session/unlock", json={"pinCode": "123456"}).status_code == 204


def test_buckets_and_columns(server: LiveServer, builder: AssetBuilder) -> None:
    alice = new_client(server, "alice")
    me = uuid.UUID(alice.user_id)
    # March 2024: two on the 10th (different creation times), one on the 2nd; May 2023: one.
    late = builder.insert(
        me,
        exif=True,
        type="IMAGE",
        duration=None,
        local_date_time=datetime(2024, 3, 10, 20, 30),
        file_created_at=datetime(2024, 3, 10, 19, 0),
        width=4000,
        height=3000,
        thumbhash=b"\x01\x02\x03",
        is_favorite=True,
    )
    early = builder.insert(
        me,
        type="VIDEO",
        duration="0:00:07.000000",
        local_date_time=datetime(2024, 3, 10, 8, 0, 0, 250000),
        file_created_at=datetime(2024, 3, 10, 13, 30, 0, 250000),
        width=None,
        height=None,
        thumbhash=None,
    )
    second = builder.insert(
        me, local_date_time=datetime(2024, 3, 2, 12), file_created_at=datetime(2024, 3, 2, 12)
    )
    old = builder.insert(
        me, local_date_time=datetime(2023, 5, 31, 23, 59), file_created_at=datetime(2023, 6, 1, 2)
    )
    builder.update([early], live_photo_video_id=old)

    assert buckets(alice.http) == [
        {"timeBucket": "2024-03-01", "count": 3},
        {"timeBucket": "2023-05-01", "count": 1},
    ]
    assert [b["timeBucket"] for b in buckets(alice.http, order="asc")] == ["2023-05-01", "2024-03-01"]

    march = bucket(alice.http, "2024-03-01")
    assert ids(march) == [str(late), str(early), str(second)]
    assert march["isImage"] == [True, False, True]
    assert march["duration"][:2] == [None, "0:00:07.000000"]
    assert march["ratio"][:2] == [1.333, 1]
    assert march["localOffsetHours"][:2] == [1.5, -5.5]
    assert march["fileCreatedAt"][:2] == ["2024-03-10T19:00:00", "2024-03-10T13:30:00.25"]
    assert march["thumbhash"][:2] == ["AQID", None]
    assert march["isFavorite"][:2] == [True, False]
    assert march["livePhotoVideoId"][:2] == [None, str(old)]
    assert march["ownerId"] == [alice.user_id] * 3
    assert march["visibility"] == ["timeline"] * 3
    assert march["isTrashed"] == [False] * 3
    assert (march["city"][0], march["country"][0], march["city"][1]) == ("Berlin", "Germany", None)
    assert "latitude" not in march and "stack" not in march
    assert ids(bucket(alice.http, "2024-03-01", order="asc")) == [str(second), str(early), str(late)]
    # Older clients send the month as a timestamp; a day that is not a month start matches nothing.
    assert ids(bucket(alice.http, "2024-03-01T00:00:00.000Z")) == ids(march)
    assert ids(bucket(alice.http, "2023-05-01")) == [str(old)]
    assert ids(bucket(alice.http, "2024-03-10")) == []
    assert bucket(alice.http, "2024-04-01")["id"] == []

    coordinates = bucket(alice.http, "2024-03-01", withCoordinates="true")
    assert (coordinates["latitude"][:2], coordinates["longitude"][:2]) == ([52.52, None], [13.405, None])


def test_filters(server: LiveServer, builder: AssetBuilder) -> None:
    bob = new_client(server, "bob")
    me = uuid.UUID(bob.user_id)
    when: dict[str, Any] = {
        "local_date_time": datetime(2022, 7, 4, 12),
        "file_created_at": datetime(2022, 7, 4, 10),
    }
    plain = builder.insert(me, **when)
    favourite = builder.insert(me, is_favorite=True, exif=True, **when)
    archived = builder.insert(me, visibility="archive", **when)
    hidden = builder.insert(me, visibility="hidden", **when)
    trashed = builder.insert(me, deleted_at=datetime(2024, 1, 1), **when)
    stacked = [builder.insert(me, **when) for _ in range(3)]
    stack_id = builder.stack(me, stacked)
    builder.update([stacked[2]], visibility="archive")

    def month(**params: Any) -> set[str]:
        return set(ids(bucket(bob.http, "2022-07-01", **params)))

    everything = {str(a) for a in (plain, favourite, archived, *stacked)}
    assert month() == everything
    assert buckets(bob.http) == [{"timeBucket": "2022-07-01", "count": len(everything)}]
    assert month(isFavorite="true") == {str(favourite)}
    assert month(isFavorite="false") == everything - {str(favourite)}
    assert month(visibility="archive") == {str(archived), str(stacked[2])}
    assert month(visibility="hidden") == {str(hidden)}
    assert month(isTrashed="true") == {str(trashed)}
    assert buckets(bob.http, isTrashed="true") == [{"timeBucket": "2022-07-01", "count": 1}]
    assert month(personId=str(uuid.uuid4())) == set()
    # Tags filter with their descendants; someone else's (or no) tag is refused as in Immich.
    body = assert_error_body(bob.http.get("/api/timeline/buckets", params={"tagId": str(uuid.uuid4())}), 400)
    assert body["message"] == "Not found or no tag.read access"
    parent = bob.http.post("/api/tags", json={"name": "trips"}).json()
    child = bob.http.post("/api/tags", json={"name": "alps", "parentId": parent["id"]}).json()
    tagged = bob.http.put(f"/api/tags/{child['id']}/assets", json={"ids": [str(favourite)]})
    assert tagged.status_code == 200, tagged.text
    assert month(tagId=parent["id"]) == month(tagId=child["id"]) == {str(favourite)}
    assert buckets(bob.http, tagId=parent["id"]) == [{"timeBucket": "2022-07-01", "count": 1}]
    assert buckets(bob.http, personId=str(uuid.uuid4())) == []
    # The favourite carries Berlin coordinates: a box around Berlin, one that crosses 180°.
    assert month(bbox="13,52,14,53") == {str(favourite)}
    assert month(bbox="170,-10,-170,10") == set()

    stacks = bucket(bob.http, "2022-07-01", withStacked="true")
    assert set(stacks["id"]) == everything - {str(stacked[1]), str(stacked[2])}
    shown = dict(zip(stacks["id"], stacks["stack"], strict=True))
    # Immich counts the members on the timeline that are not trashed.
    assert shown[str(stacked[0])] == [str(stack_id), "2"]
    assert shown[str(plain)] is None


def test_partner_album_and_locked_access(server: LiveServer, builder: AssetBuilder) -> None:
    owner, partner, member, stranger = (
        new_client(server, n) for n in ("owner", "partner", "member", "stranger")
    )
    me = uuid.UUID(owner.user_id)
    when: dict[str, Any] = {
        "local_date_time": datetime(2021, 2, 3, 4),
        "file_created_at": datetime(2021, 2, 3, 4),
    }
    shown = builder.insert(me, **when)
    archived = builder.insert(me, visibility="archive", **when)
    trashed = builder.insert(me, **when)
    locked = builder.insert(me, visibility="locked", **when)
    partner_own = builder.insert(uuid.UUID(partner.user_id), **when)
    share(owner, partner)
    resp = owner.http.post(
        "/api/albums",
        json={"albumName": "t", "assetIds": [str(shown), str(archived), str(trashed)],
              "albumUsers": [{"userId": member.user_id, "role": "viewer"}]},
    )  # fmt: skip
    assert resp.status_code == 201, resp.text
    album_id = resp.json()["id"]
    builder.update([trashed], deleted_at=datetime(2024, 1, 1))

    # The partner's view of the owner: timeline assets only, never archived or trashed ones.
    assert ids(bucket(partner.http, "2021-02-01", userId=owner.user_id)) == [str(shown)]
    assert_error_body(
        partner.http.get("/api/timeline/bucket", params={"timeBucket": "2021-02-01", "userId": owner.user_id,
                                                          "visibility": "archive"}),
        400,
    )  # fmt: skip
    body = assert_error_body(
        stranger.http.get("/api/timeline/buckets", params={"userId": owner.user_id}), 400
    )
    assert body["message"] == "Not found or no timeline.read access"
    locked_of_owner = {"userId": owner.user_id, "visibility": "locked"}
    assert_error_body(partner.http.get("/api/timeline/buckets", params=locked_of_owner), 401)
    unlock(partner)
    body = assert_error_body(partner.http.get("/api/timeline/buckets", params=locked_of_owner), 400)
    assert body["message"] == "You may not access another user's locked timeline"

    # withPartners: only with an explicit timeline view, adds partners shown in the timeline.
    body = assert_error_body(partner.http.get("/api/timeline/buckets", params={"withPartners": "true"}), 400)
    assert body["message"].startswith("withPartners is only supported")
    for extra in ({"isFavorite": "false"}, {"isTrashed": "true"}, {"visibility": "archive"}):
        params = {"withPartners": "true", "visibility": "timeline", **extra}
        assert_error_body(partner.http.get("/api/timeline/buckets", params=params), 400)
    merged = bucket(partner.http, "2021-02-01", withPartners="true", visibility="timeline")
    assert set(ids(merged)) == {str(shown), str(partner_own)}
    assert dict(zip(merged["id"], merged["isFavorite"], strict=True))[str(shown)] is False
    assert buckets(partner.http, withPartners="true", visibility="timeline") == [
        {"timeBucket": "2021-02-01", "count": 2}
    ]
    # A partner not shown in the timeline is not merged in.
    share(stranger, partner, in_timeline=False)
    builder.insert(uuid.UUID(stranger.user_id), **when)
    assert len(ids(bucket(partner.http, "2021-02-01", withPartners="true", visibility="timeline"))) == 2

    # The owner sees its locked assets only when asking for them, from a PIN-unlocked session.
    assert str(locked) not in ids(bucket(owner.http, "2021-02-01"))
    locked_view = {"timeBucket": "2021-02-01", "visibility": "locked"}
    body = assert_error_body(owner.http.get("/api/timeline/bucket", params=locked_view), 401)
    assert body["message"] == "Elevated permission is required"
    unlock(owner)
    assert ids(bucket(owner.http, "2021-02-01", visibility="locked")) == [str(locked)]
    assert buckets(owner.http, visibility="locked") == [{"timeBucket": "2021-02-01", "count": 1}]

    # Album view: what the album shows its members (not trashed), whoever owns it.
    assert set(ids(bucket(member.http, "2021-02-01", albumId=album_id))) == {str(shown), str(archived)}
    assert buckets(member.http, albumId=album_id) == [{"timeBucket": "2021-02-01", "count": 2}]
    body = assert_error_body(stranger.http.get("/api/timeline/buckets", params={"albumId": album_id}), 400)
    assert body["message"] == "Not found or no album.read access"


def test_bad_input_and_api_keys(server: LiveServer) -> None:
    carol = new_client(server, "carol")
    for params in (
        {},
        {"timeBucket": "March"},
        {"timeBucket": "2024-13-01"},
        {"timeBucket": "2024-03-01", "order": "sideways"},
        {"timeBucket": "2024-03-01", "visibility": "public"},
        {"timeBucket": "2024-03-01", "userId": "not-a-uuid"},
        {"timeBucket": "2024-03-01", "isFavorite": "maybe"},
        {"timeBucket": "2024-03-01", "bbox": "1,2,3"},
        {"timeBucket": "2024-03-01", "bbox": "0,10,5,-10"},
    ):
        assert_error_body(carol.http.get("/api/timeline/bucket", params=params), 400)
    assert_error_body(httpx.get(f"{server.url}/api/timeline/buckets"), 401)

    def key(permission: str) -> dict[str, str]:
        resp = carol.http.post("/api/api-keys", json={"name": permission, "permissions": [permission]})
        assert resp.status_code == 201, resp.text
        return {"x-api-key": resp.json()["secret"]}

    allowed, other = key("asset.read"), key("album.read")
    assert httpx.get(f"{server.url}/api/timeline/buckets", headers=allowed).status_code == 200
    got = httpx.get(f"{server.url}/api/timeline/bucket", params={"timeBucket": "2024-03-01"}, headers=allowed)
    assert got.status_code == 200
    assert_error_body(httpx.get(f"{server.url}/api/timeline/buckets", headers=other), 403)
    # The device list needs no particular permission, as in Immich.
    assert httpx.get(f"{server.url}/api/assets/device/phone", headers=other).status_code == 200


def test_assets_of_device(server: LiveServer, builder: AssetBuilder) -> None:
    dave, erin = new_client(server, "dave"), new_client(server, "erin")
    me = uuid.UUID(dave.user_id)
    builder.insert(me, device_id="phone", device_asset_id="a")
    builder.insert(me, device_id="phone", device_asset_id="b", visibility="archive")
    builder.insert(me, device_id="phone", device_asset_id="hidden", visibility="hidden")
    builder.insert(me, device_id="phone", device_asset_id="trashed", deleted_at=datetime(2024, 1, 1))
    builder.insert(me, device_id="tablet", device_asset_id="other-device")
    builder.insert(uuid.UUID(erin.user_id), device_id="phone", device_asset_id="someone-else")
    resp = dave.http.get("/api/assets/device/phone")
    assert resp.status_code == 200, resp.text
    assert sorted(resp.json()) == ["a", "b"]
    assert dave.http.get("/api/assets/device/nothing-here").json() == []
    # `thumbnail` is a device id here, not an asset's thumbnail route.
    assert dave.http.get("/api/assets/device/thumbnail").json() == []


def test_backup_screen_replay(server: LiveServer) -> None:
    """The mobile app's backup screen: it asks which of this device's assets the server holds
    (`GET /assets/device/{deviceId}`, compared with the phone's local asset ids) and counts the
    rest as still to back up; when the call fails it stops and shows no counts at all."""
    phone = new_client(server, "phone")
    device_id = "7f3c9a1e-app-device"
    local_ids = ["1001", "1002", "1003"]
    for local_id, photo in zip(
        local_ids[:2], ("exif-parser/starfish.jpg", "node-exif/test1.jpg"), strict=True
    ):
        resp = upload(phone.http, PHOTOS / photo, deviceAssetId=local_id, deviceId=device_id)
        assert resp.status_code == 201, resp.text
    resp = phone.http.get(f"/api/assets/device/{device_id}")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/json")
    on_server = resp.json()
    assert isinstance(on_server, list) and all(isinstance(i, str) for i in on_server)
    backed_up = {i for i in local_ids if i in on_server}
    assert backed_up == {"1001", "1002"} and set(local_ids) - backed_up == {"1003"}


def test_shared_link_visitor_sees_only_its_album(
    server: LiveServer, builder: AssetBuilder, db: Database
) -> None:
    """A link's visitor acts as the link's owner: the timeline must show it the link's album as
    the album shows it, never the owner's library, and never let it download the library."""
    owner = new_client(server, "linked")
    me = uuid.UUID(owner.user_id)
    when: dict[str, Any] = {"local_date_time": datetime(2020, 5, 6), "file_created_at": datetime(2020, 5, 6)}
    in_album, trashed, private = (builder.insert(me, **when) for _ in range(3))
    resp = owner.http.post("/api/albums", json={"albumName": "l", "assetIds": [str(in_album), str(trashed)]})
    album_id = uuid.UUID(resp.json()["id"])
    builder.update([trashed], deleted_at=datetime(2024, 1, 1))
    user = db.read_sync(lambda c: users_repo.get(c, me))
    assert user is not None
    grant = LinkGrant(id=uuid.uuid4(), album_id=album_id, allow_upload=False, allow_download=True,
                      show_metadata=True)  # fmt: skip
    visitor = AuthContext(user=user, link=grant)
    timeline = TimelineService(db)

    async def run() -> None:
        shown = await timeline.bucket(visitor, TimelineRequest(album_id=album_id), "2020-05-01")
        assert orjson.loads(shown)["id"] == [str(in_album)]
        assert await timeline.buckets(visitor, TimelineRequest(album_id=album_id)) == [
            {"timeBucket": "2020-05-01", "count": 1}
        ]
        for req in (TimelineRequest(), TimelineRequest(user_id=me), TimelineRequest(album_id=uuid.uuid4())):
            with pytest.raises(BadRequest):
                await timeline.buckets(visitor, req)
        with pytest.raises(BadRequest, match=r"timeline\.download"):
            await DownloadService(db, LocalStorage(server.settings.data_dir)).info(visitor, user_id=me)

    asyncio.run(run())
    assert str(private) not in ids(bucket(owner.http, "2020-05-01", albumId=str(album_id)))
