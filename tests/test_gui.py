"""The pef window, driven for real: real Tk widgets on a real X server (Xvfb), real runs of pef.pipeline,
real ExifTool; a screenshot of each screen is saved (PEF_GUI_SHOTS, default a temporary folder)."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, run_cli, tree_files, tree_hashes
from pef import gui, gui_run
from pef.exiftool import exiftool_version, install_hint
from pef.pipeline import Observer
from pef.sample import generate_takeout, jpeg_bytes, sidecar_dict

OPTIONS = ("--timezone", "Europe/Paris", "--layout", "year/month", "--archive", "separate")
LIMIT = 120.0  # seconds; only a hung run ever reaches it (every wait below ends on an event)
SHOTS = Path(os.environ.get("PEF_GUI_SHOTS") or tempfile.mkdtemp(prefix="pef-gui-shots-"))


# ----- the X server and the window ---------------------------------------------
@pytest.fixture(scope="module")
def display():
    """A private X server on a display number it picks itself (-displayfd: it says which once it is ready)."""
    pytest.importorskip("tkinter", reason="this Python has no Tk (Debian: apt install python3-tk)")
    if shutil.which("Xvfb") is None:
        pytest.skip("no X server can be made: Xvfb is not installed (Debian: apt install xvfb; scripts/setup.sh does)")
    server = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    number = server.stdout.readline().strip()
    if not number:
        server.kill()
        pytest.skip("Xvfb could not start a display")
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def opened(tmp_path: Path, monkeypatch) -> Path:
    """A stand-in for the desktop's xdg-open, first on PATH: each path it is asked to open becomes a line."""
    log = tmp_path / "opened.txt"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "xdg-open").write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{log}"\n')
    (bin_dir / "xdg-open").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


class Window:
    """One pef window on the test display, and the ways a test uses it."""

    def __init__(self, display: str, taps: tuple = ()) -> None:
        import tkinter

        from pef.gui_window import App

        self.root = tkinter.Tk(screenName=display, className="pef")
        self.app = App(self.root, taps=taps)
        self.pump_until(lambda: "Looking" not in self.app.exiftool_label.cget("text"))

    def pump_until(self, condition, what: str = "the window") -> None:
        deadline = time.monotonic() + LIMIT
        wake = threading.Event()
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not reached in {LIMIT:.0f} s")
            self.root.update()
            wake.wait(0.01)

    def idle(self) -> None:
        self.pump_until(lambda: not self.app.busy, "the run")
        self.root.update()

    def choose(self, *paths: Path) -> None:
        self.app.choose_source(list(paths))
        self.idle()

    def set_entry(self, entry, text: str) -> None:
        entry.delete(0, "end")
        entry.insert(0, text)

    def set_options(self, destination: Path) -> None:
        """The same options as OPTIONS, through the widgets."""
        app = self.app
        self.set_entry(app.dest_entry, str(destination))
        app.zone_box.set("Europe/Paris")
        app.layout_box.set(gui_run.LAYOUT_WORDS["year/month"])
        app.archive_check.invoke()
        assert app.archive_check.instate(["selected"])

    def shot(self, name: str, screen: bool = False) -> Path:
        """The window as drawn (or the whole screen, for a dialog over it) in a PNG: ImageMagick's import
        when it is installed, else Pillow's grab of the X display."""
        self.root.update_idletasks()
        self.root.update()
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        screen_name = self.root.winfo_screen()
        if shutil.which("import"):
            window = "root" if screen else self.root.wm_frame()
            subprocess.run(["import", "-window", window, str(path)], check=True, env={**os.environ, "DISPLAY": screen_name})
        else:
            from PIL import ImageGrab

            r = self.root
            box = None if screen else (r.winfo_rootx(), r.winfo_rooty(), r.winfo_rootx() + r.winfo_width(),
                                       r.winfo_rooty() + r.winfo_height())
            ImageGrab.grab(bbox=box, xdisplay=screen_name).save(path)
        assert path.stat().st_size > 0
        return path

    def close(self) -> None:
        if not self.app.closed:
            self.app.stop_and_close()
            self.pump_until(lambda: self.app.closed, "closing")


@pytest.fixture
def window(display):
    made: list[Window] = []

    def open_window(taps: tuple = ()) -> Window:
        made.append(Window(display, taps))
        return made[-1]

    gc.collect()  # windows of earlier tests go here, not in a run's thread: Tcl may only be called from this one
    yield open_window
    for w in made:
        w.close()
    made.clear()
    gc.collect()


