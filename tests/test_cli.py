"""The command line as a new user meets it, in-process: exact exit codes and exact messages for each mistake."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from pef.exiftool import install_hint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import OWN_FILES, tree_files, write_sidecar
from pef import cli, parts, progress
from pef.cli import main
from pef.progress import PlainObserver, TerminalObserver, make_observer
from pef.sample import make_media
from pef.state import Entry

T = 1546300800  # 2019-01-01 00:00:00 UTC
STAMP = "takeout-20240101T000000Z"
OWN = OWN_FILES


@pytest.fixture(autouse=True)
def as_the_pef_command(monkeypatch):
    """main() installs pef's Ctrl+C handlers (pytest gets its own back after each test), and
    names itself after sys.argv[0] in resume commands: here, the installed `pef`."""
    monkeypatch.setattr(sys, "argv", ["pef"])
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def pef(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(err: str) -> str:
    """The one message line of an argparse usage error (after the usage lines)."""
    assert err.startswith("usage: pef"), err
    return err.splitlines()[-1]


def listing(*roots: Path) -> dict[str, tuple]:
    """Every path under roots with its size and modification time: what "nothing was written" is checked against."""
    found = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                path = os.path.join(dirpath, name)
                st_ = os.lstat(path)
                found[path] = (st_.st_mode, st_.st_size if not os.path.isdir(path) else 0, st_.st_mtime_ns)
    return found


def photos(folder: Path, n: int, *, sidecars: bool = True, start: int = 0) -> None:
    for i in range(start, start + n):
        make_media(folder / f"IMG_{i}.jpg", seed=i, size=(64, 48))
        if sidecars:
            write_sidecar(folder / f"IMG_{i}.jpg.json", f"IMG_{i}.jpg", T + i)


def zip_parts(tree: Path, dest: Path, count: int) -> list[Path]:
    """Google-style numbered parts: files dealt round-robin, so a photo's sidecar is often in another part."""
    dest.mkdir(parents=True, exist_ok=True)
    files = sorted(tree_files(tree))
    zips = [dest / f"{STAMP}-{n + 1:03d}.zip" for n in range(count)]
    for n, path in enumerate(zips):
        with zipfile.ZipFile(path, "w") as z:
            for rel in files[n::count]:
                z.write(tree / rel, rel)
    return zips


@pytest.fixture
def takeout(tmp_path: Path) -> Path:
    """An extracted export: 4 photos with sidecars, one without, one sidecar without a photo."""
    src = tmp_path / "Takeout"
    year = src / "Google Photos" / "Photos from 2019"
    photos(year, 4)
    make_media(year / "orphan.png", seed=9, size=(64, 48))
    write_sidecar(year / "lost.jpg.json", "lost.jpg", T)
    return src


@pytest.fixture
def export_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    photos(tree / "Takeout" / "Google Photos" / "Photos from 2019", 6)
    return tree


