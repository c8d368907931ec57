"""The pef window (Tk/ttk): choose the Takeout and the options, preview, start, stop, continue, open the result.

Every decision (what the source holds, where the output goes, whether a run
can be continued, what was done) is the pipeline's: the window builds the
RunConfig the CLI would, runs `pef.pipeline.run` in a worker thread and shows
what the observer and the result say. Only this thread touches Tk; the
worker's events reach it through a queue read every POLL_MS.
"""

from __future__ import annotations

import queue
import signal
import threading
import time
import tkinter as tk
from pathlib import Path
from tkinter import filedialog, messagebox, ttk
from zoneinfo import available_timezones

from pef import __version__
from pef.gui_run import (
    THIS_MACHINE,
    Choices,
    Job,
    Outcome,
    WindowObserver,
    album_choices,
    check_zone,
    describe_source,
    exiftool_status,
    layout_choices,
    open_path,
    progress_text,
    run_config,
)
from pef.pipeline import RunConfig, RunResult
from pef.timezones import system_zone

POLL_MS = 50
ARCHIVE_TYPES = [("Takeout files", "*.zip *.tgz *.tar.gz *.tar"), ("All files", "*")]
PREVIEW_ROWS = ("Media files", "Paired with a sidecar", "Unpaired media", "Sidecars without media",
                "Broken sidecars", "Duplicates written once", "Special folders")
CLOSE_QUESTION = ("pef is still working. Stop now?\n\nThe files being written are finished and everything done "
                  "so far is saved: you can continue later by choosing the same Takeout and pressing Continue.")


