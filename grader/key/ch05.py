"""The reference gradients of chapter 5's checks (convolution, max and average pooling), with the
typical wrong versions a check compares a wrong answer with. Conventions: see :mod:`coursekit.checks.ch05`. The checks
verify these references against numerical gradients in every case, the tests against chainrule's ops."""
from __future__ import annotations

import numpy as np

def windows(xp, kh, kw, stride):
    """xp (N, C, Hp, Wp) -> (N, C, Ho, Wo, kh, kw), a strided view of every window."""
    v = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))
    return v[:, :, ::stride, ::stride]


def ref_conv2d_forward(x, w, b, stride=1, padding=0):
    """Cross-correlation, NCHW: out[n, f, i, j] = sum_{c,p,q} xpad[n, c, i*s + p, j*s + q] w[f, c, p, q] + b[f]."""
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = windows(xp, w.shape[2], w.shape[3], stride)
    out = np.einsum("nchwpq,fcpq->nfhw", win, w)
    return out + b[None, :, None, None]


def _scatter(cols, padded_shape, stride):
    """Adjoint of windows: cols (N, C, Ho, Wo, kh, kw) added back onto the padded input."""
    n, c, ho, wo, kh, kw = cols.shape
    xp = np.zeros(padded_shape)
    for p in range(kh):
        for q in range(kw):
            xp[:, :, p:p + stride * (ho - 1) + 1:stride, q:q + stride * (wo - 1) + 1:stride] += cols[:, :, :, :, p, q]
    return xp


def ref_conv2d_backward(dout, x, w, b, stride=1, padding=0, scatter_stride=None, crop=True):
    """(dx, dw, db). scatter_stride / crop=False reproduce two typical mistakes (stride ignored in
    backward, padding left in dx)."""
    s = stride if scatter_stride is None else scatter_stride
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kh, kw = w.shape[2:]
    n, f, ho, wo = dout.shape
    if s == stride:
        win = windows(xp, kh, kw, s)
    else:  # windows taken at the wrong stride (as many as dout has)
        win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::s, ::s][:, :, :ho, :wo]
    dw = np.einsum("nchwpq,nfhw->fcpq", win, dout)
    db = dout.sum(axis=(0, 2, 3))
    dcols = np.einsum("nfhw,fcpq->nchwpq", dout, w)
    dxp = _scatter(dcols, xp.shape, s)
    dx = dxp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]] if crop else dxp
    return dx, dw, db


def ref_conv2d_overwrite(dout, x, w, stride=1, padding=0):
    """What the scatter loop gives with `=` where `+=` belongs, for the usual loop orders: a dict
    name -> list of arrays. A later window (or image, or filter) replaces what an earlier one wrote."""
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kh, kw = w.shape[2:]
    n, f, ho, wo = dout.shape
    per_filter, per_window = np.zeros(xp.shape), np.zeros(xp.shape)
    for i in range(ho):
        for j in range(wo):
            rows, cols = slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw)
            # the loops over f (outer or inner) end with f = F - 1; the windows end with the last one
            per_filter[:, :, rows, cols] = dout[:, f - 1, i, j][:, None, None, None] * w[f - 1]
            per_window[:, :, rows, cols] = np.einsum("nf,fcpq->ncpq", dout[:, :, i, j], w)
    crop = (slice(None), slice(None), slice(padding, padding + x.shape[2]), slice(padding, padding + x.shape[3]))
    last = windows(xp, kh, kw, stride)[:, :, ho - 1, wo - 1]            # (N, C, kh, kw)
    per_image = np.einsum("nchwpq,nfhw->nfcpq", windows(xp, kh, kw, stride), dout)
    return {
        "dx": [per_filter[crop], per_window[crop]],
        "dw": [dout[n - 1, :, ho - 1, wo - 1][:, None, None, None] * last[n - 1][None],   # last (n, i, j)
               np.einsum("nf,ncpq->fcpq", dout[:, :, ho - 1, wo - 1], last),            # last (i, j), all n
               per_image[n - 1]],                                                       # last image only
        "db": [dout[n - 1, :, ho - 1, wo - 1], dout[:, :, ho - 1, wo - 1].sum(axis=0),
               dout[n - 1].sum(axis=(1, 2))],
    }


