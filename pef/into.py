"""Adding another export to a library pef made (`--into LIBRARY`): only what is new, no "(1)" copies.

A library is an output folder with the sources it was built from. The first (the one its
`processing_state.json` records) is source 1; each export added later gets a record of its own
in `processing_state.sources/<N>/` (state, journal, caches) and a line in the main state's
`added_sources`. Each run also keeps, beside its state, the facts it knew of every media file
of its source (`processing_state.items.jsonl`: size, content hash when taken, Google's `url`,
title, photoTakenTime and the metadata its sidecar gave) and what it decided for each.

Deciding is done from those records alone, never by re-reading the library's files: each item
of the new export is looked up by content (same size, then the same hash), by `url`, then by
title + photoTakenTime. Found and unchanged: nothing is written (the new export's record points
at the library's file). Found with other metadata or in another folder now: the library's file
is made again from the new export, where a run of that export alone would put it (its old file
removed first). Two candidates, or keys that disagree: not guessed, the file goes to `Review/`.
Library items the new export does not have stay as they are.

Pure apart from reading the records and hashing source files.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

from pef.fsutil import atomic_write_chunks, dumps
from pef.sidecar import Sidecar
from pef.state import ProcessingState, StateError, now_iso

SOURCES_DIR = "processing_state.sources"
FACTS_FILE = "processing_state.items.jsonl"
REVIEW = "Review"
FACTS_VERSION = 1

# What a sidecar says that ends up in the file or decides its folder: a change in any of them
# means the library's file is made again from the newer export.
META_FIELDS = ("title", "taken", "geo", "description", "people", "favorited", "archived", "trashed", "locked",
               "partner")


def meta_of(sidecar: Sidecar | None) -> dict:
    if sidecar is None:
        return {}
    meta = {name: getattr(sidecar, name) for name in META_FIELDS}
    meta["geo"] = dict(sidecar.geo.__dict__) if sidecar.geo is not None else None
    meta["people"] = list(sidecar.people)
    return meta


@dataclass(frozen=True)
class Facts:
    """What one run knew of one media file of its source, and what it decided for it."""

    rel: str
    size: int
    digest: str | None = None  # content hash (pef.dedup's), when the run took one
    url: str = ""
    title: str = ""
    taken: int | None = None
    meta: dict = field(default_factory=dict)
    verdict: str | None = None  # for an added export: "new" | "same" | "changed" | "ambiguous"
    key: str | None = None  # what found it in the library: "content" | "url" | "title+time"
    library: str | None = None  # the library item it is: "<source id>:<its source path>"
    why: str | None = None  # for "ambiguous"

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "", {})}


def save_facts(state_dir: Path, facts: Iterable[Facts]) -> None:
    atomic_write_chunks(state_dir / FACTS_FILE, (dumps(f.to_json()) + "\n" for f in facts))


def load_facts(state_dir: Path) -> dict[str, Facts]:
    known: dict[str, Facts] = {}
    try:
        with open(state_dir / FACTS_FILE, encoding="utf-8") as f:
            for line in f:
                try:
                    data = json.loads(line)
                    item = Facts(**{k: data[k] for k in Facts.__dataclass_fields__ if k in data})
                except (ValueError, TypeError, KeyError):
                    continue  # a torn or edited line: that file is decided by what else is known
                if isinstance(item.rel, str) and isinstance(item.size, int):
                    known[item.rel] = item
    except (OSError, UnicodeDecodeError):
        return {}
    return known


@dataclass(frozen=True)
class RegisteredSource:
    id: int
    source_path: str
    inputs: tuple[str, ...]
    archives: tuple[tuple[str, int], ...]
    state_dir: str  # relative to the library: "" for source 1
    added: str | None = None

    def same_as(self, identity: dict) -> bool:
        """The same export: the same archives (names and sizes), or the same folder."""
        archives = tuple((a, s) for a, s in identity["archives"])
        if archives or self.archives:
            return archives == self.archives
        return Path(self.source_path) == Path(identity["source_path"])

    def describe(self) -> str:
        return f"{self.source_path}" + (f" ({len(self.archives)} archives)" if self.archives else "")


def registered(main: ProcessingState) -> list[RegisteredSource]:
    """Every source the library was built from, first to last."""
    data = main.data
    if not data.get("source_path"):
        return []
    first = RegisteredSource(1, data["source_path"], tuple(data.get("inputs") or [data["source_path"]]),
                             tuple((a, s) for a, s in data.get("archives") or []), "", data.get("started"))
    found = [first]
    for record in data.get("added_sources") or []:
        try:
            found.append(RegisteredSource(int(record["id"]), str(record["source_path"]), tuple(record["inputs"]),
                                          tuple((str(a), int(s)) for a, s in record["archives"]),
                                          str(record["state_dir"]), record.get("added")))
        except (KeyError, TypeError, ValueError):
            continue  # a hand-edited record: that source is not known to the library
    return found


def register(main: ProcessingState, identity: dict) -> RegisteredSource:
    """Record a new source in the library's main state (saved at once, before anything is written)."""
    sources = registered(main)
    number = max(s.id for s in sources) + 1
    record = {"id": number, **identity, "state_dir": f"{SOURCES_DIR}/{number}", "added": now_iso()}
    main.data.setdefault("added_sources", []).append(record)
    main.mark_changed()
    main.save()
    return RegisteredSource(number, identity["source_path"], tuple(identity["inputs"]),
                            tuple((a, s) for a, s in identity["archives"]), record["state_dir"], record["added"])


