"""Local-disk specifics: temporary files, durability, disk full, symlinks."""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from filmroll.storage import LocalStorage, StorageError
from filmroll.storage import local as local_module

from .storage_support import chunks, collect


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


async def test_writes_go_to_a_part_file_beside_the_target(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    upload = await storage.begin_upload("library/o/2024/05/a.jpg")
    await upload.write(b"abc")
    target_dir = tmp_path / "library/o/2024/05"
    (part,) = all_files(tmp_path)
    assert part.parent == target_dir
    assert re.fullmatch(r"a\.jpg\.part-[0-9a-f]{16}", part.name)
    assert not (target_dir / "a.jpg").exists()
    await upload.commit()
    assert all_files(tmp_path) == [target_dir / "a.jpg"]
    assert (target_dir / "a.jpg").read_bytes() == b"abc"


async def test_concurrent_uploads_to_one_key_do_not_clash(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    first = await storage.begin_upload("a.jpg")
    second = await storage.begin_upload("a.jpg")
    await first.write(b"first")
    await second.write(b"second")
    await first.commit()
    await second.commit()
    assert (tmp_path / "a.jpg").read_bytes() == b"second"
    assert all_files(tmp_path) == [tmp_path / "a.jpg"]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to name file descriptors")
async def test_commit_fsyncs_file_and_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    storage = LocalStorage(tmp_path)
    async with await storage.begin_upload("d/a.jpg") as upload:
        await upload.write(b"abc")
        await upload.commit()
    assert len(synced) == 2
    assert ".part-" in synced[0]
    assert synced[1] == str((tmp_path / "d").resolve())


async def test_failing_commit_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fsync(fd: int) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "fsync", fsync)
    storage = LocalStorage(tmp_path)
    upload = await storage.begin_upload("a.jpg")
    await upload.write(b"abc")
    with pytest.raises(StorageError):
        await upload.commit()
    assert all_files(tmp_path) == []


@pytest.fixture
def tiny_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB tmpfs, so "disk full" is the kernel's ENOSPC and not a mock."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    if not sys.platform.startswith("linux") or shutil.which("mount") is None:
        pytest.skip("needs Linux mount(8)")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode(errors='replace').strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


async def test_disk_full_raises_storage_error_and_leaves_no_partial_file(tiny_filesystem: Path) -> None:
    storage = LocalStorage(tiny_filesystem)
    upload = await storage.begin_upload("library/o/2024/05/big.mov")
    with pytest.raises(StorageError) as caught:
        for chunk in chunks(4 * 1024 * 1024, 64 * 1024):
            await upload.write(chunk)
        await upload.commit()
    assert isinstance(caught.value.__cause__, OSError)
    assert caught.value.__cause__.errno == errno.ENOSPC
    assert upload.finished
    assert all_files(tiny_filesystem) == []
    # The space really was released: a file that fits can be written afterwards.
    small = b"x" * (512 * 1024)
    async with await storage.begin_upload("small.bin") as upload:
        await upload.write(small)
        await upload.commit()
    assert await collect(storage.open_range("small.bin")) == small


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
async def test_write_error_via_dev_full_leaves_no_partial_file(tmp_path: Path) -> None:
    """Same guarantee without mount privileges: /dev/full fails every write with ENOSPC."""
    storage = LocalStorage(tmp_path)
    upload = await storage.begin_upload("a/b.jpg")
    await upload.write(b"some data")
    assert isinstance(upload, local_module.LocalUpload)
    full = os.open("/dev/full", os.O_WRONLY)
    try:
        os.dup2(full, upload._fd)  # type: ignore[arg-type]
    finally:
        os.close(full)
    with pytest.raises(StorageError) as caught:
        await upload.write(b"more data")
    assert isinstance(caught.value.__cause__, OSError)
    assert caught.value.__cause__.errno == errno.ENOSPC
    assert all_files(tmp_path) == []


async def test_symlink_out_of_the_root_is_rejected(tmp_path: Path) -> None:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    storage = LocalStorage(root)
    with pytest.raises(ValueError):
        await storage.begin_upload("link/evil.jpg")
    with pytest.raises(ValueError):
        storage.local_path("link/evil.jpg")
    assert list(outside.iterdir()) == []


async def test_local_path_is_under_root(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    assert storage.local_path("a/b.jpg") == tmp_path / "a/b.jpg"
