"""Chapter 5's checks: every correct implementation passes (loops or vectorised, visible and hidden),
every typical mistake fails with the right diagnosis naming the wrong output, in both languages;
the references agree with chainrule.functional and with numerical gradients."""
import inspect
import re

import numpy as np
import pytest
from checks_helpers import english, failure, layer_sized, recording, small_layer_cases  # noqa: F401  (fixtures)

import chainrule
from chainrule import Tensor
from coursekit.checks import ch05, core
from grader.key import ch05 as key05
from coursekit.checks.messages import MESSAGES

F = chainrule.functional
HIDDEN = [False, True]


def nie(*args):
    raise NotImplementedError()


# ---------------------------------------------------------------------- correct implementations
def conv_forward_loops(x, w, b, stride=1, padding=0):
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho, wo = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, f, ho, wo))
    for i in range(n):
        for k in range(f):
            for r in range(ho):
                for s in range(wo):
                    window = xp[i, :, r * stride:r * stride + kh, s * stride:s * stride + kw]
                    out[i, k, r, s] = np.sum(window * w[k]) + b[k]
    return out, (x, w, b, stride, padding)


def conv_forward_im2col(x, w, b, stride=1, padding=0):
    f, c, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    n, _, ho, wo = win.shape[:4]
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * kh * kw)
    out = (cols @ w.reshape(f, -1).T + b).reshape(n, ho, wo, f).transpose(0, 3, 1, 2)
    return out, (x, w, b, stride, padding)


def conv_forward_chainrule(x, w, b, stride=1, padding=0):
    return F.conv2d(Tensor(x), Tensor(w), Tensor(b), stride, padding).data, (x, w, b, stride, padding)


def conv_backward_loops(dout, cache):
    x, w, b, stride, padding = cache
    f, c, kh, kw = w.shape
    n, _, ho, wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp, dw, db = np.zeros_like(xp), np.zeros_like(w), np.zeros_like(b)
    for i in range(n):
        for k in range(f):
            db[k] += dout[i, k].sum()
            for r in range(ho):
                for s in range(wo):
                    rs, cs = slice(r * stride, r * stride + kh), slice(s * stride, s * stride + kw)
                    dw[k] += dout[i, k, r, s] * xp[i, :, rs, cs]
                    dxp[i, :, rs, cs] += dout[i, k, r, s] * w[k]
    return dxp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]], dw, db


def conv_backward_vectorised(dout, cache):
    x, w, b, stride, padding = cache
    f, c, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    n, _, ho, wo = dout.shape
    dw = np.einsum("nchwpq,nfhw->fcpq", win, dout)
    db = dout.sum(axis=(0, 2, 3))
    dcols = np.einsum("nfhw,fcpq->nchwpq", dout, w)
    dxp = np.zeros_like(xp)
    for p in range(kh):
        for q in range(kw):
            dxp[:, :, p:p + stride * (ho - 1) + 1:stride, q:q + stride * (wo - 1) + 1:stride] += dcols[..., p, q]
    return dxp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]], dw, db


def conv_backward_autograd(dout, cache):
    x, w, b, stride, padding = cache
    tx, tw, tb = (Tensor(a.copy(), requires_grad=True) for a in (x, w, b))
    F.conv2d(tx, tw, tb, stride, padding).backward(dout)
    return tx.grad, tw.grad, tb.grad


def maxpool_backward_loops(dout, cache):
    x, (kh, kw), stride = cache
    dx = np.zeros_like(x)
    n, c, ho, wo = dout.shape
    for i in range(n):
        for k in range(c):
            for r in range(ho):
                for s in range(wo):
                    window = x[i, k, r * stride:r * stride + kh, s * stride:s * stride + kw]
                    p, q = np.unravel_index(np.argmax(window), window.shape)
                    dx[i, k, r * stride + p, s * stride + q] += dout[i, k, r, s]
    return dx


