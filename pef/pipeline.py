"""One pef run, as a library call: scan, match, plan, execute, record, report.

Nothing here prints or exits; the caller passes an Observer for progress and
messages and a `stop` callable that turns true when the user asks to stop.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from pef import __version__, finished, hashcache, into, scancache
from pef.albums import Members, album_index, album_titles, albums_of_items, resolve_members, write_albums
from pef.dedup import Duplicates, Reader, find_duplicates, full_hash, has_index, note_disagreements
from pef.exiftool import ExifToolError, ExifToolMissing, exiftool_version, find_exiftool, install_hint, missing_detail
from pef.execute import FULL_ERRNOS, DiskFull, ExecOptions, FatalError, Worker, output_fault, run_actions
from pef.filetypes import HEAD_BYTES, fixed_name
from pef.fsutil import SAVE_PREFIX, TMP_DIR_NAME, is_within
from pef.lock import OutputInUse, OutputLock
from pef.library import CHOICES as LIBRARY_CHOICES
from pef.library import LEGACY_OPTIONS, LibraryOptions, Placement, organise, photos_only
from pef.matching import DEFAULT_SUFFIXES, match
from pef.outdir import find_latest_output
from pef.parts import NOT_A_PART, MissingPart
from pef.plan import Kind, Plan, make_plan
from pef.report import build_report, summary_text, write_report
from pef.resume import (
    OutputChoice,
    RunRefused,
    same_option,
    check_state_fits,
    choose_output,
    forget_for_redo,
    recorded_extras,
    recorded_outputs,
    refuse_foreign,
    split_done,
)
from pef.scan import PEF_OUTPUT, ScanResult
from pef.safenames import safe_path
from pef.sources import Source, SourceError, file_chunks
from pef.outdir import SUFFIX, claim_new_output_dir
from pef.state import Entry, ProcessingState, StateError
from pef.tags import MetadataOptions
from pef.timezones import load_zone
from pef.verify import Audit, audit_outputs

DURABLE_SECONDS = 5.0  # how often outputs and journal are synced (what a power cut may cost)
# The journal is folded into the state file once it holds this share of the state: each fold
# rewrites the whole state, so spacing folds by size keeps saving O(1) per file however long the run.
FOLD_MIN, FOLD_SHARE = 10_000, 0.5


@dataclass(frozen=True)
class RunConfig:
    sources: tuple[Path, ...]  # one folder, or one or more Takeout archives
    destination: Path | None = None
    output: Path | None = None
    resume: bool = False
    force: bool = False
    suffixes: tuple[str, ...] = ()
    no_exif: bool = False
    dry_run: bool = False
    jobs: int = 2
    timezone: str | None = None
    overwrite_dates: bool = False
    retry_errors: bool = False
    reprocess: tuple[str, ...] = ()
    timeout: float = 300.0
    fix_extensions: bool = False
    layout: str = "source"  # see pef.library.LAYOUTS
    archive: str = "keep"
    partner: str = "keep"
    albums: str = "copy"  # album folders hold: "copy" | "link" | "hardlink" | "none"
    album_keywords: bool = False  # also write each album's title into its photos' keywords
    exiftool: str | None = None  # the ExifTool program to run (default: see exiftool.find_exiftool)
    into: Path | None = None  # a library pef made: add this export to it (see pef.into)
    # Recorded options the caller left unset: a resume takes them from the state,
    # so `pef --resume -p SRC` continues a run started with --timezone or -s.
    inherit: frozenset[str] = frozenset()

    @property
    def all_suffixes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*DEFAULT_SUFFIXES, *self.suffixes)))

    def recorded_options(self) -> dict:
        """The options that change what an output file contains; a resume must use the same."""
        return {
            "suffixes": list(self.all_suffixes),
            "no_exif": self.no_exif,
            "timezone": self.timezone,
            "overwrite_dates": self.overwrite_dates,
            "fix_extensions": self.fix_extensions,
            "layout": self.layout,
            "archive": self.archive,
            "partner": self.partner,
            "albums": self.albums,
            "album_keywords": self.album_keywords,
        }

    def library_options(self) -> LibraryOptions:
        return LibraryOptions(layout=self.layout, archive=self.archive, partner=self.partner, timezone=self.timezone)


class Interrupted(Exception):
    """The user asked to stop before any output was written."""


class Observer:
    """Progress and messages from a run; the default shows nothing."""

    def message(self, text: str) -> None: ...

    def warning(self, text: str) -> None:
        """Something the user must know even in a quiet run (the input is incomplete, the disk small...)."""
        self.message(text)

    def start_phase(self, name: str, total: int | None = None, initial: int = 0) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def finished(self, entry) -> None: ...

    def end_phase(self) -> None: ...

    def output_chosen(self, out: Path) -> None:
        """The output folder is claimed and locked; anything stopped from now on resumes there."""


@dataclass
class RunResult:
    out_dir: Path | None  # where this run wrote; None for a dry run
    report: dict
    summary: str
    interrupted: bool = False
    fatal: str | None = None
    already_done: int = 0
    messages: list[str] = field(default_factory=list)
    # Saves of the state or report that failed: the run is resumable but did not end cleanly.
    save_failed: list[str] = field(default_factory=list)
    audit: Audit | None = None
    output: Path | None = None  # the output folder, also the one a dry run would write
    resumes: bool = False  # the run continues (or a dry run would continue) a recorded one there
    earlier_output: Path | None = None  # an earlier run's output this run does not update

    @property
    def errors(self) -> int:
        return self.report["summary"]["errors"]

    @property
    def incomplete_input(self) -> list[dict]:
        """Parts missing or damaged: files the run could not see."""
        return self.report["input_problems"]

    @property
    def progress(self) -> str:
        s = self.report["summary"]
        return f"{s['done']}/{s['actions']} files ({s['errors']} errors)"


def run(config: RunConfig, observer: Observer | None = None, stop: Callable[[], bool] = lambda: False) -> RunResult:
    observer = observer or Observer()
    started = time.time()
    source = _open(config)
    missing = _announce_input(source, observer)
    target: _Into | None = None
    if config.into is not None:
        choice, target = _choose_library(config, source, observer)
        earlier = None
    else:
        choice = _choose_output(config, source, observer)
        earlier = _earlier_output(config, source, choice, observer)
    if config.dry_run:
        return _run_in(config, source, choice, choice.path, observer, stop, started, missing, earlier, target)
    existed = not choice.new and choice.path.exists()
    out, lock = _claim(choice)
    observer.output_chosen(out)
    try:
        if target is not None and target.source is None:
            target = _register(out, source, target)
        return _run_in(config, source, choice, out, observer, stop, started, missing, earlier, target)
    finally:
        lock.release()
        if not existed:
            _remove_if_unused(out)


def _run_in(config, source: Source, choice: OutputChoice, out: Path, observer: Observer, stop, started: float,
            missing: list[MissingPart], earlier: Path | None, target: "_Into | None" = None) -> RunResult:
    if choice.resume and target is None and not (config.dry_run or config.retry_errors or config.reprocess):
        quick = _finished_already(config, source, out, observer, earlier)
        if quick is not None:
            return quick
    state_dir = target.state_dir if target is not None else None
    if choice.resume or choice.reprocess_all:
        state = _load_state(out, config.dry_run, state_dir)
    else:
        state = ProcessingState(out, state_dir)
    for note in state.recovery:
        observer.warning(note)
    if target is not None:
        config = _library_options(config, target)
    elif choice.resume or choice.reprocess_all:
        _fill_legacy_options(state)
        config = _inherit_options(config, state.data.get("options"), observer)
    # Taken before the scan: a source changed during the run then differs from what the record says.
    print_ = None if config.dry_run else finished.fingerprint(source, config.recorded_options(), __version__)
    exiftool, needs = _find_exiftool(config)
    found = photos_only(_scan(source, observer, stop, scancache.load(state.state_dir) if state.exists else None),
                        config.layout)
    if choice.resume:
        moved = check_state_fits(state, source.identity(), config.recorded_options(), found.json_files.keys() | {m.rel for m in found.media})
        if moved:
            observer.message(moved)
    _check_found(source, found)
    library = into.load_library(out, target.number) if target is not None else None
    matched, organised, duplicates, members, plan, added = _match_and_plan(config, source, found, state, observer,
                                                                          stop, library)
    if choice.reprocess_all:
        state.begin(source.identity(), config.recorded_options(), 0, reset=True)
    taken = library.taken_over(target.number) if library is not None and target is not None else {}
    todo, done = _what_is_left(config, plan, state, observer, taken, target is not None and not choice.resume)
    if stop():
        raise Interrupted()
    result = RunResult(None if config.dry_run else out, {}, "", already_done=done, output=out, resumes=choice.resume,
                       earlier_output=earlier)
    if needs:
        result.messages.append(needs)
    if not config.dry_run:
        facts = _facts(found, matched, duplicates, added)
        _execute(config, exiftool, source, out, found, plan, todo, done, state, observer, stop, result, duplicates,
                 members, {rel: pair.sidecar for rel, pair in matched.pairs.items()}, facts)
        result.audit, _ = audit_outputs(out, source, found.media, state, taken_over=taken)
    problems = [{"part": m.name, "kind": "missing", "problem": m.why} for m in missing if m.certain]
    problems += [{"part": label, "kind": "damaged", "problem": why} for label, why in source.damaged.items()]
    result.report = build_report(
        source=source.root, out_dir=out, found=found, matched=matched, plan=plan, state=state,
        organised=organised, duplicates=duplicates, members=members,
        started=started, dry_run=config.dry_run, interrupted=result.interrupted, fatal=result.fatal,
        tool=__version__, audit=result.audit, resumed=choice.resume, input_problems=problems,
        suffixes=config.all_suffixes,
    )
    result.report["albums"] = album_index(found, organised, plan, duplicates, members, config.layout, config.albums)
    if target is not None and library is not None:
        result.report["into"] = _into_report(target, library, added, {s.rel: s for s in found.sidecars}, matched)
    result.summary = summary_text(result.report)
    if not config.dry_run:
        try:
            write_report(out, result.report, result.summary, exiftool=exiftool)
            write_albums(out, result.report["albums"], config.layout, config.albums)
            if print_ is not None and _finished_everything(result):
                finished.record(out, print_, state, result.report, result.summary, config.recorded_options())
        except OSError as exc:
            result.save_failed.append(
                f"Could not write the report into {out}: {exc.strerror or exc}. A resume writes it again."
            )
    return result


def _finished_already(config: RunConfig, source: Source, out: Path, observer: Observer,
                      earlier: Path | None) -> RunResult | None:
    """The result of running again a run that finished, when nothing changed since (see pef.finished)."""
    recorded = finished.recorded_options(out)
    if recorded is None:
        return None
    quiet = _inherit_options(config, recorded, Observer())
    done = finished.check(out, finished.fingerprint(source, quiet.recorded_options(), __version__))
    if done is None:
        return None
    _inherit_options(config, recorded, observer)  # said now that it is used
    observer.message(f"Resuming: skipping {done.done} already-processed files")
    return RunResult(out, {**done.report, "resumed": True}, done.summary, already_done=done.done, output=out,
                     resumes=True, earlier_output=earlier)


def _finished_everything(result: RunResult) -> bool:
    s = result.report["summary"]
    return (result.fatal is None and not result.interrupted and not result.save_failed and s["done"] == s["actions"]
            and result.audit is not None and result.audit.passed)


def _claim(choice: OutputChoice) -> tuple[Path, OutputLock]:
    """Create (for a new folder: race-free) and lock the output folder, then clear what a killed run left."""
    try:
        if choice.new:
            out = claim_new_output_dir(choice.path.name.rpartition(SUFFIX)[0], choice.path.parent)
        else:
            out = choice.path
            out.mkdir(parents=True, exist_ok=True)
        lock = OutputLock(out)
        lock.acquire()
    except OutputInUse as exc:
        raise RunRefused(str(exc)) from None
    except OSError as exc:
        if exc.errno in FULL_ERRNOS:
            raise FatalError(_disk_full(choice.path, exc, 0)) from None
        raise RunRefused(f"Cannot create the output folder {choice.path}: {exc.strerror or exc}.") from None
    # Only a run holding the lock may do this: another run's files in flight are never touched.
    shutil.rmtree(out / TMP_DIR_NAME, ignore_errors=True)
    for leftover in out.glob(SAVE_PREFIX + "*"):
        try:
            leftover.unlink()
        except OSError:
            pass
    return out, lock


def _remove_if_unused(out: Path) -> None:
    """A new folder the run stopped before using (refused, interrupted in the scan) is not left behind."""
    try:
        out.rmdir()  # only succeeds when empty
    except OSError:
        pass


def _load_state(out: Path, dry_run: bool, state_dir: Path | None = None) -> ProcessingState:
    try:
        return ProcessingState.load(out, read_only=dry_run, state_dir=state_dir)
    except StateError as exc:
        raise RunRefused(str(exc)) from None


def _open(config: RunConfig) -> Source:
    """The source, or a clear refusal before anything is written."""
    try:
        source = Source(config.sources)
    except SourceError as exc:
        raise RunRefused(str(exc)) from None
    _check_zone(config.timezone)
    return source


def _check_zone(zone: str | None) -> None:
    if zone:
        try:
            load_zone(zone)
        except ValueError:
            raise RunRefused(f"Unknown time zone {zone!r}: use an IANA name such as Europe/Paris.") from None


def _find_exiftool(config: RunConfig) -> tuple[str | None, str | None]:
    """The ExifTool to use, and what a dry run found missing for a real run.

    Checked before the scan, so a missing one stops a real run before any
    write; a dry run writes nothing and needs none.
    """
    if config.no_exif:
        return None, None
    exiftool = find_exiftool(config.exiftool)
    if exiftool is None:
        if config.dry_run:
            return None, "A real run needs ExifTool, which was not found. " + install_hint().partition(". ")[2]
        raise ExifToolMissing(missing_detail())
    try:
        exiftool_version(exiftool)  # one quick run: a wrong path is refused now, not once per file
    except ExifToolError as exc:
        if config.dry_run:
            return None, f"A real run would stop here: {exc}"
        raise ExifToolError(f"{exc}\nCheck PEF_EXIFTOOL or the installation, or run with --no-exif.") from None
    return exiftool, None


def _announce_input(source: Source, observer: Observer) -> list[MissingPart]:
    """Say, before anything is read, what of a folder of parts is left out and which parts are missing."""
    if source.parts is not None:
        left_out = [(name, why) for name, why in source.parts.ignored.items() if why in (NOT_A_PART, PEF_OUTPUT)]
        if left_out:
            shown = [name + (" (an earlier pef output)" if why == PEF_OUTPUT else "") for name, why in left_out[:10]]
            more = f" and {len(left_out) - 10} more" if len(left_out) > 10 else ""
            count = len(source.parts.archives) + len(source.parts.folders)
            observer.message(
                f"Reading the {count} Takeout part(s) in {source.root}; not read: {', '.join(shown)}{more}"
            )
    missing = source.missing_parts()
    for part in missing:
        hint = "" if part.certain else " (unless it is one of the extracted folders without a number)"
        fix = f" To read every part, give the folder that holds them: -p {source.root}" if source.folder is None else ""
        observer.warning(
            f"Missing part {part.name}: {part.why}{hint}. Files whose sidecar is in it stay without metadata.{fix}"
        )
    return missing


def _check_found(source: Source, found: ScanResult) -> None:
    """Refuse a source with nothing to process (an empty folder, a broken or foreign archive)."""
    if found.media or found.sidecars or found.broken:
        return
    inputs = [source.folder] if source.folder is not None else source.archive_inputs
    where = ", ".join(str(p) for p in inputs)
    if found.skipped:
        rel, why = next(iter(found.skipped.items()))
        more = f" and {len(found.skipped) - 1} more" if len(found.skipped) > 1 else ""
        detail = f"; skipped {rel}: {why}{more}"
    elif found.other_json:
        detail = f"; only {len(found.other_json)} album or other JSON file(s)"
    else:
        detail = ""
    raise RunRefused(f"No photos, videos or sidecars found in {where}{detail}. Nothing was written.")


def _earlier_output(config: RunConfig, source: Source, choice: OutputChoice, observer: Observer) -> Path | None:
    """An earlier output of this source that this run, making a new folder, leaves as it is."""
    if config.output is not None or config.resume or config.force:
        return None
    latest = find_latest_output(source.name, _output_base(config, source))
    if latest is None or latest == choice.path:
        return None
    makes = "a real run would make" if config.dry_run else "this run makes"
    observer.message(
        f"An earlier run's output is in {latest}; {makes} a new, full copy in {choice.path.name}. "
        f"To update {latest.name} instead, use --resume."
    )
    return latest


def _inherit_options(config: RunConfig, recorded, observer: Observer) -> RunConfig:
    """The config with the recorded run's value (recorded: its options) of every option the caller left unset."""
    if not isinstance(recorded, dict):
        return config
    changes: dict = {}
    for name in sorted(config.inherit):
        value = recorded.get(name)
        if name == "suffixes":
            if isinstance(value, list) and all(isinstance(s, str) for s in value):
                extra = tuple(s for s in value if s not in DEFAULT_SUFFIXES)
                if extra != config.suffixes:
                    changes[name] = extra
        elif name == "timezone":
            if isinstance(value, str) and value != config.timezone:
                _check_zone(value)
                changes[name] = value
        elif name in LIBRARY_CHOICES:
            if isinstance(value, str) and value in LIBRARY_CHOICES[name] and value != getattr(config, name):
                changes[name] = value
        elif isinstance(value, bool) and value != getattr(config, name):
            changes[name] = value
    if changes:
        shown = ", ".join(f"{k} {list(v) if isinstance(v, tuple) else v!r}" for k, v in changes.items())
        observer.message(f"Resuming with the options of the recorded run: {shown}")
    return replace(config, **changes)