class StopAtFirstFile(Observer):
    """Holds the run when its first file is finished until the test has pressed Stop: the stop lands at an
    exact file whatever the machine's speed."""

    def __init__(self) -> None:
        self.first = threading.Event()
        self.release = threading.Event()

    def finished(self, entry) -> None:
        if not self.first.is_set():
            self.first.set()
            assert self.release.wait(LIMIT)


# ----- samples --------------------------------------------------------------------
@pytest.fixture(scope="module")
def takeout(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gui") / "export"
    generate_takeout(root, photos=26, videos=3, seed=3)
    return root


@pytest.fixture(scope="module")
def reference(takeout: Path, tmp_path_factory) -> tuple[Path, str]:
    """The CLI's run with OPTIONS: its output folder and its summary."""
    out = tmp_path_factory.mktemp("cli")
    proc = run_cli("-p", str(takeout), "-d", str(out), *OPTIONS, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    return out / "export_pefProcessed", proc.stdout


def without_places_and_times(summary: str) -> list[str]:
    return [line for line in summary.splitlines() if not line.startswith(("Output:", "Time:"))]


def fingerprint(out: Path) -> dict[str, str]:
    """Every output file's content (the state and report aside, which record times)."""
    return {rel: hashlib.sha256((out / rel).read_bytes()).hexdigest() for rel in tree_files(out)
            if not rel.startswith(("processing_state", "report."))}


# ----- tests ------------------------------------------------------------------------
def test_preview_shows_the_exact_counts_and_writes_nothing(window, takeout: Path, tmp_path: Path) -> None:
    before = tree_hashes(takeout.parent)
    w = window()
    w.shot("0-start")
    w.choose(takeout)
    assert w.app.found_label.cget("text") == f"2 Takeout part(s) in {takeout}: Takeout, Takeout 2"
    assert not w.app.warning_label.winfo_ismapped()
    assert not w.app.continue_button.winfo_ismapped()
    w.set_options(tmp_path / "library")
    w.app.preview_button.invoke()
    w.idle()
    w.shot("1-preview")
    assert w.app.headline.cget("text") == "Preview (nothing was written)"
    assert w.app.details_text() == (
        "Media files:              32\n"
        "Paired with a sidecar:    29\n"
        "Unpaired media:           3\n"
        "Sidecars without media:   1\n"
        "Broken sidecars:          0\n"
        "Duplicates written once:  4\n"
        "Special folders:          archive 3, trash 1\n"
        "\n"
        f"Output: {tmp_path / 'library' / 'export_pefProcessed'} (Start creates this new folder)"
    )
    assert tree_hashes(takeout.parent) == before
    assert not (tmp_path / "library").exists()


def test_start_makes_the_cli_library_and_summary(window, takeout: Path, reference, tmp_path: Path,
                                                 opened: Path) -> None:
    ref_out, ref_stdout = reference
    before = tree_hashes(takeout)
    w = window()
    w.choose(takeout)
    w.set_options(tmp_path)
    w.app.start_button.invoke()
    assert w.app.stop_button.instate(["!disabled"]) and w.app.start_button.instate(["disabled"])
    w.idle()
    w.shot("3-done")
    out = tmp_path / "export_pefProcessed"
    assert w.app.headline.cget("text") == "Done: your library is ready."
    assert w.app.progress_label.cget("text") == "Overall progress: 34 of 34 files"
    assert tree_files(out) == tree_files(ref_out)
    assert fingerprint(out) == fingerprint(ref_out)
    shown = w.app.details_text()
    summary = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert shown == (f"Your library is in {out}. The report shows what was fixed, what was not and why.\n\n"
                     + (out / "report.txt").read_text(encoding="utf-8").rstrip("\n"))
    assert without_places_and_times(shown)[2:] == without_places_and_times(ref_stdout)[:-2]
    assert summary["summary"]["done"] == 34 and summary["audit"]["passed"] is True
    assert tree_hashes(takeout) == before

    for n, button in enumerate((w.app.open_library_button, w.app.open_report_button, w.app.open_unprocessed_button)):
        button.invoke()  # one at a time: each opener is a process of its own
        w.pump_until(lambda: opened.exists() and len(opened.read_text().splitlines()) == n + 1, "xdg-open")
    assert opened.read_text().splitlines() == [str(out), str(out / "report.html"), str(out / "Unprocessed")]


def held_at_first_file(window, takeout: Path, tmp_path: Path):
    """A window running the sample, held by its tap once the first file is done."""
    tap = StopAtFirstFile()
    w = window(taps=(tap,))
    w.choose(takeout)
    w.set_options(tmp_path)
    w.app.start_button.invoke()
    w.pump_until(tap.first.is_set, "the first file")
    return w, tap


def test_stop_then_continue_gives_the_uninterrupted_library(window, takeout: Path, reference, tmp_path: Path) -> None:
    ref_out, _ = reference
    w, tap = held_at_first_file(window, takeout, tmp_path)
    w.pump_until(lambda: w.app.progress_label.cget("text").startswith("Overall progress: "), "the progress line")
    w.shot("2-running")
    w.app.stop_button.invoke()
    assert w.app.headline.cget("text") == "Stopping: finishing the files being written and saving…"
    assert w.app.stop_button.instate(["disabled"])
    tap.release.set()
    w.idle()
    w.shot("4-stopped")
    out = tmp_path / "export_pefProcessed"
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    done = report["summary"]["done"]
    assert report["interrupted"] is True and 1 <= done < 34
    assert w.app.headline.cget("text") == "Stopped: you can continue later."
    assert w.app.continue_button.winfo_ismapped()
    assert w.app.details_text().startswith(
        f"Everything done so far is saved in {out}. To finish, press Continue now or later: open pef, "
        "choose the same Takeout and press Continue.\n\npef report\n")
    w.close()

    # Later: a new window, the same Takeout chosen again.
    w = window()
    w.choose(takeout)
    assert not w.app.continue_button.winfo_ismapped()  # none beside the Takeout: it is in tmp_path
    w.set_entry(w.app.dest_entry, str(tmp_path))
    w.app.dest_entry.focus_force()
    w.root.update()
    w.app.dest_entry.event_generate("<Return>", when="tail")  # the library folder typed in, then Enter
    w.root.update()
    w.idle()
    w.shot("5-continue-offered")
    assert w.app.continue_button.winfo_ismapped()
    assert w.app.headline.cget("text") == "This Takeout has an unfinished run: Continue finishes it."
    assert w.app.details_text() == (
        f"An earlier run in {out} stopped with {done} of 34 files done. Continue finishes it there, with the "
        "options it was started with; Start makes a new, full copy instead.")
    w.app.continue_button.invoke()
    w.idle()
    assert w.app.headline.cget("text") == "Done: your library is ready."
    assert not w.app.continue_button.winfo_ismapped()
    assert f"Resuming: skipping {done} already-processed files" in w.app.details_text()
    assert tree_files(out) == tree_files(ref_out)
    assert fingerprint(out) == fingerprint(ref_out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export_pefProcessed"]


def test_closing_mid_run_asks_then_stops_and_saves(window, takeout: Path, tmp_path: Path) -> None:
    w, tap = held_at_first_file(window, takeout, tmp_path)
    close = w.root.tk.call("wm", "protocol", w.root, "WM_DELETE_WINDOW")  # what the window manager calls
    asked: list[str] = []

    def answer(button: str) -> None:
        """Answer the question box once it is drawn (the real one: Tk's own on X11)."""
        box = ".__tk__messagebox"
        if not w.root.winfo_exists() or not int(w.root.tk.call("winfo", "exists", box)):
            w.root.after(20, answer, button)
            return
        w.root.update_idletasks()
        asked.append(w.root.tk.call(f"{box}.msg", "cget", "-text"))
        if button == "no":
            w.shot("6-close-question", screen=True)
        w.root.tk.call(f"{box}.{button}", "invoke")

    w.root.after(20, answer, "no")
    w.root.tk.call(close)
    assert asked == [gui_window().CLOSE_QUESTION] and not w.app.closed and w.app.busy
    w.root.after(20, answer, "yes")
    w.root.tk.call(close)
    assert len(asked) == 2
    tap.release.set()
    w.pump_until(lambda: w.app.closed, "closing")
    report = json.loads((tmp_path / "export_pefProcessed" / "report.json").read_text(encoding="utf-8"))
    assert report["interrupted"] is True and 1 <= report["summary"]["done"] < 34
    assert (tmp_path / "export_pefProcessed" / "processing_state.json").is_file()


def test_a_signal_stops_and_closes_as_closing_does(window, takeout: Path, tmp_path: Path) -> None:
    """Ctrl+C in the terminal that started the window (SIGINT), or SIGTERM: no question, the same safe stop."""
    tap = StopAtFirstFile()
    w = window(taps=(tap,))
    w.choose(takeout)
    w.set_options(tmp_path)
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    w.app.stop_on_signals()
    try:
        w.app.start_button.invoke()
        w.pump_until(tap.first.is_set, "the first file")
        os.kill(os.getpid(), signal.SIGTERM)
        w.pump_until(lambda: w.app.job is not None and w.app.job.stopping, "the stop")
        tap.release.set()
        w.pump_until(lambda: w.app.closed, "closing")
    finally:
        signal.signal(signal.SIGINT, handlers[0])
        signal.signal(signal.SIGTERM, handlers[1])
    report = json.loads((tmp_path / "export_pefProcessed" / "report.json").read_text(encoding="utf-8"))
    assert report["interrupted"] is True and 1 <= report["summary"]["done"] < 34


class HoldBeforePlanning(Observer):
    """Once armed, holds a run at its planning phase until the test has pressed Stop: stopped before any write."""

    def __init__(self) -> None:
        self.armed = False
        self.held = threading.Event()
        self.release = threading.Event()

    def start_phase(self, name, total=None, initial=0) -> None:
        if self.armed and name == "Matching and planning":
            self.held.set()
            assert self.release.wait(LIMIT)


def test_stop_before_any_file_is_written(window, takeout: Path, tmp_path: Path) -> None:
    tap = HoldBeforePlanning()
    w = window(taps=(tap,))
    w.choose(takeout)
    w.set_options(tmp_path)
    tap.armed = True
    w.app.start_button.invoke()
    w.pump_until(tap.held.is_set, "planning")
    w.app.stop_button.invoke()
    tap.release.set()
    w.idle()
    assert w.app.headline.cget("text") == "Stopped before any file was written."
    assert w.app.details_text() == "Nothing was written. Press Start when you are ready."
    assert not w.app.continue_button.winfo_ismapped()
    assert list(tmp_path.iterdir()) == []


def test_a_pef_output_is_refused_as_the_source(window, reference) -> None:
    ref_out, _ = reference
    w = window()
    w.choose(ref_out)
    assert w.app.found_label.cget("text") == (
        f"{ref_out} is the output of a pef run, not a Takeout: give the Takeout it was made from "
        f"(to check this output: pef verify {ref_out})")
    assert w.app.sources == ()
    assert w.app.preview_button.instate(["disabled"]) and w.app.start_button.instate(["disabled"])


def gui_window():
    from pef import gui_window as module

    return module


def test_a_missing_part_is_named_when_the_parts_are_chosen(window, tmp_path: Path) -> None:
    stem = "takeout-20240101T000000Z"
    for n in (1, 3):
        with zipfile.ZipFile(tmp_path / f"{stem}-00{n}.zip", "w") as z:
            z.writestr(f"Takeout/Google Photos/Photos from 2020/IMG_{n}.jpg", jpeg_bytes(seed=n))
            z.writestr(f"Takeout/Google Photos/Photos from 2020/IMG_{n}.jpg.json",
                       json.dumps(sidecar_dict(f"IMG_{n}.jpg", 1_600_000_000 + n)))
    w = window()
    picked = f'"{tmp_path / (stem + "-001.zip")}" "{tmp_path / (stem + "-003.zip")}"'
    answer_file_dialog(w, ".__tk_filedialog", picked)
    w.app.files_button.invoke()  # the real dialog, answered as a user would: file names typed, Open pressed
    w.idle()
    w.shot("7-missing-part")
    assert w.app.found_label.cget("text") == (
        f"2 Takeout file(s) in {tmp_path}: {stem}-001.zip, {stem}-003.zip")
    assert w.app.warning_label.cget("text") == (
        f"Missing part {stem}-002.zip: not found: the parts here are numbered 001, 003. "
        "Files whose details are in it will get no dates.")
    assert w.app.warning_label.winfo_ismapped()


def test_the_folder_dialog_chooses_the_source(window, takeout: Path) -> None:
    w = window()
    answer_file_dialog(w, ".__tk_choosedir", str(takeout))
    w.app.folder_button.invoke()
    w.idle()
    assert w.app.sources == (takeout,)
    assert w.app.found_label.cget("text") == f"2 Takeout part(s) in {takeout}: Takeout, Takeout 2"


def answer_file_dialog(w: Window, box: str, text: str) -> None:
    """Type text into Tk's own file dialog once it is open and press its OK/Open button, as often as it takes
    (the folder dialog first goes into a folder typed, and takes it at the second OK)."""
    seen = []

    def answer() -> None:
        if not int(w.root.tk.call("winfo", "exists", box)):
            if not seen:
                w.root.after(20, answer)
            return
        if not int(w.root.tk.call("winfo", "viewable", box)):
            w.root.after(20, answer)
            return
        seen.append(True)
        entry = f"{box}.contents.f2.ent"
        w.root.tk.call(entry, "delete", 0, "end")
        w.root.tk.call(entry, "insert", 0, text)
        w.root.tk.call(f"{box}.contents.f2.ok", "invoke")
        w.root.after(20, answer)

    w.root.after(20, answer)


def test_exiftool_status_and_check_again(window, monkeypatch) -> None:
    monkeypatch.setenv("PEF_EXIFTOOL", "no-such-exiftool")
    w = window()
    assert w.app.exiftool_label.cget("text") == "ExifTool was not found.\n" + install_hint().replace(
        "or run pef with --no-exif to only copy files and set their file times.",
        'or tick "Only copy the files and set their dates" to work without it.')
    w.shot("8-no-exiftool")
    monkeypatch.delenv("PEF_EXIFTOOL")
    w.app.recheck_button.invoke()
    w.pump_until(lambda: "Looking" not in w.app.exiftool_label.cget("text"), "the check")
    found = shutil.which("exiftool")
    assert w.app.exiftool_label.cget("text") == f"ExifTool {exiftool_version(found)} is ready ({found})."


def test_start_without_exiftool_says_what_to_do(window, takeout: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PEF_EXIFTOOL", "no-such-exiftool")
    w = window()
    w.choose(takeout)
    w.set_entry(w.app.dest_entry, str(tmp_path))
    w.app.start_button.invoke()
    w.idle()
    assert w.app.headline.cget("text") == "pef cannot start with this choice:"
    assert w.app.details_text() == install_hint().replace(
        "or run pef with --no-exif to only copy files and set their file times.",
        'or tick "Only copy the files and set their dates" to work without it.')
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_time_zone_is_explained(window, takeout: Path) -> None:
    w = window()
    w.choose(takeout)
    w.app.zone_box.set("Europe/Londn")
    w.app.preview_button.invoke()
    assert not w.app.busy
    assert w.app.headline.cget("text") == "Check the options"
    assert w.app.details_text() == "Time zone: Unknown time zone 'Europe/Londn'; did you mean Europe/London?"


def test_advanced_options_are_folded(window) -> None:
    w = window()
    assert not w.app.advanced.winfo_ismapped()
    w.app.advanced_button.invoke()
    w.root.update()
    assert w.app.advanced.winfo_ismapped() and w.app.advanced_button.cget("text") == "Advanced options ▾"
    w.shot("9-advanced")


# ----- without a window -------------------------------------------------------------
def _tk_less_python() -> list[str]:
    """A Python without Tk: this machine's own when it has none (Debian's without python3-tk), else this one
    with tkinter made unimportable the way a missing module is (sys.modules[name] = None)."""
    for python in ("/usr/bin/python3",):
        probe = subprocess.run([python, "-c", "import pef.cli\ntry:\n import tkinter\nexcept ImportError:\n print('no tk')"],
                               capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
        if probe.stdout.strip() == "no tk":
            return [python, "-m", "pef"]
    return [sys.executable, "-c", "import sys; sys.modules['tkinter'] = None; from pef.cli import main; "
            "sys.exit(main())"]


def test_without_tk_pef_gui_says_how_to_get_it() -> None:
    proc = subprocess.run([*_tk_less_python(), "gui"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == gui.tk_missing_text("linux") + "\n"


def test_without_a_display_pef_gui_says_so() -> None:
    pytest.importorskip("tkinter", reason="this Python has no Tk")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run([sys.executable, "-m", "pef", "gui"], capture_output=True, text=True,
                          env={**env, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 1
    assert proc.stderr == gui.no_display_text("no display name and no $DISPLAY environment variable") + "\n"


@pytest.mark.parametrize("args, code, said", [
    (["--help"], 0, "pef gui: open the pef window (no options). From a terminal: pef -p FOLDER (pef --help).\n"),
    (["-p", "x"], 1, "pef gui: takes no options (got -p x); the window has them all.\n"),
])
def test_pef_gui_takes_no_options(args: list[str], code: int, said: str) -> None:
    proc = run_cli("gui", *args)
    assert (proc.returncode, proc.stderr, proc.stdout) == (code, said, "")


def test_the_pef_gui_program_is_installed() -> None:
    program = Path(sys.executable).parent / "pef-gui"
    if not program.exists():
        pytest.skip("pef is not installed in this Python's environment (pip install -e . makes pef-gui)")
    pytest.importorskip("tkinter", reason="this Python has no Tk")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run([str(program)], capture_output=True, text=True, env=env)
    assert proc.returncode == 1
    assert proc.stderr == gui.no_display_text("no display name and no $DISPLAY environment variable") + "\n"


def test_the_cli_never_imports_tkinter(takeout: Path) -> None:
    code = (f"import sys; from pef.cli import main; rc = main(['-p', {str(takeout)!r}, '--dry-run', '-q']); "
            "print(rc, 'tkinter' in sys.modules, 'pef.gui' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout == "0 False False\n", proc.stderr


def _in_a_terminal(answer: str | None, env: dict) -> tuple[int, str]:
    """`pef` with no arguments in a real terminal (a pty), typing answer (None: Ctrl+C)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "pef"], stdin=slave, stdout=slave, stderr=slave,
                            env={**env, "PYTHONPATH": str(REPO)}, close_fds=True, start_new_session=True)
    os.close(slave)
    seen = b""
    while not seen.endswith(b"[Y/n] "):  # answered once asked, as a person would (the terminal echoes it)
        seen += os.read(master, 4096)
    if answer is None:
        # A Ctrl+C that lands between the prompt and the read waits for the read to end (CPython's input()):
        # pressed again until pef answers, as a person would.
        while not select.select([master], [], [], 1.0)[0]:
            proc.send_signal(signal.SIGINT)
    else:
        os.write(master, answer.encode() + b"\n")
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal's other end is closed: pef has exited
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    return proc.wait(timeout=60), seen.decode().replace("\r\n", "\n")


def test_pef_alone_in_a_terminal_offers_the_window() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    offer = ("pef fixes a Google Photos Takeout. From the terminal: pef -p FOLDER (pef --help for everything).\n"
             "Open the pef window instead? [Y/n] ")
    code, seen = _in_a_terminal("n", env)
    assert code == 1
    assert seen.startswith(offer + "n\nusage: pef ")
    assert seen.endswith("pef: error: the following arguments are required: -p/--path\n")
    code, seen = _in_a_terminal(None, env)
    assert (code, seen) == (130, offer + "\n")
    code, seen = _in_a_terminal("", env)  # Enter: yes; here there is no display to open it on
    assert code == 1
    assert seen == offer + "\n" + gui.no_display_text("no display name and no $DISPLAY environment variable") + "\n"


def test_pef_alone_in_a_pipe_is_a_usage_error() -> None:
    proc = run_cli()
    assert proc.returncode == 1
    assert proc.stdout == "" and "the following arguments are required: -p/--path" in proc.stderr


def test_progress_text_counts_speed_and_time_left() -> None:
    phase = gui_run.Phase("Overall progress", total=246, initial=6, count=126, started=100.0)
    assert gui_run.progress_text(phase, 104.0) == "Overall progress: 126 of 246 files · 30 files a second · about 4 s left"
    assert gui_run.progress_text(phase, 100.5) == "Overall progress: 126 of 246 files"
    slow = gui_run.Phase("Overall progress", total=10_000, initial=0, count=12, started=0.0)
    assert gui_run.progress_text(slow, 4.0) == "Overall progress: 12 of 10000 files · 3.0 files a second · about 55 min left"
    scan = gui_run.Phase("Scanning", total=None, initial=0, count=500, started=0.0)
    assert gui_run.progress_text(scan, 2.0) == "Scanning: 500 files so far · 250 files a second"
    scan.ended = True
    assert gui_run.progress_text(scan, 2.0) == "Scanning: 500 files"
