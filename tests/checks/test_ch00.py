"""Chapter 0's warm-up check: accepts any correct centring, rejects the broadcasting mistakes."""
import numpy as np
import pytest
from checks_helpers import english, failure  # noqa: F401  (fixtures)

from coursekit.checks import ch00, core


def vectorised(X):
    return X - X.mean(axis=1, keepdims=True)


def loops(X):
    out = np.empty_like(X)
    for i in range(X.shape[0]):
        m = sum(X[i]) / len(X[i])
        for j in range(X.shape[1]):
            out[i, j] = X[i, j] - m
    return out


def newaxis(X):
    return X - np.mean(X, axis=1)[:, np.newaxis]


def transposed(X):
    return (X.T - X.T.mean(axis=0)).T


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("fn", [vectorised, loops, newaxis, transposed])
def test_correct_implementations_pass(fn, hidden, capsys):
    ch00.check_center_rows(fn, hidden=hidden)
    assert capsys.readouterr().out.startswith("✓ center_rows")


def in_place(X):
    X -= X.mean(axis=1, keepdims=True)
    return X


def nie(X):
    raise NotImplementedError()


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("fn, category", [
    (lambda X: X - X.mean(), "missing_axis"),
    (lambda X: X - X.mean(axis=0), "wrong_axis"),
    (lambda X: X - X.mean(axis=1), "missing_keepdims"),
    (lambda X: X - X.mean(axis=0, keepdims=True), "wrong_axis"),
    (lambda X: X.mean(axis=1, keepdims=True) - X, "center_reversed"),
    (lambda X: X.mean(axis=1, keepdims=True) + 0 * X, "center_mean_only"),
    (in_place, "modified_input"),
    (nie, "not_implemented"),
    (lambda X: None, "none_returned"),
    (lambda X: (X - X.mean(axis=1, keepdims=True)).ravel(), "shape"),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_wrong_implementations_are_diagnosed(fn, category, hidden, lang, failure):
    core.set_language(lang)
    err = failure(ch00.check_center_rows, fn, hidden)
    assert err.category == category
    assert str(err).splitlines()[-1].startswith("  Hint: " if lang == "en" else "  提示：")


def test_missing_keepdims_on_a_non_square_input_is_a_broadcast_error():
    X = np.ones((3, 4))
    with pytest.raises(core.CheckFailed) as info:
        core.call(lambda X: X - X.mean(axis=1), (X,), core.Case("center_rows", 1, 1, "X.shape = (3, 4)"))
    assert info.value.category == "broadcast_error"


@pytest.mark.parametrize("lang, words", [("en", ["Hint", "keepdims=True", "(N, 1)"]),
                                         ("zh", ["提示", "keepdims=True", "形状"])])
def test_feedback_language(lang, words, failure):
    core.set_language(lang)
    text = str(failure(ch00.check_center_rows, lambda X: X - X.mean(axis=1)))
    for w in words:
        assert w in text


@pytest.mark.parametrize("lang, words", [("en", ["Hint", "wrong sign", "X − mean"]),
                                         ("zh", ["提示", "符号都反了", "X − 均值"])])
def test_reversed_subtraction_is_named_in_both_languages(lang, words, failure):
    core.set_language(lang)
    err = failure(ch00.check_center_rows, lambda X: X.mean(axis=1, keepdims=True) - X)
    assert err.category == "center_reversed"
    for w in words:
        assert w in str(err)
