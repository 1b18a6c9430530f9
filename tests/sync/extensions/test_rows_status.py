"""`POST /api/sync/rows`: current lines by id (sync status is tested in `tests/sync_status`)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import SyncClient, new_client, validate_line


def rows(client: SyncClient, request_type: str, ids: list[Any]) -> list[dict[str, Any]]:
    resp = client.http.post("/api/sync/rows", json={"type": request_type, "ids": [str(i) for i in ids]})
    assert resp.status_code == 200, resp.text
    lines = [json.loads(raw) for raw in resp.text.splitlines()]
    for item in lines:
        validate_line(item)
    return lines


def test_rows_are_the_stream_lines_or_deletes(server: LiveServer, builder: AssetBuilder) -> None:
    alice = new_client(server, "alice")
    me = uuid.UUID(alice.user_id)
    kept, gone = builder.insert(me, exif=True), builder.insert(me, exif=True)
    streamed = {(i["type"], json.dumps(i["data"])) for i in alice.stream(["AssetsV1", "AssetExifsV1"])}
    builder.delete([gone])
    unknown = uuid.uuid4()
    got = rows(alice, "AssetsV1", [kept, gone, unknown])
    assert [(i["type"], i["data"].get("id") or i["data"]["assetId"]) for i in got] == [
        ("AssetV1", str(kept)),
        ("AssetDeleteV1", str(gone)),
        ("AssetDeleteV1", str(unknown)),
    ]
    assert ("AssetV1", json.dumps(got[0]["data"])) in streamed
    exif = rows(alice, "AssetExifsV1", [kept, gone])
    assert [(i["type"], i["data"]["assetId"]) for i in exif] == [("AssetExifV1", str(kept))]
    assert ("AssetExifV1", json.dumps(exif[0]["data"])) in streamed


def test_rows_bad_input(server: LiveServer) -> None:
    alice = new_client(server, "alice")
    for body in (
        {"type": "PartnersV1", "ids": []},
        {"type": "AssetsV1", "ids": ["x"]},
        {"type": "AssetsV1", "ids": [f"{uuid.uuid4()}:{uuid.uuid4()}"]},
        {"type": "AlbumToAssetsV1", "ids": [str(uuid.uuid4())]},
        {"type": "AlbumUsersV1", "ids": [f"{uuid.uuid4()}:{uuid.uuid4()}:{uuid.uuid4()}"]},
        {"type": "AlbumUsersV1", "ids": [f"{uuid.uuid4()}:nope"]},
        {"type": "AssetsV1"},
        {"type": "AssetsV1", "ids": [str(uuid.uuid4())] * 10_001},
    ):
        resp = alice.http.post("/api/sync/rows", json=body)
        assert resp.status_code == 400, resp.text
        assert resp.json()["statusCode"] == 400
