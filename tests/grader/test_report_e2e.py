"""The instructor's report end to end: a synthetic class graded by the real grader in ONE batch
(``python -m grader grade SUBS --out OUT --jobs 2``), then its report checked figure by figure, and
the page opened from file:// in headless Chromium, in English and in Chinese, on a desktop and a
phone screen.

The class: 20 students hand in chapter 3 (``ch03_mlp``: its exercises and points from the course
manifest), built from the course and solution notebooks with ``fill_solutions``; 5 of them work in
the zh notebook.

  7  affine_backward with ``db = dout`` (no sum over the batch): the check diagnoses
     ``db_missing_batch_sum``. Their two_layer_net calls that affine_backward, so it fails too,
     with the same diagnosis (``grads['b2']`` keeps the batch axis): all but those two exercises.
  4  sigmoid_backward returning the transpose of dx: ``transpose``; all but sigmoid_backward.
  3  blank (the course notebook as released): ``not_implemented`` in every exercise; 0 points.
  6  honest: full marks.

Screenshots go to ``test-artifacts/report/`` (emptied first).
"""
from __future__ import annotations

import copy
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from coursekit import manifest as course_manifest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "course"))

from course_helpers import fill_solutions, grade_id, read  # noqa: E402

NOTEBOOK = "ch03_mlp"
# exercise: points, in the notebook's order (the course's manifest: a new exercise joins the class)
POINTS = {e.id: e.points for e in course_manifest.load().for_notebook("ch03")}
TOTAL = sum(POINTS.values())
# kind -> (how many, of which in zh)
CLASS = {"batch_sum": (7, 2), "transpose": (4, 1), "blank": (3, 1), "honest": (6, 1)}
# batch_sum loses affine_backward and two_layer_net (which calls the student's affine_backward)
SCORE = {"batch_sum": TOTAL - POINTS["affine_backward"] - POINTS["two_layer_net"],
         "transpose": TOTAL - POINTS["sigmoid_backward"], "blank": 0.0, "honest": TOTAL}
N = sum(n for n, _ in CLASS.values())
# the edits, each checked to apply exactly once (en and zh share the code)
EDITS = {"batch_sum": ("affine_backward", "db = dout.sum(axis=0)", "db = dout"),
         "transpose": ("sigmoid_backward", "return dout * out * (1.0 - out)", "return (dout * out * (1.0 - out)).T")}
GRADE_TIMEOUT = 600
CJK = re.compile(r"[\u4e00-\u9fff]")
SID = re.compile(r"stud\d\d")


def _students() -> list[tuple[str, str, str]]:
    """(student id, kind, language); the ids follow a fixed permutation, so kind and id order differ."""
    slots = [(kind, "zh" if i >= n - zh else "en") for kind, (n, zh) in CLASS.items() for i in range(n)]
    order = sorted(range(N), key=lambda i: (i * 7) % N)  # a fixed permutation (7 and 20 are coprime)
    return [(f"stud{k + 1:02d}", *slots[i]) for k, i in enumerate(order)]


def _edit(nb, kind):
    exercise, old, new = EDITS[kind]
    cell = next(c for c in nb.cells if grade_id(c) == exercise and c.metadata["nbgrader"].get("solution"))
    assert cell.source.count(old) == 1, (exercise, cell.source)
    cell.source = cell.source.replace(old, new)
    return nb


def _hidden_lines() -> set[str]:
    lines = set()
    for lang in ("en", "zh"):
        for cell in read(REPO / "solutions" / lang / f"{NOTEBOOK}.ipynb").cells:
            m = re.search(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S)
            if m:
                lines |= {line.strip() for line in m.group(1).splitlines() if line.strip()}
    return lines


def _run(args, what):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO), str(REPO / "src")] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])))
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=GRADE_TIMEOUT)
    assert proc.returncode == 0, f"{what} exited with {proc.returncode}:\n{proc.stderr[-3000:]}"
    return proc, time.perf_counter() - t


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """Build the class, grade it in one batch (report in en), and build the zh report in a copy."""
    tmp = tmp_path_factory.mktemp("report_e2e")
    subs, out, out_zh = tmp / "subs", tmp / "out", tmp / "out_zh"
    notebooks = {}
    for lang in ("en", "zh"):
        course = read(REPO / "course" / lang / f"{NOTEBOOK}.ipynb")
        honest = fill_solutions(course, read(REPO / "solutions" / lang / f"{NOTEBOOK}.ipynb"))
        notebooks[lang] = {"honest": honest, "blank": course,
                           **{kind: _edit(copy.deepcopy(honest), kind) for kind in EDITS}}
    students = _students()
    for sid, kind, lang in students:
        (subs / sid).mkdir(parents=True)
        nbformat.write(notebooks[lang][kind], str(subs / sid / f"{NOTEBOOK}.ipynb"))
    proc, seconds = _run(["grade", subs, "--out", out, "--jobs", "2", "--lang", "en"], "the batch")
    print(f"\nreport e2e: {N} notebooks graded in {seconds:.1f} s")
    shutil.copytree(out, out_zh)
    _run(["report", out_zh, "--lang", "zh"], "the zh report")
    return {"students": students, "out": out, "out_zh": out_zh, "proc": proc, "seconds": seconds,
            "kind": {sid: kind for sid, kind, _ in students}}


def _report(out: Path) -> dict:
    return json.loads((out / "report" / "report.json").read_text(encoding="utf-8"))


