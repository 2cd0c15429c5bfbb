"""Chapter 3's checks: every correct implementation passes (loops or vectorised, visible and hidden),
every typical mistake fails with the right diagnosis naming the wrong output, in both languages."""
import inspect
import re

import numpy as np
import pytest
from checks_helpers import english, failure, layer_sized, recording, small_layer_cases  # noqa: F401  (fixtures)

import chainrule
from coursekit.checks import ch03, ch03_act, core
from grader.key import ch03 as key03
from coursekit.checks.messages import MESSAGES

HIDDEN = [False, True]


def nie(*args):
    raise NotImplementedError()


# ---------------------------------------------------------------------- affine forward
def affine_forward_vec(x, w, b):
    return x @ w.T + b, (x, w, b)


def affine_forward_loops(x, w, b):
    n, m = x.shape[0], w.shape[0]
    out = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            out[i, j] = sum(x[i, k] * w[j, k] for k in range(x.shape[1])) + b[j]
    return out, (x, w, b)


def affine_forward_einsum(x, w, b):
    return [np.einsum("nd,md->nm", x, w) + b[None, :], (x, w, b)]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [affine_forward_vec, affine_forward_loops, affine_forward_einsum])
def test_affine_forward_accepts_correct(fn, hidden, capsys):
    ch03.check_affine_forward(fn, hidden=hidden)
    assert "✓ affine_forward" in capsys.readouterr().out


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (lambda x, w, b: (x @ w + b, None), "affine_layout"),          # (in, out) layout: shapes clash
    (lambda x, w, b: (x @ w.T, None), "missing_bias"),
    (lambda x, w, b: x @ w.T + b, "bad_return"),                    # forgot the cache
    (lambda x, w, b: (-(x @ w.T + b), None), "affine_out_sign"),
    (lambda x, w, b: (x @ w.T + 2 * b, None), "affine_bias_twice"),
    (nie, "not_implemented"),
])
def test_affine_forward_rejects_mistakes(fn, category, hidden, failure):
    assert failure(ch03.check_affine_forward, fn, hidden).category == category


# ---------------------------------------------------------------------- affine backward
def affine_backward_vec(dout, cache):
    x, w, b = cache
    return dout @ w, dout.T @ x, dout.sum(axis=0)


def affine_backward_loops(dout, cache):
    x, w, b = cache
    dx, dw, db = np.zeros_like(x), np.zeros_like(w), np.zeros_like(b)
    for i in range(x.shape[0]):
        dx[i] = dout[i] @ w
        dw += np.outer(dout[i], x[i])
        db += dout[i]
    return dx, dw, db


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [affine_backward_vec, affine_backward_loops])
def test_affine_backward_accepts_correct(fn, hidden, capsys):
    ch03.check_affine_backward(fn, hidden=hidden)
    assert "✓ affine_backward" in capsys.readouterr().out


def _ab(dx=None, dw=None, db=None):
    """affine_backward with one output replaced by a mistake."""
    def fn(dout, cache):
        x, w, b = cache
        r = list(affine_backward_vec(dout, cache))
        for i, f in enumerate((dx, dw, db)):
            if f is not None:
                r[i] = f(dout, x, w, b)
        return tuple(r)
    return fn


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category, name", [
    (_ab(dw=lambda d, x, w, b: x.T @ d), "dw_transposed", "dw"),
    (_ab(db=lambda d, x, w, b: d), "db_missing_batch_sum", "db"),
    (_ab(db=lambda d, x, w, b: d.mean(axis=0)), "grad_divided_by_n", "db"),
    (_ab(dw=lambda d, x, w, b: d.T @ x / len(x)), "grad_divided_by_n", "dw"),
    (_ab(db=lambda d, x, w, b: d.sum(axis=1)), "db_wrong_axis", "db"),
    (_ab(dx=lambda d, x, w, b: -(d @ w)), "affine_grad_sign", "dx"),
    (_ab(dw=lambda d, x, w, b: -(d.T @ x)), "affine_grad_sign", "dw"),     # a negated element of the tuple
    (_ab(db=lambda d, x, w, b: -d.sum(axis=0)), "affine_grad_sign", "db"),
    (_ab(dw=lambda d, x, w, b: 2 * d.T @ x), "grad_doubled", "dw"),
    (_ab(dx=lambda d, x, w, b: 0.5 * d @ w), "grad_halved", "dx"),
    (_ab(dw=lambda d, x, w, b: np.einsum("nm,nd->nmd", d, x)), "grad_missing_batch_sum", "dw"),
    (lambda dout, cache: (dout @ cache[1].T, None, None), "affine_layout", None),
    (lambda dout, cache: affine_backward_vec(dout, cache)[:2], "bad_return", None),
    (nie, "not_implemented", None),
])
def test_affine_backward_rejects_mistakes(fn, category, name, hidden, failure):
    err = failure(ch03.check_affine_backward, fn, hidden)
    assert err.category == category
    if name:
        assert f"  {name}" in str(err) and err.fields.get("name", name) == name