def _fill_legacy_options(state: ProcessingState) -> None:
    """A state from before an option existed ran as that option's legacy value (layout: the export's shape)."""
    options = state.data.get("options")
    if isinstance(options, dict) and options:
        for name, value in LEGACY_OPTIONS.items():
            options.setdefault(name, value)


def _output_base(config: RunConfig, source: Source) -> Path:
    """Where output folders go: the destination, else beside the source folder (or in the archives' folder)."""
    destination = _resolved(config.destination)
    return destination or (source.root.parent if source.folder is not None else source.root)


def _choose_output(config: RunConfig, source: Source, observer: Observer) -> OutputChoice:
    base = _output_base(config, source)
    choice = choose_output(source.name, base, _resolved(config.output), config.resume, config.force)
    if source.folder is not None:
        _check_not_nested(source.folder, choice.path)
    refuse_foreign(choice, config.force)
    if not config.dry_run:
        _check_writable(choice.path)
    if choice.message:
        observer.message(choice.message)
    return choice


@dataclass(frozen=True)
class _Into:
    """The library an export is added to (--into), and this export's place in it."""

    root: Path
    source: into.RegisteredSource | None  # None: new to the library, registered when the run starts
    number: int  # its number among the library's sources
    options: dict  # the library's options, which every export added to it uses

    @property
    def state_dir(self) -> Path | None:
        if self.source is not None and not self.source.state_dir:
            return None  # the library's first source: the main state
        return self.root / (self.source.state_dir if self.source else f"{into.SOURCES_DIR}/{self.number}")


