"""Wrong shared-link passwords are spaced out: per link, whichever login path asks, and per
client address over every link. A server of its own keeps other tests' logins (all from
127.0.0.1) out of the counts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from filmroll.services.locked import FREE_TRIES, MAX_TRACKED, Guesses, TooManyTries
from filmroll.services.shared_links import ADDRESS_FREE_TRIES
from tests.contract import assert_error_body, assert_matches
from tests.shared_links.helpers import create_album, create_link, user, visitor
from tests.support import LiveServer


def _login(client: httpx.Client, password: str) -> httpx.Response:
    return client.post("/api/shared-links/login", json={"password": password})


def _waits(resp: httpx.Response) -> None:
    body = assert_error_body(resp, 429)
    assert body["error"] == "Too Many Requests"
    assert body["message"].startswith("Too many wrong attempts, try again in ")


def _link(owner: httpx.Client, password: str) -> dict[str, Any]:
    return create_link(owner, type="ALBUM", albumId=create_album(owner, []), password=password)


def test_wrong_link_passwords_are_spaced_out(fresh_server: LiveServer) -> None:
    server = fresh_server
    _owner_id, owner = user(server, "guessed-link-owner")
    target, other = _link(owner, "right horse"), _link(owner, "battery staple")
    with visitor(server, key=target["key"]) as guesser, visitor(server, key=other["key"]) as neighbour:
        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(pool.map(lambda n: _login(guesser, f"guess {n}"), range(10)))
        wrong = [a for a in answers if a.status_code == 401]
        assert [assert_error_body(a, 401)["message"] for a in wrong] == ["Invalid password"] * FREE_TRIES
        for resp in answers:
            if resp.status_code != 401:
                _waits(resp)
        # The right password waits too, on both login paths, and proves nothing meanwhile.
        _waits(_login(guesser, "right horse"))
        _waits(guesser.get("/api/shared-links/me", params={"password": "right horse"}))
        assert "immich_shared_link_token" not in guesser.cookies
        # Another link from the same address is not held back by this link's count, and
        # its right password clears the address's count.
        resp = _login(neighbour, "battery staple")
        assert resp.status_code == 201, resp.text
        assert_matches("SharedLinkResponseDto", resp.json())

    # One address guessing across many links waits once it has used its looser allowance.
    per_link = FREE_TRIES - 1
    passwords = [f"secret {n}" for n in range(-(-ADDRESS_FREE_TRIES // per_link) + 1)]
    guesses = 0
    for password in passwords:
        with visitor(server, key=_link(owner, password)["key"]) as client:
            for n in range(per_link):
                if guesses == ADDRESS_FREE_TRIES:
                    _waits(_login(client, password))
                    return
                assert_error_body(_login(client, f"wrong {n}"), 401)
                guesses += 1
    raise AssertionError("the address was never held back")


def test_counts_stay_bounded_and_keep_holding_back() -> None:
    """Many addresses with a wrong guess each cannot grow the counts without bound, nor push
    out a link that is being held back."""
    guesses = Guesses()
    held = [("link:held", FREE_TRIES)]
    for _ in range(FREE_TRIES):
        guesses.begin(held)
    for n in range(2 * MAX_TRACKED):
        guesses.begin([(f"address:{n}", ADDRESS_FREE_TRIES)])
    assert len(guesses) <= MAX_TRACKED
    with pytest.raises(TooManyTries):
        guesses.begin(held)
    guesses.right([("address:1", ADDRESS_FREE_TRIES)])
    with pytest.raises(TooManyTries):
        guesses.begin(held)
