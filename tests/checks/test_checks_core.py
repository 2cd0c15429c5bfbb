"""The comparison engine, the message tables, the language switch and the environment check."""
import pathlib
import re
import string

import numpy as np
import pytest
from checks_helpers import english, failure  # noqa: F401  (fixtures)

import coursekit
from coursekit.checks import core, env
from coursekit.checks.core import Case, CheckFailed, judge
from coursekit.checks.messages import MESSAGES

CJK = re.compile(r"[\u4e00-\u9fff]")


# ---------------------------------------------------------------------- message tables
def fields(template):
    return sorted({name for _, name, _, _ in string.Formatter().parse(template) if name})


def test_both_languages_have_the_same_keys():
    assert set(MESSAGES) == {"en", "zh"}
    assert set(MESSAGES["en"]) == set(MESSAGES["zh"])


@pytest.mark.parametrize("key", sorted(MESSAGES["en"]))
def test_both_languages_have_the_same_format_fields(key):
    assert fields(MESSAGES["en"][key]) == fields(MESSAGES["zh"][key]), key


def test_chinese_messages_are_chinese():
    # every sentence-like message is written in Chinese (not left in English)
    english_left = [k for k, v in MESSAGES["zh"].items()
                    if len(re.sub(r"\{[^}]*\}|`[^`]*`", "", v)) > 20 and not CJK.search(v)]
    assert english_left == []


def test_every_diagnosis_category_has_a_message():
    import inspect

    from coursekit.checks import ch00, ch01
    src = "".join(inspect.getsource(m) for m in (core, ch00, ch01))
    used = set(re.findall(r'\("([a-z_0-9]+)",\s*(?:lambda|\()', src)) | set(
        re.findall(r'(?:return|fail\()\s*"([a-z_0-9]+)"', src))
    assert used, "the pattern found no categories"
    assert used <= set(MESSAGES["en"]), used - set(MESSAGES["en"])


# ---------------------------------------------------------------------- language
def test_language_default_comes_from_the_environment(monkeypatch):
    monkeypatch.setitem(core._state, "lang", None)
    assert core.get_language() == "en"
    monkeypatch.setenv("CHAINRULE_LANG", "zh")
    assert core.get_language() == "zh"
    monkeypatch.setenv("CHAINRULE_LANG", "klingon")
    assert core.get_language() == "en"


def test_set_language_accepts_aliases_and_rejects_unknown():
    assert core.set_language("zh_CN") == "zh"
    assert core.get_language() == "zh"
    assert core.set_language("EN") == "en"
    with pytest.raises(ValueError):
        core.set_language("fr")


# ---------------------------------------------------------------------- judge and diagnose
def case():
    return Case("demo", 1, 1, "x = 1")


def category_of(expected, got, **kw):
    with pytest.raises(CheckFailed) as info:
        judge(expected, got, case(), **kw)
    assert isinstance(info.value, AssertionError)
    assert info.value.exercise == "demo"
    return info.value.category, str(info.value)


E = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]])


def test_equal_arrays_pass_and_any_array_like_is_accepted():
    judge(E, E.copy(), case())
    judge(E, E.tolist(), case())
    judge(2.5, np.float32(2.5), case(), rtol=1e-6)


@pytest.mark.parametrize("got, category", [
    (-E, "sign"),
    (2 * E, "factor_2"),
    (E / 2, "factor_half"),
    (E.T, "transpose"),
    (E.ravel(), "shape"),
    (E + np.array([[0, 0, 0], [0, 0.3, 0]]), "wrong_values"),
])
def test_generic_diagnoses(got, category):
    assert category_of(E, got)[0] == category


def test_square_transpose_is_recognised_but_symmetric_is_not_called_a_transpose():
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert category_of(A, A.T)[0] == "transpose"
    S = np.array([[1.0, 2.0], [2.0, 5.0]])
    assert category_of(S, S + 1)[0] == "wrong_values"


def test_batch_diagnoses():
    per_sample = np.arange(1.0, 13.0).reshape(4, 3)     # 4 samples
    total = per_sample.sum(axis=0)
    assert category_of(total, per_sample, batch_axis=0)[0] == "missing_batch_sum"
    grad = np.arange(1.0, 13.0).reshape(4, 3)
    cat, text = category_of(grad, grad / 4, batch_axis=0)
    assert cat == "batch_mean" and "4" in text
    assert category_of(grad, grad * 4, batch_axis=0)[0] == "missing_batch_mean"


def test_nan_and_none_and_bad_type():
    assert category_of(E, np.where(E > 3, np.nan, E))[0] == "nan"
    assert category_of(1.0, float("inf"))[0] == "nan"
    assert category_of(E, None)[0] == "none_returned"
    assert category_of(E, "abc")[0] == "bad_type"


def test_scalar_expected_but_array_returned():
    assert category_of(0.5, np.array([0.5, 0.5]))[0] == "not_scalar"


def test_alternatives_are_tried_first_and_may_fail_quietly():
    def broken():
        raise ValueError("cannot compute this alternative")
    alts = [("missing_axis", broken), ("wrong_axis", lambda: -E)]
    assert category_of(E, -E, alternatives=alts)[0] == "wrong_axis"


def test_message_names_case_worst_index_expected_got_and_relative_error():
    got = E.copy()
    got[1, 2] = 7.0
    cat, text = category_of(E, got)
    assert "demo" in text and "x = 1" in text
    assert "[1, 2]" in text and "-1.5" in text and "7" in text
    assert "relative error" in text and "Hint" in text


