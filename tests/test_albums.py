"""Albums: sidecar-only album folders, albums.json, album keywords, disagreeing copies, every album mode."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import OWN_FILES, REPO, exif_read, run_cli, tree_files, tree_hashes, write_sidecar
from pef import __version__
from pef.sample import generate_takeout, make_media

T = 1562675400  # 2019-07-09 12:30:00 UTC
GP = "Takeout/Google Photos"


@pytest.fixture
def export(src: Path) -> Path:
    """A 2025-style export: the Trip album folder holds sidecars only; Party holds a copy of IMG_1."""
    gp = src / "Takeout" / "Google Photos"
    make_media(gp / "Photos from 2019/IMG_1.jpg", seed=1)
    write_sidecar(gp / "Photos from 2019/IMG_1.jpg.json", "IMG_1.jpg", T)
    make_media(gp / "Photos from 2019/IMG_2.jpg", seed=2)
    write_sidecar(gp / "Photos from 2019/IMG_2.jpg.supplemental-metadata.json", "IMG_2.jpg", T + 60)
    # Two different photos with one title and one time: an album sidecar naming them is not guessed.
    for year, seed in ((2020, 5), (2021, 6)):
        make_media(gp / f"Photos from {year}/IMG_5.jpg", seed=seed)
        write_sidecar(gp / f"Photos from {year}/IMG_5.jpg.json", "IMG_5.jpg", T + 300)
    (gp / "Trip").mkdir()
    (gp / "Trip/metadata.json").write_text(json.dumps({"title": "Summer Trip", "description": "by the sea"}))
    write_sidecar(gp / "Trip/IMG_1.jpg.supplemental-metadata.json", "IMG_1.jpg", T)
    write_sidecar(gp / "Trip/IMG_2.jpg.supplemental-metadata.json", "IMG_2.jpg", T + 60)
    write_sidecar(gp / "Trip/IMG_5.jpg.json", "IMG_5.jpg", T + 300)
    write_sidecar(gp / "Trip/IMG_9.jpg.json", "IMG_9.jpg", T + 900)  # its photo is not in the export
    (gp / "Party").mkdir()
    (gp / "Party/metadata.json").write_text(json.dumps({"title": "Party"}))
    shutil.copy(gp / "Photos from 2019/IMG_1.jpg", gp / "Party/IMG_1.jpg")
    write_sidecar(gp / "Party/IMG_1.jpg.json", "IMG_1.jpg", T, description="at the party")
    return src


def library(layout: str) -> dict[str, str]:
    """Where each photo goes, per layout (what both modes have)."""
    if layout == "source":
        return {"IMG_1": "Photos from 2019/IMG_1.jpg", "IMG_2": "Photos from 2019/IMG_2.jpg",
                "IMG_5a": "Photos from 2020/IMG_5.jpg", "IMG_5b": "Photos from 2021/IMG_5.jpg"}
    return {"IMG_1": "Photos/2019/07/IMG_1.jpg", "IMG_2": "Photos/2019/07/IMG_2.jpg",
            "IMG_5a": "Photos/2019/07/IMG_5.jpg", "IMG_5b": "Photos/2019/07/IMG_5(1).jpg"}


def album_files(layout: str) -> dict[str, str]:
    """Each album folder's file -> the library file it holds."""
    top = "" if layout == "source" else "Albums/"
    lib = library(layout)
    return {f"{top}Trip/IMG_1.jpg": lib["IMG_1"], f"{top}Trip/IMG_2.jpg": lib["IMG_2"],
            f"{top}Party/IMG_1.jpg": lib["IMG_1"]}


UNPROCESSED = {"Unprocessed/Trip/IMG_5.jpg.json", "Unprocessed/Trip/IMG_9.jpg.json"}


