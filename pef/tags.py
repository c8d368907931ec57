"""What ExifTool should write into one media file: the pure planning layer.

The executor reads the source with `READ_ARGS`, passes the parsed JSON object to
`plan_tags`, then runs ExifTool with `WRITE_PREFIX + plan.args` (in the file, or
into a new `<file>.xmp`), and finally sets the output's mtime to `plan.mtime`.
Nothing here runs ExifTool or touches a file, so every rule is unit-testable.

Facts about ExifTool 12.57 this module relies on (checked by
tests/test_tags_readback.py):
- Writable in place: JPEG, TIFF, DNG (EXIF, IPTC, XMP); PNG, HEIC/HEIF/AVIF,
  WebP (EXIF, XMP; IPTC in PNG is non-standard); GIF (XMP only); the MP4/MOV
  family (QuickTime, Keys, ItemList, UserData, XMP). AVI, MKV, M2TS and other
  containers are read-only: they get an XMP sidecar.
- QuickTime dates are written as given (no QuickTimeUTC option), so we pass UTC.
- With `-ec`, values are unescaped C-style, so newlines travel on one line.
- IPTC is encoded as UTF-8 because the args set CodedCharacterSet=UTF8; IPTC
  already in a file without that mark is re-encoded via `-tagsFromFile @`.
- ExifTool will not write a file whose name's extension names another type
  ("Not a valid HEIC (looks more like a JPEG)"), nor `-o` to a name whose
  extension names another type; see `real_extension` and `temp_output_name`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import PurePath
from typing import Literal

from pef.namedates import date_from_name
from pef.sidecar import Sidecar
from pef.timezones import (
    EPOCH,
    UTC,
    format_offset,
    load_zone,
    parse_offset,
    system_zone,
    utc_to_wall,
    wall_offset,
    zone_at,
)

READ_ARGS: list[str] = [
    "-j", "-G1", "-a", "-n", "-charset", "filename=utf8",
    "-File:FileType", "-File:FileTypeExtension", "-File:MIMEType",
    "-EXIF:DateTimeOriginal", "-EXIF:CreateDate", "-EXIF:ModifyDate",
    "-EXIF:OffsetTimeOriginal", "-EXIF:OffsetTimeDigitized", "-EXIF:OffsetTime",
    "-XMP-exif:DateTimeOriginal", "-XMP-xmp:CreateDate", "-XMP-xmp:ModifyDate",
    "-XMP-photoshop:DateCreated",
    "-QuickTime:CreateDate", "-QuickTime:ModifyDate", "-QuickTime:TrackCreateDate",
    "-QuickTime:TrackModifyDate", "-QuickTime:MediaCreateDate", "-QuickTime:MediaModifyDate",
    "-Keys:CreationDate", "-Matroska:DateTimeOriginal", "-RIFF:DateTimeOriginal",
    "-H264:DateTimeOriginal",
    "-Composite:GPSLatitude", "-Composite:GPSLongitude",
    "-IPTC:all",  # small; tells whether existing IPTC is UTF-8 (no -charset iptc: legacy reads as Latin-1)
]

# No "-charset iptc=utf8": the "-IPTC:CodedCharacterSet=UTF8" in the args makes
# ExifTool encode new IPTC values as UTF-8, and existing unmarked IPTC must be
# decoded as Latin-1 (ExifTool's default) when it is re-encoded.
WRITE_PREFIX: list[str] = [
    "-charset", "filename=utf8",
    "-api", "LargeFileSupport=1",
    "-ec",  # values below are C-escaped: \\n, \\\\, \\xHH
    "-m",  # minor problems in a camera's existing metadata must not block the write
]

Target = Literal["file", "xmp", "none"]


@dataclass(frozen=True)
class MetadataOptions:
    timezone: str | None = None  # --timezone IANA name; None = machine's local zone
    overwrite_dates: bool = False  # --overwrite-dates
    tags: bool = True  # False (--no-exif): only the file time is decided, no ExifTool arguments


@dataclass
class TagPlan:
    target: Target
    args: list[str]
    mtime: float | None
    date_source: str  # "sidecar" | "file" | "filename" | "none"
    zone: str | None
    zone_source: str  # "gps" | "file" | "option" | "local" | "none"
    notes: list[str] = field(default_factory=list)
    date: str | None = None  # the capture time written, local with its offset (ISO 8601), for the report


# ---------------------------------------------------------------- formats

EXIF, IPTC, XMP, QT = "exif", "iptc", "xmp", "qt"

_TIFF_RAWS = {"CR2", "NEF", "NRW", "ARW", "SR2", "ORF", "ORI", "RW2", "RWL", "PEF",
              "SRW", "ERF", "IIQ", "MEF", "MOS", "CR3"}
_QUICKTIME = {"MP4", "MOV", "M4V", "3GP", "3G2", "QT", "MQV"}
_CAPABILITIES: dict[str, frozenset[str]] = {
    "JPEG": frozenset({EXIF, IPTC, XMP}),
    "TIFF": frozenset({EXIF, IPTC, XMP}),
    "DNG": frozenset({EXIF, IPTC, XMP}),
    "PNG": frozenset({EXIF, XMP}),
    "HEIC": frozenset({EXIF, XMP}),
    "HEIF": frozenset({EXIF, XMP}),
    "AVIF": frozenset({EXIF, XMP}),
    "WEBP": frozenset({EXIF, XMP}),
    "EXTENDED WEBP": frozenset({EXIF, XMP}),
    "GIF": frozenset({XMP}),
    **{raw: frozenset({EXIF, XMP}) for raw in _TIFF_RAWS},
    **{qt: frozenset({QT, XMP}) for qt in _QUICKTIME},
}

# Extensions that name the same content type as ExifTool's FileTypeExtension.
_ALIASES = [
    {"jpg", "jpeg", "jpe", "jfif", "mpo"}, {"tif", "tiff"}, {"heic", "heif", "hif"},
    {"png", "apng"}, {"mts", "m2ts", "m2t"}, {"3gp", "3gpp"}, {"3g2", "3gp2"}, {"mov", "qt"},
]


def file_type(existing: dict) -> str | None:
    """ExifTool's content type (File:FileType), upper-cased, or None."""
    value = existing.get("File:FileType")
    if value is None:
        return None
    return str(value).strip().upper() or None


