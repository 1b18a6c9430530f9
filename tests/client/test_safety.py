"""`filmroll mirror` never destroys what it made: omitted flags keep files, wrong credentials
stop the run, and a run that could not fetch a file says which and fails."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from pathlib import Path

from typer.testing import CliRunner

from filmroll.cli import app
from filmroll.client.layout import date_dir, safe_name
from filmroll.client.mirror import replica_path
from filmroll.client.replica import Replica
from tests.assets.helpers import owner_files
from tests.client.helpers import PASSWORD, SMALL, User, files_of, mirror, new_user, upload_photos
from tests.client.proxy import Faults, proxy
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["mirror", *args])
    return result.exit_code, result.output


def _login(server: LiveServer, target: Path, user: User, *flags: str) -> tuple[int, str]:
    return _run(server.url, str(target), "--email", user.email, "--password", PASSWORD, *flags)


def _originals(target: Path) -> set[str]:
    return {f for f in files_of(target) if not f.startswith("thumbnails/")}


def _thumbnails(target: Path) -> set[str]:
    return {f for f in files_of(target) if f.startswith("thumbnails/")}


def test_omitting_a_kind_keeps_its_files(server: LiveServer, tmp_path: Path) -> None:
    user = new_user(server, "keepkind")
    ids = upload_photos(server, user, SMALL[:3])
    code, output = _login(server, tmp_path, user, "--originals", "--thumbnails")
    assert code == 0, output
    originals, thumbnails = _originals(tmp_path), _thumbnails(tmp_path)
    assert len(originals) == 3 and len(thumbnails) == 3

    code, output = _login(server, tmp_path, user)
    assert code == 0, output
    assert "removed" not in output and "pruned" not in output
    assert _originals(tmp_path) == originals and _thumbnails(tmp_path) == thumbnails

    code, output = _login(server, tmp_path, user, "--thumbnails")
    assert code == 0, output
    assert _originals(tmp_path) == originals

    # A delete on the server still removes the asset's files, whichever kinds this run fetches.
    with server.client(user.token) as http:
        resp = http.request("DELETE", "/api/assets", json={"ids": [ids[0]], "force": True})
        assert resp.status_code == 204
    code, output = _login(server, tmp_path, user)
    assert code == 0 and "2 removed" in output, output
    assert len(_originals(tmp_path)) == 2 and len(_thumbnails(tmp_path)) == 2


def test_prune_is_explicit_and_refuses_contradictions(server: LiveServer, tmp_path: Path) -> None:
    user = new_user(server, "prune")
    upload_photos(server, user, SMALL[3:5])
    code, output = _login(server, tmp_path, user, "--originals", "--thumbnails")
    assert code == 0, output

    code, output = _login(server, tmp_path, user, "--originals", "--prune-originals")
    assert code == 2 and "--prune-originals" in output, output
    assert len(_originals(tmp_path)) == 2

    code, output = _login(server, tmp_path, user, "--prune-thumbnails", "--keep-deleted")
    assert code == 0 and "2 pruned" in output, output
    assert not _thumbnails(tmp_path) and len(_originals(tmp_path)) == 2
    assert len([p for p in (tmp_path / ".trash").rglob("*") if p.is_file()]) == 2

    code, output = _login(server, tmp_path, user, "--prune-originals")
    assert code == 0 and "2 pruned" in output, output
    assert not files_of(tmp_path)

    code, output = _run("run", "--help")
    assert "--prune-originals" in output and "--prune-thumbnails" in output


def test_wrong_password_stops_instead_of_using_the_stored_session(server: LiveServer, tmp_path: Path) -> None:
    user = new_user(server, "wrongpw")
    upload_photos(server, user, SMALL[:1])
    code, output = _login(server, tmp_path, user, "--originals")
    assert code == 0, output
    upload_photos(server, user, SMALL[1:2])

    code, output = _run(
        server.url, str(tmp_path), "--email", user.email, "--password", "wrong", "--originals"
    )
    assert code == 1, output
    assert "Incorrect email or password" in output and "Traceback" not in output
    assert "synced" not in output
    with Replica(replica_path(tmp_path)) as replica:
        assert replica.count("assets") == 1
    assert len(files_of(tmp_path)) == 1

    code, output = _run(server.url, str(tmp_path), "--api-key", "not-a-key", "--originals")
    assert code == 1 and "Invalid API key" in output, output
    with Replica(replica_path(tmp_path)) as replica:
        assert replica.count("assets") == 1

    code, output = _login(server, tmp_path, user, "--originals")
    assert code == 0 and "incremental" in output, output
    assert len(files_of(tmp_path)) == 2


def test_failed_download_is_named_and_fails_the_run(server: LiveServer, tmp_path: Path) -> None:
    user = new_user(server, "missing")
    ids = upload_photos(server, user, SMALL[5:7])
    stored = [p for p in owner_files(server, user.id) if "/library/" in p.as_posix()]
    assert len(stored) == 2
    with server.client(user.token) as http:
        names = {i: http.get(f"/api/assets/{i}").json()["originalFileName"] for i in ids}
        checksum = {i: http.get(f"/api/assets/{i}").json()["checksum"] for i in ids}
    victim = stored[0]
    aside = tmp_path.parent / f"{tmp_path.name}-aside"
    shutil.move(victim, aside)
    target = tmp_path / "mirror"
    try:
        code, output = _login(server, target, user, "--originals")
        assert code == 1, output
        lost = [i for i in ids if i in output]
        assert len(lost) == 1 and names[lost[0]] in output, output
        assert "1 missing" in output
        assert len(_originals(target)) == 1
        assert not [f for f in files_of(target) if f.endswith(".part")]
    finally:
        shutil.move(aside, victim)

    code, output = _login(server, target, user, "--originals")
    assert code == 0 and "1 files downloaded" in output and "missing" not in output, output
    assert len(_originals(target)) == 2
    with Replica(replica_path(target)) as replica:
        rows = dict(replica.conn.execute("SELECT asset_id, checksum FROM files").fetchall())
    assert rows == checksum


def test_a_foreign_part_file_is_never_resumed(server: LiveServer, tmp_path: Path) -> None:
    """A `.part` the mirror did not start (or whose server file changed) is not trusted."""
    user = new_user(server, "partfile")
    [asset_id] = upload_photos(server, user, SMALL[7:8])
    with server.client(user.token) as http:
        asset = http.get(f"/api/assets/{asset_id}").json()
        expected = http.get(f"/api/assets/{asset_id}/thumbnail").content
    assert len(expected) > 10
    base = tmp_path / "thumbnails" / date_dir(asset) / Path(safe_name(asset)).stem
    base.parent.mkdir(parents=True)
    Path(f"{base}.part").write_bytes(b"x" * 10)

    code, output = _login(server, tmp_path, user, "--thumbnails")
    assert code == 0, output
    [thumb] = _thumbnails(tmp_path)
    assert (tmp_path / thumb).read_bytes() == expected
    assert not Path(f"{base}.part").exists()


async def test_interrupted_download_resumes_with_a_range(server: LiveServer, tmp_path: Path) -> None:
    """A download cut short leaves a `.part` that is not a file yet; the next run fetches only
    the rest, and the result is byte-identical."""
    user = new_user(server, "resumefile")
    [asset_id] = upload_photos(server, user, SMALL[9:10])
    with server.client(user.token) as http:
        full = http.get(f"/api/assets/{asset_id}/original").content
    faults = Faults(cut_after=20_000, marker=f"GET /api/assets/{asset_id}/original".encode())
    with proxy(int(server.settings.port), faults) as url:
        report, replica = await mirror(server, tmp_path, user.creds, url=url, originals=True)
        replica.close()
    assert report.downloaded == 0 and len(report.failed) == 1 and asset_id in report.failed[0]
    assert len(report.missing) == 1 and asset_id in report.missing[0]
    [part] = [f for f in files_of(tmp_path) if f.endswith(".part")]
    kept = (tmp_path / part).stat().st_size
    assert 0 < kept < len(full)

    report, replica = await mirror(server, tmp_path, user.creds, originals=True)
    replica.close()
    assert report.downloaded == 1 and not report.failed and not report.missing
    assert report.bytes == len(full) - kept
    [original] = files_of(tmp_path)
    assert (tmp_path / original).read_bytes() == full


async def test_replaced_original_is_swapped_only_once_the_new_one_is_complete(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    user = new_user(server, "replaced")
    [asset_id] = upload_photos(server, user, SMALL[10:11])
    (await mirror(server, tmp_path, user.creds, originals=True))[1].close()
    [original] = files_of(tmp_path)
    old = (tmp_path / original).read_bytes()

    [stored] = [p for p in owner_files(server, user.id) if "/library/" in p.as_posix()]
    new = SMALL[11].read_bytes()
    stored.write_bytes(new)
    builder.update([uuid.UUID(asset_id)], checksum=hashlib.sha1(new).digest())

    report, replica = await mirror(server, tmp_path, user.creds, thumbnails=True)
    replica.close()
    assert (tmp_path / original).read_bytes() == old, "a run without --originals keeps it"
    assert report.kept == {"original": 1} and report.removed == 0

    faults = Faults(cut_after=5_000, marker=f"GET /api/assets/{asset_id}/original".encode())
    with proxy(int(server.settings.port), faults) as url:
        report, replica = await mirror(server, tmp_path, user.creds, url=url, originals=True)
        replica.close()
    assert len(report.missing) == 1 and asset_id in report.missing[0]
    assert (tmp_path / original).read_bytes() == old, "kept while the new version is partial"

    report, replica = await mirror(server, tmp_path, user.creds, originals=True, keep_deleted=True)
    replica.close()
    assert report.complete and report.downloaded == 1 and report.trashed == 1
    assert (tmp_path / original).read_bytes() == new
    assert (tmp_path / ".trash" / original).read_bytes() == old
