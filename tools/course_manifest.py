"""The manifest half of ``make course``: one entry per exercise, read from the chapter sources.

:func:`chapter_entries` turns one chapter source (jupytext, see ``chapters/FORMAT.md``) into its
manifest entries; :func:`manifest` assembles the course's and validates it with the loader that
every consumer uses (:mod:`coursekit.manifest`), so the build never writes a manifest a consumer
would refuse. This is the one place that reads a tests cell's code: the check it calls, the name
it passes and the keyword arguments of each call are parsed here, once, and stored as data.
"""
from __future__ import annotations

import ast
import importlib
import re

from coursekit import manifest as spec

LANGS = spec.LANGS
HEADING = re.compile(r"^#{1,4} +(.+?)\s*$", re.M)


class ManifestSourceError(ValueError):
    """A chapter's exercise cannot be described (the build reports it as a chapter error)."""


def _calls(source: str, where: str) -> dict:
    """The check calls of a tests cell: ``{"module", "function", "name", "visible": [kwargs],
    "hidden": [kwargs]}``. Every call must be ``alias.check_<x>(NAME, key=literal, ...)`` of one
    check on one name, with ``alias`` imported ``from coursekit.checks import alias``."""
    text = spec.normalise_source(source)
    try:
        tree = ast.parse(text)
    except SyntaxError as e:
        raise ManifestSourceError(f"{where}: the tests cell is not Python ({e.msg}, line {e.lineno})") from None
    modules = {a.asname or a.name: f"coursekit.checks.{a.name}" for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) and node.module == "coursekit.checks" for a in node.names}
    hidden_lines = _hidden_lines(text)
    found, kinds = set(), {"visible": [], "hidden": []}
    for node in sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)), key=lambda n: n.lineno):
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr.startswith("check_")):
            continue
        if not (isinstance(func.value, ast.Name) and func.value.id in modules):
            raise ManifestSourceError(f"{where}: {func.attr}(...) must be called on a module imported with "
                                      "`from coursekit.checks import chNN`")
        if len(node.args) != 1 or not isinstance(node.args[0], ast.Name) or any(k.arg is None for k in node.keywords):
            raise ManifestSourceError(f"{where}: {func.attr} must be called with the learner's name and "
                                      "keyword arguments only, e.g. ch03.check_mse_loss(mse_loss, hidden=True)")
        try:
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
        except ValueError:
            raise ManifestSourceError(f"{where}: the keyword arguments of {func.attr} must be literals") from None
        kind = "hidden" if node.lineno in hidden_lines else "visible"
        # the judge passes only ``hidden`` on; a call is graded as hidden iff it sits in the hidden block
        if set(kwargs) - {"hidden"} or bool(kwargs.get("hidden")) != (kind == "hidden"):
            raise ManifestSourceError(f"{where}: {func.attr}: the only keyword is hidden=True, on the calls in "
                                      f"the hidden block (got {kwargs} in the {kind} part)")
        found.add((modules[func.value.id], func.attr, node.args[0].id))
        kinds[kind].append(kwargs)
    if len(found) != 1:
        raise ManifestSourceError(f"{where}: a tests cell calls exactly one course check on one name, found "
                                  f"{sorted(found) or 'none'}")
    if not kinds["visible"] or not kinds["hidden"]:
        raise ManifestSourceError(f"{where}: the tests cell needs a visible call of its check and one in "
                                  f"{spec.HIDDEN_BEGIN} ... {spec.HIDDEN_END}")
    (module, function, name), = found
    return {"module": module, "function": function, "name": name, **kinds}


def _hidden_lines(text: str) -> set:
    """Line numbers (from 1) inside the cell's hidden block, markers included."""
    out, hidden = set(), False
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(spec.HIDDEN_BEGIN):
            hidden = True
        if hidden:
            out.add(n)
        if line.strip().startswith(spec.HIDDEN_END):
            hidden = False
    return out


def layer_sized(module: str) -> set:
    """The exercises whose hidden check has a layer-sized case: the check module's own table
    ``LAYER_SIZED`` (kept beside the cases, so the time class has one source)."""
    return set(getattr(importlib.import_module(module), "LAYER_SIZED", {}))