def ref_pool_forward(x, kernel, stride, mode="max"):
    kh, kw = kernel
    win = windows(x, kh, kw, stride)
    return win.max(axis=(4, 5)) if mode == "max" else win.mean(axis=(4, 5))


def ref_maxpool_backward(dout, x, kernel, stride, how="route", accumulate=True):
    """dx of max pooling. how: "route" (right: all to the first max), "spread" (to every element of
    the window), "spread_mean" (shared equally, i.e. the average-pool gradient)."""
    kh, kw = kernel
    n, c, ho, wo = dout.shape
    dx = np.zeros_like(x, dtype=np.float64)
    for i in range(ho):
        for j in range(wo):
            rows, cols = slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw)
            window = x[:, :, rows, cols].reshape(n, c, -1)
            g = dout[:, :, i, j][:, :, None]
            if how == "route":
                mask = np.zeros_like(window)
                np.put_along_axis(mask, window.argmax(axis=2)[:, :, None], 1.0, axis=2)
                part = mask * g
            elif how == "spread":
                part = np.broadcast_to(g, window.shape)
            else:
                part = np.broadcast_to(g / (kh * kw), window.shape)
            part = part.reshape(n, c, kh, kw)
            if accumulate:
                dx[:, :, rows, cols] += part
            else:   # a typical mistake: overwrite, so a later window erases an earlier window's gradient
                dx[:, :, rows, cols] = part
    return dx


def ref_avgpool_backward(dout, x, kernel, stride, divide=True, accumulate=True):
    how = "spread_mean" if divide else "spread"
    return ref_maxpool_backward(dout, x, kernel, stride, how=how, accumulate=accumulate)


def ref_maxpool_assign_at_max(dout, x, kernel, stride):
    """dx[position of the max] = dout: where one input is the max of two windows, the later wins."""
    kh, kw = kernel
    dx = np.zeros_like(x, dtype=np.float64)
    n, c, ho, wo = dout.shape
    ii, jj = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw].reshape(n, c, -1)
            p, q = np.unravel_index(window.argmax(axis=2), (kh, kw))
            dx[ii, jj, i * stride + p, j * stride + q] = dout[:, :, i, j]
    return dx


# ---------------------------------------------------------------------- hidden cases of coursekit.checks.ch05
CONV_HIDDEN = [(11, 3, 2, 8, 7, 3, 3, 3, 2, 1), (12, 1, 3, 5, 5, 2, 1, 1, 1, 0), (13, 2, 4, 6, 9, 5, 2, 4, 2, 0),
               (14, 1, 1, 4, 4, 1, 3, 3, 1, 2), (15, 2, 2, 9, 6, 2, 3, 2, 3, 1)]
# A hidden case at a real layer's size (a strided 3x3 convolution that halves a 32x32 feature map
# of 112 channels): the chapter's loops run over N·F·Ho·Wo windows (2048 here: the channels are
# summed inside each window's NumPy expression), finite differences need two forward passes per
# element of x and w, and a pass costs in proportion to C (about 9 times the grader's default
# limit, benchmarks/README.md). Few images, many channels: what a finite difference pays for grows
# with C squared, what the loops pay for does not. Backward only: the forward exercise has nothing
# to estimate.
CONV_SCALE = (16, 2, 112, 32, 32, 4, 3, 3, 2, 1)
POOL_HIDDEN = [(11, 3, 2, 8, 8, 2, 2, 2), (12, 1, 4, 7, 5, 3, 3, 2), (13, 2, 2, 5, 9, 2, 3, 3),
               (14, 1, 1, 4, 4, 4, 4, 1), (15, 2, 3, 6, 7, 3, 2, 1)]
# A hidden case at a real layer's size (4x4 windows, stride 4: a feature map shrunk 4 times in
# each direction), for both pooling exercises: the chapter's loops visit each window once, finite
# differences need two forward passes per element of x (about 8 times the grader's default limit,
# benchmarks/README.md). Large windows: 16 elements of x per window the loops visit (overlapping
# 3x3 windows, stride 2, needed 4 times as many windows for the same margin). The small cases
# have the overlapping windows.
POOL_SCALE = (16, 16, 16, 40, 40, 4, 4, 4)
