"""Each photo once: identical files are one item, written once; album folders hold copies or links."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import OWN_FILES, exif_read, run_cli, tree_files, tree_hashes, write_sidecar
from pef.dedup import SAMPLE, Reader, find_duplicates, has_index
from pef.sample import make_media
from pef.scan import MediaEntry

T = 1562675400  # 2019-07-09 12:30:00 UTC


def _memory_reader(files: dict[str, bytes], reads: list[str]) -> Reader:
    def chunks(rel):
        reads.append(rel)
        return iter([files[rel]])

    return Reader(chunks=chunks, piece=lambda rel, offset, size: files[rel][offset:offset + size])


def test_only_identical_bytes_are_one_item() -> None:
    big = bytes(range(256)) * 64  # 16 KiB: sampled before it is hashed
    files = {
        "Photos from 2019/a.jpg": big,
        "Trip/a.jpg": big,
        "Party/a.jpg": big,
        "Photos from 2019/b.jpg": big[:-1] + b"x",  # same size, differs only at the end
        "Photos from 2019/c.jpg": b"x" + big[1:],  # differs in the first sample
        "Photos from 2019/a(1).jpg": b"small",  # same name stem, other bytes
        "Photos from 2019/d.jpg": b"small",
    }
    reads: list[str] = []
    media = [MediaEntry(rel, len(data), 0) for rel, data in files.items()]
    dups = find_duplicates(media, _memory_reader(files, reads), rank=lambda rel: (rel.count("Photos") == 0, rel))
    assert dups.of == {
        "Trip/a.jpg": "Photos from 2019/a.jpg",
        "Party/a.jpg": "Photos from 2019/a.jpg",
        "Photos from 2019/d.jpg": "Photos from 2019/a(1).jpg",
    }
    # b.jpg's last sample and c.jpg's first differ, so neither is read whole; files too small to sample are.
    assert sorted(reads) == sorted(["Photos from 2019/a.jpg", "Trip/a.jpg", "Party/a.jpg",
                                    "Photos from 2019/a(1).jpg", "Photos from 2019/d.jpg"])
    assert dups.hashed_bytes == 5 * 3 * SAMPLE + 3 * len(big) + 2 * 5


def test_the_index_in_a_name_is_googles_number() -> None:
    assert has_index("Photos from 2019/IMG(1).jpg")
    assert has_index("IMG(12)")
    assert not has_index("IMG_1.jpg")
    assert not has_index("(1)/IMG.jpg")


@pytest.fixture
def albums(src: Path) -> Path:
    """One photo in its year folder and two albums, the same member in both parts, and a same-named other photo."""
    one, two = src / "Takeout" / "Google Photos", src / "Takeout 2" / "Google Photos"
    make_media(one / "Photos from 2019" / "IMG_1.jpg", seed=1)
    write_sidecar(one / "Photos from 2019" / "IMG_1.jpg.json", "IMG_1.jpg", T)
    for album in ("Trip", "Party"):
        (one / album).mkdir()
        shutil.copy(one / "Photos from 2019" / "IMG_1.jpg", one / album / "IMG_1.jpg")
        write_sidecar(one / album / "IMG_1.jpg.json", "IMG_1.jpg", T)
        (one / album / "metadata.json").write_text(json.dumps({"title": album}))
    make_media(one / "Photos from 2019" / "IMG_2.jpg", seed=2)
    write_sidecar(one / "Photos from 2019" / "IMG_2.jpg.json", "IMG_2.jpg", T + 60)
    (two / "Photos from 2019").mkdir(parents=True)
    shutil.copy(one / "Photos from 2019" / "IMG_2.jpg", two / "Photos from 2019" / "IMG_2.jpg")
    make_media(one / "Party" / "IMG_3.jpg", seed=3)  # only in an album
    write_sidecar(one / "Party" / "IMG_3.jpg.json", "IMG_3.jpg", T + 120)
    make_media(two / "Trip" / "IMG_1.jpg", seed=9)  # same name as the album copy in part one, other bytes
    write_sidecar(two / "Trip" / "IMG_1.jpg.json", "IMG_1.jpg", T + 180)
    return src


OWN = OWN_FILES
LIBRARY = {"Photos from 2019/IMG_1.jpg", "Photos from 2019/IMG_2.jpg", "Party/IMG_3.jpg", "Trip/IMG_1.jpg"}
ALBUM_FILES = {"Trip/IMG_1(1).jpg", "Party/IMG_1.jpg"}


@pytest.mark.parametrize("mode", ["copy", "link", "hardlink", "none"])
def test_album_modes(albums: Path, tmp_path: Path, mode: str) -> None:
    before = tree_hashes(albums)
    out = tmp_path / "library"
    proc = run_cli("-p", str(albums), "--output", str(out), "--albums", mode, "--timezone", "UTC")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert tree_hashes(albums) == before
    expected = LIBRARY | (set() if mode == "none" else ALBUM_FILES)
    assert tree_files(out) == expected | OWN
    main = out / "Photos from 2019/IMG_1.jpg"
    assert exif_read(main, args=("-DateTimeOriginal",))[0]["DateTimeOriginal"] == "2019:07:09 12:30:00"
    # The other photo named IMG_1.jpg in part two's Trip keeps its own bytes and date.
    other_trip = next(p for p in ("Trip/IMG_1.jpg", "Trip/IMG_1(1).jpg")
                      if exif_read(out / p, args=("-DateTimeOriginal",))[0]["DateTimeOriginal"] == "2019:07:09 12:33:00")
    report = json.loads((out / "report.json").read_text())
    media = report["media"]
    trip_copy = next(p for p in ("Trip/IMG_1.jpg", "Trip/IMG_1(1).jpg") if p != other_trip)
    for album_file in ("Party/IMG_1.jpg", trip_copy):
        path = out / album_file
        if mode == "none":
            assert not path.exists()
            continue
        assert path.read_bytes() == main.read_bytes()
        if mode == "link":
            assert path.is_symlink()
            assert os.readlink(path) == "../Photos from 2019/IMG_1.jpg"
        elif mode == "hardlink":
            assert path.stat().st_ino == main.stat().st_ino
        else:
            assert not path.is_symlink() and path.stat().st_ino != main.stat().st_ino
    # The same photo in both parts, both paired with the one sidecar: one item, written once.
    assert media["Takeout 2/Google Photos/Photos from 2019/IMG_2.jpg"]["status"] == "written"
    assert media["Takeout/Google Photos/Photos from 2019/IMG_2.jpg"] == {
        "status": "duplicate", "of": "Takeout 2/Google Photos/Photos from 2019/IMG_2.jpg",
        "output": "Photos from 2019/IMG_2.jpg", "sidecar": "Takeout/Google Photos/Photos from 2019/IMG_2.jpg.json",
    }
    album_status = "duplicate" if mode == "none" else "album copy"
    assert media["Takeout/Google Photos/Party/IMG_1.jpg"]["status"] == album_status
    assert media["Takeout/Google Photos/Party/IMG_1.jpg"]["of"] == "Takeout/Google Photos/Photos from 2019/IMG_1.jpg"
    assert report["summary"]["duplicates"] == 3
    trip = report["albums"]["Trip"]
    assert {k: v for k, v in trip.items() if k != "items"} == {
        "title": "Trip", "description": "", "date": None, "place": None, "shared": False,
        "folder": None if mode == "none" else "Trip"}
    assert sorted((i["source"], i["output"]) for i in trip["items"]) == sorted([
        ("Takeout/Google Photos/Trip/IMG_1.jpg", "Photos from 2019/IMG_1.jpg" if mode == "none" else trip_copy),
        ("Takeout 2/Google Photos/Trip/IMG_1.jpg", other_trip),
    ])
    from pef import __version__
    assert json.loads((out / "albums.json").read_text()) == {
        "pef_version": __version__, "layout": "source", "album_mode": mode, "albums": report["albums"]}
    assert sorted(report["albums"]) == ["Party", "Trip"]
    assert report["audit"]["passed"] is True
    check = run_cli("verify", str(out), "--hash")
    assert check.returncode == 0, check.stdout
    again = run_cli("-p", str(albums), "--output", str(out), "--timezone", "UTC")
    assert again.returncode == 0 and "Everything was already done; nothing to do." in again.stdout, again.stdout


def test_a_deleted_album_copy_is_made_again(albums: Path, tmp_path: Path) -> None:
    out = tmp_path / "library"
    assert run_cli("-p", str(albums), "--output", str(out), "--albums", "link", "--timezone", "UTC").returncode == 0
    (out / "Party/IMG_1.jpg").unlink()
    assert run_cli("verify", str(out), "--no-read").returncode == 2
    assert run_cli("-p", str(albums), "--output", str(out), "--timezone", "UTC").returncode == 0
    assert os.readlink(out / "Party/IMG_1.jpg") == "../Photos from 2019/IMG_1.jpg"
    assert run_cli("verify", str(out), "--no-read").returncode == 0


def test_verify_finds_a_duplicate_whose_source_changed(albums: Path, tmp_path: Path) -> None:
    out = tmp_path / "library"
    assert run_cli("-p", str(albums), "--output", str(out), "--timezone", "UTC").returncode == 0
    dup = albums / "Takeout/Google Photos/Photos from 2019/IMG_2.jpg"
    data = bytearray(dup.read_bytes())
    data[-3] ^= 0xFF
    dup.write_bytes(bytes(data))
    check = run_cli("verify", str(out), "--hash", "--no-read")
    assert check.returncode == 2
    assert ("  Takeout/Google Photos/Photos from 2019/IMG_2.jpg: recorded as a duplicate of "
            "Takeout 2/Google Photos/Photos from 2019/IMG_2.jpg, but their bytes differ") in check.stdout.splitlines()


def test_a_resume_does_not_hash_unchanged_files_again(albums: Path, tmp_path: Path) -> None:
    out = tmp_path / "library"
    assert run_cli("-p", str(albums), "--output", str(out), "--timezone", "UTC").returncode == 0
    first = json.loads((out / "report.json").read_text())["summary"]
    assert first["dedup_hashed_bytes"] > 0
    assert run_cli("-p", str(albums), "--output", str(out)).returncode == 0
    again = json.loads((out / "report.json").read_text())["summary"]
    assert (again["dedup_hashed_bytes"], again["duplicates"]) == (0, first["duplicates"])
    # A file touched since is read again (its hash may have changed), and only that one (too small to sample).
    party = albums / "Takeout/Google Photos/Party/IMG_1.jpg"
    os.utime(party, (party.stat().st_atime, party.stat().st_mtime + 10))
    assert run_cli("-p", str(albums), "--output", str(out)).returncode == 0
    touched = json.loads((out / "report.json").read_text())["summary"]
    assert touched["dedup_hashed_bytes"] == party.stat().st_size
    assert touched["duplicates"] == first["duplicates"]
