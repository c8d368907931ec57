"""The `pef` command: arguments, progress bars, Ctrl+C, messages and exit codes over pef.pipeline."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from pef import __version__, shell
from pef.console import install_stop_events
from pef.library import ALBUM_MODES, LAYOUTS

EXIT_OK, EXIT_USAGE, EXIT_FILE_ERRORS, EXIT_STOPPED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error; pef's 2 means "some files failed", so usage errors exit 1."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="pef",
        description="Fix a Google Photos Takeout: pair every photo and video with its JSON sidecar and "
        "write the date, place, caption and people into a copy. The source is never modified.",
        epilog="Afterwards, `pef verify OUTPUT [--hash]` proves that every source media file is in the output "
        "exactly once, complete and readable.",
    )
    p.add_argument("-p", "--path", required=True, type=Path, nargs="+", action="extend", metavar="SRC",
                   help="the Takeout: an extracted folder, its .zip/.tgz parts, or a folder holding them")
    p.add_argument("-d", "--destination", type=Path, help="folder in which to create <SRC>_pefProcessed (default: beside the source)")
    p.add_argument("-s", "--suffix", action="append", default=[], metavar="S",
                   help="extra suffix of edited copies, added to '' and '-edited' (repeatable; -s -sticker works)")
    p.add_argument("--no-exif", action="store_true", help="only copy files and set file times (no ExifTool needed)")
    p.add_argument("--dry-run", action="store_true", help="write nothing; print the plan's summary")
    p.add_argument("--report", type=Path, metavar="FILE", help="with --dry-run: write the full plan as JSON to FILE")
    p.add_argument("--resume", action="store_true", help="continue in the latest output folder of this source, with that run's options unless given again")
    p.add_argument("--force", action="store_true", help="ignore any saved state and reprocess everything")
    p.add_argument("--output", type=Path, metavar="PATH", help="use exactly this output folder (resumes if it has a state)")
    p.add_argument("--retry-errors", action="store_true", help="on resume, redo files that failed before")
    p.add_argument("--reprocess", action="append", default=[], metavar="PATTERN",
                   help="on resume, redo files whose source path matches this glob (repeatable)")
    p.add_argument("--timezone", metavar="ZONE", help="IANA time zone for photos without a location (default: this machine's)")
    p.add_argument("--fix-extensions", action="store_true",
                   help="give outputs the extension of their real type (a JPEG named .heic becomes .jpg)")
    p.add_argument("--overwrite-dates", action="store_true", help="replace dates already in the files with the sidecar's")
    p.add_argument("--layout", choices=LAYOUTS, default="source",
                   help="source: Google's folders, all parts merged (default); year, year/month, year/month/day: "
                   "Photos/2019/07/... by local capture date, albums under Albums/; export: the export's own shape")
    p.add_argument("--albums", choices=ALBUM_MODES, default="copy",
                   help="what album folders hold of a photo written once in the library: copy (default), "
                   "link (relative symbolic links), hardlink, or none")
    p.add_argument("--archive", choices=("keep", "separate"), default="keep",
                   help="archived items: keep them in the library (default) or put them in Archive/")
    p.add_argument("--partner", choices=("keep", "separate"), default="keep",
                   help="items shared by a partner account: keep them in the library (default) or put them in Partner/")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2, help="parallel ExifTool workers (default: cores)")
    p.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                   help="give up on a file ExifTool has not finished after this long (default 300)")
    p.add_argument("-v", "--verbose", action="store_true", help="print every file as it is done")
    p.add_argument("--version", action="version", version=f"pef {__version__}")
    return p


# Command-line names of the options a resume takes from the state when they are not given.
_RECORDED = {"suffix": "suffixes", "no_exif": "no_exif", "timezone": "timezone",
             "overwrite_dates": "overwrite_dates", "fix_extensions": "fix_extensions",
             "layout": "layout", "archive": "archive", "partner": "partner", "albums": "albums"}


def _options_not_given(argv: list[str]) -> frozenset[str]:
    # Parsed again with None for defaults: an option still None was not typed
    # (argparse's abbreviations, such as --time for --timezone, included).
    parser = build_parser()
    parser.set_defaults(**dict.fromkeys(_RECORDED))
    given = parser.parse_args(argv)
    return frozenset(name for dest, name in _RECORDED.items() if getattr(given, dest) is None)


def _join_dash_values(argv: list[str]) -> list[str]:
    """Let `-s -sticker` mean `--suffix=-sticker` (argparse would take -sticker for an option)."""
    out, i = [], 0
    while i < len(argv):
        if argv[i] in ("-s", "--suffix") and i + 1 < len(argv):
            out.append(f"--suffix={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


class Interrupts:
    """First Ctrl+C (or SIGTERM): finish the files in flight and save. Second: leave now."""

    def __init__(self) -> None:
        self.requested = False
        self.resume_hint = ""  # the command that continues the run, once it is known

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)
        # Closing the terminal or the console window, and Ctrl+Break, stop the run the same way.
        install_stop_events(self._handle)

    def settle(self) -> None:
        """Everything is saved: from here a signal must not kill the process while Python shuts down
        (it restores the default handlers then), so the exit code stays the one main returned."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def _handle(self, signum, frame) -> None:
        if self.requested:
            from pef.exiftool import kill_all

            kill_all()
            hint = f" Resume with: {self.resume_hint}" if self.resume_hint else ""
            sys.stderr.write(f"\nStopped at once. The progress recorded so far is kept.{hint}\n")
            sys.stderr.flush()
            os._exit(EXIT_INTERRUPTED)
        self.requested = True
        sys.stderr.write("\n\nInterrupted! Saving progress...\n")


