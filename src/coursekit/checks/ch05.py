"""Checks for chapter 5 (backprop in convolutional networks).

Conventions (the same as the chapter's docstrings; NCHW layout and PyTorch's weight layout):

    x (N, C, H, W), w (F, C, kh, kw), b (F,); stride and padding are ints (the same vertically
    and horizontally); padding adds zeros on every side; out (N, F, Ho, Wo) with
    Ho = (H + 2 * padding - kh) // stride + 1 (likewise Wo). "Convolution" is the
    cross-correlation of deep learning: the kernel is *not* flipped in the forward pass.

    check_conv2d_forward(fn)    fn(x, w, b, stride, padding) -> (out, cache)
    check_conv2d_backward(fn)   fn(dout, cache) -> (dx, dw, db), cache = (x, w, b, stride, padding)
    check_maxpool_backward(fn)  fn(dout, cache) -> dx, cache = (x, (kh, kw), stride) as returned
                                by the chapter's maxpool_forward; no padding
    check_avgpool_backward(fn)  fn(dout, cache) -> dx, cache = (x, (kh, kw), stride)

How the judging works
---------------------
The reference implementation and its typical wrong versions live in :mod:`coursekit.key.ch05`.

Each case draws seeded random inputs (visible and hidden cases differ; shapes include batch size
1, several channels, non-square images and kernels, stride 2 or 3 and padding 1 or 2, and pooling
windows that overlap or leave gaps). The expected values come from the reference implementation
below, and in every case the reference gradients are first verified against
``chainrule.numerical_grad``; the tests also check the references against
``chainrule.functional.conv2d`` / ``max_pool2d`` / ``avg_pool2d``. Pooling inputs have no ties,
so every correct implementation, with loops or vectorised, passes. A wrong result is diagnosed
against the typical mistakes (a flipped kernel, padding left in dx, db or dw not summed over the
batch, the stride ignored, the max-pool gradient spread over the window, ...), and the report
names the output that is wrong (out, dx, dw, db).
"""
from __future__ import annotations

import functools

import numpy as np

from chainrule import numerical_grad
from .core import CheckFailed, _value, cases, close, judge, msg, passed
from .learner import call_with_shape_hint
from .seeded import seeded
from .core import describe as _describe, unchanged as _unchanged, unpack as _unpack, verified as _verified
from ..key.ch05 import ref_avgpool_backward, ref_conv2d_backward, ref_conv2d_forward, ref_conv2d_overwrite
from ..key.ch05 import ref_maxpool_assign_at_max, ref_maxpool_backward, ref_pool_forward, windows as _windows


# ---------------------------------------------------------------------- helpers
def _call(fn, args, case, key="conv_shape_error"):
    """Call the learner; an error from arrays whose shapes clash gets the layout hint."""
    __tracebackhide__ = True
    return call_with_shape_hint(fn, args, case, key)


def _shape_of(got):
    try:
        return tuple(np.shape(np.asarray(got, dtype=np.float64)))
    except (TypeError, ValueError):
        return None


def _shape_hint(case, got, expected_shape, what, patterns):
    """Before judging: a wrong shape that matches a known pattern gets its own diagnosis.

    patterns: (category, shape, fields) tried in order.
    """
    __tracebackhide__ = True
    shape = _shape_of(got)
    if shape is None or shape == tuple(expected_shape):
        return
    for category, pattern, fields in patterns:
        if pattern is not None and shape == tuple(pattern):
            case.fail(category, [msg("detail_shape", what=msg(what), expected_shape=tuple(expected_shape),
                                     got_shape=shape)],
                      expected_shape=tuple(expected_shape), got_shape=shape, **fields)


