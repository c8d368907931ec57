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
    kind: str  # "write" | "copy" | "sidecar"
    status: str  # "success" | "error" | "not_found"
    output_file: str | None
    size: int | None = None  # size of output_file when it was finished
    sidecar: str | None = None
    extra_files: list[str] = field(default_factory=list)  # e.g. an XMP sidecar beside the output
    unchanged: bool | None = None  # True when the output is a byte-for-byte copy of the source
    error: str | None = None
    details: dict = field(default_factory=dict)  # date/zone sources, notes: for the report

    def to_json(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if v not in (None, [], {})}
        data["timestamp"] = now_iso()
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Entry":
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


class StateError(Exception):
    pass


class ProcessingState:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path = out_dir / STATE_FILE
        self.journal_path = out_dir / JOURNAL_FILE
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
    def load(cls, out_dir: Path) -> "ProcessingState":
        state = cls(out_dir)
        if state.path.exists():
            state._load_file()
        if state.journal_path.exists():
            state._replay_journal()
        return state

    @property
    def exists(self) -> bool:
        return self.path.exists() or self.journal_path.exists()

    def _load_file(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("media", {}), dict):
                raise ValueError("not a pef state")
            version = data.get("version")
            if version != FORMAT_VERSION:
                raise StateError(
                    f"{self.path} has format version {version!r}; this pef reads version {FORMAT_VERSION}"
                )
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            backup = self.path.with_name(f"{STATE_FILE}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            os.replace(self.path, backup)
            self.recovery.append(
                f"State file was unreadable ({exc}); kept it as {backup.name} and rebuilt from the journal. "
                "Outputs not recorded there are redone in place."
            )
            return
        merged = _empty_state()
        merged.update(data)
        for key in ("media", "processed_jsons"):
            if not isinstance(merged.get(key), dict):
                merged[key] = {}
        self.data = merged
        self.media = merged["media"]
        self.jsons = merged["processed_jsons"]

    def _replay_journal(self) -> None:
        bad = 0
        with open(self.journal_path, "rb") as f:
            for line in f:
                try:
                    data = json.loads(line)
                    self._apply(Entry.from_json(data), data)
                except (ValueError, TypeError):
                    bad += 1  # a line torn by a crash mid-write; its file is redone
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
            fsync_dir(self.out_dir)
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