def capabilities(existing: dict) -> frozenset[str]:
    """Metadata families ExifTool 12.57 writes in this content type (empty: sidecar only)."""
    return _CAPABILITIES.get(file_type(existing) or "", frozenset())


def real_extension(existing: dict, name: str | None = None) -> str | None:
    """The proper extension (lower case, no dot) when the content does not match the name.

    `name` defaults to ExifTool's "SourceFile". None when the name is right, is an
    accepted alias (.jpeg for JPEG, .tiff, .heif...) or the content is unknown.
    """
    proper = str(existing.get("File:FileTypeExtension") or "").strip().lower()
    name = name if name is not None else str(existing.get("SourceFile") or "")
    if not proper or not name:
        return None
    suffix = PurePath(name).suffix.lower().lstrip(".")
    if suffix == proper or any(suffix in group and proper in group for group in _ALIASES):
        return None
    return proper


TEMP_SUFFIX = ".pef-tmp"


def temp_output_name(output: str, target: Target) -> str:
    """Where ExifTool's `-o` should write before the result is renamed into place.

    ExifTool 12.57 refuses `-o NAME.webp` ("Can't write RIFF files": its command
    line checks the output extension against a table keyed by module), but writes
    WebP fine to a name with an unknown extension; it writes every other type by
    the source's content whatever the output name. An XMP sidecar is created from
    nothing only when the name ends in ".xmp". `-o` never overwrites: the temp
    name must not exist.
    """
    if target == "xmp":
        return f"{output}{TEMP_SUFFIX}.xmp"  # rename to f"{output}.xmp"
    return f"{output}{TEMP_SUFFIX}"


