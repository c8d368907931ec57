"""Carrying out planned actions: one output file each, written under a temporary name and renamed into place.

Workers are threads, each owning one persistent ExifTool; ExifTool reads the
source and writes the temporary output itself, so every output is written
once. A failure on one file becomes an error entry for that file (the file is
still copied as it is whenever it can be read); only a fault that would make
every following file fail too (disk full, output folder gone) stops the run.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import queue
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pef.exiftool import ExifTool, ExifToolCrashed, ExifToolError, Reply
from pef.fsutil import TMP_DIR_NAME, copy_file, place_file, replace
from pef.plan import Action, Kind
from pef.sidecar import Sidecar
from pef.sources import Source
from pef.state import Entry
from pef.tags import READ_ARGS, WRITE_PREFIX, MetadataOptions, TagPlan, plan_tags, real_extension, temp_output_name

FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
# Actions one worker takes at a time, so ExifTool gets its files together (see Worker.process_batch); a kill
# loses at most these in flight per worker, and progress moves in steps this small.
BATCH = 12
BATCH_BYTES = 256 << 20


class FatalError(Exception):
    """A fault that stops the whole run (the finished part stays valid and resumable)."""


class DiskFull(FatalError):
    pass


@dataclass(frozen=True)
class ExecOptions:
    no_exif: bool = False
    jobs: int = 2
    exiftool: str | None = None
    metadata: MetadataOptions = field(default_factory=MetadataOptions)
    timeout: float = 300.0
    albums: str = "copy"  # how album folders hold an item's file: "copy" | "link" | "hardlink"


def output_fault(out_root: Path, exc: OSError) -> FatalError | None:
    """The fault behind exc when it will fail every following file too; None when it is one file's."""
    if exc.errno in FULL_ERRNOS:
        return DiskFull(exc.strerror or str(exc))
    if exc.errno == errno.EROFS:
        return FatalError(f"the output folder {out_root} became read-only")
    if not out_root.is_dir():
        return FatalError(f"the output folder {out_root} is gone")
    # Every output passes through the temporary folder: if a file cannot be made there, no file can.
    tmp_dir = out_root / TMP_DIR_NAME
    probe = (tmp_dir if tmp_dir.is_dir() else out_root) / f"probe-{_unique()}"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        os.unlink(probe)
    except OSError as failed:
        return FatalError(
            f"pef can no longer write into the output folder {out_root} ({failed.strerror or failed}). "
            "Make it writable again, then resume"
        )
    return None


