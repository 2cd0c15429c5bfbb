"""Chapter 7's staged batch norm, layer norm and dropout checks: correct implementations pass (visible
and hidden), each typical mistake is rejected and named (category and message, in en and zh), the
references agree with central differences and with chainrule's own layers, and the layer-sized hidden
cases pass honest code."""
import inspect
import re

import numpy as np
import pytest
from checks_helpers import english, failure, layer_sized, recording, small_layer_cases  # noqa: F401  (fixtures)

import chainrule
from chainrule import Tensor
from chainrule import functional as F
from coursekit.checks import ch07, ch07_layers, core
from grader.key import ch07 as key07
from coursekit.checks.messages import MESSAGES

HIDDEN = [False, True]
CJK = re.compile(r"[\u4e00-\u9fff]")


def nie(*args):
    raise NotImplementedError()


# ---------------------------------------------------------------------- staged batch norm
def staged_right(dout, cache):
    xc, var, std, inv, x_hat, gamma, eps = cache
    n = xc.shape[0]
    g = {"beta": dout.sum(axis=0), "gamma": (dout * x_hat).sum(axis=0), "x_hat": dout * gamma}
    g["inv"] = (g["x_hat"] * xc).sum(axis=0)
    g["std"] = -g["inv"] / std ** 2
    g["var"] = g["std"] / (2 * std)
    g["xc"] = g["x_hat"] * inv
    g["xc"] += g["var"] * 2 * xc / n
    g["mu"] = -g["xc"].sum(axis=0)
    g["x"] = g["xc"] + g["mu"] / n
    return g


def staged_by_autodiff(dout, cache):
    """The same stages as chainrule Tensors, each gradient kept with retain_grad: another honest answer."""
    xc0, var0, std0, inv0, x_hat0, gamma0, eps = cache
    x = Tensor(xc0 + 3.0, requires_grad=True)            # any x with this centred version will do
    gamma, beta = Tensor(gamma0, requires_grad=True), Tensor(np.zeros_like(gamma0), requires_grad=True)
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc * xc).mean(axis=0)
    std = (var + eps).sqrt()
    inv = 1.0 / std
    x_hat = xc * inv
    out = gamma * x_hat + beta
    named = {"mu": mu, "xc": xc, "var": var, "std": std, "inv": inv, "x_hat": x_hat}
    for t in named.values():
        t.retain_grad()
    out.backward(dout)
    return {**{k: t.grad for k, t in named.items()}, "x": x.grad, "gamma": gamma.grad, "beta": beta.grad}


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [staged_right, staged_by_autodiff])
def test_staged_accepts_correct(fn, hidden, capsys):
    ch07.check_batchnorm_backward_staged(fn, hidden=hidden)
    assert "✓ batchnorm_backward_staged" in capsys.readouterr().out


def _staged(key, wrong):
    """staged_right, with stage ``key`` computed by ``wrong(g, cache, dout)`` and the later stages from it."""
    def fn(dout, cache):
        xc, var, std, inv, x_hat, gamma, eps = cache
        n = xc.shape[0]
        g = staged_right(dout, cache)
        g[key] = wrong(g, cache, dout)
        order = ch07_layers.STAGES
        later = order[order.index(key) + 1:]
        if "std" in later:
            g["std"] = -g["inv"] / std ** 2
        if "var" in later:
            g["var"] = g["std"] / (2 * std)
        if "xc" in later:
            g["xc"] = g["x_hat"] * inv + g["var"] * 2 * xc / n
        if "mu" in later:
            g["mu"] = -g["xc"].sum(axis=0)
        if "x" in later:
            g["x"] = g["xc"] + g["mu"] / n
        return g
    return fn