def test_affine_backward_flags_a_dout_overwritten_in_place(failure):
    def in_place(dout, cache):
        x, w, b = cache
        dout *= 1.0
        dout[0, 0] = 99.0
        return affine_backward_vec(dout, cache)
    err = failure(ch03.check_affine_backward, in_place)
    assert err.category == "modified_argument" and "dout" in str(err)


def test_affine_backward_message_names_output_index_expected_got_and_rel_error(failure):
    text = str(failure(ch03.check_affine_backward, _ab(dw=lambda d, x, w, b: x.T @ d)))
    assert "affine_backward" in text and "case 1 of 3" in text
    assert "dw" in text and "transpose" in text and "dout.T @ x" in text
    wrong = str(failure(ch03.check_affine_backward, _ab(db=lambda d, x, w, b: d.sum(axis=0) + 0.5)))
    assert "db, shape (3,)" in wrong and "worst is at index" in wrong and "expected" in wrong \
        and "relative error" in wrong


# ---------------------------------------------------------------------- activations
def sigmoid_backward_vec(dout, out):
    return dout * out * (1 - out)


def sigmoid_backward_loops(dout, out):
    dx = np.empty_like(dout)
    for i in np.ndindex(dout.shape):
        s = out[i]
        dx[i] = dout[i] * s * (1.0 - s)
    return dx


def tanh_backward_vec(dout, out):
    return dout * (1 - out ** 2)


def tanh_backward_loops(dout, out):
    dx = np.empty_like(dout)
    for i in np.ndindex(dout.shape):
        dx[i] = dout[i] * (1.0 - out[i] * out[i])
    return dx


def relu_backward_vec(dout, x):
    return dout * (x > 0)


def relu_backward_where(dout, x):
    return np.where(x > 0, dout, 0.0)


def relu_backward_cs231n(dout, x):
    dx = dout.copy()
    dx[x <= 0] = 0
    return dx


def relu_backward_loops(dout, x):
    dx = np.zeros_like(dout)
    for i in np.ndindex(x.shape):
        if x[i] > 0:
            dx[i] = dout[i]
    return dx


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("check, fn", [
    ("sigmoid_backward", sigmoid_backward_vec), ("sigmoid_backward", sigmoid_backward_loops),
    ("tanh_backward", tanh_backward_vec), ("tanh_backward", tanh_backward_loops),
    ("relu_backward", relu_backward_vec), ("relu_backward", relu_backward_where),
    ("relu_backward", relu_backward_cs231n), ("relu_backward", relu_backward_loops),
])
def test_activation_backward_accepts_correct(check, fn, hidden, capsys):
    getattr(ch03, f"check_{check}")(fn, hidden=hidden)
    assert f"✓ {check}" in capsys.readouterr().out


