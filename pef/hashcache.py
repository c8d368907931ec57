"""The content hash of each media file dedup had to read, so a resume need not read it again.

Finding identical files reads every file whose size another shares; on a large export that
is the album copies, gigabytes. Entries are keyed by path, size and modification time, like
the sidecar cache (pef.scancache): a file that changed in any way is hashed afresh. The cache
lives beside the state file; deleting it only makes the next resume slower.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from pef.fsutil import atomic_write_chunks, dumps
from pef.scan import MediaEntry

CACHE_FILE = "processing_state.hashes.jsonl"


def load(out_dir: Path, media: Iterable[MediaEntry]) -> dict[str, bytes]:
    """rel -> its content hash, for the files that have not changed since it was taken."""
    current = {m.rel: (m.size, m.mtime_ns) for m in media}
    known: dict[str, bytes] = {}
    try:
        with open(out_dir / CACHE_FILE, encoding="utf-8") as f:
            for line in f:
                try:
                    rel, size, mtime_ns, digest = json.loads(line)
                    if current.get(rel) == (size, mtime_ns):
                        known[rel] = bytes.fromhex(digest)
                except (ValueError, TypeError):
                    continue  # a torn or edited line: that file is hashed again
    except (OSError, UnicodeDecodeError):
        return {}
    return known


def save(out_dir: Path, media: Iterable[MediaEntry], digests: dict[str, bytes]) -> None:
    lines = (dumps([m.rel, m.size, m.mtime_ns, digests[m.rel].hex()]) + "\n" for m in media if m.rel in digests)
    atomic_write_chunks(out_dir / CACHE_FILE, lines)
