"""The resume design document, row by row, and its edge cases."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from conftest import OWN_FILES, exif_read, run_cli, run_cli_unprivileged, tree_files, tree_hashes, write_sidecar
from pef.sample import make_media

T = 1546300800


@pytest.fixture
def small(src: Path) -> Path:
    folder = src / "Photos from 2019"
    for i in range(6):
        make_media(folder / f"IMG_{i}.jpg", seed=i)
        write_sidecar(folder / f"IMG_{i}.jpg.json", f"IMG_{i}.jpg", T + i)
    make_media(folder / "orphan.jpg", seed=99)
    return src


def out_of(src: Path, n: int | None = None) -> Path:
    return src.parent / (f"{src.name}_pefProcessed" + (f"({n})" if n else ""))


def state_of(out: Path) -> dict:
    return json.loads((out / "processing_state.json").read_text())


EXPECTED = {
    *(f"Photos from 2019/IMG_{i}.jpg" for i in range(6)),
    "Unprocessed/Photos from 2019/orphan.jpg",
    *OWN_FILES,
}


def test_state_file_format(small: Path) -> None:
    assert run_cli("-p", str(small), "--no-exif", "-s", "-x").returncode == 0
    state = state_of(out_of(small))
    assert state["version"] == 1
    assert state["source_path"] == str(small.resolve())
    assert state["options"]["suffixes"] == ["", "-edited", "-x"]
    assert state["stats"] == {"total_jsons": 6, "processed": 6, "errors": 0, "skipped": 0}
    assert state["unprocessed_files"] == ["Photos from 2019/orphan.jpg"]
    entry = state["processed_jsons"]["Photos from 2019/IMG_3.jpg.json"]
    assert entry["status"] == "success"
    assert entry["output_file"] == "Photos from 2019/IMG_3.jpg"
    assert entry["output_files"] == ["Photos from 2019/IMG_3.jpg"]
    assert state["media"]["Photos from 2019/IMG_3.jpg"]["size"] == (small / "Photos from 2019/IMG_3.jpg").stat().st_size
    assert not (out_of(small) / "processing_state.journal").exists()


def test_resume_without_output_starts_fresh(small: Path) -> None:
    proc = run_cli("-p", str(small), "--no-exif", "--resume")
    assert proc.returncode == 0
    assert "No existing output folder found. Starting fresh." in proc.stdout + proc.stderr
    assert tree_files(out_of(small)) == EXPECTED


def test_resume_of_finished_run_does_nothing(small: Path) -> None:
    assert run_cli("-p", str(small), "--no-exif").returncode == 0
    before = {p: p.stat().st_mtime_ns for p in out_of(small).rglob("*.jpg")}
    proc = run_cli("-p", str(small), "--no-exif", "--resume")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout + proc.stderr
    assert f"Resuming in: {out_of(small)}" in text
    assert "Resuming: skipping 7 already-processed files" in text
    assert "Everything was already done; nothing to do." in text
    assert {p: p.stat().st_mtime_ns for p in out_of(small).rglob("*.jpg")} == before
    assert not out_of(small, 1).exists()


def test_resume_picks_the_newest_state(small: Path) -> None:
    assert run_cli("-p", str(small), "--no-exif").returncode == 0
    assert run_cli("-p", str(small), "--no-exif").returncode == 0
    old = out_of(small) / "processing_state.json"
    os.utime(old, (time.time() + 100, time.time() + 100))
    proc = run_cli("-p", str(small), "--no-exif", "--resume")
    assert f"Resuming in: {out_of(small)}\n" in proc.stdout + proc.stderr


def test_output_flag_uses_that_folder_and_resumes(small: Path, tmp_path: Path) -> None:
    target = tmp_path / "mine"
    assert run_cli("-p", str(small), "--no-exif", "--output", str(target)).returncode == 0
    assert tree_files(target) == EXPECTED
    proc = run_cli("-p", str(small), "--no-exif", "--output", str(target))
    assert "Resuming: skipping 7 already-processed files" in proc.stdout + proc.stderr
    assert tree_files(target) == EXPECTED


def test_force_makes_a_new_folder(small: Path) -> None:
    assert run_cli("-p", str(small), "--no-exif").returncode == 0
    proc = run_cli("-p", str(small), "--no-exif", "--force")
    assert proc.returncode == 0
    assert tree_files(out_of(small, 1)) == EXPECTED


def test_resume_force_reprocesses_in_place(small: Path) -> None:
    assert run_cli("-p", str(small), "--no-exif").returncode == 0
    first = tree_hashes(out_of(small))
    proc = run_cli("-p", str(small), "--no-exif", "--resume", "--force")
    assert proc.returncode == 0
    assert "skipping" not in proc.stdout + proc.stderr
    assert tree_files(out_of(small)) == EXPECTED
    assert not out_of(small, 1).exists()
    second = tree_hashes(out_of(small))
    media = [k for k in first if k.endswith(".jpg")]
    assert {k: second[k] for k in media} == {k: first[k] for k in media}


def test_changed_source_is_refused(small: Path, tmp_path: Path) -> None:
    target = tmp_path / "out"
    assert run_cli("-p", str(small), "--no-exif", "--output", str(target)).returncode == 0
    other = tmp_path / "Other"
    other.mkdir()
    proc = run_cli("-p", str(other), "--no-exif", "--output", str(target))
    assert proc.returncode == 1
    assert "made from a different source" in proc.stderr
    assert f"recorded: {small.resolve()}" in proc.stderr
    # The same source written differently is the same source.
    proc = run_cli("-p", str(small) + "/", "--no-exif", "--output", str(target))
    assert proc.returncode == 0
    proc = run_cli("-p", "./Takeout", "--no-exif", "--output", str(target), cwd=small.parent)
    assert proc.returncode == 0


def test_changed_options_are_refused(small: Path) -> None:
    assert run_cli("-p", str(small), "--no-exif").returncode == 0
    proc = run_cli("-p", str(small), "--no-exif", "--resume", "-s", "-sticker")
    assert proc.returncode == 1
    assert "suffixes: was ['', '-edited'], now ['', '-edited', '-sticker']" in proc.stderr


def test_resume_without_options_takes_the_recorded_ones(small: Path) -> None:
    """`pef --resume -p SRC`, as the design document says to resume, continues with the first run's options."""
    assert run_cli("-p", str(small), "--timezone", "Asia/Tokyo", "-s", "-sticker").returncode == 0
    out = out_of(small)
    options = state_of(out)["options"]
    make_media(small / "Photos from 2020/new.jpg", seed=50)
    make_media(small / "Photos from 2020/new-sticker.jpg", seed=51)
    write_sidecar(small / "Photos from 2020/new.jpg.json", "new.jpg", T)
    proc = run_cli("-p", str(small), "--resume")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Resuming with the options of the recorded run: suffixes ['-sticker'], timezone 'Asia/Tokyo'" in (
        proc.stdout + proc.stderr
    )
    assert tree_files(out) == EXPECTED | {"Photos from 2020/new.jpg", "Photos from 2020/new-sticker.jpg"}
    got = exif_read(out / "Photos from 2020/new-sticker.jpg", args=("-DateTimeOriginal", "-OffsetTimeOriginal"))[0]
    assert (got["DateTimeOriginal"], got["OffsetTimeOriginal"]) == ("2019:01:01 09:00:00", "+09:00")
    assert state_of(out)["options"] == options
    # An option given on the command line is still compared, never silently replaced.
    proc = run_cli("-p", str(small), "--resume", "--timez", "UTC")
    assert proc.returncode == 1
    assert "timezone: was 'Asia/Tokyo', now 'UTC'" in proc.stderr


