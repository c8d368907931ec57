"""The resume record of one output folder: `processing_state.json` plus an append-only journal.

Each finished output (already renamed into place) is appended at once to
`processing_state.journal` as one JSON line, so a crash or kill -9 of pef loses
at most the files in flight (the line is in the system's cache the moment it
is written). Every few seconds one sync makes outputs and journal durable
against a power cut; outputs a power cut lost anyway are found by their size
on resume and redone.
Now and then, and at the end, the journal is folded into
`processing_state.json` (written to a temporary file, fsync'd, renamed) and
emptied. Loading replays the journal over the state file, ignoring a torn last
line. The cost of saving is proportional to the new entries, not to the state.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pef import __version__
from pef.fsutil import atomic_write_chunks, dumps, fsync_dir, json_lines, sync_all
from pef.outdir import STATE_FILE

JOURNAL_FILE = "processing_state.journal"
FORMAT_VERSION = 1


def now_iso() -> str:
    # Called for every finished file: the text is made once per second.
    second = int(time.time())
    if _clock[0] != second:
        _clock[:] = [second, datetime.now().astimezone().isoformat(timespec="seconds")]
    return _clock[1]


_clock: list = [None, ""]


@dataclass
class Entry:
    """What happened to one source file, as journaled."""

    source: str
    kind: str  # "write" | "copy" | "album" | "member" | "duplicate" | "sidecar" (see pef.plan.Kind)
    status: str  # "success" | "error" | "not_found"
    output_file: str | None = None  # None: the file failed before any output existed
    size: int | None = None  # size of output_file when it was finished
    sidecar: str | None = None
    of: str | None = None  # for a duplicate or album copy: the source path of its item's primary
    extra_files: list[str] = field(default_factory=list)  # e.g. an XMP sidecar beside the output
    unchanged: bool | None = None  # True when the output is a byte-for-byte copy of the source
    error: str | None = None
    details: dict = field(default_factory=dict)  # date/zone sources, notes: for the report

    def to_json(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if v not in (None, [], {})}
        data["timestamp"] = now_iso()
        return data

    @classmethod
    def from_json(cls, data) -> "Entry":
        if not isinstance(data, dict):
            raise TypeError("a journal line that is not an object")
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


class StateError(Exception):
    pass


class ProcessingState:
    def __init__(self, out_dir: Path, state_dir: Path | None = None) -> None:
        self.out_dir = out_dir  # outputs are recorded relative to it
        # Where the record lives: the output folder, or for an export added to a library (--into) a
        # folder of its own there (see pef.into).
        self.state_dir = state_dir or out_dir
        self.path = self.state_dir / STATE_FILE
        self.journal_path = self.state_dir / JOURNAL_FILE
        self.data: dict = _empty_state()
        self.media: dict[str, dict] = self.data["media"]
        self.jsons: dict[str, dict] = self.data["processed_jsons"]
        self.recovery: list[str] = []  # what loading had to repair, for the user
        self._journal: int | None = None  # file descriptor, opened on the first entry
        self._unsynced = False
        self._dirty = False  # something the state file does not hold yet
        self._journaled_since_save = 0

    # ----- loading -------------------------------------------------------
    @classmethod
    def load(cls, out_dir: Path, read_only: bool = False, state_dir: Path | None = None) -> "ProcessingState":
        """The recorded state; read_only (a dry run) changes nothing on disk, not even a corrupt file's name."""
        state = cls(out_dir, state_dir)
        if state.path.exists():
            state._load_file(read_only)
        if state.journal_path.exists():
            state._replay_journal()
        return state

    @property
    def exists(self) -> bool:
        return self.path.exists() or self.journal_path.exists()

    def _load_file(self, read_only: bool) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            version = data.get("version")
            if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
                raise StateError(
                    f"The state file {self.path} was written by a newer pef (format version {version}); "
                    f"this pef {__version__} reads version {FORMAT_VERSION}. Update pef, or choose another output folder."
                )
            if version != FORMAT_VERSION:
                raise ValueError(f"format version {version!r} is not one pef wrote")
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            backup = self.path.with_name(f"{STATE_FILE}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            if read_only:
                self.recovery.append(f"State file is unreadable ({exc}); a real run would keep it as "
                                     f"{backup.name} and rebuild it from the journal.")
                return
            os.replace(self.path, backup)
            self.recovery.append(
                f"State file was unreadable ({exc}); kept it as {backup.name} and rebuilt from the journal. "
                "Outputs not recorded there are redone in place."
            )
            return
        self.data, problems = _validated(data)
        self.media = self.data["media"]
        self.jsons = self.data["processed_jsons"]
        if problems:
            self.recovery.append(
                f"The state file {self.path.name} had entries pef cannot use ({'; '.join(problems)}); "
                "those are ignored and their files redone."
            )

    def _replay_journal(self) -> None:
        bad = 0
        with open(self.journal_path, "rb") as f:
            for line in f:
                try:
                    data = json.loads(line)
                    entry = Entry.from_json(data)
                except (ValueError, TypeError):
                    entry = None
                if entry is None or _clean_entry(data, entry.kind != "sidecar") is None:
                    bad += 1  # a line torn by a crash mid-write (or edited by hand); its file is redone
                    continue
                self._apply(entry, data)
        if bad:
            self.recovery.append(f"Ignored {bad} incomplete journal line(s); those files are redone.")

    # ----- recording -----------------------------------------------------
    def record(self, entry: Entry) -> None:
        data = entry.to_json()
        self._apply(entry, data)
        if self._journal is None:
            self._journal = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.write(self._journal, (dumps(data) + "\n").encode("utf-8"))
        self._journaled_since_save += 1
        self._dirty = True
        self._unsynced = True

    def adopt(self, entry: Entry) -> None:
        """Record a file another run made, unchanged (pef.into): kept at the next save, not journaled,
        since a rerun decides it again the same way."""
        self._apply(entry, entry.to_json())
        self._dirty = True

    def mark_changed(self) -> None:
        """The header (self.data) was changed by hand: the next save writes it."""
        self._dirty = True

    def _apply(self, entry: Entry, data: dict) -> None:
        if entry.kind == "sidecar":
            self.jsons[entry.source] = {
                k: data[k] for k in ("status", "output_file", "size", "timestamp", "error") if k in data
            }
            return
        self.media[entry.source] = {k: v for k, v in data.items() if k != "source"}
        if entry.sidecar:
            self._apply_to_sidecar(entry, data["timestamp"])

    def _apply_to_sidecar(self, entry: Entry, timestamp: str) -> None:
        record = self.jsons.get(entry.sidecar)
        if record is None or record.get("status") == "not_found":
            record = self.jsons[entry.sidecar] = {"status": "success", "output_files": []}
        outputs = [o for o in record.get("output_files", []) if o != entry.output_file]
        if entry.output_file:
            outputs.append(entry.output_file)
        record["output_files"] = sorted(outputs)
        record["output_file"] = record["output_files"][0] if outputs else None
        record["timestamp"] = timestamp
        # Errors are kept per media file, so redoing one file clears only its own.
        errors = dict(record.pop("errors", {}))
        record.pop("error", None)
        if entry.status == "error":
            errors[entry.source] = entry.error
        else:
            errors.pop(entry.source, None)
        record["status"] = "error" if errors else "success"
        if errors:
            record["errors"] = errors
            record["error"] = "; ".join(f"{k}: {v}" for k, v in sorted(errors.items()))

    def forget(self, source: str) -> None:
        """Drop the record of one source file so it is redone (for --retry-errors/--reprocess)."""
        if self.media.pop(source, None) is not None or self.jsons.pop(source, None) is not None:
            self._dirty = True

    # ----- saving --------------------------------------------------------
    def flush(self) -> None:
        """Make every recorded entry, and the outputs it names, durable (one sync for all)."""
        if not self._unsynced:
            return
        # One flush for the journal and every output placed before it.
        sync_all(self._journal)
        self._unsynced = False

    def save(self) -> None:
        """Fold everything into processing_state.json and empty the journal (if anything changed)."""
        if not self._dirty and self.path.exists() and not self.journal_path.exists():
            return  # a resume with nothing to do rewrites nothing
        self.flush()
        self.data["last_updated"] = now_iso()
        self.data["unprocessed_files"] = sorted(k for k, v in self.media.items() if v.get("kind") == "copy")
        atomic_write_chunks(self.path, json_lines(self.data))
        self.close()
        if self.journal_path.exists():
            os.unlink(self.journal_path)
            fsync_dir(self.state_dir)
        self._journaled_since_save = 0
        self._dirty = False

    @property
    def journaled_since_save(self) -> int:
        return self._journaled_since_save

    def close(self) -> None:
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None

    # ----- run header ----------------------------------------------------
    def begin(self, identity: dict, options: dict, total_jsons: int, reset: bool) -> None:
        before = self._header()
        self._begin(identity, options, total_jsons, reset)
        if reset or self._header() != before:
            self._dirty = True

    def _header(self) -> dict:
        keys = ("started", "source_path", "inputs", "archives", "options", "tool")
        return {**{k: self.data.get(k) for k in keys}, "total": self.data["stats"].get("total_jsons")}

    def _begin(self, identity: dict, options: dict, total_jsons: int, reset: bool) -> None:
        if reset:
            self.data.update(_empty_state())
            self.media = self.data["media"]
            self.jsons = self.data["processed_jsons"]
        if not self.data.get("started"):
            self.data["started"] = now_iso()
        self.data.update(identity)
        self.data["options"] = options
        self.data["tool"] = f"pef {__version__}"
        self.data["stats"]["total_jsons"] = total_jsons

    def set_stats(self, **stats: int) -> None:
        if any(self.data["stats"].get(k) != v for k, v in stats.items()):
            self.data["stats"].update(stats)
            self._dirty = True


def _empty_state() -> dict:
    return {
        "version": FORMAT_VERSION,
        "tool": f"pef {__version__}",
        "source_path": None,
        "inputs": [],
        "archives": [],
        "started": None,
        "last_updated": None,
        "options": {},
        "stats": {"total_jsons": 0, "processed": 0, "errors": 0, "skipped": 0},
        "unprocessed_files": [],
        "processed_jsons": {},
        "media": {},
    }


# What each recorded field may hold; anything else (a hand edit, another tool) makes the entry unusable.
_MEDIA_FIELDS = {
    "kind": lambda v: v in ("write", "copy", "album", "member", "duplicate"),
    "status": lambda v: v in ("success", "error"),
}
_JSON_FIELDS = {"status": lambda v: v in ("success", "error", "not_found")}


def _optional(kind):
    return lambda v: v is None or isinstance(v, kind)


def _str_list(v) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


_COMMON_FIELDS = {
    "output_file": _optional(str),
    "size": lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool) and v >= 0),
    "sidecar": _optional(str),
    "extra_files": _str_list,
    "output_files": _str_list,
    "unchanged": _optional(bool),
    "error": _optional(str),
    "errors": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
    "details": lambda v: isinstance(v, dict),
    "timestamp": _optional(str),
    "kind": lambda v: v in ("write", "copy", "album", "member", "duplicate", "sidecar"),
    "of": _optional(str),
    "source": lambda v: isinstance(v, str),
}


