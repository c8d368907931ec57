"""The audit: proof that every source media file reached the output exactly once, complete and readable.

It rescans the source and checks each media file against the state (one stat
per output; ExifTool reads the outputs in batches unless asked not to; hashing
of unchanged copies only with `hash_copies`).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Container, Iterable

from pef.exiftool import ExifTool, ExifToolError
from pef.into import load_library, state_of
from pef.library import LEGACY_OPTIONS, photos_only
from pef.scan import MediaEntry
from pef.sources import Source, SourceError
from pef.state import ProcessingState, StateError

BATCH = 200


@dataclass
class Audit:
    source: Path | None
    media_checked: int = 0
    outputs_read: int = 0
    problems: list[str] = field(default_factory=list)
    unused_sidecars: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, not a failure
    # Why the source could not be compared (moved or deleted since); then only the recorded outputs are checked.
    source_missing: str | None = None

    @property
    def passed(self) -> bool:
        return not self.problems


class _NoProgress:
    def start_phase(self, name: str, total: int | None = None, initial: int = 0) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def end_phase(self) -> None: ...


def verify(
    out_dir: Path, *, exiftool: str | None = None, hash_copies: bool = False, jobs: int = 1, batch: int = BATCH,
    observer=None,
) -> Audit:
    """observer: a pef.pipeline.Observer, shown the phases (source scan, ExifTool reads) of a long check."""
    observer = observer or _NoProgress()
    try:
        state = ProcessingState.load(out_dir, read_only=True)  # checking never changes the output
    except StateError as exc:
        return Audit(None, problems=[str(exc)])
    if not state.exists or not state.data.get("source_path"):
        return Audit(None, problems=[f"{out_dir} holds no pef state file (processing_state.json)"])
    library = load_library(out_dir, None)
    audit = _verify_source(out_dir, state, library.taken_over(1), exiftool, hash_copies, jobs, batch, observer)
    for source in library.sources[1:]:  # exports added to the library later (pef.into)
        try:
            added = state_of(out_dir, source)
        except StateError as exc:
            audit.problems.append(f"source {source.id} ({source.describe()}): {exc}")
            continue
        one = _verify_source(out_dir, added, library.taken_over(source.id), exiftool, hash_copies, jobs, batch,
                             observer)
        label = f"source {source.id} ({source.describe()})"
        audit.media_checked += one.media_checked
        audit.outputs_read += one.outputs_read
        audit.problems += [f"{label}: {p}" for p in one.problems]
        audit.unused_sidecars += one.unused_sidecars
        audit.notes += [f"{label}: {n}" for n in one.notes]
        if one.source_missing:
            audit.notes.append(f"{label} is absent ({one.source_missing}); its recorded files were checked")
    if len(library.sources) > 1 and audit.source_missing:
        audit.notes.insert(0, f"source 1 ({library.sources[0].describe()}) is absent ({audit.source_missing}); "
                              "its recorded files were checked")
    return audit


def _verify_source(out_dir: Path, state: ProcessingState, taken_over: Container[str], exiftool, hash_copies,
                   jobs, batch, observer) -> Audit:
    """One source's files against its record (a library built from several exports has one each)."""
    inputs = state.data.get("inputs") or [state.data["source_path"]]
    try:
        source = Source([Path(p) for p in inputs])
    except SourceError as exc:
        return _without_source(out_dir, state, str(exc), exiftool, jobs, batch, observer, taken_over)
    options = state.data.get("options") or {}
    found = photos_only(_scan(source, observer), options.get("layout", LEGACY_OPTIONS["layout"]))
    audit, to_read = audit_outputs(out_dir, source, found.media, state, hash_copies, taken_over)
    fed = _fed(state)
    audit.unused_sidecars = sorted(s.rel for s in found.sidecars if s.rel not in fed)
    audit.unused_sidecars += sorted(b.rel for b in found.broken)
    if exiftool:
        unreadable = _read_all(exiftool, list(to_read), out_dir, audit, jobs, batch, observer)
        _judge_unreadable(exiftool, unreadable, to_read, source, state, out_dir, audit)
    return audit


def _scan(source: Source, observer):
    observer.start_phase("Scanning the source", total=None)
    seen = [0]

    def tick(count: int) -> None:
        observer.advance(count - seen[0])
        seen[0] = count

    try:
        return source.scan(tick)
    finally:
        observer.end_phase()


def _without_source(out_dir: Path, state: ProcessingState, why: str, exiftool, jobs, batch, observer,
                    taken_over: Container[str] = ()) -> Audit:
    """What can be checked once the source is gone: every recorded output against the state."""
    audit = Audit(Path(state.data["source_path"]), source_missing=why)
    to_read: list[str] = []
    for rel, record in state.media.items():
        if rel in taken_over:
            continue
        if record.get("kind") == "member":
            _check_member(out_dir, rel, record, audit)
            continue
        audit.media_checked += 1
        if record.get("kind") == "duplicate":
            if not state.media.get(record.get("of") or "", {}).get("output_file"):
                audit.problems.append(f"{rel}: a duplicate of {record.get('of')}, which is not in the output")
            continue
        dest = record.get("output_file")
        if not dest:
            audit.problems.append(f"{rel}: not in the output ({record.get('error') or 'never processed'})")
            continue
        path = f"{out_dir}/{dest}"
        try:
            size = os.stat(path).st_size
        except OSError:
            audit.problems.append(f"{rel}: its output {dest} is missing")
            continue
        if size != record.get("size"):
            audit.problems.append(f"{rel}: its output {dest} has {size} bytes, {record.get('size')} were written")
        elif size:
            to_read.append(path)
    if exiftool:
        _read_all(exiftool, to_read, out_dir, audit, jobs, batch, observer)
    return audit


