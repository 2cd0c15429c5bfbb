"""The rule on what an exercise's code may use, as the notebook applies it (grading enforces it by
what the sandbox contains: tests/grader/test_judge.py)."""
from __future__ import annotations

import pytest

from coursekit.checks import CheckFailed, ch03, set_language
from coursekit import rules


def notebook_function(source, name):
    """A function defined as a notebook cell defines it (module ``__main__``)."""
    ns = {"__name__": "__main__"}
    exec(compile(source, "<cell>", "exec"), ns)
    return ns[name]


NUMERICAL = """
import chainrule
def affine_backward(dout, cache):
    x, w, b = cache
    f = lambda x_, w_, b_: x_ @ w_.T + b_
    return (chainrule.numerical_grad(lambda v: f(v, w, b), x, dout),
            chainrule.numerical_grad(lambda v: f(x, v, b), w, dout),
            chainrule.numerical_grad(lambda v: f(x, w, v), b, dout))
"""

HIDDEN_IN_A_HELPER = """
from chainrule import numerical_grad as _ng
def _helper(f, x, dout):
    return _ng(f, x, dout)
def affine_backward(dout, cache):
    x, w, b = cache
    return (_helper(lambda v: v @ w.T + b, x, dout), _helper(lambda v: x @ v.T + b, w, dout),
            _helper(lambda v: x @ w.T + v, b, dout))
"""

HONEST = """
import numpy as np
def affine_backward(dout, cache):
    x, w, b = cache
    return dout @ w, dout.T @ x, np.sum(dout, axis=0)
"""


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("source", [NUMERICAL, HIDDEN_IN_A_HELPER], ids=["direct", "in_a_helper"])
def test_the_library_is_refused_where_the_exercise_asks_for_numpy_only(source, lang):
    set_language(lang)
    try:
        with pytest.raises(CheckFailed) as e:
            ch03.check_affine_backward(notebook_function(source, "affine_backward"))
        assert e.value.category == "tool_not_allowed" and "chainrule" in str(e.value)
        assert ("NumPy" in str(e.value)) and (("只用" in str(e.value)) == (lang == "zh"))
    finally:
        set_language("en")


def test_honest_numpy_code_passes_the_rule():
    ch03.check_affine_backward(notebook_function(HONEST, "affine_backward"))


def test_chapter_8_allows_the_library_and_the_rest_do_not():
    assert "chainrule" in rules.uses("ch08") and "chainrule" not in rules.uses("ch03")
    assert "torch" in rules.denied(rules.uses("ch08")) and "chainrule" in rules.denied(rules.uses("ch05"))
