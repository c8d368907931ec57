"""Where the source's files come from: a folder, Takeout archives (zip, tgz), or a folder holding both.

Archive members are read where they are, never extracted up front. Each
member takes the path it would have if its archive were unpacked in place
(`Takeout/Google Photos/...` beside the archive), so all parts of an export
read as one tree and pair across parts, and the output is the same as from
the extracted export. Zip members are read at random (one handle per
thread); tar members only in archive order, so they are unpacked one at a
time, just ahead of the worker that needs them.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tarfile
import threading
import time
import uuid
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pef import scancache, ziprecover
from pef.fsutil import copy_file
from pef.parts import (
    MissingPart,
    PartsFolder,
    find_parts,
    is_archive,
    missing_parts,
    part_number,
    siblings,
    strip_archive_suffix,
)
from pef.scan import ScanResult, add_file, is_pef_output, walk
from pef.sidecar import MAX_SIDECAR_BYTES, BrokenSidecar, parse_json_bytes, read_json_file

_PART_NUMBER = re.compile(r"-\d{3}$")
_DRIVE = re.compile(r"^[A-Za-z]:$")


class SourceError(Exception):
    """The source given cannot be used (missing, unreadable, not a folder or archive)."""


@dataclass(frozen=True)
class Member:
    archive: Path
    name: str  # as stored in the archive (zipfile/tarfile name), or the recovered entry's name
    loose: ziprecover.LooseMember | None = None  # set when the zip's directory is lost


class Source:
    def __init__(self, inputs: Iterable[Path]) -> None:
        paths = [_checked(p) for p in inputs]
        if not paths:
            raise SourceError("No source given.")
        folders = [p for p in paths if p.is_dir()]
        if folders and len(paths) > 1:
            raise SourceError("Give either one folder or one or more archive files, not both.")
        others = [p for p in paths if not p.is_dir() and not is_archive(p.name)]
        if others:
            raise SourceError(f"Not a folder or a Takeout archive (.zip, .tgz, .tar.gz, .tar): {others[0]}")
        self.folder: Path | None = folders[0] if folders else None
        self.archive_inputs = sorted(p for p in paths if not p.is_dir())
        self.root = self.folder or self.archive_inputs[0].parent
        # A folder holding Takeout parts is read for those parts only; None: the folder is the export.
        self.parts: PartsFolder | None = None
        if self.folder is not None:
            if is_pef_output(self.folder):
                raise SourceError(
                    f"{self.folder} is the output of a pef run, not a Takeout: give the Takeout it was made from "
                    f"(to check this output: pef verify {self.folder})"
                )
            self.parts = _find_parts(self.folder)
        self.members: dict[str, Member] = {}
        self.archives: list[tuple[str, int]] = []  # (path relative to root or as given, size)
        self.damaged: dict[str, str] = {}  # archive (as in `archives`) -> what was lost, once scanned
        self._local = threading.local()
        self._prepared: dict[str, Path] = {}

    def missing_parts(self) -> list[MissingPart]:
        """Parts of a numbered export that this source lacks (known before anything is read)."""
        if self.parts is not None:
            numbered = [*self.parts.archives, *(self.root / f for f in self.parts.folders)]
            unnumbered = sum(1 for f in self.parts.folders if part_number(f) is None)
            return missing_parts(numbered, unnumbered=unnumbered)
        if self.folder is None:
            return missing_parts(self.archive_inputs, siblings(self.archive_inputs))
        return []

    @property
    def name(self) -> str:
        """The name output folders are called after: the folder's, or the archives' without part number."""
        if self.folder is not None:
            return self.folder.name
        return _PART_NUMBER.sub("", strip_archive_suffix(self.archive_inputs[0].name))

    def identity(self) -> dict:
        """What a resume compares: a different folder or another set of archives is another source."""
        inputs = [str(self.folder)] if self.folder is not None else [str(p) for p in self.archive_inputs]
        return {"source_path": str(self.root), "inputs": inputs, "archives": [list(a) for a in self.archives]}

    # ----- scanning ------------------------------------------------------
    def scan(self, on_file: Callable[[int], None] | None = None, cache: scancache.Cache | None = None) -> ScanResult:
        """Every file of the source; JSON files unchanged since `cache` was made are not read again."""
        result = ScanResult()
        count = 0

        def tick() -> None:
            nonlocal count
            count += 1
            if on_file and count % 500 == 0:
                on_file(count)

        archives: list[tuple[Path, str]] = [(p, "") for p in self.archive_inputs]
        roots: list[tuple[Path, str]] = []
        if self.parts is not None:
            result.skipped.update(self.parts.ignored)
            archives += [(p, "") for p in self.parts.archives]
            roots = [(self.root / name, name + "/") for name in self.parts.folders]
        elif self.folder is not None:
            roots = [(self.folder, "")]
        plain: set[str] = set()
        found_in_folder: dict[Path, tuple] = {}  # archives met inside folders: their path and stat
        for root, prefix in roots:
            for rel, entry in walk(root, result.skipped, prefix):
                tick()
                if is_archive(entry.name):
                    archives.append((Path(entry.path), rel.rpartition("/")[0]))
                    found_in_folder[Path(entry.path)] = (rel, entry.stat(follow_symlinks=False))
                    continue
                plain.add(rel)
                st = entry.stat(follow_symlinks=False)
                add_file(result, rel, st.st_size, st.st_mtime_ns, self._json_reader(result, entry.path, rel, st, cache))
        for path, prefix in archives:
            label = _display(path, self.root)
            self.archives.append((label, path.stat().st_size))
            count = 0
            for rel, size, mtime_ns, member, read in self._members(path, prefix, result.skipped):
                tick()
                count += 1
                if rel in self.members or rel in plain:
                    rel = f"{label}/{rel}"  # the same path twice: keep both
                self.members[rel] = member
                add_file(result, rel, size, mtime_ns, read)
            if count == 0 and path in found_in_folder:
                # Named like an archive but holding nothing readable: keep it as a file, not lose it.
                rel, st = found_in_folder[path]
                result.skipped.pop(rel, None)
                plain.add(rel)
                add_file(result, rel, st.st_size, st.st_mtime_ns, lambda: None)
            elif label in result.skipped:
                self.damaged[label] = result.skipped[label]
        if on_file:
            on_file(count)
        return result

    @staticmethod
    def _json_reader(result: ScanResult, path: str, rel: str, st, cache: scancache.Cache | None):
        def read():
            result.json_files[rel] = (st.st_size, st.st_mtime_ns)
            hit = scancache.lookup(cache, rel, st.st_size, st.st_mtime_ns) if cache else None
            if hit is None:
                result.cache_misses += 1
                hit = read_json_file(path, rel, st.st_size)
            return hit

        return read

    def _members(self, path: Path, prefix: str, skipped: dict[str, str]):
        label = _display(path, self.root)
        if path.name.lower().endswith(".zip"):
            yield from _zip_members(path, prefix, label, skipped)
        else:
            yield from _tar_members(path, prefix, label, skipped)

    # ----- reading -------------------------------------------------------
    def plain_path(self, rel: str) -> Path | None:
        """The file itself when it is not inside an archive."""
        return None if rel in self.members else self.root / rel

    @contextmanager
    def local_file(self, rel: str, tmp_dir: Path) -> Iterator[Path]:
        """A real file holding rel's bytes for as long as needed (ExifTool reads files, not streams)."""
        plain = self.plain_path(rel)
        if plain is not None:
            yield plain
            return
        tmp = self._prepared.pop(rel, None)
        if tmp is None:
            tmp = tmp_dir / f"{uuid.uuid4().hex}{_ext(rel)}"
            self._extract(rel, tmp)
        try:
            yield tmp
        finally:
            tmp.unlink(missing_ok=True)

    def copy_to(self, rel: str, dest: Path) -> None:
        """Copy rel's bytes to dest with its file times (a member's time from the archive)."""
        plain = self.plain_path(rel)
        if plain is not None:
            copy_file(plain, dest)
            return
        prepared = self._prepared.pop(rel, None)
        if prepared is not None:
            os.replace(prepared, dest)
        else:
            self._extract(rel, dest)

    def chunks(self, rel: str) -> Iterator[bytes] | None:
        """rel's bytes in pieces; None for tar members, which can only be read in archive order."""
        member = self.members.get(rel)
        if member is None:
            return file_chunks(self.root / rel)
        if member.loose is None and not member.archive.name.lower().endswith(".zip"):
            return None
        return self._chunks(member)

    def chunks_in_order(self, rels: list[str]) -> Iterator[tuple[str, Iterator[bytes]]]:
        """The tar members among rels with their bytes, each tar read once front to back; each
        member's chunks must be read before the next pair is asked for."""
        by_tar: dict[Path, dict[str, str]] = {}
        for rel in rels:
            member = self.members.get(rel)
            if member is not None and member.loose is None and not member.archive.name.lower().endswith(".zip"):
                by_tar.setdefault(member.archive, {})[member.name] = rel
        for archive, wanted in by_tar.items():
            try:
                with tarfile.open(archive, "r|*") as tar:
                    for info in tar:
                        rel = wanted.pop(info.name, None)
                        stream = tar.extractfile(info) if rel is not None else None
                        if stream is not None:
                            yield rel, iter(lambda: stream.read(1 << 20), b"")  # type: ignore[union-attr]
            except (tarfile.TarError, EOFError, zlib.error) as exc:
                raise OSError(f"cannot read {archive.name}: {exc}") from exc

    def piece(self, rel: str, offset: int, size: int) -> bytes | None:
        """size bytes at offset of a plain file; None for archive members (no cheap seeking)."""
        if rel in self.members:
            return None
        try:
            with open(self.root / rel, "rb") as f:
                f.seek(offset)
                return f.read(size)
        except OSError:
            return None

    def head(self, rel: str, size: int) -> bytes | None:
        """The first bytes of rel, or None where they cannot be had cheaply (tar members)."""
        member = self.members.get(rel)
        try:
            if member is None:
                with open(self.root / rel, "rb") as f:
                    return f.read(size)
            if member.archive.name.lower().endswith(".zip"):
                return next(self._chunks(member), b"")[:size]
        except OSError:
            return None
        return None

    def _extract(self, rel: str, dest: Path) -> None:
        member = self.members[rel]
        with open(dest, "wb") as out:
            for chunk in self._chunks(member):
                out.write(chunk)
        mtime = self._member_mtime(member)
        if mtime is not None:
            os.utime(dest, (mtime, mtime))

    def _chunks(self, member: Member) -> Iterator[bytes]:
        try:
            if member.loose is not None:
                yield from ziprecover.open_member(member.archive, member.loose)
                return
            if member.archive.name.lower().endswith(".zip"):
                with self._zip(member.archive).open(member.name) as stream:
                    yield from iter(lambda: stream.read(1 << 20), b"")
                return
            raise OSError(f"{member.name} was not unpacked ahead (tar members are read in order)")
        except (zipfile.BadZipFile, ziprecover.Unreadable, zlib.error, EOFError) as exc:
            raise OSError(f"cannot read {member.name} from {member.archive.name}: {exc}") from exc

    def _zip(self, path: Path) -> zipfile.ZipFile:
        cache = self._local.__dict__.setdefault("zips", {})
        if path not in cache:
            cache[path] = zipfile.ZipFile(path)
        return cache[path]

    def _member_mtime(self, member: Member) -> float | None:
        date_time = None
        if member.loose is not None:
            date_time = member.loose.date_time
        elif member.archive.name.lower().endswith(".zip"):
            date_time = self._zip(member.archive).getinfo(member.name).date_time
        if date_time is None:
            return None
        try:
            return time.mktime((*date_time, 0, 0, -1))
        except (OverflowError, ValueError):
            return None

    def prepared(self, rels_in_order: Iterable, tmp_dir: Path, rel_of: Callable) -> Iterator:
        """Yield the items of rels_in_order, unpacking tar members just before their item is yielded.

        Items backed by plain files or zips come first; then each tar is read once, front to back.
        """
        by_tar: dict[Path, dict[str, list]] = {}
        for item in rels_in_order:
            member = self.members.get(rel_of(item))
            if member is None or member.archive.name.lower().endswith(".zip"):
                yield item
            else:
                by_tar.setdefault(member.archive, {}).setdefault(member.name, []).append(item)
        for archive, wanted in by_tar.items():
            yield from self._stream_tar(archive, wanted, tmp_dir, rel_of)

    def _stream_tar(self, archive: Path, wanted: dict[str, list], tmp_dir: Path, rel_of) -> Iterator:
        try:
            with tarfile.open(archive, "r|*") as tar:
                for info in tar:
                    items = wanted.pop(info.name, None)
                    if not items:
                        continue
                    tmp = tmp_dir / f"{uuid.uuid4().hex}{_ext(rel_of(items[0]))}"
                    with open(tmp, "wb") as out:
                        shutil.copyfileobj(tar.extractfile(info), out, 1 << 20)
                    os.utime(tmp, (info.mtime, info.mtime))
                    self._prepared[rel_of(items[0])] = tmp
                    yield from items
        except (tarfile.TarError, EOFError, zlib.error, OSError):
            pass  # members never reached fail in the worker with a clear error
        for items in wanted.values():
            yield from items