def _judge_unreadable(exiftool, unreadable, to_read, source, state, out_dir: Path, audit: Audit) -> None:
    """An output ExifTool cannot read fails the audit, unless it is an unchanged copy of a source
    that ExifTool cannot read either: then pef kept what it was given, and that is noted."""
    tool = None
    try:
        for path, error in sorted(unreadable.items()):
            rel = to_read.get(path)
            shown = os.path.relpath(path, out_dir)
            if rel is not None and state.media.get(rel, {}).get("unchanged"):
                tool = tool or ExifTool(exiftool)
                if _source_unreadable(tool, source, rel, out_dir):
                    audit.notes.append(f"{shown}: ExifTool cannot read it, nor its source {rel} (copied as it was)")
                    continue
            audit.problems.append(f"{shown}: ExifTool cannot read the output: {error}")
    finally:
        if tool is not None:
            tool.close()
    audit.problems.sort()


def _source_unreadable(tool: ExifTool, source: Source, rel: str, out_dir: Path) -> bool:
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp, source.local_file(rel, Path(tmp)) as path:
        if "\n" in str(path):
            return False
        try:
            rows = json.loads(tool.run(["-j", "-fast2", "-charset", "filename=utf8", "-Error", str(path)]).stdout or "[]")
        except (ExifToolError, ValueError):
            return False
    return bool(rows and rows[0].get("Error"))


def audit_outputs(
    out_dir: Path, source: Source, media: Iterable[MediaEntry], state: ProcessingState, hash_copies: bool = False,
    taken_over: Container[str] = (),
) -> tuple[Audit, dict[str, str]]:
    """Check every source media file against its recorded output (one stat each).

    taken_over: files whose item a later export added to the library now owns (checked with that export).
    Returns the audit and the outputs worth reading with ExifTool (path -> source)."""
    audit = Audit(source.root)
    owners: dict[str, str] = {}
    to_read: dict[str, str] = {}
    base = f"{out_dir}/"  # plain strings: pathlib's joins cost more than the stats at 300k files
    for entry in media:
        audit.media_checked += 1
        if entry.rel in taken_over:
            continue
        path = _check_one(base, out_dir, source, entry, state.media.get(entry.rel), owners, audit, hash_copies, state)
        if path is not None:
            to_read[path] = entry.rel
    for rel, record in state.media.items():
        if record.get("kind") == "member" and rel not in taken_over:
            _check_member(out_dir, rel, record, audit)
    return audit, to_read


def _check_member(out_dir: Path, rel: str, record: dict, audit: Audit) -> None:
    """An album's file for a photo the export holds elsewhere (the album folder had only its sidecar)."""
    dest = record.get("output_file")
    if dest is None:
        return  # no album folder file asked for (--albums none, or the album holds the photo already)
    try:
        size = os.stat(out_dir / dest).st_size
    except OSError:
        audit.problems.append(f"{rel}: its album's file {dest} is missing")
        return
    if size != record.get("size"):
        audit.problems.append(f"{rel}: its album's file {dest} has {size} bytes, {record.get('size')} were written")


def _fed(state: ProcessingState) -> set[str]:
    return {r.get("sidecar") for r in state.media.values() if r.get("status") == "success"}


def _check_one(base, out_dir, source, media, record, owners, audit, hash_copies, state) -> str | None:
    if record is not None and record.get("kind") == "duplicate":
        _check_duplicate(out_dir, source, media, record, state, audit, hash_copies)
        return None
    if record is None or not record.get("output_file"):
        why = record.get("error") if record else "never processed"
        audit.problems.append(f"{media.rel}: not in the output ({why})")
        return None
    dest = record["output_file"]
    if dest in owners:
        audit.problems.append(f"{media.rel}: shares its output {dest} with {owners[dest]}")
        return None
    owners[dest] = media.rel
    path = base + dest
    try:
        size = os.stat(path).st_size
    except OSError:
        audit.problems.append(f"{media.rel}: its output {dest} is missing")
        return None
    missing = [f for f in record.get("extra_files", ()) if not os.path.exists(base + f)]
    if missing:
        audit.problems.append(f"{media.rel}: {', '.join(missing)} (its metadata, beside the output) is missing")
    if size != record.get("size"):
        audit.problems.append(f"{media.rel}: its output {dest} has {size} bytes, {record.get('size')} were written")
    elif record.get("unchanged"):
        if size != media.size:
            audit.problems.append(f"{media.rel}: its unchanged copy {dest} has {size} bytes, the source {media.size}")
        elif hash_copies and _sha256(path) != _source_sha256(source, media.rel, out_dir):
            audit.problems.append(f"{media.rel}: its unchanged copy {dest} differs from the source")
    elif media.size and size < media.size // 2:
        audit.problems.append(f"{media.rel}: its output {dest} has {size} bytes, far less than the source's {media.size}")
    return path if size else None


