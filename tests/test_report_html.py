"""report.html: the data behind each section of a real run, and the page itself in a real headless Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from pef import report_html
from tests.conftest import run_cli, write_sidecar

HOSTILE = "<script>alert(1)</script>.jpg"
CHROMIUM = Path("/usr/bin/chromium")


def _jpeg(path: Path, shade: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (32, 24), (200, shade, 40)).save(path, "JPEG")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, dict]:
    """A small real run: two paired photos, a hostile unpaired name, an orphan sidecar, a broken sidecar."""
    root = tmp_path_factory.mktemp("html")
    src = root / "Takeout" / "Google Photos" / "Photos from 2020"
    _jpeg(src / "IMG_1.jpg", 10)
    write_sidecar(src / "IMG_1.jpg.json", "IMG_1.jpg", 1_500_000_000)
    _jpeg(src / "IMG_2.jpg", 90)
    write_sidecar(src / "IMG_2.jpg.json", "IMG_2.jpg", 1_200_000_000)
    _jpeg(src / HOSTILE, 170)
    write_sidecar(src / "gone.jpg.json", "gone.jpg", 1_300_000_000)
    (src / "bad.jpg.json").write_text("{not json", encoding="utf-8")
    out = root / "out"
    proc = run_cli("-p", str(root / "Takeout"), "--output", str(out), "--no-progress")
    assert proc.returncode == 2, proc.stderr  # the broken sidecar is an error
    assert proc.stdout.endswith(f"Open {out / 'report.html'} to see what was fixed, what was not and why\n")
    return out, json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_summary_rows_of_a_real_run(run) -> None:
    _, report = run
    rows = dict(report_html.summary_rows(report))
    assert {k: v for k, v in rows.items() if k != "Time taken"} == {
        "Media files": "3", "Paired with a sidecar": "2", "Unpaired media": "1", "Sidecars without media": "1",
        "Broken sidecars": "1", "Errors": "1", "Duplicates written once": "0", "Space saved": "0 kB",
        "Special folders": "none", "Audit": "passed: all 3 media files are in the output once",
    }


def test_tables_of_a_real_run(run) -> None:
    _, report = run
    assert report_html.unpaired_rows(report) == [[
        f"Google Photos/Photos from 2020/{HOSTILE}",
        "no sidecar matches its name in its folder, nor unambiguously in another folder",
        "Unprocessed/Photos from 2020/\uff1cscript\uff1ealert(1)\uff1c/script\uff1e.jpg", "copied"]]
    sidecars = report_html.orphan_sidecar_rows(report)
    assert [row[:2] for row in sidecars] == [["Google Photos/Photos from 2020/bad.jpg.json", "broken"],
                                            ["Google Photos/Photos from 2020/gone.jpg.json", "unpaired"]]
    assert [row[3] for row in sidecars] == ["Unprocessed/Photos from 2020/bad.jpg.json", "Unprocessed/Photos from 2020/gone.jpg.json"]
    assert report_html.error_rows(report) == [[
        "Google Photos/Photos from 2020/bad.jpg.json",
        "invalid JSON: Expecting property name enclosed in double quotes at line 1 column 2"]]


def test_next_steps_name_what_is_left(run) -> None:
    _, report = run
    assert report_html.next_steps(report) == [
        "Unpaired files and sidecars are in Unprocessed/: see the tables below for why."]


def test_year_histogram_counts_dated_undated_and_unrecorded() -> None:
    media = {
        "a.jpg": {"status": "written", "details": {"date_source": "sidecar", "date": "2019-05-01T10:00:00+02:00"}},
        "b.jpg": {"status": "written", "details": {"date_source": "sidecar", "date": "2019-12-31T23:00:00Z"}},
        "c.jpg": {"status": "written", "details": {"date_source": "filename", "date": "2007-01-02T00:00:00"}},
        "d.jpg": {"status": "copied", "details": {"date_source": "none"}},
        "e.jpg": {"status": "copied"},
        "f.jpg": {"status": "written", "details": {"date_source": "sidecar"}},
    }
    assert report_html.year_histogram({"media": media}) == ({"2007": 1, "2019": 2}, 2, 1)


def test_every_text_is_escaped(run) -> None:
    out, report = run
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page == report_html.render(report)
    assert "<script>alert" not in page
    assert page.count("<script") == 2  # the data block and the page's own script, nothing from a file name
    assert "http://" not in page and "https://" not in page


def test_retry_command_shown_for_failed_media() -> None:
    report = {"output": "/o", "source": "/s", "dry_run": False, "fatal_error": None, "interrupted": False,
              "summary": {"done": 2, "actions": 2, "media_status": {"error": 1}, "without_sidecar": 0,
                          "sidecars_without_media": 0, "broken_sidecars": 0}}
    assert report_html.next_steps(report) == ["1 file(s) failed: pef --output /o -p /s --retry-errors"]


def _browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[dev])")
    return sync_api


def test_page_in_headless_chromium(run, tmp_path: Path) -> None:
    sync_api = _browser()
    out, report = run
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        requests: list[str] = []
        page.on("request", lambda req: requests.append(req.url))
        page.goto((out / "report.html").as_uri())
        values = dict(zip(page.locator(".card .label").all_inner_texts(), page.locator(".card .value").all_inner_texts()))
        assert values["Media files"] == "3" and values["Paired with a sidecar"] == "2"
        assert values["Unpaired media"] == "1" and values["Sidecars without media"] == "1"
        assert values["Broken sidecars"] == "1" and values["Errors"] == "1"
        assert page.locator(".audit").inner_text() == "Audit: passed: all 3 media files are in the output once"
        cells = page.locator('[data-table="unpaired"] tbody td').all_inner_texts()
        assert cells[0] == f"Google Photos/Photos from 2020/{HOSTILE}"
        sidecars = page.locator('[data-table="sidecars"]')
        assert sidecars.locator("tbody tr").count() == 2
        sidecars.locator("input").fill("gone")
        assert sidecars.locator("tbody tr").count() == 1
        assert sidecars.locator("tbody td").first.inner_text() == "Google Photos/Photos from 2020/gone.jpg.json"
        assert sidecars.locator(".info").inner_text() == "1 of 2 rows, page 1 of 1"
        sidecars.locator("input").fill("")
        sidecars.locator("th").first.click()
        sidecars.locator("th").first.click()
        assert sidecars.locator("tbody td").first.inner_text() == "Google Photos/Photos from 2020/gone.jpg.json"
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert errors == []
    assert requests == [(out / "report.html").as_uri()]
