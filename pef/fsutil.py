"""File-system helpers shared by every stage that writes: atomic saves and safe names."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Every temporary file pef makes in an output lives here, so cleaning up after
# a crash is removing one folder, never a hunt through the tree.
TMP_DIR_NAME = ".pef-tmp"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write data so that path holds either its old content or the new, never a mix."""
    fd, tmp = tempfile.mkstemp(prefix=".pef-save-", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide the report from other users
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def is_within(child: Path, parent: Path) -> bool:
    """True when child is parent or lies below it (both already resolved)."""
    return child == parent or parent in child.parents
