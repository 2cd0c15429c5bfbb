"""Feedback pages, rendered from our own per-exercise results (never nbgrader's feedback HTML,
which quotes the hidden tests). One table of strings per language, keyed by the same ids."""
from __future__ import annotations

import html

STRINGS = {
    "en": {
        "title": "Feedback",
        "student": "Student",
        "file": "Submitted file",
        "total": "Total",
        "exercise": "Exercise",
        "points": "Points",
        "result": "Result",
        "passed": "passed",
        "failed": "failed",
        "not_attempted": "not attempted yet (the cell still raises NotImplementedError)",
        "solution_raised": "Your solution cell itself raised an error:",
        "sep": ": ",
        "status_graded": "Graded.",
        "status_unreadable": "This file could not be read as a Jupyter notebook, so it was not graded. "
                             "Submit the .ipynb file you worked in.",
        "status_unknown_chapter": "This notebook is not one of the course's chapter notebooks "
                                  "(its chainrule metadata is missing or unknown), so it was not graded. "
                                  "Submit the notebook you downloaded from the course.",
        "status_error": "Grading failed on this notebook; your instructor has been told. Details:",
        "status_timeout": "Grading stopped: the notebook ran longer than the time limit. "
                          "Look for an endless loop or a very slow cell.",
    },
    "zh": {
        "title": "评分反馈",
        "student": "学生",
        "file": "提交的文件",
        "total": "总分",
        "exercise": "练习",
        "points": "得分",
        "result": "结果",
        "passed": "通过",
        "failed": "未通过",
        "not_attempted": "尚未作答（该单元仍然抛出 NotImplementedError）",
        "solution_raised": "你的解答单元本身抛出了错误：",
        "sep": "：",
        "status_graded": "已评分。",
        "status_unreadable": "无法把这个文件读取为 Jupyter 笔记本，因此没有评分。请提交你作答的 .ipynb 文件。",
        "status_unknown_chapter": "这个笔记本不是本课程的章节笔记本（缺少或无法识别 chainrule 元数据），"
                                  "因此没有评分。请提交从课程中下载的笔记本。",
        "status_error": "评分这个笔记本时出错，已通知教师。详情：",
        "status_timeout": "评分已停止：笔记本运行超过了时间限制。请检查是否有死循环或特别慢的单元。",
    },
}

_CSS = """body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.passed{color:#17662b}.failed{color:#a40e0e}pre{white-space:pre-wrap;margin:0;font-size:.9em}"""


def _fmt(x) -> str:
    if x is None or x == "":
        return "–"
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def exercises(cells: dict) -> list[dict]:
    """Per-exercise rows from the worker's per-grade-cell results (kept in notebook order)."""
    rows = []
    for gid in cells:
        c = cells[gid]
        name = gid[: -len("_tests")] if gid.endswith("_tests") else gid
        passed = c["error"] is None and c["score"] >= c["max_score"]
        rows.append({"exercise": name, "score": c["score"], "max_score": c["max_score"],
                     "passed": passed, "error": c["error"], "solution_error": c.get("solution_error")})
    return rows


def render(row: dict, rows: list[dict], title: str = "", detail: str = "") -> str:
    """The HTML page for one grades.csv ``row`` and its per-exercise ``rows``."""
    lang = row.get("language") if row.get("language") in STRINGS else "en"
    s = STRINGS[lang]
    e = html.escape
    head = f"{s['title']}{s['sep']}{title}" if title else s["title"]
    parts = [
        "<!DOCTYPE html>", f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        f'<head><meta charset="utf-8"><title>{e(head)}</title><style>{_CSS}</style></head><body>',
        f"<h1>{e(head)}</h1>",
        f"<p>{e(s['student'])}{s['sep']}<b>{e(row['student_id'])}</b><br>"
        f"{e(s['file'])}{s['sep']}<code>{e(row['file'])}</code></p>",
        f"<p>{e(s['status_' + row['status']])}</p>",
    ]
    if detail and row["status"] == "error":
        parts.append(f"<pre>{e(detail)}</pre>")
    if row["status"] in ("graded", "error", "timeout") and row.get("max_score") not in (None, ""):
        parts.append(f"<p><b>{e(s['total'])}{s['sep']}{_fmt(row['score'])} / {_fmt(row['max_score'])}</b></p>")
    if rows:
        parts.append(f"<table><tr><th>{e(s['exercise'])}</th><th>{e(s['points'])}</th><th>{e(s['result'])}</th></tr>")
        for r in rows:
            sol_err = r.get("solution_error")
            if r["passed"]:
                result = f'<span class="passed">{e(s["passed"])}</span>'
            elif (r["error"] or "").startswith("NotImplementedError") or \
                    (sol_err or "").startswith("NotImplementedError"):
                result = f'<span class="failed">{e(s["not_attempted"])}</span>'
            elif sol_err:
                result = (f'<span class="failed">{e(s["failed"])}</span>'
                          f'<p>{e(s["solution_raised"])}</p><pre>{e(sol_err)}</pre>')
            else:
                msg = f"<pre>{e(r['error'])}</pre>" if r["error"] else ""
                result = f'<span class="failed">{e(s["failed"])}</span>{msg}'
            parts.append(f"<tr><td><code>{e(r['exercise'])}</code></td>"
                         f"<td>{_fmt(r['score'])} / {_fmt(r['max_score'])}</td><td>{result}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
