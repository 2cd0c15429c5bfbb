"""Chapter 5: each typical wrong answer is rejected *and named*, in English and in Chinese (issue 17,
item 6): `=` where `+=` belongs (the bug the chapter warns about), a negated element of the returned
tuple, a factor 2, a missing sum over the filters, a point assignment in max pooling."""
import numpy as np
import pytest
from checks_helpers import english, failure, named, small_layer_cases  # noqa: F401  (fixtures)
from test_ch05 import conv_backward_vectorised, maxpool_backward_loops

from coursekit.checks import ch05, core
from grader.key import ch05 as key05

LANGS = ("en", "zh")


def conv_scatter(assign_dx=False, assign_dw=False, assign_db=False):
    """The chapter's scatter loop, with `=` instead of `+=` on the chosen lines."""
    def fn(dout, cache):
        x, w, b, stride, padding = cache
        n, f, ho, wo = dout.shape
        kh, kw = w.shape[2:]
        xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
        dxp, dw, db = np.zeros(xp.shape), np.zeros(w.shape), np.zeros(b.shape)
        for i in range(n):
            for k in range(f):
                for r in range(ho):
                    for s in range(wo):
                        rows, cols = slice(r * stride, r * stride + kh), slice(s * stride, s * stride + kw)
                        g = dout[i, k, r, s]
                        if assign_db:
                            db[k] = g
                        else:
                            db[k] += g
                        if assign_dw:
                            dw[k] = g * xp[i, :, rows, cols]
                        else:
                            dw[k] += g * xp[i, :, rows, cols]
                        if assign_dx:
                            dxp[i, :, rows, cols] = g * w[k]
                        else:
                            dxp[i, :, rows, cols] += g * w[k]
        return dxp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]], dw, db
    return fn


def conv_windows_assigned(dout, cache):
    """Vectorised over images and filters, looping over windows, each window's dx assigned."""
    x, w, b, stride, padding = cache
    n, f, ho, wo = dout.shape
    kh, kw = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros(xp.shape)
    for r in range(ho):
        for s in range(wo):
            dxp[:, :, r * stride:r * stride + kh, s * stride:s * stride + kw] = np.einsum(
                "nf,fcpq->ncpq", dout[:, :, r, s], w)
    _, dw, db = conv_backward_vectorised(dout, cache)
    return dxp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]], dw, db


def conv_dx_per_filter(dout, cache):
    x, w, b, stride, padding = cache
    dx, dw, db = conv_backward_vectorised(dout, cache)
    f = w.shape[0]
    per = np.stack([conv_backward_vectorised(dout * (np.arange(f) == k)[None, :, None, None], cache)[0]
                    for k in range(f)], axis=1)
    return per, dw, db


def negate(j):
    def fn(dout, cache):
        out = list(conv_backward_vectorised(dout, cache))
        out[j] = -out[j]
        return tuple(out)
    return fn


def twice(j):
    def fn(dout, cache):
        out = list(conv_backward_vectorised(dout, cache))
        out[j] = 2 * out[j]
        return tuple(out)
    return fn


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fn, category, what", [
    (conv_scatter(assign_dx=True), "conv_overwrite", "dx"),
    (conv_windows_assigned, "conv_overwrite", "dx"),
    (conv_scatter(assign_dw=True), "conv_overwrite", "dw"),
    (conv_scatter(assign_db=True), "conv_overwrite", "db"),
    (negate(0), "conv_grad_sign", "dx"),
    (negate(1), "conv_grad_sign", "dw"),
    (negate(2), "conv_grad_sign", "db"),
    (twice(0), "conv_grad_factor", "dx"),
    (twice(1), "conv_grad_factor", "dw"),
    (conv_dx_per_filter, "conv_dx_missing_filter_sum", "dx"),
], ids=["dx=", "dx=window", "dw=", "db=", "-dx", "-dw", "-db", "2dx", "2dw", "dx-per-filter"])
def test_conv2d_backward_mistakes_are_named(fn, category, what, lang, failure):
    core.set_language(lang)
    for hidden in (False, True):
        named(failure(ch05.check_conv2d_backward, fn, hidden), category, lang, what)


def test_the_assignment_message_says_plus_equals(failure):
    text = str(failure(ch05.check_conv2d_backward, conv_scatter(assign_dw=True)))
    assert "`=`" in text and "+=" in text and "common pattern" not in text


def maxpool_assign_at_max(dout, cache):
    x, (kh, kw), stride = cache
    dx = np.zeros_like(x)
    n, c, ho, wo = dout.shape
    for i in range(n):
        for k in range(c):
            for r in range(ho):
                for s in range(wo):
                    window = x[i, k, r * stride:r * stride + kh, s * stride:s * stride + kw]
                    p, q = np.unravel_index(np.argmax(window), window.shape)
                    dx[i, k, r * stride + p, s * stride + q] = dout[i, k, r, s]      # = for +=
    return dx


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("check, fn, category", [
    ("maxpool_backward", maxpool_assign_at_max, "pool_overlap_overwrite"),
    ("maxpool_backward", lambda d, c: -maxpool_backward_loops(d, c), "conv_grad_sign"),
    ("maxpool_backward", lambda d, c: 2 * maxpool_backward_loops(d, c), "conv_grad_factor"),
    ("avgpool_backward", lambda d, c: -key05.ref_avgpool_backward(d, c[0], c[1], c[2]), "conv_grad_sign"),
], ids=["max=", "-max", "2max", "-avg"])
def test_pool_mistakes_are_named(check, fn, category, lang, failure):
    core.set_language(lang)
    named(failure(getattr(ch05, f"check_{check}"), fn, True), category, lang, "dx")


@pytest.mark.parametrize("lang", LANGS)
def test_conv2d_forward_sign_and_factor_are_named(lang, failure):
    core.set_language(lang)

    def subtracted(x, w, b, stride=1, padding=0):
        return key05.ref_conv2d_forward(x, -w, b, stride, padding), (x, w, b, stride, padding)

    def doubled(x, w, b, stride=1, padding=0):
        return 2 * key05.ref_conv2d_forward(x, w, b, stride, padding), (x, w, b, stride, padding)
    named(failure(ch05.check_conv2d_forward, subtracted), "conv_out_sign", lang, "out")
    named(failure(ch05.check_conv2d_forward, doubled), "conv_out_factor", lang, "out")
