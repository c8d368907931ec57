"""Reading Google Takeout JSON files: media sidecars versus everything else.

A JSON is a media sidecar when its content has `title` and `photoTakenTime`.
Anything that does not parse, or has the keys with the wrong types, is a broken
sidecar: reported, never fatal.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

# A real sidecar is a few KB; anything far larger is not one and must not be
# loaded whole into memory.
MAX_SIDECAR_BYTES = 8 * 1024 * 1024

# Timestamps outside this window are not dates a camera took (year 1800..2200).
MIN_TIMESTAMP = -5_364_662_400
MAX_TIMESTAMP = 7_258_118_400


@dataclass(frozen=True)
class Geo:
    latitude: float
    longitude: float
    altitude: float | None = None


@dataclass(frozen=True)
class Sidecar:
    """What one sidecar says about its photo or video."""

    rel: str  # path of the JSON relative to the source root, "/" separated
    title: str
    taken: int | None  # photoTakenTime, seconds since the epoch (UTC)
    created: int | None = None  # creationTime: when it was uploaded
    geo: Geo | None = None  # geoDataExif first, then geoData; None for 0,0
    description: str = ""
    people: tuple[str, ...] = ()
    favorited: bool = False
    archived: bool = False
    trashed: bool = False
    locked: bool = False  # inLockedFolder
    partner: bool = False  # googlePhotosOrigin.fromPartnerSharing
    url: str = ""  # Google's own address of the item: the same in every export of it
    warnings: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class OtherJson:
    """A JSON that is not a media sidecar (album metadata.json, print orders...)."""

    rel: str
    album: "AlbumInfo | None" = None  # when it describes an album (a title and no photoTakenTime)


@dataclass(frozen=True)
class AlbumInfo:
    """What an album's metadata.json (whatever its localised name) says of the album."""

    title: str
    description: str = ""
    date: int | None = None
    place: str | None = None
    shared: bool = False


@dataclass(frozen=True)
class BrokenSidecar:
    rel: str
    error: str


JsonKind = Sidecar | OtherJson | BrokenSidecar


class _BadField(ValueError):
    pass


def read_json_file(path: str | Path, rel: str, size: int) -> JsonKind:
    """Parse the JSON at path (size as the scan saw it, so a huge file is never read)."""
    if size > MAX_SIDECAR_BYTES:
        return BrokenSidecar(rel, f"too large for a sidecar ({size} bytes)")
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_SIDECAR_BYTES + 1)
    except OSError as exc:
        return BrokenSidecar(rel, f"cannot read: {exc.strerror or exc}")
    if len(raw) > MAX_SIDECAR_BYTES:
        return BrokenSidecar(rel, f"too large for a sidecar (grew past {MAX_SIDECAR_BYTES} bytes)")
    return parse_json_bytes(raw, rel)


def parse_json_bytes(raw: bytes, rel: str) -> JsonKind:
    if not raw.strip():
        return BrokenSidecar(rel, "empty file")
    try:
        # utf-8-sig: exports re-saved by Windows editors start with a BOM.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return BrokenSidecar(rel, f"not UTF-8 text (byte {exc.start})")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return BrokenSidecar(rel, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
    except RecursionError:
        return BrokenSidecar(rel, "invalid JSON: nested too deeply")
    except ValueError as exc:  # e.g. a number with more digits than Python converts
        return BrokenSidecar(rel, f"invalid JSON: {exc}")
    if not isinstance(data, dict) or "title" not in data or "photoTakenTime" not in data:
        return OtherJson(rel, _album_info(data))
    try:
        return _sidecar_from(data, rel)
    except _BadField as exc:
        return BrokenSidecar(rel, str(exc))


def _sidecar_from(data: dict, rel: str) -> Sidecar:
    title = data["title"]
    if not isinstance(title, str) or not title.strip():
        raise _BadField("title is not a non-empty string")
    if "\x00" in title:
        raise _BadField("title contains a NUL character")
    title = _valid_text(title)
    warnings: list[str] = []
    taken = _timestamp(data, "photoTakenTime", required=True)
    try:
        created = _timestamp(data, "creationTime", required=False)
    except _BadField as exc:
        created, _ = None, warnings.append(str(exc))
    return Sidecar(
        rel=rel,
        title=title,
        taken=taken,
        created=created,
        geo=_geo(data, warnings),
        description=_text(data, "description", warnings),
        people=_people(data, warnings),
        favorited=_flag(data, "favorited", warnings),
        archived=_flag(data, "archived", warnings),
        trashed=_flag(data, "trashed", warnings),
        locked=_flag(data, "inLockedFolder", warnings),
        partner=_partner(data),
        url=_url(data),
        warnings=tuple(warnings),
    )


