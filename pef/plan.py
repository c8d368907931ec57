"""Deciding every output path before anything is written.

Each path is valid on every file system pef may write to (pef.safenames maps
the names some would refuse), and unique however a file system compares
names (case, Unicode normalisation): a clash gets "(1)", "(2)"...

The plan depends only on the scan, the pairing and the outputs an earlier run
of the same output folder already recorded, never on what happens to be on
disk, so a resumed or repeated run decides the same paths and overwrites its
own earlier outputs instead of adding `name(1)` copies.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Mapping, Sequence

from pef.albums import ALBUMS_FILE
from pef.fsutil import SAVE_PREFIX, TMP_DIR_NAME
from pef.lock import LOCK_FILE
from pef.library import LibraryOptions, organise
from pef.matching import MatchResult
from pef.safenames import MAX_NAME_BYTES, cut, fix_end, safe_path
from pef.scan import ScanResult

# Names pef itself writes at the top of the output.
RESERVED_TOP = (
    "processing_state.json", "processing_state.journal", "processing_state.sidecars.jsonl",
    "processing_state.hashes.jsonl", "processing_state.finished.json", "processing_state.items.jsonl",
    "processing_state.sources",
    "report.json", "report.txt", "report.html", "unpaired.csv", "errors.csv", "report-thumbs", ALBUMS_FILE,
    TMP_DIR_NAME, LOCK_FILE,
)
_RESERVED_FOLDED = frozenset(name.casefold() for name in RESERVED_TOP)


def is_own_file(top_name: str) -> bool:
    """A name at the top of an output folder that pef itself writes (outputs aside)."""
    return (
        _fold(top_name) in _RESERVED_FOLDED
        or top_name.startswith((SAVE_PREFIX, "processing_state.json.corrupt-"))
    )
MAX_NAME_BYTES = 255


class Kind(str, Enum):
    WRITE = "write"  # media with a sidecar: metadata written into the copy
    COPY = "copy"  # media without a sidecar: copied unchanged to Unprocessed/
    SIDECAR = "sidecar"  # a sidecar that fed no media: copied to Unprocessed/
    ALBUM = "album"  # a duplicate in an album folder: a copy of (or link to) its item's written file
    MEMBER = "member"  # an album folder's sidecar whose photo is elsewhere: the album's copy of (or link to) it


@dataclass(frozen=True)
class Action:
    kind: Kind
    source: str  # source-relative path
    dest: str  # output-relative path
    size: int
    sidecar: str | None = None  # for WRITE: the sidecar that feeds it
    rule: str | None = None  # for WRITE: the matching rule that paired it
    # Outputs an earlier run made for this file (or its sidecar) at a path the plan no longer
    # uses: removed before the new output is written, so a resume never leaves a second copy.
    replaces: tuple[str, ...] = ()
    of: str | None = None  # for ALBUM and MEMBER: the item's primary source path
    of_dest: str | None = None  # for ALBUM and MEMBER: the primary's output, which this one copies or links
    albums: tuple[str, ...] = ()  # for WRITE with --album-keywords: the titles of the item's albums

    @property
    def from_item(self) -> bool:
        """Made from another action's output (so made after it), not from its own source."""
        return self.kind in (Kind.ALBUM, Kind.MEMBER)


@dataclass
class Plan:
    actions: list[Action]

    def by_source(self) -> dict[str, Action]:
        return {a.source: a for a in self.actions}


