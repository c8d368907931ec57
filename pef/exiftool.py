"""One persistent ExifTool process (`-stay_open True -@ -`), driven one command at a time.

Arguments travel one per line, so an argument holding a newline would split in
two; callers escape values (`-ec`) and never pass such file names (they give
them a safe temporary name first).

ExifTool runs behind pef.exiftool_guard, which ends it when pef goes away, and
in its own process group (its own hidden console on Windows), so the console's
Ctrl+C reaches pef alone and the files in flight finish. Its two output pipes
are read by one thread each into one queue: waiting on pipes with select()
works on POSIX only.
"""

from __future__ import annotations

import itertools
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Mapping

from pef import exiftool_guard

_GUARD = Path(exiftool_guard.__file__)
# The Windows download's name: that build waits for a key press when it exits, so it must be renamed.
_KEY_WAITING_NAME = "exiftool(-k).exe"

_HINTS = {
    "win32": (
        "  winget install OliverBetz.ExifTool\n"
        "  or: choco install exiftool\n"
        "  or: download the Windows zip from https://exiftool.org, unzip it, rename exiftool(-k).exe to\n"
        "      exiftool.exe and keep it with its exiftool_files folder beside pef or in a folder on PATH"
    ),
    "darwin": "  brew install exiftool\n  or: the macOS package from https://exiftool.org",
    "linux": (
        "  Debian/Ubuntu: sudo apt install libimage-exiftool-perl\n"
        "  Fedora:        sudo dnf install perl-Image-ExifTool\n"
        "  Arch:          sudo pacman -S perl-image-exiftool"
    ),
}


def install_hint(platform: str = sys.platform) -> str:
    """How to get ExifTool on this system (platform as in sys.platform)."""
    steps = _HINTS.get(platform, _HINTS["linux"] if platform.startswith("linux") else "  see https://exiftool.org")
    return (
        "ExifTool is needed to write metadata. Install it:\n"
        f"{steps}\n"
        "or tell pef where it is with the PEF_EXIFTOOL variable (the program's full path),\n"
        "or run pef with --no-exif to only copy files and set their file times."
    )


class ExifToolError(Exception):
    """ExifTool could not be started, died, or timed out."""


class ExifToolCrashed(ExifToolError):
    """The process died under a command (killed, out of memory): a fresh one may well succeed."""


class ExifToolMissing(ExifToolError):
    def __init__(self, detail: str | None = None, platform: str = sys.platform) -> None:
        super().__init__(f"{detail}\n{install_hint(platform)}" if detail else install_hint(platform))


@dataclass(frozen=True)
class Reply:
    stdout: str
    stderr: str

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("Error")]

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("Warning")]


def program_dir() -> Path:
    """The folder of the program the user ran (pef, pef.exe, pef.py), where ExifTool may be kept beside it."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(sys.argv[0] if sys.argv and sys.argv[0] else ".").resolve().parent


def find_exiftool(
    explicit: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    beside: Path | None = None,
    platform: str = sys.platform,
) -> str | None:
    """The ExifTool to run, first found of: explicit (RunConfig.exiftool), $PEF_EXIFTOOL, one beside
    pef's own program (beside, default program_dir()), exiftool on PATH. None when there is none."""
    environ = os.environ if environ is None else environ
    for given in (explicit, environ.get("PEF_EXIFTOOL")):
        if given:
            # A bare name is looked up on PATH; a path is taken as it is (a missing one fails with its own name).
            return _which(given, environ) if os.sep not in given and "/" not in given else given
    name = "exiftool.exe" if platform == "win32" else "exiftool"
    candidate = (program_dir() if beside is None else beside) / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return _which(name, environ)


def missing_detail(environ: Mapping[str, str] | None = None, beside: Path | None = None) -> str | None:
    """What a user who downloaded ExifTool for Windows most likely did: kept its original name."""
    environ = os.environ if environ is None else environ
    folders = [program_dir() if beside is None else beside]
    folders += [Path(p) for p in environ.get("PATH", "").split(os.pathsep) if p]
    for folder in folders:
        if (folder / _KEY_WAITING_NAME).is_file():
            return f"Found {folder / _KEY_WAITING_NAME}: rename it to exiftool.exe (keep it beside its exiftool_files folder)."
    return None


