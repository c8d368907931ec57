"""What the window runs, without Tk: its choices as a RunConfig, the observer that hands a run's progress
to the window's thread, the worker thread, ExifTool's status, and opening what a run made."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from pef.library import ALBUM_MODES, LAYOUTS
from pef.pipeline import Interrupted, Observer, RunConfig, RunResult, run

# Plain words for --layout and --albums, in the CLI's order; a value added to pef.library later shows as itself.
LAYOUT_WORDS = {
    "source": "Google's folders (Photos from 2019, album folders)",
    "year": "By year (Photos/2019)",
    "year/month": "By year and month (Photos/2019/07)",
    "year/month/day": "By year, month and day (Photos/2019/07/14)",
    "export": "Exactly as exported (Takeout/Google Photos/...)",
}
ALBUM_WORDS = {
    "copy": "A copy of each photo in its album folders",
    "link": "Links to the photo (saves space; some apps do not follow them)",
    "hardlink": "Hard links to the photo (saves space, same disk only)",
    "none": "No album folders",
}
THIS_MACHINE = "this computer's time zone"


def layout_choices() -> dict[str, str]:
    return {LAYOUT_WORDS.get(v, v): v for v in LAYOUTS}


def album_choices() -> dict[str, str]:
    return {ALBUM_WORDS.get(v, v): v for v in ALBUM_MODES}


# ----- choices -> RunConfig -------------------------------------------------
@dataclass(frozen=True)
class Choices:
    """What the window's widgets say, as plain data."""

    sources: tuple[Path, ...]
    destination: Path | None = None
    layout: str = "source"
    albums: str = "copy"
    archive: str = "keep"
    partner: str = "keep"
    timezone: str | None = None
    no_exif: bool = False
    suffixes: tuple[str, ...] = ()
    overwrite_dates: bool = False
    fix_extensions: bool = False
    album_keywords: bool = False
    jobs: int = field(default_factory=lambda: os.cpu_count() or 2)


def run_config(choices: Choices, *, dry_run: bool = False, resume: bool = False) -> RunConfig:
    """The RunConfig the CLI would build for the same options.

    Continue is `pef --resume -p SRC [-d DIR]`: it takes every option that shapes
    the output from the recorded run, as the CLI does when none is typed again.
    """
    config = RunConfig(
        sources=choices.sources, destination=choices.destination, resume=resume, dry_run=dry_run,
        suffixes=choices.suffixes, no_exif=choices.no_exif, jobs=choices.jobs, timezone=choices.timezone,
        overwrite_dates=choices.overwrite_dates, fix_extensions=choices.fix_extensions, layout=choices.layout,
        albums=choices.albums, archive=choices.archive, partner=choices.partner,
        album_keywords=choices.album_keywords,
    )
    if resume:
        config = replace(config, inherit=frozenset(config.recorded_options()))
    return config


def check_zone(text: str) -> tuple[str | None, str | None]:
    """The zone to use (None: this machine's) and, for a wrong one, what was probably meant."""
    from pef.cli import zone_advice
    from pef.timezones import load_zone

    text = text.strip()
    if not text or text == THIS_MACHINE:
        return None, None
    try:
        load_zone(text)
    except ValueError:
        advice = zone_advice(text)
        return None, "Time zone: " + advice[0].upper() + advice[1:]
    return text, None


# ----- what the chosen source holds -----------------------------------------
@dataclass(frozen=True)
class SourceSummary:
    lines: list[str]
    warnings: list[str]
    error: str | None = None


def describe_source(paths: tuple[Path, ...]) -> SourceSummary:
    """What the run will read (known before anything is read), in the pipeline's own terms."""
    from pef.parts import NOT_A_PART
    from pef.scan import PEF_OUTPUT
    from pef.sources import Source, SourceError

    try:
        source = Source(paths)
    except SourceError as exc:
        return SourceSummary([], [], str(exc))
    except OSError as exc:
        return SourceSummary([], [], f"Cannot read {exc.filename or paths[0]}: {exc.strerror or exc}")
    lines: list[str] = []
    if source.folder is None:
        names = ", ".join(p.name for p in source.archive_inputs)
        lines.append(f"{len(source.archive_inputs)} Takeout file(s) in {source.root}: {names}")
    elif source.parts is None:
        lines.append(f"The folder {source.folder} (read as the export itself)")
    else:
        parts = [p.name for p in source.parts.archives] + list(source.parts.folders)
        lines.append(f"{len(parts)} Takeout part(s) in {source.root}: {', '.join(sorted(parts))}")
        left_out = sorted(n for n, why in source.parts.ignored.items() if why in (NOT_A_PART, PEF_OUTPUT))
        if left_out:
            more = f" and {len(left_out) - 5} more" if len(left_out) > 5 else ""
            lines.append(f"Also in the folder, not read: {', '.join(left_out[:5])}{more}")
    warnings = [f"Missing part {m.name}: {m.why}. Files whose details are in it will get no dates."
                for m in source.missing_parts()]
    return SourceSummary(lines, warnings)


# ----- progress, handed from the run's thread to the window -----------------
@dataclass
class Phase:
    name: str
    total: int | None
    initial: int
    count: int
    started: float
    ended: bool = False


