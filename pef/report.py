"""The run report: `report.json` for machines (every file, its fate and why) and `report.txt` for people."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from pef.albums import Members
from pef.closest import explain_media, media_names_for
from pef.fsutil import atomic_write_chunks, atomic_write_text, json_lines
from pef.dedup import Duplicates
from pef.library import Organised
from pef.matching import MatchResult
from pef.plan import Kind, Plan
from pef.report_csv import ERRORS_CSV, UNPAIRED_CSV, unpaired_table, write_csvs
from pef.report_html import error_rows, export_day_warning, is_unpaired
from pef.report_html import render as render_html
from pef.scan import ScanResult
from pef.state import ProcessingState
from pef.thumbs import FOLDER as THUMBS_FOLDER
from pef.thumbs import make_thumbs


def build_report(
    *,
    source: Path,
    out_dir: Path | None,
    found: ScanResult,
    matched: MatchResult,
    plan: Plan,
    state: ProcessingState,
    started: float,
    dry_run: bool,
    interrupted: bool,
    fatal: str | None,
    tool: str,
    audit=None,
    organised: Organised | None = None,
    duplicates: Duplicates | None = None,
    members: Members | None = None,
    resumed: bool = False,
    input_problems: list[dict] | None = None,
    suffixes: tuple[str, ...] = (),
) -> dict:
    media = _media_section(plan, matched, state, dry_run)
    hints = explain_media(sorted(matched.unpaired_media), [m.rel for m in found.media], found.sidecars, matched, suffixes)
    for rel, hint in hints.items():
        if rel in media:
            media[rel].update(looked_for=hint.looked_for, closest=hint.closest, hint=hint.text())
    dups = duplicates.of if duplicates else {}
    outputs = {a.source: a.dest for a in plan.actions}
    for dup, primary in dups.items():
        if dup not in media:
            media[dup] = {"status": "duplicate", "of": primary, "output": outputs.get(primary),
                          "sidecar": matched.pairs[dup].sidecar if dup in matched.pairs else None}
        if duplicates and dup in duplicates.disagreements:
            media[dup]["note"] = duplicates.disagreements[dup]
    media = dict(sorted(media.items()))
    sizes = {m.rel: m.size for m in found.media}
    saved = sum(sizes.get(d, 0) for d in dups if media[d]["status"] == "duplicate")
    groups: Counter = Counter()
    for rel, place in (organised.places.items() if organised else ()):
        if rel in media:
            groups[place.group] += 1
            if place.group != "library":
                media[rel]["group"] = place.group
            if place.undated_reason:
                media[rel]["undated_reason"] = place.undated_reason
    members = members or Members()
    sidecars = _sidecar_section(found, matched, plan, state, members)
    errors = [{"file": rel, "error": m["error"]} for rel, m in media.items() if m.get("error")]
    errors += [{"file": rel, "error": s["error"]} for rel, s in sidecars.items() if s["status"] == "broken"]
    statuses = Counter(m["status"] for m in media.values())
    details = [m["details"] for m in media.values() if m.get("details")]
    date_sources = Counter(d.get("date_source", "none") for d in details)
    zone_sources = Counter(d.get("zone_source", "none") for d in details if d.get("date_source") != "none")
    # Files placed in the output, by what they are: [done, planned].
    placed = {"media": [0, 0], "album_members": [0, 0], "sidecars": [0, 0]}
    for a in plan.actions:
        group = placed["sidecars" if a.kind is Kind.SIDECAR else "album_members" if a.kind is Kind.MEMBER else "media"]
        group[1] += 1
        group[0] += 1 if _record(state, a.kind, a.source) else 0
    done = sum(group[0] for group in placed.values())
    summary = {
        "media_files": len(found.media),
        "matched": len(matched.pairs),
        "without_sidecar": len(matched.unpaired_media),
        "sidecars": len(found.sidecars) + len(found.broken),
        "sidecars_without_media": len(matched.unpaired_sidecars) - len(members.members),
        "album_sidecars": len(members.members),
        "broken_sidecars": len(found.broken),
        "other_json": len(found.other_json),
        "skipped_paths": len(found.skipped),
        "media_status": dict(sorted(statuses.items())),
        "date_sources": dict(sorted(date_sources.items())),
        "zone_sources": dict(sorted(zone_sources.items())),
        "archived": sum(1 for sc in found.sidecars if sc.archived),
        "trashed": sum(1 for sc in found.sidecars if sc.trashed),
        "library_groups": dict(sorted(groups.items())),
        "duplicates": len(dups),
        "duplicates_not_written": sum(1 for d in dups if media[d]["status"] == "duplicate"),
        "bytes_saved": saved,
        "sidecars_disagree": len(duplicates.disagreements) if duplicates else 0,
        "dedup_hashed_bytes": duplicates.hashed_bytes if duplicates else 0,
        "dedup_seconds": round(duplicates.seconds, 3) if duplicates else 0.0,
        "errors": len(errors),
        "actions": len(plan.actions),
        "done": done,
        "placed": placed,
        "seconds": round(time.time() - started, 2),
    }
    by_rel = {sc.rel: sc for sc in found.sidecars}
    return {
        "pef_version": tool,
        "source": str(source),
        "output": str(out_dir) if out_dir else None,
        "dry_run": dry_run,
        "resumed": resumed,
        "input_problems": input_problems or [],
        "interrupted": interrupted,
        "fatal_error": fatal,
        "summary": summary,
        "audit": None if audit is None else {"passed": audit.passed, "problems": audit.problems},
        "errors": errors,
        "media": media,
        "sidecars": sidecars,
        "places": _places(media, by_rel),
        "source_times": source_times([m.mtime_ns for m in found.media]),
        "other_json": [o.rel for o in found.other_json],
        "skipped": found.skipped,
        "ambiguities": matched.ambiguities,
    }


def _record(state: ProcessingState, kind: Kind, source: str) -> dict | None:
    return state.jsons.get(source) if kind is Kind.SIDECAR else state.media.get(source)


def _media_section(plan: Plan, matched: MatchResult, state: ProcessingState, dry_run: bool) -> dict:
    section = {}
    for action in plan.actions:
        if action.kind in (Kind.SIDECAR, Kind.MEMBER):
            continue
        item: dict = {"output": action.dest, "sidecar": action.sidecar}
        if action.kind is Kind.WRITE:
            item["rule"] = action.rule
        elif action.kind is Kind.ALBUM:
            item["of"] = action.of
        else:
            item["reason"] = matched.unpaired_media.get(action.source, "no sidecar")
        record = state.media.get(action.source)
        if record is None:
            item["status"] = "planned" if dry_run else "not_done"
        else:
            item["status"] = _media_status(action.kind, record)
            item["output"] = record.get("output_file")
            for key in ("error", "details", "extra_files"):
                if record.get(key):
                    item[key] = record[key]
        section[action.source] = item
    return section


def _media_status(kind: Kind, record: dict) -> str:
    if record.get("status") == "error":
        return "error"
    return {Kind.WRITE: "written", Kind.ALBUM: "album copy"}.get(kind, "copied")


def _sidecar_section(found: ScanResult, matched: MatchResult, plan: Plan, state: ProcessingState,
                     members: Members) -> dict:
    fed: dict[str, list[str]] = {}
    for pair in matched.pairs.values():
        fed.setdefault(pair.sidecar, []).append(pair.media)
    dests = {a.source: a.dest for a in plan.actions}
    section: dict[str, dict] = {}
    for sc in found.sidecars:
        member = members.members.get(sc.rel)
        if sc.rel in fed:
            item = {"status": "used", "media": sorted(fed[sc.rel])}
        elif member is not None:
            # The album's own file for its photo: where the album folder holds it, else the photo's.
            item = {"status": "album member", "album": member.album, "of": member.item,
                    "output": dests.get(sc.rel) or dests.get(member.item)}
        else:
            reason = members.reasons.get(sc.rel) or matched.unpaired_sidecars.get(sc.rel)
            item = {"status": "unpaired", "reason": reason, "copied_to": dests.get(sc.rel),
                    "title": sc.title, "taken": _utc(sc.taken), "place": _place(sc), "looked_for": media_names_for(sc)}
        flags = [f for f in ("archived", "trashed", "locked", "partner", "favorited") if getattr(sc, f)]
        if flags:
            item["flags"] = flags
        if sc.warnings:
            item["warnings"] = list(sc.warnings)
        section[sc.rel] = item
    for broken in found.broken:
        section[broken.rel] = {"status": "broken", "error": broken.error, "copied_to": dests.get(broken.rel)}
    return dict(sorted(section.items()))


def _utc(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return None


def _place(sc) -> str | None:
    return f"{sc.geo.latitude:.5f}, {sc.geo.longitude:.5f}" if sc.geo else None


PLACE_STEP = 0.1  # degrees: points this close are one dot on a world map (about 11 km)


def _places(media: dict, sidecars: dict) -> dict:
    """Where the written library's photos were taken: [latitude, longitude, files] per rounded point."""
    points: Counter = Counter()
    for item in media.values():
        if item["status"] not in ("written", "planned") or "rule" not in item:
            continue
        sc = sidecars.get(item.get("sidecar") or "")
        if sc is not None and sc.geo is not None:
            lat, lon = sc.geo.latitude, sc.geo.longitude
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                points[(round(lat / PLACE_STEP) * PLACE_STEP, round(lon / PLACE_STEP) * PLACE_STEP)] += 1
    return {"files": sum(points.values()),
            "points": [[round(lat, 4), round(lon, 4), n] for (lat, lon), n in sorted(points.items())]}