class App:
    def __init__(self, root: tk.Tk, taps: tuple = ()) -> None:
        self.root = root
        self.taps = taps
        self.events: queue.Queue = queue.Queue()
        self.sources: tuple[Path, ...] = ()
        self.job: Job | None = None
        self.job_kind = ""  # "detect" | "preview" | "run"
        self.observer: WindowObserver | None = None
        self.result: RunResult | None = None  # the last real run's
        self.messages: list[str] = []  # what the current run said as it went
        self.can_continue = False
        self.close_when_done = False
        self.closed = False
        self._signalled = False
        self._exiftool_job = 0
        self._looked_in: str | None = None  # the destination the last look for an unfinished run used
        root.title(f"pef {__version__}: fix a Google Photos Takeout")
        root.protocol("WM_DELETE_WINDOW", self.request_close)
        if root.tk.call("tk", "windowingsystem") == "x11":
            ttk.Style(root).theme_use("clam")  # X11's default theme looks like 1995; Windows and macOS keep theirs
        root.minsize(820, 600)
        self._build()
        self.check_exiftool()
        self._polling = root.after(POLL_MS, self._poll)

    # ----- layout -----------------------------------------------------------
    def _build(self) -> None:
        frame = ttk.Frame(self.root, padding=12)
        frame.grid(sticky="nsew")
        self.root.columnconfigure(0, weight=1)
        self.root.rowconfigure(0, weight=1)
        frame.columnconfigure(0, weight=1)

        box = ttk.LabelFrame(frame, text="1. Your Google Photos Takeout", padding=8)
        box.grid(row=0, column=0, sticky="ew")
        box.columnconfigure(2, weight=1)
        self.folder_button = ttk.Button(box, text="Choose a folder…", command=self.ask_folder)
        self.folder_button.grid(row=0, column=0, sticky="w")
        self.files_button = ttk.Button(box, text="Choose zip or tgz files…", command=self.ask_files)
        self.files_button.grid(row=0, column=1, sticky="w", padx=(6, 0))
        ttk.Label(box, text="the extracted export, the folder holding its parts, or the parts themselves",
                  foreground="#555").grid(row=0, column=2, sticky="w", padx=(10, 0))
        self.found_label = ttk.Label(box, text="Nothing chosen yet.", wraplength=900, justify="left")
        self.found_label.grid(row=1, column=0, columnspan=3, sticky="w", pady=(6, 0))
        self.warning_label = ttk.Label(box, text="", foreground="#b00020", wraplength=900, justify="left")
        self.warning_label.grid(row=2, column=0, columnspan=3, sticky="w")
        self.warning_label.grid_remove()

        box = ttk.LabelFrame(frame, text="2. Where the library goes", padding=8)
        box.grid(row=1, column=0, sticky="ew", pady=(8, 0))
        box.columnconfigure(1, weight=1)
        ttk.Label(box, text="In the folder:").grid(row=0, column=0, sticky="w")
        self.dest_entry = ttk.Entry(box)
        self.dest_entry.grid(row=0, column=1, sticky="ew", padx=6)
        # A folder typed in may hold an unfinished run of this Takeout: look once the typing is done.
        self.dest_entry.bind("<Return>", lambda event: self._destination_typed())
        self.dest_entry.bind("<FocusOut>", lambda event: self._destination_typed())
        self.dest_button = ttk.Button(box, text="Change…", command=self.ask_destination)
        self.dest_button.grid(row=0, column=2)
        ttk.Label(box, text="Left empty: beside the Takeout. pef makes a new folder there, named after the Takeout; "
                  "the Takeout itself is never changed.",
                  foreground="#555", wraplength=900).grid(row=1, column=0, columnspan=3, sticky="w")

        box = ttk.LabelFrame(frame, text="3. Options", padding=8)
        box.grid(row=2, column=0, sticky="ew", pady=(8, 0))
        box.columnconfigure(2, weight=1)
        self.layouts, self.albums = layout_choices(), album_choices()
        ttk.Label(box, text="Folders:").grid(row=0, column=0, sticky="w")
        self.layout_box = ttk.Combobox(box, values=list(self.layouts), state="readonly", width=46)
        self.layout_box.set(next(iter(self.layouts)))
        self.layout_box.grid(row=0, column=1, sticky="w", padx=6, pady=1)
        ttk.Label(box, text="Albums:").grid(row=1, column=0, sticky="w")
        self.albums_box = ttk.Combobox(box, values=list(self.albums), state="readonly", width=46)
        self.albums_box.set(next(iter(self.albums)))
        self.albums_box.grid(row=1, column=1, sticky="w", padx=6, pady=1)
        ttk.Label(box, text="Time zone:").grid(row=2, column=0, sticky="w")
        self.zone_box = ttk.Combobox(box, values=[THIS_MACHINE, *sorted(available_timezones())], width=46)
        self.zone_box.set(THIS_MACHINE)
        self.zone_box.grid(row=2, column=1, sticky="w", padx=6, pady=1)
        here = system_zone()[1]
        ttk.Label(box, text=f"for photos without a place (this computer's: {here or 'its own'})",
                  foreground="#555").grid(row=3, column=1, sticky="w", padx=6)
        self.archive_check = self._check(box, "archive", "Archived photos in a folder of their own (Archive)")
        self.archive_check.grid(row=0, column=2, sticky="w", padx=(12, 0))
        self.partner_check = self._check(box, "partner",
                                         "A partner's shared photos in a folder of their own (Partner)")
        self.partner_check.grid(row=1, column=2, sticky="w", padx=(12, 0))
        self.no_exif_check = self._check(box, "no_exif",
                                         "Only copy the files and set their dates (no ExifTool needed)")
        self.no_exif_check.grid(row=2, column=2, sticky="w", padx=(12, 0))
        ttk.Label(box, text="Trash and Locked Folder always go to folders of their own.",
                  foreground="#555").grid(row=3, column=2, sticky="w", padx=(12, 0))
        self.advanced_button = ttk.Button(box, text="Advanced options ▸", command=self.toggle_advanced)
        self.advanced_button.grid(row=4, column=0, columnspan=2, sticky="w", pady=(4, 0))
        self.advanced = ttk.Frame(box)
        self.advanced.grid(row=5, column=0, columnspan=3, sticky="ew")
        self.advanced.grid_remove()
        ttk.Label(self.advanced, text="Other suffixes of edited copies:").grid(row=0, column=0, sticky="w")
        self.suffix_entry = ttk.Entry(self.advanced, width=30)
        self.suffix_entry.grid(row=0, column=1, sticky="w", padx=6)
        ttk.Label(self.advanced, text="separated by commas, such as -sticker (-edited is always known)",
                  foreground="#555").grid(row=0, column=2, sticky="w")
        self.overwrite_check = self._check(self.advanced, "overwrite",
                                           "Replace dates already in the files with Google's")
        self.overwrite_check.grid(row=1, column=0, columnspan=3, sticky="w")
        self.fix_ext_check = self._check(self.advanced, "fix_ext",
                                         "Name files by their real type (a JPEG named .heic becomes .jpg)")
        self.fix_ext_check.grid(row=2, column=0, columnspan=3, sticky="w")
        self.album_keywords_check = self._check(
            self.advanced, "album_keywords", "Also write album names into the photos' keywords (for apps that "
            "ignore folders, such as Immich and Lightroom)")
        self.album_keywords_check.grid(row=3, column=0, columnspan=3, sticky="w")
        ttk.Label(self.advanced, text="Files written at the same time:").grid(row=4, column=0, sticky="w")
        self.jobs_box = ttk.Spinbox(self.advanced, from_=1, to=64, width=5)
        self.jobs_box.set(str(Choices(()).jobs))
        self.jobs_box.grid(row=4, column=1, sticky="w", padx=6)

        box = ttk.LabelFrame(frame, text="ExifTool (writes dates, places and captions into the files)", padding=8)
        box.grid(row=3, column=0, sticky="ew", pady=(8, 0))
        box.columnconfigure(0, weight=1)
        self.exiftool_label = ttk.Label(box, text="Looking for ExifTool…", wraplength=640, justify="left")
        self.exiftool_label.grid(row=0, column=0, sticky="w")
        self.recheck_button = ttk.Button(box, text="Check again", command=self.check_exiftool)
        self.recheck_button.grid(row=0, column=1, sticky="ne")

        bar = ttk.Frame(frame)
        bar.grid(row=4, column=0, sticky="ew", pady=(10, 0))
        self.preview_button = ttk.Button(bar, text="Preview", command=self.preview)
        self.preview_button.grid(row=0, column=0)
        self.start_button = ttk.Button(bar, text="Start", command=self.start)
        self.start_button.grid(row=0, column=1, padx=(6, 0))
        self.continue_button = ttk.Button(bar, text="Continue", command=self.continue_run)
        self.continue_button.grid(row=0, column=2, padx=(6, 0))
        self.continue_button.grid_remove()
        self.stop_button = ttk.Button(bar, text="Stop", command=self.stop)
        self.stop_button.grid(row=0, column=3, padx=(6, 0))
        self.headline = ttk.Label(bar, text="", font=("TkDefaultFont", 11, "bold"), wraplength=560, justify="left")
        self.headline.grid(row=0, column=4, sticky="w", padx=(14, 0))
        bar.columnconfigure(4, weight=1)

        self.progress_label = ttk.Label(frame, text="")
        self.progress_label.grid(row=5, column=0, sticky="w", pady=(6, 0))
        self.progress_bar = ttk.Progressbar(frame, mode="determinate", maximum=1.0)
        self.progress_bar.grid(row=6, column=0, sticky="ew")

        text_frame = ttk.Frame(frame)
        text_frame.grid(row=7, column=0, sticky="nsew", pady=(6, 0))
        frame.rowconfigure(7, weight=1)
        text_frame.columnconfigure(0, weight=1)
        text_frame.rowconfigure(0, weight=1)
        self.details = tk.Text(text_frame, height=9, wrap="word", font="TkFixedFont", relief="flat",
                               background="#fafafa", state="disabled")
        self.details.grid(row=0, column=0, sticky="nsew")
        scroll = ttk.Scrollbar(text_frame, command=self.details.yview)
        scroll.grid(row=0, column=1, sticky="ns")
        self.details.configure(yscrollcommand=scroll.set)

        ends = ttk.Frame(frame)
        ends.grid(row=8, column=0, sticky="w", pady=(6, 0))
        self.open_library_button = ttk.Button(ends, text="Open the library", command=lambda: self._open(""))
        self.open_library_button.grid(row=0, column=0)
        self.open_report_button = ttk.Button(ends, text="Open the report", command=lambda: self._open("report.html"))
        self.open_report_button.grid(row=0, column=1, padx=(6, 0))
        self.open_unprocessed_button = ttk.Button(ends, text="Open Unprocessed (files without details)",
                                                  command=lambda: self._open("Unprocessed"))
        self.open_unprocessed_button.grid(row=0, column=2, padx=(6, 0))
        self.ends = ends
        ends.grid_remove()
        self._refresh_buttons()

    # ----- the source and the destination -----------------------------------
    def ask_folder(self) -> None:
        chosen = filedialog.askdirectory(parent=self.root, mustexist=True,
                                         title="Choose the Takeout folder, or the folder holding its parts")
        if chosen:
            self.choose_source([Path(chosen)])

    def ask_files(self) -> None:
        chosen = filedialog.askopenfilenames(parent=self.root, filetypes=ARCHIVE_TYPES,
                                             title="Choose the Takeout's zip or tgz files (all of them)")
        if chosen:
            self.choose_source([Path(p) for p in self.root.tk.splitlist(chosen)])

    def ask_destination(self) -> None:
        chosen = filedialog.askdirectory(parent=self.root, title="Choose the folder the library is made in")
        if chosen:
            self.dest_entry.delete(0, "end")
            self.dest_entry.insert(0, chosen)
            self._look_for_earlier_run()

    def choose_source(self, paths: list[Path]) -> None:
        """What the dialogs call: show what the Takeout holds, then look for a run of it to continue."""
        if self.busy:
            return
        found = describe_source(tuple(paths))
        self.sources = () if found.error else tuple(paths)
        self.found_label.configure(text=found.error or "\n".join(found.lines))
        self.warning_label.configure(text="\n".join(found.warnings))
        if found.warnings:
            self.warning_label.grid()
        else:
            self.warning_label.grid_remove()
        self.result = None
        self.ends.grid_remove()
        self._set_details("")
        self.headline.configure(text="")
        self._look_for_earlier_run()

    def _destination_typed(self) -> None:
        if self.dest_entry.get().strip() != self._looked_in:
            self._look_for_earlier_run()

    def _look_for_earlier_run(self) -> None:
        self.can_continue = False
        if self.sources and not self.busy:
            choices = self.choices()
            if choices is not None:
                self._looked_in = self.dest_entry.get().strip()
                self._launch("detect", run_config(choices, dry_run=True, resume=True))
        self._refresh_buttons()

    # ----- options -----------------------------------------------------------
    def toggle_advanced(self) -> None:
        if self.advanced.winfo_ismapped():
            self.advanced.grid_remove()
            self.advanced_button.configure(text="Advanced options ▸")
        else:
            self.advanced.grid()
            self.advanced_button.configure(text="Advanced options ▾")

    def choices(self) -> Choices | None:
        """The widgets' values; None (with the reason shown) when one cannot be used."""
        zone, problem = check_zone(self.zone_box.get())
        try:
            jobs = int(self.jobs_box.get())
            if jobs < 1:
                raise ValueError
        except ValueError:
            problem = f"Files written at the same time: give a whole number from 1, not {self.jobs_box.get()!r}."
        if problem:
            self.headline.configure(text="Check the options")
            self._set_details(problem)
            return None
        destination = self.dest_entry.get().strip()
        return Choices(
            sources=self.sources,
            destination=Path(destination).expanduser() if destination else None,
            layout=self.layouts[self.layout_box.get()],
            albums=self.albums[self.albums_box.get()],
            archive="separate" if self._on("archive") else "keep",
            partner="separate" if self._on("partner") else "keep",
            timezone=zone,
            no_exif=self._on("no_exif"),
            suffixes=tuple(s.strip() for s in self.suffix_entry.get().split(",") if s.strip()),
            overwrite_dates=self._on("overwrite"),
            fix_extensions=self._on("fix_ext"),
            album_keywords=self._on("album_keywords"),
            jobs=jobs,
        )

    def check_exiftool(self) -> None:
        """ExifTool's status, found in a thread (a slow disk or antivirus must not freeze the window)."""
        self._exiftool_job += 1
        number = self._exiftool_job
        self.exiftool_label.configure(text="Looking for ExifTool…")

        def look() -> None:
            self.events.put(("exiftool", number, exiftool_status()))

        threading.Thread(target=look, name="pef-exiftool", daemon=True).start()

    # ----- runs --------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.job is not None

    def preview(self) -> None:
        choices = self.choices()
        if choices is not None and self.sources and not self.busy:
            self.headline.configure(text="Preview: reading the Takeout (nothing is written)…")
            self._set_details("")
            self._launch("preview", run_config(choices, dry_run=True))

    def start(self) -> None:
        self._start_run(resume=False)

    def continue_run(self) -> None:
        self._start_run(resume=True)

    def _start_run(self, resume: bool) -> None:
        choices = self.choices()
        if choices is None or not self.sources or self.busy:
            return
        self.headline.configure(text="Continuing the earlier run…" if resume else "Working…")
        self._set_details("")
        self.ends.grid_remove()
        self.result = None
        self._launch("run", run_config(choices, resume=resume))

    def stop(self) -> None:
        """The CLI's Ctrl+C: the files in flight finish, the state is saved, the run can be continued."""
        if self.job is not None and not self.job.stopping:
            self.job.stop()
            if self.job_kind == "run":
                self.headline.configure(text="Stopping: finishing the files being written and saving…")
            self._refresh_buttons()

    def request_close(self) -> None:
        """Closing the window: mid-run it asks, then stops as Stop does and closes once all is saved."""
        if self.job is not None and self.job_kind == "run" and not self.job.stopping:
            if not messagebox.askyesno("Stop pef?", CLOSE_QUESTION, parent=self.root, icon="warning"):
                return
        self.stop_and_close()

    def stop_and_close(self) -> None:
        if self.job is None:
            self._close()
            return
        self.close_when_done = True
        self.stop()

    def stop_on_signals(self) -> None:
        """Ctrl+C in the terminal that started the window (or SIGTERM) stops and closes, as closing does."""
        def handle(signum, frame) -> None:
            self._signalled = True

        signal.signal(signal.SIGINT, handle)
        signal.signal(signal.SIGTERM, handle)

    def _launch(self, kind: str, config: RunConfig) -> None:
        self.observer = WindowObserver(self.events, self.taps)
        self.job, self.job_kind = Job(config, self.observer), kind
        self.messages = []
        self.progress_label.configure(text="")
        self.progress_bar.configure(value=0.0)
        self._refresh_buttons()
        self.job.start()

    def _poll(self) -> None:
        if self._signalled:
            self._signalled = False
            self.stop_and_close()
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                break
            self._handle(event)
            if self.closed:
                return
        self._show_progress()
        self._polling = self.root.after(POLL_MS, self._poll)

    def _handle(self, event: tuple) -> None:
        kind = event[0]
        if kind == "exiftool":
            if event[1] == self._exiftool_job:
                self.exiftool_label.configure(text=event[2][1], foreground="" if event[2][0] else "#b00020")
        elif kind in ("message", "warning") and self.job_kind != "detect":
            self.messages.append(event[1])
            self._add_details(event[1])
        elif kind == "done":
            self._finished(event[1])

    def _show_progress(self) -> None:
        phase = self.observer.snapshot() if self.observer is not None and self.job is not None else None
        if phase is None or self.job_kind == "detect":
            return
        self.progress_label.configure(text=progress_text(phase, time.monotonic()))
        if phase.total:
            self.progress_bar.configure(mode="determinate", value=min(1.0, phase.count / phase.total))

    def _finished(self, outcome: Outcome) -> None:
        self._show_progress()  # the phase as it ended, not as the last redraw saw it
        kind, self.job, self.job_kind = self.job_kind, None, ""
        if self.close_when_done:
            self._close()
            return
        if kind == "detect":
            self._detected(outcome)
        elif kind == "preview":
            self._previewed(outcome)
        else:
            self._ran(outcome)
        self._refresh_buttons()

    def _detected(self, outcome: Outcome) -> None:
        result = outcome.result
        if result is None:
            return  # no run to continue (or one of another source): Start shows why, if anything is wrong
        s = result.report["summary"]
        if result.resumes and s["done"] < s["actions"]:
            self.can_continue = True
            self.headline.configure(text="This Takeout has an unfinished run: Continue finishes it.")
            self._set_details(f"An earlier run in {result.output} stopped with {s['done']} of {s['actions']} files "
                              "done. Continue finishes it there, with the options it was started with; Start makes "
                              "a new, full copy instead.")

    def _previewed(self, outcome: Outcome) -> None:
        if outcome.stopped_before_writing:
            self.headline.configure(text="Preview stopped.")
            return
        if outcome.result is None:
            self._failed(outcome)
            return
        from pef.report_html import summary_rows

        result = outcome.result
        rows = dict(summary_rows(result.report))
        lines = [f"{label + ':':26}{rows[label]}" for label in PREVIEW_ROWS]
        lines.append("")
        if result.resumes:
            lines.append(f"Output: {result.output} (it would continue the run recorded there)")
        else:
            lines.append(f"Output: {result.output} (Start creates this new folder)")
        if result.earlier_output is not None:
            lines.append(f"An earlier library of this Takeout is in {result.earlier_output}; "
                         "Start leaves it as it is.")
        if self.can_continue:
            lines.append("Continue would finish the unfinished run instead (see above).")
        lines += result.messages
        self.headline.configure(text="Preview (nothing was written)")
        said = self._said(result)
        if said:
            lines += ["", *said]
        self._set_details("\n".join(lines))

    def _ran(self, outcome: Outcome) -> None:
        if outcome.stopped_before_writing:
            self.headline.configure(text="Stopped before any file was written.")
            self._add_details("Nothing was written. Press Start when you are ready.")
            return
        if outcome.result is None:
            self._failed(outcome)
            return
        result = self.result = outcome.result
        # What to do now first, then what the run said as it went (resuming, a part missing...), then the summary.
        notes: list[str] = []
        if result.fatal or result.interrupted or result.save_failed:
            self.can_continue = True
            self.headline.configure(text="Stopped: you can continue later.")
            notes += [result.fatal] if result.fatal else []
            notes.append(f"Everything done so far is saved in {result.out_dir}. To finish, press Continue now or "
                         "later: open pef, choose the same Takeout and press Continue.")
        else:
            self.can_continue = False
            failed = result.report["summary"]["media_status"].get("error", 0)
            if result.errors or result.incomplete_input:
                self.headline.configure(text="Done, but not everything is in the library: see the report.")
            elif failed == 0 and result.already_done and result.report["summary"]["done"] == result.already_done:
                self.headline.configure(text="Everything was already done; nothing to do.")
            else:
                self.headline.configure(text="Done: your library is ready.")
            notes.append(f"Your library is in {result.out_dir}. The report shows what was fixed, what was not "
                         "and why.")
            if result.earlier_output is not None:
                notes.append(f"The earlier library in {result.earlier_output} was left as it is.")
        lines = [*notes, *self._said(result), *result.messages, *result.save_failed, "", result.summary]
        self._set_details("\n".join(lines))
        self.ends.grid()
        unprocessed = result.out_dir is not None and (result.out_dir / "Unprocessed").is_dir()
        self.open_unprocessed_button.configure(state="normal" if unprocessed else "disabled")

    def _said(self, result: RunResult) -> list[str]:
        # The pipeline's note on an earlier output ends in the CLI's --resume: the window says it in its own words.
        earlier = result.earlier_output
        return [m for m in self.messages if earlier is None or str(earlier) not in m]

    def _failed(self, outcome: Outcome) -> None:
        self.headline.configure(text="pef cannot start with this choice:")
        self._set_details(outcome.error or "")

    def _open(self, name: str) -> None:
        if self.result is None or self.result.out_dir is None:
            return
        problem = open_path(self.result.out_dir / name if name else self.result.out_dir)
        if problem:
            self._add_details(problem)

    def _close(self) -> None:
        self.closed = True
        self.root.after_cancel(self._polling)
        self.root.destroy()

    # ----- small helpers -----------------------------------------------------
    def _refresh_buttons(self) -> None:
        running = self.job is not None
        ready = "normal" if self.sources and not running else "disabled"
        for button in (self.preview_button, self.start_button, self.continue_button):
            button.configure(state=ready)
        self.stop_button.configure(state="normal" if running and self.job_kind != "detect"
                                   and self.job is not None and not self.job.stopping else "disabled")
        if self.can_continue:
            self.continue_button.grid()
        else:
            self.continue_button.grid_remove()
        inputs = "disabled" if running else "normal"
        for widget in (self.folder_button, self.files_button, self.dest_entry, self.dest_button, self.zone_box,
                       self.archive_check, self.partner_check, self.no_exif_check, self.suffix_entry,
                       self.overwrite_check, self.fix_ext_check, self.album_keywords_check, self.jobs_box):
            widget.configure(state=inputs)
        for box in (self.layout_box, self.albums_box):
            box.configure(state="disabled" if running else "readonly")

    def _check(self, parent: tk.Misc, name: str, text: str) -> ttk.Checkbutton:
        # A Tcl variable by name, not a tk.BooleanVar: that one's __del__ calls Tcl from whatever thread
        # the garbage collector runs in, and Tcl allows only this one.
        self.root.setvar(f"pef_{name}", "0")
        check = ttk.Checkbutton(parent, text=text)
        check["variable"] = f"pef_{name}"
        return check

    def _on(self, name: str) -> bool:
        return bool(self.root.getboolean(self.root.getvar(f"pef_{name}")))

    def _set_details(self, text: str) -> None:
        self.details.configure(state="normal")
        self.details.delete("1.0", "end")
        self.details.insert("1.0", text)
        self.details.configure(state="disabled")

    def _add_details(self, text: str) -> None:
        self.details.configure(state="normal")
        if self.details.get("1.0", "end-1c"):
            self.details.insert("end", "\n")
        self.details.insert("end", text)
        self.details.see("end")
        self.details.configure(state="disabled")

    def details_text(self) -> str:
        return self.details.get("1.0", "end-1c")
