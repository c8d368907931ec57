"""Time zones on a machine without an IANA database (Windows, slim containers): the tzdata package answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, exif_read, write_sidecar
from pef.sample import make_media

T = 1562675400  # 2019-07-09 12:30:00 UTC: summer time in Paris
PARIS = {"latitude": 48.8584, "longitude": 2.2945, "altitude": 0.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0}


def _without_system_zones(tmp_path: Path) -> dict[str, str]:
    empty = tmp_path / "no-zoneinfo"
    empty.mkdir()
    # zoneinfo looks only here, finds nothing, and falls back to the tzdata package: what happens on Windows.
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONTZPATH": str(empty), "TZ": "UTC"}


def test_zones_load_from_the_tzdata_package(tmp_path: Path) -> None:
    env = _without_system_zones(tmp_path)
    code = (
        "import zoneinfo\n"
        "from datetime import datetime\n"
        "from pef.timezones import load_zone, zone_at\n"
        "print(zoneinfo.TZPATH == (" + repr(env["PYTHONTZPATH"]) + ",))\n"
        "print(zone_at(48.8584, 2.2945))\n"
        "print(datetime(2019, 7, 9, 12, tzinfo=load_zone('Europe/Paris')).isoformat())\n"
        "print(datetime(2019, 1, 9, 12, tzinfo=load_zone('America/Sao_Paulo')).isoformat())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.splitlines() == [
        "True", "Europe/Paris", "2019-07-09T12:00:00+02:00", "2019-01-09T12:00:00-02:00",
    ]


def test_a_run_without_system_zones_keeps_gps_zones_and_the_timezone_option(src: Path, tmp_path: Path) -> None:
    make_media(src / "paris.jpg", seed=1)
    write_sidecar(src / "paris.jpg.json", "paris.jpg", T, geoData=PARIS)
    make_media(src / "nowhere.jpg", seed=2)
    write_sidecar(src / "nowhere.jpg.json", "nowhere.jpg", T)
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pef", "-p", str(src), "--output", str(out), "--timezone", "Asia/Tokyo"],
        capture_output=True, text=True, env=_without_system_zones(tmp_path), timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = exif_read(out / "paris.jpg", out / "nowhere.jpg", args=("-DateTimeOriginal", "-OffsetTimeOriginal"))
    assert [(g["DateTimeOriginal"], g["OffsetTimeOriginal"]) for g in got] == [
        ("2019:07:09 14:30:00", "+02:00"), ("2019:07:09 21:30:00", "+09:00"),
    ]