EXPORT_DAY_SHARE = 0.8  # this share of the source files modified on one day: that day is the export's
EXPORT_DAY_MIN = 10  # a handful of files proves nothing


def source_times(mtimes_ns: list[int]) -> dict:
    """The day most source files were last modified (local time), and whether it looks like the export day.

    Google sets every file of a Takeout to the day it was exported (or unpacked), so an app without
    pef's metadata would sort a lifetime of photos onto that one day.
    """
    days: Counter = Counter()
    for ns in mtimes_ns:
        try:
            days[datetime.fromtimestamp(ns / 1e9).strftime("%Y-%m-%d")] += 1
        except (OverflowError, OSError, ValueError):
            continue
    if not days:
        return {"day": None, "files": 0, "of": len(mtimes_ns), "export_day": False}
    day, n = days.most_common(1)[0]
    total = len(mtimes_ns)
    return {"day": day, "files": n, "of": total,
            "export_day": total >= EXPORT_DAY_MIN and n >= EXPORT_DAY_SHARE * total}


def summary_text(report: dict) -> str:
    """The summary for people: every count adds up, and says what happened to the files it counts."""
    s = report["summary"]
    lines = [
        "pef " + ("plan (dry run, nothing written)" if report["dry_run"] else "report"),
        f"Source: {report['source']}",
    ]
    if report["output"]:
        if not report["dry_run"]:
            lines.append(f"Output: {report['output']}")
        elif report.get("resumed"):
            lines.append(f"Output: {report['output']} (a real run would continue the run recorded there)")
        else:
            lines.append(f"Output: {report['output']} (a real run would create it)")
    lines += [
        f"Media files:              {s['media_files']}",
        f"  matched with a sidecar: {s['matched']}  (metadata written into the copy)",
        f"  without a sidecar:      {s['without_sidecar']}  (copied to Unprocessed/)",
        f"Sidecars:                 {s['sidecars']}",
        f"  without media:          {s['sidecars_without_media']}  (copied to Unprocessed/)",
        *([f"  album members:          {s['album_sidecars']}  (an album's sidecar naming a photo found elsewhere: "
           "the album holds that photo)"] if s.get("album_sidecars") else []),
        f"  unreadable:             {s['broken_sidecars']}  (copied to Unprocessed/)",
        f"Other JSON (albums etc.): {s['other_json']}  (left alone)",
        f"Duplicates:               {s['duplicates']}  (same bytes as another file, processed once: "
        f"{s['duplicates'] - s['duplicates_not_written']} in album folders, {s['duplicates_not_written']} "
        f"not copied again, {_size(s['bytes_saved'])} saved)",
        *([f"  sidecars disagree:      {s['sidecars_disagree']}  (copies of one photo whose sidecars say "
           "different things; the year folder's kept, each listed in report.json)"] if s.get("sidecars_disagree") else []),
        *_special_lines(s["library_groups"]),
        f"Skipped paths:            {s['skipped_paths']}  (listed in report.json)",
        f"Dates from:               {_counts(s['date_sources'])}",
        f"Time zones from:          {_zone_counts(report)}",
        f"Errors:                   {s['errors']}",
        _done_line(report),
        f"Time:                     {_duration(s['seconds'])}",
    ]
    audit = _audit_line(report)
    if audit:
        lines.append(audit)
    export_day = export_day_warning(report)
    if export_day:
        lines.append(f"Note: {export_day}")
    lines += into_lines(report.get("into"))
    if report.get("input_problems"):
        lines.append("Incomplete input (files in these parts are not in the output):")
        lines += [f"  {p['kind']} part {p['part']}: {p['problem']}" for p in report["input_problems"]]
    if report["fatal_error"]:
        lines.append(f"STOPPED: {report['fatal_error']}")
    elif report["interrupted"]:
        lines.append("INTERRUPTED: the run can be resumed.")
    unpaired = [(path, why) for path, kind, why, _ in unpaired_table(report)[1:] if kind != "unreadable sidecar"]
    lines += _first(report, "Unpaired", unpaired, UNPAIRED_CSV)
    lines += _first(report, "Errors", [(f, e) for f, e, _ in error_rows(report)], ERRORS_CSV)
    return "\n".join(lines)