# ---------------------------------------------------------------- values


def escape(value: str) -> str:
    """Escape a value for `-ec`: backslashes and every control/line-break character.

    NULs are dropped and lone UTF-16 surrogates (possible in JSON) become U+FFFD.
    """
    value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    out = []
    for char in value.replace("\x00", ""):
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif code < 0x20 or 0x7F <= code < 0xA0 or char in "\u2028\u2029":
            out.append("".join(f"\\x{byte:02x}" for byte in char.encode("utf-8")))
        else:
            out.append(char)
    return "".join(out)


def assign(tag: str, value: str) -> str:
    """One `-TAG=value` argument with the value escaped for `-ec`."""
    return f"-{tag}={escape(value)}"


def truncate_utf8(text: str, limit: int) -> str:
    """Longest prefix of `text` whose UTF-8 encoding fits in `limit` bytes."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def number(value: float, places: int = 8) -> str:
    """Plain decimal text, no exponent, no trailing zeros."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


# ---------------------------------------------------------------- dates

_DATE_RE = re.compile(
    r"^\s*(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?(?:\s*DST)?\s*$",
    re.IGNORECASE,
)
_SENTINELS = {datetime(1970, 1, 1), datetime(1904, 1, 1)}
_MIN_YEAR, _MAX_YEAR = 1800, 2200
_QT_MIN = datetime(1904, 1, 1, 0, 0, 1, tzinfo=UTC)
_QT_MAX = datetime(1904, 1, 1, tzinfo=UTC) + timedelta(seconds=2**32 - 1)
DISAGREE_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class FileDate:
    """A date found in the file: wall time, its offset if known, or UTC-by-spec."""

    tag: str
    wall: datetime  # naive
    offset: timedelta | None = None
    utc: bool = False  # QuickTime/Matroska store UTC

    @property
    def text(self) -> str:
        if self.utc:
            return exif_datetime(self.wall) + " UTC"
        return exif_datetime(self.wall) + (format_offset(self.offset) if self.offset is not None else "")


@dataclass(frozen=True)
class Zone:
    tz: tzinfo
    label: str | None  # IANA name; None for fixed offsets / unnamed local zones
    source: str  # gps | file | option | local


@dataclass(frozen=True)
class Moment:
    """The instant a photo was taken and how it reads on a wall clock there."""

    utc: datetime  # aware, UTC
    wall: datetime  # naive local wall-clock time
    offset: timedelta
    zone: str  # IANA name or "+09:00"
    zone_source: str


def exif_datetime(wall: datetime) -> str:
    """'YYYY:MM:DD HH:MM:SS' (zero-padded, works for any year)."""
    return (f"{wall.year:04d}:{wall.month:02d}:{wall.day:02d} "
            f"{wall.hour:02d}:{wall.minute:02d}:{wall.second:02d}")


def parse_date(value: object) -> tuple[datetime, timedelta | None] | None:
    """ExifTool date text -> (naive wall time, offset or None); None for sentinels/garbage."""
    if not isinstance(value, str):
        return None
    match = _DATE_RE.match(value)
    if not match:
        return None
    try:
        wall = datetime(*(int(part) for part in match.groups()[:6]))
    except ValueError:
        return None  # 0000:00:00, month 13...
    offset = parse_offset(match.group(7)) if match.group(7) else None
    if not _MIN_YEAR <= wall.year <= _MAX_YEAR or wall in _SENTINELS:
        return None
    if offset is not None and (wall - offset) in _SENTINELS:
        return None  # the epoch shown in some zone ("1970:01:01 09:00:00+09:00")
    return wall, offset


