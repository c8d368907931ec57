"""What each JSON file held when it was last read, so a resume need not read every sidecar again.

A resume must scan the source anyway (files may have been added), but reading
and parsing 100k small JSON files is most of that cost. Entries are keyed by
path, size and modification time: a file that changed in any way is read afresh.
The cache lives beside the state file; deleting it only makes the next resume slower.
"""

from __future__ import annotations

import json
from pathlib import Path

from pef.fsutil import atomic_write_chunks, dumps
from pef.scan import ScanResult
from pef.sidecar import JsonKind, from_record, to_record

CACHE_FILE = "processing_state.sidecars.jsonl"

Cache = dict[str, tuple[int, int, list]]  # rel -> (size, mtime_ns, record)


def load(out_dir: Path) -> Cache:
    cache: Cache = {}
    try:
        with open(out_dir / CACHE_FILE, encoding="utf-8") as f:
            for line in f:
                try:
                    rel, size, mtime_ns, record = json.loads(line)
                except (ValueError, TypeError):
                    continue  # a torn or edited line: that file is simply read again
                cache[rel] = (size, mtime_ns, record)
    except (OSError, UnicodeDecodeError):
        return {}
    return cache


def lookup(cache: Cache, rel: str, size: int, mtime_ns: int) -> JsonKind | None:
    hit = cache.get(rel)
    if hit is None or hit[0] != size or hit[1] != mtime_ns:
        return None
    try:
        return from_record(rel, hit[2])
    except (TypeError, ValueError, KeyError, IndexError):
        return None


def save(out_dir: Path, found: ScanResult) -> None:
    parsed = {p.rel: p for group in (found.sidecars, found.broken, found.other_json) for p in group}
    lines = (
        dumps([rel, size, mtime_ns, to_record(parsed[rel])]) + "\n"
        for rel, (size, mtime_ns) in found.json_files.items()
        if rel in parsed
    )
    atomic_write_chunks(out_dir / CACHE_FILE, lines)