@pytest.mark.parametrize("layout", ["source", "year/month"])
@pytest.mark.parametrize("mode", ["copy", "link", "hardlink", "none"])
def test_sidecar_only_albums_get_their_photos(export: Path, tmp_path: Path, mode: str, layout: str) -> None:
    before = tree_hashes(export)
    out = tmp_path / "library"
    proc = run_cli("-p", str(export), "--output", str(out), "--albums", mode, "--layout", layout, "--timezone", "UTC")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert tree_hashes(export) == before
    lib, albums = library(layout), ({} if mode == "none" else album_files(layout))
    assert tree_files(out) == set(lib.values()) | set(albums) | UNPROCESSED | OWN_FILES
    for album_file, target in albums.items():
        path = out / album_file
        assert path.read_bytes() == (out / target).read_bytes()
        if mode == "link":
            assert os.readlink(path) == os.path.relpath(out / target, path.parent)
        elif mode == "hardlink":
            assert path.stat().st_ino == (out / target).stat().st_ino
        else:
            assert not path.is_symlink() and path.stat().st_ino != (out / target).stat().st_ino

    top = "" if layout == "source" else "Albums/"
    report = json.loads((out / "report.json").read_text())
    sidecars = report["sidecars"]
    assert sidecars[f"{GP}/Trip/IMG_1.jpg.supplemental-metadata.json"] == {
        "status": "album member", "album": "Trip", "of": f"{GP}/Photos from 2019/IMG_1.jpg",
        "output": lib["IMG_1"] if mode == "none" else f"{top}Trip/IMG_1.jpg"}
    assert sidecars[f"{GP}/Trip/IMG_5.jpg.json"]["reason"] == (
        "an album's sidecar naming 2 different photos with the title 'IMG_5.jpg' taken 2019-07-09 12:35:00 UTC: "
        f"{GP}/Photos from 2020/IMG_5.jpg, {GP}/Photos from 2021/IMG_5.jpg; not guessed")
    assert sidecars[f"{GP}/Trip/IMG_9.jpg.json"]["reason"] == (
        "an album's sidecar; no photo in the export has its title 'IMG_9.jpg' and its photoTakenTime "
        "2019-07-09 12:45:00 UTC")
    summary = report["summary"]
    assert (summary["album_sidecars"], summary["sidecars_without_media"], summary["sidecars_disagree"]) == (2, 2, 1)
    assert report["media"][f"{GP}/Party/IMG_1.jpg"]["note"] == (
        f"its sidecar {GP}/Party/IMG_1.jpg.json differs from {GP}/Photos from 2019/IMG_1.jpg.json in description; "
        f"the library's file has the metadata of {GP}/Photos from 2019/IMG_1.jpg.json")
    # The year folder's sidecar won: no description in the library's file.
    assert "Description" not in exif_read(out / lib["IMG_1"], args=("-XMP-dc:Description",))[0]
    assert "  album members:          2  (an album's sidecar naming a photo found elsewhere: the album holds " \
           "that photo)" in proc.stdout.splitlines()

    written = json.loads((out / "albums.json").read_text())
    assert written == {"pef_version": __version__, "layout": layout, "album_mode": mode, "albums": {
        "Party": {"title": "Party", "description": "", "date": None, "place": None, "shared": False,
                  "folder": None if mode == "none" else f"{top}Party",
                  "items": [{"output": lib["IMG_1"] if mode == "none" else f"{top}Party/IMG_1.jpg",
                             "source": f"{GP}/Party/IMG_1.jpg", "same_as": f"{GP}/Photos from 2019/IMG_1.jpg"}]},
        "Trip": {"title": "Summer Trip", "description": "by the sea", "date": None, "place": None, "shared": False,
                 "folder": None if mode == "none" else f"{top}Trip",
                 "items": [{"output": lib[n] if mode == "none" else f"{top}Trip/{n}.jpg",
                            "source": f"{GP}/Trip/{n}.jpg.supplemental-metadata.json", "sidecar_only": True,
                            "same_as": f"{GP}/Photos from 2019/{n}.jpg"} for n in ("IMG_1", "IMG_2")]},
    }}

    check = run_cli("verify", str(out), "--hash")
    assert check.returncode == 0, check.stdout
    assert "Sidecars that fed no file: 2" in check.stdout  # the two album sidecars kept in Unprocessed/
    again = run_cli("-p", str(export), "--output", str(out))
    assert again.returncode == 0 and "Everything was already done; nothing to do." in again.stdout, again.stdout
    state = json.loads((out / "processing_state.json").read_text())
    assert state["processed_jsons"][f"{GP}/Trip/IMG_2.jpg.supplemental-metadata.json"]["status"] == "success"


def test_a_deleted_album_member_is_made_again(export: Path, tmp_path: Path) -> None:
    out = tmp_path / "library"
    assert run_cli("-p", str(export), "--output", str(out), "--albums", "link").returncode == 0
    (out / "Trip/IMG_2.jpg").unlink()
    check = run_cli("verify", str(out), "--no-read")
    assert check.returncode == 2
    assert f"  {GP}/Trip/IMG_2.jpg.supplemental-metadata.json: its album's file Trip/IMG_2.jpg is missing" \
        in check.stdout.splitlines()
    assert run_cli("-p", str(export), "--output", str(out)).returncode == 0
    assert os.readlink(out / "Trip/IMG_2.jpg") == "../Photos from 2019/IMG_2.jpg"
    assert run_cli("verify", str(out), "--no-read").returncode == 0


def test_album_keywords(export: Path, tmp_path: Path) -> None:
    out = tmp_path / "library"
    proc = run_cli("-p", str(export), "--output", str(out), "--album-keywords", "--timezone", "UTC")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tags = ("-XMP-digiKam:TagsList", "-XMP-lr:HierarchicalSubject", "-XMP-dc:Subject")
    got = {Path(t["SourceFile"]).relative_to(out).as_posix(): {k: v for k, v in t.items() if k != "SourceFile"}
           for t in exif_read(*(out / p for p in library("source").values()), args=tags)}
    assert got == {
        "Photos from 2019/IMG_1.jpg": {"TagsList": ["Albums/Party", "Albums/Summer Trip"],
                                       "HierarchicalSubject": ["Albums|Party", "Albums|Summer Trip"],
                                       "Subject": ["Party", "Summer Trip"]},
        "Photos from 2019/IMG_2.jpg": {"TagsList": "Albums/Summer Trip", "HierarchicalSubject": "Albums|Summer Trip",
                                       "Subject": "Summer Trip"},
        "Photos from 2020/IMG_5.jpg": {},
        "Photos from 2021/IMG_5.jpg": {},
    }
    # Album copies are copies of the tagged file.
    assert (out / "Party/IMG_1.jpg").read_bytes() == (out / "Photos from 2019/IMG_1.jpg").read_bytes()
    # The option is recorded: running again without it continues with it.
    again = run_cli("-p", str(export), "--output", str(out))
    assert again.returncode == 0 and "Everything was already done; nothing to do." in again.stdout, again.stdout
    assert "Resuming with the options of the recorded run: album_keywords True" in again.stdout
    state = json.loads((out / "processing_state.json").read_text())
    assert state["options"]["album_keywords"] is True


