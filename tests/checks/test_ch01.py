"""Chapter 1's checks: every correct implementation passes (visible and hidden), every typical
mistake fails with the right diagnosis, in the right language."""
import numpy as np
import pytest
from checks_helpers import english, failure  # noqa: F401  (fixtures)

from coursekit.checks import ch01, core
from grader.key import ch01 as key01

HIDDEN = [False, True]


def nie(*args):
    raise NotImplementedError()


# ---------------------------------------------------------------------- forward difference
def fd_plain(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h


def fd_steps(f, x, h=1e-5):
    fx = f(x)
    x_step = x + h
    rise = f(x_step) - fx
    return rise * (1.0 / h)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [fd_plain, fd_steps])
def test_forward_difference_accepts_correct(fn, hidden, capsys):
    ch01.check_forward_difference(fn, hidden=hidden)
    assert "✓ forward_difference" in capsys.readouterr().out


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h), "central_difference_used"),
    (lambda f, x, h: (f(x) - f(x + h)) / h, "difference_reversed"),
    (lambda f, x, h: (f(x) - f(x - h)) / h, "backward_difference_used"),
    (lambda f, x, h: f(x + h) - f(x), "missing_division_by_h"),
    (lambda f, x, h: (f(x + 1e-5) - f(x)) / 1e-5, "ignores_h"),
    (lambda f, x, h: (f(x + h) - f(x)) / (2 * h), "factor_half"),
    (lambda f, x, h: None, "none_returned"),
    (nie, "not_implemented"),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_forward_difference_rejects_mistakes(fn, category, hidden, lang, failure):
    core.set_language(lang)
    err = failure(ch01.check_forward_difference, fn, hidden)
    assert err.category == category
    assert str(err).splitlines()[-1].startswith("  Hint: " if lang == "en" else "  提示：")


# ---------------------------------------------------------------------- central difference
def cd_plain(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


def cd_half_steps(f, x, h=1e-5):
    # also a central difference (step h/2 on each side): even more accurate, accepted
    return (f(x + h / 2) - f(x - h / 2)) / h


def cd_average(f, x, h=1e-5):
    # the mean of a forward and a backward difference is the central difference
    return 0.5 * ((f(x + h) - f(x)) / h + (f(x) - f(x - h)) / h)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [cd_plain, cd_half_steps, cd_average])
def test_central_difference_accepts_correct(fn, hidden, capsys):
    ch01.check_central_difference(fn, hidden=hidden)
    assert "✓ central_difference" in capsys.readouterr().out


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (fd_plain, "forward_difference_used"),
    (lambda f, x, h: (f(x + h) - f(x - h)) / h, "divided_by_h_only"),        # divided by h, not 2h
    (lambda f, x, h: f(x + h) - f(x - h), "missing_division_by_h"),
    (lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h), "difference_reversed"),
    (lambda f, x, h: (f(x) - f(x - h)) / h, "backward_difference_used"),
    (lambda f, x, h: (f(x + h) - f(x - h)) / 2 * h, "operator_precedence"),
    (nie, "not_implemented"),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_central_difference_rejects_mistakes(fn, category, hidden, lang, failure):
    core.set_language(lang)
    err = failure(ch01.check_central_difference, fn, hidden)
    assert err.category == category
    assert str(err).splitlines()[-1].startswith("  Hint: " if lang == "en" else "  提示：")


# ---------------------------------------------------------------------- numerical gradient
def ng_restore(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


def ng_copies(f, x, h=1e-6):
    flat = x.reshape(-1)
    grad = np.zeros(flat.size)
    for k in range(flat.size):
        plus, minus = flat.copy(), flat.copy()
        plus[k] += h
        minus[k] -= h
        grad[k] = (f(plus.reshape(x.shape)) - f(minus.reshape(x.shape))) / (2 * h)
    return grad.reshape(x.shape)


def ng_eye(f, x, h=1e-4):
    # "vectorised": all perturbed inputs built at once with an identity matrix
    steps = h * np.eye(x.size).reshape((x.size,) + x.shape)
    ups = np.array([f(x + s) for s in steps])
    downs = np.array([f(x - s) for s in steps])
    return ((ups - downs) / (2 * h)).reshape(x.shape)


def ng_nditer_plus_equals(f, x, h=1e-5):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        down = f(x)
        x[i] += h              # restored up to round-off: accepted
        grad[i] = (up - down) / (2 * h)
        it.iternext()
    return grad


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [ng_restore, ng_copies, ng_eye, ng_nditer_plus_equals])
def test_numerical_gradient_accepts_correct(fn, hidden, capsys):
    ch01.check_numerical_gradient(fn, hidden=hidden)
    assert "✓ numerical_gradient" in capsys.readouterr().out


