from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from pef.pipeline import Observer

REPO = Path(__file__).resolve().parent.parent

# The property tests draw the same examples on every run, so a red test run
# means a change broke something, never that the dice found an old bug.
# PEF_HYPOTHESIS=explore draws new examples (and PEF_PROPERTY_EXAMPLES=10 ten
# times as many): the way to hunt for bugs; pin what it finds with @example.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile(os.environ.get("PEF_HYPOTHESIS", "repeatable"))


def tree_hashes(root: Path) -> dict[str, str]:
    """Every file under root -> sha256, plus every folder -> "dir"; the source-untouched check."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            found[os.path.relpath(os.path.join(dirpath, d), root)] = "dir"
        for f in filenames:
            p = os.path.join(dirpath, f)
            if os.path.islink(p):
                found[os.path.relpath(p, root)] = "link:" + os.readlink(p)
                continue
            found[os.path.relpath(p, root)] = hashlib.sha256(Path(p).read_bytes()).hexdigest()
    return found


# The files pef writes at the top of every output folder it makes (outputs aside).
OWN_FILES = frozenset({
    "processing_state.json", "processing_state.sidecars.jsonl", "processing_state.hashes.jsonl",
    "processing_state.finished.json", "processing_state.items.jsonl",
    "report.json", "report.txt", "report.html", "albums.json", "unpaired.csv", "errors.csv",
})


def tree_files(root: Path, thumbs: bool = False) -> set[str]:
    """Every file under root, relative, "/" separated. The report's pictures (`report-thumbs/`, named by a
    hash, exactly checked in test_report_html) only when asked for, so library trees stay readable."""
    found = {
        os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/")
        for d, _, files in os.walk(root)
        for f in files
    }
    return found if thumbs else {p for p in found if not p.startswith("report-thumbs/")}


def exif_read(*paths: Path, args: tuple[str, ...] = ("-G1", "-a")) -> list[dict]:
    """Read tags back with the real ExifTool (numbers as ExifTool prints them)."""
    out = subprocess.run(
        ["exiftool", "-j", "-charset", "filename=utf8", *args, *map(str, paths)],
        capture_output=True, text=True, check=False,
    )
    return json.loads(out.stdout) if out.stdout.strip() else []


def write_sidecar(path: Path, title: str, taken: int, **extra) -> Path:
    data = {
        "title": title,
        "description": extra.pop("description", ""),
        "imageViews": "1",
        "creationTime": {"timestamp": str(taken + 86400), "formatted": ""},
        "photoTakenTime": {"timestamp": str(taken), "formatted": ""},
        "geoData": {"latitude": 0.0, "longitude": 0.0, "altitude": 0.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0},
        "geoDataExif": {"latitude": 0.0, "longitude": 0.0, "altitude": 0.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0},
        "url": "https://photos.google.com/photo/AF1Qip",
    }
    data.update(extra)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


class BeforeWriting(Observer):
    """An observer that changes the source between planning and writing, as another program might."""

    def __init__(self, action) -> None:
        self.action = action

    def start_phase(self, name, total=None, initial=0):
        if name == "Overall progress":
            self.action()


def exiftool_wrapper(folder: Path, on_line: str) -> Path:
    """A real ExifTool behind a relay that runs the Perl statement `on_line` for every command line `$l`
    it passes on ($pid is ExifTool's, $child the relay's reader): how tests make ExifTool hang, crash,
    slow down or meddle at one exact file."""
    wrapper = folder / "exiftool"
    wrapper.write_text(
        "#!/usr/bin/env perl\n"
        "use IPC::Open2; use Time::HiRes qw(sleep);\n"
        "my $pid = open2(my $out, my $in, 'exiftool', @ARGV);\n"
        "select((select($in), $| = 1)[0]); $| = 1;\n"
        "if (my $child = fork) { while (my $l = <STDIN>) { " + on_line + " print $in $l }"
        " close $in; waitpid($child, 0); exit 0 }\n"
        "while (my $l = <$out>) { print STDOUT $l } exit 0;\n"
    )
    wrapper.chmod(0o755)
    return wrapper


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """pef as a user runs it: a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "pef", *args], capture_output=True, text=True, cwd=cwd, timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(REPO), "TZ": os.environ.get("TZ", "UTC")},
    )


def run_cli_unprivileged(*args: str, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    """pef as an ordinary user, so permission faults are real even when the tests run as root."""
    if os.geteuid() != 0:
        return run_cli(*args, timeout=timeout)
    python, path = _open_runtime()
    return subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python, "-m", "pef", *args],
        capture_output=True, text=True, timeout=timeout, cwd="/",
        env={**os.environ, "PYTHONPATH": path, "TZ": "UTC", "HOME": "/tmp", **(env or {})},
    )


_RUNTIME: list = []


def _open_runtime() -> tuple[str, str]:
    """An interpreter and a copy of pef and its dependencies that the unprivileged user can reach.

    The checkout and its .venv may sit in a folder only root can enter (a clone into /root or a
    mktemp -d folder), so the code is copied to a world-readable temporary folder once per run.
    """
    if not _RUNTIME:
        import tqdm
        import tzdata
        import tzfpy

        lib = Path(tempfile.mkdtemp(prefix="pef-unprivileged-"))
        atexit.register(shutil.rmtree, lib, True)
        lib.chmod(0o755)
        for package in (REPO / "pef", *(Path(m.__file__).parent for m in (tqdm, tzfpy, tzdata))):
            shutil.copytree(package, lib / package.name, ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run(["chmod", "-R", "a+rX", str(lib)], check=True)
        # pef starts itself again (ExifTool's guard runs under sys.executable), so the probe does too.
        probe_code = "import pef.cli, tqdm, tzfpy, subprocess, sys; subprocess.run([sys.executable, '-c', ''], check=True)"
        problem = "no candidate"
        for python in dict.fromkeys([os.path.realpath(sys.executable), "/usr/bin/python3"]):
            probe = subprocess.run(
                ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python, "-c", probe_code],
                capture_output=True, text=True, cwd="/", env={**os.environ, "PYTHONPATH": str(lib)},
            )
            if probe.returncode == 0:
                _RUNTIME.append((python, str(lib), None))
                break
            problem = (probe.stderr.strip().splitlines() or ["exit %d" % probe.returncode])[-1]
        else:
            _RUNTIME.append(("", str(lib), problem))
    python, lib, problem = _RUNTIME[0]
    if problem:
        pytest.skip(f"no Python the unprivileged user (65534) can run: {problem}")
    return python, lib


@pytest.fixture
def open_tmp():
    """A folder every user may use (pytest's own tmp folders are private to root)."""
    path = Path(tempfile.mkdtemp(prefix="pef-test-"))
    path.chmod(0o777)
    yield path
    subprocess.run(["chmod", "-R", "u+rwx", str(path)], check=False)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    root = tmp_path / "Takeout"
    root.mkdir()
    return root
