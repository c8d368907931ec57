"""report.html: the run report as one self-contained page people can open from disk (no network, no server).

Pure: `render(report)` takes the dict `pef.report.build_report` returns and gives the HTML text. The table
rows travel as JSON inside the page and a little plain JavaScript filters, sorts and pages them, so a table
of 300k rows costs one JSON parse, not 300k DOM rows.
"""

from __future__ import annotations

import html
import json
from collections import Counter

_UNPAIRED_STATUSES = ("copied", "error", "not_done", "planned")


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
        steps.append("Unpaired files and sidecars are in Unprocessed/: see the tables below for why.")
    return steps


def retry_command(report: dict) -> str:
    return f"pef --output {report['output']} -p {report['source']} --retry-errors"


def unpaired_rows(report: dict) -> list[list[str]]:
    """Media that got no sidecar: [path, reason, where copied, status]."""
    return [[rel, m.get("reason") or "", m.get("output") or "", m["status"]]
            for rel, m in report["media"].items()
            if "reason" in m and m["status"] in _UNPAIRED_STATUSES]


def orphan_sidecar_rows(report: dict) -> list[list[str]]:
    """Sidecars that fed no media, and unreadable ones: [path, status, reason, where copied]."""
    return [[rel, sc["status"], sc.get("reason") or sc.get("error") or "", sc.get("copied_to") or ""]
            for rel, sc in report["sidecars"].items() if sc["status"] in ("unpaired", "broken")]


def error_rows(report: dict) -> list[list[str]]:
    return [[e["file"], e["error"]] for e in report["errors"]]


def year_histogram(report: dict) -> tuple[dict[str, int], int, int]:
    """Capture years ({year: count}, sorted), media with no date, and dated media whose date the report lacks.

    A date is read from the per-media `details` ("date", ISO text) where a run recorded it; older records
    only say where a date came from, so those are counted apart rather than guessed.
    """
    years: Counter = Counter()
    undated = unrecorded = 0
    for m in report["media"].values():
        details = m.get("details") or {}
        date = details.get("date")
        if details.get("date_source", "none") == "none":
            undated += 1
        elif isinstance(date, str) and date[:4].isdigit():
            years[date[:4]] += 1
        else:
            unrecorded += 1
    return dict(sorted(years.items())), undated, unrecorded


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
    years, undated, unrecorded = year_histogram(report)
    tables = {
        "unpaired": (["Path", "Reason", "Copied to", "Status"], unpaired_rows(report)),
        "sidecars": (["Sidecar", "Status", "Reason", "Copied to"], orphan_sidecar_rows(report)),
        "errors": (["File", "Error"], error_rows(report)),
    }
    data = {name: rows for name, (_, rows) in tables.items()}
    heads = {name: cols for name, (cols, _) in tables.items()}
    sections = [
        ("unpaired", "Unpaired media", "Media pef found no sidecar for; copied unchanged.", ""),
        ("sidecars", "Sidecars without media", "Sidecars that matched no media file, and unreadable ones.", ""),
        ("errors", "Errors", "Files that failed.",
         f'<p>Retry the failed media with: <code>{esc(retry_command(report))}</code></p>'
         if report["summary"]["media_status"].get("error") else ""),
    ]
    body = []
    for name, heading, blurb, extra in sections:
        n = len(data[name])
        body.append(f'<section id="{name}"><h2>{esc(heading)} <span class="count">{n}</span></h2>'
                    f"<p>{esc(blurb)}</p>{extra}")
        if n:
            body.append(f'<div class="table" data-table="{name}"></div>')
        else:
            body.append('<p class="ok">None.</p>')
        body.append("</section>")
    hist = _histogram_html(years, undated, unrecorded)
    payload = json.dumps({"rows": data, "heads": heads}, ensure_ascii=True)
    # "<" only occurs inside JSON strings, where \u003c is the same text and cannot end the script element.
    payload = payload.replace("<", "\\u003c")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{esc(title)}</title><style>{_CSS}</style></head><body>
