"""report.html: the run report as one self-contained page people can open from disk (no network, no server).

Pure: `render(report)` takes the dict `pef.report.build_report` returns and gives the HTML text. The table
rows travel as JSON inside the page and a little plain JavaScript filters, sorts and pages them, so a table
of 300k rows costs one JSON parse, not 300k DOM rows.
"""

from __future__ import annotations

import html
import json
from collections import Counter

from pef import shell
from pef.thumbs import is_video
from pef.worldmap import MAX_POINTS as MAP_POINTS
from pef.worldmap import map_svg

_UNPAIRED_STATUSES = ("copied", "error", "not_done", "planned")
_COPIES = ("duplicate", "album copy")


def summary_rows(report: dict) -> list[tuple[str, str]]:
    """The headline numbers, as (label, value) in the order shown."""
    s = report["summary"]
    rows = [
        ("Media files", str(s["media_files"])),
        ("Paired with a sidecar", str(s["matched"])),
        ("Unpaired media", str(s["without_sidecar"])),
        ("Sidecars without media", str(s["sidecars_without_media"])),
        ("Broken sidecars", str(s["broken_sidecars"])),
        ("Errors", str(s["errors"])),
        ("Duplicates written once", str(s["duplicates"])),
        ("Space saved", _size(s["bytes_saved"])),
    ]
    special = {g: n for g, n in s["library_groups"].items() if g in ("trash", "locked", "archive", "partner")}
    rows.append(("Special folders", ", ".join(f"{g} {n}" for g, n in special.items()) or "none"))
    rows.append(("Time taken", _duration(s["seconds"])))
    rows.append(("Audit", audit_text(report)))
    return rows


def audit_text(report: dict) -> str:
    audit = report.get("audit")
    if audit is None:
        return "not run (dry run)" if report["dry_run"] else "not run"
    if audit["passed"]:
        return f"passed: all {report['summary']['media_files']} media files are in the output once"
    return f"{len(audit['problems'])} problem(s)"


def next_steps(report: dict) -> list[str]:
    """What the user should do when something is left; empty when the run is complete and clean."""
    steps = []
    s = report["summary"]
    if report["fatal_error"] or report["interrupted"] or (not report["dry_run"] and s["done"] < s["actions"]):
        steps.append(f"The run did not finish ({s['done']}/{s['actions']} files done). Run the same pef "
                     f"command again with --output {report['output']} to resume.")
    failed = s["media_status"].get("error", 0)
    if failed:
        steps.append(f"{failed} file(s) failed: {retry_command(report)}")
    if s["without_sidecar"] or s["sidecars_without_media"] or s["broken_sidecars"]:
        steps.append(("A real run would copy the unpaired files and sidecars to Unprocessed/" if report["dry_run"]
                      else "Unpaired files and sidecars are in Unprocessed/") + ": see the tables below for why.")
    return steps


def retry_command(report: dict) -> str:
    """Quoted for the shell of the system the report is written on (the recorded options come from the state)."""
    return shell.join(["pef", "--output", str(report["output"]), "-p", str(report["source"]), "--retry-errors"])


def is_unpaired(item: dict) -> bool:
    """A media file that got no sidecar (its row in the unpaired table and CSV)."""
    return "reason" in item and item["status"] in _UNPAIRED_STATUSES


def media_kind(path: str) -> str:
    return "video" if is_video(path) else "photo"


def media_why(item: dict) -> str:
    """Why a media file got no sidecar, with the names looked for and the closest ones seen."""
    return "; ".join(x for x in (item.get("reason"), item.get("hint")) if x)


def unpaired_rows(report: dict) -> list[list[str]]:
    """Media that got no sidecar: [path, kind, why, where copied, status]."""
    return [[rel, media_kind(rel), media_why(m), m.get("output") or "", m["status"]]
            for rel, m in report["media"].items() if is_unpaired(m)]


