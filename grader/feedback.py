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
        "not_attempted": "not attempted yet (the function still raises NotImplementedError)",
                "sep": ": ",
        "status_graded": "Graded.",
        "status_unreadable": "This file could not be read as a Jupyter notebook, so it was not graded. "
                             "Submit the .ipynb file you worked in.",
        "status_unknown_chapter": "This notebook is not one of the course's chapter notebooks "
                                  "(its chainrule metadata is missing or unknown), so it was not graded. "
                                  "Submit the notebook you downloaded from the course.",
        "status_too_large": "This file is too large to be graded (the limit per notebook is below), so it was "
                            "not graded. Saved outputs (images, long printouts) make a notebook this big: clear "
                            "them (Kernel > Restart & Clear Output), save, and submit again.",
        "status_not_notebook": "This file is not a Jupyter notebook (.ipynb), so it was not graded. Only "
                               "notebooks are graded: submit the .ipynb file you worked in.",
        "status_error": "Grading failed on this notebook; your instructor has been told. Details:",
        "status_timeout": "Some exercises were stopped at the time limit (look for an endless loop or "
                          "a very slow function); the others were graded.",
        "status_crashed": "Your code ended the Python process while it was being graded (os._exit, a "
                          "crash or too much memory); the exercises it took down score 0, the others were graded.",
        "status_flagged": "Graded, but the graded cells of this notebook were changed (tests edited, deleted, "
                          "duplicated or re-tagged, or points changed): those exercises score 0.",
        "ex_failed": "",
        "ex_timeout": "Stopped: it took longer than the time limit per exercise.",
        "ex_crashed": "Stopped: the Python process running your code ended (os._exit, a crash, or more "
                      "memory than allowed).",
        "ex_tampered": "Not graded: the exercise's tests cell differs from the one you received.",
        "ex_not_defined": "Your function (or class) was not found: its cell was deleted, renamed, or has a "
                          "syntax error.",
        "tamper_tests_deleted": "(the tests cell was deleted)",
        "tamper_tests_edited": "(the tests cell was edited)",
        "tamper_tests_duplicated": "(the tests cell appears twice)",
        "tamper_points_changed": "(its points were changed)",
        "tamper_tests_retagged": "(its nbgrader metadata was changed)",
        "tamper_solution_retagged": "(the solution cell is missing, duplicated or re-tagged)",
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
        "not_attempted": "尚未作答（函数仍然抛出 NotImplementedError）",
                "sep": "：",
        "status_graded": "已评分。",
        "status_unreadable": "无法把这个文件读取为 Jupyter 笔记本，因此没有评分。请提交你作答的 .ipynb 文件。",
        "status_unknown_chapter": "这个笔记本不是本课程的章节笔记本（缺少或无法识别 chainrule 元数据），"
                                  "因此没有评分。请提交从课程中下载的笔记本。",
        "status_too_large": "这个文件太大，超过了每个笔记本的大小上限（见下方说明），因此没有评分。笔记本变得这么大，"
                            "通常是因为保存了输出（图片、很长的打印内容）：请清除输出（Kernel > Restart & Clear "
                            "Output），保存后重新提交。",
        "status_not_notebook": "这个文件不是 Jupyter 笔记本（.ipynb），因此没有评分。只有笔记本会被评分："
                               "请提交你作答的 .ipynb 文件。",
        "status_error": "评分这个笔记本时出错，已通知教师。详情：",
        "status_timeout": "部分练习因超过时间限制而被终止（请检查是否有死循环或特别慢的函数），其余练习已正常评分。",
        "status_crashed": "评分过程中你的代码结束了 Python 进程（os._exit、崩溃或内存超限）；受影响的练习记 0 分，其余练习已正常评分。",
        "status_flagged": "已评分，但这个笔记本中参与评分的单元被改动过（测试被编辑、删除、复制或改了标记，或分值被改）：这些练习记 0 分。",
        "ex_failed": "",
        "ex_timeout": "已终止：运行时间超过了每道练习的时间限制。",
        "ex_crashed": "已终止：运行你代码的 Python 进程结束了（os._exit、崩溃或内存超限）。",
        "ex_tampered": "未评分：这道练习的测试单元与你收到的版本不同。",
        "ex_not_defined": "没有找到你的函数（或类）：它所在的单元被删除、改了名字，或者有语法错误。",
        "tamper_tests_deleted": "（测试单元被删除）",
        "tamper_tests_edited": "（测试单元被编辑）",
        "tamper_tests_duplicated": "（测试单元出现了两次）",
        "tamper_points_changed": "（分值被改动）",
        "tamper_tests_retagged": "（nbgrader 元数据被改动）",
        "tamper_solution_retagged": "（解答单元缺失、重复或改了标记）",
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


def render(row: dict, title: str = "") -> str:
    """The HTML page for one result row (see :mod:`grader.batch`): the status, the total and a
    line per exercise with the check's own feedback (never test code)."""
    lang = row.get("language") if row.get("language") in STRINGS else "en"
    s = STRINGS[lang]
    e = html.escape
    head = f"{s['title']}{s['sep']}{title}" if title else s["title"]
    parts = [
        "<!DOCTYPE html>", f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(head)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(head)}</h1>",
        f"<p>{e(s['student'])}{s['sep']}<b>{e(row['student_id'])}</b><br>"
        f"{e(s['file'])}{s['sep']}<code>{e(row['file'])}</code></p>",
        f"<p>{e(s.get('status_' + row['status'], row['status']))}</p>",
    ]
    if row.get("language") not in STRINGS and "status_" + row["status"] in STRINGS["zh"]:
        # a file that could not be read has no language: say it in the course's other language too
        parts.append(f'<p lang="zh-CN">{e(STRINGS["zh"]["status_" + row["status"]])}</p>')
    if row.get("detail") and row["status"] in ("error", "unreadable", "too_large", "not_notebook"):
        parts.append(f"<pre>{e(row['detail'])}</pre>")
    if row.get("max_score") not in (None, ""):
        parts.append(f"<p><b>{e(s['total'])}{s['sep']}{_fmt(row['score'])} / {_fmt(row['max_score'])}</b></p>")
    if row.get("exercises"):
        parts.append(f"<table><tr><th>{e(s['exercise'])}</th><th>{e(s['points'])}</th><th>{e(s['result'])}</th></tr>")
        for r in row["exercises"]:
            parts.append(f"<tr><td><code>{e(r['id'])}</code></td>"
                         f"<td>{_fmt(r['score'])} / {_fmt(r['points'])}</td><td>{_result(r, s)}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _result(r: dict, s: dict) -> str:
    e = html.escape
    if r["status"] == "passed":
        return f'<span class="passed">{e(s["passed"])}</span>'
    if r.get("category") == "not_implemented":
        return f'<span class="failed">{e(s["not_attempted"])}</span>'
    text = s.get("ex_" + r["status"], "")
    if r["status"] == "tampered":
        text += " " + s.get("tamper_" + str(r.get("category")), "")
    if r.get("category") == "not_defined":
        text = s["ex_not_defined"]
    out = f'<span class="failed">{e(s["failed"])}</span>'
    if text.strip():
        out += f"<p>{e(text.strip())}</p>"
    if r.get("message"):
        out += f"<pre>{e(r['message'])}</pre>"
    return out