def _choose_library(config: RunConfig, source: Source, observer: Observer) -> tuple[OutputChoice, _Into | None]:
    root = _resolved(config.into)
    assert root is not None
    if source.folder is not None:
        _check_not_nested(source.folder, root)
    main = _load_state(root, True)
    sources = into.registered(main) if main.exists else []
    if not sources:
        choice = OutputChoice(root, resume=False, reprocess_all=False,
                              message=f"Making a new library in {root} from this export.")
        refuse_foreign(choice, config.force)
    else:
        _fill_legacy_options(main)
        options = main.data.get("options") or {}
        if options.get("layout") == "export":
            raise RunRefused(f"{root} was made with --layout export (the export's own shape), which cannot take "
                             "another export. Make a library with another layout first.")
        known = next((s for s in sources if s.same_as(source.identity())), None)
        number = known.id if known else max(s.id for s in sources) + 1
        target = _Into(root, known, number, options)
        _library_options(config, target)  # refused before anything is recorded
        if known is None:
            message = f"Adding this export to the library in {root} (its source {number})."
        else:
            message = f"This export is source {number} of the library in {root}; continuing it."
        choice = OutputChoice(root, resume=known is not None, reprocess_all=False, message=message)
    if not config.dry_run:
        _check_writable(root)
    if choice.message:
        observer.message(choice.message)
    return choice, (target if sources else None)


