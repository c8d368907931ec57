"""report.html, report.txt and the CSVs: the data behind each section of a real run, exactly, and the page
itself in a real headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image

from pef import report_html, worldmap
from pef.report import source_times, summary_text
from pef.report_csv import csv_bytes, errors_table, safe_cell, unpaired_table
from pef.thumbs import make_thumbs, thumb_name
from tests.conftest import run_cli, tree_files, tree_hashes, write_sidecar

# On disk this is the folder "<script>alert(1)<" holding "script>.jpg": a hostile path either way.
HOSTILE = "<script>alert(1)</script>.jpg"
ALBUM = "<b>x"
CHROMIUM = Path("/usr/bin/chromium")
Y2020 = "Google Photos/Photos from 2020"
UNPAIRED_WHY = "no sidecar matches its name in its folder, nor unambiguously in another folder"
BROKEN = "invalid JSON: Expecting property name enclosed in double quotes at line 1 column 2"
GONE_WHY = "no media file matches its name or title (the media may be missing from the export)"


def _jpeg(path: Path, shade: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), (200, shade, 40)).save(path, "JPEG")


def _geo(lat: float, lon: float) -> dict:
    g = {"latitude": lat, "longitude": lon, "altitude": 0.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0}
    return {"geoData": g, "geoDataExif": g}


def _takeout(root: Path) -> Path:
    """Nine paired photos (two with a place, five in 2019), an album of one, a photo whose sidecar went to a
    same-stem photo, a hostile name, a video and a formula-like name without sidecars, an orphan and a broken
    sidecar."""
    top = root / "Takeout" / "Google Photos"
    src = top / "Photos from 2020"
    _jpeg(src / "IMG_1.jpg", 10)
    write_sidecar(src / "IMG_1.jpg.json", "IMG_1.jpg", 1_500_000_000, **_geo(48.8584, 2.2945))
    _jpeg(src / "IMG_2.jpg", 90)
    write_sidecar(src / "IMG_2.jpg.json", "IMG_2.jpg", 1_200_000_000, **_geo(35.6762, 139.6503))
    _jpeg(src / "IMG_7.jpg", 120)
    write_sidecar(src / "IMG_7.jpg.json", "IMG_7.jpg", 1_262_347_200)
    _jpeg(src / "IMG_7.jpeg", 130)
    _jpeg(src / HOSTILE, 170)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=blue:s=32x32:d=0.2",
                    "-pix_fmt", "yuv420p", str(src / "clip.mp4")], check=True)
    write_sidecar(src / "gone.jpg.json", "gone.jpg", 1_300_000_000, **_geo(51.5007, -0.1246))
    (src / "bad.jpg.json").write_text("{not json", encoding="utf-8")
    for i, ts in enumerate((1_547_553_600, 1_552_651_200, 1_553_083_200, 1_561_982_400, 1_577_188_800)):
        _jpeg(src / f"P_{i}.jpg", 20 * i)
        write_sidecar(src / f"P_{i}.jpg.json", f"P_{i}.jpg", ts)
    album = top / ALBUM
    album.mkdir(parents=True)
    (album / "metadata.json").write_text(json.dumps({"title": ALBUM, "access": "protected"}), encoding="utf-8")
    shutil.copyfile(src / "IMG_1.jpg", album / "IMG_1.jpg")
    write_sidecar(album / "IMG_1.jpg.json", "IMG_1.jpg", 1_500_000_000, **_geo(48.8584, 2.2945))
    _jpeg(root / "Takeout" / "=SUM(A1).jpg", 200)
    return root / "Takeout"


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, dict]:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is needed to make the sample's video")
    root = tmp_path_factory.mktemp("html")
    source = _takeout(root)
    before = tree_hashes(source)
    out = root / "out"
    proc = run_cli("-p", str(source), "--output", str(out), "--no-progress")
    assert proc.returncode == 2, proc.stderr  # the broken sidecar is an error
    assert proc.stdout.endswith(f"Open {out / 'report.html'} to see what was fixed, what was not and why\n")
    assert tree_hashes(source) == before
    return out, json.loads((out / "report.json").read_text(encoding="utf-8"))


HOSTILE_OUT = "Unprocessed/Photos from 2020/\uff1cscript\uff1ealert(1)\uff1c/script\uff1e.jpg"
UNPAIRED = [
    ["=SUM(A1).jpg", "photo", f"{UNPAIRED_WHY}; looked for =SUM(A1).jpg.json, =SUM(A1).jpg.supplemental-metadata.json, "
     "=SUM(A1).json; no sidecar of its folder has a similar name", "Unprocessed/=SUM(A1).jpg", "copied"],
    [f"{Y2020}/{HOSTILE}", "photo", f"{UNPAIRED_WHY}; looked for script>.jpg.json, script>.jpg.supplemental-metadata.json, "
     "script>.json; no sidecar of its folder has a similar name", HOSTILE_OUT, "copied"],
    [f"{Y2020}/IMG_7.jpeg", "photo", f"{UNPAIRED_WHY}; looked for IMG_7.jpeg.json, IMG_7.jpeg.supplemental-metadata.json, "
     f"IMG_7.json; closest: IMG_7.jpg.json (rule extension) went to {Y2020}/IMG_7.jpg",
     "Unprocessed/Photos from 2020/IMG_7.jpeg", "copied"],
    [f"{Y2020}/clip.mp4", "video", f"{UNPAIRED_WHY}; looked for clip.mp4.json, clip.mp4.supplemental-metadata.json, "
     "clip.json; no sidecar of its folder has a similar name", "Unprocessed/Photos from 2020/clip.mp4", "copied"],
]


def test_summary_rows_of_a_real_run(run) -> None:
    _, report = run
    rows = dict(report_html.summary_rows(report))
    assert {k: v for k, v in rows.items() if k != "Time taken"} == {
        "Media files": "13", "Paired with a sidecar": "9", "Unpaired media": "4", "Sidecars without media": "1",
        "Broken sidecars": "1", "Errors": "1", "Duplicates written once": "1", "Space saved": "0 kB",
        "Special folders": "none", "Audit": "passed: all 13 media files are in the output once",
    }


def test_unpaired_media_name_what_was_looked_for_and_the_closest_sidecar(run) -> None:
    _, report = run
    assert report_html.unpaired_rows(report) == UNPAIRED
    item = report["media"][f"{Y2020}/IMG_7.jpeg"]
    assert item["looked_for"] == ["IMG_7.jpeg.json", "IMG_7.jpeg.supplemental-metadata.json", "IMG_7.json"]
    assert item["closest"] == [{"sidecar": f"{Y2020}/IMG_7.jpg.json", "rule": "extension",
                                "fate": f"went to {Y2020}/IMG_7.jpg"}]


def test_sidecars_without_media_say_what_they_hold(run) -> None:
    _, report = run
    assert report["sidecars"][f"{Y2020}/gone.jpg.json"] == {
        "status": "unpaired", "reason": GONE_WHY, "copied_to": "Unprocessed/Photos from 2020/gone.jpg.json",
        "title": "gone.jpg", "taken": "2011-03-13 07:06:40 UTC", "place": "51.50070, -0.12460",
        "looked_for": ["gone.jpg"]}
    assert report_html.orphan_sidecar_rows(report) == [
        [f"{Y2020}/bad.jpg.json", "broken", "", "", "", f"cannot be read: {BROKEN}",
         "Unprocessed/Photos from 2020/bad.jpg.json"],
        [f"{Y2020}/gone.jpg.json", "unpaired", "gone.jpg", "2011-03-13 07:06:40 UTC", "51.50070, -0.12460",
         f"{GONE_WHY}; looked for media named gone.jpg", "Unprocessed/Photos from 2020/gone.jpg.json"]]
    assert report_html.error_rows(report) == [[
        f"{Y2020}/bad.jpg.json", f"the sidecar cannot be read ({BROKEN}); it was copied to Unprocessed/ as it is", ""]]


def test_next_steps_name_what_is_left(run) -> None:
    _, report = run
    assert report_html.next_steps(report) == [
        "Unpaired files and sidecars are in Unprocessed/: see the tables below for why."]


def test_retry_command_shown_for_failed_media() -> None:
    report = {"output": "/o", "source": "/s", "dry_run": False, "fatal_error": None, "interrupted": False,
              "summary": {"done": 2, "actions": 2, "media_status": {"error": 1}, "without_sidecar": 0,
                          "sidecars_without_media": 0, "broken_sidecars": 0},
              "errors": [{"file": "a.jpg", "error": "Permission denied"}], "sidecars": {}}
    assert report_html.next_steps(report) == ["1 file(s) failed: pef --output /o -p /s --retry-errors"]
    assert report_html.error_rows(report) == [["a.jpg", "Permission denied", "pef --output /o -p /s --retry-errors"]]
    report.update(output="/my photos/out", source="/my photos/Takeout")
    assert report_html.retry_command(report) == "pef --output '/my photos/out' -p '/my photos/Takeout' --retry-errors"


def test_csv_files_open_in_a_spreadsheet_as_text(run) -> None:
    out, report = run
    raw = (out / "unpaired.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfpath,kind,reason,copied to\r\n")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows == [["path", "kind", "reason", "copied to"],
                    ["'=SUM(A1).jpg", *UNPAIRED[0][1:4]], *[r[:4] for r in UNPAIRED[1:]],
                    [f"{Y2020}/bad.jpg.json", "unreadable sidecar", f"cannot be read: {BROKEN}",
                     "Unprocessed/Photos from 2020/bad.jpg.json"],
                    [f"{Y2020}/gone.jpg.json", "sidecar without media",
                     f"{GONE_WHY}; looked for media named gone.jpg; it says: title gone.jpg; taken 2011-03-13 07:06:40 "
                     "UTC; place 51.50070, -0.12460", "Unprocessed/Photos from 2020/gone.jpg.json"]]
    assert raw == csv_bytes(unpaired_table(report))
    errors = (out / "errors.csv").read_bytes()
    assert errors == csv_bytes(errors_table(report))
    assert list(csv.reader(io.StringIO(errors.decode("utf-8-sig"), newline=""))) == [
        ["file", "error", "retry command"],
        [f"{Y2020}/bad.jpg.json", f"the sidecar cannot be read ({BROKEN}); it was copied to Unprocessed/ as it is", ""]]


@pytest.mark.parametrize("cell, shown", [("=1+2", "'=1+2"), ("+A1", "'+A1"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"),
                                         ("\tx", "'\tx"), ("a=b", "a=b"), ("", "")])
def test_formula_cells_get_an_apostrophe(cell: str, shown: str) -> None:
    assert safe_cell(cell) == shown


def test_report_txt_lists_the_problems_and_says_what_it_counts(run) -> None:
    out, report = run
    text = (out / "report.txt").read_text(encoding="utf-8")
    assert text == summary_text(report) + "\n"
    lines = text.splitlines()
    assert "Done:                     15 of 15 files placed in the output (13 media files + 2 sidecar(s) copied to " \
           "Unprocessed/)" in lines
    assert "Time zones from:          gps 2, local (UTC) 6" in lines
    start = lines.index("Unpaired (5):")
    assert lines[start + 1:start + 6] == [f"  {r[0]}: {r[2]}" for r in UNPAIRED] + [
        f"  {Y2020}/gone.jpg.json: {GONE_WHY}; looked for media named gone.jpg; it says: title gone.jpg; taken "
        "2011-03-13 07:06:40 UTC; place 51.50070, -0.12460"]
    assert lines[start + 6:] == [
        "Errors (1):",
        f"  {Y2020}/bad.jpg.json: the sidecar cannot be read ({BROKEN}); it was copied to Unprocessed/ as it is"]
    day = report["source_times"]["day"]
    assert f"Note: 13 of the 13 source media files were last modified on {day}: that is the day of the export, not " \
           "when they were taken. Apps that read only the files' own times (rather than the dates pef writes into " \
           "them) would sort them all onto that day." in lines


def test_report_txt_shows_the_first_20_and_counts_the_rest() -> None:
    media = {f"x/{i:02d}.jpg": {"status": "copied", "reason": "why", "output": f"Unprocessed/x/{i:02d}.jpg"}
             for i in range(23)}
    report = {"dry_run": False, "source": "/s", "output": "/o", "resumed": False, "fatal_error": None,
              "interrupted": False, "input_problems": [], "audit": None, "media": media, "sidecars": {},
              "errors": [{"file": f"e{i}.jpg", "error": "Permission denied"} for i in range(21)],
              "summary": {"media_files": 23, "matched": 0, "without_sidecar": 23, "sidecars": 0,
                          "sidecars_without_media": 0, "broken_sidecars": 0, "other_json": 0, "duplicates": 0,
                          "duplicates_not_written": 0, "bytes_saved": 0, "library_groups": {}, "skipped_paths": 0,
                          "date_sources": {}, "errors": 21, "media_status": {"copied": 23}, "actions": 23,
                          "done": 23, "seconds": 1.0}}
    lines = summary_text(report).splitlines()
    start = lines.index("Unpaired (the first 20 of 23):")
    assert lines[start + 1:start + 22] == [f"  x/{i:02d}.jpg: why" for i in range(20)] + [
        "  ... and 3 more, see unpaired.csv"]
    assert lines[start + 22:] == ["Errors (the first 20 of 21):", *[f"  e{i}.jpg: Permission denied" for i in range(20)],
                                  "  ... and 1 more, see errors.csv"]


def test_dates_by_year_and_month_with_the_undated_counted(run) -> None:
    _, report = run
    assert report_html.date_histogram(report) == (
        {"2008": 1, "2010": 1, "2017": 1, "2019": 5},
        {"2008": {"01": 1}, "2010": {"01": 1}, "2017": {"07": 1}, "2019": {"01": 1, "03": 2, "07": 1, "12": 1}},
        4, 0)
    assert report_html.month_text("2019", 5, {"01": 1, "03": 2, "07": 1, "12": 1}) == \
        "2019: 5 file(s): Jan 1, Mar 2, Jul 1, Dec 1"


def test_year_histogram_counts_dated_undated_and_unrecorded_once_per_photo() -> None:
    media = {
        "a.jpg": {"status": "written", "details": {"date_source": "sidecar", "date": "2019-05-01T10:00:00+02:00"}},
        "b.jpg": {"status": "written", "details": {"date_source": "sidecar", "date": "2019-12-31T23:00:00Z"}},
        "c.jpg": {"status": "written", "details": {"date_source": "filename", "date": "2007-01-02T00:00:00"}},
        "d.jpg": {"status": "copied", "details": {"date_source": "none"}},
        "e.jpg": {"status": "copied"},
        "f.jpg": {"status": "written", "details": {"date_source": "sidecar"}},
        "Trip/a.jpg": {"status": "album copy", "of": "a.jpg"},
        "dup/a.jpg": {"status": "duplicate", "of": "a.jpg"},
    }
    assert report_html.date_histogram({"media": media}) == (
        {"2007": 1, "2019": 2}, {"2007": {"01": 1}, "2019": {"05": 1, "12": 1}}, 2, 1)


def test_the_source_files_times_on_one_day_are_the_export_day(run) -> None:
    _, report = run
    source = Path(report["source"])
    days = {datetime.fromtimestamp(p.stat().st_mtime, timezone.utc).strftime("%Y-%m-%d")
            for p in source.rglob("*") if p.is_file() and not p.name.endswith(".json")}
    assert report["source_times"] == {"day": days.pop(), "files": 13, "of": 13, "export_day": True}
    day = 86400 * 10**9
    assert source_times([5 * day] * 10 + [9 * day])["export_day"] is True  # 10 of 11
    assert source_times([5 * day] * 9)["export_day"] is False  # too few to tell
    assert source_times([5 * day] * 7 + [6 * day] * 3)["export_day"] is False  # 70%: camera times, not an export
    assert source_times([]) == {"day": None, "files": 0, "of": 0, "export_day": False}


def test_places_of_the_written_library_on_an_offline_map(run) -> None:
    _, report = run
    assert report["places"] == {"files": 2, "points": [[35.7, 139.7, 1], [48.9, 2.3, 1]]}
    svg = worldmap.map_svg(report["places"])
    assert svg.count("<circle") == 2
    assert '<circle cx="139.7" cy="-35.7"' in svg and '<circle cx="2.3" cy="-48.9"' in svg
    assert svg.count("<line") == 13 + 7  # meridians and parallels every 30 degrees
    assert svg.count("<path") == len(worldmap.LAND)
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_albums_with_their_size_and_where_their_files_went(run) -> None:
    _, report = run
    assert report_html.album_rows(report) == [[ALBUM, "1", "\uff1cb\uff1ex", "\uff1cb\uff1ex (1)"]]  # the folder as on disk


def test_thumbnails_of_unpaired_photos_from_the_output_copies(run) -> None:
    out, report = run
    photos = [r for r in UNPAIRED if r[1] == "photo"]
    assert report["thumbs"] == {"folder": "report-thumbs", "made": 3, "videos": 1, "not_shown": 0}
    assert {rel for rel, m in report["media"].items() if "thumb" in m} == {r[0] for r in photos}
    assert {p for p in tree_files(out, thumbs=True) if p.startswith("report-thumbs/")} == {
        f"report-thumbs/{thumb_name(r[3])}" for r in photos}
    for r in photos:
        assert report["media"][r[0]]["thumb"] == f"report-thumbs/{thumb_name(r[3])}"
        with Image.open(out / "report-thumbs" / thumb_name(r[3])) as img:
            assert (img.format, img.size) == ("JPEG", (64, 48))  # never enlarged


def test_thumbnails_are_capped_and_shrunk(tmp_path: Path) -> None:
    for i in range(3):
        Image.new("RGB", (800, 400), (i * 60, 90, 40)).save(tmp_path / f"{i}.jpg", "JPEG")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    (tmp_path / "v.mov").write_bytes(b"\x00" * 64)
    targets = [("s/broken.jpg", "broken.jpg"), ("s/v.mov", "v.mov")] + [(f"s/{i}.jpg", f"{i}.jpg") for i in range(3)]
    made, counts = make_thumbs(tmp_path, targets, exiftool=None, cap=3)
    assert made == {f"s/{i}.jpg": f"report-thumbs/{thumb_name(f'{i}.jpg')}" for i in range(2)}
    assert counts == {"made": 2, "videos": 1, "not_shown": 1}
    with Image.open(tmp_path / made["s/0.jpg"]) as img:
        assert img.size == (160, 80)
    # A later report without those files leaves no stale picture behind.
    assert make_thumbs(tmp_path, [], exiftool=None) == ({}, {"made": 0, "videos": 0, "not_shown": 0})
    assert not (tmp_path / "report-thumbs").exists()


def test_thumbnail_of_a_heic(tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    Image.new("RGB", (640, 480), (30, 160, 90)).save(tmp_path / "IMG_1.HEIC", "HEIF")
    made, _ = make_thumbs(tmp_path, [("s/IMG_1.HEIC", "IMG_1.HEIC")], exiftool=None)
    with Image.open(tmp_path / made["s/IMG_1.HEIC"]) as img:
        assert (img.format, img.size) == ("JPEG", (160, 120))


def test_thumbnail_from_the_embedded_preview_without_pillow(tmp_path: Path) -> None:
    """Where Pillow is not installed: the camera's own thumbnail, read by the real ExifTool."""
    if shutil.which("exiftool") is None:
        pytest.skip("needs exiftool")
    Image.new("RGB", (1200, 900), (10, 120, 200)).save(tmp_path / "cam.jpg", "JPEG")
    Image.new("RGB", (160, 120), (250, 10, 10)).save(tmp_path / "t.jpg", "JPEG")
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-ThumbnailImage<=" + str(tmp_path / "t.jpg"),
                    str(tmp_path / "cam.jpg")], check=True)
    made, counts = make_thumbs(tmp_path, [("s/cam.jpg", "cam.jpg"), ("s/plain.jpg", "t.jpg")], exiftool="exiftool",
                               pillow=False)
    assert made == {"s/cam.jpg": f"report-thumbs/{thumb_name('cam.jpg')}"}  # t.jpg embeds no preview: an icon
    assert (tmp_path / made["s/cam.jpg"]).read_bytes() == (tmp_path / "t.jpg").read_bytes()
    assert counts == {"made": 1, "videos": 0, "not_shown": 0}