def _csv(out: Path) -> list[dict]:
    with open(out / "report" / "exercises.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _results(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _expected_categories() -> dict[str, dict[str, int]]:
    batch, transpose, blank = (CLASS[k][0] for k in ("batch_sum", "transpose", "blank"))
    cats = {ex: {"not_implemented": blank} for ex in POINTS}
    cats["affine_backward"]["db_missing_batch_sum"] = batch
    cats["two_layer_net"]["db_missing_batch_sum"] = batch   # it calls the student's affine_backward
    cats["sigmoid_backward"]["transpose"] = transpose
    return cats


# ---------------------------------------------------------------------- the batch itself
def test_the_class_is_graded_as_built(graded_class):
    rows = _results(graded_class["out"])
    assert len(rows) == N and {r["status"] for r in rows} == {"graded"}
    for r in rows:
        kind = graded_class["kind"][r["student_id"]]
        assert (r["notebook"], r["score"], r["max_score"]) == (NOTEBOOK, SCORE[kind], sum(POINTS.values())), r
        failed = {e["id"]: e["category"] for e in r["exercises"] if e["status"] != "passed"}
        if kind == "blank":
            assert failed == {ex: "not_implemented" for ex in POINTS}
        elif kind == "batch_sum":
            assert failed == {"affine_backward": "db_missing_batch_sum", "two_layer_net": "db_missing_batch_sum"}
        elif kind == "transpose":
            assert failed == {"sigmoid_backward": "transpose"}
        else:
            assert failed == {}
    languages = {r["student_id"]: r["language"] for r in rows}
    assert languages == {sid: lang for sid, _, lang in graded_class["students"]}


# ---------------------------------------------------------------------- report.json
def test_counts_and_shares_per_exercise_and_category(graded_class):
    report = _report(graded_class["out"])
    assert report["lang"] == "en"
    exercises = {e["exercise"]: e for e in report["exercises"]}
    assert list(exercises) == list(POINTS)   # the notebook's order
    for ex, cats in _expected_categories().items():
        e = exercises[ex]
        got = {c["category"]: (c["students"], c["share"]) for c in e["categories"]}
        assert got == {c: (n, round(n / N, 6)) for c, n in cats.items()}, ex
        lost = sum(cats.values())
        assert (e["chapter"], e["points"], e["submissions"], e["lost"], e["undiagnosed"]) == \
            ("ch03", POINTS[ex], N, lost, 0), ex
        assert (e["full"], e["partial"], e["zero"]) == (N - lost, 0, lost), ex
        assert (e["full_share"], e["zero_share"], e["lost_share"]) == \
            (round((N - lost) / N, 6), round(lost / N, 6), round(lost / N, 6)), ex
        assert e["histogram"] == [[0.0, lost], [POINTS[ex], N - lost]], ex
        assert e["mean"] == round(POINTS[ex] * (N - lost) / N, 6), ex
        for c in e["categories"]:
            assert c["share_of_lost"] == round(c["students"] / lost, 6)
        assert [c["students"] for c in e["categories"]] == sorted((c["students"] for c in e["categories"]),
                                                                  reverse=True)
    a = exercises["affine_backward"]
    assert [(c["category"], c["students"], c["share"], c["share_of_lost"], c["label"]) for c in a["categories"]] == [
        ("db_missing_batch_sum", 7, 0.35, 0.7, "bias gradient not summed over the batch"),
        ("not_implemented", 3, 0.15, 0.3, "left blank (NotImplementedError)")]
    assert (a["mean"], a["median"]) == (1.0, 1.0)
    s = exercises["sigmoid_backward"]
    assert [(c["category"], c["students"], c["share"]) for c in s["categories"]] == [
        ("transpose", 4, 0.2), ("not_implemented", 3, 0.15)]


def test_blank_students_count_under_not_implemented(graded_class):
    """The 3 blank students, and only they, are the not_implemented of every exercise."""
    blank = {sid for sid, kind, _ in graded_class["students"] if kind == "blank"}
    assert len(blank) == CLASS["blank"][0]
    for r in _results(graded_class["out"]):
        ni = {e["id"] for e in r["exercises"] if e["category"] == "not_implemented"}
        assert ni == (set(POINTS) if r["student_id"] in blank else set()), r["student_id"]
    report = _report(graded_class["out"])
    for e in report["exercises"]:
        assert {c["category"]: c["students"] for c in e["categories"]}["not_implemented"] == len(blank)


def test_ranking_most_missed_first(graded_class):
    report = _report(graded_class["out"])
    ranking = [(r["rank"], r["exercise"], r["lost"], r["top_category"], r["top_category_students"])
               for r in report["ranking"]]
    first = ["affine_backward", "two_layer_net", "sigmoid_backward"]
    rest = [ex for ex in POINTS if ex not in first]        # lost by the blank students only, notebook order
    assert ranking == [
        (1, "affine_backward", 10, "db_missing_batch_sum", 7),
        (2, "two_layer_net", 10, "db_missing_batch_sum", 7),   # a tie: the notebook's order
        (3, "sigmoid_backward", 7, "transpose", 4)] + [
        (4 + i, ex, 3, "not_implemented", 3) for i, ex in enumerate(rest)]
    assert all(r["submissions"] == N for r in report["ranking"])
    html = (graded_class["out"] / "report" / "index.html").read_text(encoding="utf-8")
    reteach = html[html.index('id="reteach"'):html.index('id="chapters"')]
    assert re.search(r'<tr class=first><td class="n">1</td><td><a href="#ex-ch03-affine_backward">', reteach)
    assert reteach.index("affine_backward") < reteach.index("two_layer_net") < reteach.index("sigmoid_backward")


def test_chapter_students_and_batch(graded_class):
    report = _report(graded_class["out"])
    (ch03,) = report["chapters"]
    assert (ch03["chapter"], ch03["notebooks"], ch03["submissions"], ch03["max_score"]) == \
        ("ch03", [NOTEBOOK], N, TOTAL)
    # 3 blank, 7 batch_sum, 4 transpose, 6 honest
    b, t = SCORE["batch_sum"], SCORE["transpose"]
    assert ch03["histogram"] == [[0.0, 3], [b, 7], [t, 4], [TOTAL, 6]]
    assert ch03["mean"] == pytest.approx((7 * b + 4 * t + 6 * TOTAL) / N)
    assert ch03["median"] == pytest.approx((b + t) / 2)      # the 10th and 11th of 20 scores
    assert (ch03["full"], ch03["partial"], ch03["zero"]) == (6, 11, 3)
    assert (ch03["full_share"], ch03["partial_share"], ch03["zero_share"]) == (0.3, 0.55, 0.15)
    assert ch03["languages"] == {"en": 15, "zh": 5} and ch03["not_graded"] == {}
    totals = {s["student_id"]: (s["total"], s["max_total"]) for s in report["students"]}
    assert totals == {sid: (SCORE[kind], TOTAL) for sid, kind, _ in graded_class["students"]}
    assert report["problems"] == [] and report["not_counted"] == []
    b = report["batch"]
    assert (b["submissions"], b["students"], b["counted"], b["statuses"], b["bad_lines"]) == \
        (N, N, N, {"graded": N}, 0)
    assert b["jobs"] == 2 and 0 < b["seconds"] < graded_class["seconds"]


# ---------------------------------------------------------------------- exercises.csv
def test_csv_has_the_same_counts(graded_class):
    rows = _csv(graded_class["out"])
    expected = _expected_categories()
    assert len(rows) == sum(len(c) for c in expected.values())   # one row per exercise and category
    got = {(r["exercise"], r["category"]): (r["students"], r["share"], r["lost"], r["submissions"])
           for r in rows}
    assert got == {(ex, c): (str(n), f"{n / N:g}", str(sum(cats.values())), str(N))
                   for ex, cats in expected.items() for c, n in cats.items()}
    assert [r["exercise"] for r in rows if r["category"] != "not_implemented"] == \
        ["affine_backward", "two_layer_net", "sigmoid_backward"]
    assert [int(r["rank"]) for r in rows] == sorted(int(r["rank"]) for r in rows)
    first = rows[0]
    assert (first["rank"], first["exercise"], first["category"], first["students"], first["share"],
            first["share_of_lost"], first["points"], first["histogram"]) == \
        ("1", "affine_backward", "db_missing_batch_sum", "7", "0.35", "0.7", "2", "0:10 2:10")


# ---------------------------------------------------------------------- anonymised examples, no hidden tests
def test_examples_name_no_student_and_quote_no_hidden_test(graded_class):
    hidden = _hidden_lines()
    assert hidden and all("hidden=True" in h for h in hidden)
    for out in (graded_class["out"], graded_class["out_zh"]):
        report = _report(out)
        examples = [(e["exercise"], c["category"], c["example"]) for e in report["exercises"] for c in e["categories"]]
        examples += [(r["exercise"], r["category"], r["example"]) for r in _csv(out)]
        assert len(examples) == 2 * sum(len(c) for c in _expected_categories().values())
        for ex, cat, text in examples:
            assert text.strip() and ex in text, (ex, cat, text)
            assert not SID.search(text), (ex, cat, text)
            assert "HIDDEN" not in text and "hidden=True" not in text and "check_" not in text, text
            assert not [h for h in hidden if h in text]
        # nothing in the report folder shows hidden test code
        for path in (out / "report").iterdir():
            text = path.read_text(encoding="utf-8")
            assert "HIDDEN TESTS" not in text and not [h for h in hidden if h in text], path
    # the example is the check's own feedback, in the report's language when the class has it
    en, zh = _report(graded_class["out"]), _report(graded_class["out_zh"])
    ex_en = {(e["exercise"], c["category"]): c["example"] for e in en["exercises"] for c in e["categories"]}
    ex_zh = {(e["exercise"], c["category"]): c["example"] for e in zh["exercises"] for c in e["categories"]}
    assert "db: expected shape (3,), got shape (4, 3)" in ex_en[("affine_backward", "db_missing_batch_sum")]
    assert "dout.sum(axis=0)" in ex_en[("affine_backward", "db_missing_batch_sum")]
    assert "transpose of the expected one" in ex_en[("sigmoid_backward", "transpose")]
    assert "NotImplementedError" in ex_en[("mse_loss", "not_implemented")]
    assert not any(CJK.search(t) for t in ex_en.values())
    assert all(CJK.search(t) for t in ex_zh.values())
    assert "批次" in ex_zh[("affine_backward", "db_missing_batch_sum")]


def test_zh_report_has_the_same_figures(graded_class):
    """The same results.jsonl in Chinese: every count the same, only words differ."""
    en, zh = _report(graded_class["out"]), _report(graded_class["out_zh"])
    assert zh["lang"] == "zh"

    def figures(report):
        return ([{k: v for k, v in e.items() if k not in ("categories", "title")} for e in report["exercises"]],
                [[(c["category"], c["students"], c["share"], c["share_of_lost"]) for c in e["categories"]]
                 for e in report["exercises"]],
                [{k: v for k, v in r.items() if k not in ("top_category_label", "title")} for r in report["ranking"]],
                report["chapters"], report["students"])
    assert figures(en) == figures(zh)
    # the exercises' titles come from the course manifest, in the report's language
    titles = {e["exercise"]: (e["title"], z["title"]) for e, z in zip(en["exercises"], zh["exercises"])}
    assert titles["affine_backward"] == ("3.2 The affine layer backward", "3.2 仿射层的反向传递")
    labels = {c["category"]: c["label"] for e in zh["exercises"] for c in e["categories"]}
    assert labels == {"db_missing_batch_sum": "偏置梯度没有沿批次求和", "transpose": "结果被转置",
                      "not_implemented": "未作答（NotImplementedError）"}
    assert [r["exercise"] for r in _csv(graded_class["out_zh"])] == [r["exercise"] for r in _csv(graded_class["out"])]


# ---------------------------------------------------------------------- in the browser
@pytest.fixture(scope="session")
def report_artifacts() -> Path:
    """test-artifacts/report/, emptied first: what is there is from this run."""
    from artifacts import fresh_artifacts
    return fresh_artifacts("report")


VIEWPORTS = {"desktop": {"viewport": {"width": 1280, "height": 900}},
             "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
                       "has_touch": True}}
