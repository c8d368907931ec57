"""Organising: where each file belongs in the library, before names are made unique.

The export's packaging disappears (`Takeout/`, `Takeout 2/`, `takeout-...-001/`,
the localised `Google Photos` folder), so all parts merge into one tree; what
lies outside the Photos part of a Takeout (Drive, `archive_browser.html`) is not
part of the library. Trash and Locked Folder items get folders of their own,
never the library's; archived and partner-shared ones too when asked. The
layout is Google's own folders (`source`), a date tree (`year`, `year/month`,
`year/month/day`) or the export exactly as it is (`export`, how pef laid out
every run before layouts existed, so such runs resume unchanged).

Pure: decided from the scan and the pairing alone, so a resume decides the same.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from pef.matching import MatchResult
from pef.namedates import date_from_name
from pef.scan import MediaEntry, ScanResult
from pef.sidecar import Sidecar
from pef.tags import MetadataOptions, moment_from_utc, resolve_zone, sidecar_instant

LAYOUTS = ("source", "year", "year/month", "year/month/day", "export")
DATE_LAYOUTS = ("year", "year/month", "year/month/day")
ALBUM_MODES = ("copy", "link", "hardlink", "none")
CHOICES = {"layout": LAYOUTS, "archive": ("keep", "separate"), "partner": ("keep", "separate"), "albums": ALBUM_MODES}
# What a run recorded before these options existed did: the export's own shape, nothing separated.
LEGACY_OPTIONS = {"layout": "export", "archive": "keep", "partner": "keep", "albums": "copy", "album_keywords": False}
UNPROCESSED = "Unprocessed"
OUTSIDE_PHOTOS = "not part of Google Photos (another product of the Takeout)"

# The Photos folder of a Takeout, as each language names it. "confirmed": seen in real exports
# (peers' fixtures and users' reports); the others follow Google's product name in that language.
PHOTOS_ROOTS = {
    "Google Photos": True, "Google Fotos": True, "Google Foto": True, "Google Фото": True,
    "Zdjęcia Google": True, "Google フォト": True, "Google 相簿": False, "Google 相册": False,
    "Google 포토": False, "Google Φωτογραφίες": False, "Google Fotók": False, "Google Fotky": False,
    "Google Fotoğraflar": False, "Google תמונות": False, "صور Google": False,
}
# Special folders by their (localised) names; an item's sidecar flags decide first.
SPECIAL_FOLDERS = {
    "trash": {"Trash": True, "Bin": True, "Corbeille": True, "Papelera": True, "Papierkorb": True,
              "Cestino": False, "Lixeira": False, "Prullenbak": False, "Kosz": False, "Корзина": False,
              "ゴミ箱": False},
    "locked": {"Locked Folder": True, "Carpeta privada": True, "Dossier verrouillé": False,
               "Gesperrter Ordner": False, "Cartella bloccata": False, "Pasta trancada": False},
    "archive": {"Archive": True, "Archivo": True, "Archiver": True, "Archivieren": True, "Archiv": False,
                "Archivio": False, "Arquivo": False},
}
GROUP_FOLDERS = {"trash": "Trash", "locked": "Locked Folder", "archive": "Archive", "partner": "Partner"}

_PART = re.compile(r"takeout(?:[ _-]?\(?\d+\)?)?|takeout-\d{8}t\d{6}z?(?:-\d+)*", re.IGNORECASE)
_YEAR_FOLDER = re.compile(r"\D*?\s((?:18|19|20)\d\d)")  # "Photos from 2019", "Fotos von 2019"...


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


_ROOTS = {_fold(n) for n in PHOTOS_ROOTS}
_SPECIAL = {_fold(name): group for group, names in SPECIAL_FOLDERS.items() for name in names}


@dataclass(frozen=True)
class LibraryOptions:
    layout: str = "source"
    archive: str = "keep"  # "keep" (in the library, listed) | "separate" (OUT/Archive/)
    partner: str = "keep"  # "keep" | "separate" (OUT/Partner/)
    timezone: str | None = None  # for dates of photos without a place, as the tags use


@dataclass(frozen=True)
class Placement:
    """Where one source file goes, before `(N)` makes its name unique."""

    path: str
    group: str  # "library" | "album" | "undated" | "unprocessed" | "trash" | "locked" | "archive" | "partner"
    album: str | None = None
    undated_reason: str | None = None


@dataclass(frozen=True)
class AlbumSidecar:
    """A sidecar in an album folder that no media beside it matched: since 2025 Google exports albums
    as sidecars only, pointing at the year folder's media. Candidates: the paired media with the same
    title (or name) and photoTakenTime, resolved into one item once duplicates are known."""

    album: str
    title: str
    taken: int
    candidates: tuple[str, ...]


@dataclass
class Organised:
    places: dict[str, Placement] = field(default_factory=dict)  # per source media file and unpaired sidecar
    album_sidecars: dict[str, AlbumSidecar] = field(default_factory=dict)


def library_rel(rel: str, is_takeout: bool) -> str | None:
    """rel with the export's packaging removed; None when it lies outside the Photos part."""
    if not is_takeout:
        return rel
    parts = rel.split("/")
    for i, part in enumerate(parts[:-1]):
        if _fold(part) in _ROOTS and (i == 0 or _PART.fullmatch(parts[i - 1])):
            return "/".join(parts[i + 1:])
    if any(_PART.fullmatch(p) for p in parts[:-1]):
        return None
    return rel