def sidecar_why(sc: dict) -> str:
    if sc["status"] == "broken":
        return f"cannot be read: {sc.get('error') or 'unknown error'}"
    why = sc.get("reason") or ""
    if sc.get("looked_for"):
        why += "; looked for media named " + ", ".join(sc["looked_for"])
    return why


def orphan_sidecar_rows(report: dict) -> list[list[str]]:
    """Sidecars that fed no media, and unreadable ones: [path, status, title, taken, place, why, where copied]."""
    return [[rel, sc["status"], sc.get("title") or "", sc.get("taken") or "", sc.get("place") or "",
             sidecar_why(sc), sc.get("copied_to") or ""]
            for rel, sc in report["sidecars"].items() if sc["status"] in ("unpaired", "broken")]


def error_rows(report: dict) -> list[list[str]]:
    """[file, the error in plain words, the command that retries it (none for an unreadable sidecar)]."""
    rows = []
    sidecars = report.get("sidecars", {})
    for e in report["errors"]:
        if sidecars.get(e["file"], {}).get("status") == "broken":
            rows.append([e["file"], f"the sidecar cannot be read ({e['error']}); it was copied to Unprocessed/ "
                         "as it is", ""])
        else:
            rows.append([e["file"], e["error"], retry_command(report)])
    return rows


def date_histogram(report: dict) -> tuple[dict[str, int], dict[str, dict[str, int]], int, int]:
    """Capture years ({year: count}, sorted), months per year ({year: {"01": count}}), media with no date,
    and dated media whose date the report lacks.

    Each photo counts once: duplicates and album copies are left out. A date is read from the per-media
    `details` ("date", ISO text) where a run recorded it; older records
    only say where a date came from, so those are counted apart rather than guessed.
    """
    years: Counter = Counter()
    months: dict[str, Counter] = {}
    undated = unrecorded = 0
    for m in report["media"].values():
        if m["status"] in _COPIES:
            continue  # the same photo as its item, counted there
        details = m.get("details") or {}
        date = details.get("date")
        if details.get("date_source", "none") == "none":
            undated += 1
        elif isinstance(date, str) and date[:4].isdigit():
            years[date[:4]] += 1
            if date[5:7].isdigit():
                months.setdefault(date[:4], Counter())[date[5:7]] += 1
        else:
            unrecorded += 1
    return (dict(sorted(years.items())), {y: dict(sorted(c.items())) for y, c in sorted(months.items())},
            undated, unrecorded)


def export_day_warning(report: dict) -> str | None:
    """A plain warning when most source files' own times sit on one day: the export's, not the photos'."""
    times = report.get("source_times") or {}
    if not times.get("export_day"):
        return None
    return (f"{times['files']} of the {times['of']} source media files were last modified on {times['day']}: that is "
            "the day of the export, not when they were taken. Apps that read only the files' own times (rather than "
            "the dates pef writes into them) would sort them all onto that day.")


def album_rows(report: dict) -> list[list[str]]:
    """[album, number of files, its folder in the output, where its files went (the output folders, most first)]."""
    rows = []
    for key, album in (report.get("albums") or {}).items():
        items = album.get("items") or []
        folders: Counter = Counter((it.get("output") or "").rpartition("/")[0] or "(top)" for it in items
                                   if it.get("output"))
        where = ", ".join(f"{f} ({n})" for f, n in folders.most_common(3))
        if len(folders) > 3:
            where += f" and {len(folders) - 3} more folders"
        rows.append([album.get("title") or key, str(len(items)),
                     album.get("folder") or "no album folder (--albums none)", where])
    return rows


