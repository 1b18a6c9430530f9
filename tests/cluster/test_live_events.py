"""Live events across processes through Redis: an event caused in any API or worker process
reaches the user's connections held by another API process, and deleting a session closes
its connections wherever they are held.

Two `filmroll serve` processes on their own ports stand for two hosts (so each connection's
process is known), with jobs off; a `filmroll worker` makes the thumbnails and announces the
upload. Without Redis none of these events would cross a process boundary.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.processes import ProcessServer, redis_server, serve, worker
from tests.events.helpers import QUIET, Listener, cookie_headers
from tests.events.test_live_events import add_upload, by_id, first_arg_is, second_session

Pair = tuple[ProcessServer, ProcessServer]


@pytest.fixture
def pair(database_url: str, tmp_path: Path) -> Iterator[Pair]:
    data = tmp_path / "data"
    with redis_server(tmp_path) as redis_url:
        env = {"FILMROLL_REDIS_URL": redis_url, "FILMROLL_JOBS_ENABLED": "false"}
        with (
            serve(database_url, data, workers=1, **env) as one,
            serve(database_url, data, workers=1, **env) as two,
            worker(database_url, data, FILMROLL_REDIS_URL=redis_url),
        ):
            yield one, two


def test_events_from_other_processes_reach_the_connection(pair: Pair) -> None:
    one, two = pair
    _user, email, phone_token = two.new_user("cluster-events", "pw-123456")
    tablet_token = second_session(one, email)
    with Listener(one, cookie_headers(tablet_token)) as tablet, two.client(phone_token) as phone:
        asset_id = add_upload(phone, "cluster")  # process two; thumbnails by the worker
        tablet.wait("on_upload_success", by_id(asset_id), timeout=60)
        tablet.wait("AssetUploadReadyV1", lambda a: a[0]["asset"]["id"] == asset_id)
        assert phone.put(f"/api/assets/{asset_id}", json={"isFavorite": True}).status_code == 200
        (dto,), _at = tablet.wait("on_asset_update", lambda a: a[0]["isFavorite"] is True)
        assert dto["id"] == asset_id
        # delivered once per connection, although three processes share the channel
        assert len(tablet.of("on_upload_success")) == 1 and len(tablet.of("on_asset_update")) == 1


def test_a_deleted_session_is_closed_on_another_process(pair: Pair) -> None:
    one, two = pair
    _user, email, phone_token = two.new_user("cluster-sessions", "pw-123456")
    tablet_token = second_session(one, email)
    with one.client(tablet_token) as tablet_http:
        tablet_id = next(s["id"] for s in tablet_http.get("/api/sessions").json() if s["current"])
    with (
        Listener(one, cookie_headers(tablet_token)) as tablet_app,
        Listener(one, cookie_headers(phone_token)) as phone_app,
        two.client(phone_token) as phone,
    ):
        assert phone.delete(f"/api/sessions/{tablet_id}").status_code == 204
        tablet_app.wait("on_session_delete", first_arg_is(tablet_id), timeout=5)
        assert tablet_app.disconnected.wait(5)
        assert not phone_app.disconnected.wait(QUIET)
        assert phone_app.client.connected
