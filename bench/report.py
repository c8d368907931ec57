"""The report of a large run: how long pef takes to build it, and a browser to open it.

    .venv/bin/python bench/report.py              # 100,000 media files
    .venv/bin/python bench/report.py --files 300000 --unpaired 0.2

Times, on synthetic data shaped like a real run (one big year folder, a share of unpaired media whose
names are near the sidecars', orphan sidecars, errors, dates over 30 years, GPS points, albums):
  1. the reasons for the unpaired files (`pef.closest.explain_media`: rule lookups and similar names);
  2. report.txt, report.html and the two CSVs rendered from the report dict;
  3. headless Chromium (Debian's `chromium`, driven by Playwright) opening report.html from file://, until
     every table is drawn, and then a filter typed into the unpaired table.
Prints the figures and writes them to bench/results/. Not part of the test suite: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pef.closest import explain_media  # noqa: E402
from pef.matching import MatchResult, Pair  # noqa: E402
from pef.report import summary_text  # noqa: E402
from pef.report_csv import csv_bytes, errors_table, unpaired_table  # noqa: E402
from pef.report_html import render  # noqa: E402
from pef.scan import MediaEntry  # noqa: E402
from pef.sidecar import Sidecar  # noqa: E402

FOLDER = "Google Photos/Photos from 2019"


def synthetic(files: int, unpaired_share: float, seed: int = 1):
    """Media, sidecars and the match of a run, plus the report dict such a run writes."""
    rng = random.Random(seed)
    media, sidecars, matched = [], [], MatchResult()
    report_media: dict[str, dict] = {}
    sidecar_section: dict[str, dict] = {}
    unpaired_n = int(files * unpaired_share)
    for i in range(files):
        name = f"IMG_{i:07d}.jpg"
        rel = f"{FOLDER}/{name}"
        media.append(MediaEntry(rel, 2_000_000, 0))
        year = 1995 + rng.randrange(30)
        date = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T12:00:00+01:00"
        if i < unpaired_n:
            # Its sidecar is cut short or renamed: a near name, which no rule accepts.
            sc_rel = f"{FOLDER}/IMG_{i:07d}x.jpg.json"
            sidecars.append(Sidecar(sc_rel, f"IMG_{i:07d}x.jpg", 1_500_000_000))
            matched.unpaired_media[rel] = "no sidecar matches its name in its folder, nor unambiguously in another folder"
            matched.unpaired_sidecars[sc_rel] = "no media file matches its name or title"
            report_media[rel] = {"output": f"Unprocessed/{rel}", "sidecar": None, "status": "copied",
                                 "reason": matched.unpaired_media[rel],
                                 "details": {"date_source": "none", "zone_source": "none"}}
            sidecar_section[sc_rel] = {"status": "unpaired", "reason": matched.unpaired_sidecars[sc_rel],
                                       "copied_to": f"Unprocessed/{sc_rel}", "title": f"IMG_{i:07d}x.jpg",
                                       "taken": "2017-07-14 02:40:00 UTC", "place": None, "looked_for": []}
        else:
            sc_rel = rel + ".json"
            sidecars.append(Sidecar(sc_rel, name, 1_500_000_000))
            matched.pairs[rel] = Pair(rel, sc_rel, "exact")
            report_media[rel] = {"output": rel, "sidecar": sc_rel, "rule": "exact", "status": "written",
                                 "details": {"date_source": "sidecar", "zone_source": "gps", "zone": "Europe/Paris",
                                             "date": date}}
            sidecar_section[sc_rel] = {"status": "used", "media": [rel]}
    errors = [{"file": rel, "error": "Permission denied"} for rel in list(report_media)[-500:]]
    for e in errors:
        report_media[e["file"]].update(status="error", error=e["error"])
    points: dict[tuple[float, float], int] = {}
    for _ in range(min(files, 20_000)):
        key = (round(rng.uniform(-60, 70), 1), round(rng.uniform(-180, 180), 1))
        points[key] = points.get(key, 0) + 1
    albums = {f"Album {a}": {"title": f"Album {a}", "folder": f"Album {a}", "items": [
        {"output": f"Album {a}/IMG_{j:07d}.jpg", "source": f"Google Photos/Album {a}/IMG_{j:07d}.jpg"}
        for j in range(a * 50, a * 50 + 50)]} for a in range(200)}
    report = {
        "pef_version": "bench", "source": "/bench/Takeout", "output": "/bench/Takeout_pefProcessed",
        "dry_run": False, "resumed": False, "input_problems": [], "interrupted": False, "fatal_error": None,
        "summary": {"media_files": files, "matched": files - unpaired_n, "without_sidecar": unpaired_n,
                    "sidecars": files, "sidecars_without_media": unpaired_n, "broken_sidecars": 0, "other_json": 200,
                    "skipped_paths": 0, "media_status": {"written": files - unpaired_n - 500, "copied": unpaired_n,
                                                         "error": 500},
                    "date_sources": {}, "zone_sources": {}, "archived": 0, "trashed": 0, "library_groups": {},
                    "duplicates": 0, "duplicates_not_written": 0, "bytes_saved": 0, "errors": 500,
                    "actions": files + unpaired_n, "done": files + unpaired_n, "seconds": 3600.0},
        "audit": {"passed": True, "problems": []}, "errors": errors, "media": report_media,
        "sidecars": sidecar_section, "places": {"files": sum(points.values()),
                                                "points": [[a, b, n] for (a, b), n in sorted(points.items())]},
        "source_times": {"day": "2024-01-05", "files": files, "of": files, "export_day": True},
        "other_json": [], "skipped": {}, "ambiguities": [], "albums": albums,
    }
    return media, sidecars, matched, report


def clock(label: str, fn, results: dict):
    began = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - began
    results[label] = round(seconds, 3)
    print(f"{label:44} {seconds:8.2f} s", flush=True)
    return value


def browser(page_path: Path, results: dict) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = chromium.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        began = time.perf_counter()
        page.goto(page_path.as_uri(), wait_until="load", timeout=120_000)
        page.wait_for_selector('[data-table="albums"] tbody tr', timeout=120_000)
        results["browser_open_s"] = round(time.perf_counter() - began, 3)
        print(f"{'Chromium: open until every table is drawn':44} {results['browser_open_s']:8.2f} s", flush=True)
        box = page.locator('[data-table="unpaired"]')
        shown = box.locator(".info").inner_text()
        began = time.perf_counter()
        box.locator("input").fill("IMG_0000123")
        expect(box.locator(".info")).not_to_have_text(shown, timeout=120_000)
        results["browser_filter_s"] = round(time.perf_counter() - began, 3)
        print(f"{'Chromium: filter the unpaired table':44} {results['browser_filter_s']:8.2f} s", flush=True)
        chromium.close()
        if errors:
            print("page errors:", errors)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--unpaired", type=float, default=0.1, help="share of media without a sidecar (default 0.1)")
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    results: dict = {"files": args.files, "unpaired": int(args.files * args.unpaired)}
    media, sidecars, matched, report = clock("synthetic run data", lambda: synthetic(args.files, args.unpaired), {})
    unpaired = sorted(matched.unpaired_media)
    hints = clock(f"reasons of {len(unpaired)} unpaired files", lambda: explain_media(
        unpaired, [m.rel for m in media], sidecars, matched), results)
    for rel, hint in hints.items():
        report["media"][rel].update(looked_for=hint.looked_for, closest=hint.closest, hint=hint.text())
    with tempfile.TemporaryDirectory(prefix="pef-report-bench-") as tmp:
        page_path = Path(tmp) / "report.html"
        text = clock("report.txt", lambda: summary_text(report), results)
        html_text = clock("report.html", lambda: render(report), results)
        clock("unpaired.csv + errors.csv", lambda: (csv_bytes(unpaired_table(report)), csv_bytes(errors_table(report))),
              results)
        page_path.write_text(html_text, encoding="utf-8")
        (Path(tmp) / "report.txt").write_text(text, encoding="utf-8")
        results["html_mb"] = round(page_path.stat().st_size / 1e6, 1)
        print(f"{'report.html size':44} {results['html_mb']:8.1f} MB")
        if not args.no_browser:
            browser(page_path, results)
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"report-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