def render(report: dict) -> str:
    esc = html.escape
    title = "pef plan (dry run)" if report["dry_run"] else "pef report"
    rows = summary_rows(report)
    summary = "".join(f'<div class="card"><div class="label">{esc(k)}</div><div class="value">{esc(v)}</div></div>'
                      for k, v in rows if k != "Audit")
    audit = report.get("audit")
    tone = "" if audit is None else "ok" if audit["passed"] else "bad"
    summary += f'<p class="audit {tone}">Audit: {esc(dict(rows)["Audit"])}</p>'
    steps = next_steps(report)
    steps_html = ("<ul>" + "".join(f"<li>{esc(x)}</li>" for x in steps) + "</ul>") if steps else \
        "<p class=ok>Nothing left to do.</p>"
    status = ""
    if report["fatal_error"]:
        status = f'<p class="bad">Stopped: {esc(report["fatal_error"])}</p>'
    elif report["interrupted"]:
        status = '<p class="bad">Interrupted: the run can be resumed.</p>'
    unpaired = [r for r in report["media"].items() if is_unpaired(r[1])]
    tables = {
        "unpaired": (["", "Path", "Kind", "Why nothing paired", "Copied to", "Status"],
                     [[m.get("thumb") or media_kind(rel), *row]
                      for (rel, m), row in zip(unpaired, unpaired_rows(report))]),
        "sidecars": (["Sidecar", "Status", "Title", "Taken (photoTakenTime)", "Place", "Why", "Copied to"],
                     orphan_sidecar_rows(report)),
        "errors": (["File", "Error", "Retry with"], error_rows(report)),
        "albums": (["Album", "Files", "Album folder", "Where its files went"], album_rows(report)),
    }
    data = {name: rows for name, (_, rows) in tables.items()}
    heads = {name: cols for name, (cols, _) in tables.items()}
    thumbs = report.get("thumbs") or {}
    thumb_note = ""
    if thumbs.get("not_shown"):
        thumb_note = (f'<p class="thumbs-note">Pictures of the first {thumbs["made"]} files; '
                      f'{thumbs["not_shown"]} more without one (all are in unpaired.csv).</p>')
    sections = [
        ("unpaired", "Unpaired media", "Media pef found no sidecar for; " + (
            "a real run copies them unchanged." if report["dry_run"] else "copied unchanged, without a sidecar's date."),
         thumb_note),
        ("sidecars", "Sidecars without media",
         "Sidecars that matched no media file (what they say, and the names looked for), and unreadable ones.", ""),
        ("errors", "Errors", "Files that failed.",
         f'<p>Retry the failed media with: <code>{esc(retry_command(report))}</code></p>'
         if report["summary"]["media_status"].get("error") else ""),
    ]
    body = [_table_section(name, heading, blurb, extra, len(data[name])) for name, heading, blurb, extra in sections]
    years, months, undated, unrecorded = date_histogram(report)
    hist = _histogram_html(years, months, undated, unrecorded)
    warning = export_day_warning(report)
    if warning:
        hist = f'<p class="warn export-day">{esc(warning)}</p>' + hist
    places = report.get("places") or {"files": 0, "points": []}
    if places["points"]:
        more = len(places["points"]) - MAP_POINTS
        map_html = (f'<p class="places-count"><b>{places["files"]}</b> file(s) with a place, at '
                    f'<b>{len(places["points"])}</b> point(s).{f" The {more} least used are not drawn." if more > 0 else ""}'
                    f"</p>{map_svg(places)}")
    else:
        map_html = '<p class="places-count">No file of the library has a place.</p>'
    albums = _table_section("albums", "Albums", "Each album of the export, its number of files and where they are.",
                            "", len(data["albums"]))
    payload = json.dumps({"rows": data, "heads": heads, "img": {"unpaired": 0}, "months": months}, ensure_ascii=True)
    # "<" only occurs inside JSON strings, where \u003c is the same text and cannot end the script element.
    payload = payload.replace("<", "\\u003c")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data: file: 'self'">