def chapter_entries(source, stem: str) -> tuple:
    """``(chapter entry, [exercise entries])`` of one chapter source, in notebook order."""
    meta = source.metadata.get("chainrule") or {}
    chapter = meta.get("chapter")
    title = meta.get("title") if isinstance(meta.get("title"), dict) else {}
    heading = {lang: "" for lang in LANGS}
    found: dict = {}
    for i, cell in enumerate(source.cells):
        cell_lang = cell.metadata.get("lang")
        langs = [cell_lang] if cell_lang in LANGS else list(LANGS)
        if cell.cell_type == "markdown":
            heads = HEADING.findall(cell.source)
            for lang in langs if heads else ():
                heading[lang] = heads[-1]
            continue
        ex = cell.metadata.get("exercise")
        if not isinstance(ex, dict) or "id" not in ex:
            continue
        where = f"{stem} cell {i} ({ex['id']})"
        e = found.setdefault(ex["id"], {"solutions": {}, "tests": {}, "uses": {}, "title": {}, "where": where})
        for lang in langs:
            if ex.get("role") == "solution":
                e["solutions"][lang] = e["solutions"].get(lang, 0) + 1
                e["uses"][lang] = ex.get("uses", ["numpy"])
                e["title"].setdefault(lang, heading[lang])
            elif ex.get("role") == "tests":
                e["tests"][lang] = (cell.source, ex.get("points"), where)
    entries = []
    for ex_id, e in found.items():
        entries.append(_entry(ex_id, e, chapter, stem))
    chapter_entry = {"notebooks": {lang: stem for lang in LANGS},
                     "title": {lang: str(title.get(lang, "")) for lang in LANGS},
                     "exercises": [x["id"] for x in entries]}
    return chapter, chapter_entry, entries


def _entry(ex_id: str, e: dict, chapter: str, stem: str) -> dict:
    where = e["where"]
    if set(e["tests"]) != set(LANGS) or set(e["solutions"]) != set(LANGS):
        raise ManifestSourceError(f"{where}: an exercise needs a solution and a tests cell in every language")
    uses = {lang: list(u) if isinstance(u, (list, tuple)) else u for lang, u in e["uses"].items()}
    if len({repr(u) for u in uses.values()}) != 1:
        raise ManifestSourceError(f"{where}: the language twins declare different uses: {uses}")
    calls = {lang: _calls(src, w) for lang, (src, _, w) in e["tests"].items()}
    if len({repr(c) for c in calls.values()}) != 1:
        raise ManifestSourceError(f"{where}: the en and zh tests cells call different checks")
    points = {p for _, p, _ in e["tests"].values()}
    c = calls["en"]
    return {
        "id": ex_id, "chapter": chapter, "notebooks": {lang: stem for lang in LANGS},
        "title": e["title"] if all(e["title"].get(lang) for lang in LANGS) else {},
        "points": points.pop() if len(points) == 1 else None,
        "grade_ids": {"solutions": [ex_id], "tests": f"{ex_id}_tests"},
        "tests_sha256": {lang: spec.fingerprint(src) for lang, (src, _, _) in e["tests"].items()},
        "name": c["name"],
        "check": {"module": c["module"], "function": c["function"],
                  "calls": {"visible": c["visible"], "hidden": c["hidden"]}},
        "uses": uses["en"],
        "time": "layer" if ex_id in layer_sized(c["module"]) else "small",
    }


def manifest(chapters: list) -> dict:
    """The course's manifest from ``[(chapter, chapter entry, exercise entries)]``, validated."""
    data = {"format": spec.FORMAT, "chapters": {}, "exercises": []}
    for chapter, entry, exercises in sorted(chapters, key=lambda c: c[0]):
        data["chapters"][chapter] = entry
        data["exercises"] += exercises
    try:
        spec.parse(data, "the manifest being built")
    except spec.ManifestError as e:
        raise ManifestSourceError(str(e)) from None
    return data