SHOWN_IN_TEXT = 20


def into_lines(into: dict | None) -> list[str]:
    """What an export added to a library (--into) contributed to it."""
    if not into:
        return []
    c = into["counts"]
    lines = [
        f"Library:                  source {into['source_number']} of {len(into['sources'])} added to {into['library']}",
        f"  new:                    {c.get('new', 0)}  (added)",
        f"  already there:          {c.get('same', 0)}  (nothing written)",
        f"  updated:                {c.get('changed', 0)}  (made again from this export: its metadata or folder changed)",
        f"  to review:              {c.get('ambiguous', 0)}  (not guessed: in Review/)",
        f"  not in this export:     {c.get('not_in_this_export', 0)}  (kept in the library as they were)",
    ]
    for change in into["changed"][:SHOWN_IN_TEXT]:
        said = ", ".join(f"{k} {v['was']!r} -> {v['now']!r}" for k, v in change["changes"].items()) or "its folder"
        lines.append(f"  updated {change['library_file']}: {said}")
    for item in into["review"][:SHOWN_IN_TEXT]:
        lines.append(f"  to review {item['file']}: {item['why']}")
    return lines


def _first(report: dict, heading: str, rows: list[tuple[str, str]], csv_name: str) -> list[str]:
    """The first files of a problem list with their reasons, and where the rest are."""
    if not rows:
        return []
    where = "report.json" if report["dry_run"] else csv_name
    lines = [f"{heading} ({len(rows)}):" if len(rows) <= SHOWN_IN_TEXT
             else f"{heading} (the first {SHOWN_IN_TEXT} of {len(rows)}):"]
    lines += [f"  {path}: {why}" for path, why in rows[:SHOWN_IN_TEXT]]
    if len(rows) > SHOWN_IN_TEXT:
        lines.append(f"  ... and {len(rows) - SHOWN_IN_TEXT} more, see {where}")
    return lines