class Worker:
    """Turns one action into its output file; owned by one thread."""

    def __init__(self, source: Source, out_root: Path, sidecars: dict[str, Sidecar], opts: ExecOptions) -> None:
        self.source = source
        self.out_root = out_root
        self.tmp_dir = out_root / TMP_DIR_NAME
        self.sidecars = sidecars
        self.opts = opts
        self.exiftool = None if opts.no_exif else ExifTool(opts.exiftool, opts.timeout)
        self._made: set[Path] = set()  # output folders this worker knows exist
        self._measured: dict[str, int] = {}  # source -> the bytes just copied from it (no stat needed to check it)

    def close(self) -> None:
        if self.exiftool is not None:
            self.exiftool.close()

    def process(self, action: Action) -> Entry:
        return self.process_batch([action])[0]

    def process_batch(self, actions: list[Action]) -> list[Entry]:
        """One entry per action, in order. The media go to ExifTool together: one command reads them
        all (what dates and tags they already hold), then every write command is sent before the first
        answer is awaited, so ExifTool goes from file to file without waiting on pef (its set-up per
        command is the rest). Media without a sidecar take the same way, with nothing to write."""
        entries: dict[int, Entry] = {}
        writes: list[_Write] = []
        with contextlib.ExitStack() as files:
            for index, action in enumerate(actions):
                entry = Entry(action.source, action.kind.value, "success", action.dest, sidecar=action.sidecar)
                if action.kind in (Kind.WRITE, Kind.COPY):
                    write = self._guarded(action, entry, lambda: self._open_write(index, action, entry, files))
                    if write is not None:
                        writes.append(write)
                        continue
                else:
                    self._guarded(action, entry, lambda: self._other(action, entry))
                entries[index] = entry
            if writes:
                self._read_all(writes, files)
                for write in writes:
                    self._guarded(write.action, write.entry, lambda: self._plan_write(write))
                self._write_all([w for w in writes if w.command is not None])
                for write in writes:
                    self._guarded(write.action, write.entry, lambda: self._finish_write(write))
                    entries[write.index] = write.entry
        return [self._checked(actions[i], entries[i]) for i in range(len(actions))]

    def _guarded(self, action: Action, entry: Entry, step: Callable):
        """step(), with an OSError made the file's error (or, when every file would fail, the run's)."""
        if entry.status == "error":
            return None
        try:
            return step()
        except OSError as exc:
            if exc.errno in FULL_ERRNOS:
                raise DiskFull(f"{exc.strerror} while writing {action.dest}") from exc
            fault = output_fault(self.out_root, exc)
            if fault is not None:
                raise fault from exc
            entry.status, entry.error, entry.output_file = "error", _describe_os_error(exc, action), None
            return None

    def _other(self, action: Action, entry: Entry) -> None:
        self._remove_replaced(action)
        if action.kind is Kind.SIDECAR:
            self._copy_sidecar(action, entry)
        else:
            self._album_copy(action, entry)

    def _checked(self, action: Action, entry: Entry) -> Entry:
        changed = self._changed_since_scan(action)
        if changed and entry.status != "error":
            entry.status, entry.error = "error", changed
        return entry

    def _changed_since_scan(self, action: Action) -> str | None:
        plain = self.source.plain_path(action.source)
        measured = self._measured.pop(action.source, None)  # what this worker copied of it just now
        if plain is None or action.kind in (Kind.SIDECAR, Kind.MEMBER):
            return None
        try:
            size = os.stat(plain).st_size if measured is None else measured
        except OSError:
            return "the source vanished during the run"
        if size != action.size:
            return f"the source changed during the run ({action.size} bytes when scanned, {size} now); redo with --retry-errors"
        return None

    def _remove_replaced(self, action: Action) -> None:
        # Before the new output exists: a crash in between leaves the old record pointing at a
        # missing file, which a resume redoes, never two copies of one source.
        for rel in action.replaces:
            path = self.out_root / rel
            if path.is_file() or path.is_symlink():
                path.unlink(missing_ok=True)

    # ----- per kind ------------------------------------------------------
    def _copy_sidecar(self, action: Action, entry: Entry) -> None:
        entry.status = "not_found"
        tmp = self._tmp_name(".json")
        self.source.copy_to(action.source, tmp)
        entry.size = self._place(tmp, action.dest)

    def _album_copy(self, action: Action, entry: Entry) -> None:
        """The album's own file for an item written elsewhere in the library: a copy of that output, a
        relative symbolic link to it (survives moving the library) or a hard link, as asked."""
        entry.of = action.of
        assert action.of_dest is not None
        written = self.out_root / action.of_dest
        if not written.is_file():
            entry.status, entry.output_file = "error", None
            entry.error = f"its item's file {action.of_dest} is not in the library (that item failed)"
            return
        final = self.out_root / action.dest
        tmp = self._tmp_name(_safe_ext(action.dest.rpartition("/")[2]))
        how = self.opts.albums
        try:
            if how == "link":
                os.symlink(os.path.relpath(written, final.parent), tmp)
            elif how == "hardlink":
                os.link(written, tmp)
        except OSError as exc:
            if exc.errno in FULL_ERRNOS:
                raise
            entry.details = {"note": f"{'links' if how == 'link' else 'hard links'} cannot be made here "
                             f"({exc.strerror or exc}); copied instead"}
            how = "copy"
        if how == "copy":
            shutil.copy2(written, tmp)
        entry.size = self._place(tmp, action.dest, link_to=written if how == "link" else None)

    def _open_write(self, index: int, action: Action, entry: Entry, files: contextlib.ExitStack) -> "_Write":
        self._remove_replaced(action)
        src = files.enter_context(self.source.local_file(action.source, self.tmp_dir))
        return _Write(index, action, entry, src, self._exiftool_tmp("file"), files)

    def _plan_write(self, write: "_Write") -> None:
        action = write.action
        sidecar = self.sidecars.get(action.sidecar) if action.sidecar else None
        write.plan = plan = plan_tags(sidecar, action.source, write.existing, self.opts.metadata, action.albums)
        if action.kind is Kind.COPY:
            write.problem = None  # copied unchanged either way: one ExifTool cannot read has no date of its own
        if self.exiftool is None or write.problem is not None:
            return
        if plan.target == "file":
            # ExifTool writes by content but refuses a source whose extension names another type:
            # such a source is linked under its real extension for the write.
            real_ext = real_extension(write.existing, write.src.name)
            path = write.files.enter_context(self._readable(write.src, real_ext))
            write.command = [*WRITE_PREFIX, *plan.args, "-o", str(write.tmp), str(path)]
        elif plan.target == "xmp":
            write.problem = self._write_xmp(plan.args, action.dest, plan.mtime)
            write.entry.extra_files = [] if write.problem else [action.dest + ".xmp"]

    def _finish_write(self, write: "_Write") -> None:
        plan, tmp, entry = write.plan, write.tmp, write.entry
        assert plan is not None
        size = None
        if write.written:
            if plan.mtime is not None:
                os.utime(tmp, (plan.mtime, plan.mtime))
        else:
            size = self._measured[write.action.source] = copy_file(write.src, tmp, plan.mtime)
            entry.unchanged = True
        entry.size = self._place(tmp, write.action.dest, size=size)
        entry.details = _details(plan)
        if write.problem:
            # The file is in the output (unchanged bytes, sidecar date as file time), but its
            # metadata is not: an error for the report and the exit code.
            entry.status, entry.error = "error", write.problem

    # ----- ExifTool ------------------------------------------------------
    def _read_existing(self, src: Path) -> tuple[dict, str | None]:
        if self.exiftool is None:
            return {}, None
        try:
            with self._readable(src, None) as path:
                reply = self._run_tool([*READ_ARGS, str(path)])
        except ExifToolError as exc:
            return {}, f"ExifTool failed reading the file: {exc}"
        if reply.errors:
            return {}, "ExifTool cannot read the file: " + "; ".join(reply.errors)
        try:
            found = json.loads(reply.stdout or "[{}]")[0]
        except (ValueError, IndexError):
            return {}, "ExifTool gave no readable answer for the file"
        return found, None

    def _read_all(self, writes: list["_Write"], files: contextlib.ExitStack) -> None:
        """What each file already holds, from one ExifTool command; a file that command could not
        read is read again on its own, which says why in that file's words."""
        if self.exiftool is None:
            return
        paths = [str(files.enter_context(self._readable(w.src, None))) for w in writes]
        rows: dict[str, dict] = {}
        if len(writes) > 1:
            try:
                reply = self._run_tool([*READ_ARGS, "-ExifTool:Error", *paths])
                rows = {str(row.get("SourceFile")): row for row in json.loads(reply.stdout or "[]") if isinstance(row, dict)}
            except (ExifToolError, ValueError):
                rows = {}
        for write, path in zip(writes, paths):
            row = rows.get(path)
            if row is None or "ExifTool:Error" in row:
                write.existing, write.problem = self._read_existing(write.src)
            else:
                row.pop("SourceFile", None)
                write.existing = row

    def _write_all(self, writes: list["_Write"]) -> None:
        """Every write command sent at once; a file whose ExifTool died under it is tried once more
        with a fresh process, so one mishap does not leave it without its metadata."""
        if not writes:
            return
        assert self.exiftool is not None
        replies = self.exiftool.run_many([w.command for w in writes if w.command is not None])
        for write, reply in zip(writes, replies):
            assert write.command is not None
            if isinstance(reply, ExifToolCrashed):
                write.tmp.unlink(missing_ok=True)  # -o refuses to write over a partial file
                try:
                    reply = self.exiftool.run(write.command)
                except ExifToolError as exc:
                    reply = exc
            if isinstance(reply, ExifToolError):
                write.problem = f"ExifTool failed writing metadata: {reply}"
            elif reply.errors or not write.tmp.exists():
                write.problem = "ExifTool could not write metadata: " + ("; ".join(reply.errors) or reply.stdout.strip())
            if write.problem:
                write.tmp.unlink(missing_ok=True)
            else:
                write.written = True

    def _write_xmp(self, args: list[str], dest: str, mtime: float | None) -> str | None:
        xmp_tmp = self._exiftool_tmp("xmp")
        try:
            reply = self._run_tool([*WRITE_PREFIX, *args, "-o", str(xmp_tmp)], xmp_tmp)
        except ExifToolError as exc:
            return f"ExifTool failed writing the XMP sidecar: {exc}"
        if reply.errors or not xmp_tmp.exists():
            xmp_tmp.unlink(missing_ok=True)
            return "ExifTool could not write the XMP sidecar: " + "; ".join(reply.errors)
        if mtime is not None:
            os.utime(xmp_tmp, (mtime, mtime))
        self._place(xmp_tmp, dest + ".xmp")
        return None

    def _run_tool(self, args: list[str], output: Path | None = None) -> Reply:
        assert self.exiftool is not None
        try:
            return self.exiftool.run(args)
        except ExifToolCrashed:
            # Killed under this file (by a user, or the system short of memory): once more with a
            # fresh process, so one mishap does not leave the file without its metadata.
            if output is not None:
                output.unlink(missing_ok=True)  # -o refuses to write over a partial file
            return self.exiftool.run(args)

    def _readable(self, src: Path, real_ext: str | None):
        return _SafeSource(src, self.tmp_dir / _unique(), real_ext)

    # ----- files ---------------------------------------------------------
    def _exiftool_tmp(self, target: str) -> Path:
        """A temporary name ExifTool's -o accepts for this kind of output (see tags.temp_output_name)."""
        return Path(temp_output_name(str(self.tmp_dir / _unique()), target))

    def _tmp_name(self, ext: str) -> Path:
        return self.tmp_dir / f"{_unique()}{ext}"

    def _ensure_folder(self, folder: Path) -> None:
        if folder not in self._made:
            folder.mkdir(parents=True, exist_ok=True)
            self._made.add(folder)

    def _place(self, tmp: Path, dest: str, link_to: Path | None = None, size: int | None = None) -> int:
        """Rename tmp into place; its size as a resume checks it (for a link, the size of what it names:
        a relative link made for the final folder names nothing from the temporary one, so it is
        neither measured nor flushed there)."""
        final = self.out_root / dest
        self._ensure_folder(final.parent)
        if link_to is not None:
            size = link_to.stat().st_size
            replace(tmp, final)
        else:
            size = tmp.stat().st_size if size is None else size
            place_file(tmp, final)
        return size


