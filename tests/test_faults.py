"""Hostile input and real faults: each one caused for real, never a traceback, nothing lost."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import OWN_FILES, BeforeWriting, exif_read, exiftool_wrapper, run_cli, run_cli_unprivileged, tree_files, tree_hashes, write_sidecar
from pef.sample import make_media

T = 1546300800  # 2019-01-01 00:00:00 UTC


def report_of(out: Path) -> dict:
    return json.loads((out / "report.json").read_text())


def out_of(src: Path) -> Path:
    return src.parent / f"{src.name}_pefProcessed"


@pytest.mark.parametrize(
    "content, error",
    [
        ("", "empty file"),
        ('{"title": "a.jpg", "photoTakenTime": {"timestamp": "15', "invalid JSON"),
        ('{"title": "a.jpg", "photoTakenTime": {"timestamp": "abc"}}', "photoTakenTime.timestamp is not a number"),
        ('{"title": "a.jpg", "photoTakenTime": ["1"]}', "photoTakenTime is not an object"),
        ('{"title": 5, "photoTakenTime": {"timestamp": "1"}}', "title is not a non-empty string"),
        ('{"title": "a.jpg", "photoTakenTime": {"timestamp": "99999999999999"}}', "is out of range"),
        (b'{"title": "a\xff.jpg", "photoTakenTime": {"timestamp": "1"}}', "not UTF-8"),
    ],
    ids=["empty", "truncated", "text-timestamp", "list", "title-type", "out-of-range", "not-utf8"],
)
def test_broken_sidecar_is_reported_and_the_rest_goes_on(src: Path, content, error) -> None:
    make_media(src / "a.jpg", seed=1)
    bad = src / "a.jpg.json"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    make_media(src / "b.jpg", seed=2)
    write_sidecar(src / "b.jpg.json", "b.jpg", T)
    before = tree_hashes(src)
    proc = run_cli("-p", str(src), "--timezone", "UTC")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert tree_hashes(src) == before
    report = report_of(out_of(src))
    assert report["sidecars"]["a.jpg.json"]["status"] == "broken"
    assert error in report["sidecars"]["a.jpg.json"]["error"]
    assert tree_files(out_of(src)) == {
        "b.jpg", "Unprocessed/a.jpg", "Unprocessed/a.jpg.json", *OWN_FILES
    }
    assert exif_read(out_of(src) / "b.jpg", args=("-DateTimeOriginal",))[0]["DateTimeOriginal"] == "2019:01:01 00:00:00"


def test_sidecar_with_bom_is_read(src: Path) -> None:
    make_media(src / "a.jpg", seed=1)
    write_sidecar(src / "a.jpg.json", "a.jpg", T)
    (src / "a.jpg.json").write_bytes(b"\xef\xbb\xbf" + (src / "a.jpg.json").read_bytes())
    assert run_cli("-p", str(src), "--timezone", "UTC").returncode == 0
    assert report_of(out_of(src))["sidecars"]["a.jpg.json"]["status"] == "used"


@pytest.mark.parametrize("kind", ["zero-bytes", "truncated-jpeg", "random-bytes", "png-named-jpg-broken"])
def test_corrupt_media_is_copied_as_is_with_the_sidecar_date(src: Path, kind: str) -> None:
    bad = src / "bad.jpg"
    if kind == "zero-bytes":
        bad.write_bytes(b"")
    elif kind == "truncated-jpeg":
        make_media(bad, seed=3)
        bad.write_bytes(bad.read_bytes()[:40])
    elif kind == "random-bytes":
        bad.write_bytes(random.Random(0).randbytes(3000))
    else:
        make_media(src / "x.png", seed=4)
        bad.write_bytes((src / "x.png").read_bytes()[:60])
        (src / "x.png").unlink()
    write_sidecar(src / "bad.jpg.json", "bad.jpg", T)
    proc = run_cli("-p", str(src), "--timezone", "UTC")
    assert "Traceback" not in proc.stderr
    out = out_of(src) / "bad.jpg"
    assert out.read_bytes() == bad.read_bytes()
    assert int(out.stat().st_mtime) == T
    entry = report_of(out_of(src))["media"]["bad.jpg"]
    assert entry["status"] == "error"
    assert entry["error"].startswith("ExifTool")
    assert proc.returncode == 2


def test_hostile_file_names(src: Path) -> None:
    names = ["-rf.jpg", "new\nline.jpg", "quote\"d 'name'.jpg", "\u202eRTL\u202c.jpg", ("long" * 60)[:240] + ".jpg"]
    for i, name in enumerate(names):
        make_media(src / name, seed=i)
        write_sidecar(src / (name + ".json"), name, T + i)
    # A title that tries to climb out: it names nothing on disk and changes no output path.
    make_media(src / "plain.jpg", seed=9)
    write_sidecar(src / "plain.jpg.json", "../../etc/passwd", T + 9)
    before = tree_hashes(src)
    proc = run_cli("-p", str(src), "--timezone", "UTC")
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stdout
    assert tree_hashes(src) == before
    out = out_of(src)
    # A line break and a double quote are no part of a name on Windows or exFAT (see pef.safenames).
    outputs = [n.replace("\n", "\u240a").replace('"', "\uff02") for n in names]
    assert tree_files(out) == {*outputs, "plain.jpg", *OWN_FILES}
    for i, name in enumerate(outputs):
        assert int((out / name).stat().st_mtime) == T + i, name
    got = exif_read(out / "new\u240aline.jpg", args=("-DateTimeOriginal",))
    assert got[0]["DateTimeOriginal"] == "2019:01:01 00:00:01"


def test_names_that_are_not_utf8_are_read_as_latin1(src: Path) -> None:
    """Latin-1 names (a zip unpacked with the wrong code page): copied under the Latin-1 reading of their bytes
    (no UTF-8 file system, macOS and exFAT included, takes the bytes), recorded under the source's bytes, resumable."""
    photo = os.fsdecode(b"caf\xe9.jpg")
    album = os.fsdecode(b"Album \xe9t\xe9")
    orphan = os.fsdecode(b"na\xefve.png")
    make_media(src / photo, seed=1)
    write_sidecar(src / (photo + ".json"), "café.jpg", T)
    make_media(src / album / orphan, seed=2)
    before = tree_hashes(src)
    proc = run_cli("-p", str(src), "--timezone", "UTC")
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert tree_hashes(src) == before
    out = out_of(src)
    assert tree_files(out) == {
        "café.jpg", "Unprocessed/Album été/naïve.png",
        *OWN_FILES,
    }
    assert exif_read(out / "café.jpg", args=("-DateTimeOriginal",))[0]["DateTimeOriginal"] == "2019:01:01 00:00:00"
    assert (out / "Unprocessed" / "Album été" / "naïve.png").read_bytes() == (src / album / orphan).read_bytes()
    # The records stay valid UTF-8 JSON: the stray bytes are written as \udcXX escapes.
    report = json.loads((out / "report.json").read_bytes().decode("utf-8"))
    assert (report["media"][photo]["status"], report["media"][photo]["output"]) == ("written", "café.jpg")
    assert report["media"][f"{album}/{orphan}"]["status"] == "copied"
    state = json.loads((out / "processing_state.json").read_bytes().decode("utf-8"))
    assert state["media"][photo]["output_file"] == "café.jpg"
    again = run_cli("-p", str(src), "--resume", "--timezone", "UTC")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Everything was already done" in again.stdout
    check = run_cli("verify", str(out))
    assert check.returncode == 0, check.stdout + check.stderr


