"""The `pef` command: arguments, help, messages and exit codes over pef.pipeline."""

from __future__ import annotations

import argparse
import difflib
import math
import os
import re
import shlex
import signal
import sys
from pathlib import Path

from pef import __version__, shell
from pef.console import install_stop_events
from pef.library import ALBUM_MODES, LAYOUTS

EXIT_OK, EXIT_USAGE, EXIT_FILE_ERRORS, EXIT_STOPPED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

EXIT_CODES = """\
exit codes:
  0    all done
  1    bad usage, option or path: nothing was written
  2    finished, but not everything is in the output: some files failed, or a part
       of the Takeout is missing or damaged (all named in the summary and the report)
  3    stopped by a fault such as a full disk (resumable; the message says what is needed)
  130  interrupted (resumable)"""

EPILOG = f"""\
examples:
  pef -p ~/Takeout                    fix an extracted export into ~/Takeout_pefProcessed
  pef -p ~/Downloads --dry-run        show what would be done with the Takeout parts in
                                      ~/Downloads (zips or extracted), writing nothing
  pef --resume -p ~/Takeout           continue (or update) the latest ~/Takeout_pefProcessed

{EXIT_CODES}

Afterwards, `pef verify OUTPUT` proves that every source media file is in the output exactly once.
"""

VERIFY_EPILOG = """\
examples:
  pef verify ~/Takeout_pefProcessed           sizes against the source, every output read by ExifTool
  pef verify ~/Takeout_pefProcessed --hash    also compare unchanged copies byte for byte
  pef verify ~/Takeout_pefProcessed --no-read sizes only (fast; no ExifTool needed)

exit codes:
  0    pass: every source media file is in the output exactly once, complete (and readable)
  1    not verified: not a pef output folder, ExifTool missing, or the source is gone
       (what could be checked is shown)
  2    fail: the problems are listed
"""


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error; pef's 2 means "some files failed", so usage errors exit 1."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _help_formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=30)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="pef",
        description="Fix a Google Photos Takeout: pair every photo and video with its JSON sidecar and write\n"
        "the date, place, caption and people into a copy. The source is never modified.",
        epilog=EPILOG,
        formatter_class=_help_formatter,
    )
    cores = os.cpu_count() or 2
    io = p.add_argument_group("input and output")
    io.add_argument("-p", "--path", required=True, type=Path, nargs="+", action="extend", metavar="SRC",
                    help="the Takeout: an extracted folder, its .zip/.tgz parts, or a folder holding them "
                    "(then only the parts in it are read)")
    io.add_argument("-d", "--destination", type=Path, metavar="DIR",
                    help="folder in which to create <SRC>_pefProcessed (default: beside the source)")
    io.add_argument("--dry-run", action="store_true",
                    help="write nothing; print what a real run would do, and where")
    io.add_argument("--report", type=Path, metavar="FILE",
                    help="with --dry-run: write the full plan as JSON to FILE, and as a page to open beside it "
                    "(FILE with .html; default: none)")
    meta = p.add_argument_group("metadata")
    meta.add_argument("--timezone", metavar="ZONE", type=_zone,
                      help="IANA time zone for photos without a location, such as Europe/Paris "
                      "(default: this machine's)")
    meta.add_argument("-s", "--suffix", action="append", default=[], metavar="S",
                      help="another suffix of edited copies, added to '' and '-edited' (repeatable; "
                      "-s -sticker works; default: none)")
    meta.add_argument("--exiftool", metavar="PATH",
                      help="the ExifTool program to run (default: $PEF_EXIFTOOL, one beside pef, or exiftool on PATH)")
    meta.add_argument("--no-exif", action="store_true",
                      help="only copy files and set file times (no ExifTool needed; default: write metadata)")
    meta.add_argument("--overwrite-dates", action="store_true",
                      help="replace dates already in the files with the sidecar's (default: keep them)")
    meta.add_argument("--fix-extensions", action="store_true",
                      help="give outputs the extension of their real type, a JPEG named .heic becomes .jpg "
                      "(default: keep names)")
    res = p.add_argument_group("resuming (a new output folder is made each time unless one of these is given)")
    res.add_argument("--resume", action="store_true",
                     help="continue in the latest output folder of this source, with that run's options "
                     "unless given again")
    res.add_argument("--output", type=Path, metavar="PATH",
                     help="use exactly this output folder (resumes if it holds a state)")
    res.add_argument("--into", type=Path, metavar="LIBRARY",
                     help="add this export to a library pef made before (from an earlier export or another "
                     "account): only what is new is added, what changed is updated, nothing is doubled; "
                     "run the same command again to continue it")
    res.add_argument("--force", action="store_true",
                     help="ignore any saved state: a new folder, or with --resume/--output everything redone in place")
    res.add_argument("--retry-errors", action="store_true",
                     help="with --resume or --output: redo the files that failed before")
    res.add_argument("--reprocess", action="append", default=[], metavar="PATTERN",
                     help="with --resume or --output: redo files whose source path matches this glob (repeatable)")
    lib = p.add_argument_group("library")
    lib.add_argument("--layout", choices=LAYOUTS, default="source",
                     help="source: Google's folders, all parts merged (default); year, year/month, year/month/day: "
                     "Photos/2019/07/... by local capture date, albums under Albums/; export: the export's own shape")
    lib.add_argument("--albums", choices=ALBUM_MODES, default="copy",
                     help="what album folders hold of a photo written once in the library: copy (default), "
                     "link (relative symbolic links), hardlink, or none")
    lib.add_argument("--album-keywords", action="store_true",
                     help="also write each album's name into its photos' keywords (XMP: digiKam and Lightroom "
                     "tags under Albums, and Subject), for apps that ignore folders such as Immich and Lightroom")
    lib.add_argument("--archive", choices=("keep", "separate"), default="keep",
                     help="archived items: keep them in the library (default) or put them in Archive/")
    lib.add_argument("--partner", choices=("keep", "separate"), default="keep",
                     help="items shared by a partner account: keep them in the library (default) or in Partner/")
    perf = p.add_argument_group("performance")
    perf.add_argument("-j", "--jobs", type=int, default=cores, metavar="N",
                      help=f"parallel ExifTool workers (default: the number of cores, {cores} here)")
    perf.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                      help="give up on a file ExifTool has not finished after this long (default: 300)")
    msgs = p.add_argument_group("messages")
    loud = msgs.add_mutually_exclusive_group()
    loud.add_argument("-v", "--verbose", action="store_true", help="print every file as it is done")
    loud.add_argument("-q", "--quiet", action="store_true",
                      help="print only warnings, errors and how to resume (the summary is in OUTPUT/report.txt)")
    msgs.add_argument("--no-progress", action="store_true",
                      help="no progress bars or lines (default: bars on a terminal, a line now and then in a log)")
    msgs.add_argument("--version", action="version", version=f"pef {__version__}")
    return p