def exiftool_version(executable: str) -> str:
    """ExifTool's version, from one quick run: proves the program found is one that runs."""
    try:
        out = subprocess.run([executable, "-ver"], capture_output=True, text=True, timeout=60, check=True,
                             **_own_group())
    except (OSError, subprocess.SubprocessError) as exc:
        raise ExifToolError(f"cannot run ExifTool ({executable}): {exc}") from exc
    return out.stdout.strip()


def run_once(executable: str, args: list[str], paths: list[str], timeout: float = 600) -> bytes:
    """One ExifTool run over many files (named on stdin, so any name is safe); its stdout."""
    listing = "".join(p + "\n" for p in paths).encode("utf-8", "surrogateescape")
    try:
        out = subprocess.run([executable, *_WINDOWS_ARGS[1:], "-charset", "filename=utf8", *args, "-@", "-"],
                             input=listing, capture_output=True, timeout=timeout, **_own_group())
    except (OSError, subprocess.SubprocessError) as exc:
        raise ExifToolError(f"cannot run ExifTool ({executable}): {exc}") from exc
    return out.stdout


def _which(name: str, environ: Mapping[str, str]) -> str | None:
    return shutil.which(name, path=environ.get("PATH", os.defpath))


# Paths over 260 characters on Windows (an option older ExifTools ignore).
_WINDOWS_ARGS = ["-common_args", "-api", "WindowsLongPath=1"] if sys.platform == "win32" else []


def _own_group() -> dict:
    """Popen arguments that keep the console's Ctrl+C (and the closing of the console window) away from ExifTool."""
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.CREATE_NO_WINDOW}
    return {"start_new_session": True}


# Every running ExifTool, so a second Ctrl+C can end them before pef exits.
_LIVE: set[subprocess.Popen] = set()


def kill_all() -> None:
    """End every ExifTool now (from a signal handler: one raw write each, no locks)."""
    for proc in list(_LIVE):
        try:
            if proc.stdin is not None:
                os.write(proc.stdin.fileno(), exiftool_guard.KILL + b"\n")
        except (OSError, ValueError):
            pass


def _pump(pipe: IO[bytes], index: int, into: queue.Queue) -> None:
    try:
        while True:
            chunk = pipe.read1(1 << 16)  # type: ignore[attr-defined]
            into.put((index, chunk))
            if not chunk:
                return
    except (OSError, ValueError):
        into.put((index, b""))


