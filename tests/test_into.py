"""`--into LIBRARY`: a newer export added to a library pef made, only what is new, nothing doubled.

Real trees (JPEGs made by Pillow, sidecars as Google writes them), real ExifTool, read back.
Export A, then export B: A's photos renumbered (`IMG(1).jpg` in A is `IMG(2).jpg` in B), one date
fixed, one newly trashed, one newly in an album, one deleted, one new, parts split differently.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

from conftest import OWN_FILES, exif_read, run_cli, tree_files, tree_hashes, write_sidecar
from pef.sample import make_jpeg

T = 1_600_000_000  # 2020-09-13 12:26:40 UTC


def _photo(root: Path, folder: str, name: str, seed: int, title: str, taken: int, url: str, **extra) -> None:
    make_jpeg(root / folder / name, seed=seed)
    write_sidecar(root / folder / f"{name}.supplemental-metadata.json", title, taken,
                  url=f"https://photos.google.com/photo/{url}", **extra)


def export_a(root: Path) -> Path:
    one = "Takeout/Google Photos/Photos from 2020"
    _photo(root, one, "IMG.jpg", 1, "IMG.jpg", T, "IMG")
    _photo(root, one, "IMG(1).jpg", 2, "IMG.jpg", T + 60, "IMG1")
    _photo(root, one, "fixed.jpg", 3, "fixed.jpg", T + 120, "FIXED")
    _photo(root, "Takeout 2/Google Photos/Photos from 2020", "gone.jpg", 4, "gone.jpg", T + 180, "GONE")
    _photo(root, one, "binned.jpg", 5, "binned.jpg", T + 240, "BINNED")
    _photo(root, one, "trip.jpg", 6, "trip.jpg", T + 300, "TRIP")
    return root


def export_b(root: Path) -> Path:
    """A a year later: one part now, IMG(1) renumbered, a date fixed, a photo binned, one in an album, one new."""
    one = "Takeout/Google Photos/Photos from 2020"
    _photo(root, one, "IMG.jpg", 1, "IMG.jpg", T, "IMG")
    _photo(root, one, "IMG(2).jpg", 2, "IMG.jpg", T + 60, "IMG1")
    _photo(root, one, "fixed.jpg", 3, "fixed.jpg", T + 3600, "FIXED")
    _photo(root, one, "binned.jpg", 5, "binned.jpg", T + 240, "BINNED", trashed=True)
    _photo(root, one, "trip.jpg", 6, "trip.jpg", T + 300, "TRIP")
    _photo(root, "Takeout/Google Photos/Lisbon", "trip.jpg", 6, "trip.jpg", T + 300, "TRIP")
    (root / "Takeout/Google Photos/Lisbon/metadata.json").write_text(json.dumps({"title": "Lisbon"}), encoding="utf-8")
    _photo(root, "Takeout/Google Photos/Photos from 2021", "new.jpg", 7, "new.jpg", T + 31_536_000, "NEW")
    return root


def media(out: Path) -> set[str]:
    return {rel for rel in tree_files(out) - OWN_FILES if not rel.startswith("processing_state.")}


def into(source: Path, library: Path, *extra: str):
    proc = run_cli("-p", str(source), "--into", str(library), "--timezone", "UTC", *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_a_newer_export_adds_only_what_is_new_and_updates_what_changed(tmp_path: Path) -> None:
    a, b = export_a(tmp_path / "A"), export_b(tmp_path / "B")
    lib = tmp_path / "Library"
    first = into(a, lib, "--layout", "year")
    assert f"Making a new library in {lib}" in first.stdout
    assert media(lib) == {f"Photos/2020/{n}" for n in ("IMG.jpg", "IMG(1).jpg", "fixed.jpg", "gone.jpg", "binned.jpg",
                                                      "trip.jpg")}
    before_b = tree_hashes(b)
    kept = {rel: (lib / rel).stat().st_mtime_ns for rel in ("Photos/2020/IMG.jpg", "Photos/2020/IMG(1).jpg",
                                                            "Photos/2020/gone.jpg")}

    added = into(b, lib)
    assert f"Adding this export to the library in {lib} (its source 2)." in added.stdout
    assert "Already in the library: 3 file(s) of this export, nothing written for them" in added.stdout
    # No "(1)" copies: the renumbered IMG(2).jpg is the library's IMG(1).jpg; the deleted one is kept.
    assert media(lib) == {
        "Photos/2020/IMG.jpg", "Photos/2020/IMG(1).jpg", "Photos/2020/fixed.jpg", "Photos/2020/gone.jpg",
        "Photos/2020/trip.jpg", "Albums/Lisbon/trip.jpg", "Photos/2021/new.jpg", "Trash/binned.jpg",
    }
    assert {rel: (lib / rel).stat().st_mtime_ns for rel in kept} == kept  # nothing written to them
    assert tree_hashes(b) == before_b
    fixed, new = exif_read(lib / "Photos/2020/fixed.jpg", lib / "Photos/2021/new.jpg",
                           args=("-DateTimeOriginal", "-OffsetTimeOriginal"))
    assert (fixed["DateTimeOriginal"], fixed["OffsetTimeOriginal"]) == ("2020:09:13 13:26:40", "+00:00")
    assert new["DateTimeOriginal"] == "2021:09:13 12:26:40"

    report = json.loads((lib / "report.json").read_text(encoding="utf-8"))["into"]
    assert report["counts"] == {"new": 1, "same": 3, "changed": 2, "ambiguous": 0, "not_in_this_export": 1}
    assert report["not_in_this_export"] == ["Photos/2020/gone.jpg"]
    changed = {c["library_file"]: c["changes"] for c in report["changed"]}
    assert changed == {"Photos/2020/fixed.jpg": {"taken": {"was": T + 120, "now": T + 3600}},
                       "Photos/2020/binned.jpg": {"trashed": {"was": False, "now": True}}}
    assert [s["number"] for s in report["sources"]] == [1, 2]
    text = (lib / "report.txt").read_text(encoding="utf-8")
    assert f"Library:                  source 2 of 2 added to {lib}" in text
    assert "  updated Photos/2020/fixed.jpg: taken 1600000120 -> 1600003600" in text

    check = run_cli("verify", str(lib))
    assert check.returncode == 0, check.stdout + check.stderr

    # The same command again: nothing written, the same decisions.
    stamps = {rel: (lib / rel).stat().st_mtime_ns for rel in media(lib)}
    again = into(b, lib)
    assert f"This export is source 2 of the library in {lib}; continuing it." in again.stdout
    assert {rel: (lib / rel).stat().st_mtime_ns for rel in media(lib)} == stamps
    assert json.loads((lib / "report.json").read_text(encoding="utf-8"))["into"]["counts"] == report["counts"]


def test_an_export_as_zips_split_otherwise_adds_nothing_twice(tmp_path: Path) -> None:
    a, b = export_a(tmp_path / "A"), export_b(tmp_path / "B")
    lib = tmp_path / "Library"
    into(a, lib)
    zips = tmp_path / "zips"
    zips.mkdir()
    files = sorted(p for p in b.rglob("*") if p.is_file())
    for number, half in enumerate((files[: len(files) // 2], files[len(files) // 2:]), start=1):
        with zipfile.ZipFile(zips / f"takeout-20261201T000000Z-00{number}.zip", "w") as archive:
            for path in half:
                archive.write(path, path.relative_to(b).as_posix())
    proc = run_cli("-p", *map(str, sorted(zips.iterdir())), "--into", str(lib), "--timezone", "UTC")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert media(lib) == {
        "Photos from 2020/IMG.jpg", "Photos from 2020/IMG(1).jpg", "Photos from 2020/fixed.jpg",
        "Photos from 2020/gone.jpg", "Photos from 2020/trip.jpg", "Lisbon/trip.jpg",
        "Photos from 2021/new.jpg", "Trash/Photos from 2020/binned.jpg",
    }
    assert run_cli("verify", str(lib)).returncode == 0


def test_a_file_whose_keys_disagree_is_not_guessed_but_put_in_review(tmp_path: Path) -> None:
    a = export_a(tmp_path / "A")
    lib = tmp_path / "Library"
    into(a, lib)
    b = tmp_path / "B"
    # The bytes of the library's IMG.jpg, under the url of its fixed.jpg.
    _photo(b, "Takeout/Google Photos/Photos from 2020", "odd.jpg", 1, "odd.jpg", T + 999, "FIXED")
    proc = into(b, lib)
    assert media(lib) - media_of_a() == {"Review/Photos from 2020/odd.jpg"}
    review = json.loads((lib / "report.json").read_text(encoding="utf-8"))["into"]["review"]
    assert review == [{"file": "Takeout/Google Photos/Photos from 2020/odd.jpg",
                       "why": "its content is the library's Photos from 2020/IMG.jpg but its url is "
                              "Photos from 2020/fixed.jpg's"}]
    assert "to review:              1  (not guessed: in Review/)" in proc.stdout


def media_of_a() -> set[str]:
    return {"Photos from 2020/IMG.jpg", "Photos from 2020/IMG(1).jpg", "Photos from 2020/fixed.jpg",
            "Photos from 2020/gone.jpg", "Photos from 2020/binned.jpg", "Photos from 2020/trip.jpg"}


def test_options_given_against_the_library_are_refused(tmp_path: Path) -> None:
    lib = tmp_path / "Library"
    into(export_a(tmp_path / "A"), lib, "--layout", "year")
    proc = run_cli("-p", str(export_b(tmp_path / "B")), "--into", str(lib), "--layout", "source")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"The library in {lib} was made with other options:\n  layout: the library's 'year', given 'source'" \
        in proc.stderr
    assert not (lib / "processing_state.sources").exists()


def test_a_killed_addition_resumes_with_nothing_doubled(tmp_path: Path) -> None:
    a, b = export_a(tmp_path / "A"), export_b(tmp_path / "B")
    reference = tmp_path / "reference"
    into(a, reference, "--layout", "year")
    into(b, reference)
    expected = {rel: (reference / rel).read_bytes() for rel in media(reference)}
    for nth in (1, 2, 3):
        lib = tmp_path / f"lib{nth}"
        shutil.copytree(tmp_path / "reference-a", lib) if (tmp_path / "reference-a").exists() else into(
            a, lib, "--layout", "year")
        killed = run_cli_killed(b, lib, nth)
        assert killed == -9
        into(b, lib)
        assert {rel: (lib / rel).read_bytes() for rel in media(lib)} == expected
        assert run_cli("verify", str(lib)).returncode == 0


KILL_AT = """
import os, signal, sys
from pathlib import Path
from pef.pipeline import Observer, RunConfig, run
source, lib, nth = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen = []
class KillAt(Observer):
    def finished(self, entry):
        seen.append(entry)
        if len(seen) == nth:
            os.kill(os.getpid(), signal.SIGKILL)
run(RunConfig(sources=(Path(source),), into=Path(lib), timezone="UTC",
              inherit=frozenset({"layout", "albums", "archive", "partner", "suffixes", "no_exif",
                                 "overwrite_dates", "fix_extensions", "album_keywords"})), KillAt())
"""


def run_cli_killed(source: Path, lib: Path, nth: int) -> int:
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.run([sys.executable, "-c", KILL_AT, str(source), str(lib), str(nth)], env=env,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode
