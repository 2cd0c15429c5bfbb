"""The instructor's report (grader/report.py) on a synthetic class, built as results.jsonl rows.

The class: 20 students hand in ch03 (affine_backward 2 points, relu_backward 1, softmax_cross_entropy 2):
  s01..s07  affine_backward fails with missing_batch_sum (7)
  s08..s11  relu_backward fails with transpose (4)
  s17       softmax_cross_entropy fails without a category (undiagnosed)
  s18..s20  blank: not_implemented in every exercise (3)
  the others (s12..s16) pass everything.
  s02's line appears twice (re-graded): the first says transpose in relu_backward too, the last one wins.
  s06 also handed in a second, flagged ch03 file: not counted (the graded one counts).
ch01 (central_difference 1, relative_error 1): s01..s05 graded (s01: factor_2 in central_difference),
  s12 flagged, s13 crashed, s14 timeout, s15 error; s16 handed in an unreadable file.
Every failure message names the student (id and a path with it), which the report must not repeat.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # grader/ is not an installed package
from grader import report as rp  # noqa: E402
from grader.report_strings import LABELS, category_label  # noqa: E402

CH03 = [("affine_backward", 2.0), ("relu_backward", 1.0), ("softmax_cross_entropy", 2.0)]
CH01 = [("central_difference", 1.0), ("relative_error", 1.0)]
MESSAGE = {
    "missing_batch_sum": ("✗ {ex}: case 2 of 4 failed: N = 5 samples\n  dw, shape (3, 4): 12 of 12 elements are "
                          "wrong; expected 1.25, got 0.31\n  Hint: Your result still has the batch axis (axis 0, "
                          "size 5); summed over it, it is right.\n  (/home/{sid}/work, {sid}@uni.example.edu)"),
    "transpose": "✗ {ex}: case 1 of 3 failed ({sid})\n  Hint: Your result is the transpose of the expected one.",
    "not_implemented": "{ex} still raises NotImplementedError. ({sid})",
    "factor_2": "✗ {ex}: case 1 of 2 failed\n  Hint: Your result is twice the expected value. {sid}",
    None: "✗ {ex}: case 3 of 3 failed for {sid}: something else",
}


def row(sid, chapter, failures=None, status="graded", sha=None, blank=False, detail="", lang="en"):
    exs = CH03 if chapter == "ch03" else CH01
    items = []
    for ex, pts in exs:
        cat = "not_implemented" if blank else (failures or {}).get(ex, "pass")
        if cat == "pass":
            items.append({"id": ex, "grade_id": ex + "_tests", "points": pts, "score": pts, "status": "passed",
                          "category": None, "message": ""})
        else:
            items.append({"id": ex, "grade_id": ex + "_tests", "points": pts, "score": 0.0, "status": "failed",
                          "category": cat, "message": MESSAGE[cat].format(ex=ex, sid=sid)})
    score = sum(i["score"] for i in items)
    nb = "ch03_mlp" if chapter == "ch03" else "ch01_numerical"
    return {"student_id": sid, "file": f"{sid}/{nb}.ipynb", "sha256": sha or f"sha-{sid}-{chapter}",
            "notebook": nb, "chapter": chapter, "language": lang, "status": status,
            "score": score, "max_score": sum(p for _, p in exs), "seconds": 2.0, "detail": detail,
            "exercises": items if status == "graded" else []}


def sid(i):
    return f"s{i:02d}"


def class_rows():
    rows = []
    for i in range(1, 21):
        fail = {}
        if i <= 7:
            fail["affine_backward"] = "missing_batch_sum"
        if 8 <= i <= 11:
            fail["relu_backward"] = "transpose"
        if i == 17:
            fail["softmax_cross_entropy"] = None
        if i == 2:  # the first, superseded grading of s02's file
            rows.append(row(sid(i), "ch03", {**fail, "relu_backward": "transpose"}))
        rows.append(row(sid(i), "ch03", fail, blank=i >= 18, lang="zh" if i in (3, 9) else "en"))
    rows.append(row("s06", "ch03", status="flagged", sha="other", detail="grade cells changed"))
    for i in range(1, 6):
        rows.append(row(sid(i), "ch01", {"central_difference": "factor_2"} if i == 1 else {}))
    for i, status in ((12, "flagged"), (13, "crashed"), (14, "timeout"), (15, "error")):
        r = row(sid(i), "ch01", status=status, detail=f"{status} detail")
        r["score"] = 0.0 if status != "error" else None
        rows.append(r)
    rows.append({"student_id": "s16", "file": "s16/notes.txt", "sha256": "x", "notebook": "", "chapter": "",
                 "language": "", "status": "unreadable", "score": None, "max_score": None, "seconds": 0.1,
                 "detail": "not a notebook", "exercises": []})
    return rows


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    d = tmp_path_factory.mktemp("out")
    lines = [json.dumps(r, ensure_ascii=False) for r in class_rows()]
    lines.insert(5, "")
    (d / "results.jsonl").write_text("\n".join(lines) + '\n{"student_id": "s99", "fi', encoding="utf-8")
    (d / "batch.json").write_text(json.dumps({"started": "2026-11-23T08:00:00+00:00", "jobs": 2,
                                              "finished": "2026-11-23T08:03:05+00:00", "seconds": 185.0,
                                              "graded": 27}), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def en(out):
    report = rp.build_report(out, "en")
    return report, (out / "report" / "index.html").read_text(encoding="utf-8"), \
        list(csv.DictReader(open(out / "report" / "exercises.csv", encoding="utf-8-sig")))


@pytest.fixture(scope="module")
def zh(out, en):  # after en: the files on disk are then the zh ones
    report = rp.build_report(out, "zh")
    return report, (out / "report" / "index.html").read_text(encoding="utf-8"), \
        json.loads((out / "report" / "report.json").read_text(encoding="utf-8"))


def ex(report, name):
    return next(e for e in report["exercises"] if e["exercise"] == name)


def cats(report, name):
    return {c["category"]: (c["students"], c["share"]) for c in ex(report, name)["categories"]}


def test_counts_and_shares_in_report(en):
    report, _, _ = en
    assert cats(report, "affine_backward") == {"missing_batch_sum": (7, 0.35), "not_implemented": (3, 0.15)}
    assert cats(report, "relu_backward") == {"transpose": (4, 0.2), "not_implemented": (3, 0.15)}
    assert cats(report, "softmax_cross_entropy") == {"not_implemented": (3, 0.15)}
    assert cats(report, "central_difference") == {"factor_2": (1, 0.2)}
    a = ex(report, "affine_backward")
    assert (a["submissions"], a["lost"], a["full"], a["partial"], a["zero"]) == (20, 10, 10, 0, 10)
    assert (a["lost_share"], a["mean"], a["median"], a["histogram"]) == (0.5, 1.0, 1.0, [[0.0, 10], [2.0, 10]])
    assert a["categories"][0]["share_of_lost"] == 0.7
    assert ex(report, "softmax_cross_entropy")["undiagnosed"] == 1
    assert ex(report, "relu_backward")["undiagnosed"] == 0


def test_ranking(en):
    report, html, _ = en
    order = [(r["exercise"], r["lost"]) for r in report["ranking"]]
    assert order == [("affine_backward", 10), ("relu_backward", 7), ("softmax_cross_entropy", 4),
                     ("central_difference", 1), ("relative_error", 0)]
    assert report["ranking"][0]["top_category"] == "missing_batch_sum"
    assert html.index("affine_backward") < html.index("relu_backward")


def test_chapters_students_problems(en):
    report, html, _ = en
    ch01, ch03 = report["chapters"]
    assert (ch03["chapter"], ch03["submissions"], ch03["max_score"]) == ("ch03", 20, 5.0)
    # scores: 7 × 3 (affine), 4 × 4 (relu), 1 × 3 (softmax), 3 × 0 (blank), 5 × 5
    assert ch03["histogram"] == [[0.0, 3], [3.0, 8], [4.0, 4], [5.0, 5]]
    assert (ch03["full"], ch03["partial"], ch03["zero"]) == (5, 12, 3)
    assert ch03["languages"] == {"en": 18, "zh": 2}
    assert ch01["submissions"] == 5 and ch01["not_graded"] == {"crashed": 1, "error": 1, "flagged": 1, "timeout": 1}
    students = {s["student_id"]: s for s in report["students"]}
    assert len(students) == 20
    assert (students["s01"]["total"], students["s01"]["max_total"]) == (4.0, 7.0)
    assert students["s06"]["chapters"]["ch03"]["status"] == "graded"
    assert students["s13"]["chapters"]["ch01"]["status"] == "crashed"
    assert [(p["student_id"], p["status"]) for p in report["problems"]] == [
        ("s06", "flagged"), ("s12", "flagged"), ("s13", "crashed"), ("s14", "timeout"), ("s15", "error"),
        ("s16", "unreadable")]
    assert [p["student_id"] for p in report["not_counted"]] == ["s06"]
    b = report["batch"]
    assert (b["submissions"], b["students"], b["bad_lines"], b["seconds"]) == (31, 20, 1, 185.0)
    assert "3 min 5 s" in html and 'class="sortable"' in html


def test_csv(en):
    _, _, rows = en
    assert list(rows[0]) == rp.CSV_COLUMNS
    by = {(r["exercise"], r["category"]): r for r in rows}
    assert len(rows) == 7  # 2 + 2 + 1 + 1 categories, and one row without a category
    r = by[("affine_backward", "missing_batch_sum")]
    assert (r["rank"], r["students"], r["share"], r["submissions"], r["lost"], r["points"]) == \
        ("1", "7", "0.35", "20", "10", "2")
    assert (r["histogram"], r["category_label"], r["share_of_lost"]) == \
        ("0:10 2:10", "missing sum over the batch", "0.7")
    assert by[("relu_backward", "transpose")]["students"] == "4"
    assert by[("relu_backward", "not_implemented")]["share"] == "0.15"
    assert by[("softmax_cross_entropy", "not_implemented")]["undiagnosed"] == "1"
    assert by[("relative_error", "")]["lost"] == "0"


def test_examples_are_anonymised_and_short(en):
    report, html, rows = en
    examples = [c["example"] for e in report["exercises"] for c in e["categories"]]
    assert examples and all(len(x) <= rp.EXAMPLE_CHARS + 2 for x in examples)
    for x in examples + [r["example"] for r in rows]:
        assert not re.search(r"s\d\d", x) and "@" not in x
    assert "[student]" in ex(report, "affine_backward")["categories"][0]["example"]
    assert "Hint: Your result still has the batch axis" in ex(report, "affine_backward")["categories"][0]["example"]
    assert rp.anonymise("x" * 1000, "s01").endswith("…") and len(rp.anonymise("S01 and s01", "s01")) == 23


def test_html_self_contained(en, zh):
    for html in (en[1], zh[1]):
        assert "http://" not in html and "https://" not in html
        assert not re.search(r"<(script|img|link|iframe)[^>]*\b(src|href)=", html, re.I)
        assert not re.search(r"\b(src|href)=\"(?!#)", html)
        assert "Content-Security-Policy" in html and 'name="viewport"' in html
        assert html.count("<svg") == 4  # overview, mistakes, one histogram per chapter
        assert "<text" not in html  # text drawn as paths: Chinese shows without fonts
        ids = re.findall(r'\bid="([^"]+)"', html)
        assert len(ids) == len(set(ids))
        assert not re.search(r"s(0[1-9]|1\d|20)", re.sub(r'<table class="sortable">.*?</table>|'
                                                          r'<h2 id="problems">.*', "", html, flags=re.S))


def test_zh(zh):
    report, html, on_disk = zh
    assert on_disk["lang"] == "zh" and html.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    for text in ("班级报告", "优先重讲", "缺少沿批次轴的求和", "结果被转置", "未作答", "学生成绩", "3 分 5 秒"):
        assert text in html
    assert "[学生]" in ex(report, "affine_backward")["categories"][0]["example"]
    assert "<title>各练习得分情况（失分最多的在前）</title>" in html
    assert cats(report, "affine_backward") == {"missing_batch_sum": (7, 0.35), "not_implemented": (3, 0.15)}


def test_labels():
    from coursekit.checks.messages import MESSAGES
    assert set(LABELS["en"]) == set(LABELS["zh"]) <= set(MESSAGES["en"])
    for lang in ("en", "zh"):
        for key in MESSAGES[lang]:
            label = category_label(key, lang)
            assert label and not re.search(r"\{[A-Za-z_]\w*(![rsa])?\}", label) and len(label) <= 90, (key, label)
    assert category_label("grad_missing_batch_sum", "zh") == "权重梯度没有沿批次求和"
    assert category_label("lstm_missing_dc", "en").startswith("…: the dc coming from the next step")
    assert category_label("no_such_category", "zh") == "no_such_category"


def test_default_lang_and_cli(tmp_path, monkeypatch, capsys):
    assert rp.default_lang({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert rp.default_lang({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert rp.default_lang({"LC_ALL": "zh_TW.UTF-8"}) == "zh" and rp.default_lang({}) == "en"
    assert rp.main([str(tmp_path)]) == 2
    (tmp_path / "results.jsonl").write_text(json.dumps(row("s01", "ch01")) + "\n", encoding="utf-8")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert rp.main([str(tmp_path)]) == 0
    assert json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))["lang"] == "zh"
    assert rp.main([str(tmp_path), "--lang", "en"]) == 0
    assert "1 submission(s)" in capsys.readouterr().err


def test_strings_tables_match():
    from string import Formatter

    from grader.report_strings import STRINGS
    assert set(STRINGS["en"]) == set(STRINGS["zh"])
    for key, text in STRINGS["en"].items():
        fields = ({f for _, f, _, _ in Formatter().parse(t) if f} for t in (text, STRINGS["zh"][key]))
        assert next(fields) == next(fields), key


def test_empty_and_partial_results(tmp_path):
    (tmp_path / "results.jsonl").write_text("", encoding="utf-8")
    report = rp.build_report(tmp_path, "zh")
    assert report["exercises"] == [] and report["ranking"] == [] and report["batch"]["submissions"] == 0
    html = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "还没有已评分的提交" in html and "<svg" not in html
    odd = {"student_id": "s01", "file": "s01/a.ipynb", "sha256": "1", "chapter": "ch03", "status": "graded",
           "score": None, "max_score": None, "exercises": [{"id": "x", "status": "crashed"}, "junk", {}]}
    (tmp_path / "results.jsonl").write_text(json.dumps(odd) + "\n", encoding="utf-8")
    report = rp.build_report(tmp_path, "en")
    x = report["exercises"][0]
    assert (x["exercise"], x["submissions"], x["lost"], x["undiagnosed"]) == ("x", 1, 0, 0)
    assert x["statuses"] == {"crashed": 1}