def relu_mask_on_dout_in_place(dout, x):
    dx = dout
    dx[dout <= 0] = 0   # mask from dout, and dout overwritten too
    return dx


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("check, fn, category", [
    ("sigmoid_backward", lambda dout, out: dout * out, "sigmoid_derivative_s"),
    ("sigmoid_backward", lambda dout, out: out * (1 - out), "missing_upstream"),
    ("sigmoid_backward", lambda dout, out: dout * key03.sigmoid(out) * (1 - key03.sigmoid(out)), "cache_is_output"),
    ("sigmoid_backward", lambda dout, out: dout * out * (out - 1), "sigmoid_sign"),
    ("sigmoid_backward", lambda dout, out: 2 * dout * out * (1 - out), "grad_doubled"),
    ("sigmoid_backward", lambda dout, out: dout * (1 - out ** 2), "sigmoid_derivative_form"),
    ("tanh_backward", lambda dout, out: dout * (1 - out), "tanh_derivative_form"),
    ("tanh_backward", lambda dout, out: 1 - out ** 2, "missing_upstream"),
    ("tanh_backward", lambda dout, out: dout * (1 - np.tanh(out) ** 2), "cache_is_output"),
    ("tanh_backward", lambda dout, out: dout * (out ** 2 - 1), "tanh_sign"),
    ("tanh_backward", lambda dout, out: 0.5 * dout * (1 - out ** 2), "grad_halved"),
    ("relu_backward", lambda dout, x: -dout * (x > 0), "relu_sign"),
    ("relu_backward", lambda dout, x: dout * (dout > 0), "relu_mask_dout"),
    ("relu_backward", lambda dout, x: np.maximum(dout, 0), "relu_mask_dout"),
    ("relu_backward", lambda dout, x: dout * (x < 0), "relu_mask_inverted"),
    ("relu_backward", lambda dout, x: (x > 0).astype(float), "missing_upstream"),
    ("relu_backward", lambda dout, x: np.maximum(x, 0), "relu_forward_returned"),
    ("relu_backward", relu_mask_on_dout_in_place, "modified_argument"),
    ("relu_backward", nie, "not_implemented"),
])
def test_activation_backward_rejects_mistakes(check, fn, category, hidden, failure):
    err = failure(getattr(ch03, f"check_{check}"), fn, hidden)
    assert err.category == category
    if category not in ("not_implemented", "modified_argument"):
        assert "  dx" in str(err)


# ---------------------------------------------------------------------- softmax + cross-entropy
def ce_vec(logits, y):
    n = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(n), y]))
    d = p.copy()
    d[np.arange(n), y] -= 1
    return loss, d / n


def ce_loops(logits, y):
    n, c = logits.shape
    loss, d = 0.0, np.zeros((n, c))
    for i in range(n):
        m = max(logits[i])
        e = [np.exp(v - m) for v in logits[i]]
        s = sum(e)
        loss += -(logits[i, y[i]] - m - np.log(s)) / n
        for j in range(c):
            d[i, j] = (e[j] / s - (1.0 if j == y[i] else 0.0)) / n
    return loss, d


def ce_logsumexp_onehot(logits, y):
    n, c = logits.shape
    onehot = np.eye(c)[y]
    m = logits.max(axis=1, keepdims=True)
    logp = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    return float(-(onehot * logp).sum() / n), (np.exp(logp) - onehot) / n


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [ce_vec, ce_loops, ce_logsumexp_onehot])
def test_softmax_cross_entropy_accepts_correct(fn, hidden, capsys):
    ch03.check_softmax_cross_entropy(fn, hidden=hidden)
    assert "✓ softmax_cross_entropy" in capsys.readouterr().out


def ce_naive(logits, y):
    n = logits.shape[0]
    e = np.exp(logits)                       # no max subtraction: overflows on large logits
    p = e / e.sum(axis=1, keepdims=True)
    d = p.copy()
    d[np.arange(n), y] -= 1
    return -np.mean(np.log(p[np.arange(n), y])), d / n