def report_of(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


# ----- 1. -s values -----------------------------------------------------------------------------------

@pytest.mark.parametrize("args, option", [
    (["-s", "--dry-run"], "--dry-run"),
    (["--suffix", "--dry-run"], "--dry-run"),
    (["--suf", "--dry"], "--dry"),  # argparse's abbreviations are options too
    (["-s", "-v"], "-v"),
    (["-s", "--"], "--"),
])
def test_a_suffix_that_is_an_option_is_refused_and_nothing_runs(capsys, takeout: Path, args, option) -> None:
    before = listing(takeout.parent)
    code, out, err = pef(capsys, "-p", takeout, *args)
    assert code == 1
    assert out == ""
    assert usage_error(err) == (f"pef: error: argument -s/--suffix: expected a suffix, not the option {option} "
                                f"(a suffix that is also an option's name is written --suffix={option})")
    assert listing(takeout.parent) == before


def test_suffix_before_the_path_names_the_real_mistake(capsys) -> None:
    code, _, err = pef(capsys, "-s", "-p", "X")
    assert code == 1
    assert usage_error(err) == ("pef: error: argument -s/--suffix: expected a suffix, not the option -p "
                                "(a suffix that is also an option's name is written --suffix=-p)")


def test_suffix_with_a_leading_dash_still_works(capsys, tmp_path: Path) -> None:
    src = tmp_path / "Takeout"
    make_media(src / "IMG_9.jpg", seed=9)
    make_media(src / "IMG_9-sticker.jpg", seed=10)
    write_sidecar(src / "IMG_9.jpg.json", "IMG_9.jpg", T)
    code, out, err = pef(capsys, "-p", src, "--no-exif", "-s", "-sticker", "-q")
    assert (code, out, err) == (0, "", "")
    report = report_of(tmp_path / "Takeout_pefProcessed")
    assert report["media"]["IMG_9-sticker.jpg"]["sidecar"] == "IMG_9.jpg.json"
    # Written out as --suffix=--dry-run, a suffix may even be an option's name; the run is then real.
    code, _, _ = pef(capsys, "-p", src, "--no-exif", "--suffix=--dry-run", "-q")
    assert code == 0
    assert (tmp_path / "Takeout_pefProcessed(1)").is_dir()


# ----- 2. a folder of parts -----------------------------------------------------------------------------

def test_folder_of_parts_reads_only_the_parts_and_never_an_earlier_output(capsys, tmp_path: Path, export_tree) -> None:
    downloads = tmp_path / "Downloads"
    zips = zip_parts(export_tree, downloads, 3)
    (downloads / "tax-return-2023.pdf").write_bytes(b"%PDF-1.4")
    (downloads / "setup.exe").write_bytes(b"MZ")
    make_media(downloads / "old-project" / "notes.jpg", seed=3)
    # The zips run first: its output lands beside them, inside Downloads.
    code, _, _ = pef(capsys, "-p", *zips, "--no-exif", "-q")
    assert code == 0
    earlier = downloads / f"{STAMP}_pefProcessed"
    assert report_of(earlier)["summary"]["media_files"] == 6

    code, out, err = pef(capsys, "-p", downloads, "--no-exif")
    assert code == 0, out + err
    assert out.splitlines()[0] == (
        f"Reading the 3 Takeout part(s) in {downloads}; not read: old-project, setup.exe, "
        f"{STAMP}_pefProcessed (an earlier pef output), tax-return-2023.pdf"
    )
    out_dir = tmp_path / "Downloads_pefProcessed"
    report = report_of(out_dir)
    assert report["summary"]["media_files"] == 6  # not 6 + the earlier output's 6 + the strays
    assert {k: v for k, v in report["skipped"].items()} == {
        "old-project": parts.NOT_A_PART, "setup.exe": parts.NOT_A_PART, "tax-return-2023.pdf": parts.NOT_A_PART,
        f"{STAMP}_pefProcessed": "output folder of an earlier pef run (never input)",
    }
    assert tree_files(out_dir) - OWN == {
        f"Photos from 2019/IMG_{i}.jpg" for i in range(6)
    }


def test_extracted_part_beside_its_own_output(capsys, tmp_path: Path, export_tree) -> None:
    """`pef -p ~/Downloads/Takeout` writes ~/Downloads/Takeout_pefProcessed; `pef -p ~/Downloads` then reads Takeout only."""
    downloads = tmp_path / "Downloads"
    shutil.copytree(export_tree / "Takeout", downloads / "Takeout")
    assert pef(capsys, "-p", downloads / "Takeout", "--no-exif", "-q")[0] == 0
    assert (downloads / "Takeout_pefProcessed").is_dir()
    code, out, _ = pef(capsys, "-p", downloads, "--no-exif")
    assert code == 0
    assert out.splitlines()[0] == (
        f"Reading the 1 Takeout part(s) in {downloads}; not read: Takeout_pefProcessed (an earlier pef output)"
    )
    assert report_of(tmp_path / "Downloads_pefProcessed")["summary"]["media_files"] == 6


def test_an_earlier_output_inside_an_extracted_export_is_not_input(capsys, takeout: Path, tmp_path: Path) -> None:
    assert pef(capsys, "-p", takeout, "--no-exif", "-q")[0] == 0
    inside = takeout / "Google Photos" / "backup"
    shutil.copytree(tmp_path / "Takeout_pefProcessed", inside)
    code, _, _ = pef(capsys, "-p", takeout, "--no-exif", "-q", "--output", tmp_path / "again")
    assert code == 0
    report = report_of(tmp_path / "again")
    assert report["summary"]["media_files"] == 5
    assert report["skipped"] == {"Google Photos/backup": "output folder of an earlier pef run (never input)"}


def test_a_pef_output_given_as_the_source_is_refused(capsys, takeout: Path, tmp_path: Path) -> None:
    assert pef(capsys, "-p", takeout, "--no-exif", "-q")[0] == 0
    out_dir = tmp_path / "Takeout_pefProcessed"
    before = listing(tmp_path)
    code, out, err = pef(capsys, "-p", out_dir, "--no-exif")
    assert (code, out) == (1, "")
    assert err == (f"pef: {out_dir} is the output of a pef run, not a Takeout: give the Takeout it was made from "
                   f"(to check this output: pef verify {out_dir})\n")
    assert listing(tmp_path) == before


def test_a_file_merely_named_like_the_state_is_still_input(capsys, takeout: Path, tmp_path: Path) -> None:
    (takeout / "Google Photos" / "processing_state.json").write_text('{"title": "not pef"}')
    code, _, _ = pef(capsys, "-p", takeout, "--no-exif", "-q")
    assert code == 0
    assert report_of(tmp_path / "Takeout_pefProcessed")["other_json"] == ["Google Photos/processing_state.json"]


@pytest.mark.parametrize("name, is_dir, expected", [
    ("Takeout", True, True), ("Takeout 2", True, True), ("Takeout (1)", True, True), ("takeout", True, True),
    (f"{STAMP}-001", True, True), ("Takeout photos", True, False), ("Takeouts", True, False),
    (f"{STAMP}-001.zip", False, True), (f"{STAMP}-3-002.tgz", False, True), ("Takeout.tar.gz", False, True),
    (f"{STAMP}-001 (1).zip", False, True), ("photos.zip", False, False), ("takeout-notes.pdf", False, False),
    ("Takeout", False, False),
])
def test_what_counts_as_a_takeout_part(name: str, is_dir: bool, expected: bool) -> None:
    assert parts.is_part_name(name, is_dir) is expected


# ----- 3. incomplete or broken input ---------------------------------------------------------------------

def test_a_gap_in_the_numbering_is_named_before_anything_is_written(capsys, tmp_path: Path, export_tree) -> None:
    zips = zip_parts(export_tree, tmp_path / "zips", 3)
    zips[1].unlink()
    code, out, err = pef(capsys, "-p", zips[0], zips[2], "--no-exif", "--dry-run")
    warning = (f"Missing part {STAMP}-002.zip: not found: the parts here are numbered 001, 003. Files whose "
               f"sidecar is in it stay without metadata. To read every part, give the folder that holds them: "
               f"-p {tmp_path / 'zips'}")
    assert err.splitlines()[0] == warning  # before the scan's line: before anything is read, let alone written
    assert err.splitlines()[1].startswith("Scanning: ")
    assert code == 2
    assert ("Incomplete input (files in these parts are not in the output):\n"
            f"  missing part {STAMP}-002.zip: not found: the parts here are numbered 001, 003\n") in out
    code, out, err = pef(capsys, "-p", tmp_path / "zips", "--no-exif", "-q")
    assert code == 2
    assert err.splitlines()[0] == warning.partition(" To read every part")[0]
    assert err.splitlines()[-1] == (f"pef: 0 error(s), 1 missing or damaged part(s); see "
                                    f"{tmp_path / 'zips_pefProcessed' / 'report.txt'}")


def test_a_part_left_beside_the_given_ones_is_named(capsys, tmp_path: Path, export_tree) -> None:
    zips = zip_parts(export_tree, tmp_path / "zips", 3)
    code, out, err = pef(capsys, "-p", zips[0], zips[1], "--no-exif")
    assert code == 2
    assert err.splitlines()[0] == (
        f"Missing part {STAMP}-003.zip: it is beside the parts given, but was not given. Files whose sidecar is "
        f"in it stay without metadata. To read every part, give the folder that holds them: -p {tmp_path / 'zips'}"
    )
    assert f"  missing part {STAMP}-003.zip: it is beside the parts given, but was not given\n" in out
    # All three given: nothing missing, a plain success.
    code, _, err = pef(capsys, "-p", *zips, "--no-exif", "--output", tmp_path / "all")
    assert code == 0
    assert "Missing part" not in err


def test_an_extracted_folder_without_a_number_may_be_the_gap(capsys, tmp_path: Path, export_tree) -> None:
    holder = tmp_path / "Downloads"
    zips = zip_parts(export_tree, holder, 3)
    with zipfile.ZipFile(zips[1]) as z:
        z.extractall(holder)  # part 002 unpacked into Takeout/, its zip removed
    zips[1].unlink()
    code, out, err = pef(capsys, "-p", holder, "--no-exif")
    assert code == 0  # no part is known to be missing
    assert err.splitlines()[0] == (
        f"Missing part {STAMP}-002.zip: not found: the parts here are numbered 001, 003 (unless it is one of the "
        "extracted folders without a number). Files whose sidecar is in it stay without metadata."
    )
    assert "Incomplete input" not in out
    assert report_of(tmp_path / "Downloads_pefProcessed")["summary"]["matched"] == 6


def test_a_damaged_part_is_named_with_what_was_lost(capsys, tmp_path: Path, export_tree) -> None:
    first, last = zip_parts(export_tree, tmp_path / "zips", 2)
    with zipfile.ZipFile(last) as z:
        cut = z.infolist()[2].header_offset + 40
    last.write_bytes(last.read_bytes()[:cut])
    code, out, _ = pef(capsys, "-p", first, last, "--no-exif")
    assert code == 2
    lines = out.splitlines()
    at = lines.index("Incomplete input (files in these parts are not in the output):")
    assert lines[at + 1] == (
        f"  damaged part {last.name}: damaged archive (File is not a zip file); 2 members recovered, then: "
        "archive ends inside a member header; whatever it held after that is lost (download this part again)"
    )


@pytest.mark.parametrize("case", ["empty-folder", "not-a-zip", "empty-zip", "albums-only", "litter-only"])
def test_nothing_to_process_is_refused(capsys, tmp_path: Path, case: str) -> None:
    src = tmp_path / "input"
    if case == "empty-folder":
        src.mkdir()
        detail = ""
    elif case == "not-a-zip":
        src = tmp_path / "broken.zip"
        src.write_bytes(b"this is no zip at all")
        detail = ("; skipped broken.zip: not a readable archive (File is not a zip file; unexpected data at byte 0): "
                  "nothing could be read from it")
    elif case == "empty-zip":
        src = tmp_path / "takeout-001.zip"
        zipfile.ZipFile(src, "w").close()
        detail = ""
    elif case == "albums-only":
        (src / "Trip").mkdir(parents=True)
        (src / "Trip" / "metadata.json").write_text('{"title": "Trip", "description": ""}')
        detail = "; only 1 album or other JSON file(s)"
    else:
        src.mkdir()
        (src / ".DS_Store").write_bytes(b"\0")
        (src / "Thumbs.db").write_bytes(b"\0")
        detail = "; skipped .DS_Store: system file and 1 more"
    before = listing(tmp_path)
    code, out, err = pef(capsys, "-p", src, "--no-exif")
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == f"pef: No photos, videos or sidecars found in {src}{detail}. Nothing was written."
    assert listing(tmp_path) == before


def test_a_folder_of_photos_that_is_not_a_takeout_is_fine(capsys, tmp_path: Path) -> None:
    src = tmp_path / "Pictures"
    photos(src, 2, sidecars=False)
    code, _, _ = pef(capsys, "-p", src, "--no-exif", "-q")
    assert code == 0
    assert tree_files(tmp_path / "Pictures_pefProcessed") - OWN == {"Unprocessed/IMG_0.jpg", "Unprocessed/IMG_1.jpg"}


# ----- 4. running again; options that would be ignored ----------------------------------------------------

def test_running_again_says_it_makes_a_second_copy(capsys, takeout: Path, tmp_path: Path) -> None:
    assert pef(capsys, "-p", takeout, "--no-exif", "-q")[0] == 0
    code, out, _ = pef(capsys, "-p", takeout, "--no-exif")
    assert code == 0
    first = tmp_path / "Takeout_pefProcessed"
    assert out.splitlines()[0] == (
        f"An earlier run's output is in {first}; this run makes a new, full copy in Takeout_pefProcessed(1). "
        "To update Takeout_pefProcessed instead, use --resume."
    )
    assert (tmp_path / "Takeout_pefProcessed(1)").is_dir()
    # --resume updates the latest one in place, and says nothing about copies.
    code, out, _ = pef(capsys, "-p", takeout, "--no-exif", "--resume")
    assert code == 0
    assert out.splitlines()[0] == f"Resuming in: {tmp_path / 'Takeout_pefProcessed(1)'}"
    assert "An earlier run" not in out
    assert out.splitlines()[-1] == "Everything was already done; nothing to do."


@pytest.mark.parametrize("args, message", [
    (["--retry-errors"], "--retry-errors redoes failed files of an earlier run: add --resume (or --output DIR)"),
    (["--reprocess", "*.jpg"], "--reprocess redoes files of an earlier run: add --resume (or --output DIR)"),
    (["--report", "plan.json"], "--report writes the plan of a dry run: add --dry-run (a real run writes "
                                "report.json into its output folder)"),
    (["--timeout", "-5"], "argument --timeout: must be a number of seconds above 0, not -5"),
    (["--timeout", "0"], "argument --timeout: must be a number of seconds above 0, not 0"),
    (["--timeout", "nan"], "argument --timeout: must be a number of seconds above 0, not nan"),
    (["-j", "0"], "argument -j/--jobs: must be at least 1, not 0"),
    (["-q", "-v"], "argument -v/--verbose: not allowed with argument -q/--quiet"),
])
def test_options_that_would_be_ignored_are_errors(capsys, takeout: Path, args, message) -> None:
    before = listing(takeout.parent)
    code, out, err = pef(capsys, "-p", takeout, *args)
    assert (code, out) == (1, "")
    assert usage_error(err) == f"pef: error: {message}"
    assert listing(takeout.parent) == before


def test_retry_errors_with_resume_is_accepted(capsys, takeout: Path) -> None:
    code, _, _ = pef(capsys, "-p", takeout, "--no-exif", "--resume", "--retry-errors", "-q")
    assert code == 0


# ----- 5. a summary that adds up -----------------------------------------------------------------------

def _line(out: str, head: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(head))


def test_the_summary_adds_up_and_names_the_zone(capsys, takeout: Path, monkeypatch) -> None:
    (takeout / "Google Photos" / "Photos from 2019" / "broken.jpg.json").write_text('{"title": ')
    code, out, _ = pef(capsys, "-p", takeout, "--timezone", "Asia/Tokyo")
    assert code == 2  # the unreadable sidecar
    assert _line(out, "Media files:") == "Media files:              5"
    assert _line(out, "  matched") == "  matched with a sidecar: 4  (metadata written into the copy)"
    assert _line(out, "  without a sidecar") == "  without a sidecar:      1  (copied to Unprocessed/)"
    assert _line(out, "Sidecars:") == "Sidecars:                 6"
    assert _line(out, "  without media") == "  without media:          1  (copied to Unprocessed/)"
    assert _line(out, "  unreadable") == "  unreadable:             1  (copied to Unprocessed/)"
    assert _line(out, "Done:") == ("Done:                     7 of 7 files placed in the output (5 media files + 2 sidecar(s) "
                                     "copied to Unprocessed/)")
    assert _line(out, "Time zones from:") == "Time zones from:          --timezone (Asia/Tokyo) 4"


def test_the_machines_zone_is_named(capsys, takeout: Path, monkeypatch) -> None:
    from pef.timezones import system_zone

    monkeypatch.setenv("TZ", "America/Chicago")
    system_zone.cache_clear()
    try:
        code, out, _ = pef(capsys, "-p", takeout)
    finally:
        monkeypatch.undo()
        system_zone.cache_clear()
    assert code == 0
    assert _line(out, "Time zones from:") == "Time zones from:          local (America/Chicago) 4"


class _CtrlCAfter:
    """Wraps the CLI's observer; a real SIGINT, as from Ctrl+C, after n files are done."""

    def __init__(self, inner, n: int) -> None:
        self.inner, self.n = inner, n

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def finished(self, entry) -> None:
        self.inner.finished(entry)
        self.n -= 1
        if self.n == 0:
            os.kill(os.getpid(), signal.SIGINT)


def test_after_ctrl_c_the_audit_says_stopped_early_and_how_to_resume(capsys, tmp_path: Path, monkeypatch) -> None:
    src = tmp_path / "Takeout"
    photos(src, 400)
    monkeypatch.setattr(progress, "make_observer", lambda **kw: _CtrlCAfter(make_observer(**kw), 2))
    code, out, err = pef(capsys, "-p", src, "--no-exif", "-j", "1")
    assert code == 130
    assert "\n\nInterrupted! Saving progress...\n" in err
    done = report_of(tmp_path / "Takeout_pefProcessed")["summary"]["done"]
    # The batch in flight when Ctrl+C came (and the one its worker had just taken) finish; no more start.
    assert 2 <= done < 400
    assert _line(out, "Audit:") == (
        f"Audit:                    stopped early: {400 - done} of 400 media files not done yet; resume to finish"
    )
    assert f"Progress saved. Resume with: pef --output {tmp_path / 'Takeout_pefProcessed'} -p {src} --no-exif\n" in out
    assert "FAILED" not in out


def test_after_failures_a_resume_says_how_to_retry(capsys, tmp_path: Path, monkeypatch) -> None:
    src = tmp_path / "Takeout"
    photos(src, 3)
    victim = src / "IMG_1.jpg"

    class GrowsASourceFile:
        """The user's own program appends to a photo while pef runs: a failure that is real, not mocked."""

        def __init__(self, inner) -> None:
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def start_phase(self, name, total=None, initial=0) -> None:
            if name == "Overall progress" and victim.stat().st_size < 10**6:
                with open(victim, "ab") as f:
                    f.write(b"\0" * 10**6)
            self.inner.start_phase(name, total, initial)

    monkeypatch.setattr(progress, "make_observer", lambda **kw: GrowsASourceFile(make_observer(**kw)))
    code, out, _ = pef(capsys, "-p", src, "--timezone", "UTC")
    assert code == 2
    assert _line(out, "Errors:") == "Errors:                   1"
    assert out.splitlines()[-1] == (
        f"To retry the failed files: pef --output {src.parent / 'Takeout_pefProcessed'} -p {src} --timezone UTC --retry-errors")
    code, out, _ = pef(capsys, "-p", src, "--resume")
    assert code == 2
    assert out.splitlines()[-2:] == [
        "Nothing new to do; 1 file(s) failed in an earlier run and were left as they are.",
        f"To retry the failed files: pef --output {src.parent / 'Takeout_pefProcessed'} -p {src} --retry-errors",
    ]
    code, out, _ = pef(capsys, "-p", src, "--resume", "--retry-errors")
    assert code == 0, out
    assert _line(out, "Errors:") == "Errors:                   0"


# ----- 6. dry run -------------------------------------------------------------------------------------

def test_a_dry_run_needs_no_exiftool_and_names_its_output(capsys, takeout: Path, tmp_path: Path, monkeypatch) -> None:
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("PEF_EXIFTOOL", raising=False)
    plan_dir = tmp_path / "plan"
    plan_dir.mkdir()
    before = listing(takeout.parent)
    code, out, err = pef(capsys, "-p", takeout, "--dry-run", "--report", plan_dir / "plan.json")
    assert code == 0
    out_dir = tmp_path / "Takeout_pefProcessed"
    assert out.splitlines()[:3] == [
        "pef plan (dry run, nothing written)", f"Source: {takeout}", f"Output: {out_dir} (a real run would create it)",
    ]
    assert _line(out, "Planned:") == ("Planned:                  6 files to place in the output (5 media files + "
                                      "1 sidecar(s) copied to Unprocessed/)")
    assert err.endswith("A real run needs ExifTool, which was not found. " + install_hint().partition(". ")[2] + "\n")
    plan = json.loads((plan_dir / "plan.json").read_text())
    assert (plan["output"], plan["resumed"], plan["dry_run"]) == (str(out_dir), False, True)
    after = listing(takeout.parent)
    assert after.pop(str(plan_dir / "plan.json"))  # the file asked for
    assert after.pop(str(plan_dir / "plan.html"))  # and the plan as a page beside it
    after.pop(str(plan_dir)), before.pop(str(plan_dir))  # the folder holding it: its time changed
    assert after == before
    # A real run, without ExifTool, stops before writing.
    code, _, err = pef(capsys, "-p", takeout)
    assert code == 1
    assert err.startswith("pef: ExifTool is needed to write metadata. Install it:\n")
    assert not out_dir.exists()


def test_a_dry_run_says_whether_it_would_resume(capsys, takeout: Path, tmp_path: Path) -> None:
    assert pef(capsys, "-p", takeout, "--no-exif", "-q")[0] == 0
    first = tmp_path / "Takeout_pefProcessed"
    code, out, _ = pef(capsys, "-p", takeout, "--no-exif", "--dry-run")
    assert code == 0
    assert out.splitlines()[0] == (
        f"An earlier run's output is in {first}; a real run would make a new, full copy in Takeout_pefProcessed(1). "
        "To update Takeout_pefProcessed instead, use --resume."
    )
    assert f"Output: {first}(1) (a real run would create it)" in out.splitlines()
    code, out, _ = pef(capsys, "-p", takeout, "--no-exif", "--dry-run", "--resume")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Resuming in: {first}"
    assert f"Output: {first} (a real run would continue the run recorded there)" in lines
    assert _line(out, "Planned:") == ("Planned:                  6 files to place in the output (5 media files + "
                                      "1 sidecar(s) copied to Unprocessed/); 6 already done, 0 to do")
    assert not (tmp_path / "Takeout_pefProcessed(1)").exists()


# The property: a dry run writes nothing anywhere, whatever else is typed with it, mistyped options included.
@pytest.fixture(scope="module")
def dry_world(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("dry")
    tree = base / "tree"
    photos(tree / "Takeout" / "Google Photos" / "Photos from 2019", 4)
    make_media(tree / "Takeout" / "Google Photos" / "Photos from 2019" / "IMG_0-sticker.jpg", seed=7)
    src = base / "Takeout"
    shutil.copytree(tree / "Takeout", src)
    shutil.rmtree(tree)
    downloads = base / "Downloads"
    zips = zip_parts(src.parent / "Takeout", downloads / "tmp", 2)
    for z in zips:
        z.rename(downloads / z.name)
    (downloads / "tmp").rmdir()
    (downloads / "notes.pdf").write_bytes(b"%PDF")
    assert main(["-p", str(src), "--no-exif", "-q"]) == 0  # an earlier complete run, to resume or not
    assert main(["-p", str(src), "--no-exif", "-q", "--output", str(base / "chosen")]) == 0
    (base / "dest").mkdir()
    (base / "plans").mkdir()
    parts_given = [downloads / z.name for z in zips]
    return {"base": base, "sources": [[src], [downloads], parts_given, parts_given[:1]]}


_VALUED = ["-d", "--output", "--timezone", "-s", "--suffix", "--reprocess", "-j", "--timeout", "--report"]
_FINE = [
    ("-d", "{base}/dest"), ("-d", "{base}/new/dest"), ("--output", "{base}/chosen"), ("--output", "{base}/fresh"),
    ("--resume",), ("--force",), ("--no-exif",), ("--timezone", "UTC"), ("-s", "-sticker"), ("--suffix=--dry-run",),
    ("--overwrite-dates",), ("--fix-extensions",), ("-j", "1"), ("--timeout", "5"), ("-v",), ("-q",),
    ("--no-progress",), ("--report", "{base}/plans/plan.json"),
]
_MISTAKES = [
    ("--timezone", "Europe/Londn"), ("-s", "--no-exif"), ("-j", "0"), ("--timeout", "-5"), ("--bogus",),
    ("--retry-errors",), ("--reprocess", "*.jpg"), ("-q", "-v"),
]
# Mostly runs that go ahead, so the dry run itself is what is checked; now and then a mistake.
option_sets = st.tuples(
    st.lists(st.sampled_from(_FINE), max_size=6),
    st.one_of(st.just(()), st.just(()), st.just(()), st.sampled_from(_MISTAKES)),
).map(lambda t: [*t[0], *([t[1]] if t[1] else [])])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(options=option_sets, source=st.integers(0, 3), dry=st.sampled_from(["--dry-run", "--dry", "--dry-r"]),
       position=st.integers(0, 12),
       dangling=st.one_of(st.none(), st.none(), st.none(), st.none(), st.sampled_from(_VALUED)))
def test_a_dry_run_writes_nothing_anywhere(dry_world, capsys, monkeypatch, tmp_path_factory, options, source, dry,
                                           position, dangling) -> None:
    base = dry_world["base"]
    private_tmp = tmp_path_factory.mktemp("tmpdir")
    cwd = tmp_path_factory.mktemp("cwd")
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    monkeypatch.chdir(cwd)
    argv = ["-p", *map(str, dry_world["sources"][source])]
    for option in options:
        argv += [part.format(base=base) for part in option]
    at = min(position, len(argv))
    # A value-taking option typed just before --dry-run, its value forgotten: --dry-run must never become its value.
    argv[at:at] = [dangling, dry] if dangling else [dry]
    before = listing(base)
    try:
        main(argv)
    finally:
        capsys.readouterr()
        after = listing(base, private_tmp, cwd)
    plan = str(base / "plans" / "plan.json")
    if plan in after:  # the files a dry run may write, when asked for with --report: the plan and its page
        assert "--report" in argv and dangling != "--report"
        for written in (plan, str(base / "plans" / "plan.html")):
            os.unlink(written)
            after.pop(written)
        after[str(base / "plans")] = before[str(base / "plans")]
    assert after == before, argv


# ----- 7. pef verify ------------------------------------------------------------------------------------

@pytest.fixture
def done(capsys, takeout: Path, tmp_path: Path) -> Path:
    assert pef(capsys, "-p", takeout, "--timezone", "UTC", "-q")[0] == 0
    return tmp_path / "Takeout_pefProcessed"


def test_verify_without_exiftool_does_not_pass_the_read_check(capsys, done: Path, takeout: Path, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    monkeypatch.delenv("PEF_EXIFTOOL", raising=False)
    code, out, _ = pef(capsys, "verify", done)
    assert code == 1
    assert out.splitlines() == [
        f"Source:  {takeout}",
        "Checked: 5 media files, outputs not read: ExifTool was not found (install it, or use --no-read to check "
        "sizes only)",
        "Sidecars that fed no file: 1",
        "  Google Photos/Photos from 2019/lost.jpg.json",
        "NOT VERIFIED: every source media file is in the output exactly once with its recorded size, but the "
        "outputs could not be read: ExifTool was not found (install it, or use --no-read to check sizes only).",
    ]
    code, out, _ = pef(capsys, "verify", done, "--no-read")
    assert code == 0
    assert out.splitlines()[1] == "Checked: 5 media files, outputs not read (--no-read)"
    assert out.splitlines()[-1] == ("PASS: every source media file is in the output exactly once, complete (sizes "
                                    "checked; the outputs were not read).")


def test_verify_on_a_folder_that_is_not_an_output(capsys, done: Path, takeout: Path, tmp_path: Path) -> None:
    code, out, err = pef(capsys, "verify", takeout)
    assert (code, out) == (1, "")
    assert err == (f"pef verify: {takeout} is not a pef output folder (it holds no processing_state.json).\n"
                   f"It looks like a source; its latest output is {done}: pef verify {done}\n")
    code, out, err = pef(capsys, "verify", tmp_path / "nope")
    assert (code, out, err) == (1, "", f"pef verify: not a folder: {tmp_path / 'nope'}\n")


def test_verify_after_the_source_moved_checks_what_it_can(capsys, done: Path, takeout: Path, tmp_path: Path) -> None:
    takeout.rename(tmp_path / "moved")
    code, out, _ = pef(capsys, "verify", done)
    assert code == 1
    assert out.splitlines() == [
        f"Source:  {takeout} cannot be read (The source does not exist: {takeout}); it was moved or deleted since "
        "the run,",
        "         so only the outputs were checked against the state, not against the source.",
        "Checked: 5 recorded media files, 5 outputs read by ExifTool",
        "NOT VERIFIED: the 5 recorded outputs are present with their recorded sizes and readable, but without the "
        "source nothing proves that every source file is among them.",
    ]
    (done / "Photos from 2019" / "IMG_2.jpg").unlink()
    code, out, _ = pef(capsys, "verify", done)
    assert code == 2
    assert out.splitlines()[-2:] == [
        "FAIL: 1 problem(s):",
        "  Google Photos/Photos from 2019/IMG_2.jpg: its output Photos from 2019/IMG_2.jpg is missing",
    ]


def test_verify_shows_its_progress_in_a_log(capsys, done: Path) -> None:
    code, out, err = pef(capsys, "verify", done)
    assert code == 0, out
    assert err.splitlines() == ["Scanning the source: 10 files", "Reading outputs with ExifTool: 5/5 files"]
    code, _, err = pef(capsys, "verify", done, "--no-progress")
    assert (code, err) == (0, "")


# ----- 8. logs and quiet runs ---------------------------------------------------------------------------

def test_a_log_gets_one_line_per_phase(capsys, takeout: Path) -> None:
    code, out, err = pef(capsys, "-p", takeout, "--no-exif")
    assert code == 0
    assert err.splitlines() == ["Scanning: 10 files", "Matching and planning: 6 files", "Overall progress: 6/6 files"]
    assert "\r" not in out + err
    assert out.startswith("pef report\n")


def test_quiet_and_no_progress(capsys, takeout: Path, tmp_path: Path) -> None:
    assert pef(capsys, "-p", takeout, "--no-exif", "-q") == (0, "", "")
    code, out, err = pef(capsys, "-p", takeout, "--no-exif", "--no-progress", "--output", tmp_path / "b")
    assert (code, err) == (0, "")
    assert out.startswith("pef report\n")
    assert out.endswith(f"Report: {tmp_path / 'b' / 'report.txt'} (details in report.json)\n"
                        f"Open {tmp_path / 'b' / 'report.html'} to see what was fixed, what was not and why\n")


def test_verbose_uses_the_reports_words(capsys, takeout: Path) -> None:
    code, out, _ = pef(capsys, "-p", takeout, "--no-exif", "-v", "-j", "1")
    assert code == 0
    files = sorted(line for line in out.splitlines() if " -> " in line)
    year = "Google Photos/Photos from 2019"
    assert files == sorted(
        [f"written   {year}/IMG_{i}.jpg -> Photos from 2019/IMG_{i}.jpg" for i in range(4)]
        + [f"copied    {year}/orphan.png -> Unprocessed/Photos from 2019/orphan.png",
           f"unpaired  {year}/lost.jpg.json -> Unprocessed/Photos from 2019/lost.jpg.json"]
    )


def test_progress_lines_come_now_and_then() -> None:
    now = [0.0]
    out, err = io.StringIO(), io.StringIO()
    observer = PlainObserver(out, err, clock=lambda: now[0], every=30.0)
    observer.start_phase("Overall progress", total=200)
    for _ in range(100):
        now[0] += 0.5  # 50 s in all: one line at 30 s
        observer.advance()
    observer.end_phase()
    observer.start_phase("Scanning", total=None)
    now[0] += 31
    observer.advance(500)
    observer.end_phase()
    assert err.getvalue().splitlines() == [
        "Overall progress: 60/200 files (30%)", "Overall progress: 100/200 files",
        "Scanning: 500 files so far", "Scanning: 500 files",
    ]
    assert out.getvalue() == ""


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("out_tty, err_tty, kw, bars", [
    (True, True, {}, True), (False, True, {}, False), (True, False, {}, False),
    (True, True, {"progress": False}, False), (True, True, {"quiet": True}, False),
])
def test_bars_only_on_a_terminal(out_tty, err_tty, kw, bars) -> None:
    observer = make_observer(out=_Stream(out_tty), err=_Stream(err_tty), **kw)
    assert isinstance(observer, TerminalObserver) is bars


def test_quiet_keeps_warnings() -> None:
    out, err = io.StringIO(), io.StringIO()
    observer = PlainObserver(out, err, quiet=True, verbose=True)
    observer.message("Resuming in: X")
    observer.warning("Missing part P")
    observer.start_phase("Scanning")
    observer.advance(3)
    observer.end_phase()
    observer.finished(Entry("a.jpg", "write", "success", "a.jpg"))
    assert (out.getvalue(), err.getvalue()) == ("", "Missing part P\n")


# ----- 9. help and time zones -----------------------------------------------------------------------------

def test_help_is_grouped_with_defaults_examples_and_exit_codes(capsys) -> None:
    code, out, _ = pef(capsys, "--help")
    assert code == 0
    headings = [line for line in out.splitlines() if line.endswith(":") and not line.startswith(" ")]
    assert headings == ["options:", "input and output:", "metadata:",
                        "resuming (a new output folder is made each time unless one of these is given):",
                        "library:", "performance:", "messages:", "examples:", "exit codes:"]
    flat = " ".join(out.split())
    for default in ("(default: beside the source)", "(default: this machine's)", "(default: 300)",
                    f"(default: the number of cores, {os.cpu_count() or 2} here)"):
        assert default in flat
    assert "  pef -p ~/Downloads --dry-run " in out
    assert "  130  interrupted (resumable)\n" in out


def test_verify_help_likewise(capsys) -> None:
    code, out, _ = pef(capsys, "verify", "--help")
    assert code == 0
    assert out.startswith("usage: pef verify [-h] [--hash] [--no-read] [-j N] [--no-progress] output\n")
    assert "\nexamples:\n  pef verify ~/Takeout_pefProcessed " in out
    assert "\nexit codes:\n  0    pass" in out


@pytest.mark.parametrize("zone, message", [
    ("Europe/Londn", "unknown time zone 'Europe/Londn'; did you mean Europe/London?"),
    ("europe/paris", "unknown time zone 'europe/paris'; did you mean Europe/Paris?"),
    ("Tokio", "unknown time zone 'Tokio'; did you mean Asia/Tokyo?"),
    ("+02:00", "'+02:00' is a UTC offset, not a time zone: give the zone of the place, such as Europe/Paris (it "
               "knows when daylight saving time applies), or Etc/GMT-2 for UTC+02:00 all year (Etc names have the "
               "sign reversed)"),
    ("UTC-5", "'UTC-5' is a UTC offset, not a time zone: give the zone of the place, such as Europe/Paris (it "
              "knows when daylight saving time applies), or Etc/GMT+5 for UTC-05:00 all year (Etc names have the "
              "sign reversed)"),
    ("Narnia/Cair_Paravel", "unknown time zone 'Narnia/Cair_Paravel': use an IANA name such as Europe/Paris or "
                            "America/New_York"),
])
def test_a_near_miss_time_zone_gets_a_suggestion(capsys, takeout: Path, zone: str, message: str) -> None:
    code, out, err = pef(capsys, "-p", takeout, "--timezone", zone)
    assert (code, out) == (1, "")
    assert usage_error(err) == f"pef: error: argument --timezone: {message}"


def test_a_half_hour_offset_names_zones_that_have_it(capsys, takeout: Path) -> None:
    code, _, err = pef(capsys, "-p", takeout, "--timezone", "+05:30")
    assert code == 1
    assert "zones at UTC+05:30 now: " in err and "Asia/Kolkata" in err


def test_version_and_usage_errors_return_their_code(capsys) -> None:
    code, out, _ = pef(capsys, "--version")
    assert code == 0 and out.startswith("pef ")
    code, _, err = pef(capsys)
    assert code == 1
    assert usage_error(err) == "pef: error: the following arguments are required: -p/--path"
    assert cli.EXIT_FILE_ERRORS == 2