<title>{esc(title)}</title><style>{_CSS}</style></head><body>
<header><h1>{esc(title)}</h1>
<p class="meta">Source: <code>{esc(report['source'])}</code><br>Output: <code>{esc(str(report['output']))}</code>
<br>pef {esc(str(report['pef_version']))}</p></header>
<main>{status}
<section id="summary"><h2>Summary</h2><div class="cards">{summary}</div>
<h3>What to do next</h3>{steps_html}</section>
{''.join(body)}
<section id="dates"><h2>Capture dates</h2>{hist}</section>
<section id="places"><h2>Places</h2>{map_html}</section>
{albums}
</main>
<template id="icon-video">{_VIDEO_ICON}</template><template id="icon-photo">{_PHOTO_ICON}</template>
<script id="pef-data" type="application/json">{payload}</script>
<script>{_JS}</script>
</body></html>
"""


def _table_section(name: str, heading: str, blurb: str, extra: str, n: int) -> str:
    esc = html.escape
    table = f'<div class="table" data-table="{name}"></div>' if n else '<p class="ok">None.</p>'
    return (f'<section id="{name}"><h2>{esc(heading)} <span class="count">{n}</span></h2>'
            f"<p>{esc(blurb)}</p>{extra}{table}</section>")


_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def month_text(year: str, n: int, months: dict[str, int]) -> str:
    """A year bar's hover text: "2019: 12 file(s): Jan 3, Mar 9"."""
    parts = [f"{_MONTHS[int(m) - 1]} {c}" for m, c in sorted(months.items()) if 1 <= int(m) <= 12]
    return f"{year}: {n} file(s)" + (": " + ", ".join(parts) if parts else "")


def _histogram_html(years: dict[str, int], months: dict[str, dict[str, int]], undated: int, unrecorded: int) -> str:
    undated_p = f'<p class="undated">Undated: <b>{undated}</b> media file(s) without a capture date.</p>'
    if unrecorded:
        undated_p += (f'<p class="unrecorded">Dated but not shown: <b>{unrecorded}</b> media file(s) whose '
                      "date this report does not record.</p>")
    if not years:
        return "<p>No capture dates recorded.</p>" + undated_p
    top = max(years.values())
    bars = "".join(
        f'<button type="button" class="bar" data-year="{y}" title="{html.escape(month_text(y, n, months.get(y, {})))}">'
        f'<span class="n">{n}</span><span class="fill" style="height:{max(2, round(160 * n / top))}px"></span>'
        f'<span class="y">{y}</span></button>'
        for y, n in years.items())
    return (f'<p>Files by the year they were taken; point at a year or click it for its months.</p>'
            f'<div class="hist">{bars}</div><div class="months" hidden></div>{undated_p}')


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 1e5 else f"{n / 1e3:,.0f} kB"


def _duration(seconds: float) -> str:
    minutes, sec = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}h {minutes:02d}m {sec:04.1f}s" if hours else f"{minutes}m {sec:04.1f}s"


# Type icons, inline: shown where a file has no thumbnail (videos, files no picture could be made of).
_VIDEO_ICON = ('<svg class="icon" viewBox="0 0 48 48" aria-label="video"><rect x="4" y="10" width="30" height="28" '
               'rx="4" fill="#5b6577"/><path d="M34 20l10-6v20l-10-6z" fill="#5b6577"/><path d="M15 17l10 7-10 7z" '
               'fill="#fff"/></svg>')
_PHOTO_ICON = ('<svg class="icon" viewBox="0 0 48 48" aria-label="photo"><rect x="4" y="8" width="40" height="32" '
               'rx="4" fill="#8c96a8"/><circle cx="16" cy="19" r="4" fill="#fff"/><path d="M8 36l11-12 7 8 5-5 9 9z" '
               'fill="#fff"/></svg>')