def maxpool_backward_mask(dout, cache):
    x, (kh, kw), stride = cache
    dx = np.zeros_like(x)
    ho, wo = dout.shape[2:]
    for r in range(ho):
        for s in range(wo):
            rs, cs = slice(r * stride, r * stride + kh), slice(s * stride, s * stride + kw)
            window = x[:, :, rs, cs]
            mask = window == window.max(axis=(2, 3), keepdims=True)
            dx[:, :, rs, cs] += mask * dout[:, :, r:r + 1, s:s + 1]
    return dx


def maxpool_backward_autograd(dout, cache):
    x, kernel, stride = cache
    tx = Tensor(x.copy(), requires_grad=True)
    F.max_pool2d(tx, kernel, stride).backward(dout)
    return tx.grad


def avgpool_backward_loops(dout, cache):
    x, (kh, kw), stride = cache
    dx = np.zeros_like(x)
    n, c, ho, wo = dout.shape
    for i in range(n):
        for k in range(c):
            for r in range(ho):
                for s in range(wo):
                    dx[i, k, r * stride:r * stride + kh, s * stride:s * stride + kw] += dout[i, k, r, s] / (kh * kw)
    return dx


def avgpool_backward_offsets(dout, cache):
    x, (kh, kw), stride = cache
    dx = np.zeros_like(x)
    ho, wo = dout.shape[2:]
    for p in range(kh):
        for q in range(kw):
            dx[:, :, p:p + stride * (ho - 1) + 1:stride, q:q + stride * (wo - 1) + 1:stride] += dout / (kh * kw)
    return dx


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("check, fn", [
    ("conv2d_forward", conv_forward_loops), ("conv2d_forward", conv_forward_im2col),
    ("conv2d_forward", conv_forward_chainrule),
    ("conv2d_backward", conv_backward_loops), ("conv2d_backward", conv_backward_vectorised),
    ("conv2d_backward", conv_backward_autograd),
    ("maxpool_backward", maxpool_backward_loops), ("maxpool_backward", maxpool_backward_mask),
    ("maxpool_backward", maxpool_backward_autograd),
    ("avgpool_backward", avgpool_backward_loops), ("avgpool_backward", avgpool_backward_offsets),
])
def test_checks_accept_correct_implementations(check, fn, hidden, capsys):
    getattr(ch05, f"check_{check}")(fn, hidden=hidden)
    assert f"✓ {check}" in capsys.readouterr().out


# ---------------------------------------------------------------------- conv2d forward mistakes
def _fwd(change):
    def fn(x, w, b, stride=1, padding=0):
        return change(x, w, b, stride, padding), (x, w, b, stride, padding)
    return fn


def _ref(x, w, b, s, p):
    return key05.ref_conv2d_forward(x, w, b, s, p)


def _off_by_one(x, w, b, s, p):
    out = _ref(x, w, b, s, p)
    return out[:, :, :-1, :]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (_fwd(lambda x, w, b, s, p: _ref(x, w[:, :, ::-1, ::-1], b, s, p)), "conv_kernel_flipped"),
    (_fwd(lambda x, w, b, s, p: _ref(x, w, 0 * b, s, p)), "conv_missing_bias"),
    (_fwd(lambda x, w, b, s, p: _ref(x, w, b, s, p).transpose(0, 2, 3, 1)), "conv_nhwc"),
    (_fwd(_off_by_one), "conv_output_size"),
    (_fwd(lambda x, w, b, s, p: -_ref(x, w, b, s, p)), "conv_out_sign"),
    (lambda x, w, b, stride=1, padding=0: _ref(x, w, b, stride, padding), "bad_return"),
    (nie, "not_implemented"),
])
def test_conv2d_forward_rejects_mistakes(fn, category, hidden, failure):
    err = failure(ch05.check_conv2d_forward, fn, hidden)
    assert err.category == category
    if category not in ("not_implemented", "bad_return"):
        assert "  out" in str(err)