def test_no_album_keywords_by_default(export: Path, tmp_path: Path) -> None:
    out = tmp_path / "library"
    assert run_cli("-p", str(export), "--output", str(out)).returncode == 0
    read = exif_read(out / "Photos from 2019/IMG_1.jpg", args=("-XMP-digiKam:TagsList", "-XMP-dc:Subject"))
    assert set(read[0]) == {"SourceFile"}


# pef's own run, killed with SIGKILL by itself the moment its nth output of one kind is journaled:
# a real kill -9 at an exact point, whatever the machine's speed.
KILL_AT = """
import os, signal, sys
from pathlib import Path
from pef.pipeline import Observer, RunConfig, run
source, out, kind, nth, mode = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
seen = []
class KillAt(Observer):
    def finished(self, entry):
        if entry.kind == kind:
            seen.append(entry)
            if len(seen) == nth:
                os.kill(os.getpid(), signal.SIGKILL)
run(RunConfig(sources=(Path(source),), output=Path(out), albums=mode, timezone="UTC"), KillAt())
"""


def library_fingerprint(out: Path) -> dict[str, tuple]:
    result = {}
    for rel in tree_files(out) - OWN_FILES:
        path = out / rel
        link = os.readlink(path) if path.is_symlink() else None
        result[rel] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns, link)
    return result


def shared_inodes(out: Path) -> list[list[str]]:
    by_inode: dict[int, list[str]] = {}
    for rel in sorted(tree_files(out) - OWN_FILES):
        if not (out / rel).is_symlink():
            by_inode.setdefault((out / rel).stat().st_ino, []).append(rel)
    return sorted(names for names in by_inode.values() if len(names) > 1)


@pytest.fixture(scope="module")
def sample_export(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("albums-sample") / "export"
    generate_takeout(root, photos=40, videos=4, seed=3)
    return root


@pytest.mark.parametrize("mode", ["copy", "link", "hardlink"])
def test_killed_in_any_phase_resumes_to_the_same_library(sample_export: Path, tmp_path: Path, mode: str) -> None:
    reference = tmp_path / "reference"
    cli = ("--albums", mode, "--timezone", "UTC")
    assert run_cli("-p", str(sample_export), "--output", str(reference), *cli).returncode == 0
    expected = library_fingerprint(reference)
    assert any(rel.startswith("Été 2022/") for rel in expected)  # the sample's sidecar-only album is there
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # (kind, nth, drop the last journal line: the kill came after the rename, before the journal write)
    for kind, nth, unjournaled in (("write", 3, False), ("write", 5, True), ("album", 1, True),
                                   ("member", 1, False), ("member", 2, True)):
        out = tmp_path / f"out-{kind}-{nth}"
        killed = subprocess.run([sys.executable, "-c", KILL_AT, str(sample_export), str(out), kind, str(nth), mode],
                                env=env, capture_output=True, text=True, timeout=300)
        assert killed.returncode == -9, (kind, nth, killed.stderr)
        journal = out / "processing_state.journal"
        if unjournaled:
            lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
            journal.write_text("".join(lines[:-1]), encoding="utf-8")
        resumed = run_cli("-p", str(sample_export), "--output", str(out), *cli)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert library_fingerprint(out) == expected, (kind, nth)
        assert shared_inodes(out) == shared_inodes(reference)
        assert not (out / ".pef-tmp").exists()
        check = run_cli("verify", str(out), "--hash", "--no-read")
        assert check.returncode == 0, check.stdout


def test_a_localised_photos_folder_makes_the_same_library(tmp_path: Path) -> None:
    for folder in ("Google Photos", "Google Fotos"):
        generate_takeout(tmp_path / folder / "export", photos=30, videos=3, seed=4, photos_folder=folder)
        proc = run_cli("-p", str(tmp_path / folder / "export"), "--output", str(tmp_path / folder / "out"),
                       "--timezone", "UTC")
        assert proc.returncode == 0, proc.stdout + proc.stderr
    english, german = tmp_path / "Google Photos" / "out", tmp_path / "Google Fotos" / "out"
    # Same paths, bytes and links (files without a date keep their own times, which differ here).
    same = {rel: (digest, link) for rel, (digest, _, link) in library_fingerprint(english).items()}
    assert {rel: (digest, link) for rel, (digest, _, link) in library_fingerprint(german).items()} == same
    assert "Photos from 2019/IMG_0001.jpg" in tree_files(german)
