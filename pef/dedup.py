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
from pef.sidecar import Sidecar

SAMPLE = 4096
_INDEXED = re.compile(r"\(\d+\)(?=\.[^.]*$|$)")


@dataclass
class Duplicates:
    of: dict[str, str] = field(default_factory=dict)  # duplicate source path -> the item's primary source path
    hashed_bytes: int = 0  # what finding them cost: bytes read
    seconds: float = 0.0  # and time taken
    digests: dict[str, bytes] = field(default_factory=dict)  # every full hash taken or reused (for the cache)
    new_digests: int = 0  # of which taken in this run
    # Duplicate -> how its own sidecar disagrees with the one its item's metadata comes from.
    disagreements: dict[str, str] = field(default_factory=dict)

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
    # The files `chunks` cannot read, each whole, in the one order they can be read in (a tar front to back).
    in_order: Callable[[list[str]], Iterator[tuple[str, Iterator[bytes]]]] = lambda rels: iter(())


def find_duplicates(media: Iterable[MediaEntry], reader: Reader, rank: Callable[[str], tuple],
                    known: dict[str, bytes] | None = None) -> Duplicates:
    """Group media by content; in each group the file with the lowest `rank` is the primary.
    `known`: full hashes of unchanged files from an earlier run, not read again."""
    known = known or {}
    result = Duplicates()
    by_size: dict[int, list[str]] = defaultdict(list)
    for entry in media:
        if entry.size > 0:
            by_size[entry.size].append(entry.rel)
    candidates: list[list[str]] = []  # files that may be identical: same size and same samples
    for size, rels in by_size.items():
        if len(rels) < 2:
            continue
        if all(rel in known for rel in rels):
            candidates.append(rels)  # their hashes decide at once
            continue
        by_sample: dict[bytes | None, list[str]] = defaultdict(list)
        for rel in rels:
            by_sample[_sample(rel, size, reader, result)].append(rel)
        candidates += [group for group in by_sample.values() if len(group) > 1]
    wanted = [rel for group in candidates for rel in group]
    digests = {rel: known[rel] for rel in wanted if rel in known}
    digests.update(_full_hashes([rel for rel in wanted if rel not in digests], reader, result))
    result.new_digests = len(digests) - sum(1 for rel in digests if rel in known)
    result.digests = digests
    for group in candidates:
        by_hash: dict[bytes, list[str]] = defaultdict(list)
        for rel in group:
            if rel in digests:
                by_hash[digests[rel]].append(rel)
        for same in by_hash.values():
            if len(same) > 1:
                primary = min(same, key=rank)
                for rel in same:
                    if rel != primary:
                        result.of[rel] = primary
    return result


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


def _full_hashes(rels: list[str], reader: Reader, result: Duplicates) -> dict[str, bytes]:
    """Each file's full hash; a file that cannot be read now has none: it stays an item of its own,
    and its copy reports the error."""
    digests: dict[str, bytes] = {}
    later = []
    for rel in rels:
        try:
            chunks = reader.chunks(rel)
            if chunks is None:
                later.append(rel)
            else:
                digests[rel] = _hash(chunks, result)
        except OSError:
            continue
    try:
        for rel, chunks in reader.in_order(later):
            digests[rel] = _hash(chunks, result)
    except OSError:
        pass  # an archive that breaks off: what was read before the break counts
    return digests


def _hash(chunks: Iterable[bytes], result: Duplicates) -> bytes:
    digest = hashlib.blake2b(digest_size=32)
    for chunk in chunks:
        digest.update(chunk)
        result.hashed_bytes += len(chunk)
    return digest.digest()


def has_index(rel: str) -> bool:
    """`IMG(1).jpg`: Google's number for a second file of the same name."""
    return bool(_INDEXED.search(rel.rpartition("/")[2]))


# What a sidecar says that ends up in the file or decides its folder, in the words of the report.
_COMPARED = (("taken", "photoTakenTime"), ("geo", "place"), ("description", "description"),
             ("people", "people"), ("favorited", "favorite"), ("archived", "archived"), ("trashed", "trashed"))


def note_disagreements(duplicates: Duplicates, sidecar_of: dict[str, str], sidecars: dict[str, Sidecar]) -> None:
    """Copies of one photo whose sidecars say different things: the item keeps its primary's sidecar
    (a year folder's before an album's) and each disagreement is noted, never silently merged."""
    for dup, primary in sorted(duplicates.of.items()):
        mine, kept = sidecars.get(sidecar_of.get(dup, "")), sidecars.get(sidecar_of.get(primary, ""))
        if mine is None or kept is None or mine.rel == kept.rel:
            continue
        differ = [word for name, word in _COMPARED if getattr(mine, name) != getattr(kept, name)]
        if differ:
            duplicates.disagreements[dup] = (
                f"its sidecar {mine.rel} differs from {kept.rel} in {', '.join(differ)}; "
                f"the library's file has the metadata of {kept.rel}")


def full_hash(rel: str, reader: Reader) -> bytes | None:
    """One file's content hash, as `find_duplicates` takes it; None when it cannot be read."""
    return _full_hashes([rel], reader, Duplicates()).get(rel)