def make_plan(
    scan: ScanResult,
    matched: MatchResult,
    recorded: Mapping[str, str] | None = None,
    renames: Mapping[str, str] | None = None,
    recorded_extras: Mapping[str, Sequence[str]] | None = None,
    places: Mapping[str, str] | None = None,
    duplicates: Mapping[str, str] | None = None,
    album_copies: Iterable[str] = (),
    members: Mapping[str, str | None] | None = None,
    albums: Mapping[str, tuple[str, ...]] | None = None,
    kept: Iterable[str] = (),
) -> Plan:
    """One action per source media file and per unpaired sidecar, with unique output paths.

    `recorded` maps source paths to the outputs an earlier run gave them; one
    in the folder this run would choose is kept, so adding files to the source
    never renames finished outputs, while a file whose pairing changed (now
    paired, or no longer) moves to where a fresh run would put it.
    `recorded_extras` lists files an earlier run wrote beside an output (XMP).
    `renames` gives media files a new name (--fix-extensions) in the same folder.
    `places` is where the organise stage puts each file (by default: the export's own shape).
    `duplicates` maps media with the same bytes as another to that item's primary: they get no
    output of their own, except those in `album_copies`, which album folders hold.
    `members` maps album sidecars whose photo lies elsewhere to that item (None: the album folder
    gets no file for it); they are no longer unpaired. `albums`: item -> album titles to tag it with.
    `kept`: files already in the output that no source file of this run owns (a library's other
    exports, pef.into): never overwritten, so a new file with such a name is numbered.
    """
    duplicates = duplicates or {}
    members = members or {}
    albums = albums or {}
    sizes = {m.rel: m.size for m in scan.media}
    album_copies = set(album_copies)
    if places is None:
        places = {rel: p.path for rel, p in organise(scan, matched, LibraryOptions(layout="export")).places.items()}
    recorded = recorded or {}
    renames = renames or {}
    wanted: list[tuple[Kind, str, int, str | None, str | None]] = []
    for media in scan.media:
        pair = matched.pairs.get(media.rel)
        if media.rel in duplicates:
            if media.rel in album_copies:
                wanted.append((Kind.ALBUM, media.rel, media.size, pair.sidecar if pair else None, None))
        elif pair is not None:
            wanted.append((Kind.WRITE, media.rel, media.size, pair.sidecar, pair.rule))
        else:
            wanted.append((Kind.COPY, media.rel, media.size, None, None))
    # Unpaired and unreadable sidecars are kept, so the user loses no JSON either.
    for rel in sorted({*matched.unpaired_sidecars, *(b.rel for b in scan.broken)}):
        item = members.get(rel)
        if rel not in members:
            wanted.append((Kind.SIDECAR, rel, 0, None, None))
        elif item is not None:
            wanted.append((Kind.MEMBER, rel, sizes[item], rel, None))

    natural = {rel: _natural_dest(places[rel], renames.get(rel)) for _, rel, *_ in wanted}
    mapped = {rel for rel, dest in natural.items() if not _keeps_name(places[rel], dest, renames.get(rel))}
    taken = _Namespace((*RESERVED_TOP, *kept), natural.values())
    dests: dict[str, str] = {}
    for kind, rel, *_ in wanted:
        old = recorded.get(rel)
        if old is not None and _is_safe(old) and _folder(old) == _folder(natural[rel]) and taken.claim(old, kind):
            dests[rel] = old
    # A file keeping its own name goes first: one whose name had to be mapped to be valid everywhere, or
    # renamed (--fix-extensions), yields to it in a clash and is numbered.
    for kind, rel, *_ in sorted(wanted, key=lambda w: w[1] in mapped or w[1] in renames):
        if rel not in dests:
            dests[rel] = taken.claim_free(natural[rel], kind)
    stale = _stale_outputs(recorded, recorded_extras or {}, dests)
    actions = []
    for kind, rel, size, sidecar, rule in wanted:
        replaces = stale.pop(rel, [])
        if sidecar is not None:
            replaces += stale.pop(sidecar, [])  # its copy in Unprocessed/ from when it fed nothing
        of = members.get(rel) if kind is Kind.MEMBER else duplicates.get(rel)
        actions.append(Action(kind, rel, dests[rel], size, sidecar, rule, tuple(replaces), of,
                              dests.get(of) if of else None, albums.get(rel, ()) if kind is Kind.WRITE else ()))
    # Album copies come last: each is made from its item's output, which must be there first.
    actions.sort(key=lambda a: a.from_item)
    return Plan(actions)


def _stale_outputs(
    recorded: Mapping[str, str], extras: Mapping[str, Sequence[str]], dests: Mapping[str, str]
) -> dict[str, list[str]]:
    """Per source, the recorded outputs no planned output uses (compared as a case-insensitive disk would)."""
    planned = {_fold(d) for d in dests.values()}
    planned |= {_fold(d + ".xmp") for d in dests.values()}
    stale: dict[str, list[str]] = {}
    for rel, old in recorded.items():
        if dests.get(rel) == old or not _is_safe(old) or _fold(old) in planned:
            continue
        files = [old, *(e for e in extras.get(rel, ()) if _is_safe(e) and _fold(e) not in planned)]
        stale[rel] = files
    return stale


