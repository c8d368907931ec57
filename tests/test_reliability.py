"""Reliability faults caused for real: two runs at once, kills during saves, hand-edited state files,
outputs that become unwritable, sources that move or change between runs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import OWN_FILES, REPO, BeforeWriting, exif_read, exiftool_wrapper, run_cli, run_cli_unprivileged, tree_files, write_sidecar
from pef.lock import LOCK_FILE, OutputLock
from pef.pipeline import RunConfig, run
from pef.sample import generate_takeout, make_media
from pef.state import Entry, ProcessingState

T = 1546300800  # 2019-01-01 00:00:00 UTC
ENV = {**os.environ, "PYTHONPATH": str(REPO), "TZ": "UTC"}


def state_of(out: Path) -> dict:
    return json.loads((out / "processing_state.json").read_text())


def report_of(out: Path) -> dict:
    return json.loads((out / "report.json").read_text())


def outputs(out: Path) -> set[str]:
    """The library itself: every file but pef's own records."""
    return {f for f in tree_files(out) - OWN_FILES if not f.startswith("processing_state")}


@pytest.fixture
def small(src: Path) -> Path:
    folder = src / "Photos from 2019"
    for i in range(4):
        make_media(folder / f"IMG_{i}.jpg", seed=i)
        write_sidecar(folder / f"IMG_{i}.jpg.json", f"IMG_{i}.jpg", T + i)
    make_media(folder / "orphan.jpg", seed=99)
    return src


LIBRARY = {*(f"Photos from 2019/IMG_{i}.jpg" for i in range(4)), "Unprocessed/Photos from 2019/orphan.jpg"}


def wait_for(predicate, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)


# ----- 1. one run per output folder ---------------------------------------------------------

def test_a_second_run_on_a_folder_in_use_is_refused(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # This test process is the "other run": it holds the real OS lock pef takes.
    with OutputLock(out):
        proc = run_cli("-p", str(small), "--output", str(out), "--no-exif")
        assert proc.returncode == 1, proc.stdout + proc.stderr
        note = (out / LOCK_FILE).read_text().strip()
        assert note.startswith(f"pid {os.getpid()} since ")
        assert proc.stderr == (
            f"pef: Another pef run is using the output folder {out} ({note}). "
            "Wait for it to finish (or stop it), then run again.\n"
        )
        assert sorted(p.name for p in out.iterdir()) == [LOCK_FILE]
    assert list(out.iterdir()) == []  # the holder removes the lock file when it is done
    proc = run_cli("-p", str(small), "--output", str(out), "--no-exif")
    assert proc.returncode == 0, proc.stderr
    assert outputs(out) == LIBRARY


def test_a_killed_run_leaves_no_lock_behind(tmp_path: Path) -> None:
    src = tmp_path / "export"
    generate_takeout(src, photos=60, videos=0, seed=3)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pef", "-p", str(src), "--output", str(out), "--no-exif"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    wait_for(lambda: (out / LOCK_FILE).exists() or proc.poll() is not None, "the lock")
    proc.kill()
    proc.wait()
    again = run_cli("-p", str(src), "--output", str(out), "--no-exif")
    assert again.returncode == 0, again.stderr
    assert LOCK_FILE not in tree_files(out)
    assert run_cli("verify", str(out), "--no-read").returncode == 0


def test_runs_started_together_each_take_their_own_folder(small: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-m", "pef", "-p", str(small), "--no-exif"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        for _ in range(3)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    folders = sorted(p.name for p in small.parent.iterdir() if p.name.startswith("Takeout_pefProcessed"))
    assert folders == ["Takeout_pefProcessed", "Takeout_pefProcessed(1)", "Takeout_pefProcessed(2)"]
    for name in folders:
        assert outputs(small.parent / name) == LIBRARY
        assert run_cli("verify", str(small.parent / name), "--no-read").returncode == 0


# ----- 2. nothing a kill leaves behind survives the next run ---------------------------------

def test_a_save_killed_midway_is_cleaned_by_the_next_run(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("-p", str(small), "--output", str(out), "--no-exif").returncode == 0
    # A real atomic save, killed after its first piece is on disk (as a kill during a state fold is).
    saver = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from pef.fsutil import atomic_write_chunks\n"
         "def pieces():\n    yield b'{' * 100\n    sys.stdout.write('written\\n'); sys.stdout.flush(); time.sleep(600)\n    yield b''\n"
         f"atomic_write_chunks(Path({str(out / 'report.json')!r}), pieces())"],
        stdout=subprocess.PIPE, text=True, env=ENV,
    )
    assert saver.stdout.readline() == "written\n"
    saver.kill()
    saver.wait()
    left = [p.name for p in out.iterdir() if p.name.startswith(".pef-save-")]
    assert len(left) == 1
    proc = run_cli("-p", str(small), "--output", str(out), "--no-exif")
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in out.iterdir() if p.name.startswith(".pef")] == []


