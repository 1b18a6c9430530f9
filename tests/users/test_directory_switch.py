"""Changing `FILMROLL_USER_DIRECTORY` brings sessions that already synced users in line.

The servers run one after the other on one database, so the same login session syncs
under `related` (as every session did before the setting existed), then `all`, then
`related` again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from filmroll.config import SettingsError, load_settings
from tests.support import LiveServer, fresh_database, live_server
from tests.sync.v2.helpers import SyncClient, of_type
from tests.users.helpers import new_client, user_ids, user_lines


@contextmanager
def run(url: str, data: Path, mode: str) -> Iterator[LiveServer]:
    with live_server(url, data, user_directory=mode) as live:
        yield live


def again(live: LiveServer, client: SyncClient) -> SyncClient:
    """The same session, talking to another server on the same database."""
    return SyncClient(live.client(authorization=client.http.headers["authorization"]), client.user_id)


def deleted(lines: list[dict[str, object]]) -> set[str]:
    return {str(d["userId"]) for d in of_type(lines, "UserDeleteV1")}


def test_switching_modes_sends_users_and_deletes_once(backend: str, tmp_path: Path) -> None:
    url, data = fresh_database(backend, tmp_path), tmp_path / "data"
    with run(url, data, "related") as live:
        alice, bob, carol = (new_client(live, n) for n in ("alice", "bob", "carol"))
        assert bob.http.post(f"/api/partners/{alice.user_id}").status_code == 201
        assert user_ids(alice.sync(["UsersV1"])) == {alice.user_id, bob.user_id}
        assert user_lines(alice.sync(["UsersV1"])) == []

    with run(url, data, "all") as live:
        alice = again(live, alice)
        everyone = {u["id"] for u in live.client(live.admin()).get("/api/admin/users").json()}
        lines = alice.stream(["UsersV1"])
        assert user_ids(lines) == everyone >= {alice.user_id, bob.user_id, carol.user_id}
        assert deleted(lines) == set()
        closing = user_lines(lines)[-1]
        assert closing["type"] == "SyncAckV1" and str(closing["ack"]).startswith("UserV1|")
        assert user_ids(alice.stream(["UsersV1"])) == everyone, "not acked yet: sent again"
        alice.ack(lines)
        assert user_lines(alice.sync(["UsersV1"])) == []
        dave = new_client(live, "dave")
        assert user_ids(alice.sync(["UsersV1"])) == {dave.user_id}

    with run(url, data, "related") as live:
        alice = again(live, alice)
        lines = alice.stream(["UsersV1"])
        assert deleted(lines) == everyone - {alice.user_id, bob.user_id} | {dave.user_id}
        assert user_ids(lines) == {alice.user_id, bob.user_id}
        # Acking only the deletes leaves the catch-up pending: it is redone in full.
        alice.post_acks([str(i["ack"]) for i in lines if i["type"] == "UserDeleteV1"][-1:])
        assert user_ids(alice.stream(["UsersV1"])) == {alice.user_id, bob.user_id}
        alice.sync(["UsersV1"])
        assert user_lines(alice.sync(["UsersV1"])) == []
        assert [u["id"] for u in alice.http.get("/api/users").json()] == [alice.user_id, bob.user_id]


def test_fresh_session_needs_no_catch_up_deletes(backend: str, tmp_path: Path) -> None:
    url, data = fresh_database(backend, tmp_path), tmp_path / "data"
    with run(url, data, "all") as live:
        new_client(live, "stranger")
    with run(url, data, "related") as live:
        alice = new_client(live, "alice")
        lines = alice.sync(["UsersV1"])
        assert user_ids(lines) == {alice.user_id}
        assert deleted(lines) == set()
        assert user_lines(alice.sync(["UsersV1"])) == []


def test_setting_accepts_only_all_or_related(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().user_directory == "all"
    monkeypatch.setenv("FILMROLL_USER_DIRECTORY", "related")
    assert load_settings().user_directory == "related"
    monkeypatch.setenv("FILMROLL_USER_DIRECTORY", "everyone")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert any("FILMROLL_USER_DIRECTORY" in p for p in raised.value.problems)
