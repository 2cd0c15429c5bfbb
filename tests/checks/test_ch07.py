"""Chapter 7's checks: every correct implementation passes (visible and hidden), every typical mistake
fails with the right diagnosis naming the wrong output, in both languages; the references agree with
numerical gradients, chainrule.functional.batch_norm, nn.utils.clip_grad_* and nn.init."""
import inspect
import math
import re

import numpy as np
import pytest
from checks_helpers import english, failure, layer_sized, recording, small_layer_cases  # noqa: F401  (fixtures)
from checks_helpers import named_in_zh_too

import chainrule
from chainrule import nn
from coursekit.checks import ch07, core
from grader.key import ch07 as key07
from coursekit.checks.messages import MESSAGES

HIDDEN = [False, True]


def nie(*args):
    raise NotImplementedError()


# ---------------------------------------------------------------------- batch norm backward
def bn_compact(dout, cache):
    x, x_hat, mean, var, gamma, eps = cache
    n = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx = gamma / np.sqrt(var + eps) * (dout - dbeta / n - x_hat * dgamma / n)
    return dx, dgamma, dbeta


def bn_staged(dout, cache):
    """The computational-graph way (CS231n): through x_hat, var and mean step by step."""
    x, x_hat, mean, var, gamma, eps = cache
    n = x.shape[0]
    xc = x - mean
    inv = 1.0 / np.sqrt(var + eps)
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dxhat = dout * gamma
    dvar = np.sum(dxhat * xc, axis=0) * -0.5 * inv ** 3
    dmean = np.sum(-dxhat * inv, axis=0) + dvar * np.mean(-2.0 * xc, axis=0)
    dx = dxhat * inv + dvar * 2.0 * xc / n + dmean / n
    return dx, dgamma, dbeta


def bn_tensor(dout, cache):
    x, x_hat, mean, var, gamma, eps = cache
    xt = chainrule.Tensor(x, requires_grad=True)
    g = chainrule.Tensor(gamma, requires_grad=True)
    b = chainrule.Tensor(np.zeros_like(gamma), requires_grad=True)
    out = chainrule.functional.batch_norm(xt, None, None, g, b, training=True, eps=eps)
    out.backward(dout)
    return [xt.grad, g.grad, b.grad]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [bn_compact, bn_staged, bn_tensor])
def test_batchnorm_backward_accepts_correct(fn, hidden, capsys):
    ch07.check_batchnorm_backward(fn, hidden=hidden)
    assert "✓ batchnorm_backward" in capsys.readouterr().out


def _bn(dx=None, dgamma=None, dbeta=None):
    def fn(dout, cache):
        x, x_hat, mean, var, gamma, eps = cache
        r = list(bn_compact(dout, cache))
        for i, f in enumerate((dx, dgamma, dbeta)):
            if f is not None:
                r[i] = f(dout, x, x_hat, mean, var, gamma, eps)
        return tuple(r)
    return fn