def _clean_entry(record, media: bool) -> dict | None:
    """The record when every field holds what pef writes there; None when it cannot be trusted."""
    if not isinstance(record, dict):
        return None
    required = _MEDIA_FIELDS if media else _JSON_FIELDS
    if any(name not in record or not ok(record[name]) for name, ok in required.items()):
        return None
    for name, value in record.items():  # a record holds a few of the fields: check those it has
        ok = _COMMON_FIELDS.get(name)
        if ok is not None and not ok(value):
            return None
    return record


_HEADER_TYPES = {
    "source_path": _optional(str),
    "inputs": _str_list,
    "archives": lambda v: isinstance(v, list) and all(
        isinstance(a, list) and len(a) == 2 and isinstance(a[0], str) and isinstance(a[1], int) for a in v
    ),
    "started": _optional(str),
    "last_updated": _optional(str),
    "options": lambda v: isinstance(v, dict),
    "stats": lambda v: isinstance(v, dict) and all(isinstance(x, int) for x in v.values()),
    "unprocessed_files": _str_list,
}


def _validated(data: dict) -> tuple[dict, list[str]]:
    """A loaded state with every part pef cannot use replaced by its empty form, and what was replaced."""
    clean = _empty_state()
    problems = []
    for key, ok in _HEADER_TYPES.items():
        if key in data:
            if ok(data[key]):
                clean[key] = data[key]
            else:
                problems.append(f"{key!r} is not what pef writes")
    clean["stats"] = {**_empty_state()["stats"], **clean["stats"]}
    for key, value in data.items():  # fields a later pef added: kept as they are
        if key not in clean:
            clean[key] = value
    for key, media in (("media", True), ("processed_jsons", False)):
        entries = data.get(key, {})
        if not isinstance(entries, dict):
            problems.append(f"{key!r} is not a map of files")
            continue
        good = {rel: rec for rel, rec in entries.items() if _clean_entry(rec, media) is not None}
        if len(good) < len(entries):
            problems.append(f"{len(entries) - len(good)} entr{'y' if len(entries) - len(good) == 1 else 'ies'} in {key!r}")
        clean[key] = good
    return clean, problems
