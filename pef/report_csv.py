"""`unpaired.csv` and `errors.csv`: the problem lists for a spreadsheet, beside report.json.

UTF-8 with a byte-order mark, so Excel reads the names correctly; a cell that a spreadsheet would take for
a formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe, so a file named
"=HYPERLINK(...).jpg" is shown as text, never run.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pef.fsutil import atomic_write_bytes
from pef.report_html import error_rows, orphan_sidecar_rows, unpaired_rows

UNPAIRED_CSV = "unpaired.csv"
ERRORS_CSV = "errors.csv"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def unpaired_table(report: dict) -> list[list[str]]:
    """Header and rows: media without a sidecar, then sidecars without media and unreadable ones."""
    rows = [["path", "kind", "reason", "copied to"]]
    rows += [[path, kind, why, copied] for path, kind, why, copied, _ in unpaired_rows(report)]
    for path, status, title, taken, place, why, copied in orphan_sidecar_rows(report):
        if status == "broken":
            rows.append([path, "unreadable sidecar", why, copied])
        else:
            said = "; ".join(f"{k} {v}" for k, v in (("title", title), ("taken", taken), ("place", place)) if v)
            rows.append([path, "sidecar without media", f"{why}; it says: {said}" if said else why, copied])
    return rows


def errors_table(report: dict) -> list[list[str]]:
    return [["file", "error", "retry command"], *error_rows(report)]


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(str(v)) for v in row])
    # Bytes of a name that were not UTF-8 are shown as \udcXX, as in report.txt.
    return buf.getvalue().encode("utf-8-sig", "backslashreplace")


def write_csvs(out_dir: Path, report: dict) -> None:
    atomic_write_bytes(out_dir / UNPAIRED_CSV, csv_bytes(unpaired_table(report)))
    atomic_write_bytes(out_dir / ERRORS_CSV, csv_bytes(errors_table(report)))
