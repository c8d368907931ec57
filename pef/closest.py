"""Why a file stayed unpaired, in specific words: the names pef looked for and the nearest ones it saw.

The matcher (`pef.matching`) decides; this module only explains, after the fact, for the report. For an
unpaired media it runs the matching rules' own lookups against the sidecars of the media's folder, ignoring
whether a sidecar was already given away, so it can say "rule exact finds IMG_1.jpg.json, but that went to
IMG_1.jpeg"; when no rule finds any, it names the most similar sidecar names of the folder. For a sidecar
without media it names the media names its own claims stand for. Only the folders holding unpaired files are
indexed, so a clean run costs nothing here.
"""

from __future__ import annotations

import bisect
import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Sequence

from pef.matching import EDITED_SUFFIXES, RULES, EditedSuffixes, MatchResult, MediaName, logical_folder, sidecar_claims
from pef.names import SUPPLEMENTAL, fold, split_ext, split_index
from pef.sidecar import Sidecar

SHOWN = 3  # closest names given per file: enough to see the near miss, short enough to read
_LOOKED_FOR = 4
_SHARED = 0.6  # a similar name shares this much of the media's name from its start
_NEIGHBOURS = 6  # names compared on each side of the media's place in the folder's sorted sidecar names


@dataclass
class MediaHint:
    looked_for: list[str]  # sidecar file names pef looked for
    closest: list[dict] = field(default_factory=list)  # {"sidecar", "rule" (or None: only a similar name), "fate"}

    def text(self) -> str:
        """One sentence for a table cell or a CSV row."""
        looked = "looked for " + ", ".join(self.looked_for)
        if not self.closest:
            return f"{looked}; no sidecar of its folder has a similar name"
        if self.closest[0]["rule"] is None:
            names = ", ".join(c["sidecar"].rpartition("/")[2] for c in self.closest)
            return f"{looked}; nearest names in its folder: {names} (no rule fits them)"
        parts = [f"{c['sidecar'].rpartition('/')[2]} (rule {c['rule']}) {c['fate']}" for c in self.closest]
        return f"{looked}; closest: " + "; ".join(parts)


def sidecar_names_for(name: str, edited: EditedSuffixes | None = None) -> list[str]:
    """The sidecar file names Google gives the media `name` (the usual forms, best first)."""
    stem, ext = split_ext(name)
    stem0, idx = split_index(stem)
    tail = f"({idx})" if idx else ""
    base = stem0 + ext
    names = [f"{base}{tail}.json", f"{base}.{SUPPLEMENTAL}{tail}.json", f"{stem0}{tail}.json"]
    edited = edited or EditedSuffixes(EDITED_SUFFIXES)
    n = MediaName(name)
    if edited.looks_edited(n):
        for original in edited.originals(n)[:1]:
            names.insert(1, f"{original.name}.json")
    return list(dict.fromkeys(names))[:_LOOKED_FOR]


def media_names_for(sc: Sidecar) -> list[str]:
    """The media names a sidecar stands for, as its claims read it (what pef looked for)."""
    names = []
    for _, _, idx, spelling, rule, _ in sidecar_claims(sc.rel, sc.title):
        if not spelling:
            continue
        if idx:
            stem, ext = split_ext(spelling)
            spelling = f"{stem}({idx}){ext}"
        if rule == "no-extension" and not split_ext(spelling)[1]:
            spelling += ".*"
        names.append(spelling)
    return list(dict.fromkeys(names))[:_LOOKED_FOR]


def explain_media(unpaired: Sequence[str], all_media: Sequence[str], sidecars: Sequence[Sidecar],
                  matched: MatchResult, suffixes: Sequence[str] = ()) -> dict[str, MediaHint]:
    """For each unpaired media path, the names looked for and the closest sidecars of its folder."""
    if not unpaired:
        return {}
    wanted = {logical_folder(rel.rpartition("/")[0]) for rel in unpaired}
    in_folder: dict[str, list[Sidecar]] = defaultdict(list)
    for sc in sidecars:
        lf = logical_folder(sc.rel.rpartition("/")[0])
        if lf in wanted:
            in_folder[lf].append(sc)
    index: dict[tuple, list[str]] = defaultdict(list)
    indexed: set[str] = set()
    for lf, group in in_folder.items():
        for sc in group:
            for space, key, idx, _, _, _ in sidecar_claims(sc.rel, sc.title):
                index[(lf, space, key, idx)].append(sc.rel)
                if idx:
                    indexed.add(key)
    edited = EditedSuffixes([*EDITED_SUFFIXES, *suffixes])
    edited.media_keys = frozenset(fold(rel.rpartition("/")[2]) for rel in all_media)
    edited.indexed_keys = frozenset(indexed)
    used_by: dict[str, list[str]] = defaultdict(list)
    for pair in matched.pairs.values():
        used_by[pair.sidecar].append(pair.media)
    folders = {lf: _Folder(group) for lf, group in in_folder.items()}
    hints = {}
    for rel in unpaired:
        folder, _, name = rel.rpartition("/")
        lf = logical_folder(folder)
        hint = MediaHint(sidecar_names_for(name, edited))
        hint.closest = _by_rule(MediaName(name), edited, index, lf, used_by, matched) or _similar(
            name, folders.get(lf))
        hints[rel] = hint
    return hints


def _by_rule(n: MediaName, edited: EditedSuffixes, index: dict, lf: str, used_by: dict, matched: MatchResult) -> list[dict]:
    for rule in RULES:
        for item in rule.lookups(n, edited):
            found: list[str] = []
            for space, key, idx, _, _ in item if isinstance(item, list) else (item,):
                found += index.get((lf, space, key, idx), ())
            if found:
                return [{"sidecar": s, "rule": rule.name, "fate": _fate(s, used_by, matched)}
                        for s in sorted(set(found))[:SHOWN]]
    return []


def _fate(sidecar: str, used_by: dict, matched: MatchResult) -> str:
    users = sorted(used_by.get(sidecar, ()))
    if users:
        more = f" and {len(users) - 1} more" if len(users) > 1 else ""
        return f"went to {users[0]}{more}"
    return matched.unpaired_sidecars.get(sidecar, "was not used")


def _similar(name: str, folder: "_Folder | None") -> list[dict]:
    """The sidecar names of the folder that share the longest beginning with the media's name (at least
    60% of it). Its neighbours in sorted order are those, so a folder of 100k sidecars costs a dozen
    comparisons: a name cut or changed at its end, the usual near miss, is found."""
    if folder is None or not folder.bodies:
        return []
    key = fold(name)
    at = bisect.bisect_left(folder.bodies, key)
    scored = []
    for body in folder.bodies[max(0, at - _NEIGHBOURS):at + _NEIGHBOURS]:
        shared = len(os.path.commonprefix([key, body]))
        if shared >= _SHARED * len(key):
            scored.append((-shared, body))
    return [{"sidecar": folder.rels[b], "rule": None, "fate": ""} for _, b in sorted(scored)[:SHOWN]]


class _Folder:
    """The sidecar names of one logical folder, folded and sorted, without ".json"."""

    def __init__(self, group: Sequence[Sidecar]):
        self.rels: dict[str, str] = {}
        for sc in group:
            body = sc.rel.rpartition("/")[2]
            self.rels.setdefault(fold(body[:-5] if body.lower().endswith(".json") else body), sc.rel)
        self.bodies = sorted(self.rels)