_CSS = """
:root{--fg:#1d2330;--muted:#5b6577;--line:#dde2ea;--bg:#f5f7fa;--acc:#2f6fde;--bad:#c0392b;--ok:#1e8449;--warn:#9a6700}
[hidden]{display:none!important}*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}header{background:#1d2330;color:#fff;padding:18px 32px}
header h1{margin:0 0 6px;font-size:22px}.meta{margin:0;color:#c9d1de;font-size:13px}.meta code{color:#fff;background:#343d4f}
main{max-width:1200px;margin:0 auto;padding:16px 32px 48px}section{background:#fff;border:1px solid var(--line);
border-radius:8px;padding:16px 20px;margin:16px 0}h2{margin:0 0 8px;font-size:18px}h3{font-size:15px;margin:16px 0 4px}
.count{background:var(--bg);border:1px solid var(--line);border-radius:10px;padding:0 8px;font-size:13px;color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 12px}.label{color:var(--muted);font-size:12px}
.audit{grid-column:1/-1;margin:4px 0 0}.value{font-size:18px;font-weight:600;word-break:break-word}.ok{color:var(--ok)}.bad{color:var(--bad);font-weight:600}
.warn{color:var(--warn);background:#fff8e1;border:1px solid #f0d890;border-radius:6px;padding:8px 12px}
code{background:var(--bg);padding:1px 4px;border-radius:3px;word-break:break-all}
.tools{display:flex;gap:10px;align-items:center;margin:8px 0}.tools input{flex:1;max-width:360px;padding:6px 8px;
border:1px solid var(--line);border-radius:4px;font:inherit}.tools button{font:inherit;padding:4px 10px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:5px 8px;
border-bottom:1px solid var(--line);vertical-align:top;word-break:break-word}th{cursor:pointer;background:var(--bg);
user-select:none;white-space:nowrap}th.asc::after{content:" \\25B2"}th.desc::after{content:" \\25BC"}th.pic{cursor:default;width:72px}td.short{white-space:nowrap}
td.pic img,td.pic svg{width:64px;height:64px;object-fit:contain;display:block;background:var(--bg);border-radius:4px}
.hist,.months{display:flex;align-items:flex-end;gap:4px;overflow-x:auto;padding:8px 0}
.bar{display:flex;flex-direction:column;align-items:stretch;text-align:center;min-width:34px;border:0;background:none;
padding:0;font:inherit;cursor:pointer}.bar.on .fill{background:#173f86}
.fill{display:block;background:var(--acc);border-radius:3px 3px 0 0}.n,.y{font-size:11px;color:var(--muted)}
.months .fill{background:#6c9be8}.months h3{margin:0 8px 0 0;align-self:center}
svg.map{width:100%;max-width:900px;display:block;border:1px solid var(--line);border-radius:4px}
.map .sea{fill:#eef3fb}.map .land path{fill:#dfe5d6;stroke:#b9c3ab;stroke-width:.3;stroke-linejoin:round}.map .grid line{stroke:#c5d0e0;stroke-width:.3}.map .grid line.eq{stroke:#8fa3c0;stroke-width:.5}
.map circle{fill:#d1495b;fill-opacity:.75;stroke:#fff;stroke-width:.2}
"""

