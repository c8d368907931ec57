"""Dates in media file names: IMG_20190509_154733.jpg, Screenshot_2019-09-19-05-38-57.png...

`date_from_name` returns the naive local wall-clock time a camera or phone put in
the name, or None. A date is only accepted when it is written the way devices
write one (8 digits, separator, 6 digits; or separated fields) with every field
in range, so IDs and counters (DSC01234, 1546300800000, 123456789012) never
read as dates.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import PurePath

MIN_YEAR = 1900
MAX_YEAR = 2099

_Y, _M, _D = r"(?P<y>(?:19|20)\d{2})", r"(?P<mo>\d{2})", r"(?P<d>\d{2})"
_H, _MI, _S = r"(?P<h>\d{2})", r"(?P<mi>\d{2})", r"(?P<s>\d{2})"
_START, _END = r"(?<![0-9])", r"(?![0-9])"

# Order matters: the most specific patterns come first.
_PATTERNS = [
    # IMG_20190509_154733, VID_..., PXL_20210101_101010123, 20190509_154733,
    # Screenshot_20190919-053857, MVIMG_..., PANO_..., IMG_20190509_154733_1
    re.compile(_START + _Y + _M + _D + r"[_-]" + _H + _MI + _S + r"(?:\d{3})?" + _END),
    # BURST20190509154733, 20190509154733123
    re.compile(_START + _Y + _M + _D + _H + _MI + _S + r"(?:\d{3})?" + _END),
    # 2016_01_30_11_49_15, Screenshot_2019-09-19-05-38-57, 2016-01-30 11.49.15,
    # photo_2021-01-01_10-10-10, WhatsApp Image 2021-01-01 at 10.10.10,
    # Screenshot 2019-09-19 at 05.38.57, Screen Shot 2019-09-19 at 5.38.57 PM
    re.compile(
        _START + _Y + r"(?P<sep>[-_.])" + _M + r"(?P=sep)" + _D
        + r"(?:[ _T-]|\s+at\s+)(?P<h>\d{1,2})(?P<tsep>[-_.:])" + _MI + r"(?P=tsep)" + _S
        + r"(?:\s*(?P<ampm>[AaPp][Mm])(?![A-Za-z]))?" + _END
    ),
    # IMG-20190509-WA0001, VID-20190509-WA0001 (WhatsApp: date only)
    re.compile(r"(?:^|[^A-Za-z0-9])(?:IMG|VID|AUD|PTT|DOC|STK)-" + _Y + _M + _D + r"-WA\d+", re.IGNORECASE),
    # 2019-05-09, Trip 2019-05-09 (2) (dashes only: date only)
    re.compile(_START + _Y + r"-" + _M + r"-" + _D + _END),
]


def date_from_name(name: str) -> datetime | None:
    """The wall-clock date and time a file's name states, or None.

    Date-only names (WhatsApp, 2019-05-09) give midnight of that day.
    """
    stem = PurePath(name.replace("\\", "/")).name
    for pattern in _PATTERNS:
        for match in pattern.finditer(stem):
            found = _to_datetime(match.groupdict())
            if found is not None:
                return found
    return None


def _to_datetime(fields: dict[str, str | None]) -> datetime | None:
    hour = int(fields.get("h") or 0)
    ampm = (fields.get("ampm") or "").upper()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "PM" else 0)
    try:
        found = datetime(
            int(fields["y"]), int(fields["mo"]), int(fields["d"]),
            hour, int(fields.get("mi") or 0), int(fields.get("s") or 0),
        )
    except (ValueError, TypeError):
        return None
    if not MIN_YEAR <= found.year <= MAX_YEAR or found == datetime(1970, 1, 1):
        return None
    return found