def state_of(root: Path, source: RegisteredSource, read_only: bool = True) -> ProcessingState:
    state_dir = root / source.state_dir if source.state_dir else root
    return ProcessingState.load(root, read_only=read_only, state_dir=state_dir)


@dataclass(frozen=True)
class LibraryItem:
    """A photo or video the library holds, from one of its sources."""

    source_id: int
    rel: str  # its path in that source
    output: str  # its file in the library
    kind: str  # "write" | "copy"
    facts: Facts
    copies: tuple[str, ...] = ()  # its album folders' files

    @property
    def key(self) -> str:
        return f"{self.source_id}:{self.rel}"


@dataclass
class Library:
    root: Path
    sources: list[RegisteredSource]
    items: list[LibraryItem] = field(default_factory=list)
    outputs: set[str] = field(default_factory=set)  # every file the other sources' records name
    unpaired_sidecars: dict[str, str] = field(default_factory=dict)  # Unprocessed/ copy -> "<id>:<rel>"
    details: dict[str, dict] = field(default_factory=dict)  # library file -> what its run noted (date source...)
    # Per source, its files whose item a later export took over (that export's record now owns the file).
    taken: dict[int, dict[str, int]] = field(default_factory=dict)  # id -> rel -> the later source's id

    def taken_over(self, source_id: int) -> dict[str, int]:
        return self.taken.get(source_id, {})


def load_library(root: Path, current: int | None) -> Library:
    """The library's items from every source except `current` (the export being added or resumed)."""
    try:
        main = ProcessingState.load(root, read_only=True)
    except StateError:
        return Library(root, [])
    library = Library(root, registered(main))
    states: dict[int, ProcessingState] = {}
    facts: dict[int, dict[str, Facts]] = {}
    for source in library.sources:
        try:
            states[source.id] = main if source.id == 1 else state_of(root, source)
        except StateError:
            continue
        facts[source.id] = load_facts(states[source.id].state_dir)
    _find_taken(library, states, facts)
    for source in library.sources:
        if source.id == current or source.id not in states:
            continue
        state = states[source.id]
        taken = library.taken_over(source.id)
        copies: dict[str, list[str]] = {}
        for rel, record in state.media.items():
            if record.get("kind") in ("album", "member") and record.get("of") and record.get("output_file"):
                copies.setdefault(record["of"], []).append(record["output_file"])
        for rel, record in state.media.items():
            output = record.get("output_file")
            if rel in taken and taken[rel] != current:
                continue  # a later export's file now
            if output:
                library.outputs.add(output)
                library.details[output] = record.get("details") or {}
            known = facts[source.id].get(rel)
            if (output and known is not None and record.get("status") == "success"
                    and record.get("kind") in ("write", "copy")):
                library.items.append(LibraryItem(source.id, rel, output, record["kind"], known,
                                                 tuple(sorted(copies.get(rel, ())))))
        for rel, record in state.jsons.items():
            output = record.get("output_file")
            if output and "output_files" not in record and not (rel in taken and taken[rel] != current):
                library.outputs.add(output)
                library.unpaired_sidecars[output] = f"{source.id}:{rel}"
    return library


