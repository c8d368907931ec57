"""`albums.json`: every album of the export, what Google says of it, and where its photos are in the library.

Apps that ignore folders (Immich, Lightroom) or importers of one's own can rebuild
the albums from it; it is written whatever `--albums` is (with `none` it is the
only place albums survive).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from pef import __version__
from pef.dedup import Duplicates
from pef.fsutil import atomic_write_chunks, json_lines
from pef.library import Organised, album_place, library_rel
from pef.sidecar import AlbumInfo
from pef.scan import ScanResult

if TYPE_CHECKING:
    from pef.plan import Plan

ALBUMS_FILE = "albums.json"


def album_index(found: ScanResult, organised: Organised, plan: "Plan", duplicates: Duplicates, members: Members,
                layout: str, mode: str) -> dict:
    """Album folder (as in the export, packaging removed) -> its metadata and items."""
    infos = _infos(found)
    dests = {a.source: a.dest for a in plan.actions}
    albums: dict[str, dict] = {}
    for rel, place in sorted(organised.places.items()):
        if place.album is None or (rel in organised.album_sidecars and rel not in members.members):
            continue
        info = infos.get(place.album)
        album = albums.setdefault(place.album, {
            "title": info.title if info else place.album.rpartition("/")[2],
            "description": info.description if info else "",
            "date": info.date if info else None,
            "place": info.place if info else None,
            "shared": info.shared if info else False,
            "folder": None,
            "items": [],
        })
        member = members.members.get(rel)
        primary = member.item if member else duplicates.of.get(rel, rel)
        entry: dict[str, object] = {"output": dests.get(rel) or dests.get(primary), "source": rel}
        if member:
            entry["sidecar_only"] = True  # the export holds only the sidecar here; the photo is elsewhere
        if primary != rel:
            entry["same_as"] = primary
        album["items"].append(entry)
        if album["folder"] is None and rel in dests and not (mode == "none" and layout != "export"):
            # The folder as it is on disk: names some systems refuse are mapped (pef.safenames).
            album["folder"] = dests[rel].rpartition("/")[0]
    return albums


def _infos(found: ScanResult) -> dict[str, AlbumInfo]:
    takeout = any(library_rel(o.rel, True) != o.rel for o in found.other_json) or any(
        library_rel(m.rel, True) != m.rel for m in found.media)
    infos = {}
    for other in found.other_json:
        if other.album is not None:
            folder = (library_rel(other.rel, takeout) or other.rel).rpartition("/")[0]
            infos[folder] = other.album
    return infos


@dataclass(frozen=True)
class Member:
    """An album sidecar resolved to the one library item it names."""

    item: str  # the item's primary source path
    album: str
    path: str | None  # the album folder's file for it; None when the folder holds none (`--albums none`)


@dataclass
class Members:
    members: dict[str, Member] = field(default_factory=dict)  # album sidecar -> the item it names
    reasons: dict[str, str] = field(default_factory=dict)  # album sidecar left unpaired -> why


def resolve_members(organised: Organised, duplicates: Duplicates, layout: str, mode: str) -> Members:
    """The items that album folders holding only sidecars name, by title and photoTakenTime.

    Candidates that are copies of one photo are one item; two different photos with the same
    title and time are not guessed between (a same-named photo of another year never matches,
    as its time differs)."""
    result = Members()
    held = {(p.album, duplicates.of.get(r, r)) for r, p in organised.places.items() if p.album is not None}
    for rel, sidecar in organised.album_sidecars.items():
        items = sorted({duplicates.of.get(c, c) for c in sidecar.candidates})
        when = datetime.fromtimestamp(sidecar.taken, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        if not items:
            result.reasons[rel] = (f"an album's sidecar; no photo in the export has its title {sidecar.title!r} "
                                   f"and its photoTakenTime {when}")
            continue
        if len(items) > 1:
            result.reasons[rel] = (f"an album's sidecar naming {len(items)} different photos with the title "
                                   f"{sidecar.title!r} taken {when}: {', '.join(items)}; not guessed")
            continue
        item = items[0]
        name = organised.places[item].path.rpartition("/")[2]
        path = None if mode == "none" or (sidecar.album, item) in held else album_place(sidecar.album, name, layout)
        result.members[rel] = Member(item, sidecar.album, path)
    return result


def album_titles(found: ScanResult) -> dict[str, str]:
    """Album folder -> its title (from the album's metadata.json, else the folder's name)."""
    return {folder: info.title for folder, info in _infos(found).items()}


def albums_of_items(organised: Organised, duplicates: Duplicates, members: Members, titles: dict[str, str]
                    ) -> dict[str, tuple[str, ...]]:
    """Item (primary source path) -> the titles of the albums it is in, for --album-keywords."""
    found: dict[str, set[str]] = {}
    for rel, place in organised.places.items():
        if place.album is not None and rel not in members.members and rel not in organised.album_sidecars:
            found.setdefault(duplicates.of.get(rel, rel), set()).add(place.album)
    for member in members.members.values():
        found.setdefault(member.item, set()).add(member.album)
    return {item: tuple(sorted(titles.get(a) or a.rpartition("/")[2] for a in albums))
            for item, albums in found.items()}


def write_albums(out_dir: Path, albums: dict, layout: str, mode: str) -> None:
    atomic_write_chunks(out_dir / ALBUMS_FILE, json_lines(
        {"pef_version": __version__, "layout": layout, "album_mode": mode, "albums": albums}))