def _dx(std_of=lambda var, eps: np.sqrt(var + eps), ddof=0, mean_term=True, var_term=True, gamma_on=True):
    def f(dout, x, x_hat, mean, var, gamma, eps):
        n = x.shape[0]
        v = x.var(axis=0, ddof=ddof)
        std = std_of(v, eps)
        xh = (x - mean) / std
        d = dout.copy()
        if mean_term:
            d = d - dout.mean(axis=0)
        if var_term:
            d = d - xh * (dout * xh).sum(axis=0) / (n - ddof)
        return (gamma if gamma_on else 1.0) / std * d
    return f


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category, name", [
    (_bn(dx=lambda d, x, xh, m, v, g, e: g * d / np.sqrt(v + e)), "bn_only_direct_term", "dx"),
    (_bn(dx=_dx(var_term=False)), "bn_missing_var_term", "dx"),
    (_bn(dx=_dx(mean_term=False)), "bn_missing_mean_term", "dx"),
    (_bn(dx=_dx(gamma_on=False)), "bn_missing_gamma", "dx"),
    (_bn(dx=_dx(ddof=1)), "bn_unbiased_var", "dx"),
    (_bn(dx=_dx(std_of=lambda v, e: np.sqrt(v) + e)), "bn_eps_misplaced", "dx"),
    (_bn(dx=_dx(std_of=lambda v, e: np.sqrt(v))), "bn_eps_forgotten", "dx"),
    (_bn(dx=lambda d, x, xh, m, v, g, e: -bn_compact(d, (x, xh, m, v, g, e))[0]), "bn_sign", "dx"),
    (_bn(dgamma=lambda d, x, xh, m, v, g, e: -(d * xh).sum(axis=0)), "bn_sign", "dgamma"),
    (_bn(dbeta=lambda d, x, xh, m, v, g, e: -d.sum(axis=0)), "bn_sign", "dbeta"),
    (_bn(dgamma=lambda d, x, xh, m, v, g, e: d * xh), "bn_param_missing_batch_sum", "dgamma"),
    (_bn(dbeta=lambda d, x, xh, m, v, g, e: d), "bn_param_missing_batch_sum", "dbeta"),
    (_bn(dgamma=lambda d, x, xh, m, v, g, e: (d * xh).mean(axis=0)), "grad_divided_by_n", "dgamma"),
    (_bn(dbeta=lambda d, x, xh, m, v, g, e: d.mean(axis=0)), "grad_divided_by_n", "dbeta"),
    (_bn(dgamma=lambda d, x, xh, m, v, g, e: d.sum(axis=0)), "bn_dgamma_missing_xhat", "dgamma"),
    (_bn(dgamma=lambda d, x, xh, m, v, g, e: (d * x).sum(axis=0)), "bn_dgamma_uses_x", "dgamma"),
    (_bn(dgamma=lambda d, x, xh, m, v, g, e: d.sum(axis=0), dbeta=lambda d, x, xh, m, v, g, e: (d * xh).sum(axis=0)),
     "bn_dgamma_missing_xhat", "dgamma"),
    (_bn(dbeta=lambda d, x, xh, m, v, g, e: (d * xh).sum(axis=0)), "bn_swapped_dgamma_dbeta", "dbeta"),
    (lambda dout, cache: bn_compact(dout, cache)[:2], "bad_return", None),
    (nie, "not_implemented", None),
])
def test_batchnorm_backward_rejects_mistakes(fn, category, name, hidden, failure):
    err = failure(ch07.check_batchnorm_backward, fn, hidden)
    assert err.category == category, str(err)
    named_in_zh_too(ch07.check_batchnorm_backward, fn, hidden, failure, category)
    if name:
        assert f"  {name}" in str(err)


def test_batchnorm_backward_flags_dout_changed_in_place(failure):
    def in_place(dout, cache):
        r = bn_compact(dout, cache)
        dout -= dout.mean(axis=0)
        return r
    err = failure(ch07.check_batchnorm_backward, in_place)
    assert err.category == "modified_argument" and "dout" in str(err)


def test_batchnorm_eps_message_names_the_eps_of_the_case(failure):
    err = failure(ch07.check_batchnorm_backward, _bn(dx=_dx(std_of=lambda v, e: np.sqrt(v) + e)))
    assert err.category == "bn_eps_misplaced" and "sqrt(var + eps)" in str(err) and "eps = 1e-05" in str(err)


def test_batchnorm_reference_matches_chainrule_and_numerical_grad():
    rng = np.random.default_rng(5)
    x, gamma, beta, dout = rng.standard_normal((6, 3)), rng.standard_normal(3), rng.standard_normal(3), \
        rng.standard_normal((6, 3))
    out, cache = key07.ref_batchnorm_forward(x, gamma, beta, 1e-3)
    dx, dg, db = key07.ref_batchnorm_backward(dout, cache)
    grads = bn_tensor(dout, cache)
    for a, b in zip((dx, dg, db), grads):
        assert np.allclose(a, b, rtol=1e-7, atol=1e-10)
    num = chainrule.numerical_grad(lambda v: key07.ref_batchnorm_forward(v, gamma, beta, 1e-3)[0], x, dout)
    assert chainrule.compare(num, dx).ok
    t = chainrule.functional.batch_norm(chainrule.Tensor(x), None, None, gamma, beta, training=True, eps=1e-3)
    assert np.allclose(t.data, out)