STAGED_MISTAKES = [
    (_staged("beta", lambda g, c, d: d), "bn_param_missing_batch_sum", "beta"),
    (_staged("gamma", lambda g, c, d: d.sum(axis=0)), "bn_dgamma_missing_xhat", "gamma"),
    (_staged("x_hat", lambda g, c, d: d), "bn_missing_gamma", "x_hat"),
    (_staged("inv", lambda g, c, d: g["x_hat"] * c[0]), "bn_param_missing_batch_sum", "inv"),
    (_staged("inv", lambda g, c, d: (g["x_hat"] * c[4]).sum(axis=0)), "bn_staged_inv_uses_xhat", "inv"),
    (_staged("std", lambda g, c, d: g["inv"] / c[2] ** 2), "bn_staged_reciprocal_sign", "std"),
    (_staged("std", lambda g, c, d: -g["inv"] / c[2]), "bn_staged_reciprocal_power", "std"),
    (_staged("var", lambda g, c, d: g["std"] / c[2]), "bn_staged_sqrt_half", "var"),
    # `=` where `+=` belongs: xc keeps only the path through x_hat
    (_staged("xc", lambda g, c, d: g["x_hat"] * c[3]), "bn_staged_xc_one_path", "xc"),
    (_staged("xc", lambda g, c, d: g["x_hat"] * c[3] + g["var"] * 2 * c[0]), "bn_staged_var_mean", "xc"),
    (_staged("mu", lambda g, c, d: g["xc"].sum(axis=0)), "bn_staged_mu_sign", "mu"),
    (_staged("x", lambda g, c, d: g["xc"]), "bn_staged_x_one_path", "x"),
    (_staged("x", lambda g, c, d: g["xc"] + g["mu"]), "bn_staged_mean_missing_n", "x"),
    (_staged("x", lambda g, c, d: -(g["xc"] + g["mu"] / c[0].shape[0])), "bn_sign", "x"),
    (lambda d, c: [v for v in staged_right(d, c).values()], "bn_staged_not_a_dict", None),
    (lambda d, c: {k: v for k, v in staged_right(d, c).items() if k != "mu"}, "bn_staged_missing_key", None),
    (nie, "not_implemented", None),
]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category, key", STAGED_MISTAKES)
def test_staged_rejects_and_names_mistakes(fn, category, key, hidden, failure):
    err = failure(ch07.check_batchnorm_backward_staged, fn, hidden)
    assert err.category == category, str(err)
    if key:
        assert f"grads['{key}']" in str(err)


def test_staged_flags_a_cache_changed_in_place(failure):
    def in_place(dout, cache):
        g = staged_right(dout, cache)
        xc = cache[0]
        xc *= 2.0                                # the cached xc edited in place
        return g
    err = failure(ch07.check_batchnorm_backward_staged, in_place)
    assert err.category == "modified_argument" and "cache xc" in str(err)


def test_staged_reference_matches_the_compact_one_and_numerical_grad():
    rng = np.random.default_rng(5)
    x, gamma, beta, dout = rng.standard_normal((5, 3)), rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal((5, 3))
    staged = key07.ref_batchnorm_backward_staged(dout, key07.ref_batchnorm_forward_staged(x, gamma, beta)[1])
    dx, dgamma, dbeta = key07.ref_batchnorm_backward(dout, key07.ref_batchnorm_forward(x, gamma, beta)[1])
    np.testing.assert_allclose(staged["x"], dx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(staged["gamma"], dgamma, rtol=1e-12)
    numeric = chainrule.numerical_grad(lambda v: key07.ref_batchnorm_forward_staged(v, gamma, beta)[0], x, dout)
    np.testing.assert_allclose(staged["x"], numeric, rtol=1e-5, atol=1e-8)


# ---------------------------------------------------------------------- layer norm
def ln_right(dout, cache):
    x, x_hat, mean, var, gamma, eps = cache
    g = gamma * dout
    d = x.shape[1]
    dx = (d * g - g.sum(axis=1, keepdims=True) - x_hat * (g * x_hat).sum(axis=1, keepdims=True)) / (d * np.sqrt(var + eps))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def ln_tensor(dout, cache):
    x, x_hat, mean, var, gamma, eps = cache
    xt, gt = Tensor(x, requires_grad=True), Tensor(gamma, requires_grad=True)
    bt = Tensor(np.zeros_like(gamma), requires_grad=True)
    F.layer_norm(xt, x.shape[1], gt, bt, eps=eps).backward(dout)
    return xt.grad, gt.grad, bt.grad


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [ln_right, ln_tensor])
def test_layernorm_accepts_correct(fn, hidden, capsys):
    ch07.check_layernorm_backward(fn, hidden=hidden)
    assert "✓ layernorm_backward" in capsys.readouterr().out


def _ln(dx=None, dgamma=None, dbeta=None):
    def fn(dout, cache):
        x, x_hat, mean, var, gamma, eps = cache
        r = list(ln_right(dout, cache))
        for i, f in enumerate((dx, dgamma, dbeta)):
            if f is not None:
                r[i] = f(dout, x_hat, var, gamma, eps)
        return tuple(r)
    return fn