def _find(existing: dict, tag: str) -> object | None:
    """Value of a write-tag ("EXIF:CreateDate", "QuickTime:TrackCreateDate"...) in `existing`."""
    group, name = tag.split(":", 1)
    for key, value in existing.items():
        kgroup, _, kname = key.partition(":")
        if kname == name and _group_matches(group, kgroup):
            return value
    return None


def _group_matches(group: str, key_group: str) -> bool:
    if group == "EXIF":
        return key_group in ("ExifIFD", "IFD0")
    if group == "QuickTime":
        return key_group == "QuickTime" or re.fullmatch(r"Track\d+", key_group) is not None
    return key_group == group


def _file_date(existing: dict, tag: str, offset_tag: str | None = None, utc: bool = False) -> FileDate | None:
    parsed = parse_date(_find(existing, tag))
    if parsed is None:
        return None
    wall, offset = parsed
    if utc:  # stored in UTC: any offset given only shifts it to UTC
        return FileDate(tag, wall - (offset or timedelta(0)), None, True)
    if offset is None and offset_tag:
        offset = parse_offset(_find(existing, offset_tag))
    return FileDate(tag, wall, offset)


# (tag, paired offset tag, stored as UTC)
_CAMERA_DATES = [
    ("EXIF:DateTimeOriginal", "EXIF:OffsetTimeOriginal", False),
    ("XMP-exif:DateTimeOriginal", None, False),
    ("Keys:CreationDate", None, False),
    ("QuickTime:CreateDate", None, True),
    ("Matroska:DateTimeOriginal", None, True),
    ("H264:DateTimeOriginal", None, False),
    ("RIFF:DateTimeOriginal", None, False),
]
_OTHER_DATES = [
    ("EXIF:CreateDate", "EXIF:OffsetTimeDigitized", False),
    ("XMP-xmp:CreateDate", None, False),
    ("XMP-photoshop:DateCreated", None, False),
]


def camera_date(existing: dict, any_date: bool = False) -> FileDate | None:
    """The date the device recorded (DateTimeOriginal or its video equivalents).

    With `any_date`, creation dates count too (for media without a sidecar).
    """
    for tag, offset_tag, utc in _CAMERA_DATES + (_OTHER_DATES if any_date else []):
        found = _file_date(existing, tag, offset_tag, utc)
        if found is not None:
            return found
    return None


def file_offset(existing: dict) -> timedelta | None:
    """A UTC offset the file already states, if any."""
    for tag in ("EXIF:OffsetTimeOriginal", "EXIF:OffsetTimeDigitized", "EXIF:OffsetTime"):
        offset = parse_offset(_find(existing, tag))
        if offset is not None:
            return offset
    for tag, _, _ in _CAMERA_DATES + _OTHER_DATES:
        parsed = parse_date(_find(existing, tag))
        if parsed and parsed[1] is not None and not tag.startswith(("QuickTime:", "Matroska:")):
            return parsed[1]
    return None


def file_gps(existing: dict) -> tuple[float, float] | None:
    lat, lon = existing.get("Composite:GPSLatitude"), existing.get("Composite:GPSLongitude")
    try:
        lat, lon = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if (lat == 0 and lon == 0) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


# ---------------------------------------------------------------- zones


def resolve_zone(coords: tuple[float, float] | None, existing: dict, options: MetadataOptions) -> Zone:
    """GPS zone, else an offset already in the file, else --timezone, else the machine's zone."""
    if coords is not None:
        name = zone_at(*coords)
        if name:
            return Zone(load_zone(name), name, "gps")
    offset = file_offset(existing)
    if offset is not None:
        return Zone(timezone(offset), None, "file")
    if options.timezone:
        return Zone(load_zone(options.timezone), options.timezone, "option")
    tz, name = system_zone()
    return Zone(tz, name, "local")


def moment_from_utc(instant: datetime, zone: Zone) -> Moment:
    wall, offset = utc_to_wall(instant, zone.tz)
    return Moment(instant.astimezone(UTC), wall, offset, zone.label or format_offset(offset), zone.source)


