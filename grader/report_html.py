"""The instructor's report page: one self-contained HTML file (inline CSS, a few lines of inline JS
to sort the students' table, plots as inline SVG drawn by matplotlib with the text as paths, so
Chinese shows without any font in the browser). No request leaves the page: a Content-Security-Policy
forbids every fetch. Its sentences are in :mod:`.report_strings`."""
from __future__ import annotations

import html
import io
import re
from datetime import datetime

from .report_strings import STRINGS

_CSS = """*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
max-width:62rem;margin:0 auto;padding:1rem;color:#222;line-height:1.45}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
h3{font-size:1.05rem;margin:1.4rem 0 .4rem}nav a{margin-right:.8rem;white-space:nowrap}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5rem 0}
table{border-collapse:collapse;min-width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;
vertical-align:top}th{background:#f3f3f3;white-space:nowrap}td.n{text-align:right;white-space:nowrap}
td.w{min-width:10rem}
tr.first td{background:#fff4e0;font-weight:600}
table.sortable th{cursor:pointer;user-select:none}table.sortable th[aria-sort=ascending]::after{content:" ▲"}
table.sortable th[aria-sort=descending]::after{content:" ▼"}
.bar{display:inline-block;height:.7em;background:#c0504d;margin-right:.3rem;vertical-align:middle}
pre{white-space:pre-wrap;word-break:break-word;margin:.3rem 0;font-size:.85em;background:#f8f8f8;padding:.3rem}
figure{margin:.5rem 0}svg{max-width:100%;height:auto}.tag{font-size:.85em;color:#a40e0e}
.muted{color:#666;font-size:.9em}td code{white-space:nowrap}h3 code{overflow-wrap:anywhere}"""

_JS = """document.querySelectorAll("table.sortable").forEach(function(t){
t.querySelectorAll("th").forEach(function(th,i){th.tabIndex=0;function go(){
var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),asc=th.getAttribute("aria-sort")!=="ascending";
t.querySelectorAll("th").forEach(function(h){h.removeAttribute("aria-sort")});
th.setAttribute("aria-sort",asc?"ascending":"descending");
rows.sort(function(p,q){var x=p.cells[i].getAttribute("data-v"),y=q.cells[i].getAttribute("data-v"),
nx=parseFloat(x),ny=parseFloat(y),c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c});
rows.forEach(function(r){b.appendChild(r)})}
th.addEventListener("click",go);th.addEventListener("keydown",function(e){if(e.key==="Enter")go()})})});"""

_CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'")


def _fmt(x) -> str:
    if x is None or x == "":
        return "–"
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")


def _title(entry: dict) -> str:
    """The exercise's title from the course manifest, after its id ("" when there is none)."""
    return f' <span class="muted">{html.escape(entry["title"])}</span>' if entry.get("title") else ""


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _when(iso) -> str:
    """An ISO time as ``2026-11-23 08:00:00 UTC`` (as given when it does not parse)."""
    try:
        t = datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso or "?")
    off = t.utcoffset()
    zone = "" if off is None else " UTC" if not off else t.strftime(" %z")
    return t.strftime("%Y-%m-%d %H:%M:%S") + zone