def _register(out: Path, source: Source, target: _Into) -> _Into:
    """Record the new export in the library (under its lock) before anything of it is written."""
    main = _load_state(out, False)
    registered = into.register(main, source.identity())
    (out / registered.state_dir).mkdir(parents=True, exist_ok=True)
    return replace(target, source=registered, number=registered.id)


def _library_options(config: RunConfig, target: _Into) -> RunConfig:
    """An export added to a library is laid out as the library is: its options, unless given the same."""
    given = config.recorded_options()
    differ = [name for name in sorted(given) if name in target.options and name not in config.inherit
              and not same_option(name, target.options[name], given[name])]
    if differ:
        lines = "\n".join(f"  {k}: the library's {target.options[k]!r}, given {config.recorded_options()[k]!r}"
                          for k in differ)
        raise RunRefused(f"The library in {target.root} was made with other options:\n{lines}\n"
                         "Every export added to it uses the library's options: leave them out.")
    return _inherit_options(config, target.options, Observer())


def _facts(found, matched, duplicates: Duplicates, added: into.IntoPlan | None) -> list[into.Facts]:
    """What this run knows of each media file, kept for the exports added to the library later."""
    sidecars = {s.rel: s for s in found.sidecars}
    digests = {**duplicates.digests, **(added.digests if added else {})}
    decisions = added.decisions if added else {}
    facts = []
    for media in found.media:
        pair = matched.pairs.get(media.rel)
        sidecar = sidecars.get(pair.sidecar) if pair else None
        decision = decisions.get(media.rel)
        digest = digests.get(media.rel)
        facts.append(into.Facts(
            media.rel, media.size, digest.hex() if digest else None,
            url=sidecar.url if sidecar else "", title=sidecar.title if sidecar else "",
            taken=sidecar.taken if sidecar else None, meta=into.meta_of(sidecar),
            verdict=decision.verdict if decision else None, key=decision.key if decision else None,
            library=decision.item.key if decision and decision.item else None,
            why=decision.why if decision else None,
        ))
    return facts