def ng_forward(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    fx = f(x)
    for i in np.ndindex(x.shape):
        xp = x.copy()
        xp[i] += h
        grad[i] = (f(xp) - fx) / h
    return grad


def ng_forward_recomputing_fx(f, x, h=1e-5):
    # forward differences that evaluate f(x) each time (2n calls): recognised by the values
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        xp = x.copy()
        xp[i] += h
        grad[i] = (f(xp) - f(x)) / h
    return grad


def ng_not_restored(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        down = f(x)
        grad[i] = (up - down) / (2 * h)        # forgot to put x[i] back
    return grad


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (ng_forward, "forward_difference_evaluations"),
    (ng_forward_recomputing_fx, "forward_difference_used"),
    (ng_not_restored, "modified_input"),
    (lambda f, x: ng_restore(f, x).ravel(), "shape"),
    (lambda f, x: 2 * ng_restore(f, x), "divided_by_h_only"),
    (lambda f, x: -ng_copies(f, x), "difference_reversed"),
    (lambda f, x: ng_restore(f, x, h=1e-13), "step_too_small"),  # round-off dominates
    (lambda f, x: ng_restore(f, x, h=0.1), "step_too_large"),    # truncation dominates
    (lambda f, x: ng_restore(f, x) + 0.3, "wrong_values"),
    (nie, "not_implemented"),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_numerical_gradient_rejects_mistakes(fn, category, hidden, lang, failure):
    core.set_language(lang)
    err = failure(ch01.check_numerical_gradient, fn, hidden)
    assert err.category == category
    assert str(err).splitlines()[-1].startswith("  Hint: " if lang == "en" else "  提示：")


def test_forward_difference_with_a_tiny_step_is_still_rejected(failure):
    assert failure(ch01.check_numerical_gradient, lambda f, x: ng_forward(f, x, h=1e-9)).category == \
        "forward_difference_evaluations"


def test_forward_difference_evaluations_message_counts_calls(failure):
    text = str(failure(ch01.check_numerical_gradient, ng_forward))
    assert "4 times for 3 inputs" in text


# ---------------------------------------------------------------------- relative error
def re_vectorised(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-12)))


def re_loop(a, b):
    worst = 0.0
    for x, y in zip(np.ravel(a), np.ravel(b)):
        worst = max(worst, abs(x - y) / max(abs(x), abs(y), 1e-12))
    return worst


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [re_vectorised, re_loop])
def test_relative_error_accepts_correct(fn, hidden, capsys):
    ch01.check_relative_error(fn, hidden=hidden)
    assert "✓ relative_error" in capsys.readouterr().out


def _arr(a, b):
    return np.asarray(a, float), np.asarray(b, float)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (lambda a, b: np.max(np.abs(np.subtract(a, b)) / np.maximum(np.abs(a) + np.abs(b), 1e-12)), "sum_denominator"),
    (lambda a, b: np.max(np.abs(np.subtract(a, b)) / np.maximum(np.abs(b), 1e-12)), "one_sided_denominator"),
    (lambda a, b: np.max(np.subtract(a, b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-12)), "no_abs"),
    (lambda a, b: np.mean(np.abs(np.subtract(a, b)) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-12)),
     "mean_not_max"),
    (lambda a, b: np.linalg.norm(np.subtract(a, b)) / max(np.linalg.norm(a), np.linalg.norm(b)), "whole_array_ratio"),
    (lambda a, b: np.abs(np.subtract(a, b)) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-12), "not_scalar"),
    (nie, "not_implemented"),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_relative_error_rejects_mistakes(fn, category, hidden, lang, failure):
    if category == "not_scalar" and not hidden:
        pytest.skip("the first visible case is a pair of numbers, where an element-wise array is a number")
    core.set_language(lang)
    err = failure(ch01.check_relative_error, fn, hidden)
    assert err.category == category
    assert str(err).splitlines()[-1].startswith("  Hint: " if lang == "en" else "  提示：")


