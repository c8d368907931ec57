"""Sorting the source's files into media, sidecars, other JSON and what could not be read (walked by pef.sources)."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pef.outdir import STATE_FILE
from pef.sidecar import BrokenSidecar, JsonKind, OtherJson, Sidecar

# Files that are never media: OS litter.
IGNORED_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", ".localized"})
# Folders that NAS boxes and operating systems write beside photos: thumbnails and
# indexes (Synology @eaDir, QNAP .@__thumb), macOS metadata and trash. Copying them
# would fill Unprocessed/ with thousands of small derivatives.
IGNORED_FOLDERS = frozenset({
    "@eadir", ".@__thumb", "__macosx", ".spotlight-v100", ".fseventsd", ".trashes", ".trash",
    "$recycle.bin", "system volume information", "#recycle", "@recycle", "@recently-snapshot",
})
SYSTEM_FOLDER = "system folder (NAS thumbnails, OS index or trash)"
PEF_OUTPUT = "output folder of an earlier pef run (never input)"
# How a pef state file begins (pef.state writes "tool" among its first keys); a file that merely
# has the name, in a user's folder, is still input.
_STATE_HEAD = re.compile(rb'"tool"\s*:\s*"pef ')


def is_pef_output(folder: Path | str) -> bool:
    """Whether folder is the output of a pef run: it holds pef's state file."""
    path = os.path.join(folder, STATE_FILE)
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False  # opening a FIFO of that name would wait forever
        with open(path, "rb") as f:
            return _STATE_HEAD.search(f.read(4096)) is not None
    except OSError:
        return False


def ignore_reason(rel: str) -> str | None:
    """Why a source path is not an input at all, or None: OS and NAS litter."""
    parts = rel.split("/")
    name = parts[-1].lower()
    if name in IGNORED_NAMES:
        return "system file"
    if name.startswith("._"):
        return "macOS resource fork (AppleDouble), not a photo"
    if any(p.lower() in IGNORED_FOLDERS for p in parts[:-1]):
        return SYSTEM_FOLDER
    return None


@dataclass(frozen=True)
class MediaEntry:
    rel: str  # relative to the source root, "/" separated
    size: int
    mtime_ns: int


@dataclass
class ScanResult:
    media: list[MediaEntry] = field(default_factory=list)
    sidecars: list[Sidecar] = field(default_factory=list)
    broken: list[BrokenSidecar] = field(default_factory=list)
    other_json: list[OtherJson] = field(default_factory=list)
    # Things the walk had to leave out, each with its reason (permission, symlink...).
    skipped: dict[str, str] = field(default_factory=dict)
    # Size and mtime of every plain JSON file read, for the scan cache.
    json_files: dict[str, tuple[int, int]] = field(default_factory=dict)
    cache_misses: int = 0


def add_file(result: ScanResult, rel: str, size: int, mtime_ns: int, read_json: Callable[[], JsonKind]) -> None:
    """Sort one file into media, sidecar, other JSON or skipped (JSON content is read only for .json)."""
    name = rel.rpartition("/")[2].lower()
    ignored = ignore_reason(rel)
    if ignored:
        result.skipped[rel] = ignored
    elif name.endswith(".json"):
        parsed = read_json()
        if isinstance(parsed, Sidecar):
            result.sidecars.append(parsed)
        elif isinstance(parsed, OtherJson):
            result.other_json.append(parsed)
        else:
            result.broken.append(parsed)
    else:
        result.media.append(MediaEntry(rel, size, mtime_ns))


def walk(root: Path, skipped: dict[str, str], prefix: str = ""):
    """(prefix + relative path, DirEntry) of every regular file under root; what is left out goes to skipped."""
    return _walk(root, prefix, skipped)


def _walk(directory: Path | str, prefix: str, skipped: dict[str, str]):
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        skipped[prefix.rstrip("/") or "."] = f"cannot list folder: {exc.strerror or exc}"
        return
    if prefix and any(e.name == STATE_FILE for e in entries) and is_pef_output(directory):
        skipped[prefix.rstrip("/")] = PEF_OUTPUT  # read back in, it would double the library
        return
    for entry in entries:
        rel = prefix + entry.name
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as exc:
            skipped[rel] = f"cannot stat: {exc.strerror or exc}"
            continue
        if stat.S_ISLNK(mode):
            skipped[rel] = "symbolic link (not followed)"
        elif stat.S_ISDIR(mode):
            if entry.name.lower() in IGNORED_FOLDERS:
                skipped[rel] = SYSTEM_FOLDER  # not entered: it may hold thousands of thumbnails
            else:
                yield from _walk(entry.path, rel + "/", skipped)
        elif stat.S_ISREG(mode):
            yield rel, entry
        else:
            skipped[rel] = "not a regular file"