def _into_report(target: _Into, library: into.Library, added: into.IntoPlan | None, sidecars: dict, matched) -> dict:
    """What this export contributed to the library, and what the library has that it has not."""
    decisions = added.decisions if added else {}
    matched_items = {d.item.key for d in decisions.values() if d.item is not None}
    changed = []
    review = []
    for rel, decision in sorted(decisions.items()):
        pair = matched.pairs.get(rel)
        if decision.verdict == "changed" and decision.item is not None:
            changed.append({"file": rel, "library_file": decision.item.output, "key": decision.key,
                            "changes": into.changes_of(decision, sidecars.get(pair.sidecar) if pair else None)})
        elif decision.verdict == "ambiguous":
            review.append({"file": rel, "why": decision.why})
    only_library = sorted(i.output for i in library.items if i.key not in matched_items)
    return {
        "library": str(target.root), "source_number": target.number,
        "sources": [{"number": s.id, "path": s.describe(), "added": s.added} for s in library.sources],
        "counts": {**(added.counts() if added else {}), "not_in_this_export": len(only_library)},
        "changed": changed, "review": review, "not_in_this_export": only_library,
    }


def _match_and_plan(config: RunConfig, source: Source, found, state: ProcessingState, observer: Observer, stop,
                    library: into.Library | None = None):
    observer.start_phase("Matching and planning", total=None)
    matched = match(found.media, found.sidecars, config.all_suffixes)
    renames = _extension_fixes(source, found) if config.fix_extensions else None
    organised = organise(found, matched, config.library_options())
    places = {rel: p.path for rel, p in organised.places.items()}
    known = hashcache.load(state.state_dir, found.media) if state.exists else {}
    duplicates = _find_duplicates(config, source, found, matched, organised, stop, known)
    note_disagreements(duplicates, {rel: pair.sidecar for rel, pair in matched.pairs.items()},
                       {s.rel: s for s in found.sidecars})
    members = Members() if config.layout == "export" else resolve_members(organised, duplicates, config.layout, config.albums)
    for rel, member in members.members.items():
        organised.places[rel] = Placement(member.path or "", "album", album=member.album)
        places[rel] = member.path or ""
    album_copies = [] if config.albums == "none" else [
        rel for rel in duplicates.of if organised.places[rel].album is not None]
    added = None
    recorded = recorded_outputs(state)
    if library is not None:
        added = _decide_against(library, source, found, matched, duplicates, members, album_copies, places)
        for rel, decision in added.decisions.items():
            if decision.verdict == "ambiguous":
                places[rel] = into.review_path(places[rel])
                organised.places[rel] = replace(organised.places[rel], path=places[rel])
        recorded = {**added.recorded, **recorded}  # this export's own record first (a resumed run)
    keywords = albums_of_items(organised, duplicates, members, album_titles(found)) if config.album_keywords else None
    plan = make_plan(found, matched, recorded, renames, recorded_extras(state), places,
                     duplicates.of, album_copies, {rel: m.path and m.item for rel, m in members.members.items()},
                     keywords, kept=added.kept if added is not None else ())
    if added is not None:
        _adopt(plan, added, state)
    observer.advance(len(plan.actions))
    observer.end_phase()
    return matched, organised, duplicates, members, plan, added


