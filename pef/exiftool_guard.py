"""Runs one ExifTool for pef and ends it when pef goes away, on every system.

ExifTool's `-stay_open True -@ -` does not stop when its argument pipe closes:
it polls the closed pipe forever, so a crashed or killed pef would leave it
running (Linux alone can tie a child's life to its parent's). pef therefore
starts this small relay instead: it hands pef's commands to ExifTool's input
line by line and, once pef's pipe closes, tells ExifTool to stop after the
command in hand. ExifTool writes straight to pef's pipes; the relay never
touches its output.

    python -I -S exiftool_guard.py GRACE EXIFTOOL [ARGS...]

Only the standard library, and no import of pef: it runs however pef was
installed or started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

READY = b"{pef-guard-ready}"
# No argument pef sends holds a NUL (tag values are escaped without them), so this line is unmistakable.
KILL = b"\x00pef-kill"


def main(argv: list[str]) -> int:
    grace, command = float(argv[1]), argv[2:]
    # The console's Ctrl+C (and Ctrl+Break) are pef's to handle: the files in flight must finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "win32":
        signal.signal(signal.SIGBREAK, signal.SIG_IGN)
    try:
        exiftool = subprocess.Popen(command, stdin=subprocess.PIPE)
    except OSError as exc:
        sys.stderr.write(f"cannot start ExifTool ({command[0]}): {exc.strerror or exc}\n")
        return 127
    if sys.platform != "win32":
        # Asked to go (a shutdown, a user's kill): ExifTool goes too, or it would poll its closed input forever.
        signal.signal(signal.SIGTERM, lambda signum, frame: stop(exiftool))
    sys.stdout.buffer.write(READY + b"\n")
    sys.stdout.buffer.flush()
    # From here only ExifTool holds pef's output pipes, so they close exactly when it exits.
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    # ExifTool gone on its own (a crash): go too, which ends pef's wait on the pipes at once.
    threading.Thread(target=lambda: os._exit(exiftool.wait()), daemon=True).start()
    relay(sys.stdin.buffer, exiftool, grace)
    return 0


def relay(source, exiftool: subprocess.Popen, grace: float) -> None:
    sink = exiftool.stdin
    assert sink is not None
    for line in iter(source.readline, b""):
        if KILL in line:
            stop(exiftool)
        try:
            sink.write(line)
            sink.flush()
        except OSError:
            return  # ExifTool is gone; the waiting thread ends this process
    # pef closed its end: it exited, crashed or was killed, perhaps in the middle of a line (commands
    # are sent ahead), so the stop request starts on a line of its own.
    try:
        sink.write(b"\n-stay_open\nFalse\n")
        sink.close()
    except OSError:
        pass
    try:
        exiftool.wait(grace)
    except subprocess.TimeoutExpired:
        stop(exiftool)


def stop(exiftool: subprocess.Popen) -> None:
    """End ExifTool now, with anything it started (a wrapper's child, the Windows launcher's perl), and this relay."""
    if sys.platform == "win32":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(exiftool.pid)], capture_output=True)
        exiftool.kill()
    else:
        os.killpg(os.getpgid(0), signal.SIGKILL)  # pef started this relay as the leader of its own group
    os._exit(1)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