def _ce(loss=None, d=None):
    def fn(logits, y):
        n, c = logits.shape
        l0, d0 = ce_vec(logits, y)
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        onehot = np.eye(c)[y]
        return (l0 if loss is None else loss(l0, n, c, p, onehot, y),
                d0 if d is None else d(d0, n, c, p, onehot))
    return fn


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category, what", [
    (ce_naive, "softmax_overflow", None),
    (_ce(d=lambda d, n, c, p, oh: d * n), "ce_grad_not_divided", "dlogits"),
    (_ce(d=lambda d, n, c, p, oh: d / n), "grad_divided_by_n", "dlogits"),
    (_ce(d=lambda d, n, c, p, oh: (oh - p) / n), "ce_grad_sign", "dlogits"),
    (_ce(d=lambda d, n, c, p, oh: p / n), "ce_missing_onehot", "dlogits"),
    (_ce(loss=lambda l, n, c, p, oh, y: l * n), "loss_sum_not_mean", "loss"),
    (_ce(loss=lambda l, n, c, p, oh, y: -l), "loss_sign", "loss"),
    (_ce(loss=lambda l, n, c, p, oh, y: -np.mean(oh * np.log(p))), "ce_mean_over_classes", "loss"),
    (lambda logits, y: ce_vec(logits, y)[1], "bad_return", None),
    (nie, "not_implemented", None),
])
def test_softmax_cross_entropy_rejects_mistakes(fn, category, what, hidden, failure):
    with np.errstate(all="ignore"):
        err = failure(ch03.check_softmax_cross_entropy, fn, hidden)
    assert err.category == category
    if what:
        assert f"  {what}" in str(err)


def test_the_overflow_case_fails_only_the_naive_softmax(failure):
    with np.errstate(all="ignore"):
        err = failure(ch03.check_softmax_cross_entropy, ce_naive)
    assert "case 3 of 3" in str(err) and "max" in str(err)     # cases 1 and 2 (small logits) passed


# ---------------------------------------------------------------------- mean squared error
def mse_vec(pred, target):
    diff = pred - target
    return np.mean(diff ** 2), 2 * diff / diff.size


def mse_loops(pred, target):
    n, d = pred.shape
    loss, grad = 0.0, np.zeros((n, d))
    for i in range(n):
        for j in range(d):
            e = pred[i, j] - target[i, j]
            loss += e * e / (n * d)
            grad[i, j] = 2 * e / (n * d)
    return loss, grad


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [mse_vec, mse_loops])
def test_mse_loss_accepts_correct(fn, hidden, capsys):
    ch03.check_mse_loss(fn, hidden=hidden)
    assert "✓ mse_loss" in capsys.readouterr().out


def _mse(loss=None, d=None):
    def fn(pred, target):
        diff = pred - target
        l0, d0 = mse_vec(pred, target)
        return (l0 if loss is None else loss(diff), d0 if d is None else d(diff))
    return fn


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (_mse(d=lambda e: e / e.size), "mse_missing_2"),                            # factor 2 forgotten
    (_mse(d=lambda e: 2 * e), "mse_grad_not_divided"),
    (_mse(d=lambda e: 2 * e / e.size ** 2), "mse_grad_divided_twice"),
    (_mse(d=lambda e: -2 * e / e.size), "mse_grad_sign"),
    (_mse(loss=lambda e: 0.5 * np.mean(e ** 2)), "mse_half_convention"),
    (_mse(loss=lambda e: np.sum(e ** 2)), "loss_sum_not_mean"),
    (_mse(loss=lambda e: np.sqrt(np.mean(e ** 2))), "mse_rmse"),
    (nie, "not_implemented"),
])
def test_mse_loss_rejects_mistakes(fn, category, hidden, failure):
    assert failure(ch03.check_mse_loss, fn, hidden).category == category


def test_mse_gradient_doubled_is_named(failure):
    # visible cases only: with two features per sample (a hidden case) twice the gradient is also
    # "divided by N only", and that diagnosis comes first
    assert failure(ch03.check_mse_loss, _mse(d=lambda e: 4 * e / e.size), False).category == "mse_grad_doubled"


def test_mse_mean_over_the_batch_only_is_recognised(failure):
    fn = _mse(d=lambda e: 2 * e / e.shape[0])
    assert failure(ch03.check_mse_loss, fn, True).category == "mse_grad_batch_only"


