"""Choosing the output folder: a new `<SRC>_pefProcessed(N)` or the one to resume."""

from __future__ import annotations

import re
from pathlib import Path

SUFFIX = "_pefProcessed"
STATE_FILE = "processing_state.json"


def new_output_dir(name: str, base: Path) -> Path:
    """The first free `<name>_pefProcessed`, `<name>_pefProcessed(1)`, ... in base (not created here)."""
    base = base / (name + SUFFIX)
    candidate, n = base, 0
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}({n})")
    return candidate


def claim_new_output_dir(name: str, base: Path) -> Path:
    """Create and return the first free `<name>_pefProcessed(N)` in base.

    Creating the folder is the claim: of two runs started together, each
    gets its own folder, because mkdir succeeds for only one of them.
    """
    base.mkdir(parents=True, exist_ok=True)
    first = base / (name + SUFFIX)
    candidate, n = first, 0
    while True:
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            n += 1
            candidate = first.with_name(f"{first.name}({n})")


def find_latest_output(name: str, base: Path) -> Path | None:
    """The `<name>_pefProcessed(N)` folder in base whose state file was saved last."""
    pattern = re.compile(re.escape(name + SUFFIX) + r"(\(\d+\))?")
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
