"""What the class got wrong: ``python -m grader report OUT [--lang en|zh]``.

Reads ``OUT/results.jsonl`` (one JSON object per graded submission, appended as results arrive;
for the same ``(student_id, file, sha256)`` the last line wins) and ``OUT/batch.json`` if present,
and writes ``OUT/report/index.html`` (one self-contained page, see :mod:`.report_html`; its sentences
are in :mod:`.report_strings`),
``OUT/report/exercises.csv`` and ``OUT/report/report.json`` with the same figures.

Honest figures, and how they are counted:

- the mistake categories are the diagnoses the checks made while grading (the ``category`` stored
  with each exercise result), never re-guessed from the text here;
- a student counts once per chapter: when a student handed in several different files for one
  chapter, one of them counts (a ``graded`` one first, then the best score, then the later line)
  and the others are listed as not counted;
- score statistics per chapter and exercise use the counted submissions with status ``graded``;
  flagged, crashed, timed-out, unreadable... submissions are listed with their status instead;
- a student counts once per exercise and category (exercise rows with the same id are merged),
  and only exercise rows with status ``failed`` and a category are counted as mistakes
  (``not_implemented``, a blank exercise, is a category too);
- an exercise is labelled with its title from the course manifest (:mod:`coursekit.manifest`, in
  the report's language) beside its id;
- each category shows one example of the feedback text, anonymised (the student id and e-mail
  addresses removed) and cut to about 300 characters. Only the ``message`` field is ever quoted.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
from pathlib import Path

from . import csvsafe, report_html
from .report_strings import STRINGS, category_label

LANGS = ("en", "zh")
EXAMPLE_CHARS = 300
GRADED = "graded"
CSV_COLUMNS = [
    "rank", "chapter", "exercise", "title", "grade_ids", "points", "submissions", "mean_score", "median_score",
    "full", "partial", "zero", "full_share", "partial_share", "zero_share", "lost", "lost_share",
    "undiagnosed", "histogram", "category", "category_label", "students", "share", "share_of_lost", "example",
]
_EPS = 1e-9


def default_lang(environ=None) -> str:
    """The instructor's language from the locale: the first set of LC_ALL, LC_MESSAGES, LANG."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(name) or "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def exercise_titles(lang: str) -> dict:
    """``{exercise id: title in lang}`` from the course manifest; {} without a readable one (the
    report then names exercises by id alone: it must not fail over a label)."""
    try:
        from coursekit import manifest
        return {e.id: e.label(lang) for e in manifest.exercises()}
    except (ImportError, ValueError):
        return {}


# ---------------------------------------------------------------------- reading
def read_results(path: Path) -> tuple[list[dict], int]:
    """The rows of results.jsonl, the last line winning per (student_id, file, sha256), in first-seen
    order; and the number of lines that were not JSON objects (e.g. a line still being written)."""
    rows: dict[tuple, dict] = {}
    bad = 0
    if not path.exists():
        return [], 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                bad += 1
                continue
            if not isinstance(row, dict):
                bad += 1
                continue
            key = (str(row.get("student_id", "")), str(row.get("file", "")), str(row.get("sha256", "")))
            rows.pop(key, None)  # keep the position of the latest line
            rows[key] = row
    return list(rows.values()), bad


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if v == v else None


def _round(x, digits=6):
    return None if x is None else round(float(x), digits)


