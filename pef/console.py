"""The other ways a user stops pef besides Ctrl+C and SIGTERM, on each system.

Closing the terminal (SIGHUP on POSIX), Ctrl+Break (SIGBREAK on Windows) and
closing the console window, logging off or shutting down (Windows console
events, which Python turns into no signal) all get the same handler: finish
the files in flight, save, exit.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any, Callable

Handler = Callable[[int, Any], None]

# Windows ends a process this long after a close, logoff or shutdown event; the handler keeps it alive
# until then so the files in flight finish and the state is saved (it usually takes well under a second).
_CLOSE_GRACE = 4.5
_keep: list = []  # the ctypes callback must outlive install_stop_events


def install_stop_events(handle: Handler) -> None:
    if sys.platform == "win32":
        signal.signal(signal.SIGBREAK, handle)
        _on_console_close(lambda: handle(signal.SIGTERM, None))
    elif signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:  # under nohup a hang-up is meant to change nothing
        signal.signal(signal.SIGHUP, _after_hang_up(handle))


def _after_hang_up(handle: Handler) -> Handler:
    def hung_up(signum: int, frame: Any) -> None:
        # The terminal is gone: writing to it would fail, so what is left to say goes nowhere.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        handle(signum, frame)

    return hung_up


def _on_console_close(stop: Callable[[], None]) -> None:
    if sys.platform != "win32":
        return
    import ctypes
    from ctypes import wintypes

    close_events = {2, 5, 6}  # CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT

    @ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.DWORD)
    def on_event(event: int) -> bool:
        if event not in close_events:
            return False  # Ctrl+C and Ctrl+Break: Python's own handler turns them into signals
        stop()
        time.sleep(_CLOSE_GRACE)  # runs on a thread of its own; the main thread saves meanwhile
        return True

    if ctypes.windll.kernel32.SetConsoleCtrlHandler(on_event, True):
        _keep.append(on_event)