# ---------------------------------------------------------------------- clip by norm
def clip_norm_vec(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    coef = min(1.0, max_norm / (total + 1e-6))           # torch's form, with the 1e-6
    return [g * coef for g in grads], float(total)


def clip_norm_concat(grads, max_norm):
    flat = np.concatenate([g.ravel() for g in grads])
    total = np.linalg.norm(flat)
    if total <= max_norm:
        return [g.copy() for g in grads], total
    return [g / total * max_norm for g in grads], total


def clip_norm_chainrule(grads, max_norm):
    params = [chainrule.Tensor(np.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.copy()
    total = nn.utils.clip_grad_norm_(params, max_norm)
    return tuple(p.grad for p in params), float(total)   # a 0-d Tensor, as in PyTorch: the exercise returns a number


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [clip_norm_vec, clip_norm_concat, clip_norm_chainrule])
def test_clip_by_norm_accepts_correct(fn, hidden, capsys):
    ch07.check_clip_by_norm(fn, hidden=hidden)
    assert "✓ clip_by_norm" in capsys.readouterr().out


def _norm(g):
    return float(np.sqrt(np.sum(g ** 2)))


def clip_per_tensor(grads, max_norm):
    total = math.sqrt(sum(_norm(g) ** 2 for g in grads))
    return [g * min(1.0, max_norm / _norm(g)) for g in grads], total


def clip_always(grads, max_norm):
    total = math.sqrt(sum(_norm(g) ** 2 for g in grads))
    return [g * max_norm / total for g in grads], total


def clip_inverted(grads, max_norm):
    total = math.sqrt(sum(_norm(g) ** 2 for g in grads))
    return [g * (total / max_norm if total > max_norm else 1.0) for g in grads], total


def clip_in_place(grads, max_norm):
    total = math.sqrt(sum(_norm(g) ** 2 for g in grads))
    if total > max_norm:
        for g in grads:
            g *= max_norm / total
    return grads, total


def clip_returns_after(grads, max_norm):
    clipped, total = clip_norm_vec(grads, max_norm)
    return clipped, min(total, max_norm)


def clip_sum_of_norms(grads, max_norm):
    total = sum(_norm(g) for g in grads)
    return [g * min(1.0, max_norm / total) for g in grads], total


def clip_squared(grads, max_norm):
    total = sum(float(np.sum(g ** 2)) for g in grads)
    return [g * min(1.0, max_norm / total) for g in grads], total


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (clip_per_tensor, "clip_per_tensor"),
    (clip_inverted, "clip_inverted_ratio"),
    (clip_in_place, "clip_in_place"),
    (clip_returns_after, "clip_norm_after_clipping"),
    (clip_sum_of_norms, "clip_norm_sum_of_norms"),
    (clip_squared, "clip_norm_squared"),
    (lambda grads, m: clip_norm_vec(grads, m)[0], "bad_return"),
    (lambda grads, m: (np.concatenate([g.ravel() for g in clip_norm_vec(grads, m)[0]]), clip_norm_vec(grads, m)[1]),
     "clip_not_a_list"),
    (nie, "not_implemented"),
])
def test_clip_by_norm_rejects_mistakes(fn, category, hidden, failure):
    err = failure(ch07.check_clip_by_norm, fn, hidden)
    assert err.category == category, str(err)
    named_in_zh_too(ch07.check_clip_by_norm, fn, hidden, failure, category)


def test_clip_by_norm_scaling_up_is_caught_on_the_unclipped_case(failure):
    err = failure(ch07.check_clip_by_norm, clip_always)
    assert err.category == "clip_scales_up" and "case 2 of 3" in str(err) and "clipped[0]" in str(err)


def test_clip_in_place_message_names_the_array_and_the_contract(failure):
    text = str(failure(ch07.check_clip_by_norm, clip_in_place))
    assert "grads[0]" in text and "new arrays" in text and "g *= scale" in text


def test_clip_by_norm_changing_the_list_is_caught(failure):
    def pops(grads, max_norm):
        clipped, total = clip_norm_vec(grads, max_norm)
        grads.clear()
        return clipped, total
    assert failure(ch07.check_clip_by_norm, pops).category == "clip_list_modified"


def test_clip_by_norm_message_names_index_expected_got(failure):
    text = str(failure(ch07.check_clip_by_norm, clip_per_tensor))
    assert "clip_by_norm" in text and "clipped[" in text and "expected" in text and "relative error" in text \
        and "global norm" in text


