"""Choosing the output folder: a new `<SRC>_pefProcessed(N)` or the one to resume."""

from __future__ import annotations

import re
from pathlib import Path

SUFFIX = "_pefProcessed"
STATE_FILE = "processing_state.json"


def output_base(source: Path, destination: Path | None) -> Path:
    """Where output folders for this source live: the destination, else beside the source."""
    return destination if destination is not None else source.parent


def new_output_dir(source: Path, destination: Path | None) -> Path:
    """The first free `<name>_pefProcessed`, `<name>_pefProcessed(1)`, ... (not created here)."""
    base = output_base(source, destination) / (source.name + SUFFIX)
    candidate, n = base, 0
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}({n})")
    return candidate


def find_latest_output(source: Path, destination: Path | None) -> Path | None:
    """The `_pefProcessed` folder of this source whose state file was saved last."""
    base = output_base(source, destination)
    pattern = re.compile(re.escape(source.name + SUFFIX) + r"(\(\d+\))?")
    candidates = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return None
    for entry in entries:
        state = entry / STATE_FILE
        if pattern.fullmatch(entry.name) and entry.is_dir() and state.is_file():
            candidates.append((state.stat().st_mtime_ns, entry.name, entry))
    if not candidates:
        return None
    return max(candidates)[2]
