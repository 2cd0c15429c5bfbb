"""The course manifest (coursekit.manifest): what it holds for every exercise, and how the loader
refuses a broken one. Whether it is in step with the chapters is tests/course/test_course_manifest.py."""
import copy
import importlib
import json
import re

import pytest
from checks_helpers import LAYER_SIZED, english  # noqa: F401  (autouse fixture)

from coursekit import checks
from coursekit.checks import core
from coursekit import manifest, rules

CHECK_MODULES = ("ch03", "ch03_act", "ch05", "ch06", "ch07", "ch07_layers")  # LAYER_SIZED (ch03_tensor: its own test)

CJK = re.compile(r"[\u4e00-\u9fff]")
EXERCISES = manifest.exercises()


def test_the_installed_manifest_loads_and_describes_every_chapter():
    known = manifest.load()
    assert known.path.endswith("coursekit/manifest.json")
    assert len(EXERCISES) >= 30 and set(known.chapters) >= {f"ch{i:02d}" for i in range(9)}
    for chapter, entry in known.chapters.items():
        assert [e.id for e in manifest.for_notebook(chapter)] == entry["exercises"]
    assert manifest.exercise("affine_backward").points == 2 and manifest.exercise("affine_backward").time == "layer"


@pytest.mark.parametrize("ex", EXERCISES, ids=[e.id for e in EXERCISES])
def test_every_exercise_has_its_check_and_feedback_in_both_languages(ex, monkeypatch):
    """The check the manifest names exists, and a blank answer gets its verdict in en and in zh."""
    check = checks.get_check(ex.id)
    assert check is getattr(importlib.import_module(ex.check_module), ex.check_function)
    assert checks.EXERCISES[ex.id] == ex.check_module.rpartition(".")[2]
    assert ex.visible and ex.hidden and all(k.get("hidden") is True for k in ex.hidden)
    assert set(ex.title) == set(manifest.LANGS) and all(ex.title.values())

    class Blank:  # a function or class the learner has not written yet
        def __init__(self, *args, **kwargs):
            raise NotImplementedError

        def __call__(self, *args, **kwargs):
            raise NotImplementedError
    texts = {}
    for lang in manifest.LANGS:
        monkeypatch.setitem(core._state, "lang", lang)
        with pytest.raises(core.CheckFailed) as info:
            for kwargs in ex.visible:
                check(Blank, **kwargs)
        texts[lang] = str(info.value)
    assert texts["en"] and not CJK.search(texts["en"])
    assert CJK.search(texts["zh"])


def test_uses_and_time_class_come_from_one_source_each():
    for ex in EXERCISES:
        assert rules.uses(ex.chapter, ex.id) == ex.uses
        assert ("chainrule" in ex.uses) == (ex.chapter == "ch08"), ex.id
        table = getattr(importlib.import_module(ex.check_module), "LAYER_SIZED", {})
        assert (ex.time == "layer") == (ex.id in table), ex.id
    # the tests' stand-in for the layer-sized cases covers every case the tables name
    for name, pairs in LAYER_SIZED.items():
        tables = [importlib.import_module(f"coursekit.checks.{m}").LAYER_SIZED for m in CHECK_MODULES
                  if m.split("_")[0] == name]
        named = set().union(*(t.values() for t in tables))
        assert named and named <= {spec for spec, _ in pairs} | {"AFFINE_SCALE", "NET_SCALE"}


# ---------------------------------------------------------------------- the loader's errors
def _raw():
    return json.loads(manifest.PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize("break_it, says", [
    (lambda d: d.update(format=99), "format 99"),
    (lambda d: d["exercises"][0].update(points=0), "points must be > 0"),
    (lambda d: d["exercises"][0].update(uses=["torch"]), "uses must list 'numpy'"),
    (lambda d: d["exercises"][0].update(time="slow"), "time must be one of"),
    (lambda d: d["exercises"][0]["check"].update(module="os"), "under coursekit.checks"),
    (lambda d: d["exercises"][0]["check"]["calls"].update(hidden=[]), "a visible and a hidden call"),
    (lambda d: d["exercises"].append(copy.deepcopy(d["exercises"][0])), "appears twice"),
    (lambda d: d["exercises"][1].update(chapter="ch99"), "not one of its exercises"),
])
def test_a_broken_manifest_is_refused_with_a_clear_error(tmp_path, break_it, says):
    data = _raw()
    break_it(data)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(manifest.ManifestError, match=re.escape(says)):
        manifest.load(path)


def test_a_missing_or_unreadable_manifest_says_what_to_do(tmp_path):
    with pytest.raises(manifest.ManifestError, match="make course"):
        manifest.load(tmp_path / "nowhere.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(manifest.ManifestError, match="not valid JSON"):
        manifest.load(tmp_path / "bad.json")
    with pytest.raises(manifest.ManifestError, match="no exercise 'nope'"):
        manifest.exercise("nope")
    with pytest.raises(KeyError):
        checks.get_check("nope")
