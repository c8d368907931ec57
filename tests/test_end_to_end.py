"""The foundation's promise, end to end: a small Takeout in, a fixed library out, read back with ExifTool."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import OWN_FILES, exif_read, run_cli, tree_files, tree_hashes, write_sidecar
from pef.sample import make_media

TOKYO = {"latitude": 35.6812, "longitude": 139.7671, "altitude": 40.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0}
PARIS = {"latitude": 48.8584, "longitude": 2.2945, "altitude": 0.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0}
T1 = 1562675400  # 2019-07-09 12:30:00 UTC
T2 = 1546300800  # 2019-01-01 00:00:00 UTC
T3 = 1546387200  # 2019-01-02 00:00:00 UTC
T4 = 1577880000  # 2020-01-01 12:00:00 UTC
T5 = 1300000000  # 2011-03-13 07:06:40 UTC


@pytest.fixture
def takeout(src: Path) -> Path:
    year = src / "Google Photos" / "Photos from 2019"
    year.mkdir(parents=True)
    make_media(year / "IMG_0001.jpg", seed=1)
    write_sidecar(
        year / "IMG_0001.jpg.json", "IMG_0001.jpg", T1, geoDataExif=TOKYO,
        description="東京タワー\n二行目 \"quoted\"", people=[{"name": "Alice"}, {"name": "Bob"}], favorited=True,
    )
    make_media(year / "IMG_0002.jpg", seed=2)
    write_sidecar(year / "IMG_0002.jpg.supplemental-metadata.json", "IMG_0002.jpg", T2)
    make_media(year / "IMG_0002(1).jpg", seed=3)
    write_sidecar(year / "IMG_0002.jpg.supplemental-metadata(1).json", "IMG_0002.jpg", T3)
    make_media(year / "IMG_0003.jpg", seed=4)
    make_media(year / "IMG_0003-edited.jpg", seed=5)
    write_sidecar(year / "IMG_0003.jpg.json", "IMG_0003.jpg", T5, geoData=PARIS)
    make_media(year / "VID_0004.mp4", seed=6)
    write_sidecar(year / "VID_0004.mp4.json", "VID_0004.mp4", T4)
    make_media(year / "orphan.png", seed=7)
    write_sidecar(year / "lost.jpg.json", "lost.jpg", T2)
    album = src / "Google Photos" / "Trip"
    album.mkdir()
    (album / "metadata.json").write_text(json.dumps({"title": "Trip", "description": ""}))
    make_media(album / "IMG_0001.jpg", seed=1)
    write_sidecar(album / "IMG_0001.jpg.json", "IMG_0001.jpg", T1, geoDataExif=TOKYO)
    (album / "broken.jpg.json").write_text('{"title": "broken.jpg", "photoTakenTime": ')
    return src


def test_fixes_a_takeout(takeout: Path) -> None:
    before = tree_hashes(takeout)
    proc = run_cli("-p", str(takeout), "--timezone", "America/New_York")
    assert proc.returncode == 2, proc.stdout + proc.stderr  # the broken sidecar is an error
    out = takeout.parent / "Takeout_pefProcessed"
    assert tree_hashes(takeout) == before
    assert tree_files(out) == {
        "Photos from 2019/IMG_0001.jpg",
        "Photos from 2019/IMG_0002.jpg",
        "Photos from 2019/IMG_0002(1).jpg",
        "Photos from 2019/IMG_0003.jpg",
        "Photos from 2019/IMG_0003-edited.jpg",
        "Photos from 2019/VID_0004.mp4",
        "Trip/IMG_0001.jpg",
        "Unprocessed/Photos from 2019/orphan.png",
        "Unprocessed/Photos from 2019/lost.jpg.json",
        "Unprocessed/Trip/broken.jpg.json",
        *OWN_FILES,
    }
    year = out / "Photos from 2019"
    tags = {Path(t["SourceFile"]).name: t for t in exif_read(*sorted(year.iterdir()), args=("-G1", "-a", "-n"))}

    tokyo = tags["IMG_0001.jpg"]
    assert tokyo["ExifIFD:DateTimeOriginal"] == "2019:07:09 21:30:00"
    assert tokyo["ExifIFD:OffsetTimeOriginal"] == "+09:00"
    assert tokyo["ExifIFD:CreateDate"] == "2019:07:09 21:30:00"
    assert tokyo["GPS:GPSLatitude"] == pytest.approx(35.6812, abs=1e-6)
    assert tokyo["GPS:GPSLatitudeRef"] == "N"
    assert tokyo["GPS:GPSLongitude"] == pytest.approx(139.7671, abs=1e-6)
    assert tokyo["GPS:GPSLongitudeRef"] == "E"
    assert tokyo["XMP-dc:Description"] == "東京タワー\n二行目 \"quoted\""
    assert tokyo["XMP-iptcExt:PersonInImage"] == ["Alice", "Bob"]
    assert tokyo["XMP-xmp:Rating"] == 5

    # The duplicate index: each copy gets its own sidecar's date (no GPS: --timezone New York, -05:00).
    assert tags["IMG_0002.jpg"]["ExifIFD:DateTimeOriginal"] == "2018:12:31 19:00:00"
    assert tags["IMG_0002(1).jpg"]["ExifIFD:DateTimeOriginal"] == "2019:01:01 19:00:00"
    assert tags["IMG_0002(1).jpg"]["ExifIFD:OffsetTimeOriginal"] == "-05:00"
    # The edited copy gets the original's sidecar; Paris in March is +01:00.
    for name in ("IMG_0003.jpg", "IMG_0003-edited.jpg"):
        assert tags[name]["ExifIFD:DateTimeOriginal"] == "2011:03:13 08:06:40"
        assert tags[name]["ExifIFD:OffsetTimeOriginal"] == "+01:00"
    video = tags["VID_0004.mp4"]
    assert video["QuickTime:CreateDate"] == "2020:01:01 12:00:00"
    assert video["Track1:MediaCreateDate"] == "2020:01:01 12:00:00"
    assert video["Track1:TrackCreateDate"] == "2020:01:01 12:00:00"
    assert video["Keys:CreationDate"] == "2020:01:01 07:00:00-05:00"

    expected_mtimes = {
        "IMG_0001.jpg": T1, "IMG_0002.jpg": T2, "IMG_0002(1).jpg": T3,
        "IMG_0003.jpg": T5, "IMG_0003-edited.jpg": T5, "VID_0004.mp4": T4,
    }
    assert {n: int(os.stat(year / n).st_mtime) for n in expected_mtimes} == expected_mtimes
    orphan = out / "Unprocessed/Photos from 2019/orphan.png"
    source_orphan = takeout / "Google Photos/Photos from 2019/orphan.png"
    assert orphan.read_bytes() == source_orphan.read_bytes()
    assert orphan.stat().st_mtime_ns == source_orphan.stat().st_mtime_ns

    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["media_files"] == 8
    assert report["summary"]["matched"] == 7
    assert report["summary"]["without_sidecar"] == 1
    assert report["summary"]["sidecars_without_media"] == 1
    assert report["summary"]["broken_sidecars"] == 1
    assert report["summary"]["other_json"] == 1
    assert report["summary"]["errors"] == 1  # the broken sidecar
    assert report["sidecars"]["Google Photos/Trip/broken.jpg.json"]["status"] == "broken"
    assert report["media"]["Google Photos/Photos from 2019/IMG_0003-edited.jpg"]["sidecar"] == (
        "Google Photos/Photos from 2019/IMG_0003.jpg.json"
    )
    assert "Media files:              8" in proc.stdout


def test_no_exif_copies_and_sets_times(takeout: Path) -> None:
    proc = run_cli("-p", str(takeout), "--no-exif")
    assert proc.returncode == 2, proc.stderr  # the broken sidecar
    out = takeout.parent / "Takeout_pefProcessed"
    photo = out / "Photos from 2019/IMG_0001.jpg"
    assert photo.read_bytes() == (takeout / "Google Photos/Photos from 2019/IMG_0001.jpg").read_bytes()
    assert int(photo.stat().st_mtime) == T1


def test_dry_run_writes_nothing(takeout: Path, tmp_path: Path) -> None:
    before = tree_hashes(tmp_path)
    plan_file = tmp_path.parent / f"{tmp_path.name}-plan.json"
    proc = run_cli("-p", str(takeout), "--dry-run", "--report", str(plan_file))
    assert proc.returncode == 2, proc.stderr  # the broken sidecar
    assert tree_hashes(tmp_path) == before
    plan = json.loads(plan_file.read_text())
    assert plan["dry_run"] is True
    assert plan["media"]["Google Photos/Photos from 2019/IMG_0002(1).jpg"] == {
        "output": "Photos from 2019/IMG_0002(1).jpg",
        "sidecar": "Google Photos/Photos from 2019/IMG_0002.jpg.supplemental-metadata(1).json",
        "rule": plan["media"]["Google Photos/Photos from 2019/IMG_0002(1).jpg"]["rule"],
        "status": "planned",
    }
    plan_file.unlink()


def test_second_run_makes_a_numbered_folder(takeout: Path) -> None:
    assert run_cli("-p", str(takeout), "--no-exif").returncode == 2
    assert run_cli("-p", str(takeout), "--no-exif").returncode == 2
    assert sorted(p.name for p in takeout.parent.iterdir()) == [
        "Takeout", "Takeout_pefProcessed", "Takeout_pefProcessed(1)"
    ]


def test_bad_paths_exit_1_and_write_nothing(tmp_path: Path, takeout: Path) -> None:
    proc = run_cli("-p", str(tmp_path / "missing"))
    assert proc.returncode == 1
    assert "does not exist" in proc.stderr
    proc = run_cli("-p", str(takeout), "-d", str(takeout / "Google Photos"))
    assert proc.returncode == 1
    assert "inside the source" in proc.stderr
    assert not (takeout / "Google Photos" / "Takeout_pefProcessed").exists()
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "args, message",
    [((), "the following arguments are required: -p/--path"), (("-p", "x", "--bogus"), "unrecognized arguments: --bogus"),
     (("verify",), "the following arguments are required: output")],
    ids=["no-path", "unknown-option", "verify-no-folder"],
)
def test_usage_errors_exit_1(args: tuple, message: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 1
    assert proc.stderr.startswith("usage: pef")
    assert proc.stderr.endswith(f"error: {message}\n")


def test_missing_exiftool_stops_before_writing(takeout: Path, tmp_path: Path) -> None:
    env_path = os.environ["PATH"]
    os.environ["PATH"] = str(tmp_path / "empty")
    try:
        proc = run_cli("-p", str(takeout))
    finally:
        os.environ["PATH"] = env_path
    assert proc.returncode == 1
    assert "apt install libimage-exiftool-perl" in proc.stderr
    assert "--no-exif" in proc.stderr
    assert not (takeout.parent / "Takeout_pefProcessed").exists()


def test_suffix_option_accepts_a_leading_dash(src: Path) -> None:
    make_media(src / "IMG_9.jpg", seed=9)
    make_media(src / "IMG_9-sticker.jpg", seed=10)
    write_sidecar(src / "IMG_9.jpg.json", "IMG_9.jpg", T2)
    proc = run_cli("-p", str(src), "--no-exif", "-s", "-sticker")
    assert proc.returncode == 0, proc.stderr
    out = src.parent / "Takeout_pefProcessed"
    assert tree_files(out) == {"IMG_9.jpg", "IMG_9-sticker.jpg", *OWN_FILES}
    report = json.loads((out / "report.json").read_text())
    assert report["media"]["IMG_9-sticker.jpg"]["sidecar"] == "IMG_9.jpg.json"


@pytest.mark.parametrize("entry", [["-m", "pef"], ["pef.py"]])
def test_entry_points_print_the_version(entry: list[str]) -> None:
    import subprocess
    import sys

    from conftest import REPO
    from pef import __version__

    proc = subprocess.run([sys.executable, *entry, "--version"], capture_output=True, text=True, cwd=REPO)
    assert proc.stdout.strip() == f"pef {__version__}"


def test_installed_version_is_the_package_version() -> None:
    from importlib.metadata import version

    from pef import __version__

    assert version("pef") == __version__


@pytest.fixture
def two_parts(src: Path) -> Path:
    """Two extracted parts of one export, with an album, Trash, Locked Folder and another product."""
    one, two = src / "Takeout" / "Google Photos", src / "Takeout 2" / "Google Photos"
    make_media(one / "Photos from 2019" / "IMG_0001.jpg", seed=1)
    write_sidecar(one / "Photos from 2019" / "IMG_0001.jpg.json", "IMG_0001.jpg", T1, geoDataExif=TOKYO)
    make_media(two / "Photos from 2019" / "IMG_0002.jpg", seed=2)
    write_sidecar(two / "Photos from 2019" / "IMG_0002.jpg.json", "IMG_0002.jpg", T2)
    make_media(two / "Photos from 2019" / "IMG_0005.jpg", seed=5)
    write_sidecar(two / "Photos from 2019" / "IMG_0005.jpg.json", "IMG_0005.jpg", T3, trashed=True)
    make_media(one / "Trip" / "IMG_0001.jpg", seed=1)
    write_sidecar(one / "Trip" / "IMG_0001.jpg.json", "IMG_0001.jpg", T1, geoDataExif=TOKYO)
    (one / "Trip" / "metadata.json").write_text(json.dumps({"title": "Trip", "description": ""}))
    make_media(one / "Trash" / "IMG_0006.jpg", seed=6)
    write_sidecar(one / "Trash" / "IMG_0006.jpg.json", "IMG_0006.jpg", T4)
    make_media(two / "Locked Folder" / "IMG_0007.jpg", seed=7)
    write_sidecar(two / "Locked Folder" / "IMG_0007.jpg.json", "IMG_0007.jpg", T4, inLockedFolder=True)
    make_media(two / "Photos from 2019" / "orphan.png", seed=8)
    (src / "Takeout" / "Drive").mkdir(parents=True)
    (src / "Takeout" / "Drive" / "notes.jpg").write_bytes(b"not a photo of the library")
    (src / "Takeout" / "archive_browser.html").write_text("<html></html>")
    return src


OWN = OWN_FILES
LAYOUT_TREES = {
    "source": {
        "Photos from 2019/IMG_0001.jpg", "Photos from 2019/IMG_0002.jpg", "Trip/IMG_0001.jpg",
        "Trash/IMG_0006.jpg", "Trash/Photos from 2019/IMG_0005.jpg", "Locked Folder/IMG_0007.jpg",
        "Unprocessed/Photos from 2019/orphan.png",
    },
    "year/month": {
        "Photos/2019/07/IMG_0001.jpg", "Photos/2019/01/IMG_0002.jpg", "Albums/Trip/IMG_0001.jpg",
        "Trash/IMG_0006.jpg", "Trash/IMG_0005.jpg", "Locked Folder/IMG_0007.jpg",
        "Unprocessed/Photos from 2019/orphan.png",
    },
    "export": {
        "Takeout/Google Photos/Photos from 2019/IMG_0001.jpg", "Takeout 2/Google Photos/Photos from 2019/IMG_0002.jpg",
        "Takeout 2/Google Photos/Photos from 2019/IMG_0005.jpg", "Takeout/Google Photos/Trip/IMG_0001.jpg",
        "Takeout/Google Photos/Trash/IMG_0006.jpg", "Takeout 2/Google Photos/Locked Folder/IMG_0007.jpg",
        "Unprocessed/Takeout 2/Google Photos/Photos from 2019/orphan.png",
        "Unprocessed/Takeout/Drive/notes.jpg",
        "Unprocessed/Takeout/archive_browser.html",
    },
}


@pytest.mark.parametrize("layout", list(LAYOUT_TREES))
def test_layouts_make_one_library(two_parts: Path, tmp_path: Path, layout: str) -> None:
    before = tree_hashes(two_parts)
    out = tmp_path / "library"
    proc = run_cli("-p", str(two_parts), "--output", str(out), "--layout", layout, "--timezone", "UTC")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert tree_hashes(two_parts) == before
    assert tree_files(out) == LAYOUT_TREES[layout] | OWN
    report = json.loads((out / "report.json").read_text())
    if layout != "export":
        assert report["skipped"] == {
            "Takeout/Drive/notes.jpg": "not part of Google Photos (another product of the Takeout)",
            "Takeout/archive_browser.html": "not part of Google Photos (another product of the Takeout)",
        }
        assert report["summary"]["library_groups"]["trash"] == 2
        assert report["summary"]["library_groups"]["locked"] == 1
        assert report["media"]["Takeout 2/Google Photos/Photos from 2019/IMG_0005.jpg"]["group"] == "trash"
    tokyo = next(f for f in LAYOUT_TREES[layout] if f.endswith("IMG_0001.jpg") and "Trip" not in f)
    written = report["media"]["Takeout/Google Photos/Photos from 2019/IMG_0001.jpg"]["details"]
    assert (written["date"], written["zone"]) == ("2019-07-09T21:30:00+09:00", "Asia/Tokyo")
    assert exif_read(out / tokyo, args=("-DateTimeOriginal",))[0]["DateTimeOriginal"] == "2019:07:09 21:30:00"
    again = run_cli("-p", str(two_parts), "--output", str(out), "--timezone", "UTC")
    assert again.returncode == 0, again.stderr
    assert "Everything was already done; nothing to do." in again.stdout
    assert tree_files(out) == LAYOUT_TREES[layout] | OWN
    assert run_cli("verify", str(out)).returncode == 0


def test_a_run_from_before_layouts_resumes_in_the_export_shape(two_parts: Path, tmp_path: Path) -> None:
    out = tmp_path / "library"
    assert run_cli("-p", str(two_parts), "--output", str(out), "--layout", "export", "--no-exif").returncode == 0
    state = json.loads((out / "processing_state.json").read_text())
    for name in ("layout", "archive", "partner"):
        del state["options"][name]  # as an earlier pef recorded it
    (out / "processing_state.json").write_text(json.dumps(state))
    proc = run_cli("-p", str(two_parts), "--output", str(out), "--no-exif")
    assert proc.returncode == 0, proc.stderr
    assert "Everything was already done; nothing to do." in proc.stdout
    assert tree_files(out) == LAYOUT_TREES["export"] | OWN
