"""Chapter 3's tensor engine: the VJP checks accept every correct implementation (vectorised or with
loops, visible and hidden), reject each typical mistake with its own diagnosis in both languages,
and their references agree with chainrule's autograd."""
import numpy as np
import pytest
from checks_helpers import english, failure, layer_sized, small_layer_cases  # noqa: F401  (fixtures)

import chainrule
from coursekit.checks import ch03_tensor as T, core
from grader.key import ch03 as key03
from coursekit.checks.messages import MESSAGES

HIDDEN = [False, True]


@pytest.fixture(autouse=True)
def small_tensor_cases(request, monkeypatch):
    """As checks_helpers.small_layer_cases: the layer-sized hidden case stands in as a copy of the last
    small one, except in the tests that request ``layer_sized``."""
    if "layer_sized" in request.fixturenames:
        return
    for spec, table in (("UB_SCALE", "UB_HIDDEN"), ("MM_SCALE", "MM_HIDDEN"), ("SUM_SCALE", "SUM_HIDDEN"),
                        ("LSM_SCALE", "LSM_HIDDEN")):
        monkeypatch.setattr(key03, spec, getattr(key03, table)[-1])


def recording(fn):
    """``fn`` that remembers the arguments of every call, keyword arguments too."""
    def wrapper(*args, **kwargs):
        wrapper.calls.append((args, kwargs))
        return fn(*args, **kwargs)
    wrapper.calls = []
    return wrapper