# ---------------------------------------------------------------------- the two-layer network
def net_with_functions(x, y, params):
    h_pre, c1 = affine_forward_vec(x, params["W1"], params["b1"])
    h = np.maximum(h_pre, 0)
    scores, c2 = affine_forward_vec(h, params["W2"], params["b2"])
    loss, dscores = ce_vec(scores, y)
    dh, dW2, db2 = affine_backward_vec(dscores, c2)
    dh_pre = relu_backward_vec(dh, h_pre)
    _, dW1, db1 = affine_backward_vec(dh_pre, c1)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def net_with_loops(x, y, params):
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    n, total = x.shape[0], 0.0
    for i in range(n):   # one sample at a time, gradients accumulated
        loss_i, g = net_with_functions(x[i:i + 1], y[i:i + 1], params)
        total += loss_i / n
        for k in grads:
            grads[k] += g[k] / n
    return total, grads


def net_with_tensors(x, y, params):
    ts = {k: chainrule.Tensor(v, requires_grad=True) for k, v in params.items()}
    F = chainrule.functional
    h = F.relu(F.linear(chainrule.Tensor(x), ts["W1"], ts["b1"]))
    loss = F.cross_entropy(F.linear(h, ts["W2"], ts["b2"]), y)
    loss.backward()
    return float(loss.data), {k: t.grad for k, t in ts.items()}


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn", [net_with_functions, net_with_loops, net_with_tensors])
def test_two_layer_net_accepts_correct(fn, hidden, capsys):
    ch03.check_two_layer_net(fn, hidden=hidden)
    assert "✓ two_layer_net" in capsys.readouterr().out


def _net(key, change):
    def fn(x, y, params):
        loss, grads = net_with_functions(x, y, params)
        grads = dict(grads)
        grads[key] = change(grads[key], x, y, params)
        return loss, grads
    return fn


def net_relu_mask_from_dout(x, y, params):
    h_pre, c1 = affine_forward_vec(x, params["W1"], params["b1"])
    h = np.maximum(h_pre, 0)
    scores, c2 = affine_forward_vec(h, params["W2"], params["b2"])
    loss, dscores = ce_vec(scores, y)
    dh, dW2, db2 = affine_backward_vec(dscores, c2)
    _, dW1, db1 = affine_backward_vec(dh * (dh > 0), c1)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def net_ce_not_divided(x, y, params):
    h_pre, c1 = affine_forward_vec(x, params["W1"], params["b1"])
    h = np.maximum(h_pre, 0)
    scores, c2 = affine_forward_vec(h, params["W2"], params["b2"])
    loss, dscores = ce_vec(scores, y)
    dscores = dscores * len(x)                     # forgot the 1/N
    dh, dW2, db2 = affine_backward_vec(dscores, c2)
    _, dW1, db1 = affine_backward_vec(relu_backward_vec(dh, h_pre), c1)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category, what", [
    (_net("W2", lambda g, x, y, p: g.T), "dw_transposed", "grads['W2']"),
    (_net("W1", lambda g, x, y, p: g.T), "dw_transposed", "grads['W1']"),
    (_net("b1", lambda g, x, y, p: -g), "net_grad_sign", "grads['b1']"),
    (_net("W2", lambda g, x, y, p: 2 * g), "grad_doubled", "grads['W2']"),
    (net_relu_mask_from_dout, "relu_mask_dout", "grads['W1']"),
    (net_ce_not_divided, "ce_grad_not_divided", "grads['W2']"),
    (lambda x, y, p: (net_with_functions(x, y, p)[0], {k: v for k, v in net_with_functions(x, y, p)[1].items()
                                                      if k != "b2"}), "missing_grad_key", None),
    (lambda x, y, p: net_with_functions(x, y, p)[1], "bad_return", None),
    (nie, "not_implemented", None),
])
def test_two_layer_net_rejects_mistakes(fn, category, what, hidden, failure):
    err = failure(ch03.check_two_layer_net, fn, hidden)
    assert err.category == category
    if what:
        assert f"  {what}" in str(err)


def test_two_layer_net_missing_batch_sum_in_db2(failure):
    def per_sample_db2(x, y, params):
        loss, grads = net_with_functions(x, y, params)
        h = np.maximum(x @ params["W1"].T + params["b1"], 0)
        _, dscores = ce_vec(h @ params["W2"].T + params["b2"], y)
        return loss, dict(grads, b2=dscores)
    err = failure(ch03.check_two_layer_net, per_sample_db2)
    assert err.category == "db_missing_batch_sum" and "grads['b2']" in str(err)


