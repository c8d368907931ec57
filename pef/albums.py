"""`albums.json`: every album of the export, what Google says of it, and where its photos are in the library.

Apps that ignore folders (Immich, Lightroom) or importers of one's own can rebuild
the albums from it; it is written whatever `--albums` is (with `none` it is the
only place albums survive).
"""

from __future__ import annotations

from pef.dedup import Duplicates
from pef.library import DATE_LAYOUTS, Organised, library_rel
from pef.plan import Plan
from pef.scan import ScanResult

ALBUMS_FILE = "albums.json"


def album_index(found: ScanResult, organised: Organised, plan: Plan, duplicates: Duplicates,
                layout: str, mode: str) -> dict:
    """Album folder (as in the export, packaging removed) -> its metadata and items."""
    takeout = any(library_rel(o.rel, True) != o.rel for o in found.other_json) or any(
        library_rel(m.rel, True) != m.rel for m in found.media)
    infos = {}
    for other in found.other_json:
        if other.album is not None:
            folder = (library_rel(other.rel, takeout) or other.rel).rpartition("/")[0]
            infos[folder] = other.album
    dests = {a.source: a.dest for a in plan.actions}
    albums: dict[str, dict] = {}
    for rel, place in sorted(organised.places.items()):
        if place.album is None:
            continue
        info = infos.get(place.album)
        album = albums.setdefault(place.album, {
            "title": info.title if info else place.album.rpartition("/")[2],
            "description": info.description if info else "",
            "date": info.date if info else None,
            "place": info.place if info else None,
            "shared": info.shared if info else False,
            "folder": None if mode == "none" and layout != "export" else (
                f"Albums/{place.album}" if layout in DATE_LAYOUTS else place.album),
            "items": [],
        })
        primary = duplicates.of.get(rel, rel)
        album["items"].append({"output": dests.get(rel) or dests.get(primary), "source": rel,
                               **({"same_as": primary} if primary != rel else {})})
    return albums