def test_deleted_outputs_are_redone(small: Path) -> None:
    assert run_cli("-p", str(small), "--no-exif").returncode == 0
    out = out_of(small)
    (out / "Photos from 2019/IMG_2.jpg").unlink()
    (out / "Photos from 2019/IMG_4.jpg").write_bytes(b"truncated")
    proc = run_cli("-p", str(small), "--no-exif", "--resume")
    assert "Resuming: skipping 5 already-processed files" in proc.stdout + proc.stderr
    assert tree_files(out) == EXPECTED
    for i in (2, 4):
        assert (out / f"Photos from 2019/IMG_{i}.jpg").read_bytes() == (small / f"Photos from 2019/IMG_{i}.jpg").read_bytes()


def test_corrupt_state_is_kept_and_rebuilt(small: Path) -> None:
    assert run_cli("-p", str(small), "--no-exif").returncode == 0
    out = out_of(small)
    (out / "processing_state.json").write_text('{"version": 1, "media": {')
    proc = run_cli("-p", str(small), "--no-exif", "--resume")
    assert proc.returncode == 0, proc.stderr
    assert "State file was unreadable" in proc.stdout + proc.stderr
    files = tree_files(out)
    backups = [f for f in files if f.startswith("processing_state.json.corrupt-")]
    assert len(backups) == 1
    assert files - set(backups) == EXPECTED
    assert state_of(out)["stats"]["processed"] == 6


