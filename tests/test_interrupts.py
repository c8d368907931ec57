"""The design's own test, for real: interrupt pef with SIGINT and SIGKILL at random moments, resume, compare."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import OWN_FILES, REPO, exif_read, run_cli, tree_files
from pef.sample import generate_takeout

# Every process started here carries this mark, so leftovers can be told from other ExifTools.
MARK = f"PEF_TEST_RUN={os.getpid()}"
ENV = {**os.environ, "PYTHONPATH": str(REPO), "TZ": "UTC", "PEF_TEST_RUN": str(os.getpid())}


def marked_processes() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and MARK.encode() in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def start(src: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pef", "-p", str(src), "--output", str(out), "--timezone", "Europe/Paris"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
    )


def fingerprint(out: Path) -> dict[str, tuple]:
    """Every output file: its content hash and mtime (the state and report aside)."""
    result = {}
    for rel in tree_files(out) - OWN_FILES:
        path = out / rel
        result[rel] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return result


@pytest.fixture(scope="module")
def takeout(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("interrupts") / "export"
    generate_takeout(root, photos=240, videos=6, seed=7)
    return root


@pytest.fixture(scope="module")
def reference(takeout: Path) -> tuple[dict, float]:
    out = takeout.parent / "reference"
    began = time.monotonic()
    proc = start(takeout, out)
    proc.communicate(timeout=600)
    assert proc.returncode in (0, 2), proc.stderr
    return fingerprint(out), time.monotonic() - began


def assert_same_as_reference(out: Path, reference: dict) -> None:
    got = fingerprint(out)
    assert set(got) == set(reference)
    assert [k for k in got if got[k] != reference[k]] == []
    assert not (out / ".pef-tmp").exists()
    assert [p for p in out.rglob("*") if p.is_file() and p.stat().st_size == 0] == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL, signal.SIGTERM])
def test_interrupted_runs_resume_to_the_same_output(takeout: Path, reference, tmp_path: Path, sig) -> None:
    ref, duration = reference
    out = tmp_path / "out"
    rng = random.Random(int(sig))
    for _ in range(4):
        proc = start(takeout, out)
        time.sleep(rng.uniform(0.5, max(0.7, duration * 0.8)))
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=120)
        assert "Traceback" not in stderr
        if proc.returncode in (0, 2):
            continue  # it finished before the signal
        if proc.returncode == -sig and (not out.exists() or "Report: " in stdout):
            continue  # the signal came while Python itself was starting, or shutting down after the run
        if sig != signal.SIGKILL:
            assert proc.returncode == 130
            assert "Interrupted! Saving progress..." in stderr
            assert f"Resume with: python -m pef --output {out} -p {takeout}" in stdout
    proc = start(takeout, out)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode in (0, 2), stderr
    assert_same_as_reference(out, ref)
    # No ExifTool outlives a killed pef.
    time.sleep(0.5)
    assert marked_processes() == []


def test_second_ctrl_c_leaves_at_once_and_resumes(takeout: Path, reference, tmp_path: Path) -> None:
    ref, duration = reference
    out = tmp_path / "out"
    proc = start(takeout, out)
    # Once files are being written (the handlers are long installed), two presses 50 ms apart.
    deadline = time.monotonic() + 120
    while not (out / "processing_state.journal").exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    proc = start(takeout, out)
    proc.communicate(timeout=600)
    assert_same_as_reference(out, ref)


def test_tags_match_after_resume(takeout: Path, reference, tmp_path: Path) -> None:
    """Beyond bytes: ExifTool reads the same dates from an interrupted-then-resumed output."""
    out = tmp_path / "out"
    proc = start(takeout, out)
    time.sleep(max(0.5, reference[1] / 2))
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert run_cli("-p", str(takeout), "--output", str(out), "--timezone", "Europe/Paris").returncode in (0, 2)
    ref_dir = takeout.parent / "reference"
    photos = sorted(p.relative_to(ref_dir) for p in ref_dir.rglob("*.jpg"))[:20]
    ours = exif_read(*(out / p for p in photos), args=("-DateTimeOriginal", "-OffsetTimeOriginal", "-FileModifyDate"))
    theirs = exif_read(*(ref_dir / p for p in photos), args=("-DateTimeOriginal", "-OffsetTimeOriginal", "-FileModifyDate"))
    strip = lambda rows: [{k: v for k, v in r.items() if k != "SourceFile"} for r in rows]  # noqa: E731
    assert strip(ours) == strip(theirs)
