"""Takeout archives read in place: the same library as from the extracted export, with no extraction."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from conftest import OWN_FILES, run_cli, tree_files, write_sidecar
from pef.sample import generate_takeout, make_media
from pef.sources import member_name, safe_member_path

T = 1546300800


def fingerprint(out: Path) -> dict[str, tuple[str, int]]:
    return {
        rel: (hashlib.sha256((out / rel).read_bytes()).hexdigest(), int((out / rel).stat().st_mtime))
        for rel in tree_files(out) - OWN_FILES
    }


def split_into_zips(tree: Path, dest: Path, parts: int) -> list[Path]:
    """Google-style parts: every file in exactly one part, a file's sidecar often in another."""
    files = sorted(tree_files(tree))
    zips = [dest / f"takeout-20240101T000000Z-{n + 1:03d}.zip" for n in range(parts)]
    handles = [zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) for z in zips]
    for i, rel in enumerate(files):
        handles[i % parts].write(tree / rel, rel)
    for h in handles:
        h.close()
    return zips


def extract(zips: list[Path], dest: Path) -> None:
    """What a user does: unzip every part into one folder (file times kept, as unzip does)."""
    for z in zips:
        subprocess.run(["unzip", "-q", "-o", str(z), "-d", str(dest)], check=True)


def comparable(report: dict) -> dict:
    return {"media": report["media"], "sidecars": report["sidecars"], "summary": {
        k: v for k, v in report["summary"].items() if k not in ("seconds", "skipped_paths", "dedup_seconds", "dedup_hashed_bytes")}}


MANIFEST = {}


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("archives") / "export"
    MANIFEST["export"] = generate_takeout(root, photos=30, videos=3, seed=3)
    return root


def test_zip_parts_give_the_same_library_as_the_extracted_export(export: Path, tmp_path: Path) -> None:
    zips_dir = tmp_path / "zips"
    zips_dir.mkdir()
    zips = split_into_zips(export, zips_dir, 3)
    extracted = tmp_path / "extracted"
    extract(zips, extracted)

    by_folder = run_cli("-p", str(extracted), "--timezone", "UTC", "--output", str(tmp_path / "out-folder"))
    assert by_folder.returncode == 0, by_folder.stdout + by_folder.stderr
    before = {z: z.stat().st_mtime_ns for z in zips}
    by_zip = run_cli("-p", *map(str, zips), "--timezone", "UTC", "--output", str(tmp_path / "out-zip"))
    assert by_zip.returncode == 0, by_zip.stdout + by_zip.stderr
    assert {z: z.stat().st_mtime_ns for z in zips} == before
    assert sorted(p.name for p in zips_dir.iterdir()) == sorted(z.name for z in zips)  # nothing extracted there

    assert fingerprint(tmp_path / "out-zip") == fingerprint(tmp_path / "out-folder")
    zip_report = json.loads((tmp_path / "out-zip" / "report.json").read_text())
    folder_report = json.loads((tmp_path / "out-folder" / "report.json").read_text())
    assert comparable(zip_report) == comparable(folder_report)
    with_sidecar = sum(1 for sidecar in MANIFEST["export"].media.values() if sidecar)
    assert zip_report["summary"]["matched"] == with_sidecar


def test_folder_of_parts_mixed_with_an_extracted_part(export: Path, tmp_path: Path) -> None:
    holder = tmp_path / "Downloads"
    holder.mkdir()
    zips = split_into_zips(export, holder, 2)
    ref_tree = tmp_path / "reference-tree"
    extract(zips, ref_tree)
    extract(zips[1:], holder)  # one part already unpacked by the user, its zip removed
    zips[1].unlink()
    proc = run_cli("-p", str(holder), "--timezone", "UTC")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ref = run_cli("-p", str(ref_tree), "--timezone", "UTC", "--output", str(tmp_path / "ref-out"))
    assert ref.returncode == 0
    assert fingerprint(tmp_path / "Downloads_pefProcessed") == fingerprint(tmp_path / "ref-out")