def _ln_dx(axis=1, mean_term=True, var_term=True, std=lambda v, e: np.sqrt(v + e), gamma_on=True):
    def f(dout, x_hat, var, gamma, eps):
        g = dout * gamma if gamma_on else dout
        out = g
        if mean_term:
            out = out - g.mean(axis=axis, keepdims=True)
        if var_term:
            out = out - x_hat * (g * x_hat).mean(axis=axis, keepdims=True)
        return out / std(var, eps)
    return f


LN_MISTAKES = [
    (_ln(dx=_ln_dx(axis=0)), "ln_batch_axis", "dx"),
    (_ln(dx=_ln_dx(mean_term=False, var_term=False)), "ln_only_direct_term", "dx"),
    (_ln(dx=_ln_dx(var_term=False)), "ln_missing_var_term", "dx"),
    (_ln(dx=_ln_dx(mean_term=False)), "ln_missing_mean_term", "dx"),
    (_ln(dx=_ln_dx(gamma_on=False)), "bn_missing_gamma", "dx"),
    (_ln(dx=_ln_dx(std=lambda v, e: np.sqrt(v) + e)), "bn_eps_misplaced", "dx"),
    (_ln(dx=_ln_dx(std=lambda v, e: np.sqrt(v))), "bn_eps_forgotten", "dx"),
    (_ln(dx=lambda d, xh, v, g, e: -_ln_dx()(d, xh, v, g, e)), "ln_sign", "dx"),
    (_ln(dgamma=lambda d, xh, v, g, e: d * xh), "bn_param_missing_batch_sum", "dgamma"),
    (_ln(dgamma=lambda d, xh, v, g, e: (d * xh).sum(axis=1)), "ln_param_feature_sum", "dgamma"),
    (_ln(dgamma=lambda d, xh, v, g, e: -(d * xh).sum(axis=0)), "ln_sign", "dgamma"),
    (_ln(dbeta=lambda d, xh, v, g, e: d.sum(axis=1)), "ln_param_feature_sum", "dbeta"),
    (_ln(dbeta=lambda d, xh, v, g, e: (d * xh).sum(axis=0)), "bn_swapped_dgamma_dbeta", "dbeta"),
    (_ln(dbeta=lambda d, xh, v, g, e: -d.sum(axis=0)), "ln_sign", "dbeta"),
    (lambda d, c: ln_right(d, c)[:2], "bad_return", None),
]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category, name", LN_MISTAKES)
def test_layernorm_rejects_and_names_mistakes(fn, category, name, hidden, failure):
    err = failure(ch07.check_layernorm_backward, fn, hidden)
    assert err.category == category, str(err)
    if name:
        assert f"  {name}" in str(err)


def test_layernorm_reference_matches_f_layer_norm():
    rng = np.random.default_rng(9)
    x, gamma, beta, dout = rng.standard_normal((4, 6)), rng.standard_normal(6), rng.standard_normal(6), rng.standard_normal((4, 6))
    out, cache = key07.ref_layernorm_forward(x, gamma, beta)
    ours = key07.ref_layernorm_backward(dout, cache)
    xt, gt, bt = (Tensor(a, requires_grad=True) for a in (x, gamma, beta))
    y = F.layer_norm(xt, 6, gt, bt)
    np.testing.assert_allclose(y.data, out, rtol=1e-10)
    y.backward(dout)
    for mine, theirs in zip(ours, (xt.grad, gt.grad, bt.grad)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-8, atol=1e-10)


# ---------------------------------------------------------------------- dropout
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [lambda d, m, p: d * m / (1 - p), lambda d, m, p: np.where(m > 0, d / (1 - p), 0.0)])
def test_dropout_accepts_correct(fn, hidden, capsys):
    ch07.check_dropout_backward(fn, hidden=hidden)
    assert "✓ dropout_backward" in capsys.readouterr().out


DROP_MISTAKES = [
    (lambda d, m, p: d * m, "drop_missing_scale"),
    (lambda d, m, p: d * m / p, "drop_scaled_by_p"),
    (lambda d, m, p: d * m * (1 - p), "drop_multiplied_keep"),
    (lambda d, m, p: d / (1 - p), "drop_missing_mask"),
    (lambda d, m, p: d * (1 - m) / (1 - p), "drop_inverted_mask"),
    (lambda d, m, p: m / (1 - p), "drop_missing_upstream"),
    (lambda d, m, p: -d * m / (1 - p), "drop_sign"),
    (nie, "not_implemented"),
]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", DROP_MISTAKES)
def test_dropout_rejects_and_names_mistakes(fn, category, hidden, failure):
    assert failure(ch07.check_dropout_backward, fn, hidden).category == category


