"""The record of a run that finished everything, so running it again with nothing changed costs seconds.

A resume of a finished run (the same command once more, the window's Continue, a script run nightly)
would scan, match and plan 100k files only to find nothing to do. When a run ends with every file
done and the audit passed, it writes this record: a fingerprint of its input (every source file's
path, size and modification time, or the archives'), its options and pef's version; every output
with its size; and the report's summary. A later run whose fingerprint is the same and whose outputs
are all still there with those sizes is finished already, without reading the state or the report.
Anything else (a file added, touched or removed; an output deleted; other options; --retry-errors)
takes the full way. The record is removed before a run writes anything, so it never outlives the
outputs it describes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from pef.fsutil import atomic_write_chunks, dumps
from pef.scan import walk
from pef.sources import Source
from pef.outdir import STATE_FILE
from pef.state import JOURNAL_FILE, ProcessingState

FINISHED_FILE = "processing_state.finished.json"
REPORT_FILES = ("report.json", "report.txt", "report.html")  # deleted by hand: the full way writes them again
FORMAT = 1


@dataclass(frozen=True)
class Finished:
    report: dict  # the finished run's report without its per-file sections
    summary: str  # its report.txt
    done: int


def fingerprint(source: Source, options: dict, version: str) -> str:
    """Everything the plan depends on, in one digest: a change anywhere gives another."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(dumps([FORMAT, version, source.identity(), sorted(options.items())]).encode())
    if source.folder is not None:
        skipped: dict[str, str] = {}
        for rel, entry in walk(source.folder, skipped):
            st = entry.stat(follow_symlinks=False)
            digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
        digest.update(dumps(sorted(skipped.items())).encode("utf-8", "surrogateescape"))
    else:
        for path in source.archive_inputs:
            st = os.stat(path)
            digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def record(out_dir: Path, print_: str, state: ProcessingState, report: dict, summary: str, options: dict) -> None:
    """Write the record of a run that finished (print_: its input's fingerprint)."""
    outputs = [[r["output_file"], r.get("size"), r.get("extra_files") or []]
               for r in state.media.values() if r.get("output_file")]
    outputs += [[r["output_file"], r.get("size"), []] for r in state.jsons.values()
                if r.get("output_file") and "output_files" not in r]
    brief = {k: v for k, v in report.items() if k not in ("media", "sidecars", "albums", "other_json", "skipped")}
    header = {"format": FORMAT, "fingerprint": print_, "options": options, "report": brief, "summary": summary,
              "outputs": len(outputs), "state": _state_stamp(out_dir)}
    lines = [dumps(header) + "\n", *(dumps(o) + "\n" for o in outputs)]
    atomic_write_chunks(out_dir / FINISHED_FILE, lines)


def forget(out_dir: Path) -> None:
    """Before a run writes anything: what the record says may stop being true."""
    try:
        (out_dir / FINISHED_FILE).unlink()
    except FileNotFoundError:
        pass


def recorded_options(out_dir: Path) -> dict | None:
    """The options of the finished run on record (which a resume inherits), or None when there is none."""
    try:
        with open(out_dir / FINISHED_FILE, encoding="utf-8") as f:
            header = json.loads(f.readline())
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    options = header.get("options") if isinstance(header, dict) and header.get("format") == FORMAT else None
    return options if isinstance(options, dict) else None


def check(out_dir: Path, print_: str) -> Finished | None:
    """The finished run's record when its input is this one and each of its outputs is still there, whole."""
    path = out_dir / FINISHED_FILE
    try:
        with open(path, encoding="utf-8") as f:
            header = json.loads(f.readline())
            if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("fingerprint") != print_:
                return None
            base = f"{out_dir}/"
            count = 0
            for line in f:
                dest, size, extras = json.loads(line)
                if os.stat(base + dest).st_size != size or not all(os.path.exists(base + e) for e in extras):
                    return None
                count += 1
    except (OSError, ValueError, TypeError, UnicodeDecodeError):
        return None  # missing, torn or edited: the full way decides
    if count != header.get("outputs") or not all((out_dir / name).exists() for name in REPORT_FILES):
        return None
    if header.get("state") != _state_stamp(out_dir):
        return None  # the state was changed since (by hand, another tool): loading it decides
    report = header.get("report")
    if not isinstance(report, dict) or not isinstance(header.get("summary"), str):
        return None
    return Finished(report, header["summary"], int(report.get("summary", {}).get("done", 0)))


def _state_stamp(out_dir: Path) -> list | None:
    """The state file's size and modification time, and that no journal waits to be folded into it."""
    try:
        st = os.stat(out_dir / STATE_FILE)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, (out_dir / JOURNAL_FILE).exists()]
