"""Chapter 8's custom primitive: the public ``chainrule.primitive`` decorator, and the softplus check —
honest primitives pass, typical mistakes are rejected and named in en and zh, the driver reports data
only, and the reference agrees with central differences and chainrule's gradcheck."""
import re

import numpy as np
import pytest
from checks_helpers import english, failure  # noqa: F401  (fixtures)

import chainrule
from chainrule import Tensor
from coursekit.checks import ch08, ch08_primitive, core
from grader.key import ch08 as key08
from coursekit.checks.messages import MESSAGES
from chainrule.ops import REGISTRY

HIDDEN = [False, True]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def registry_restored():
    """The primitives a test registers leave with it: the library's coverage test
    (tests/library/test_zz_registry_coverage.py) expects only chainrule's own in the registry."""
    before = dict(REGISTRY)
    yield
    REGISTRY.clear()
    REGISTRY.update(before)


def _sig(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def make(forward, vjp, name="softplus"):
    """A primitive registered the way the chapter does it (the decorator replaces an earlier one)."""
    return chainrule.primitive(vjp, name=name)(forward)


def fwd_right(x):
    return np.logaddexp(0.0, x), (x,)


def vjp_right(dout, cache, needs):
    (x,) = cache
    return (dout * _sig(x),)


# ---------------------------------------------------------------------- the public decorator
def test_primitive_registers_a_differentiable_op_that_gradcheck_accepts():
    op = make(fwd_right, vjp_right, name="test_softplus_api")
    assert REGISTRY["test_softplus_api"] is op
    x = Tensor(np.array([-3.0, 0.5, 4.0]), requires_grad=True)
    op(x).sum().backward()
    np.testing.assert_allclose(x.grad, _sig(x.data))
    assert chainrule.gradcheck(lambda t: op(t * 2.0), [np.array([[0.3, -1.2], [2.0, 0.1]])])


def test_primitive_uses_the_forward_name_and_a_rerun_replaces_it():
    def test_op_rerun(x):
        return x * 2.0, None

    first = chainrule.primitive(lambda d, c, n: (d * 2.0,))(test_op_rerun)
    second = chainrule.primitive(lambda d, c, n: (d * 2.0,))(test_op_rerun)   # the cell run again
    assert first.name == "test_op_rerun" and REGISTRY["test_op_rerun"] is second


def test_primitive_refuses_a_builtin_name_and_a_vjp_that_is_not_a_function():
    with pytest.raises(ValueError, match="chainrule's own primitives"):
        chainrule.primitive(vjp_right, name="tanh")(fwd_right)
    assert REGISTRY["tanh"] is chainrule.ops.tanh
    with pytest.raises(TypeError, match="vjp must be a function"):
        chainrule.primitive(np.zeros(3), name="test_bad_vjp")(fwd_right)


# ---------------------------------------------------------------------- the check
def _stable_fwd(x):
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))), (x,)


def _cache_sigma_fwd(x):
    return np.logaddexp(0.0, x), _sig(x)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("forward, vjp", [
    (fwd_right, vjp_right),
    (_stable_fwd, vjp_right),
    (_cache_sigma_fwd, lambda d, s, n: (d * s,)),           # caches sigma(x) instead of x
])
def test_softplus_accepts_correct(forward, vjp, hidden, capsys):
    ch08.check_softplus_primitive(make(forward, vjp), hidden=hidden)
    assert "✓ softplus_primitive" in capsys.readouterr().out


def _vjp(local):
    return lambda d, c, n: (local(d, c[0]),)