def _pad_one_side(x, w, b, s, p):
    return _ref(np.pad(x, ((0, 0), (0, 0), (p, 0), (p, 0))), w, b, s, 0)


@pytest.mark.parametrize("fn, category", [
    (_fwd(lambda x, w, b, s, p: _ref(x, w, b, s, 0)), "conv_padding_ignored"),
    (_fwd(_pad_one_side), "conv_padding_one_side"),
    (_fwd(lambda x, w, b, s, p: _ref(x, w, b, 1, p)), "conv_stride_ignored"),
])
def test_conv2d_forward_padding_and_stride_ignored(fn, category, failure):
    err = failure(ch05.check_conv2d_forward, fn)      # case 1 has stride 1, padding 0: it passes
    assert err.category == category and "case 2 of 3" in str(err)


# ---------------------------------------------------------------------- conv2d backward mistakes
def _bwd(dx=None, dw=None, db=None):
    """conv2d_backward with one output replaced by a mistake."""
    def fn(dout, cache):
        x, w, b, s, p = cache
        r = list(key05.ref_conv2d_backward(dout, x, w, b, s, p))
        for i, g in enumerate((dx, dw, db)):
            if g is not None:
                r[i] = g(dout, x, w, b, s, p)
        return tuple(r)
    return fn


def _per_sample_dw(dout, x, w, b, s, p):
    return np.stack([key05.ref_conv2d_backward(dout[i:i + 1], x[i:i + 1], w, b, s, p)[1] for i in range(len(x))])


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category, name", [
    (_bwd(dx=lambda d, x, w, b, s, p: key05.ref_conv2d_backward(d, x, w[:, :, ::-1, ::-1], b, s, p)[0]),
     "conv_dx_kernel_not_flipped", "dx"),
    (_bwd(dx=lambda d, x, w, b, s, p: key05.ref_conv2d_backward(d, x, w, b, s, p, crop=False)[0]),
     "conv_dx_padding_not_removed", "dx"),
    (_bwd(dx=lambda d, x, w, b, s, p: -key05.ref_conv2d_backward(d, x, w, b, s, p)[0]), "conv_grad_sign", "dx"),
    (_bwd(dw=_per_sample_dw), "conv_dw_missing_batch_sum", "dw"),
    (_bwd(dw=lambda d, x, w, b, s, p: key05.ref_conv2d_backward(d, x, w, b, s, p)[1].transpose(1, 0, 2, 3)),
     "conv_dw_channels_swapped", "dw"),
    (_bwd(dw=lambda d, x, w, b, s, p: key05.ref_conv2d_backward(d, x, w, b, s, p)[1][:, :, ::-1, ::-1]),
     "conv_dw_flipped", "dw"),
    (_bwd(db=lambda d, x, w, b, s, p: d.sum(axis=(2, 3))), "conv_db_not_summed", "db"),
    (_bwd(db=lambda d, x, w, b, s, p: d.sum(axis=0)), "conv_db_not_summed", "db"),
    (_bwd(db=lambda d, x, w, b, s, p: d), "conv_db_not_summed", "db"),
    (_bwd(db=lambda d, x, w, b, s, p: d.mean(axis=(0, 2, 3))), "conv_db_mean", "db"),
    (lambda dout, cache: key05.ref_conv2d_backward(dout, *cache)[:2], "bad_return", None),
    (nie, "not_implemented", None),
])
def test_conv2d_backward_rejects_mistakes(fn, category, name, hidden, failure):
    err = failure(ch05.check_conv2d_backward, fn, hidden)
    assert err.category == category, str(err)
    if name:
        assert f"  {name}" in str(err)


def test_conv2d_backward_stride_ignored_is_caught_on_the_stride_2_case(failure):
    def stride_one(dout, cache):
        x, w, b, s, p = cache
        return key05.ref_conv2d_backward(dout, x, w, b, s, p, scatter_stride=1)
    err = failure(ch05.check_conv2d_backward, stride_one)
    assert err.category == "conv_stride_ignored_backward" and "case 2 of 3" in str(err) and "  dx" in str(err)