def _dur(seconds, s) -> str:
    if seconds is None:
        return "–"
    seconds = float(seconds)
    if seconds >= 60:
        return s["min"].format(m=int(seconds // 60), s=int(round(seconds % 60)))
    return s["sec"].format(s=f"{seconds:.1f}")


# ---------------------------------------------------------------------- plots
def _svg(fig, uid: str, title: str) -> str:
    """``fig`` as an inline <svg>: no XML prologue, metadata or namespace URLs; ids prefixed by ``uid``
    so that several plots in one page never share an id."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    s = buf.getvalue()
    s = s[s.index("<svg"):]
    s = re.sub(r"<metadata>.*?</metadata>\s*", "", s, flags=re.S)
    s = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", s)
    s = re.sub(r'\bid="([^"]+)"', rf'id="{uid}-\1"', s)
    s = re.sub(r'href="#([^"]+)"', rf'href="#{uid}-\1"', s)
    s = re.sub(r"url\(#([^)]+)\)", rf"url(#{uid}-\1)", s)
    s = s.replace("<svg", f'<svg role="img" aria-label="{html.escape(title)}"', 1)
    return s.replace(">", f"><title>{html.escape(title)}</title>", 1)


def _plots(report: dict, s: dict) -> dict:
    """``{"overview": svg, "mistakes": svg, "chapter:<id>": svg}``; {} without matplotlib."""
    try:
        import matplotlib as mpl
        from matplotlib.figure import Figure
        from matplotlib.ticker import PercentFormatter
    except ImportError:
        return {}
    lang = report["lang"]
    out = {}
    with mpl.rc_context():
        try:
            from coursekit import viz
            viz.style()
            viz.use_chinese_font(first=(lang == "zh"))
        except ImportError:
            pass
        mpl.rcParams.update({"svg.fonttype": "path", "svg.hashsalt": "chainrule-report", "font.size": 9,
                             "axes.titlesize": 11, "axes.labelsize": 10})
        ranked = [e for e in sorted(report["exercises"], key=lambda e: e["rank"]) if e["submissions"]][:15]
        if ranked:
            fig = Figure(figsize=(6.4, 0.32 * len(ranked) + 1.3))
            ax = fig.subplots()
            y = list(range(len(ranked)))
            names = [f"{e['exercise']} ({e['chapter']})" for e in ranked]
            left = [0.0] * len(ranked)
            for key, color in (("zero_share", "#c0504d"), ("partial_share", "#f2a93b"), ("full_share", "#4e9a55")):
                vals = [e[key] or 0.0 for e in ranked]
                ax.barh(y, vals, left=left, color=color, label=s[key[:-6]])
                left = [a + b for a, b in zip(left, vals)]
            ax.set_yticks(y, names)
            ax.invert_yaxis()
            ax.set_xlim(0, 1)
            ax.xaxis.set_major_formatter(PercentFormatter(1.0))
            ax.set_xlabel(s["plot_share"])
            ax.set_title(s["plot_overview"])
            # below the x label: 0.55 inch under the axes, whose height is 77% of the figure's
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.55 / (0.77 * fig.get_figheight())), ncol=3)
            out["overview"] = _svg(fig, "ov", s["plot_overview"])
        pairs = sorted(((c["students"], e["rank"], e["exercise"], c["label"]) for e in report["exercises"]
                        for c in e["categories"]), key=lambda t: (-t[0], t[1], t[3]))[:12]
        if pairs:
            fig = Figure(figsize=(6.4, 0.32 * len(pairs) + 1.0))
            ax = fig.subplots()
            labels = [(f"{ex}{s['sep']}{lab}" if len(lab) <= 40 else f"{ex}{s['sep']}{lab[:39]}…")
                      for _, _, ex, lab in pairs]
            ax.barh(range(len(pairs)), [p[0] for p in pairs], color="#c0504d")
            ax.set_yticks(range(len(pairs)), labels)
            ax.invert_yaxis()
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.set_xlabel(s["plot_students"])
            ax.set_title(s["plot_mistakes"])
            out["mistakes"] = _svg(fig, "mi", s["plot_mistakes"])
        for i, c in enumerate(report["chapters"]):
            if not c["submissions"]:
                continue
            fig = Figure(figsize=(5.2, 2.6))
            ax = fig.subplots()
            xs = [v for v, _ in c["histogram"]]
            gaps = [b - a for a, b in zip(xs, xs[1:])] or [1.0]
            ax.bar(xs, [n for _, n in c["histogram"]], width=0.8 * min(min(gaps), 1.0), color="#4f81bd")
            ax.set_xlim(-0.6, max(c["max_score"] or 0, max(xs)) + 0.6)
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.yaxis.get_major_locator().set_params(integer=True)
            ax.set_xlabel(s["plot_score"].format(max=_fmt(c["max_score"])))
            ax.set_ylabel(s["plot_students"])
            title = s["plot_hist"].format(chapter=" ".join([c["chapter"]] + c["notebooks"][:1]))
            ax.set_title(title)
            out[f"chapter:{c['chapter']}"] = _svg(fig, f"c{i}", title)
    return out


# ---------------------------------------------------------------------- page
def render(report: dict) -> str:
    lang = report["lang"]
    s = STRINGS[lang]
    e = html.escape
    plots = _plots(report, s)
    st = (lambda status: s.get(f"status_{status}", str(status)))
    b = report["batch"]
    p = ["<!DOCTYPE html>", f'<html lang="{"zh-CN" if lang == "zh" else "en"}">', "<head>",
         '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">',
         f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
         f"<title>{e(s['title'])}</title><style>{_CSS}</style></head><body>",
         f"<h1>{e(s['title'])}</h1>",
         f"<p>{e(s['summary'].format(subs=b['submissions'], students=b['students']))}"]
    if b.get("seconds") is not None:
        p.append(" " + e(s["duration"].format(dur=_dur(b["seconds"], s), jobs=b.get("jobs", "?"),
                                              start=_when(b.get("started")), end=_when(b.get("finished")))))
    if b.get("grading_seconds_sum"):
        p.append(" " + e(s["duration_sum"].format(dur=_dur(b["grading_seconds_sum"], s),
                                                  mean=_dur(b["grading_seconds_mean"], s))))
    p.append("</p><nav>" + "\n".join(f'<a href="#{k}">{e(s["nav_" + k])}</a>'
                                     for k in ("reteach", "chapters", "exercises", "students", "problems")) + "</nav>")

    # re-teach first
    p += [f'<h2 id="reteach">{e(s["nav_reteach"])}</h2>', f"<p>{e(s['reteach_intro'])}</p>"]
    if report["ranking"]:
        p.append(f'<div class="scroll"><table><thead><tr><th>{e(s["rank"])}</th><th>{e(s["exercise"])}</th>'
                 f'<th>{e(s["chapter"])}</th><th>{e(s["lost"])}</th><th>{e(s["top_mistake"])}</th></tr></thead><tbody>')
        for r in report["ranking"]:
            top = (f"{e(r['top_category_label'])} ({r['top_category_students']})" if r["top_category"] else "–")
            p.append(f'<tr{" class=first" if r["rank"] == 1 and r["lost"] else ""}><td class="n">{r["rank"]}</td>'
                     f'<td><a href="#ex-{e(r["chapter"])}-{e(r["exercise"])}"><code>{e(r["exercise"])}</code></a>'
                     f'{_title(r)}</td>'
                     f'<td>{e(r["chapter"])}</td><td class="n">{r["lost"]} / {r["submissions"]} '
                     f'({_pct(r["lost_share"])})</td><td>{top}</td></tr>')
        p.append("</tbody></table></div>")
    else:
        p.append(f"<p>{e(s['no_data'])}</p>")
    for key in ("overview", "mistakes"):
        if key in plots:
            p.append(f"<figure>{plots[key]}</figure>")

    # chapters
    p.append(f'<h2 id="chapters">{e(s["nav_chapters"])}</h2>')
    if report["chapters"]:
        p.append(f'<div class="scroll"><table><thead><tr><th>{e(s["chapter"])}</th><th>{e(s["submissions"])}</th>'
                 f'<th>{e(s["max"])}</th><th>{e(s["mean"])}</th><th>{e(s["median"])}</th><th>{e(s["full"])}</th>'
                 f'<th>{e(s["partial"])}</th><th>{e(s["zero"])}</th><th>{e(s["not_graded"])}</th>'
                 f'<th>{e(s["languages"])}</th></tr></thead><tbody>')
        for c in report["chapters"]:
            ng = s["list_sep"].join(f"{e(st(k))} {n}" for k, n in sorted(c["not_graded"].items())) or "–"
            lg = s["list_sep"].join(f"{e(k or '?')} {n}" for k, n in sorted(c["languages"].items())) or "–"
            p.append(f'<tr><td>{e(c["chapter"])} <span class="muted">{e(" ".join(c["notebooks"]))}</span></td>'
                     f'<td class="n">{c["submissions"]}</td><td class="n">{_fmt(c["max_score"])}</td>'
                     f'<td class="n">{_fmt(c["mean"])}</td><td class="n">{_fmt(c["median"])}</td>'
                     + "".join(f'<td class="n">{c[k]} ({_pct(c[k + "_share"])})</td>'
                               for k in ("full", "partial", "zero"))
                     + f'<td class="w">{ng}</td><td>{lg}</td></tr>')
        p.append("</tbody></table></div>")
        for c in report["chapters"]:
            if f"chapter:{c['chapter']}" in plots:
                p.append(f"<figure>{plots['chapter:' + c['chapter']]}</figure>")
    else:
        p.append(f"<p>{e(s['no_data'])}</p>")

    # exercises and their mistakes
    p.append(f'<h2 id="exercises">{e(s["nav_exercises"])}</h2>')
    for x in report["exercises"]:
        hist = s["list_sep"].join(f"{_fmt(v)}{s['sep']}{n}" for v, n in x["histogram"])
        p += [f'<h3 id="ex-{e(x["chapter"])}-{e(x["exercise"])}"><code>{e(x["exercise"])}</code>{_title(x)} '
              f'<span class="muted">{e(x["chapter"])} · {e(s["rank"])} {x["rank"]}</span></h3>',
              f'<p class="muted">{e(s["points"])} {_fmt(x["points"])} · {e(s["submissions"])} {x["submissions"]} · '
              f'{e(s["mean"])} {_fmt(x["mean"])} · {e(s["median"])} {_fmt(x["median"])} · '
              f'{e(s["full"])} {_pct(x["full_share"])} · {e(s["partial"])} {_pct(x["partial_share"])} · '
              f'{e(s["zero"])} {_pct(x["zero_share"])} · {e(s["histogram"])} {e(hist)}</p>']
        if x["categories"]:
            p.append(f'<div class="scroll"><table><thead><tr><th>{e(s["mistake"])}</th><th>{e(s["students"])}</th>'
                     f'<th>{e(s["share"])}</th><th>{e(s["example"])}</th></tr></thead><tbody>')
            for c in x["categories"]:
                width = round(100 * (c["share"] or 0))
                p.append(f'<tr><td>{e(c["label"])} <span class="muted"><code>{e(c["category"])}</code></span></td>'
                         f'<td class="n">{c["students"]}</td><td class="n"><span class="bar" style="width:{width}px">'
                         f'</span>{_pct(c["share"])}</td><td class="w"><details>'
                         f'<summary>{e(s["show_example"])}</summary>'
                         f'<pre>{e(c["example"])}</pre></details></td></tr>')
            p.append("</tbody></table></div>")
        else:
            p.append(f"<p>{e(s['no_mistakes'])}</p>")
        if x["undiagnosed"]:
            p.append(f"<p>{e(s['undiagnosed'].format(n=x['undiagnosed']))}</p>")

    # students
    chaps = [c["chapter"] for c in report["chapters"]]
    chaps += sorted({k for st_ in report["students"] for k in st_["chapters"]} - set(chaps))
    p += [f'<h2 id="students">{e(s["nav_students"])}</h2>', f'<p class="muted">{e(s["sort_hint"])}</p>',
          f'<div class="scroll"><table class="sortable"><thead><tr><th>{e(s["student"])}</th>'
          f'<th>{e(s["total"])}</th>' + "".join(f"<th>{e(k)}</th>" for k in chaps) + "</tr></thead><tbody>"]
    for row in report["students"]:
        cells = [f'<td data-v="{e(row["student_id"])}">{e(row["student_id"])}</td>',
                 f'<td class="n" data-v="{row["total"]}">{_fmt(row["total"])} / {_fmt(row["max_total"])}</td>']
        for k in chaps:
            c = row["chapters"].get(k)
            if c is None:
                cells.append('<td class="n" data-v="-1">–</td>')
                continue
            tag = "" if c["status"] == "graded" else f' <span class="tag">{e(st(c["status"]))}</span>'
            v = c["score"] if c["score"] is not None else -0.5
            cells.append(f'<td class="n" data-v="{v}">{_fmt(c["score"])} / {_fmt(c["max_score"])}{tag}</td>')
        p.append("<tr>" + "".join(cells) + "</tr>")
    p.append("</tbody></table></div>")

    # submissions that need a look
    p.append(f'<h2 id="problems">{e(s["nav_problems"])}</h2>')
    if report["problems"]:
        p.append(f'<div class="scroll"><table><thead><tr><th>{e(s["student"])}</th><th>{e(s["file"])}</th>'
                 f'<th>{e(s["status"])}</th><th>{e(s["score"])}</th><th>{e(s["detail"])}</th></tr></thead><tbody>')
        for r in report["problems"]:
            p.append(f'<tr><td>{e(r["student_id"])}</td><td><code>{e(r["file"])}</code></td>'
                     f'<td class="tag">{e(st(r["status"]))}</td><td class="n">{_fmt(r["score"])}</td>'
                     f'<td class="w"><pre>{e(r["detail"][:2000])}</pre></td></tr>')
        p.append("</tbody></table></div>")
    else:
        p.append(f"<p>{e(s['none'])}</p>")
    if report["not_counted"]:
        p.append(f"<p>{e(s['not_counted'])}</p><ul>" + "".join(
            f"<li>{e(r['student_id'])}{s['sep']}<code>{e(r['file'])}</code> "
            f"({e(st(r['status']))}{s['list_sep']}{_fmt(r['score'])})</li>"
            for r in report["not_counted"]) + "</ul>")
    p += [f'<p class="muted">{e(s["method"])}</p>', f"<script>{_JS}</script>", "</body></html>"]
    return "\n".join(p) + "\n"