def test_message_language_follows_the_setting():
    core.set_language("zh")
    cat, text = category_of(E, -E)
    assert cat == "sign"
    assert "期望" in text and "提示" in text and "Hint" not in text


def test_close_values_differing_in_late_digits_print_differently():
    text = category_of(1.0, 1.0 + 1e-9, rtol=1e-12, atol=0)[1]
    assert "1.000000001" in text


# ---------------------------------------------------------------------- calling learner code
def test_call_turns_exceptions_into_diagnoses():
    def nie(x):
        raise NotImplementedError()

    def boom(x):
        return {}["missing"]

    def broadcast(x):
        return np.ones((3, 4)) - np.ones(3)

    for fn, cat, words in [(nie, "not_implemented", "NotImplementedError"), (boom, "exception", "KeyError"),
                           (broadcast, "broadcast_error", "keepdims")]:
        with pytest.raises(CheckFailed) as info:
            core.call(fn, (1.0,), case())
        assert info.value.category == cat
        assert words in str(info.value)


def test_check_unchanged_tolerates_round_off_but_not_changes():
    x = np.array([0.1, 0.2, 0.3])
    y = x.copy()
    y[1] += 1e-5
    y[1] -= 1e-5           # may differ from 0.2 in the last bit: tolerated
    core.check_unchanged(x, y, case())
    y[2] += 1e-5
    with pytest.raises(CheckFailed) as info:
        core.check_unchanged(x, y, case())
    assert info.value.category == "modified_input" and "[2]" in str(info.value)


# ---------------------------------------------------------------------- setup and environment
def test_setup_prints_one_ok_line_and_configures_fonts(capsys):
    import matplotlib as mpl
    assert coursekit.setup("en") is None       # nothing for the notebook to echo
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("Environment OK")
    assert mpl.rcParams["axes.unicode_minus"] is False
    assert core.get_language() == "en"


def test_setup_in_chinese(capsys):
    import matplotlib as mpl

    from coursekit import viz
    family = viz.cjk_font_family()
    coursekit.setup("zh")
    out = capsys.readouterr().out
    assert core.get_language() == "zh"
    if family is None:
        assert "fonts-noto-cjk" in out
    else:
        assert out.startswith("环境正常") and family in out
        assert mpl.rcParams["font.sans-serif"][0] == family


def test_missing_cjk_font_warns_only_in_chinese(monkeypatch, capsys):
    from coursekit import viz
    monkeypatch.setattr(viz, "cjk_font_family", lambda: None)
    assert env.check_environment("en") is True
    assert env.check_environment("zh") is False
    out = capsys.readouterr().out
    assert "pip install noto-cjk-sans-otc" in out and "apt-get install fonts-noto-cjk" in out
    assert "没有找到中文字体" in out


def test_missing_matplotlib_says_what_to_do(monkeypatch, capsys):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name, *a))
    assert env.check_environment("en") is False
    assert "pip install" in capsys.readouterr().out


def test_chapter_modules_load_lazily():
    import coursekit.checks as checks
    assert checks.ch01.check_central_difference
    assert checks.ch00.check_center_rows
    with pytest.raises(AttributeError):
        checks.ch99


def test_every_exercise_of_the_chapters_has_a_registered_check():
    import pathlib

    import coursekit.checks as checks
    chapters = pathlib.Path(__file__).resolve().parents[2] / "chapters"
    ids = set()
    for src in chapters.glob("ch*.md"):
        ids |= set(re.findall(r"exercise: \{id: (\w+), role: tests", src.read_text(encoding="utf-8")))
    assert ids, "no exercises found in chapters/"
    assert ids == set(checks.EXERCISES)
    for ex in ids:
        assert callable(checks.get_check(ex))
    with pytest.raises(KeyError):
        checks.get_check("no_such_exercise")


# ---------------------------------------------------------------------- Chinese typography
ASCII_NEXT_TO_CJK = re.compile(r"[\u4e00-\u9fff\u3002\uff0c][,:;?!()]|[,:;?!()][\u4e00-\u9fff]")


def test_chinese_messages_use_full_width_punctuation():
    bad = {k: ASCII_NEXT_TO_CJK.findall(v) for k, v in MESSAGES["zh"].items() if ASCII_NEXT_TO_CJK.search(v)}
    assert bad == {}


CHAPTERS = sorted((pathlib.Path(__file__).resolve().parents[2] / "chapters").glob("ch*.md"))


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chinese_prose_of_the_chapters_uses_full_width_punctuation(path):
    src = path.read_text(encoding="utf-8")
    cells = re.findall(r'\+\+\+ \{"lang": "zh"\}\n(.*?)(?=\n\+\+\+ |\n```\{code-cell|\Z)', src, flags=re.S)
    assert cells
    prose = [re.sub(r"`[^`]*`|\$[^$]*\$", "", c) for c in cells]
    bad = [m.group(0) for p in prose for m in ASCII_NEXT_TO_CJK.finditer(p)]
    assert bad == []


def test_verdict_reports_without_raising():
    v = core.verdict(E, E.copy())
    assert v and v.category is None and v.message == ""
    got = 2 * E
    v = core.verdict(E, got, exercise="affine_backward", desc="x.shape = (2, 3)")
    assert not v and v.category == "factor_2"
    assert v.worst_index == (1, 1) and v.expected_at_worst == 4.0 and v.got_at_worst == 8.0
    assert v.rel_error == pytest.approx(0.5)
    assert "affine_backward" in v.message
    assert core.verdict(E, E.ravel()).category == "shape"