def _find_taken(library: Library, states: dict[int, ProcessingState], facts: dict[int, dict[str, Facts]]) -> None:
    """A file recorded by two sources belongs to the later; an item a later export decided is the same
    photo belongs to it too, wherever that export put its file."""
    owner: dict[str, int] = {}
    for sid in sorted(states):
        for record in (*states[sid].media.values(), *states[sid].jsons.values()):
            if record.get("output_file"):
                owner[record["output_file"]] = sid
    for sid in sorted(states):
        for rel, record in (*states[sid].media.items(), *states[sid].jsons.items()):
            later = owner.get(record.get("output_file") or "")
            if later is not None and later != sid:
                library.taken.setdefault(sid, {})[rel] = later
        for item in facts[sid].values():
            if item.library and item.verdict in ("same", "changed"):
                number, _, rel = item.library.partition(":")
                if number.isdigit() and int(number) != sid:
                    library.taken.setdefault(int(number), {})[rel] = sid


@dataclass(frozen=True)
class Candidate:
    """One new export's media file, as deciding sees it."""

    rel: str
    size: int
    kind: str  # "write" | "copy"
    sidecar: Sidecar | None


@dataclass(frozen=True)
class Decision:
    verdict: str  # "new" | "same" | "changed" | "ambiguous"
    key: str | None = None
    item: LibraryItem | None = None
    why: str | None = None
    changed: tuple[str, ...] = ()  # for "changed": which sidecar fields differ


def decide(candidates: list[Candidate], library: Library, hash_new: Callable[[str], bytes | None],
           hash_item: Callable[[LibraryItem], bytes | None]) -> dict[str, Decision]:
    """rel -> what the new export's file is to the library. Hashes only files whose size a library
    item has (hash_new for the export's, hash_item for an item without a recorded hash)."""
    by_size: dict[int, list[LibraryItem]] = {}
    by_url: dict[str, list[LibraryItem]] = {}
    by_moment: dict[tuple[str, int], list[LibraryItem]] = {}
    for item in library.items:
        by_size.setdefault(item.facts.size, []).append(item)
        if item.facts.url:
            by_url.setdefault(item.facts.url, []).append(item)
        if item.facts.title and item.facts.taken is not None:
            by_moment.setdefault((item.facts.title, item.facts.taken), []).append(item)
    item_hashes: dict[str, bytes | None] = {}

    def item_digest(item: LibraryItem) -> bytes | None:
        if item.key not in item_hashes:
            item_hashes[item.key] = bytes.fromhex(item.facts.digest) if item.facts.digest else hash_item(item)
        return item_hashes[item.key]

    found: dict[str, Decision] = {}
    claimed: dict[str, str] = {}
    for new in sorted(candidates, key=lambda c: c.rel):
        same_size = by_size.get(new.size, [])
        content: list[LibraryItem] = []
        if same_size:
            digest = hash_new(new.rel)
            content = [i for i in same_size if digest is not None and item_digest(i) == digest]
        url = new.sidecar.url if new.sidecar is not None else ""
        by_id = by_url.get(url, []) if url else []
        moment = by_moment.get((new.sidecar.title, new.sidecar.taken), []) if new.sidecar and new.sidecar.taken else []
        decision = _choose(content, by_id, moment)
        if decision.item is not None:
            item_key = decision.item.key
            other = claimed.get(item_key)
            if other is not None:
                item = decision.item
                decision = Decision("ambiguous", why=f"the library's {item.output} is already {other} "
                                                     f"of this export ({decision.key})")
            else:
                claimed[item_key] = new.rel
                decision = _compare(new, decision)
        found[new.rel] = decision
    return found