def test_clip_reference_matches_nn_utils():
    rng = np.random.default_rng(3)
    grads = [rng.standard_normal((3, 4)) * 3, rng.standard_normal(5)]
    expected, total = key07.ref_clip_by_norm(grads, 1.0)
    got, t2 = clip_norm_chainrule(grads, 1.0)
    assert math.isclose(total, t2) and all(np.allclose(a, b, rtol=1e-5) for a, b in zip(expected, got))
    params = [chainrule.Tensor(np.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.copy()
    nn.utils.clip_grad_value_(params, 0.5)
    assert all(np.array_equal(p.grad, e) for p, e in zip(params, key07.ref_clip_by_value(grads, 0.5)))


# ---------------------------------------------------------------------- clip by value
def clip_value_np(grads, c):
    return [np.clip(g, -c, c) for g in grads]


def clip_value_loops(grads, c):
    out = []
    for g in grads:
        h = g.copy()
        for i in np.ndindex(h.shape):
            h[i] = max(-c, min(c, h[i]))
        out.append(h)
    return tuple(out)


def clip_value_chainrule(grads, c):
    params = [chainrule.Tensor(np.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.copy()
    nn.utils.clip_grad_value_(params, c)
    return [p.grad for p in params]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [clip_value_np, clip_value_loops, clip_value_chainrule])
def test_clip_by_value_accepts_correct(fn, hidden, capsys):
    ch07.check_clip_by_value(fn, hidden=hidden)
    assert "✓ clip_by_value" in capsys.readouterr().out


def clip_value_in_place(grads, c):
    for g in grads:
        np.clip(g, -c, c, out=g)
    return grads


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (lambda grads, c: [np.minimum(g, c) for g in grads], "clip_value_one_sided"),
    (lambda grads, c: [np.maximum(g, -c) for g in grads], "clip_value_one_sided"),
    (lambda grads, c: [np.clip(np.abs(g), -c, c) for g in grads], "clip_value_abs"),
    (lambda grads, c: [np.sign(g) * c for g in grads], "clip_value_sign_only"),
    (lambda grads, c: [np.where(np.abs(g) > c, 0.0, g) for g in grads], "clip_value_zeroed"),
    (lambda grads, c: [g * min(1.0, c / np.abs(g).max()) for g in grads], "clip_value_rescaled"),
    (clip_value_in_place, "clip_in_place"),
    (lambda grads, c: np.clip(grads[0], -c, c), "clip_not_a_list"),
    (nie, "not_implemented"),
])
def test_clip_by_value_rejects_mistakes(fn, category, hidden, failure):
    err = failure(ch07.check_clip_by_value, fn, hidden)
    assert err.category == category, str(err)
    named_in_zh_too(ch07.check_clip_by_value, fn, hidden, failure, category)
    if category.startswith("clip_value"):
        assert "  clipped[" in str(err)


# ---------------------------------------------------------------------- init scales
def init_formulas(fan_in, fan_out, scheme, distribution="normal"):
    var = 2.0 / (fan_in + fan_out) if scheme == "xavier" else 2.0 / fan_in
    return math.sqrt(3 * var) if distribution == "uniform" else math.sqrt(var)


def init_with_gain(fan_in, fan_out, scheme, distribution="normal"):
    if scheme == "he":
        std = nn.init.calculate_gain("relu") / np.sqrt(fan_in)
    else:
        std = 1.0 * np.sqrt(2.0 / (fan_in + fan_out))
    return np.float64(std * np.sqrt(3.0)) if distribution == "uniform" else std


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [init_formulas, init_with_gain])
def test_init_scale_accepts_correct(fn, hidden, capsys):
    ch07.check_init_scale(fn, hidden=hidden)
    assert "✓ init_scale" in capsys.readouterr().out


def _init(he=None, xavier=None, uniform=lambda s: math.sqrt(3) * s):
    def fn(fan_in, fan_out, scheme, distribution="normal"):
        if scheme == "he":
            std = he(fan_in, fan_out) if he else math.sqrt(2 / fan_in)
        else:
            std = xavier(fan_in, fan_out) if xavier else math.sqrt(2 / (fan_in + fan_out))
        return uniform(std) if distribution == "uniform" else std
    return fn


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (_init(he=lambda a, b: math.sqrt(2 / b)), "init_he_fan_out"),
    (_init(he=lambda a, b: math.sqrt(1 / a)), "init_he_missing_gain"),
    (_init(he=lambda a, b: 2 / math.sqrt(a)), "init_he_gain_squared"),
    (_init(he=lambda a, b: 2 / a), "init_variance_not_std"),
    (_init(xavier=lambda a, b: math.sqrt(1 / a)), "init_xavier_fan_in_only"),
    (_init(xavier=lambda a, b: math.sqrt(1 / (a + b))), "init_xavier_missing_2"),
    (_init(xavier=lambda a, b: 2 / (a + b)), "init_variance_not_std"),
    (_init(uniform=lambda s: s), "init_uniform_returned_std"),
    (_init(uniform=lambda s: 3 * s), "init_uniform_factor_3"),
    (_init(uniform=lambda s: math.sqrt(6) * s), "init_uniform_sqrt6"),
    (lambda a, b, s, d: None, "none_returned"),
    (nie, "not_implemented"),
])
def test_init_scale_rejects_mistakes(fn, category, hidden, failure):
    err = failure(ch07.check_init_scale, fn, hidden)
    assert err.category == category, str(err)
    named_in_zh_too(ch07.check_init_scale, fn, hidden, failure, category)


