from tests.support import LiveServer


def test_ping(server: LiveServer) -> None:
    with server.client() as c:
        assert c.get("/api/server/ping").json() == {"res": "pong"}
        token = server.admin()
        me = c.get("/api/users/me", headers={"authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