def test_relative_error_without_a_floor_fails_on_two_zeros(failure):
    def no_floor(a, b):
        a, b = _arr(a, b)
        return float(np.max(np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))))
    with np.errstate(invalid="ignore"):
        err = failure(ch01.check_relative_error, no_floor)
    assert err.category == "nan"


def test_reference_relative_error_examples():
    assert key01.relative_error(0.0, 0.0) == 0.0
    assert key01.relative_error(1.0, -1.0) == 2.0
    assert key01.relative_error([1.0, 2.0], [1.0, 1.0]) == 0.5
    assert key01.relative_error(2.0, 1.0) == key01.relative_error(1.0, 2.0)


# ---------------------------------------------------------------------- the test functions
@pytest.mark.parametrize("name", sorted(ch01.FUNCS))
def test_the_exact_derivatives_used_by_the_checks_are_right(name):
    f, df, d3f = ch01.FUNCS[name]
    xs = np.array([-1.3, -0.2, 0.4, 1.7])
    h = 1e-5
    assert np.allclose((f(xs + h) - f(xs - h)) / (2 * h), df(xs), rtol=1e-8, atol=1e-9)
    h = 1e-3
    d2 = lambda x: (df(x + h) - df(x - h)) / (2 * h)  # noqa: E731
    assert np.allclose((d2(xs + h) - d2(xs - h)) / (2 * h), d3f(xs), rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------- messages in both languages
@pytest.mark.parametrize("lang, words", [
    ("en", ["central_difference", "case 1 of 4", "expected", "got", "relative error", "Hint", "forward difference"]),
    ("zh", ["central_difference", "第 1 个用例", "期望", "实际得到", "相对误差", "提示", "前向差分"]),
])
def test_messages_in_the_notebook_language(lang, words, failure):
    core.set_language(lang)
    text = str(failure(ch01.check_central_difference, fd_plain))
    for w in words:
        assert w in text, (w, text)


@pytest.mark.parametrize("lang, word", [("en", "changed its input"), ("zh", "改动了输入")])
def test_modified_input_message_in_both_languages(lang, word, failure):
    core.set_language(lang)
    assert word in str(failure(ch01.check_numerical_gradient, ng_not_restored))


@pytest.mark.parametrize("lang, line", [("en", "✓ relative_error: all 6 hidden tests passed."),
                                        ("zh", "✓ relative_error\uff1a6 项隐藏测试全部通过。")])
def test_success_line_in_both_languages(lang, line, capsys):
    core.set_language(lang)
    ch01.check_relative_error(re_vectorised, hidden=True)
    assert capsys.readouterr().out.strip() == line


@pytest.mark.parametrize("lang, words", [("en", ["Hint", "wrong way round", "f(x + h) − f(x − h)"]),
                                         ("zh", ["提示", "方向反了", "f(x + h) − f(x − h)"])])
def test_reversed_difference_is_named_in_both_languages(lang, words, failure):
    core.set_language(lang)
    err = failure(ch01.check_central_difference, lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h))
    assert err.category == "difference_reversed"
    for w in words:
        assert w in str(err)
    assert lang == "en" or "expected" not in str(err).splitlines()[-1]


@pytest.mark.parametrize("lang, word", [("en", "2h apart"), ("zh", "相距 2h")])
def test_division_by_h_only_is_named_in_both_languages(lang, word, failure):
    core.set_language(lang)
    err = failure(ch01.check_central_difference, lambda f, x, h: (f(x + h) - f(x - h)) / h)
    assert err.category == "divided_by_h_only" and word in str(err)