def _decide_against(library: into.Library, source: Source, found, matched, duplicates: Duplicates, members: Members,
                    album_copies: list[str], places: dict[str, str]) -> into.IntoPlan:
    """What each file of this export is to the library it is added to (see pef.into)."""
    sidecars = {s.rel: s for s in found.sidecars}
    candidates = []
    for media in found.media:
        if media.rel in duplicates.of:
            continue
        pair = matched.pairs.get(media.rel)
        candidates.append(into.Candidate(media.rel, media.size, "write" if pair else "copy",
                                         sidecars.get(pair.sidecar) if pair else None))
    reader = Reader(chunks=source.chunks, piece=source.piece, in_order=source.chunks_in_order)
    followers = {rel: duplicates.of[rel] for rel in album_copies}
    followers.update({rel: m.item for rel, m in members.members.items() if m.path and m.item})
    safe = {rel: safe_path(place) for rel, place in places.items()}

    def hash_new(rel: str) -> bytes | None:
        return duplicates.digests.get(rel) or full_hash(rel, reader)

    return into.plan_inputs(candidates, safe, followers, matched.unpaired_sidecars, library, hash_new,
                            _item_hasher(library))


def _item_hasher(library: into.Library) -> Callable[[into.LibraryItem], bytes | None]:
    """The content hash of a library item its run did not hash: from its source, where that is still
    present, else from its file when that is an unchanged copy."""
    readers: dict[int, Reader | None] = {}

    def reader_of(source_id: int) -> Reader | None:
        if source_id not in readers:
            registered = next((s for s in library.sources if s.id == source_id), None)
            try:
                opened = Source([Path(p) for p in registered.inputs]) if registered else None
            except SourceError:
                opened = None
            readers[source_id] = (Reader(chunks=opened.chunks, piece=opened.piece, in_order=opened.chunks_in_order)
                                  if opened is not None else None)
        return readers[source_id]

    def hash_item(item: into.LibraryItem) -> bytes | None:
        reader = reader_of(item.source_id)
        if reader is not None:
            digest = full_hash(item.rel, reader)
            if digest is not None:
                return digest
        if item.kind == "copy":
            return full_hash(item.output, Reader(chunks=lambda rel: file_chunks(library.root / rel),
                                                 piece=lambda rel, offset, size: None))
        return None

    return hash_item