def _check_duplicate(out_dir, source, media, record, state, audit: Audit, hash_copies: bool) -> None:
    """A duplicate reached the library as its item's file: that file is recorded, and (with --hash)
    the two sources hold the same bytes."""
    primary = record.get("of")
    item = state.media.get(primary) if isinstance(primary, str) else None
    if not item or not item.get("output_file"):
        audit.problems.append(f"{media.rel}: a duplicate of {primary}, which is not in the output")
        return
    if hash_copies and _source_sha256(source, media.rel, out_dir) != _source_sha256(source, primary, out_dir):
        audit.problems.append(f"{media.rel}: recorded as a duplicate of {primary}, but their bytes differ")


def _read_all(executable: str, paths: list[str], out_dir: Path, audit: Audit, jobs: int, batch: int,
              observer=None) -> dict[str, str]:
    """Every output read by ExifTool: reading is CPU-bound (about 2 ms a file), so `jobs` processes share it.

    Returns the outputs ExifTool could not read, with its error."""
    batches = [[p for p in paths[i : i + batch] if "\n" not in p] for i in range(0, len(paths), batch)]
    unreadable: dict[str, str] = {}
    if not batches:
        return unreadable
    observer = observer or _NoProgress()
    observer.start_phase("Reading outputs with ExifTool", total=sum(len(b) for b in batches))
    todo = iter(batches)
    lock = threading.Lock()

    def worker() -> tuple[int, list[str], dict[str, str]]:
        read, problems, failed = 0, [], {}
        tool = ExifTool(executable)
        try:
            while True:
                with lock:
                    batch = next(todo, None)
                if batch is None:
                    return read, problems, failed
                try:
                    reply = tool.run(["-j", "-fast2", "-charset", "filename=utf8", "-FileType", "-Error", *batch])
                    rows = json.loads(reply.stdout or "[]")
                except (ExifToolError, ValueError) as exc:
                    return read, [*problems, f"ExifTool could not check outputs: {exc}"], failed
                read += len(rows)
                observer.advance(len(batch))
                failed.update((row.get("SourceFile", "?"), row["Error"]) for row in rows if row.get("Error"))
        finally:
            tool.close()

    readers = max(1, min(jobs, len(batches)))
    with ThreadPoolExecutor(readers) as pool:
        results = [pool.submit(worker) for _ in range(readers)]
    observer.end_phase()
    for future in results:
        read, problems, failed = future.result()
        audit.outputs_read += read
        audit.problems += problems
        unreadable.update(failed)
    return unreadable


def _source_sha256(source: Source, rel: str, out_dir: Path) -> str:
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp, source.local_file(rel, Path(tmp)) as path:
        return _sha256(path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def audit_text(audit: Audit, not_read: str | None = None) -> str:
    """The verdict for people; not_read says why the outputs were not read by ExifTool (then no PASS says readable)."""
    if audit.source_missing:
        lines = [
            f"Source:  {audit.source} cannot be read ({audit.source_missing}); it was moved or deleted since the run,",
            "         so only the outputs were checked against the state, not against the source.",
            f"Checked: {audit.media_checked} recorded media files, {_read_text(audit, not_read)}",
        ]
    else:
        lines = [
            f"Source:  {audit.source}",
            f"Checked: {audit.media_checked} media files, {_read_text(audit, not_read)}",
            f"Sidecars that fed no file: {len(audit.unused_sidecars)}",
        ]
        lines += [f"  {s}" for s in audit.unused_sidecars[:50]]
    lines += [f"Note: {n}" for n in audit.notes]
    if not audit.passed:
        lines.append(f"FAIL: {len(audit.problems)} problem(s):")
        lines += [f"  {p}" for p in audit.problems]
    elif audit.source_missing:
        lines.append(f"NOT VERIFIED: the {audit.media_checked} recorded outputs are present with their recorded sizes"
                     + ("" if not_read else " and readable") + ", but without the source nothing proves that every "
                     "source file is among them.")
    elif not_read == "--no-read":
        lines.append("PASS: every source media file is in the output exactly once, complete (sizes checked; "
                     "the outputs were not read).")
    elif not_read:
        lines.append("NOT VERIFIED: every source media file is in the output exactly once with its recorded size, "
                     "but the outputs could not be read: " + not_read + ".")
    else:
        lines.append("PASS: every source media file is in the output exactly once, complete and readable.")
    return "\n".join(lines)


def _read_text(audit: Audit, not_read: str | None) -> str:
    if not_read == "--no-read":
        return "outputs not read (--no-read)"
    if not_read:
        return f"outputs not read: {not_read}"
    return f"{audit.outputs_read} outputs read by ExifTool"
