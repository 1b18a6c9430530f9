"""The real client: `@immich/cli upload` of the fixture photos, then again with `--album` (all duplicates).

CI sets FILMROLL_IMMICH_CLI (see `.ci/run`), so there the test fails if the tool is missing;
locally it uses `.tools/` when `scripts/install-tools.sh` ran, and skips otherwise.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.assets.helpers import MANIFEST, PHOTOS, wait_for_jobs
from tests.support import LiveServer

_LOCAL = Path(__file__).resolve().parents[2] / ".tools" / "node_modules" / ".bin" / "immich"


def _cli() -> Path:
    configured = os.environ.get("FILMROLL_IMMICH_CLI")
    if configured:
        path = Path(configured)
        assert path.is_file(), f"FILMROLL_IMMICH_CLI={configured} does not exist"
        return path
    if not _LOCAL.is_file():
        pytest.skip("@immich/cli not installed (run scripts/install-tools.sh)")
    return _LOCAL


def _run(cli: Path, config: Path, *args: str) -> str:
    env = {**os.environ, "PATH": f"{cli.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(
        [str(cli), "--config-directory", str(config), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def test_cli_uploads_then_finds_duplicates(server: LiveServer, tmp_path: Path) -> None:
    cli = _cli()
    _uid, _email, token = server.new_user("cli")
    with server.client(token) as c:
        resp = c.post("/api/api-keys", json={"name": "cli", "permissions": ["all"]})
        assert resp.status_code == 201, resp.text
        secret = resp.json()["secret"]
    config = tmp_path / "immich-config"
    _run(cli, config, "login", f"{server.url}/api", secret)
    first = _run(cli, config, "upload", str(PHOTOS), "--recursive")
    with server.client(token) as c:
        assert c.get("/api/assets/statistics").json()["total"] == len(MANIFEST), first
    second = _run(cli, config, "upload", str(PHOTOS), "--recursive", "--album")
    assert f"{len(MANIFEST)} duplicate" in second, second
    with server.client(token) as c:
        assert c.get("/api/assets/statistics").json()["total"] == len(MANIFEST)
        albums = {a["albumName"]: a["assetCount"] for a in c.get("/api/albums").json()}
    folders = {entry["path"].split("/")[0] for entry in MANIFEST}
    assert albums == {f: sum(e["path"].startswith(f + "/") for e in MANIFEST) for f in folders}, albums
    wait_for_jobs(server)
