"""Reading the members of a zip whose central directory is lost (a truncated last Takeout part).

zipfile needs the central directory at the end of the archive; when a
download stopped early it is gone, but every member written before the cut
still has its local header and data. This walks the local headers from the
start and yields the members it can read whole; a member cut by the end of
the file, or with a bad checksum, ends the walk.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

LOCAL_HEADER = b"PK\x03\x04"
_HEADER = struct.Struct("<4s5H3L2H")  # signature .. extra length: 30 bytes
STORED, DEFLATED = 0, 8
CHUNK = 1 << 20


@dataclass(frozen=True)
class LooseMember:
    name: str
    data_offset: int
    compress_size: int
    size: int
    method: int
    crc: int
    date_time: tuple[int, int, int, int, int, int]


class Unreadable(Exception):
    pass


def walk_members(path: Path) -> tuple[list[LooseMember], str | None]:
    """The members readable from local headers, and why the walk stopped early (None at a clean end)."""
    found: list[LooseMember] = []
    with open(path, "rb") as f:
        while True:
            start = f.tell()
            head = f.read(_HEADER.size)
            if len(head) < 4 or head[:4] != LOCAL_HEADER:
                return found, None if head[:2] == b"PK" or not head else f"unexpected data at byte {start}"
            if len(head) < _HEADER.size:
                return found, f"archive ends inside a header at byte {start}"
            try:
                member = _read_member(f, head)
            except Unreadable as exc:
                return found, str(exc)
            found.append(member)


def _read_member(f: BinaryIO, head: bytes) -> LooseMember:
    _, _, flags, method, mtime, mdate, crc, csize, size, name_len, extra_len = _HEADER.unpack(head)
    raw_name = f.read(name_len)
    extra = f.read(extra_len)
    if len(raw_name) < name_len or len(extra) < extra_len:
        raise Unreadable("archive ends inside a member header")
    name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", "replace")
    csize, size = _zip64_sizes(extra, csize, size)
    data_offset = f.tell()
    if method not in (STORED, DEFLATED):
        raise Unreadable(f"{name}: compression method {method} is not supported")
    if flags & 0x8:  # sizes follow the data in a descriptor: find the end by decompressing
        if method != DEFLATED:
            raise Unreadable(f"{name}: stored member without sizes")
        crc, csize, size = _scan_deflate(f, name)
    else:
        if f.seek(0, 2) < data_offset + csize:
            raise Unreadable(f"{name}: cut off by the end of the archive")
        f.seek(data_offset + csize)
    date_time = ((mdate >> 9) + 1980, (mdate >> 5) & 15, mdate & 31, mtime >> 11, (mtime >> 5) & 63, (mtime & 31) * 2)
    return LooseMember(name, data_offset, csize, size, method, crc, date_time)


def _zip64_sizes(extra: bytes, csize: int, size: int) -> tuple[int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        if tag == 0x0001:
            fields = extra[pos + 4 : pos + 4 + length]
            if size == 0xFFFFFFFF and len(fields) >= 8:
                size = struct.unpack_from("<Q", fields, 0)[0]
                fields = fields[8:]
            if csize == 0xFFFFFFFF and len(fields) >= 8:
                csize = struct.unpack_from("<Q", fields, 0)[0]
        pos += 4 + length
    return csize, size


def _scan_deflate(f: BinaryIO, name: str) -> tuple[int, int, int]:
    start = f.tell()
    inflater = zlib.decompressobj(-15)
    crc = size = 0
    while not inflater.eof:
        chunk = f.read(CHUNK)
        if not chunk:
            raise Unreadable(f"{name}: cut off by the end of the archive")
        try:
            out = inflater.decompress(chunk)
        except zlib.error as exc:
            raise Unreadable(f"{name}: damaged data ({exc})") from None
        crc = zlib.crc32(out, crc)
        size += len(out)
    consumed = f.tell() - len(inflater.unused_data) - start
    f.seek(start + consumed)
    raw = f.read(28)
    sig = 4 if raw[:4] == b"PK\x07\x08" else 0
    if len(raw) < sig + 12:
        raise Unreadable(f"{name}: cut off by the end of the archive")
    if struct.unpack_from("<L", raw, sig)[0] != crc:
        raise Unreadable(f"{name}: checksum mismatch")
    # crc + sizes: 12 bytes, or 20 with zip64 sizes; the next header follows either way.
    body = 12 if raw[sig + 12 : sig + 14] in (b"PK", b"") else 20
    f.seek(start + consumed + sig + body)
    return crc, consumed, size


def open_member(path: Path, member: LooseMember) -> Iterator[bytes]:
    """The member's bytes, in chunks, checked against its CRC."""
    with open(path, "rb") as f:
        f.seek(member.data_offset)
        remaining = member.compress_size
        inflater = zlib.decompressobj(-15) if member.method == DEFLATED else None
        crc = 0
        while remaining:
            chunk = f.read(min(CHUNK, remaining))
            if not chunk:
                raise Unreadable(f"{member.name}: cut off by the end of the archive")
            remaining -= len(chunk)
            out = inflater.decompress(chunk) if inflater else chunk
            crc = zlib.crc32(out, crc)
            yield out
        if inflater:
            tail = inflater.flush()
            crc = zlib.crc32(tail, crc)
            yield tail
        if crc != member.crc:
            raise Unreadable(f"{member.name}: checksum mismatch")