def test_tgz_gives_the_same_library(export: Path, tmp_path: Path) -> None:
    tgz = tmp_path / "takeout-20240101T000000Z-001.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        for rel in sorted(tree_files(export)):
            tar.add(export / rel, rel)
    proc = run_cli("-p", str(tgz), "--timezone", "UTC", "--output", str(tmp_path / "out-tgz"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ref = run_cli("-p", str(export), "--timezone", "UTC", "--output", str(tmp_path / "out-ref"))
    assert ref.returncode == 0
    assert fingerprint(tmp_path / "out-tgz") == fingerprint(tmp_path / "out-ref")


def test_truncated_last_part_keeps_what_it_can(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    for i in range(6):
        make_media(tree / f"Takeout/Photos/IMG_{i}.jpg", seed=i, size=(128, 96))
        write_sidecar(tree / f"Takeout/Photos/IMG_{i}.jpg.json", f"IMG_{i}.jpg", T + i)
    zips = tmp_path / "zips"
    zips.mkdir()
    first, last = split_into_zips(tree, zips, 2)
    data = last.read_bytes()
    with zipfile.ZipFile(last) as z:
        infos = z.infolist()
    cut = infos[3].header_offset + 40  # inside the 4th member of the last part
    last.write_bytes(data[:cut])
    proc = run_cli("-p", str(first), str(last), "--timezone", "UTC", "--output", str(tmp_path / "out"))
    assert "Traceback" not in proc.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    damaged = report["skipped"][last.name]
    assert damaged.startswith("damaged archive (")
    assert "3 members recovered" in damaged
    recovered = {i.filename for i in infos[:3]}
    lost = {i.filename for i in infos[3:]}
    outputs = tree_files(tmp_path / "out")
    for rel in recovered:
        if rel.endswith(".jpg"):
            assert rel in outputs or f"Unprocessed/{rel}" in outputs
    for rel in lost:
        assert rel not in report["media"] and rel not in report["sidecars"]
    # The run finishes with what could be read, and says the part is damaged: not a quiet success.
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Incomplete input (files in these parts are not in the output):\n" in proc.stdout
    assert f"  damaged part {last.name}: {damaged}\n" in proc.stdout
    assert damaged.endswith("; whatever it held after that is lost (download this part again)")


def test_hostile_and_legacy_member_names(tmp_path: Path) -> None:
    jpgs = [make_media(tmp_path / f"{n}.jpg", seed=n) for n in range(4)]  # four photos, not four copies of one
    archive = tmp_path / "takeout-001.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(jpgs[0], "../../escape.jpg")
        z.write(jpgs[1], "/abs/olute.jpg")
        z.write(jpgs[2], "C:\\Windows\\drive.jpg")
        z.write(jpgs[3], "Takeout/Été 東京.jpg")  # UTF-8 with the flag set
        z.writestr("__MACOSX/Takeout/._Été 東京.jpg", b"\x00\x05\x16\x07")  # a zip made on a Mac
    before = archive.read_bytes()
    proc = run_cli("-p", str(archive), "--no-exif", "--output", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert tree_files(tmp_path / "out") == {
        "Unprocessed/escape.jpg", "Unprocessed/abs/olute.jpg", "Unprocessed/Windows/drive.jpg",
        "Unprocessed/Takeout/Été 東京.jpg", *OWN_FILES,
    }
    assert not (tmp_path / "escape.jpg").exists()
    assert archive.read_bytes() == before  # the archive itself was only read
    skipped = json.loads((tmp_path / "out" / "report.json").read_text())["skipped"]
    assert skipped == {"__MACOSX/Takeout/._Été 東京.jpg": "macOS resource fork (AppleDouble), not a photo"}


def test_member_name_decoding() -> None:
    info = zipfile.ZipInfo("Caf\u00e9.jpg".encode("utf-8").decode("cp437"))
    assert member_name(info) == "Café.jpg"  # UTF-8 bytes without the flag
    legacy = zipfile.ZipInfo("Caf\x82.jpg")  # cp437 é, not valid UTF-8
    assert member_name(legacy) == "Caf\x82.jpg"
    assert safe_member_path("../a/./b/../c.jpg") == "a/b/c.jpg"
    assert safe_member_path("C:\\x\\y.jpg") == "x/y.jpg"
    assert safe_member_path("/..") is None


def test_changed_archive_set_is_a_changed_source(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    make_media(tree / "Takeout/a.jpg", seed=1)
    make_media(tree / "Takeout/b.jpg", seed=2)
    zips = tmp_path / "zips"
    zips.mkdir()
    first, second = split_into_zips(tree, zips, 2)
    out = tmp_path / "out"
    alone = run_cli("-p", str(first), "--no-exif", "--output", str(out))
    assert alone.returncode == 2  # the part beside it was not given: said, and not a success
    assert f"Missing part {second.name}: it is beside the parts given, but was not given." in alone.stderr
    proc = run_cli("-p", str(first), str(second), "--no-exif", "--output", str(out))
    assert proc.returncode == 1
    assert "The set of archives differs" in proc.stderr
    proc = run_cli("-p", str(first), str(second), "--no-exif", "--output", str(out), "--force")
    assert proc.returncode == 0
    assert tree_files(out) - {*OWN_FILES} == {
        "Unprocessed/Takeout/a.jpg", "Unprocessed/Takeout/b.jpg"
    }


def test_zip_run_resumes_after_a_kill(export: Path, tmp_path: Path) -> None:
    zips_dir = tmp_path / "zips"
    zips_dir.mkdir()
    zips = split_into_zips(export, zips_dir, 2)
    out = tmp_path / "out"
    import signal
    import sys

    from conftest import REPO

    env = {**os.environ, "PYTHONPATH": str(REPO), "TZ": "UTC"}
    proc = subprocess.Popen([sys.executable, "-m", "pef", "-p", *map(str, zips), "--output", str(out),
                             "--timezone", "UTC"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert run_cli("-p", *map(str, zips), "--output", str(out), "--timezone", "UTC").returncode == 0
    ref = run_cli("-p", *map(str, zips), "--output", str(tmp_path / "ref"), "--timezone", "UTC")
    assert ref.returncode == 0
    assert fingerprint(out) == fingerprint(tmp_path / "ref")
    assert not (out / ".pef-tmp").exists()
    shutil.rmtree(tmp_path / "ref")


def test_unreadable_file_named_like_an_archive_is_kept(src: Path) -> None:
    (src / "Photos").mkdir()
    (src / "Photos" / "old backup.zip").write_bytes(b"not a zip at all")
    make_media(src / "Photos" / "a.jpg", seed=1)
    proc = run_cli("-p", str(src), "--no-exif")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = src.parent / "Takeout_pefProcessed"
    assert tree_files(out) == {
        "Unprocessed/Photos/old backup.zip", "Unprocessed/Photos/a.jpg",
        *OWN_FILES,
    }
    assert (out / "Unprocessed/Photos/old backup.zip").read_bytes() == b"not a zip at all"