# ---------------------------------------------------------------------- anonymising
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def anonymise(text: str, student_id: str, token: str = "[student]", limit: int = EXAMPLE_CHARS) -> str:
    """``text`` without the student's id (any case, also inside paths) or e-mail addresses, cut to
    about ``limit`` characters (at a line end when one is near)."""
    text = str(text or "").strip()
    sid = str(student_id or "").strip()
    text = _EMAIL.sub("[email]", text)
    if len(sid) >= 2:
        text = re.sub(re.escape(sid), token, text, flags=re.IGNORECASE)
    if len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        text = (text[:cut] if cut >= limit // 2 else text[:limit]).rstrip() + " …"
    return text


# ---------------------------------------------------------------------- figures
def _stats(scores: list[float], points: float) -> dict:
    n = len(scores)
    full = sum(1 for s in scores if points > 0 and s >= points - _EPS or points <= 0)
    zero = sum(1 for s in scores if points > 0 and s <= _EPS)
    partial = n - full - zero
    hist: dict[float, int] = {}
    for s in scores:
        hist[s] = hist.get(s, 0) + 1
    share = (lambda k: _round(k / n) if n else None)
    return {
        "submissions": n,
        "mean": _round(statistics.fmean(scores)) if n else None,
        "median": _round(statistics.median(scores)) if n else None,
        "full": full, "partial": partial, "zero": zero,
        "full_share": share(full), "partial_share": share(partial), "zero_share": share(zero),
        "lost": n - full, "lost_share": share(n - full),
        "histogram": [[_round(v), c] for v, c in sorted(hist.items())],
    }


def _merge_exercises(items) -> dict:
    """``{exercise id: {...}}`` for one submission: rows with the same id are merged (points and
    scores added, categories collected once), so a student counts once per exercise."""
    merged: dict[str, dict] = {}
    for ex in items or ():
        if not isinstance(ex, dict) or not ex.get("id"):
            continue
        m = merged.setdefault(str(ex["id"]), {"points": 0.0, "score": 0.0, "grade_ids": [], "statuses": [],
                                              "categories": {}})
        m["points"] += _num(ex.get("points")) or 0.0
        m["score"] += _num(ex.get("score")) or 0.0
        if ex.get("grade_id") and ex["grade_id"] not in m["grade_ids"]:
            m["grade_ids"].append(str(ex["grade_id"]))
        m["statuses"].append(str(ex.get("status") or ""))
        if ex.get("status") == "failed" and ex.get("category"):
            m["categories"].setdefault(str(ex["category"]), str(ex.get("message") or ""))
    return merged


def _pick(rows: list[tuple[int, dict]]) -> tuple[int, dict]:
    """The submission that counts for one student and chapter: graded first, then the best score,
    then the later line."""
    return max(rows, key=lambda ir: (ir[1].get("status") == GRADED, _num(ir[1].get("score")) or 0.0, ir[0]))


def build_report(out_dir: Path, lang: str | None = None) -> dict:
    """Read OUT/results.jsonl (and OUT/batch.json), write OUT/report/{index.html, exercises.csv,
    report.json}; return the report as a dict (the content of report.json)."""
    out_dir = Path(out_dir)
    lang = lang if lang in LANGS else default_lang()
    rows, bad_lines = read_results(out_dir / "results.jsonl")
    batch = {}
    if (out_dir / "batch.json").exists():
        try:
            batch = json.loads((out_dir / "batch.json").read_text(encoding="utf-8"))
        except ValueError:
            batch = {}
    report = summarise(rows, batch if isinstance(batch, dict) else {}, lang)
    report["batch"]["bad_lines"] = bad_lines
    dest = out_dir / "report"
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    write_csv(report, dest / "exercises.csv")
    (dest / "index.html").write_text(report_html.render(report), encoding="utf-8")
    return report


def summarise(rows: list[dict], batch: dict, lang: str) -> dict:
    """The report's figures from the deduplicated result rows (pure: no files)."""
    token = STRINGS[lang]["anon_student"]
    titles = exercise_titles(lang)
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[str(r.get("status"))] = statuses.get(str(r.get("status")), 0) + 1

    # one counted submission per (student, chapter)
    by_key: dict[tuple, list] = {}
    for i, r in enumerate(rows):
        if r.get("chapter"):
            by_key.setdefault((str(r.get("student_id", "")), str(r["chapter"])), []).append((i, r))
    counted: dict[tuple, dict] = {}
    not_counted = []
    for key, group in by_key.items():
        i, best = _pick(group)
        counted[key] = best
        not_counted += [_brief(r) for j, r in group if j != i]

    # chapters and exercises, in chapter order and then the notebooks' exercise order
    chapters: dict[str, dict] = {}
    exercises: dict[tuple, dict] = {}
    for (sid, chap), r in sorted(counted.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        c = chapters.setdefault(chap, {"chapter": chap, "notebooks": [], "max_score": 0.0, "scores": [],
                                       "languages": {}, "not_graded": {}})
        if r.get("notebook") and r["notebook"] not in c["notebooks"]:
            c["notebooks"].append(str(r["notebook"]))
        if r.get("status") != GRADED:
            c["not_graded"][str(r.get("status"))] = c["not_graded"].get(str(r.get("status")), 0) + 1
            continue
        c["max_score"] = max(c["max_score"], _num(r.get("max_score")) or 0.0)
        c["scores"].append(_num(r.get("score")) or 0.0)
        lg = str(r.get("language") or "")
        c["languages"][lg] = c["languages"].get(lg, 0) + 1
        for ex_id, m in _merge_exercises(r.get("exercises")).items():
            e = exercises.setdefault((chap, ex_id), {"chapter": chap, "exercise": ex_id,
                                                     "title": titles.get(ex_id, ""), "grade_ids": [],
                                                     "points": 0.0, "scores": [], "statuses": {},
                                                     "undiagnosed": 0, "cats": {}})
            e["points"] = max(e["points"], m["points"])
            e["scores"].append(m["score"])
            e["grade_ids"] += [g for g in m["grade_ids"] if g not in e["grade_ids"]]
            for st in m["statuses"]:
                e["statuses"][st] = e["statuses"].get(st, 0) + 1
            if m["score"] < m["points"] - _EPS and not m["categories"]:
                e["undiagnosed"] += 1
            for cat, message in m["categories"].items():
                e["cats"].setdefault(cat, []).append((lg != lang, anonymise(message, sid, token), sid))

    chapter_list = []
    for chap in sorted(chapters):
        c = chapters[chap]
        st = _stats(c.pop("scores"), c["max_score"])
        chapter_list.append({**c, "max_score": _round(c["max_score"]), **st})

    exercise_list = []
    for e in exercises.values():
        st = _stats(e.pop("scores"), e["points"])
        cats = []
        for cat, found in e.pop("cats").items():
            example = sorted(found, key=lambda t: (t[0], len(t[1]), t[1]))[0][1]
            n = len({sid for _, _, sid in found})
            cats.append({"category": cat, "label": category_label(cat, lang), "students": n,
                         "share": _round(n / st["submissions"]) if st["submissions"] else None,
                         "share_of_lost": _round(n / st["lost"]) if st["lost"] else None,
                         "example": example})
        cats.sort(key=lambda k: (-k["students"], k["category"]))
        exercise_list.append({**e, "points": _round(e["points"]), **st, "categories": cats})

    order = {id(e): i for i, e in enumerate(exercise_list)}
    ranked = sorted(exercise_list, key=lambda e: (-e["lost"], -(e["lost_share"] or 0), order[id(e)]))
    for i, e in enumerate(ranked, 1):
        e["rank"] = i
    ranking = [{"rank": e["rank"], "chapter": e["chapter"], "exercise": e["exercise"], "title": e["title"],
                "lost": e["lost"],
                "lost_share": e["lost_share"], "submissions": e["submissions"],
                "top_category": e["categories"][0]["category"] if e["categories"] else None,
                "top_category_label": e["categories"][0]["label"] if e["categories"] else None,
                "top_category_students": e["categories"][0]["students"] if e["categories"] else 0}
               for e in ranked]

    students = {}
    for r in rows:
        students.setdefault(str(r.get("student_id", "")), {"student_id": str(r.get("student_id", "")),
                                                           "total": 0.0, "max_total": 0.0, "chapters": {}})
    for (sid, chap), r in counted.items():
        s = students[sid]
        score, top = _num(r.get("score")), _num(r.get("max_score"))
        s["chapters"][chap] = {"score": _round(score), "max_score": _round(top), "status": r.get("status"),
                               "file": r.get("file")}
        s["total"] += score or 0.0
        s["max_total"] += top or 0.0
    student_list = [{**s, "total": _round(s["total"]), "max_total": _round(s["max_total"]),
                     "chapters": dict(sorted(s["chapters"].items()))}
                    for _, s in sorted(students.items())]

    problems = [_brief(r) for r in rows if r.get("status") != GRADED]
    problems.sort(key=lambda p: (p["student_id"], p["file"]))
    seconds = [_num(r.get("seconds")) for r in rows if _num(r.get("seconds")) is not None]
    return {
        "lang": lang,
        "batch": {**batch, "submissions": len(rows), "students": len(students), "statuses": statuses,
                  "counted": len(counted), "grading_seconds_sum": _round(sum(seconds), 3),
                  "grading_seconds_mean": _round(statistics.fmean(seconds), 3) if seconds else None},
        "chapters": chapter_list,
        "exercises": exercise_list,
        "ranking": ranking,
        "students": student_list,
        "problems": problems,
        "not_counted": sorted(not_counted, key=lambda p: (p["student_id"], p["file"])),
    }


def _brief(r: dict) -> dict:
    return {"student_id": str(r.get("student_id", "")), "file": str(r.get("file", "")),
            "chapter": r.get("chapter") or "", "status": r.get("status"), "score": _round(_num(r.get("score"))),
            "max_score": _round(_num(r.get("max_score"))), "detail": str(r.get("detail") or "")}


# ---------------------------------------------------------------------- CSV
def _cell(v):
    """A figure for the CSV: floats rounded to 4 decimals (csvsafe writes them as numbers)."""
    if isinstance(v, float) and abs(v) < 1e15:
        return round(v, 4)
    return v


def write_csv(report: dict, path: Path) -> None:
    """One row per exercise and mistake category (one row with an empty category for an exercise
    without any), each carrying the exercise's figures. UTF-8 with a BOM, so that Excel shows Chinese.
    Written through :mod:`.csvsafe`: the examples quote students' output, which must not run as a formula."""
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csvsafe.DictWriter(f, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for e in sorted(report["exercises"], key=lambda e: e["rank"]):
            base = {k: _cell(e.get(k)) for k in CSV_COLUMNS if k in e and k not in ("histogram", "grade_ids")}
            base.update(mean_score=_cell(e["mean"]), median_score=_cell(e["median"]),
                        grade_ids=" ".join(e["grade_ids"]),
                        histogram=" ".join(f"{csvsafe.cell(_cell(v))}:{c}" for v, c in e["histogram"]))
            for cat in e["categories"] or [None]:
                row = dict(base)
                if cat:
                    row.update(category=cat["category"], category_label=cat["label"], students=cat["students"],
                               share=_cell(cat["share"]), share_of_lost=_cell(cat["share_of_lost"]),
                               example=cat["example"])
                w.writerow(row)


# ---------------------------------------------------------------------- command line
def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", type=Path, help="the grading output folder (with results.jsonl)")
    p.add_argument("--lang", choices=LANGS, default=None,
                   help="language of the page (default: from LC_ALL / LANG, zh* gives zh, else en)")


def run(args) -> int:
    if not (args.out / "results.jsonl").exists():
        print(f"{args.out / 'results.jsonl'}: not found (grade first: python -m grader grade ...)", file=sys.stderr)
        return 2
    report = build_report(args.out, args.lang)
    print(f"{report['batch']['submissions']} submission(s) of {report['batch']['students']} student(s); "
          f"wrote {args.out / 'report' / 'index.html'}, exercises.csv, report.json", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    """``python -m grader.report OUT [--lang en|zh]`` (and ``python -m grader report`` via cli.py)."""
    p = argparse.ArgumentParser(prog="python -m grader report",
                                description="What the class got wrong: a report per exercise.")
    add_arguments(p)
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
