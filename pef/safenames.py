"""Output names that every file system pef may write to accepts, whatever system writes them.

Windows (NTFS, SMB shares), macOS (APFS, HFS+), exFAT and FAT32 disks (a Linux
NAS writing to a USB disk) and Linux itself. A source name that one of them
would refuse or change is mapped, the same way on every system, so one Takeout
gives one output tree everywhere:

| in a source name | in the output |
|---|---|
| `< > : " \\ | ? *` | their full-width forms `＜ ＞ ： ＂ ＼ ｜ ？ ＊` |
| a control character U+0000-U+001F | its Control Picture U+2400-U+241F (a line break becomes `␊`) |
| a byte that is not UTF-8 (a name unpacked with the wrong code page) | the Latin-1 character of that byte |
| any other lone surrogate (from a zip's name field) | U+FFFD `�` |
| a dot or space at the end (Windows drops them) | `_` each |
| a device name of Windows: CON, PRN, AUX, NUL, COM0-9, LPT0-9, CONIN$, CONOUT$ (any case, any extension) | `_` after it: `CON_.jpg` |
| over 255 bytes | cut at a whole character (file names: by pef.plan, which also fits the `(1)` of a clash) |

Every mapped name is still a single component, and mapping a mapped name
changes nothing. Two sources may map to one name (`a:b` and `a：b`); pef.plan
gives the second its `(1)` like any other clash, so no output is ever shared.
"""

from __future__ import annotations

import re

MAX_NAME_BYTES = 255  # NTFS and exFAT count 255 UTF-16 units, which 255 UTF-8 bytes never exceed

_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in '<>:"\\|?*'}
_TABLE = {ord(c): w for c, w in _FULL_WIDTH.items()}
_TABLE.update({code: chr(0x2400 + code) for code in range(0x20)})
# The bytes 0x80-0xFF of a name that is not UTF-8 reach Python as U+DC80-U+DCFF (surrogateescape);
# any other lone surrogate (no file system gives one, a zip's name field might) cannot be stored at all.
_TABLE.update({code: "\ufffd" for code in range(0xD800, 0xE000)})
_TABLE.update({0xDC80 + b: chr(0x80 + b) for b in range(0x80)})

_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in [*"0123456789", "\u00b9", "\u00b2", "\u00b3"]]
)
_NEEDS_MAPPING = re.compile('[<>:"\\\\|?*\x00-\x1f\ud800-\udfff]|[. ]$')


def safe_component(name: str, max_bytes: int | None = MAX_NAME_BYTES) -> str:
    """One folder or file name as every file system takes it (see the table above); max_bytes None: no cut."""
    limit = max_bytes if max_bytes is not None else len(name) * 4
    if _NEEDS_MAPPING.search(name) is None and name.upper().split(".", 1)[0].rstrip(" ") not in _DEVICES \
            and _bytes(name) <= limit:
        return name  # the common case, at the cost of one search
    name = name.translate(_TABLE)
    word = name.split(".", 1)[0].rstrip(" ")
    if word.upper() in _DEVICES:
        name = word + "_" + name[len(word):]
    return fix_end(cut(name, limit))


def safe_path(rel: str) -> str:
    """A "/"-separated relative path with every folder made safe, and its file name too except for its
    length (pef.plan cuts that, keeping the extension and room for a "(1)")."""
    *folders, name = rel.split("/")
    return "/".join([*(safe_component(f) for f in folders), safe_component(name, None)])


def fix_end(name: str) -> str:
    """Trailing dots and spaces as "_" (same length, so a name that fits still fits)."""
    stripped = name.rstrip(". ")
    return stripped + "_" * (len(name) - len(stripped))


def cut(name: str, max_bytes: int) -> str:
    """name cut to at most max_bytes of UTF-8, at a whole character."""
    if _bytes(name) <= max_bytes:
        return name
    name = name[:max_bytes]
    while _bytes(name) > max_bytes:
        name = name[:-1]
    return name


def is_safe(name: str) -> bool:
    """True when safe_component would leave name as it is."""
    return bool(name) and safe_component(name) == name and name not in (".", "..")


def _bytes(name: str) -> int:
    return len(name.encode("utf-8", "surrogateescape"))