def _adopt(plan: Plan, added: into.IntoPlan, state: ProcessingState) -> None:
    """The export's files the library holds already, unchanged, at the path this run would give them:
    recorded as done, with nothing written."""
    for action in plan.actions:
        if action.kind is Kind.SIDECAR or action.source in state.media:
            continue
        if added.recorded.get(action.source) != action.dest:
            continue
        decision = added.decisions.get((action.of if action.from_item else action.source) or "")
        if decision is None or decision.verdict != "same" or decision.item is None:
            continue
        size = into.output_size(state.out_dir, action.dest)
        if size is None:
            continue
        details = {**added.details.get(action.dest, {}), "library": decision.item.key, "key": decision.key}
        state.adopt(Entry(action.source, action.kind.value, "success", action.dest, size=size, sidecar=action.sidecar,
                          of=action.of, details=details))


def _find_duplicates(config, source: Source, found, matched, organised, stop, known: dict[str, bytes]) -> Duplicates:
    """Identical files, within each part of the library (a photo in Trash is not merged with the library's)."""
    if config.layout == "export":
        return Duplicates()  # runs made before items existed resume as they were
    reader = Reader(chunks=source.chunks, piece=source.piece, in_order=source.chunks_in_order)
    places = organised.places

    def rank(rel: str) -> tuple:
        name = rel.rpartition("/")[2]
        return (rel not in matched.pairs, places[rel].album is not None, has_index(rel), len(name), rel)

    began = time.monotonic()
    by_group: dict[str, list] = {}
    for media in found.media:
        group = places[media.rel].group
        by_group.setdefault("library" if group in ("album", "undated") else group, []).append(media)
    result = Duplicates()
    for media in by_group.values():
        if stop():
            raise Interrupted()
        found_here = find_duplicates(media, reader, rank, known)
        result.of.update(found_here.of)
        result.hashed_bytes += found_here.hashed_bytes
        result.digests.update(found_here.digests)
        result.new_digests += found_here.new_digests
    result.seconds = time.monotonic() - began
    return result


def _what_is_left(config: RunConfig, plan: Plan, state: ProcessingState, observer: Observer,
                  taken: dict[str, int], adding: bool = False):
    redo = forget_for_redo(state, plan, config.retry_errors, config.reprocess)
    todo, done = split_done(plan, state)
    if taken:
        # Files a later export added to the library took over: that export's record owns them now.
        left = [a for a in todo if a.source not in taken and (a.of is None or a.of not in taken)]
        done += len(todo) - len(left)
        todo = left
    if redo:
        observer.message(f"Reprocessing {redo} file(s) as asked.")
    if done and adding:
        observer.message(f"Already in the library: {done} file(s) of this export, nothing written for them")
    elif done:
        observer.message(f"Resuming: skipping {done} already-processed files")
    return todo, done


def _execute(config, exiftool, source, out, found, plan: Plan, todo, done, state, observer, stop, result,
             duplicates: Duplicates, members: Members, sidecar_of: dict[str, str], facts: list) -> None:
    tmp_dir = out / TMP_DIR_NAME
    opts = ExecOptions(
        no_exif=config.no_exif,
        jobs=config.jobs,
        exiftool=exiftool,
        metadata=MetadataOptions(timezone=config.timezone, overwrite_dates=config.overwrite_dates,
                                 tags=not config.no_exif),
        timeout=config.timeout,
        albums=config.albums,
    )
    sidecars = {s.rel: s for s in found.sidecars}
    needed = sum(a.size for a in todo)
    observer.start_phase("Overall progress", total=len(plan.actions), initial=done)
    last_flush = time.monotonic()
    try:
        finished.forget(out)
        tmp_dir.mkdir(exist_ok=True)
        state.begin(source.identity(), config.recorded_options(), len(found.sidecars) + len(found.broken), reset=False)
        state.set_stats(skipped=done)
        state.save()
        if found.cache_misses or not (state.state_dir / scancache.CACHE_FILE).exists():
            scancache.save(state.state_dir, found)
        if duplicates.new_digests or not (state.state_dir / hashcache.CACHE_FILE).exists():
            hashcache.save(state.state_dir, found.media, duplicates.digests)
        into.save_facts(state.state_dir, facts)
        free = shutil.disk_usage(out).free
        if needed > free:
            observer.warning(f"Warning: this run needs about {_mb(needed)} but only {_mb(free)} are free on the output disk.")
        # Album copies second: each is made from its item's file, written in the first pass.
        for phase in ([a for a in todo if not a.from_item], [a for a in todo if a.from_item]):
            if stop() or not phase:
                continue
            actions = source.prepared(phase, tmp_dir, lambda a: a.source)
            for entry in run_actions(actions, lambda: Worker(source, out, sidecars, opts), config.jobs, stop):
                state.record(entry)
                observer.finished(entry)
                observer.advance()
                now = time.monotonic()
                if now - last_flush >= DURABLE_SECONDS:
                    state.flush()
                    last_flush = now
                if state.journaled_since_save >= max(FOLD_MIN, FOLD_SHARE * len(state.media)):
                    state.save()
        _record_duplicates(state, duplicates, members, sidecar_of, {a.source for a in plan.actions})
    except (FatalError, OSError) as exc:
        fault = exc if isinstance(exc, FatalError) else output_fault(out, exc)
        if fault is None:
            raise
        if isinstance(fault, DiskFull):
            left = sum(a.size for a in todo if a.source not in state.media)
            result.fatal = _disk_full(out, exc, left)
        else:
            result.fatal = str(fault)
    finally:
        observer.end_phase()
        result.interrupted = stop() and result.fatal is None
        shutil.rmtree(tmp_dir, ignore_errors=True)  # frees space for the state save below
        _update_stats(state)
        try:
            state.save()
        except OSError as exc:
            # The journal keeps every finished file; a resume folds it in.
            result.save_failed.append(
                f"Could not save the state file {state.path}: {exc.strerror or exc}. "
                f"The finished files are recorded in {state.journal_path.name}, which a resume reads."
            )
        state.close()


