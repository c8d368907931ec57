"""Time zones: coordinates to IANA zone, the machine's zone, UTC offsets.

The zone data comes from the system where it has one, else from the tzdata
package (a dependency: Windows has no IANA database, nor have slim containers).

Everything here works on whole-minute UTC offsets because EXIF and XMP can only
store "+HH:MM". Zone data before standard time (local mean time, e.g. Tokyo
+09:18:59 in 1850) is rounded to the minute, and the wall-clock time is computed
from the rounded offset so that wall time + offset always names the instant.
"""

from __future__ import annotations

import os
import re
import sys
import time
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_OFFSET = timedelta(hours=14)

_OFFSET_RE = re.compile(r"^([+-])(\d{2}):?(\d{2})$")


def zone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a place, or None at sea / when no usable zone is known.

    tzfpy answers "Etc/GMT+N" over international waters: that is a nautical
    band, not a place's civil time, so it counts as no zone.
    """
    import tzfpy  # imported lazily: loading its polygon index takes a moment

    try:
        name = tzfpy.get_tz(float(longitude), float(latitude))
    except (ValueError, TypeError, OverflowError):
        return None
    if not name or name.startswith("Etc/") or name in ("UTC", "GMT"):
        return None
    return name if _loads(name) else None


def _loads(name: str) -> bool:
    try:
        load_zone(name)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=512)
def load_zone(name: str) -> ZoneInfo:
    """ZoneInfo for an IANA name; ValueError with a readable message otherwise."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {name!r} (expected an IANA name such as Europe/Paris)") from None


@lru_cache(maxsize=1)
def system_zone() -> tuple[tzinfo, str | None]:
    """The machine's time zone and its IANA name when it can be found."""
    name = _system_zone_name()
    if name:
        return load_zone(name), name
    try:
        with open("/etc/localtime", "rb") as fh:
            return ZoneInfo.from_file(fh, key="localtime"), None
    except (OSError, ValueError):
        return _SystemLocal(), None


def _system_zone_name() -> str | None:
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    if sys.platform == "win32":
        candidates.append(_windows_zone_name() or "")
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError):
        pass
    try:
        # Linux, and macOS (/etc/localtime -> /var/db/timezone/zoneinfo/Europe/Paris).
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name and not name.startswith("/") and _loads(name):
            return name
    return None


def _windows_zone_name() -> str | None:
    """The IANA name of Windows' own zone ("W. Europe Standard Time" -> "Europe/Berlin", CLDR's table)."""
    try:
        import tzlocal

        return tzlocal.get_localzone_name()
    except Exception:  # noqa: BLE001 - an odd registry must not stop a run: the C library's zone is used
        return None


class _SystemLocal(tzinfo):
    """The C library's local time, for machines without tz files (Windows)."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is None:
            return _gmtoff(time.time())
        try:
            stamp = time.mktime(dt.replace(tzinfo=None).timetuple()[:8] + (-1,))
        except (OverflowError, ValueError, OSError):
            stamp = time.time()
        return _gmtoff(stamp)

    def fromutc(self, dt: datetime) -> datetime:
        stamp = (dt.replace(tzinfo=UTC) - EPOCH).total_seconds()
        return dt + _gmtoff(stamp)

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return "local"


def _gmtoff(stamp: float) -> timedelta:
    try:
        return timedelta(seconds=time.localtime(stamp).tm_gmtoff)
    except (OverflowError, ValueError, OSError):
        return timedelta(seconds=time.localtime().tm_gmtoff)


def round_offset(offset: timedelta) -> timedelta:
    """Round to whole minutes (EXIF offsets have no seconds)."""
    return timedelta(minutes=round(offset.total_seconds() / 60))


def utc_to_wall(instant: datetime, zone: tzinfo) -> tuple[datetime, timedelta]:
    """(naive wall-clock time, whole-minute offset) of an aware instant in a zone."""
    instant = instant.astimezone(UTC)
    offset = round_offset(instant.astimezone(zone).utcoffset() or timedelta(0))
    return (instant + offset).replace(tzinfo=None), offset


def wall_offset(wall: datetime, zone: tzinfo) -> timedelta:
    """Whole-minute offset that a zone had at a naive wall-clock time (first of a repeated hour)."""
    return round_offset(wall.replace(tzinfo=zone, fold=0).utcoffset() or timedelta(0))


def parse_offset(text: object) -> timedelta | None:
    """'+09:00' / '-0430' / 'Z' -> timedelta; None when absent or not a real offset."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if text.upper() == "Z":
        return timedelta(0)
    match = _OFFSET_RE.match(text)
    if not match:
        return None
    sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    if int(minutes) >= 60 or offset > MAX_OFFSET:
        return None
    return -offset if sign == "-" else offset


def format_offset(offset: timedelta) -> str:
    """timedelta -> '+09:00' (rounded to the minute)."""
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"
