"""Which entries of a folder are Google Takeout parts, and which parts of a numbered export are missing.

Google delivers an export as `takeout-<stamp>-001.zip`, `-002.zip`... (or .tgz);
users unpack some of them into `Takeout/` (or `Takeout 2/`, or a folder named
after the zip). A folder holding such parts is read as the export those parts
make up, and nothing else in it is input: a Downloads folder also holds tax
returns, installers and the output of an earlier pef run.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from pef.scan import PEF_OUTPUT, ignore_reason, is_pef_output

ARCHIVE_SUFFIXES = (".zip", ".tgz", ".tar.gz", ".tar")
NOT_A_PART = "not a Takeout part (a folder of parts is read for its parts only)"
# `Takeout`, `Takeout 2`, `Takeout (1)`, `takeout-20240101T000000Z-001`: not `Takeout photos`.
_PART_FOLDER = re.compile(r"takeout(?:[-_ ]?\(?\d.*)?", re.IGNORECASE)
_NUMBERED = re.compile(r"(?P<stem>.+)-(?P<n>\d{3})")
_DOWNLOADED_AGAIN = re.compile(r" ?\(\d+\)$")  # a browser's `name (1).zip`


def is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def strip_archive_suffix(name: str) -> str:
    for suffix in ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def is_part_name(name: str, is_dir: bool) -> bool:
    """Whether a folder entry's name is that of a Takeout part (an archive, or an extracted one)."""
    if is_dir:
        return _PART_FOLDER.fullmatch(name) is not None
    return name.lower().startswith("takeout") and is_archive(name)


@dataclass(frozen=True)
class PartsFolder:
    """A folder holding Takeout parts: what is read, and what is left out and why."""

    archives: list[Path]
    folders: list[str]  # names of extracted parts, directly in the folder
    ignored: dict[str, str] = field(default_factory=dict)  # entry name -> why it is not input


def find_parts(folder: Path) -> PartsFolder | None:
    """The Takeout parts directly in folder, or None when it holds none (then it is the export itself)."""
    archives: list[Path] = []
    folders: list[str] = []
    ignored: dict[str, str] = {}
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as exc:
            ignored[entry.name] = f"cannot stat: {exc.strerror or exc}"
            continue
        is_dir = stat.S_ISDIR(mode)
        litter = ignore_reason(entry.name + "/x" if is_dir else entry.name)
        if litter:
            ignored[entry.name] = litter
        elif stat.S_ISLNK(mode):
            ignored[entry.name] = "symbolic link (not followed)"
        elif is_dir and is_pef_output(entry.path):
            ignored[entry.name] = PEF_OUTPUT
        elif not is_part_name(entry.name, is_dir):
            ignored[entry.name] = NOT_A_PART
        elif is_dir:
            folders.append(entry.name)
        elif stat.S_ISREG(mode):
            archives.append(Path(entry.path))
        else:
            ignored[entry.name] = "not a regular file"
    if not archives and not folders:
        return None
    return PartsFolder(archives, folders, ignored)


@dataclass(frozen=True)
class MissingPart:
    name: str
    why: str
    certain: bool  # False when an extracted folder without a number may be that part


def missing_parts(given: Sequence[Path], beside: Sequence[Path] = (), unnumbered: int = 0) -> list[MissingPart]:
    """Parts of each numbered export that are absent from `given`.

    A part in `beside` (found next to the given ones) that was not given is
    missing for sure; so is a gap in the numbering from 001, unless the folder
    also holds `unnumbered` extracted parts, which may be the ones in the gap.
    """
    groups: dict[str, dict[int, tuple[str, str]]] = {}  # stem, case-folded -> number -> (stem, suffix)
    chosen: dict[str, set[int]] = {}
    for path, is_given in [*((p, True) for p in given), *((p, False) for p in beside)]:
        number = part_number(path.name)
        if number is None:
            continue
        key, n, stem, suffix = number
        if is_given:
            chosen.setdefault(key, set()).add(n)
        groups.setdefault(key, {}).setdefault(n, (stem, suffix))
    found: list[MissingPart] = []
    for key, have in sorted(chosen.items()):
        present = groups[key]
        stem, suffix = present[min(have)]
        for n in sorted(set(present) - have):
            name = present[n][0] + f"-{n:03d}" + present[n][1]
            found.append(MissingPart(name, "it is beside the parts given, but was not given", True))
        numbers = ", ".join(f"{n:03d}" for n in sorted(present))
        for n in range(1, max(present)):
            if n not in present:
                found.append(MissingPart(f"{stem}-{n:03d}{suffix}", f"not found: the parts here are numbered {numbers}",
                                         unnumbered == 0))
    return found


def part_number(name: str) -> tuple[str, int, str, str] | None:
    base = strip_archive_suffix(name)
    suffix = name[len(base):]
    match = _NUMBERED.fullmatch(_DOWNLOADED_AGAIN.sub("", base))
    if match is None:
        return None
    return match["stem"].casefold(), int(match["n"]), match["stem"], suffix


def siblings(archives: list[Path]) -> list[Path]:
    """The archives in the folders of the given ones (where a forgotten part would be)."""
    found: list[Path] = []
    for folder in sorted({p.parent for p in archives}):
        try:
            with os.scandir(folder) as it:
                found += [Path(e.path) for e in it if is_archive(e.name) and e.is_file(follow_symlinks=False)]
        except OSError:
            continue
    return found