def test_nas_and_os_litter_is_reported_not_copied(src: Path) -> None:
    """A Takeout kept on a Synology or QNAP box, or copied from a Mac: thumbnails and resource forks are no photos."""
    album = src / "Trip"
    make_media(album / "IMG_1.jpg", seed=1)
    write_sidecar(album / "IMG_1.jpg.json", "IMG_1.jpg", T)
    for litter in ("@eaDir/IMG_1.jpg/SYNOFILE_THUMB_M.jpg", "@eaDir/IMG_1.jpg/SYNOFILE_THUMB_XL.jpg",
                   ".@__thumb/s100IMG_1.jpg", "__MACOSX/Trip/._IMG_1.jpg"):
        make_media(album / litter, seed=2)
    (album / "._IMG_1.jpg").write_bytes(b"\x00\x05\x16\x07" + b"\x00" * 60)  # AppleDouble header
    (album / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    proc = run_cli("-p", str(src), "--timezone", "UTC")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = out_of(src)
    assert tree_files(out) == {
        "Trip/IMG_1.jpg", *OWN_FILES,
    }
    assert report_of(out)["skipped"] == {
        "Trip/.@__thumb": "system folder (NAS thumbnails, OS index or trash)",
        "Trip/@eaDir": "system folder (NAS thumbnails, OS index or trash)",
        "Trip/__MACOSX": "system folder (NAS thumbnails, OS index or trash)",
        "Trip/._IMG_1.jpg": "macOS resource fork (AppleDouble), not a photo",
        "Trip/Thumbs.db": "system file",
    }
    assert "Skipped paths:            5" in proc.stdout


def test_names_differing_only_in_case_do_not_overwrite(src: Path) -> None:
    make_media(src / "Unprocessed" / "a.jpg", seed=1)
    make_media(src / "a.jpg", seed=2)
    make_media(src / "IMG.jpg", seed=3)
    make_media(src / "img.JPG", seed=4)
    proc = run_cli("-p", str(src), "--no-exif")
    assert proc.returncode == 0
    assert tree_files(out_of(src)) == {
        "Unprocessed/IMG.jpg", "Unprocessed/img(1).JPG", "Unprocessed/a.jpg", "Unprocessed/Unprocessed/a.jpg",
        *OWN_FILES,
    }


def test_symlinks_are_not_followed(src: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    make_media(outside / "secret.jpg", seed=1)
    (src / "link.jpg").symlink_to(outside / "secret.jpg")
    (src / "linkdir").symlink_to(outside)
    make_media(src / "real.jpg", seed=2)
    proc = run_cli("-p", str(src), "--no-exif")
    assert proc.returncode == 0
    assert tree_files(out_of(src)) == {"Unprocessed/real.jpg", *OWN_FILES}
    assert report_of(out_of(src))["skipped"] == {
        "link.jpg": "symbolic link (not followed)", "linkdir": "symbolic link (not followed)"
    }


def test_source_inside_destination_is_refused(src: Path) -> None:
    proc = run_cli("-p", str(src), "--output", str(src.parent))
    assert proc.returncode == 1
    assert "is inside the output folder" in proc.stderr


def test_unknown_time_zone_is_refused(src: Path) -> None:
    proc = run_cli("-p", str(src), "--timezone", "Mars/Olympus")
    assert proc.returncode == 1
    assert proc.stderr.endswith(
        "pef: error: argument --timezone: unknown time zone 'Mars/Olympus': use an IANA name such as Europe/Paris "
        "or America/New_York\n"
    )


@pytest.fixture
def small_disk(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_stops_cleanly_and_resumes(src: Path, small_disk: Path, tmp_path: Path) -> None:
    for i in range(12):
        make_media(src / f"IMG_{i}.jpg", seed=i, size=(256, 192), target_bytes=100_000)
        write_sidecar(src / f"IMG_{i}.jpg.json", f"IMG_{i}.jpg", T + i)
    out = small_disk / "out"
    proc = run_cli("-p", str(src), "--output", str(out), "--timezone", "UTC")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "The output disk is full" in proc.stdout
    assert "more are needed" in proc.stdout
    finished = {f for f in tree_files(out) if f.endswith(".jpg")}
    for name in finished:  # whatever has a final name is complete
        assert exif_read(out / name, args=("-DateTimeOriginal",))[0]["DateTimeOriginal"].startswith("2019:01:01")
    assert not any(".pef-tmp" in f for f in tree_files(out))
    # Free space: move the output to a big disk, and resume there.
    big = tmp_path / "big"
    subprocess.run(["cp", "-a", str(out), str(big)], check=True)
    proc = run_cli("-p", str(src), "--output", str(big), "--timezone", "UTC")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert {f for f in tree_files(big) if f.endswith(".jpg")} == {f"IMG_{i}.jpg" for i in range(12)}


def test_read_only_output_folder_is_a_clear_error(open_tmp: Path) -> None:
    src = open_tmp / "Takeout"
    make_media(src / "a.jpg", seed=1)
    subprocess.run(["chmod", "-R", "a+rX", str(src)], check=True)
    parent = open_tmp / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    proc = run_cli_unprivileged("-p", str(src), "-d", str(parent), "--no-exif")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        f"pef: Cannot write the output folder {parent / 'Takeout_pefProcessed'}: permission denied on {parent}."
    )
    assert "Traceback" not in proc.stderr
    assert list(parent.iterdir()) == []


def test_unreadable_folder_and_file_are_reported(open_tmp: Path) -> None:
    src = open_tmp / "Takeout"
    make_media(src / "ok.jpg", seed=1)
    make_media(src / "locked" / "inside.jpg", seed=2)
    make_media(src / "secret.jpg", seed=3)
    subprocess.run(["chmod", "-R", "a+rwX", str(src)], check=True)
    (src / "locked").chmod(0)
    (src / "secret.jpg").chmod(0)
    out = open_tmp / "out"
    proc = run_cli_unprivileged("-p", str(src), "--output", str(out), "--no-exif")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["skipped"] == {"locked": "cannot list folder: Permission denied"}
    assert report["media"]["secret.jpg"]["status"] == "error"
    assert report["media"]["secret.jpg"]["error"].startswith("Permission denied")
    assert report["media"]["ok.jpg"]["status"] == "copied"
    assert "Traceback" not in proc.stderr


def test_hanging_exiftool_is_timed_out_and_restarted(src: Path, tmp_path: Path, monkeypatch) -> None:
    # A real ExifTool behind a wrapper that stalls on one file: a hang cannot be caused otherwise.
    monkeypatch.setenv("PEF_EXIFTOOL", str(_wrapper(tmp_path, "sleep 100000;")))
    for name in ("a.jpg", "bad.jpg", "c.jpg"):
        make_media(src / name, seed=ord(name[0]))
        write_sidecar(src / (name + ".json"), name, T)
    proc = run_cli("-p", str(src), "--timezone", "UTC", "--timeout", "3", "-j", "1")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    report = report_of(out_of(src))
    assert report["media"]["bad.jpg"]["status"] == "error"
    assert "did not answer within 3 s" in report["media"]["bad.jpg"]["error"]
    assert report["media"]["a.jpg"]["status"] == "written"
    assert report["media"]["c.jpg"]["status"] == "written"
    assert int((out_of(src) / "bad.jpg").stat().st_mtime) == T


def _run_in_process(src: Path, meddle, **options):
    from pef.pipeline import RunConfig, run

    return run(RunConfig(sources=(src,), timezone="UTC", **options), BeforeWriting(meddle))


def test_files_vanishing_or_changing_during_the_run(src: Path) -> None:
    for seed, name in enumerate(("gone.jpg", "grown.jpg", "fine.jpg")):
        make_media(src / name, seed=seed)
        write_sidecar(src / f"{name}.json", name, T)

    def meddle():
        (src / "gone.jpg").unlink()
        with open(src / "grown.jpg", "ab") as f:
            f.write(b"more")

    result = _run_in_process(src, meddle)
    media = result.report["media"]
    assert media["gone.jpg"]["status"] == "error"
    assert media["gone.jpg"]["error"].startswith("No such file or directory")
    assert media["grown.jpg"]["status"] == "error"
    assert "the source changed during the run" in media["grown.jpg"]["error"]
    assert media["fine.jpg"]["status"] == "written"
    assert result.audit.problems == ["gone.jpg: not in the output (" + media["gone.jpg"]["error"] + ")"]


def _wrapper(tmp_path: Path, action: str) -> Path:
    """A real ExifTool that misbehaves when a command names bad.jpg."""
    return exiftool_wrapper(tmp_path, "if ($l =~ /bad\\.jpg/) { " + action + " }")


def test_crashing_exiftool_fails_one_file_and_is_restarted(src: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PEF_EXIFTOOL", str(_wrapper(tmp_path, "kill 9, $pid, $child; exit 1;")))
    for seed, name in enumerate(("a.jpg", "bad.jpg", "c.jpg", "d.jpg")):
        make_media(src / name, seed=seed)
        write_sidecar(src / (name + ".json"), name, T)
    proc = run_cli("-p", str(src), "--timezone", "UTC", "-j", "1")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    media = report_of(out_of(src))["media"]
    assert media["bad.jpg"]["status"] == "error"
    assert "ExifTool exited unexpectedly" in media["bad.jpg"]["error"]
    assert {n: media[n]["status"] for n in ("a.jpg", "c.jpg", "d.jpg")} == dict.fromkeys(("a.jpg", "c.jpg", "d.jpg"), "written")
    assert int((out_of(src) / "bad.jpg").stat().st_mtime) == T


def test_exiftool_missing_mid_run_still_copies_everything(src: Path, tmp_path: Path, monkeypatch) -> None:
    wrapper = tmp_path / "exiftool"
    wrapper.write_text('#!/bin/sh\nexec exiftool "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PEF_EXIFTOOL", str(wrapper))
    for name in ("a.jpg", "b.jpg"):
        make_media(src / name, seed=ord(name[0]))
        write_sidecar(src / (name + ".json"), name, T)
    result = _run_in_process(src, wrapper.unlink)
    media = result.report["media"]
    for name in ("a.jpg", "b.jpg"):
        assert media[name]["status"] == "error"
        assert media[name]["error"].startswith("ExifTool failed reading the file: cannot start ExifTool")
        assert int((out_of(src) / name).stat().st_mtime) == T
    assert result.audit.passed


def test_huge_json_is_not_loaded(src: Path) -> None:
    make_media(src / "a.jpg", seed=1)
    (src / "a.jpg.json").write_bytes(b'{"title": "a.jpg", "x": "' + b"x" * (9 * 1024 * 1024) + b'"}')
    proc = run_cli("-p", str(src), "--no-exif")
    assert proc.returncode == 2
    assert report_of(out_of(src))["sidecars"]["a.jpg.json"] == {
        "status": "broken", "error": f"too large for a sidecar ({9 * 1024 * 1024 + 27} bytes)",
        "copied_to": "Unprocessed/a.jpg.json",
    }


def test_output_folder_vanishing_mid_run_stops_cleanly(src: Path, tmp_path: Path) -> None:
    for i in range(4):
        make_media(src / f"IMG_{i}.jpg", seed=i)
    out = tmp_path / "out"
    from pef.pipeline import RunConfig, run

    result = run(RunConfig(sources=(src,), output=out, no_exif=True), BeforeWriting(lambda: shutil.rmtree(out)))
    assert result.fatal == f"the output folder {out} is gone"
