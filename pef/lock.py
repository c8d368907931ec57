"""One run at a time per output folder: an OS lock on `OUT/.pef-lock`.

The lock is the operating system's (flock on POSIX, a locked byte on
Windows), not the file's existence: a run killed by any means releases it
with its process, so a stale lock file never blocks the next run. The file
holds the owner's process id and start time, for the refusal message only,
and is removed when the run ends, so a finished library holds no lock file.

Removing it is safe because a lock only counts when taken on the file that
is at the path: on POSIX the owner unlinks it while still holding it, and a
run that locked the unlinked file sees that and tries again; on Windows a
file another process holds open cannot be removed at all.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

LOCK_FILE = ".pef-lock"


class OutputInUse(Exception):
    """Another pef process holds the output folder."""


class OutputLock:
    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                _lock(fd)
            except OSError:
                holder = _read_holder(fd)
                os.close(fd)
                raise OutputInUse(
                    f"Another pef run is using the output folder {self.path.parent}{holder}. "
                    "Wait for it to finish (or stop it), then run again."
                ) from None
            if _is_at_path(fd, self.path):
                break
            os.close(fd)  # the previous owner removed it as we locked it: lock the new one
        self._fd = fd
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        except OSError:
            pass  # the note is for messages only; the lock itself is held

    def release(self) -> None:
        if self._fd is None:
            return
        if sys.platform != "win32":
            _unlink(self.path)  # while still locked, see the module's docstring
        os.close(self._fd)  # closing drops the OS lock
        self._fd = None
        if sys.platform == "win32":
            _unlink(self.path)  # fails harmlessly when another run has it open

    def __enter__(self) -> "OutputLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _is_at_path(fd: int, path: Path) -> bool:
    try:
        at_path = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (at_path.st_dev, at_path.st_ino)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _read_holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 200).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return f" ({text})" if text else ""


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        # A lock on the first byte (past the end is allowed); the note is written after it.
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