def test_new_files_in_source_are_added(small: Path) -> None:
    assert run_cli("-p", str(small), "--no-exif").returncode == 0
    make_media(small / "Photos from 2020/new.jpg", seed=50)
    write_sidecar(small / "Photos from 2020/new.jpg.json", "new.jpg", T)
    proc = run_cli("-p", str(small), "--no-exif", "--resume")
    assert "Resuming: skipping 7 already-processed files" in proc.stdout + proc.stderr
    assert tree_files(out_of(small)) == EXPECTED | {"Photos from 2020/new.jpg"}


def test_reprocess_pattern_redoes_matching_files(small: Path) -> None:
    assert run_cli("-p", str(small), "--no-exif").returncode == 0
    proc = run_cli("-p", str(small), "--no-exif", "--resume", "--reprocess", "*/IMG_1.*")
    text = proc.stdout + proc.stderr
    assert "Reprocessing 1 file(s) as asked." in text
    assert "Resuming: skipping 6 already-processed files" in text


def test_retry_errors_redoes_failed_files(open_tmp: Path) -> None:
    src = open_tmp / "Takeout"
    folder = src / "Photos from 2019"
    for i in range(3):
        make_media(folder / f"IMG_{i}.jpg", seed=i)
        write_sidecar(folder / f"IMG_{i}.jpg.json", f"IMG_{i}.jpg", T + i)
    subprocess.run(["chmod", "-R", "a+rwX", str(src)], check=True)
    bad = folder / "IMG_2.jpg"
    bad.chmod(0)
    out = open_tmp / "out"
    proc = run_cli_unprivileged("-p", str(src), "--no-exif", "--output", str(out))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    record = state_of(out)["media"]["Photos from 2019/IMG_2.jpg"]
    assert record["status"] == "error"
    assert record["error"].startswith("Permission denied")
    assert state_of(out)["processed_jsons"]["Photos from 2019/IMG_2.jpg.json"]["status"] == "error"
    again = run_cli_unprivileged("-p", str(src), "--no-exif", "--output", str(out))
    assert "Resuming: skipping 3 already-processed files" in again.stdout + again.stderr
    bad.chmod(0o644)
    proc = run_cli_unprivileged("-p", str(src), "--no-exif", "--output", str(out), "--retry-errors")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Reprocessing 1 file(s) as asked." in proc.stdout + proc.stderr
    assert state_of(out)["media"]["Photos from 2019/IMG_2.jpg"]["status"] == "success"
    assert state_of(out)["processed_jsons"]["Photos from 2019/IMG_2.jpg.json"]["status"] == "success"


def test_resume_reads_only_changed_sidecars(small: Path) -> None:
    assert run_cli("-p", str(small), "--no-exif").returncode == 0
    out = out_of(small)
    cache = (out / "processing_state.sidecars.jsonl").read_text().splitlines()
    assert len(cache) == 6
    # A changed sidecar is read again rather than taken from the cache.
    sidecar = small / "Photos from 2019/IMG_2.jpg.json"
    write_sidecar(sidecar, "IMG_2.jpg", T + 86400)
    os.utime(sidecar, ns=(time.time_ns(), time.time_ns() + 10**9))
    from pef.pipeline import RunConfig, run

    result = run(RunConfig(sources=(small,), output=out, no_exif=True))
    assert result.already_done == 7
    assert result.report["sidecars"]["Photos from 2019/IMG_2.jpg.json"]["status"] == "used"
    # The cache held the five others; the changed one was a miss and the cache was refreshed.
    refreshed = {json.loads(line)[0]: json.loads(line)[1] for line in
                 (out / "processing_state.sidecars.jsonl").read_text().splitlines()}
    assert refreshed["Photos from 2019/IMG_2.jpg.json"] == sidecar.stat().st_size