def test_dropout_flags_the_mask_changed_in_place(failure):
    def in_place(dout, mask, p):
        mask /= 1 - p
        return dout * mask
    err = failure(ch07.check_dropout_backward, in_place)
    assert err.category == "modified_argument" and "mask" in str(err)


def test_dropout_reference_matches_f_dropout():
    rng = np.random.default_rng(2)
    x, dout, p = rng.standard_normal((5, 7)), rng.standard_normal((5, 7)), 0.35
    mask = (np.random.default_rng(11).random(x.shape) >= p).astype(float)
    xt = Tensor(x, requires_grad=True)
    y = F.dropout(xt, p, training=True, rng=np.random.default_rng(11))
    np.testing.assert_allclose(y.data, key07.ref_dropout_backward(x, mask, p))   # linear: same formula as forward
    y.backward(dout)
    np.testing.assert_allclose(xt.grad, key07.ref_dropout_backward(dout, mask, p))


# ---------------------------------------------------------------------- messages, both languages
CASES_BOTH_LANGS = [
    (ch07.check_batchnorm_backward_staged, _staged("xc", lambda g, c, d: g["x_hat"] * c[3]), "bn_staged_xc_one_path"),
    (ch07.check_layernorm_backward, _ln(dx=_ln_dx(axis=0)), "ln_batch_axis"),
    (ch07.check_dropout_backward, lambda d, m, p: d * m / p, "drop_scaled_by_p"),
]


@pytest.mark.parametrize("check, fn, category", CASES_BOTH_LANGS)
def test_diagnoses_are_named_in_both_languages(check, fn, category, failure):
    texts = {}
    for lang in ("en", "zh"):
        core.set_language(lang)
        err = failure(check, fn)
        assert err.category == category
        texts[lang] = str(err)
        assert core.msg(category, lang, **err.fields) in texts[lang]
    assert not CJK.search(texts["en"]) and CJK.search(texts["zh"])


def test_every_category_has_a_message_in_both_tables():
    src = inspect.getsource(ch07_layers)
    used = set(re.findall(r'\("((?:bn|ln|drop)_[a-z_0-9]+)",', src)) | set(re.findall(r'fail\(\s*"([a-z_0-9]+)"', src))
    used |= {"what_stage", "what_dx", "what_dgamma", "what_dbeta"}
    assert {"bn_staged_xc_one_path", "ln_batch_axis", "drop_scaled_by_p"} <= used
    for lang in ("en", "zh"):
        assert used <= set(MESSAGES[lang]), (lang, used - set(MESSAGES[lang]))
    for key in used - {"what_stage", "what_dx", "what_dgamma", "what_dbeta"}:
        assert CJK.search(MESSAGES["zh"][key]), key          # no English sentence left in the zh table
        assert not CJK.search(MESSAGES["en"][key]), key


# ---------------------------------------------------------------------- the layer-sized hidden cases
@pytest.mark.parametrize("check, fn, size", [
    (ch07.check_batchnorm_backward_staged, staged_right, 512 * 512),
    (ch07.check_layernorm_backward, ln_right, 512 * 512),
    (ch07.check_dropout_backward, lambda d, m, p: d * m / (1 - p), 640 * 768),
])
def test_hidden_checks_have_a_layer_sized_case_and_honest_code_passes_it(check, fn, size, layer_sized, capsys):
    rec = recording(fn)
    check(rec, hidden=True)
    assert "✓" in capsys.readouterr().out
    assert max(np.size(args[0]) for args in rec.calls) >= size
    assert set(ch07_layers.LAYER_SIZED) <= set(ch07.LAYER_SIZED)


def test_no_english_sentence_left_in_the_zh_tables_of_chapters_7_and_8():
    """Every diagnosis of chapters 7 and 8 reads as Chinese in zh and as English in en; the only
    entries without Chinese are the names of values (what_*, a parameter's .grad)."""
    from coursekit.checks.messages import ch07 as m7, ch08 as m8
    for table in (m7, m8):
        for key, text in table.ZH.items():
            name_only = key.startswith(("what_", "ch08_what_", "ch08_grad_")) or text == table.EN[key]
            assert name_only or CJK.search(text), key
        for key, text in table.EN.items():
            assert not CJK.search(text), key