def resume_command(args: argparse.Namespace, out_dir: Path | None = None) -> str:
    """The command that continues this run, ready to paste (in exactly out_dir, once it is claimed)."""
    parts = _program_name()
    exact = args.output or out_dir
    if exact is not None:
        parts += ["--output", str(exact.resolve())]
    else:
        parts.append("--resume")
        if args.destination:
            parts += ["-d", str(args.destination.resolve())]
    parts += ["-p", *(str(p.resolve()) for p in args.path)]
    for suffix in args.suffix:
        parts.append(f"--suffix={suffix}")
    for flag in ("no_exif", "overwrite_dates", "fix_extensions"):
        if getattr(args, flag):
            parts.append("--" + flag.replace("_", "-"))
    if args.timezone:
        parts += ["--timezone", args.timezone]
    for option, default in (("layout", "source"), ("albums", "copy"), ("archive", "keep"), ("partner", "keep")):
        if getattr(args, option) != default:
            parts += [f"--{option}", getattr(args, option)]
    return shell.join(parts)


def _program_name() -> list[str]:
    main = sys.argv[0] if sys.argv else "pef"
    if main.endswith("pef.py"):
        return ["python", "pef.py"]
    if main.endswith("__main__.py"):
        return ["python", "-m", "pef"]
    return ["pef"]


def _tolerant_output() -> None:
    # A name whose bytes are not UTF-8 is printed with \udcXX escapes, never a crash mid-run.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    # Ctrl+C is handled from the first moment; the heavier modules are imported after.
    interrupts = Interrupts()
    interrupts.install()
    try:
        return _main(argv, interrupts)
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        if argv is None:  # the real command, not a call from a test
            interrupts.settle()