def nie(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------------- correct implementations
def ub_vec(g, shape):
    shape = tuple(shape)
    g = g.sum(axis=tuple(range(g.ndim - len(shape))))
    return g.sum(axis=tuple(i for i, s in enumerate(shape) if s == 1), keepdims=True)


def ub_loop(g, shape):
    shape = tuple(shape)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for i, s in enumerate(shape):
        if s == 1:
            g = g.sum(axis=i, keepdims=True)
    return g


def mm_vec(g, a, b):
    return g @ b.T, a.T @ g


def mm_loops(g, a, b):
    ga, gb = np.zeros_like(a), np.zeros_like(b)
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            ga[i] += g[i, j] * b[:, j]
            gb[:, j] += g[i, j] * a[i]
    return ga, gb


def sum_vec(g, shape, axis=None, keepdims=False):
    if not keepdims:
        axes = tuple(range(len(shape))) if axis is None else axis
        g = np.expand_dims(g, axes)
    return np.broadcast_to(g, shape)


def sum_ones(g, shape, axis=None, keepdims=False):
    axes = tuple(range(len(shape))) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    kept = tuple(1 if (i in axes or i - len(shape) in axes) else s for i, s in enumerate(shape))
    return np.ones(shape) * np.reshape(g, kept)


def lsm_vec(g, out):
    return g - np.exp(out) * g.sum(axis=-1, keepdims=True)


def lsm_jacobian(g, out):
    p = np.exp(out)
    ga = np.empty_like(g)
    for n in range(g.shape[0]):   # the row's Jacobian J_jk = [j = k] - p_k, then g_n J
        jac = np.eye(g.shape[1]) - p[n][None, :]
        ga[n] = g[n] @ jac
    return ga


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("check, fn", [
    (T.check_unbroadcast, ub_vec), (T.check_unbroadcast, ub_loop),
    (T.check_matmul_vjp, mm_vec), (T.check_matmul_vjp, mm_loops),
    (T.check_sum_vjp, sum_vec), (T.check_sum_vjp, sum_ones),
    (T.check_log_softmax_vjp, lsm_vec), (T.check_log_softmax_vjp, lsm_jacobian),
])
def test_correct_vjps_pass(check, fn, hidden, capsys):
    check(fn, hidden=hidden)
    assert "✓" in capsys.readouterr().out


# ---------------------------------------------------------------------- typical mistakes
def _first_slice(g, shape):
    return T._first_slice(g, tuple(shape))


MISTAKES = [
    # unbroadcast
    (T.check_unbroadcast, lambda g, shape: g, "unbroadcast_nothing_summed"),
    (T.check_unbroadcast, lambda g, shape: ub_vec(g, shape) * np.prod(shape) / g.size, "unbroadcast_mean"),
    (T.check_unbroadcast, lambda g, shape: g.sum(axis=tuple(range(g.ndim - len(shape)))), "unbroadcast_lead_only"),
    (T.check_unbroadcast, lambda g, shape: ub_vec(g, shape).reshape([s for s in shape if s != 1]),
     "unbroadcast_ones_dropped"),
    (T.check_unbroadcast, _first_slice, "unbroadcast_first_slice"),
    (T.check_unbroadcast, lambda g, shape: np.full(shape, g.sum()), "unbroadcast_summed_all"),
    (T.check_unbroadcast, lambda g, shape: -ub_vec(g, shape), "vjp_sign"),
    (T.check_unbroadcast, nie, "not_implemented"),
    # matmul
    (T.check_matmul_vjp, lambda g, a, b: (a.T @ g, g @ b.T), "matmul_swapped"),
    (T.check_matmul_vjp, lambda g, a, b: (g @ b, a.T @ g), "matmul_vjp_shapes"),      # no transpose: shapes clash
    (T.check_matmul_vjp, lambda g, a, b: (-(g @ b.T), a.T @ g), "vjp_sign"),
    (T.check_matmul_vjp, lambda g, a, b: (g @ b.T, -(a.T @ g)), "vjp_sign"),          # a negated tuple element
    (T.check_matmul_vjp, lambda g, a, b: (g @ b.T, (g.T @ a)), "matmul_transposed"),
    (T.check_matmul_vjp, lambda g, a, b: (g @ b.T, a.T @ g / len(a)), "grad_divided_by_n"),
    (T.check_matmul_vjp, lambda g, a, b: (2 * g @ b.T, a.T @ g), "grad_doubled"),
    (T.check_matmul_vjp, lambda g, a, b: (g @ b.T), "bad_return"),
    # sum
    (T.check_sum_vjp, lambda g, shape, axis=None, keepdims=False: sum_vec(g, shape, axis, keepdims) / (
        np.prod(shape) / np.size(g)), "sum_vjp_mean"),
    (T.check_sum_vjp, lambda g, shape, axis=None, keepdims=False: -sum_vec(g, shape, axis, keepdims), "vjp_sign"),
    (T.check_sum_vjp, lambda g, shape, axis=None, keepdims=False: g, "shape"),
    # log-softmax
    (T.check_log_softmax_vjp, lambda g, out: g, "lsm_missing_softmax_term"),
    (T.check_log_softmax_vjp, lambda g, out: g - out * g.sum(axis=-1, keepdims=True), "lsm_used_log"),
    (T.check_log_softmax_vjp, lambda g, out: g - np.exp(out) * g.sum(), "lsm_sum_wrong_axis"),
    (T.check_log_softmax_vjp, lambda g, out: g - np.exp(out) * g, "lsm_diagonal_only"),
    (T.check_log_softmax_vjp, lambda g, out: np.exp(out) * (g - (g * np.exp(out)).sum(axis=-1, keepdims=True)),
     "lsm_softmax_vjp"),
    (T.check_log_softmax_vjp, lambda g, out: -lsm_vec(g, out), "vjp_sign"),
    (T.check_log_softmax_vjp, lambda g, out: lsm_vec(g, out) / 2, "grad_halved"),
]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("check, fn, category", MISTAKES)
def test_typical_mistakes_are_rejected_and_named(check, fn, category, hidden, failure):
    with np.errstate(all="ignore"):
        assert failure(check, fn, hidden).category == category


def test_the_square_case_catches_a_dropped_transpose(failure):
    # visible case 3 is square: g @ b has the right shape there, so only its values can tell
    def no_transpose(g, a, b):
        return (g @ b if g.shape[1] == b.shape[0] else g @ b.T), a.T @ g
    err = failure(T.check_matmul_vjp, no_transpose)
    assert err.category == "matmul_ga_no_transpose" and "case 3 of 3" in str(err) and "  ga" in str(err)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_g_broadcast_without_reinserting_the_axes_is_named(lang, failure):
    core.set_language(lang)

    def broadcast_only(g, shape, axis=None, keepdims=False):
        return np.broadcast_to(g, shape)
    # visible: a (3, 4) summed over axis 1 gives g (3,), which does not broadcast to (3, 4): NumPy raises
    err = failure(T.check_sum_vjp, broadcast_only)
    assert err.category == "sum_vjp_expand" and MESSAGES[lang]["sum_vjp_expand"][:8] in str(err)
    # hidden: a (4, 4) summed over axis 1 gives g (4,), which broadcasts silently, along the wrong axis
    err = failure(T.check_sum_vjp, broadcast_only, True)
    assert err.category == "sum_vjp_wrong_axis" and MESSAGES[lang]["sum_vjp_wrong_axis"][6:16] in str(err)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("check, fn, category", [m for m in MISTAKES if m[2] not in ("shape", "bad_return",
                                                                                       "not_implemented")])
def test_every_diagnosis_speaks_the_notebook_language(check, fn, category, lang, failure):
    core.set_language(lang)
    with np.errstate(all="ignore"):
        err = failure(check, fn)
    hint = MESSAGES[lang][category].split("{")[0][:12]
    assert err.category == category and hint in str(err)
    has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in str(err))
    assert has_cjk == (lang == "zh")