def test_two_layer_net_sgd_inside_is_caught(failure):
    def updates_params(x, y, params):
        loss, grads = net_with_functions(x, y, params)
        for k in params:
            params[k] -= 0.1 * grads[k]   # the optimizer's job, not the backward pass's
        return loss, grads
    err = failure(ch03.check_two_layer_net, updates_params)
    assert err.category == "modified_argument" and "W1" in str(err)


# ---------------------------------------------------------------------- references, registry, messages
def test_references_match_chainrule():
    rng = np.random.default_rng(0)
    logits, y = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    t = chainrule.Tensor(logits, requires_grad=True)
    loss = chainrule.functional.cross_entropy(t, y)
    loss.backward()
    r_loss, r_d = key03.ref_softmax_cross_entropy(logits, y)
    assert np.isclose(float(loss.data), r_loss) and np.allclose(t.grad, r_d)
    pred, target = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    tp = chainrule.Tensor(pred, requires_grad=True)
    m = chainrule.functional.mse_loss(tp, target)
    m.backward()
    r_loss, r_grad = key03.ref_mse_loss(pred, target)
    assert np.isclose(float(m.data), r_loss) and np.allclose(tp.grad, r_grad)


def test_exercises_are_registered():
    from coursekit import checks
    for ex in ("affine_forward", "affine_backward", "sigmoid_backward", "tanh_backward", "relu_backward",
               "softmax_cross_entropy", "mse_loss", "two_layer_net"):
        assert checks.EXERCISES[ex] == "ch03" and checks.get_check(ex) is getattr(ch03, f"check_{ex}")


def test_every_ch03_category_has_a_message():
    src = inspect.getsource(ch03) + inspect.getsource(ch03_act)   # the activations are checked in ch03_act
    used = set(re.findall(r'\("([a-z_0-9]+)",\s*(?:lambda|\(|-|[a-z_])', src)) | set(
        re.findall(r'fail\(\s*"([a-z_0-9]+)"', src)) | set(re.findall(r'"(what_[a-z_0-9A-Z]+)"', src))
    used |= {f"what_grad_{k}" for k in ch03.PARAM_NAMES}
    used -= set(ch03.__all__)
    used -= {"affine_forward", "affine_backward", "mse_loss", "softmax_cross_entropy", "two_layer_net"}  # case ids
    used -= {"name", "dout", "x", "w", "b", "out", "logits", "pred", "target", "y", "dx", "dw", "db", "loss",
             "grads", "dlogits", "dpred", "cache"}
    assert "dw_transposed" in used and "softmax_overflow" in used
    for lang in ("en", "zh"):
        assert used <= set(MESSAGES[lang]), (lang, used - set(MESSAGES[lang]))


@pytest.mark.parametrize("lang, words", [
    ("en", ["affine_backward", "case 1 of 3", "db, shape (3,)", "worst is at index", "expected", "relative error",
            "Hint", "N = 4", "twice"]),
    ("zh", ["affine_backward", "第 1 个用例", "db，形状 (3,)", "误差最大的在索引", "期望", "相对误差", "提示", "N = 4",
            "两次"]),
])
def test_messages_in_the_notebook_language(lang, words, failure):
    core.set_language(lang)
    text = str(failure(ch03.check_affine_backward, _ab(db=lambda d, x, w, b: d.mean(axis=0))))
    for w in words:
        assert w in text, (w, text)


@pytest.mark.parametrize("lang, words", [
    ("en", ["softmax_cross_entropy", "overflow", "maximum"]),
    ("zh", ["softmax_cross_entropy", "上溢", "最大值"]),
])
def test_overflow_message_in_both_languages(lang, words, failure):
    core.set_language(lang)
    with np.errstate(all="ignore"):
        text = str(failure(ch03.check_softmax_cross_entropy, ce_naive))
    for w in words:
        assert w in text, (w, text)


@pytest.mark.parametrize("lang, line", [("en", "✓ relu_backward: all 6 hidden tests passed."),
                                        ("zh", "✓ relu_backward\uff1a6 项隐藏测试全部通过。")])