def test_every_text_is_escaped(run) -> None:
    out, report = run
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page == report_html.render(report)
    assert "<script>alert" not in page and "<b>x" not in page
    assert page.count("<script") == 2  # the data block and the page's own script, nothing from a file name
    assert "http://" not in page and "https://" not in page


def test_dry_run_writes_only_the_named_plan_and_its_page(tmp_path: Path) -> None:
    src = tmp_path / "Takeout"
    _jpeg(src / "IMG_1.jpg", 10)
    write_sidecar(src / "IMG_1.jpg.json", "IMG_1.jpg", 1_500_000_000)
    _jpeg(src / "lonely.jpg", 50)
    before = tree_hashes(tmp_path)
    proc = run_cli("-p", str(src), "--dry-run", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert tree_hashes(tmp_path) == before  # without --report: nothing anywhere
    plans = tmp_path / "plans"
    plans.mkdir()
    proc = run_cli("-p", str(src), "--dry-run", "--no-progress", "--report", str(plans / "plan.json"))
    assert proc.returncode == 0, proc.stderr
    assert f"Open {plans / 'plan.html'} to see the plan" in proc.stdout.splitlines()
    assert set(tree_hashes(tmp_path)) == set(before) | {"plans", "plans/plan.json", "plans/plan.html"}
    assert {k: v for k, v in tree_hashes(tmp_path).items() if not k.startswith("plans")} == before
    plan = json.loads((plans / "plan.json").read_text(encoding="utf-8"))
    assert (plans / "plan.html").read_text(encoding="utf-8") == report_html.render(plan)
    assert report_html.unpaired_rows(plan)[0][:2] == ["lonely.jpg", "photo"]
    assert report_html.unpaired_rows(plan)[0][4] == "planned"
    assert report_html.next_steps(plan) == [
        "A real run would copy the unpaired files and sidecars to Unprocessed/: see the tables below for why."]
    proc = run_cli("-p", str(src), "--dry-run", "--no-progress", "--report", str(tmp_path / "no such" / "plan.json"))
    assert (proc.returncode, proc.stderr) == (1, f"pef: Cannot write the plan to {tmp_path / 'no such' / 'plan.json'}: "
                                                 "No such file or directory.\n")


def _browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[dev])")
    return sync_api