# ----- 3. a failed file reads back from the journal as it was recorded ------------------------

def test_failed_entries_survive_the_journal(tmp_path: Path) -> None:
    state = ProcessingState(tmp_path)
    state.record(Entry("a.jpg", "write", "error", None, sidecar="a.jpg.json", error="Permission denied"))
    state.record(Entry("b.jpg", "copy", "success", "Unprocessed/b.jpg", size=3, unchanged=True))
    state.close()  # as a crash leaves it: journal only, never folded
    again = ProcessingState.load(tmp_path)
    assert again.recovery == []
    assert again.media["a.jpg"]["status"] == "error"
    assert "output_file" not in again.media["a.jpg"]
    assert again.jsons["a.jpg.json"]["status"] == "error"
    assert again.media["b.jpg"]["output_file"] == "Unprocessed/b.jpg"


def test_a_failed_file_is_judged_alike_after_a_crash_and_after_a_clean_end(small: Path, tmp_path: Path) -> None:
    gone = small / "Photos from 2019" / "IMG_0.jpg"

    for crash in (False, True):
        out = tmp_path / f"out-{crash}"
        result = run(RunConfig(sources=(small,), output=out, no_exif=True),
                     BeforeWriting(lambda: shutil.move(gone, tmp_path / "kept.jpg")))
        assert result.report["media"]["Photos from 2019/IMG_0.jpg"]["status"] == "error"
        shutil.move(tmp_path / "kept.jpg", gone)
        if crash:  # the state file as it was before the run's last fold; the journal holds the rest
            journal = "".join(json.dumps(
                {"source": rel, **entry}) + "\n" for rel, entry in state_of(out)["media"].items())
            data = state_of(out)
            data["media"], data["processed_jsons"] = {}, {}
            (out / "processing_state.json").write_text(json.dumps(data))
            (out / "processing_state.journal").write_text(journal)
        proc = run_cli("-p", str(small), "--output", str(out), "--no-exif")
        assert "incomplete journal" not in proc.stderr + proc.stdout
        assert "Resuming: skipping 5 already-processed files" in proc.stdout + proc.stderr
        assert report_of(out)["media"]["Photos from 2019/IMG_0.jpg"]["status"] == "error"
        proc = run_cli("-p", str(small), "--output", str(out), "--no-exif", "--retry-errors")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert report_of(out)["media"]["Photos from 2019/IMG_0.jpg"]["status"] == "written"


# ----- 4, 5. an output that turns unwritable stops the run, resumably ------------------------

def _chmod_wrapper(tmp_path: Path, out: Path) -> Path:
    """A real ExifTool that makes the output read-only when a command first names IMG_2."""
    return exiftool_wrapper(tmp_path, f"if ($l =~ /IMG_2\\.jpg/ && !$done++) {{ system('chmod', '-R', 'a-w', '{out}'); }}")


