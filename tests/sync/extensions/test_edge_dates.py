"""Assets dated at the ends of the calendar (year 1, December 9999) are digested and shown like
any other: no bucket past year 9999 is computed (that was a 500 for every later digest of the
owner), and years before 1000 are named with their zeros, as the databases name them."""

from __future__ import annotations

import uuid
from datetime import datetime

from tests.support import LiveServer
from tests.sync.extensions.test_digests import digest, expected
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import new_client

FIRST = datetime(1, 1, 1, 5)
LAST = datetime(9999, 12, 31, 23, 59, 59)


def test_digests_and_timeline_take_the_first_and_last_years(
    server: LiveServer, builder: AssetBuilder
) -> None:
    alice = new_client(server, "alice")
    me = uuid.UUID(alice.user_id)
    for when in (FIRST, LAST, datetime(2024, 5, 1)):
        builder.insert(me, exif=True, file_created_at=when, local_date_time=when)
    lines = alice.stream(["AssetsV1", "AssetExifsV1"])
    months = digest(alice, "AssetsV1")
    assert [b["bucket"] for b in months["buckets"]] == ["0001-01", "2024-05", "9999-12"]
    assert months["buckets"] == expected(lines, "AssetV1", lambda d: d["fileCreatedAt"][:7])
    exif = digest(alice, "AssetExifsV1")["buckets"]
    assert [b["bucket"] for b in exif] == ["0001-01", "2024-05", "9999-12"]
    assert [b["bucket"] for b in digest(alice, "AssetsV1", "9999-12")["buckets"]] == ["9999-12-31"]
    assert [b["bucket"] for b in digest(alice, "AssetsV1", "0001-01")["buckets"]] == ["0001-01-01"]
    assert len(digest(alice, "AssetsV1", "9999-12-31")["rows"]) == 1
    body = {"type": "AssetsV1", "bucket": "9999-12-31", "split": True}
    hours = alice.http.post("/api/sync/digest", json=body)
    assert [b["bucket"] for b in hours.json()["buckets"]] == ["9999-12-31T23"]
    assert len(digest(alice, "AssetExifsV1", "9999-12-31T23")["rows"]) == 1
    assert digest(alice, "AssetsV1", "0001-01-01T05")["rows"][0]["id"] in {
        i["data"]["id"] for i in lines if i["type"] == "AssetV1"
    }

    shown = alice.http.get("/api/timeline/buckets")
    assert shown.status_code == 200, shown.text
    assert [b["timeBucket"] for b in shown.json()] == ["9999-12-01", "2024-05-01", "0001-01-01"]
    for month in ("9999-12-01", "0001-01-01"):
        resp = alice.http.get("/api/timeline/bucket", params={"timeBucket": month})
        assert resp.status_code == 200, resp.text
        assert len(resp.json()["id"]) == 1