def test_conv2d_backward_dw_not_summed_over_batch_by_shape(failure):
    err = failure(ch05.check_conv2d_backward, _bwd(dw=lambda d, x, w, b, s, p: _per_sample_dw(d, x, w, b, s, p) + 1))
    assert err.category == "conv_dw_missing_batch_sum"


def test_conv2d_backward_dw_divided_by_n(failure):
    err = failure(ch05.check_conv2d_backward,
                  _bwd(dw=lambda d, x, w, b, s, p: key05.ref_conv2d_backward(d, x, w, b, s, p)[1] / len(x)))
    assert err.category == "conv_grad_divided_by_n" and "  dw" in str(err)


def test_conv2d_backward_channels_swapped_in_dx_when_c_equals_f(failure):
    def swapped(dout, cache):   # uses w as if it were (C, F, kh, kw)
        x, w, b, s, p = cache
        dx = np.einsum("nfhw,cfpq->nchwpq", dout, w)          # a shape error unless C == F
        return (key05.ref_conv2d_backward(dout, x, w.transpose(1, 0, 2, 3), b, s, p)[0],) + \
            key05.ref_conv2d_backward(dout, x, w, b, s, p)[1:] if dx is not None else None

    def swapped_when_square(dout, cache):
        x, w, b, s, p = cache
        if w.shape[0] != w.shape[1]:
            return key05.ref_conv2d_backward(dout, x, w, b, s, p)
        return swapped(dout, cache)
    err = failure(ch05.check_conv2d_backward, swapped)
    assert err.category == "conv_shape_error" and "case 1 of 3" in str(err) and "(F, C, kh, kw)" in str(err)
    err = failure(ch05.check_conv2d_backward, swapped_when_square)
    assert err.category == "conv_channels_swapped" and "case 3 of 3" in str(err)


def test_conv2d_backward_flags_a_dout_overwritten_in_place(failure):
    def in_place(dout, cache):
        r = key05.ref_conv2d_backward(dout, *cache)
        dout[...] = 0.0
        return r
    err = failure(ch05.check_conv2d_backward, in_place)
    assert err.category == "modified_argument" and "dout" in str(err)


# ---------------------------------------------------------------------- pooling mistakes
def _pool(mode, **kw):
    ref = key05.ref_maxpool_backward if mode == "max" else key05.ref_avgpool_backward

    def fn(dout, cache):
        x, kernel, stride = cache
        return ref(dout, x, kernel, stride, **kw)
    return fn


def maxpool_spread_loops(dout, cache):
    x, (kh, kw), stride = cache
    dx = np.zeros_like(x)
    for r in range(dout.shape[2]):
        for s in range(dout.shape[3]):
            dx[:, :, r * stride:r * stride + kh, s * stride:s * stride + kw] += dout[:, :, r:r + 1, s:s + 1]
    return dx


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (maxpool_spread_loops, "maxpool_spread"),
    (_pool("max", how="spread_mean"), "maxpool_spread"),
    (lambda dout, cache: key05.ref_maxpool_backward(np.ones_like(dout), cache[0], cache[1], cache[2]),
     "pool_missing_upstream"),
    (lambda dout, cache: key05.ref_maxpool_backward(dout, -cache[0], cache[1], cache[2]), "maxpool_min"),
    (lambda dout, cache: (key05.ref_maxpool_backward(dout, *cache), cache), "pool_bad_return"),
    (nie, "not_implemented"),
])
def test_maxpool_backward_rejects_mistakes(fn, category, hidden, failure):
    err = failure(ch05.check_maxpool_backward, fn, hidden)
    assert err.category == category, str(err)
    if category not in ("not_implemented", "pool_bad_return"):
        assert "  dx" in str(err)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pooling_overwrite_instead_of_accumulate(mode, hidden, failure):
    check = ch05.check_maxpool_backward if mode == "max" else ch05.check_avgpool_backward
    err = failure(check, _pool(mode, accumulate=False), hidden)
    assert err.category == "pool_overlap_overwrite"


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("fn, category", [
    (_pool("avg", divide=False), "avgpool_not_divided"),
    (lambda dout, cache: key05.ref_avgpool_backward(dout, *cache) / (cache[1][0] * cache[1][1]),
     "avgpool_divided_twice"),
    (lambda dout, cache: key05.ref_maxpool_backward(dout, *cache), "avgpool_routed_to_max"),
    (lambda dout, cache: -key05.ref_avgpool_backward(dout, *cache), "conv_grad_sign"),
    (nie, "not_implemented"),
])
def test_avgpool_backward_rejects_mistakes(fn, category, hidden, failure):
    err = failure(ch05.check_avgpool_backward, fn, hidden)
    assert err.category == category, str(err)