def test_an_output_made_read_only_mid_run_stops_and_resumes(open_tmp: Path) -> None:
    src = open_tmp / "Takeout"
    for i in range(6):
        make_media(src / f"IMG_{i}.jpg", seed=i)
        write_sidecar(src / f"IMG_{i}.jpg.json", f"IMG_{i}.jpg", T + i)
    subprocess.run(["chmod", "-R", "a+rX", str(open_tmp)], check=True)
    out = open_tmp / "out"
    wrapper = _chmod_wrapper(open_tmp, out)
    proc = run_cli_unprivileged("-p", str(src), "--output", str(out), "-j", "1", "--timezone", "UTC",
                                env={"PEF_EXIFTOOL": str(wrapper)})
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"pef can no longer write into the output folder {out} (Permission denied)" in proc.stdout
    assert "Progress saved" not in proc.stdout
    assert f"pef: Could not write the report into {out}: Permission denied. A resume writes it again." in proc.stderr
    # What was finished before the fault is journaled (ExifTool gets files in batches, so how many
    # depends on where the batch boundaries fell), and then the state file could not be saved.
    journal = out / "processing_state.journal"
    journaled = [json.loads(line)["source"] for line in journal.read_text().splitlines()] if journal.exists() else []
    assert set(journaled) <= {"IMG_0.jpg", "IMG_1.jpg"}
    if journaled:
        assert f"pef: Could not save the state file {out}/processing_state.json: Permission denied." in proc.stderr
        assert "Progress is in the journal. Resume with: " in proc.stdout
    subprocess.run(["chmod", "-R", "u+w", str(out)], check=True)
    again = run_cli_unprivileged("-p", str(src), "--output", str(out), "--timezone", "UTC")
    assert again.returncode == 0, again.stdout + again.stderr
    assert outputs(out) == {f"IMG_{i}.jpg" for i in range(6)}
    assert [r["DateTimeOriginal"] for r in exif_read(*(out / f"IMG_{i}.jpg" for i in range(6)),
                                                     args=("-DateTimeOriginal",))] == [
        f"2019:01:01 00:00:0{i}" for i in range(6)]


# ----- 6. a state file, however edited, never makes a traceback --------------------------------

EDITS = {
    "newer version": (lambda s: s.update(version=2), 1,
                      "pef: The state file {out}/processing_state.json was written by a newer pef (format version 2); "
                      "this pef 0.1.0 reads version 1. Update pef, or choose another output folder.\n"),
    "entry is a string": (lambda s: s["media"].update({"Photos from 2019/IMG_1.jpg": "done"}), 0,
                          "The state file processing_state.json had entries pef cannot use (1 entry in 'media'); "
                          "those are ignored and their files redone."),
    "stats null": (lambda s: s.update(stats=None), 0,
                   "The state file processing_state.json had entries pef cannot use ('stats' is not what pef writes); "
                   "those are ignored and their files redone."),
    "media a list": (lambda s: s.update(media=[]), 0,
                     "The state file processing_state.json had entries pef cannot use ('media' is not a map of files); "
                     "those are ignored and their files redone."),
    "size a string": (lambda s: s["media"]["Photos from 2019/IMG_1.jpg"].update(size="12"), 0,
                      "The state file processing_state.json had entries pef cannot use (1 entry in 'media'); "
                      "those are ignored and their files redone."),
    "not an object": (lambda s: s.clear() or s.update(x=1), 0, "State file was unreadable"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_hand_edited_state_files_get_a_clear_answer(small: Path, tmp_path: Path, edit: str) -> None:
    out = tmp_path / "out"
    assert run_cli("-p", str(small), "--output", str(out), "--no-exif").returncode == 0
    change, code, message = EDITS[edit]
    data = state_of(out)
    if edit == "not an object":
        (out / "processing_state.json").write_text("[1, 2]")
    else:
        change(data)
        (out / "processing_state.json").write_text(json.dumps(data))
    proc = run_cli("-p", str(small), "--output", str(out), "--no-exif")
    assert "Traceback" not in proc.stderr
    assert proc.returncode == code, proc.stdout + proc.stderr
    if code == 1:
        assert proc.stderr == message.format(out=out)
    else:
        assert message in proc.stdout + proc.stderr
        assert outputs(out) == LIBRARY
        assert run_cli("verify", str(out), "--no-read").returncode == 0


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "success", "error", "copy", "x/y.jpg"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["status", "kind", "output_file", "size", "sidecar", "extra_files", "output_files", "errors"]), inner, max_size=4),
    max_leaves=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(["top", "media", "processed_jsons", "entry", "field", "journal"]),
       key=st.sampled_from(["version", "stats", "options", "archives", "inputs", "source_path", "media",
                            "processed_jsons", "started", "status", "output_file", "size", "kind", "sidecar"]),
       value=_json)
