"""File-system helpers shared by every stage that writes: atomic saves and safe names."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

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
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide the report from other users
        with os.fdopen(fd, "wb", buffering=1 << 20) as f:
            for chunk in chunks:
                f.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
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
