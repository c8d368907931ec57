"""The file-system calls that differ between Windows, macOS and Linux, exercised here for real where Linux can."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from conftest import exif_read, run_cli, tree_hashes, write_sidecar
from pef import fsutil
from pef.sample import make_jpeg, make_media

T = 1546300800  # 2019-01-01 00:00:00 UTC


def _immutable(path: Path, on: bool) -> None:
    """chattr +i: the kernel then refuses to replace the file, even for root (a real PermissionError)."""
    done = subprocess.run(["chattr", "+i" if on else "-i", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"chattr is not available here: {done.stderr.strip()}")


@pytest.fixture
def held(tmp_path: Path):
    """A target file another program holds (as a virus scanner holds a new file on Windows), and a new version of it."""
    target, new = tmp_path / "report.json", tmp_path / "new.json"
    target.write_text("old")
    new.write_text("new")
    _immutable(target, True)
    yield target, new
    _immutable(target, False)


def test_replace_is_retried_until_the_holder_lets_go(held) -> None:
    target, new = held
    pauses: list[float] = []

    def wait(seconds: float) -> None:
        pauses.append(seconds)
        _immutable(target, False)  # the scanner is done with the file

    fsutil.replace(new, target, waits=(0.5, 1.0), sleep=wait)
    assert target.read_text() == "new"
    assert not new.exists()
    assert pauses == [0.5]


def test_replace_gives_up_after_its_last_pause(held) -> None:
    target, new = held
    pauses: list[float] = []
    with pytest.raises(PermissionError):
        fsutil.replace(new, target, waits=(0.5, 1.0), sleep=pauses.append)
    assert pauses == [0.5, 1.0]
    assert target.read_text() == "old"
    assert new.read_text() == "new"


def test_replace_waits_only_on_windows() -> None:
    # A refused rename on Linux or macOS is a real permission fault: no pause before reporting it.
    assert fsutil.HOLD_WAITS == ((0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2) if sys.platform == "win32" else ())
    assert sum(fsutil.HOLD_WAITS) < 7


def test_place_file_with_its_own_flush(tmp_path: Path) -> None:
    # The macOS and Windows way (no sync() for everything): the output is flushed before its rename.
    tmp, final = tmp_path / "tmp.jpg", tmp_path / "final.jpg"
    tmp.write_bytes(b"photo")
    fsutil.place_file(tmp, final, flush=True)
    assert final.read_bytes() == b"photo"
    assert not tmp.exists()
    assert fsutil.FLUSH_EACH_OUTPUT is (sys.platform != "linux")


def test_flush_of_a_file_that_may_not_be_written(tmp_path: Path) -> None:
    # A copy that kept its source's read-only mode: opening it for writing is refused (for root too, when
    # the file is immutable), and it is flushed through a read-only descriptor.
    path = tmp_path / "read-only.jpg"
    path.write_bytes(b"photo")
    _immutable(path, True)
    try:
        with pytest.raises(PermissionError):
            os.open(path, os.O_RDWR)
        fsutil.flush_file(path)
    finally:
        _immutable(path, False)
    assert path.read_bytes() == b"photo"


def test_sync_all_and_atomic_write(tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    with open(journal, "wb") as f:
        f.write(b"line\n")
        f.flush()
        fsutil.sync_all(f.fileno())
    fsutil.atomic_write_text(tmp_path / "report.txt", "done")
    assert (tmp_path / "report.txt").read_text() == "done"
    assert (tmp_path / "report.txt").stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".pef-save-")] == []


@pytest.fixture
def other_drive():
    """An output on another file system than the source (tmpfs): hard links to the source fail for real (EXDEV),
    as they do on Windows to another drive and on any exFAT or FAT disk."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        pytest.skip("no /dev/shm here")
    path = shm / f"pef-test-{uuid.uuid4().hex}"
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("where", ["same file system", "another file system"])
def test_file_whose_extension_names_another_type(src: Path, tmp_path: Path, other_drive: Path, where: str) -> None:
    """A JPEG named .heic: ExifTool gets it under a .jpg name (a hard link, or a copy where none can be made)."""
    make_jpeg(src / "IMG_1.heic", seed=1)
    write_sidecar(src / "IMG_1.heic.json", "IMG_1.heic", T)
    make_media(src / "IMG_2.jpg", seed=2)
    write_sidecar(src / "IMG_2.jpg.json", "IMG_2.jpg", T + 60)
    before = tree_hashes(src)
    out = tmp_path / "out" if where == "same file system" else other_drive
    proc = run_cli("-p", str(src), "--output", str(out), "--timezone", "UTC")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert tree_hashes(src) == before
    report = json.loads((out / "report.json").read_text())
    assert {k: v["status"] for k, v in report["media"].items()} == {"IMG_1.heic": "written", "IMG_2.jpg": "written"}
    got = exif_read(out / "IMG_1.heic", out / "IMG_2.jpg", args=("-DateTimeOriginal", "-FileType"))
    assert [(g["FileType"], g["DateTimeOriginal"]) for g in got] == [
        ("JPEG", "2019:01:01 00:00:00"), ("JPEG", "2019:01:01 00:01:00"),
    ]
    assert not (out / ".pef-tmp").exists()


@pytest.mark.parametrize("where", ["same file system", "another file system"])
def test_safe_source_is_a_hard_link_or_a_copy(tmp_path: Path, other_drive: Path, where: str) -> None:
    from pef.execute import _SafeSource

    src = tmp_path / "src" / "IMG_1.heic"
    make_jpeg(src, seed=1)
    tmp_dir = tmp_path / "tmp" if where == "same file system" else other_drive
    tmp_dir.mkdir()
    with _SafeSource(src, tmp_dir / "stand-in", "jpg") as path:
        assert path == tmp_dir / "stand-in.jpg"
        assert path.read_bytes() == src.read_bytes()
        assert path.samefile(src) is (where == "same file system")
    assert list(tmp_dir.iterdir()) == []
    assert src.stat().st_nlink == 1
