#!/usr/bin/env bash
# Installs what pef and its tests need on a fresh Debian/Ubuntu machine (run as root or with sudo):
# ExifTool, ffmpeg, Chromium, Xvfb and Tk from apt when missing, then a virtual environment in .venv with pef in it.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v exiftool >/dev/null || need+=(libimage-exiftool-perl)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
if [ ${#need[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
# The browser test of report.html drives Debian's Chromium through Playwright (never `playwright install`);
# without it that one test skips, so a failed install only warns.
if [ ! -x /usr/bin/chromium ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; } \
        || echo "setup: chromium could not be installed; the report.html browser test will skip" >&2
fi
# The window's tests drive it on a private X server (Debian's xvfb) with the Tk of the Python that makes .venv
# (python3-tk for Debian's own Python); without them those tests skip, so a failed install only warns.
PY=${PYTHON:-python3}
gui=()
command -v Xvfb >/dev/null || gui+=(xvfb)
"$PY" -c "import tkinter" 2>/dev/null || gui+=(python3-tk)
if [ ${#gui[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${gui[@]}" >/dev/null; } \
        || echo "setup: ${gui[*]} could not be installed; the window's tests will skip" >&2
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
log=$(mktemp)
if ! .venv/bin/python -m pip install -q -e ".[dev]" >"$log" 2>&1; then
    cat "$log"; rm -f "$log"; exit 1
fi
rm -f "$log"