# ----- time zones ---------------------------------------------------------
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


def _zone(value: str) -> str:
    """--timezone's value, or a usage error that says what was meant."""
    from pef.timezones import load_zone

    try:
        load_zone(value)
    except ValueError:
        raise argparse.ArgumentTypeError(zone_advice(value)) from None
    return value


def zone_advice(value: str) -> str:
    """Why value is not a time zone, and the zone that was probably meant."""
    from zoneinfo import available_timezones

    offset = _OFFSET.fullmatch(value.strip())
    if offset:
        return _offset_advice(value, offset[1], int(offset[2]), int(offset[3] or 0))
    zones = sorted(available_timezones())
    folded = {z.casefold(): z for z in zones}
    guess = folded.get(value.strip().casefold())
    if guess is None:
        keys = list(folded) + [z.rpartition("/")[2].casefold() for z in zones]
        names = {**{z.rpartition("/")[2].casefold(): z for z in zones if "/" in z and not z.startswith("Etc/")},
                 **folded}
        close = difflib.get_close_matches(value.strip().casefold(), keys, n=1, cutoff=0.75)
        guess = names.get(close[0]) if close else None
    if guess:
        return f"unknown time zone {value!r}; did you mean {guess}?"
    return f"unknown time zone {value!r}: use an IANA name such as Europe/Paris or America/New_York"