def window_steps_avg(dout, cache):
    x, kernel, stride = cache
    return key05.ref_avgpool_backward(dout, x, kernel, 1)


def test_pool_stride_ignored(failure):
    def window_steps(dout, cache):   # windows stepped by the kernel size, not by the stride
        x, kernel, stride = cache
        return key05.ref_maxpool_backward(dout, x, kernel, kernel[0])
    err = failure(ch05.check_maxpool_backward, window_steps, True)
    assert err.category == "pool_shape_error" and "stride" in str(err)     # the last window runs past the edge
    err = failure(ch05.check_avgpool_backward, window_steps_avg)
    assert err.category == "pool_stride_ignored" and "case 1 of 3" in str(err) and "stride 1" in str(err)


# ---------------------------------------------------------------------- references, registry, messages
@pytest.mark.parametrize("spec", ch05._CONV_VISIBLE + key05.CONV_HIDDEN)
def test_conv_reference_matches_chainrule_and_numerical_gradients(spec):
    x, w, b, dout = ch05._conv_case(*spec)
    stride, pad = spec[-2:]
    tx, tw, tb = (Tensor(a.copy(), requires_grad=True) for a in (x, w, b))
    out = F.conv2d(tx, tw, tb, stride, pad)
    assert np.allclose(out.data, key05.ref_conv2d_forward(x, w, b, stride, pad))
    out.backward(dout)
    dx, dw, db = key05.ref_conv2d_backward(dout, x, w, b, stride, pad)
    assert np.allclose(tx.grad, dx) and np.allclose(tw.grad, dw) and np.allclose(tb.grad, db)
    num = chainrule.numerical_grad(lambda v: key05.ref_conv2d_forward(v, w, b, stride, pad), x, dout)
    assert np.allclose(num, dx, atol=1e-7)
    num = chainrule.numerical_grad(lambda v: key05.ref_conv2d_forward(x, v, b, stride, pad), w, dout)
    assert np.allclose(num, dw, atol=1e-7)


@pytest.mark.parametrize("spec", ch05._POOL_VISIBLE + key05.POOL_HIDDEN)
def test_pool_references_match_chainrule(spec):
    x, dout = ch05._pool_case(*spec)
    kernel, stride = spec[5:7], spec[7]
    for mode, op, ref in (("max", F.max_pool2d, key05.ref_maxpool_backward),
                          ("avg", F.avg_pool2d, key05.ref_avgpool_backward)):
        tx = Tensor(x.copy(), requires_grad=True)
        out = op(tx, kernel, stride)
        assert np.allclose(out.data, key05.ref_pool_forward(x, kernel, stride, mode))
        out.backward(dout)
        assert np.allclose(tx.grad, ref(dout, x, kernel, stride))


def test_exercises_are_registered():
    from coursekit import checks
    for ex in ("conv2d_forward", "conv2d_backward", "maxpool_backward", "avgpool_backward"):
        assert checks.EXERCISES[ex] == "ch05" and checks.get_check(ex) is getattr(ch05, f"check_{ex}")