def _done_line(report: dict) -> str:
    """Files placed in the output, by what they are (so the total, more or less than "Media files" above,
    says why: duplicates not copied again, sidecars copied, albums' files for album sidecars)."""
    s = report["summary"]
    placed = s.get("placed") or {"media": [s["done"], s["actions"]]}
    words = {"media": "media files", "album_members": "album files for album sidecars",
             "sidecars": "sidecar(s) copied to Unprocessed/"}
    finished = s["done"] == s["actions"] and not report["dry_run"]
    parts = [f"{planned if finished or report['dry_run'] else f'{done} of {planned}'} {words[group]}"
             for group, (done, planned) in placed.items() if planned]
    kinds = " + ".join(parts) or "nothing"
    if report["dry_run"]:
        already = f"; {s['done']} already done, {s['actions'] - s['done']} to do" if s["done"] else ""
        return f"Planned:                  {s['actions']} files to place in the output ({kinds}){already}"
    if finished:
        return f"Done:                     {s['done']} of {s['actions']} files placed in the output ({kinds})"
    return (f"Done:                     {s['done']} of {s['actions']} files placed in the output ({kinds}); "
            f"{s['actions'] - s['done']} not done yet")


_ZONE_WORDS = {"local": "local", "option": "--timezone"}


def _zone_counts(report: dict) -> str:
    """Where time zones came from; the zone itself where one zone was used for many files."""
    named: Counter = Counter()
    for item in report["media"].values():
        details = item.get("details")
        if not details or details.get("date_source") == "none":
            continue
        source = details.get("zone_source", "none")
        if source in _ZONE_WORDS and details.get("zone"):
            source = f"{_ZONE_WORDS[source]} ({details['zone']})"
        named[source] += 1
    return _counts(dict(sorted(named.items())))


