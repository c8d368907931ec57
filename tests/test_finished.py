"""Running a finished run again: nothing changed is known in seconds, anything changed takes the full way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_cli, tree_files
from pef.finished import FINISHED_FILE
from pef.sample import generate_takeout


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("finished") / "export"
    generate_takeout(root, photos=30, videos=2, seed=5)
    return root


@pytest.fixture
def done(export: Path, tmp_path: Path) -> Path:
    out = tmp_path / "library"
    proc = run_cli("-p", str(export), "--output", str(out), "--timezone", "Asia/Tokyo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / FINISHED_FILE).exists()
    return out


def again(export: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_cli("-p", str(export), "--output", str(out), *extra)


def test_nothing_changed_is_known_without_a_scan(export: Path, done: Path) -> None:
    before = {rel: (done / rel).stat().st_mtime_ns for rel in tree_files(done)}
    proc = again(export, done)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Scanning" not in proc.stderr and "Matching" not in proc.stderr
    assert proc.stdout.splitlines()[0] == "Resuming with the options of the recorded run: timezone 'Asia/Tokyo'"
    assert proc.stdout.splitlines()[-1] == "Everything was already done; nothing to do."
    assert (done / "report.txt").read_text().rstrip("\n") in proc.stdout  # the finished run's summary
    assert {rel: (done / rel).stat().st_mtime_ns for rel in tree_files(done)} == before  # nothing written


@pytest.mark.parametrize("change", ["touch a source", "add a source", "delete an output", "delete the report"])
def test_anything_changed_takes_the_full_way(export: Path, done: Path, tmp_path: Path, change: str) -> None:
    photo = "Photos from 2019/IMG_0001.jpg"
    if change == "touch a source":
        source = export / "Takeout/Google Photos" / photo
        stat = source.stat()
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1000))
    elif change == "add a source":
        (export / "Takeout/Google Photos/Photos from 2019/notes.txt").write_text("new")
    elif change == "delete an output":
        (done / photo).unlink()
    else:
        (done / "report.html").unlink()
    try:
        proc = again(export, done)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Scanning" in proc.stderr
        assert (done / photo).exists() and (done / "report.html").exists()
        assert run_cli("verify", str(done), "--no-read").returncode == 0
        assert "Scanning" not in again(export, done).stderr  # finished again, on record again
    finally:
        if change == "add a source":
            (export / "Takeout/Google Photos/Photos from 2019/notes.txt").unlink()


def test_other_options_or_a_retry_take_the_full_way(export: Path, done: Path) -> None:
    refused = again(export, done, "--layout", "year")
    assert refused.returncode == 1
    assert "The options differ from the run recorded in" in refused.stderr
    retry = again(export, done, "--retry-errors")
    assert retry.returncode == 0 and "Scanning" in retry.stderr


# A run stopped by kill -9 right after its first file: the record of the earlier finished run must be gone.
KILL_AFTER_FIRST = """
import os, signal, sys
from pathlib import Path
from pef.pipeline import Observer, RunConfig, run
class KillAfterFirst(Observer):
    def finished(self, entry):
        os.kill(os.getpid(), signal.SIGKILL)
run(RunConfig(sources=(Path(sys.argv[1]),), output=Path(sys.argv[2]), timezone="Asia/Tokyo", reprocess=("*",)),
    KillAfterFirst())
"""


def test_a_run_killed_after_the_record_was_made_leaves_none(export: Path, done: Path) -> None:
    killed = subprocess.run([sys.executable, "-c", KILL_AFTER_FIRST, str(export), str(done)],
                            env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
    assert killed.returncode == -9, killed.stderr
    assert not (done / FINISHED_FILE).exists()
    proc = again(export, done)
    assert proc.returncode == 0 and "Scanning" in proc.stderr
    assert json.loads((done / "report.json").read_text())["audit"]["passed"] is True
    assert (done / FINISHED_FILE).exists()