class ExifTool:
    """A stay-open ExifTool; not thread-safe, so each worker owns one."""

    def __init__(self, executable: str, timeout: float = 300.0) -> None:
        self.executable = executable
        self.timeout = timeout
        self._counter = itertools.count(1)
        self._proc: subprocess.Popen | None = None
        self._output: queue.Queue = queue.Queue()  # (0 stdout | 1 stderr, bytes; b"" at the end)
        self._bufs = (bytearray(), bytearray())
        self._ended = [False, False]

    def _start(self) -> subprocess.Popen:
        command = [sys.executable, "-I", "-S", str(_GUARD), str(self.timeout),
                   self.executable, "-stay_open", "True", "-@", "-", *_WINDOWS_ARGS]
        try:
            proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    **_own_group())
        except OSError as exc:
            raise ExifToolError(f"cannot start ExifTool ({self.executable}): {exc.strerror or exc}") from exc
        self._proc, self._output = proc, queue.Queue()
        self._bufs, self._ended = (bytearray(), bytearray()), [False, False]
        for index, pipe in enumerate((proc.stdout, proc.stderr)):
            assert pipe is not None
            threading.Thread(target=_pump, args=(pipe, index, self._output), daemon=True).start()
        _LIVE.add(proc)
        try:
            self._read_until(exiftool_guard.READY, streams=(0,))
        except ExifToolError:
            # The guard could not start ExifTool and said why on stderr.
            self._drain(1)
            reason = self._bufs[1].decode("utf-8", "replace").strip()
            self.kill()
            raise ExifToolError(reason or f"cannot start ExifTool ({self.executable})") from None
        return proc

    def run(self, args: list[str]) -> Reply:
        reply = self.run_many([args])[0]
        if isinstance(reply, ExifToolError):
            raise reply
        return reply

    def run_many(self, commands: list[list[str]]) -> list[Reply | ExifToolError]:
        """Each command's reply (or what stopped it), in order. All are sent before the first reply is
        awaited, so ExifTool goes from one to the next without waiting on pef. After a failure (the
        process died or timed out and was ended) the commands it never reached run one by one."""
        for args in commands:
            for arg in args:
                if "\n" in arg or "\r" in arg or "\x00" in arg:
                    raise ValueError(f"ExifTool argument holds a line break or NUL: {arg!r}")
        try:
            markers = self._send(commands)
        except ExifToolError as exc:
            return [exc] * len(commands)
        replies: list[Reply | ExifToolError] = []
        for marker in markers:
            try:
                out, err = self._read_until(marker)
            except ExifToolError as exc:
                replies.append(exc)
                break
            replies.append(Reply(out.decode("utf-8", "replace"), err.decode("utf-8", "replace")))
        for args in commands[len(replies):]:
            replies += self.run_many([args])
        return replies

    def _send(self, commands: list[list[str]]) -> list[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._reap()
            self._start()
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        markers, lines = [], []
        for args in commands:
            n = next(self._counter)
            marker = f"{{ready{n}}}"
            # -echo4 prints the marker on stderr after the command, so both streams end on it.
            lines += [*args, "-echo4", marker, f"-execute{n}"]
            markers.append(marker.encode())
        payload = "\n".join([*lines, ""]).encode("utf-8", "surrogateescape")
        try:
            proc.stdin.write(payload)
            proc.stdin.flush()
        except OSError as exc:
            self.kill()
            raise ExifToolCrashed(f"ExifTool stopped accepting commands: {exc}") from exc
        return markers

    def _read_until(self, marker: bytes, streams: tuple[int, ...] = (0, 1)) -> tuple[bytes, bytes]:
        """Each stream's output up to marker and its line end (\\n, or \\r\\n from ExifTool on Windows)."""
        deadline = time.monotonic() + self.timeout
        found: dict[int, bytes] = {}
        while True:
            for index in streams:
                if index not in found:
                    text = _cut_at(self._bufs[index], marker)
                    if text is not None:
                        found[index] = text
            if len(found) == len(streams):
                return found.get(0, b""), found.get(1, b"")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise ExifToolError(f"ExifTool did not answer within {self.timeout:.0f} s")
            try:
                index, chunk = self._output.get(timeout=remaining)
            except queue.Empty:
                continue
            if not chunk:
                self._ended[index] = True
                self.kill()
                raise ExifToolCrashed("ExifTool exited unexpectedly")
            self._bufs[index].extend(chunk)

    def _drain(self, index: int) -> None:
        """What is left of one stream once its writer is gone (bounded: the writer ended)."""
        deadline = time.monotonic() + 10
        while not self._ended[index] and time.monotonic() < deadline:
            try:
                got, chunk = self._output.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return
            if chunk:
                self._bufs[got].extend(chunk)
            else:
                self._ended[got] = True

    def kill(self, patience: float = 10.0) -> None:
        """End ExifTool now: the guard ends it with all it started; a guard that does not answer
        within patience seconds is ended with its whole process group (process tree on Windows)."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            try:
                assert proc.stdin is not None
                os.write(proc.stdin.fileno(), exiftool_guard.KILL + b"\n")
                proc.wait(timeout=patience)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                _kill_tree(proc)
        self._reap()

    def close(self) -> None:
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            try:
                assert proc.stdin is not None
                proc.stdin.write(b"-stay_open\nFalse\n")
                proc.stdin.flush()
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()
                return
        self._reap()

    def _reap(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        _LIVE.discard(proc)
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def _kill_tree(guard: subprocess.Popen) -> None:
    if sys.platform == "win32":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(guard.pid)], capture_output=True,
                       creationflags=subprocess.CREATE_NO_WINDOW)
    else:
        try:
            os.killpg(guard.pid, signal.SIGKILL)  # the guard leads a session and group of its own
        except OSError:
            pass
    guard.kill()


def _cut_at(buf: bytearray, marker: bytes) -> bytes | None:
    """The bytes before marker (alone on its line), removed from buf with it; None while it has not come.

    Commands are sent ahead, so the next command's output may already follow the marker in buf: that
    stays there for its own reply. A marker only counts at the start of a line, which no output of a
    command can fake (ExifTool's JSON keeps each value inside one quoted line)."""
    for end in (b"\n", b"\r\n"):
        token = marker + end
        if buf.startswith(token):
            at = 0
        else:
            found = buf.find(b"\n" + token)
            if found < 0:
                continue
            at = found + 1
        text = bytes(buf[:at])
        del buf[: at + len(token)]
        return text
    return None