def moment_from_wall(wall: datetime, offset: timedelta | None, zone: Zone) -> Moment:
    """A wall time with its own offset (reported as "file"), else read in `zone`."""
    if offset is not None:
        return Moment((wall - offset).replace(tzinfo=UTC), wall, offset, format_offset(offset), "file")
    offset = wall_offset(wall, zone.tz)
    return Moment((wall - offset).replace(tzinfo=UTC), wall, offset, zone.label or format_offset(offset), zone.source)


def moment_from_file_date(found: FileDate, zone: Zone) -> Moment:
    if found.utc:
        return moment_from_utc(found.wall.replace(tzinfo=UTC), zone)
    return moment_from_wall(found.wall, found.offset, zone)


def sidecar_instant(sidecar: Sidecar | None) -> datetime | None:
    """photoTakenTime as an aware UTC datetime; the 1970-01-01 sentinel counts as none."""
    if sidecar is None or sidecar.taken is None or sidecar.taken == 0:
        return None
    return EPOCH + timedelta(seconds=sidecar.taken)


# ---------------------------------------------------------------- date tags

# (date tag, its offset tag) written as local wall time
_EXIF_DATES = [
    ("EXIF:DateTimeOriginal", "EXIF:OffsetTimeOriginal"),
    ("EXIF:CreateDate", "EXIF:OffsetTimeDigitized"),
    ("EXIF:ModifyDate", "EXIF:OffsetTime"),
]
_XMP_DATES = ["XMP-exif:DateTimeOriginal", "XMP-xmp:CreateDate", "XMP-xmp:ModifyDate", "XMP-photoshop:DateCreated"]
_QT_UTC_DATES = [
    "QuickTime:CreateDate", "QuickTime:ModifyDate", "QuickTime:TrackCreateDate",
    "QuickTime:TrackModifyDate", "QuickTime:MediaCreateDate", "QuickTime:MediaModifyDate",
]
_QT_LOCAL_DATES = ["Keys:CreationDate"]


def date_args(moment: Moment, caps: frozenset[str], existing: dict, zone: Zone,
              overwrite: bool, notes: list[str]) -> list[str]:
    """Date assignments: every date tag the format holds, skipping ones the file has unless `overwrite`."""
    def present(tag: str) -> bool:
        return not overwrite and parse_date(_find(existing, tag)) is not None

    args: list[str] = []
    if EXIF in caps:
        args += _exif_date_args(moment, existing, zone, present)
    if XMP in caps and QT not in caps:
        stamp = exif_datetime(moment.wall) + format_offset(moment.offset)
        args += [assign(tag, stamp) for tag in _XMP_DATES if not present(tag)]
    if QT in caps:
        args += _quicktime_date_args(moment, present, notes)
    return args


def _exif_date_args(moment: Moment, existing: dict, zone: Zone, present) -> list[str]:
    args: list[str] = []
    for tag, offset_tag in _EXIF_DATES:
        if not present(tag):
            args += [assign(tag, exif_datetime(moment.wall)), assign(offset_tag, format_offset(moment.offset))]
        elif parse_offset(_find(existing, offset_tag)) is None:
            wall = parse_date(_find(existing, tag))[0]  # type: ignore[index]
            offset = moment.offset if wall == moment.wall else wall_offset(wall, zone.tz)
            args.append(assign(offset_tag, format_offset(offset)))
    return args


def _quicktime_date_args(moment: Moment, present, notes: list[str]) -> list[str]:
    args: list[str] = []
    if _QT_MIN <= moment.utc <= _QT_MAX:
        utc_text = exif_datetime(moment.utc.replace(tzinfo=None))
        args += [assign(tag, utc_text) for tag in _QT_UTC_DATES if not present(tag)]
    else:
        notes.append(f"{exif_datetime(moment.utc.replace(tzinfo=None))} UTC is outside the QuickTime "
                     "date range (1904-2040); only Keys:CreationDate written")
    stamp = exif_datetime(moment.wall) + format_offset(moment.offset)
    return args + [assign(tag, stamp) for tag in _QT_LOCAL_DATES if not present(tag)]