def _offset_advice(value: str, sign: str, hours: int, minutes: int) -> str:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo, available_timezones

    shown = f"UTC{sign}{hours:02d}:{minutes:02d}"
    start = (f"{value!r} is a UTC offset, not a time zone: give the zone of the place, such as Europe/Paris "
             "(it knows when daylight saving time applies)")
    if minutes == 0:
        etc = f"Etc/GMT{'-' if sign == '+' else '+'}{hours}" if hours else "Etc/UTC"
        if etc in available_timezones():
            return f"{start}, or {etc} for {shown} all year (Etc names have the sign reversed)"
    delta = timedelta(hours=hours, minutes=minutes) * (1 if sign == "+" else -1)
    now = datetime.now().astimezone()
    same = sorted(z for z in available_timezones()
                  if "/" in z and not z.startswith(("Etc/", "SystemV/")) and now.astimezone(ZoneInfo(z)).utcoffset() == delta)
    if same:
        return f"{start}; zones at {shown} now: {', '.join(same[:3])}"
    return f"{start}; no zone is at {shown}"


# ----- -s values ----------------------------------------------------------
def _join_dash_values(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """Let `-s -sticker` mean `--suffix=-sticker` (argparse would take -sticker for an option).

    Only a value that is not one of pef's options is taken: `-s --dry-run` is
    an error, never a suffix that turns a dry run into a real one.
    """
    out, i = [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            out += argv[i:]
            break
        if _option_of(arg, parser) in ("-s", "--suffix") and "=" not in arg and i + 1 < len(argv):
            value = argv[i + 1]
            if value == "--" or _option_of(value, parser):
                parser.error(f"argument -s/--suffix: expected a suffix, not the option {value} "
                             f"(a suffix that is also an option's name is written --suffix={value})")
            out.append(f"--suffix={value}")
            i += 2
        else:
            out.append(arg)
            i += 1
    return out


def _option_of(arg: str, parser: argparse.ArgumentParser) -> str | None:
    """The option arg names exactly, or as argparse's abbreviation of a long option; None for other values."""
    if not arg.startswith("-") or arg == "-":
        return None
    name = arg.partition("=")[0] if arg.startswith("--") else arg
    options = parser._option_string_actions
    if name in options:
        return name
    if name.startswith("--") and len(name) > 2:
        longs = [o for o in options if o.startswith(name)]
        if longs:
            return longs[0] if len(longs) == 1 else name
    return None


def _check_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Options that would be silently ignored, or values no run can use, are usage errors."""
    if args.jobs < 1:
        parser.error(f"argument -j/--jobs: must be at least 1, not {args.jobs}")
    if not (math.isfinite(args.timeout) and args.timeout > 0):
        parser.error(f"argument --timeout: must be a number of seconds above 0, not {args.timeout:g}")
    if args.into is not None and (args.resume or args.output is not None or args.destination is not None):
        parser.error("--into LIBRARY names where this export goes: leave out --resume, --output and -d")
    in_place = args.resume or args.output is not None or args.into is not None
    if args.retry_errors and not in_place:
        parser.error("--retry-errors redoes failed files of an earlier run: add --resume (or --output DIR)")
    if args.reprocess and not in_place:
        parser.error("--reprocess redoes files of an earlier run: add --resume (or --output DIR)")
    if args.report is not None and not args.dry_run:
        parser.error("--report writes the plan of a dry run: add --dry-run "
                     "(a real run writes report.json into its output folder)")


# Command-line names of the options a resume takes from the state when they are not given.
_RECORDED = {"suffix": "suffixes", "no_exif": "no_exif", "timezone": "timezone",
             "overwrite_dates": "overwrite_dates", "fix_extensions": "fix_extensions",
             "layout": "layout", "archive": "archive", "partner": "partner", "albums": "albums",
             "album_keywords": "album_keywords"}


def _options_not_given(argv: list[str]) -> frozenset[str]:
    # Parsed again with None for defaults: an option still None was not typed
    # (argparse's abbreviations, such as --time for --timezone, included).
    parser = build_parser()
    parser.set_defaults(**dict.fromkeys(_RECORDED))
    given = parser.parse_args(argv)
    return frozenset(name for dest, name in _RECORDED.items() if getattr(given, dest) is None)


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
    if getattr(args, "into", None) is not None:
        parts += ["--into", str(args.into.resolve())]
    elif exact is not None:
        parts += ["--output", str(exact.resolve())]
    else:
        parts.append("--resume")
        if args.destination:
            parts += ["-d", str(args.destination.resolve())]
    parts += ["-p", *(str(p.resolve()) for p in args.path)]
    for suffix in args.suffix:
        parts.append(f"--suffix={suffix}")
    for flag in ("no_exif", "overwrite_dates", "fix_extensions", "album_keywords"):
        if getattr(args, flag):
            parts.append("--" + flag.replace("_", "-"))
    if args.timezone:
        parts += ["--timezone", args.timezone]
    if getattr(args, "exiftool", None):
        parts += ["--exiftool", args.exiftool]
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


def _wants_window() -> bool:
    """`pef` alone, typed in a terminal: offer the window to someone who may not know the options."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    print("pef fixes a Google Photos Takeout. From the terminal: pef -p FOLDER (pef --help for everything).")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # nothing runs yet: Ctrl+C just leaves
    try:
        answer = input("Open the pef window instead? [Y/n] ")
    except EOFError:
        answer = "n"
    except KeyboardInterrupt:
        print()
        raise SystemExit(EXIT_INTERRUPTED) from None
    finally:
        signal.signal(signal.SIGINT, previous)
    return answer.strip().lower() in ("", "y", "yes")


def _main(argv: list[str] | None, interrupts: Interrupts) -> int:
    _tolerant_output()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["verify"]:
            return verify_main(argv[1:])
        if argv[:1] == ["gui"] or (not argv and _wants_window()):
            from pef.gui import main as window

            return window(argv[1:])
        parser = build_parser()
        argv = _join_dash_values(argv, parser)
        args = parser.parse_args(argv)
        _check_options(parser, args)
        inherit = _options_not_given(argv)
    except SystemExit as exc:  # usage errors, --help and --version: their code, also for in-process callers
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    from pef.execute import FULL_ERRNOS, FatalError
    from pef.exiftool import ExifToolError
    from pef.pipeline import Interrupted, RunConfig, run
    from pef.progress import make_observer
    from pef.resume import RunRefused

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
        album_keywords=args.album_keywords,
        exiftool=args.exiftool,
        into=args.into,
        inherit=inherit,
    )
    chosen: list[Path] = []

    def output_chosen(out: Path) -> None:
        chosen.append(out)
        interrupts.resume_hint = resume_command(args, out)

    observer = make_observer(verbose=args.verbose, quiet=args.quiet, progress=not args.no_progress,
                             on_output=output_chosen)
    try:
        result = run(config, observer, stop=lambda: interrupts.requested)
    except Interrupted:
        print("Stopped before any file was written.", file=sys.stderr)
        print(f"Resume with: {resume_command(args)}", file=sys.stderr if args.quiet else sys.stdout)
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
    from pef.report import write_json, write_plan_page

    say = (lambda text: print(text, file=sys.stderr)) if args.quiet else print
    if not args.quiet:
        print(result.summary)
    for line in result.messages:
        print(line, file=sys.stderr)
    for line in result.save_failed:
        print(f"pef: {line}", file=sys.stderr)
    if args.dry_run and args.report:
        try:
            write_json(args.report, result.report)
            page = write_plan_page(args.report, result.report)
        except OSError as exc:
            print(f"pef: Cannot write the plan to {args.report}: {exc.strerror or exc}.", file=sys.stderr)
            return EXIT_USAGE
        if not args.quiet:
            print(f"Full plan written to {args.report}")
            print(f"Open {page} to see the plan")
    if result.out_dir is not None and not args.quiet:
        print(f"Report: {result.out_dir / 'report.txt'} (details in report.json)")
        if not args.dry_run:
            print(f"Open {result.out_dir / 'report.html'} to see what was fixed, what was not and why")
    if result.fatal or result.interrupted or result.save_failed:
        if args.quiet and (result.fatal or result.interrupted):
            print(f"pef: {result.fatal or 'interrupted'}", file=sys.stderr)
        saved = "Progress is in the journal" if result.save_failed else "Progress saved"
        say(f"{saved}. Resume with: {resume_command(args, out_dir)}")
        say(f"Processed: {result.progress}")
        return EXIT_INTERRUPTED if result.interrupted and not (result.fatal or result.save_failed) else EXIT_STOPPED
    # Only media failures are worth retrying; an unreadable sidecar stays unreadable.
    failed = 0 if args.dry_run else result.report["summary"]["media_status"].get("error", 0)
    nothing_new = not args.dry_run and result.already_done and result.report["summary"]["done"] == result.already_done
    if nothing_new and failed:
        say(f"Nothing new to do; {failed} file(s) failed in an earlier run and were left as they are.")
    elif nothing_new:
        say("Everything was already done; nothing to do.")
    if failed:
        say(f"To retry the failed files: {resume_command(args, out_dir)} --retry-errors")
    if args.quiet and (result.errors or result.incomplete_input) and result.out_dir is not None:
        print(f"pef: {result.errors} error(s), {len(result.incomplete_input)} missing or damaged part(s); "
              f"see {result.out_dir / 'report.txt'}", file=sys.stderr)
    return EXIT_FILE_ERRORS if result.errors or result.incomplete_input else EXIT_OK


def build_verify_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="pef verify", formatter_class=_help_formatter, epilog=VERIFY_EPILOG,
                description="Prove that a pef output holds every source media file exactly once, complete and\n"
                "readable: a fresh scan of the source against the state, and every output read by ExifTool.")
    p.add_argument("output", type=Path, help="the _pefProcessed folder to check")
    checks = p.add_argument_group("checks")
    checks.add_argument("--hash", action="store_true",
                        help="also compare the bytes of unchanged copies with the source (default: sizes)")
    checks.add_argument("--no-read", action="store_true",
                        help="do not read the outputs with ExifTool: sizes only, no ExifTool needed "
                        "(default: read every output)")
    cores = os.cpu_count() or 2
    perf = p.add_argument_group("performance and messages")
    perf.add_argument("-j", "--jobs", type=int, default=cores, metavar="N",
                      help=f"parallel ExifTool readers (default: the number of cores, {cores} here)")
    perf.add_argument("--no-progress", action="store_true", help="no progress bars or lines")
    return p


