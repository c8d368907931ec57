"""`pef gui` and `pef-gui`: the window for people who never open a terminal.

The window (pef.gui_window, Tk) is a thin layer over the same call the CLI
makes, `pef.pipeline.run(RunConfig, observer, stop)`, run in a worker thread
(pef.gui_run). This module only opens it, light enough to say how to get Tk
when this Python has none; the CLI imports it only for `pef gui`.
"""

from __future__ import annotations

import sys

EXIT_OK, EXIT_NO_WINDOW = 0, 1


def tk_missing_text(platform: str = sys.platform) -> str:
    """How to get Tk, the toolkit the window is drawn with, on this system."""
    if platform == "win32":
        how = ("Run the Python installer from python.org again, choose Modify, tick \"tcl/tk and IDLE\" and "
               "finish; or install Python with: winget install Python.Python.3.12")
    elif platform == "darwin":
        how = ("With Homebrew's Python: brew install python-tk\n"
               "The Python installer from python.org includes it.")
    else:
        how = ("Debian/Ubuntu: sudo apt install python3-tk\n"
               "Fedora:        sudo dnf install python3-tkinter\n"
               "Arch:          sudo pacman -S tk")
    return (
        "pef: the window needs Tk (tkinter), which this Python does not have. Install it:\n"
        f"{how}\n"
        "Everything else works without it, from a terminal: pef -p FOLDER (pef --help for more)."
    )


def no_display_text(detail: str) -> str:
    return (
        f"pef: cannot open a window here ({detail}).\n"
        "On a machine without a screen, use pef from the terminal: pef -p FOLDER (pef --help for more)."
    )


def main(argv: list[str] | None = None) -> int:
    """Open the window; 1 with what to do when it cannot be opened (no Tk, no display)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        _say("pef gui: open the pef window (no options). From a terminal: pef -p FOLDER (pef --help).")
        return EXIT_OK
    if args:
        _say(f"pef gui: takes no options (got {' '.join(args)}); the window has them all.")
        return EXIT_NO_WINDOW
    try:
        import tkinter
    except ImportError:
        _say(tk_missing_text())
        return EXIT_NO_WINDOW
    try:
        root = tkinter.Tk(className="pef")
    except tkinter.TclError as exc:
        _say(no_display_text(str(exc)))
        return EXIT_NO_WINDOW
    from pef.gui_window import App

    app = App(root)
    app.stop_on_signals()
    root.mainloop()
    return EXIT_OK


def _say(text: str) -> None:
    # pef-gui on Windows has no console: sys.stderr is None there, and there is nobody to tell.
    if sys.stderr is not None:
        print(text, file=sys.stderr)