def _record_duplicates(state: ProcessingState, duplicates: Duplicates, members: Members, sidecar_of: dict[str, str],
                       planned: set[str]) -> None:
    """Each duplicate without a file of its own, and each album sidecar naming an item without a file
    for it, is recorded once its item's file is in the library (after every run, so a crash in between
    only delays it to the next)."""
    without_file = [(dup, primary, "duplicate") for dup, primary in duplicates.of.items()]
    without_file += [(rel, m.item, "member") for rel, m in members.members.items()]
    for rel, primary, kind in sorted(without_file):
        if rel in planned:
            continue  # an album's own file, recorded when made
        item = state.media.get(primary)
        if not item or not item.get("output_file") or item.get("status") != "success":
            continue
        record = state.media.get(rel)
        if record and record.get("kind") == kind and record.get("of") == primary and not record.get("output_file"):
            continue
        # The sidecar is recorded too: the design's processed_jsons accounts for it, and verify counts it used.
        sidecar = rel if kind == "member" else sidecar_of.get(rel)
        state.record(Entry(rel, kind, "success", None, of=primary, sidecar=sidecar))


def _disk_full(out: Path, exc: Exception, left: int) -> str:
    try:
        free = _mb(shutil.disk_usage(out if out.exists() else out.parent).free)
    except OSError:
        free = "no space"
    needed = f" About {_mb(left)} more are needed, {free} are free." if left else f" {free} are free."
    reason = getattr(exc, "strerror", None) or exc
    return f"The output disk is full ({reason}).{needed} Free some space, then resume."


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB" if n >= 1e6 else f"{n / 1e3:,.0f} kB"


def _extension_fixes(source: Source, found) -> dict[str, str]:
    """Media whose content is another type than their extension says -> their corrected name."""
    fixes = {}
    for media in found.media:
        head = source.head(media.rel, HEAD_BYTES)
        new = fixed_name(media.rel.rpartition("/")[2], head) if head else None
        if new is not None:
            fixes[media.rel] = new
    return fixes


def _update_stats(state: ProcessingState) -> None:
    jsons = state.jsons.values()
    state.set_stats(
        processed=sum(1 for j in jsons if j.get("status") in ("success", "error", "not_found")),
        errors=sum(1 for j in jsons if j.get("status") == "error")
        + sum(1 for m in state.media.values() if m.get("status") == "error" and not m.get("sidecar")),
    )


def _scan(source: Source, observer: Observer, stop: Callable[[], bool], cache):
    observer.start_phase("Scanning", total=None)
    seen = [0]

    def tick(count: int) -> None:
        if stop():
            raise Interrupted()
        observer.advance(count - seen[0])
        seen[0] = count

    try:
        return source.scan(tick, cache)
    finally:
        observer.end_phase()


def _resolved(path: Path | None) -> Path | None:
    return path.expanduser().resolve() if path is not None else None


def _check_writable(out: Path) -> None:
    """Fail before the long scan, not after it, when the output cannot be written."""
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise RunRefused(f"Cannot create the output folder {out}: {existing} is not a folder.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise RunRefused(f"Cannot write the output folder {out}: permission denied on {existing}.")


def _check_not_nested(source: Path, out: Path) -> None:
    out = out.resolve()
    if is_within(out, source):
        raise RunRefused(f"The output folder {out} is inside the source {source}; pef never writes into the source.")
    if is_within(source, out):
        raise RunRefused(f"The source {source} is inside the output folder {out}; choose another destination.")