def verify_main(argv: list[str]) -> int:
    p = build_verify_parser()
    args = p.parse_args(argv)
    from pef.exiftool import find_exiftool
    from pef.outdir import find_latest_output
    from pef.progress import make_observer
    from pef.scan import is_pef_output
    from pef.verify import audit_text, verify

    if args.jobs < 1:
        p.error(f"argument -j/--jobs: must be at least 1, not {args.jobs}")
    out = args.output
    if not out.is_dir():
        print(f"pef verify: not a folder: {out}", file=sys.stderr)
        return EXIT_USAGE
    if not is_pef_output(out):
        print(f"pef verify: {out} is not a pef output folder (it holds no processing_state.json).", file=sys.stderr)
        made = find_latest_output(out.resolve().name, out.resolve().parent)
        if made is not None:
            print(f"It looks like a source; its latest output is {made}: pef verify {shlex.quote(str(made))}",
                  file=sys.stderr)
        else:
            print("Give the folder a pef run wrote, such as ~/Takeout_pefProcessed.", file=sys.stderr)
        return EXIT_USAGE
    exiftool = None if args.no_read else find_exiftool()
    observer = make_observer(progress=not args.no_progress)
    audit = verify(out, exiftool=exiftool, hash_copies=args.hash, jobs=args.jobs, observer=observer)
    not_read = None
    if args.no_read:
        not_read = "--no-read"
    elif exiftool is None:
        not_read = "ExifTool was not found (install it, or use --no-read to check sizes only)"
    print(audit_text(audit, not_read=not_read))
    if not audit.passed:
        return EXIT_FILE_ERRORS
    return EXIT_USAGE if audit.source_missing or (not_read and not args.no_read) else EXIT_OK