def _main(argv: list[str] | None, interrupts: Interrupts) -> int:
    _tolerant_output()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["verify"]:
        return verify_main(argv[1:])
    argv = _join_dash_values(argv)
    args = build_parser().parse_args(argv)
    from pef.execute import FULL_ERRNOS, FatalError
    from pef.exiftool import ExifToolError
    from pef.pipeline import Interrupted, RunConfig, run
    from pef.progress import TerminalObserver
    from pef.resume import RunRefused

    if args.jobs < 1:
        print("pef: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    config = RunConfig(
        sources=tuple(args.path),
        destination=args.destination,
        output=args.output,
        resume=args.resume,
        force=args.force,
        suffixes=tuple(args.suffix),
        no_exif=args.no_exif,
        dry_run=args.dry_run,
        jobs=args.jobs,
        timezone=args.timezone,
        overwrite_dates=args.overwrite_dates,
        retry_errors=args.retry_errors,
        reprocess=tuple(args.reprocess),
        timeout=args.timeout,
        fix_extensions=args.fix_extensions,
        layout=args.layout,
        archive=args.archive,
        partner=args.partner,
        albums=args.albums,
        inherit=_options_not_given(argv),
    )
    chosen: list[Path] = []

    class Observer(TerminalObserver):
        def output_chosen(self, out: Path) -> None:
            chosen.append(out)
            interrupts.resume_hint = resume_command(args, out)

    observer = Observer(args.verbose)
    try:
        result = run(config, observer, stop=lambda: interrupts.requested)
    except Interrupted:
        print("Stopped before any file was written.", file=sys.stderr)
        print(f"Resume with: {resume_command(args)}")
        return EXIT_INTERRUPTED
    except (RunRefused, ExifToolError) as exc:
        print(f"pef: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FatalError as exc:
        print(f"pef: {exc}", file=sys.stderr)
        return EXIT_STOPPED
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        if exc.errno in FULL_ERRNOS:
            print(f"pef: The output disk is full ({exc.strerror}{where}). Free some space, then run again.", file=sys.stderr)
            return EXIT_STOPPED
        print(f"pef: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_USAGE
    return _finish(args, result, chosen[0] if chosen else None)


def _finish(args: argparse.Namespace, result, out_dir: Path | None) -> int:
    from pef.report import write_json

    print(result.summary)
    for line in result.messages:
        print(line, file=sys.stderr)
    for line in result.save_failed:
        print(f"pef: {line}", file=sys.stderr)
    if args.dry_run and args.report:
        write_json(args.report, result.report)
        print(f"Full plan written to {args.report}")
    if result.out_dir is not None:
        print(f"Report: {result.out_dir / 'report.txt'} (details in report.json)")
    if result.fatal or result.interrupted or result.save_failed:
        saved = "Progress is in the journal" if result.save_failed else "Progress saved"
        print(f"{saved}. Resume with: {resume_command(args, out_dir)}")
        print(f"Processed: {result.progress}")
        return EXIT_INTERRUPTED if result.interrupted and not (result.fatal or result.save_failed) else EXIT_STOPPED
    if result.already_done and result.report["summary"]["done"] == result.already_done:
        print("Everything was already done; nothing to do.")
    return EXIT_FILE_ERRORS if result.errors else EXIT_OK


def verify_main(argv: list[str]) -> int:
    p = _Parser(prog="pef verify", description="Prove that a pef output holds every source media file exactly once.")
    p.add_argument("output", type=Path, help="the _pefProcessed folder to check")
    p.add_argument("--hash", action="store_true", help="also compare the bytes of unchanged copies with the source")
    p.add_argument("--no-read", action="store_true", help="skip reading every output with ExifTool (stat only)")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2, help="parallel ExifTool readers (default: cores)")
    args = p.parse_args(argv)
    from pef.exiftool import find_exiftool
    from pef.verify import audit_text, verify

    if not args.output.is_dir():
        print(f"pef verify: not a folder: {args.output}", file=sys.stderr)
        return EXIT_USAGE
    if args.jobs < 1:
        print("pef verify: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    audit = verify(args.output, exiftool=None if args.no_read else find_exiftool(), hash_copies=args.hash,
                   jobs=args.jobs)
    print(audit_text(audit))
    return EXIT_OK if audit.passed else EXIT_FILE_ERRORS