# ---------------------------------------------------------------------- conv2d cases
# (seed, N, C, H, W, F, kh, kw, stride, padding)
_CONV_VISIBLE = [(1, 2, 3, 5, 6, 4, 3, 3, 1, 0), (2, 1, 2, 7, 5, 3, 3, 2, 2, 1), (3, 2, 3, 6, 6, 3, 2, 3, 1, 1)]
_CONV_HIDDEN = [(11, 3, 2, 8, 7, 3, 3, 3, 2, 1), (12, 1, 3, 5, 5, 2, 1, 1, 1, 0), (13, 2, 4, 6, 9, 5, 2, 4, 2, 0),
                (14, 1, 1, 4, 4, 1, 3, 3, 1, 2), (15, 2, 2, 9, 6, 2, 3, 2, 3, 1)]
# A hidden case at a real layer's size (a strided 3x3 convolution that halves a 32x32 feature map
# of 112 channels): the chapter's loops run over N·F·Ho·Wo windows (2048 here: the channels are
# summed inside each window's NumPy expression), finite differences need two forward passes per
# element of x and w, and a pass costs in proportion to C (about 9 times the grader's default
# limit, benchmarks/README.md). Few images, many channels: what a finite difference pays for grows
# with C squared, what the loops pay for does not. Backward only: the forward exercise has nothing
# to estimate.
_CONV_SCALE = (16, 2, 112, 32, 32, 4, 3, 3, 2, 1)