def test_page_in_headless_chromium(run, tmp_path: Path) -> None:
    sync_api = _browser()
    built, report = run
    out = tmp_path / "moved library"  # relative links: the page works wherever the library goes
    shutil.copytree(built, out)
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
        assert {k: v for k, v in values.items() if k != "Time taken"} == {
            "Media files": "13", "Paired with a sidecar": "9", "Unpaired media": "4", "Sidecars without media": "1",
            "Broken sidecars": "1", "Errors": "1", "Duplicates written once": "1", "Space saved": "0 kB",
            "Special folders": "none"}
        assert page.locator(".audit").inner_text() == "Audit: passed: all 13 media files are in the output once"

        unpaired = page.locator('[data-table="unpaired"]')
        rows = unpaired.locator("tbody tr")
        assert rows.count() == 4
        assert [rows.nth(i).locator("td").all_inner_texts()[1:] for i in range(4)] == UNPAIRED
        # Pictures made while the page loads hold its load event, which goto waits for.
        sizes = page.eval_on_selector_all("td.pic img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
        assert sizes == [[True, 64, 48]] * 3
        assert rows.nth(3).locator("td.pic svg").get_attribute("aria-label") == "video"
        assert page.locator("script").count() == 2  # the hostile name is text, not an element
        unpaired.locator("input").fill("closest")
        assert rows.count() == 1 and rows.first.locator("td").nth(1).inner_text() == f"{Y2020}/IMG_7.jpeg"
        assert unpaired.locator(".info").inner_text() == "1 of 4 rows, page 1 of 1"

        sidecars = page.locator('[data-table="sidecars"]')
        assert sidecars.locator("tbody tr").count() == 2
        sidecars.locator("input").fill("gone")
        assert sidecars.locator("tbody tr").count() == 1
        assert sidecars.locator("tbody td").all_inner_texts()[:5] == [
            f"{Y2020}/gone.jpg.json", "unpaired", "gone.jpg", "2011-03-13 07:06:40 UTC", "51.50070, -0.12460"]
        sidecars.locator("input").fill("")
        sidecars.locator("th").first.click()
        sidecars.locator("th").first.click()
        assert sidecars.locator("tbody td").first.inner_text() == f"{Y2020}/gone.jpg.json"
        assert page.locator('[data-table="errors"] tbody td').all_inner_texts() == [
            f"{Y2020}/bad.jpg.json", f"the sidecar cannot be read ({BROKEN}); it was copied to Unprocessed/ as it is", ""]

        assert page.locator(".export-day").inner_text().startswith("13 of the 13 source media files were last modified")
        bars = page.locator(".hist .bar")
        assert bars.locator(".y").all_inner_texts() == ["2008", "2010", "2017", "2019"]
        assert bars.locator(".n").all_inner_texts() == ["1", "1", "1", "5"]
        assert bars.last.get_attribute("title") == "2019: 5 file(s): Jan 1, Mar 2, Jul 1, Dec 1"
        assert page.locator(".months").is_hidden()
        bars.last.click()
        assert page.locator(".months h3").inner_text() == "Months of 2019"
        assert page.locator(".months .n").all_inner_texts() == ["1", "0", "2", "0", "0", "0", "1", "0", "0", "0", "0", "1"]
        assert page.locator(".undated").inner_text() == "Undated: 4 media file(s) without a capture date."

        assert page.locator(".places-count").inner_text() == "2 file(s) with a place, at 2 point(s)."
        assert page.locator("svg.map circle").count() == 2
        assert page.locator('[data-table="albums"] tbody td').all_inner_texts() == [
            ALBUM, "1", "\uff1cb\uff1ex", "\uff1cb\uff1ex (1)"]
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert errors == []
    thumbs = sorted(f"report-thumbs/{thumb_name(r[3])}" for r in UNPAIRED if r[1] == "photo")
    assert sorted(requests) == sorted([(out / "report.html").as_uri(), *[(out / t).as_uri() for t in thumbs]])
    assert (tmp_path / "report.png").stat().st_size > 0