PAGE_TEXT = {"en": ("Class report: what to re-teach", "bias gradient not summed over the batch", "Students"),
             "zh": ("班级报告：哪些内容需要重讲", "偏置梯度没有沿批次求和", "学生成绩")}


def _column(page, i) -> list[str]:
    return page.eval_on_selector_all("table.sortable tbody tr",
                                     f"rows => rows.map(r => r.cells[{i}].getAttribute('data-v'))")


@pytest.mark.browser
@pytest.mark.parametrize("device", list(VIEWPORTS))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_page_in_chromium(graded_class, browser, report_artifacts, lang, device):
    index = (graded_class["out"] if lang == "en" else graded_class["out_zh"]) / "report" / "index.html"
    url = index.resolve().as_uri()
    context = browser.new_context(locale="zh-CN" if lang == "zh" else "en-US", **VIEWPORTS[device])
    context.set_default_timeout(30_000)
    requests, blocked, errors = [], [], []

    def route(r):   # only the document itself may load; anything else is recorded and aborted
        if r.request.url == url:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.on("console", lambda m: errors.append(f"console.error: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    try:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(300)   # late errors (a CSP report, a script) would show by now
        title, mistake, students = PAGE_TEXT[lang]
        assert page.locator("h1").inner_text() == title
        assert page.get_attribute("html", "lang") == ("zh-CN" if lang == "zh" else "en")
        body = page.locator("body").inner_text()
        assert mistake in body and students in body
        if lang == "zh":
            assert len(CJK.findall(body)) > 200
        # the re-teach table comes first and starts with affine_backward
        assert page.locator("tr.first code").first.inner_text() == "affine_backward"
        # three plots drawn, each fitting the screen
        width = page.evaluate("window.innerWidth")
        boxes = [page.locator("figure svg").nth(i).bounding_box() for i in range(page.locator("figure svg").count())]
        assert len(boxes) == 3 and all(b and 50 < b["width"] <= width + 1 and b["height"] > 50 for b in boxes), boxes
        # nothing wider than the screen but the tables' own scroll boxes
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        page.screenshot(path=str(report_artifacts / f"{lang}-{device}.png"))
        page.screenshot(path=str(report_artifacts / f"{lang}-{device}-full.png"), full_page=True)
        if device == "desktop":   # the top of the page down to the first plot: README's picture
            body = page.locator("body").bounding_box()
            plot = page.locator("figure").first.bounding_box()
            page.screenshot(path=str(report_artifacts / f"{lang}-{device}-top.png"), full_page=True,
                            clip={"x": body["x"], "y": 0, "width": body["width"],
                                  "height": plot["y"] + plot["height"] + 16})

        # the students' table sorts on click: by total ascending, then descending, then by id
        table = page.locator("table.sortable")
        table.scroll_into_view_if_needed()
        headers = table.locator("th")
        assert sorted(_column(page, 0)) == sorted(sid for sid, _, _ in graded_class["students"])
        headers.nth(1).click()
        totals = [float(v) for v in _column(page, 1)]
        assert totals == sorted(totals) and totals[0] == 0.0 and totals[-1] == TOTAL
        assert headers.nth(1).get_attribute("aria-sort") == "ascending"
        headers.nth(1).click()
        assert [float(v) for v in _column(page, 1)] == sorted(totals, reverse=True)
        assert headers.nth(1).get_attribute("aria-sort") == "descending"
        headers.nth(0).click()
        ids = _column(page, 0)
        assert ids == sorted(ids) and headers.nth(0).get_attribute("aria-sort") == "ascending"
        assert headers.nth(1).get_attribute("aria-sort") is None
        table.screenshot(path=str(report_artifacts / f"{lang}-{device}-students-sorted.png"))
        # an example of the feedback opens
        details = page.locator("details").first
        details.locator("summary").click()
        assert details.locator("pre").is_visible()
    finally:
        context.close()
    assert errors == [], errors
    assert blocked == [], f"requests leaving the page: {blocked}"
    assert [u for u in requests if not u.startswith("data:")] == [url], requests