# ---------------------------------------------------------------------- the references
def test_references_match_chainrule_autograd():
    rng = np.random.default_rng(0)
    a, b, g = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    ta, tb = chainrule.Tensor(a, requires_grad=True), chainrule.Tensor(b, requires_grad=True)
    (ta @ tb).backward(g)
    ga, gb = key03.ref_matmul_vjp(g, a, b)
    assert np.allclose(ta.grad, ga) and np.allclose(tb.grad, gb)

    x, bias, g = rng.standard_normal((2, 4, 3)), rng.standard_normal((4, 1)), rng.standard_normal((2, 4, 3))
    tx, tbias = chainrule.Tensor(x, requires_grad=True), chainrule.Tensor(bias, requires_grad=True)
    (tx + tbias).backward(g)
    assert np.allclose(tbias.grad, key03.ref_unbroadcast(g, bias.shape)) and np.allclose(tx.grad, g)

    s = chainrule.Tensor(x, requires_grad=True)
    gs = rng.standard_normal((2, 3))
    s.sum(axis=1).backward(gs)
    assert np.allclose(s.grad, key03.ref_sum_vjp(gs, x.shape, axis=1))

    z = rng.standard_normal((3, 6)) * 3
    tz = chainrule.Tensor(z, requires_grad=True)
    gz = rng.standard_normal((3, 6))
    out = chainrule.functional.log_softmax(tz, axis=-1)
    out.backward(gz)
    assert np.allclose(out.data, key03.log_softmax(z)) and np.allclose(tz.grad, key03.ref_log_softmax_vjp(gz, out.data))


def test_every_category_has_a_message_in_both_languages():
    import inspect
    import re
    used = set(re.findall(r'\("([a-z_]+)", lambda', inspect.getsource(T))) | {"matmul_vjp_shapes", "sum_vjp_expand",
                                                                              "what_ga", "what_gb"}
    for lang in ("en", "zh"):
        assert used <= set(MESSAGES[lang]), used - set(MESSAGES[lang])


# ---------------------------------------------------------------------- the layer-sized hidden cases
@pytest.mark.parametrize("check, fn, size, minimum", [
    (T.check_matmul_vjp, mm_vec, lambda g, a, b: a.size + b.size, 96 * 512 + 512 * 384),
    (T.check_log_softmax_vjp, lsm_vec, lambda g, out: out.size, 24 * 8192),
    # the operand's size: one estimate per element, each a pass over g (at least as large)
    (T.check_unbroadcast, ub_vec, lambda g, shape: int(np.prod(shape)), 512 * 768),
    (T.check_sum_vjp, sum_vec, lambda g, shape, **kw: int(np.prod(shape)), 512 * 2048),
], ids=["matmul", "log_softmax", "unbroadcast", "sum"])
def test_hidden_check_has_a_layer_sized_case_and_honest_code_passes_it(check, fn, size, minimum, layer_sized,
                                                                        capsys):
    fn = recording(fn)
    check(fn, hidden=True)
    assert "✓" in capsys.readouterr().out
    assert max(size(*args, **kwargs) for args, kwargs in fn.calls) >= minimum