with np.errstate(all="ignore"):
    MISTAKES = [
        (lambda: (lambda x: np.log1p(np.exp(x))), "prim_not_a_primitive"),                      # a plain function
        (lambda: make(lambda x: (np.log1p(np.exp(x)), (x,)), vjp_right), "prim_forward_overflow"),
        (lambda: make(fwd_right, _vjp(lambda d, x: d * np.exp(x) / (1 + np.exp(x)))), "prim_vjp_overflow"),
        (lambda: make(fwd_right, lambda d, c, n: d * _sig(c[0])), "prim_vjp_not_tuple"),
        (lambda: make(lambda x: np.logaddexp(0.0, x), vjp_right), "prim_forward_error"),
        (lambda: make(fwd_right, _vjp(lambda d, x: d * _sig(-x))), "prim_vjp_sigmoid_minus"),
        (lambda: make(fwd_right, _vjp(lambda d, x: _sig(x))), "prim_vjp_no_dout"),
        (lambda: make(fwd_right, _vjp(lambda d, x: d * _sig(x) * (1 - _sig(x)))), "prim_vjp_sigmoid_prime"),
        (lambda: make(fwd_right, _vjp(lambda d, x: d * _sig(np.logaddexp(0.0, x)))), "prim_vjp_at_output"),
        (lambda: make(fwd_right, _vjp(lambda d, x: d * np.logaddexp(0.0, x))), "prim_vjp_is_forward"),
        (lambda: make(fwd_right, _vjp(lambda d, x: -d * _sig(x))), "prim_vjp_sign"),
        (lambda: make(lambda x: (_sig(x), (x,)), vjp_right), "prim_forward_sigmoid"),
        (lambda: make(lambda x: (x.copy(), (x,)), vjp_right), "prim_forward_no_one"),
        (lambda: make(lambda x: (_ for _ in ()).throw(NotImplementedError()), vjp_right), "not_implemented"),
    ]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("build, category", MISTAKES)
def test_softplus_rejects_and_names_mistakes(build, category, hidden, failure):
    with np.errstate(all="ignore"):
        err = failure(ch08.check_softplus_primitive, build(), hidden)
    assert err.category == category, str(err)


def test_a_primitive_not_in_the_registry_is_named(failure):
    stray = chainrule.ops.Primitive("softplus_stray", fwd_right, vjp_right)    # made, never registered
    assert failure(ch08.check_softplus_primitive, stray).category == "prim_not_registered"


@pytest.mark.parametrize("build, category", [
    (lambda: make(fwd_right, _vjp(lambda d, x: d * _sig(-x))), "prim_vjp_sigmoid_minus"),
    (lambda: make(lambda x: (np.log1p(np.exp(x)), (x,)), vjp_right), "prim_forward_overflow"),
])
def test_diagnoses_are_named_in_both_languages(build, category, failure):
    texts = {}
    for lang in ("en", "zh"):
        core.set_language(lang)
        with np.errstate(all="ignore"):
            err = failure(ch08.check_softplus_primitive, build())
        assert err.category == category
        texts[lang] = str(err)
        assert core.msg(category, lang, **err.fields) in texts[lang]
    assert not CJK.search(texts["en"]) and CJK.search(texts["zh"])


def test_every_category_has_a_message_in_both_tables():
    import inspect
    src = inspect.getsource(ch08_primitive)
    used = set(re.findall(r'"(prim_[a-z_]+)"', src))
    assert {"prim_vjp_sigmoid_minus", "prim_forward_overflow", "prim_not_registered"} <= used
    for key in used:
        assert CJK.search(MESSAGES["zh"][key]) and not CJK.search(MESSAGES["en"][key]), key


def test_the_driver_reports_data_only():
    from coursekit.ch08 import primitive_backward
    op = make(fwd_right, vjp_right)
    report = primitive_backward(op, np.array([0.0, 1.0]), np.array([1.0, 1.0]))
    assert report["primitive"] and report["registered"] and report["vjp_returned"] == "tuple 1"
    assert isinstance(report["out"], np.ndarray) and isinstance(report["grad"], np.ndarray)
    np.testing.assert_allclose(report["grad"], _sig(np.array([0.0, 1.0])))
    assert primitive_backward(len, np.zeros(1), np.zeros(1)) == {"primitive": False, "type": "builtin_function_or_method"}


def test_reference_matches_numerical_gradients():
    x = np.random.default_rng(0).standard_normal((3, 4)) * 5
    dout = np.random.default_rng(1).standard_normal((3, 4))
    numeric = chainrule.numerical_grad(key08.ref_softplus, x, dout)
    np.testing.assert_allclose(key08.ref_softplus_vjp(dout, x), numeric, rtol=1e-6, atol=1e-9)
    assert np.isfinite(key08.ref_softplus(np.array([800.0, -750.0]))).all()