def test_success_line_in_both_languages(lang, line, capsys):
    core.set_language(lang)
    ch03.check_relu_backward(relu_backward_vec, hidden=True)
    assert capsys.readouterr().out.strip() == line



# ---------------------------------------------------------------------- the layer-sized hidden cases
# Finite differences need two forward passes per input element whose gradient is asked, so the
# number of such elements ("perturbations") in the largest hidden case is what keeps them out of
# time. benchmarks/fd_vs_backprop.py measures the times, with loop solutions too (no test here
# asserts a duration; loops over half a million elements would only slow the suite down). The
# minimums are the sizes its table in benchmarks/README.md found about 7 times over the limit.
@pytest.mark.parametrize("check, fn, perturbations, minimum", [
    (ch03.check_softmax_cross_entropy, ce_vec, lambda logits, y: logits.size, 24 * 8192),
    # element-wise: this size stops an estimate one element at a time, not a vectorised one
    (ch03.check_sigmoid_backward, sigmoid_backward_vec, lambda dout, out: out.size, 640 * 768),
    (ch03.check_tanh_backward, tanh_backward_vec, lambda dout, out: out.size, 640 * 768),
    (ch03.check_relu_backward, relu_backward_where, lambda dout, x: x.size, 640 * 768),
    (ch03.check_mse_loss, mse_vec, lambda pred, target: pred.size, 640 * 768),
], ids=["softmax_cross_entropy", "sigmoid", "tanh", "relu", "mse"])
def test_hidden_check_has_a_layer_sized_case_and_honest_code_passes_it(check, fn, perturbations, minimum,
                                                                        layer_sized, capsys):
    fn = recording(fn)
    check(fn, hidden=True)
    assert "✓" in capsys.readouterr().out
    assert max(perturbations(*args) for args in fn.calls) >= minimum


# ---------------------------------------------------------------------- each exercise's own hints, both languages
OWN_HINTS = [
    (ch03.check_affine_forward, lambda x, w, b: (-(x @ w.T + b), None), "affine_out_sign"),
    (ch03.check_affine_backward, _ab(dx=lambda d, x, w, b: -(d @ w)), "affine_grad_sign"),
    (ch03.check_affine_backward, _ab(db=lambda d, x, w, b: -d.sum(axis=0)), "affine_grad_sign"),
    (ch03.check_affine_backward, _ab(dw=lambda d, x, w, b: 2 * d.T @ x), "grad_doubled"),
    (ch03.check_sigmoid_backward, lambda dout, out: dout * out * (out - 1), "sigmoid_sign"),
    (ch03.check_tanh_backward, lambda dout, out: dout * (out ** 2 - 1), "tanh_sign"),
    (ch03.check_relu_backward, lambda dout, x: -dout * (x > 0), "relu_sign"),
    (ch03.check_softmax_cross_entropy, _ce(d=lambda d, n, c, p, oh: (oh - p) / n), "ce_grad_sign"),
    (ch03.check_mse_loss, _mse(d=lambda e: -2 * e / e.size), "mse_grad_sign"),
    (ch03.check_two_layer_net, _net("W2", lambda g, x, y, p: -g), "net_grad_sign"),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("check, fn, category", OWN_HINTS)
def test_each_exercise_names_its_own_sign_mistake_in_the_notebook_language(check, fn, category, lang, failure):
    core.set_language(lang)
    err = failure(check, fn)
    text = str(err)
    assert err.category == category and MESSAGES[lang][category].split("}")[-1][:10] in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text) == (lang == "zh")
    assert "p − onehot" not in text or category == "ce_grad_sign"   # no loss-function hint for a layer


def test_a_square_weight_catches_dx_with_w_transposed(failure):
    # hidden case (15, 6, 3, 3) has a square w: dout @ w.T has dx's shape there, only its values can tell
    err = failure(ch03.check_affine_backward, _ab(dx=lambda d, x, w, b: d @ w.T if w.shape[0] == w.shape[1]
                                                 else d @ w), True)
    assert err.category == "affine_dx_wT" and "  dx" in str(err)