<header><h1>{esc(title)}</h1>
<p class="meta">Source: <code>{esc(report['source'])}</code><br>Output: <code>{esc(str(report['output']))}</code>
<br>pef {esc(str(report['pef_version']))}</p></header>
<main>{status}
<section id="summary"><h2>Summary</h2><div class="cards">{summary}</div>
<h3>What to do next</h3>{steps_html}</section>
{''.join(body)}
<section id="dates"><h2>Capture years</h2>{hist}</section>
</main>
<script id="pef-data" type="application/json">{payload}</script>
<script>{_JS}</script>
</body></html>
"""


def _histogram_html(years: dict[str, int], undated: int, unrecorded: int) -> str:
    undated_p = f'<p class="undated">Undated: <b>{undated}</b> media file(s) without a capture date.</p>'
    if unrecorded:
        undated_p += (f'<p class="unrecorded">Dated but not shown: <b>{unrecorded}</b> media file(s) whose '
                      "date this report does not record.</p>")
    if not years:
        return "<p>No capture years recorded.</p>" + undated_p
    top = max(years.values())
    bars = "".join(
        f'<div class="bar" title="{y}: {n}"><div class="n">{n}</div>'
        f'<div class="fill" style="height:{max(2, round(160 * n / top))}px"></div><div class="y">{y}</div></div>'
        for y, n in years.items())
    return f'<div class="hist">{bars}</div>{undated_p}'


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 1e5 else f"{n / 1e3:,.0f} kB"


def _duration(seconds: float) -> str:
    minutes, sec = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}h {minutes:02d}m {sec:04.1f}s" if hours else f"{minutes}m {sec:04.1f}s"


_CSS = """
:root{--fg:#1d2330;--muted:#5b6577;--line:#dde2ea;--bg:#f5f7fa;--acc:#2f6fde;--bad:#c0392b;--ok:#1e8449}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}header{background:#1d2330;color:#fff;padding:18px 32px}
header h1{margin:0 0 6px;font-size:22px}.meta{margin:0;color:#c9d1de;font-size:13px}.meta code{color:#fff;background:#343d4f}
main{max-width:1200px;margin:0 auto;padding:16px 32px 48px}section{background:#fff;border:1px solid var(--line);
border-radius:8px;padding:16px 20px;margin:16px 0}h2{margin:0 0 8px;font-size:18px}h3{font-size:15px;margin:16px 0 4px}
.count{background:var(--bg);border:1px solid var(--line);border-radius:10px;padding:0 8px;font-size:13px;color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 12px}.label{color:var(--muted);font-size:12px}
.audit{grid-column:1/-1;margin:4px 0 0}.value{font-size:18px;font-weight:600;word-break:break-word}.ok{color:var(--ok)}.bad{color:var(--bad);font-weight:600}
code{background:var(--bg);padding:1px 4px;border-radius:3px;word-break:break-all}
.tools{display:flex;gap:10px;align-items:center;margin:8px 0}.tools input{flex:1;max-width:360px;padding:6px 8px;
border:1px solid var(--line);border-radius:4px;font:inherit}.tools button{font:inherit;padding:4px 10px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:5px 8px;
border-bottom:1px solid var(--line);vertical-align:top;word-break:break-word}th{cursor:pointer;background:var(--bg);
user-select:none;white-space:nowrap}th.asc::after{content:" \\25B2"}th.desc::after{content:" \\25BC"}
.hist{display:flex;align-items:flex-end;gap:4px;overflow-x:auto;padding:8px 0}.bar{text-align:center;min-width:34px}
.fill{background:var(--acc);border-radius:3px 3px 0 0}.n,.y{font-size:11px;color:var(--muted)}
"""

_JS = """
(function(){
var D=JSON.parse(document.getElementById('pef-data').textContent),PAGE=100;
document.querySelectorAll('[data-table]').forEach(function(box){
  var name=box.getAttribute('data-table'),all=D.rows[name],heads=D.heads[name];
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
    th.onclick=function(){st.dir=(st.col===i)?-st.dir:1;st.col=i;apply();};tr.appendChild(th);});
  box.append(tools,table);
  function apply(){
    var q=st.q.toLowerCase();
    st.rows=q?all.filter(function(r){return r.join('\\u0000').toLowerCase().indexOf(q)>=0;}):all.slice();
    if(st.col>=0){var c=st.col,d=st.dir;st.rows.sort(function(a,b){return a[c]<b[c]?-d:a[c]>b[c]?d:0;});}
    Array.prototype.forEach.call(tr.cells,function(th,i){th.className=i===st.col?(st.dir>0?'asc':'desc'):'';});
    st.page=0;draw();
  }
  function draw(){
    var pages=Math.max(1,Math.ceil(st.rows.length/PAGE));st.page=Math.min(Math.max(0,st.page),pages-1);
    var frag=document.createDocumentFragment();
    st.rows.slice(st.page*PAGE,(st.page+1)*PAGE).forEach(function(r){var row=document.createElement('tr');
      r.forEach(function(v){var td=document.createElement('td');td.textContent=v;row.appendChild(td);});frag.appendChild(row);});
    tbody.replaceChildren(frag);
    info.textContent=st.rows.length+' of '+all.length+' rows, page '+(st.page+1)+' of '+pages;
    prev.disabled=st.page===0;next.disabled=st.page>=pages-1;
  }
  input.oninput=function(){st.q=input.value;apply();};
  prev.onclick=function(){st.page--;draw();};next.onclick=function(){st.page++;draw();};
  draw();
});
})();
"""
