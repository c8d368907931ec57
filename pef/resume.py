"""Resuming: which output folder a run uses, whether its state fits this run, and what is left to do."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Container

from pef.outdir import STATE_FILE, find_latest_output, new_output_dir
from pef.plan import Action, Kind, Plan, is_own_file
from pef.state import JOURNAL_FILE, ProcessingState


class RunRefused(Exception):
    """The run cannot start as asked (bad path, state of another source...); nothing was written."""


@dataclass(frozen=True)
class OutputChoice:
    path: Path
    resume: bool  # use the state found there
    reprocess_all: bool  # --force on an existing folder: redo everything in place
    message: str | None = None
    new: bool = False  # a new folder: path is only the first candidate, claimed when the run starts


def choose_output(name: str, base: Path, output: Path | None, resume: bool, force: bool) -> OutputChoice:
    """The design document's behaviour matrix; base is the destination, or the source's parent folder."""
    if output is not None:
        has_state = (output / STATE_FILE).exists() or (output / JOURNAL_FILE).exists()
        return OutputChoice(output, resume=has_state and not force, reprocess_all=force and has_state)
    if resume:
        latest = find_latest_output(name, base)
        if latest is None:
            return OutputChoice(
                new_output_dir(name, base), False, False, "No existing output folder found. Starting fresh.", new=True
            )
        return OutputChoice(latest, resume=not force, reprocess_all=force, message=f"Resuming in: {latest}")
    return OutputChoice(new_output_dir(name, base), False, False, new=True)


def refuse_foreign(choice: OutputChoice, force: bool) -> None:
    """A folder that holds files pef did not make is not written into unless asked (--force)."""
    if force or choice.new or choice.resume or choice.reprocess_all:
        return
    output = choice.path
    try:
        names = sorted(entry.name for entry in os.scandir(output))
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise RunRefused(f"The output {output} is a file, not a folder.") from None
    except OSError as exc:
        raise RunRefused(f"Cannot read the output folder {output}: {exc.strerror or exc}.") from None
    foreign = [n for n in names if not is_own_file(n)]
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise RunRefused(
            f"The output folder {output} already holds files pef did not make ({shown}).\n"
            "Choose an empty or new folder, or add --force to write into it anyway "
            "(files with the same names as outputs are then replaced)."
        )


def check_state_fits(state: ProcessingState, identity: dict, options: dict, scanned: Container[str]) -> str | None:
    """Refuse to mix two different runs in one output folder (use --force to override).

    A source found at another path is the same source when its content is:
    the same archives (names and sizes), or most of the recorded files at the
    same relative paths. Returns the message that says it moved, if it did.
    """
    moved = None
    recorded = state.data.get("source_path")
    if recorded and Path(recorded) != Path(identity["source_path"]):
        if not _same_content(state, identity, scanned):
            raise RunRefused(
                f"The output folder {state.out_dir} was made from a different source:\n"
                f"  recorded: {recorded}\n  now:      {identity['source_path']}\n"
                "Use --force to reprocess everything from the new source into it, or choose another output."
            )
        moved = f"The source has moved since the recorded run (it was {recorded}); continuing with it here."
    old_archives = state.data.get("archives")
    if old_archives is not None and old_archives != identity["archives"]:
        raise RunRefused(
            f"The set of archives differs from the run recorded in {state.out_dir}:\n"
            f"  recorded: {', '.join(a for a, _ in old_archives) or 'none'}\n"
            f"  now:      {', '.join(a for a, _ in identity['archives']) or 'none'}\n"
            "Use --force to reprocess everything into it, or choose another output."
        )
    old = state.data.get("options") or {}
    changed = [k for k in sorted(options) if k in old and not same_option(k, old[k], options[k])]
    if changed:
        lines = "\n".join(f"  {k}: was {old[k]!r}, now {options[k]!r}" for k in changed)
        raise RunRefused(
            f"The options differ from the run recorded in {state.out_dir}:\n{lines}\n"
            "Use the same options to resume, or --force to reprocess everything with the new ones."
        )
    return moved


def same_option(name: str, old, new) -> bool:
    if name == "suffixes" and isinstance(old, list) and isinstance(new, list):
        return sorted(map(str, old)) == sorted(map(str, new))  # the order they were given in means nothing
    return old == new


def _same_content(state: ProcessingState, identity: dict, scanned: Container[str]) -> bool:
    if identity["archives"]:
        return state.data.get("archives") == identity["archives"]
    recorded = [*state.media, *state.jsons]
    if not recorded:
        return True  # nothing was done there yet, so nothing can be mixed
    present = sum(1 for rel in recorded if rel in scanned)
    return present * 2 >= len(recorded)


def recorded_outputs(state: ProcessingState) -> dict[str, str]:
    """Source path -> output path, for every output an earlier run finished."""
    found = {src: e["output_file"] for src, e in state.media.items() if e.get("output_file")}
    for src, e in state.jsons.items():
        if e.get("output_file") and e.get("status") in ("not_found", "error") and "output_files" not in e:
            found[src] = e["output_file"]
    return found


def recorded_extras(state: ProcessingState) -> dict[str, list[str]]:
    """Source path -> the files an earlier run wrote beside its output (an XMP sidecar)."""
    return {src: e["extra_files"] for src, e in state.media.items() if e.get("extra_files")}


def forget_for_redo(state: ProcessingState, plan: Plan, retry_errors: bool, patterns: tuple[str, ...]) -> int:
    """Drop the records of files the user asked to redo; returns how many."""
    count = 0
    for action in plan.actions:
        record = state.jsons.get(action.source) if action.kind is Kind.SIDECAR else state.media.get(action.source)
        if record is None:
            continue
        sidecar = state.jsons.get(action.sidecar or "", {})
        failed = record.get("status") == "error" or sidecar.get("status") == "error"
        if (retry_errors and failed) or any(_glob(action.source, p) or _glob(action.sidecar, p) for p in patterns):
            state.forget(action.source)
            count += 1
    return count


def _glob(rel: str | None, pattern: str) -> bool:
    return rel is not None and fnmatch.fnmatchcase(rel, pattern)


def split_done(plan: Plan, state: ProcessingState) -> tuple[list[Action], int]:
    """The actions still to do, and how many are already finished.

    Finished means: recorded with this output path, and the output is still
    there with the recorded size (one stat, no reading), so outputs deleted or
    truncated by hand, or never journaled before a crash, are redone in place.
    """
    todo: list[Action] = []
    done = 0
    base = f"{state.out_dir}/"  # plain strings: pathlib's joins cost more than the stats at 300k files
    for action in plan.actions:
        if _is_done(action, state, base):
            done += 1
        else:
            todo.append(action)
    return todo, done


def _is_done(action: Action, state: ProcessingState, base: str) -> bool:
    if action.kind is Kind.SIDECAR:
        record = state.jsons.get(action.source)
        if record is not None and "output_files" in record:
            return False  # it fed a media file before; now it is copied on its own
    else:
        record = state.media.get(action.source)
        if action.sidecar is not None and action.sidecar not in state.jsons:
            return False  # its sidecar's record was removed: redo it
    if not record:
        return False
    if record.get("status") == "error" and not record.get("output_file"):
        return True  # failed before any output existed: redone only with --retry-errors
    if record.get("output_file") != action.dest:
        return False
    if action.kind is Kind.WRITE and record.get("sidecar") != action.sidecar:
        return False
    try:
        size = os.stat(base + action.dest).st_size
    except OSError:
        return False
    # An XMP sidecar beside the output is the only place some formats keep their metadata.
    return size == record.get("size") and all(os.path.exists(base + f) for f in record.get("extra_files", ()))