_JS = """
(function(){
var D=JSON.parse(document.getElementById('pef-data').textContent),PAGE=100;
function icon(kind){var t=document.getElementById(kind==='video'?'icon-video':'icon-photo');
  return t.content.firstElementChild.cloneNode(true);}
document.querySelectorAll('[data-table]').forEach(function(box){
  var name=box.getAttribute('data-table'),all=D.rows[name],heads=D.heads[name];
  var pic=(name in D.img)?D.img[name]:-1;
  var st={q:'',col:-1,dir:1,page:0,rows:all};
  var tools=document.createElement('div');tools.className='tools';
  var input=document.createElement('input');input.type='search';input.placeholder='Filter';
  input.setAttribute('aria-label','Filter '+name);
  var prev=document.createElement('button');prev.textContent='Previous';
  var next=document.createElement('button');next.textContent='Next';
  var info=document.createElement('span');info.className='info';
  tools.append(input,prev,next,info);
  var table=document.createElement('table'),thead=table.createTHead(),tr=thead.insertRow(),tbody=table.createTBody();
  heads.forEach(function(h,i){var th=document.createElement('th');th.textContent=h;
    if(i===pic){th.className='pic';}else{th.onclick=function(){st.dir=(st.col===i)?-st.dir:1;st.col=i;apply();};}
    tr.appendChild(th);});
  box.append(tools,table);
  // Columns of short values (a count, a kind, a status) keep them on one line.
  var short=heads.map(function(_,i){return i!==pic&&all.every(function(r){return String(r[i]).length<=12;});});
  function text(r){return (pic<0?r:r.filter(function(v,i){return i!==pic;})).join('\\u0000').toLowerCase();}
  function apply(){
    var q=st.q.toLowerCase();
    st.rows=q?all.filter(function(r){return text(r).indexOf(q)>=0;}):all.slice();
    if(st.col>=0){var c=st.col,d=st.dir,num=all.every(function(r){return /^\\d+$/.test(r[c]);});
      st.rows.sort(function(a,b){var x=num?+a[c]:a[c],y=num?+b[c]:b[c];return x<y?-d:x>y?d:0;});}
    Array.prototype.forEach.call(tr.cells,function(th,i){if(i!==pic){th.className=i===st.col?(st.dir>0?'asc':'desc'):'';}});
    st.page=0;draw();
  }
  function cell(v,i){var td=document.createElement('td');
    if(i===pic){td.className='pic';
      if(/\\.jpg$/.test(v)){var img=document.createElement('img');img.alt='';img.src=v;
        img.onerror=function(){img.replaceWith(icon('photo'));};td.appendChild(img);}
      else{td.appendChild(icon(v));}}
    else{td.textContent=v;if(short[i]){td.className='short';}}
    return td;}
  function draw(){
    var pages=Math.max(1,Math.ceil(st.rows.length/PAGE));st.page=Math.min(Math.max(0,st.page),pages-1);
    var frag=document.createDocumentFragment();
    st.rows.slice(st.page*PAGE,(st.page+1)*PAGE).forEach(function(r){var row=document.createElement('tr');
      r.forEach(function(v,i){row.appendChild(cell(v,i));});frag.appendChild(row);});
    tbody.replaceChildren(frag);
    info.textContent=st.rows.length+' of '+all.length+' rows, page '+(st.page+1)+' of '+pages;
    prev.disabled=st.page===0;next.disabled=st.page>=pages-1;
  }
  input.oninput=function(){st.q=input.value;apply();};
  prev.onclick=function(){st.page--;draw();};next.onclick=function(){st.page++;draw();};
  draw();
});
var panel=document.querySelector('.months'),NAMES='Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
document.querySelectorAll('.hist .bar').forEach(function(bar){
  bar.onclick=function(){
    var year=bar.getAttribute('data-year'),on=bar.classList.contains('on');
    document.querySelectorAll('.hist .bar').forEach(function(b){b.classList.remove('on');});
    if(on){panel.hidden=true;return;}
    bar.classList.add('on');
    var m=D.months[year]||{},top=1,frag=document.createDocumentFragment();
    NAMES.forEach(function(_,i){var k=(i<9?'0':'')+(i+1);top=Math.max(top,m[k]||0);});
    var h=document.createElement('h3');h.textContent='Months of '+year;frag.appendChild(h);
    NAMES.forEach(function(label,i){var n=m[(i<9?'0':'')+(i+1)]||0,b=document.createElement('div');b.className='bar month';
      var c=document.createElement('span');c.className='n';c.textContent=n;
      var f=document.createElement('span');f.className='fill';f.style.height=(n?Math.max(2,Math.round(120*n/top)):0)+'px';
      var y=document.createElement('span');y.className='y';y.textContent=label;b.append(c,f,y);frag.appendChild(b);});
    panel.replaceChildren(frag);panel.hidden=false;
  };
});
})();
"""