def _album_info(data) -> AlbumInfo | None:
    if not isinstance(data, dict) or not isinstance(data.get("title"), str) or "photoTakenTime" in data:
        return None
    try:
        date = _timestamp(data, "date", required=False)
    except _BadField:
        date = None
    place = data.get("location")
    description = data.get("description")
    return AlbumInfo(
        title=_valid_text(data["title"]),
        description=_valid_text(description) if isinstance(description, str) else "",
        date=date,
        place=_valid_text(place) if isinstance(place, str) and place.strip() else None,
        shared=data.get("shared") is True or data.get("access") == "shared",
    )


def _url(data: dict) -> str:
    url = data.get("url")
    return _valid_text(url) if isinstance(url, str) and url.startswith("http") else ""


def _partner(data: dict) -> bool:
    """Shared into this library by a partner account (Google marks it in the item's origin)."""
    origin = data.get("googlePhotosOrigin")
    return isinstance(origin, dict) and "fromPartnerSharing" in origin


def _timestamp(data: dict, key: str, required: bool) -> int | None:
    block = data.get(key)
    if block is None and not required:
        return None
    if not isinstance(block, dict):
        raise _BadField(f"{key} is not an object")
    value = block.get("timestamp")
    if isinstance(value, bool):
        raise _BadField(f"{key}.timestamp is not a number")
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise _BadField(f"{key}.timestamp is not a number: {value[:40]!r}") from None
    if isinstance(value, float) and math.isfinite(value):
        value = int(value)
    if not isinstance(value, int):
        raise _BadField(f"{key}.timestamp is missing or not a number")
    if not MIN_TIMESTAMP <= value <= MAX_TIMESTAMP:
        raise _BadField(f"{key}.timestamp {value} is out of range")
    return value


def _geo(data: dict, warnings: list[str]) -> Geo | None:
    for key in ("geoDataExif", "geoData"):
        block = data.get(key)
        if block is None:
            continue
        if not isinstance(block, dict):
            warnings.append(f"{key} is not an object")
            continue
        lat, lon, alt = (block.get(k) for k in ("latitude", "longitude", "altitude"))
        if not (_is_number(lat) and _is_number(lon)):
            warnings.append(f"{key} has no numeric latitude/longitude")
            continue
        if lat == 0 and lon == 0:
            continue  # Google's way of saying "no location"
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            warnings.append(f"{key} is out of range ({lat}, {lon})")
            continue
        return Geo(float(lat), float(lon), float(alt) if _is_number(alt) else None)
    return None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _text(data: dict, key: str, warnings: list[str]) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        warnings.append(f"{key} is not a string")
        return ""
    return _valid_text(value.replace("\x00", ""))


def _valid_text(value: str) -> str:
    """JSON may hold lone surrogates (\\ud800) that no file or tag can store: make them U+FFFD."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _people(data: dict, warnings: list[str]) -> tuple[str, ...]:
    value = data.get("people", [])
    if not isinstance(value, list):
        warnings.append("people is not a list")
        return ()
    names: list[str] = []
    for person in value:
        name = person.get("name") if isinstance(person, dict) else None
        if isinstance(name, str):
            name = _valid_text(name.replace("\x00", "").strip())
            if name and name not in names:
                names.append(name)
    return tuple(names)


def _flag(data: dict, key: str, warnings: list[str]) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        warnings.append(f"{key} is not true/false")
        return False
    return value


def to_record(parsed: JsonKind) -> list:
    """A JSON-ready form of a parsed file, for the scan cache (`from_record` reverses it)."""
    if isinstance(parsed, Sidecar):
        # Shallow: dataclasses.asdict deep-copies every field (38 µs a sidecar against 2 µs).
        fields = dict(parsed.__dict__)
        fields.pop("rel")
        if parsed.geo is not None:
            fields["geo"] = dict(parsed.geo.__dict__)
        return ["sidecar", fields]
    if isinstance(parsed, BrokenSidecar):
        return ["broken", parsed.error]
    return ["other", dict(parsed.album.__dict__) if parsed.album else None]


def from_record(rel: str, record: list) -> JsonKind:
    kind, payload = record
    if kind == "sidecar":
        payload = dict(payload)
        if "url" not in payload:
            raise KeyError("url")  # cached by a pef that did not read it: read the file again
        geo = payload.pop("geo")
        return Sidecar(
            rel=rel,
            geo=Geo(**geo) if geo else None,
            people=tuple(payload.pop("people")),
            warnings=tuple(payload.pop("warnings")),
            **payload,
        )
    if kind == "broken":
        return BrokenSidecar(rel, payload)
    return OtherJson(rel, AlbumInfo(**payload) if payload else None)