@seeded(lambda: [_CONV_SCALE])  # the layer-sized case: drawn once per grading worker
def _conv_case(seed, n, c, h, w, f, kh, kw, stride, pad):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w))
    wt = rng.standard_normal((f, c, kh, kw))
    b = rng.standard_normal(f)
    ho, wo = (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1
    dout = rng.standard_normal((n, f, ho, wo))
    return x, wt, b, dout


def _conv_desc(n, c, h, w, f, kh, kw, stride, pad):
    return f"x {(n, c, h, w)}, w {(f, c, kh, kw)}, b {(f,)}, stride {stride}, padding {pad}"


def _conv_ref_fwd(x, w, b, stride, pad):
    return ref_conv2d_forward(x, w, b, stride, pad)


def check_conv2d_forward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = _CONV_HIDDEN if hidden else _CONV_VISIBLE
    for case, spec in zip(cases("conv2d_forward", [_conv_desc(*s[1:]) for s in specs]), specs):
        seed, n, c, h, w_, f, kh, kw, stride, pad = spec
        x, w, b, _ = _conv_case(*spec)
        x0, w0, b0 = x.copy(), w.copy(), b.copy()
        got = _call(fn, (x, w, b, stride, pad), case)
        out, _cache = _unpack(got, ("out", "cache"), case)
        for before, after, name in ((x0, x, "x"), (w0, w, "w"), (b0, b, "b")):
            _unchanged(before, after, case, name)
        x, w, b = x0, w0, b0
        expected = _conv_ref_fwd(x, w, b, stride, pad)
        ho, wo = expected.shape[2:]
        fields = {"stride": stride, "padding": pad, "kh": kh, "kw": kw, "h": h, "w": w_, "ho": ho, "wo": wo,
                  "name": "out"}
        alternatives = [
            ("conv_kernel_flipped", lambda: _conv_ref_fwd(x, w[:, :, ::-1, ::-1], b, stride, pad), fields),
            ("conv_missing_bias", lambda: _conv_ref_fwd(x, w, 0 * b, stride, pad), fields),
            ("conv_padding_ignored", lambda: _conv_ref_fwd(x, w, b, stride, 0), fields),
            ("conv_stride_ignored", lambda: _conv_ref_fwd(x, w, b, 1, pad), fields),
            ("conv_nhwc", lambda: expected.transpose(0, 2, 3, 1), fields),
            ("conv_padding_one_side", lambda: _conv_ref_fwd(
                np.pad(x, ((0, 0), (0, 0), (pad, 0), (pad, 0))), w, b, stride, 0), fields),
            ("conv_out_sign", lambda: -expected, fields),
            ("conv_out_sign", lambda: -_conv_ref_fwd(x, w, -b, stride, pad), fields),   # the sum subtracted
            ("conv_out_factor", lambda: 2 * expected, {**fields, "factor": "2"}),
            ("conv_out_factor", lambda: expected / 2, {**fields, "factor": "1/2"}),
        ]
        size_patterns = [("conv_output_size", (n, f, ho + dh, wo + dw), fields)
                         for dh in (-1, 0, 1) for dw in (-1, 0, 1) if (dh, dw) != (0, 0)]
        size_patterns.append(("conv_nhwc", (n, ho, wo, f), fields))
        shape = _shape_of(out)
        if shape != expected.shape:
            # value alternatives first (stride or padding ignored give a different shape too)
            arr = np.asarray(out, dtype=np.float64) if shape is not None else None
            if arr is not None:
                for category, alt, flds in alternatives:
                    v = _value(alt)
                    if v is not None and close(arr, v, 1e-8, 1e-6):
                        case.fail(category, [msg("detail_shape", what=msg("what_out"),
                                                 expected_shape=expected.shape, got_shape=shape)],
                                  expected_shape=expected.shape, got_shape=shape, **flds)
            _shape_hint(case, out, expected.shape, "what_out", size_patterns)
        judge(expected, out, case, atol=1e-9, rtol=1e-7, alternatives=alternatives, what="what_out")
    passed("conv2d_forward", len(specs), hidden)


def check_conv2d_backward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    specs = _CONV_HIDDEN + [_CONV_SCALE] if hidden else _CONV_VISIBLE
    descs = [_conv_desc(*s[1:]) + f", dout {_dout_shape(*s[1:])}" for s in specs]
    for case, spec in zip(cases("conv2d_backward", descs), specs):
        seed, n, c, h, w_, f, kh, kw, stride, pad = spec
        x, w, b, dout = _conv_case(*spec)
        saved = {"dout": dout.copy(), "x": x.copy(), "w": w.copy(), "b": b.copy()}
        got = _call(fn, (dout, (x, w, b, stride, pad)), case)
        dx, dw, db = _unpack(got, ("dx", "dw", "db"), case)
        for name, arr in (("dout", dout), ("x", x), ("w", w), ("b", b)):
            _unchanged(saved[name], arr, case, name)
        x, w, b, dout = saved["x"], saved["w"], saved["b"], saved["dout"]
        rdx, rdw, rdb = ref_conv2d_backward(dout, x, w, b, stride, pad)
        if spec != _CONV_SCALE:  # the reference is the same formula at every size
            fwd = _conv_ref_fwd
            _verified(rdx, lambda: numerical_grad(lambda v: fwd(v, w, b, stride, pad), x, dout), "dx")
            _verified(rdw, lambda: numerical_grad(lambda v: fwd(x, v, b, stride, pad), w, dout), "dw")
            _verified(rdb, lambda: numerical_grad(lambda v: fwd(x, w, v, stride, pad), b, dout), "db")
        ho, wo = dout.shape[2:]
        fields = {"stride": stride, "padding": pad, "n": n, "c": c, "f": f, "kh": kh, "kw": kw}
        # the typical wrong versions are computed only when an answer does not match (lazily, once)
        flipped = functools.cache(lambda: ref_conv2d_backward(dout, x, w[:, :, ::-1, ::-1], b, stride, pad))
        stride_ignored = functools.cache(lambda: ref_conv2d_backward(dout, x, w, b, stride, pad, scatter_stride=1))
        xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        overwrite = functools.cache(lambda: ref_conv2d_overwrite(dout, x, w, stride, pad))

        def common(name, ref):   # `=` for `+=`, then a sign or a factor: the same for dx, dw and db
            named = {**fields, "name": name}
            count = {"dx": 2, "dw": 3, "db": 3}[name]  # as many as ref_conv2d_overwrite gives
            return ([("conv_overwrite", lambda i=i: overwrite()[name][i], named) for i in range(count)]
                    + [("conv_grad_sign", lambda: -ref, named),
                       ("conv_grad_factor", lambda: 2 * ref, {**named, "factor": "2"}),
                       ("conv_grad_factor", lambda: ref / 2, {**named, "factor": "1/2"})])
        # --- dx (the order of backward: db, dw, dx would also do; dx first as the chapter derives it)
        dx_alts = [("conv_dx_kernel_not_flipped", lambda: flipped()[0], {**fields, "name": "dx"}),
                   ("conv_dx_padding_not_removed", lambda: ref_conv2d_backward(dout, x, w, b, stride, pad,
                                                                               crop=False)[0],
                    {**fields, "name": "dx"})]
        if stride > 1:
            dx_alts.append(("conv_stride_ignored_backward", lambda: stride_ignored()[0], {**fields, "name": "dx"}))
        if c == f:
            dx_alts.append(("conv_channels_swapped", lambda: ref_conv2d_backward(
                dout, x, w.transpose(1, 0, 2, 3), b, stride, pad)[0], {**fields, "name": "dx"}))
        dx_alts += common("dx", rdx)
        _shape_hint(case, dx, rdx.shape, "what_dx",
                    [("conv_dx_padding_not_removed", xp.shape, {**fields, "name": "dx"}),
                     ("conv_dx_missing_filter_sum", (n, f) + x.shape[1:], {**fields, "name": "dx"})])
        judge(rdx, dx, case, atol=1e-9, rtol=1e-7, alternatives=dx_alts, what="what_dx")
        # --- dw
        dw_alts = [("conv_dw_missing_batch_sum", lambda: np.einsum("nchwpq,nfhw->nfcpq", _windows(xp, kh, kw, stride),
                                                                   dout), {**fields, "name": "dw"}),
                   ("conv_dw_flipped", rdw[:, :, ::-1, ::-1], {**fields, "name": "dw"}),
                   ("conv_dw_channels_swapped", rdw.transpose(1, 0, 2, 3), {**fields, "name": "dw"})]
        if stride > 1:
            dw_alts.append(("conv_stride_ignored_backward", lambda: stride_ignored()[1], {**fields, "name": "dw"}))
        if n > 1:
            dw_alts.append(("conv_grad_divided_by_n", rdw / n, {**fields, "name": "dw"}))
        dw_alts += common("dw", rdw)
        _shape_hint(case, dw, rdw.shape, "what_dw",
                    [("conv_dw_channels_swapped", (c, f, kh, kw), {**fields, "name": "dw"}),
                     ("conv_dw_missing_batch_sum", (n, f, c, kh, kw), {**fields, "name": "dw"})])
        judge(rdw, dw, case, atol=1e-9, rtol=1e-7, alternatives=dw_alts, what="what_dw")
        # --- db
        db_alts = [("conv_db_not_summed", dout.sum(axis=(2, 3)), {**fields, "name": "db"}),
                   ("conv_db_not_summed", dout.sum(axis=0), {**fields, "name": "db"}),
                   ("conv_db_not_summed", dout, {**fields, "name": "db"}),
                   ("conv_db_mean", dout.mean(axis=(0, 2, 3)), {**fields, "name": "db"})]
        if n > 1:
            db_alts.append(("conv_grad_divided_by_n", rdb / n, {**fields, "name": "db"}))
        db_alts += common("db", rdb)
        _shape_hint(case, db, rdb.shape, "what_db",
                    [("conv_db_not_summed", s, {**fields, "name": "db"})
                     for s in ((n, f), (f, ho, wo), (n, f, ho, wo), (n, f, 1, 1), (1, f, 1, 1))])
        judge(rdb, db, case, atol=1e-9, rtol=1e-7, alternatives=db_alts, what="what_db")
    passed("conv2d_backward", len(specs), hidden)


def _dout_shape(n, c, h, w, f, kh, kw, stride, pad):
    return (n, f, (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1)


# ---------------------------------------------------------------------- pooling
# (seed, N, C, H, W, kh, kw, stride)
_POOL_VISIBLE = [(1, 2, 3, 4, 6, 2, 2, 2), (2, 1, 2, 5, 7, 3, 2, 2), (3, 2, 1, 6, 5, 2, 3, 1)]
_POOL_HIDDEN = [(11, 3, 2, 8, 8, 2, 2, 2), (12, 1, 4, 7, 5, 3, 3, 2), (13, 2, 2, 5, 9, 2, 3, 3),
                (14, 1, 1, 4, 4, 4, 4, 1), (15, 2, 3, 6, 7, 3, 2, 1)]
# A hidden case at a real layer's size (4x4 windows, stride 4: a feature map shrunk 4 times in
# each direction), for both pooling exercises: the chapter's loops visit each window once, finite
# differences need two forward passes per element of x (about 8 times the grader's default limit,
# benchmarks/README.md). Large windows: 16 elements of x per window the loops visit (overlapping
# 3x3 windows, stride 2, needed 4 times as many windows for the same margin). The small cases
# have the overlapping windows.
_POOL_SCALE = (16, 16, 16, 40, 40, 4, 4, 4)


@seeded(lambda: [_POOL_SCALE])  # the layer-sized case: drawn once per grading worker
def _pool_case(seed, n, c, h, w, kh, kw, stride):
    """x with distinct values (no ties, gaps far above a numerical step) and a dout."""
    rng = np.random.default_rng(seed)
    size = n * c * h * w
    x = (rng.permutation(size) * (4.0 / size) - 2.0).reshape(n, c, h, w)
    ho, wo = (h - kh) // stride + 1, (w - kw) // stride + 1
    dout = rng.standard_normal((n, c, ho, wo))
    dout = np.sign(dout) * (np.abs(dout) + 0.1)
    return x, dout


def _pool_desc(n, c, h, w, kh, kw, stride):
    ho, wo = (h - kh) // stride + 1, (w - kw) // stride + 1
    return f"x {(n, c, h, w)}, window {(kh, kw)}, stride {stride}, dout {(n, c, ho, wo)}"


def _pool_check(exercise, fn, hidden, mode):
    __tracebackhide__ = True
    specs = _POOL_HIDDEN + [_POOL_SCALE] if hidden else _POOL_VISIBLE
    for case, spec in zip(cases(exercise, [_pool_desc(*s[1:]) for s in specs]), specs):
        seed, n, c, h, w, kh, kw, stride = spec
        x, dout = _pool_case(*spec)
        saved_x, saved_dout = x.copy(), dout.copy()
        got = _call(fn, (dout, (x, (kh, kw), stride)), case, key="pool_shape_error")
        if isinstance(got, (tuple, list)):
            case.fail("pool_bad_return", got=_describe(got))
        _unchanged(saved_dout, dout, case, "dout")
        _unchanged(saved_x, x, case, "x")
        x, dout = saved_x, saved_dout
        kernel = (kh, kw)
        fields = {"kh": kh, "kw": kw, "k": kh * kw, "stride": stride, "name": "dx"}
        overlap = stride < kh or stride < kw
        if mode == "max":
            expected = ref_maxpool_backward(dout, x, kernel, stride)
            if spec != _POOL_SCALE:  # the reference is the same formula at every size
                _verified(expected,
                          lambda: numerical_grad(lambda v: ref_pool_forward(v, kernel, stride, "max"), x, dout),
                          "dx")
            alternatives = [
                ("maxpool_spread", lambda: ref_maxpool_backward(dout, x, kernel, stride, how="spread"), fields),
                ("maxpool_spread", lambda: ref_maxpool_backward(dout, x, kernel, stride, how="spread_mean"), fields),
                ("pool_missing_upstream", lambda: ref_maxpool_backward(np.ones_like(dout), x, kernel, stride), fields),
                ("maxpool_min", lambda: ref_maxpool_backward(dout, -x, kernel, stride), fields),
                ("maxpool_times_x", lambda: expected * x, fields),
            ]
            if overlap:
                alternatives += [("pool_overlap_overwrite",
                                  lambda: ref_maxpool_backward(dout, x, kernel, stride, accumulate=False), fields),
                                 ("pool_overlap_overwrite", lambda: ref_maxpool_assign_at_max(dout, x, kernel, stride),
                                  fields)]
        else:
            expected = ref_avgpool_backward(dout, x, kernel, stride)
            if spec != _POOL_SCALE:
                _verified(expected,
                          lambda: numerical_grad(lambda v: ref_pool_forward(v, kernel, stride, "avg"), x, dout),
                          "dx")
            alternatives = [
                ("avgpool_not_divided", lambda: ref_avgpool_backward(dout, x, kernel, stride, divide=False), fields),
                ("avgpool_routed_to_max", lambda: ref_maxpool_backward(dout, x, kernel, stride) / (kh * kw), fields),
                ("avgpool_routed_to_max", lambda: ref_maxpool_backward(dout, x, kernel, stride), fields),
                ("avgpool_divided_twice", lambda: expected / (kh * kw), fields),
                ("pool_missing_upstream", lambda: ref_avgpool_backward(np.ones_like(dout), x, kernel, stride), fields),
            ]
            if kh != kw:
                alternatives += [("avgpool_wrong_divisor", lambda: expected * (kh * kw) / kh, fields),
                                 ("avgpool_wrong_divisor", lambda: expected * (kh * kw) / kw, fields)]
            if overlap:
                alternatives.append(("pool_overlap_overwrite",
                                     lambda: ref_avgpool_backward(dout, x, kernel, stride, accumulate=False), fields))
        # stride ignored: windows stepped by the kernel size (the default of nn.MaxPool2d) or by 1
        for s_wrong in sorted(({kh, 1} if kh == kw else {1}) - {stride}):
            alternatives.append(("pool_stride_ignored", (lambda s=s_wrong: _pool_wrong_stride(
                dout, x, kernel, s, mode)), {**fields, "wrong": s_wrong}))
        alternatives += [("conv_grad_sign", lambda: -expected, fields),
                         ("conv_grad_factor", lambda: 2 * expected, {**fields, "factor": "2"}),
                         ("conv_grad_factor", lambda: expected / 2, {**fields, "factor": "1/2"})]
        judge(expected, got, case, atol=1e-10, rtol=1e-7, alternatives=alternatives, what="what_dx")
    passed(exercise, len(specs), hidden)


def _pool_wrong_stride(dout, x, kernel, s, mode):
    kh, kw = kernel
    n, c, ho, wo = dout.shape
    if (ho - 1) * s + kh > x.shape[2] or (wo - 1) * s + kw > x.shape[3]:
        return None
    fn = ref_maxpool_backward if mode == "max" else ref_avgpool_backward
    return fn(dout, x, kernel, s)


def check_maxpool_backward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    _pool_check("maxpool_backward", fn, hidden, "max")


def check_avgpool_backward(fn, hidden=False):
    __tracebackhide__ = True  # IPython shows the learner their cell and the message, not our frames
    _pool_check("avgpool_backward", fn, hidden, "avg")


# The exercises whose hidden check has a layer-sized case (the module attribute that holds it): an
# honest backward pass takes milliseconds there, finite differences run out of time. `make course`
# copies this table into the manifest as the exercise's time class ("layer"); it lives here, beside
# the cases, so that it has one source.
LAYER_SIZED = {
    "conv2d_backward": "_CONV_SCALE",
    "maxpool_backward": "_POOL_SCALE",
    "avgpool_backward": "_POOL_SCALE",
}

__all__ = ["LAYER_SIZED",
           "check_conv2d_forward", "check_conv2d_backward", "check_maxpool_backward", "check_avgpool_backward",
           "ref_conv2d_forward", "ref_conv2d_backward", "ref_pool_forward", "ref_maxpool_backward",
           "ref_avgpool_backward", "CheckFailed"]
