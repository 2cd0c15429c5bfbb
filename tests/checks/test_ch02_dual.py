"""Chapter 2's dual-number check: correct classes pass (visible and hidden), each typical slip of a
tangent rule or of the count is rejected and named, in English and in Chinese; the judge's reference
is itself checked against numerical directional derivatives."""
import math

import numpy as np
import pytest
from checks_helpers import english, failure  # noqa: F401  (fixtures)

import chainrule
from coursekit.checks import ch02, ch02_dual, core
from coursekit.checks.ch02_value import program_of
from grader.key import ch02_dual as key02_dual
from coursekit.checks.messages import MESSAGES

HIDDEN = [False, True]


def make_dual(bugs=(), count=(3, 2, 1)):
    """A learner-style Dual; ``bugs`` switches typical slips on, ``count`` the products per *, tanh, exp."""
    bugs = set(bugs)
    c_mul, c_tanh, c_exp = count

    class Dual:
        mults = 0

        def __init__(self, val, dot=0.0):
            self.val, self.dot = float(val), float(dot)

        def _count(self, k):
            if "count_self" in bugs:
                self.mults += k          # an attribute of one object: the class counter stays
            else:
                Dual.mults += k

        def __add__(self, o):
            o = o if isinstance(o, Dual) else Dual(o)
            dot = self.dot if "add_one_side" in bugs else self.dot + o.dot
            return Dual(self.val + o.val, dot)

        def __mul__(self, o):
            o = o if isinstance(o, Dual) else Dual(o)
            self._count(c_mul)
            if "mul_left_only" in bugs:
                dot = self.dot * o.val
            elif "mul_dots" in bugs:
                dot = self.dot * o.dot
            elif "mul_swapped" in bugs:
                dot = self.dot * self.val + o.dot * o.val
            elif "mul_minus" in bugs:
                dot = self.dot * o.val - self.val * o.dot
            else:
                dot = self.dot * o.val + self.val * o.dot
            if "mul_sign" in bugs:
                dot = -dot
            return Dual(self.val * o.val, dot)

        def tanh(self):
            t = math.tanh(self.val)
            self._count(c_tanh)
            if "tanh_input" in bugs:
                return Dual(t, (1 - self.val ** 2) * self.dot)
            if "tanh_no_chain" in bugs:
                return Dual(t, 1 - t * t)
            return Dual(t, (1 - t * t) * self.dot)

        def exp(self):
            e = math.exp(self.val)
            self._count(c_exp)
            if "exp_no_chain" in bugs:
                return Dual(e, e)
            return Dual(e, e * self.dot)

        __radd__ = __add__
        __rmul__ = __mul__

    return Dual


class NumpyDual:
    """Another correct design: a NumPy pair, counting with a class method."""
    mults = 0

    def __init__(self, val, dot=0.0):
        self.pair = np.array([val, dot], dtype=float)

    val = property(lambda self: self.pair[0])
    dot = property(lambda self: self.pair[1])

    @classmethod
    def _n(cls, k):
        cls.mults += k

    def __add__(self, o):
        o = o if isinstance(o, NumpyDual) else NumpyDual(o)
        out = NumpyDual(0.0)
        out.pair = self.pair + o.pair
        return out

    def __mul__(self, o):
        o = o if isinstance(o, NumpyDual) else NumpyDual(o)
        NumpyDual._n(3)
        return NumpyDual(self.val * o.val, self.val * o.dot + self.dot * o.val)

    def tanh(self):
        t = np.tanh(self.val)
        NumpyDual._n(2)
        return NumpyDual(t, (1 - t ** 2) * self.dot)

    def exp(self):
        NumpyDual._n(1)
        return NumpyDual(np.exp(self.val), np.exp(self.val) * self.dot)

    __radd__ = __add__
    __rmul__ = __mul__


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("Dual", [make_dual(), NumpyDual], ids=["floats", "numpy"])
def test_dual_accepts_correct(Dual, hidden, capsys):
    ch02.check_dual_numbers(Dual, hidden=hidden)
    assert "✓ dual_numbers" in capsys.readouterr().out