def is_takeout(rels) -> bool:
    """Whether the source holds a Takeout's Photos folder (else it is taken as the library root itself)."""
    for rel in rels:
        parts = rel.split("/")
        if any(_fold(p) in _ROOTS for p in parts[:-1]):
            return True
    return False


def photos_only(found: ScanResult, layout: str) -> ScanResult:
    """The scan with what lies outside the Photos part moved to `skipped` (not copied, not audited)."""
    if layout == "export":
        return found
    rels = [m.rel for m in found.media] + [s.rel for s in found.sidecars]
    if not is_takeout(rels):
        return found

    def inside(rel: str) -> bool:
        if library_rel(rel, True) is not None:
            return True
        found.skipped[rel] = OUTSIDE_PHOTOS
        return False

    found.media = [m for m in found.media if inside(m.rel)]
    found.sidecars = [s for s in found.sidecars if inside(s.rel)]
    found.broken = [b for b in found.broken if inside(b.rel)]
    found.other_json = [o for o in found.other_json if inside(o.rel)]
    return found


def organise(found: ScanResult, matched: MatchResult, options: LibraryOptions) -> Organised:
    """The library place of every media file and every unpaired or broken sidecar."""
    result = Organised()
    if options.layout == "export":
        for media in found.media:
            pair = matched.pairs.get(media.rel)
            result.places[media.rel] = (
                Placement(media.rel, "library") if pair else Placement(f"{UNPROCESSED}/{media.rel}", "unprocessed")
            )
        for rel in _unpaired_sidecars(found, matched):
            result.places[rel] = Placement(f"{UNPROCESSED}/{rel}", "unprocessed")
        return result
    takeout = is_takeout([m.rel for m in found.media] + [s.rel for s in found.sidecars])
    sidecars = {s.rel: s for s in found.sidecars}
    # Album folders carry a metadata.json; Google's own year folders do not.
    album_folders = {(library_rel(o.rel, takeout) or o.rel).rpartition("/")[0] for o in found.other_json}
    for media in found.media:
        pair = matched.pairs.get(media.rel)
        sidecar = sidecars.get(pair.sidecar) if pair else None
        result.places[media.rel] = _place_media(media, sidecar, pair is not None, takeout, album_folders, options)
    for rel in _unpaired_sidecars(found, matched):
        result.places[rel] = Placement(f"{UNPROCESSED}/{library_rel(rel, takeout) or rel}", "unprocessed")
    result.album_sidecars = _album_sidecars(found, matched, result.places, takeout, album_folders)
    return result


def album_place(album: str, name: str, layout: str) -> str:
    """An album's own file: in the album's folder, which date layouts gather under Albums/."""
    return f"Albums/{album}/{name}" if layout in DATE_LAYOUTS else f"{album}/{name}"