# ---------------------------------------------------------------- other fields


def gps_args(latitude: float, longitude: float, altitude: float | None, caps: frozenset[str]) -> list[str]:
    """Coordinates with refs. Altitude 0 is Google's "unknown" and is left out."""
    alt = altitude if altitude else None
    args: list[str] = []
    if EXIF in caps:
        args += [
            f"-EXIF:GPSLatitude#={number(abs(latitude))}", f"-EXIF:GPSLatitudeRef#={'N' if latitude >= 0 else 'S'}",
            f"-EXIF:GPSLongitude#={number(abs(longitude))}", f"-EXIF:GPSLongitudeRef#={'E' if longitude >= 0 else 'W'}",
        ]
        if alt is not None:
            args += [f"-EXIF:GPSAltitude#={number(abs(alt), 2)}", f"-EXIF:GPSAltitudeRef#={1 if alt < 0 else 0}"]
    if XMP in caps and QT not in caps:
        args += [f"-XMP-exif:GPSLatitude#={number(latitude)}", f"-XMP-exif:GPSLongitude#={number(longitude)}"]
        if alt is not None:
            args += [f"-XMP-exif:GPSAltitude#={number(abs(alt), 2)}",
                     f"-XMP-exif:GPSAltitudeRef#={1 if alt < 0 else 0}"]
    if QT in caps:
        coords = f"{number(latitude)} {number(longitude)}" + (f" {number(alt, 2)}" if alt is not None else "")
        args += [f"-Keys:GPSCoordinates#={coords}", f"-UserData:GPSCoordinates#={coords}"]
    return args