def _audit_line(report: dict) -> str | None:
    audit = report.get("audit")
    if audit is None:
        return None
    s = report["summary"]
    if audit["passed"]:
        return f"Audit:                    passed: all {s['media_files']} media files are in the output once"
    problems = len(audit["problems"])
    if report["fatal_error"] or report["interrupted"]:
        not_done = s["media_status"].get("not_done", 0)
        line = f"Audit:                    stopped early: {not_done} of {s['media_files']} media files not done yet; resume to finish"
        if problems > not_done:
            line += f" ({problems - not_done} other problem(s) in report.json)"
        return line
    return f"Audit:                    FAILED: {problems} media file(s) not in the output as recorded (see report.json)"


def _special_lines(groups: dict) -> list[str]:
    special = {g: n for g, n in groups.items() if g in ("trash", "locked", "archive", "partner")}
    if not special:
        return []
    return [f"Special folders:          {_counts(special)}  (kept apart from the library)"]


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 1e5 else f"{n / 1e3:,.0f} kB"


def _counts(counter: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in counter.items()) or "-"


def _duration(seconds: float) -> str:
    minutes, sec = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}h {minutes:02d}m {sec:04.1f}s" if hours else f"{minutes}m {sec:04.1f}s"


def write_report(out_dir: Path, report: dict, text: str, exiftool: str | None = None) -> None:
    """report.json, report.txt, report.html with the thumbnails it shows, unpaired.csv and errors.csv."""
    targets = [(rel, m.get("output") or "") for rel, m in report["media"].items() if is_unpaired(m)]
    try:
        made, counts = make_thumbs(out_dir, targets, exiftool)
    except Exception:  # a picture is a nicety: whatever breaks here, the report is still written
        made, counts = {}, {"made": 0, "videos": 0, "not_shown": len(targets)}
    for rel, thumb in made.items():
        report["media"][rel]["thumb"] = thumb
    report["thumbs"] = {"folder": THUMBS_FOLDER, **counts}
    write_json(out_dir / "report.json", report)
    atomic_write_text(out_dir / "report.txt", text + "\n")
    atomic_write_text(out_dir / "report.html", render_html(report))
    write_csvs(out_dir, report)


def write_plan_page(path: Path, report: dict) -> Path:
    """A dry run's report.html, beside the JSON plan the user asked for (same name, .html): nothing else."""
    page = path.with_suffix(".html")
    if page == path:
        page = path.with_name(path.stem + ".plan.html")
    atomic_write_text(page, render_html(report))
    return page


def write_json(path: Path, report: dict) -> None:
    atomic_write_chunks(path, json_lines(report))