def test_init_normal_returning_a_bound_is_caught(failure):
    fn = _init(he=lambda a, b: math.sqrt(6 / a), xavier=lambda a, b: math.sqrt(6 / (a + b)), uniform=lambda s: s)
    assert failure(ch07.check_init_scale, fn).category == "init_normal_returned_bound"


@pytest.mark.parametrize("fan_in, fan_out", [(300, 200), (150, 400)])
def test_init_reference_matches_nn_init(fan_in, fan_out):
    nn.init.manual_seed(0)
    w = np.empty((fan_out, fan_in))             # a Linear weight: (out, in)
    for scheme, dist, fill in [("xavier", "normal", lambda: nn.init.xavier_normal_(w)),
                               ("he", "normal", lambda: nn.init.kaiming_normal_(w, nonlinearity="relu")),
                               ("xavier", "uniform", lambda: nn.init.xavier_uniform_(w)),
                               ("he", "uniform", lambda: nn.init.kaiming_uniform_(w, nonlinearity="relu"))]:
        fill()
        scale = key07.ref_init_scale(fan_in, fan_out, scheme, dist)
        if dist == "normal":
            assert abs(w.std() / scale - 1) < 0.01
        else:
            assert np.abs(w).max() <= scale and np.abs(w).max() > 0.999 * scale


# ---------------------------------------------------------------------- registry, messages
def test_exercises_are_registered():
    from coursekit import checks
    for ex in ("batchnorm_backward", "clip_by_norm", "clip_by_value", "init_scale", "batchnorm_backward_staged",
               "layernorm_backward", "dropout_backward"):
        assert checks.EXERCISES[ex] == "ch07" and checks.get_check(ex) is getattr(ch07, f"check_{ex}")


def test_every_ch07_category_has_a_message():
    src = inspect.getsource(ch07)
    used = set(re.findall(r'\("((?:bn|clip|init|grad)_[a-z_0-9]+)",', src)) | set(
        re.findall(r'fail\(\s*"([a-z_0-9]+)"', src)) | set(re.findall(r'"(what_[a-z_0-9A-Z]+)"', src))
    used |= {f"what_clipped_{i}" for i in range(5)}
    used -= {"clip_by_norm", "clip_by_value", "init_scale"}     # exercise ids, not categories
    used.add("clip_in_place")
    assert "bn_unbiased_var" in used and "clip_per_tensor" in used and "init_he_missing_gain" in used
    for lang in ("en", "zh"):
        assert used <= set(MESSAGES[lang]), (lang, used - set(MESSAGES[lang]))


@pytest.mark.parametrize("lang, words", [
    ("en", ["batchnorm_backward", "case 1 of 3", "dx, shape (4, 3)", "worst is at index", "expected",
            "relative error", "Hint", "variance"]),
    ("zh", ["batchnorm_backward", "第 1 个用例", "dx，形状 (4, 3)", "误差最大的在索引", "期望", "相对误差", "提示",
            "方差"]),
])
def test_messages_in_the_notebook_language(lang, words, failure):
    core.set_language(lang)
    text = str(failure(ch07.check_batchnorm_backward, _bn(dx=_dx(var_term=False))))
    for w in words:
        assert w in text, (w, text)


@pytest.mark.parametrize("lang, line", [("en", "✓ init_scale: all 6 hidden tests passed."),
                                        ("zh", "✓ init_scale\uff1a6 项隐藏测试全部通过。")])
def test_success_line_in_both_languages(lang, line, capsys):
    core.set_language(lang)
    ch07.check_init_scale(init_formulas, hidden=True)
    assert capsys.readouterr().out.strip() == line


# ---------------------------------------------------------------------- the layer-sized hidden case
def test_batchnorm_hidden_check_has_a_layer_sized_case_and_honest_code_passes_it(layer_sized, capsys):
    """Finite differences need two forward passes per element of x (benchmarks/fd_vs_backprop.py)."""
    fn = recording(bn_compact)
    ch07.check_batchnorm_backward(fn, hidden=True)
    assert "✓ batchnorm_backward" in capsys.readouterr().out
    assert max(dout.size for dout, cache in fn.calls) >= 512 * 512