def clean_text(text: str) -> str:
    """A description with LF line ends; "" when blank."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.strip() else ""


def clean_people(people: tuple[str, ...]) -> list[str]:
    """Names on one line with single spaces, blanks and repeats dropped."""
    names: list[str] = []
    for name in (" ".join(person.split()) for person in people):
        if name and name not in names:
            names.append(name)
    return names


def description_args(text: str, caps: frozenset[str]) -> list[str]:
    """The caption in XMP, EXIF and QuickTime (IPTC: see iptc_args)."""
    text = clean_text(text)
    if not text:
        return []
    args: list[str] = []
    if XMP in caps:
        args.append(assign("XMP-dc:Description", text))
    if EXIF in caps:
        args.append(assign("EXIF:ImageDescription", text))
    if QT in caps:
        args += [assign("Keys:Description", text), assign("ItemList:Description", text)]
    return args


def people_args(people: tuple[str, ...], caps: frozenset[str]) -> list[str]:
    """Add each person once: "-TAG-=v" then "-TAG+=v" drops an existing copy before adding."""
    if XMP not in caps:
        return []
    return [arg for name in clean_people(people)
            for arg in _add_once("XMP-iptcExt:PersonInImage", name) + _add_once("XMP-dc:Subject", name)]


IPTC_CAPTION_BYTES = 2000
IPTC_KEYWORD_BYTES = 64
IPTC_UTF8 = "\x1b%G"  # IPTC:CodedCharacterSet as `-n` reads it


def iptc_args(sidecar: Sidecar, existing: dict, caps: frozenset[str], notes: list[str]) -> list[str]:
    """Caption-Abstract and Keywords, always stored as UTF-8 and marked so.

    IPTC already in the file without the UTF-8 mark (ExifTool reads it as Latin-1)
    is copied through ExifTool so it is re-encoded, not left to turn into mojibake
    under the new mark.
    """
    if IPTC not in caps:
        return []
    caption = _iptc_value(clean_text(sidecar.description), IPTC_CAPTION_BYTES, "IPTC:Caption-Abstract", notes)
    people = [_iptc_value(name, IPTC_KEYWORD_BYTES, "IPTC:Keywords", notes) for name in clean_people(sidecar.people)]
    if not caption and not people:
        return []
    marked_utf8 = existing.get("IPTC:CodedCharacterSet") in (IPTC_UTF8, "UTF8")
    if any(key.startswith("IPTC:") for key in existing) and not marked_utf8:
        args = _legacy_iptc_args(existing, caption, people)
    else:
        args = [assign("IPTC:Caption-Abstract", caption)] if caption else []
        args += [arg for keyword in people for arg in _add_once("IPTC:Keywords", keyword)]
    return args + ["-IPTC:CodedCharacterSet=UTF8"]


def _iptc_value(text: str, limit: int, tag: str, notes: list[str]) -> str:
    cut = truncate_utf8(text, limit)
    if cut != text:
        notes.append(f"{text[:40]!r} cut to {limit} bytes for {tag}")
    return cut


def _legacy_iptc_args(existing: dict, caption: str, people: list[str]) -> list[str]:
    args = ["-tagsFromFile", "@", "-IPTC:all"]  # re-encode every existing record
    if people:  # a copied list would be doubled by "+=": write the whole list instead
        old = existing.get("IPTC:Keywords")
        old = [str(k) for k in (old if isinstance(old, list) else [] if old is None else [old])]
        merged = [truncate_utf8(k, IPTC_KEYWORD_BYTES) for k in old] + [p for p in people if p not in old]
        args += ["--IPTC:Keywords"] + [assign("IPTC:Keywords", keyword) for keyword in merged]
    if caption:
        args += ["--IPTC:Caption-Abstract", assign("IPTC:Caption-Abstract", caption)]
    return args


def _add_once(tag: str, value: str) -> list[str]:
    return [f"-{tag}-={escape(value)}", f"-{tag}+={escape(value)}"]


def album_args(titles: tuple[str, ...], caps: frozenset[str]) -> list[str]:
    """Each album as a keyword, for apps that ignore folders: digiKam's and Lightroom's tag trees
    (under "Albums", each with its own separator, so a title holding one stays one tag) and dc:Subject."""
    if XMP not in caps:
        return []
    args: list[str] = []
    for title in (" ".join(t.split()) for t in titles):
        if title:
            args += _add_once("XMP-digiKam:TagsList", "Albums/" + title.replace("/", "_"))
            args += _add_once("XMP-lr:HierarchicalSubject", "Albums|" + title.replace("|", "_"))
            args += _add_once("XMP-dc:Subject", title)
    return args


def rating_args(favorited: bool, caps: frozenset[str]) -> list[str]:
    return ["-XMP-xmp:Rating=5"] if favorited and XMP in caps else []


# ---------------------------------------------------------------- the plan


def plan_tags(sidecar: Sidecar | None, media_rel: str, existing: dict, options: MetadataOptions,
              albums: tuple[str, ...] = ()) -> TagPlan:
    """Decide what to write for one media file (see module docstring); `albums`: titles to add as keywords."""
    if sidecar is None:
        return _plan_without_sidecar(media_rel, existing, options)
    notes: list[str] = []
    caps = capabilities(existing)
    target: Target = "file" if caps else "xmp"
    caps = caps or frozenset({XMP})
    zone = _sidecar_zone(sidecar, existing, options, notes)
    moment, source = choose_moment(sidecar, existing, zone, options, notes)
    if moment is None:
        moment, source = _name_moment((PurePath(media_rel).name, sidecar.title), zone)
    args: list[str] = []
    if not options.tags:
        return _plan("none", args, moment, source, notes)
    if source in ("sidecar", "file"):
        scope = existing if target == "file" else {}  # a new .xmp holds nothing yet
        overwrite = options.overwrite_dates and source == "sidecar"
        args += date_args(moment, caps, scope, zone, overwrite, notes)  # type: ignore[arg-type]
    args += field_args(sidecar, existing, caps, notes) + album_args(albums, caps)
    return _plan(target if args else "none", args, moment, source, notes)


def _sidecar_zone(sidecar: Sidecar, existing: dict, options: MetadataOptions, notes: list[str]) -> Zone:
    coords = (sidecar.geo.latitude, sidecar.geo.longitude) if sidecar.geo else file_gps(existing)
    zone = resolve_zone(coords, existing, options)
    if coords and zone.source != "gps":
        notes.append(f"no time zone at {number(coords[0], 5)}, {number(coords[1], 5)} (at sea?); "
                     f"used {zone.source} zone {zone.label or 'offset'}")
    return zone


def field_args(sidecar: Sidecar, existing: dict, caps: frozenset[str], notes: list[str]) -> list[str]:
    """Everything but dates: GPS, description, people, rating."""
    args: list[str] = []
    if sidecar.geo:
        args += gps_args(sidecar.geo.latitude, sidecar.geo.longitude, sidecar.geo.altitude, caps)
    args += description_args(sidecar.description, caps)
    args += people_args(sidecar.people, caps)
    args += rating_args(sidecar.favorited, caps)
    return args + iptc_args(sidecar, existing, caps, notes)


def choose_moment(sidecar: Sidecar, existing: dict, zone: Zone, options: MetadataOptions,
                  notes: list[str]) -> tuple[Moment | None, str]:
    """The camera's date unless missing or --overwrite-dates; else the sidecar's; else none."""
    taken = sidecar_instant(sidecar)
    if sidecar.taken == 0:
        notes.append("sidecar photoTakenTime is 0 (1970-01-01), ignored")
    found = camera_date(existing)
    camera = moment_from_file_date(found, zone) if found else None
    if camera and taken and abs(camera.utc - taken) > DISAGREE_AFTER:
        kept = "overwritten with sidecar date" if options.overwrite_dates else "kept camera date"
        notes.append(f"camera date {found.text} differs from sidecar date "  # type: ignore[union-attr]
                     f"{exif_datetime(taken.replace(tzinfo=None))} UTC by "
                     f"{abs(camera.utc - taken).total_seconds() / 86400:.1f} days; {kept}")
    if taken and (camera is None or options.overwrite_dates):
        return moment_from_utc(taken, zone), "sidecar"
    if camera:
        return camera, "file"
    return None, "none"


def _name_moment(names: tuple[str, ...], zone: Zone) -> tuple[Moment | None, str]:
    """The first date found in the names, read as wall time in `zone`."""
    for name in names:
        wall = date_from_name(name)
        if wall is not None:
            return moment_from_wall(wall, None, zone), "filename"
    return None, "none"


def _plan_without_sidecar(media_rel: str, existing: dict, options: MetadataOptions) -> TagPlan:
    """Bytes stay as they are; only the file time comes from the file's own date or its name."""
    zone = resolve_zone(file_gps(existing), existing, options)
    found = camera_date(existing, any_date=True)
    if found:
        return _plan("none", [], moment_from_file_date(found, zone), "file", [])
    moment, source = _name_moment((PurePath(media_rel).name,), zone)
    return _plan("none", [], moment, source, [])


def _plan(target: Target, args: list[str], moment: Moment | None, source: str, notes: list[str]) -> TagPlan:
    if moment is None:
        return TagPlan(target, args, None, "none", None, "none", notes)
    mtime = (moment.utc - EPOCH).total_seconds()
    written = moment.wall.replace(microsecond=0).isoformat()
    sign = "-" if moment.offset < timedelta(0) else "+"
    minutes = int(abs(moment.offset).total_seconds()) // 60
    return TagPlan(target, args, mtime, source, moment.zone, moment.zone_source, notes,
                   f"{written}{sign}{minutes // 60:02d}:{minutes % 60:02d}")