MISTAKES = [
    (["mul_left_only"], "dual_mul_one_term"),
    (["mul_dots"], "dual_mul_dots"),
    (["mul_swapped"], "dual_mul_swapped"),
    (["mul_minus"], "dual_mul_minus"),
    (["mul_sign"], "dual_sign_in_op"),
    (["add_one_side"], "dual_add_one_side"),
    (["tanh_input"], "dual_tanh_input"),
    (["tanh_no_chain"], "dual_no_chain"),
    (["exp_no_chain"], "dual_no_chain"),
]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("bugs, category", MISTAKES)
def test_dual_rejects_and_names_mistakes(bugs, category, hidden, failure):
    err = failure(ch02.check_dual_numbers, make_dual(bugs), hidden)
    assert err.category == category, str(err)
    assert "the tangent (.dot) of the result: expected" in str(err)


@pytest.mark.parametrize("bugs, category", MISTAKES)
def test_dual_mistakes_are_named_in_chinese(bugs, category, failure):
    core.set_language("zh")
    err = failure(ch02.check_dual_numbers, make_dual(bugs))
    assert err.category == category
    hint = str(err).splitlines()[-1]
    assert hint.startswith("  提示：") and MESSAGES["zh"][category].split("{")[0][:8] in hint
    assert not any(w in hint for w in ("expected", "got", "Your", "the "))


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("count, bugs, category", [
    ((1, 1, 1), (), "dual_count_ops"),        # one per operation
    ((1, 0, 0), (), "dual_count_ops"),        # only the * nodes
    ((3, 1, 1), (), "dual_count_wrong"),      # t·t forgotten
    ((2, 2, 1), (), "dual_count_wrong"),      # the value's product forgotten
    ((3, 2, 1), ("count_self",), "dual_count_zero"),
])
def test_dual_count_mistakes(count, bugs, category, hidden, failure):
    err = failure(ch02.check_dual_numbers, make_dual(bugs, count=count), hidden)
    assert err.category == category, str(err)


def test_dual_without_counter(failure):
    Dual = make_dual()
    del Dual.mults
    Dual._count = lambda self, k: None
    assert failure(ch02.check_dual_numbers, Dual).category == "dual_no_counter"


def test_a_wrong_value_is_reported_before_the_tangent(failure):
    class Off(make_dual()):
        def exp(self):
            out = super().exp()
            return type(self)(out.val + 1.0, out.dot)
    assert failure(ch02.check_dual_numbers, Off).category == "dual_val"


def test_blank_dual_is_not_implemented(failure):
    class Blank:
        mults = 0

        def __init__(self, val, dot=0.0):
            self.val, self.dot = val, dot

        def __add__(self, o):
            raise NotImplementedError()
    assert failure(ch02.check_dual_numbers, Blank).category == "not_implemented"


# ---------------------------------------------------------------------- the judge itself
def _run(expr, values, dots, bugs=None):
    """The key's reference dual numbers on ``expr``, as the check runs them: on its program."""
    return key02_dual.run_program(*program_of(expr, len(values)), list(values), list(dots), bugs)


@pytest.mark.parametrize("spec", ch02_dual.VISIBLE + key02_dual.HIDDEN, ids=lambda s: s[0])
def test_reference_tangent_matches_numerical_directional_derivative(spec):
    _, _, expr, values, dots = spec

    class F(float):  # floats with .tanh() and .exp(), so the same expressions run on numbers
        def tanh(self):
            return F(math.tanh(self))

        def exp(self):
            return F(math.exp(self))

        def __add__(self, o):
            return F(float(self) + float(o))

        def __mul__(self, o):
            return F(float(self) * float(o))

        __radd__ = __add__
        __rmul__ = __mul__

    values, dots = np.array(values), np.array(dots)
    numeric = chainrule.numerical_grad(lambda t: float(expr(*[F(v) for v in values + t[0] * dots])), np.zeros(1))
    val, dot = _run(expr, values, dots)
    assert val == pytest.approx(float(expr(*[F(v) for v in values])), rel=1e-12)
    assert dot == pytest.approx(float(numeric[0]), rel=1e-6, abs=1e-9)


def test_every_slip_of_the_reference_changes_some_case():
    """A diagnosis that no case can tell apart from the right answer would be dead code."""
    for category, bugs, _ in ch02_dual._BUGS:
        assert any(not math.isclose(_run(e, v, d, bugs)[1], _run(e, v, d)[1],
                                    rel_tol=1e-6, abs_tol=1e-12)
                   for _, _, e, v, d in ch02_dual.VISIBLE), category


def test_expected_count_of_a_program():
    program, _ = ch02_dual.program_of(lambda a, b: (a * b + a).exp().tanh(), 2)
    assert ch02_dual.expected_mults(program) == 3 + 1 + 2