def test_every_ch05_category_has_a_message():
    src = inspect.getsource(ch05)
    used = set(re.findall(r'\("((?:conv|pool|maxpool|avgpool)_[a-z_0-9]+)"', src)) | set(
        re.findall(r'fail\(\s*"([a-z_0-9]+)"', src))
    used -= {"conv2d_forward", "conv2d_backward", "maxpool_backward", "avgpool_backward"}
    assert "conv_kernel_flipped" in used and "pool_overlap_overwrite" in used
    for lang in ("en", "zh"):
        assert used <= set(MESSAGES[lang]), (lang, used - set(MESSAGES[lang]))


@pytest.mark.parametrize("lang, words", [
    ("en", ["conv2d_backward", "case 1 of 3", "db, shape (4,)", "worst is at index", "expected", "relative error",
            "Hint", "axis=(0, 2, 3)"]),
    ("zh", ["conv2d_backward", "第 1 个用例", "db，形状 (4,)", "误差最大的在索引", "期望", "相对误差", "提示",
            "axis=(0, 2, 3)"]),
])
def test_messages_in_the_notebook_language(lang, words, failure):
    core.set_language(lang)
    text = str(failure(ch05.check_conv2d_backward, _bwd(db=lambda d, x, w, b, s, p: d.mean(axis=(0, 2, 3)))))
    for w in words:
        assert w in text, (w, text)


@pytest.mark.parametrize("lang, words", [
    ("en", ["maxpool_backward", "maximum", "argmax"]),
    ("zh", ["maxpool_backward", "最大值", "argmax"]),
])
def test_maxpool_message_in_both_languages(lang, words, failure):
    core.set_language(lang)
    text = str(failure(ch05.check_maxpool_backward, maxpool_spread_loops))
    for w in words:
        assert w in text, (w, text)


@pytest.mark.parametrize("lang, line", [("en", "✓ avgpool_backward: all 6 hidden tests passed."),
                                        ("zh", "✓ avgpool_backward\uff1a6 项隐藏测试全部通过。")])
def test_success_line_in_both_languages(lang, line, capsys):
    core.set_language(lang)
    ch05.check_avgpool_backward(avgpool_backward_loops, hidden=True)
    assert capsys.readouterr().out.strip() == line


# ---------------------------------------------------------------------- the layer-sized hidden cases
def _conv_size(dout, cache):
    """(elements whose gradient finite differences must estimate, multiply-adds of one forward pass)"""
    x, w, b, stride, padding = cache
    return x.size + w.size + b.size, dout.size * w[0].size


def _pool_size(dout, cache):
    x, (kh, kw), stride = cache
    return x.size, dout.size * kh * kw


# Finite differences need two forward passes per input element whose gradient is asked: the number
# of those elements and the work of one pass keep them out of time, while the chapter's loops visit
# each output once. benchmarks/fd_vs_backprop.py measures the times (no test here asserts one); the
# minimums are the sizes its table in benchmarks/README.md found 7 to 10 times over the limit.
@pytest.mark.parametrize("check, fn, minimum", [
    ("conv2d_backward", conv_backward_loops, (2 * 112 * 32 * 32, 2_000_000)),
    ("conv2d_backward", conv_backward_vectorised, (2 * 112 * 32 * 32, 2_000_000)),
    ("maxpool_backward", maxpool_backward_mask, (16 * 16 * 40 * 40, 400_000)),
    ("avgpool_backward", avgpool_backward_loops, (16 * 16 * 40 * 40, 400_000)),
])
def test_hidden_check_has_a_layer_sized_case_and_honest_code_passes_it(check, fn, minimum, layer_sized, capsys):
    fn = recording(fn)
    getattr(ch05, f"check_{check}")(fn, hidden=True)
    assert f"✓ {check}" in capsys.readouterr().out
    size = _conv_size if check == "conv2d_backward" else _pool_size
    perturbations, work = max(size(*args) for args in fn.calls)
    assert perturbations >= minimum[0] and work >= minimum[1]