def _folder(dest: str) -> str:
    return _fold(dest.rpartition("/")[0])


def _natural_dest(place: str, new_name: str | None) -> str:
    if new_name is not None:
        folder = place.rpartition("/")[0]
        place = f"{folder}/{new_name}" if folder else new_name
    dest = safe_path(place)  # names Windows, macOS or exFAT would refuse or change (see pef.safenames)
    top, slash, rest = dest.partition("/")
    if slash and _fold(top) in _RESERVED_FOLDED:
        dest = f"{top}(1)/{rest}"  # a source folder named like pef's own files
    return dest


def _keeps_name(rel: str, dest: str, new_name: str | None) -> bool:
    return dest.rpartition("/")[2] == (new_name or rel.rpartition("/")[2]) and safe_path(rel) == rel


def _is_safe(dest: str) -> bool:
    """A recorded output path (from a hand-editable state) that stays inside the output folder."""
    if not isinstance(dest, str) or not dest or dest.startswith("/") or "\x00" in dest:
        return False
    try:
        parts = dest.split("/")
        fits = all(p not in ("", ".", "..") and _name_bytes(p) <= MAX_NAME_BYTES for p in parts)
    except UnicodeEncodeError:  # a surrogate no file name can hold
        return False
    return fits and (
        _fold(parts[0]) not in _RESERVED_FOLDED
    )


class _Namespace:
    """Output paths in use, compared the way a case-insensitive file system would.

    A file may not take the name of a folder another output needs, nor sit
    below a path that is a file.
    """

    def __init__(self, reserved: Iterable[str], wanted: Iterable[str]) -> None:
        self._files: set[str] = {_fold(name) for name in reserved}
        self._dirs: set[str] = {d for dest in wanted for d in _parents(_fold(dest))}

    def claim(self, dest: str, kind: Kind) -> bool:
        keys = _keys(dest, kind)
        if any(k in self._files or k in self._dirs for k in keys):
            return False
        parents = _parents(keys[0])
        if any(p in self._files for p in parents):
            return False
        self._files.update(keys)
        self._dirs.update(parents)
        return True

    def claim_free(self, dest: str, kind: Kind) -> str:
        folder, _, name = dest.rpartition("/")
        stem, ext = _split_ext(name)
        candidate = _fit(folder, stem, ext, "")
        n = 0
        while not self.claim(candidate, kind):
            n += 1
            candidate = _fit(folder, stem, ext, f"({n})")
        return candidate


def _parents(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _keys(dest: str, kind: Kind) -> list[str]:
    # A written file may also need `<file>.xmp` beside it (formats ExifTool cannot write into).
    keys = [_fold(dest)]
    if kind is Kind.WRITE:
        keys.append(_fold(dest + ".xmp"))
    return keys


def _fold(path: str) -> str:
    # Casefolding can undo NFC, so normalise on both sides.
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", path).casefold())


def _split_ext(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return name, ""
    return stem, "." + ext


def _name_bytes(name: str) -> int:
    # surrogateescape: a name read from disk that is not UTF-8 has its own bytes back.
    return len(name.encode("utf-8", "surrogateescape"))


def _fit(folder: str, stem: str, ext: str, tag: str) -> str:
    """folder/stem+tag+ext, with the stem cut so the name (and its .xmp) stays within 255 bytes."""
    if _name_bytes(ext + tag + ".xmp") > MAX_NAME_BYTES // 2:
        stem, ext = stem + ext, ""  # an "extension" that long is part of the name
    # Whole characters only: a cut inside one would leave bytes that are not UTF-8.
    stem = cut(stem, MAX_NAME_BYTES - _name_bytes(tag + ext + ".xmp"))
    name = fix_end(stem + tag + ext)  # a cut may end the name on a dot or a space
    return f"{folder}/{name}" if folder else name
