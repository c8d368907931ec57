"""File-system helpers shared by every stage that writes: atomic saves, renames, durability.

Every call that differs between Windows, macOS and Linux is made here, so the
stages above stay the same on all three.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator

# Every temporary file pef makes in an output lives here, so cleaning up after
# a crash is removing one folder, never a hunt through the tree.
TMP_DIR_NAME = ".pef-tmp"
# Atomic saves of pef's own files (state, report) sit beside their target until renamed;
# a run cleans any a kill left behind, under its lock (see pipeline).
SAVE_PREFIX = ".pef-save-"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write data so that path holds either its old content or the new, never a mix."""
    atomic_write_chunks(path, [data])


def atomic_write_chunks(path: Path, chunks: Iterable[bytes | str]) -> None:
    """Like atomic_write_bytes, for content made piece by piece (never held whole in memory)."""
    fd, tmp = tempfile.mkstemp(prefix=SAVE_PREFIX, dir=path.parent)
    try:
        if sys.platform != "win32":  # Windows has no mode bits to share: the folder's ACL decides
            os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide the report from other users
        with os.fdopen(fd, "wb", buffering=1 << 20) as f:
            for chunk in chunks:
                f.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
            f.flush()
            fsync(f.fileno())
        replace(Path(tmp), path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    """Human-readable text: bytes of a name that were not UTF-8 shown as \\udcXX."""
    atomic_write_bytes(path, text.encode("utf-8", "backslashreplace"))


_encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps would build an encoder per call

# A file name's bytes that are not UTF-8 reach Python as lone surrogates
# (U+DC80-U+DCFF); written raw they would make the file invalid UTF-8.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(value) -> str:
    """Compact JSON that stays valid UTF-8: lone surrogates as \\uXXXX escapes, which
    json.loads turns back into the same string (so the name's bytes survive)."""
    text = _encode(value)
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def fsync(fd: int) -> None:
    """Make one open file's data durable, down to the disk itself.

    macOS's fsync leaves the data in the drive's own cache, where a power cut
    loses it; F_FULLFSYNC flushes that cache too (file systems that cannot,
    such as some network shares, refuse it and get the plain fsync).
    """
    if sys.platform == "darwin":
        import fcntl

        try:
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
        except OSError:
            pass
    os.fsync(fd)


def fsync_dir(path: Path) -> None:
    """Make a rename in path durable (POSIX; Windows cannot open a folder, and NTFS journals renames itself)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sync_all(journal_fd: int) -> None:
    """Make the journal, and every output renamed into place before it, durable: one flush for all.

    Linux's sync() writes everything out and waits. Windows has no such call and
    macOS's may return before the writes are done (its manual says so), so there
    each output is flushed as it is placed (see place_file) and the journal's
    flush down to the disk covers them.
    """
    if sys.platform == "linux":
        os.sync()
    fsync(journal_fd)


# Where no sync() covers every output at once, each is flushed as it is placed.
FLUSH_EACH_OUTPUT = sys.platform != "linux"

# Pauses between attempts while another program holds a file on Windows: a virus
# scanner or the search indexer opens each new file for a moment, a viewer for longer.
# Elsewhere a refused rename is a real permission problem, and retrying would only delay it.
HOLD_WAITS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2) if sys.platform == "win32" else ()


def replace(src: Path, dst: Path, waits: Iterable[float] | None = None,
            sleep: Callable[[float], None] = time.sleep) -> None:
    """os.replace, tried again after each pause in waits (default HOLD_WAITS) while it is refused."""
    pauses = iter(HOLD_WAITS if waits is None else waits)
    while True:
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            pause = next(pauses, None)
            if pause is None:
                raise
            sleep(pause)


def copy_file(src: Path | str, dst: Path | str, mtime: float | None = None) -> int:
    """Copy src's bytes into the new file dst, with mtime (default: src's own times) as its file time;
    returns the bytes copied. What `cp` does and no more: shutil.copy2 also compares the two paths,
    stats each again and copies permission bits and extended attributes, which doubles the cost of
    a small file."""
    with open(src, "rb") as fsrc, open(dst, "xb") as fdst:
        st = os.fstat(fsrc.fileno())
        if sys.platform == "linux":  # in the kernel, no copy through Python
            copied = 0
            while True:
                n = os.sendfile(fdst.fileno(), fsrc.fileno(), copied, 1 << 30)
                if n == 0:
                    break
                copied += n
        else:
            shutil.copyfileobj(fsrc, fdst, 1 << 20)
            copied = fdst.tell()
    if mtime is None:
        os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))
    else:
        os.utime(dst, (mtime, mtime))
    return copied


def place_file(tmp: Path, final: Path, flush: bool = FLUSH_EACH_OUTPUT) -> None:
    """Rename a finished temporary file to its final name (see replace), durable by the next sync_all."""
    if flush:
        flush_file(tmp)
    replace(tmp, final)


def flush_file(path: Path) -> None:
    """fsync a closed file (on macOS into the drive's cache, which sync_all's F_FULLFSYNC empties)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except PermissionError:
        # A copy that kept its source's read-only mode. POSIX flushes it all the same; Windows cannot
        # flush a file it may not write, and there a resume's size check covers what a power cut loses.
        fd = os.open(path, os.O_RDONLY)
        try:
            if sys.platform != "win32":
                os.fsync(fd)
        finally:
            os.close(fd)
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_within(child: Path, parent: Path) -> bool:
    """True when child is parent or lies below it (both already resolved)."""
    return child == parent or parent in child.parents


def json_lines(obj: dict) -> Iterator[str]:
    """JSON with one top-level key per line and one entry per line inside large maps.

    Readable and hand-editable like indented JSON, but written by the C encoder
    entry by entry and handed out in pieces: indenting a 300k-entry state in
    pure Python takes minutes, and one string of it would double the memory.
    """
    yield "{\n"
    last = len(obj) - 1
    for i, (key, value) in enumerate(obj.items()):
        comma = "," if i < last else ""
        head = dumps(key)
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            yield f" {head}: {{\n"
            inner_last = len(value) - 1
            for j, (k, v) in enumerate(value.items()):
                sep = "," if j < inner_last else ""
                yield f"  {dumps(k)}: {dumps(v)}{sep}\n"
            yield f" }}{comma}\n"
        else:
            yield f" {head}: {dumps(value)}{comma}\n"
    yield "}\n"
