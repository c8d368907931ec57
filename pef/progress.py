"""What a run shows while it works: bars on a terminal, plain lines in a log, or only what matters (-q).

Results, messages and `-v` file lines go to stdout; progress and warnings to
stderr. Bars are drawn only when both are a terminal: redirected to a file,
their carriage-return redraws would fill it, so a log gets one line per phase
and a progress line now and then instead.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Callable, TextIO

from tqdm import tqdm

PROGRESS_EVERY = 30.0  # seconds between progress lines in a log

# The report's words for what happened to a file (report.json: media `written`/`copied`, sidecars `unpaired`).
_WORDS = {"write": "written", "copy": "copied", "sidecar": "unpaired"}


def file_line(entry) -> str:
    """One `-v` line: what happened to a file, in the report's words."""
    word = "error" if entry.status == "error" else _WORDS.get(entry.kind, entry.kind)
    tail = f"  ERROR {entry.error}" if entry.error else ""
    return f"{word:9} {entry.source} -> {entry.output_file}{tail}"


def make_observer(*, verbose: bool = False, quiet: bool = False, progress: bool = True,
                  out: TextIO | None = None, err: TextIO | None = None,
                  on_output: Callable[[Path], None] | None = None):
    """The observer for these options and these streams (bars only when both are a terminal);
    on_output hears which output folder the run claimed."""
    out, err = out or sys.stdout, err or sys.stderr
    observer: TerminalObserver | PlainObserver
    if progress and not quiet and _is_terminal(out) and _is_terminal(err):
        observer = TerminalObserver(verbose)
    else:
        observer = PlainObserver(out, err, verbose=verbose, quiet=quiet, progress=progress)
    observer.on_output = on_output
    return observer


class _Output:
    on_output: Callable[[Path], None] | None = None

    def output_chosen(self, out: Path) -> None:
        if self.on_output is not None:
            self.on_output(out)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class TerminalObserver(_Output):
    """A pef.pipeline.Observer that draws one tqdm bar per phase."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.bar: tqdm | None = None
        self._lock = threading.Lock()

    def message(self, text: str) -> None:
        tqdm.write(text, file=sys.stdout)

    def warning(self, text: str) -> None:
        tqdm.write(text, file=sys.stderr)

    def start_phase(self, name: str, total: int | None = None, initial: int = 0) -> None:
        self.bar = tqdm(total=total, initial=initial, desc=name, unit=" files", dynamic_ncols=True, leave=True)

    def advance(self, n: int = 1) -> None:
        with self._lock:  # verify's readers advance from several threads
            if self.bar is not None and n:
                self.bar.update(n)

    def finished(self, entry) -> None:
        if self.verbose:
            tqdm.write(file_line(entry), file=sys.stdout)

    def end_phase(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class PlainObserver(_Output):
    """Lines only: for logs and pipes (a line per phase, one every PROGRESS_EVERY seconds), or quiet runs."""

    def __init__(self, out: TextIO, err: TextIO, *, verbose: bool = False, quiet: bool = False,
                 progress: bool = True, clock: Callable[[], float] = time.monotonic,
                 every: float = PROGRESS_EVERY) -> None:
        self.out, self.err = out, err
        self.verbose, self.quiet = verbose and not quiet, quiet
        self.progress = progress and not quiet
        self.clock, self.every = clock, every
        self._lock = threading.Lock()
        self._phase: str | None = None
        self._total: int | None = None
        self._count = 0
        self._last = 0.0

    def message(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.out, flush=True)

    def warning(self, text: str) -> None:
        print(text, file=self.err, flush=True)

    def start_phase(self, name: str, total: int | None = None, initial: int = 0) -> None:
        self._phase, self._total, self._count = name, total, initial
        self._last = self.clock()

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self._count += n
            if self.progress and self._phase is not None and self.clock() - self._last >= self.every:
                self._last = self.clock()
                self._line(running=True)

    def finished(self, entry) -> None:
        if self.verbose:
            print(file_line(entry), file=self.out, flush=True)

    def end_phase(self) -> None:
        if self.progress and self._phase is not None:
            self._line(running=False)
        self._phase = None

    def _line(self, running: bool) -> None:
        if self._total is None:
            text = f"{self._count} files" + (" so far" if running else "")
        else:
            text = f"{self._count}/{self._total} files"
            if running and self._total:
                text += f" ({100 * self._count // self._total}%)"
        print(f"{self._phase}: {text}", file=self.err, flush=True)
