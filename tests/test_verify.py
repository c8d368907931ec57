"""`pef verify`: the audit that proves a run complete, and catches what went missing since."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli, write_sidecar
from pef.exiftool import find_exiftool
from pef.sample import make_media
from pef.verify import verify

T = 1546300800


@pytest.fixture
def done(src: Path) -> Path:
    for i in range(3):
        make_media(src / f"IMG_{i}.jpg", seed=i)
        write_sidecar(src / f"IMG_{i}.jpg.json", f"IMG_{i}.jpg", T + i)
    make_media(src / "orphan.png", seed=9)
    write_sidecar(src / "lost.jpg.json", "lost.jpg", T)
    proc = run_cli("-p", str(src), "--timezone", "UTC")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Audit:                    passed: all 4 media files are in the output once" in proc.stdout
    return src.parent / "Takeout_pefProcessed"


def test_a_finished_run_passes(done: Path, src: Path) -> None:
    proc = run_cli("verify", str(done), "--hash")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.splitlines() == [
        f"Source:  {src.resolve()}",
        "Checked: 4 media files, 4 outputs read by ExifTool",
        "Sidecars that fed no file: 1",
        "  lost.jpg.json",
        "PASS: every source media file is in the output exactly once, complete and readable.",
    ]


def test_missing_truncated_and_unreadable_outputs_fail(done: Path) -> None:
    (done / "IMG_0.jpg").unlink()
    (done / "IMG_1.jpg").write_bytes((done / "IMG_1.jpg").read_bytes()[:100])
    garbage = done / "IMG_2.jpg"
    garbage.write_bytes(b"\0" * garbage.stat().st_size)
    proc = run_cli("verify", str(done))
    assert proc.returncode == 2
    lines = proc.stdout.splitlines()
    assert lines[-4:] == [
        "FAIL: 3 problem(s):",
        "  IMG_0.jpg: its output IMG_0.jpg is missing",
        f"  IMG_1.jpg: its output IMG_1.jpg has 100 bytes, {_recorded_size(done, 'IMG_1.jpg')} were written",
        "  IMG_2.jpg: ExifTool cannot read the output: File header is all binary zeros",
    ]


def test_parallel_readers_find_the_same(done: Path) -> None:
    """Outputs read by 3 ExifTool processes, one file per batch: every output read once, every problem found."""
    for i in (0, 2):
        (done / f"IMG_{i}.jpg").write_bytes(b"\xff" * (done / f"IMG_{i}.jpg").stat().st_size)
    audit = verify(done, exiftool=find_exiftool(), jobs=3, batch=1)
    assert audit.outputs_read == 4
    assert [p.split(":")[0] for p in audit.problems] == ["IMG_0.jpg", "IMG_2.jpg"]
    assert all("ExifTool cannot read the output" in p for p in audit.problems)


def test_changed_unchanged_copy_fails_with_hash(done: Path) -> None:
    orphan = done / "Unprocessed" / "orphan.png"
    data = bytearray(orphan.read_bytes())
    data[-5] ^= 0xFF
    orphan.write_bytes(bytes(data))
    assert run_cli("verify", str(done), "--no-read").returncode == 0  # same size: only --hash sees it
    proc = run_cli("verify", str(done), "--no-read", "--hash")
    assert proc.returncode == 2
    assert "  orphan.png: its unchanged copy Unprocessed/orphan.png differs from the source" in proc.stdout


def test_not_a_pef_folder(tmp_path: Path) -> None:
    proc = run_cli("verify", str(tmp_path))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (
        f"pef verify: {tmp_path} is not a pef output folder (it holds no processing_state.json).\n"
        "Give the folder a pef run wrote, such as ~/Takeout_pefProcessed.\n"
    )
    proc = run_cli("verify", str(tmp_path / "nope"))
    assert proc.returncode == 1
    assert "not a folder" in proc.stderr


def _recorded_size(out: Path, rel: str) -> int:
    import json

    return json.loads((out / "processing_state.json").read_text())["media"][rel]["size"]