def test_any_edit_of_the_state_is_survived(small: Path, tmp_path_factory, where: str, key: str, value) -> None:
    out = tmp_path_factory.mktemp("edited") / "out"
    run(RunConfig(sources=(small,), output=out, no_exif=True))
    data = state_of(out)
    if where == "top":
        data[key] = value
    elif where in ("media", "processed_jsons"):
        data[where][key] = value
    elif where == "entry":
        data["media"]["Photos from 2019/IMG_1.jpg"] = value
    elif where == "field":
        data["media"]["Photos from 2019/IMG_1.jpg"][key] = value
    (out / "processing_state.json").write_text(json.dumps(data))
    if where == "journal":
        (out / "processing_state.journal").write_text(json.dumps(value) + "\n")
    try:
        result = run(RunConfig(sources=(small,), output=out, no_exif=True))
    except Exception as exc:  # noqa: BLE001 - only pef's own refusals are answers
        assert type(exc).__name__ == "RunRefused", repr(exc)
        return
    assert result.audit is not None and result.audit.passed, result.audit
    assert outputs(out) == LIBRARY


# ----- 7, 9. a resume converges to what a fresh run of the current source makes ---------------

def test_a_sidecar_added_since_moves_the_file_out_of_unprocessed(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("-p", str(small), "--output", str(out), "--timezone", "UTC").returncode == 0
    write_sidecar(small / "Photos from 2019" / "orphan.jpg.json", "orphan.jpg", T + 50)
    proc = run_cli("-p", str(small), "--output", str(out), "--timezone", "UTC")
    assert proc.returncode == 0, proc.stderr
    fresh = tmp_path / "fresh"
    assert run_cli("-p", str(small), "--output", str(fresh), "--timezone", "UTC").returncode == 0
    assert outputs(out) == outputs(fresh) == {*(f"Photos from 2019/IMG_{i}.jpg" for i in range(4)),
                                              "Photos from 2019/orphan.jpg"}
    assert exif_read(out / "Photos from 2019/orphan.jpg", args=("-DateTimeOriginal",))[0]["DateTimeOriginal"] == \
        "2019:01:01 00:00:50"
    assert state_of(out)["unprocessed_files"] == []
    assert run_cli("verify", str(out)).returncode == 0


def test_a_sidecar_removed_since_moves_the_file_to_unprocessed(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("-p", str(small), "--output", str(out), "--no-exif").returncode == 0
    (small / "Photos from 2019" / "IMG_3.jpg.json").unlink()
    assert run_cli("-p", str(small), "--output", str(out), "--no-exif").returncode == 0
    assert outputs(out) == {*(f"Photos from 2019/IMG_{i}.jpg" for i in range(3)),
                            "Unprocessed/Photos from 2019/IMG_3.jpg", "Unprocessed/Photos from 2019/orphan.jpg"}
    assert run_cli("verify", str(out), "--no-read").returncode == 0


def test_an_unpaired_sidecar_that_finds_its_media_leaves_unprocessed(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    lost = small / "Photos from 2019" / "IMG_0.jpg"
    kept = tmp_path / "IMG_0.jpg"
    shutil.move(lost, kept)
    assert run_cli("-p", str(small), "--output", str(out), "--no-exif").returncode == 0
    assert "Unprocessed/Photos from 2019/IMG_0.jpg.json" in tree_files(out)
    shutil.move(kept, lost)
    assert run_cli("-p", str(small), "--output", str(out), "--no-exif").returncode == 0
    assert outputs(out) == LIBRARY
    assert report_of(out)["sidecars"]["Photos from 2019/IMG_0.jpg.json"]["status"] == "used"


def test_a_deleted_xmp_sidecar_is_restored(src: Path, tmp_path: Path) -> None:
    make_media(src / "clip.avi", seed=1)
    write_sidecar(src / "clip.avi.json", "clip.avi", T)
    out = tmp_path / "out"
    assert run_cli("-p", str(src), "--output", str(out), "--timezone", "UTC").returncode == 0
    xmp = out / "clip.avi.xmp"
    original = xmp.read_bytes()
    xmp.unlink()
    check = run_cli("verify", str(out), "--no-read")
    assert check.returncode == 2
    assert "  clip.avi: clip.avi.xmp (its metadata, beside the output) is missing" in check.stdout
    assert run_cli("-p", str(src), "--output", str(out), "--timezone", "UTC").returncode == 0
    assert xmp.read_bytes() == original
    assert run_cli("verify", str(out), "--no-read").returncode == 0


# ----- 8, 16a. recorded options ----------------------------------------------------------------

def test_resume_force_keeps_the_recorded_options(src: Path) -> None:
    make_media(src / "a.jpg", seed=1)
    make_media(src / "a-sticker.jpg", seed=2)
    write_sidecar(src / "a.jpg.json", "a.jpg", T)
    assert run_cli("-p", str(src), "-s", "-sticker", "-s", "-x", "--timezone", "Asia/Tokyo").returncode == 0
    out = src.parent / "Takeout_pefProcessed"
    proc = run_cli("-p", str(src), "--resume", "--force")
    assert proc.returncode == 0, proc.stderr
    assert ("Resuming with the options of the recorded run: suffixes ['-sticker', '-x'], timezone 'Asia/Tokyo'"
            in proc.stdout + proc.stderr)
    assert exif_read(out / "a-sticker.jpg", args=("-DateTimeOriginal", "-OffsetTimeOriginal"))[0] == {
        "SourceFile": str(out / "a-sticker.jpg"), "DateTimeOriginal": "2019:01:01 09:00:00", "OffsetTimeOriginal": "+09:00"}
    # The same suffixes in another order are the same options.
    again = run_cli("-p", str(src), "--resume", "-s", "-x", "-s", "-sticker")
    assert again.returncode == 0, again.stderr
    assert "Everything was already done; nothing to do." in again.stdout


# ----- 11. a moved source ----------------------------------------------------------------------

@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_a_moved_source_resumes_without_redoing(small: Path, tmp_path: Path, as_zip: bool) -> None:
    if as_zip:
        shutil.make_archive(str(tmp_path / "takeout-001"), "zip", small)
        given = [tmp_path / "takeout-001.zip"]
    else:
        given = [small]
    out = tmp_path / "out"
    assert run_cli("-p", *map(str, given), "--output", str(out), "--no-exif").returncode == 0
    elsewhere = tmp_path / "other drive"
    elsewhere.mkdir()
    moved = [Path(shutil.move(p, elsewhere / p.name)) for p in given]
    proc = run_cli("-p", *map(str, moved), "--output", str(out), "--no-exif")
    assert proc.returncode == 0, proc.stderr
    was = given[0] if not as_zip else tmp_path
    assert f"The source has moved since the recorded run (it was {was}); continuing with it here." in proc.stdout + proc.stderr
    assert "Resuming: skipping 5 already-processed files" in proc.stdout + proc.stderr
    assert state_of(out)["source_path"] == str(moved[0] if not as_zip else elsewhere)
    assert run_cli("verify", str(out), "--no-read").returncode == 0


def test_another_source_is_still_refused(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("-p", str(small), "--output", str(out), "--no-exif").returncode == 0
    other = tmp_path / "Other"
    make_media(other / "x.jpg", seed=5)
    proc = run_cli("-p", str(other), "--output", str(out), "--no-exif")
    assert proc.returncode == 1
    assert f"The output folder {out} was made from a different source" in proc.stderr


# ----- 12. a folder pef did not make --------------------------------------------------------------

def test_output_into_a_foreign_folder_is_refused_unless_forced(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "IMG_8001.jpg").write_bytes(b"the user's own photo")
    (out / "report.json").write_text("{}")
    proc = run_cli("-p", str(small), "--output", str(out), "--no-exif")
    assert proc.returncode == 1
    assert proc.stderr == (
        f"pef: The output folder {out} already holds files pef did not make (IMG_8001.jpg).\n"
        "Choose an empty or new folder, or add --force to write into it anyway "
        "(files with the same names as outputs are then replaced).\n"
    )
    assert sorted(p.name for p in out.iterdir()) == ["IMG_8001.jpg", "report.json"]
    forced = run_cli("-p", str(small), "--output", str(out), "--no-exif", "--force")
    assert forced.returncode == 0, forced.stderr
    assert (out / "IMG_8001.jpg").read_bytes() == b"the user's own photo"
    assert outputs(out) == {*LIBRARY, "IMG_8001.jpg"}


# ----- 15. a disk full from the start ------------------------------------------------------------

@pytest.fixture
def full_disk(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    subprocess.run(["dd", "if=/dev/zero", f"of={mount}/filler", "bs=4k"], capture_output=True)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_disk_full_at_the_start_is_a_stop_not_a_usage_error(small: Path, full_disk: Path) -> None:
    out = full_disk / "out"
    proc = run_cli("-p", str(small), "--output", str(out), "--no-exif")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "The output disk is full (No space left on device)" in proc.stdout + proc.stderr
    assert not (out / ".pef-tmp").exists()
    (full_disk / "filler").unlink()
    again = run_cli("-p", str(small), "--output", str(out), "--no-exif")
    assert again.returncode == 0, again.stdout + again.stderr
    assert outputs(out) == LIBRARY


# ----- 16. smaller ones --------------------------------------------------------------------------

def test_fix_extensions_leaves_the_genuine_file_its_name(src: Path, tmp_path: Path) -> None:
    make_media(src / "FAKE.jpg", seed=1)
    shutil.copy(src / "FAKE.jpg", src / "FAKE.heic")  # a JPEG named .heic
    with open(src / "FAKE.heic", "ab") as f:
        f.write(b"other")
    out = tmp_path / "out"
    assert run_cli("-p", str(src), "--output", str(out), "--no-exif", "--fix-extensions").returncode == 0
    media = report_of(out)["media"]
    assert media["FAKE.jpg"]["output"] == "Unprocessed/FAKE.jpg"
    assert media["FAKE.heic"]["output"] == "Unprocessed/FAKE(1).jpg"


def test_an_exiftool_that_cannot_run_is_refused_at_once(small: Path, tmp_path: Path) -> None:
    env = {**ENV, "PEF_EXIFTOOL": str(tmp_path / "nonexistent")}
    proc = subprocess.run([sys.executable, "-m", "pef", "-p", str(small)], capture_output=True, text=True, env=env)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"pef: cannot run ExifTool ({tmp_path / 'nonexistent'}): ")
    assert proc.stderr.endswith("\nCheck PEF_EXIFTOOL or the installation, or run with --no-exif.\n")
    assert not (small.parent / "Takeout_pefProcessed").exists()


def test_a_sidecar_whose_media_vanished_reaches_unprocessed_on_resume(small: Path, tmp_path: Path) -> None:
    gone = small / "Photos from 2019" / "IMG_2.jpg"

    out = tmp_path / "out"
    run(RunConfig(sources=(small,), output=out, no_exif=True), BeforeWriting(gone.unlink))
    proc = run_cli("-p", str(small), "--output", str(out), "--no-exif")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Unprocessed/Photos from 2019/IMG_2.jpg.json" in tree_files(out)
    assert report_of(out)["sidecars"]["Photos from 2019/IMG_2.jpg.json"]["status"] == "unpaired"


def test_verify_passes_a_copy_as_unreadable_as_its_source(src: Path, tmp_path: Path) -> None:
    make_media(src / "good.jpg", seed=1)
    (src / "junk.jpg").write_bytes(b"\0" * 5000)
    out = tmp_path / "out"
    assert run_cli("-p", str(src), "--output", str(out)).returncode == 0
    proc = run_cli("verify", str(out))
    assert proc.returncode == 0, proc.stdout
    assert ("Note: Unprocessed/junk.jpg: ExifTool cannot read it, nor its source junk.jpg (copied as it was)"
            in proc.stdout.splitlines())


def _crash_once_wrapper(tmp_path: Path) -> Path:
    """A real ExifTool that is killed the first time a command names bad.jpg."""
    flag = tmp_path / "crashed"
    return exiftool_wrapper(tmp_path, f"if ($l =~ /bad\\.jpg/ && ! -e '{flag}') {{"
                                      f" open(my $f, '>', '{flag}'); close $f; kill 9, $pid, $child; exit 1; }}")


def test_exiftool_killed_once_is_retried_with_a_fresh_process(src: Path, tmp_path: Path) -> None:
    for name in ("a.jpg", "bad.jpg", "c.jpg"):
        make_media(src / name, seed=ord(name[0]))
        write_sidecar(src / (name + ".json"), name, T)
    env = {**ENV, "PEF_EXIFTOOL": str(_crash_once_wrapper(tmp_path))}
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "pef", "-p", str(src), "--output", str(out), "-j", "1",
                           "--timezone", "UTC"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "crashed").exists()
    assert {k: v["status"] for k, v in report_of(out)["media"].items()} == dict.fromkeys(
        ("a.jpg", "bad.jpg", "c.jpg"), "written")
    assert exif_read(out / "bad.jpg", args=("-DateTimeOriginal",))[0]["DateTimeOriginal"] == "2019:01:01 00:00:00"


# ----- 13, 14. the second Ctrl+C -------------------------------------------------------------------

def _slow_wrapper(tmp_path: Path) -> Path:
    """A real ExifTool that takes 0.2 s more for every command, so a run surely lasts while it is interrupted."""
    return exiftool_wrapper(tmp_path, "sleep(0.2) if $l =~ /^-execute/;")


def test_a_second_ctrl_c_prints_the_real_resume_command(tmp_path: Path) -> None:
    src = tmp_path / "export"
    for i in range(40):
        make_media(src / f"IMG_{i}.jpg", seed=i)
        write_sidecar(src / f"IMG_{i}.jpg.json", f"IMG_{i}.jpg", T + i)
    env = {**ENV, "PEF_EXIFTOOL": str(_slow_wrapper(tmp_path))}
    proc = subprocess.Popen([sys.executable, "-m", "pef", "-p", str(src), "--timezone", "UTC"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out = tmp_path / "export_pefProcessed"
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.extend(iter(proc.stderr.readline, "")), daemon=True)
    reader.start()
    wait_for(lambda: (out / "processing_state.journal").exists() or proc.poll() is not None, "the first file")
    proc.send_signal(signal.SIGINT)
    wait_for(lambda: any("Interrupted! Saving progress..." in line for line in errors) or proc.poll() is not None,
             "the first press to be seen")
    proc.send_signal(signal.SIGINT)
    stdout = proc.stdout.read()
    proc.wait(timeout=120)
    reader.join(timeout=60)
    stderr = "".join(errors)
    assert proc.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr
    # Stopped at once by the second press, or (when it came after everything was saved) ignored.
    assert f"Resume with: python -m pef --output {out} -p {src} --timezone UTC" in stdout + stderr
    again = run_cli("-p", str(src), "--output", str(out), "--timezone", "UTC")
    assert again.returncode == 0, again.stderr
    assert run_cli("verify", str(out)).returncode == 0