def file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        yield from iter(lambda: f.read(1 << 20), b"")


def _find_parts(folder: Path) -> PartsFolder | None:
    try:
        return find_parts(folder)
    except OSError as exc:
        raise SourceError(f"The source cannot be listed ({exc.strerror or exc}): {folder}") from None


def _checked(path: Path) -> Path:
    if not path.exists():
        raise SourceError(f"The source does not exist: {path}")
    if not os.access(path, os.R_OK):
        raise SourceError(f"The source cannot be read (permission denied): {path}")
    return path.resolve()


def _ext(rel: str) -> str:
    """rel's extension when it is a plain one (temporary copies keep it so ExifTool knows the type)."""
    stem, dot, ext = rel.rpartition("/")[2].rpartition(".")
    return "." + ext if dot and stem and ext.isalnum() and len(ext) <= 10 else ""


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def safe_member_path(name: str) -> str | None:
    """An archive member's name as a relative path that cannot leave the output folder."""
    parts = [p for p in name.replace("\\", "/").replace("\x00", "").split("/") if p not in ("", ".", "..")]
    if parts and _DRIVE.match(parts[0]):
        parts = parts[1:]
    return "/".join(parts) or None


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: UTF-8 flag, Info-ZIP Unicode path field, else UTF-8 stored without the flag."""
    if info.flag_bits & 0x800:
        return info.filename
    unicode_path = _unicode_path_field(info.extra)
    if unicode_path is not None:
        return unicode_path
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename  # a legacy code page: zipfile's cp437 reading is the best guess


def _unicode_path_field(extra: bytes) -> str | None:
    pos = 0
    while pos + 4 <= len(extra):
        tag = int.from_bytes(extra[pos : pos + 2], "little")
        length = int.from_bytes(extra[pos + 2 : pos + 4], "little")
        if tag == 0x7075 and length > 5:
            try:
                return extra[pos + 9 : pos + 4 + length].decode("utf-8")
            except UnicodeDecodeError:
                return None
        pos += 4 + length
    return None


def _zip_members(path: Path, prefix: str, label: str, skipped: dict[str, str]):
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield from _loose_members(path, prefix, label, skipped, str(exc))
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            rel = _member_rel(prefix, member_name(info), label, info.filename, skipped)
            if rel is None:
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                skipped[rel] = "symbolic link in the archive (not followed)"
                continue
            mtime_ns = int(_mktime(info.date_time) * 1e9)
            read = _zip_json_reader(archive, info.filename, rel, info.file_size)
            yield rel, info.file_size, mtime_ns, Member(path, info.filename), read


def _loose_members(path: Path, prefix: str, label: str, skipped: dict[str, str], why: str):
    members, stopped = ziprecover.walk_members(path)
    if not members and stopped is not None:
        skipped[label] = f"not a readable archive ({why}; {stopped}): nothing could be read from it"
    else:
        reason = f"damaged archive ({why}); {len(members)} members recovered"
        if stopped:
            reason += f", then: {stopped}"
        skipped[label] = reason + "; whatever it held after that is lost (download this part again)"
    for loose in members:
        if loose.name.endswith("/"):
            continue
        rel = _member_rel(prefix, loose.name, label, loose.name, skipped)
        if rel is None:
            continue

        def read(loose=loose, rel=rel):
            if loose.size > MAX_SIDECAR_BYTES:
                return BrokenSidecar(rel, f"too large for a sidecar ({loose.size} bytes)")
            try:
                return parse_json_bytes(b"".join(ziprecover.open_member(path, loose)), rel)
            except ziprecover.Unreadable as exc:
                return BrokenSidecar(rel, f"cannot read from the archive: {exc}")

        yield rel, loose.size, int(_mktime(loose.date_time) * 1e9), Member(path, loose.name, loose), read


def _zip_json_reader(archive: zipfile.ZipFile, name: str, rel: str, size: int):
    def read():
        if size > MAX_SIDECAR_BYTES:
            return BrokenSidecar(rel, f"too large for a sidecar ({size} bytes)")
        try:
            return parse_json_bytes(archive.read(name), rel)
        except (zipfile.BadZipFile, OSError, zlib.error, EOFError) as exc:
            return BrokenSidecar(rel, f"cannot read from the archive: {exc}")

    return read


def _tar_members(path: Path, prefix: str, label: str, skipped: dict[str, str]):
    read = 0
    try:
        with tarfile.open(path, "r|*") as tar:
            for info in tar:
                if info.isdir():
                    continue
                rel = _member_rel(prefix, info.name, label, info.name, skipped)
                if rel is None:
                    continue
                if not info.isfile():
                    skipped[rel] = "link or special file in the archive (not followed)"
                    continue
                data = None
                if rel.lower().endswith(".json"):
                    data = tar.extractfile(info).read(MAX_SIDECAR_BYTES + 1)
                read += 1
                yield rel, info.size, int(info.mtime * 1e9), Member(path, info.name), _tar_json(data, rel)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        skipped[label] = (
            f"damaged archive: {exc}; {read} members were read before the damage, whatever it held after "
            "that is lost (download this part again)"
        )


def _tar_json(data: bytes | None, rel: str):
    def read():
        if data is None or len(data) > MAX_SIDECAR_BYTES:
            return BrokenSidecar(rel, "too large for a sidecar")
        return parse_json_bytes(data, rel)

    return read


def _member_rel(prefix: str, name: str, label: str, raw: str, skipped: dict[str, str]) -> str | None:
    safe = safe_member_path(name)
    if safe is None:
        skipped[f"{label}:{raw}"] = "member name is empty once made safe"
        return None
    return f"{prefix}/{safe}" if prefix else safe


def _mktime(date_time) -> float:
    try:
        return time.mktime((*date_time, 0, 0, -1))
    except (OverflowError, ValueError):
        return 0.0