class _SafeSource:
    """A path ExifTool can take on its one-argument-per-line input, under the right extension.

    Names with line breaks (or that are not valid UTF-8), and files whose
    extension names another type, get a plain temporary name for the duration
    of the command: a hard link, or a copy where the output's file system has
    no hard links to the source (another drive, exFAT, FAT). Not a symbolic
    link: Windows allows those only to administrators and developer mode.
    """

    def __init__(self, src: Path, link_base: Path, real_ext: str | None) -> None:
        self.src = src
        self.link = link_base.with_name(link_base.name + "." + (real_ext or _safe_ext(src.name).lstrip(".") or "bin"))
        self.real_ext = real_ext
        self.linked = False

    def __enter__(self) -> Path:
        text = str(self.src)
        try:
            text.encode("utf-8")
            safe = "\n" not in text and "\r" not in text
        except UnicodeEncodeError:
            safe = False
        if safe and self.real_ext is None:
            return self.src
        self.linked = True
        try:
            os.link(self.src, self.link)
        except OSError:
            shutil.copyfile(self.src, self.link)
        return self.link

    def __exit__(self, *exc) -> None:
        if self.linked:
            self.link.unlink(missing_ok=True)


@dataclass
class _Write:
    """One media file on its way through a batch: opened, read, planned, written, placed."""

    index: int  # its place in the batch
    action: Action
    entry: Entry
    src: Path  # a real file with the source's bytes
    tmp: Path  # ExifTool's output, renamed into place when done
    files: contextlib.ExitStack  # what keeps src (and its safe names for ExifTool) there until the batch ends
    existing: dict = field(default_factory=dict)
    problem: str | None = None
    plan: TagPlan | None = None
    command: list[str] | None = None  # the ExifTool write, when there is one
    written: bool = False  # ExifTool wrote tmp (else the bytes are copied unchanged)


