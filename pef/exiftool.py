"""One persistent ExifTool process (`-stay_open True -@ -`), driven one command at a time.

Arguments travel one per line, so an argument holding a newline would split in
two; callers escape values (`-ec`) and never pass such file names (they link
them under a safe temporary name first).
"""

from __future__ import annotations

import itertools
import os
import selectors
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass

INSTALL_HINT = (
    "ExifTool is needed to write metadata. Install it:\n"
    "  Debian/Ubuntu: sudo apt install libimage-exiftool-perl\n"
    "  macOS:         brew install exiftool\n"
    "  Windows:       download it from https://exiftool.org\n"
    "or run pef with --no-exif to only copy files and set their file times."
)


# Process groups of every running ExifTool, so a second Ctrl+C can end them before pef exits.
_LIVE: set[int] = set()


def kill_all() -> None:
    for pid in list(_LIVE):
        try:
            os.killpg(pid, 9)
        except OSError:
            pass


class ExifToolError(Exception):
    """ExifTool could not be started, died, or timed out."""


class ExifToolCrashed(ExifToolError):
    """The process died under a command (killed, out of memory): a fresh one may well succeed."""


class ExifToolMissing(ExifToolError):
    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


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


def _die_with_parent() -> None:
    """ExifTool keeps waiting on a closed stdin, so after a kill -9 of pef it must be told to go (Linux)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def find_exiftool() -> str | None:
    return os.environ.get("PEF_EXIFTOOL") or shutil.which("exiftool")


def exiftool_version(executable: str) -> str:
    try:
        out = subprocess.run([executable, "-ver"], capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ExifToolError(f"cannot run ExifTool ({executable}): {exc}") from exc
    return out.stdout.strip()


class ExifTool:
    """A stay-open ExifTool; not thread-safe, so each worker owns one."""

    def __init__(self, executable: str, timeout: float = 300.0) -> None:
        self.executable = executable
        self.timeout = timeout
        self._counter = itertools.count(1)
        self._proc: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        try:
            # Own session: the terminal's Ctrl+C must not kill ExifTool mid-write;
            # pef decides when it stops.
            proc = subprocess.Popen(
                [self.executable, "-stay_open", "True", "-@", "-"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        except OSError as exc:
            raise ExifToolError(f"cannot start ExifTool ({self.executable}): {exc.strerror or exc}") from exc
        for pipe in (proc.stdout, proc.stderr):
            os.set_blocking(pipe.fileno(), False)
        _LIVE.add(proc.pid)
        return proc

    def run(self, args: list[str]) -> Reply:
        for arg in args:
            if "\n" in arg or "\r" in arg:
                raise ValueError(f"ExifTool argument holds a line break: {arg!r}")
        if self._proc is None or self._proc.poll() is not None:
            self._proc = self._start()
        n = next(self._counter)
        marker = f"{{ready{n}}}"
        # -echo4 prints the marker on stderr after the command, so both streams end on it.
        payload = "\n".join([*args, "-echo4", marker, f"-execute{n}", ""]).encode("utf-8", "surrogateescape")
        try:
            self._proc.stdin.write(payload)
            self._proc.stdin.flush()
        except OSError as exc:
            self.kill()
            raise ExifToolCrashed(f"ExifTool stopped accepting commands: {exc}") from exc
        out, err = self._read_until(marker.encode())
        return Reply(out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))

    def _read_until(self, marker: bytes) -> tuple[bytes, bytes]:
        proc = self._proc
        bufs = {proc.stdout.fileno(): bytearray(), proc.stderr.fileno(): bytearray()}
        done: set[int] = set()
        end = marker + b"\n"
        deadline = time.monotonic() + self.timeout
        with selectors.DefaultSelector() as sel:
            for fd in bufs:
                sel.register(fd, selectors.EVENT_READ)
            while len(done) < 2:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.kill()
                    raise ExifToolError(f"ExifTool did not answer within {self.timeout:.0f} s")
                for key, _ in sel.select(min(remaining, 1.0)):
                    chunk = os.read(key.fd, 1 << 16)
                    if not chunk:
                        self.kill()
                        raise ExifToolCrashed("ExifTool exited unexpectedly")
                    bufs[key.fd] += chunk
                    if bufs[key.fd].endswith(end):
                        done.add(key.fd)
                        sel.unregister(key.fd)
                if proc.poll() is not None and len(done) < 2:
                    self.kill()
                    raise ExifToolCrashed(f"ExifTool exited unexpectedly (code {proc.returncode})")
        out, err = (bytes(bufs[fd][: -len(end)]) for fd in (proc.stdout.fileno(), proc.stderr.fileno()))
        return out, err

    def kill(self) -> None:
        if self._proc is None:
            return
        try:
            os.killpg(self._proc.pid, 9)
        except OSError:
            pass
        self._reap()

    def close(self) -> None:
        if self._proc is None:
            return
        if self._proc.poll() is None:
            try:
                self._proc.stdin.write(b"-stay_open\nFalse\n")
                self._proc.stdin.flush()
                self._proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()
                return
        self._reap()

    def _reap(self) -> None:
        proc, self._proc = self._proc, None
        _LIVE.discard(proc.pid)
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            try:
                pipe.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