def _album_sidecars(found: ScanResult, matched: MatchResult, places: dict[str, Placement], takeout: bool,
                    album_folders: set[str]) -> dict[str, AlbumSidecar]:
    sidecars = {s.rel: s for s in found.sidecars}
    index: dict[tuple[str, int], set[str]] = {}
    for media_rel, pair in matched.pairs.items():
        sidecar = sidecars.get(pair.sidecar)
        if sidecar is None or sidecar.taken is None or places[media_rel].group in ("trash", "locked", "unprocessed"):
            continue
        for name in (sidecar.title, media_rel.rpartition("/")[2]):
            index.setdefault((_fold(name), sidecar.taken), set()).add(media_rel)
    result = {}
    for rel in sorted(matched.unpaired_sidecars):
        sidecar = sidecars.get(rel)
        inside = library_rel(rel, takeout) or rel
        folder = inside.rpartition("/")[0]
        if (sidecar is None or sidecar.taken is None or not folder or _special_path(inside)[0]
                or _is_year_folder(folder, album_folders)):
            continue
        candidates = index.get((_fold(sidecar.title), sidecar.taken), set())
        result[rel] = AlbumSidecar(folder, sidecar.title, sidecar.taken,
                                   tuple(sorted(m for m in candidates if places[m].album != folder)))
    return result


def _unpaired_sidecars(found: ScanResult, matched: MatchResult) -> list[str]:
    return sorted({*matched.unpaired_sidecars, *(b.rel for b in found.broken)})


def _place_media(media: MediaEntry, sidecar: Sidecar | None, paired: bool, takeout: bool,
                 album_folders: set[str], options: LibraryOptions) -> Placement:
    inside = library_rel(media.rel, takeout) or media.rel
    folder_group, rest = _special_path(inside)
    group = _flag_group(sidecar, options) or folder_group
    name = inside.rpartition("/")[2]
    if not paired:
        return Placement(f"{UNPROCESSED}/{inside}", "unprocessed")
    if group is not None:
        within = name if options.layout in DATE_LAYOUTS else rest
        return Placement(f"{GROUP_FOLDERS[group]}/{within}", group)
    folder = inside.rpartition("/")[0]
    if options.layout not in DATE_LAYOUTS:
        album = folder if folder and not _is_year_folder(folder, album_folders) else None
        return Placement(inside, "album" if album else "library", album=album)
    if folder and not _is_year_folder(folder, album_folders):
        return Placement(album_place(folder, name, options.layout), "album", album=folder)
    wall, why = _local_date(sidecar, name, options)
    if wall is None:
        return Placement(f"Undated/{name}", "undated", undated_reason=why)
    parts = [f"{wall.year:04d}", f"{wall.month:02d}", f"{wall.day:02d}"][: options.layout.count("/") + 1]
    return Placement("/".join(["Photos", *parts, name]), "library")


def _special_path(inside: str) -> tuple[str | None, str]:
    """The special group its top folder names (Trash, Locked Folder...), and the path below that folder."""
    top, slash, rest = inside.partition("/")
    group = _SPECIAL.get(_fold(top)) if slash else None
    if group == "archive":
        return None, inside  # archived items stay in the library unless asked (decided by the flag or option)
    return (group, rest) if group else (None, inside)


def _flag_group(sidecar: Sidecar | None, options: LibraryOptions) -> str | None:
    if sidecar is None:
        return None
    if sidecar.trashed:
        return "trash"
    if sidecar.locked:
        return "locked"
    if sidecar.partner and options.partner == "separate":
        return "partner"
    if sidecar.archived and options.archive == "separate":
        return "archive"
    return None


def _is_year_folder(folder: str, album_folders: set[str]) -> bool:
    """A folder of Google's own by year ("Photos from 2019", "Fotos von 2019"), not an album."""
    name = folder.rpartition("/")[2]
    if _SPECIAL.get(_fold(name)) == "archive":
        return True  # archived photos kept in the library are dated like the rest
    return bool(_YEAR_FOLDER.fullmatch(name)) and folder not in album_folders


def _local_date(sidecar: Sidecar | None, name: str, options: LibraryOptions) -> tuple[datetime | None, str | None]:
    """The capture date as local wall time, the one pef writes: the sidecar's in the place's zone
    (else --timezone, else this machine's), else a date in the file's name."""
    instant = sidecar_instant(sidecar)
    if instant is not None and sidecar is not None:
        coords = (sidecar.geo.latitude, sidecar.geo.longitude) if sidecar.geo else None
        zone = resolve_zone(coords, {}, MetadataOptions(timezone=options.timezone))
        return moment_from_utc(instant, zone).wall, None
    wall = date_from_name(name)
    if wall is not None:
        return wall, None
    return None, "no photoTakenTime in the sidecar and no date in the name"