class WindowObserver(Observer):
    """A pef.pipeline.Observer for the window: called from the run's thread, read by the window's.

    Messages go through a queue in order; progress is a counter the window
    reads when it redraws, so a run of 200 000 files does not queue 200 000 events.
    """

    def __init__(self, events: queue.Queue, taps: tuple = (), clock: Callable[[], float] = time.monotonic) -> None:
        self.events = events
        self.taps = taps  # further observers told everything (the tests stop a run at an exact file)
        self.clock = clock
        self._lock = threading.Lock()
        self._phase: Phase | None = None

    def snapshot(self) -> Phase | None:
        with self._lock:
            return None if self._phase is None else Phase(**self._phase.__dict__)

    def message(self, text: str) -> None:
        self.events.put(("message", text))
        self._tell("message", text)

    def warning(self, text: str) -> None:
        self.events.put(("warning", text))
        self._tell("warning", text)

    def start_phase(self, name: str, total: int | None = None, initial: int = 0) -> None:
        with self._lock:
            self._phase = Phase(name, total, initial, initial, self.clock())
        self._tell("start_phase", name, total, initial)

    def advance(self, n: int = 1) -> None:
        with self._lock:
            if self._phase is not None:
                self._phase.count += n
        self._tell("advance", n)

    def finished(self, entry) -> None:
        self._tell("finished", entry)

    def end_phase(self) -> None:
        with self._lock:
            if self._phase is not None:
                self._phase.ended = True
        self._tell("end_phase")

    def output_chosen(self, out: Path) -> None:
        self.events.put(("output", out))
        self._tell("output_chosen", out)

    def _tell(self, name: str, *args) -> None:
        for tap in self.taps:
            getattr(tap, name)(*args)


def progress_text(phase: Phase, now: float) -> str:
    """`Overall progress: 120 of 246 files · 35 files a second · about 4 s left`."""
    if phase.total is None:
        text = f"{phase.name}: {phase.count} files" + ("" if phase.ended else " so far")
    else:
        text = f"{phase.name}: {phase.count} of {phase.total} files"
    elapsed, done = now - phase.started, phase.count - phase.initial
    if phase.ended or elapsed < 1.0 or done <= 0:
        return text
    rate = done / elapsed
    text += f" · {rate:,.0f} files a second" if rate >= 10 else f" · {rate:.1f} files a second"
    if phase.total is not None and phase.total > phase.count:
        text += f" · about {_duration((phase.total - phase.count) / rate)} left"
    return text


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes:02d} min"


# ----- the worker -------------------------------------------------------------
@dataclass
class Outcome:
    """How a run in the worker ended: a result, stopped before writing, or a refusal in plain words."""

    result: RunResult | None = None
    stopped_before_writing: bool = False
    error: str | None = None


class Job:
    """One pipeline.run in a thread of its own; stop() is the CLI's first Ctrl+C."""

    def __init__(self, config: RunConfig, observer: WindowObserver) -> None:
        self.config = config
        self.observer = observer
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._work, name="pef-run", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _work(self) -> None:
        self.observer.events.put(("done", self._outcome()))

    def _outcome(self) -> Outcome:
        from pef.execute import FULL_ERRNOS, FatalError
        from pef.exiftool import ExifToolError
        from pef.resume import RunRefused

        try:
            return Outcome(result=run(self.config, self.observer, stop=self._stop.is_set))
        except Interrupted:
            return Outcome(stopped_before_writing=True)
        except ExifToolError as exc:
            return Outcome(error=_window_words(str(exc)))
        except (RunRefused, FatalError) as exc:
            return Outcome(error=str(exc))
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            if exc.errno in FULL_ERRNOS:
                return Outcome(error=f"The output disk is full ({exc.strerror}{where}). Free some space, then try again.")
            return Outcome(error=f"{exc.strerror or exc}{where}")
        except Exception as exc:  # the window stays usable and says what happened, whatever it was
            return Outcome(error=f"Something went wrong that pef did not expect: {type(exc).__name__}: {exc}")


def exiftool_status() -> tuple[bool, str]:
    """Whether ExifTool can be run, and what to tell the user: its version, or how to get it here."""
    from pef.exiftool import ExifToolError, exiftool_version, find_exiftool, install_hint, missing_detail

    found = find_exiftool()
    if found is None:
        detail = missing_detail()
        return False, "ExifTool was not found.\n" + (f"{detail}\n" if detail else "") + _window_words(install_hint())
    try:
        version = exiftool_version(found)
    except ExifToolError as exc:
        return False, f"ExifTool ({found}) could not be run: {exc}\n" + _window_words(install_hint())
    return True, f"ExifTool {version} is ready ({found})."


def _window_words(text: str) -> str:
    """The CLI's advice on ExifTool, with the window's checkbox for --no-exif."""
    tick = "tick \"Only copy the files and set their dates\" to work without it."
    return (text.replace("or run pef with --no-exif to only copy files and set their file times.", "or " + tick)
            .replace("or run with --no-exif.", "or " + tick))


# ----- opening what the run made ----------------------------------------------
def open_path(path: Path) -> str | None:
    """Open a folder or file in the system's own program; what went wrong, or None."""
    try:
        if sys.platform == "win32":
            os.startfile(path)
        elif sys.platform == "darwin":
            subprocess.Popen(["open", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            subprocess.Popen(["xdg-open", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    except OSError as exc:
        return f"Could not open {path}: {exc.strerror or exc}. Open it yourself from your file manager."
    return None
