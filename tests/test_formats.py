"""Every format through the whole of pef, read back with ExifTool: what photo apps will see."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import OWN_FILES, exif_read, run_cli, tree_files, write_sidecar
from pef.sample import make_jpeg, make_media

TAKEN = 1562675400  # 2019-07-09 12:30:00 UTC = 21:30 in Tokyo
TOKYO = {"latitude": 35.6812, "longitude": 139.7671, "altitude": 40.0}
CAPTION = "東京タワー\n夜景 \"night\" -- 'view'"
PHOTOS = ["jpg", "png", "heic", "gif", "tif", "webp", "dng"]
VIDEOS = ["mp4", "mov", "m4v", "3gp"]
SIDECAR_ONLY = ["avi", "mkv", "mts"]


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("formats") / "Takeout"
    for i, ext in enumerate(PHOTOS + VIDEOS + SIDECAR_ONLY):
        name = f"file_{ext}.{ext}"
        make_media(src / name, seed=i)
        write_sidecar(
            src / f"{name}.json", name, TAKEN, geoDataExif=TOKYO, description=CAPTION,
            people=[{"name": "Alice"}, {"name": "Bob"}], favorited=True,
        )
    proc = run_cli("-p", str(src), "--timezone", "UTC")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return src.parent / "Takeout_pefProcessed"


def tags_of(path: Path) -> dict:
    return exif_read(path, args=("-G1", "-a", "-n"))[0]


@pytest.mark.parametrize("ext", PHOTOS)
def test_photo_formats(processed: Path, ext: str) -> None:
    t = tags_of(processed / f"file_{ext}.{ext}")
    assert t["XMP-exif:DateTimeOriginal"] == "2019:07:09 21:30:00+09:00"
    assert t["XMP-exif:GPSLatitude"] == pytest.approx(35.6812, abs=1e-6)
    assert t["XMP-exif:GPSLongitude"] == pytest.approx(139.7671, abs=1e-6)
    assert t["XMP-dc:Description"] == CAPTION
    assert t["XMP-iptcExt:PersonInImage"] == ["Alice", "Bob"]
    assert t["XMP-dc:Subject"] == ["Alice", "Bob"]
    assert t["XMP-xmp:Rating"] == 5
    if ext != "gif":  # GIF holds XMP only
        assert t["ExifIFD:DateTimeOriginal"] == "2019:07:09 21:30:00"
        assert t["ExifIFD:OffsetTimeOriginal"] == "+09:00"
        assert t["GPS:GPSLatitudeRef"] == "N"
        assert t["GPS:GPSLongitudeRef"] == "E"
    if ext == "dng":
        assert t["File:FileType"] == "DNG" and t["IFD0:DNGVersion"] == "1 4 0 0"  # still a DNG after the write
    if ext in ("jpg", "tif", "dng"):
        assert t["IPTC:Caption-Abstract"] == CAPTION
        assert t["IPTC:Keywords"] == ["Alice", "Bob"]
    assert int(os.stat(processed / f"file_{ext}.{ext}").st_mtime) == TAKEN


@pytest.mark.parametrize("ext", VIDEOS)
def test_video_formats(processed: Path, ext: str) -> None:
    t = tags_of(processed / f"file_{ext}.{ext}")
    assert t["QuickTime:CreateDate"] == "2019:07:09 12:30:00"
    assert t["QuickTime:ModifyDate"] == "2019:07:09 12:30:00"
    assert t["Track1:TrackCreateDate"] == "2019:07:09 12:30:00"
    assert t["Track1:MediaCreateDate"] == "2019:07:09 12:30:00"
    assert t["Keys:CreationDate"] == "2019:07:09 21:30:00+09:00"
    assert t["Keys:GPSCoordinates"].split()[:2] == ["35.6812", "139.7671"]
    assert t["Keys:Description"] == CAPTION
    assert int(os.stat(processed / f"file_{ext}.{ext}").st_mtime) == TAKEN


@pytest.mark.parametrize("ext", SIDECAR_ONLY)
def test_unwritable_formats_get_an_xmp_sidecar(processed: Path, ext: str, tmp_path: Path) -> None:
    media = processed / f"file_{ext}.{ext}"
    xmp = processed / f"file_{ext}.{ext}.xmp"
    t = tags_of(xmp)
    assert t["XMP-exif:DateTimeOriginal"] == "2019:07:09 21:30:00+09:00"
    assert t["XMP-dc:Description"] == CAPTION
    assert t["XMP-iptcExt:PersonInImage"] == ["Alice", "Bob"]
    assert int(os.stat(media).st_mtime) == TAKEN
    assert int(os.stat(xmp).st_mtime) == TAKEN


def test_output_tree_is_exact(processed: Path) -> None:
    names = {f"file_{e}.{e}" for e in PHOTOS + VIDEOS + SIDECAR_ONLY}
    assert tree_files(processed) == names | {f"file_{e}.{e}.xmp" for e in SIDECAR_ONLY} | {
        *OWN_FILES
    }


def test_camera_date_is_kept_and_the_disagreement_reported(src: Path) -> None:
    make_jpeg(src / "cam.jpg", seed=1, exif_datetime="2019:07:01 10:00:00", exif_offset="+02:00")
    write_sidecar(src / "cam.jpg.json", "cam.jpg", TAKEN)
    assert run_cli("-p", str(src), "--timezone", "UTC").returncode == 0
    out = src.parent / "Takeout_pefProcessed"
    t = tags_of(out / "cam.jpg")
    assert t["ExifIFD:DateTimeOriginal"] == "2019:07:01 10:00:00"
    assert t["ExifIFD:OffsetTimeOriginal"] == "+02:00"
    import json

    details = json.loads((out / "report.json").read_text())["media"]["cam.jpg"]["details"]
    assert details["date_source"] == "file"
    assert any("differs from sidecar" in n for n in details["notes"])
    # The file time follows the date written in the file: 2019-07-01 08:00 UTC.
    assert int(os.stat(out / "cam.jpg").st_mtime) == 1561968000


def test_overwrite_dates_writes_the_sidecar_date(src: Path) -> None:
    make_jpeg(src / "cam.jpg", seed=1, exif_datetime="2019:07:01 10:00:00", exif_offset="+02:00")
    write_sidecar(src / "cam.jpg.json", "cam.jpg", TAKEN)
    assert run_cli("-p", str(src), "--timezone", "UTC", "--overwrite-dates").returncode == 0
    t = tags_of(src.parent / "Takeout_pefProcessed" / "cam.jpg")
    # No GPS: the zone comes from the offset already in the file.
    assert t["ExifIFD:DateTimeOriginal"] == "2019:07:09 14:30:00"
    assert t["ExifIFD:OffsetTimeOriginal"] == "+02:00"


def test_jpeg_named_heic_is_written_by_content(src: Path) -> None:
    make_jpeg(src / "wrong.heic", seed=1)
    write_sidecar(src / "wrong.heic.json", "wrong.heic", TAKEN, geoDataExif=TOKYO)
    proc = run_cli("-p", str(src), "--timezone", "UTC")
    assert proc.returncode == 0, proc.stdout
    t = tags_of(src.parent / "Takeout_pefProcessed" / "wrong.heic")
    assert t["File:FileType"] == "JPEG"
    assert t["ExifIFD:DateTimeOriginal"] == "2019:07:09 21:30:00"


def test_orphan_gets_its_date_from_its_name_and_keeps_its_bytes(src: Path) -> None:
    make_media(src / "IMG_20190509_154733.jpg", seed=1)
    proc = run_cli("-p", str(src), "--timezone", "Europe/Paris")
    assert proc.returncode == 0
    out = src.parent / "Takeout_pefProcessed" / "Unprocessed" / "IMG_20190509_154733.jpg"
    assert out.read_bytes() == (src / "IMG_20190509_154733.jpg").read_bytes()
    assert int(out.stat().st_mtime) == 1557409653  # 15:47:33 in Paris (+02:00)


def test_fix_extensions_renames_by_content(src: Path) -> None:
    make_jpeg(src / "wrong.heic", seed=1)
    write_sidecar(src / "wrong.heic.json", "wrong.heic", TAKEN)
    make_media(src / "shot.png", seed=2)
    (src / "shot.png").rename(src / "shot.jpg")  # PNG bytes named .jpg, no sidecar
    make_jpeg(src / "fine.jpeg", seed=3)
    write_sidecar(src / "fine.jpeg.json", "fine.jpeg", TAKEN)
    proc = run_cli("-p", str(src), "--timezone", "UTC", "--fix-extensions")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = src.parent / "Takeout_pefProcessed"
    assert tree_files(out) == {
        "wrong.jpg", "fine.jpeg", "Unprocessed/shot.png", *OWN_FILES
    }
    assert tags_of(out / "wrong.jpg")["ExifIFD:DateTimeOriginal"] == "2019:07:09 12:30:00"
    assert (out / "Unprocessed/shot.png").read_bytes() == (src / "shot.jpg").read_bytes()
