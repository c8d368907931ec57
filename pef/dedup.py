"""Each photo once: media files with identical bytes are one item, written once.

A Takeout holds the same photo several times: in its year folder and in each
album, as the same member of two parts, as identical copies in one folder.
Only files whose size collides can be duplicates, so only those are read: a
sampled pre-hash (three 4 KiB pieces) first, then a full BLAKE2b hash of the
files whose samples agree. Names never decide: `IMG(1).jpg`, edited copies and
Live Photo halves with other bytes stay items of their own.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from pef.scan import MediaEntry

SAMPLE = 4096
_INDEXED = re.compile(r"\(\d+\)(?=\.[^.]*$|$)")


@dataclass
class Duplicates:
    of: dict[str, str] = field(default_factory=dict)  # duplicate source path -> the item's primary source path
    hashed_bytes: int = 0  # what finding them cost

    def copies(self) -> dict[str, list[str]]:
        """Primary -> its duplicates, sorted."""
        found: dict[str, list[str]] = defaultdict(list)
        for dup, primary in sorted(self.of.items()):
            found[primary].append(dup)
        return dict(found)


@dataclass(frozen=True)
class Reader:
    """How to read a source file: whole (chunks) and, when seekable, a piece at an offset."""

    chunks: Callable[[str], Iterator[bytes] | None]  # None: cannot be read out of order (tar members)
    piece: Callable[[str, int, int], bytes | None]  # None: no cheap random access (archive members)


def find_duplicates(media: Iterable[MediaEntry], reader: Reader, rank: Callable[[str], tuple]) -> Duplicates:
    """Group media by content; in each group the file with the lowest `rank` is the primary."""
    result = Duplicates()
    by_size: dict[int, list[str]] = defaultdict(list)
    for entry in media:
        if entry.size > 0:
            by_size[entry.size].append(entry.rel)
    for size, rels in by_size.items():
        if len(rels) < 2:
            continue
        for group in _same_content(size, rels, reader, result):
            primary = min(group, key=rank)
            for rel in group:
                if rel != primary:
                    result.of[rel] = primary
    return result


def _same_content(size: int, rels: list[str], reader: Reader, result: Duplicates) -> list[list[str]]:
    by_sample: dict[bytes | None, list[str]] = defaultdict(list)
    for rel in rels:
        by_sample[_sample(rel, size, reader, result)].append(rel)
    groups = []
    for sample, candidates in by_sample.items():
        if len(candidates) < 2:
            continue
        by_hash: dict[bytes, list[str]] = defaultdict(list)
        for rel in candidates:
            digest = _full_hash(rel, reader, result)
            if digest is not None:
                by_hash[digest].append(rel)
        groups += [sorted(g) for g in by_hash.values() if len(g) > 1]
    return groups


def _sample(rel: str, size: int, reader: Reader, result: Duplicates) -> bytes | None:
    """Three pieces of the file (start, middle, end); None where pieces cannot be read cheaply,
    which only means the full hash decides."""
    if size <= 3 * SAMPLE:
        return None
    digest = hashlib.blake2b(digest_size=16)
    for offset in (0, size // 2 - SAMPLE // 2, size - SAMPLE):
        piece = reader.piece(rel, offset, SAMPLE)
        if piece is None:
            return None
        digest.update(piece)
        result.hashed_bytes += len(piece)
    return digest.digest()


def _full_hash(rel: str, reader: Reader, result: Duplicates) -> bytes | None:
    try:
        chunks = reader.chunks(rel)
        if chunks is None:
            return None
        digest = hashlib.blake2b(digest_size=32)
        for chunk in chunks:
            digest.update(chunk)
            result.hashed_bytes += len(chunk)
    except OSError:
        return None  # unreadable now: it stays an item of its own, and its copy reports the error
    return digest.digest()


def has_index(rel: str) -> bool:
    """`IMG(1).jpg`: Google's number for a second file of the same name."""
    return bool(_INDEXED.search(rel.rpartition("/")[2]))