_NAMES = itertools.count()


def _unique() -> str:
    """A name no other temporary file of this run has: .pef-tmp is emptied when a run takes the output,
    and only the run holding the output's lock writes there (a counter costs less than uuid4's urandom)."""
    return f"t{os.getpid()}-{next(_NAMES)}"


def _safe_ext(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext.isalnum() or len(ext) > 10:
        return ""
    return "." + ext


def _details(plan: TagPlan) -> dict:
    details = {"date_source": plan.date_source, "zone_source": plan.zone_source}
    if plan.date:
        details["date"] = plan.date
    if plan.zone:
        details["zone"] = plan.zone
    if plan.notes:
        details["notes"] = list(plan.notes)
    return details


def _describe_os_error(exc: OSError, action: Action) -> str:
    reason = exc.strerror or str(exc)
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{reason}{where} while writing {action.source} to {action.dest}"


def run_actions(
    actions: Iterable[Action],
    make_worker: Callable[[], Worker],
    jobs: int,
    should_stop: Callable[[], bool],
) -> Iterator[Entry]:
    """Yield one entry per finished action, in completion order, using `jobs` worker threads.

    When should_stop() turns true, no new action starts; the ones in flight
    finish and are yielded. A FatalError from a worker stops the same way and
    is raised after the in-flight entries are out.
    """
    # Enough queued that each worker finds a whole batch waiting, and no more: what is queued but not
    # started when the user stops is handed back undone.
    todo: queue.Queue = queue.Queue(maxsize=jobs * BATCH * 2)
    done: queue.Queue = queue.Queue()
    halt = threading.Event()
    threads = [threading.Thread(target=_work, args=(make_worker, todo, done, halt, should_stop), daemon=True)
               for _ in range(jobs)]
    for t in threads:
        t.start()
    fatal: FatalError | None = None
    pending = 0
    source = iter(actions)
    feeding = True
    try:
        while feeding or pending:
            while feeding and not halt.is_set() and not should_stop() and not todo.full():
                action = next(source, None)
                if action is None:
                    feeding = False
                    break
                todo.put(action)
                pending += 1
            if should_stop() or halt.is_set():
                feeding = False
            try:
                item = done.get(timeout=0.2)
            except queue.Empty:
                continue
            pending -= 1
            if isinstance(item, FatalError):
                fatal = fatal or item
                halt.set()
            elif isinstance(item, Entry):
                yield item
            # else: an action handed back unstarted after a halt
    finally:
        halt.set()
        for _ in threads:
            todo.put(None)
        for t in threads:
            t.join(timeout=30)
    if fatal is not None:
        raise fatal


def _work(make_worker, todo: queue.Queue, done: queue.Queue, halt: threading.Event,
          should_stop: Callable[[], bool]) -> None:
    worker = make_worker()
    try:
        while True:
            batch, last = _next_batch(todo)
            if halt.is_set() or should_stop():
                for action in batch:
                    done.put(action)  # not started: hand it back so the feeder's count stays right
            elif batch:
                _process(worker, batch, done)
            if last:
                return
    finally:
        worker.close()


def _next_batch(todo: queue.Queue) -> tuple[list[Action], bool]:
    """The next action, and as many more already waiting as fit in a batch; and whether the feeder
    said there will be no more."""
    first = todo.get()
    if first is None:
        return [], True
    batch, size = [first], first.size
    while len(batch) < BATCH and size < BATCH_BYTES:
        try:
            action = todo.get_nowait()
        except queue.Empty:
            break
        if action is None:
            return batch, True
        batch.append(action)
        size += action.size
    return batch, False


def _process(worker: Worker, batch: list[Action], done: queue.Queue) -> None:
    try:
        entries = worker.process_batch(batch)
    except FatalError as exc:
        done.put(exc)
        for _ in batch[1:]:
            done.put(None)  # the batch ended with the fault: counted, neither done nor to redo here
        return
    except Exception as exc:  # noqa: BLE001 - one file's bug must not end the run
        entries = [Entry(a.source, a.kind.value, "error", None, error=f"internal error: {exc!r}") for a in batch]
    for entry in entries:
        done.put(entry)
