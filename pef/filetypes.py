"""Recognising a media file's real type from its first bytes, for --fix-extensions.

Only the types a Takeout holds; ExifTool still decides how each file is
written. This runs at planning time, before anything is written, because a
renamed output is an output path and every output path is decided up front.
"""

from __future__ import annotations

from pathlib import PurePosixPath

HEAD_BYTES = 32

# Extensions that name the same type, so `.jpeg` for a JPEG is not "wrong".
_SAME = [{"jpg", "jpeg", "jpe", "jfif"}, {"tif", "tiff"}, {"heic", "heif", "hif"}, {"mov", "qt"},
         {"mp4", "m4v"}, {"3gp", "3gpp"}, {"mkv", "webm"}]
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"hevc", b"hevx"}


def sniff(head: bytes) -> str | None:
    """The extension the content calls for, or None when it is not recognised."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tif"
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"AVI "):
        return "webp" if head[8:12] == b"WEBP" else "avi"
    if head[:4] == b"\x1aE\xdf\xa3":
        return "mkv"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "heic"
        if brand == b"avif":
            return "avif"
        if brand == b"qt  ":
            return "mov"
        if brand.startswith(b"3g"):
            return "3gp"
        return "mp4"
    return None


def fixed_name(name: str, head: bytes) -> str | None:
    """name with the extension its content calls for, or None when it already fits (or is unknown)."""
    real = sniff(head)
    if real is None:
        return None
    path = PurePosixPath(name)
    current = path.suffix.lower().lstrip(".")
    if current == real or any(current in group and real in group for group in _SAME):
        return None
    stem = path.stem if current else path.name
    return f"{stem}.{real}"