def _choose(content: list[LibraryItem], by_id: list[LibraryItem], moment: list[LibraryItem]) -> Decision:
    for key, hits in (("content", content), ("url", by_id), ("title+time", moment)):
        if not hits:
            continue
        if len(hits) > 1:
            narrowed = [h for h in hits if h in by_id] if key != "url" else []
            if len(narrowed) == 1:
                return Decision("found", key, narrowed[0])
            names = ", ".join(h.output for h in hits[:3])
            return Decision("ambiguous", why=f"{len(hits)} library files match by {key}: {names}")
        hit = hits[0]
        if key == "content" and by_id and hit not in by_id:
            return Decision("ambiguous", why=f"its content is the library's {hit.output} but its url is "
                                             f"{by_id[0].output}'s")
        return Decision("found", key, hit)
    return Decision("new")


def _compare(new: Candidate, found: Decision) -> Decision:
    assert found.item is not None
    old = found.item.facts.meta
    now = meta_of(new.sidecar)
    differ = tuple(name for name in META_FIELDS if old.get(name) != now.get(name))
    if found.item.kind != new.kind:
        differ += ("pairing",)
    return Decision("changed" if differ else "same", found.key, found.item, changed=differ)


def changes_of(decision: Decision, new: Sidecar | None) -> dict:
    """For the report: each changed field's old and new value."""
    assert decision.item is not None
    now = meta_of(new)
    return {name: {"was": decision.item.facts.meta.get(name), "now": now.get(name)}
            for name in decision.changed if name in META_FIELDS}


def output_size(root: Path, dest: str) -> int | None:
    try:
        return os.stat(root / dest).st_size
    except OSError:
        return None


@dataclass
class IntoPlan:
    """What the plan of an export added to a library takes from the library."""

    decisions: dict[str, Decision]  # each of the export's items (duplicates aside)
    recorded: dict[str, str]  # source path -> the library file it takes over (made again unless "same")
    kept: set[str]  # the library's other files: never overwritten
    digests: dict[str, bytes]  # content hashes taken while deciding
    details: dict[str, dict] = field(default_factory=dict)  # library file -> what its run noted

    def counts(self) -> dict[str, int]:
        found = {"new": 0, "same": 0, "changed": 0, "ambiguous": 0}
        for decision in self.decisions.values():
            found[decision.verdict] += 1
        return found


def plan_inputs(candidates: list[Candidate], places: Mapping[str, str], followers: Mapping[str, str],
                unpaired_sidecars: Iterable[str], library: Library, hash_new: Callable[[str], bytes | None],
                hash_item: Callable[[LibraryItem], bytes | None]) -> IntoPlan:
    """followers: album copies and album members -> their item; places: where each file goes (safe)."""
    digests: dict[str, bytes] = {}

    def hashed(rel: str) -> bytes | None:
        if rel not in digests:
            digest = hash_new(rel)
            if digest is None:
                return None
            digests[rel] = digest
        return digests[rel]

    decisions = decide(candidates, library, hashed, hash_item)
    recorded = {rel: d.item.output for rel, d in decisions.items() if d.item is not None}
    used = set(recorded.values())
    for rel, item_rel in sorted(followers.items()):
        decision = decisions.get(item_rel)
        if decision is None or decision.item is None:
            continue
        folder = _folder(places[rel])
        for copy in decision.item.copies:
            if _folder(copy) == folder and copy not in used:
                recorded[rel] = copy
                used.add(copy)
                break
    for rel in unpaired_sidecars:
        place = places.get(rel)
        if place is not None and place in library.unpaired_sidecars and place not in used:
            recorded[rel] = place  # an earlier export's copy of the same unpaired sidecar: replaced, not doubled
            used.add(place)
    return IntoPlan(decisions, recorded, library.outputs - used, digests, library.details)


def _folder(path: str) -> str:
    return path.rpartition("/")[0].casefold()


def review_path(place: str) -> str:
    return f"{REVIEW}/{place}"
